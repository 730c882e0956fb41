#!/bin/bash
# Package-manager caches (issue 15, docs/config.md "[caches]"):
#
#   bench/caches.sh path/to/corral
#
# 1. A warm-cache install: a project with BENCH_NPM_DEPS (50) dependencies
#    from local tarballs, `npm ci --offline` with the developer's ~/.npm warm,
#    outside and inside `corral run` (read-through: the developer's cache is
#    the overlay's lower layer), BENCH_NPM_RUNS (7) alternating rounds. Target:
#    the sandboxed install within 10% of the bare one (the median of the
#    per-round ratios).
# 2. The start-up cost of the cache mounts: `corral run -- true` with the
#    caches (the default; this tree has ~/.npm, ~/.cargo with bin/ and the xdg
#    cache, i.e. three overlays and two read-only binds on top) against
#    `--cache all=off`, BENCH_RUNS (200) alternating rounds.
#
# Everything lives in a temporary tree under BENCH_TMPDIR (/var/tmp) with its
# own HOME and XDG_CACHE_HOME; nothing touches the caller's caches. Prints a
# markdown report on stdout. Skips (exit 0, saying why) without npm.
set -euo pipefail

corral=$(realpath "${1:-build/corral}")
here=$(cd "$(dirname "$0")" && pwd)
deps=${BENCH_NPM_DEPS:-50}
nruns=${BENCH_NPM_RUNS:-7}
runs=${BENCH_RUNS:-200}
say() { echo "caches bench: $*" >&2; }

command -v npm > /dev/null || { say "npm is not installed: skipped"; exit 0; }
[ -x "$corral" ] || { say "no corral at $corral (build first)"; exit 1; }

root=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/corral-bench-caches.XXXXXX")
trap 'chmod -R u+rwX "$root" 2>/dev/null; rm -rf "$root"' EXIT INT TERM
mkdir -p "$root/home/.cargo/bin" "$root/cache" "$root/config" "$root/src" "$root/tarballs" "$root/ws"
export HOME=$root/home XDG_CACHE_HOME=$root/cache XDG_CONFIG_HOME=$root/config
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
unset npm_config_cache CARGO_HOME GOPATH GOMODCACHE

cc=${CC:-cc}
timeit=$root/bench-timeit
"$cc" -O2 -o "$timeit" "$here/timeit.c"

say "making $deps packages"
for i in $(seq -w 1 "$deps"); do
	d=$root/src/bench-dep-$i
	mkdir -p "$d/lib"
	printf '{"name":"bench-dep-%s","version":"1.0.%d","main":"index.js"}\n' "$i" "$((10#$i))" > "$d/package.json"
	printf 'module.exports = require("./lib/impl");\n' > "$d/index.js"
	for f in impl a b c d e f g; do # a few files each, like a small real package
		head -c 2048 /dev/urandom | base64 -w 100 | sed 's/.*/\/\/ &/' > "$d/lib/$f.js"
	done
	printf 'module.exports = "dep %s";\n' "$i" >> "$d/lib/impl.js"
done
(cd "$root/tarballs" && npm pack "$root"/src/bench-dep-* > /dev/null 2>&1)
{
	printf '{"name":"bench-proj","version":"1.0.0","private":true,"dependencies":{'
	sep=
	for t in "$root"/tarballs/*.tgz; do
		n=$(basename "$t" .tgz)
		printf '%s"%s":"file:%s"' "$sep" "${n%-1.0.*}" "$t"
		sep=,
	done
	printf '}}\n'
} > "$root/ws/package.json"
cd "$root/ws"
npm install --offline > /dev/null 2>&1 # the lock file, and the developer's warm ~/.npm
rm -rf node_modules
npm ci --offline > /dev/null 2>&1
"$corral" run -- npm ci --offline > /dev/null 2>&1 || { say "npm ci fails in corral run"; exit 1; }

say "warm-cache install: $nruns alternating rounds of npm ci, bare / in corral"
"$timeit" -n "$nruns" -w 1 -r "$root/npm.raw" -- npm_bare npm ci --offline \
	:: npm_corral "$corral" run -- npm ci --offline > "$root/npm.tsv"

say "start-up: $runs alternating rounds of corral run -- true with and without the cache mounts"
"$timeit" -n "$runs" -w 5 -- caches_on "$corral" run -- true \
	:: caches_off "$corral" run --cache all=off -- true > "$root/start.tsv"

overlays=$("$corral" explain --json | grep -o '"how":"overlay"' | wc -l)
med() { awk -F'\t' -v l="$1" '$1 == l { print $3 }' "$2"; }
ratio=$(awk -F'\t' '{ w[$1, $2] = $3; rounds[$2] = 1 }
	END { for (r in rounds) if ((("npm_bare", r) in w) && (("npm_corral", r) in w)) print w["npm_corral", r] / w["npm_bare", r] }' \
	"$root/npm.raw" | sort -g | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%+.1f%%", (m - 1) * 100 }')
on=$(med caches_on "$root/start.tsv") off=$(med caches_off "$root/start.tsv")
cat << EOF
| row | median ms | p10 ms | p90 ms |
|---|---:|---:|---:|
$(awk -F'\t' '{ printf "| %s | %.1f | %.1f | %.1f |\n", $1, $3, $4, $5 }' "$root/npm.tsv" "$root/start.tsv")

- warm-cache \`npm ci --offline\` of $deps dependencies from local tarballs: in corral **$ratio** against bare (median of the per-round ratios over $nruns rounds; target: within 10%)
- start-up cost of the cache mounts ($overlays overlays and their read-only binds): $(awk -v a="$on" -v b="$off" 'BEGIN { printf "%+.2f ms (%.2f against %.2f ms with --cache all=off)", a - b, a, b }')
EOF
