#!/usr/bin/env bash
# The cost of protecting names below the top of the workspace (protect_depth,
# src/plan/nested.h) on a large tree: a JavaScript-style workspace of
# BENCH_NESTED_FILES files (default 200,000), most of them in node_modules,
# with a nested repository at each depth. `corral run --protect-depth N --
# true` for N = 0 (top level only) to 3, side by side with bwrap running the
# same command with the top-level protection only, in alternating rounds.
#
#   bench/nested.sh path/to/corral
#
# Prints a Markdown table: median ms, overhead over depth 0, overhead over
# bwrap's, directories within the depth (corral explain). Every round after
# the first finds the scan kept by the previous run of the same depth, so
# what is measured is the steady state: an lstat of each directory before
# and after the run.
set -euo pipefail
die() { printf 'bench/nested: %s\n' "$*" >&2; exit 2; }
say() { printf 'bench/nested: %s\n' "$*" >&2; }

[ $# -eq 1 ] && [ -x "$1" ] || die "usage: $0 path/to/corral"
corral=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
files=${BENCH_NESTED_FILES:-200000}
runs=${BENCH_NESTED_RUNS:-40}
[[ $files =~ ^[1-9][0-9]*$ && $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_NESTED_FILES and BENCH_NESTED_RUNS must be positive integers"

root=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/corral-bench-nested.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$root"' EXIT
trap 'exit 130' INT
export XDG_CACHE_HOME=$root/cache XDG_CONFIG_HOME=$root/config
ws=$root/ws

say "creating $files files in $ws"
python3 - "$ws" "$files" <<'EOF'
import os, sys
ws, total = sys.argv[1], int(sys.argv[2])
def mk(d, n, ext):
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        open(os.path.join(d, "f%d.%s" % (i, ext)), "w").close()
    return n
made = 0
made += mk(os.path.join(ws, ".git", "objects"), 10, "o")
for d in range(max(1, total // 10 // 40)):          # a tenth in src/, 40 files a directory
    made += mk(os.path.join(ws, "src", "m%d" % (d // 20), "d%d" % d), 40, "ts")
p = 0
while made < total:                                   # the rest in node_modules, 150 files a package
    name = ("@s%d/p%d" % (p % 40, p)) if p % 4 == 0 else "p%d" % p
    base = os.path.join(ws, "node_modules", name)
    made += mk(base, 3, "json") + mk(base + "/lib", 40, "js") + mk(base + "/lib/util", 20, "js")
    made += mk(base + "/dist", 60, "js") + mk(base + "/dist/esm", 27, "js")
    p += 1
for d in ("sub", "vendor/lib", "src/m1/d30"):          # a nested repository at depth 1, 2 and 3
    os.makedirs(os.path.join(ws, d, ".git", "hooks"), exist_ok=True)
EOF

timeit=$root/bench-timeit
cc -O2 -o "$timeit" "$here/timeit.c" || die "cannot compile $here/timeit.c"
cd "$ws"
dirs_read() { "$corral" explain --protect-depth "$1" | sed -n 's/.*(\([0-9]*\) directories, .*/\1/p'; }
cmds=(bare true)
for d in 0 1 2 3; do
	"$corral" run --protect-depth "$d" -- true || die "corral --protect-depth $d does not run here"
	cmds+=(:: "d$d" "$corral" run --protect-depth "$d" -- true)
done
have_bwrap=0
if bwrap=$(command -v bwrap) && "$bwrap" --ro-bind / / --bind "$ws" "$ws" --ro-bind "$ws/.git" "$ws/.git" \
	--dev /dev --proc /proc --tmpfs /tmp --unshare-all --die-with-parent true 2> /dev/null; then
	have_bwrap=1
	cmds+=(:: bwrap "$bwrap" --ro-bind / / --bind "$ws" "$ws" --ro-bind "$ws/.git" "$ws/.git"
		--dev /dev --proc /proc --tmpfs /tmp --unshare-all --new-session --die-with-parent true)
else
	say "bwrap is missing or cannot run here: its column is left out"
fi
say "$runs alternating rounds"
"$timeit" -n "$runs" -w 3 -- "${cmds[@]}" > "$root/t.tsv" || die "a command failed during the measurement"

echo "Protected names below the top level: \`corral run --protect-depth N -- true\` in a workspace of $files files"
echo "(node_modules, nested repositories at depths 1-3); median of $runs alternating rounds."
echo
echo "| protect_depth | directories within the depth | median ms | overhead vs depth 0 | overhead / bwrap overhead |"
echo "|---|---:|---:|---:|---:|"
for d in 0 1 2 3; do
	awk -F'\t' -v d="$d" -v n="$(dirs_read "$d")" -v hb="$have_bwrap" '
		{ med[$1] = $3 }
		END {
			k = "d" d; over0 = med[k] - med["d0"]
			ratio = hb ? sprintf("%.2f", (med[k] - med["bare"]) / (med["bwrap"] - med["bare"])) : "n/a"
			printf "| %d%s | %s | %.2f | %+.2f ms | %s |\n", d, d == 1 ? " (default)" : "", n == "" ? "0" : n,
				med[k], over0, ratio
		}' "$root/t.tsv"
done
