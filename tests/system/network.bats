#!/usr/bin/env bats
# Network off: nothing off the machine and none of the host's own services,
# over any protocol or socket family, while the command's own localhost
# servers work. Network on: the host network, still no exotic families.
# Unix sockets the host made are out of reach in every mode.
#
# Every server here listens on 127.0.0.1 or ::1 on a free port, is checked
# to be reachable from outside first (so the test can fail), and counts its
# clients, so a test also proves that nothing reached it.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

# assert_reachable_outside CMD...: the control -- without corral the probe works.
assert_reachable_outside() {
	"$@" > /dev/null 2>&1 || fail "control failed: '$*' does not work even outside the sandbox"
}

@test "network off: bash /dev/tcp to a server on the host's loopback fails" {
	start_server tcp 127.0.0.1
	assert_reachable_outside bash -c "exec 9<>/dev/tcp/127.0.0.1/$SERVER_PORT"
	local n
	n=$(served)
	run sb "echo CORRAL_NETWORK=\$CORRAL_NETWORK
		must_fail 'exec 9<>/dev/tcp/127.0.0.1/$SERVER_PORT'
		must_fail 'exec 9<>/dev/tcp/localhost/$SERVER_PORT'"
	assert_sb_clean
	assert_output_has CORRAL_NETWORK=off
	[ "$(served)" -eq "$n" ] || fail "the host server was reached"
}

@test "network off: curl to host loopback servers on 127.0.0.1 and [::1] fails" {
	require_tool curl
	start_server tcp 127.0.0.1
	local p4=$SERVER_PORT log4=$SERVER_LOG
	start_server tcp ::1
	local p6=$SERVER_PORT log6=$SERVER_LOG
	assert_reachable_outside curl --http0.9 -sS --max-time 3 "http://127.0.0.1:$p4/"
	assert_reachable_outside curl --http0.9 -sS --max-time 3 "http://[::1]:$p6/"
	local n4 n6
	n4=$(served "$log4")
	n6=$(served "$log6")
	run sb "must_fail 'curl --http0.9 -sS --max-time 3 http://127.0.0.1:$p4/'
		must_fail 'curl --http0.9 -sS --max-time 3 http://[::1]:$p6/'
		must_fail 'curl --http0.9 -sS --max-time 3 http://localhost:$p4/'"
	assert_sb_clean
	[ "$(served "$log4")" -eq "$n4" ] && [ "$(served "$log6")" -eq "$n6" ] || fail "a host server was reached"
}

@test "network off: IPv6 and v4-mapped IPv6 connects to host loopback fail" {
	start_server tcp 127.0.0.1
	local p4=$SERVER_PORT log4=$SERVER_LOG
	start_server tcp ::1
	local p6=$SERVER_PORT log6=$SERVER_LOG
	assert_reachable_outside "$HELPERS/net" tcp ::1 "$p6"
	assert_reachable_outside "$HELPERS/net" tcp ::ffff:127.0.0.1 "$p4"
	run corral run -- "$HELPERS/net" tcp ::1 "$p6"
	assert_blocked
	run corral run -- "$HELPERS/net" tcp ::ffff:127.0.0.1 "$p4"
	assert_blocked
	[ "$(served "$log4")" -eq 1 ] && [ "$(served "$log6")" -eq 1 ] || fail "a host server was reached"
}

@test "network off: DNS lookups fail" {
	run sb 'must_fail "getent hosts example.com"
		must_fail "getent ahosts one.one.one.one"
		must_fail "getent hosts github.com"'
	assert_sb_clean
}

@test "network off: the configured DNS server cannot be reached over UDP" {
	local ns
	ns=$(awk '/^nameserver/ { print $2; exit }' /etc/resolv.conf 2>/dev/null)
	[ -n "$ns" ] || skip "no nameserver in /etc/resolv.conf"
	[[ "$ns" != 127.* ]] || skip "the nameserver is on loopback ($ns)"
	run corral run -- "$HELPERS/net" udp "$ns" 53
	assert_blocked
}

@test "network off: UDP to a host loopback server gets no answer" {
	start_server udp 127.0.0.1
	assert_reachable_outside "$HELPERS/net" udp 127.0.0.1 "$SERVER_PORT"
	run corral run -- "$HELPERS/net" udp 127.0.0.1 "$SERVER_PORT"
	assert_blocked
	[ "$(served)" -eq 1 ] || fail "the host UDP server was reached"
}

@test "network off: ping (ICMP) to this machine's own address fails" {
	require_tool ping
	local ip
	ip=$(host_global_ip 4)
	[ -n "$ip" ] || skip "this machine has no global IPv4 address"
	ping -c1 -W1 "$ip" > /dev/null 2>&1 || skip "ping $ip does not work even outside the sandbox"
	run sb "must_fail 'ping -c1 -W1 $ip'
		must_fail '\$H/net icmp $ip | grep -q SUCCEEDED'"
	assert_sb_clean
}

@test "network off: ping -6 to this machine's own IPv6 address fails" {
	require_tool ping
	local ip
	ip=$(host_global_ip 6)
	[ -n "$ip" ] || skip "this machine has no global IPv6 address"
	ping -6 -c1 -W1 "$ip" > /dev/null 2>&1 || skip "ping -6 $ip does not work even outside the sandbox"
	run sb "must_fail 'ping -6 -c1 -W1 $ip'"
	assert_sb_clean
}

@test "network off: MPTCP and sendto(MSG_FASTOPEN) to a host loopback server fail" {
	start_server tcp 127.0.0.1
	assert_reachable_outside "$HELPERS/net" mptcp 127.0.0.1 "$SERVER_PORT"
	assert_reachable_outside "$HELPERS/net" fastopen 127.0.0.1 "$SERVER_PORT"
	local n
	n=$(served)
	run corral run -- "$HELPERS/net" mptcp 127.0.0.1 "$SERVER_PORT"
	assert_blocked
	run corral run -- "$HELPERS/net" fastopen 127.0.0.1 "$SERVER_PORT"
	assert_blocked
	[ "$(served)" -eq "$n" ] || fail "the host server was reached"
}

@test "network off: raw and packet sockets fail" {
	run corral run -- "$HELPERS/net" raw
	assert_blocked
	run corral run -- "$HELPERS/net" packet
	assert_blocked
}

@test "network off: non-route netlink, vsock, AF_ALG and AF_XDP sockets fail" {
	local probe escaped=()
	for probe in "netlink uevent" "netlink audit" "netlink sock_diag" "netlink generic" vsock alg xdp; do
		# shellcheck disable=SC2086
		run corral run -- "$HELPERS/net" $probe
		assert_blocked 2>/dev/null || escaped+=("$probe (status $status: $output)")
	done
	[ "${#escaped[@]}" -eq 0 ] || fail "not blocked:" "${escaped[@]}"
}

@test "network off: io_uring cannot create or connect a socket" {
	start_server tcp 127.0.0.1
	assert_reachable_outside "$HELPERS/io_uring" 127.0.0.1 "$SERVER_PORT"
	local n
	n=$(served)
	run corral run -- "$HELPERS/io_uring"
	assert_blocked
	run corral run -- "$HELPERS/io_uring" 127.0.0.1 "$SERVER_PORT"
	assert_blocked
	[ "$(served)" -eq "$n" ] || fail "the host server was reached through io_uring"
}

@test "network off: a server the command starts on localhost (v4 and v6) works" {
	run sb 'must_work "$H/net loopback"
		must_work "$H/net loopback 6"
		$H/serve tcp 127.0.0.1 > /tmp/$TOKEN.port &
		for i in $(seq 50); do [ -s /tmp/$TOKEN.port ] && break; sleep 0.1; done
		must_work "$H/net tcp 127.0.0.1 $(head -n1 /tmp/$TOKEN.port)"
		must_work "exec 9<>/dev/tcp/127.0.0.1/$(head -n1 /tmp/$TOKEN.port)"
		kill %1'
	assert_sb_clean
}

@test "network off: python http.server inside, fetched with curl inside, works" {
	require_tool curl
	require_python
	run sb "$PYTHON -u -m http.server --bind 127.0.0.1 0 > /tmp/\$TOKEN.http 2>&1 &
		for i in \$(seq 50); do grep -q 'port [0-9]' /tmp/\$TOKEN.http && break; sleep 0.1; done
		port=\$(sed -n 's/.* port \\([0-9]*\\).*/\\1/p' /tmp/\$TOKEN.http | head -n1)
		echo port=\$port
		must_work 'curl -sS --max-time 3 http://127.0.0.1:\$port/README.md | grep -q hello'
		kill %1"
	assert_sb_clean
}

@test "network on: a server on the host's loopback is reachable" {
	start_server tcp 127.0.0.1
	run sb -n on "echo CORRAL_NETWORK=\$CORRAL_NETWORK
		must_work 'exec 9<>/dev/tcp/127.0.0.1/$SERVER_PORT'
		must_work '\$H/net tcp 127.0.0.1 $SERVER_PORT | grep -q SUCCEEDED'"
	assert_sb_clean
	assert_output_has CORRAL_NETWORK=on
	[ "$(served)" -ge 2 ] || fail "the host server saw no connection"
}

@test "network on: exotic socket families, raw sockets and io_uring still fail" {
	start_server tcp 127.0.0.1
	local probe escaped=()
	for probe in "netlink uevent" "netlink audit" "netlink sock_diag" vsock alg xdp raw packet; do
		# shellcheck disable=SC2086
		run corral run -n on -- "$HELPERS/net" $probe
		assert_blocked 2>/dev/null || escaped+=("$probe (status $status: $output)")
	done
	run corral run -n on -- "$HELPERS/io_uring" 127.0.0.1 "$SERVER_PORT"
	assert_blocked 2>/dev/null || escaped+=("io_uring (status $status: $output)")
	[ "${#escaped[@]}" -eq 0 ] || fail "not blocked:" "${escaped[@]}"
}

# --- unix sockets ------------------------------------------------------------

# assert_unix_unreachable SOCKET [corral options...]
assert_unix_unreachable() {
	local sock=$1
	shift
	assert_reachable_outside "$HELPERS/net" unix "$sock"
	local n
	n=$(served)
	run corral run "$@" -- "$HELPERS/net" unix "$sock"
	assert_blocked || return 1
	[ "$(served)" -eq "$n" ] || fail "the host's socket $sock was reached"
}

@test "unix: a host socket in the workspace cannot be connected (network off and on)" {
	start_server unix "$WS/host.sock"
	assert_unix_unreachable "$WS/host.sock"
	assert_unix_unreachable "$WS/host.sock" -n on
}

@test "unix: a host socket in HOME (an agent socket) cannot be connected (network off and on)" {
	mkdir -p "$HOME/.agent"
	start_server unix "$HOME/.agent/agent.sock"
	assert_unix_unreachable "$HOME/.agent/agent.sock"
	assert_unix_unreachable "$HOME/.agent/agent.sock" -n on
}

@test "unix: a host socket in /tmp cannot be connected, also with --tmp host" {
	start_server unix "/tmp/$TOKEN.sock"
	assert_unix_unreachable "/tmp/$TOKEN.sock" --tmp host
	assert_unix_unreachable "/tmp/$TOKEN.sock" --tmp host -n on
}

@test "unix: a host abstract socket cannot be connected (network off and on)" {
	start_server abstract "$TOKEN"
	assert_unix_unreachable "@$TOKEN"
	assert_unix_unreachable "@$TOKEN" -n on
}

@test "unix: sockets the command creates itself work (path and abstract, network off and on)" {
	local mode
	for mode in off on; do
		run sb -n "$mode" 'rm -f own.sock /tmp/$TOKEN.u /tmp/$TOKEN.a
			$H/serve unix $WS/own.sock > /tmp/$TOKEN.u &
			$H/serve abstract $TOKEN-own > /tmp/$TOKEN.a &
			for i in $(seq 50); do [ -s /tmp/$TOKEN.u ] && [ -s /tmp/$TOKEN.a ] && break; sleep 0.1; done
			must_work "$H/net unix $WS/own.sock | grep -q SUCCEEDED"
			must_work "$H/net unix @$TOKEN-own | grep -q SUCCEEDED"
			kill %1 %2'
		assert_sb_clean
	done
}

# --- host sockets by what they are (issue 16, class 5) ------------------------

# start_server_cmd SCRIPT ARGS...: a unix server started by a bash SCRIPT
# ($0 = $HELPERS/serve), for binds that need a directory or a descriptor.
start_server_cmd() {
	SERVER_LOG=$(mktemp "$T/serve.XXXXXX")
	bg bash -c "$1" "$HELPERS/serve" "${@:2}" > "$SERVER_LOG" 2>&1
	wait_for_content "$SERVER_LOG" 50 || return 1
	[ "$(head -n1 "$SERVER_LOG")" = READY ] || fail "server did not start: $(cat "$SERVER_LOG")"
}

@test "unix: a host socket bound by a relative name (after chdir) cannot be connected" {
	mkdir -p "$OUT/rel"
	start_server_cmd 'cd "$1" && exec "$0" unix app.sock' "$OUT/rel"
	grep -q ' app.sock$' /proc/net/unix || fail "the kernel does not list the socket by its relative name"
	assert_unix_unreachable "$OUT/rel/app.sock"
	assert_unix_unreachable "$OUT/rel/app.sock" -n on
	# In the workspace, where a command is most likely to look. Under users
	# the workspace is idmapped (the sandbox user owns the socket there),
	# and the runner, planning as the sandbox user, cannot read the
	# developer's /proc/PID to resolve the name: a limit (SECURITY.md, 5).
	if backend_is users; then
		return 0
	fi
	start_server_cmd 'cd "$1" && exec "$0" unix ws.sock' "$WS"
	assert_unix_unreachable "$WS/ws.sock"
}

@test "unix: a host socket bound through /proc/self/fd/N/... cannot be connected" {
	mkdir -p "$OUT/pdir"
	start_server_cmd 'exec 7< "$1"; exec "$0" unix /proc/self/fd/7/p.sock' "$OUT/pdir"
	grep -q ' /proc/self/fd/7/p.sock$' /proc/net/unix || fail "the kernel does not list the socket by its /proc name"
	assert_unix_unreachable "$OUT/pdir/p.sock"
}

@test "unix: the holders kept from an earlier run only shorten the search: rewritten, every socket is still masked" {
	backend_is userns || skip "the users backend keeps no holders (its runner plans as the sandbox user)"
	mkdir -p "$OUT/hdir"
	start_server_cmd 'exec 7< "$1"; exec "$0" unix /proc/self/fd/7/h.sock' "$OUT/hdir"
	local holder=$BG_PID hints
	# the first run of a workspace plans before its state directory exists
	corral run -- true
	assert_unix_unreachable "$OUT/hdir/h.sock"
	hints=$(echo "$XDG_CACHE_HOME"/corral/workspaces/*/socket-holders)
	[ -f "$hints" ] || fail "no socket-holders file after a run that read /proc"
	grep -q " $holder\$" "$hints" || fail "the holder $holder is not kept: $(cat "$hints")"
	# Rewritten (by anyone): another process, nonsense, a pid out of range.
	# A hint is a candidate checked by device and inode; failing, the run
	# reads /proc as before, so the socket is still masked.
	{
		sed "s/ $holder\$/ 1/" "$hints"
		printf 'x y\n1 2 3 4 5\n1 2 3 99999999999\n'
	} > "$hints.new"
	mv "$hints.new" "$hints"
	assert_unix_unreachable "$OUT/hdir/h.sock"
	run corral explain
	assert_output_has "# host unix socket $OUT/hdir/h.sock"
	grep -q " $holder\$" "$hints" || fail "the holder found again is not kept: $(cat "$hints")"
}

@test "unix: a socket bound by an absolute name in a chroot is found through its holder's root (another view than corral's)" {
	backend_is userns || skip "the users backend's runner cannot read the developer's /proc/PID/root"
	require_python
	mkdir -p "$OUT/jail"
	SERVER_LOG=$(mktemp "$T/serve.XXXXXX")
	# unshare -Ur: the same mount namespace, another root (the name is "/c.sock")
	bg unshare -Ur "$PYTHON" -c 'import os, socket, sys, time
os.chroot(sys.argv[1])
s = socket.socket(socket.AF_UNIX)
s.bind("/c.sock")
s.listen(8)
print("READY", flush=True)
while True:
    c, _ = s.accept()
    c.sendall(b"HELLO\n")
    print("CONNECTED", flush=True)
    c.close()' "$OUT/jail" > "$SERVER_LOG" 2>&1
	wait_for_content "$SERVER_LOG" 50 || fail "the chroot server did not start: $(cat "$SERVER_LOG")"
	[ -S "$OUT/jail/c.sock" ] || fail "no socket at $OUT/jail/c.sock"
	run corral explain
	assert_output_has "# host unix socket $OUT/jail/c.sock"
	assert_unix_unreachable "$OUT/jail/c.sock"
}

@test "unix: a host socket bound through a symlinked directory is masked, and runs do not fail (125)" {
	# /var/run -> /run on Debian: PostgreSQL, nscd. Any local user can bind
	# one, so failing here would let anyone stop every run on the machine.
	mkdir -p "$OUT/real"
	ln -s real "$OUT/link"
	start_server unix "$OUT/link/s.sock"
	assert_unix_unreachable "$OUT/link/s.sock"
	assert_unix_unreachable "$OUT/real/s.sock"
	run corral run -- true
	assert_success
	# --allow-unix-socket names it by what it is: either spelling lets it
	# through (under users the sandbox user's permissions decide as well)
	if backend_is userns; then
		run corral run --allow-unix-socket "$OUT/link/s.sock" -- "$HELPERS/net" unix "$OUT/real/s.sock"
		assert_worked
	fi
}

@test "unix: a host socket renamed after bind (the atomic-replace pattern) is masked under its new name" {
	mkdir -p "$OUT/ren"
	start_server unix "$OUT/ren/s.sock.tmp"
	mv "$OUT/ren/s.sock.tmp" "$OUT/ren/s.sock"
	assert_unix_unreachable "$OUT/ren/s.sock"
}

@test "unix: a bound datagram socket of the host (a log socket) gets nothing" {
	require_python
	mkdir -p "$OUT/dg"
	bg "$PYTHON" -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('READY', flush=True)
while True:
    d = s.recv(100)
    print('DATAGRAM', flush=True)" "$OUT/dg/log.sock" > "$T/dg.log"
	SERVER_LOG=$T/dg.log
	wait_for_content "$SERVER_LOG" 50
	"$PYTHON" -c "import socket,sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'x', sys.argv[1])" "$OUT/dg/log.sock"
	sleep 0.2
	[ "$(served)" -eq 1 ] || fail "control: the datagram did not arrive outside"
	run corral run -- "$PYTHON" -c "import socket,sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'x', sys.argv[1])" "$OUT/dg/log.sock"
	[ "$status" -ne 0 ] || { show_output; fail "the datagram was sent"; }
	sleep 0.2
	[ "$(served)" -eq 1 ] || fail "the host's datagram socket received from the sandbox"
}
