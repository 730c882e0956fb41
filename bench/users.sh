#!/usr/bin/env bash
# The users backend's per-command cost against the size of the workspace:
# `corral run --backend users -- true` in an empty workspace and in one with
# BENCH_USERS_FILES files (default 200,000). The idmapped mount makes the
# cost independent of the workspace's size (no tree walk per command); this
# prints the medians side by side. Needs root (it installs corral-setup for
# the run and uninstalls it after; it refuses when corral-setup is already
# installed).
#
#   bench/users.sh BUILD_DIR [BASE_BUILD_DIR]
#
# With BASE_BUILD_DIR (another build of corral, e.g. the commit before a
# change to the runner), it also compares the start-up of BUILD_DIR's
# corral-runner with BASE_BUILD_DIR's, in alternating pairs of runs on the
# same installation (only the installed runner is swapped between the two
# runs of a pair, by a hard link that keeps its file capabilities; corral is
# BUILD_DIR's in both), and prints the median of the per-pair ratios
# (BENCH_USERS_PAIRS pairs, default 100): one figure that a loaded machine
# moves much less than two medians taken minutes apart.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
BUILD=$(cd "${1:-build}" && pwd)
BASE=${2:+$(cd "$2" && pwd)}
PAIRS=${BENCH_USERS_PAIRS:-100}
FILES=${BENCH_USERS_FILES:-200000}
RUNS=${BENCH_USERS_RUNS:-40}
USER_=corral-bench
[ "$(id -u)" -eq 0 ] || { echo "bench/users.sh: needs root (skipped)" >&2; exit 0; }
[ -e /etc/corral/setup.json ] && { echo "bench/users.sh: corral-setup is installed here; not touching it (skipped)" >&2; exit 0; }
created=0
id "$USER_" > /dev/null 2>&1 || { useradd -m -s /bin/bash "$USER_"; created=1; }
home=$(getent passwd "$USER_" | cut -d: -f6)
stage=$(mktemp -d /var/tmp/corral-bench-users.XXXXXX)
cleanup() {
	"$stage/corral-setup" --uninstall > /dev/null 2>&1 || true
	rm -rf "$stage" "$home/bench-empty" "$home/bench-big"
	[ "$created" -eq 1 ] && userdel -r "$USER_" > /dev/null 2>&1
	true
}
trap cleanup EXIT
cp "$BUILD/corral" "$BUILD/corral-setup" "$BUILD/corral-runner" "$BUILD/corral-sandbox" "$stage/"
chmod 755 "$stage" "$stage"/*
"$stage/corral-setup" --user "$USER_" --runner "$stage/corral-runner" > /dev/null
runuser -u "$USER_" -- mkdir -p "$home/bench-empty" "$home/bench-big"
echo "bench/users.sh: creating $FILES files" >&2
runuser -u "$USER_" -- python3 -c '
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for d in range(n // 1000 + 1):
    p = os.path.join(root, "d%04d" % d)
    os.makedirs(p, exist_ok=True)
    for f in range(min(1000, n - d * 1000)):
        open(os.path.join(p, "f%04d" % f), "w").close()
' "$home/bench-big" "$FILES"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # DIR BACKEND
	runuser -u "$USER_" -- bash -c '
		cd "$1"; "$2" run --backend "$3" -- true 2>/dev/null  # first use: grants passage
		for i in $(seq "$4"); do
			s=$(date +%s%N); "$2" run --backend "$3" -- true; e=$(date +%s%N)
			echo $(( (e - s) / 1000 ))
		done' x "$1" "$stage/corral" "$2" "$RUNS" | median
}
bare=$(for i in $(seq "$RUNS"); do s=$(date +%s%N); runuser -u "$USER_" -- true; e=$(date +%s%N); echo $(((e - s) / 1000)); done | median)
e_users=$(measure "$home/bench-empty" users)
b_users=$(measure "$home/bench-big" users)
e_userns=$(measure "$home/bench-empty" userns)
b_userns=$(measure "$home/bench-big" userns)
echo "| backend | empty workspace | $FILES files | ratio |"
echo "| --- | ---: | ---: | ---: |"
awk -v a="$e_users" -v b="$b_users" 'BEGIN { printf "| users (`corral run --backend users -- true`) | %.1f ms | %.1f ms | %.2f |\n", a/1000, b/1000, b/a }'
awk -v a="$e_userns" -v b="$b_userns" 'BEGIN { printf "| userns (same command) | %.1f ms | %.1f ms | %.2f |\n", a/1000, b/1000, b/a }'
awk -v a="$bare" 'BEGIN { printf "| (runuser -- true, for reference) | %.1f ms | | |\n", a/1000 }'
if [ -n "$BASE" ]; then
	runner=$(sed -n 's/.*"runner": "\(.*\)".*/\1/p' /etc/corral/setup.json)
	caps=$(getcap "$runner" | awk '{print $2}')
	cp "$BASE/corral-runner" "$runner.base"
	chown root:corral "$runner.base" && chmod 0750 "$runner.base" && setcap "$caps" "$runner.base"
	ln -f "$runner" "$runner.new"
	one() { # base|new: microseconds of one `corral run --backend users -- true` with that runner
		ln -f "$runner.$1" "$runner"
		local s e
		s=$(date +%s%N)
		(cd "$home/bench-empty" && setpriv --reuid "$USER_" --regid "$USER_" --init-groups \
			env -i HOME="$home" PATH="$PATH" "$stage/corral" run --backend users -- true) ||
			{ echo "bench/users.sh: a run with the $1 runner failed" >&2; kill $$; }
		e=$(date +%s%N)
		echo $(((e - s) / 1000))
	}
	one base > /dev/null && one new > /dev/null # warm both
	ratios=$(for i in $(seq "$PAIRS"); do
		if [ $((i % 2)) -eq 0 ]; then b=$(one base) n=$(one new); else n=$(one new) b=$(one base); fi
		awk -v b="$b" -v n="$n" 'BEGIN { printf "%.4f\n", n / b }'
	done)
	ln -f "$runner.new" "$runner"
	rm -f "$runner.base" "$runner.new"
	awk -v r="$(median <<< "$ratios")" -v p="$PAIRS" 'BEGIN { printf "start-up with this runner / the base build'"'"'s: %.3f (median of %d alternating pairs)\n", r, p }'
fi
echo "medians of $RUNS runs each, microseconds timed with date(1) around each command, runuser included" >&2
