#!/bin/bash
# Run corral's system tests (bats) against the binaries in BUILD_DIR.
#
#   tests/system/run.sh BUILD_DIR
#
# As root: the tests run as an ordinary user, corral-test (created here if
# missing), because that is what corral is for; then root.bats runs as root
# itself, to check that a root caller's command ends up with no privileges.
# As another user: the tests run as that user and root.bats is skipped.
#
# CORRAL_BACKEND=NAME (helpers.bash) runs every test with `--backend NAME`;
# tests/elevated/run.sh runs the suite again with "users" after installing
# corral-setup for corral-test. With "users", root.bats does not apply (root
# is not a member of the group corral: the runner refuses it, which
# tests/elevated/refusals.bats checks) and is left out, not counted.
#
# Prints the TAP stream, then the failures, then, as its last line:
#   system: N passed, N failed, N skipped
# Exits 1 if any test failed (or a bats run died before reporting).

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-build}" 2> /dev/null && pwd) || {
	echo "run.sh: no build directory ${1:-build}" >&2
	echo "system: 0 passed, 1 failed, 0 skipped"
	exit 1
}
CORRAL_BIN=$BUILD/corral
HELPERS_DIR=$BUILD/tests/helpers
TEST_USER=corral-test
SANE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# The default run is the userns backend's (helpers.bash: backend_is). On a
# machine where corral-setup is installed, corral's own default (auto) picks
# the users backend for a member of the group corral, whose expectations
# differ; say so and pin userns rather than test a mixture.
if [ -z "${CORRAL_BACKEND:-}" ] && [ -e /etc/corral/setup.json ]; then
	echo "# corral-setup is installed here: the suite runs with --backend userns (tests/elevated/run.sh runs it with users)"
	CORRAL_BACKEND=userns
fi

if ! command -v bats > /dev/null; then
	echo "run.sh: bats is not installed (Debian/Ubuntu: apt-get install bats)" >&2
	echo "system: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
for f in "$CORRAL_BIN" "$HELPERS_DIR/net"; do
	if [ ! -x "$f" ]; then
		echo "run.sh: $f is missing; build first (make)" >&2
		echo "system: 0 passed, 1 failed, 0 skipped"
		exit 1
	fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/corral-system.XXXXXX")
CLEANUP=("$WORK")
cleanup() {
	local d
	for d in "${CLEANUP[@]}"; do
		chmod -R u+rwX "$d" 2> /dev/null
		rm -rf "$d" 2> /dev/null
	done
}
trap cleanup EXIT

# list_files DIR: the files run as the ordinary user, in user_files (all
# but root.bats; with SYSTEM_FILES="a.bats b.bats", only those: a
# developer's shortcut, which tests/elevated/run.sh passes on).
list_files() {
	user_files=()
	local f
	for f in "$1"/*.bats; do
		[ -z "${SYSTEM_FILES:-}" ] || [[ " $SYSTEM_FILES " == *" $(basename "$f") "* ]] || continue
		[ "$(basename "$f")" = root.bats ] || user_files+=("$f")
	done
}
list_files "$HERE"

export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

# run_bats TAPFILE CMD...: run bats and keep its TAP output (also shown live).
run_bats() {
	local tap=$1
	shift
	"$@" 2>&1 | tee "$tap"
}

# helpers_visible [PREFIX...]: does a default sandbox (run through PREFIX,
# e.g. runuser) show the attack helpers where they are? corral itself is asked,
# so that whatever it hides (its private /tmp, the deny-read list) counts.
helpers_visible() {
	local ws
	ws=$("$@" mktemp -d /var/tmp/corral-system-probe.XXXXXX) || return 1
	(cd "$ws" && "$@" "$CORRAL_BIN" run --no-workspace-config -- test -x "$HELPERS_DIR/net") > /dev/null 2>&1
	local st=$?
	rm -rf "$ws"
	return $st
}

# stage_copy WHY: test a copy of the tests, the binary and the helpers in
# /var/tmp (readable by everyone, shown by the sandbox) instead.
stage_copy() {
	local stage
	stage=$(mktemp -d /var/tmp/corral-system-stage.XXXXXX)
	CLEANUP+=("$stage")
	mkdir -p "$stage/tests/system" "$stage/build/tests/helpers" "$stage/demo"
	cp "$HERE"/*.bats "$HERE"/*.bash "$HERE"/*.py "$stage/tests/system/"
	cp "$HERE/../../demo/demo.sh" "$stage/demo/"
	cp "$CORRAL_BIN" "$stage/build/corral"
	[ -x "$BUILD/corral-setup" ] && cp "$BUILD/corral-setup" "$stage/build/"
	find "$HELPERS_DIR" -maxdepth 1 -type f -perm -u+x -exec cp {} "$stage/build/tests/helpers/" \;
	chmod -R a+rX "$stage"
	chmod 755 "$stage"
	tests_dir=$stage/tests/system corral_bin=$stage/build/corral helpers_dir=$stage/build/tests/helpers
	echo "# $1: testing a copy in $stage"
}

if [ "$(id -u)" -eq 0 ]; then
	if ! id "$TEST_USER" > /dev/null 2>&1; then
		useradd -m -s /bin/bash "$TEST_USER" || {
			echo "run.sh: cannot create the user $TEST_USER" >&2
			echo "system: 0 passed, 1 failed, 0 skipped"
			exit 1
		}
	fi
	user_home=$(getent passwd "$TEST_USER" | cut -d: -f6)
	if [ ! -d "$user_home" ]; then
		mkdir -p "$user_home" && chown "$TEST_USER:" "$user_home"
	fi

	# Can the test user reach the tests and the binaries where they are, and
	# does a sandbox show the helpers there? (Not under /tmp: the sandbox has
	# its own; a fresh clone in /tmp runs its attacks from a copy.)
	tests_dir=$HERE corral_bin=$CORRAL_BIN helpers_dir=$HELPERS_DIR
	if ! runuser -u "$TEST_USER" -- sh -c 'test -x "$1" && test -x "$2/net" && test -r "$3/helpers.bash"' \
		x "$CORRAL_BIN" "$HELPERS_DIR" "$HERE" 2> /dev/null; then
		stage_copy "the repository is not readable by $TEST_USER"
	elif ! helpers_visible runuser -u "$TEST_USER" --; then
		stage_copy "a sandbox does not show $HELPERS_DIR (under /tmp, or hidden)"
	fi
	list_files "$tests_dir"

	# A setuid-root copy of id(1): the "no setuid effect" test runs it inside.
	suid_dir=$(mktemp -d /var/tmp/corral-system-suid.XXXXXX)
	CLEANUP+=("$suid_dir")
	chmod 755 "$suid_dir"
	cp /usr/bin/id "$suid_dir/id-suid" && chown root:root "$suid_dir/id-suid" && chmod 4755 "$suid_dir/id-suid"

	user_root=$(runuser -u "$TEST_USER" -- mktemp -d "$user_home/corral-systest.XXXXXX")
	CLEANUP+=("$user_root")
	echo "# running ${#user_files[@]} files as $TEST_USER"
	(cd / && run_bats "$WORK/user.tap" runuser -u "$TEST_USER" -- env -i \
		HOME="$user_home" USER="$TEST_USER" LOGNAME="$TEST_USER" SHELL=/bin/bash \
		PATH="$SANE_PATH" LANG=C.UTF-8 TMPDIR=/tmp \
		CORRAL="$corral_bin" HELPERS="$helpers_dir" CORRAL_TEST_ROOT="$user_root" \
		SUID_ID="$suid_dir/id-suid" BATS_TEST_TIMEOUT="$BATS_TEST_TIMEOUT" \
		CORRAL_BACKEND="${CORRAL_BACKEND:-}" \
		bats --tap "${user_files[@]}")

	if [ "${CORRAL_BACKEND:-}" = users ]; then
		echo "# root.bats: not run with --backend users (root is not a member of the group corral)"
	else
		root_root=$(mktemp -d /var/tmp/corral-systest-root.XXXXXX)
		chmod 700 "$root_root"
		CLEANUP+=("$root_root")
		echo "# running root.bats as root"
		(cd / && run_bats "$WORK/root.tap" env -i \
			HOME=/root USER=root LOGNAME=root SHELL=/bin/bash PATH="$SANE_PATH" LANG=C.UTF-8 TMPDIR=/tmp \
			CORRAL="$corral_bin" HELPERS="$helpers_dir" CORRAL_TEST_ROOT="$root_root" \
			BATS_TEST_TIMEOUT="$BATS_TEST_TIMEOUT" \
			bats --tap "$tests_dir/root.bats")
	fi
else
	user_root=$(mktemp -d "${XDG_CACHE_HOME:-$HOME/.cache}/corral-systest.XXXXXX" 2> /dev/null ||
		mktemp -d /var/tmp/corral-systest.XXXXXX)
	CLEANUP+=("$user_root")
	tests_dir=$HERE corral_bin=$CORRAL_BIN helpers_dir=$HELPERS_DIR
	if ! helpers_visible; then
		stage_copy "a sandbox does not show $HELPERS_DIR (under /tmp, or hidden)"
		list_files "$tests_dir"
	fi
	echo "# running ${#user_files[@]} files as $(id -un)"
	run_bats "$WORK/user.tap" env CORRAL="$corral_bin" HELPERS="$helpers_dir" \
		CORRAL_TEST_ROOT="$user_root" bats --tap "${user_files[@]}"
	n=$(grep -c '^@test' "$HERE/root.bats")
	echo "# root.bats: skipped ($n tests): it needs root (it checks that a root caller's command gets no privileges)"
	for ((i = 1; i <= n; i++)); do echo "ok $i root.bats # skip needs root"; done > "$WORK/root.tap"
	echo "1..$n" >> "$WORK/root.tap"
fi

# --- summary ---------------------------------------------------------------
passed=0 failed=0 skipped=0
failures=""
for tap in "$WORK"/*.tap; do
	[ -f "$tap" ] || continue
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tap" | head -n1)
	p=$(grep -E '^ok [0-9]+' "$tap" | grep -vciE '# skip')
	s=$(grep -E '^ok [0-9]+' "$tap" | grep -ciE '# skip')
	f=$(grep -cE '^not ok [0-9]+' "$tap")
	reported=$((p + s + f))
	if [ -n "$planned" ] && [ "$reported" -lt "$planned" ]; then
		failures+="$(basename "$tap" .tap): only $reported of $planned tests reported (bats died?)"$'\n'
		f=$((f + planned - reported))
	elif [ -z "$planned" ]; then
		failures+="$(basename "$tap" .tap): bats produced no test plan"$'\n'
		f=$((f + 1))
	fi
	passed=$((passed + p)) skipped=$((skipped + s)) failed=$((failed + f))
	failures+=$(awk '
		/^not ok / { show = 1; print; next }
		/^(ok |1\.\.)/ { show = 0 }
		show && /^#/ { print }' "$tap")
	failures+=$'\n'
done

if [ "$failed" -gt 0 ]; then
	echo
	echo "=== system test failures ==="
	printf '%s' "$failures" | sed '/^$/d'
fi
echo "system: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
