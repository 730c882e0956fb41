#!/usr/bin/env bats
# Network by domain (issue 10): `--allow-domain` gives the command those
# names through corral's proxy and nothing else. Every attack runs against a
# remote host in its own network namespace (proxy-lab.bash: 198.18.0.2,
# 2001:db8::2), and what reached it is checked at its listeners, from
# outside the sandbox. The lab's control (lab_start) shows that the remote
# host is reachable without corral.

load helpers
load proxy-lab

setup() { common_setup; }

# lab: the tests against the lab's remote host. Its "lab host" is a user
# namespace of the test user's, where corral-runner's file capabilities
# cannot switch to a sandbox user (that uid is not mapped there): with the
# users backend, tests/elevated/proxy.bats runs these attacks as root, with
# a lab in the machine's own network and the firewall in place.
lab() {
	backend_is userns || skip "the lab host is a user namespace, which the users backend cannot run in (tests/elevated/proxy.bats covers it)"
	lab_start
}
teardown() { common_teardown; }

# psb [corral run options...] SCRIPT: sb, in the lab host.
psb() {
	local script=${!#}
	local opts=("${@:1:$#-1}")
	labx timeout -s KILL 90 "$CORRAL" run "${opts[@]}" -- env WS="$WS" LAB="$LAB" H="$HELPERS" HOME="$HOME" \
		bash -c "$SB_PRELUDE
$script
echo SB-END"
}

CURL='curl -sS --max-time 10'

@test "proxy: curl reaches an allowed name over HTTP and HTTPS (IPv4 and IPv6), through the proxy only" {
	lab
	require_tool curl
	run psb --allow-domain allowed.test --allow-domain v6.allowed.test --status-fd 3 "
		echo CORRAL_NETWORK=\$CORRAL_NETWORK
		$CURL http://allowed.test/x
		$CURL --cacert \$LAB/cert.pem https://allowed.test/x
		$CURL --cacert \$LAB/cert.pem https://v6.allowed.test/x
		$CURL --socks5-hostname 127.0.0.1:3128 http://allowed.test/socks" 3>"$T/status"
	assert_sb_clean
	assert_output_has CORRAL_NETWORK=proxy
	[ "$(grep -c 'REMOTE-OK host=allowed.test' <<<"$output")" -eq 3 ] || { show_output; fail "allowed.test not reached 3 times"; }
	assert_output_has "REMOTE-OK host=v6.allowed.test"
	# the remote saw the lab host's addresses (the proxy outside), never the sandbox
	[ "$(hits "$REMOTE_LOG" 80)" -ge 2 ] && [ "$(hits "$REMOTE_LOG" 443)" -ge 2 ] || fail "the remote was not reached"
	grep -q '^443 2001:db8::1$' "$REMOTE_LOG" || fail "no IPv6 connection from the lab host"
	grep -q '^sni allowed.test$' "$REMOTE_LOG" || fail "no TLS handshake for allowed.test"
	grep -q '"network_refusals":\[\]' "$T/status" || fail "refusals recorded: $(cat "$T/status")"
}

@test "proxy: git clones over smart HTTP and HTTPS from an allowed name" {
	lab
	require_tool git
	run psb --allow-domain allowed.test "
		must_work 'git clone -q http://allowed.test/git/repo.git \$WS/c1 && grep -q remote-content \$WS/c1/file'
		must_work 'GIT_SSL_CAINFO=\$LAB/cert.pem git clone -q https://allowed.test/git/repo.git \$WS/c2 && grep -q remote-content \$WS/c2/file'
		must_fail 'GIT_SSL_CAINFO=\$LAB/cert.pem git clone -q https://evil.test/git/repo.git \$WS/c3'"
	assert_sb_clean
	[ -f "$WS/c1/file" ] && [ -f "$WS/c2/file" ] && [ ! -e "$WS/c3/file" ] || fail "clones not as expected"
	grep -q '^sni evil.test$' "$REMOTE_LOG" && fail "evil.test got a TLS handshake"
	true
}

@test "proxy: denied names, deny_domains and other ports get 403 naming the rule; nothing reaches the remote" {
	lab
	require_tool curl
	local before
	before=$(hits "$REMOTE_LOG")
	run psb --allow-domain '*.allowed.test' --allow-domain allowed.test --deny-domain deny.allowed.test --status-fd 3 "
		must_fail '$CURL -f http://evil.test/x'
		must_fail '$CURL -f --cacert \$LAB/cert.pem https://evil.test/x'
		must_fail '$CURL -f http://deny.allowed.test/x'
		must_fail '$CURL -f http://allowed.test:9/x'
		must_fail '$CURL -f http://other.test/x'
		$CURL -i http://evil.test/x; true" 3>"$T/status"
	assert_sb_clean
	assert_output_has "HTTP/1.1 403 Forbidden"
	assert_output_has "corral: refused evil.test:80, not in allow_domains; allow with --allow-domain evil.test"
	[ "$(hits "$REMOTE_LOG")" -eq "$before" ] || fail "the remote was reached: $(cat "$REMOTE_LOG")"
	# reported after the run on stderr and in the status record
	assert_output_has "corral: network: refused evil.test:443, not in allow_domains"
	assert_output_has "corral: network: refused deny.allowed.test:80, in deny_domains (deny.allowed.test)"
	assert_output_has "corral: network: refused allowed.test:9, port 9 not in allow_ports"
	grep -q '{"op":"connect","address":"evil.test:443","rule":"not in allow_domains","allow_with":"--allow-domain evil.test","count":[0-9]*}' \
		"$T/status" || fail "status record: $(cat "$T/status")"
}

@test "proxy: raw IP addresses fail, by HTTP CONNECT and by SOCKS5 address" {
	lab
	require_tool curl
	local before
	before=$(hits "$REMOTE_LOG")
	run psb --allow-domain allowed.test "
		must_fail '$CURL -f http://198.18.0.2/x'
		must_fail '$CURL -fk https://198.18.0.2/x'
		must_fail '$CURL -f http://[2001:db8::2]/x'
		must_fail '$CURL -f --socks5 127.0.0.1:3128 http://allowed.test/x'
		must_fail '$CURL -f --socks5 127.0.0.1:3128 http://198.18.0.2/x'
		must_fail '$CURL -f --socks5 127.0.0.1:3128 http://[2001:db8::2]/x'"
	assert_sb_clean
	[ "$(hits "$REMOTE_LOG")" -eq "$before" ] || fail "the remote was reached: $(cat "$REMOTE_LOG")"
	assert_output_has "refused 198.18.0.2:80, an IP address not in allow_domains"
	assert_output_has "refused [2001:db8::2]:80, an IP address not in allow_domains"
}

@test "proxy: names that resolve to loopback, the machine's own or a private address are refused" {
	lab
	require_tool curl
	local before
	before=$(hits "$LOCAL_LOG")
	run psb --allow-domain '*.allowed.test' "
		must_fail '$CURL -f http://loop.allowed.test/x'
		must_fail '$CURL -fk https://loop.allowed.test/x'
		must_fail '$CURL -f http://own.allowed.test/x'
		must_fail '$CURL -f --max-time 5 http://private.allowed.test/x'"
	assert_sb_clean
	[ "$(hits "$LOCAL_LOG")" -eq "$before" ] || fail "a server of the lab host was reached: $(cat "$LOCAL_LOG")"
	assert_output_has "refused loop.allowed.test:80, resolves to a loopback address 127.0.0.1, not allowed by address"
	assert_output_has "refused own.allowed.test:80, resolves to this machine's own address 198.18.0.1"
	assert_output_has "refused private.allowed.test:80, resolves to a private address 10.9.9.9"
	# the control: the lab host's own servers answer without corral
	labx curl -sS --max-time 2 http://127.0.0.1/ >/dev/null 2>&1 || true
	[ "$(hits "$LOCAL_LOG")" -gt "$before" ] || fail "control: the lab host's loopback server is not there"
}

@test "proxy: a TLS server name other than the CONNECT host is refused before the handshake reaches the remote" {
	lab
	require_tool openssl
	run psb --allow-domain allowed.test --allow-domain x.allowed.test "
		must_fail 'echo | timeout 10 openssl s_client -brief -proxy 127.0.0.1:3128 -connect allowed.test:443 -servername other.test -CAfile \$LAB/cert.pem 2>&1 | grep -q CONNECTION'
		must_fail 'echo | timeout 10 openssl s_client -brief -proxy 127.0.0.1:3128 -connect allowed.test:443 -servername x.allowed.test -CAfile \$LAB/cert.pem 2>&1 | grep -q CONNECTION'
		must_work 'echo | timeout 10 openssl s_client -brief -proxy 127.0.0.1:3128 -connect allowed.test:443 -servername allowed.test -CAfile \$LAB/cert.pem 2>&1 | grep -q CONNECTION'"
	assert_sb_clean
	grep -q '^sni other.test$' "$REMOTE_LOG" && fail "a handshake for other.test reached the remote"
	grep -q '^sni x.allowed.test$' "$REMOTE_LOG" && fail "a handshake for x.allowed.test reached the remote"
	grep -q '^sni allowed.test$' "$REMOTE_LOG" || fail "control: the allowed handshake did not reach the remote"
	assert_output_has "refused allowed.test:443, TLS server name 'other.test' differs from the requested host"
}

@test "proxy: a host name with a NUL byte (evil.test\\0.allowed.test) is refused, in HTTP and SOCKS5" {
	lab
	local before
	before=$(hits "$REMOTE_LOG")
	run psb --allow-domain '*.allowed.test' "
		exec 3<>/dev/tcp/127.0.0.1/3128
		printf 'CONNECT evil.test\\000.allowed.test:443 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' >&3
		head -n1 <&3
		exec 3>&-
		exec 4<>/dev/tcp/127.0.0.1/3128
		printf '\\005\\001\\000\\005\\001\\000\\003\\027evil.test\\000.allowed.test\\001\\273' >&4
		timeout 5 od -An -tx1 <&4
		exec 4>&-"
	assert_sb_clean
	assert_output_has "HTTP/1.1 400 Bad Request"
	assert_output_has "05 00 05 02" # no-auth accepted, then "not allowed by ruleset"
	[ "$(hits "$REMOTE_LOG")" -eq "$before" ] || fail "the remote was reached: $(cat "$REMOTE_LOG")"
	assert_output_has "corral: network: refused (malformed host):443, not a valid host name or IP address"
}

@test "proxy: a direct connect() that ignores the proxy, UDP and DNS have no route" {
	lab
	require_python
	local before
	before=$(hits "$REMOTE_LOG")
	run psb --allow-domain allowed.test "
		must_fail 'exec 5<>/dev/tcp/198.18.0.2/80'
		must_fail 'exec 5<>/dev/tcp/[2001:db8::2]/443'
		must_fail 'curl -sS --max-time 5 --noproxy \"*\" http://allowed.test/x'
		must_fail 'echo x > /dev/udp/198.18.0.2/53'
		must_fail 'exec 5<>/dev/tcp/198.18.0.2/53'
		must_fail '$PYTHON -c \"import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b\\\"q\\\", (\\\"198.18.0.2\\\", 53))\"'
		must_fail '$PYTHON -c \"import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.sendto(b\\\"q\\\", (\\\"2001:db8::2\\\", 53))\"'"
	assert_sb_clean
	sleep 0.3
	[ "$(hits "$REMOTE_LOG")" -eq "$before" ] || fail "the remote was reached: $(cat "$REMOTE_LOG")"
	# control: the same probes work from the lab host without corral
	labx bash -c 'echo x > /dev/udp/198.18.0.2/53'
	sleep 0.3
	grep -q '^53 udp:198.18.0.1$' "$REMOTE_LOG" || fail "control: the lab host's UDP did not arrive"
}

@test "proxy: 500 concurrent tunnels, slow and vanishing clients and a hanging upstream: no crash, bounded memory, the exit status kept" {
	lab
	require_python
	mkdir -p "$FAKEHOME/.config/corral"
	printf '[network]\nallow_domains = ["allowed.test"]\nallow_ports = [443, 8443]\n' > "$FAKEHOME/.config/corral/config.toml"
	cat > "$WS/load.py" <<-'PY'
	import socket, sys, time
	P = ("127.0.0.1", 3128)
	def tunnel(port):
	    s = socket.create_connection(P, timeout=30)
	    s.sendall(b"CONNECT allowed.test:%d HTTP/1.1\r\nHost: x\r\n\r\n" % port)
	    return s
	def hello(name):
	    n = name.encode()
	    sni = b"\x00" + len(n).to_bytes(2, "big") + n
	    sni = len(sni).to_bytes(2, "big") + sni
	    ext = b"\x00\x00" + len(sni).to_bytes(2, "big") + sni
	    body = b"\x03\x03" + b"\x01" * 32 + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00" + len(ext).to_bytes(2, "big") + ext
	    hs = b"\x01" + len(body).to_bytes(3, "big") + body
	    return b"\x16\x03\x01" + len(hs).to_bytes(2, "big") + hs
	def status(s):
	    buf = b""
	    while b"\r\n\r\n" not in buf:
	        d = s.recv(4096)
	        if not d:
	            break
	        buf += d
	    return buf.split(b"\r\n", 1)[0].decode()
	socks = [tunnel(443) for _ in range(500)]
	ok = sum(status(s) == "HTTP/1.1 200 Connection established" for s in socks)
	print("tunnels-ok", ok)
	# vanishing clients: half a request, then gone
	for _ in range(100):
	    v = socket.create_connection(P)
	    v.sendall(b"CONNECT allowed.te")
	    v.close()
	# slow clients: a byte at a time
	slow = [socket.create_connection(P) for _ in range(20)]
	for ch in b"CONNECT allowed.test:443 HTTP/1.1\r\n":
	    for s in slow:
	        s.send(bytes([ch]))
	    time.sleep(0.005)
	# a hanging upstream: connected, but it never answers the handshake
	hang = tunnel(8443)
	print("hang", status(hang))
	hang.sendall(hello("allowed.test"))
	hang.settimeout(2)
	try:
	    print("hang-got", len(hang.recv(100)))
	except socket.timeout:
	    print("hang-timeout")
	# still working after all that
	t = tunnel(443)
	print("after", status(t))
	for s in socks:
	    s.close()
	sys.exit(7)
	PY
	labx bash -c "timeout -s KILL 120 '$CORRAL' run -- $PYTHON '$WS/load.py' > '$T/load.out' 2>'$T/load.err'; echo \$? > '$T/load.rc'" &
	local bgpid=$! peak=0 rss pid i
	for i in $(seq 600); do
		# the oldest: corral, not its init (CORRAL may be helpers.bash's
		# wrapper, which execs CORRAL_REAL with --backend)
		pid=$(pgrep -f -o "^$CORRAL_REAL run (--backend [a-z]+ )?-- $PYTHON $WS/load.py" || true)
		if [ -n "$pid" ]; then
			rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
			[ "${rss:-0}" -gt "$peak" ] && peak=$rss
		fi
		[ -s "$T/load.rc" ] && break
		sleep 0.1
	done
	wait "$bgpid"
	cat "$T/load.out" "$T/load.err" >&2
	[ "$(cat "$T/load.rc")" -eq 7 ] || fail "exit status $(cat "$T/load.rc"), expected the command's 7"
	grep -q '^tunnels-ok 500$' "$T/load.out" || fail "not every tunnel opened"
	grep -q '^hang HTTP/1.1 200 Connection established$' "$T/load.out" || fail "the hanging upstream's tunnel"
	grep -q '^hang-timeout$' "$T/load.out" || fail "the hanging upstream answered?"
	grep -q '^after HTTP/1.1 200 Connection established$' "$T/load.out" || fail "the proxy stopped working"
	[ "$(hits "$REMOTE_LOG" 443)" -ge 501 ] || fail "the remote saw $(hits "$REMOTE_LOG" 443) connections"
	echo "peak RSS of corral: $peak KiB" >&2
	[ "$peak" -gt 0 ] && [ "$peak" -lt 65536 ] || fail "corral's RSS peaked at $peak KiB (bound: 64 MiB)"
}

@test "proxy: a tunnel carries 48 MiB both ways intact (spliced); clients that vanish mid-transfer leave no pipe or socket behind" {
	lab
	require_python
	mkdir -p "$FAKEHOME/.config/corral"
	printf '[network]\nallow_domains = ["allowed.test"]\nallow_ports = [7]\n' > "$FAKEHOME/.config/corral/config.toml"
	cat > "$WS/splice.py" <<-'PY'
	import hashlib, os, socket, struct, sys, threading, time
	P = ("127.0.0.1", 3128)
	WS = sys.argv[1]
	def tunnel(port):
	    s = socket.create_connection(P, timeout=60)
	    s.sendall(b"CONNECT allowed.test:%d HTTP/1.1\r\nHost: x\r\n\r\n" % port)
	    buf = b""
	    while b"\r\n\r\n" not in buf:
	        d = s.recv(1)
	        if not d:
	            raise SystemExit("the proxy closed: %r" % buf)
	        buf += d
	    if not buf.startswith(b"HTTP/1.1 200"):
	        raise SystemExit("refused: %r" % buf)
	    return s
	def phase(name):
	    # the test counts corral's descriptors from outside, then says go
	    open(os.path.join(WS, name), "w").close()
	    while not os.path.exists(os.path.join(WS, name + ".go")):
	        time.sleep(0.05)
	phase("phase0")
	N = 48 << 20
	s = tunnel(7)
	sent, got = hashlib.sha256(), hashlib.sha256()
	n_got = [0]
	half = threading.Event()
	def writer():
	    left = N
	    while left:
	        chunk = os.urandom(min(left, 1 << 20))
	        sent.update(chunk)
	        s.sendall(chunk)
	        left -= len(chunk)
	        if left == N // 2:
	            half.wait()
	            phase("phase1") # both directions have moved more than the splice threshold
	    s.shutdown(socket.SHUT_WR)
	w = threading.Thread(target=writer)
	w.start()
	buf = bytearray(1 << 20)
	while True:
	    k = s.recv_into(buf)
	    if not k:
	        break
	    got.update(buf[:k])
	    n_got[0] += k
	    if n_got[0] >= N // 2:
	        half.set()
	w.join()
	s.close()
	print("echo", n_got[0], "intact" if sent.digest() == got.digest() else "CORRUPT")
	# clients that vanish mid-transfer: send what fits without reading the
	# echo (so the proxy's pipes fill), then reset or close
	vanished = 0
	for i in range(20):
	    v = tunnel(7)
	    v.settimeout(0.5)
	    chunk = b"v" * (1 << 16)
	    n = 0
	    try:
	        while n < (16 << 20):
	            n += v.send(chunk)
	    except socket.timeout:
	        pass
	    if n > (512 << 10):
	        vanished += 1
	    if i % 2:
	        v.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
	    v.close()
	print("vanished", vanished)
	time.sleep(0.5)
	phase("phase2")
	t = tunnel(7)
	t.sendall(b"ping")
	print("after", t.recv(4).decode())
	sys.exit(7)
	PY
	labx bash -c "timeout -s KILL 150 '$CORRAL' run -- $PYTHON '$WS/splice.py' '$WS' > '$T/splice.out' 2>'$T/splice.err'; echo \$? > '$T/splice.rc'" &
	local bgpid=$! pid="" i p0 s0 p1 p2 s2
	fds() { ls -l "/proc/$pid/fd" 2>/dev/null | grep -c "$1:" || true; }
	for i in $(seq 300); do
		[ -e "$WS/phase0" ] && break
		sleep 0.1
	done
	pid=$(pgrep -f -o "^$CORRAL_REAL run (--backend [a-z]+ )?-- $PYTHON $WS/splice.py" || true)
	[ -n "$pid" ] || fail "no corral process"
	p0=$(fds pipe) s0=$(fds socket)
	touch "$WS/phase0.go"
	for i in $(seq 600); do
		[ -e "$WS/phase1" ] && break
		sleep 0.1
	done
	p1=$(fds pipe)
	touch "$WS/phase1.go"
	for i in $(seq 600); do
		[ -e "$WS/phase2" ] && break
		sleep 0.1
	done
	for i in $(seq 50); do
		p2=$(fds pipe) s2=$(fds socket)
		[ "$p2" -eq "$p0" ] && [ "$s2" -eq "$s0" ] && break
		sleep 0.1
	done
	touch "$WS/phase2.go"
	wait "$bgpid"
	cat "$T/splice.out" "$T/splice.err" >&2
	echo "corral's pipes: $p0 at rest, $p1 mid-transfer, $p2 after; sockets: $s0, $s2" >&2
	[ "$(cat "$T/splice.rc")" -eq 7 ] || fail "exit status $(cat "$T/splice.rc"), expected the command's 7"
	grep -q "^echo $((48 << 20)) intact$" "$T/splice.out" || fail "the echo came back short or corrupt"
	[ "$p1" -ge $((p0 + 2)) ] || fail "no pipe per direction while the tunnel moved bytes: the copy, not splice"
	grep -q '^vanished 20$' "$T/splice.out" || fail "the vanishing clients did not get bytes into the tunnel"
	[ "$p2" -eq "$p0" ] || fail "pipes left behind: $p2, $p0 at rest"
	[ "$s2" -eq "$s0" ] || fail "sockets left behind: $s2, $s0 at rest"
	grep -q '^after ping$' "$T/splice.out" || fail "the proxy stopped working"
	[ "$(hits "$REMOTE_LOG" 7)" -ge 22 ] || fail "the remote saw $(hits "$REMOTE_LOG" 7) connections"
}

# pipeline_script FILE: a client that sends each conversation's bytes on one
# connection at once (to the proxy, or with --direct to the remote itself),
# reads until the other side closes (port 81 keeps connections open: for 3
# s), and prints "== NAME" and what came back.
pipeline_script() {
	cat > "$1" <<-'PY'
	import socket, sys
	direct = sys.argv[1:2] == ["--direct"]
	def talk(name, data, port=80):
	    s = socket.create_connection(("198.18.0.2", port) if direct else ("127.0.0.1", 3128))
	    s.settimeout(3 if port == 81 else 10)
	    s.sendall(data)
	    got = b""
	    try:
	        while True:
	            d = s.recv(65536)
	            if not d:
	                break
	            got += d
	    except socket.timeout:
	        got += b"[open]" if port == 81 else b"[no end within 10 s]"
	    s.close()
	    print("== " + name)
	    print(got.decode("latin-1"))
	    sys.stdout.flush()
	if direct:
	    talk("control", b"GET /ctl-first HTTP/1.1\r\nHost: allowed.test\r\nConnection: close\r\n\r\n"
	                    b"GET /ctl-second HTTP/1.1\r\nHost: evil.test\r\n\r\n", 81)
	    sys.exit(0)
	# the lenient server: pipelined requests for a denied name, by Host and
	# by absolute URI, and one smuggled after a body
	talk("host", b"GET http://allowed.test:81/first HTTP/1.1\r\nHost: allowed.test:81\r\n\r\n"
	             b"GET /second HTTP/1.1\r\nHost: evil.test\r\n\r\n", 81)
	talk("uri", b"GET http://allowed.test:81/first-uri HTTP/1.1\r\nHost: allowed.test:81\r\nProxy-Connection: keep-alive\r\n\r\n"
	            b"GET http://evil.test:81/second-uri HTTP/1.1\r\nHost: evil.test:81\r\n\r\n", 81)
	talk("length", b"POST http://allowed.test:81/post-length HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
	               b"GET /smuggled-length HTTP/1.1\r\nHost: evil.test\r\n\r\n", 81)
	# the closing server: the answer, then the end of the connection
	talk("closing", b"GET http://allowed.test/first-closing HTTP/1.1\r\nHost: allowed.test\r\n\r\n"
	                b"GET /second-closing HTTP/1.1\r\nHost: evil.test\r\n\r\n")
	talk("chunked", b"POST http://allowed.test/post-chunked HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	                b"5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n"
	                b"GET /smuggled-chunked HTTP/1.1\r\nHost: evil.test\r\n\r\n")
	# ambiguous or malformed framing
	talk("both", b"POST http://allowed.test:81/both HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
	             b"0\r\n\r\nGET /smuggled-both HTTP/1.1\r\nHost: evil.test\r\n\r\n")
	talk("bare-lf", b"POST http://allowed.test:81/bare-lf HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	                b"5\nhello\r\n0\r\n\r\nGET /smuggled-lf HTTP/1.1\r\nHost: evil.test\r\n\r\n")
	PY
}

@test "proxy: plain HTTP is one request per connection: a pipelined request for a denied Host or URI, or smuggled after a body, never reaches the server" {
	lab
	require_python
	pipeline_script "$WS/pipe.py"
	mkdir -p "$FAKEHOME/.config/corral"
	printf '[network]\nallow_ports = [80, 81]\n' > "$FAKEHOME/.config/corral/config.toml"
	# the control: sent straight to the lenient server, without corral, the
	# pipelined second request is served (one server for both names), even
	# after "Connection: close"
	run labx "$PYTHON" "$WS/pipe.py" --direct
	[ "$status" -eq 0 ] || { show_output; fail "control: the direct client failed"; }
	grep -q '^req GET evil.test /ctl-second$' "$REMOTE_LOG" || fail "control: the pipelined request did not reach the remote: $(cat "$REMOTE_LOG")"
	assert_output_has "REMOTE-OK host=evil.test"
	local before80 before81
	before80=$(hits "$REMOTE_LOG" 80) before81=$(hits "$REMOTE_LOG" 81)
	run psb --allow-domain allowed.test --status-fd 3 "$PYTHON \$WS/pipe.py" 3>"$T/status"
	assert_sb_clean
	# the first request of each connection got its answer
	[ "$(grep -c 'REMOTE-OK host=allowed.test:81$' <<<"$output")" -eq 2 ] || { show_output; fail "the first requests were not answered"; }
	assert_output_has "REMOTE-OK host=allowed.test"$'\n'
	assert_output_has "POST-OK host=allowed.test:81 length 5 $(printf hello | sha256sum | cut -d' ' -f1)"
	assert_output_has "POST-OK host=allowed.test chunked 11 $(printf 'hello world' | sha256sum | cut -d' ' -f1)"
	[[ "$output" != *"host=evil.test"* ]] || { show_output; fail "a pipelined request was answered for evil.test"; }
	# the closing server's connections ended with its answer
	[[ "$output" != *"no end within"* ]] || { show_output; fail "a connection was left open"; }
	# ambiguous or malformed framing: 400 naming the rule
	assert_output_has "HTTP/1.1 400 Bad Request"
	assert_output_has "corral: ambiguous or malformed framing (both Content-Length and Transfer-Encoding)"
	assert_output_has "corral: ambiguous or malformed framing (chunked body: a line not ended by CRLF)"
	# from outside: what the remote served, request by request
	local r
	for r in "GET allowed.test:81 /first" "GET allowed.test:81 /first-uri" "POST allowed.test:81 /post-length" \
		"GET allowed.test /first-closing" "POST allowed.test /post-chunked"; do
		grep -qx "req $r" "$REMOTE_LOG" || fail "the first request ($r) did not reach the remote: $(cat "$REMOTE_LOG")"
	done
	if grep -E '^req ' "$REMOTE_LOG" | grep -vE '^req (GET|POST) allowed\.test(:81)? /(x|first|first-uri|post-length|first-closing|post-chunked|ctl-first)$' | grep -v ctl-second; then
		fail "a pipelined or smuggled request reached the remote: $(cat "$REMOTE_LOG")"
	fi
	# one connection each for the five answered; the two refused reached
	# nothing, not even a connection
	[ "$(hits "$REMOTE_LOG" 81)" -eq $((before81 + 3)) ] && [ "$(hits "$REMOTE_LOG" 80)" -eq $((before80 + 2)) ] ||
		fail "connections to the remote: $(cat "$REMOTE_LOG")"
	# reported after the run, and in the status record
	assert_output_has "corral: network: refused allowed.test:81, a further request on the connection (plain HTTP: one request per connection)"
	assert_output_has "corral: network: refused allowed.test:80, a further request on the connection (plain HTTP: one request per connection)"
	assert_output_has "corral: network: refused (request), ambiguous or malformed framing (both Content-Length and Transfer-Encoding)"
	assert_output_has "corral: network: refused (request), ambiguous or malformed framing (chunked body: a line not ended by CRLF)"
	grep -q '"address":"allowed.test:81","rule":"a further request on the connection (plain HTTP: one request per connection)","allow_with":"","count":3}' \
		"$T/status" || fail "status record: $(cat "$T/status")"
}

@test "proxy: POST bodies still go through plain HTTP, chunked and with Content-Length (curl; git smart HTTP POSTs too); keep-alive clients are told to close" {
	lab
	require_tool curl
	require_tool git
	head -c 3000000 /dev/urandom > "$WS/upload"
	local sum
	sum=$(sha256sum < "$WS/upload" | cut -d' ' -f1)
	run psb --allow-domain allowed.test --status-fd 3 "
		$CURL --data-binary @\$WS/upload http://allowed.test/up-length
		$CURL -H 'Transfer-Encoding: chunked' --data-binary @\$WS/upload http://allowed.test/up-chunked
		$CURL -H 'Transfer-Encoding: chunked' --data-binary '' http://allowed.test/up-empty
		$CURL -i http://allowed.test/x http://allowed.test/x
		must_work 'git clone -q http://allowed.test/git/repo.git \$WS/c1 && grep -q remote-content \$WS/c1/file'" 3>"$T/status"
	assert_sb_clean
	assert_output_has "POST-OK host=allowed.test length 3000000 $sum"
	assert_output_has "POST-OK host=allowed.test chunked 3000000 $sum"
	assert_output_has "POST-OK host=allowed.test chunked 0 "
	# the client is told the connection ends with the response, so that a
	# keep-alive client sends its next request on a new one (checked anew)
	assert_output_has "Connection: close"
	[ "$(grep -c 'REMOTE-OK host=allowed.test' <<<"$output")" -eq 2 ] || { show_output; fail "two requests in one curl"; }
	grep -q '"network_refusals":\[\]' "$T/status" || fail "refusals recorded: $(cat "$T/status")"
}

@test "proxy: explain prints the network rules; bad rules are refused (125)" {
	run corral explain --allow-domain '*.Example.org.' --deny-domain bad.example.org
	[ "$status" -eq 0 ]
	assert_output_has "proxy (named domains only, through corral's proxy)"
	assert_output_has "allow          *.example.org"
	assert_output_has "deny           bad.example.org"
	assert_output_has "ports          80 443"
	run corral run --allow-domain 'b\xc3\xbccher.de' -- true
	[ "$status" -eq 125 ]
	run corral run --allow-domain "$(printf 'b\xc3\xbccher.de')" -- true
	[ "$status" -eq 125 ]
	assert_output_has "xn--"
}

@test "proxy: fail closed: when the proxy cannot start (no fds left), the command does not run, and never with a route out" {
	lab
	require_tool curl
	local n out st proxy_failed=0 ran_ok=0
	# from too few for the proxy to far more than a run needs (mount slots,
	# pins, the proxy's sockets and the denial reports' listener and pipes
	# all take descriptors while it starts). Every limit up to 24: the window
	# where the proxy's own socket pair is the first to fail is two wide and
	# moves with what else starts (the default denial reports take two more)
	for n in $(seq 8 24) 32 40 48 64 96 128 192 256; do
		out=$(labx bash -c "ulimit -n $n; exec timeout -s KILL 60 '$CORRAL' run --allow-domain allowed.test -- bash -c '
			if (exec 3<>/dev/tcp/198.18.0.2/80) 2>/dev/null; then echo DIRECT-ROUTE; fi
			curl -sS --max-time 5 http://allowed.test/x; echo RAN'" 2>&1) && st=0 || st=$?
		[[ "$out" == *DIRECT-ROUTE* ]] && fail "ulimit -n $n: the command had a route out: $out"
		if [[ "$out" == *RAN* ]]; then
			[[ "$out" == *REMOTE-OK* ]] || fail "ulimit -n $n: the command ran without a working proxy: $out"
			ran_ok=$((ran_ok + 1))
		else
			[ "$st" -eq 125 ] || fail "ulimit -n $n: exit $st without running the command: $out"
			[[ "$out" == *"network proxy"* ]] && proxy_failed=$((proxy_failed + 1))
		fi
	done
	[ "$proxy_failed" -gt 0 ] || fail "no limit made the proxy itself fail (the test proves less)"
	[ "$ran_ok" -gt 0 ] || fail "no limit let the command run (control)"
}

# The one real case: the npm registry this machine is configured for (read
# from npm's own configuration, never written here), in the machine's own
# network rather than the lab's.
@test "proxy: a real npm install works with only the registry's domain allowed, and fails with another" {
	require_tool npm
	require_tool curl
	local registry host
	registry=$(npm config get registry 2>/dev/null)
	host=${registry#*://}
	host=${host%%/*}
	host=${host%%:*}
	[ -n "$host" ] || skip "npm has no registry configured"
	curl -sS --max-time 10 -o /dev/null "${registry%/}/is-number" 2>/dev/null ||
		skip "the npm registry $registry is not reachable from this machine"
	printf '{"name":"t","version":"1.0.0"}\n' > "$WS/package.json"
	local npm_opts="--no-audit --no-fund --fetch-retries=0 --cache $WS/.npm-cache"
	run corral run --allow-domain "$host" -- npm install is-number $npm_opts
	[ "$status" -eq 0 ] || { show_output; fail "npm install with --allow-domain $host failed"; }
	[ -f "$WS/node_modules/is-number/package.json" ] || fail "is-number was not installed"
	rm -rf "$WS/node_modules" "$WS/package-lock.json" "$WS/.npm-cache"
	run corral run --allow-domain example.org -- npm install is-number $npm_opts
	[ "$status" -ne 0 ] || { show_output; fail "npm install worked without its registry allowed"; }
	[ ! -e "$WS/node_modules/is-number" ] || fail "is-number was installed anyway"
	assert_output_has "corral: network: refused $host:443, not in allow_domains"
}
