#!/usr/bin/env bats
# Network: a "remote host" in a network namespace of the test's own, on a
# veth pair with 198.18.0.0/15 and 2001:db8::/32 addresses only (this
# machine's own networks are never used or changed). Offline runs reach
# nothing; online runs reach it; and the firewall alone, for a process of
# corral-offline outside any namespace, rejects it too.
load lib

NS=corral-et-remote
R4=198.18.0.2
R6=2001:db8:c0::2

start_server() { # NETNS|- PROTO HOST PORT
	local ns=$1
	shift
	if [ "$ns" = - ]; then
		/usr/bin/python3 "$PROBE" serve "$@" > /dev/null 2>&1 &
	else
		ip netns exec "$ns" /usr/bin/python3 "$PROBE" serve "$@" > /dev/null 2>&1 &
	fi
	echo $! >> "$BATS_FILE_TMPDIR/pids"
}

setup_file() {
	uninstall_corral
	install_corral --loopback-port 8125
	ip netns add "$NS"
	ip link add corral-et0 type veth peer name corral-et1
	ip link set corral-et1 netns "$NS"
	ip addr add 198.18.0.1/30 dev corral-et0
	ip -6 addr add 2001:db8:c0::1/64 dev corral-et0 nodad
	ip link set corral-et0 up
	ip netns exec "$NS" ip addr add "$R4/30" dev corral-et1
	ip netns exec "$NS" ip -6 addr add "$R6/64" dev corral-et1 nodad
	ip netns exec "$NS" ip link set corral-et1 up
	ip netns exec "$NS" ip link set lo up
	start_server "$NS" tcp "$R4" 8080
	start_server "$NS" tcp "$R6" 8080
	start_server "$NS" udp "$R4" 8081
	start_server "$NS" udp "$R6" 8081
	start_server - tcp 127.0.0.1 8124
	start_server - tcp ::1 8124
	start_server - tcp 127.0.0.1 8125
	# unprivileged ICMP sockets for the sandbox users' groups, for the ICMP probes
	cat /proc/sys/net/ipv4/ping_group_range > "$BATS_FILE_TMPDIR/ping_range"
	lo=$(id -g corral-offline) hi=$(id -g corral-online)
	[ "$lo" -le "$hi" ] || { t=$lo; lo=$hi; hi=$t; }
	echo "$lo $hi" > /proc/sys/net/ipv4/ping_group_range
	sleep 0.5
}

teardown_file() {
	[ -f "$BATS_FILE_TMPDIR/ping_range" ] && cat "$BATS_FILE_TMPDIR/ping_range" > /proc/sys/net/ipv4/ping_group_range
	[ -f "$BATS_FILE_TMPDIR/pids" ] && kill $(cat "$BATS_FILE_TMPDIR/pids") 2> /dev/null
	ip link del corral-et0 2> /dev/null
	ip netns del "$NS" 2> /dev/null
	uninstall_corral
}

setup() { new_ws; }

# as_uid USER PROBE-ARGS...: the probe as a sandbox user, outside corral (the firewall alone)
as_uid() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --clear-groups /usr/bin/python3 "$PROBE" "$@"
}

@test "the remote host is reachable from root (the test network works)" {
	/usr/bin/python3 "$PROBE" tcp "$R4" 8080
	/usr/bin/python3 "$PROBE" tcp "$R6" 8080
	/usr/bin/python3 "$PROBE" udp "$R4" 8081
}

@test "offline run: TCP, UDP, ICMP over IPv4 and IPv6 to the remote host all fail" {
	run crun -- sh -c "for a in 'tcp $R4 8080' 'tcp $R6 8080' 'udp $R4 8081' 'udp $R6 8081' 'icmp $R4' 'icmp $R6'; do /usr/bin/python3 '$PROBE' \$a; done"
	[[ "$output" != *REACHED* ]]
	[ "$(grep -c BLOCKED <<< "$output")" -eq 6 ]
}

@test "offline run: host loopback services are unreachable, also an allowed port" {
	run crun -- sh -c "/usr/bin/python3 '$PROBE' tcp 127.0.0.1 8124; /usr/bin/python3 '$PROBE' tcp ::1 8124; /usr/bin/python3 '$PROBE' tcp 127.0.0.1 8125"
	[[ "$output" != *REACHED* ]]
	[ "$(grep -c BLOCKED <<< "$output")" -eq 3 ]
}

@test "online run: the remote host and host loopback are reachable" {
	run crun --network on -- sh -c "/usr/bin/python3 '$PROBE' tcp $R4 8080 && /usr/bin/python3 '$PROBE' tcp $R6 8080 && /usr/bin/python3 '$PROBE' udp $R4 8081 && /usr/bin/python3 '$PROBE' tcp 127.0.0.1 8124"
	assert_status 0
	[ "$(grep -c REACHED <<< "$output")" -eq 4 ]
}

@test "firewall alone: corral-offline is rejected off the machine, v4 and v6, TCP, UDP and ICMP" {
	for a in "tcp $R4 8080" "tcp $R6 8080" "udp $R4 8081" "udp $R6 8081" "icmp $R4" "icmp $R6"; do
		run as_uid corral-offline $a
		assert_status 1
		assert_contains BLOCKED
	done
}

@test "firewall alone: rejection is fast (reject, not drop)" {
	start=$(date +%s%N)
	run as_uid corral-offline tcp "$R4" 8080
	assert_status 1
	[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 1000 ]
}

@test "firewall alone: corral-offline gets only the configured loopback port" {
	run as_uid corral-offline tcp 127.0.0.1 8124
	assert_status 1
	run as_uid corral-offline tcp ::1 8124
	assert_status 1
	run as_uid corral-offline tcp 127.0.0.1 8125
	assert_status 0
}

@test "firewall alone: nothing targets corral-online, root or the developer" {
	for a in "tcp $R4 8080" "tcp $R6 8080" "udp $R4 8081" "icmp $R4" "tcp 127.0.0.1 8124"; do
		run as_uid corral-online $a
		assert_status 0
	done
	run as "$DEV" /usr/bin/python3 "$PROBE" tcp "$R4" 8080
	assert_status 0
	/usr/bin/python3 "$PROBE" tcp 127.0.0.1 8124
}

@test "--allow-loopback opens loopback to corral-offline, never the outside" {
	install_corral --allow-loopback
	run as_uid corral-offline tcp 127.0.0.1 8124
	assert_status 0
	run as_uid corral-offline tcp "$R4" 8080
	assert_status 1
	install_corral --loopback-port 8125
}

@test "an offline run fails closed when the rules are gone" {
	nft delete table inet corral
	run crun -- true
	assert_status 125
	assert_contains "firewall rules for corral-offline are not loaded"
	run crun --network on -- true
	assert_status 0
	"$SETUP" --apply-firewall
	run crun -- true
	assert_status 0
}
