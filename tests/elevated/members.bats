#!/usr/bin/env bats
# Members of the group corral share the two sandbox users; they must be
# isolated from each other as well as from the host, and no run may break
# later runs (issue 16, class 6). Two members: $DEV and $MEMBER2, made here.
load lib

MEMBER2=corral-etmem

setup_file() {
	uninstall_corral
	id "$MEMBER2" > /dev/null 2>&1 || useradd -m -s /bin/bash "$MEMBER2"
	chmod 700 "$(getent passwd "$MEMBER2" | cut -d: -f6)"
	install_corral
	"$SETUP" --user "$MEMBER2" > /dev/null
}
teardown_file() {
	uninstall_corral
	userdel -r "$MEMBER2" > /dev/null 2>&1 || true
}
setup() {
	new_ws
	M2_HOME=$(getent passwd "$MEMBER2" | cut -d: -f6)
	WS2=$M2_HOME/ws-$BATS_SUITE_TEST_NUMBER-$RANDOM
	runuser -u "$MEMBER2" -- mkdir -p "$WS2"
	TOKEN=corral-etmem-$BATS_SUITE_TEST_NUMBER-$$
}

# crun2 ARGS...: corral run --backend users ARGS, as the second member, in $WS2.
crun2() {
	(cd "$WS2" && as "$MEMBER2" "$CORRAL" run --backend users "$@")
}

@test "members: another member's per-workspace /tmp and caches are out of sight, and cannot be poisoned" {
	# The developer's run leaves a secret in its /tmp (per workspace, kept)
	# and a mark in its cache.
	run crun -- sh -c "echo CORRAL-SECRET-$TOKEN > /tmp/secret-$TOKEN && echo mine > \$HOME/.cache/mark-$TOKEN"
	assert_status 0
	# It is there on the host, in the developer's part of the sandbox home.
	local base=/var/lib/corral/offline
	[ -n "$(find "$base" -name "secret-$TOKEN" 2> /dev/null)" ] || { echo "the secret is not on disk at all" >&2; return 1; }
	# The other member's command looks everywhere the sandbox user owns.
	run crun2 -- sh -c "
		find /var/lib/corral /tmp /var/tmp /home \( -name 'secret-$TOKEN' -o -name 'mark-$TOKEN' \) 2>/dev/null
		cat $base/.cache/corral/workspaces/*/tmp/secret-$TOKEN $base/members/*/.cache/corral/workspaces/*/tmp/secret-$TOKEN 2>/dev/null
		echo MEMBERS:\$(ls $base/members 2>/dev/null | tr '\n' ' ')
		echo poison > \$HOME/.cache/mark-$TOKEN; echo evil > \$HOME/.cache/poison-$TOKEN; echo END"
	assert_status 0
	assert_contains END
	[[ "$output" != *"CORRAL-SECRET-$TOKEN"* ]] || { echo "read the other member's /tmp: $output" >&2; return 1; }
	[[ "$output" != *"secret-$TOKEN"* && "$output" != *"mark-$TOKEN"* ]] ||
		{ echo "saw the other member's files: $output" >&2; return 1; }
	grep -qx 'MEMBERS:' <<< "$output" || { echo "the other members' directories are visible: $output" >&2; return 1; }
	# The developer's next run finds its own cache unchanged, nothing planted.
	run crun -- sh -c "cat \$HOME/.cache/mark-$TOKEN; ls \$HOME/.cache/poison-$TOKEN 2>&1 || echo NO-POISON"
	assert_status 0
	assert_contains mine
	assert_contains NO-POISON
	[[ "$output" != *poison* || "$output" == *NO-POISON* ]]
}

@test "members: what a run leaves in the sandbox user's caches breaks no later run, of this member or another" {
	# Unreadable directories where corral looks (below the top of a cache,
	# a cache root itself), as a command can leave them.
	run crun -- sh -c 'mkdir -m 0 "$HOME/.cache/blocker"; chmod 0 "$HOME/.npm" "$HOME/.cargo/registry"; echo LEFT'
	assert_status 0
	assert_contains LEFT
	run crun -- echo AGAIN
	assert_status 0
	assert_contains AGAIN
	run crun --network on -- echo ONLINE
	assert_status 0
	run crun2 -- echo OTHER
	assert_status 0
	assert_contains OTHER
	# and the caches are usable again
	run crun -- sh -c 'echo x > "$HOME/.npm/ok" && echo NPM-OK'
	assert_status 0
	assert_contains NPM-OK
}

@test "git: a linked worktree and a clone of a repository outside the workspace work inside" {
	command -v git > /dev/null || skip "git is not installed"
	local main=$DEV_HOME/gitmain-$BATS_SUITE_TEST_NUMBER wt=$DEV_HOME/gitwt-$BATS_SUITE_TEST_NUMBER
	as "$DEV" sh -c "git init -q '$main' && cd '$main' && echo a > a && git add a &&
		git -c user.email=d@x -c user.name=d commit -qm one && git worktree add -q '$wt'"
	run bash -c "cd '$wt' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' run --backend users -- sh -c '
		git status --short && git log --oneline -1 && echo WORKTREE-OK
		git clone -q \"$main\" copy && git -C copy log --oneline -1 && echo CLONE-OK
		(echo evil >> \"$main/.git/hooks/pre-commit\") 2>/dev/null && echo ESCAPE
		(echo \"[core] fsmonitor = /bin/false\" >> ~/.gitconfig) 2>/dev/null && echo GITCONFIG-WRITTEN; true'"
	assert_status 0
	assert_contains WORKTREE-OK
	assert_contains CLONE-OK
	[[ "$output" != *ESCAPE* && "$output" != *dubious* && "$output" != *GITCONFIG-WRITTEN* ]] ||
		{ echo "$output" >&2; return 1; }
	[ ! -e "$main/.git/hooks/pre-commit" ]
	# the trust lives in this member's ~/.gitconfig in the sandbox home,
	# written by the runner, read-only for the command
	local gc=/var/lib/corral/offline/members/$(id -u "$DEV")/.gitconfig
	grep -q 'directory = \*' "$gc" && ! grep -q fsmonitor "$gc" || { cat "$gc" >&2; return 1; }
	[ "$(stat -c %U "$wt/copy/a")" = "$DEV" ] # the clone is the developer's
	rm -rf "$main" "$wt"
}
