#!/usr/bin/env bats
# Resource limits (docs/config.md, "[limits]"): a fork bomb, a memory hog, a
# full /tmp and a CPU spinner are stopped, reported, and leave the host usable.
# Each test asks `corral explain --json` which mechanism applies (a delegated
# cgroup v2, or the rlimit fallback) and expects what that mechanism can say.
# No test depends on how fast the machine is: they wait for markers, not for
# durations, and the one timeout only has to fire at all.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

# The cgroup parent the plan uses for these flags, or "null" (rlimits).
cgroup_of() {
	corral explain --json "$@" | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["plan"]["limits"]["cgroup"] or "null")'
}

# json_get FILE KEY: one field of the status record, as Python prints it.
json_get() {
	"$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

@test "limits: a fork bomb is contained by --limit-pids; the host, and a concurrent run, can still fork" {
	require_python
	# forkbomb forks until fork fails, writes WS/full, and waits for WS/release.
	bg corral run --limit-pids 20 -- "$HELPERS/forkbomb" "$WS" 100000
	local cpid=$BG_PID
	wait_for_file "$WS/full" 600
	local full n
	full=$(cat "$WS/full")
	echo "$full" >&2
	[[ "$full" == "forked "*": Resource temporarily unavailable" ]] || fail "fork did not fail with EAGAIN: $full"
	n=${full#forked }
	n=${n%%:*}
	# 20 processes: the helper and 19 children (the sandbox's init is counted apart)
	[ "$n" -ge 1 ] && [ "$n" -lt 20 ] || fail "the bomb made $n children under --limit-pids 20"

	# While it is full, outside: the same user (userns) forks freely.
	local i pids=()
	for ((i = 0; i < 40; i++)); do
		sleep 0 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a fork outside the sandbox failed while the bomb ran"; done
	run /bin/sh -c 'echo forked-outside'
	assert_success

	# A second run at the same time (same uid, or the same sandbox user) has
	# its own budget: the limit counts per run, not per user.
	mkdir "$WS/second"
	touch "$WS/second/release"
	run corral run --limit-pids 10 -- "$HELPERS/forkbomb" "$WS/second" 100000
	assert_success
	n=$(sed -n 's/^forked \([0-9]*\):.*/\1/p' "$WS/second/full")
	[ "$n" -ge 5 ] && [ "$n" -lt 10 ] || fail "the concurrent run made $n children under --limit-pids 10"

	[ -e /proc/$cpid ] || fail "the first sandbox ended before it was released"
	touch "$WS/release"
	wait "$cpid"
	local st=$?
	[ "$st" -eq 0 ] || fail "the released bomb exited with $st (0: fork failed, as it should)"
	assert_no_strays
}

@test "limits: --timeout still kills the whole tree of a contained fork bomb" {
	local start=$SECONDS
	# never released: only the timeout ends it
	run corral run --limit-pids 30 -t 3 -- "$HELPERS/forkbomb" "$WS" 100000
	assert_status 124
	[ -s "$WS/full" ] || fail "the bomb never filled its limit"
	[ $((SECONDS - start)) -lt 30 ] || fail "the timeout took $((SECONDS - start))s"
	assert_no_strays
}

@test "limits: a memory hog is stopped at --limit-memory and the status says why" {
	require_python
	local cg
	cg=$(cgroup_of --limit-memory 64M -- true)
	run corral run --limit-memory 64M --status-fd 3 -- "$HELPERS/hog" 4096 3> "$T/status.json"
	cat "$T/status.json" >&2
	refute_output_has "allocated 4096 MiB"
	[ "$(json_get "$T/status.json" limit)" = memory ] || fail "the status record does not name the memory limit"
	if [ "$cg" = null ]; then
		# RLIMIT_DATA: the allocation fails, the hog aborts as runtimes do;
		# corral can only say it probably was the limit.
		assert_status 134
		local got
		got=$(sed -n 's/^allocation failed after \([0-9]*\) MiB$/\1/p' <<< "$output")
		[ -n "$got" ] && [ "$got" -lt 64 ] || fail "the hog got ${got:-?} MiB under a 64 MiB limit"
		[ "$(json_get "$T/status.json" limit_certain)" = False ] || fail "an rlimit kill cannot be certain"
		assert_output_has "under a memory limit; it probably hit it"
	else
		# cgroup v2: the OOM killer, counted in memory.events
		assert_status 137
		[ "$(json_get "$T/status.json" limit_certain)" = True ] || fail "a cgroup OOM kill is certain"
		assert_output_has "killed by its memory limit"
	fi
	# without the limit the same hog gets further than the limit allowed
	run corral run --status-fd 3 -- "$HELPERS/hog" 96 3> "$T/free.json"
	assert_success
	assert_output_has "allocated 96 MiB"
	[ "$(json_get "$T/free.json" limit)" = None ] || fail "a run without limits reported one"
}

@test "limits: --limit-cpu kills a spinner and the status says so" {
	require_python
	run corral run --limit-cpu 1 -t 60 --status-fd 3 -- sh -c 'while :; do :; done' 3> "$T/status.json"
	cat "$T/status.json" >&2
	assert_status 137
	assert_output_has "killed by its cpu limit"
	[ "$(json_get "$T/status.json" limit)" = cpu ] || fail "the status record does not name the cpu limit"
	[ "$(json_get "$T/status.json" limit_certain)" = True ] || fail "a RLIMIT_CPU kill is known for sure"
	[ "$(json_get "$T/status.json" timed_out)" = False ] || fail "it was not the timeout"
}

@test "limits: a --limit-cpu kill is told from another SIGKILL while the machine is busy" {
	# Under load the scheduler's ticks, which RLIMIT_CPU counts, charge a
	# spinner more than its precise run time (wait4's rusage: measured at
	# 0.80 s for a kill at 1 s): the verdict must come from the ticks.
	require_python
	local i bad=0
	for i in 1 2 3; do
		bg sh -c 'while :; do /bin/true; done' > /dev/null 2>&1 < /dev/null
	done
	for i in 1 2 3 4; do
		corral run --limit-cpu 1 -t 60 --status-fd 3 -- sh -c 'while :; do :; done' 3> "$T/st$i.json" 2> /dev/null || :
		[ "$(json_get "$T/st$i.json" limit)" = cpu ] || { bad=$((bad + 1)); cat "$T/st$i.json" >&2; }
	done
	[ "$bad" -eq 0 ] || fail "$bad of 4 cpu-limit kills were not attributed to the limit"
}

@test "limits: the rlimits are hard, inherited by children and cannot be raised" {
	require_python
	local cg
	cg=$(cgroup_of --limit-memory 64M --limit-pids 50 -- true)
	run sb --limit-cpu 7 --limit-memory 64M --limit-pids 50 '
		echo "cpu $(ulimit -S -t) $(ulimit -H -t)"
		echo "child-cpu $(bash -c "ulimit -H -t")"
		echo "data $(ulimit -H -d) nproc $(ulimit -H -u)"
		must_fail "ulimit -S -t 8"
		must_fail "ulimit -H -t unlimited"
		must_fail "ulimit -H -d unlimited"
		must_work "ulimit -S -t 3"'
	assert_sb_clean
	assert_output_has "cpu 7 7"
	assert_output_has "child-cpu 7"
	if [ "$cg" = null ]; then
		# ulimit -d counts KiB; -u is the limit plus the sandbox's init
		assert_output_has "data 65536 nproc 51"
	fi
}

@test "limits: filling /tmp and /dev/shm stops at --limit-tmp (bytes and inodes), nothing outside is written" {
	snap_outside before
	run sb --tmp private --limit-tmp 1M '
		must_fail "dd if=/dev/zero of=/tmp/fill-$TOKEN bs=64k count=64 2>&1"
		echo "tmp size $(stat -c %s /tmp/fill-$TOKEN)"
		must_fail "dd if=/dev/zero of=/dev/shm/fill-$TOKEN bs=64k count=64 2>&1"
		echo "shm size $(stat -c %s /dev/shm/fill-$TOKEN)"
		rm -f /tmp/fill-$TOKEN
		i=0
		while : > /tmp/f$i 2> /dev/null; do i=$((i + 1)); [ $i -gt 100000 ] && break; done
		echo "tmp files $i"
		must_fail ": > /tmp/one-more-$TOKEN"'
	assert_sb_clean
	assert_output_has "No space left on device"
	assert_output_has "tmp size 1048576"
	assert_output_has "shm size 1048576"
	local files
	files=$(sed -n 's/^tmp files //p' <<< "$output")
	[ -n "$files" ] && [ "$files" -lt 1100 ] || fail "$files files fitted in a /tmp with nr_inodes=1024"
	assert_host_tmp_clean
	assert_outside_unchanged before
	[ -z "$(find "$WS" "$T/cache" -name "fill-$TOKEN" -o -name "f1" 2> /dev/null)" ] ||
		fail "the fill landed on disk"
}

@test "limits: explain shows the limits and how each is enforced (text and JSON)" {
	require_python
	run corral explain --tmp private --limit-memory 512M --limit-pids 100 --limit-cpu 60 --limit-tmp 64M -- true
	assert_success
	assert_output_has "limits         memory=536870912 pids=100 cpu=60s tmp=67108864"
	assert_output_has "RLIMIT_CPU      60"
	assert_output_has "size=67108864 nr_inodes=16384"
	if [[ "$output" == *"cgroup v2: a new child of"* ]]; then
		assert_output_has "memory.max      536870912"
		assert_output_has "pids.max        101"
	else
		assert_output_has "RLIMIT_DATA     536870912"
		assert_output_has "RLIMIT_NPROC    101"
		assert_output_has "resource limits: no cgroup ("
	fi
	run corral explain --json --tmp private --limit-memory 512M --limit-pids 100 --limit-cpu 60 --limit-tmp 64M -- true
	assert_success
	run "$PYTHON" -c '
import json, sys
j = json.loads(sys.argv[1])
assert j["policy"]["limits"] == {"memory": 536870912, "pids": 100, "cpu": 60, "tmp": 67108864}, j["policy"]
l = j["plan"]["limits"]
assert l["rlimit_cpu"] == 60 and l["tmp_size"] == 67108864 and l["tmp_inodes"] == 16384, l
if l["cgroup"] is None:
    assert l["rlimit_data"] == 536870912 and l["rlimit_nproc"] == 101 and l["memory_max"] == 0, l
else:
    assert l["memory_max"] == 536870912 and l["pids_max"] == 101 and l["rlimit_data"] == 0, l
print("ok")' "$output"
	assert_success
	# no limits: none shown
	run corral explain -- true
	assert_output_has "limits         (none)"
	refute_output_has "RLIMIT_"
}

@test "limits: invalid values and limits that cannot be enforced are refused (125, naming the limit)" {
	run corral run --limit-memory 12X -- true
	assert_status 125
	assert_output_has "key 'limits.memory': '12X' is not a size"
	run corral run --limit-memory 512 -- true
	assert_status 125
	assert_output_has "'512' is out of range"
	run corral run --limit-pids 2G -- true
	assert_status 125
	assert_output_has "key 'limits.pids'"
	run corral run --limit-cpu -1 -- true
	assert_status 125
	assert_output_has "key 'limits.cpu'"
	run corral run --limit-tmp ''
	assert_status 125
	# a /tmp on disk cannot be size-limited: refused, never ignored
	run corral run --limit-tmp 1M -- true
	assert_status 125
	assert_output_has "limit 'tmp' (--limit-tmp, limits.tmp) cannot be enforced"
	assert_output_has "--tmp private"
	run corral run --tmp host --limit-tmp 1M -- true
	assert_status 125
	run corral run -m full-access --tmp private --limit-tmp 1M -- true
	assert_status 125
	# read-only mode has a private /tmp anyway
	run corral run -m read-only --limit-tmp 1M -- true
	assert_success
}

@test "limits: a workspace config may tighten a limit of the user config, never loosen or remove it" {
	printf '[limits]\nmemory = "256M"\ncpu = 30\n' > "$XDG_CONFIG_HOME/corral/config.toml"
	printf '[limits]\nmemory = "1G"\n' > "$WS/.corral.toml"
	run corral run -- true
	assert_status 125
	assert_output_has ".corral.toml:2: key 'limits.memory'"
	assert_output_has "may only narrow"
	printf '[limits]\ncpu = 0\n' > "$WS/.corral.toml"
	run corral run -- true
	assert_status 125
	assert_output_has "key 'limits.cpu': it removes the limit"
	printf '[limits]\nmemory = "128M"\npids = 64\n' > "$WS/.corral.toml"
	run corral explain -- true
	assert_success
	assert_output_has "limits         memory=134217728 pids=64 cpu=30s"
	# the flags are the user's own request
	run corral explain --limit-memory 2G -- true
	assert_output_has "memory=2147483648"
}
