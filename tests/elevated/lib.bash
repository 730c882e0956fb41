# Common helpers for the elevated tests (run by run.sh as root).
#   $DEV        the developer (a member of group corral after setup)
#   $OUTSIDER   a user who is not a member
#   $CORRAL, $SETUP, $RUNNER_SRC, $PROBE   staged binaries
SANE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUNNER=/usr/local/libexec/corral/corral-runner
SANDBOX=/usr/local/libexec/corral/corral-sandbox # the runner execs it after the drop

install_corral() {
	"$SETUP" --user "$DEV" --runner "$RUNNER_SRC" "$@" > "$BATS_FILE_TMPDIR/setup.out" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/setup.out" >&2
		return 1
	}
}

uninstall_corral() { "$SETUP" --uninstall > /dev/null 2>&1 || true; }

# as USER CMD...: run as USER with a login-like, clean environment.
as() {
	local u=$1 home
	shift
	home=$(getent passwd "$u" | cut -d: -f6)
	runuser -u "$u" -- env -i HOME="$home" USER="$u" LOGNAME="$u" PATH="$SANE_PATH" LANG=C.UTF-8 "$@"
}

# A fresh workspace owned by the developer, inside the developer's home.
new_ws() {
	WS=$DEV_HOME/ws-$BATS_SUITE_TEST_NUMBER-$RANDOM
	runuser -u "$DEV" -- mkdir -p "$WS"
}

# crun ARGS...: corral run --backend users ARGS, as the developer, in $WS.
crun() {
	(cd "$WS" && as "$DEV" "$CORRAL" run --backend users "$@")
}

assert_status() {
	[ "$status" -eq "$1" ] || {
		echo "expected status $1, got $status; output:" >&2
		echo "$output" >&2
		return 1
	}
}

assert_contains() {
	[[ "$output" == *"$1"* ]] || {
		echo "output lacks: $1" >&2
		echo "$output" >&2
		return 1
	}
}
