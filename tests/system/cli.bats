#!/usr/bin/env bats
# The command line: exit statuses, the status record, configuration files
# (and a hostile workspace config), explain, doctor and version.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "run: true exits 0 and the command's own exit code (3) is passed through" {
	run corral run -- true
	assert_success
	run corral run -- sh -c 'exit 3'
	assert_status 3
	run corral run -- sh -c 'echo out; echo err >&2; exit 42'
	assert_status 42
	assert_output_has out
	assert_output_has err
}

@test "run: stdin reaches the command" {
	run bash -c 'echo from-stdin | "$CORRAL" run -- cat'
	assert_success
	assert_output_has from-stdin
}

@test "exit: 125 for an unknown option, with a 'corral: ' diagnostic naming it" {
	run --separate-stderr corral run --no-such-option -- touch "$WS/should-not-exist"
	assert_status 125
	[[ "$stderr" == *"corral: "* ]] || fail "stderr: $stderr"
	[[ "$stderr" == *"no-such-option"* ]] || fail "the diagnostic does not name the option: $stderr"
	[ ! -e "$WS/should-not-exist" ]
}

@test "exit: 125 for bad option values (mode, network, tmp, timeout, workspace)" {
	local bad
	for bad in "-m everything" "--mode bogus" "-n maybe" "--tmp nowhere" "-t -5" "-t abc" "-W $T/no-such-dir"; do
		# shellcheck disable=SC2086
		run corral run $bad -- touch "$WS/should-not-exist"
		[ "$status" -eq 125 ] || { show_output; fail "corral run $bad: status $status, expected 125"; }
		assert_output_has "corral: "
	done
	[ ! -e "$WS/should-not-exist" ]
}

@test "run: -v says what is being set up on stderr, prefixed 'corral: '" {
	run --separate-stderr corral run -v -- true
	assert_success
	[[ "$stderr" == *"corral: "* ]] || fail "no verbose output: $stderr"
}

@test "run: --backend userns works, an unknown or unavailable backend is 125" {
	run corral run --backend userns -- true
	assert_success
	run corral run --backend auto -- true
	assert_success
	run corral run --backend bogus -- touch "$WS/ran"
	assert_status 125
	[ ! -e "$WS/ran" ]
}

@test "exit: 126 for a file that is not executable" {
	printf '#!/bin/sh\necho ran\n' > "$WS/script.sh"
	chmod 644 "$WS/script.sh"
	run corral run -- "$WS/script.sh"
	assert_status 126
	refute_output_has ran
	run corral run -- "$WS/src"
	assert_status 126
}

@test "exit: 127 for a command that does not exist" {
	run corral run -- no-such-command-corral-test
	assert_status 127
	run corral run -- "$WS/no/such/file"
	assert_status 127
}

# Regression: a PATH directory the user cannot search made execve fail with
# EACCES, reported as 126 instead of 127.
@test "exit: 127 when PATH holds a directory the user cannot search" {
	mkdir "$T/locked"
	chmod 000 "$T/locked"
	PATH="$T/locked:$PATH" run corral run -- no-such-command-corral-test
	chmod 755 "$T/locked"
	assert_status 127
}

@test "exit: 128+N when the command dies of signal N" {
	run corral run -- sh -c 'kill -TERM $$'
	assert_status 143
	run corral run -- sh -c 'kill -KILL $$'
	assert_status 137
	run corral run -- sh -c 'kill -SEGV $$'
	assert_status 139
	run corral run -- sh -c 'kill -USR1 $$'
	assert_status 138
}

@test "status-fd: --status-fd 3 writes one JSON record" {
	require_python
	run corral run --status-fd 3 -- sh -c 'exit 3' 3> "$T/status.json"
	assert_status 3
	cat "$T/status.json" >&2
	run "$PYTHON" -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["exit_code"] == 3, r
assert r["signal"] in (None, 0), r
assert r["timed_out"] is False, r
assert isinstance(r["wall_ms"], (int, float)) and r["wall_ms"] >= 0, r
assert r["backend"] == sys.argv[2], r
print("ok")' "$T/status.json" "${CORRAL_BACKEND:-userns}" # the backend that ran it (helpers.bash)
	assert_success
}

@test "status-fd: the record's denial_level is the level of denial reports asked for, writes by default" {
	require_python
	run corral run --status-fd 3 -- true 3> "$T/def.json"
	assert_success
	run corral run --report-denials --status-fd 3 -- true 3> "$T/all.json"
	assert_success
	run corral run --report-denials=writes --status-fd 3 -- true 3> "$T/wr.json"
	assert_success
	run corral run --report-denials=off --status-fd 3 -- true 3> "$T/off.json"
	assert_success
	printf 'report_denials = false\n' > "$XDG_CONFIG_HOME/corral/config.toml"
	run corral run --status-fd 3 -- true 3> "$T/cfg.json"
	assert_success
	run "$PYTHON" -c '
import json, sys
got = [json.load(open(f))["denial_level"] for f in sys.argv[1:]]
assert got == ["writes", "all", "writes", "off", "off"], got
off = json.load(open(sys.argv[4]))
assert off["denial_reports"] is False and off["denials"] == [], off
print("ok")' "$T/def.json" "$T/all.json" "$T/wr.json" "$T/off.json" "$T/cfg.json"
	assert_success
}

@test "status-fd: the record reports a signal and a timeout" {
	require_python
	run corral run --status-fd 3 -- sh -c 'kill -TERM $$' 3> "$T/sig.json"
	assert_status 143
	run corral run --status-fd 3 -t 1 -- sleep 30 3> "$T/to.json"
	assert_status 124
	run "$PYTHON" -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["signal"] == 15, s
t = json.load(open(sys.argv[2]))
assert t["timed_out"] is True, t
assert 500 <= t["wall_ms"] < 10000, t
print("ok")' "$T/sig.json" "$T/to.json"
	assert_success
}

@test "config: a hostile .corral.toml asking for full-access is refused (125, names the key)" {
	printf '# hostile\nmode = "full-access"\n' > "$WS/.corral.toml"
	run --separate-stderr corral run -- touch "$OUT/pwned"
	assert_status 125
	[[ "$stderr" == *mode* ]] || fail "the diagnostic does not name the key: $stderr"
	[ ! -e "$OUT/pwned" ]
}

@test "config: a hostile .corral.toml asking for network, writable roots, reads or sockets is refused" {
	local line key
	while IFS='|' read -r key line; do
		printf '%s\n' "$line" > "$WS/.corral.toml"
		run --separate-stderr corral run -- touch "$WS/ran"
		[ "$status" -eq 125 ] || { echo "$line" >&2; show_output; fail "$key: status $status, expected 125"; }
		[[ "$stderr" == *"$key"* ]] || fail "$key: the diagnostic does not name the key: $stderr"
		[ ! -e "$WS/ran" ] || fail "$key: the command ran"
	done <<-EOF
		network|network = "on"
		writable_roots|writable_roots = ["/"]
		writable_roots|writable_roots = ["$HOME"]
		allow_read|allow_read = ["$HOME/.ssh"]
		allow_unix_sockets|allow_unix_sockets = ["/run/docker.sock"]
	EOF
}

@test "config: --no-workspace-config ignores a hostile .corral.toml (and stays sandboxed)" {
	printf 'mode = "full-access"\nnetwork = "on"\n' > "$WS/.corral.toml"
	run corral run --no-workspace-config -- sh -c 'echo net=$CORRAL_NETWORK; touch "$0/pwned" 2>/dev/null; exit 0' "$OUT"
	assert_success
	assert_output_has net=off
	[ ! -e "$OUT/pwned" ]
}

@test "config: a narrowing .corral.toml (read-only, protect, timeout) is honoured" {
	printf 'mode = "read-only"\n' > "$WS/.corral.toml"
	run sb 'must_fail "touch new"'
	assert_sb_clean
	printf 'protect = ["vendor"]\n' > "$WS/.corral.toml"
	run sb 'must_fail "mkdir vendor"; must_work "mkdir other"'
	assert_sb_clean
	printf 'timeout = 1\n' > "$WS/.corral.toml"
	run corral run -- sleep 20
	assert_status 124
}

@test "config: unknown keys are errors with a line number" {
	printf '# comment\nmode = "read-only"\nbogus_key = 1\n' > "$WS/.corral.toml"
	run --separate-stderr corral run -- touch "$WS/ran"
	assert_status 125
	[[ "$stderr" == *bogus_key* ]] || fail "stderr: $stderr"
	[[ "$stderr" == *3* ]] || fail "no line number: $stderr"
	[ ! -e "$WS/ran" ]
}

@test "config: malformed TOML is refused" {
	printf 'mode = "read-only\n' > "$WS/.corral.toml"
	run corral run -- touch "$WS/ran"
	assert_status 125
	[ ! -e "$WS/ran" ]
}

@test "config: the user config in \$XDG_CONFIG_HOME/corral/config.toml and --config are read" {
	printf 'network = "on"\n' > "$XDG_CONFIG_HOME/corral/config.toml"
	run corral run -- sh -c 'echo net=$CORRAL_NETWORK'
	assert_success
	assert_output_has net=on
	printf 'network = "off"\nmode = "read-only"\n' > "$T/other.toml"
	run sb --config "$T/other.toml" 'echo net=$CORRAL_NETWORK; must_fail "touch x"'
	assert_sb_clean
	assert_output_has net=off
}

@test "config: the user config cannot be changed from inside the sandbox" {
	printf 'network = "off"\n' > "$XDG_CONFIG_HOME/corral/config.toml"
	snap cfg "$XDG_CONFIG_HOME"
	run sb 'must_fail "echo network = \\\"on\\\" >> $HOME/.config/corral/config.toml"
		must_fail "rm $HOME/.config/corral/config.toml"'
	assert_sb_clean
	assert_same_snap cfg "$XDG_CONFIG_HOME"
}

@test "explain: prints the policy and the plan without running anything" {
	run corral explain -- touch "$WS/should-not-exist"
	assert_success
	[ ! -e "$WS/should-not-exist" ]
	assert_output_has "$WS"
	local lower=${output,,}
	[[ "$lower" == *landlock* ]] || fail "no Landlock rules in the plan"
	[[ "$lower" == *seccomp* ]] || fail "no seccomp summary in the plan"
}

@test "explain: --json is valid JSON and reflects the options" {
	require_python
	run --separate-stderr corral explain --json -m read-only -n on -- true
	assert_success
	printf '%s' "$output" | "$PYTHON" -m json.tool > /dev/null || fail "not JSON: $output"
	[[ "$output" == *read-only* ]] || fail "mode not in the plan"
}

@test "explain: names the backend and why it was chosen (text and --json)" {
	require_python
	run corral explain --backend userns
	assert_success
	assert_output_has "  backend        userns"
	assert_output_has "  chosen         asked for: --backend userns"
	if [ -z "$CORRAL_BACKEND" ]; then # (else the suite's wrapper asks for one)
		run corral explain -m full-access
		assert_success
		assert_output_has "  chosen         auto: full-access runs as you"
		# auto, confined: users where it is installed and usable, else userns, and why
		run corral explain
		assert_success
		[[ "$output" == *"  chosen         auto: the users backend is "* ]] || fail "explain does not say why auto chose"
	fi
	run --separate-stderr corral explain --json --backend userns
	assert_success
	printf '%s' "$output" | "$PYTHON" -c '
import json, sys
p = json.load(sys.stdin)["plan"]
assert p["backend"] == "userns" and p["backend_why"] == "asked for: --backend userns", p
assert p["grants"] == [] and p["env_added"] == [] and p["run_as"] is None, p' || fail "explain --json lacks the backend's reason"
}

@test "explain: refuses a hostile workspace config like run does" {
	printf 'mode = "full-access"\n' > "$WS/.corral.toml"
	run corral explain
	assert_status 125
}

@test "doctor: prints a report, and --json parses with python3 -m json.tool" {
	require_python
	run corral doctor
	assert_success
	[[ "${output,,}" == *landlock* ]] || fail "no Landlock in the report"
	assert_output_has "$(uname -r)"
	run --separate-stderr corral doctor --json
	assert_success
	printf '%s' "$output" | "$PYTHON" -m json.tool > /dev/null || fail "not JSON: $output"
	assert_output_has userns
}

# The probe is corral itself: it must run in the sandbox even where the binary
# cannot be seen inside (the sandbox's /tmp is its own; ~/.ssh is hidden).
@test "doctor: the probe runs wherever corral is installed (under /tmp, in a hidden directory)" {
	require_python
	"$CORRAL_REAL" run --backend userns -- true || skip "the userns backend does not run here (doctor's probe is its)"
	local dir bin
	for dir in "/tmp/$TOKEN-bin" "$HOME/.ssh/$TOKEN-bin"; do
		mkdir -p "$dir"
		bin=$dir/corral
		cp "$CORRAL_REAL" "$bin"
		run "$CORRAL_REAL" run --backend userns -- test -e "$bin"
		assert_status 1 # control: the binary is not visible inside
		run --separate-stderr "$bin" doctor --json
		assert_success
		printf '%s' "$output" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
c = d["checklist"]
assert c, "no checklist: %s" % d.get("probe_error")
w = c["writes"]
assert w["workspace"] == "ok" and w["outside"] != "ok" and w["protected"] != "ok", w
print("PROBED")' || fail "doctor from $bin: $output"
		rm -rf "$dir"
	done
}

# make demo from a checkout under /tmp: each denial must be for the reason it
# claims (demo.sh checks the message), not because its fake HOME is hidden.
@test "demo: every step holds, for the reason it claims, with corral installed under /tmp" {
	backend_is userns || skip "the demo runs the default backend; this suite runs $CORRAL_BACKEND"
	"$CORRAL_REAL" doctor --json | grep -q '"auto_backend":"userns"' ||
		skip "auto does not pick userns here (the demo's expectations are userns's)"
	command -v nc > /dev/null && command -v python3 > /dev/null || skip "the demo needs nc and python3"
	mkdir -p "/tmp/$TOKEN-bin"
	cp "$CORRAL_REAL" "/tmp/$TOKEN-bin/corral"
	run "$REPO/demo/demo.sh" "/tmp/$TOKEN-bin/corral"
	assert_success
	[ "$(grep -c 'as it should be' <<<"$output")" -eq 13 ] || fail "not every step held: $output"
	assert_output_has "Read-only file system"
}

@test "version: prints a version" {
	run corral version
	assert_success
	[[ "$output" =~ [0-9]+\.[0-9]+ ]] || fail "no version number: $output"
}

@test "run --timing: a timeline with every phase of the run, and the command's own output untouched" {
	run --separate-stderr corral run --timing -- sh -c 'echo out'
	assert_success
	[ "$output" = out ] || fail "stdout: $output"
	local phase
	for phase in "config and policy" "plan" "host bookkeeping" "clone into the new namespaces" "mounts" \
		"seccomp filter" "fork of the command, up to its execve" "the command ran" "teardown" "total from main()"; do
		[[ "$stderr" == *"$phase"* ]] || fail "no '$phase' line: $stderr"
	done
	if [ "${CORRAL_BACKEND:-}" != users ]; then
		# userns: every mark is reached (the users backend crosses an exec)
		[[ "$stderr" != *"not reached"* ]] || fail "a phase was not reached: $stderr"
	fi
	run --separate-stderr corral run -- true
	[[ "$stderr" != *"timing"* ]] || fail "a timeline without --timing: $stderr"
}
