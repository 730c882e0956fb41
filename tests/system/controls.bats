#!/usr/bin/env bats
# Controls: every attack helper, run WITHOUT corral, really does what it
# claims. Without these, a helper that is simply broken would make every
# "attack blocked" test pass. Where this machine or this user cannot do the
# attack even outside a sandbox (a kernel option is off, root is needed),
# the control is skipped with the reason -- the sandboxed test then proves
# less on this machine, and the skip says so.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

# works_or_skip REASON-IF-ENVIRONMENT CMD...: the helper must succeed; if it
# reports an error that only the environment explains, skip.
control() {
	run "$@"
	if [ "$status" -eq 0 ] && [[ "$output" == *SUCCEEDED* ]]; then
		return 0
	fi
	case $output in
	*"not implemented"* | *"not supported"* | *"Address family not supported"* | *"Protocol not supported"*)
		skip "this kernel lacks it: $output" ;;
	*"Operation not permitted"* | *"Permission denied"*)
		[ "$(id -u)" -ne 0 ] && skip "needs privileges this user lacks: $output" ;;
	esac
	show_output
	fail "the helper does not work even outside the sandbox: $*"
}

@test "control: io_uring socket and connect work outside" {
	start_server tcp 127.0.0.1
	control "$HELPERS/io_uring"
	control "$HELPERS/io_uring" 127.0.0.1 "$SERVER_PORT"
	[ "$(served)" -eq 1 ]
}

@test "control: TIOCSTI injects into the terminal outside (both request forms)" {
	run "$HELPERS/ptyrun" "$HELPERS/tiocsti" low
	if [ "$status" -ne 99 ]; then
		[ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null)" = 0 ] && [ "$(id -u)" -ne 0 ] &&
			skip "dev.tty.legacy_tiocsti=0: the kernel refuses TIOCSTI to this user anyway"
		show_output
		fail "TIOCSTI did not inject"
	fi
	assert_output_has PENDING-INPUT
	run "$HELPERS/ptyrun" "$HELPERS/tiocsti" high
	assert_status 99
}

@test "control: renameat2(RENAME_EXCHANGE) swaps outside" {
	mkdir "$WS/a" "$WS/b"
	touch "$WS/a/in-a"
	control "$HELPERS/rename_exchange" "$WS/a" "$WS/b"
	[ -e "$WS/b/in-a" ]
}

@test "control: setxattr and FS_IOC_SETFLAGS work outside" {
	control "$HELPERS/meta" setxattr "$WS/README.md"
	control "$HELPERS/meta" setflags "$WS/README.md"
}

@test "control: mount attacks work outside in a user+mount namespace" {
	if [ "$(id -u)" -eq 0 ]; then
		local wrap=(unshare -m --propagation private)
	else
		unshare -Urm true 2> /dev/null || skip "unprivileged user namespaces do not work here"
		local wrap=(unshare -Urm --propagation private)
	fi
	mkdir -p "$T/a" "$T/b"
	run "${wrap[@]}" bash -c '
		H=$1 A=$2 B=$3
		mount --bind "$A" "$A" && mount -o remount,bind,ro "$A" || exit 3
		for args in "remount $A" "setattr $A" "umount $A" "tmpfs $A" "bind $B $A" "open_tree $B" "move_mount $B $A" fsopen; do
			$H/mount_attack $args | grep -q SUCCEEDED || { echo "FAILED: $args"; exit 1; }
		done
		echo ALL-WORKED' x "$HELPERS" "$T/a" "$T/b"
	assert_success
	assert_output_has ALL-WORKED
}

@test "control: nested user namespaces work outside (unshare, clone, clone3)" {
	local how
	for how in unshare clone clone3; do
		control "$HELPERS/userns" "$how"
	done
}

@test "control: TCP, v4-mapped, IPv6, UDP, MPTCP and fast open reach loopback servers outside" {
	start_server tcp 127.0.0.1
	local p4=$SERVER_PORT
	start_server tcp ::1
	local p6=$SERVER_PORT
	start_server udp 127.0.0.1
	local pu=$SERVER_PORT
	control "$HELPERS/net" tcp 127.0.0.1 "$p4"
	control "$HELPERS/net" tcp ::ffff:127.0.0.1 "$p4"
	control "$HELPERS/net" tcp ::1 "$p6"
	control "$HELPERS/net" udp 127.0.0.1 "$pu"
	control "$HELPERS/net" fastopen 127.0.0.1 "$p4"
	control "$HELPERS/net" mptcp 127.0.0.1 "$p4"
}

@test "control: ICMP echo over an unprivileged ICMP socket works outside" {
	control "$HELPERS/net" icmp 127.0.0.1
}

@test "control: raw, packet and AF_XDP sockets open outside" {
	control "$HELPERS/net" raw
	control "$HELPERS/net" packet
	control "$HELPERS/net" xdp
}

@test "control: netlink (uevent, audit, sock_diag, generic) sockets open outside" {
	local p
	for p in uevent audit sock_diag generic; do
		control "$HELPERS/net" netlink "$p"
	done
}

@test "control: AF_VSOCK sockets open outside" {
	control "$HELPERS/net" vsock
}

@test "control: AF_ALG sockets open outside" {
	control "$HELPERS/net" alg
}

@test "control: unix sockets (path and abstract) are reachable outside" {
	start_server unix "$WS/s.sock"
	control "$HELPERS/net" unix "$WS/s.sock"
	start_server abstract "$TOKEN"
	control "$HELPERS/net" unix "@$TOKEN"
}

@test "control: kill and pidfd_send_signal reach a process outside" {
	bg sleep 300
	control "$HELPERS/sendsig" kill "$BG_PID" 0
	control "$HELPERS/sendsig" pidfd "$BG_PID" 15
	sleep 0.1
	! kill -0 "$BG_PID" 2> /dev/null
}

@test "control: fds lists a descriptor leaked to it" {
	exec 5< "$OUT/data.txt"
	run "$HELPERS/fds"
	exec 5<&-
	assert_success
	assert_output_has "$OUT/data.txt"
}

@test "control: the x32 syscall entry works outside" {
	control "$HELPERS/abi" x32
}

@test "control: the i386 syscall entry (int 0x80) works outside" {
	control "$HELPERS/abi" int80
}

@test "control: keyctl, perf, userfaultfd and personality work outside" {
	local what
	for what in keyctl perf userfaultfd personality; do
		control "$HELPERS/kernel" "$what"
	done
}

@test "control: bpf works outside" {
	control "$HELPERS/kernel" bpf
}

@test "control: kexec_load and init_module get past their permission check outside" {
	control "$HELPERS/kernel" kexec
	control "$HELPERS/kernel" module
}

@test "control: memfd_exec runs a program from a memfd" {
	run "$HELPERS/memfd_exec" /bin/echo from-memfd
	assert_success
	assert_output_has from-memfd
}

@test "control: a daemonised grandchild survives its parent outside (so the tree tests mean something)" {
	local beat=$WS/beat
	bash -c "setsid bash -c '( $(beat_script "$beat") ) &' < /dev/null > /dev/null 2>&1" 3>&-
	wait_for_content "$beat" 50
	local a
	a=$(cat "$beat")
	sleep 0.5
	[ "$(cat "$beat")" != "$a" ] || fail "the daemon did not survive"
	kill_strays
}

@test "control: the planted secrets and the outside tree are readable and writable outside" {
	grep -q CORRAL-SECRET "$HOME/.ssh/id_ed25519"
	echo more >> "$HOME/.bashrc"
	ln "$HOME/.bashrc" "$WS/hardlink"
	touch "$OUT/new"
}

@test "control: DNS lookups work outside (else the DNS tests prove nothing here)" {
	timeout 5 getent hosts example.com > /dev/null || skip "DNS does not work on this machine even outside a sandbox"
}

@test "control: ping to this machine's own address works outside" {
	require_tool ping
	local ip
	ip=$(host_global_ip 4)
	[ -n "$ip" ] || skip "this machine has no global IPv4 address"
	ping -c1 -W1 "$ip" > /dev/null 2>&1 || skip "ping does not work here even outside a sandbox"
}

@test "control: renaming the parent of a repository and planting a .git there runs the planted fsmonitor outside" {
	# pinning.bats: the same attack inside corral fails (the parent is pinned).
	git init -q "$WS/sub"
	mv "$WS/sub" "$WS/sub.moved"
	git init -q "$WS/sub"
	git -C "$WS/sub" config core.fsmonitor "touch $OUT/pwned-fsmonitor"
	git -C "$WS/sub" status > /dev/null 2>&1 || true
	[ -e "$OUT/pwned-fsmonitor" ] || fail "git did not run core.fsmonitor: the pinning tests prove nothing here"
}

@test "control: every way of making a setuid or setgid file works outside (issue 16, class 9)" {
	local m bit
	for bit in suid sgid; do
		for m in chmod fchmod fchmodat fchmodat2; do
			printf x > "$OUT/e.$bit.$m"
			control "$HELPERS/idattack" setid "$bit" "$m" "$OUT/e.$bit.$m"
		done
		for m in open openat creat mknod mknodat openat2; do
			control "$HELPERS/idattack" setid "$bit" "$m" "$OUT/n.$bit.$m"
		done
	done
	[ "$(find "$OUT" -perm -u+s | wc -l)" -eq 10 ]
}

@test "control: setpriority and ioprio_set on the process group reach a sibling outside; TIOCSPGRP takes the terminal" {
	require_tool ionice
	# In a session of its own, so that only the victim and the attacker
	# are in the group. (PRIO_USER and IOPRIO_WHO_USER have no control:
	# outside a sandbox they would reach every process of this user,
	# concurrent test runs included.)
	# The victim starts below nice 19 where it can (CI may run the suite
	# at nice 19; only root can go lower), or the nice check says nothing.
	local lower=
	if [ "$(nice)" -ge 19 ]; then
		[ "$(id -u)" -eq 0 ] && lower="nice -n -10" ||
			echo "# at nice 19 and not root: only the I/O priority change is observable" >&3
	fi
	run setsid bash -c '$2 sleep 60 & v=$!
		echo "before ni=$(ps -o ni= -p $v | tr -d " ")"
		"$1" prio pgrp || exit 1
		"$1" ioprio pgrp || exit 1
		echo "ni=$(ps -o ni= -p $v | tr -d " ") io=$(ionice -p $v)"
		kill $v' x "$HELPERS/idattack" "$lower"
	assert_success
	assert_output_has "ni=19 io=idle"
	[ -z "$lower" ] || refute_output_has "before ni=19"
	run "$HELPERS/ptyrun" "$HELPERS/idattack" tiocspgrp 0
	assert_output_has "SUCCEEDED: TIOCSPGRP"
}

@test "control: fchmod, futimens, fsetxattr and chmod through /proc/self/fd change a stdout file outside" {
	local f=$OUT/log
	printf 'x\n' > "$f" && chmod 640 "$f"
	"$HELPERS/idattack" fdmeta 1 fchmod >> "$f"
	[ "$(stat -c %a "$f")" = 666 ] || fail "fchmod(1) did not change the file outside"
	chmod 640 "$f"
	"$HELPERS/idattack" fdmeta 1 procchmod >> "$f"
	[ "$(stat -c %a "$f")" = 666 ] || fail "chmod /proc/self/fd/1 did not change the file outside"
	"$HELPERS/idattack" fdmeta 1 futimens >> "$f"
	[ "$(stat -c %X "$f")" -lt 100000 ] || fail "futimens(1) did not change the file's times outside"
	run "$HELPERS/idattack" fdmeta 1 fsetxattr >> "$f"
	getfattr -n user.corral "$f" > /dev/null 2>&1 || [ "$(id -u)" -ne 0 ] ||
		skip "this filesystem keeps no user xattrs"
}

@test "control: fchmod and futimens on a terminal change it outside" {
	run "$HELPERS/ptyrun" bash -c 't=$(tty) || exit 3
		"$1/idattack" fdmeta 0 fchmod; "$1/idattack" fdmeta 0 futimens
		stat -c "%a %X" "$t"' x "$HELPERS"
	assert_output_has "SUCCEEDED: fchmod on fd 0"
	assert_output_has "666 86400"
}
