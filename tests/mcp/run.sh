#!/usr/bin/env bash
# `corral mcp` against a real MCP client: the official TypeScript SDK
# (@modelcontextprotocol/sdk, the version pinned in package.json), installed
# with npm from the registry this machine is configured for into
# BUILD_DIR/tests/mcp-sdk (never into the source tree), then driven by
# client.mjs.
#
#   tests/mcp/run.sh BUILD_DIR
#
# Skips, with the reason, when node or npm is missing or the package cannot be
# installed. Last line: "mcp: N passed, N failed, N skipped".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-build}" 2>/dev/null && pwd) || {
        echo "mcp: no build directory ${1:-build}" >&2
        echo "mcp: 0 passed, 1 failed, 0 skipped"
        exit 1
}
skip() {
        echo "mcp: skipped: $1"
        echo "mcp: 0 passed, 0 failed, 1 skipped"
        exit 0
}
command -v node >/dev/null || skip "node is not installed (Debian: apt-get install nodejs)"
command -v npm >/dev/null || skip "npm is not installed (Debian: apt-get install npm)"
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$major" -ge 18 ] || skip "node $(node --version) is older than 18, which the SDK needs"
if [ ! -x "$BUILD/corral" ]; then
        echo "mcp: $BUILD/corral is missing; build first (make)" >&2
        echo "mcp: 0 passed, 1 failed, 0 skipped"
        exit 1
fi

sdk=$BUILD/tests/mcp-sdk
want=$(node -p 'require(process.argv[1]).dependencies["@modelcontextprotocol/sdk"]' "$HERE/package.json")
have=$(node -p 'require(process.argv[1]).version' "$sdk/node_modules/@modelcontextprotocol/sdk/package.json" 2>/dev/null || true)
if [ "$have" != "$want" ]; then
        mkdir -p "$sdk"
        cp "$HERE/package.json" "$sdk/package.json"
        echo "# installing @modelcontextprotocol/sdk@$want into $sdk"
        if ! (cd "$sdk" && timeout 600 npm install --no-audit --no-fund --ignore-scripts --no-package-lock \
                --loglevel=error >"$sdk/npm.log" 2>&1); then
                tail -n 5 "$sdk/npm.log" | sed 's/^/# npm: /'
                skip "npm could not install @modelcontextprotocol/sdk@$want (is the registry reachable?)"
        fi
fi
cp "$HERE/client.mjs" "$sdk/client.mjs"
# The sandboxes' workspaces, config and caches: a directory of our own.
# Not under /tmp: the sandboxes see a /tmp of their own.
root=$(mktemp -d /var/tmp/corral-mcp.XXXXXX)
trap 'chmod -R u+rwX "$root" 2>/dev/null; rm -rf "$root"' EXIT
CORRAL="$BUILD/corral" MCP_TEST_ROOT="$root" node "$sdk/client.mjs"
