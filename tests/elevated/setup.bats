#!/usr/bin/env bats
# corral-setup: install, --check, drift, --uninstall; all idempotent.
load lib

setup_file() { uninstall_corral; }
teardown_file() { uninstall_corral; }

@test "setup refuses to run without root" {
	run as "$DEV" "$SETUP"
	assert_status 1
	assert_contains "must run as root"
}

@test "setup installs group, locked users without shell, runner, firewall, marker" {
	install_corral --loopback-port 8123
	getent group corral | grep -q "$DEV"
	for u in corral-offline corral-online; do
		[ "$(getent passwd $u | cut -d: -f7)" = /usr/sbin/nologin ]
		[[ "$(getent shadow $u | cut -d: -f2)" == '!'* ]]
		! id -nG "$u" | grep -qw corral
		[ "$(stat -c '%U %a' /var/lib/corral/${u#corral-})" = "$u 700" ]
	done
	[ "$(stat -c '%U:%G %a' "$RUNNER")" = "root:corral 750" ]
	getcap "$RUNNER" | grep -q 'cap_setgid,cap_setuid,cap_sys_admin=ep'
	# the runner's unprivileged half: no capabilities, not readable by others
	[ "$(stat -c '%U:%G %a' "$SANDBOX")" = "root:root 711" ]
	[ -z "$(getcap "$SANDBOX")" ]
	[ "$(stat -c '%U %a' /etc/corral/setup.json)" = "root 644" ]
	grep -q '"offline_uid": '"$(id -u corral-offline)" /etc/corral/setup.json
	grep -q '"loopback_ports": \[8123\]' /etc/corral/setup.json
	run nft list table inet corral
	assert_status 0
	assert_contains "meta skuid $(id -u corral-offline) jump offline"
	assert_contains 'tcp dport 8123 accept'
	assert_contains 'reject'
	# nothing targets the online user or anyone else
	[[ "$output" != *"skuid $(id -u corral-online)"* ]]
	[ "$(grep -c skuid <<< "$output")" -eq 1 ]
}

@test "setup --check passes on a fresh install" {
	run "$SETUP" --check
	assert_status 0
	assert_contains "all as installed"
}

@test "setup is idempotent: a second install changes nothing and --check passes" {
	uid=$(id -u corral-offline)
	install_corral --loopback-port 8123
	[ "$(id -u corral-offline)" = "$uid" ]
	[ "$(nft list tables | grep -c 'inet corral')" -eq 1 ]
	run "$SETUP" --check
	assert_status 0
}

@test "--check reloads a missing firewall table and reports it" {
	nft delete table inet corral
	run "$SETUP" --check
	assert_status 1
	assert_contains "not loaded; reapplied"
	nft list table inet corral > /dev/null
	run "$SETUP" --check
	assert_status 0
}

@test "--check reports a changed rule set and restores it" {
	nft add rule inet corral offline accept
	run "$SETUP" --check
	assert_status 1
	assert_contains "differs"
	run "$SETUP" --check
	assert_status 0
}

@test "--check reports a runner with wrong mode or capabilities; setup repairs it" {
	chmod 755 "$RUNNER"
	run "$SETUP" --check
	assert_status 1
	assert_contains "not root:corral mode 0750"
	setcap cap_sys_admin+ep "$RUNNER"
	run "$SETUP" --check
	assert_contains "file capabilities are not exactly"
	install_corral --loopback-port 8123
	run "$SETUP" --check
	assert_status 0
	# corral-sandbox, the runner's unprivileged half, too
	chmod 755 "$SANDBOX"
	run "$SETUP" --check
	assert_status 1
	assert_contains "corral-sandbox $SANDBOX"
	assert_contains "not root:root mode 0711 without file capabilities"
	chmod 711 "$SANDBOX"
	setcap cap_setuid+ep "$SANDBOX"
	run "$SETUP" --check
	assert_status 1
	install_corral --loopback-port 8123
	run "$SETUP" --check
	assert_status 0
}

@test "in a container's bounding set (no cap_sys_admin) the runner is installed without it, and --check agrees" {
	command -v capsh > /dev/null || skip "capsh (libcap2-bin) is not installed"
	# The kernel refuses to execute a file whose capabilities the bounding
	# set lacks: a runner asking for cap_sys_admin would not start there.
	run capsh --drop=cap_sys_admin -- -c "'$SETUP' --user '$DEV' --runner '$RUNNER_SRC' --loopback-port 8123"
	assert_status 0
	assert_contains "no cap_sys_admin in this bounding set"
	[ "$(getcap "$RUNNER" | sed 's/.* //')" = "cap_setgid,cap_setuid=ep" ]
	run capsh --drop=cap_sys_admin -- -c "'$SETUP' --check"
	assert_status 0
	# Outside that container, the same runner is drift; setup repairs it.
	run "$SETUP" --check
	assert_status 1
	assert_contains "file capabilities are not exactly cap_setgid,cap_setuid,cap_sys_admin=ep"
	install_corral --loopback-port 8123
	getcap "$RUNNER" | grep -q 'cap_setgid,cap_setuid,cap_sys_admin=ep'
}

@test "--apply-firewall (the boot unit's command) reloads the rules from the marker" {
	nft delete table inet corral
	run "$SETUP" --apply-firewall
	assert_status 0
	run nft list table inet corral
	assert_contains 'tcp dport 8123 accept'
}

@test "a damaged or foreign marker is refused by --check and by corral" {
	cp /etc/corral/setup.json "$BATS_FILE_TMPDIR/marker"
	sed -i 's/"format": 1/"format": 99/' /etc/corral/setup.json
	run "$SETUP" --check
	assert_status 1
	new_ws
	run crun -- true
	assert_status 125
	assert_contains "rerun"
	chmod 666 /etc/corral/setup.json
	run crun -- true
	assert_status 125
	assert_contains "not trusted"
	cp "$BATS_FILE_TMPDIR/marker" /etc/corral/setup.json
	chmod 644 /etc/corral/setup.json
	run crun -- true
	assert_status 0
}

@test "a sandbox user whose uid drifted makes runs fail closed" {
	new_ws
	sed -i 's/"online_uid": [0-9]*/"online_uid": 4242/' /etc/corral/setup.json
	run crun --network on -- true
	assert_status 125
	assert_contains "rerun \`sudo corral setup\`"
	install_corral --loopback-port 8123
	run crun --network on -- true
	assert_status 0
}

@test "--uninstall removes users, group, table, runner, marker and homes; twice is fine" {
	run "$SETUP" --uninstall
	assert_status 0
	assert_contains "nothing of corral-setup is left"
	! getent passwd corral-offline
	! getent passwd corral-online
	! getent group corral
	! nft list table inet corral 2> /dev/null
	[ ! -e "$RUNNER" ] && [ ! -e /etc/corral ] && [ ! -e /var/lib/corral ]
	run "$SETUP" --uninstall
	assert_status 0
	run "$SETUP" --check
	assert_status 1
}

@test "without setup, --backend users says how to install it" {
	new_ws
	run crun -- true
	assert_status 125
	assert_contains "not installed"
	assert_contains "corral setup"
}

# The README's path: `make install`, then `sudo corral setup` with nothing
# else. corral finds corral-setup in ../sbin, corral-setup finds the runner
# where meson installed it ($libexecdir/corral), also in a DESTDIR tree.
# What the install tests put on the machine goes, pass or fail.
teardown() {
	if [ -e "$BATS_TEST_TMPDIR/installed-usr-local" ]; then
		"$SETUP" --uninstall > /dev/null 2>&1 || true
		make -C "$CORRAL_REPO" uninstall BUILD="$CORRAL_BUILD" > /dev/null 2>&1 || true
		rm -f /usr/local/bin/corral /usr/local/sbin/corral-setup
		rm -rf /usr/local/libexec/corral
	fi
	if [ -e "$BATS_TEST_TMPDIR/destdir" ]; then
		"$SETUP" --uninstall > /dev/null 2>&1 || true
		rm -rf "$(cat "$BATS_TEST_TMPDIR/destdir")"
	fi
}

build_prefix() {
	meson introspect "$CORRAL_BUILD" --buildoptions |
		python3 -c 'import json, sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])'
}

@test "install: make install into a DESTDIR, corral setup from there, a run, uninstall, make uninstall" {
	[ -n "${CORRAL_REPO:-}" ] && [ -d "$CORRAL_BUILD" ] || skip "run.sh names the repository and the build"
	[ "$(build_prefix)" = /usr/local ] || skip "the build is configured for prefix $(build_prefix), not /usr/local"
	local d
	d=$(mktemp -d /var/tmp/corral-destdir.XXXXXX)
	echo "$d" > "$BATS_TEST_TMPDIR/destdir"
	chmod 755 "$d"
	run make -C "$CORRAL_REPO" install BUILD="$CORRAL_BUILD" DESTDIR="$d"
	assert_status 0
	local f
	for f in bin/corral sbin/corral-setup libexec/corral/corral-runner libexec/corral/corral-sandbox; do
		[ -x "$d/usr/local/$f" ] || { rm -rf "$d"; echo "make install did not install $f" >&2; return 1; }
	done
	# no --runner: setup finds it in the tree it was installed in
	run "$d/usr/local/bin/corral" setup --user "$DEV"
	assert_status 0
	[ "$(stat -c '%U:%G %a' "$RUNNER")" = "root:corral 750" ]
	getcap "$RUNNER" | grep -q 'cap_setgid,cap_setuid,cap_sys_admin=ep'
	cmp "$RUNNER" "$d/usr/local/libexec/corral/corral-runner"
	new_ws
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$d/usr/local/bin/corral' run --backend users -- id -un"
	assert_status 0
	# the last line: the first run in a private home also says that it granted passage
	[ "${lines[${#lines[@]}-1]}" = corral-offline ] || { echo "$output" >&2; return 1; }
	run "$SETUP" --uninstall
	assert_status 0
	[ ! -e "$RUNNER" ] && [ ! -e /etc/corral/setup.json ]
	run make -C "$CORRAL_REPO" uninstall BUILD="$CORRAL_BUILD" DESTDIR="$d"
	assert_status 0
	[ -z "$(find "$d" -type f)" ] || { find "$d" -type f >&2; rm -rf "$d"; return 1; }
	rm -rf "$d"
}

@test "install: make install to /usr/local itself, sudo corral setup, a run, uninstall, make uninstall" {
	[ -n "${CORRAL_REPO:-}" ] && [ -d "$CORRAL_BUILD" ] || skip "run.sh names the repository and the build"
	[ "$(build_prefix)" = /usr/local ] || skip "the build is configured for prefix $(build_prefix), not /usr/local"
	local f
	for f in /usr/local/bin/corral /usr/local/sbin/corral-setup /usr/local/libexec/corral; do
		[ ! -e "$f" ] || skip "$f exists on this machine: not overwriting it"
	done
	touch "$BATS_TEST_TMPDIR/installed-usr-local"
	run make -C "$CORRAL_REPO" install BUILD="$CORRAL_BUILD"
	assert_status 0
	# the runner setup installs is the very file make install put there
	run /usr/local/bin/corral setup --user "$DEV"
	assert_status 0
	getcap "$RUNNER" | grep -q 'cap_setgid,cap_setuid,cap_sys_admin=ep'
	new_ws
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' /usr/local/bin/corral run --backend users -- id -un"
	assert_status 0
	# the last line: the first run in a private home also says that it granted passage
	[ "${lines[${#lines[@]}-1]}" = corral-offline ] || { echo "$output" >&2; return 1; }
	# make uninstall refuses while the users backend is installed
	run make -C "$CORRAL_REPO" uninstall BUILD="$CORRAL_BUILD"
	[ "$status" -ne 0 ]
	assert_contains "corral-setup --uninstall"
	run /usr/local/sbin/corral-setup --uninstall
	assert_status 0
	run make -C "$CORRAL_REPO" uninstall BUILD="$CORRAL_BUILD"
	assert_status 0
	for f in /usr/local/bin/corral /usr/local/sbin/corral-setup /usr/local/libexec/corral; do
		[ ! -e "$f" ] || { echo "$f is left" >&2; return 1; }
	done
}
