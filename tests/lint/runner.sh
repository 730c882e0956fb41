#!/usr/bin/env bash
# corral-runner carries file capabilities: it must hold only the privileged
# steps (docs/elevated.md, "The runner"). Its symbols show what it holds;
# this fails when one of them belongs to what corral-sandbox, the
# unprivileged half, does after the drop: planning, applying, supervising,
# config and TOML parsing, the policy, Landlock and seccomp, the proxy, the
# host-state bookkeeping, the request's body, the firewall canary. A pattern
# is live only if it matches in corral or corral-sandbox (the control), and
# the runner's own symbols must be there to be read (not stripped).
#
#   tests/lint/runner.sh [BUILD_DIR]
#
# Last line: runner: N passed, N failed
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
bad() { echo "not ok - $1"; failed=$((failed + 1)); }
command -v nm > /dev/null || { echo "runner.sh: nm is missing (binutils)" >&2; echo "runner: 0 passed, 1 failed"; exit 1; }
for b in corral corral-runner corral-sandbox; do
	[ -f "$build/$b" ] || { echo "runner.sh: $build/$b is missing; build first (make)" >&2; echo "runner: 0 passed, 1 failed"; exit 1; }
done
syms() { nm --defined-only "$1" 2> /dev/null | awk '$2 ~ /^[tTdDbBrRwWvV]$/ { print $3 }' | sed 's/\..*//' | sort -u; }
runner=$(syms "$build/corral-runner")
others=$(syms "$build/corral"; syms "$build/corral-sandbox")

# The runner's symbols are readable: what it is known to hold is seen.
for s in main marker_load request_decode_head userns_probe; do
	grep -qx "$s" <<< "$runner" || { bad "the runner's symbols are readable ($s is not among them: stripped?)"; s=; break; }
done
[ -n "${s:-}" ] && ok "the runner's symbols are readable (main, marker_load, request_decode_head, userns_probe)"

forbidden=(
	'plan_.*' 'apply_.*' 'supervise_.*' 'config_.*' 'toml_.*' 'policy_.*' 'landlock_.*' 'seccomp_.*'
	'proxy_.*' 'host_.*' 'nested_.*' 'users_run' 'request_encode' 'request_decode_body' 'canary_check'
)
for re in "${forbidden[@]}"; do
	seen=$(grep -xE "$re" <<< "$others" | head -n 3 | tr '\n' ' ')
	held=$(grep -xE "$re" <<< "$runner" | tr '\n' ' ')
	if [ -z "$seen" ]; then
		bad "control: /$re/ matches nothing in corral or corral-sandbox (a pattern that sees nothing proves nothing)"
	elif [ -n "$held" ]; then
		bad "corral-runner holds /$re/: $held(that code belongs in corral-sandbox, src/runner/sandbox.c)"
	else
		ok "corral-runner holds no /$re/ (corral and corral-sandbox do: $seen)"
	fi
done

# Only the C library: nothing linked in that the privileged steps do not need.
needed=$(readelf -d "$build/corral-runner" 2> /dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
if [ "$needed" = "libc.so.6 " ]; then
	ok "corral-runner needs only libc.so.6"
else
	bad "corral-runner needs more than libc.so.6: $needed"
fi
echo "runner: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
