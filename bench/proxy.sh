#!/bin/bash
# The network proxy (--allow-domain, issue 10): throughput and added latency
# through the proxy vs direct over the same veth, corral's RSS per 100 idle
# tunnels, and the start-up cost of the proxy mode vs network off.
#
#   bench/proxy.sh path/to/corral
#
# Runs in the lab of tests/system/proxy-lab.bash (user-owned namespaces: a
# "machine" and a remote host on 198.18.0.0/15; nothing on the real machine
# changes). Prints a markdown table on stdout. BENCH_PROXY_BYTES (1 GiB),
# BENCH_PROXY_ROUNDS (5), BENCH_PROXY_CONNS (200), BENCH_PROXY_STARTS (40).
set -u
CORRAL=$(realpath "${1:-build/corral}")
REPO=$(cd "$(dirname "$0")/.." && pwd)
BYTES=${BENCH_PROXY_BYTES:-1073741824}
ROUNDS=${BENCH_PROXY_ROUNDS:-5}
CONNS=${BENCH_PROXY_CONNS:-200}
STARTS=${BENCH_PROXY_STARTS:-40}
if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=$(command -v python3); fi

T=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/corral-bench-proxy.XXXXXX")
chmod 755 "$T"
: > "$T/bg.pids"
cleanup() {
	local p
	while read -r p; do kill -9 "$p" 2>/dev/null; done < "$T/bg.pids"
	rm -rf "$T"
}
trap cleanup EXIT
skip() { echo "bench/proxy.sh: skipped: $*" >&2; exit 0; }
fail() { echo "bench/proxy.sh: $*" >&2; exit 1; }
require_tool() { command -v "$1" >/dev/null || skip "$1 is not installed"; }
# shellcheck source=../tests/system/proxy-lab.bash
. "$REPO/tests/system/proxy-lab.bash"
lab_start >&2
nsenter --preserve-credentials --target "$LAB_REMOTE" --user --net -- "$PYTHON" "$REPO/bench/proxy.py" serve 198.18.0.2 \
	> "$T/serve.out" 2>&1 &
echo $! >> "$T/bg.pids"
for _ in $(seq 50); do grep -q READY "$T/serve.out" && break; sleep 0.1; done
grep -q READY "$T/serve.out" || fail "the bench server did not start: $(cat "$T/serve.out")"

mkdir -p "$T/ws" "$T/cfg/corral" "$T/cache"
printf '[network]\nallow_domains = ["allowed.test"]\nallow_ports = [9000, 9001]\n' > "$T/cfg/corral/config.toml"
cp "$REPO/bench/proxy.py" "$T/ws/"
export XDG_CONFIG_HOME=$T/cfg XDG_CACHE_HOME=$T/cache
cd "$T/ws" || exit 1
inside() { labx "$CORRAL" run -- env PROXY=127.0.0.1:3128 "$PYTHON" "$T/ws/proxy.py" client "$@"; }
direct() { labx "$PYTHON" "$T/ws/proxy.py" client "$@"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "throughput: $ROUNDS alternating rounds of $BYTES bytes" >&2
: > "$T/tp.direct"
: > "$T/tp.proxy"
for _ in $(seq "$ROUNDS"); do
	direct throughput allowed.test "$BYTES" >> "$T/tp.direct" || fail "direct throughput failed"
	inside throughput allowed.test "$BYTES" >> "$T/tp.proxy" || fail "proxied throughput failed"
done
tp_d=$(median < "$T/tp.direct")
tp_p=$(median < "$T/tp.proxy")

echo "latency: $CONNS connections each way, $ROUNDS rounds" >&2
: > "$T/lat.direct"
: > "$T/lat.proxy"
for _ in $(seq "$ROUNDS"); do
	direct latency allowed.test "$CONNS" >> "$T/lat.direct" || fail "direct latency failed"
	inside latency allowed.test "$CONNS" >> "$T/lat.proxy" || fail "proxied latency failed"
done
lat_d=$(median < "$T/lat.direct")
lat_p=$(median < "$T/lat.proxy")

echo "RSS: corral with 0 and 100 idle tunnels" >&2
rss_of() { # N: corral's VmRSS (KiB) while N tunnels are open
	labx "$CORRAL" run -- env PROXY=127.0.0.1:3128 "$PYTHON" "$T/ws/proxy.py" client idle allowed.test "$1" 3 \
		> "$T/idle.out" 2>&1 &
	local bg=$! pid="" rss=""
	for _ in $(seq 100); do grep -q READY "$T/idle.out" 2>/dev/null && break; sleep 0.05; done
	sleep 0.3
	pid=$(pgrep -o -f "^$CORRAL run -- env PROXY=127.0.0.1:3128 $PYTHON $T/ws/proxy.py client idle allowed.test $1 ")
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
	wait "$bg"
	echo "$rss"
}
rss0=$(rss_of 1)
rss100=$(rss_of 101)

echo "start-up: $STARTS alternating runs of corral run -- true, off and proxy" >&2
: > "$T/st.off"
: > "$T/st.proxy"
ms() { local a b; a=$(date +%s%N); "$@" > /dev/null 2>&1; b=$(date +%s%N); echo "scale=3; ($b - $a) / 1000000" | bc; }
for _ in $(seq "$STARTS"); do
	ms labx "$CORRAL" run --no-workspace-config -n off -- true >> "$T/st.off"
	ms labx "$CORRAL" run --no-workspace-config -- true >> "$T/st.proxy"
done
st_off=$(median < "$T/st.off")
st_proxy=$(median < "$T/st.proxy")

ratio() { echo "scale=3; $1 / $2" | bc; }
cat <<EOT
| network proxy (\`--allow-domain\`), on a veth in the lab of tests/system/proxy-lab.bash | direct | through the proxy | ratio / difference |
|---|---:|---:|---:|
| throughput, $((BYTES >> 20)) MiB over one tunnel (median of $ROUNDS) | $tp_d MB/s | $tp_p MB/s | **$(ratio "$tp_p" "$tp_d")** |
| connect + 1-byte echo, per connection (median of $ROUNDS × $CONNS) | $lat_d µs | $lat_p µs | **+$(echo "$lat_p - $lat_d" | bc) µs** |
| corral's RSS, 1 tunnel vs 101 idle tunnels | $rss0 KiB | $rss100 KiB | **$(echo "$rss100 - $rss0" | bc) KiB per 100** |
| \`corral run -- true\` start-up, \`-n off\` vs proxy mode (median of $STARTS, incl. nsenter) | $st_off ms | $st_proxy ms | **+$(echo "$st_proxy - $st_off" | bc) ms** |
EOT
