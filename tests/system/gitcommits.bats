#!/usr/bin/env bats
# --git commits (issue 9): git's everyday work inside the sandbox, each result
# checked from outside by the developer's own git (log, fsck); and the
# attacks on what git reads configuration from or runs, each checked by
# running the developer's git afterwards and asserting that nothing ran. The
# controls show that each attack works without corral.

load helpers
load gitcommits

# After the run the developer works in REPO (default $WS): commit, status,
# diff, a fetch from itself, a rebase --continue if one is in progress.
dev_works() {
	local repo=${1:-$WS}
	dev_git "$repo" commit -q --allow-empty -m after > /dev/null 2>&1 || true
	dev_git "$repo" status > /dev/null 2>&1 || true
	dev_git "$repo" diff HEAD~1 > /dev/null 2>&1 || true
	dev_git "$repo" fetch -q "$repo" > /dev/null 2>&1 || true
	dev_git "$repo" rebase --continue > /dev/null 2>&1 || true
	dev_git "$repo" am --continue > /dev/null 2>&1 || true
}

assert_nothing_ran() {
	dev_works "$@"
	[ ! -e "$MARK" ] || fail "something the command planted ran outside the sandbox: $(cat "$MARK")"
}

assert_it_ran() {
	dev_works "$@"
	[ -e "$MARK" ] || fail "control: the developer's git did not run what was planted (the attack test proves nothing)"
}

# What corral adds for a run must be gone after it (git init makes
# branches/ itself; remotes/ only old gits).
assert_gitdir_clean() {
	local g=${1:-$WS/.git} n
	for n in commondir config.worktree remotes; do
		[ ! -e "$g/$n" ] || fail "corral's placeholder $g/$n is still there after the run"
	done
}

assert_fsck() {
	dev_git "${1:-$WS}" fsck --strict --no-progress > "$T/fsck" 2>&1 || { cat "$T/fsck" >&2; fail "git fsck failed in ${1:-$WS}"; }
}

@test "commits: commit, amend, branch, tag, stash, merges, cherry-pick, reset, checkout and gc work; git outside sees them" {
	run gc 'set -e
		echo two >> f.txt; git commit -qam two
		echo three >> f.txt; git commit -q --amend -am two-amended
		git branch topic; git tag v1; git tag -a -m annotated v1a
		echo stash >> f.txt; git stash push -q; git stash list | grep -q stash@; git stash pop -q; git checkout -q -- f.txt
		git checkout -q -b side; echo side > side.txt; git add side.txt; git commit -qm side
		git checkout -q main; git merge -q --ff-only topic
		echo main > main.txt; git add main.txt; git commit -qm main
		git merge -q --no-edit side
		git checkout -q -b pickme v1; echo pick > pick.txt; git add pick.txt; git commit -qm pick; git checkout -q main
		git cherry-pick pickme > /dev/null
		git reset -q --hard HEAD; git reset -q --soft HEAD~1; git commit -qm again
		git checkout -q side; git checkout -q main
		git gc -q
		git log --oneline | wc -l'
	assert_success
	assert_output_has SB-END
	[ "$(dev_git "$WS" log --format=%s -1)" = again ]
	dev_git "$WS" log --format=%s | grep -qx two-amended || fail "the amended commit is not in the log"
	dev_git "$WS" log --format=%s | grep -qx "Merge branch 'side'" || fail "the merge commit is missing"
	local ref
	for ref in topic v1 v1a side pickme; do
		dev_git "$WS" rev-parse -q --verify "$ref" > /dev/null || fail "the branch or tag $ref is missing"
	done
	[ -n "$(ls "$WS/.git/objects/pack/"*.pack 2> /dev/null)" ] || fail "git gc made no pack"
	assert_fsck
	assert_gitdir_clean
	[ -z "$(dev_git "$WS" status --porcelain -uno)" ] || fail "the worktree is not clean: $(dev_git "$WS" status --porcelain -uno)"
}

@test "commits: in a linked worktree (its gitdir in the common dir of a repository in another writable root)" {
	dev_git "$WS" worktree add -q "$OTHER/wt" -b wt
	(cd "$OTHER/wt" && run gc -w "$WS" 'set -e; echo wt >> f.txt; git commit -qam in-worktree; git branch wt2; git stash list; echo ok'
		[ "$status" -eq 0 ] || { echo "$output" >&2; exit 1; }
		[[ "$output" == *SB-END* ]] || { echo "$output" >&2; exit 1; })
	[ "$(dev_git "$OTHER/wt" log --format=%s -1)" = in-worktree ]
	dev_git "$WS" rev-parse -q --verify wt2 > /dev/null
	assert_fsck
	assert_gitdir_clean
	[ ! -e "$WS/.git/worktrees/wt/config.worktree" ] || fail "a placeholder was left in the worktree's gitdir"
}

@test "commits: in a submodule and its superproject" {
	new_repo "$OTHER/lib"
	dev_git "$WS" submodule -q add "$OTHER/lib" lib
	dev_git "$WS" commit -qm "add lib"
	run gc 'set -e
		cd lib; echo x >> f.txt; git commit -qam in-sub; cd ..
		git add lib; git commit -qm bump; echo ok'
	assert_success
	assert_output_has SB-END
	[ "$(dev_git "$WS/lib" log --format=%s -1)" = in-sub ]
	[ "$(dev_git "$WS" log --format=%s -1)" = bump ]
	assert_fsck
	assert_fsck "$WS/lib"
	assert_gitdir_clean "$WS/.git/modules/lib"
}

@test "commits attack: hooks written, created, moved in, exchanged or replaced with their directory; git outside runs none" {
	hook_text > "$OTHER/hook"
	chmod +x "$OTHER/hook"
	printf '#!/bin/sh\nexit 0\n' > "$WS/.git/hooks/post-commit"
	chmod +x "$WS/.git/hooks/post-commit"
	run gc 'cp "$OTHER/hook" h; hook_text > h; chmod +x h
		must_fail "hook_text > .git/hooks/post-commit"
		must_fail "cp h .git/hooks/pre-commit"
		must_fail "mv h .git/hooks/post-checkout"
		must_fail "ln h .git/hooks/post-merge"
		must_fail "ln -s ../../h .git/hooks/post-rewrite"
		must_fail "rm .git/hooks/post-commit"
		must_fail "\$H/rename_exchange h .git/hooks/post-commit"
		must_fail "mv .git/hooks .git/hooks.old"
		must_fail "rm -rf .git/hooks"
		must_fail "mv .git .git.old"
		must_fail "\$H/rename_exchange .git h"
		mkdir -p hk; cp h hk/post-commit
		must_fail "\$H/rename_exchange hk .git/hooks"'
	refute_output_has ESCAPE
	assert_output_has SB-END
	assert_nothing_ran
}

# An empty .git (made by the developer, or left by a tool) is no repository
# yet: git init in the sandbox would fill it with a config and hooks that
# the developer's git runs later. It stays read-only as a whole, at the top
# of a writable root and below it.
@test "commits attack: git init into an empty .git (a writable root's, a nested one) writes no hook the developer's git runs" {
	mkdir -p "$WS/sub/.git" "$OTHER/p/.git"
	run gc -w "$OTHER/p" 'for d in sub "$OTHER/p"; do
			git init -q "$d" 2> /dev/null && echo "INIT $d"
			mkdir -p "$d/.git/hooks" 2> /dev/null; hook_text > "$d/.git/hooks/post-commit" 2> /dev/null &&
				chmod +x "$d/.git/hooks/post-commit" && echo "PLANTED $d"
		done'
	assert_output_has SB-END
	refute_output_has PLANTED
	[ -z "$(ls -A "$WS/sub/.git")" ] && [ -z "$(ls -A "$OTHER/p/.git")" ] || fail "an empty .git was written: $(ls -A "$WS/sub/.git" "$OTHER/p/.git")"
	for d in "$WS/sub" "$OTHER/p"; do
		git init -q "$d" && dev_git "$d" commit -q --allow-empty -m x > /dev/null 2>&1 || true
	done
	[ ! -e "$MARK" ] || fail "the developer's git ran a hook the command planted: $(cat "$MARK")"
}

@test "control: git init into an empty .git plants a hook the developer's commit runs" {
	mkdir -p "$WS/sub/.git"
	plain 'git init -q sub && hook_text > sub/.git/hooks/post-commit && chmod +x sub/.git/hooks/post-commit'
	dev_git "$WS/sub" commit -q --allow-empty -m x > /dev/null 2>&1 || true
	[ -e "$MARK" ] || fail "control: nothing ran"
}

@test "control: a hook written into .git/hooks runs in the developer's git" {
	plain 'hook_text > .git/hooks/post-commit; chmod +x .git/hooks/post-commit'
	assert_it_ran
}

@test "commits attack: git config and the config file (fsmonitor, sshCommand, diff.external, filter, alias, include) stay read-only" {
	run gc 'hook_text > x.sh; chmod +x x.sh
		must_fail "git config core.fsmonitor \$PWD/x.sh"
		must_fail "git config core.sshCommand \$PWD/x.sh"
		must_fail "git config diff.external \$PWD/x.sh"
		must_fail "git config filter.f.clean \$PWD/x.sh"
		must_fail "git config alias.st \"!\$PWD/x.sh\""
		must_fail "git config include.path \$PWD/inc"
		must_fail "echo \"[core] fsmonitor = \$PWD/x.sh\" >> .git/config"
		must_fail "cp .git/config c; echo \"[core] fsmonitor = \$PWD/x.sh\" >> c; mv c .git/config"
		must_fail "\$H/rename_exchange x.sh .git/config"
		must_fail "printf \"[core]\\n\\tfsmonitor = \$PWD/x.sh\\n\" > .git/config.worktree"
		must_fail "echo \"\$OTHER\" > .git/commondir"
		must_fail "echo \"*.txt filter=f\" > .git/info/attributes"
		must_fail "mkdir .git/remotes/x"'
	refute_output_has ESCAPE
	assert_output_has SB-END
	# the developer turns on per-worktree config after the run
	dev_git "$WS" config extensions.worktreeConfig true
	assert_nothing_ran
	assert_gitdir_clean
}

@test "control: core.fsmonitor in config.worktree runs once extensions.worktreeConfig is on; a commondir elsewhere takes its config" {
	plain 'hook_text > x.sh; chmod +x x.sh; printf "[core]\n\tfsmonitor = $PWD/x.sh\n" > .git/config.worktree'
	dev_git "$WS" config extensions.worktreeConfig true
	assert_it_ran
	rm -f "$MARK" "$WS/.git/config.worktree"
	dev_git "$WS" config --unset extensions.worktreeConfig
	cp -r "$WS/.git" "$OTHER/common"
	git -C "$OTHER/common" config core.fsmonitor "$WS/x.sh"
	plain 'echo "$OTHER/common" > .git/commondir'
	assert_it_ran
}

@test "commits attack: a rebase todo with exec is set aside after the run; a rebase that runs to its end in one run works" {
	dev_git "$WS" commit -q --allow-empty -m second
	run gc 'hook_text > x.sh; chmod +x x.sh
		GIT_SEQUENCE_EDITOR="sed -i 1ibreak" git rebase -q -i HEAD~1 2>/dev/null
		[ -d .git/rebase-merge ] && echo STOPPED
		echo "exec $PWD/x.sh" > t; cat .git/rebase-merge/git-rebase-todo >> t; cp t .git/rebase-merge/git-rebase-todo'
	assert_output_has STOPPED
	assert_output_has "set aside"
	[ ! -e "$WS/.git/rebase-merge" ] || fail "the rebase state with an exec line is still there"
	# (userns: never imported from the overlay, so nothing to keep aside)
	backend_is userns || ls -d "$WS"/.git/rebase-merge.corral-refused-* > /dev/null || fail "the rebase state was not kept aside"
	assert_nothing_ran
	# A rebase that stops (a conflict) is refused too, whatever its todo
	# holds (its strategy, its options: docs/design.md); one that the
	# command finishes within the run leaves no state and works.
	rm -rf "$WS"/.git/rebase-merge.corral-refused-*
	dev_git "$WS" checkout -q -f main
	printf 'main\n' > "$WS/f.txt"
	dev_git "$WS" commit -qam main-change
	dev_git "$WS" checkout -q -b other main~1
	printf 'other\n' > "$WS/f.txt"
	dev_git "$WS" commit -qam other
	run gc 'git rebase main > /dev/null 2>&1; [ -d .git/rebase-merge ] && echo CONFLICT
		printf "resolved\n" > f.txt; git add f.txt; GIT_EDITOR=true git rebase --continue > /dev/null 2>&1 && echo DONE'
	assert_output_has CONFLICT
	assert_output_has DONE
	refute_output_has "set aside"
	[ "$(dev_git "$WS" log --format=%s -1)" = other ]
	[ "$(dev_git "$WS" log --format=%s -1 HEAD~1)" = main-change ]
	assert_fsck
	dev_git "$WS" checkout -q -b third main~1
	printf 'third\n' > "$WS/f.txt"
	dev_git "$WS" commit -qam third
	run gc 'git rebase main > /dev/null 2>&1; [ -d .git/rebase-merge ] && echo CONFLICT'
	assert_output_has CONFLICT
	assert_output_has "rebase-merge: the command made or changed this state"
	[ ! -e "$WS/.git/rebase-merge" ] || fail "a rebase stopped in the run is still in progress outside"
	dev_git "$WS" checkout -q -f third || fail "the developer cannot go back to the branch"
}

@test "control: an exec line in a rebase todo runs on the developer's git rebase --continue" {
	dev_git "$WS" commit -q --allow-empty -m second
	plain 'hook_text > x.sh; chmod +x x.sh
		GIT_SEQUENCE_EDITOR="sed -i 1ibreak" git rebase -q -i HEAD~1 2>/dev/null
		echo "exec $PWD/x.sh" > t; cat .git/rebase-merge/git-rebase-todo >> t; cp t .git/rebase-merge/git-rebase-todo'
	assert_it_ran
}

@test "commits attack: a submodule's config and hooks stay read-only; its gitdir cannot be replaced" {
	new_repo "$OTHER/lib"
	dev_git "$WS" submodule -q add "$OTHER/lib" lib
	dev_git "$WS" commit -qm "add lib"
	run gc 'hook_text > x.sh; chmod +x x.sh
		must_fail "hook_text > .git/modules/lib/hooks/post-commit"
		must_fail "git -C lib config core.fsmonitor \$PWD/x.sh"
		must_fail "echo \"[core] fsmonitor = \$PWD/x.sh\" >> .git/modules/lib/config"
		must_fail "echo /tmp > .git/modules/lib/commondir"
		must_fail "mv .git/modules/lib .git/modules/old"
		must_fail "mv .git/modules .git/modules.old"'
	refute_output_has ESCAPE
	assert_output_has SB-END
	assert_nothing_ran "$WS/lib"
	assert_nothing_ran
	assert_gitdir_clean "$WS/.git/modules/lib"
}

@test "commits attack: core.hooksPath targets (husky) stay read-only" {
	mkdir -p "$WS/.husky/_"
	printf '#!/bin/sh\nexit 0\n' > "$WS/.husky/pre-commit"
	chmod +x "$WS/.husky/pre-commit"
	dev_git "$WS" config core.hooksPath .husky/_
	run gc 'must_fail "hook_text > .husky/pre-commit"
		must_fail "hook_text > .husky/_/post-commit"
		must_fail "mv .husky .husky.old"'
	refute_output_has ESCAPE
	assert_output_has SB-END
	assert_nothing_ran
}

@test "commits attack: links planted in the gitdir's writable part are removed after the run; git outside writes through none" {
	cp "$WS/.git/config" "$T/config.before"
	printf '#!/bin/sh\nexit 0\n' > "$WS/.git/hooks/pre-commit"
	chmod +x "$WS/.git/hooks/pre-commit"
	cp "$WS/.git/hooks/pre-commit" "$T/hook.before"
	run gc 'rm -f .git/COMMIT_EDITMSG .git/logs/HEAD
		ln -s hooks/pre-commit .git/COMMIT_EDITMSG
		ln -s ../config .git/logs/HEAD
		ln -s ../../config .git/refs/heads/evil
		mkfifo .git/FETCH_HEAD 2>/dev/null
		must_fail "ln .git/config .git/objects/cfg"
		must_fail "ln f.txt .git/hardlink"
		ls -la .git | grep -c -- "->"'
	assert_output_has SB-END
	refute_output_has ESCAPE
	assert_output_has "removed $WS/.git/COMMIT_EDITMSG"
	assert_output_has "removed $WS/.git/logs/HEAD"
	assert_output_has "removed $WS/.git/refs/heads/evil"
	[ -z "$(find "$WS/.git" -type l -o -type p)" ] || fail "links or FIFOs left in the gitdir: $(find "$WS/.git" -type l -o -type p)"
	dev_works
	cmp -s "$T/config.before" "$WS/.git/config" || fail "the developer's git wrote into .git/config through a planted link"
	cmp -s "$T/hook.before" "$WS/.git/hooks/pre-commit" || fail "the developer's git wrote into a hook through a planted link"
}

@test "control: a planted .git/logs/HEAD link makes the developer's commit write into .git/config" {
	cp "$WS/.git/config" "$T/config.before"
	plain 'rm -f .git/logs/HEAD; ln -s ../config .git/logs/HEAD'
	dev_works
	! cmp -s "$T/config.before" "$WS/.git/config" || fail "control: git did not write through the link"
}

@test "commits: an untrusted .corral.toml may keep git read-only but not ask for commits; the user config may trust it" {
	printf 'git = "commits"\n' > "$WS/.corral.toml"
	run corral run -- true
	assert_status 125
	assert_output_has "key 'git'"
	printf 'git = "read-only"\n' > "$WS/.corral.toml"
	printf 'git = "commits"\n' > "$FAKEHOME/.config/corral/config.toml"
	run corral run -- sh -c 'echo x >> f.txt; git commit -qam x 2>&1 || echo REFUSED'
	assert_output_has REFUSED
	printf 'git = "commits"\n' > "$WS/.corral.toml"
	printf '[workspaces."%s"]\ntrust = true\n' "$WS" > "$FAKEHOME/.config/corral/config.toml"
	run corral run -- env HOME="$HOME" sh -c 'echo x >> f.txt; git commit -qam trusted && echo COMMITTED'
	assert_output_has COMMITTED
	run corral run --git nonsense -- true
	assert_status 125
	assert_output_has "unknown git mode 'nonsense'"
}

@test "commits: the default stays read-only; explain shows each repository's writable and read-only parts" {
	run corral run -- sh -c 'echo x >> f.txt; git commit -qam x 2>&1 || echo REFUSED'
	assert_output_has REFUSED
	[ "$(dev_git "$WS" log --format=%s -1)" = init ]
	run corral explain --git commits
	assert_success
	assert_output_has "git repository $WS/.git (--git commits)"
	assert_output_has "read-only: "
	[[ "$output" == *"read-only:"*hooks* ]] || fail "explain does not list hooks as read-only"
	run corral explain --json --git commits
	assert_output_has '"git":"commits"'
	printf '%s' "$output" | python3 -c 'import json, sys
r = json.load(sys.stdin)["plan"]["git_repositories"]
assert len(r) == 1 and "hooks" in r[0]["read_only"] and "config" in r[0]["read_only"], r' ||
		fail "explain --json does not list the repository's read-only entries"
	run corral explain --json
	assert_output_has '"git_repositories":[]'
}

@test "commits concurrent: a run that ends first leaves the placeholders the other still relies on; the developer's git works meanwhile" {
	# The long run waits for "go", then tries to create what the placeholders
	# hold; the short one starts and ends meanwhile (its end must not take
	# the placeholders away: the long run holds them too).
	bg "$CORRAL" run --git commits -- env HOME="$HOME" OTHER="$OTHER" bash -c '
		touch ready
		while [ ! -e go ]; do sleep 0.05; done
		for n in commondir config.worktree; do
			if echo "$OTHER" > .git/$n 2>/dev/null; then echo "ESCAPE $n"; else echo "blocked $n"; fi
		done > result
		echo x >> f.txt; git commit -qam long && echo committed >> result' > "$T/long.out" 2>&1
	local lpid=$BG_PID
	wait_for_file "$WS/ready" 100
	[ -f "$WS/.git/commondir" ] || fail "no commondir placeholder while a commits run holds the repository"
	run corral run --git commits -- sh -c 'git status --short > /dev/null && echo short-ok'
	assert_output_has short-ok
	[ -f "$WS/.git/commondir" ] || fail "the short run took away the placeholder the long run still relies on"
	# the developer's git outside, during the run, with the placeholders in place
	dev_git "$WS" status --short > /dev/null || fail "the developer's git status failed during the run"
	[ "$(dev_git "$WS" rev-parse --git-common-dir)" = "$(cd "$WS/.git" && pwd -P)" ] ||
		fail "the common dir outside is not the gitdir itself: $(dev_git "$WS" rev-parse --git-common-dir)"
	touch "$WS/go"
	wait "$lpid" || { cat "$T/long.out" >&2; fail "the long run exited $?"; }
	cat "$WS/result" >&2
	! grep -q ESCAPE "$WS/result" || fail "a held name was created: $(cat "$WS/result")"
	grep -q committed "$WS/result" || fail "the long run could not commit"
	assert_gitdir_clean
	assert_fsck
}

@test "commits attack: a submodule the command adds (a repository it made, deep down) has its .git set aside; git status outside runs nothing" {
	run gc 'hook_text > x.sh; chmod +x x.sh
		mkdir -p deep/a/b && git init -q deep/a/b/evil && git -C deep/a/b/evil config core.fsmonitor "$PWD/x.sh"
		git -C deep/a/b/evil commit -q --allow-empty -m e
		git add deep/a/b/evil 2>/dev/null && git commit -qm "add evil" && echo ADDED'
	assert_output_has ADDED
	# set aside by the check of new repositories (its config runs something:
	# supervise/newrepo.c) or by the gitlink check, whichever sees it first
	[[ "$output" == *"evil/.git: a submodule's repository the command made"* ||
		"$output" == *"evil/.git: the command made this repository, and its config sets core.fsmonitor"* ]] ||
		fail "the new submodule's .git was not said to be set aside: $output"
	[ ! -e "$WS/deep/a/b/evil/.git" ] || fail "the new submodule's .git is still in place"
	touch "$WS/deep/a/b/evil/new"
	assert_nothing_ran
}

@test "commits attack: a submodule the command adds whose own repository holds nothing that runs still has its .git set aside (git status would enter it)" {
	run gc 'mkdir -p deep/a/b && git init -q deep/a/b/plainsub
		git -C deep/a/b/plainsub -c user.name=a -c user.email=a@example.invalid commit -q --allow-empty -m e
		git add deep/a/b/plainsub 2>/dev/null && git commit -qm "add plainsub" && echo ADDED'
	assert_output_has ADDED
	assert_output_has "plainsub/.git: a submodule's repository the command made"
	[ ! -e "$WS/deep/a/b/plainsub/.git" ] || fail "the new submodule's .git is still in place"
}

@test "control: a submodule the command adds with its own core.fsmonitor runs in the developer's git status" {
	plain 'hook_text > x.sh; chmod +x x.sh
		mkdir -p deep/a/b && git init -q deep/a/b/evil && git -C deep/a/b/evil config core.fsmonitor "$PWD/x.sh"
		git -C deep/a/b/evil commit -q --allow-empty -m e
		git add deep/a/b/evil 2>/dev/null && git commit -qm "add evil"'
	touch "$WS/deep/a/b/evil/new"
	assert_it_ran
}

@test "gitlinks: a submodule deeper than protect_depth is protected in both modes; an unpopulated one cannot be populated" {
	new_repo "$OTHER/lib"
	dev_git "$WS" submodule -q add "$OTHER/lib" deep/a/b/lib
	dev_git "$WS" submodule -q add "$OTHER/lib" deep/a/b/empty
	dev_git "$WS" commit -qm "add subs"
	# an unpopulated submodule: its directory empty, its gitdir gone
	rm -rf "$WS/deep/a/b/empty" "$WS/.git/modules/deep/a/b/empty"
	mkdir "$WS/deep/a/b/empty"
	# index version 4 (prefix-compressed paths), as feature.manyFiles sets
	dev_git "$WS" update-index --index-version 4
	local mode
	for mode in read-only commits; do
		run corral run --git "$mode" -- env MARK="$MARK" HOME="$HOME" bash -c "$SB_PRELUDE"'
			printf "#!/bin/sh\necho \"\$0\" >> %s\n" "$MARK" > x.sh; chmod +x x.sh
			must_fail "git -C deep/a/b/lib config core.fsmonitor \$PWD/x.sh"
			must_fail "echo \"[core] fsmonitor = \$PWD/x.sh\" >> .git/modules/deep/a/b/lib/config"
			must_fail "git init -q deep/a/b/empty"
			must_fail "mv deep/a/b/empty deep/a/b/gone"
			must_fail "rm -rf deep/a/b/lib/.git"
			echo SB-END'
		refute_output_has ESCAPE
		assert_output_has SB-END
	done
	touch "$WS/deep/a/b/lib/new"
	assert_nothing_ran
}

@test "commits attack: a gitlink whose path runs through a link to another repository of the developer's leaves that repository alone" {
	new_repo "$OTHER/proj2/sub"
	run gc 'git update-index --add --cacheinfo "160000,$(git rev-parse HEAD),deep/sub" && ln -s "$OTHER/proj2" deep && echo PLANTED'
	assert_output_has PLANTED
	refute_output_has "set aside"
	[ -d "$OTHER/proj2/sub/.git" ] || fail "corral set aside the .git of a repository outside the workspace, reached through a link"
}
