#!/usr/bin/env bash
# Runs every test suite against the build in $1 and ends with one line:
# "N passed, N failed, N skipped". Exit status 0 only if nothing failed.
set -u
build=${1:-build}
build=$(cd "$build" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0 skipped=0

add() { # "suite: N passed, N failed[, N skipped]" -> totals
        local line=$1 p f s
        if ! grep -q ' passed' <<<"$line"; then # a suite that died before its summary
                echo "run-all: a suite ended without a summary line: ${line:-(nothing)}"
                failed=$((failed + 1))
                return
        fi
        p=$(sed -n 's/.* \([0-9]\+\) passed.*/\1/p' <<<"$line")
        f=$(sed -n 's/.* \([0-9]\+\) failed.*/\1/p' <<<"$line")
        s=$(sed -n 's/.* \([0-9]\+\) skipped.*/\1/p' <<<"$line")
        passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${s:-0}))
}

echo "== unit tests (cmocka)"
for t in "$build"/tests/unit/test_*; do
        [ -x "$t" ] && [ -f "$t" ] || continue
        out=$("$t" 2>&1)
        rc=$?
        ok=$(grep -c '^\[       OK \]' <<<"$out")
        bad=$(grep -c '^\[  FAILED  \] [a-z_]' <<<"$out")
        if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi # crashed
        [ "$bad" -gt 0 ] && printf '%s\n' "$out" | grep -E 'FAILED|ERROR|Failure|error' | head -20
        echo "$(basename "$t"): $ok passed, $bad failed"
        add "unit: $ok passed, $bad failed"
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
suite() { # suite TITLE CMD...: show its output, count its summary line
        echo "== $1"
        shift
        "$@" 2>&1 | tee "$log"
        add "$(tail -n 1 "$log")"
}

suite "TOML conformance (toml-test 1.0.0)" python3 "$top/tests/toml/run-toml-test.py" "$build/tests/toml/toml-test-decoder"
# The unit tests again, built with ASan+UBSan in their own build directory.
suite "unit tests under ASan+UBSan" "$top/tests/sanitize/run.sh" "$build-asan"
suite "manual pages and completions (tests/docs)" "$top/tests/docs/run.sh" "$build"
suite "system tests (bats, the real binary)" "$top/tests/system/run.sh" "$build"
# corral mcp against the official MCP SDK client (npm; skipped, with the reason, without node or the registry).
suite "MCP server (tests/mcp: the official TypeScript SDK client)" "$top/tests/mcp/run.sh" "$build"
suite "agent adapters (tests/adapters: the Claude Code hook)" "$top/tests/adapters/run.sh" "$build"

suite "elevated tests (users backend: corral-setup, corral-runner; as root)" "$top/tests/elevated/run.sh" "$build"

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
