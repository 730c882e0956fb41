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
# older one reads /proc/net/unix and fails (125) on a socket bound through a
# symlinked directory, so that row is left out for it.
#
# BENCH_SOCKETS (default 100) sockets per kind, BENCH_SOCKETS_RUNS (default
# 100) rounds.
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
	local cmds=("$label" "$corral" run -- true)
	if [ -n "$before" ] && [ "$2" = old-ok ]; then
		cmds+=(:: "$label-before" "$before" run -- true)
	fi
	"$corral" run -- true || die "corral does not run here ($label)"
	"$timeit" -n "$runs" -w 3 -- bare true :: "${cmds[@]}" >> "$root/t.tsv" ||
		die "a command failed during the measurement ($label)"
}
: > "$root/t.tsv"
measure none old-ok
serve "$root/abs" "$root/abs/s" abs
measure abs old-ok
serve "$root/link" "$root/link/s" link
measure link old-fails
serve "$root/rel" "r" rel
measure rel old-fails
masked=$("$corral" explain | grep -c '# host unix socket ' || true)

echo "Host sockets located by device and inode: \`corral run -- true\` with $n more listening sockets per"
echo "row, cumulative; median of $runs alternating rounds; $masked sockets masked in the last row."
echo
echo "| host sockets | median ms | overhead vs none | before (older binary) | after / before |"
echo "|---|---:|---:|---:|---:|"
awk -F'\t' -v n="$n" '
	{ med[$1] = $3 }
	END {
		split("none abs link rel", k, " ")
		what["none"] = "none of its own"
		what["abs"] = "+" n " absolute"
		what["link"] = "+" n " through a symlinked directory"
		what["rel"] = "+" n " relative (the /proc scan)"
		for (i = 1; i <= 4; i++) {
			b = (k[i] "-before") in med ? sprintf("%.2f", med[k[i] "-before"]) : "n/a"
			r = (k[i] "-before") in med ? sprintf("%.2f", med[k[i]] / med[k[i] "-before"]) : "n/a"
			printf "| %s | %.2f | %+.2f ms | %s | %s |\n", what[k[i]], med[k[i]], med[k[i]] - med["none"], b, r
		}
	}' "$root/t.tsv"
