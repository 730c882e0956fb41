#!/usr/bin/env bash
# corral benchmark: start-up overhead against bare and bubblewrap, a real build
# workload inside corral against bare, and peak memory.  See bench/README.md.
#
#   bench/bench.sh path/to/corral
#
# Environment:
#   BENCH_RUNS            repetitions of each start-up row      (default 200)
#   BENCH_WORKLOAD_RUNS   repetitions of each workload row      (default 5)
#   BENCH_WORKLOAD_FILES  generated C files in the workload     (default 300)
#   BENCH_JOBS            make -j for the workload              (default 2)
#   BENCH_TMPDIR          where the temporary tree goes         (default /var/tmp)
#   BENCH_STRICT=1        exit 1 when a target is not met
#   BWRAP                 the bubblewrap binary                 (default: bwrap from PATH)
#   BENCH_AGENTS=0        leave out the agents' own sandboxes (codex sandbox, srt)
#   BENCH_AGENTS_DIR      where npm installs them    (default ~/.cache/corral-bench/agents)
#   BENCH_AGENTS_EVERY    they run every K-th round  (default 10: they are slow)
#   CC                    compiler for the harness and the workload (default cc)
#   BENCH_RAW_OUT         copy the workload's per-round figures (label, round,
#                         wall ms, CPU ms, RSS KiB) to this file
#
# Progress goes to stderr; stdout is a markdown report that can be pasted into
# the README.
set -euo pipefail

die() { printf 'bench: %s\n' "$*" >&2; exit 2; }
say() { printf 'bench: %s\n' "$*" >&2; }

[ $# -eq 1 ] || die "usage: $0 path/to/corral"
[ -x "$1" ] || die "$1: not an executable corral binary (run make first)"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
corral_src=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
BUILD=$(dirname "$corral_src")

runs=${BENCH_RUNS:-200}
wruns=${BENCH_WORKLOAD_RUNS:-5}
nfiles=${BENCH_WORKLOAD_FILES:-300}
jobs=${BENCH_JOBS:-2}
cc=${CC:-cc}
for v in runs wruns nfiles jobs; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
done

agents_dir=${BENCH_AGENTS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/corral-bench/agents}
agents_every=${BENCH_AGENTS_EVERY:-10}
[[ $agents_every =~ ^[1-9][0-9]*$ ]] || die "BENCH_AGENTS_EVERY must be a positive integer"
[ "$agents_every" -le "$runs" ] || agents_every=$runs

# The temporary tree must not live under /tmp: both sandboxes put their own
# /tmp over the host's, which would hide a workspace there.
root=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/corral-bench.XXXXXX") \
	|| die "cannot create a temporary directory in ${BENCH_TMPDIR:-/var/tmp}"
cleanup() {
	chmod -R u+rwX "$root" 2>/dev/null || true
	rm -rf "$root"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ws=$root/ws
mkdir -p "$ws/.git" "$ws/src" "$root/cache" "$root/config" "$root/bin"
printf 'ref: refs/heads/main\n' >"$ws/.git/HEAD"
# A fresh cache (corral keeps per-workspace /tmp there) and no user config, so
# the run measures the built-in default policy.
export XDG_CACHE_HOME=$root/cache
export XDG_CONFIG_HOME=$root/config

# The harness.  It goes next to the corral binary (build/bench-timeit), or into
# the temporary tree when that directory is not ours to write (ordinary user).
timeit=$BUILD/bench-timeit
if ! { [ -w "$BUILD" ] && "$cc" -O2 -o "$timeit" "$here/timeit.c" 2>"$root/cc.err"; }; then
	timeit=$root/bin/bench-timeit
	"$cc" -O2 -o "$timeit" "$here/timeit.c" 2>"$root/cc.err" \
		|| { cat "$root/cc.err" >&2; die "cannot compile $here/timeit.c with $cc"; }
fi

# Benchmark a private copy of corral, so that a rebuild of the build tree
# during the run (ETXTBSY, a half-written binary) cannot disturb it.
corral=$root/bin/corral
cp "$corral_src" "$corral"

cd "$ws"

# --- sanity: every command must work once, with its errors visible ---------
check() {
	local what=$1; shift
	if ! "$@" >"$root/check.out" 2>&1 </dev/null; then
		say "$what failed: $*"
		sed 's/^/  | /' "$root/check.out" >&2
		return 1
	fi
}
check "corral (network off)" "$corral" run -- true || die "corral cannot run here; see 'corral doctor'"
check "corral (network on)" "$corral" run -n on -- true || die "corral -n on cannot run here"

bwrap_common=(--ro-bind / / --bind "$ws" "$ws" --ro-bind "$ws/.git" "$ws/.git"
	--dev /dev --proc /proc --tmpfs /tmp)
bwrap_off=(--unshare-all --new-session --die-with-parent)
bwrap_on=(--unshare-all --share-net --new-session --die-with-parent)
have_bwrap=0
bwrap_note=
if ! bwrap=$(command -v "${BWRAP:-bwrap}"); then
	bwrap_note="bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap); its rows are left out"
elif ! check "bwrap (network off)" "$bwrap" "${bwrap_common[@]}" "${bwrap_off[@]}" true \
	|| ! check "bwrap (network on)" "$bwrap" "${bwrap_common[@]}" "${bwrap_on[@]}" true; then
	bwrap_note="bwrap is installed but cannot create its sandbox here (unprivileged user namespaces blocked?); its rows are left out"
else
	have_bwrap=1
fi
[ -z "$bwrap_note" ] || say "$bwrap_note"

# --- the agents' own sandboxes, from the npm registry ------------------------
# Codex CLI's `codex sandbox` and Anthropic's sandbox-runtime (`srt`), each
# configured as its project documents for a coding agent: the workspace
# writable, the network off (bench/README.md).  Pinned versions, installed
# once into $agents_dir with the machine's npm and its configured registry.
CODEX_VERSION=0.171.0
SRT_VERSION=0.0.83
agents=()
agents_note=
if [ "${BENCH_AGENTS:-1}" = 0 ]; then
	agents_note="the agents' sandboxes were left out (BENCH_AGENTS=0)"
elif ! command -v npm >/dev/null; then
	agents_note="npm is not installed, so codex sandbox and srt cannot be installed; their rows are left out"
else
	if [ ! -x "$agents_dir/node_modules/.bin/codex" ] || [ ! -x "$agents_dir/node_modules/.bin/srt" ] ||
		! grep -q "\"version\": \"$CODEX_VERSION\"" "$agents_dir/node_modules/@openai/codex/package.json" 2>/dev/null ||
		! grep -q "\"version\": \"$SRT_VERSION\"" "$agents_dir/node_modules/@anthropic-ai/sandbox-runtime/package.json" 2>/dev/null; then
		say "installing @openai/codex@$CODEX_VERSION and @anthropic-ai/sandbox-runtime@$SRT_VERSION into $agents_dir"
		mkdir -p "$agents_dir"
		npm install --prefix "$agents_dir" --no-audit --no-fund --loglevel=error \
			"@openai/codex@$CODEX_VERSION" "@anthropic-ai/sandbox-runtime@$SRT_VERSION" >"$root/npm.log" 2>&1 ||
			sed 's/^/  | /' "$root/npm.log" >&2
	fi
	codex=$agents_dir/node_modules/.bin/codex
	srt=$agents_dir/node_modules/.bin/srt
	export CODEX_HOME=$root/codex-home
	mkdir -p "$CODEX_HOME"
	codex_cmd=("$codex" sandbox -c 'sandbox_mode="workspace-write"' -- true)
	printf '{"filesystem":{"denyRead":[],"allowWrite":["%s"],"denyWrite":[]},"network":{"allowedDomains":[],"deniedDomains":[]}}\n' \
		"$ws" >"$root/srt-settings.json"
	srt_cmd=("$srt" --settings "$root/srt-settings.json" -- true)
	if [ -x "$codex" ] && check "codex sandbox" "${codex_cmd[@]}"; then
		agents+=(:: "codex/$agents_every" "${codex_cmd[@]}")
	else
		agents_note="codex sandbox could not be installed or run here; its row is left out"
	fi
	if [ -x "$srt" ] && check "srt" "${srt_cmd[@]}"; then
		agents+=(:: "srt/$agents_every" "${srt_cmd[@]}")
	else
		agents_note="${agents_note:+$agents_note; }srt could not be installed or run here (it needs bubblewrap, socat and ripgrep); its row is left out"
	fi
fi
[ -z "$agents_note" ] || say "$agents_note"

# --- the workload: a few hundred generated C files built with make ---------
gen_unit() {
	local i=$1
	cat <<EOF
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec$i { char name[32]; int key; double weight; };

static int cmp$i(const void *a, const void *b)
{
	const struct rec$i *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->name, y->name);
}

static unsigned hash$i(const char *s)
{
	unsigned h = 2166136261u + $i;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

int unit$i(int n)
{
	struct rec$i *v = calloc((size_t)n, sizeof *v);
	if (!v)
		return -1;
	for (int k = 0; k < n; k++) {
		snprintf(v[k].name, sizeof v[k].name, "r%d-%d", $i, k);
		v[k].key = (int)(hash$i(v[k].name) % 1000u);
		v[k].weight = v[k].key * 0.5 + k;
	}
	qsort(v, (size_t)n, sizeof *v, cmp$i);
	double sum = 0;
	for (int k = 0; k < n; k++)
		sum += v[k].weight / (k + 1);
	int r = v[0].key + (int)sum % 7;
	free(v);
	return r;
}
EOF
}
say "generating the workload ($nfiles C files)"
for ((i = 0; i < nfiles; i++)); do
	gen_unit "$i" >"$ws/src/u$i.c"
done
{
	for ((i = 0; i < nfiles; i++)); do printf 'int unit%d(int);\n' "$i"; done
	printf 'int main(void)\n{\n\tlong t = 0;\n'
	for ((i = 0; i < nfiles; i++)); do printf '\tt += unit%d(16);\n' "$i"; done
	printf '\treturn t < 0;\n}\n'
} >"$ws/src/main.c"
cat >"$ws/Makefile" <<EOF
CC = $cc
CFLAGS = -O2 -Wall
SRCS := \$(wildcard src/*.c)
OBJS := \$(SRCS:src/%.c=obj/%.o)
prog: \$(OBJS)
	\$(CC) -o \$@ \$(OBJS)
obj/%.o: src/%.c | obj
	\$(CC) \$(CFLAGS) -c -o \$@ \$<
obj:
	mkdir -p obj
EOF
build_cmd=(sh -c "rm -rf obj prog && exec make -s -j$jobs")
check "the workload (bare)" "${build_cmd[@]}" || die "the generated workload does not build"
check "the workload (in corral)" "$corral" run -- "${build_cmd[@]}" \
	|| die "the generated workload does not build inside corral"

# --- measure ---------------------------------------------------------------
load_before=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')
# limits on: rlimits (or a cgroup where one is delegated); --limit-pids is
# refused for uid 0 without a cgroup (the kernel exempts root from RLIMIT_NPROC)
limit_args=(--limit-memory 1G --limit-cpu 600)
[ "$(id -u)" -eq 0 ] || limit_args+=(--limit-pids 512)
check "corral with limits" "$corral" run "${limit_args[@]}" -- true || die "corral run with limits fails"
start=(bare true :: corral_off "$corral" run -- true :: corral_on "$corral" run -n on -- true
	:: corral_lim "$corral" run "${limit_args[@]}" -- true
	:: corral_rep "$corral" run --report-denials -- true)
if [ $have_bwrap = 1 ]; then
	start+=(:: bwrap_off "$bwrap" "${bwrap_common[@]}" "${bwrap_off[@]}" true
		:: bwrap_on "$bwrap" "${bwrap_common[@]}" "${bwrap_on[@]}" true)
fi
start+=("${agents[@]}")
say "start-up: $runs alternating rounds of bare / corral${bwrap:+ / bwrap}"
"$timeit" -n "$runs" -w 5 -- "${start[@]}" >"$root/start.tsv" \
	|| die "a start-up command failed during the measurement"

say "workload: $wruns alternating rounds of make -j$jobs on $nfiles files, bare / in corral"
# The two sanity builds above were the warm-up.
"$timeit" -n "$wruns" -w 0 -r "$root/workload.raw" -- wl_bare "${build_cmd[@]}" \
	:: wl_corral "$corral" run --report-denials=off -- "${build_cmd[@]}" \
	:: wl_wr "$corral" run --report-denials=writes -- "${build_cmd[@]}" \
	:: wl_rep "$corral" run --report-denials=all -- "${build_cmd[@]}" >"$root/workload.tsv" \
	|| die "the workload failed during the measurement"
[ -z "${BENCH_RAW_OUT:-}" ] || cp "$root/workload.raw" "$BENCH_RAW_OUT"

# --- report ----------------------------------------------------------------
load_after=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)
bwrap_ver=
if [ $have_bwrap = 1 ]; then
	bwrap_ver=$("$bwrap" --version 2>/dev/null | head -n1) || true
fi

awk -F'\t' \
	-v runs="$runs" -v wruns="$wruns" -v nfiles="$nfiles" -v jobs="$jobs" \
	-v have_bwrap="$have_bwrap" -v bwrap_note="$bwrap_note" -v agents_note="$agents_note" \
	-v agents_every="$agents_every" -v codex_ver="${CODEX_VERSION:-}" -v srt_ver="${SRT_VERSION:-}" \
	-v kernel="$(uname -sr)" -v ncpu="$ncpu" -v cpu="$cpu" -v user="$(id -un)" \
	-v version="$("$corral" version 2>/dev/null | head -n1)" -v bwrap_ver="$bwrap_ver" \
	-v load="$load_before -> $load_after" -v strict="${BENCH_STRICT:-0}" -v limits="${limit_args[*]}" '
FILENAME ~ /\.raw$/ { raw[$1, $2] = $3; rawcpu[$1, $2] = $4; if ($2 + 1 > rounds) rounds = $2 + 1; next }
{ n[$1] = $2; med[$1] = $3; p10[$1] = $4; p90[$1] = $5; rss[$1] = $7; cpu_ms[$1] = $8 }
function row(key, what, over, ratio) {
	printf "| %s | %.2f | %.2f | %.2f | %s | %s | %d | %.2f |\n", what, med[key], p10[key], p90[key],
		over, ratio, rss[key], cpu_ms[key]
}
function ms(x) { return sprintf("%+.2f ms", x) }
function median(v, k,   i, j, t) {
	for (i = 2; i <= k; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
	return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
}
function verdict(ok) { if (!ok) failed++; return ok ? "met" : "NOT met" }
END {
	printf "Measured on %s, %s CPU(s)%s, as %s; %s%s.\n", kernel, ncpu, cpu != "" ? " (" cpu ")" : "",
		user, version != "" ? version : "corral", bwrap_ver != "" ? ", " bwrap_ver : ""
	printf "Start-up rows: median of %d alternating runs; workload rows: median of %d alternating runs; load average %s.\n\n", runs, wruns, load
	print "| command | median ms | p10 ms | p90 ms | overhead vs bare | overhead / bwrap overhead | peak RSS KiB | CPU ms |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|"
	ob_off = med["corral_off"] - med["bare"]; ob_on = med["corral_on"] - med["bare"]
	if (have_bwrap) {
		bb_off = med["bwrap_off"] - med["bare"]; bb_on = med["bwrap_on"] - med["bare"]
		r_off = bb_off > 0 ? ob_off / bb_off : 0; r_on = bb_on > 0 ? ob_on / bb_on : 0
	}
	row("bare", "bare `true`", "", "")
	row("corral_off", "`corral run -- true` (network off, the default writes-level denial reports)", ms(ob_off), have_bwrap ? sprintf("%.2f", r_off) : "n/a")
	row("corral_on", "`corral run -n on -- true` (network on)", ms(ob_on), have_bwrap ? sprintf("%.2f", r_on) : "n/a")
	ob_lim = med["corral_lim"] - med["bare"]
	row("corral_lim", "`corral run " limits " -- true` (network off, limits on; bwrap has none)", ms(ob_lim),
	    have_bwrap && bb_off > 0 ? sprintf("%.2f", ob_lim / bb_off) : "n/a")
	ob_rep = med["corral_rep"] - med["bare"]
	row("corral_rep", "`corral run --report-denials -- true` (network off, denial reports at the all level)", ms(ob_rep),
	    have_bwrap && bb_off > 0 ? sprintf("%.2f", ob_rep / bb_off) : "n/a")
	if (have_bwrap) {
		row("bwrap_off", "`bwrap` equivalent policy, `--unshare-all` (network off)", ms(bb_off), "1.00")
		row("bwrap_on", "`bwrap` equivalent policy, `--unshare-all --share-net` (network on)", ms(bb_on), "1.00")
	}
	# The agents sandboxes: network off, so compared with bwrap off.
	if ("codex" in med)
		row("codex", sprintf("`codex sandbox` %s, workspace-write (every %d rounds: %d runs)", codex_ver, agents_every, n["codex"]),
		    ms(med["codex"] - med["bare"]), have_bwrap && bb_off > 0 ? sprintf("%.2f", (med["codex"] - med["bare"]) / bb_off) : "n/a")
	if ("srt" in med)
		row("srt", sprintf("`srt` %s (sandbox-runtime), workspace writable, no domains (every %d rounds: %d runs)", srt_ver, agents_every, n["srt"]),
		    ms(med["srt"] - med["bare"]), have_bwrap && bb_off > 0 ? sprintf("%.2f", (med["srt"] - med["bare"]) / bb_off) : "n/a")
	wl = (med["wl_corral"] / med["wl_bare"] - 1) * 100
	for (i = 0; i < rounds; i++) pr[i + 1] = raw["wl_corral", i] / raw["wl_bare", i]
	wl_paired = (median(pr, rounds) - 1) * 100
	wl_cpu = (cpu_ms["wl_corral"] / cpu_ms["wl_bare"] - 1) * 100
	row("wl_bare", sprintf("workload: `make -j%d`, %d C files, bare", jobs, nfiles), "", "")
	row("wl_corral", sprintf("workload: `make -j%d`, %d C files, in `corral run --report-denials=off`", jobs, nfiles),
		sprintf("%+.1f%%", wl), "")
	# the reports: per-round ratios of CPU time (user+sys of the whole tree,
	# the supervisor of corral included), which a shared machine moves far less
	# than the wall time
	for (i = 0; i < rounds; i++) {
		prr[i + 1] = rawcpu["wl_rep", i] / rawcpu["wl_corral", i]
		pwr[i + 1] = rawcpu["wl_wr", i] / rawcpu["wl_corral", i]
	}
	wl_rep = (median(prr, rounds) - 1) * 100
	wl_wr = (median(pwr, rounds) - 1) * 100
	wr_lo = wr_hi = pwr[1]
	for (i = 2; i <= rounds; i++) { if (pwr[i] < wr_lo) wr_lo = pwr[i]; if (pwr[i] > wr_hi) wr_hi = pwr[i] }
	row("wl_wr", sprintf("workload: `make -j%d`, %d C files, in `corral run --report-denials=writes`", jobs, nfiles),
		sprintf("%+.1f%%", (med["wl_wr"] / med["wl_bare"] - 1) * 100), "")
	row("wl_rep", sprintf("workload: `make -j%d`, %d C files, in `corral run --report-denials=all`", jobs, nfiles),
		sprintf("%+.1f%%", (med["wl_rep"] / med["wl_bare"] - 1) * 100), "")
	print ""
	if (agents_note != "")
		printf "(%s)\n\n", agents_note
	if (have_bwrap) {
		q_off = (p10["corral_off"] - p10["bare"]) / (p10["bwrap_off"] - p10["bare"])
		q_on = (p10["corral_on"] - p10["bare"]) / (p10["bwrap_on"] - p10["bare"])
		printf "- Start-up overhead, network off: corral %.2f ms vs bwrap %.2f ms = **%.2f** of bwrap (target <= 0.50): %s  (same ratio from the p10s: %.2f)\n",
			ob_off, bb_off, r_off, verdict(r_off <= 0.5), q_off
		printf "- Start-up overhead, network on: corral %.2f ms vs bwrap %.2f ms = **%.2f** of bwrap (target <= 0.50): %s  (same ratio from the p10s: %.2f)\n",
			ob_on, bb_on, r_on, verdict(r_on <= 0.5), q_on
		printf "- Start-up overhead never above bwrap (ratio <= 1.00 in both modes): %s\n",
			verdict(r_off <= 1 && r_on <= 1)
		printf "- Peak RSS (process tree, ru_maxrss): corral %d KiB vs bwrap %d KiB = %.2f (bare `true`: %d KiB)\n",
			rss["corral_off"], rss["bwrap_off"], rss["corral_off"] / rss["bwrap_off"], rss["bare"]
	} else {
		printf "- Start-up overhead vs bwrap: not measured: %s\n", bwrap_note
		printf "- Peak RSS (process tree, ru_maxrss): corral %d KiB (bare `true`: %d KiB)\n",
			rss["corral_off"], rss["bare"]
	}
	printf "- Workload in corral vs bare: median of the %d per-round ratios **%+.1f%%** (target within 3%%): %s  (ratio of the medians %.2f s / %.2f s: %+.1f%%; CPU time: %+.1f%%)\n",
		rounds, wl_paired, verdict(wl_paired <= 3), med["wl_corral"] / 1000, med["wl_bare"] / 1000, wl, wl_cpu
	printf "- Denial reports on the workload, CPU time: median of the %d per-round ratios --report-denials=writes / without **%+.1f%%** (%.3f to %.3f; on by default only within 1%%: %s); =all / without **%+.1f%%**; start-up %+.2f ms\n",
		rounds, wl_wr, wr_lo, wr_hi, wl_wr <= 1 ? "within" : "not within", wl_rep, ob_rep - ob_off
	exit (strict && failed) ? 1 : 0
}' "$root/start.tsv" "$root/workload.tsv" "$root/workload.raw"
