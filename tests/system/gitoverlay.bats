#!/usr/bin/env bats
# --git commits on userns (issue 9, docs/design.md "The gitdirs are
# overlays"): the command writes only an overlay over each gitdir, so the
# developer's git, run while the run lasts, sees none of what it does; after
# the run corral imports git's state (objects, refs, reflogs, HEAD and the
# like, the index) and nothing else. The control shows the window without
# the overlays (the test switch CORRAL_TEST_GIT_NO_OVERLAY keeps the gitdir
# written in place, as the users backend still does).

load helpers
load gitcommits

overlay_only() { backend_is userns || skip "the gitdirs are overlays on the userns backend only (docs/design.md)"; }

# The command's half: plants what git outside would act on, makes a commit,
# a branch and a tag, then waits on the fifo $WS/go (the test's signal).
PLANT='printf "#!/bin/sh\necho \"\$0\" >> %s\n" "$MARK" > x.sh; chmod +x x.sh
	rm -f .git/FETCH_HEAD; ln -s "$HOME/.bashrc" .git/FETCH_HEAD
	mkdir -p .git/modules/x; printf "[core]\n\tfsmonitor = $PWD/x.sh\n" > .git/modules/x/config
	cp x.sh .git/hooks/post-commit 2> /dev/null || echo HOOK-REFUSED
	git init -q evil && git -C evil config core.fsmonitor "$PWD/x.sh" && git -C evil commit -q --allow-empty -m e
	git add evil 2> /dev/null
	echo two >> f.txt; git commit -qam two; git branch sneaky; git tag t-run
	touch ready; read go < go; echo WOKE'

# The developer's git while the run waits: a fetch (an IDE's), a status,
# and what it shows of the command's work.
dev_during() {
	dev_git "$WS" fetch -q "$WS" > /dev/null 2>&1 || true
	dev_git "$WS" status > /dev/null 2>&1 || true
	touch "$WS/evil/new" 2> /dev/null || true
	dev_git "$WS" status > /dev/null 2>&1 || true
	dev_git "$WS" branch --list sneaky > "$T/during.branches"
	dev_git "$WS" log --format=%s -1 > "$T/during.head"
	{ [ -L "$WS/.git/FETCH_HEAD" ] && echo LINK; [ -e "$WS/.git/modules/x" ] && echo MODULE; } > "$T/during.seen" || true
}

start_planting() {
	mkfifo "$WS/go"
	cp "$FAKEHOME/.bashrc" "$T/bashrc.before"
	bg "$CORRAL" run --git commits -- env HOME="$HOME" MARK="$MARK" bash -c "$PLANT" > "$T/b.out" 2>&1
	RUN_PID=$BG_PID
	wait_for_file "$WS/ready" 150
}

# (not under bats' run: a subshell cannot wait for the run)
finish_run() {
	echo go > "$WS/go"
	wait "$RUN_PID" || true
	run cat "$T/b.out"
}

# As in gitcommits.bats: the developer's git after the run runs nothing.
assert_nothing_ran() {
	dev_git "$WS" commit -q --allow-empty -m after > /dev/null 2>&1 || true
	dev_git "$WS" status > /dev/null 2>&1 || true
	dev_git "$WS" fetch -q "$WS" > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "something the command planted ran outside the sandbox: $(cat "$MARK")"
}

assert_fsck() {
	dev_git "$WS" fsck --strict --no-progress > "$T/fsck" 2>&1 || { cat "$T/fsck" >&2; fail "git fsck failed in $WS"; }
}

@test "commits overlay concurrent: while the run lasts the developer's git sees none of the command's changes (a FETCH_HEAD link, modules/x with core.fsmonitor, a hook, a submodule, a branch)" {
	overlay_only
	start_planting
	dev_during
	[ ! -s "$T/during.branches" ] || fail "the developer's git saw the command's branch during the run"
	[ "$(cat "$T/during.head")" = init ] || fail "the developer's HEAD moved during the run: $(cat "$T/during.head")"
	[ ! -s "$T/during.seen" ] || fail "the command's plants were in the developer's gitdir during the run: $(cat "$T/during.seen")"
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" || fail "git fetch outside during the run wrote ~/.bashrc through FETCH_HEAD"
	[ ! -e "$MARK" ] || fail "the developer's git ran what the command planted during the run: $(cat "$MARK")"
	finish_run
	assert_output_has WOKE
	assert_output_has HOOK-REFUSED
	# after the run: the commit, branch and tag are in; nothing else is
	[ "$(dev_git "$WS" log --format=%s -1)" = two ] || fail "the run's commit is not the developer's HEAD: $(dev_git "$WS" log --format=%s -1)"
	dev_git "$WS" rev-parse -q --verify sneaky > /dev/null || fail "the run's branch was not imported"
	dev_git "$WS" rev-parse -q --verify t-run > /dev/null || fail "the run's tag was not imported"
	assert_output_has "removed $WS/.git/FETCH_HEAD"
	assert_output_has "$WS/.git/modules/x: a repository the command made"
	[ ! -L "$WS/.git/FETCH_HEAD" ] || fail "the FETCH_HEAD link was imported"
	[ ! -e "$WS/.git/modules/x" ] || fail "the command's modules/x was imported"
	[ ! -e "$WS/.git/hooks/post-commit" ] || fail "a hook was imported"
	[ ! -e "$WS/evil/.git" ] || fail "the submodule the command made still has its .git (git status would enter it)"
	assert_nothing_ran
	assert_fsck
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" || fail "~/.bashrc changed"
	[ -z "$(ls -A "$XDG_CACHE_HOME"/corral/workspaces/*/gitruns/ 2> /dev/null)" ] ||
		fail "the run's layers are left: $(ls -A "$XDG_CACHE_HOME"/corral/workspaces/*/gitruns/)"
}

@test "control: without the overlays (the users backend; on userns CORRAL_TEST_GIT_NO_OVERLAY) the developer's git during the run sees the command's branch and links" {
	export CORRAL_TEST_GIT_NO_OVERLAY=1
	start_planting
	dev_during
	finish_run
	assert_output_has WOKE
	[ -s "$T/during.branches" ] || fail "control: the developer's git did not see the command's branch during the run"
	grep -q LINK "$T/during.seen" || fail "control: the FETCH_HEAD link was not in the developer's gitdir during the run"
	grep -q MODULE "$T/during.seen" || fail "control: modules/x was not in the developer's gitdir during the run"
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" && [ ! -e "$MARK" ] &&
		fail "control: the developer's git during the run neither wrote through the link nor ran the submodule's fsmonitor"
	true
}

@test "commits overlay: a ref the developer changed while the run lasted is kept and the run's change to it reported; the others are imported, deletions too" {
	overlay_only
	dev_git "$WS" tag t-del
	dev_git "$WS" tag t-moved
	dev_git "$WS" branch gone
	dev_git "$WS" branch packed-gone
	dev_git "$WS" pack-refs --all
	dev_git "$WS" branch loose-kept
	mkfifo "$WS/go"
	bg "$CORRAL" run --git commits -- bash -c 'set -e
		git commit -q --allow-empty -m run-main
		git branch run-new; git tag -d t-del t-moved > /dev/null; git branch -q -D gone packed-gone
		git branch -f loose-kept HEAD
		touch ready; read go < go; echo WOKE' > "$T/b.out" 2>&1
	RUN_PID=$BG_PID
	wait_for_file "$WS/ready" 150
	dev_git "$WS" commit -q --allow-empty -m dev-main
	dev_git "$WS" tag -f t-moved > /dev/null
	finish_run
	assert_output_has WOKE
	[ "$(dev_git "$WS" log --format=%s -1 main)" = dev-main ] || fail "the developer's commit on main was overwritten"
	assert_output_has "refs/heads/main changed outside the sandbox while the run lasted"
	dev_git "$WS" rev-parse -q --verify run-new > /dev/null || fail "the run's new branch was not imported"
	[ "$(dev_git "$WS" log --format=%s -1 run-new)" = run-main ] || fail "run-new is not the run's commit"
	[ "$(dev_git "$WS" log --format=%s -1 loose-kept)" = run-main ] || fail "the run's move of loose-kept was not imported"
	! dev_git "$WS" rev-parse -q --verify t-del > /dev/null || fail "the tag the run deleted is still there"
	! dev_git "$WS" rev-parse -q --verify gone > /dev/null || fail "the branch the run deleted is still there"
	! dev_git "$WS" rev-parse -q --verify packed-gone > /dev/null || fail "the packed branch the run deleted is still there"
	dev_git "$WS" rev-parse -q --verify t-moved > /dev/null || fail "the tag the developer moved meanwhile was deleted"
	assert_output_has "t-moved in $WS/.git/packed-refs changed outside the sandbox"
	assert_fsck
}

@test "commits overlay: corral killed (SIGKILL) during the run imports nothing; the next run removes its layers" {
	overlay_only
	bg "$CORRAL" run --git commits -- bash -c 'git commit -q --allow-empty -m killed; git branch killed-branch
		touch ready; sleep 60' > "$T/b.out" 2>&1
	local apid=$BG_PID
	wait_for_file "$WS/ready" 150
	ls -d "$XDG_CACHE_HOME"/corral/workspaces/*/gitruns/*.d > /dev/null 2>&1 || fail "no layers while the run lasts"
	kill -KILL "$apid"
	wait "$apid" || true
	sleep 1
	! dev_git "$WS" rev-parse -q --verify killed-branch > /dev/null || fail "a killed run's branch was imported"
	[ "$(dev_git "$WS" log --format=%s -1)" = init ] || fail "a killed run's commit was imported"
	run corral run --git commits -- true
	assert_success
	assert_output_has "were not imported"
	[ -z "$(ls -A "$XDG_CACHE_HOME"/corral/workspaces/*/gitruns/ 2> /dev/null)" ] ||
		fail "the killed run's layers are left: $(ls -A "$XDG_CACHE_HOME"/corral/workspaces/*/gitruns/)"
	assert_fsck
}

@test "commits overlay: a ref named refs/heads/a..b is not imported; git gc's packs are, and the objects stay" {
	overlay_only
	run gc 'git gc -q
		git rev-parse HEAD > .git/refs/heads/ok; cp .git/refs/heads/ok ".git/refs/heads/bad..name"
		echo "ref: ../../config" > .git/refs/heads/sym'
	assert_success
	dev_git "$WS" rev-parse -q --verify ok > /dev/null || fail "a plain ref was not imported"
	[ ! -e "$WS/.git/refs/heads/bad..name" ] || fail "a ref name git refuses was imported"
	[ ! -e "$WS/.git/refs/heads/sym" ] || fail "a symbolic ref outside refs/ was imported"
	assert_output_has "bad..name: not a ref git would write"
	assert_output_has "refs/heads/sym: not a ref git would write"
	[ -n "$(ls "$WS/.git/objects/pack/"*.pack 2> /dev/null)" ] || fail "the run's gc pack was not imported"
	assert_fsck
}

@test "commits overlay: the run after one killed in its import removes the lock files it left (only those still its own) and its layers" {
	overlay_only
	run corral run --git commits -- true
	assert_success
	local state
	state=$(ls -d "$XDG_CACHE_HOME"/corral/workspaces/*/gitruns)
	[ -d "$state" ] || fail "no gitruns directory in the state directory"
	# what a killed import leaves: its marker (unlocked), its layers, a
	# lock it made (recorded with its device and inode) and one git made
	# since in the place of another it had recorded
	mkdir -p "$state/0123456789abcdef.d/0/upper/refs/heads"
	echo "$(dev_git "$WS" rev-parse HEAD)" > "$state/0123456789abcdef.d/0/upper/refs/heads/half"
	echo x > "$WS/.git/refs/heads/main.lock"
	echo y > "$WS/.git/packed-refs.lock"
	{
		echo "since 0 0"
		echo "O $state/0123456789abcdef.d"
		echo "L $(stat -c '%d %i' "$WS/.git/refs/heads/main.lock") $WS/.git/refs/heads/main.lock"
		echo "L $(stat -c '%d' "$WS/.git/packed-refs.lock") 1 $WS/.git/packed-refs.lock"
	} > "$state/0123456789abcdef"
	# and layers whose marker is gone (a run killed between the two removals)
	mkdir -p "$state/fedcba9876543210.d/0/upper/refs"
	run corral run -- true
	assert_success
	assert_output_has "removed $WS/.git/refs/heads/main.lock"
	[ ! -e "$WS/.git/refs/heads/main.lock" ] || fail "the killed import's lock is left: the developer's git would fail on it"
	[ -e "$WS/.git/packed-refs.lock" ] || fail "a lock that is not the one the killed import made was removed"
	[ ! -e "$state/0123456789abcdef.d" ] || fail "the killed run's layers are left"
	[ ! -e "$state/0123456789abcdef" ] || fail "the killed run's marker is left"
	[ ! -e "$state/fedcba9876543210.d" ] || fail "layers without a marker are left"
	! dev_git "$WS" rev-parse -q --verify half > /dev/null || fail "a killed run's layer was imported"
	rm -f "$WS/.git/packed-refs.lock"
	assert_fsck
}

# (PLANT_LOOSE, PLANT_PACK, good_id, assert_commit_good: gitcommits.bash)

@test "commits attack: a loose object planted under the id of a file the developer commits later is not imported (its contents hash to another id)" {
	overlay_only
	run gc "$PLANT_LOOSE"
	assert_success
	assert_commit_good
	local h
	h=$(good_id)
	assert_output_has "objects/${h:0:2}/${h:2}: a loose object whose contents hash to"
	assert_output_has "a loose object whose contents hash to $(printf 'evil\n' | git hash-object --stdin), not to its name"
}

@test "control: a loose object planted under the id of a file the developer commits later replaces its content in the commit" {
	plain "$PLANT_LOOSE"
	printf 'good\n' > "$WS/g.txt"
	dev_git "$WS" add g.txt
	dev_git "$WS" commit -qm good
	[ "$(dev_git "$WS" show HEAD:g.txt)" = evil ] || fail "control: the planted object did not replace the content"
}

@test "commits attack: a pack whose .idx gives its object the id of a file the developer commits later is imported with git's own .idx (the object under its true id)" {
	overlay_only
	command -v python3 > /dev/null || skip "python3 is not installed (it forges the .idx)"
	run gc "$PLANT_PACK"
	assert_success
	assert_output_has evil # (inside, the forged .idx holds)
	assert_commit_good
	local e
	e=$(printf 'evil\n' | git hash-object --stdin)
	[ "$(dev_git "$WS" cat-file -p "$e")" = evil ] || fail "the run's pack was not imported under git's own index"
}

@test "control: a pack whose .idx gives its object the id of a file the developer commits later replaces its content in the commit" {
	command -v python3 > /dev/null || skip "python3 is not installed (it forges the .idx)"
	run plain "$PLANT_PACK"
	assert_output_has evil
	printf 'good\n' > "$WS/g.txt"
	dev_git "$WS" add g.txt
	dev_git "$WS" commit -qm good
	[ "$(dev_git "$WS" show HEAD:g.txt)" = evil ] || fail "control: the forged .idx did not replace the content"
}

@test "commits attack: a pack named by another checksum, or holding a tree git fsck refuses, is not imported" {
	overlay_only
	run gc 'E=$(printf "evil\n" | git hash-object -w --stdin)
		P=$(echo $E | git pack-objects -q .git/objects/pack/pack)
		mv .git/objects/pack/pack-$P.pack .git/objects/pack/pack-0000000000000000000000000000000000000000.pack
		T=$(printf "100644 blob %s\t.git\n" "$E" | git mktree)
		Q=$(echo $T | git pack-objects -q .git/objects/pack/pack); rm -f .git/objects/${T:0:2}/${T:2}; echo "Q=$Q"'
	assert_success
	assert_output_has "pack-0000000000000000000000000000000000000000.pack: a pack whose name is not its checksum"
	[ ! -e "$WS/.git/objects/pack/pack-0000000000000000000000000000000000000000.pack" ] || fail "a pack named by another checksum was imported"
	local q
	q=$(printf '%s\n' "$output" | sed -n 's/^Q=//p')
	[ -n "$q" ] || fail "the command made no pack of the tree"
	assert_output_has "pack-$q.pack: a pack that git index-pack --strict refuses"
	assert_output_has "hasDotgit"
	[ ! -e "$WS/.git/objects/pack/pack-$q.pack" ] || fail "a pack holding a tree git fsck refuses (.git) was imported"
	[ ! -e "$WS/.git/objects/pack/pack-$q.idx" ] || fail "the command's .idx of a refused pack was imported"
	assert_fsck
}

@test "commits attack: replace refs the command made (one loose, one packed) are not imported" {
	overlay_only
	run gc "$PLANT_REPLACE"
	assert_success
	assert_output_has evil # (inside, the replacement holds)
	assert_no_replacement
	assert_fsck
	assert_output_has "refs/replace/$(good_id): a replace ref"
	assert_output_has "in $WS/.git/packed-refs: a replace ref"
}

@test "commits overlay: an honest run's loose objects and git gc's pack are imported, with git's own .idx, and git fsck --full passes outside" {
	overlay_only
	run gc 'printf "two\n" > f.txt; git commit -qam two
		printf "three\n" > f.txt; git commit -qam three; git gc -q; echo "PACKED=$(git rev-parse HEAD)"
		printf "four\n" > f.txt; git commit -qam four; echo "LAST=$(git rev-parse HEAD)"'
	assert_success
	refute_output_has "not imported"
	refute_output_has "set aside"
	local packed last
	packed=$(printf '%s\n' "$output" | sed -n 's/^PACKED=//p')
	last=$(printf '%s\n' "$output" | sed -n 's/^LAST=//p')
	[ "$(dev_git "$WS" rev-parse HEAD)" = "$last" ] || fail "the run's last commit is not HEAD outside"
	[ "$(dev_git "$WS" show "$packed":f.txt)" = three ] || fail "the packed commit's content is not there outside"
	[ "$(dev_git "$WS" show HEAD:f.txt)" = four ] || fail "the loose commit's content is not there outside"
	local packs
	packs=$(ls "$WS/.git/objects/pack/"*.pack 2> /dev/null)
	[ -n "$packs" ] || fail "the run's gc pack was not imported"
	for p in $packs; do
		dev_git "$WS" verify-pack "${p%.pack}.idx" > /dev/null || fail "git verify-pack fails on $p"
	done
	dev_git "$WS" fsck --full --strict --no-progress > "$T/fsck" 2>&1 || { cat "$T/fsck" >&2; fail "git fsck --full failed"; }
}

@test "commits overlay: in a repository of object format sha256 the run's loose objects and gc pack are imported, and one planted under the id of another is not" {
	overlay_only
	rm -rf "$WS/.git"
	git init -q --object-format=sha256 "$WS" 2> /dev/null || skip "this git cannot make a sha256 repository"
	dev_git "$WS" add f.txt
	dev_git "$WS" commit -qm init
	run gc 'printf "two\n" > f.txt; git commit -qam two; git gc -q
		printf "three\n" > f.txt; git commit -qam three; echo "LAST=$(git rev-parse HEAD)"
		'"$PLANT_LOOSE"
	assert_success
	local last h
	last=$(printf '%s\n' "$output" | sed -n 's/^LAST=//p')
	[ "${#last}" = 64 ] || fail "the run's commit id is not a SHA-256 one: $last"
	[ "$(dev_git "$WS" rev-parse HEAD)" = "$last" ] || fail "the run's last commit is not HEAD outside"
	h=$(good_id)
	assert_output_has "objects/${h:0:2}/${h:2}: a loose object whose contents hash to"
	assert_commit_good
	dev_git "$WS" fsck --full --strict --no-progress > "$T/fsck" 2>&1 || { cat "$T/fsck" >&2; fail "git fsck --full failed"; }
}
