#!/usr/bin/env bats
# The users backend without namespaces (docs/elevated.md, "Without user
# namespaces"). A container that blocks user namespaces is emulated locally:
# tests/helpers/nouserns installs a seccomp filter (as root, without
# no_new_privs, as Docker does) under which clone/unshare with CLONE_NEWUSER
# fail with EPERM and clone3 with ENOSYS, then runs corral as the developer.
load lib

# A "remote host" in a network namespace of the test's own (as in
# network.bats, on other addresses of 198.18.0.0/15 and 2001:db8::/32): the
# machine's own interfaces and routes are never touched.
NS=corral-en-remote
R4=198.18.0.6
R6=2001:db8:c1::2

setup_file() {
	[ -x "$NOUSERNS" ] || skip "tests/helpers/nouserns is not built"
	uninstall_corral
	# 3128: the proxy's port on the host's loopback (network = proxy without namespaces)
	install_corral --loopback-port 8125 --loopback-port 3128
	# corral's own state directory exists before the first test, so that
	# making it does not count as a change of the developer's ~/.cache.
	as "$DEV" mkdir -p "$DEV_HOME/.cache/corral"
	/usr/bin/python3 "$PROBE" serve tcp 127.0.0.1 8124 > /dev/null 2>&1 &
	echo $! > "$BATS_FILE_TMPDIR/pids"
	/usr/bin/python3 "$PROBE" serve tcp 127.0.0.1 8125 > /dev/null 2>&1 &
	echo $! >> "$BATS_FILE_TMPDIR/pids"
	ip netns add "$NS"
	ip link add corral-en0 type veth peer name corral-en1
	ip link set corral-en1 netns "$NS"
	ip addr add 198.18.0.5/30 dev corral-en0
	ip -6 addr add 2001:db8:c1::1/64 dev corral-en0 nodad
	ip link set corral-en0 up
	ip netns exec "$NS" ip addr add "$R4/30" dev corral-en1
	ip netns exec "$NS" ip -6 addr add "$R6/64" dev corral-en1 nodad
	ip netns exec "$NS" ip link set corral-en1 up
	ip netns exec "$NS" ip link set lo up
	for a in "tcp $R4 8080" "tcp $R6 8080" "udp $R4 8081" "udp $R6 8081" "tcp $R4 443"; do
		ip netns exec "$NS" /usr/bin/python3 "$PROBE" serve $a > /dev/null 2>&1 &
		echo $! >> "$BATS_FILE_TMPDIR/pids"
	done
	sleep 0.5
}

teardown_file() {
	[ -f "$BATS_FILE_TMPDIR/pids" ] && kill $(cat "$BATS_FILE_TMPDIR/pids") 2> /dev/null
	ip link del corral-en0 2> /dev/null
	ip netns del "$NS" 2> /dev/null
	uninstall_corral
}

# A workspace the sandbox users may write by their own permissions (there is
# no idmapped mount without a user namespace): named and default ACL entries.
setup() {
	new_ws
	as "$DEV" sh -c "mkdir -p '$WS/src' && echo top > '$WS/top.txt' && echo a > '$WS/src/a.txt'"
	setfacl -R -m u:corral-offline:rwX,u:corral-online:rwX,d:u:corral-offline:rwX,d:u:corral-online:rwX,d:u:"$DEV":rwX "$WS"
	touch "$BATS_TEST_TMPDIR/marker"
}

# Every test: nothing outside the workspace changed (the developer's home
# and the shared temporary directories hold nothing new of the sandbox's).
teardown() {
	local changed
	# (corral's own state in the developer's cache is made by corral as the
	# developer, e.g. doctor's probes of the userns backend)
	changed=$(find "$DEV_HOME" -mindepth 1 \( -path "$WS" -o -path "$DEV_HOME/.cache/corral" \) -prune -o -newer "$BATS_TEST_TMPDIR/marker" -print 2> /dev/null)
	changed+=$(find "$DEV_HOME" -path "$WS" -prune -o \( -user corral-offline -o -user corral-online \) -print 2> /dev/null)
	changed+=$(find /tmp /var/tmp /dev/shm -maxdepth 2 -newer "$BATS_TEST_TMPDIR/marker" \( -user corral-offline -o -user corral-online \) -print 2> /dev/null)
	[ -n "${WS:-}" ] && rm -rf "$WS"
	[ -z "$changed" ] || {
		echo "changed outside the workspace: $changed" >&2
		return 1
	}
}

# nas USER CMD...: as USER, like `as`, where user namespaces are blocked
nas() {
	local u=$1 home
	shift
	home=$(getent passwd "$u" | cut -d: -f6)
	"$NOUSERNS" runuser -u "$u" -- env -i HOME="$home" USER="$u" LOGNAME="$u" PATH="$SANE_PATH" LANG=C.UTF-8 "$@"
}

ncrun() { (cd "$WS" && nas "$DEV" "$CORRAL" run --backend users "$@"); }

# Nothing outside the workspace changed: the developer's home holds what it held.
outside_unchanged() {
	[ ! -e "$DEV_HOME/outside" ] && [ ! -e /tmp/corral-nons-outside ] && [ ! -e /var/tmp/corral-nons-outside ]
}

@test "the emulation blocks user namespaces for the developer" {
	run nas "$DEV" unshare -U true
	[ "$status" -ne 0 ]
	nas "$DEV" sh -c 'echo forked'
}

@test "without user namespaces: one line says so; corral-offline, no capabilities, no_new_privs, seccomp, no groups" {
	run ncrun -- sh -c 'id -un; grep -E "^(CapEff|CapPrm|CapInh|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status; id -G; ls /proc/self/fd | wc -l'
	assert_status 0
	assert_contains "user namespaces are blocked here: running as the sandbox user without namespaces"
	[ "$(grep -c 'user namespaces are blocked' <<< "$output")" -eq 1 ]
	assert_contains "corral-offline"
	assert_contains "CapEff:	0000000000000000"
	assert_contains "CapPrm:	0000000000000000"
	assert_contains "CapAmb:	0000000000000000"
	assert_contains "NoNewPrivs:	1"
	assert_contains "Seccomp:	2"
	grep -qx "$(id -g corral-offline)" <<< "$output"
	# ls's own fds: 0-2 and the directory it reads
	[ "${lines[-1]}" -le 4 ]
	run ncrun --network on -- id -un
	assert_status 0
	[ "${lines[-1]}" = corral-online ]
	outside_unchanged
}

@test "writes: subdirectories and existing files inside; nothing outside, nothing new at the top" {
	run ncrun -- sh -c 'mkdir src/d && echo x > src/d/f && echo more >> top.txt && rm src/a.txt && echo ok'
	assert_status 0
	assert_contains ok
	[ "$(cat "$WS/src/d/f")" = x ]
	[ "$(tail -1 "$WS/top.txt")" = more ]
	[ ! -e "$WS/src/a.txt" ]
	# the developer can still edit what the sandbox made (default ACL)
	as "$DEV" sh -c "echo dev >> '$WS/src/d/f'"
	run ncrun -- sh -c "touch '$DEV_HOME/outside'; touch /tmp/corral-nons-outside; touch /var/tmp/corral-nons-outside; touch newtop; rm top.txt; mv src src2; echo done"
	assert_status 0
	[ "$(grep -c 'Permission denied' <<< "$output")" -ge 5 ]
	[ -e "$WS/top.txt" ] && [ -d "$WS/src" ] && [ ! -e "$WS/newtop" ] && [ ! -e "$WS/src2" ]
	outside_unchanged
}

@test "protected names, existing and missing, cannot be written or created" {
	as "$DEV" git init -q "$WS"
	setfacl -R -m u:corral-offline:rwX,d:u:corral-offline:rwX "$WS/.git"
	sum=$(find "$WS/.git" -type f -exec sha256sum {} + | sort | sha256sum)
	run ncrun -- sh -c 'echo x >> .git/config; touch .git/hooks/pre-commit; rm -rf .git; mv .git g; mkdir .codex; touch .corral.toml; mkdir .agents; echo done'
	assert_status 0
	assert_contains done
	[ "$(find "$WS/.git" -type f -exec sha256sum {} + | sort | sha256sum)" = "$sum" ]
	[ ! -e "$WS/.codex" ] && [ ! -e "$WS/.corral.toml" ] && [ ! -e "$WS/.agents" ] && [ ! -e "$WS/g" ]
	[ ! -e "$WS/.git/hooks/pre-commit" ]
	# a nested repository's .git too (protect_depth 1)
	# (a directory on the way to a protected name is fixed too: its files stay writable)
	as "$DEV" git init -q "$WS/sub"
	as "$DEV" touch "$WS/sub/file"
	setfacl -R -m u:corral-offline:rwX "$WS/sub"
	run ncrun -- sh -c 'echo x >> sub/.git/config && echo WROTE; echo y > sub/file && echo FILE'
	refute_wrote=$(grep -c WROTE <<< "$output" || true)
	[ "$refute_wrote" -eq 0 ]
	assert_contains FILE
	outside_unchanged
}

@test "pinning: the parents of protected objects cannot be renamed (no Landlock right on them); git outside runs nothing planted" {
	# Without namespaces there is no mount to pin with: the Landlock rules are
	# granted on the entries beside a protected object, never on the
	# directories that lead to it, so they cannot be renamed or removed
	# (docs/design.md, "Pinning"). The attack of pinning.bats, here.
	as "$DEV" git init -q "$WS/sub"
	as "$DEV" sh -c "touch '$WS/sub/file' && mkdir -p '$WS/cfg/codex' && echo 'model = 1' > '$WS/cfg/codex/config.toml' && ln -s cfg/codex '$WS/.codex'"
	setfacl -R -m u:corral-offline:rwX,d:u:corral-offline:rwX "$WS"
	run ncrun -- sh -c 'mv sub sub.moved && echo MOVED-SUB; mv cfg cfg.old && echo MOVED-CFG; echo y > sub/file && echo FILE; echo evil > cfg/codex/config.toml && echo WROTE; echo done'
	assert_status 0
	assert_contains done
	assert_contains FILE
	! grep -q 'MOVED\|WROTE' <<< "$output" || { echo "$output" >&2; return 1; }
	[ -d "$WS/sub/.git" ] && [ ! -e "$WS/sub.moved" ] && [ ! -e "$WS/cfg.old" ]
	[ "$(cat "$WS/cfg/codex/config.toml")" = "model = 1" ]
	outside_unchanged
}

@test "a workspace the sandbox user cannot write is refused (125) with the reason" {
	setfacl -b "$WS"
	run ncrun -- true
	assert_status 125
	assert_contains "must be writable by corral-offline"
}

@test "the developer's 0600 files and 0700 directories are unreadable" {
	as "$DEV" sh -c "echo secret > '$DEV_HOME/private.txt' && chmod 600 '$DEV_HOME/private.txt' && mkdir -p '$DEV_HOME/privdir' && echo s > '$DEV_HOME/privdir/f' && chmod 700 '$DEV_HOME/privdir'"
	run ncrun -- sh -c "cat '$DEV_HOME/private.txt' || echo DENIED1; ls '$DEV_HOME/privdir' || echo DENIED2; cat '$DEV_HOME/privdir/f' || echo DENIED3"
	rm -rf "$DEV_HOME/private.txt" "$DEV_HOME/privdir"
	assert_status 0
	assert_contains DENIED1
	assert_contains DENIED2
	assert_contains DENIED3
	[[ "$output" != *secret* ]]
}

@test "a deny-read path the sandbox user could read makes the run fail closed" {
	as "$DEV" sh -c "echo 'machine x login y password z' > '$DEV_HOME/.netrc' && chmod 644 '$DEV_HOME/.netrc'"
	setfacl -m u:corral-offline:--x "$DEV_HOME"
	run ncrun -- cat "$DEV_HOME/.netrc"
	status1=$status out1=$output
	chmod 600 "$DEV_HOME/.netrc"
	run ncrun -- sh -c "cat '$DEV_HOME/.netrc' || echo DENIED"
	rm -f "$DEV_HOME/.netrc"
	[ "$status1" -eq 125 ]
	[[ "$out1" == *"deny-read path $DEV_HOME/.netrc"* ]]
	[[ "$out1" != *password* ]]
	assert_status 0
	assert_contains DENIED
}

@test "offline: the firewall alone rejects the remote host (TCP, UDP, v4, v6) and loopback; online reaches them" {
	/usr/bin/python3 "$PROBE" tcp "$R4" 8080 # the test network works
	run ncrun -- sh -c "for a in 'tcp $R4 8080' 'tcp $R6 8080' 'udp $R4 8081' 'udp $R6 8081' 'tcp 127.0.0.1 8124' 'tcp 127.0.0.1 8125'; do /usr/bin/python3 '$PROBE' \$a; done"
	[ "$(grep -c BLOCKED <<< "$output")" -eq 5 ]
	# --loopback-port 8125 at setup: the one port the firewall lets through
	[ "$(grep -c REACHED <<< "$output")" -eq 1 ]
	run ncrun --network on -- sh -c "for a in 'tcp $R4 8080' 'tcp $R6 8080' 'udp $R4 8081' 'tcp 127.0.0.1 8124'; do /usr/bin/python3 '$PROBE' \$a; done"
	assert_status 0
	[ "$(grep -c REACHED <<< "$output")" -eq 4 ]
}

@test "offline runs fail closed when the firewall rules are gone" {
	nft delete table inet corral
	run ncrun -- true
	"$SETUP" --check > /dev/null 2>&1 || true
	nft list table inet corral > /dev/null
	assert_status 125
	assert_contains "firewall"
}

@test "a daemonised grandchild does not outlive the run" {
	tag=corral-nons-gc-$$-$RANDOM
	run ncrun -- sh -c "setsid bash -c 'exec -a $tag sleep 60' > /dev/null 2>&1 < /dev/null & (bash -c 'exec -a $tag sleep 60' &) ; echo started"
	assert_status 0
	assert_contains started
	sleep 0.2
	! pgrep -f "^$tag" > /dev/null
}

@test "the command cannot signal its supervisor (Landlock scope); the tree still dies with the run" {
	tag=corral-nons-sup-$$-$RANDOM
	run ncrun -- bash -c "kill -KILL \$PPID && echo KILLED || echo REFUSED; setsid bash -c 'exec -a $tag sleep 60' > /dev/null 2>&1 < /dev/null &"
	assert_status 0
	assert_contains REFUSED
	sleep 0.2
	! pgrep -f "^$tag" > /dev/null
}

@test "timeout: 124, and the whole tree is gone" {
	tag=corral-nons-to-$$-$RANDOM
	start=$(date +%s)
	run ncrun --timeout 1 -- bash -c "setsid bash -c 'exec -a $tag sleep 60' & exec -a $tag sleep 60"
	assert_status 124
	[ $(($(date +%s) - start)) -lt 10 ]
	sleep 0.2
	! pgrep -f "^$tag" > /dev/null
}

@test "corral killed: everything dies" {
	tag=corral-nons-kill-$$-$RANDOM
	(cd "$WS" && nas "$DEV" "$CORRAL" run --backend users -- bash -c "setsid bash -c 'exec -a $tag sleep 60' & exec -a $tag sleep 61" > /dev/null 2>&1 &)
	for _ in $(seq 50); do [ "$(pgrep -f "^$tag" | wc -l)" -eq 2 ] && break; sleep 0.1; done
	[ "$(pgrep -f "^$tag" | wc -l)" -eq 2 ]
	pid=$(pgrep -u "$DEV" -f "^$CORRAL run --backend users -- bash -c setsid bash -c 'exec -a $tag")
	[ -n "$pid" ]
	kill -KILL $pid
	for _ in $(seq 50); do pgrep -f "^$tag" > /dev/null || break; sleep 0.1; done
	! pgrep -f "^$tag" > /dev/null
}

@test "concurrent runs of the same sandbox user do not kill each other" {
	tag=corral-nons-conc-$$-$RANDOM
	(set +e; cd "$WS" && nas "$DEV" "$CORRAL" run --backend users -- bash -c "exec -a $tag sleep 3" > "$BATS_TEST_TMPDIR/long.out" 2>&1; echo "rc=$?" >> "$BATS_TEST_TMPDIR/long.out") &
	bg=$!
	for _ in $(seq 50); do pgrep -f "^$tag" > /dev/null && break; sleep 0.1; done
	run ncrun -- sh -c 'setsid sleep 30 & echo short'
	assert_status 0
	pgrep -f "^$tag" > /dev/null
	wait $bg # (not every job: bats's timeout watcher is one)
	grep -q "rc=0" "$BATS_TEST_TMPDIR/long.out"
}

@test "without a pid namespace: another run's process keeps its priority, limits and affinity (ids by pid)" {
	# Issue 16, class 7: every member's runs are the same sandbox user here,
	# and their pids are nameable; Landlock covers signals and ptrace, not these.
	tag=corral-nons-ids-$$-$RANDOM
	(set +e; cd "$WS" && nas "$DEV" "$CORRAL" run --backend users -- bash -c "exec -a $tag sleep 20" > /dev/null 2>&1) &
	local victim= i
	for i in $(seq 50); do victim=$(pgrep -f "^$tag" | head -n1); [ -n "$victim" ] && break; sleep 0.1; done
	[ -n "$victim" ] || { echo "the victim run did not start" >&2; return 1; }
	state() { echo "ni=$(ps -o ni= -p "$victim" | tr -d ' ') $(grep '^Max open files' /proc/$victim/limits | tr -s ' ') $(grep Cpus_allowed_list /proc/$victim/status) $(grep -c . /proc/$victim/sched 2>/dev/null)"; }
	local before
	before=$(state)
	run ncrun -- /usr/bin/python3 -c "
import os, resource, sys
pid = int(sys.argv[1])
for name, f in [('setpriority', lambda: os.setpriority(os.PRIO_PROCESS, pid, 19)),
                ('prlimit', lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE, (17, 17))),
                ('sched_setaffinity', lambda: os.sched_setaffinity(pid, {0})),
                ('sched_setscheduler', lambda: os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0)))]:
    try:
        f(); print('SUCCEEDED:', name)
    except OSError as e:
        print('BLOCKED:', name, e)
os.setpriority(os.PRIO_PROCESS, 0, 19)  # its own priority stays its to lower (19: allowed at any starting nice value)
print('own-ok')" "$victim"
	local after
	after=$(state)
	kill "$victim" 2> /dev/null
	assert_status 0
	[[ "$output" != *SUCCEEDED* ]] || { echo "$output" >&2; return 1; }
	assert_contains own-ok
	[ "$before" = "$after" ] || { echo "the other run's process changed: $before -> $after" >&2; return 1; }
}

@test "signals: SIGTERM to corral reaches the command" {
	(set +e; cd "$WS" && nas "$DEV" "$CORRAL" run --backend users -- sh -c 'trap "echo got-term; exit 7" TERM; sleep 30 & wait' > "$BATS_TEST_TMPDIR/sig.out" 2>&1; echo "rc=$?" >> "$BATS_TEST_TMPDIR/sig.out") &
	bg=$!
	for _ in $(seq 50); do pid=$(pgrep -u "$DEV" -f "$CORRAL run --backend users -- sh -c trap") && break; sleep 0.1; done
	sleep 0.3
	kill -TERM $pid
	wait $bg
	grep -q got-term "$BATS_TEST_TMPDIR/sig.out"
	grep -q "rc=7" "$BATS_TEST_TMPDIR/sig.out"
}

@test "TMPDIR is the sandbox user's own; the host's /tmp is read-only unless --tmp host" {
	run ncrun -- sh -c 'echo TMPDIR=$TMPDIR; f=$(mktemp) && echo made=$f; touch /tmp/corral-nons-outside || echo DENIED'
	assert_status 0
	local mine=/var/lib/corral/offline/members/$(id -u "$DEV") # each member's own directory
	assert_contains "TMPDIR=$mine/.cache/corral/workspaces/"
	assert_contains "made=$mine/.cache/corral/workspaces/"
	assert_contains DENIED
	# corral's own state next to TMPDIR is not the command's to change.
	run ncrun -- sh -c 'd=$(dirname "$TMPDIR"); touch "$d/planted" || echo STATE-DENIED;
		touch "$HOME/.cache/corral/planted" || echo ROOT-DENIED; touch "$TMPDIR/ok" && echo TMP-OK'
	assert_status 0
	assert_contains STATE-DENIED
	assert_contains ROOT-DENIED
	assert_contains TMP-OK
	[ ! -e "$mine/.cache/corral/planted" ]
	run ncrun --tmp host -- sh -c 'touch /tmp/corral-nons-host-$$ && echo MADE && rm /tmp/corral-nons-host-$$'
	assert_status 0
	assert_contains MADE
	outside_unchanged
}

@test "explain shows the namespace-less plan honestly" {
	run bash -c "cd '$WS' && '$NOUSERNS' runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' explain --backend users"
	assert_status 0
	assert_contains "namespaces: none (user namespaces are blocked here"
	assert_contains "  chosen         asked for: --backend users; without namespaces: user namespaces are blocked here"
	assert_contains "the firewall on corral-offline is the only boundary"
	assert_contains "nothing can be created, removed or renamed"
}

@test "doctor says the namespace-less fallback applies, and what is weaker" {
	run bash -c "cd '$WS' && '$NOUSERNS' runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' doctor"
	assert_contains "namespace-less fallback"
	assert_contains "which account runs commands?"
	assert_contains "corral-offline"
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' doctor"
	assert_contains "private network namespace"
}

@test "CORRAL_REQUIRE_NAMESPACES=1 refuses the fallback (125)" {
	run bash -c "cd '$WS' && '$NOUSERNS' runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' CORRAL_REQUIRE_NAMESPACES=1 '$CORRAL' run --backend users -- touch src/x"
	assert_status 125
	assert_contains "CORRAL_REQUIRE_NAMESPACES=1: refusing to run without namespaces"
	[ ! -e "$WS/src/x" ]
	# the refusal is the plan's: explain says it too
	run bash -c "cd '$WS' && '$NOUSERNS' runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' CORRAL_REQUIRE_NAMESPACES=1 '$CORRAL' explain --backend users"
	assert_status 125
	assert_contains "CORRAL_REQUIRE_NAMESPACES=1: refusing to run without namespaces"
}

@test "read-only mode: nothing in the workspace is writable; TMPDIR is fresh and removed after" {
	run ncrun --mode read-only -- sh -c 'echo x > src/a.txt || echo DENIED; t=$(mktemp) && echo tmp=$t; mkdir "$TMPDIR/d" && touch "$TMPDIR/d/f" && chmod 0 "$TMPDIR/d"'
	assert_status 0
	assert_contains DENIED
	[ "$(cat "$WS/src/a.txt")" = a ]
	t=$(sed -n 's/^tmp=//p' <<< "$output")
	[ -n "$t" ] && [ ! -e "$t" ] && [ ! -e "$(dirname "$t")" ]
}

@test "a runner with only cap_setuid,cap_setgid (a container's bounding set) runs the fallback; with namespaces it refuses" {
	setcap cap_setuid,cap_setgid=ep "$RUNNER"
	run ncrun -- sh -c 'echo x > src/a.txt && id -un'
	s1=$status o1=$output
	run crun -- true
	s2=$status o2=$output
	install_corral --loopback-port 8125 --loopback-port 3128 # repairs the capabilities
	getcap "$RUNNER" | grep -q cap_sys_admin
	[ "$s1" -eq 0 ] && [[ "$o1" == *corral-offline* ]]
	[ "$(cat "$WS/src/a.txt")" = x ]
	[ "$s2" -eq 125 ] && [[ "$o2" == *"lacks cap_sys_admin"* ]]
}

@test "--git commits is refused (125) without namespaces, naming why; --git read-only runs" {
	run bash -c "cd '$WS' && '$NOUSERNS' runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' run --backend users --git commits -- true"
	assert_status 125
	assert_contains "--git commits needs mount namespaces"
	run ncrun --git read-only -- true
	assert_status 0
}

# check_record FILE PYTHON: run PYTHON with r = the status record, d = its denials.
check_record() {
	cat "$1" >&2
	run /usr/bin/python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
d = r['denials']
assert r['denial_reports'] is True, r
$2
print('ok')" "$1"
	assert_status 0
	assert_contains ok
}

# Denial reports without namespaces (docs/design.md, "Denial reports"): the
# command installs the reporting filter after Landlock and sends its listener
# to the supervisor, which judges each call from this plan. Each test also
# checks that the refused operation still failed, and a control shows that
# the same operation outside corral, as the same sandbox user, succeeds.
@test "denial reports without namespaces: writes outside the writable roots and at the top of the workspace are reported; they still fail" {
	local st=$BATS_TEST_TMPDIR/st.json
	# control: the sandbox user's own permissions let it write both
	nas corral-offline sh -c "touch /tmp/corral-nons-outside '$WS/newtop' && rm /tmp/corral-nons-outside '$WS/newtop'"
	# (what the rules grant is not reported: TMPDIR, in corral's own state,
	# a new file in a subdirectory, an existing file at the top)
	run ncrun --report-denials --status-fd 3 -- sh -c "touch /tmp/corral-nons-outside || echo REFUSED-TMP
		touch '$DEV_HOME/outside' || echo REFUSED-HOME; touch newtop || echo REFUSED-TOP
		echo t > \"\$TMPDIR/t\" && echo x > src/new && echo y >> top.txt && rm src/new && echo WROTE; echo done" 3> "$st"
	assert_status 0
	assert_contains WROTE
	assert_contains REFUSED-TMP
	assert_contains REFUSED-HOME
	assert_contains REFUSED-TOP
	outside_unchanged
	[ ! -e "$WS/newtop" ]
	assert_contains "corral: denied: write ~/outside (outside the writable roots; allow with -w ~)"
	[[ "$output" != *"no denial reports"* ]] || { echo "$output" >&2; return 1; }
	check_record "$st" "
ws, home = '$WS', '$DEV_HOME'
got = [(x['op'], x['path'], x['rule'], x['allow_with']) for x in d]
beside = 'beside a protected name (without namespaces nothing is created, removed or renamed there)'
assert got == [('write', '/tmp/corral-nons-outside', 'outside the writable roots', '-w /tmp'),
               ('write', home + '/outside', 'outside the writable roots', '-w ~'),
               ('write', ws + '/newtop', beside, None)], got"
	run nas "$DEV" "$CORRAL" explain --backend users --report-denials -W "$WS"
	assert_contains "denial reports: on"
}

@test "denial reports without namespaces: writes into protected names are reported with the name; they still fail" {
	local st=$BATS_TEST_TMPDIR/st.json
	as "$DEV" git init -q "$WS"
	setfacl -R -m u:corral-offline:rwX,d:u:corral-offline:rwX "$WS/.git"
	# control: the sandbox user's own permissions let it write there
	nas corral-offline sh -c "touch '$WS/.git/hooks/ctl' && rm '$WS/.git/hooks/ctl'"
	sum=$(find "$WS/.git" -type f -exec sha256sum {} + | sort | sha256sum)
	run ncrun --report-denials --status-fd 3 -- sh -c 'touch .git/hooks/pre-commit || echo REFUSED-HOOK
		echo x >> .git/config || echo REFUSED-CONFIG; mkdir .codex || echo REFUSED-CODEX; echo done' 3> "$st"
	assert_status 0
	assert_contains REFUSED-HOOK
	assert_contains REFUSED-CONFIG
	assert_contains REFUSED-CODEX
	[ "$(find "$WS/.git" -type f -exec sha256sum {} + | sort | sha256sum)" = "$sum" ]
	[ ! -e "$WS/.codex" ]
	assert_contains "corral: denied: write ~/${WS#"$DEV_HOME"/}/.git/hooks/pre-commit (protected name .git)"
	check_record "$st" "
ws = '$WS'
got = [(x['op'], x['path'], x['rule'], x['allow_with']) for x in d]
assert got == [('write', ws + '/.git/hooks/pre-commit', 'protected name .git', None),
               ('write', ws + '/.git/config', 'protected name .git', None),
               ('create', ws + '/.codex', 'protected name .codex', None)], got"
	outside_unchanged
}

@test "denial reports without namespaces: a connect with the network off is reported with its address; loopback is not; they still fail" {
	local st=$BATS_TEST_TMPDIR/st.json
	/usr/bin/python3 "$PROBE" tcp "$R4" 8080 # control: the test network works outside corral
	run ncrun --report-denials --status-fd 3 -- sh -c "for a in 'tcp $R4 8080' 'tcp $R6 8080' 'tcp 127.0.0.1 8124'; do /usr/bin/python3 '$PROBE' \$a; done" 3> "$st"
	[ "$(grep -c BLOCKED <<< "$output")" -eq 3 ]
	[[ "$output" != *REACHED* ]] || { echo "$output" >&2; return 1; }
	assert_contains "corral: denied: connect $R4:8080 (network off; allow with --network on)"
	check_record "$st" "
got = [(x['op'], x['address'], x['rule'], x['allow_with']) for x in d]
assert got == [('connect', '$R4:8080', 'network off', '--network on'),
               ('connect', '[$R6]:8080', 'network off', '--network on')], got
assert all('path' not in x for x in d), d"
}

@test "denial reports without namespaces: at the writes level a write is reported and a read of a deny-read path is not; both still fail" {
	local st=$BATS_TEST_TMPDIR/st.json
	as "$DEV" sh -c "echo CORRAL-SECRET > '$DEV_HOME/.netrc' && chmod 600 '$DEV_HOME/.netrc'"
	# control: the sandbox user's own permissions let it write outside
	nas corral-offline sh -c "touch /tmp/corral-nons-wr && rm /tmp/corral-nons-wr"
	run ncrun --report-denials=writes --status-fd 3 -- sh -c "touch /tmp/corral-nons-wr || echo REFUSED-TMP
		cat '$DEV_HOME/.netrc' || echo REFUSED-READ; echo done" 3> "$st"
	local out=$output
	rm -f "$DEV_HOME/.netrc"
	output=$out
	assert_status 0
	assert_contains REFUSED-TMP
	assert_contains REFUSED-READ
	[[ "$output" != *CORRAL-SECRET* ]] || { echo "$output" >&2; return 1; }
	[ ! -e /tmp/corral-nons-wr ]
	[[ "$output" != *"denied: read"* ]] || { echo "$output" >&2; return 1; }
	check_record "$st" "
got = [(x['op'], x['path'], x['rule']) for x in d]
assert got == [('write', '/tmp/corral-nons-wr', 'outside the writable roots')], got"
	outside_unchanged
	run nas "$DEV" "$CORRAL" explain --backend users --report-denials=writes -W "$WS"
	assert_contains "denial reports: on, writes"
}

@test "denial reports without namespaces: reads of deny-read paths that file permissions refuse are reported; other unreadable files are not; they still fail" {
	local st=$BATS_TEST_TMPDIR/st.json had_ssh=1
	[ -e "$DEV_HOME/.ssh" ] || had_ssh=0
	as "$DEV" sh -c "mkdir -p '$DEV_HOME/.ssh' && echo CORRAL-SECRET > '$DEV_HOME/.ssh/id_corral_test' && chmod 600 '$DEV_HOME/.ssh/id_corral_test' && chmod 700 '$DEV_HOME/.ssh'
		echo CORRAL-SECRET > '$DEV_HOME/.netrc' && chmod 600 '$DEV_HOME/.netrc'
		echo CORRAL-SECRET > '$DEV_HOME/private.txt' && chmod 600 '$DEV_HOME/private.txt'"
	# control: outside corral the same sandbox user cannot read them either (file permissions are the wall)
	run nas corral-offline cat "$DEV_HOME/.netrc"
	[ "$status" -ne 0 ]
	run ncrun --report-denials --status-fd 3 -- sh -c "cat '$DEV_HOME/.ssh/id_corral_test' || echo REFUSED-KEY
		ls '$DEV_HOME/.ssh' || echo REFUSED-LS; ln -s '$DEV_HOME/.netrc' \"\$TMPDIR/l\" && cat \"\$TMPDIR/l\" || echo REFUSED-LINK
		sh -c 'read x < $DEV_HOME/.netrc' || echo REFUSED-CHILD; cat '$DEV_HOME/private.txt' || echo REFUSED-PRIVATE
		cat top.txt" 3> "$st"
	local out=$output
	rm -f "$DEV_HOME/.ssh/id_corral_test" "$DEV_HOME/.netrc" "$DEV_HOME/private.txt"
	[ "$had_ssh" = 1 ] || rmdir "$DEV_HOME/.ssh"
	output=$out
	assert_status 0
	for w in KEY LS LINK CHILD PRIVATE; do assert_contains "REFUSED-$w"; done
	assert_contains top
	[[ "$output" != *CORRAL-SECRET* ]] || { echo "$output" >&2; return 1; }
	assert_contains "corral: denied: read ~/.ssh/id_corral_test (deny-read ~/.ssh; allow with --allow-read ~/.ssh/id_corral_test, and file permissions that let the sandbox user read it)"
	check_record "$st" "
h = '$DEV_HOME'
got = [(x['op'], x['path'], x['rule']) for x in d]
assert got == [('read', h + '/.ssh/id_corral_test', 'deny-read ~/.ssh'), ('read', h + '/.ssh', 'deny-read ~/.ssh'),
               ('read', h + '/.netrc', 'deny-read ~/.netrc')], got
assert all(x['allow_with'].startswith('--allow-read ~/') for x in d), d"
	outside_unchanged
}

# setpriority on another process of the sandbox user (the rule only the
# namespace-less filter has) and keyctl on the user's keyring
REFUSED_NONS='sleep 5 & p=$!; /usr/bin/python3 -c "
import ctypes, os, sys
try:
    os.setpriority(os.PRIO_PROCESS, int(sys.argv[1]), 19); print(\"SUCCEEDED: setpriority\")
except OSError as e:
    print(\"BLOCKED: setpriority\", e)
libc = ctypes.CDLL(None, use_errno=True)
# keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0)
r = libc.syscall(250 if os.uname().machine == \"x86_64\" else 219, 0, -4, 0)
print(\"SUCCEEDED: keyctl\" if r >= 0 else \"BLOCKED: keyctl \" + os.strerror(ctypes.get_errno()))" $p; kill $p'

@test "denial reports without namespaces: refused system calls are reported with their rule; they fail with the errno they get without reports" {
	local st=$BATS_TEST_TMPDIR/st.json
	# control: outside corral the sandbox user may make both calls
	run nas corral-offline sh -c "$REFUSED_NONS"
	assert_contains "SUCCEEDED: setpriority"
	assert_contains "SUCCEEDED: keyctl"
	run ncrun -- sh -c "$REFUSED_NONS"
	assert_status 0
	local off
	off=$(grep -E '^(BLOCKED|SUCCEEDED)' <<< "$output")
	[ "$(grep -c '^BLOCKED.*Operation not permitted' <<< "$off")" -eq 2 ] || { echo "$output" >&2; return 1; }
	run ncrun --report-denials --status-fd 3 -- sh -c "$REFUSED_NONS" 3> "$st"
	assert_status 0
	[ "$(grep -E '^(BLOCKED|SUCCEEDED)' <<< "$output")" = "$off" ] || { echo "$output" >&2; return 1; }
	assert_contains "corral: denied: syscall setpriority (without a pid namespace: only its own priority)"
	check_record "$st" "
got = [(x['op'], x['syscall'], x['rule'], x['allow_with']) for x in d]
assert got == [('syscall', 'setpriority', 'without a pid namespace: only its own priority', None),
               ('syscall', 'keyctl', \"the user's keyring is shared with the host\", None)], got"
}

# network = proxy without namespaces: the developer's corral listens on the
# host's 127.0.0.1:3128 (setup's --loopback-port 3128), the firewall lets
# corral-offline reach that port and nothing else, and the proxy serves only
# corral-offline's sockets (the kernel's socket table), since every local
# user can reach a loopback port.
@test "--allow-domain without namespaces: the proxy on the host's loopback serves the command; refusals reported; no direct route" {
	# the credentials of the run's proxy URL, as curl and the others send them
	run ncrun --allow-domain "$R4" -- bash -c "
		cred=\${HTTPS_PROXY#http://}; auth=\$(printf %s \"\${cred%@*}\" | base64 -w0)
		exec 3<>/dev/tcp/127.0.0.1/3128
		printf 'CONNECT $R4:443 HTTP/1.1\\r\\nProxy-Authorization: Basic %s\\r\\n\\r\\n' \"\$auth\" >&3
		timeout 5 cat <&3
		exec 3>&-
		exec 4<>/dev/tcp/127.0.0.1/3128
		printf 'CONNECT 198.18.0.7:443 HTTP/1.1\\r\\nProxy-Authorization: Basic %s\\r\\n\\r\\n' \"\$auth\" >&4
		timeout 5 head -n1 <&4
		exec 4>&-
		timeout 5 bash -c 'exec 5<>/dev/tcp/$R4/443' 2>/dev/null && echo DIRECT-OPEN || echo direct-refused
		echo \"proxy=\$HTTPS_PROXY network=\$CORRAL_NETWORK\""
	assert_status 0
	assert_contains "HTTP/1.1 200 Connection established"
	assert_contains HELLO
	assert_contains "HTTP/1.1 403 Forbidden"
	assert_contains direct-refused
	[[ $output =~ proxy=http://corral:[0-9a-f]{32}@127\.0\.0\.1:3128\ network=proxy ]] || {
		echo "no proxy URL with this run's credentials: $output" >&2
		return 1
	}
	assert_contains "corral: network: refused 198.18.0.7:443, an IP address not in allow_domains"
	outside_unchanged
	run nas "$DEV" "$CORRAL" explain --backend users --allow-domain "$R4" -W "$WS"
	assert_contains "serving corral-offline's sockets only"
}

@test "--allow-domain without namespaces: another local user, the developer too, cannot use the run's proxy" {
	(cd "$WS" && nas "$DEV" "$CORRAL" run --backend users --allow-domain "$R4" -- sleep 5 > "$BATS_TEST_TMPDIR/run.out" 2>&1) &
	local run_pid=$!
	for _ in $(seq 50); do ss -Hltn 'sport = :3128' | grep -q . && break; sleep 0.1; done
	# the proxy refuses at once, before reading anything: the client only reads
	local ask="exec 3<>/dev/tcp/127.0.0.1/3128 && timeout 5 cat <&3"
	local other dev
	other=$(as nobody bash -c "$ask" 2>&1)
	dev=$(as "$DEV" bash -c "$ask" 2>&1)
	wait "$run_pid"
	local out
	out=$(cat "$BATS_TEST_TMPDIR/run.out")
	[[ $other == *"HTTP/1.1 403 Forbidden"* && $other == *"not the sandbox user"* ]] || {
		echo "nobody got: $other" >&2
		return 1
	}
	[[ $dev == *"not the sandbox user"* ]] || {
		echo "the developer got: $dev" >&2
		return 1
	}
	[[ $out == *"refused (connection), a connection from uid $(id -u nobody), not the sandbox user"* ]] || {
		echo "the run said: $out" >&2
		return 1
	}
}

@test "--allow-domain without namespaces: curl reaches the allowed host with the run's credentials, over HTTP and SOCKS5" {
	command -v curl > /dev/null || skip "curl is not installed"
	run ncrun --allow-domain "$R4" -- bash -c "
		curl -sS -p -x \"\$HTTPS_PROXY\" --max-time 5 telnet://$R4:443 < /dev/null; echo
		curl -sS -x \"\$ALL_PROXY\" --max-time 5 telnet://$R4:443 < /dev/null; echo
		curl -sS -p -x http://127.0.0.1:3128 --max-time 5 telnet://$R4:443 < /dev/null 2>&1; echo"
	assert_status 0
	[ "$(grep -c HELLO <<< "$output")" -eq 2 ] || {
		echo "curl did not get through twice: $output" >&2
		return 1
	}
	assert_contains "407"
	assert_contains "refused (request), a connection without this run's proxy credentials"
}

# Every run's command is corral-offline here, so the owner of a connection
# does not tell the runs apart: the token does.
@test "--allow-domain without namespaces: another run's command cannot use this run's proxy, nor read its credentials" {
	(cd "$WS" && nas "$DEV" "$CORRAL" run --backend users --allow-domain "$R4" -- sleep 6 > "$BATS_TEST_TMPDIR/run.out" 2>&1) &
	local run_pid=$!
	for _ in $(seq 50); do ss -Hltn 'sport = :3128' | grep -q . && break; sleep 0.1; done
	sleep 0.5
	# control: the first run's command holds its credentials, where a
	# process allowed to read its environment (root here) finds them
	local a_pid
	a_pid=$(pgrep -u corral-offline -x sleep | head -n1)
	[ -n "$a_pid" ] && tr '\0' '\n' < "/proc/$a_pid/environ" | grep -q 'corral:[0-9a-f]\{32\}@' || {
		echo "control: the first run's sleep (pid ${a_pid:-none}) has no credentials to steal" >&2
		return 1
	}
	# a second run, network off, as the same sandbox user: the firewall lets
	# it reach the loopback port, the proxy does not serve it
	run ncrun -- bash -c "
		exec 3<>/dev/tcp/127.0.0.1/3128 || exit 9
		printf 'CONNECT $R4:443 HTTP/1.1\\r\\n\\r\\n' >&3
		timeout 5 cat <&3
		exec 3>&-
		exec 4<>/dev/tcp/127.0.0.1/3128 || exit 9
		printf '\\x05\\x01\\x00' >&4
		timeout 5 od -An -tx1 <&4
		exec 4>&-
		found=
		for p in /proc/[0-9]*; do
			cat \$p/environ 2>/dev/null | tr '\\0' '\\n' | grep -q 'corral:[0-9a-f]\{32\}@' && found=\${p#/proc/}
		done
		echo \"credentials-read=\${found:-none}\""
	local second_status=$status second=$output
	wait "$run_pid"
	local out
	out=$(cat "$BATS_TEST_TMPDIR/run.out")
	[ "$second_status" -eq 0 ] || {
		echo "the second run ended $second_status: $second" >&2
		return 1
	}
	[[ $second == *"HTTP/1.1 407 Proxy Authentication Required"* && $second != *HELLO* ]] || {
		echo "the second run got through: $second" >&2
		return 1
	}
	[[ $second == *"05 ff"* ]] || {
		echo "SOCKS5 without credentials was not refused: $second" >&2
		return 1
	}
	[[ $second == *"credentials-read=none"* ]] || {
		echo "the second run read the first one's credentials: $second" >&2
		return 1
	}
	[[ $out == *"a connection without this run's proxy credentials"* ]] || {
		echo "the first run did not report the refusal: $out" >&2
		return 1
	}
}

@test "--allow-domain without namespaces: a port another program holds is refused (125); nothing ran" {
	/usr/bin/python3 "$PROBE" serve tcp 127.0.0.1 3128 > "$BATS_TEST_TMPDIR/squatter" 2>&1 &
	local squatter=$!
	for _ in $(seq 50); do grep -q READY "$BATS_TEST_TMPDIR/squatter" && break; sleep 0.1; done
	grep -q READY "$BATS_TEST_TMPDIR/squatter"
	run ncrun --allow-domain "$R4" -- touch ran
	kill "$squatter" || true
	assert_status 125
	assert_contains "127.0.0.1:3128"
	assert_contains "another program holds that port"
	[ ! -e "$WS/ran" ]
}
