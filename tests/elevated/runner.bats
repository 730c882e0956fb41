#!/usr/bin/env bats
# corral-runner, attacked by the member who starts it (SECURITY.md section 4):
# hostile argv, fds it did not expect, closed 0-2, ptrace while it is
# privileged and after the switch, a sandbox user as the caller, symlinked,
# magic-link and foreign-owned roots in the request, and a hostile
# environment. Each test runs the installed runner with a request built by
# request.py, as the developer.
load lib

setup_file() { uninstall_corral; install_corral; }
teardown_file() { uninstall_corral; }
setup() {
	ET=$(mktemp -d /var/tmp/corral-et.XXXXXX)
	chmod 777 "$ET" # the developer writes the runner's pid here
	# The workspace lies outside the developer's private home: a raw request
	# gets no grant of passage (corral makes those, docs/elevated.md).
	WS=$ET/ws
	runuser -u "$DEV" -- mkdir "$WS"
}
teardown() {
	[ -n "${RUNNER_PID:-}" ] && kill -9 "$RUNNER_PID" 2>/dev/null
	exec 8>&- 2>/dev/null
	rm -rf "$ET"
}

fail() {
	printf '%s\n' "$@" >&2
	return 1
}

# as_exec CMD...: like `as`, but with setpriv, which execs (runuser forks,
# and stops itself when its child stops): a pid started with & is CMD's.
as_exec() {
	setpriv --reuid "$DEV" --regid "$DEV" --init-groups env -i HOME="$DEV_HOME" USER="$DEV" LOGNAME="$DEV" \
		PATH="$SANE_PATH" LANG=C.UTF-8 ET="$ET" "$@"
}

# request ARGS...: a request (request.py ARGS) in $ET/req, readable by all.
request() {
	"$REQUEST" "$@" > "$ET/req"
	chmod 644 "$ET/req"
}

# runner_sh SHELL-CODE: the developer runs SHELL-CODE, which execs the runner.
# $REQ in it is fd 3 as corral gives it: a pipe with the request, held open
# until the runner exits (end of file on it means corral died).
REQ='3< <(cat "$ET/req"; while [ -e /proc/$$ ]; do sleep 0.05; done 2>/dev/null)'
runner_sh() {
	run as "$DEV" env ET="$ET" bash -c "$1"
}

@test "argv: the runner ignores hostile arguments and an empty argv" {
	[ -x "$STAGE/execargv" ] || skip "the execargv helper was not built"
	request --workspace "$WS" -- /bin/sh -c 'id -un; echo RAN'
	runner_sh "exec -a '--workspace / --root /' '$RUNNER' --workspace / --root / --network on -- /bin/sh $REQ"
	assert_status 0
	assert_contains corral-offline
	assert_contains RAN
	runner_sh "exec '$STAGE/execargv' '$RUNNER' $REQ"
	assert_status 0
	assert_contains corral-offline
	runner_sh "exec '$STAGE/execargv' '$RUNNER' '' $REQ"
	assert_status 0
	assert_contains corral-offline
	# and it never acted on the arguments: / was not mapped or written
	[ ! -e /RAN ]
}

@test "fds: descriptors above 4 are closed by the runner itself and never reach the command" {
	echo "CORRAL-SECRET-FD" > "$ET/secret"
	chmod 644 "$ET/secret"
	request --workspace "$WS" --root "$WS" -- /bin/sh -c "ls /proc/self/fd > '$WS/fds'; cat /proc/self/fd/7 /proc/self/fd/9; sleep 1.5"
	# fd 3 stays a pipe while the command runs (end of file would end the sandbox)
	as_exec bash -c "echo \$\$ > '$ET/pid'; exec '$RUNNER' $REQ 7< '$ET/secret' 9> '$ET/fd9' 12< '$ET/secret'" > "$ET/out" 2>&1 &
	local bgpid=$! i
	for ((i = 0; i < 50; i++)); do [ -s "$WS/fds" ] && break; sleep 0.1; done
	RUNNER_PID=$(cat "$ET/pid")
	# the runner (now the supervisor) holds none of them
	local held
	held=$(for f in /proc/"$RUNNER_PID"/fd/*; do readlink "$f"; done 2>/dev/null || true)
	[ -n "$held" ] || fail "the runner was gone before its fds were looked at"
	[[ "$held" != *"$ET/secret"* && "$held" != *"$ET/fd9"* ]] || fail "the runner still holds a caller's fd:" "$held"
	wait "$bgpid" || true
	[ "$(sort -n "$WS/fds" | tr '\n' ' ')" = "0 1 2 3 " ] || fail "the command had the fds: $(cat "$WS/fds")"
	run cat "$ET/out"
	[[ "$output" != *CORRAL-SECRET-FD* ]] || fail "the command read a caller's fd:" "$output"
}

@test "fds: a runner started with fd 0, 1 or 2 closed never lets a file it opens take that number" {
	# glibc reopens closed standard fds of a program with file capabilities
	# (AT_SECURE) on /dev/null or /dev/full before main(); the runner refuses
	# (125) if one is still closed. Either way no file the runner opens
	# afterwards (the marker, a root, a pipe) becomes the command's 0-2.
	local fd
	for fd in 0 1 2; do
		# (the shell's own fd, read from a child: the shell redirects nothing)
		request --workspace "$WS" --root "$WS" -- /bin/sh -c "t=\$(readlink /proc/\$\$/fd/$fd); echo \$t > '$WS/fd$fd'"
		runner_sh "exec '$RUNNER' $REQ $fd>&-"
		if [ "$status" -ne 125 ]; then
			assert_status 0
			case $(cat "$WS/fd$fd") in
			/dev/null | /dev/full) ;;
			*) fail "with fd $fd closed, the command got $(cat "$WS/fd$fd") as fd $fd" ;;
			esac
		else
			[ ! -e "$WS/fd$fd" ] || fail "refused, but the command ran"
		fi
	done
}

@test "ptrace: the caller cannot attach to or write into the runner, neither while privileged nor after the switch" {
	[ -x "$STAGE/procattack" ] || skip "the procattack helper was not built"
	request --workspace "$WS" --root "$WS" -- /bin/sh -c "touch '$WS/started'; sleep 2"
	mkfifo "$ET/fifo"
	chmod 666 "$ET/fifo"
	exec 8<> "$ET/fifo" # the writer: the runner blocks reading its request
	as_exec bash -c "echo \$\$ > '$ET/pid'; exec '$RUNNER' 3< '$ET/fifo'" > "$ET/out" 2>&1 8>&- &
	local bgpid=$! i op
	for ((i = 0; i < 50; i++)); do
		[ -s "$ET/pid" ] && grep -q '^CapEff:.*[1-9a-f]' "/proc/$(cat "$ET/pid")/status" 2>/dev/null &&
			[ "$(cut -d' ' -f1 "/proc/$(cat "$ET/pid")/syscall" 2>/dev/null)" = 0 ] && break
		sleep 0.1
	done
	RUNNER_PID=$(cat "$ET/pid")
	grep -q '^CapEff:.*[1-9a-f]' "/proc/$RUNNER_PID/status" || fail "the runner is not privileged and waiting"
	# 1. privileged (its capabilities held, reading the request), same real uid as the caller
	for op in attach seize; do
		run as "$DEV" "$STAGE/procattack" "$op" "$RUNNER_PID"
		assert_status 1
	done
	run as "$DEV" "$STAGE/procattack" memwrite "$RUNNER_PID" 0x400000
	assert_status 1
	run as "$DEV" "$STAGE/procattack" vmwrite "$RUNNER_PID" 0x400000
	assert_status 1
	run as "$DEV" cat "/proc/$RUNNER_PID/environ"
	[ "$status" -ne 0 ] || fail "the caller reads the privileged runner's /proc/PID/environ"
	grep -q '^TracerPid:[[:space:]]*0$' "/proc/$RUNNER_PID/status"
	# 2. after the switch: a corral-offline process
	cat "$ET/req" >&8
	for ((i = 0; i < 50; i++)); do [ -e "$WS/started" ] && break; sleep 0.1; done
	[ -e "$WS/started" ] || { cat "$ET/out" >&2; fail "the command did not start"; }
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$RUNNER_PID/status")" = "$(id -u corral-offline)" ]
	for op in attach seize prlimit nice; do
		run as "$DEV" "$STAGE/procattack" "$op" "$RUNNER_PID"
		assert_status 1
	done
	run as "$DEV" "$STAGE/procattack" memwrite "$RUNNER_PID" 0x400000
	assert_status 1
	exec 8>&-
	wait "$bgpid" || true
	RUNNER_PID=
}

@test "idmap: the caller cannot take the runner's idmap user namespace and become the sandbox user" {
	[ -x "$STAGE/nssteal" ] || skip "the nssteal helper was not built"
	# The runner's helper creates a user namespace that maps the caller's
	# uid onto the sandbox user's. Owned by the caller, the caller could
	# open it in /proc, setns() into it and act as the sandbox user outside
	# any sandbox. nssteal catches the helper (stopping the runner, which the
	# caller may signal) and tries; a few attempts, as a busy machine may
	# hide the helper's pid.
	request --workspace "$WS" --root "$WS" -- /bin/sh -c "touch '$WS/ran'"
	local attempt seen=0
	for attempt in 1 2 3 4 5; do
		rm -f "$ET/fifo" "$WS/ran"
		mkfifo "$ET/fifo"
		chmod 666 "$ET/fifo"
		exec 8<> "$ET/fifo"
		rm -f "$ET/pid"
		as_exec bash -c "echo \$\$ > '$ET/pid'; exec '$RUNNER' 3< '$ET/fifo'" > "$ET/out" 2>&1 8>&- &
		local bgpid=$! i
		for ((i = 0; i < 50; i++)); do
			[ -s "$ET/pid" ] && RUNNER_PID=$(cat "$ET/pid") &&
				grep -q '^CapEff:.*[1-9a-f]' "/proc/$RUNNER_PID/status" 2>/dev/null &&
				[ "$(cut -d' ' -f1 "/proc/$RUNNER_PID/syscall" 2>/dev/null)" = 0 ] && break
			sleep 0.1
		done
		run as_exec "$STAGE/nssteal" "$RUNNER_PID" "$ET/req" "$ET/pwned"
		# the request pipe stays open until the command ran (end of file ends the sandbox)
		for ((i = 0; i < 50; i++)); do [ -e "$WS/ran" ] && break; sleep 0.1; done
		exec 8>&-
		wait "$bgpid" || true
		RUNNER_PID=
		if [ -e "$ET/pwned" ]; then
			fail "the caller became $(stat -c %U "$ET/pwned") through the runner's user namespace:" "$output"
			return 1
		fi
		[[ "$output" != *STOLEN* ]] || fail "the caller opened the runner's user namespace:" "$output"
		[ -e "$WS/ran" ] || fail "the run itself failed after the attempt:" "$(cat "$ET/out")"
		if [[ "$output" == *"SEEN: "* ]]; then
			seen=1
			break
		fi
	done
	echo "# attempts: $attempt; last: $output" >&3
	[ "$seen" = 1 ] || skip "the helper's window was not caught in 5 attempts (a busy machine): nothing shown"
}

@test "caller: a sandbox user cannot run the runner, even a copy with its capabilities" {
	request --workspace "$WS" -- /bin/sh -c 'echo RAN'
	local u
	for u in corral-offline corral-online; do
		# through bash: setpriv itself may still hold root's capabilities when it execs
		run setpriv --reuid "$(id -u "$u")" --regid "$(id -g "$u")" --clear-groups bash -c "exec '$RUNNER'"
		[ "$status" -ne 0 ] && [[ "$output" == *"Permission denied"* ]] || fail "$u could execute the runner: $status $output"
		cp "$RUNNER" "$ET/runner-copy"
		chmod 755 "$ET/runner-copy"
		setcap cap_setgid,cap_setuid,cap_sys_admin=ep "$ET/runner-copy"
		run setpriv --reuid "$(id -u "$u")" --regid "$(getent group corral | cut -d: -f3)" --clear-groups env ET="$ET" \
			bash -c "exec '$ET/runner-copy' $REQ"
		assert_status 125
		assert_contains "a sandbox user cannot use corral-runner"
		[[ "$output" != *RAN* ]] || fail "the command ran"
	done
}

# The runner execs corral-sandbox, the unprivileged rest of the run, after
# the drop: from its fixed path next to the runner, checked first. A
# corral-sandbox the caller could change would run the caller's code as the
# sandbox user outside any sandbox; one that is missing must not leave a
# half-done run. Each is refused (125) before anything runs, naming the path.
@test "sandbox: a missing, replaced, writable or setuid corral-sandbox (or directory) is refused before anything runs" {
	local dir=${SANDBOX%/*} keep=$ET/sandbox-keep
	request --workspace "$WS" --root "$WS" -- /bin/sh -c "echo RAN; touch '$WS/ran'"
	# control: the installed one runs the command, in a process named corral-sandbox
	runner_sh "exec '$RUNNER' $REQ"
	assert_status 0
	assert_contains RAN
	rm -f "$WS/ran"
	cp -p "$SANDBOX" "$keep"
	restore() { cp -p "$keep" "$SANDBOX.new" && mv -f "$SANDBOX.new" "$SANDBOX" && chown root:root "$SANDBOX" && chmod 711 "$SANDBOX"; chmod 755 "$dir"; }
	refused() { # WHY: the runner refuses with WHY, and nothing ran
		runner_sh "exec '$RUNNER' $REQ"
		restore
		assert_status 125
		assert_contains "$1"
		assert_contains "corral-sandbox"
		[[ "$output" != *RAN* ]] && [ ! -e "$WS/ran" ] || fail "the command ran: $output"
	}
	rm "$SANDBOX"
	refused "$SANDBOX is missing"
	mv "$SANDBOX" "$ET/elsewhere" && ln -s "$ET/elsewhere" "$SANDBOX"
	refused "$SANDBOX is a symbolic link (none is followed)"
	chown "$DEV" "$SANDBOX"
	refused "$SANDBOX is not root-owned and writable only by root"
	chmod 731 "$SANDBOX" # group-writable
	refused "$SANDBOX is not root-owned and writable only by root"
	setfacl -m "u:$DEV:rwx" "$SANDBOX" # an ACL's write shows in the group bits (the mask)
	refused "$SANDBOX is not root-owned and writable only by root"
	setfacl -b "$SANDBOX"
	chmod 4711 "$SANDBOX"
	refused "$SANDBOX is setuid or setgid"
	chmod 777 "$dir" # the directory: the caller could swap the file
	refused "$dir is not root-owned and writable only by root"
	# and the restored one runs again
	runner_sh "exec '$RUNNER' $REQ"
	assert_status 0
	assert_contains RAN
}

@test "sandbox: corral-sandbox started by hand, without the runner's sealed state, refuses (125) and runs nothing" {
	request --workspace "$WS" --root "$WS" -- /bin/sh -c "echo RAN; touch '$WS/ran'"
	# by the member, with a request on fd 3 and a file (not a sealed memfd) on 5
	runner_sh "exec '$SANDBOX' $REQ"
	assert_status 125
	assert_contains "no sealed state on fd 5: it is started by corral-runner, never by hand"
	runner_sh "exec '$SANDBOX' $REQ 5< '$ET/req'"
	assert_status 125
	assert_contains "no sealed state on fd 5"
	[[ "$output" != *RAN* ]] && [ ! -e "$WS/ran" ] || fail "the command ran: $output"
	# and it holds no file capabilities (setup installs it root:root 0711)
	[ -z "$(getcap "$SANDBOX")" ]
	[ "$(stat -c '%U:%G %a' "$SANDBOX")" = "root:root 711" ]
}

@test "request: a workspace or root that is a symlink, has a symlinked component or a magic link is refused" {
	local target=$ET/target
	runuser -u "$DEV" -- mkdir -p "$target/sub"
	runuser -u "$DEV" -- ln -s "$target" "$ET/link"
	local link=$ET/link p
	for p in "$link" "$link/sub" "/proc/self/root$target" "/proc/self/cwd" "/dev/fd/3"; do
		request --workspace "$p" -- /bin/sh -c "touch '$target/ran'"
		runner_sh "exec '$RUNNER' $REQ"
		assert_status 125
		request --workspace "$WS" --root "$p" -- /bin/sh -c "touch '$target/ran'"
		runner_sh "exec '$RUNNER' $REQ"
		assert_status 125
	done
	[ ! -e "$target/ran" ]
	[ ! -e "$target/sub/ran" ]
}

@test "request: a root or workspace owned by another user is not mapped; its files stay unwritable" {
	local foreign=$ET/foreign rootdir=$ET/rootowned
	mkdir -p "$foreign/sub" "$rootdir"
	echo data > "$foreign/file"
	echo data > "$rootdir/file"
	chown -R "$OUTSIDER:" "$foreign"
	chmod -R go-w "$foreign" "$rootdir"
	# a subtree of the developer's own workspace that belongs to someone else
	mkdir "$WS/theirs"
	echo data > "$WS/theirs/file"
	chown -R "$OUTSIDER:" "$WS/theirs"
	local before
	before=$(find "$foreign" "$rootdir" "$WS/theirs" -printf '%p %m %u %s %T@\n' | sort)
	request --workspace "$WS" --root "$WS" --root "$foreign" --root "$rootdir" -- /bin/sh -c "
		for d in '$foreign' '$foreign/sub' '$rootdir' '$WS/theirs'; do
			touch \$d/new && echo WROTE \$d/new
			echo x >> \$d/file && echo WROTE \$d/file
		done
		touch '$WS/mine' && echo MINE-WRITABLE"
	runner_sh "exec '$RUNNER' $REQ"
	assert_status 0
	assert_contains MINE-WRITABLE
	[[ "$output" != *WROTE* ]] || fail "a foreign-owned tree was written:" "$output"
	request --workspace "$foreign" --root "$foreign" -- /bin/sh -c "touch '$foreign/new' && echo WROTE"
	runner_sh "exec '$RUNNER' $REQ"
	[[ "$output" != *WROTE* ]] || fail "a foreign-owned workspace was written:" "$output"
	[ "$before" = "$(find "$foreign" "$rootdir" "$WS/theirs" -printf '%p %m %u %s %T@\n' | sort)" ] ||
		fail "a foreign-owned tree changed"
}

@test "environment: loader and libc variables are stripped by the loader or refused, never passed on; PATH and locale are cleared" {
	local v
	request --workspace "$WS" -- /usr/bin/env
	# AT_SECURE (file capabilities) makes the loader drop most of these before
	# main(); the runner refuses by name what is left. Either way 125 or a
	# command that never sees them.
	for v in LD_PRELOAD=/x LD_LIBRARY_PATH=/x LD_AUDIT=/x LD_FOO=/x GCONV_PATH=/x GETCONF_DIR=/x HOSTALIASES=/x \
		LOCALDOMAIN=x LOCPATH=/x MALLOC_CHECK_=3 MALLOC_ARENA_MAX=1 NLSPATH=/x RESOLV_HOST_CONF=/x TMPDIR=/x \
		TZDIR=/x GLIBC_TUNABLES=glibc.malloc.check=3 NIS_PATH=x RES_OPTIONS=x; do
		runner_sh "export '$v'; exec '$RUNNER' $REQ"
		if [ "$status" -eq 125 ]; then
			assert_contains "hostile environment (${v%%=*})"
		else
			assert_status 0
			[[ "$output" != *"$v"* ]] || fail "$v reached the command:" "$output"
		fi
	done
	mkdir "$ET/evil-bin"
	printf '#!/bin/sh\necho HIJACKED\n' > "$ET/evil-bin/id"
	chmod -R 755 "$ET/evil-bin"
	request --workspace "$WS" -- /bin/sh -c 'id -un; echo "PATH=$PATH LANG=${LANG-unset} EVIL=${EVIL-unset}"'
	runner_sh "export PATH='$ET/evil-bin':\$PATH LANG=xx_XX.EVIL EVIL=1 LC_ALL=xx_XX; exec '$RUNNER' $REQ"
	assert_status 0
	assert_contains corral-offline
	assert_contains "PATH=/usr/bin:/bin LANG=unset EVIL=unset"
	[[ "$output" != *HIJACKED* ]] || fail "the caller's PATH was used"
}

@test "signals: killing the runner while it is privileged leaves nothing running and nothing mounted" {
	request --workspace "$WS" --root "$WS" -- /bin/sh -c "touch '$WS/ran'"
	mkfifo "$ET/fifo"
	chmod 666 "$ET/fifo"
	exec 8<> "$ET/fifo"
	as_exec bash -c "echo \$\$ > '$ET/pid'; exec '$RUNNER' 3< '$ET/fifo'" > "$ET/out" 2>&1 8>&- &
	local bgpid=$! i
	for ((i = 0; i < 50; i++)); do [ -s "$ET/pid" ] && grep -q '^CapEff:.*[1-9a-f]' "/proc/$(cat "$ET/pid")/status" 2>/dev/null && break; sleep 0.1; done
	RUNNER_PID=$(cat "$ET/pid")
	# the caller may signal it (same real uid): stop, continue, then kill
	run as "$DEV" kill -STOP "$RUNNER_PID"
	run as "$DEV" kill -CONT "$RUNNER_PID"
	run as "$DEV" kill -KILL "$RUNNER_PID"
	assert_status 0
	wait "$bgpid" || true
	exec 8>&-
	RUNNER_PID=
	[ ! -e "$WS/ran" ]
	run pgrep -u corral-offline
	[ "$status" -ne 0 ] || fail "processes of corral-offline remain: $output"
	! grep -q " $WS " /proc/self/mountinfo || fail "the workspace is mounted in the host's namespace"
}
