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
	run in_masked_proc "$CORRAL" run -- true
	assert_status 125
	assert_output_has "mount proc on /proc: Operation not permitted"
	assert_output_has "/proc is masked here (/proc/uptime)"
	assert_output_has "the kernel refuses a new proc in a user namespace unless some proc mount is fully visible"
	assert_output_has "--security-opt unmask=/proc/*"
	assert_output_has "--security-opt systempaths=unconfined"
	# control: the same namespace without the mask runs
	run unshare -Urm --propagation private "$CORRAL" run -- true
	assert_success
}

@test "proc masked: a second, unmasked proc mount (the fix the message names) lets the run go on, with its own proc" {
	backend_is userns || skip "the userns backend mounts the new proc"
	unshare -Urm true 2> /dev/null || skip "unshare -Urm does not work here"
	mkdir "$T/fullproc"
	# (its own pid namespace: only its owner may mount a proc for it)
	run unshare -Urmpf --mount-proc --propagation private sh -c 'mount -t proc proc "$1" &&
		mount --bind /dev/null /proc/uptime && shift && exec "$@"' sh "$T/fullproc" \
		"$CORRAL" run -- sh -c 'grep -q . /proc/uptime && echo uptime-shown; ls /proc | grep -c "^[0-9]"'
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
