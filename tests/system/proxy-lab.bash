# The network lab of proxy.bats: a "machine" and a "remote host", each in
# its own network namespace, made by the tests' own user (no root needed,
# nothing on the real machine changes):
#
#   lab host   (user + network + mount namespaces, mapped root): the
#              machine corral runs on. 198.18.0.1/24 and 2001:db8::1/64 on
#              a veth to the remote; its own /etc/hosts (a bind mount in its
#              mount namespace) names the remote; "local" servers on its
#              127.0.0.1 and 198.18.0.1 count connections.
#   remote     (a network namespace below it): 198.18.0.2 and 2001:db8::2,
#              proxy-remote.py serving HTTP, HTTPS (self-signed), git smart
#              HTTP, a hanging TLS port, DNS (UDP/TCP 53) and port 9.
#
# Addresses come from 198.18.0.0/15 and 2001:db8::/32 only. labx CMD runs
# CMD in the lab host (corral too: the proxy's outgoing side is then the lab
# host's network). REMOTE_LOG and LOCAL_LOG get one line per connection.

lab_names() {
	cat <<-'HOSTS'
	127.0.0.1 localhost
	::1 localhost
	198.18.0.2 allowed.test other.test evil.test x.allowed.test deny.allowed.test
	2001:db8::2 v6.allowed.test
	127.0.0.1 loop.allowed.test
	198.18.0.1 own.allowed.test
	10.9.9.9 private.allowed.test
	HOSTS
}

labx() { nsenter --preserve-credentials --target "$LAB_HOST" --user --net --mount --wd="$PWD" -- "$@"; }
labr() { nsenter --preserve-credentials --target "$LAB_REMOTE" --user --net -- "$@"; }

lab_start() {
	require_tool nsenter
	require_tool unshare
	require_tool ip
	require_tool openssl
	[ -n "$PYTHON" ] || skip "python3 is not installed"
	unshare --user --map-root-user --net --mount true 2>/dev/null ||
		skip "cannot create user + network namespaces here (needed for the test network)"
	LAB=$T/lab
	mkdir -p "$LAB/git"
	lab_names > "$LAB/hosts"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=allowed.test \
		-addext "subjectAltName=DNS:allowed.test,DNS:other.test,DNS:evil.test,DNS:x.allowed.test,DNS:v6.allowed.test" \
		-keyout "$LAB/key.pem" -out "$LAB/cert.pem" 2>/dev/null || fail "openssl cannot make a certificate"
	git init -q --bare "$LAB/git/repo.git"
	git -C "$LAB/git" clone -q repo.git work 2>/dev/null
	(cd "$LAB/git/work" && echo remote-content > file && git add file &&
		git -c user.email=t@t -c user.name=t commit -qm one && git push -q origin HEAD:main) ||
		fail "cannot make the test repository"
	git -C "$LAB/git/repo.git" symbolic-ref HEAD refs/heads/main

	unshare --user --map-root-user --net --mount sleep infinity &
	LAB_HOST=$!
	echo "$LAB_HOST" >> "$T/bg.pids"
	local i
	for i in $(seq 100); do [ "$(readlink /proc/$LAB_HOST/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.05; done
	# (not through labx: a function in the background is a subshell, and $!
	# would name it instead of the namespace's process)
	nsenter --preserve-credentials --target "$LAB_HOST" --user --net --mount -- unshare --net sleep infinity &
	LAB_REMOTE=$!
	echo "$LAB_REMOTE" >> "$T/bg.pids"
	local self_net host_net net
	self_net=$(readlink /proc/self/ns/net)
	host_net=$(readlink /proc/$LAB_HOST/ns/net)
	for i in $(seq 100); do
		net=$(readlink /proc/$LAB_REMOTE/ns/net)
		[ "$net" != "$self_net" ] && [ "$net" != "$host_net" ] && break
		sleep 0.05
	done
	labx ip link set lo up &&
		labx ip link add vh type veth peer name vr netns "$LAB_REMOTE" &&
		labx ip addr add 198.18.0.1/24 dev vh &&
		labx ip -6 addr add 2001:db8::1/64 dev vh nodad &&
		labx ip link set vh up &&
		labr ip link set lo up &&
		labr ip addr add 198.18.0.2/24 dev vr &&
		labr ip -6 addr add 2001:db8::2/64 dev vr nodad &&
		labr ip link set vr up || fail "cannot set up the test network"
	labx mount --bind "$LAB/hosts" /etc/hosts || fail "cannot bind the test /etc/hosts"
	REMOTE_LOG=$LAB/remote.log
	LOCAL_LOG=$LAB/local.log
	: > "$REMOTE_LOG"
	: > "$LOCAL_LOG"
	nsenter --preserve-credentials --target "$LAB_REMOTE" --user --net -- "$PYTHON" "$REPO/tests/system/proxy-remote.py" "$REMOTE_LOG" "$LAB/cert.pem" "$LAB/key.pem" "$LAB/git" \
		2>"$LAB/remote.err" &
	echo $! >> "$T/bg.pids"
	nsenter --preserve-credentials --target "$LAB_HOST" --user --net --mount -- "$PYTHON" "$REPO/tests/system/proxy-remote.py" "$LOCAL_LOG" "" "" --local 2>"$LAB/local.err" &
	echo $! >> "$T/bg.pids"
	for i in $(seq 100); do
		grep -q READY "$REMOTE_LOG" && grep -q READY "$LOCAL_LOG" && break
		sleep 0.1
	done
	grep -q READY "$REMOTE_LOG" || fail "the remote server did not start: $(cat "$LAB/remote.err")"
	grep -q READY "$LOCAL_LOG" || fail "the local server did not start: $(cat "$LAB/local.err")"
	export LAB LAB_HOST LAB_REMOTE REMOTE_LOG LOCAL_LOG
	# controls: without corral, the lab host reaches the remote by name
	labx curl -sS --max-time 5 http://allowed.test/x | grep -q REMOTE-OK || fail "control: the lab host cannot reach the remote"
}

# hits LOG [PORT]: connections logged (to PORT).
hits() {
	if [ -n "${2:-}" ]; then
		grep -c "^$2 " "$1" || true
	else
		grep -vc READY "$1" || true
	fi
}

# pcorral ARGS...: corral in the lab host, with its own user config.
pcorral() { labx "$CORRAL" "$@"; }
