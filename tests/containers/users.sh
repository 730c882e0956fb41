#!/bin/bash
# Runs inside a rootful container as its root (tests/containers/run.sh): the
# users backend as a developer installs it there, `corral-setup` for the
# container's user tester, then tester's runs through tests/containers/inside.sh
# with --backend users (a new login: the group corral is tester's now).
#
#   users.sh MODE      MODE as inside.sh's (holds, refuses)
set -u
mode=${1:-holds}
if ! out=$(/corral/corral-setup --user tester --runner /corral/corral-runner 2>&1); then
	echo "not ok 0 - $VARIANT: corral-setup --user tester installs"
	printf '#   %s\n' "${out//$'\n'/ | }"
	echo "1..1"
	exit 1
fi
echo "ok 0 - $VARIANT: corral-setup --user tester installs"
printf '# setup: %s\n' "$(grep -i -e 'cap_sys_admin' -e nftables <<<"$out" | tr '\n' ' ')"
runuser -u tester -- env -i HOME=/home/tester PATH=/usr/bin:/bin LANG=C.UTF-8 VARIANT="$VARIANT" BACKEND=users \
	EXPECT="${EXPECT:-}" EXPECT_DOCTOR="${EXPECT_DOCTOR:-}" PROC="${PROC:-own}" WORKROOT=/home/tester \
	/bin/bash /corral/inside.sh "$mode"
