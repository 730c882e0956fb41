#!/usr/bin/env bash
# The agent adapters (tools/adapters) against the build in BUILD_DIR:
#   tests/adapters/run.sh BUILD_DIR
# Last line: "adapters: N passed, N failed, N skipped".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-build}" 2>/dev/null && pwd) || {
        echo "adapters: 0 passed, 1 failed, 0 skipped"
        exit 1
}
for t in bats python3; do
        if ! command -v $t >/dev/null; then
                echo "adapters: $t is not installed" >&2
                echo "adapters: 0 passed, 1 failed, 0 skipped"
                exit 1
        fi
done
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
REPO=$(cd "$HERE/../.." && pwd) CORRAL=$BUILD/corral bats --tap "$HERE"/*.bats | tee "$tap"
planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap" | head -n1)
p=$(grep -E '^ok ' "$tap" | grep -vc '# skip')
s=$(grep -E '^ok ' "$tap" | grep -c '# skip')
f=$(grep -cE '^not ok ' "$tap")
[ -n "$planned" ] && [ $((p + s + f)) -lt "$planned" ] && f=$((f + planned - p - s - f))
[ -z "$planned" ] && f=$((f + 1))
echo "adapters: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
