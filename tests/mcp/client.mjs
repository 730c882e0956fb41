// Drives `corral mcp` with the official MCP TypeScript SDK's client (over
// StdioClientTransport) and, for what a well-behaved client never sends, with
// raw JSON-RPC lines. Every check of what happened to the machine is made
// from outside the sandbox: files with fs, processes through /proc.
//
//   CORRAL=build/corral MCP_TEST_ROOT=DIR node client.mjs
//
// Prints "ok N - name" / "not ok N - name" and, last, "mcp: N passed, N failed, N skipped".
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import assert from "node:assert/strict";

const CORRAL = process.env.CORRAL;
const ROOT = process.env.MCP_TEST_ROOT;
let passed = 0, failed = 0, n = 0;

async function test(name, fn) {
  n++;
  try {
    await fn();
    passed++;
    console.log(`ok ${n} - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    for (const l of String(e && e.stack ? e.stack : e).split("\n").slice(0, 12)) console.log(`#   ${l}`);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(pred, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await sleep(50);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

// Is any process on the machine running with this word in its command line?
function alive(marker) {
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0");
      if (argv.includes(marker)) return true;
    } catch {}
  }
  return false;
}
let markers = 0;
const marker = () => `${1000 + (process.pid % 5000)}.${++markers}${Math.floor(Math.random() * 1e6)}`;

// A fresh workspace (with a .git), a directory outside it, and a home,
// config and cache of their own.
function world() {
  const t = fs.mkdtempSync(path.join(ROOT, "w"));
  const ws = path.join(t, "ws");
  fs.mkdirSync(path.join(ws, ".git", "hooks"), { recursive: true });
  fs.mkdirSync(path.join(ws, "sub"));
  fs.mkdirSync(path.join(t, "outside"));
  for (const d of ["home", "config", "cache"]) fs.mkdirSync(path.join(t, d));
  const env = {
    PATH: process.env.PATH, LANG: "C.UTF-8", HOME: path.join(t, "home"),
    XDG_CONFIG_HOME: path.join(t, "config"), XDG_CACHE_HOME: path.join(t, "cache"), TMPDIR: "/tmp",
  };
  return { ws, outside: path.join(t, "outside"), env };
}

async function connect(w, extra = []) {
  const transport = new StdioClientTransport({
    command: CORRAL, args: ["mcp", "-W", w.ws, ...extra], cwd: w.ws, env: w.env, stderr: "pipe",
  });
  const client = new Client({ name: "corral-tests", version: "1.0.0" });
  await client.connect(transport);
  await client.listTools(); // the SDK then checks every structuredContent against the outputSchema
  return { client, transport };
}
const run = (c, args, opts) => c.client.callTool({ name: "run", arguments: args }, undefined, { timeout: 60000, ...opts });
const text = (r) => r.content.map((x) => x.text).join("");

// A raw JSON-RPC peer, for what the SDK never sends.
class Raw {
  constructor(w, extra = []) {
    this.p = spawn(CORRAL, ["mcp", "-W", w.ws, ...extra], { cwd: w.ws, env: w.env, stdio: ["pipe", "pipe", "pipe"] });
    this.buf = "";
    this.msgs = [];
    this.p.stdout.setEncoding("utf8");
    this.p.stdout.on("data", (d) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf("\n")) >= 0) {
        this.msgs.push(JSON.parse(this.buf.slice(0, i)));
        this.buf = this.buf.slice(i + 1);
      }
    });
    this.p.stdin.on("error", () => {});
    this.exited = new Promise((r) => this.p.on("exit", (code, sig) => r({ code, sig })));
  }
  send(m) { this.p.stdin.write((typeof m === "string" ? m : JSON.stringify(m)) + "\n"); }
  async reply(id, ms = 20000) {
    let m;
    await waitFor(() => (m = this.msgs.find((x) => x.id === id)) !== undefined, ms, `a reply to id ${id}`);
    this.msgs.splice(this.msgs.indexOf(m), 1);
    return m;
  }
  async init(version = "2025-06-18") {
    this.send({ jsonrpc: "2.0", id: "init", method: "initialize",
      params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    const r = await this.reply("init");
    this.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    return r;
  }
  kill() { this.p.kill("SIGKILL"); }
}

// ---------------------------------------------------------------------------

const w = world();
const c = await connect(w, ["--report-denials"]);

await test("initialize: the server says who it is and that it has tools", async () => {
  assert.equal(c.client.getServerVersion().name, "corral");
  assert.ok(c.client.getServerCapabilities().tools);
});

await test("tools/list: one tool, run, with an input and an output schema", async () => {
  const { tools } = await c.client.listTools();
  assert.deepEqual(tools.map((t) => t.name), ["run"]);
  assert.equal(tools[0].inputSchema.properties.command.type, "string");
  assert.equal(tools[0].inputSchema.properties.argv.type, "array");
  assert.ok(tools[0].outputSchema.properties.denials);
});

await test("tools/call: a command succeeds, in the workspace, with stdout and structured content", async () => {
  const r = await run(c, { command: "echo hello; pwd" });
  assert.equal(r.isError, false);
  assert.equal(r.structuredContent.exit_code, 0);
  assert.equal(r.structuredContent.stdout, `hello\n${w.ws}\n`);
  assert.equal(r.structuredContent.timed_out, false);
  assert.ok(Number.isInteger(r.structuredContent.wall_ms));
  assert.deepEqual(r.structuredContent.denials, []);
  assert.match(text(r), /hello/);
});

await test("tools/call: argv runs without a shell", async () => {
  const r = await run(c, { argv: ["printf", "%s|", "a b", "$HOME"] });
  assert.equal(r.structuredContent.stdout, "a b|$HOME|");
});

await test("tools/call: a failing command gives its exit code, its stderr and isError", async () => {
  const r = await run(c, { command: "echo oops >&2; exit 7" });
  assert.equal(r.isError, true);
  assert.equal(r.structuredContent.exit_code, 7);
  assert.equal(r.structuredContent.stderr, "oops\n");
  assert.match(text(r), /exit code 7/);
});

await test("tools/call: a write outside the workspace is refused, and nothing appears there", async () => {
  const f = path.join(w.outside, "planted");
  const r = await run(c, { command: `echo x > '${f}'` });
  assert.notEqual(r.structuredContent.exit_code, 0);
  assert.match(r.structuredContent.stderr, /Read-only file system|Permission denied/);
  assert.ok(Array.isArray(r.structuredContent.denials));
  assert.equal(fs.existsSync(f), false);
});

await test("tools/call: a hook planted in .git is refused, and nothing appears there", async () => {
  const r = await run(c, { command: "echo 'touch /tmp/pwned' > .git/hooks/pre-commit" });
  assert.notEqual(r.structuredContent.exit_code, 0);
  assert.equal(fs.existsSync(path.join(w.ws, ".git/hooks/pre-commit")), false);
  // the server runs with --report-denials: the refusal comes back as a denial
  assert.deepEqual(r.structuredContent.denials, [{
    op: "write", path: path.join(w.ws, ".git/hooks/pre-commit"), rule: "protected name .git", allow_with: null,
  }]);
  assert.match(text(r), /denied by the sandbox[\s\S]*protected name \.git/);
});

await test("tools/call: read_only narrows the policy (control: the same write works without it)", async () => {
  const r = await run(c, { command: "touch ro-probe", read_only: true });
  assert.notEqual(r.structuredContent.exit_code, 0);
  assert.equal(fs.existsSync(path.join(w.ws, "ro-probe")), false);
  const ok = await run(c, { command: "touch ro-probe" });
  assert.equal(ok.structuredContent.exit_code, 0);
  assert.equal(fs.existsSync(path.join(w.ws, "ro-probe")), true);
});

await test("tools/call: a call cannot widen the policy or pass unknown arguments", async () => {
  let r = await run(c, { command: "true", network: "on" });
  assert.equal(r.isError, true);
  assert.match(text(r), /cannot widen/);
  r = await run(c, { command: "true", writable_roots: ["/"] });
  assert.equal(r.isError, true);
  assert.match(text(r), /unknown argument 'writable_roots'/);
  r = await run(c, { command: "true", argv: ["true"] });
  assert.equal(r.isError, true);
});

await test("tools/call: cwd is inside the workspace; outside it is refused", async () => {
  let r = await run(c, { command: "pwd", cwd: "sub" });
  assert.equal(r.structuredContent.stdout, `${path.join(w.ws, "sub")}\n`);
  for (const bad of ["/", "..", w.outside]) {
    r = await run(c, { command: "pwd", cwd: bad });
    assert.equal(r.isError, true, bad);
    assert.match(text(r), /outside the workspace/, bad);
  }
});

await test("tools/call: a timeout kills the whole sandbox (exit 124, timed_out), nothing left", async () => {
  const m = marker();
  const t0 = Date.now();
  const r = await run(c, { command: `sleep ${m} & sleep ${m}`, timeout: 1 });
  assert.equal(r.structuredContent.timed_out, true);
  assert.equal(r.structuredContent.exit_code, 124);
  assert.ok(Date.now() - t0 < 10000);
  assert.equal(alive(m), false);
});

await test("cancellation (AbortSignal -> notifications/cancelled) kills the sandbox; the server goes on", async () => {
  const m = marker();
  const ac = new AbortController();
  const p = run(c, { command: `sleep ${m}` }, { signal: ac.signal });
  p.catch(() => {});
  await waitFor(() => alive(m), 10000, "the command to start");
  ac.abort("test");
  await assert.rejects(p);
  await waitFor(() => !alive(m), 10000, "the sandbox to be gone");
  const r = await run(c, { command: "echo still here" });
  assert.equal(r.structuredContent.stdout, "still here\n");
});

await test("two calls run at once", async () => {
  const t0 = Date.now();
  const rs = await Promise.all([run(c, { command: "sleep 2; echo a" }), run(c, { command: "sleep 2; echo b" })]);
  assert.deepEqual(rs.map((r) => r.structuredContent.stdout), ["a\n", "b\n"]);
  assert.ok(Date.now() - t0 < 3800, `took ${Date.now() - t0} ms`);
});

await c.client.close();

const w2 = world();
const c2 = await connect(w2, ["--max-output", "1000", "-m", "read-only"]);

await test("output is bounded, and the truncation is said", async () => {
  const r = await run(c2, { command: "head -c 5000 /dev/zero | tr '\\0' a" });
  assert.equal(r.structuredContent.stdout, "a".repeat(1000));
  assert.equal(r.structuredContent.stdout_truncated, true);
  assert.equal(r.structuredContent.stdout_bytes, 5000);
  assert.match(text(r), /stdout truncated: the first 1000 of 5000 bytes/);
});

await test("output that is not UTF-8 arrives as U+FFFD", async () => {
  const r = await run(c2, { command: "printf 'a\\377b\\300\\200' >&2" });
  assert.equal(r.structuredContent.stderr, "a\ufffdb\ufffd\ufffd");
});

await test("the server's own options are the policy (-m read-only), whatever the client asks", async () => {
  const r = await run(c2, { command: "touch srv-ro" });
  assert.notEqual(r.structuredContent.exit_code, 0);
  assert.equal(fs.existsSync(path.join(w2.ws, "srv-ro")), false);
});
await c2.client.close();

const w3 = world();
const c3 = await connect(w3, ["--network", "on"]);
await test("network: \"off\" turns the network off for one call of a server that allows it", async () => {
  // CORRAL_NETWORK is what corral set up; the loopback-only namespace shows in /proc/net/dev
  const probe = "echo $CORRAL_NETWORK; grep -c : /proc/net/dev";
  const on = await run(c3, { command: probe });
  const off = await run(c3, { command: probe, network: "off" });
  assert.equal(on.structuredContent.stdout.split("\n")[0], "on");
  assert.equal(off.structuredContent.stdout.split("\n")[0], "off");
  assert.equal(off.structuredContent.stdout.split("\n")[1], "1"); // lo only
});
await test("denials: a server started without --report-denials reports at the default writes level", async () => {
  const r = await run(c3, { command: "echo x > .git/hooks/pre-commit" });
  assert.notEqual(r.structuredContent.exit_code, 0);
  assert.equal(fs.existsSync(path.join(w3.ws, ".git/hooks/pre-commit")), false);
  assert.deepEqual(r.structuredContent.denials, [{
    op: "write", path: path.join(w3.ws, ".git/hooks/pre-commit"), rule: "protected name .git", allow_with: null,
  }]);
});
await c3.client.close();

const c4 = await connect(w3, ["--report-denials=off"]);
await test("denials: a server started with --report-denials=off reports none (the write is refused all the same)", async () => {
  const r = await run(c4, { command: "echo x > .git/hooks/pre-commit" });
  assert.notEqual(r.structuredContent.exit_code, 0);
  assert.equal(fs.existsSync(path.join(w3.ws, ".git/hooks/pre-commit")), false);
  assert.deepEqual(r.structuredContent.denials, []);
  assert.doesNotMatch(text(r), /denied by the sandbox/);
});
await c4.client.close();

await test("server options are checked at start: a bad one, a command, --status-fd", async () => {
  for (const args of [["--bogus"], ["echo"], ["--status-fd", "1"], ["--max-output", "0"]]) {
    const r = new Raw(w, args);
    const { code } = await r.exited;
    assert.equal(code, 125, args.join(" "));
  }
});

await test("version negotiation: the client's revision if supported, else the newest", async () => {
  for (const [asked, want, structured] of [["2024-11-05", "2024-11-05", false], ["2025-03-26", "2025-03-26", false],
    ["2025-06-18", "2025-06-18", true], ["2025-11-25", "2025-11-25", true], ["2099-01-01", "2025-11-25", true]]) {
    const r = new Raw(w);
    const init = await r.init(asked);
    assert.equal(init.result.protocolVersion, want, asked);
    r.send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    const tl = await r.reply(2);
    assert.equal("outputSchema" in tl.result.tools[0], structured, asked);
    r.send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "run", arguments: { command: "echo x" } } });
    const call = await r.reply(3);
    assert.equal("structuredContent" in call.result, structured, asked);
    assert.match(call.result.content[0].text, /x/);
    r.p.stdin.end();
    assert.equal((await r.exited).code, 0);
  }
});

await test("malformed messages get JSON-RPC errors, and the server goes on", async () => {
  const r = new Raw(w);
  await r.init();
  const cases = [
    ["garbage", -32700, null],
    ['{"jsonrpc":"2.0","id":1,"method":"ping"', -32700, null],
    ["\xff\xfe{}", -32700, null],
    ["[]", -32600, null],
    ['[{"jsonrpc":"2.0","id":1,"method":"ping"}]', -32600, null],
    ['"just a string"', -32600, null],
    ['{"jsonrpc":"1.0","id":5,"method":"ping"}', -32600, 5],
    ['{"jsonrpc":"2.0","id":6,"method":7}', -32600, 6],
    ['{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', -32600, null],
    ['{"jsonrpc":"2.0","id":8,"id":9,"method":"ping"}', -32700, null],
    ['{"jsonrpc":"2.0","id":10,"method":"no/such"}', -32601, 10],
    ['{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"nope"}}', -32602, 11],
    ['{"jsonrpc":"2.0","id":12,"method":"tools/call","params":[1]}', -32602, 12],
  ];
  for (const [line, code, id] of cases) {
    r.msgs.length = 0;
    r.send(line);
    await waitFor(() => r.msgs.length > 0, 10000, `an answer to ${line}`);
    const m = r.msgs.shift();
    assert.equal(m.error?.code, code, line);
    assert.equal(m.id, id, line);
  }
  r.send({ jsonrpc: "2.0", id: "after", method: "ping" });
  assert.deepEqual((await r.reply("after")).result, {});
  r.kill();
});

await test("an oversized message (5 MiB) is refused unread; a 3 MiB one is read; the server goes on", async () => {
  const r = new Raw(w);
  await r.init();
  r.send(JSON.stringify({ jsonrpc: "2.0", id: "big", method: "ping", params: { pad: "a".repeat(5 << 20) } }));
  await waitFor(() => r.msgs.length > 0, 20000, "an answer to the oversized message");
  const m = r.msgs.shift();
  assert.equal(m.error?.code, -32600);
  assert.equal(m.id, null);
  assert.match(m.error.message, /longer than 4194304 bytes/);
  r.send(JSON.stringify({ jsonrpc: "2.0", id: "mid", method: "ping", params: { pad: "a".repeat(3 << 20) } }));
  assert.deepEqual((await r.reply("mid")).result, {});
  r.send({ jsonrpc: "2.0", id: "after", method: "ping" });
  assert.deepEqual((await r.reply("after")).result, {});
  r.kill();
});

for (const [how, end] of [["the client closes stdin", (r) => r.p.stdin.end()],
  ["the server is killed with SIGKILL", (r) => r.kill()], ["the server gets SIGTERM", (r) => r.p.kill("SIGTERM")]]) {
  await test(`${how} while a call runs: nothing is left running`, async () => {
    const r = new Raw(w);
    await r.init();
    const m = marker();
    r.send({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "run", arguments: { command: `sleep ${m}` } } });
    await waitFor(() => alive(m), 10000, "the command to start");
    end(r);
    await r.exited;
    await waitFor(() => !alive(m), 10000, "the sandbox to be gone");
  });
}

console.log(`1..${n}`);
console.log(`mcp: ${passed} passed, ${failed} failed, 0 skipped`);
process.exit(failed ? 1 : 0);
