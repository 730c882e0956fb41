#!/usr/bin/env bats
# Attacks on what lies outside the sandbox that the other files do not run:
# processes of the developer (ptrace, memory writes, limits, priority), the
# sandbox's own init and corral through /proc, descriptors re-opened through
# /proc/self/fd, the console (TIOCLINUX), SCTP, the session bus in
# $XDG_RUNTIME_DIR, metadata of outside files, setuid programs by name, host
# daemons that would start a process for the command (tmux, at,
# systemd-run), and a concurrent sandbox. Each test checks that the attack
# failed and that its target did not change; the "control:" tests run the
# same attack without corral.

load helpers

setup() { common_setup; }
teardown() {
	# the tmux test's host server, if the test stopped before killing it
	[ -n "${TOKEN:-}" ] && command -v tmux > /dev/null && tmux -L "$TOKEN" kill-server 2>/dev/null
	common_teardown
}

# start_victim: an outside process (procattack victim) with a marker string
# in its memory. Sets VICTIM (its pid) and VADDR (the marker's address).
start_victim() {
	bg "$HELPERS/procattack" victim "$T/victim"
	wait_for_content "$T/victim" 50 # written after the first marker
	read -r VICTIM VADDR < "$T/victim"
	[ "$VICTIM" = "$BG_PID" ] || fail "the victim reported pid $VICTIM, started $BG_PID"
}

# victim_state: what the attacks would change in the victim.
victim_state() {
	kill -0 "$VICTIM" 2>/dev/null || { echo "DEAD"; return; }
	cat "$T/victim.mark"
	grep -E '^TracerPid:' "/proc/$VICTIM/status" | tr -s '\t ' ' '
	grep -q '^State:.*(stopped\|tracing stop)' "/proc/$VICTIM/status" && echo STOPPED
	grep '^Max open files' "/proc/$VICTIM/limits" | tr -s ' '
	ps -o ni= -p "$VICTIM"
}

# attack_victim OP [ADDR]: run procattack OP on the victim inside the sandbox;
# it must be blocked and the victim unchanged.
attack_victim() {
	local before after
	before=$(victim_state)
	run corral run -- "$HELPERS/procattack" "$1" "$VICTIM" "${@:2}"
	assert_blocked || return 1
	sleep 0.15 # one more beat of the marker
	after=$(victim_state)
	[ "$before" = "$after" ] || fail "$1 changed the outside victim:" "before: $before" "after: $after"
}

@test "ptrace: PTRACE_ATTACH and PTRACE_SEIZE of an outside process fail; it is not traced" {
	start_victim
	attack_victim attach
	attack_victim seize
	grep -q '^TracerPid:[[:space:]]*0$' "/proc/$VICTIM/status"
}

@test "ptrace: process_vm_writev and /proc/PID/mem writes into an outside process fail; its memory is unchanged" {
	start_victim
	attack_victim vmwrite "$VADDR"
	attack_victim memwrite "$VADDR"
	[ "$(cat "$T/victim.mark")" = CORRAL-MARKER-ORIGINAL ]
}

@test "ptrace: prlimit and setpriority on an outside process fail; its limits and priority are unchanged" {
	start_victim
	attack_victim prlimit
	attack_victim nice
}

@test "ptrace: every process the command can see outside itself (init included) resists attach and memory writes" {
	start_victim
	local before
	before=$(victim_state)
	# The command attacks every pid in its /proc but its own and its parent
	# shell's (which it may legitimately trace: they are the command); then
	# the outside victim's number, in case it names something.
	run sb "for p in \$(ls /proc | grep -E '^[0-9]+\$') $VICTIM; do
			[ \"\$p\" = \$\$ ] && continue
			[ -e /proc/\$p ] && [ \"\$(cut -d' ' -f4 /proc/\$p/stat 2>/dev/null)\" = \$\$ ] && continue
			for op in attach seize prlimit nice; do
				# init is the sandbox's own process, with the command's uid:
				# prlimit and setpriority on it work (a limit, SECURITY.md)
				[ \$p = 1 ] && [ \$op = prlimit -o \$op = nice ] && continue
				must_fail \"\$H/procattack \$op \$p | grep -q SUCCEEDED\"
			done
			for op in vmwrite memwrite; do
				must_fail \"\$H/procattack \$op \$p $VADDR | grep -q SUCCEEDED\"
			done
		done"
	assert_sb_clean
	assert_output_has "blocked: $HELPERS/procattack attach 1 |"
	assert_output_has "blocked: $HELPERS/procattack memwrite 1 "
	[ "$before" = "$(victim_state)" ] || fail "the outside victim changed"
}

@test "control: ptrace, memory writes, prlimit and setpriority work on the victim outside" {
	start_victim
	local op
	for op in attach seize prlimit nice; do
		run "$HELPERS/procattack" "$op" "$VICTIM"
		[ "$status" -eq 0 ] || {
			[ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" -ge 2 ] &&
				skip "Yama ptrace_scope >= 2: no process may trace another here"
			show_output
			fail "$op does not work outside"
		}
	done
	grep -q '^Max open files *17 ' "/proc/$VICTIM/limits"
	[ "$(ps -o ni= -p "$VICTIM" | tr -d ' ')" = 19 ]
	run "$HELPERS/procattack" vmwrite "$VICTIM" "$VADDR"
	assert_success
	sleep 0.15
	[ "$(cat "$T/victim.mark")" = CORRAL-MARKER-PWNED!!! ]
}

@test "proc: corral's init (pid 1) cannot be reached through /proc/1 (exe, fd, environ, root, cwd, mem)" {
	local sum
	sum=$(md5sum < "$CORRAL_REAL")
	MARK_TOKEN=$TOKEN-init run sb "
		must_fail 'readlink /proc/1/exe'
		must_fail 'exec 9>>/proc/1/exe'
		must_fail 'exec 9</proc/1/exe'
		must_fail 'ls /proc/1/fd/ | grep -q .'
		must_fail 'for f in /proc/1/fd/*; do readlink \$f; done | grep -q .'
		must_fail 'exec 9</proc/1/fd/0'
		must_fail 'exec 9</proc/1/fd/3'
		must_fail 'cat /proc/1/environ | tr \"\\\\0\" \"\\\\n\" | grep -q $TOKEN-init'
		must_fail 'ls /proc/1/root/ | grep -q .'
		must_fail 'readlink /proc/1/cwd'
		must_fail 'exec 9</proc/1/mem'
		must_fail 'exec 9>>$CORRAL_REAL'
		must_fail 'cp /bin/true $CORRAL_REAL'
		must_work 'readlink /proc/self/exe | grep -q readlink'"
	assert_sb_clean
	[ "$(md5sum < "$CORRAL_REAL")" = "$sum" ] || fail "the corral binary changed"
}

@test "fds: a read-only stdin from an outside file cannot be reopened for writing through /proc/self/fd" {
	snap_outside before
	# Under userns fd 0 is a pipe the supervisor fills from the file (the
	# relay, docs/design.md "Ids and descriptors"): a re-open reaches that
	# pipe, never the file. Elsewhere Landlock (or the uid) refuses it.
	run corral run -- sh -c 'cat /proc/self/fd/0 && echo pwned >> /proc/self/fd/0 && echo REOPENED' < "$OUT/data.txt"
	if [ "$(corral run -- stat -L -c %F /proc/self/fd/0 < "$OUT/data.txt")" != fifo ]; then
		refute_output_has REOPENED
	fi
	assert_output_has "outside data"
	run corral run -- sh -c 'echo pwned > /dev/stdin && echo REOPENED; : > /proc/self/fd/0 && echo TRUNCATED' < "$OUT/data.txt"
	if [ "$(corral run -- stat -L -c %F /proc/self/fd/0 < "$OUT/data.txt")" != fifo ]; then
		refute_output_has REOPENED
		refute_output_has TRUNCATED
	fi
	assert_outside_unchanged before
	[ "$(cat "$OUT/data.txt")" = "outside data" ]
}

@test "control: a read-only stdin is reopened for writing through /proc/self/fd outside" {
	run sh -c 'echo appended >> /proc/self/fd/0 && echo REOPENED' < "$OUT/data.txt"
	assert_output_has REOPENED
	grep -q appended "$OUT/data.txt"
}

@test "tioclinux: TIOCLINUX fails with the filter's EPERM on any fd, a terminal included (both request forms)" {
	local form
	for form in low high; do
		run corral run -- "$HELPERS/tioclinux" "$form"
		assert_blocked
		assert_output_has "ERRNO: EPERM"
		run "$HELPERS/ptyrun" "$CORRAL" run -- "$HELPERS/tioclinux" "$form"
		assert_output_has "ERRNO: EPERM"
		refute_output_has SUCCEEDED
	done
}

@test "control: TIOCLINUX outside reaches the kernel's tty code (ENOTTY/EINVAL, not EPERM, without a console)" {
	local form
	for form in low high; do
		run "$HELPERS/tioclinux" "$form" < /dev/null
		refute_output_has "ERRNO: EPERM"
		assert_output_has "ERRNO: "
		run "$HELPERS/ptyrun" "$HELPERS/tioclinux" "$form"
		refute_output_has "ERRNO: EPERM"
	done
}

@test "sctp: SCTP sockets cannot be created, network off and on" {
	run corral run -- "$HELPERS/net" sctp
	assert_blocked
	assert_output_has "Protocol not supported"
	run corral run --network on -- "$HELPERS/net" sctp
	[ "$status" -ne 125 ] || skip "--network on is not available here: $output"
	assert_blocked
	assert_output_has "Protocol not supported"
}

@test "control: SCTP sockets open outside" {
	run "$HELPERS/net" sctp
	[ "$status" -eq 0 ] || skip "this kernel has no SCTP (so the sandboxed test shows only the filter): $output"
	assert_output_has SUCCEEDED
}

@test "unix: the session bus socket in \$XDG_RUNTIME_DIR cannot be connected (network off and on)" {
	start_server unix "$XDG_RUNTIME_DIR/bus"
	run corral run -- env DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG_RUNTIME_DIR/bus" "$HELPERS/net" unix "$XDG_RUNTIME_DIR/bus"
	assert_blocked
	run corral run --network on -- "$HELPERS/net" unix "$XDG_RUNTIME_DIR/bus"
	if [ "$status" -ne 125 ]; then assert_blocked; fi
	[ "$(served)" -eq 0 ] || fail "the host's bus socket was reached"
	"$HELPERS/net" unix "$XDG_RUNTIME_DIR/bus" | grep -q SUCCEEDED || fail "control: the socket is not reachable outside"
	[ "$(served)" -eq 1 ]
}

@test "outside: setxattr, FS_IOC_SETFLAGS and chown on an outside file fail, it is unchanged" {
	local flags
	flags=$(lsattr "$OUT/data.txt" 2>/dev/null || true)
	snap_outside before
	run corral run -- "$HELPERS/meta" setxattr "$OUT/data.txt"
	assert_blocked
	run corral run -- "$HELPERS/meta" setflags "$OUT/data.txt"
	assert_blocked
	run sb "must_fail 'chown \$(id -u):\$(id -g) $OUT/data.txt'
		must_fail 'chgrp \$(id -g) $OUT'
		must_fail 'chmod 777 $OUT/data.txt'"
	assert_sb_clean
	assert_outside_unchanged before
	[ "$(lsattr "$OUT/data.txt" 2>/dev/null || true)" = "$flags" ]
	if [ -n "$PYTHON" ]; then
		run "$PYTHON" -c 'import os, sys; print(os.listxattr(sys.argv[1]))' "$OUT/data.txt"
		refute_output_has user.corral
	fi
}

@test "setuid: sudo, pkexec, newuidmap, su and mount by name give no privilege" {
	local account uid tools=() t
	account=$(sandbox_account)
	uid=${account%% *}
	for t in sudo pkexec newuidmap su mount; do command -v "$t" > /dev/null && tools+=("$t"); done
	[ "${#tools[@]}" -gt 0 ] || skip "none of sudo, pkexec, newuidmap, su, mount is installed"
	run sb "
		must_fail 'sudo -n id -u | grep -qx 0'
		must_fail 'sudo -n true'
		must_fail 'sudo -n touch $OUT/sudo-was-here'
		must_fail 'pkexec id -u | grep -qx 0'
		must_fail 'newuidmap \$\$ 0 $uid 1'
		must_fail 'sh -c \"sleep 5 & newuidmap \\\$! 0 0 1\"'
		must_fail 'newgidmap \$\$ 0 0 1'
		must_fail 'su -c \"id -u\" root < /dev/null | grep -qx 0'
		must_fail 'mount -t tmpfs none $OUT'
		must_work '[ \"\$(id -u)\" = $uid ]'
		must_work 'grep -q \"^CapEff:[[:space:]]*0*\$\" /proc/self/status'"
	assert_sb_clean
	[ ! -e "$OUT/sudo-was-here" ]
	echo "# tried: ${tools[*]}" >&3
}

@test "daemons: tmux new -d inside starts a server that dies with the run and cannot reach the host's tmux" {
	require_tool tmux
	local beat=$WS/beat-tmux hostsock=/tmp/tmux-$(id -u)/$TOKEN
	# the developer's own tmux server, with one session
	tmux -L "$TOKEN" new-session -d -s host-session "sleep 300" 3>&-
	[ -S "$hostsock" ] || fail "the host tmux server did not start at $hostsock"
	run corral run -- bash -c "tmux -L $TOKEN new-session -d -s evil '$(beat_script "$beat")' 3>&- < /dev/null
		for i in \$(seq 50); do [ -s $beat ] && break; sleep 0.1; done
		tmux -L $TOKEN list-sessions
		# the same path inside is the private /tmp's: the host's session is not there
		tmux -S $hostsock has-session -t host-session && echo HOST-SERVER-REACHED
		exit 0"
	assert_success
	refute_output_has "host-session:"
	refute_output_has HOST-SERVER-REACHED
	assert_beat_stopped "$beat"
	assert_no_strays
	# with the host's /tmp the server's socket is there, masked: tmux inside
	# can neither reach it nor replace it with a server of its own
	run corral run --tmp host -- bash -c "tmux -L $TOKEN has-session -t host-session && echo HOST-SERVER-REACHED
		tmux -L $TOKEN new-session -d -s evil2 'sleep 300' 3>&- < /dev/null
		exit 0"
	refute_output_has HOST-SERVER-REACHED
	[ -S "$hostsock" ] || fail "the host's tmux socket is gone"
	run tmux -L "$TOKEN" list-sessions
	tmux -L "$TOKEN" kill-server 2>/dev/null
	assert_output_has "host-session:"
	refute_output_has evil
	assert_no_strays
}

@test "daemons: at cannot queue a job from inside" {
	require_tool at
	local before
	before=$(atq 2>&1)
	run sb "must_fail 'echo \"touch $OUT/at-ran\" | at now + 1 minute'
		must_fail 'echo \"touch $OUT/at-ran\" | batch'"
	assert_sb_clean
	[ "$(atq 2>&1)" = "$before" ] || fail "a job was queued:" "$(atq 2>&1)"
	[ ! -e "$OUT/at-ran" ]
}

@test "control: at queues a job outside" {
	require_tool at
	run bash -c "echo true | at now + 10 minutes"
	local job
	job=$(echo "$output" | awk '/^job / { print $2 }')
	[ -n "$job" ] || skip "at cannot queue jobs for this user here: $output"
	atrm "$job"
}

@test "daemons: systemd-run --user cannot start a unit from inside" {
	require_tool systemd-run
	run sb "must_fail 'systemd-run --user --quiet touch $OUT/unit-ran'
		must_fail 'systemd-run --user --scope --quiet touch $OUT/scope-ran'
		must_fail 'systemd-run --quiet touch $OUT/system-unit-ran'"
	assert_sb_clean
	sleep 0.3
	[ ! -e "$OUT/unit-ran" ] && [ ! -e "$OUT/scope-ran" ] && [ ! -e "$OUT/system-unit-ran" ]
	if ! systemd-run --user --quiet true 2>/dev/null; then
		skip "control: no user service manager here, so only the failure inside is shown"
	fi
}

@test "signals: kill -9 -1 in one sandbox does not reach a concurrent sandbox of the same user" {
	local beat=$WS/beat-first
	bg "$CORRAL" run -- bash -c "$(beat_script "$beat")"
	local first=$BG_PID
	wait_for_content "$beat" 100
	run corral run -- bash -c 'kill -9 -1; sleep 1; echo SURVIVED'
	[ "$status" -eq 137 ] || [ "$status" -eq 0 ] || { show_output; fail "unexpected status $status"; }
	local a b
	a=$(cat "$beat")
	sleep 0.5
	b=$(cat "$beat")
	[ "$a" != "$b" ] || fail "the first sandbox's process stopped: kill -9 -1 reached it"
	kill -0 "$first" || fail "the first corral died"
}
