#!/usr/bin/env bash
# The cost of the check after a --git commits run that wrote the gitdir in
# place (the users backend's mechanism; CORRAL_TEST_GIT_NO_OVERLAY=1 on
# userns): supervise/gitverify.h, which stats the loose objects, hashes
# those the run wrote and re-indexes the packs it wrote. A repository with
# one pack (BENCH_GITVERIFY_COMMITS commits, default 300) and
# BENCH_GITVERIFY_LOOSE loose objects (default 2000), copied afresh before
# every run, and two commands:
#
#   quiet   true: the run writes nothing
#   write   the run writes 1000 new loose objects (git hash-object -w)
#
# each run by path/to/corral and by BENCH_BASELINE (a corral built without
# the check), alternating, BENCH_GITVERIFY_RUNS rounds (default 30).
# Prints the medians of the teardown phase of --timing (where the check
# runs, with the host state's undoing) and of the whole run, and the ratios.
#
#   BENCH_BASELINE=old/corral bench/gitverify.sh path/to/corral
set -euo pipefail
die() { printf 'bench/gitverify: %s\n' "$*" >&2; exit 2; }
[ $# -eq 1 ] && [ -x "$1" ] || die "usage: BENCH_BASELINE=old/corral $0 path/to/corral"
new=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
base=${BENCH_BASELINE:-}
[ -n "$base" ] && [ -x "$base" ] || die "BENCH_BASELINE must name a corral built without the check"
base=$(cd "$(dirname "$base")" && pwd)/$(basename "$base")
runs=${BENCH_GITVERIFY_RUNS:-30}
loose=${BENCH_GITVERIFY_LOOSE:-2000}
commits=${BENCH_GITVERIFY_COMMITS:-300}
command -v git > /dev/null || { echo "bench/gitverify: git is not installed: skipped" >&2; exit 0; }

root=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/corral-bench-gitverify.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$root"' EXIT
trap 'exit 130' INT
export XDG_CACHE_HOME=$root/cache XDG_CONFIG_HOME=$root/config HOME=$root/home CORRAL_TEST_GIT_NO_OVERLAY=1
mkdir -p "$HOME" "$XDG_CONFIG_HOME"
g() { git -c user.email=b@example.invalid -c user.name=b "$@"; }

t=$root/template
g init -q "$t"
for i in $(seq 1 "$commits"); do echo "$i" > "$t/f$((i % 50))"; g -C "$t" add -A; g -C "$t" commit -q -m "c$i"; done
g -C "$t" gc -q
rm -f "$t/.git/objects/info/commit-graph"
mkdir -p "$t/blobs"
for i in $(seq 1 "$loose"); do echo "loose $i" > "$t/blobs/$i"; done
(cd "$t" && ls blobs/* | g hash-object -w --stdin-paths > /dev/null)
rm -rf "$t/blobs"

write='mkdir -p /tmp/w.$$ && n=$(date +%s%N) && for i in $(seq 1 1000); do echo "$n $i" > /tmp/w.$$/$i; done && ls /tmp/w.$$/* | git hash-object -w --stdin-paths > /dev/null'
one() { # one BIN CASE: prints "teardown_ms total_ms"
	rm -rf "$root/ws"
	cp -a "$t" "$root/ws"
	local cmd=true
	[ "$2" = write ] && cmd=$write
	"$1" run --timing --git commits --tmp private -W "$root/ws" -- sh -c "$cmd" 2>&1 > /dev/null |
		awk '/teardown/ { td = $2 } /total from main/ { tot = $2 } END { print td, tot }'
}
echo "bench/gitverify: $runs rounds, $loose loose objects and a pack of $commits commits" >&2
for ((r = 0; r < runs; r++)); do
	for c in quiet write; do
		echo "new $c $(one "$new" "$c")"
		echo "base $c $(one "$base" "$c")"
	done
done > "$root/t.txt"

med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "The check after a --git commits run with the gitdir written in place: a repository of $loose loose"
echo "objects and a pack of $commits commits; median of $runs alternating rounds (ms)."
echo
echo "| the run | teardown, before | teardown, after | after − before | whole run, before | whole run, after | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for c in quiet write; do
	tb=$(awk -v c="$c" '$1 == "base" && $2 == c { print $3 }' "$root/t.txt" | med)
	tn=$(awk -v c="$c" '$1 == "new" && $2 == c { print $3 }' "$root/t.txt" | med)
	wb=$(awk -v c="$c" '$1 == "base" && $2 == c { print $4 }' "$root/t.txt" | med)
	wn=$(awk -v c="$c" '$1 == "new" && $2 == c { print $4 }' "$root/t.txt" | med)
	awk -v c="$c" -v tb="$tb" -v tn="$tn" -v wb="$wb" -v wn="$wn" 'BEGIN {
		printf "| %s | %.2f | %.2f | %+.2f | %.1f | %.1f | %.3f |\n",
			c == "quiet" ? "writes nothing" : "writes 1000 loose objects", tb, tn, tn - tb, wb, wn, wn / wb }'
done
