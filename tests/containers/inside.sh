#!/bin/bash
# Runs inside a container (tests/containers/run.sh), as an ordinary user,
# against the corral in /corral. Prints one TAP line per check.
#
#   inside.sh holds     the core attacks of the system suite must fail and the
#                       sandbox must work (the runtime lets corral build it)
#   inside.sh refuses   every run must be refused with 125, the message and
#                       doctor naming the cause and the fix (extended regular
#                       expressions in $EXPECT, and $EXPECT_DOCTOR for doctor
#                       if it says it otherwise) -- fail closed, never less
set -u
CORRAL=/corral/corral
mode=${1:-holds}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $VARIANT: $1"; }
not_ok() { n=$((n + 1)) failed=$((failed + 1)); echo "not ok $n - $VARIANT: $1"; shift; printf '#   %s\n' "$@"; }
check() { # check DESCRIPTION CMD...: CMD must succeed
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what" "${out//$'\n'/ | }"; fi
}

export HOME=${HOME:-/home/tester}
T=$(mktemp -d "${WORKROOT:-$HOME}/t.XXXXXX") || { echo "not ok 1 - $VARIANT: no test directory"; exit 1; }
WS=$T/proj OUT=$T/outside
mkdir -p "$WS/.git" "$OUT" "$HOME/.ssh"
echo '[core]' > "$WS/.git/config"
echo data > "$OUT/data.txt"
echo "CORRAL-SECRET-key" > "$HOME/.ssh/id_ed25519"
chmod 600 "$HOME/.ssh/id_ed25519"
echo '# bashrc' > "$HOME/.bashrc"
cd "$WS" || exit 1
before=$(cd "$T" && find . "$HOME/.bashrc" "$HOME/.ssh" -path ./proj -prune -o -printf '%p %s %T@\n' | sort; md5sum "$HOME/.bashrc" "$OUT/data.txt")

if [ "$mode" = refuses ]; then
	out=$("$CORRAL" run -- true 2>&1)
	st=$?
	if [ "$st" -eq 125 ] && grep -Eq -- "$EXPECT" <<<"$out"; then ok "run is refused with 125, naming the cause and the fix"
	else not_ok "run is refused with 125, naming the cause and the fix" "status $st: $out" "expected: $EXPECT"; fi
	out=$("$CORRAL" run -- sh -c "echo evil > $OUT/data.txt" 2>&1)
	[ "$(cat "$OUT/data.txt")" = data ] && ok "nothing ran: the outside file is unchanged" ||
		not_ok "nothing ran: the outside file is unchanged" "$out"
	out=$("$CORRAL" doctor 2>&1)
	if grep -Eq -- "${EXPECT_DOCTOR:-$EXPECT}" <<<"$out"; then ok "doctor names the cause and the fix"
	else not_ok "doctor names the cause and the fix" "$out"; fi
else
	check "a command runs and writes in the workspace" "$CORRAL" run -- sh -c 'echo ok > inside.txt && test "$(cat inside.txt)" = ok'
	check "the workspace file is there outside" test -f "$WS/inside.txt"
	out=$("$CORRAL" run -- sh -c "echo evil >> $HOME/.bashrc" 2>&1); st=$?
	[ $st -ne 0 ] && [ $st -ne 125 ] && grep -q "Read-only file system" <<<"$out" && ok "writing ~/.bashrc fails (read-only)" ||
		not_ok "writing ~/.bashrc fails (read-only)" "status $st: $out"
	out=$("$CORRAL" run -- sh -c "echo evil > $OUT/data.txt" 2>&1); st=$?
	[ $st -ne 0 ] && [ $st -ne 125 ] && ok "writing outside the workspace fails" || not_ok "writing outside the workspace fails" "status $st: $out"
	out=$("$CORRAL" run -- sh -c 'echo "[core] hooksPath=/x" >> .git/config; mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit; mv .git g; mkdir .codex; echo x > .corral.toml; exit 0' 2>&1); st=$?
	if [ $st -eq 0 ] && [ "$(cat .git/config)" = '[core]' ] && [ ! -e .git/hooks ] && [ ! -e g ] && [ ! -e .codex ] && [ ! -e .corral.toml ]; then
		ok "protected names (.git, .codex, .corral.toml) stay as they were"
	else not_ok "protected names (.git, .codex, .corral.toml) stay as they were" "status $st: $out" "$(ls -A)"; fi
	out=$("$CORRAL" run -- cat "$HOME/.ssh/id_ed25519" 2>&1); st=$?
	[ $st -ne 0 ] && [ $st -ne 125 ] && ! grep -q CORRAL-SECRET <<<"$out" && ok "the SSH key cannot be read" ||
		not_ok "the SSH key cannot be read" "status $st: $out"
	out=$(MY_API_KEY=hunter2 "$CORRAL" run -- sh -c 'echo "key=${MY_API_KEY:-}"' 2>&1)
	grep -qx "key=" <<<"$out" && ok "a secret in the environment is dropped" || not_ok "a secret in the environment is dropped" "$out"
	# network off: a server on the container's loopback, reachable outside
	port=$((20000 + RANDOM % 20000))
	served=$(mktemp "$HOME/served.XXXXXX") # not /tmp: rootless, it may belong to an unmapped id
	nc -l 127.0.0.1 "$port" > "$served" 2>/dev/null &
	srv=$!
	for _ in $(seq 50); do # until it listens (slower in a rootless container)
		grep -q ":$(printf '%04X' "$port") 00000000:0000 0A" /proc/net/tcp 2>/dev/null && break
		sleep 0.1
	done
	out=$("$CORRAL" run -- bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && echo CONNECTED" 2>&1); st=$?
	[ $st -ne 0 ] && [ $st -ne 125 ] && ! grep -q CONNECTED <<<"$out" && ok "network off: the container's loopback server cannot be reached" ||
		not_ok "network off: the container's loopback server cannot be reached" "status $st: $out"
	out=$(bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && echo CONNECTED" 2>&1)
	grep -q CONNECTED <<<"$out" && ok "control: it is reachable outside corral" || not_ok "control: it is reachable outside corral" "$out"
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	rm -f "$served"
	out=$("$CORRAL" run -- bash -c 'exec 3<>/dev/tcp/192.0.2.1/80 && echo CONNECTED' 2>&1); st=$?
	[ $st -ne 0 ] && [ $st -ne 125 ] && ! grep -q CONNECTED <<<"$out" && ok "network off: no route out" || not_ok "network off: no route out" "status $st: $out"
	# the tree is killed on timeout, a daemonised grandchild included
	mark=corral-ctest-$$-$RANDOM
	start=$(date +%s)
	"$CORRAL" run -t 1 -- bash -c "(setsid bash -c 'exec -a $mark sleep 300' &) ; exec -a $mark-top sleep 300" > /dev/null 2>&1; st=$?
	sleep 0.3
	left=$(pgrep -f "$mark" | tr '\n' ' ')
	if [ $st -eq 124 ] && [ -z "$left" ] && [ $(($(date +%s) - start)) -lt 30 ]; then ok "the whole tree is killed on timeout (124)"
	else not_ok "the whole tree is killed on timeout (124)" "status $st, left: ${left:-none}"; pkill -f "$mark"; fi
	# --tmp private and /dev/shm
	check "a private /tmp and /dev/shm are usable" "$CORRAL" run --tmp private -- sh -c 'echo x > /tmp/f && cat /tmp/f > /dev/null && (test ! -d /dev/shm || echo y > /dev/shm/f)'
	out=$("$CORRAL" doctor 2>&1)
	grep -q "work for uid" <<<"$out" && grep -q "how are writes scoped?" <<<"$out" && ok "doctor's probe runs" || not_ok "doctor's probe runs" "$out"
fi
after=$(cd "$T" && find . "$HOME/.bashrc" "$HOME/.ssh" -path ./proj -prune -o -printf '%p %s %T@\n' | sort; md5sum "$HOME/.bashrc" "$OUT/data.txt")
[ "$before" = "$after" ] && ok "nothing outside the workspace changed" ||
	not_ok "nothing outside the workspace changed" "$(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')"
rm -rf "$T"
echo "1..$n"
[ "$failed" -eq 0 ]
