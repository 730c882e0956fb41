#!/usr/bin/env bash
# corral mcp: what a tool call costs over `corral run` itself.
#
#   bench/mcp.sh path/to/corral [ROUNDS]
#
# In a temporary workspace (under $BENCH_TMPDIR, default /var/tmp) with an
# empty config: ROUNDS (default 100) alternating rounds of `corral run -- true`
# started directly and one tools/call of `run` with argv ["true"] on a server
# that stays up (the time from writing the request to reading the response),
# plus the server's start-up (spawn to the initialize response, which
# includes its `corral explain` of the policy), 10 times. Prints a markdown
# table on stdout.
set -eu
corral=$(realpath "${1:?usage: bench/mcp.sh path/to/corral [ROUNDS]}")
rounds=${2:-100}
tmp=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/corral-bench-mcp.XXXXXX")
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ws/.git" "$tmp/config" "$tmp/cache"
cd "$tmp/ws"
XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache python3 - "$corral" "$rounds" <<'PY'
import json, statistics, subprocess, sys, time
corral, rounds = sys.argv[1], int(sys.argv[2])

def server():
    p = subprocess.Popen([corral, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    return p

def call(p, i, method, params):
    p.stdin.write((json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}) + "\n").encode())
    line = p.stdout.readline()
    m = json.loads(line)
    assert m.get("id") == i and "result" in m, m
    return m["result"]

init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}
starts = []
for i in range(10):
    t0 = time.perf_counter()
    p = server()
    call(p, 0, "initialize", init)
    starts.append((time.perf_counter() - t0) * 1000)
    p.stdin.close(); p.wait()

p = server()
call(p, 0, "initialize", init)
direct, mcp = [], []
for i in range(5 + rounds):
    order = [0, 1] if i % 2 else [1, 0]
    for which in order:
        t0 = time.perf_counter()
        if which == 0:
            r = subprocess.run([corral, "run", "--", "true"])
            assert r.returncode == 0
        else:
            res = call(p, i + 1, "tools/call", {"name": "run", "arguments": {"argv": ["true"]}})
            assert res["structuredContent"]["exit_code"] == 0, res
        ms = (time.perf_counter() - t0) * 1000
        if i >= 5:
            (direct if which == 0 else mcp).append(ms)
p.stdin.close(); p.wait()

def row(name, xs, base=None):
    xs = sorted(xs)
    q = statistics.quantiles(xs, n=10)
    med = statistics.median(xs)
    extra = f"+{med - base:.2f} ms ({med / base:.2f}x)" if base else ""
    print(f"| {name} | {med:.2f} | {q[0]:.2f} | {q[-1]:.2f} | {extra} |")
print(f"corral mcp, {rounds} alternating rounds:\n")
print("| what | median ms | p10 ms | p90 ms | vs `corral run` |")
print("|---|---:|---:|---:|---:|")
base = statistics.median(direct)
row("`corral run -- true`, started directly", direct)
row("tools/call `run` `[\"true\"]` on a running `corral mcp`", mcp, base)
row("`corral mcp` start-up: spawn to the initialize response", starts)
PY
