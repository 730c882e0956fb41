#!/usr/bin/env bats
# The process boundary: signals, privileges, kernel surface, the terminal,
# inherited descriptors, and the life of the process tree.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "privileges: NoNewPrivs is 1 and every capability set is 0 inside" {
	run corral run -- grep -E '^(NoNewPrivs|CapInh|CapPrm|CapEff|CapAmb):' /proc/self/status
	assert_success
	assert_output_has "NoNewPrivs:	1"
	assert_output_has "CapEff:	0000000000000000"
	assert_output_has "CapPrm:	0000000000000000"
	assert_output_has "CapInh:	0000000000000000"
	assert_output_has "CapAmb:	0000000000000000"
}

@test "privileges: a setuid-root program does not run as root inside" {
	[ -n "${SUID_ID:-}" ] && [ -u "$SUID_ID" ] ||
		skip "no setuid-root copy of id (run.sh makes one when started as root)"
	[ "$(id -u)" -ne 0 ] || skip "the caller is root already"
	[ "$("$SUID_ID" -u)" = 0 ] || skip "control: $SUID_ID does not give euid 0 here (nosuid mount?)"
	run corral run -- "$SUID_ID" -u
	assert_success
	# not 0: the caller's own uid with userns, corral-offline's with users
	[ "$output" = "$(sandbox_account | cut -d' ' -f1)" ] || { show_output; fail "the setuid bit took effect inside"; }
}

@test "privileges: ping's file capability (cap_net_raw) is not granted inside" {
	require_tool ping
	[ "$(id -u)" -ne 0 ] || skip "the caller is root"
	"$HELPERS/net" icmp 127.0.0.1 > /dev/null 2>&1 &&
		skip "unprivileged ICMP sockets are allowed here (ping_group_range): ping needs no capability"
	ping -c1 -W1 127.0.0.1 > /dev/null 2>&1 || skip "control: ping does not work outside either"
	# If unprivileged ICMP sockets work inside, ping needs no capability there
	# and its success would prove nothing.
	run sb 'if $H/net icmp 127.0.0.1 > /dev/null; then echo "ICMP sockets allowed inside"
		else must_fail "ping -c1 -W1 127.0.0.1"; fi'
	assert_sb_clean
}

@test "privileges: setuid binaries (su, mount) give nothing" {
	mkdir -p "$WS/m"
	run sb 'must_fail "su -c true root < /dev/null"
		must_fail "mount -t tmpfs none $WS/m"
		must_fail "$H/memfd_exec /bin/su -c true root < /dev/null"'
	assert_sb_clean
	[ -z "$(ls -A "$WS/m")" ]
}

@test "privileges: a program run from a memfd still has no capabilities" {
	run corral run -- "$HELPERS/memfd_exec" /bin/grep -E '^(CapEff|NoNewPrivs):' /proc/self/status
	[ "$status" -eq 0 ] || [[ "$output" == *"BLOCKED: "* ]] || { show_output; fail "unexpected status $status"; }
	if [ "$status" -eq 0 ]; then
		assert_output_has "CapEff:	0000000000000000"
		assert_output_has "NoNewPrivs:	1"
	fi
}

@test "userns: unshare -U and a nested user namespace (unshare, clone, clone3) fail" {
	local how escaped=()
	for how in unshare clone clone3; do
		run corral run -- "$HELPERS/userns" "$how"
		assert_blocked 2>/dev/null || escaped+=("$how: $output")
	done
	run sb 'must_fail "unshare -U true"
		must_fail "unshare -Ur true"
		must_fail "unshare -Urm true"'
	assert_sb_clean
	[ "${#escaped[@]}" -eq 0 ] || fail "not blocked:" "${escaped[@]}"
}

@test "mount: mount, remount, umount, bind, open_tree, move_mount, fsopen and mount_setattr fail" {
	mkdir -p "$WS/m"
	local args escaped=()
	for args in "tmpfs $WS/m" "remount /" "remount $HOME" "setattr $HOME" "umount $WS" \
		"bind $OUT $WS/m" "open_tree $OUT" "move_mount $OUT $WS/m" fsopen; do
		# shellcheck disable=SC2086
		run corral run -- "$HELPERS/mount_attack" $args
		assert_blocked 2>/dev/null || escaped+=("$args: $output")
	done
	run sb 'must_fail "mount -o remount,rw /"
		must_fail "mount --bind $OUT $WS/m"
		must_fail "umount -l $WS"'
	assert_sb_clean
	[ "${#escaped[@]}" -eq 0 ] || fail "not blocked:" "${escaped[@]}"
	[ -z "$(ls -A "$WS/m")" ]
}

@test "mount: after remount attempts, the home directory is still read-only" {
	snap_outside before
	run sb '$H/mount_attack remount $HOME > /dev/null
		$H/mount_attack remount / > /dev/null
		$H/mount_attack setattr $HOME > /dev/null
		$H/mount_attack umount $HOME > /dev/null
		must_fail "echo evil >> $HOME/.bashrc"'
	assert_sb_clean
	assert_outside_unchanged before
}

# abi_entry_or_skip HOW: skip when the entry point does not exist on this
# machine even outside a sandbox (its control in controls.bats skips too):
# refused there, the attack inside would pass without proving anything.
abi_entry_or_skip() {
	local out
	out=$("$HELPERS/abi" "$1" 2>&1) && return 0
	case $out in
	*"not implemented"* | *"not supported"*) skip "this machine lacks the $1 entry even outside: ${out//$'\n'/ }" ;;
	esac
	fail "the abi helper does not work outside: $out"
}

@test "abi: the x32 syscall entry fails" {
	abi_entry_or_skip x32
	run corral run -- "$HELPERS/abi" x32
	assert_blocked
}

@test "abi: the i386 entry (int 0x80) fails" {
	abi_entry_or_skip int80
	run corral run -- "$HELPERS/abi" int80
	assert_blocked
}

@test "abi: the native entry works (control for the two above)" {
	run corral run -- "$HELPERS/abi" native
	assert_worked
}

@test "kernel: bpf, perf_event_open, userfaultfd, keyctl, personality, kexec and module loading fail" {
	local what escaped=()
	for what in bpf perf userfaultfd keyctl personality kexec module; do
		run corral run -- "$HELPERS/kernel" "$what"
		assert_blocked 2>/dev/null || escaped+=("$what: $output")
	done
	[ "${#escaped[@]}" -eq 0 ] || fail "not blocked:" "${escaped[@]}"
}

@test "tiocsti: TIOCSTI into the caller's terminal fails" {
	run "$HELPERS/ptyrun" "$CORRAL" run -- "$HELPERS/tiocsti" low
	refute_output_has "PENDING-INPUT"
	refute_output_has "SUCCEEDED"
	[ "$status" -ne 99 ] && [ "$status" -ne 0 ] && [ "$status" -lt 125 -o "$status" -eq 159 ] ||
		{ show_output; fail "unexpected status $status"; }
	[[ "$output" == *BLOCKED* || "$output" == *NOTTY* || "$status" -eq 159 ]] || { show_output; fail "the helper did not run"; }
}

@test "tiocsti: TIOCSTI with high bits set in the request number fails" {
	run "$HELPERS/ptyrun" "$CORRAL" run -- "$HELPERS/tiocsti" high
	refute_output_has "PENDING-INPUT"
	refute_output_has "SUCCEEDED"
	[ "$status" -ne 99 ] && [ "$status" -ne 0 ] && [ "$status" -lt 125 -o "$status" -eq 159 ] ||
		{ show_output; fail "unexpected status $status"; }
	[[ "$output" == *BLOCKED* || "$output" == *NOTTY* || "$status" -eq 159 ]] || { show_output; fail "the helper did not run"; }
}

@test "tiocsti: the command on a terminal still runs and its output arrives" {
	run "$HELPERS/ptyrun" "$CORRAL" run -- sh -c 'echo on-a-tty; exit 4'
	assert_status 4
	assert_output_has on-a-tty
}

@test "fds: descriptors beyond 2 (fd 5 and 7 open in the caller) do not reach the command" {
	exec 5< "$OUT/data.txt" 7> "$T/fd7"
	run corral run -- "$HELPERS/fds"
	exec 5<&- 7>&-
	assert_blocked
	refute_output_has "$OUT/data.txt"
	run corral run -- sh -c 'ls /proc/self/fd'
	assert_success
	[ "$(echo "$output" | sort -n | tr '\n' ' ')" = "0 1 2 3 " ] || { show_output; fail "unexpected fds"; }
}

@test "fds: the --status-fd descriptor does not reach the command either" {
	run corral run --status-fd 3 -- "$HELPERS/fds" 3> "$T/status.json"
	assert_blocked
}

@test "signals: kill, kill -9 -1 and pidfd_send_signal cannot reach an outside process" {
	bg sleep 300
	local victim=$BG_PID
	kill -0 "$victim"
	assert_outside_untouchable "$victim"
}

@test "signals: the environment of outside processes cannot be read through /proc" {
	FOO_MARK=$TOKEN-environ bg sleep 300
	local victim=$BG_PID
	run sb "must_fail 'cat /proc/$victim/environ | tr \"\\\\0\" \"\\\\n\" | grep -q $TOKEN-environ'
		must_fail 'cat /proc/*/environ 2>/dev/null | tr \"\\\\0\" \"\\\\n\" | grep -q $TOKEN-environ'
		must_fail 'cat /proc/$victim/cmdline | grep -q sleep'"
	assert_sb_clean
}

@test "tree: a daemonised grandchild (setsid + double fork, nohup) is gone after the run" {
	local beat1=$WS/beat-setsid beat2=$WS/beat-nohup
	run corral run -- bash -c "
		setsid bash -c '( $(beat_script "$beat1") ) &' < /dev/null > /dev/null 2>&1
		nohup bash -c '$(beat_script "$beat2")' < /dev/null > /dev/null 2>&1 &
		disown -a
		for i in \$(seq 50); do [ -s $beat1 ] && [ -s $beat2 ] && break; sleep 0.1; done
		exit 0"
	assert_success
	assert_beat_stopped "$beat1"
	assert_beat_stopped "$beat2"
	assert_no_strays
}

@test "tree: --timeout gives 124 and kills the whole tree (also a setsid'd child)" {
	local beat=$WS/beat beat2=$WS/beat-setsid
	local start=$SECONDS
	# 3 s: long enough for both beats to start on a loaded machine
	run corral run -t 3 -- bash -c "exec > /dev/null 2>&1
		( $(beat_script "$beat") ) &
		setsid bash -c '$(beat_script "$beat2")' &
		sleep 60"
	assert_status 124
	[ $((SECONDS - start)) -lt 15 ] || fail "the timeout took $((SECONDS - start))s"
	assert_beat_stopped "$beat"
	assert_beat_stopped "$beat2"
	assert_no_strays
}

@test "tree: kill -9 of corral kills the whole tree (also a setsid'd child)" {
	local beat=$WS/beat beat2=$WS/beat-setsid
	bg "$CORRAL" run -- bash -c "exec > /dev/null 2>&1
		( $(beat_script "$beat") ) &
		setsid bash -c '$(beat_script "$beat2")' &
		sleep 300"
	local cpid=$BG_PID
	wait_for_content "$beat" 100
	wait_for_content "$beat2" 100
	kill -9 "$cpid"
	wait "$cpid" 2>/dev/null || true
	assert_beat_stopped "$beat"
	assert_beat_stopped "$beat2"
	assert_no_strays
}

# start_trapping SIGNAL EXIT: corral (with default signal dispositions) runs a
# command that traps SIGNAL, writes got-SIGNAL and exits EXIT.
start_trapping() {
	bg "$HELPERS/sigdfl" "$CORRAL" run -- bash -c "
		trap 'echo \$\$ > got-$1; exit $2' $1
		touch ready-$1
		while :; do sleep 0.05; done" > "$T/trap.out" 2>&1
	wait_for_file "$WS/ready-$1" 100
	sleep 0.1
}

@test "signals: SIGTERM to corral reaches the command first" {
	start_trapping TERM 7
	local cpid=$BG_PID
	kill -TERM "$cpid"
	local st=0
	wait "$cpid" || st=$?
	[ -f "$WS/got-TERM" ] || { cat "$T/trap.out" >&2; fail "the command never saw SIGTERM (corral exited $st)"; }
	[ "$st" -eq 7 ] || fail "corral exited $st, the command exited 7"
}

@test "signals: SIGINT to corral reaches the command first" {
	start_trapping INT 8
	local cpid=$BG_PID
	kill -INT "$cpid"
	local st=0
	wait "$cpid" || st=$?
	[ -f "$WS/got-INT" ] || { cat "$T/trap.out" >&2; fail "the command never saw SIGINT (corral exited $st)"; }
	[ "$st" -eq 8 ] || fail "corral exited $st, the command exited 8"
}

@test "signals: SIGHUP to corral reaches the command first" {
	start_trapping HUP 9
	local cpid=$BG_PID
	kill -HUP "$cpid"
	local st=0
	wait "$cpid" || st=$?
	[ -f "$WS/got-HUP" ] || { cat "$T/trap.out" >&2; fail "the command never saw SIGHUP (corral exited $st)"; }
	[ "$st" -eq 9 ] || fail "corral exited $st, the command exited 9"
}
