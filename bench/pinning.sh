#!/usr/bin/env bash
# The cost of pinning (src/plan/protect.c): every directory between a
# writable root's top and a protected object becomes a mount point, and every
# protected object and pin is looked up by descriptor with its identity
# checked when it is mounted. `corral run --backend userns -W WS -- true` for workspaces with
# 0, 1 and BENCH_PIN_REPOS (default 20) nested repositories one level down
# (one pin each), and one whose nested .git file names a gitdir in
# modules/ (two pins).
#
#   bench/pinning.sh path/to/corral [path/to/baseline-corral]
#
# With a baseline (a build without pinning, e.g. of the commit before it;
# also BENCH_BASELINE), both run in the same alternating rounds and the table
# gives before, after and their ratio, of the median wall time and of the
# median CPU time (the process tree's; less sensitive to a loaded machine).
# Prints a Markdown table.
set -euo pipefail
die() { printf 'bench/pinning: %s\n' "$*" >&2; exit 2; }
say() { printf 'bench/pinning: %s\n' "$*" >&2; }

[ $# -ge 1 ] && [ -x "$1" ] || die "usage: $0 path/to/corral [path/to/baseline-corral]"
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
corral=$(abs "$1")
base=${2:-${BENCH_BASELINE:-}}
[ -z "$base" ] || { [ -x "$base" ] || die "baseline $base is not executable"; base=$(abs "$base"); }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repos=${BENCH_PIN_REPOS:-20}
runs=${BENCH_PIN_RUNS:-100}
[[ $repos =~ ^[1-9][0-9]*$ && $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_PIN_REPOS and BENCH_PIN_RUNS must be positive integers"
command -v git > /dev/null || die "git is needed to make the workspaces"

root=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/corral-bench-pinning.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$root"' EXIT
trap 'exit 130' INT
export XDG_CACHE_HOME=$root/cache XDG_CONFIG_HOME=$root/config
for w in none one many gitdir; do
	mkdir -p "$root/$w/src"
	git init -q "$root/$w"
done
git init -q "$root/one/sub"
for ((i = 0; i < repos; i++)); do git init -q "$root/many/sub$i"; done
mkdir "$root/gitdir/sub" "$root/gitdir/modules"
git init -q --separate-git-dir "$root/gitdir/modules/sub" "$root/gitdir/sub"

timeit=$root/bench-timeit
cc -O2 -o "$timeit" "$here/timeit.c" || die "cannot compile $here/timeit.c"
cmds=(bare true)
for w in none one many gitdir; do
	"$corral" run --backend userns -W "$root/$w" -- true || die "corral does not run in $root/$w"
	cmds+=(:: "after-$w" "$corral" run --backend userns -W "$root/$w" -- true)
	if [ -n "$base" ]; then
		"$base" run --backend userns -W "$root/$w" -- true || die "the baseline does not run in $root/$w"
		cmds+=(:: "before-$w" "$base" run --backend userns -W "$root/$w" -- true)
	fi
done
say "$runs alternating rounds"
"$timeit" -n "$runs" -w 5 -- "${cmds[@]}" > "$root/t.tsv" || die "a command failed during the measurement"
pins() { "$corral" explain -W "$root/$1" | grep -c '# pinned' || true; }

echo "Pinning: \`corral run --backend userns -W WS -- true\`, median of $runs alternating rounds${base:+ (before: $base)}."
echo
echo "| workspace | pins | after ms | overhead vs no nested repository | before ms | after / before | CPU after / before |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for w in none one many gitdir; do
	case $w in
	none) label="top-level .git only" ;;
	one) label="1 nested repository" ;;
	many) label="$repos nested repositories" ;;
	gitdir) label="a nested .git file, gitdir in modules/" ;;
	esac
	awk -F'\t' -v w="$w" -v label="$label" -v n="$(pins "$w")" -v hb="${base:+1}" '
		{ med[$1] = $3; cpu[$1] = $8 }
		END {
			a = med["after-" w]; over = a - med["after-none"]
			b = hb ? sprintf("%.2f", med["before-" w]) : "n/a"
			ratio = hb ? sprintf("**%.2f**", a / med["before-" w]) : "n/a"
			cratio = hb && cpu["before-" w] > 0 ? sprintf("%.2f", cpu["after-" w] / cpu["before-" w]) : "n/a"
			printf "| %s | %d | %.2f | %+.2f ms | %s | %s | %s |\n", label, n, a, over, b, ratio, cratio
		}' "$root/t.tsv"
done
