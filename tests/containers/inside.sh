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
#
# In holds mode, $PROC says which /proc the sandbox must get: "own" (a new
# proc of its pid namespace: only its processes) or "container" (the
# runtime masks /proc, the kernel refuses a new one: the container's,
# read-only, announced; then the attacks on the container's processes
# through it must fail, with controls outside corral).
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

# The container's /proc, kept (docs/platforms.md, "Containers"): the command
# must not reach the container's processes outside the sandbox through it
# (same uid): their environment, root, cwd, memory, descriptors; no write
# to them, no signal. Each read is shown to work outside corral first.
proc_attacks() {
	local out st v v2 fdt addr readmem
	out=$(corral_run -- true 2>&1); st=$?
	[ $st -eq 0 ] && grep -q "warning: /proc is masked here (a container) .* the container's /proc, read-only" <<<"$out" &&
		ok "the container's /proc is announced on stderr" || not_ok "the container's /proc is announced on stderr" "status $st: $out"
	out=$(corral_run --status-fd 3 -- true 3>&1 2> /dev/null)
	grep -q '"proc":"container"' <<<"$out" && ok "the status record says \"proc\":\"container\"" ||
		not_ok "the status record says \"proc\":\"container\"" "$out"
	out=$("$CORRAL" explain 2>&1)
	grep -q "the container's /proc, read-only" <<<"$out" && ok "explain says so" || not_ok "explain says so" "$out"
	out=$(CORRAL_REQUIRE_OWN_PROC=1 corral_run -- true 2>&1); st=$?
	[ $st -eq 125 ] && grep -q "CORRAL_REQUIRE_OWN_PROC=1 refuses the container's /proc instead: .*unmask=/proc/\*" <<<"$out" &&
		ok "CORRAL_REQUIRE_OWN_PROC=1 refuses it (125), naming the fix" ||
		not_ok "CORRAL_REQUIRE_OWN_PROC=1 refuses it (125), naming the fix" "status $st: $out"
	out=$(CORRAL_TEST_LANDLOCK_ABI=0 corral_run -- true 2>&1); st=$?
	[ $st -eq 125 ] && grep -q "only with Landlock" <<<"$out" && ok "without Landlock it is refused (125)" ||
		not_ok "without Landlock it is refused (125)" "status $st: $out"
	out=$(corral_run -- sh -c 'echo 500 > /proc/self/oom_score_adj' 2>&1); st=$?
	[ $st -ne 0 ] && grep -q "Read-only file system" <<<"$out" && ok "/proc is read-only, /proc/self too" ||
		not_ok "/proc is read-only, /proc/self too" "status $st: $out"
	# (users: the captured output is a pipe of another uid, which cannot be reopened)
	if [ -z "${BACKEND:-}" ]; then
		check "/proc/self and /dev/stdout work" corral_run -- sh -c 'test -r /proc/self/status && echo x > /dev/stdout'
	else
		check "/proc/self works" corral_run -- sh -c 'test -r /proc/self/status && readlink /proc/self/fd/1 > /dev/null'
	fi

	# the victim: a process of the container outside the sandbox, same uid,
	# with a secret in its environment, its cwd outside, the SSH key open
	(cd "$OUT" && exec env VICTIM_SECRET=CORRAL-SECRET-env sleep 300 3< "$HOME/.ssh/id_ed25519") &
	v=$!
	sleep 0.2
	fdt=$(readlink "/proc/$v/fd/3")
	# 16 bytes of its memory at its first mapping, through /proc/PID/mem
	addr=$(( 0x$(head -n 1 "/proc/$v/maps" | cut -d- -f1) ))
	readmem="open(my \$m, '<', '/proc/$v/mem') or die \"open: \$!\\n\"; sysseek(\$m, $addr, 0) or die \"seek: \$!\\n\";
		sysread(\$m, my \$b, 16) == 16 or die \"read: \$!\\n\"; print \"READ\\n\""
	[ "$fdt" = "$HOME/.ssh/id_ed25519" ] && grep -qa CORRAL-SECRET-env "/proc/$v/environ" && [ -e "/proc/$v/root$OUT/data.txt" ] &&
		[ "$(readlink "/proc/$v/cwd")" = "$OUT" ] && grep -q CORRAL-SECRET-key "/proc/$v/fd/3" && perl -e "$readmem" | grep -q READ &&
		ok "control: outside corral its environ, fd, root, cwd and mem are readable" ||
		not_ok "control: outside corral its environ, fd, root, cwd and mem are readable" "fd3=$fdt mem: $(perl -e "$readmem" 2>&1)"
	out=$(corral_run -- sh -c "cat /proc/$v/environ" 2>&1); st=$?
	[ $st -ne 0 ] && ! grep -q CORRAL-SECRET <<<"$out" && ok "its /proc/PID/environ cannot be read" ||
		not_ok "its /proc/PID/environ cannot be read" "status $st: $out"
	# the first of the two layers, without corral: the kernel's capability
	# rule (security/commoncap.c) denies ptrace access from another user
	# namespace; Landlock's ptrace rule is the second
	out=$(unshare -U cat "/proc/$v/environ" 2>&1); st=$?
	[ $st -ne 0 ] && ! grep -q CORRAL-SECRET <<<"$out" && ok "the kernel alone: from another user namespace its environ cannot be read" ||
		not_ok "the kernel alone: from another user namespace its environ cannot be read" "status $st: $out"
	out=$(corral_run -- sh -c "cat /proc/$v/root$HOME/.ssh/id_ed25519; ls /proc/$v/root/; echo evil > /proc/$v/root$OUT/data.txt" 2>&1); st=$?
	[ $st -ne 0 ] && ! grep -q CORRAL-SECRET <<<"$out" && [ "$(cat "$OUT/data.txt")" = data ] &&
		ok "its /proc/PID/root cannot be read or written through" ||
		not_ok "its /proc/PID/root cannot be read or written through" "status $st: $out"
	out=$(corral_run -- sh -c "ls /proc/$v/cwd/ && echo LISTED" 2>&1); st=$?
	[ $st -ne 0 ] && ! grep -q LISTED <<<"$out" && ok "its /proc/PID/cwd cannot be listed" ||
		not_ok "its /proc/PID/cwd cannot be listed" "status $st: $out"
	out=$(corral_run -- sh -c 'perl -e "$1"; cat /proc/'"$v"'/maps' sh "$readmem" 2>&1); st=$?
	[ $st -ne 0 ] && ! grep -q READ <<<"$out" && ! grep -q sleep <<<"$out" && ok "its /proc/PID/mem and maps cannot be read" ||
		not_ok "its /proc/PID/mem and maps cannot be read" "status $st: $out"
	out=$(corral_run -- sh -c "cat /proc/$v/fd/3; readlink /proc/$v/fd/3; cat /proc/$v/fdinfo/3" 2>&1); st=$?
	[ $st -ne 0 ] && ! grep -q -e CORRAL-SECRET -e id_ed25519 -e '^pos:' <<<"$out" && ok "its /proc/PID/fd and fdinfo cannot be followed or read" ||
		not_ok "its /proc/PID/fd and fdinfo cannot be followed or read" "status $st: $out"
	local adj
	adj=$(cat "/proc/$v/oom_score_adj")
	out=$(corral_run -- sh -c "echo 999 > /proc/$v/oom_score_adj" 2>&1); st=$?
	[ $st -ne 0 ] && [ "$(cat "/proc/$v/oom_score_adj")" = "$adj" ] && ok "its /proc/PID/oom_score_adj cannot be written" ||
		not_ok "its /proc/PID/oom_score_adj cannot be written" "status $st: $out"
	# kill: by its pid (the sandbox's pid namespace names another process or
	# none), and through its /proc directory as a pidfd (pidfd_send_signal)
	out=$(corral_run -- perl -e 'use Fcntl; sysopen(my $d, "/proc/'"$v"'", O_RDONLY | O_DIRECTORY) or die "open: $!\n";
		my $r = syscall(424, fileno($d), 9, 0, 0); print $r == 0 ? "KILLED\n" : "refused: $!\n"; kill 9, '"$v"'' 2>&1); st=$?
	sleep 0.2
	kill -0 "$v" 2> /dev/null && ! grep -q KILLED <<<"$out" && ok "it cannot be killed, by pid or through /proc/PID as a pidfd" ||
		not_ok "it cannot be killed, by pid or through /proc/PID as a pidfd" "status $st: $out"
	echo 5 > "/proc/$v/oom_score_adj" 2> /dev/null
	[ "$(cat "/proc/$v/oom_score_adj")" = 5 ] && ok "control: outside corral its oom_score_adj can be written" ||
		not_ok "control: outside corral its oom_score_adj can be written" "$(cat "/proc/$v/oom_score_adj")"
	out=$(perl -e 'use Fcntl; sysopen(my $d, "/proc/'"$v"'", O_RDONLY | O_DIRECTORY) or die; print syscall(424, fileno($d), 9, 0, 0) == 0 ? "KILLED\n" : "refused: $!\n"' 2>&1)
	sleep 0.2
	! kill -0 "$v" 2> /dev/null && grep -q KILLED <<<"$out" && ok "control: outside corral the pidfd kill works" ||
		not_ok "control: outside corral the pidfd kill works" "$out"
	kill -9 "$v" 2> /dev/null
	wait "$v" 2> /dev/null
	# the tree is still killed on timeout: the pid namespace stays
	v2=corral-ctest-proc-$$
	corral_run -t 1 -- bash -c "(setsid bash -c 'exec -a $v2 sleep 300' &); sleep 300" > /dev/null 2>&1; st=$?
	sleep 0.3
	[ $st -eq 124 ] && ! pgrep -f "$v2" > /dev/null && ok "with the container's /proc the tree is still killed on timeout" ||
		{ not_ok "with the container's /proc the tree is still killed on timeout" "status $st"; pkill -f "$v2"; }
}

# $BACKEND (users: corral-setup was run in the container, users.sh) picks the backend
corral_run() { "$CORRAL" run ${BACKEND:+--backend "$BACKEND"} "$@"; }

export HOME=${HOME:-/home/tester}
T=$(mktemp -d "${WORKROOT:-$HOME}/t.XXXXXX") || { echo "not ok 1 - $VARIANT: no test directory"; exit 1; }
WS=$T/proj OUT=$T/outside
mkdir -p "$WS/.git" "$OUT" "$HOME/.ssh"
echo '[core]' > "$WS/.git/config"
echo data > "$OUT/data.txt"
echo "CORRAL-SECRET-key" > "$HOME/.ssh/id_ed25519"
chmod 600 "$HOME/.ssh/id_ed25519"
echo '# bashrc' > "$HOME/.bashrc"
# PROC=none: the users backend's namespace-less fallback (user namespaces
# blocked): the sandbox user writes by its own permissions (an ACL, as
# docs/elevated.md says), and the top of a writable root is fixed
sub=.
if [ "${PROC:-own}" = none ]; then
	mkdir "$WS/src"
	sub=src
	setfacl -R -m u:corral-offline:rwX,d:u:corral-offline:rwX,d:u:"$(id -un)":rwX "$WS"
	chmod 700 "$HOME/.ssh" # deny-read is the file permissions' job here (else refused, 125)
fi
cd "$WS" || exit 1
before=$(cd "$T" && find . "$HOME/.bashrc" "$HOME/.ssh" -path ./proj -prune -o -printf '%p %s %T@\n' | sort; md5sum "$HOME/.bashrc" "$OUT/data.txt")

if [ "$mode" = refuses ]; then
	out=$(corral_run -- true 2>&1)
	st=$?
	if [ "$st" -eq 125 ] && grep -Eq -- "$EXPECT" <<<"$out"; then ok "run is refused with 125, naming the cause and the fix"
	else not_ok "run is refused with 125, naming the cause and the fix" "status $st: $out" "expected: $EXPECT"; fi
	out=$(corral_run -- sh -c "echo evil > $OUT/data.txt" 2>&1)
	[ "$(cat "$OUT/data.txt")" = data ] && ok "nothing ran: the outside file is unchanged" ||
		not_ok "nothing ran: the outside file is unchanged" "$out"
	out=$("$CORRAL" doctor 2>&1)
	if grep -Eq -- "${EXPECT_DOCTOR:-$EXPECT}" <<<"$out"; then ok "doctor names the cause and the fix"
	else not_ok "doctor names the cause and the fix" "$out"; fi
else
	check "a command runs and writes in the workspace" corral_run -- sh -c 'echo ok > '$sub'/inside.txt && test "$(cat '$sub'/inside.txt)" = ok'
	check "the workspace file is there outside" test -f "$WS/$sub/inside.txt"
	out=$(corral_run -- sh -c "echo evil >> $HOME/.bashrc" 2>&1); st=$?
	# (users: another uid, so the file's permissions refuse it first)
	[ $st -ne 0 ] && [ $st -ne 125 ] && grep -q -e "Read-only file system" ${BACKEND:+-e "Permission denied"} <<<"$out" &&
		ok "writing ~/.bashrc fails (read-only)" || not_ok "writing ~/.bashrc fails (read-only)" "status $st: $out"
	out=$(corral_run -- sh -c "echo evil > $OUT/data.txt" 2>&1); st=$?
	[ $st -ne 0 ] && [ $st -ne 125 ] && ok "writing outside the workspace fails" || not_ok "writing outside the workspace fails" "status $st: $out"
	out=$(corral_run -- sh -c 'echo "[core] hooksPath=/x" >> .git/config; mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit; mv .git g; mkdir .codex; echo x > .corral.toml; exit 0' 2>&1); st=$?
	if [ $st -eq 0 ] && [ "$(cat .git/config)" = '[core]' ] && [ ! -e .git/hooks ] && [ ! -e g ] && [ ! -e .codex ] && [ ! -e .corral.toml ]; then
		ok "protected names (.git, .codex, .corral.toml) stay as they were"
	else not_ok "protected names (.git, .codex, .corral.toml) stay as they were" "status $st: $out" "$(ls -A)"; fi
	out=$(corral_run -- cat "$HOME/.ssh/id_ed25519" 2>&1); st=$?
	[ $st -ne 0 ] && [ $st -ne 125 ] && ! grep -q CORRAL-SECRET <<<"$out" && ok "the SSH key cannot be read" ||
		not_ok "the SSH key cannot be read" "status $st: $out"
	out=$(MY_API_KEY=hunter2 corral_run -- sh -c 'echo "key=${MY_API_KEY:-}"' 2>&1)
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
	out=$(corral_run -- bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && echo CONNECTED" 2>&1); st=$?
	[ $st -ne 0 ] && [ $st -ne 125 ] && ! grep -q CONNECTED <<<"$out" && ok "network off: the container's loopback server cannot be reached" ||
		not_ok "network off: the container's loopback server cannot be reached" "status $st: $out"
	out=$(bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && echo CONNECTED" 2>&1)
	grep -q CONNECTED <<<"$out" && ok "control: it is reachable outside corral" || not_ok "control: it is reachable outside corral" "$out"
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	rm -f "$served"
	out=$(corral_run -- bash -c 'exec 3<>/dev/tcp/192.0.2.1/80 && echo CONNECTED' 2>&1); st=$?
	[ $st -ne 0 ] && [ $st -ne 125 ] && ! grep -q CONNECTED <<<"$out" && ok "network off: no route out" || not_ok "network off: no route out" "status $st: $out"
	# the tree is killed on timeout, a daemonised grandchild included
	mark=corral-ctest-$$-$RANDOM
	start=$(date +%s)
	corral_run -t 1 -- bash -c "(setsid bash -c 'exec -a $mark sleep 300' &) ; exec -a $mark-top sleep 300" > /dev/null 2>&1; st=$?
	sleep 0.3
	left=$(pgrep -f "$mark" | tr '\n' ' ')
	if [ $st -eq 124 ] && [ -z "$left" ] && [ $(($(date +%s) - start)) -lt 30 ]; then ok "the whole tree is killed on timeout (124)"
	else not_ok "the whole tree is killed on timeout (124)" "status $st, left: ${left:-none}"; pkill -f "$mark"; fi
	if [ "${PROC:-own}" = none ]; then
		out=$(corral_run -- true 2>&1); st=$?
		[ $st -eq 0 ] && grep -q "user namespaces are blocked here: running as the sandbox user without namespaces" <<<"$out" &&
			ok "the namespace-less fallback is announced on stderr" || not_ok "the namespace-less fallback is announced on stderr" "status $st: $out"
		out=$(CORRAL_REQUIRE_NAMESPACES=1 corral_run -- true 2>&1); st=$?
		[ $st -eq 125 ] && ok "CORRAL_REQUIRE_NAMESPACES=1 refuses it (125)" || not_ok "CORRAL_REQUIRE_NAMESPACES=1 refuses it (125)" "status $st: $out"
	elif [ "${PROC:-own}" = own ]; then
		out=$(corral_run -- sh -c 'ls /proc | grep -c "^[0-9]"' 2>&1); st=$?
		[ $st -eq 0 ] && [ "$(tail -n 1 <<<"$out")" -le 5 ] && ! grep -q "container's /proc" <<<"$out" &&
			ok "the sandbox has a /proc of its own (its processes only)" ||
			not_ok "the sandbox has a /proc of its own (its processes only)" "status $st: $out"
	else
		proc_attacks
	fi
	# --tmp private and /dev/shm
	if [ "${PROC:-own}" = none ]; then # no private /tmp without namespaces: the container's stays unwritable
		out=$(corral_run --tmp private -- sh -c 'echo x > /tmp/corral-ctest-f' 2>&1); st=$?
		[ $st -ne 0 ] && [ $st -ne 125 ] && [ ! -e /tmp/corral-ctest-f ] && ok "without namespaces the container's /tmp cannot be written" ||
			not_ok "without namespaces the container's /tmp cannot be written" "status $st: $out"
	else
		check "a private /tmp and /dev/shm are usable" corral_run --tmp private -- sh -c 'echo x > /tmp/f && cat /tmp/f > /dev/null && (test ! -d /dev/shm || echo y > /dev/shm/f)'
	fi
	out=$("$CORRAL" doctor 2>&1)
	if [ "${PROC:-own}" = none ]; then
		grep -q "namespace-less fallback: user namespaces are blocked here" <<<"$out" && ok "doctor describes the fallback" ||
			not_ok "doctor describes the fallback" "${out//$'\n'/ | }"
	else
		grep -q "work for uid" <<<"$out" && grep -q "how are writes scoped?" <<<"$out" && ok "doctor's probe runs" || not_ok "doctor's probe runs" "$out"
	fi
fi
after=$(cd "$T" && find . "$HOME/.bashrc" "$HOME/.ssh" -path ./proj -prune -o -printf '%p %s %T@\n' | sort; md5sum "$HOME/.bashrc" "$OUT/data.txt")
[ "$before" = "$after" ] && ok "nothing outside the workspace changed" ||
	not_ok "nothing outside the workspace changed" "$(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')"
rm -rf "$T"
echo "1..$n"
[ "$failed" -eq 0 ]
