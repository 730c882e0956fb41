#!/bin/bash
# The users backend's tests (issue 3): corral-setup, corral-runner, the
# firewall, the file-access grants, through the real binaries.
#
#   tests/elevated/run.sh BUILD_DIR
#
# They need root (they create and remove users, a group, nftables rules, a
# network namespace and ACL entries) and skip, saying why, without it. They
# also skip when corral-setup is already installed here: the tests install
# and uninstall it, which would remove a real installation.
# Every file installs in setup_file and uninstalls in teardown_file; at the
# end this script checks that the machine is as it found it (users, groups,
# nft tables, ACLs, files, network namespaces) and counts that as a test.
#
# Then the userns system suite runs again with --backend users (issue 3):
# setup installed for the system suite's user corral-test (added to the group
# corral), tests/system/run.sh BUILD_DIR with CORRAL_BACKEND=users (its user
# files; root.bats does not apply: root is not a member), setup uninstalled.
# Its counts are part of the summary. ELEVATED_SYSTEM=0 leaves it out.
#
# Last line: elevated: N passed, N failed, N skipped
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-build}" 2> /dev/null && pwd) || {
	echo "run.sh: no build directory ${1:-build}" >&2
	echo "elevated: 0 passed, 1 failed, 0 skipped"
	exit 1
}
FILES=(${ELEVATED_FILES:-setup.bats run.bats refusals.bats network.bats proxy.bats grants.bats nonamespace.bats runner.bats members.bats})
[ "${FILES[*]}" = none ] && FILES=() # ELEVATED_FILES=none: only the system suite (SYSTEM_FILES limits it)
SYSTEM=$(cd "$HERE/../system" && pwd)
RUN_SYSTEM=${ELEVATED_SYSTEM:-1}
TEST_USER=corral-test # tests/system/run.sh's user
count_tests() {
	local n=0 f
	for f in "${FILES[@]}"; do n=$((n + $(grep -c '^@test' "$HERE/$f"))); done
	if [ "$RUN_SYSTEM" != 0 ]; then
		for f in "$SYSTEM"/*.bats; do
			[ "$(basename "$f")" = root.bats ] || n=$((n + $(grep -c '^@test' "$f")))
		done
	fi
	echo $((n + 1))
}
skip_all() {
	local n
	n=$(count_tests)
	echo "# elevated tests skipped ($n): $1"
	echo "elevated: 0 passed, 0 failed, $n skipped"
	exit 0
}

[ "$(id -u)" -eq 0 ] || skip_all "they need root (users, a group, nftables rules, ACLs); run make check as root"
[ -e /etc/corral/setup.json ] && skip_all "corral-setup is installed on this machine and the tests would remove it"
for t in bats nft ip getfacl setfacl runuser setpriv python3 useradd; do
	command -v "$t" > /dev/null || {
		echo "run.sh: $t is missing (scripts/install-deps.sh installs it)" >&2
		echo "elevated: 0 passed, 1 failed, 0 skipped"
		exit 1
	}
done
for b in corral corral-setup corral-runner corral-sandbox; do
	[ -x "$BUILD/$b" ] || {
		echo "run.sh: $BUILD/$b is missing; build first (make)" >&2
		echo "elevated: 0 passed, 1 failed, 0 skipped"
		exit 1
	}
done

# The binaries and probes, where the test users can reach them.
STAGE=$(mktemp -d /var/tmp/corral-elevated.XXXXXX)
chmod 755 "$STAGE"
cp "$BUILD/corral" "$BUILD/corral-setup" "$BUILD/corral-runner" "$BUILD/corral-sandbox" "$HERE/probe.py" "$HERE/request.py" "$STAGE/"
[ -x "$BUILD/tests/helpers/nouserns" ] && cp "$BUILD/tests/helpers/nouserns" "$STAGE/"
# runner.bats attacks the runner with these (ptrace, argv)
for h in procattack execargv nssteal; do [ -x "$BUILD/tests/helpers/$h" ] && cp "$BUILD/tests/helpers/$h" "$STAGE/"; done
chmod 755 "$STAGE"/*

# A developer (member of the group corral once setup ran) with a private
# home, and an outsider who is not a member.
export DEV=corral-etdev OUTSIDER=corral-etout
created_users=()
for u in "$DEV" "$OUTSIDER"; do
	if ! id "$u" > /dev/null 2>&1; then
		useradd -m -s /bin/bash "$u" && created_users+=("$u")
	fi
done
DEV_HOME=$(getent passwd "$DEV" | cut -d: -f6)
chmod 700 "$DEV_HOME"
if [ "$RUN_SYSTEM" != 0 ] && ! id "$TEST_USER" > /dev/null 2>&1; then
	useradd -m -s /bin/bash "$TEST_USER" && created_users+=("$TEST_USER")
fi
TEST_HOME=$(getent passwd "$TEST_USER" 2> /dev/null | cut -d: -f6)

snapshot() {
	echo "== users"
	getent passwd | cut -d: -f1,3 | sort
	echo "== groups"
	getent group | cut -d: -f1,3,4 | sort
	echo "== nft"
	nft list tables 2>&1
	echo "== files"
	ls -d /etc/corral /usr/local/libexec/corral /var/lib/corral /etc/systemd/system/corral-firewall.service \
		/etc/apparmor.d/corral 2>&1
	echo "== netns"
	ip netns list 2>&1
	echo "== links"
	ip -o link show | awk -F': ' '{print $2}' | sort
	echo "== acls in the developer's home"
	getfacl -R -s -p "$DEV_HOME" 2>&1
	echo "== mode of the developer's home"
	stat -c '%a %U' "$DEV_HOME"
	if [ -n "$TEST_HOME" ] && [ -d "$TEST_HOME" ]; then
		echo "== $TEST_USER's home: mode and acls"
		stat -c '%a %U' "$TEST_HOME"
		getfacl -R -s -p "$TEST_HOME" 2>&1
	fi
}
before=$(snapshot)

WORK=$(mktemp -d)
export CORRAL_REPO=$(cd "$HERE/../.." && pwd) CORRAL_BUILD=$BUILD
export CORRAL=$STAGE/corral SETUP=$STAGE/corral-setup RUNNER_SRC=$STAGE/corral-runner PROBE=$STAGE/probe.py REQUEST=$STAGE/request.py NOUSERNS=$STAGE/nouserns STAGE
export DEV_HOME BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}
for f in "${FILES[@]}"; do
	(cd / && bats --tap "$HERE/$f") 2>&1 | tee "$WORK/${f%.bats}.tap"
done

# The system suite again, with --backend users: corral-test is the developer.
if [ "$RUN_SYSTEM" != 0 ]; then
	echo "# the system suite with --backend users, as $TEST_USER (a member of corral)"
	if "$STAGE/corral-setup" --user "$TEST_USER" --runner "$STAGE/corral-runner" > "$WORK/system-setup.out" 2>&1; then
		(cd / && CORRAL_BACKEND=users "$SYSTEM/run.sh" "$BUILD") 2>&1 | tee "$WORK/system-users.log"
	else
		sed 's/^/# /' "$WORK/system-setup.out"
		echo "system: 0 passed, 1 failed, 0 skipped (corral-setup --user $TEST_USER failed)" > "$WORK/system-users.log"
	fi
	"$STAGE/corral-setup" --uninstall > /dev/null 2>&1
fi

# Whatever a failed test left: uninstall once more before comparing.
"$STAGE/corral-setup" --uninstall > /dev/null 2>&1
after=$(snapshot)
if [ "$before" = "$after" ]; then
	printf 'ok 1 the machine is as the tests found it\n1..1\n' > "$WORK/clean.tap"
else
	{
		echo "not ok 1 the machine is as the tests found it"
		diff <(echo "$before") <(echo "$after") | sed 's/^/# /'
		echo "1..1"
	} > "$WORK/clean.tap"
fi
cat "$WORK/clean.tap"

for u in "${created_users[@]}"; do userdel -r "$u" > /dev/null 2>&1; done
rm -rf "$STAGE"

passed=0 failed=0 skipped=0
for tap in "$WORK"/*.tap; do
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tap" | head -n1)
	p=$(grep -E '^ok [0-9]+' "$tap" | grep -vciE '# skip')
	s=$(grep -E '^ok [0-9]+' "$tap" | grep -ciE '# skip')
	f=$(grep -cE '^not ok [0-9]+' "$tap")
	if [ -z "$planned" ] || [ $((p + s + f)) -lt "$planned" ]; then
		echo "# $(basename "$tap"): not every test reported (bats died?)"
		f=$((f + ${planned:-1} - p - s - f))
	fi
	passed=$((passed + p)) skipped=$((skipped + s)) failed=$((failed + f))
done
if [ "$RUN_SYSTEM" != 0 ]; then
	line=$(tail -n 1 "$WORK/system-users.log" 2> /dev/null)
	if [[ "$line" =~ ^system:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]}
	else
		echo "# the system suite with --backend users ended without its summary: ${line:-(nothing)}"
		p=0 f=1 s=0
	fi
	echo "# system suite with --backend users: $p passed, $f failed, $s skipped"
	passed=$((passed + p)) skipped=$((skipped + s)) failed=$((failed + f))
	system_failed=$f
fi
if [ "$failed" -gt 0 ]; then
	echo "=== elevated test failures ==="
	cat "$WORK"/*.tap | awk '/^not ok /{show=1; print; next} /^(ok |1\.\.)/{show=0} show && /^#/{print}'
	if [ "${system_failed:-0}" -gt 0 ]; then
		echo "=== system suite with --backend users: failures ==="
		sed -n '/^=== system test failures ===$/,$p' "$WORK/system-users.log" | sed '1d;$d'
	fi
fi
rm -rf "$WORK"
echo "elevated: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
