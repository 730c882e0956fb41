#!/usr/bin/env bash
# Many sandboxes at once (issue 13): BENCH_CONC_JOBS (64) `corral run`s of one
# workspace started together, and the throughput of BENCH_CONC_COMMANDS (1,000)
# commands that each burn BENCH_CONC_WORK_MS (50) ms of CPU, run
# BENCH_CONC_JOBS at a time, inside corral against the same commands bare.
#
#   bench/concurrency.sh path/to/corral
#
# 1. Burst: the jobs start at once; every one of them tries to write into
#    .git, to create .codex and .corral.toml (missing, so held by
#    placeholders) and then writes its own file in the workspace. Passes
#    when every run exits 0, every attack was refused, every file arrived,
#    and afterwards no placeholder is left in the workspace and the
#    placeholder journal is empty.
# 2. Throughput: rounds alternate bare / corral (BENCH_CONC_ROUNDS, 2 each);
#    the figure is the median wall time of each, and their ratio (target:
#    corral within 10% of bare).
# Prints a Markdown table on stdout; progress on stderr. Exit 1 if the burst
# fails (a run failed, an attack got through or state was left behind).
set -euo pipefail
die() { printf 'bench/concurrency: %s\n' "$*" >&2; exit 2; }
say() { printf 'bench/concurrency: %s\n' "$*" >&2; }

[ $# -eq 1 ] && [ -x "$1" ] || die "usage: $0 path/to/corral"
corral_src=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jobs=${BENCH_CONC_JOBS:-64}
ncmd=${BENCH_CONC_COMMANDS:-1000}
work_ms=${BENCH_CONC_WORK_MS:-50}
rounds=${BENCH_CONC_ROUNDS:-2}
for v in jobs ncmd work_ms rounds; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
done

root=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/corral-bench-conc.XXXXXX") || die "cannot create a temporary directory"
cleanup() { chmod -R u+rwX "$root" 2>/dev/null || true; rm -rf "$root"; }
trap cleanup EXIT
trap 'exit 130' INT
export XDG_CACHE_HOME=$root/cache XDG_CONFIG_HOME=$root/config
ws=$root/ws
mkdir -p "$ws/.git/hooks" "$root/cache" "$root/config" "$root/bin" "$ws/out"
printf 'ref: refs/heads/main\n' >"$ws/.git/HEAD"
corral=$root/bin/corral
cp "$corral_src" "$corral"

# A command that burns work_ms of its own CPU time (not wall time: 64 at
# a time on 2 cores, each waits for the CPU as much as it uses it).
cat >"$root/burn.c" <<'EOF'
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
	long ms = argc > 1 ? atol(argv[1]) : 50;
	struct timespec t;
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 10000; i++)
			x += (unsigned long)i * 2654435761u;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	} while (t.tv_sec * 1000L + t.tv_nsec / 1000000L < ms);
	return 0;
}
EOF
${CC:-cc} -O2 -o "$root/bin/burn" "$root/burn.c" || die "cannot compile the CPU burner"
burn=$root/bin/burn
cd "$ws"

# --- 1. the burst -----------------------------------------------------------
say "burst: $jobs corral runs of one workspace at once"
cat >"$root/attack.sh" <<'EOF'
i=$1
bad=0
echo x > .git/hooks/pre-commit 2>/dev/null && bad=1
mkdir .codex 2>/dev/null && bad=1
echo x > .codex/config.toml 2>/dev/null && bad=1
echo x > .corral.toml 2>/dev/null && bad=1
echo "$bad" > "out/$i"
EOF
pids=()
for ((i = 0; i < jobs; i++)); do
	"$corral" run -- sh "$root/attack.sh" "$i" >"$root/burst.$i.log" 2>&1 &
	pids+=($!)
done
failed_runs=0 first_failed=
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || { failed_runs=$((failed_runs + 1)); first_failed=${first_failed:-$i}; }
done
escapes=0 missing=0
for ((i = 0; i < jobs; i++)); do
	if [ ! -f "out/$i" ]; then missing=$((missing + 1)); elif [ "$(cat "out/$i")" != 0 ]; then escapes=$((escapes + 1)); fi
done
left=()
for n in .codex .agents .corral .corral.toml; do [ -e "$ws/$n" ] && left+=("$n"); done
[ -e "$ws/.git/hooks/pre-commit" ] && left+=(".git/hooks/pre-commit")
# (the journals are per writable root, apply/host.h; with none, cat fails
# and pipefail must not end the script before the report)
journal_lines=$(cat "$root"/cache/corral/roots/*/placeholders 2>/dev/null | wc -l) || true
burst_ok=1
[ "$failed_runs" -eq 0 ] && [ "$escapes" -eq 0 ] && [ "$missing" -eq 0 ] && [ ${#left[@]} -eq 0 ] &&
	[ "$journal_lines" -eq 0 ] || burst_ok=0
if [ $failed_runs -ne 0 ]; then # what the first run that failed said
	say "run $first_failed (of $failed_runs that failed) said:"
	sed 's/^/  | /' "$root/burst.$first_failed.log" >&2
fi

# --- 2. throughput ----------------------------------------------------------
say "throughput: $ncmd commands of $work_ms ms CPU, $jobs at a time, $rounds rounds each, bare and in corral"
now_ms() { date +%s%3N; }
round() { # round bare|corral -> wall ms on stdout
	local t0 t1 rc=0
	t0=$(now_ms)
	if [ "$1" = bare ]; then
		seq "$ncmd" | xargs -P "$jobs" -n 1 sh -c 'exec "$0" "$1"' "$burn" "$work_ms" >/dev/null 2>&1 || rc=$?
	else
		seq "$ncmd" | xargs -P "$jobs" -n 1 sh -c 'exec "$0" run -- "$1" "$2"' "$corral" "$burn" "$work_ms" \
			>"$root/tp.log" 2>&1 || rc=$?
	fi
	t1=$(now_ms)
	[ $rc -eq 0 ] || { sed 's/^/  | /' "$root/tp.log" >&2 2>/dev/null; die "a $1 command failed during the throughput rounds"; }
	echo $((t1 - t0))
}
bare_t=() corral_t=()
for ((r = 0; r < rounds; r++)); do
	bare_t+=("$(round bare)")
	corral_t+=("$(round corral)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
mb=$(median "${bare_t[@]}")
mc=$(median "${corral_t[@]}")

# --- report -----------------------------------------------------------------
echo
printf 'Concurrency, %s, %s CPU(s), as %s.\n\n' "$(uname -sr)" "$(getconf _NPROCESSORS_ONLN)" "$(id -un)"
echo '| row | result |'
echo '|---|---|'
printf '| burst: %d runs of one workspace at once | %s: %d failed, %d attacks through, %d files missing, left behind: %s, journal lines: %d |\n' \
	"$jobs" "$([ $burst_ok = 1 ] && echo passed || echo FAILED)" "$failed_runs" "$escapes" "$missing" \
	"${left[*]:-nothing}" "$journal_lines"
printf '| throughput: %d commands x %d ms CPU, %d at a time, bare | %.2f s (rounds: %s ms) |\n' \
	"$ncmd" "$work_ms" "$jobs" "$(awk -v m="$mb" 'BEGIN {print m / 1000}')" "${bare_t[*]}"
printf '| the same in `corral run` | %.2f s (rounds: %s ms) |\n' "$(awk -v m="$mc" 'BEGIN {print m / 1000}')" "${corral_t[*]}"
awk -v b="$mb" -v c="$mc" 'BEGIN { r = c / b; printf "| corral / bare | **%.3f** (target <= 1.10): %s |\n", r, r <= 1.10 ? "met" : "NOT met" }'
[ $burst_ok = 1 ]
