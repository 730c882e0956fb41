#!/usr/bin/env bash
# The start-up cost of finding the host's unix sockets by what they are
# (issue 16, class 5; docs/design.md, "Host sockets"): sock_diag, then a
# realpath and an lstat per socket, and the /proc scan when a socket was
# bound by a relative name. `corral run -- true` with no host socket of its
# own, then with N listening sockets bound by an absolute path, through a
# symlinked directory, and by a relative name (the /proc scan), each masked.
#
#   bench/sockets.sh path/to/corral [path/to/older/corral]
#
# With a second binary (e.g. one built from an older commit), its rows run in
# the same alternating rounds, and the table gives after/before ratios. The
# older one (before issue 16) reads /proc/net/unix and fails (125) on a socket
# bound through a symlinked directory, so from that row on it is left out.
#
# BENCH_SOCKETS (default 100) sockets per kind, BENCH_SOCKETS_RUNS (default
# 100) rounds, BENCH_SOCKETS_BACKEND (default userns: the same plan code runs
# for users, which adds the runner's own cost).
set -euo pipefail
die() { printf 'bench/sockets: %s\n' "$*" >&2; exit 2; }
say() { printf 'bench/sockets: %s\n' "$*" >&2; }

[ $# -ge 1 ] && [ -x "$1" ] || die "usage: $0 path/to/corral [path/to/older/corral]"
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
corral=$(abs "$1")
before=
[ $# -ge 2 ] && { [ -x "$2" ] || die "$2 is not executable"; before=$(abs "$2"); }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
n=${BENCH_SOCKETS:-100}
runs=${BENCH_SOCKETS_RUNS:-100}
[[ $n =~ ^[1-9][0-9]*$ && $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_SOCKETS and BENCH_SOCKETS_RUNS must be positive integers"
backend=${BENCH_SOCKETS_BACKEND:-userns}
command -v python3 > /dev/null || die "python3 is needed to bind the sockets"

root=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/corral-bench-sockets.XXXXXX") || die "cannot create a temporary directory"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
	rm -rf "$root"
}
trap cleanup EXIT
trap 'exit 130' INT
export XDG_CACHE_HOME=$root/cache XDG_CONFIG_HOME=$root/config
mkdir -p "$root/ws" "$root/abs" "$root/real" "$root/rel"
ln -s real "$root/link"

# serve DIR PREFIX: bind N listening sockets named PREFIX<i> (relative when
# PREFIX has no slash: after chdir to DIR), and stay.
serve() {
	python3 - "$1" "$2" "$n" > "$root/ready.$3" <<'EOF' &
import os, socket, sys, time
d, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.chdir(d)
keep = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind("%s%d.sock" % (prefix, i))
    s.listen(1)
    keep.append(s)
print("READY", flush=True)
time.sleep(3600)
EOF
	pids+=($!)
	local i
	for ((i = 0; i < 100; i++)); do [ -s "$root/ready.$3" ] && return 0; sleep 0.05; done
	die "the sockets of $3 did not come up"
}

timeit=$root/bench-timeit
cc -O2 -o "$timeit" "$here/timeit.c" || die "cannot compile $here/timeit.c"
cd "$root/ws"

# One measurement per set of sockets: each adds to the previous ones, so the
# rows are cumulative: none, +abs, +symlinked, +relative.
measure() {
	local label=$1
	local cmds=("$label" "$corral" run --backend "$backend" -- true)
	if [ -n "$before" ] && [ "$2" = old-ok ]; then
		cmds+=(:: "$label-before" "$before" run --backend "$backend" -- true)
	fi
	"$corral" run --backend "$backend" -- true || die "corral does not run here ($label)"
	# The older binary may fail (125) on a socket that another process on
	# the machine binds or removes meanwhile (the denial of service of class
	# 5): up to three tries, then its column says so. A failure of the new
	# binary is fatal.
	local try
	for try in 1 2 3; do
		if "$timeit" -n "$runs" -w 3 -- bare true :: "${cmds[@]}" > "$root/t1.tsv" 2> "$root/err"; then
			cat "$root/t1.tsv" >> "$root/t.tsv"
			return 0
		fi
		if ! grep -q -- '-before: \(exited with\|killed by\)' "$root/err"; then
			cat "$root/err" >&2
			die "a command failed during the measurement ($label)"
		fi
		say "the older binary failed in row $label (try $try): $(head -n1 "$root/err")"
	done
	before_failed="$before_failed $label"
	"$timeit" -n "$runs" -w 3 -- bare true :: "${cmds[@]:0:7}" >> "$root/t.tsv" ||
		die "a command failed during the measurement ($label)"
}
: > "$root/t.tsv"
before_failed=
measure none old-ok
serve "$root/abs" "$root/abs/s" abs
measure abs old-ok
serve "$root/link" "$root/link/s" link
measure link old-fails
serve "$root/rel" "r" rel
measure rel old-fails
masked=$("$corral" explain --backend "$backend" | grep -c '# host unix socket ' || true)

echo "Host sockets located by device and inode: \`corral run -- true\` with $n more listening sockets per"
echo "row, cumulative (--backend $backend); median of $runs alternating rounds; $masked sockets masked in the last row."
echo
echo "| host sockets | median ms | overhead vs none | CPU ms | before: median ms | before: CPU ms | after / before (wall) | after / before (CPU) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
awk -F'\t' -v n="$n" '
	{ med[$1] = $3; cpu[$1] = $8 }
	END {
		split("none abs link rel", k, " ")
		what["none"] = "none of its own"
		what["abs"] = "+" n " absolute"
		what["link"] = "+" n " through a symlinked directory"
		what["rel"] = "+" n " relative (the /proc scan)"
		for (i = 1; i <= 4; i++) {
			b = k[i] "-before"
			bw = bc = rw = rc = "n/a"
			if (b in med) {
				bw = sprintf("%.2f", med[b]); bc = sprintf("%.2f", cpu[b])
				rw = sprintf("%.2f", med[k[i]] / med[b])
				if (cpu[b] > 0) rc = sprintf("%.2f", cpu[k[i]] / cpu[b])
			}
			printf "| %s | %.2f | %+.2f ms | %.2f | %s | %s | %s | %s |\n", what[k[i]], med[k[i]], med[k[i]] - med["none"],
				cpu[k[i]], bw, bc, rw, rc
		}
	}' "$root/t.tsv"
echo
[ -z "$before_failed" ] || echo "The older binary exited with 125 at least once in:$before_failed (three tries): its column is left empty there."
echo "CPU is user + system time of corral and the sandbox (wait4), which a loaded machine disturbs less than wall time."
