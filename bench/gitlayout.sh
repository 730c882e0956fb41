#!/usr/bin/env bash
# The start-up cost of reading git's layout (src/plan/gitlayout.h): the
# gitdir and commondir files, config and included files, core.hooksPath,
# linked worktrees and submodules, for every repository corral protects,
# and protecting what they name. `corral run -- true` in four workspaces
# of the same shape, in alternating rounds:
#
#   no-git     no repository at all (nothing to read)
#   repo       one repository: core.hooksPath = .husky (existing), an
#              include.path file in the workspace, a linked worktree
#   repo+10    the same with 10 nested repositories one level down, each
#              with its own hooksPath and include
#   repo+10 commits   the same with --git commits (issue 9): each gitdir
#              sorted entry by entry instead of one read-only mount
#   BENCH_BASELINE   the first three again with another corral binary (e.g.
#              one built before git layout reading), when set
#
#   bench/gitlayout.sh path/to/corral
#
# Prints a Markdown table: median ms, overhead over no-git, median CPU ms
# and, with a baseline, the difference of the two binaries' overheads (each
# over its own no-git row), wall and CPU: the before/after of issue 16's
# git layout reading and what it protects (pins included).
set -euo pipefail
die() { printf 'bench/gitlayout: %s\n' "$*" >&2; exit 2; }
say() { printf 'bench/gitlayout: %s\n' "$*" >&2; }

[ $# -eq 1 ] && [ -x "$1" ] || die "usage: $0 path/to/corral"
corral=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runs=${BENCH_GITLAYOUT_RUNS:-100}
baseline=${BENCH_BASELINE:-}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_GITLAYOUT_RUNS must be a positive integer"
[ -z "$baseline" ] || [ -x "$baseline" ] || die "BENCH_BASELINE=$baseline is not executable"
command -v git > /dev/null || { say "git is not installed: skipped"; exit 0; }

root=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/corral-bench-gitlayout.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$root"' EXIT
trap 'exit 130' INT
export XDG_CACHE_HOME=$root/cache XDG_CONFIG_HOME=$root/config HOME=$root/home
mkdir -p "$HOME" "$XDG_CONFIG_HOME"
g() { git -c user.email=b@example.invalid -c user.name=b "$@"; }

layout() { # layout DIR: a repository with husky hooks, an include and a worktree
	g init -q "$1"
	g -C "$1" commit -q --allow-empty -m init
	mkdir -p "$1/.husky"
	printf 'npx lint-staged\n' > "$1/.husky/pre-commit"
	g -C "$1" config core.hooksPath .husky
	printf '[user]\n\tname = b\n' > "$1/shared.gitconfig"
	g -C "$1" config include.path ../shared.gitconfig
}
mkdir -p "$root/no-git/src"
layout "$root/repo"
g -C "$root/repo" worktree add -q "$root/repo-wt" 2> /dev/null
layout "$root/repo10"
for i in $(seq 1 10); do layout "$root/repo10/pkg$i"; done

timeit=$root/bench-timeit
cc -O2 -o "$timeit" "$here/timeit.c" || die "cannot compile $here/timeit.c"
cmds=(bare true)
for w in no-git repo repo10; do
	(cd "$root/$w" && "$corral" run -- true) || die "corral does not run in $w here"
	cmds+=(:: "$w" "$corral" run -W "$root/$w" -- true)
done
(cd "$root/repo10" && "$corral" run --git commits -- true) || die "corral --git commits does not run here"
cmds+=(:: repo10-commits "$corral" run --git commits -W "$root/repo10" -- true)
# the gitdirs written in place (the users backend's mechanism; the test switch on userns): the
# overlays' own cost is the difference to the row above
cmds+=(:: repo10-inplace env CORRAL_TEST_GIT_NO_OVERLAY=1 "$corral" run --git commits -W "$root/repo10" -- true)
if [ -n "$baseline" ]; then
	(cd "$root/repo10" && "$baseline" run -- true) || die "the baseline does not run here"
	for w in no-git repo repo10; do cmds+=(:: "base-$w" "$baseline" run -W "$root/$w" -- true); done
fi
say "$runs alternating rounds"
"$timeit" -n "$runs" -w 3 -- "${cmds[@]}" > "$root/t.tsv" || die "a command failed during the measurement"

files() { "$corral" explain -W "$root/$1" -- true | sed -n "s/.*git's layout: \([0-9]*\) files read.*/\1/p"; }
echo "Git layout reading: \`corral run -- true\` in a workspace without a repository, with one, and with one"
echo "holding 10 nested repositories (each with core.hooksPath and an include); median of $runs alternating rounds."
echo
if [ -z "$baseline" ]; then
	echo "| workspace | files read | median ms | overhead vs no-git | CPU ms |"
	echo "|---|---:|---:|---:|---:|"
else
	echo "| workspace | files read | median ms | overhead vs no-git | CPU ms | before: median ms | after − before (wall) | after − before (CPU) |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
fi
for w in no-git repo repo10 repo10-commits repo10-inplace; do
	awk -F'\t' -v w="$w" -v n="$(w=${w%-commits}; files "${w%-inplace}")" -v hb="${baseline:+1}" '
		{ med[$1] = $3; cpu[$1] = $8 }
		END {
			printf "| %s | %s | %.2f | %+.2f ms | %.2f |",
				w == "repo10" ? "repo + 10 nested" : w == "repo10-commits" ? "repo + 10 nested, --git commits" : w == "repo10-inplace" ? "repo + 10 nested, --git commits, gitdirs written in place" : w,
				n == "" ? "0" : n, med[w], med[w] - med["no-git"], cpu[w]
			if (hb && ("base-" w) in med) # each binary against its own no-git row, so the shared costs cancel
				printf " %.2f | %+.2f ms | %+.2f ms |", med["base-" w],
					(med[w] - med["no-git"]) - (med["base-" w] - med["base-no-git"]),
					(cpu[w] - cpu["no-git"]) - (cpu["base-" w] - cpu["base-no-git"])
			else if (hb)
				printf " | | |"
			printf "\n"
		}' "$root/t.tsv"
done
awk -F'\t' '{ med[$1] = $3 } END {
	ro = med["repo10"] - med["no-git"]; co = med["repo10-commits"] - med["no-git"]
	if (ro > 0) printf "\n--git commits costs %.2fx the overhead of read-only for a repository with 10 nested ones (%+.2f ms a repository).\n", co / ro, (med["repo10-commits"] - med["repo10"]) / 11
	if ("repo10-inplace" in med) printf "The gitdirs as overlays (userns) cost %+.2f ms a repository over writing them in place.\n", (med["repo10-commits"] - med["repo10-inplace"]) / 11 }' "$root/t.tsv"
