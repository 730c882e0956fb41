#!/usr/bin/env bats
# Platforms (docs/platforms.md): what corral does where the machine takes
# something away. Here: a /proc with parts mounted over, as every container
# runtime leaves it (podman, docker: /proc/kcore, /proc/keys, ...), made
# with a user and mount namespace of the test's own, so that no container is
# needed (tests/containers/ runs the real ones).

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

# in_masked_proc CMD...: run CMD as uid 0 of a new user namespace whose mount
# namespace has /dev/null bound over /proc/uptime (locked for the namespaces
# corral creates below it, like a container's masks).
in_masked_proc() {
	unshare -Urm --propagation private sh -c 'mount --bind /dev/null /proc/uptime && exec "$@"' sh "$@"
}

@test "proc masked (a container's /proc): the run keeps it, read-only, and says so; outside processes stay out of reach" {
	backend_is userns || skip "the userns backend mounts the new proc"
	unshare -Urm true 2> /dev/null || skip "unshare -Urm does not work here"
	# a process outside the sandbox, same uid, a secret in its environment
	env VICTIM_SECRET=CORRAL-SECRET-env sleep 300 &
	local v=$! i
	# (env execs sleep a moment later: until then /proc/$v is the shell's copy)
	for i in $(seq 1 100); do grep -qa CORRAL-SECRET-env "/proc/$v/environ" 2> /dev/null && break; sleep 0.05; done
	grep -qa CORRAL-SECRET-env "/proc/$v/environ" || fail "control: its environ is not readable outside corral"
	run in_masked_proc "$CORRAL" run --backend userns --status-fd 3 -- sh -c "readlink /proc/self > /dev/null && echo self-ok;
		cat /proc/$v/environ; ls /proc/$v/root/ && echo ROOT-LISTED; echo 500 > /proc/self/oom_score_adj" 3> "$T/status"
	kill "$v"
	assert_status 2 # sh: the oom_score_adj write
	assert_output_has "corral: warning: /proc is masked here (a container) and the kernel refuses the sandbox a new one: the command sees the container's /proc, read-only"
	assert_output_has "CORRAL_REQUIRE_OWN_PROC=1 refuses instead"
	assert_output_has self-ok
	refute_output_has CORRAL-SECRET
	refute_output_has ROOT-LISTED
	assert_output_has "oom_score_adj: Read-only file system"
	grep -q '"proc":"container"' "$T/status" || fail "status record: $(cat "$T/status")"
	run in_masked_proc "$CORRAL" explain --backend userns
	assert_output_has "the container's /proc (masked here: /proc/uptime; the kernel refuses a new one), read-only as a whole"
	# control: without the mask the sandbox gets its own proc, and says nothing
	run unshare -Urm --propagation private "$CORRAL" run --backend userns --status-fd 3 -- true 3> "$T/status"
	assert_success
	refute_output_has "container's /proc"
	grep -q '"proc":"own"' "$T/status" || fail "status record: $(cat "$T/status")"
}

@test "proc masked: CORRAL_REQUIRE_OWN_PROC=1, or no Landlock, refuses with 125, naming the masked path, the cause and the fix" {
	backend_is userns || skip "the userns backend mounts the new proc"
	unshare -Urm true 2> /dev/null || skip "unshare -Urm does not work here"
	run env CORRAL_REQUIRE_OWN_PROC=1 bash -c "$(declare -f in_masked_proc); in_masked_proc \"\$@\"" sh "$CORRAL" run --backend userns -- true
	assert_status 125
	assert_output_has "/proc is masked here (/proc/uptime) and the kernel refuses the sandbox a new proc (Operation not permitted)"
	assert_output_has "CORRAL_REQUIRE_OWN_PROC=1 refuses the container's /proc instead"
	assert_output_has "the kernel refuses a new proc in a user namespace unless some proc mount is fully visible"
	assert_output_has "--security-opt unmask=/proc/*"
	assert_output_has "--security-opt systempaths=unconfined"
	run env CORRAL_TEST_LANDLOCK_ABI=0 bash -c "$(declare -f in_masked_proc); in_masked_proc \"\$@\"" sh "$CORRAL" run --backend userns -- true
	assert_status 125
	assert_output_has "the container's /proc would do only with Landlock, which keeps the command out of the container's processes, and Landlock is not available"
	# control: the same switches without the mask run
	CORRAL_REQUIRE_OWN_PROC=1 CORRAL_TEST_LANDLOCK_ABI=0 unshare -Urm --propagation private "$CORRAL" run --backend userns -- true
}

@test "proc masked: full-access keeps the container's /proc too, read-only, and says so" {
	backend_is userns || skip "the userns backend mounts the new proc"
	unshare -Urm true 2> /dev/null || skip "unshare -Urm does not work here"
	run in_masked_proc "$CORRAL" run --backend userns --mode full-access -- sh -c 'echo 500 > /proc/self/oom_score_adj'
	assert_status 2
	assert_output_has "the command sees the container's /proc, read-only (its processes are visible)"
	assert_output_has "Read-only file system"
}

@test "proc masked: a second, unmasked proc mount (the fix the message names) lets the run go on, with its own proc" {
	backend_is userns || skip "the userns backend mounts the new proc"
	unshare -Urm true 2> /dev/null || skip "unshare -Urm does not work here"
	mkdir "$T/fullproc"
	# (its own pid namespace: only its owner may mount a proc for it)
	run unshare -Urmpf --mount-proc --propagation private sh -c 'mount -t proc proc "$1" &&
		mount --bind /dev/null /proc/uptime && shift && exec "$@"' sh "$T/fullproc" \
		"$CORRAL" run --backend userns -- sh -c 'grep -q . /proc/uptime && echo uptime-shown; ls /proc | grep -c "^[0-9]"'
	assert_success
	assert_output_has uptime-shown
	refute_output_has "container's /proc"
	# the sandbox's proc shows its own processes only (sh, ls, grep and init)
	[ "$(tail -n 1 <<<"$output")" -le 5 ] || fail "the sandbox's proc shows outside processes: $output"
}

@test "proc masked: doctor says the sandbox keeps the container's /proc, what that shows, and the fix" {
	unshare -Urm true 2> /dev/null || skip "unshare -Urm does not work here"
	run in_masked_proc "$CORRAL_REAL" doctor
	assert_success
	assert_output_has "masked here (/proc/uptime) and the kernel refuses the sandbox a new proc (Operation not permitted): runs keep the container's /proc, read-only, and say so on stderr"
	assert_output_has "CORRAL_REQUIRE_OWN_PROC=1 refuses instead"
	assert_output_has "--security-opt unmask=/proc/*"
	assert_output_has "how are writes scoped?" # its probe runs
	run in_masked_proc "$CORRAL_REAL" doctor --json
	assert_output_has '"proc_masked":"/proc/uptime","proc":"container"'
	run env CORRAL_REQUIRE_OWN_PROC=1 bash -c "$(declare -f in_masked_proc); in_masked_proc \"\$@\"" sh "$CORRAL_REAL" doctor
	assert_output_has "CORRAL_REQUIRE_OWN_PROC=1 refuses the container's /proc, so the userns backend refuses to run (125)"
	run env CORRAL_TEST_LANDLOCK_ABI=0 bash -c "$(declare -f in_masked_proc); in_masked_proc \"\$@\"" sh "$CORRAL_REAL" doctor --json
	assert_output_has '"proc":"refused"'
	run unshare -Urm --propagation private "$CORRAL_REAL" doctor --json
	assert_output_has '"proc_masked":null,"proc":"own"'
}

# --- what corral-setup installs for other programs ----------------------------

@test "setup's systemd unit passes systemd-analyze verify without a warning (and a broken one does not)" {
	command -v systemd-analyze > /dev/null || skip "systemd-analyze is missing (Debian: apt-get install systemd)"
	local setup d
	setup=$(dirname "$CORRAL_REAL")/corral-setup
	[ -x "$setup" ] || skip "no corral-setup next to $CORRAL_REAL"
	d=$T/unit
	mkdir "$d"
	"$HELPERS/setup_texts" unit "$setup" > "$d/corral-firewall.service"
	run systemd-analyze verify --man=no "$d/corral-firewall.service"
	assert_success
	[ -z "$output" ] || fail "systemd-analyze warned: $output"
	# control: the validator does catch a broken unit and a missing program
	sed 's/^Type=oneshot/Type=bogus/' "$d/corral-firewall.service" > "$d/bad.service"
	run systemd-analyze verify --man=no "$d/bad.service"
	assert_output_has "Failed to parse service type"
	"$HELPERS/setup_texts" unit "$T/missing/corral-setup" > "$d/bad2.service"
	run systemd-analyze verify --man=no "$d/bad2.service"
	[ "$status" -ne 0 ] || fail "a unit with a missing ExecStart program verified"
}

@test "setup's AppArmor profile compiles with apparmor_parser (AppArmor 4: as is; 3: all but the userns rule)" {
	command -v apparmor_parser > /dev/null || skip "apparmor_parser is missing (Debian: apt-get install apparmor)"
	local ver p
	ver=$(apparmor_parser --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p;q')
	p=$T/corral.profile
	# paths with a space: the profile must quote them
	"$HELPERS/setup_texts" apparmor "/opt/my tools/bin/corral" /usr/local/libexec/corral/corral-runner > "$p"
	grep -q '^profile corral "/opt/my tools/bin/corral" flags=(unconfined) {$' "$p" || fail "$(cat "$p")"
	# corral-sandbox (the runner's unprivileged half, next to it) builds the users backend's namespaces
	grep -q '^profile corral-sandbox "/usr/local/libexec/corral/corral-sandbox" flags=(unconfined) {$' "$p" || fail "$(cat "$p")"
	if [ "${ver:-0}" -ge 4 ]; then
		run apparmor_parser -Q -K -T "$p"
		[ "$status" -eq 0 ] || fail "apparmor_parser $ver rejects the profile: $output"
		return 0
	fi
	# AppArmor 3 (Debian 12) knows neither abi 4.0 nor the userns rule: it
	# must reject the profile as written (corral-setup installs it only where
	# kernel.apparmor_restrict_unprivileged_userns exists, i.e. Ubuntu 23.10+,
	# which ships AppArmor 4), and compile everything else in it.
	run apparmor_parser -Q -K -T "$p"
	[ "$status" -ne 0 ] || fail "apparmor_parser $ver accepted abi 4.0 and userns: the version check is wrong"
	sed -e 's|<abi/4.0>|<abi/3.0>|' -e '/^  userns,$/d' "$p" > "$p.3"
	run apparmor_parser -Q -K -T "$p.3"
	[ "$status" -eq 0 ] || fail "apparmor_parser $ver rejects the profile without its userns rule: $output"
	# control: the parser does reject a broken profile
	sed 's/flags=(unconfined)/flags=(bogus)/' "$p.3" > "$p.bad"
	run apparmor_parser -Q -K -T "$p.bad"
	[ "$status" -ne 0 ] || fail "apparmor_parser accepted flags=(bogus)"
}

# `make install` puts corral in $prefix/bin and corral-setup in $prefix/sbin;
# the profile once named $prefix/sbin/corral, which does not exist, so on
# Ubuntu 24.04 corral stayed blocked after `sudo corral setup`.
@test "setup's AppArmor profile names the installed corral: next to corral-setup (a build), else ../bin (make install)" {
	local p=$T/prefix
	mkdir -p "$p/bin" "$p/sbin" "$T/build"
	printf '#!/bin/sh\n' | tee "$p/bin/corral" "$p/sbin/corral-setup" "$T/build/corral" "$T/build/corral-setup" > /dev/null
	chmod 755 "$p/bin/corral" "$p/sbin/corral-setup" "$T/build/corral" "$T/build/corral-setup"
	run "$HELPERS/setup_texts" corral-path "$p/sbin/corral-setup"
	assert_success
	[ "$output" = "$(realpath "$p/bin/corral")" ] || fail "make install layout: $output"
	run "$HELPERS/setup_texts" corral-path "$T/build/corral-setup"
	[ "$output" = "$(realpath "$T/build/corral")" ] || fail "build layout: $output"
	rm "$p/bin/corral"
	run "$HELPERS/setup_texts" corral-path "$p/sbin/corral-setup"
	[ "$output" = "$p/sbin/corral" ] || fail "no corral anywhere: $output"
}
