#!/usr/bin/env bats
# Denial reports (--report-denials, docs/design.md "Denial reports"): what the
# sandbox refused, in the status record and on stderr. The report is not the
# boundary: every test also checks that the refused operation still failed
# and that nothing outside changed. What is covered: opens for writing,
# creations, removals, renames, links, chmod, truncate (outside the writable
# roots, or in a protected name), connects with the network off, and system
# calls the seccomp filter refuses (with the errno they get without
# reports), opens of hidden paths (the deny-read list), with either Linux
# backend (tests/elevated/run.sh reruns this file with --backend users).

load helpers

setup() {
	common_setup
	require_python
	git init -q "$WS"
	printf '#!/bin/sh\nexit 0\n' > "$WS/.git/hooks/pre-commit"
	snap_outside out
	snap git "$WS/.git"
}
teardown() { common_teardown; }

# reports_here: reports are made on both Linux backends (userns, and
# users, whose runner answers the listener and sends corral the list). The
# users backend without user namespaces (its notice is in $output) reports
# too, but judges the top of a writable root differently:
# tests/elevated/nonamespace.bats tests it.
reports_here() {
	grep -q 'user namespaces are blocked here' <<< "$output" || return 0
	skip "without user namespaces: tests/elevated/nonamespace.bats"
}

# check_record FILE PYTHON: run PYTHON with r = the status record.
check_record() {
	cat "$1" >&2
	run "$PYTHON" -c "
import json, sys
r = json.load(open(sys.argv[1]))
d = r['denials']
$2
print('ok')" "$1"
	assert_success
}

@test "denials: writes outside the writable roots are reported, with -w DIR; they still fail" {
	run sb --report-denials --status-fd 3 '
		must_fail "echo evil >> $HOME/.bashrc"
		must_fail "touch $OUT/planted"
		must_fail "mkdir $OUT/newdir"
		must_fail "rm $OUT/data.txt"' 3> "$T/st.json"
	assert_sb_clean
	assert_outside_unchanged out
	[ ! -e "$OUT/planted" ]
	reports_here
	assert_output_has "corral: denied: write ~/.bashrc (outside the writable roots; allow with -w ~)"
	check_record "$T/st.json" "
home, out = '$FAKEHOME', '$OUT'
assert r['denial_reports'] is True, r
want = [('write', home + '/.bashrc', '-w ~'), ('write', out + '/planted', '-w ' + out.replace(home, '~', 1)),
        ('create', out + '/newdir', '-w ' + out.replace(home, '~', 1)), ('remove', out + '/data.txt', '-w ' + out.replace(home, '~', 1))]
got = [(x['op'], x['path'], x['allow_with']) for x in d]
assert got == want, got
assert all(x['rule'] == 'outside the writable roots' for x in d), d"
}

@test "denials: writes into a protected name are reported with the name; the hook is unchanged" {
	run sb --report-denials --status-fd 3 '
		must_fail "echo evil > .git/hooks/pre-commit"
		must_fail "echo evil > .git/hooks/post-checkout"
		must_fail "chmod 777 .git/hooks/pre-commit"' 3> "$T/st.json"
	assert_sb_clean
	assert_same_snap git "$WS/.git"
	reports_here
	assert_output_has "corral: denied: write ~/src/proj/.git/hooks/pre-commit (protected name .git)"
	check_record "$T/st.json" "
ws = '$WS'
got = [(x['op'], x['path'], x['rule'], x['allow_with']) for x in d]
want = [('write', ws + '/.git/hooks/pre-commit', 'protected name .git', None),
        ('write', ws + '/.git/hooks/post-checkout', 'protected name .git', None),
        ('chmod', ws + '/.git/hooks/pre-commit', 'protected name .git', None)]
assert got == want, got"
}

@test "denials: a connect with the network off is reported with its address; loopback is not" {
	run sb --report-denials --status-fd 3 '
		must_fail "echo x > /dev/tcp/198.18.0.1/443"
		must_fail "echo x > /dev/tcp/2001:db8::7/8443"
		must_fail "echo x > /dev/tcp/127.0.0.1/9"' 3> "$T/st.json"
	assert_sb_clean
	reports_here
	assert_output_has "corral: denied: connect 198.18.0.1:443 (network off; allow with --network on)"
	check_record "$T/st.json" "
got = [(x['op'], x['address'], x['rule'], x['allow_with']) for x in d]
assert got == [('connect', '198.18.0.1:443', 'network off', '--network on'),
               ('connect', '[2001:db8::7]:8443', 'network off', '--network on')], got
assert all('path' not in x for x in d), d"
}

# The attacks the refused calls are (keyctl on the user's keyring, a new user
# namespace, a tmpfs mount) work outside: controls.bats.
REFUSED_CALLS='"$H/kernel" keyctl; "$H/userns" unshare; "$H/mount_attack" tmpfs "$T"; true'

@test "denials: refused system calls are reported with their name and rule; they fail with the errno they get without reports" {
	run sb --report-denials=off --status-fd 3 "$REFUSED_CALLS" 3> "$T/off.json"
	assert_sb_clean
	local off
	off=$(grep -E '^(BLOCKED|SUCCEEDED)' <<< "$output")
	[ "$(grep -c '^BLOCKED' <<< "$off")" -eq 3 ] || { show_output; fail "not all three refused without reports"; }
	run sb --report-denials --status-fd 3 "$REFUSED_CALLS" 3> "$T/st.json"
	assert_sb_clean
	# the same refusals, with the same errno (EPERM), reports or not
	[ "$(grep -E '^(BLOCKED|SUCCEEDED)' <<< "$output")" = "$off" ] || { show_output; echo "$off" >&2; fail "reports changed what the calls return"; }
	grep -q 'keyctl.*Operation not permitted' <<< "$off" || fail "keyctl: $off"
	reports_here
	assert_output_has "corral: denied: syscall keyctl (the user's keyring is shared with the host)"
	check_record "$T/st.json" "
assert r['denial_reports'] is True, r
got = [(x['op'], x['syscall'], x['rule'], x['allow_with']) for x in d]
assert got == [('syscall', 'keyctl', \"the user's keyring is shared with the host\", None),
               ('syscall', 'unshare', 'no new user namespace (would regain capabilities)', None),
               ('syscall', 'mount', 'no mounts or remounts', None)], got
assert all('path' not in x and 'address' not in x for x in d), d"
	check_record "$T/off.json" 'assert d == [] and r["denial_reports"] is False and r["denial_level"] == "off", r'
}

@test "denials: with the reporting filter's listener gone (its supervisor dead), the calls it hands over fail" {
	# the reporting filter as init installs it, its listener closed; the
	# same calls without a filter work (the control)
	mkdir "$T/gone"
	run "$HELPERS/notifygone" --control "$T/gone"
	assert_success
	assert_output_has "SUCCEEDED: unshare(CLONE_NEWUSER)"
	rm -f "$T/gone/created"
	run "$HELPERS/notifygone" "$T/gone"
	assert_status 1
	refute_output_has SUCCEEDED
	assert_output_has "BLOCKED: unshare(CLONE_NEWUSER): Function not implemented"
	assert_output_has "BLOCKED: mount(tmpfs): Function not implemented"
	assert_output_has "BLOCKED: open(O_CREAT): Function not implemented"
	[ ! -e "$T/gone/created" ]
}

@test "denials: reads of hidden paths are reported with the deny-read entry and --allow-read; they still fail" {
	run sb --report-denials --status-fd 3 '
		must_fail "cat $HOME/.ssh/id_ed25519"
		must_fail "ls $HOME/.ssh"
		must_fail "cat $HOME/.netrc"
		must_fail "ln -s $HOME/.aws/credentials /tmp/l-$TOKEN && cat /tmp/l-$TOKEN"
		must_fail "cd $HOME && bash -c \"cat .pypirc\""
		must_fail "sh -c \"read x < $HOME/.git-credentials\""
		must_fail "cat /proc/self/root$HOME/.kube/config"
		must_work "cat $OUT/data.txt"' 3> "$T/st.json"
	assert_sb_clean
	refute_output_has "CORRAL-SECRET"
	reports_here
	assert_output_has "corral: denied: read ~/.ssh/id_ed25519 (deny-read ~/.ssh; allow with --allow-read ~/.ssh/id_ed25519)"
	assert_output_has "corral: denied: 5 more (--verbose or the status record lists them)"
	check_record "$T/st.json" "
h = '$FAKEHOME'
want = [(h + '/.ssh/id_ed25519', '~/.ssh', '~/.ssh/id_ed25519'), (h + '/.ssh', '~/.ssh', '~/.ssh'),
        (h + '/.netrc', '~/.netrc', '~/.netrc'), (h + '/.aws/credentials', '~/.aws', '~/.aws/credentials'),
        (h + '/.pypirc', '~/.pypirc', '~/.pypirc'), (h + '/.git-credentials', '~/.git-credentials', '~/.git-credentials'),
        (h + '/.kube/config', '~/.kube', '~/.kube/config')]
got = [(x['path'], x['rule'], x['allow_with']) for x in d]
assert got == [(p, 'deny-read ' + r, '--allow-read ' + a) for p, r, a in want], got
assert all(x['op'] == 'read' for x in d), d"
}

@test "denials: an --allow-read path is read without a report; what its skeleton leaves out is reported, a missing name is not" {
	# (the users backend's sandbox user must reach the allowed file on the host to carve it back)
	chmod 711 "$HOME/.ssh"
	run sb --report-denials --allow-read "$HOME/.ssh/authorized_keys" --status-fd 3 '
		must_work "grep -q ssh-ed25519 $HOME/.ssh/authorized_keys"
		must_work "ls $HOME/.ssh"
		must_fail "cat $HOME/.ssh/id_ed25519"
		must_fail "cat $HOME/.ssh/missing-$TOKEN"' 3> "$T/st.json"
	assert_sb_clean
	refute_output_has "CORRAL-SECRET"
	reports_here
	check_record "$T/st.json" "
got = [(x['op'], x['path'], x['rule'], x['allow_with']) for x in d]
assert got == [('read', '$FAKEHOME/.ssh/id_ed25519', 'deny-read ~/.ssh', '--allow-read ~/.ssh/id_ed25519')], got"
}

@test "denials: with the users backend, an --allow-read path its sandbox user cannot reach stays hidden, and the report says why" {
	backend_is users || skip "the users backend only (with userns the developer reaches it)"
	run sb --report-denials --allow-read "$HOME/.ssh/authorized_keys" --status-fd 3 '
		must_fail "cat $HOME/.ssh/authorized_keys"' 3> "$T/st.json"
	assert_sb_clean
	reports_here
	check_record "$T/st.json" "
got = [(x['op'], x['path'], x['rule'], x['allow_with']) for x in d]
assert got == [('read', '$FAKEHOME/.ssh/authorized_keys', 'deny-read ~/.ssh',
                'file permissions that let the sandbox user reach it (--allow-read ~/.ssh/authorized_keys is given)')], got"
}

# One of each kind: a write outside the roots, a write into a protected
# name, a connect with the network off, a refused system call, and a read of
# a hidden path; then a read that works.
EACH_KIND='must_fail "echo evil >> $HOME/.bashrc"
		must_fail "echo evil > .git/hooks/pre-commit"
		must_fail "echo x > /dev/tcp/198.18.0.1/443"
		"$H/kernel" keyctl
		must_fail "cat $HOME/.ssh/id_ed25519"
		must_work "cat $OUT/data.txt"'
each_want() {
	echo "('write', '$FAKEHOME/.bashrc', 'outside the writable roots'),
        ('write', '$WS/.git/hooks/pre-commit', 'protected name .git'),
        ('connect', '198.18.0.1:443', 'network off'),
        ('syscall', 'keyctl', \"the user's keyring is shared with the host\")"
}

@test "denials: at the writes level, writes, protected names, connects and refused calls are reported, reads of hidden paths are not; at all they are" {
	run sb --report-denials=writes --status-fd 3 "$EACH_KIND" 3> "$T/wr.json"
	assert_sb_clean
	assert_outside_unchanged out
	assert_same_snap git "$WS/.git"
	refute_output_has "CORRAL-SECRET"
	grep -q '^BLOCKED: keyctl' <<< "$output" || { show_output; fail "keyctl was not refused"; }
	reports_here
	refute_output_has "corral: denied: read"
	check_record "$T/wr.json" "
assert r['denial_reports'] is True, r
got = [(x['op'], x.get('path') or x.get('address') or x.get('syscall'), x['rule']) for x in d]
assert got == [$(each_want)], got"
	# the same run at the all level: the hidden read is reported too
	run sb --report-denials=all --status-fd 3 "$EACH_KIND" 3> "$T/all.json"
	assert_sb_clean
	assert_outside_unchanged out
	refute_output_has "CORRAL-SECRET"
	check_record "$T/all.json" "
got = [(x['op'], x.get('path') or x.get('address') or x.get('syscall'), x['rule']) for x in d]
assert got == [$(each_want), ('read', '$FAKEHOME/.ssh/id_ed25519', 'deny-read ~/.ssh')], got"
	# and the bare flag is all, as it always was
	run sb --report-denials --status-fd 3 "$EACH_KIND" 3> "$T/flag.json"
	assert_sb_clean
	check_record "$T/flag.json" "assert [x['op'] for x in d][-1] == 'read', d"
}

@test "denials: at the writes level, opens that write, create or truncate are reported whatever else their flags hold" {
	# O_WRONLY, O_RDWR, O_RDONLY|O_CREAT, O_RDONLY|O_TRUNC and O_TMPFILE
	# outside the roots, each refused and reported; read-only opens of a file
	# and a directory outside work and are not
	local f
	for f in wronly rdwr trunc; do echo "keep $f" > "$OUT/f-$f"; done
	snap_outside out
	run sb --report-denials=writes --status-fd 3 "
		$PYTHON -c '
import os, sys
out = sys.argv[1]
for name, path, fl in [(\"wronly\", \"f-wronly\", os.O_WRONLY), (\"rdwr\", \"f-rdwr\", os.O_RDWR),
                       (\"creat\", \"new-creat\", os.O_RDONLY | os.O_CREAT), (\"trunc\", \"f-trunc\", os.O_RDONLY | os.O_TRUNC),
                       (\"tmpfile\", \"\", os.O_TMPFILE | os.O_WRONLY)]:
    try:
        os.close(os.open(os.path.join(out, path) if path else out, fl, 0o644))
        print(\"SUCCEEDED:\", name)
    except OSError as e:
        print(\"BLOCKED:\", name, e.strerror)
os.close(os.open(out + \"/data.txt\", os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC))
os.close(os.open(out, os.O_RDONLY | os.O_DIRECTORY))
print(\"READ-OK\")
' \"\$OUT\"" 3> "$T/st.json"
	assert_sb_clean
	assert_outside_unchanged out
	refute_output_has "SUCCEEDED"
	assert_output_has "READ-OK"
	[ "$(grep -c '^BLOCKED' <<< "$output")" -eq 5 ] || { show_output; fail "expected 5 refused opens"; }
	reports_here
	check_record "$T/st.json" "
out = '$OUT'
got = [(x['op'], x['path']) for x in d]
assert got == [('write', out + '/f-wronly'), ('write', out + '/f-rdwr'), ('write', out + '/new-creat'),
               ('write', out + '/f-trunc'), ('write', out)], got
assert all(x['rule'] == 'outside the writable roots' for x in d), d"
}

@test "denials: a run where nothing is refused has an empty array and says nothing" {
	run sb --report-denials --status-fd 3 '
		must_work "echo ok > out.txt && mkdir -p sub/dir && mkdir -p /usr/bin $HOME && rm out.txt"
		must_work "touch /tmp/x-$TOKEN && mv /tmp/x-$TOKEN /tmp/y-$TOKEN && echo > /dev/null"
		must_work "cat $OUT/data.txt /etc/hostname > /dev/stderr"
		must_work ": >> /dev/tty || true"
		must_work "exec 4<>/dev/null; echo hi >&4"' 3> "$T/st.json"
	assert_sb_clean
	refute_output_has "corral: denied"
	reports_here
	check_record "$T/st.json" 'assert d == [] and r["denial_reports"] is True, r'
}

# On by default at the writes level (docs/config.md, "report_denials": its
# cost on the build workload is within 1%); "all" stays opt-in; the config key (false or
# "off", in the user config or the workspace's) and --report-denials=off turn
# them off, and a flag wins over the files.
@test "denials: on by default at the writes level (a write reported, a hidden read not); false, \"off\" and --report-denials=off turn them off" {
	local script="echo x > '$OUT/planted'; cat '$FAKEHOME/.ssh/id_ed25519'; true"
	run corral run --status-fd 3 -- sh -c "$script" 3> "$T/def.json"
	assert_success
	[ ! -e "$OUT/planted" ]
	refute_output_has CORRAL-SECRET
	reports_here
	assert_output_has "corral: denied: write $OUT/planted"
	refute_output_has "corral: denied: read"
	check_record "$T/def.json" 'assert r["denial_level"] == "writes" and r["denial_reports"] is True, r
assert [(x["op"], x["path"]) for x in d] == [("write", "'"$OUT"'/planted")], d'
	# the control: the bare flag (all) reports the hidden read too
	run corral run --report-denials --status-fd 3 -- sh -c "$script" 3> "$T/all.json"
	assert_success
	assert_output_has "corral: denied: read"
	check_record "$T/all.json" 'assert r["denial_level"] == "all", r
assert [x["op"] for x in d] == ["write", "read"], d'
	# off, four ways: each refuses the same and says nothing
	local how
	for how in user-false user-off ws-false flag-off; do
		rm -f "$XDG_CONFIG_HOME/corral/config.toml" "$WS/.corral.toml"
		local flag=()
		case $how in
		user-false) printf 'report_denials = false\n' > "$XDG_CONFIG_HOME/corral/config.toml" ;;
		user-off) printf 'report_denials = "off"\n' > "$XDG_CONFIG_HOME/corral/config.toml" ;;
		ws-false) printf 'report_denials = false\n' > "$WS/.corral.toml" ;;
		flag-off) printf 'report_denials = "all"\n' > "$XDG_CONFIG_HOME/corral/config.toml"; flag=(--report-denials=off) ;;
		esac
		run corral run "${flag[@]}" --status-fd 3 -- sh -c "$script" 3> "$T/$how.json"
		assert_success
		[ ! -e "$OUT/planted" ] || fail "$how: the write went through"
		refute_output_has CORRAL-SECRET
		refute_output_has "corral: denied"
		check_record "$T/$how.json" 'assert d == [] and r["denial_reports"] is False and r["denial_level"] == "off", r'
	done
	rm -f "$WS/.corral.toml"
	# and back on from the config: true is all
	printf 'report_denials = true\n' > "$XDG_CONFIG_HOME/corral/config.toml"
	run corral run --status-fd 3 -- sh -c "$script" 3> "$T/on.json"
	assert_success
	assert_output_has "corral: denied: write $OUT/planted"
	check_record "$T/on.json" 'assert r["denial_level"] == "all" and [x["op"] for x in d] == ["write", "read"], d'
}

@test "denials: thousands of write-opens finish; many denials stay at 3 lines and are counted" {
	local n=3000
	run sb --report-denials --status-fd 3 "
		for i in \$(seq $n); do : > f\$i; done
		ls | grep -c '^f' 
		for i in \$(seq 200); do : > $OUT/x\$i 2>/dev/null; done
		for i in \$(seq 500); do : > $OUT/same 2>/dev/null; done
		true" 3> "$T/st.json"
	assert_sb_clean
	assert_output_has "$n"
	assert_outside_unchanged out
	[ "$(ls "$WS" | grep -c '^f')" -eq "$n" ]
	reports_here
	[ "$(grep -c '^corral: denied' <<< "$output")" -le 3 ] || { show_output; fail "more than 3 summary lines"; }
	assert_output_has "more (--verbose or the status record lists them)"
	check_record "$T/st.json" "
assert len(d) == 64, len(d)
assert r['denials_more'] == 201 - 64, r['denials_more']
assert len(set(x['path'] for x in d)) == len(d), d"
}

@test "denials: --verbose lists every recorded denial" {
	run corral run --report-denials --verbose --status-fd 3 -- bash -c "for i in 1 2 3 4 5; do : > '$OUT/v'\$i; done; true" 3> "$T/st.json"
	assert_success
	reports_here
	[ "$(grep -c '^corral: denied: write' <<< "$output")" -eq 5 ] || { show_output; fail "expected 5 lines"; }
}

@test "denials: the timeout still ends the run after reported calls (the answering never blocks the supervisor)" {
	local start=$SECONDS
	run corral run --report-denials -t 1 --status-fd 3 -- bash -c "for i in 1 2 3; do : > '$OUT/t'\$i; done; sleep 30" 3> "$T/st.json"
	assert_status 124
	[ $((SECONDS - start)) -lt 15 ] || fail "took $((SECONDS - start)) s"
	[ ! -e "$OUT/t1" ]
	reports_here
	assert_output_has "corral: denied: write $OUT/t1"
}

@test "denials: 64 denials of long paths all reach the record (the runner's answer is longer than a pipe holds)" {
	local c deep
	c=$(printf 'd%.0s' $(seq 200))
	deep=$OUT/$c/$c/$c/$c
	mkdir -p "$deep"
	snap_outside out
	run sb --report-denials --status-fd 3 "
		for i in \$(seq 70); do : > $deep/f\$i-$c 2>/dev/null; done
		true" 3> "$T/st.json"
	assert_sb_clean
	assert_outside_unchanged out
	[ -z "$(ls "$deep")" ]
	reports_here
	check_record "$T/st.json" "
assert r['denial_reports'] is True, r
assert len(d) == 64 and r['denials_more'] == 6, (len(d), r['denials_more'])
assert all(len(x['path']) > 1000 and x['path'].startswith('$deep/f') for x in d), d"
}
