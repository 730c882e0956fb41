#!/usr/bin/env bats
# File access for the sandbox users: grants of passage and read, recorded,
# revoked by `corral revoke` and `corral-setup --uninstall`, without
# changing any file's content or mode bits.
load lib

setup_file() { uninstall_corral; install_corral; }
teardown_file() { uninstall_corral; }

setup() {
	new_ws
	TC=$DEV_HOME/.tool-$RANDOM
	as "$DEV" sh -c "mkdir -p '$TC/bin' '$TC/lib' && printf '#!/bin/sh\necho TOOL-RAN\n' > '$TC/bin/tool' && echo shared > '$TC/lib/data' && echo secret > '$TC/lib/token' && chmod 750 '$TC' '$TC/bin' '$TC/lib' && chmod 750 '$TC/bin/tool' && chmod 640 '$TC/lib/data' && chmod 600 '$TC/lib/token'"
}

state() { # modes, owners and content of a tree
	find "$1" -printf '%p %m %u %g\n' | sort
	find "$1" -type f -exec sha256sum {} + | sort
}

@test "grant --read: the sandbox reads and runs a toolchain in the private home; private files stay private" {
	before=$(state "$TC")
	run as "$DEV" "$CORRAL" grant --read "$TC"
	assert_status 0
	assert_contains "granted the sandbox users read access to $TC"
	[ "$(state "$TC")" = "$before" ]
	run crun -- sh -c "'$TC/bin/tool'; cat '$TC/lib/data'; cat '$TC/lib/token' || echo DENIED"
	assert_contains TOOL-RAN
	assert_contains shared
	assert_contains DENIED
	[[ "$output" != *secret* ]]
}

@test "grants never make anything writable" {
	as "$DEV" "$CORRAL" grant --read "$TC"
	run crun --network on -- sh -c "echo x >> '$TC/lib/data' || echo DENIED1; touch '$TC/new' || echo DENIED2"
	assert_contains DENIED1
	assert_contains DENIED2
}

@test "revoke: ACL entries gone, modes and content as before, access gone" {
	before=$(state "$TC")
	as "$DEV" "$CORRAL" grant --read "$TC"
	run as "$DEV" "$CORRAL" revoke "$TC"
	assert_status 0
	assert_contains "revoked read access to $TC"
	[ "$(state "$TC")" = "$before" ]
	[ -z "$(getfacl -R -s -p "$TC")" ]
	run crun -- cat "$TC/lib/data"
	[ "$status" -ne 0 ]
	run as "$DEV" "$CORRAL" revoke "$TC"
	assert_status 1
	assert_contains "nothing is granted"
}

@test "a directory others cannot pass and the developer does not own cannot be granted" {
	d=$(mktemp -d /var/tmp/corral-et-root.XXXXXX)
	chmod 700 "$d"
	mkdir "$d/sub" && chown "$DEV" "$d/sub"
	run as "$DEV" "$CORRAL" grant "$d/sub"
	rm -rf "$d"
	[ "$status" -ne 0 ]
}

@test "uninstall revokes every grant of every user, leaving modes and content as they were" {
	before=$(state "$TC")
	as "$DEV" "$CORRAL" grant --read "$TC"
	crun -- true
	[ -n "$(getfacl -R -s -p "$DEV_HOME" 2> /dev/null)" ]
	"$SETUP" --uninstall
	[ -z "$(getfacl -R -s -p "$DEV_HOME" 2> /dev/null)" ]
	[ "$(state "$TC")" = "$before" ]
	install_corral
	[ "$(stat -c %a "$DEV_HOME")" = 700 ] # as run.sh made it, before any grant
}

@test "the toolchain variables point at the developer's toolchains" {
	as "$DEV" mkdir -p "$DEV_HOME/.rustup"
	run crun -- sh -c 'echo RUSTUP_HOME=$RUSTUP_HOME'
	rmdir "$DEV_HOME/.rustup"
	assert_contains "RUSTUP_HOME=$DEV_HOME/.rustup"
}
