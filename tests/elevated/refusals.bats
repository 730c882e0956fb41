#!/usr/bin/env bats
# corral-runner refuses: callers outside the group, hostile environments,
# tracing, malformed requests, identities and paths it must not serve.
load lib

setup_file() { uninstall_corral; install_corral; }
teardown_file() { uninstall_corral; }
setup() {
	new_ws
	ET=$(mktemp -d /var/tmp/corral-et.XXXXXX)
	chmod 755 "$ET"
}
teardown() { rm -rf "$ET"; }

# runner_with REQUEST_ARGS... : the developer runs the runner directly with
# a request built by request.py on fd 3.
runner_with() {
	"$REQUEST" "$@" > "$ET/req"
	chmod 644 "$ET/req"
	run as "$DEV" sh -c "exec '$RUNNER' 3< '$ET/req'"
}

@test "a caller outside the group corral cannot use the backend (corral says why)" {
	d=$(runuser -u "$OUTSIDER" -- mktemp -d /tmp/corral-et-out.XXXXXX)
	run bash -c "cd '$d' && runuser -u '$OUTSIDER' -- env -i HOME=/tmp PATH='$SANE_PATH' '$CORRAL' run --backend users -- true"
	rm -rf "$d"
	assert_status 125
	assert_contains "not in the group corral"
}

@test "the runner itself refuses a caller outside the group (even with its capabilities)" {
	cp "$RUNNER" "$ET/runner-copy"
	chmod 755 "$ET/runner-copy"
	setcap cap_setgid,cap_setuid,cap_sys_admin=ep "$ET/runner-copy"
	run as "$OUTSIDER" sh -c "exec '$ET/runner-copy' 3< /dev/null"
	assert_status 125
	assert_contains "is not in the group corral"
}

@test "the installed runner cannot even be executed by a non-member" {
	run as "$OUTSIDER" "$RUNNER"
	assert_status 126
}

@test "LD_PRELOAD is not honoured, and loader or libc variables are refused" {
	command -v cc > /dev/null || skip "no C compiler to build the preload library"
	printf '#include <stdio.h>\n__attribute__((constructor)) static void p(void) { FILE *f = fopen("%s/pwned", "w"); if (f) fclose(f); }\n' "$ET" > "$ET/evil.c"
	chmod 777 "$ET"
	cc -shared -fPIC -o "$ET/evil.so" "$ET/evil.c"
	chmod 755 "$ET/evil.so"
	run as "$DEV" env LD_PRELOAD="$ET/evil.so" "$RUNNER"
	assert_status 125
	[ ! -e "$ET/pwned" ]
	run as "$DEV" env LD_FOO=1 "$RUNNER"
	assert_status 125
	assert_contains "hostile environment (LD_FOO)"
	run as "$DEV" env MALLOC_ARENA_MAX=1 "$RUNNER"
	assert_status 125
	assert_contains "hostile environment (MALLOC_ARENA_MAX)"
}

@test "a traced runner refuses to run" {
	command -v strace > /dev/null || skip "strace is not installed"
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' strace -f -o /dev/null '$CORRAL' run --backend users -- true"
	assert_status 125
	assert_contains "traced"
}

@test "no_new_privs in the caller: the runner says it lacks its capabilities" {
	run bash -c "cd '$WS' && runuser -u '$DEV' -- setpriv --no-new-privs env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' run --backend users -- true"
	assert_status 125
	assert_contains "lacks its file capabilities"
}

@test "malformed requests are refused: magic, truncation, version, identity" {
	runner_with --magic XXXX --workspace "$WS"
	assert_status 125
	assert_contains "malformed request: magic"
	runner_with --workspace "$WS" --truncate 30
	assert_status 125
	assert_contains "malformed request"
	runner_with --workspace "$WS" --version 2
	assert_status 125
	assert_contains "version"
	runner_with --workspace "$WS" --identity 2
	assert_status 125
	assert_contains "identity"
	run as "$DEV" sh -c "exec '$RUNNER' 3< /dev/null"
	assert_status 125
	assert_contains "truncated"
}

@test "paths that are not absolute and normalised are refused" {
	for p in "relative" "$WS/../x" "$WS/./x" "$WS//x" "$WS/"; do
		runner_with --workspace "$p"
		assert_status 125
		assert_contains "malformed request: workspace"
	done
	runner_with --workspace "$WS" --root "$WS/a/../b"
	assert_status 125
	assert_contains "writable root"
}

@test "/, the caller's home and its ancestors are never mapped" {
	runner_with --workspace "$DEV_HOME"
	assert_status 125
	assert_contains "never maps it"
	runner_with --workspace "$WS" --root /
	assert_status 125
	assert_contains "never maps it"
}

@test "the identity must match the network mode" {
	runner_with --workspace "$WS" --identity 1 --network 0
	assert_status 125
	assert_contains "identity does not match"
}

@test "network proxy: the online identity is refused, an unknown network mode too; on a pipe the listeners go nowhere and nothing runs" {
	runner_with --workspace "$WS" --identity 1 --network 2
	assert_status 125
	assert_contains "identity does not match"
	runner_with --workspace "$WS" --network 3
	assert_status 125
	assert_contains "malformed request: network"
	# the request on a file, not corral's unix socket: the runner cannot hand
	# the proxy's listeners over, and stops the sandbox before the command
	"$REQUEST" --workspace "$WS" --network 2 -- /bin/sh -c 'touch ran' > "$ET/req"
	chmod 644 "$ET/req"
	run as "$DEV" sh -c "cd '$WS' && exec '$RUNNER' 3< '$ET/req'"
	assert_status 125
	assert_contains "cannot hand the listening sockets to corral"
	[ ! -e "$WS/ran" ]
}

@test "a well-formed request from a member runs; end of file on the request pipe kills it" {
	# fd 3 stays open (a pipe) while it runs: end of file means corral died
	"$REQUEST" --workspace "$WS" -- /bin/sh -c 'id -un' > "$ET/req"
	chmod 644 "$ET/req"
	run as "$DEV" bash -c "exec '$RUNNER' 3< <(cat '$ET/req'; sleep 3)"
	assert_status 0
	assert_contains corral-offline
	runner_with --workspace "$WS" -- /bin/sh -c 'sleep 30'
	assert_status 125
	assert_contains "sandbox ended"
}
