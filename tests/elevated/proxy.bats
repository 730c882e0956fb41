#!/usr/bin/env bats
# network = proxy on the users backend (issue 10): the sandbox's init listens
# in the sandbox's own network namespace, corral-runner hands the sockets to
# the developer's corral, and the proxy's outgoing side runs there, as the
# developer, in the machine's network; the firewall keeps the sandbox user
# itself off the network. The remote host is tests/system/proxy-remote.py
# in a network namespace of the test's own, on a veth pair with
# 198.18.0.0/15 and 2001:db8::/32 addresses only; its names come from a
# test-only /etc/hosts, bound in a mount namespace (made by root, without a
# user namespace: corral-runner runs there with its file capabilities) in
# which the developer's corral runs. What reached the remote host is
# checked in its log, from outside the sandbox.
load lib

NS=corral-et-proxy
R4=198.18.0.2

setup_file() {
	uninstall_corral
	install_corral
	local d=$BATS_FILE_TMPDIR
	printf '%s\n' "127.0.0.1 localhost" "::1 localhost" "$R4 allowed.test other.test" "2001:db8::2 v6.allowed.test" \
		"127.0.0.1 loop.allowed.test" > "$d/hosts"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=allowed.test \
		-addext "subjectAltName=DNS:allowed.test,DNS:other.test,DNS:v6.allowed.test" \
		-keyout "$d/key.pem" -out "$d/cert.pem" 2> /dev/null
	ip netns add "$NS"
	ip link add corral-ep0 type veth peer name corral-ep1
	ip link set corral-ep1 netns "$NS"
	ip addr add 198.18.0.1/24 dev corral-ep0
	ip -6 addr add 2001:db8::1/64 dev corral-ep0 nodad
	ip link set corral-ep0 up
	ip netns exec "$NS" ip addr add "$R4/24" dev corral-ep1
	ip netns exec "$NS" ip -6 addr add 2001:db8::2/64 dev corral-ep1 nodad
	ip netns exec "$NS" ip link set corral-ep1 up
	ip netns exec "$NS" ip link set lo up
	: > "$d/remote.log"
	ip netns exec "$NS" /usr/bin/python3 "$CORRAL_REPO/tests/system/proxy-remote.py" "$d/remote.log" "$d/cert.pem" \
		"$d/key.pem" "" > /dev/null 2>&1 &
	echo $! > "$d/pids"
	for _ in $(seq 100); do grep -q READY "$d/remote.log" && break; sleep 0.1; done
	grep -q READY "$d/remote.log"
}

teardown_file() {
	[ -f "$BATS_FILE_TMPDIR/pids" ] && kill $(cat "$BATS_FILE_TMPDIR/pids") 2> /dev/null
	ip link del corral-ep0 2> /dev/null
	ip netns del "$NS" 2> /dev/null
	uninstall_corral
}

setup() {
	new_ws
	LOG=$BATS_FILE_TMPDIR/remote.log
	: > "$LOG"
}

# hosts_as USER CMD...: CMD as USER (as lib.bash's `as`), with the test's
# /etc/hosts in a mount namespace of its own.
hosts_as() {
	local u=$1 home
	shift
	home=$(getent passwd "$u" | cut -d: -f6)
	unshare --mount --propagation private -- /bin/bash -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' _ \
		"$BATS_FILE_TMPDIR/hosts" runuser -u "$u" -- env -i HOME="$home" USER="$u" LOGNAME="$u" PATH="$SANE_PATH" \
		LANG=C.UTF-8 "$@"
}

# prun ARGS...: corral run --backend users ARGS as the developer, in $WS, with the test's names.
prun() { (cd "$WS" && hosts_as "$DEV" "$CORRAL" run --backend users "$@"); }

# prun_cfg DIR ARGS...: prun with XDG_CONFIG_HOME=DIR (a user config of the test's own).
prun_cfg() {
	local cfg=$1
	shift
	(cd "$WS" && hosts_as "$DEV" env XDG_CONFIG_HOME="$cfg" "$CORRAL" run --backend users "$@")
}

hits() { grep -c "^$1 " "$LOG" || true; } # connections the remote host accepted on port $1

@test "proxy (users): the remote host is reachable by name from the developer, not from corral-offline (the test network and the firewall work)" {
	run hosts_as "$DEV" curl -sS --max-time 5 http://allowed.test/x
	assert_status 0
	assert_contains REMOTE-OK
	run setpriv --reuid=corral-offline --regid=corral-offline --clear-groups /usr/bin/python3 "$PROBE" tcp "$R4" 80
	assert_status 1
	assert_contains BLOCKED
}

@test "proxy (users): curl reaches an allowed name over HTTP and HTTPS, v4 and v6; refusals are reported and recorded; nothing else reaches the remote" {
	run prun --allow-domain allowed.test --allow-domain v6.allowed.test --status-fd 3 -- sh -c '
		id -un
		curl -sS --max-time 10 http://allowed.test/x
		curl -sSk --max-time 10 https://allowed.test/x
		curl -sS --max-time 10 http://v6.allowed.test/x
		curl -sS --max-time 10 -o /dev/null -w "other %{http_code}\n" http://other.test/x
		echo END' 3> "$BATS_TEST_TMPDIR/status"
	assert_status 0
	assert_contains corral-offline
	[ "$(grep -c "REMOTE-OK host=allowed.test" <<< "$output")" -eq 2 ]
	assert_contains "REMOTE-OK host=v6.allowed.test"
	assert_contains "other 403"
	assert_contains "corral: network: refused other.test:80, not in allow_domains"
	grep -q '"network_refusals":\[{"op":"connect","address":"other.test:80","rule":"not in allow_domains"' \
		"$BATS_TEST_TMPDIR/status" || { cat "$BATS_TEST_TMPDIR/status" >&2; false; }
	[ "$(hits 80)" -eq 2 ] && [ "$(hits 443)" -eq 1 ] || { cat "$LOG" >&2; false; }
	grep -q "^80 2001:db8::1$" "$LOG"
}

@test "proxy (users): plain HTTP is one request per connection: a pipelined request for a denied Host never reaches the remote" {
	# port 81 of the remote serves every request on a connection, whatever
	# "Connection: close" said; the control sends the same bytes to it directly
	local cfg=$WS.cfg py=$WS/pipe.py
	runuser -u "$DEV" -- mkdir -p "$cfg/corral"
	printf '[network]\nallow_ports = [81]\n' | runuser -u "$DEV" -- tee "$cfg/corral/config.toml" > /dev/null
	runuser -u "$DEV" -- tee "$py" > /dev/null <<-'PY'
	import socket, sys
	target = ("198.18.0.2", 81) if sys.argv[1:2] == ["--direct"] else ("127.0.0.1", 3128)
	first = b"GET /first HTTP/1.1\r\nHost: allowed.test:81\r\nConnection: close\r\n\r\n" if target[1] == 81 else \
	    b"GET http://allowed.test:81/first HTTP/1.1\r\nHost: allowed.test:81\r\n\r\n"
	s = socket.create_connection(target)
	s.settimeout(3)
	s.sendall(first + b"GET /second HTTP/1.1\r\nHost: evil.test\r\n\r\n")
	got = b""
	try:
	    while True:
	        d = s.recv(65536)
	        if not d:
	            break
	        got += d
	except socket.timeout:
	    pass
	print(got.decode("latin-1"))
	PY
	run hosts_as "$DEV" /usr/bin/python3 "$py" --direct
	assert_contains "REMOTE-OK host=evil.test"
	grep -q '^req GET evil.test /second$' "$LOG" || { cat "$LOG" >&2; false; }
	: > "$LOG"
	run prun_cfg "$cfg" --allow-domain allowed.test -- /usr/bin/python3 "$py"
	assert_status 0
	assert_contains "REMOTE-OK host=allowed.test:81"
	[[ "$output" != *"host=evil.test"* ]]
	assert_contains "corral: network: refused allowed.test:81, a further request on the connection (plain HTTP: one request per connection)"
	grep -q '^req GET allowed.test:81 /first$' "$LOG" || { cat "$LOG" >&2; false; }
	! grep -q '^req .*/second$' "$LOG" || { cat "$LOG" >&2; false; }
	[ "$(hits 81)" -eq 1 ] || { cat "$LOG" >&2; false; }
}

@test "proxy (users): the sandbox user cannot connect out itself (its namespace, and the firewall outside it) while the proxy works" {
	# inside: a direct connect() that ignores the proxy, by address, has no route
	run prun --allow-domain allowed.test -- sh -c "
		/usr/bin/python3 '$PROBE' tcp $R4 80
		/usr/bin/python3 '$PROBE' tcp 2001:db8::2 80
		curl -sS --max-time 10 http://allowed.test/x"
	assert_status 0
	[ "$(grep -c BLOCKED <<< "$output")" -eq 2 ]
	[[ "$output" != *REACHED* ]]
	assert_contains REMOTE-OK
	[ "$(hits 80)" -eq 1 ] || { cat "$LOG" >&2; false; }
	# outside any namespace, while a proxied run is going on: the firewall
	# still rejects corral-offline (the proxy is not its way out), and the
	# proxied request still works (its outgoing side is the developer's)
	: > "$LOG"
	(cd "$WS" && hosts_as "$DEV" "$CORRAL" run --backend users --allow-domain allowed.test -- sh -c \
		'sleep 2; curl -sS --max-time 10 http://allowed.test/x' > "$BATS_TEST_TMPDIR/run.out" 2>&1) &
	local bg=$!
	sleep 1
	run setpriv --reuid=corral-offline --regid=corral-offline --clear-groups /usr/bin/python3 "$PROBE" tcp "$R4" 80
	assert_status 1
	assert_contains BLOCKED
	wait "$bg"
	grep -q REMOTE-OK "$BATS_TEST_TMPDIR/run.out" || { cat "$BATS_TEST_TMPDIR/run.out" >&2; false; }
	[ "$(hits 80)" -eq 1 ] || { cat "$LOG" >&2; false; }
}

@test "proxy (users): the proxy's outgoing side is the developer's process, not corral-runner's" {
	# a tunnel to the hanging TLS port stays open; the machine's socket table
	# says whose it is
	local cfg=$WS.cfg
	runuser -u "$DEV" -- mkdir -p "$cfg/corral"
	printf '[network]\nallow_ports = [8443]\n' | runuser -u "$DEV" -- tee "$cfg/corral/config.toml" > /dev/null
	(cd "$WS" && hosts_as "$DEV" env XDG_CONFIG_HOME="$cfg" "$CORRAL" run --backend users \
		--allow-domain allowed.test -- curl -sSk --max-time 4 https://allowed.test:8443/ > "$BATS_TEST_TMPDIR/run.out" 2>&1) &
	local bg=$! owner="" _
	for _ in $(seq 30); do
		owner=$(ss -Htnep state established dst "$R4:8443" | grep -o 'uid:[0-9]*' | head -1)
		[ -n "$owner" ] && break
		sleep 0.1
	done
	wait "$bg" || true
	[ "$owner" = "uid:$(id -u "$DEV")" ] || { echo "owner: '$owner'" >&2; cat "$BATS_TEST_TMPDIR/run.out" "$LOG" >&2; false; }
}

@test "proxy (users): SIGKILL of the developer's corral ends the run, and the sandbox's listeners with it" {
	(cd "$WS" && hosts_as "$DEV" "$CORRAL" run --backend users --allow-domain allowed.test -- sleep 97) &
	local _
	for _ in $(seq 100); do pgrep -u corral-offline -x sleep > /dev/null && break; sleep 0.1; done
	pgrep -u corral-offline -x sleep > /dev/null
	pkill -KILL -u "$DEV" -x corral
	for _ in $(seq 50); do pgrep -u corral-offline > /dev/null || break; sleep 0.1; done
	run pgrep -u corral-offline -a
	[ "$status" -eq 1 ] || { echo "still running: $output" >&2; false; }
}

@test "proxy (users): fail closed: when the proxy cannot start (no fds left), the command does not run, and never with a route out" {
	local n out st proxy_failed=0 ran_ok=0
	for n in $(seq 8 24) 32 40 48 64 96 128 192 256; do
		out=$(cd "$WS" && hosts_as "$DEV" bash -c "ulimit -n $n; exec timeout -s KILL 60 '$CORRAL' run --backend users \
			--allow-domain allowed.test -- bash -c '
			if (exec 3<>/dev/tcp/$R4/80) 2>/dev/null; then echo DIRECT-ROUTE; fi
			curl -sS --max-time 5 http://allowed.test/x; echo RAN'" 2>&1) && st=0 || st=$?
		[[ "$out" != *DIRECT-ROUTE* ]] || { echo "ulimit -n $n: a route out: $out" >&2; false; }
		if [[ "$out" == *RAN* ]]; then
			[[ "$out" == *REMOTE-OK* ]] || { echo "ulimit -n $n: ran without a working proxy: $out" >&2; false; }
			ran_ok=$((ran_ok + 1))
		else
			[ "$st" -eq 125 ] || { echo "ulimit -n $n: exit $st without running the command: $out" >&2; false; }
			[[ "$out" != *"network proxy"* ]] || proxy_failed=$((proxy_failed + 1))
		fi
	done
	[ "$proxy_failed" -gt 0 ] || { echo "no limit made the proxy itself fail (the test proves less)" >&2; false; }
	[ "$ran_ok" -gt 0 ]
}
