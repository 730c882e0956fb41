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

@test "proc masked (a container's /proc): run refuses with 125, naming the masked path, the cause and the fix" {
	backend_is userns || skip "the userns backend mounts the new proc"
	unshare -Urm true 2> /dev/null || skip "unshare -Urm does not work here"
	run in_masked_proc "$CORRAL" run --backend userns -- true
	assert_status 125
	assert_output_has "mount proc on /proc: Operation not permitted"
	assert_output_has "/proc is masked here (/proc/uptime)"
	assert_output_has "the kernel refuses a new proc in a user namespace unless some proc mount is fully visible"
	assert_output_has "--security-opt unmask=/proc/*"
	assert_output_has "--security-opt systempaths=unconfined"
	# control: the same namespace without the mask runs
	run unshare -Urm --propagation private "$CORRAL" run --backend userns -- true
	assert_success
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
	# the sandbox's proc shows its own processes only (sh, ls, grep and init)
	[ "$(tail -n 1 <<<"$output")" -le 5 ] || fail "the sandbox's proc shows outside processes: $output"
}

@test "proc masked: doctor names the masked path, the cause and the fix" {
	unshare -Urm true 2> /dev/null || skip "unshare -Urm does not work here"
	run in_masked_proc "$CORRAL_REAL" doctor
	assert_success
	assert_output_has "masked here (/proc/uptime)"
	assert_output_has "--security-opt unmask=/proc/*"
	assert_output_has "the probe could not run"
	run in_masked_proc "$CORRAL_REAL" doctor --json
	assert_output_has '"proc_masked":"/proc/uptime"'
	run unshare -Urm --propagation private "$CORRAL_REAL" doctor --json
	assert_output_has '"proc_masked":null'
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
