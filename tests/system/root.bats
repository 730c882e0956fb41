#!/usr/bin/env bats
# When the caller is root (CI is), the command still runs as uid 0 but ends
# up with no capabilities at all, and every rule holds. run.sh runs this file
# as root only.

load helpers

setup() {
	[ "$(id -u)" -eq 0 ] || skip "root.bats needs root"
	common_setup
}
teardown() { common_teardown; }

# Mount attacks as root are only safe to try when the command has its own
# mount namespace; on a broken sandbox they would change the host's mounts.
require_own_mount_ns() {
	local outside inside
	outside=$(readlink /proc/self/ns/mnt)
	inside=$(corral run -- readlink /proc/self/ns/mnt) || fail "corral run failed: $inside"
	[ -n "$inside" ] && [ "$inside" != "$outside" ] ||
		fail "the command shares the host's mount namespace ($inside): not trying mounts as root"
}

@test "root: the command runs as uid 0 with NoNewPrivs 1 and CapInh/CapPrm/CapEff/CapAmb 0" {
	run corral run -- sh -c 'id -u; grep -E "^(NoNewPrivs|Cap(Inh|Prm|Eff|Amb)):" /proc/self/status'
	assert_success
	[ "${lines[0]}" = 0 ] || { show_output; fail "not uid 0"; }
	assert_output_has "NoNewPrivs:	1"
	assert_output_has "CapInh:	0000000000000000"
	assert_output_has "CapPrm:	0000000000000000"
	assert_output_has "CapEff:	0000000000000000"
	assert_output_has "CapAmb:	0000000000000000"
}

@test "root: the bounding set is empty too (no capabilities at all, even after exec)" {
	run corral run -- grep '^CapBnd:' /proc/self/status
	assert_success
	assert_output_has "CapBnd:	0000000000000000"
}

@test "root: writes to /etc, /usr, /root, /var/tmp and outside the workspace fail" {
	snap_outside before
	run sb 'must_fail "touch /etc/$TOKEN"
		must_fail ": >> /etc/hosts"
		must_fail "touch /usr/$TOKEN"
		must_fail "touch /root/$TOKEN"
		must_fail "touch /var/tmp/$TOKEN"
		must_fail "echo evil >> $HOME/.bashrc"
		must_fail "touch $OUT/new"
		must_fail "touch /proc/self/root/etc/$TOKEN"'
	assert_sb_clean
	assert_outside_unchanged before
	assert_host_tmp_clean
	[ ! -e "/etc/$TOKEN" ] && [ ! -e "/usr/$TOKEN" ] && [ ! -e "/root/$TOKEN" ]
}

@test "root: writing kernel settings in /proc/sys fails" {
	# Each setting is written back with its current value: no change even if it works.
	run sb 'for f in /proc/sys/kernel/hostname /proc/sys/kernel/randomize_va_space /proc/sys/vm/swappiness; do
			v=$(cat $f)
			must_fail "echo $v > $f"
		done'
	assert_sb_clean
}

@test "root: chown, mknod, chroot and reading another user's 0600 file fail (no DAC override)" {
	echo "CORRAL-SECRET-other" > "$OUT/other-secret"
	chown 65534:65534 "$OUT/other-secret"
	chmod 600 "$OUT/other-secret"
	echo mine > "$WS/mine"
	run sb 'must_fail "chown 65534:65534 $WS/mine"
		must_fail "mknod $WS/disk b 8 0"
		must_fail "chroot / true"
		must_fail "cat $OUT/other-secret"'
	assert_sb_clean
	refute_output_has CORRAL-SECRET-
	[ "$(stat -c %u "$WS/mine")" = 0 ]
	[ ! -e "$WS/disk" ]
}

@test "root: mount, remount, fsopen and open_tree fail" {
	require_own_mount_ns
	mkdir -p "$WS/m"
	local args escaped=()
	for args in "tmpfs $WS/m" "remount /" "setattr /" "umount $WS" "bind $OUT $WS/m" "open_tree /" fsopen; do
		# shellcheck disable=SC2086
		run corral run -- "$HELPERS/mount_attack" $args
		assert_blocked 2>/dev/null || escaped+=("$args: $output")
	done
	run sb 'must_fail "mount -t tmpfs none $WS/m"
		must_fail "mount -o remount,rw /"'
	assert_sb_clean
	[ "${#escaped[@]}" -eq 0 ] || fail "not blocked:" "${escaped[@]}"
	[ -z "$(ls -A "$WS/m")" ]
}

@test "root: nested user namespaces fail" {
	require_own_mount_ns
	local how escaped=()
	for how in unshare clone clone3; do
		run corral run -- "$HELPERS/userns" "$how"
		assert_blocked 2>/dev/null || escaped+=("$how: $output")
	done
	run sb 'must_fail "unshare -Urm true"'
	assert_sb_clean
	[ "${#escaped[@]}" -eq 0 ] || fail "not blocked:" "${escaped[@]}"
}

@test "root: raw sockets, bpf and perf fail even with network on" {
	local args escaped=()
	for args in "net raw" "net packet" "net xdp" "kernel bpf" "kernel perf" "kernel module" "kernel kexec"; do
		# shellcheck disable=SC2086
		run corral run -n on -- "$HELPERS/"$args
		assert_blocked 2>/dev/null || escaped+=("$args: $output")
	done
	[ "${#escaped[@]}" -eq 0 ] || fail "not blocked:" "${escaped[@]}"
}

@test "root: network off holds (host loopback server unreachable)" {
	start_server tcp 127.0.0.1
	run corral run -- "$HELPERS/net" tcp 127.0.0.1 "$SERVER_PORT"
	assert_blocked
	[ "$(served)" -eq 0 ] || fail "the host server was reached"
}

@test "root: deny-read of ~/.ssh holds" {
	run sb 'must_fail "cat $HOME/.ssh/id_ed25519"'
	assert_sb_clean
	refute_output_has CORRAL-SECRET-
}

@test "root: protected .git holds" {
	git init -q "$WS"
	snap g "$WS/.git"
	run sb 'must_fail "echo evil >> .git/config"
		must_fail "mv .git g"
		must_fail "chmod 777 .git/config"'
	assert_sb_clean
	assert_same_snap g "$WS/.git"
}

@test "root: signals cannot reach an outside process, not even with kill -9 -1" {
	bg sleep 300
	local victim=$BG_PID
	assert_outside_untouchable "$victim"
}

@test "root: the tree dies with corral (kill -9)" {
	local beat=$WS/beat
	bg "$CORRAL" run -- bash -c "( $(beat_script "$beat") ) & sleep 300" > /dev/null 2>&1
	local cpid=$BG_PID
	wait_for_content "$beat" 100
	kill -9 "$cpid"
	wait "$cpid" 2>/dev/null || true
	assert_beat_stopped "$beat"
}

@test "root: no placeholder is left in a workspace without .git" {
	run corral run -- sh -c 'mkdir .git 2>/dev/null && echo ESCAPE; exit 0'
	assert_success
	refute_output_has ESCAPE
	assert_ws_lists README.md src
}

@test "root: a host socket in /run (like docker.sock) cannot be connected, network off and on" {
	start_server unix "/run/$TOKEN.sock"
	"$HELPERS/net" unix "/run/$TOKEN.sock" > /dev/null || fail "control: the socket does not work outside"
	run corral run -- "$HELPERS/net" unix "/run/$TOKEN.sock"
	assert_blocked
	run corral run -n on -- "$HELPERS/net" unix "/run/$TOKEN.sock"
	assert_blocked
	[ "$(served)" -eq 1 ] || fail "the host socket was reached"
}

@test "root control: raw and packet sockets, bpf and mounts work for root outside (so the tests above mean something)" {
	"$HELPERS/net" raw | grep -q SUCCEEDED
	"$HELPERS/net" packet | grep -q SUCCEEDED
	"$HELPERS/kernel" bpf | grep -q SUCCEEDED
	unshare -m --propagation private "$HELPERS/mount_attack" tmpfs "$WS" | grep -q SUCCEEDED
}

# Regression: a root caller's plan sees a listening socket in another user's
# private directory, which root's user namespace cannot reach (that uid is not
# mapped in it); masking it failed the whole run with 125. What the sandbox
# cannot reach needs no mask.
@test "root: a host socket in another user's private directory does not stop the run" {
	local user
	user=$(stat -c %U "$HELPERS/serve" 2>/dev/null)
	[ -n "$user" ] && [ "$user" != root ] || user=corral-test
	id "$user" > /dev/null 2>&1 || skip "no ordinary user to own the socket"
	local d
	d=$(runuser -u "$user" -- mktemp -d /var/tmp/corral-priv.XXXXXX)
	chmod 700 "$d"
	bg runuser -u "$user" -- "$HELPERS/serve" unix "$d/s.sock" > "$T/priv-serve.log" 2>&1
	wait_for_content "$T/priv-serve.log" 50
	run corral run -- sh -c 'echo ran'
	# runuser does not pass the signal on: the server is its child, another uid
	kill "$BG_PID" 2> /dev/null
	pkill -u "$user" -f "serve unix $d/s.sock" 2> /dev/null || true
	rm -rf "$d"
	assert_success
	assert_output_has ran
}
