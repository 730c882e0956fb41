#!/usr/bin/env bats
# --git commits where the gitdir is written in place (issue 9): the users
# backend (tests/elevated/run.sh runs this file with --backend users), and
# userns with the test switch CORRAL_TEST_GIT_NO_OVERLAY, which gives it the
# users backend's mechanism. There the command writes the developer's
# objects/ itself, so after the run corral checks what it wrote
# (supervise/gitverify.h, docs/design.md "Git in commits mode"): a loose
# object whose contents do not hash to its name, a pack whose .idx lies, or
# alternates and commit-graphs it wrote, are set aside; git's own .idx
# replaces the command's; replace refs it made are removed. The controls: the same attacks without corral
# (plain), and with the binary before the check (the attacks succeed).

load helpers
load gitcommits

setup() {
	common_setup
	command -v git > /dev/null || skip "git is not installed"
	backend_is userns || backend_is users || skip "the gitdirs are written in place on the userns (test switch) and users backends"
	backend_is userns && export CORRAL_TEST_GIT_NO_OVERLAY=1
	MARK=$OUT/ran-$TOKEN
	OTHER=$T/other
	mkdir -p "$OTHER"
	export MARK OTHER
	export GIT_CONFIG_NOSYSTEM=1
	printf '[user]\n\temail = dev@example.invalid\n\tname = dev\n[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n' \
		> "$FAKEHOME/.gitconfig"
	new_repo "$WS"
}

assert_fsck() {
	dev_git "$WS" fsck --strict --no-progress > "$T/fsck" 2>&1 || { cat "$T/fsck" >&2; fail "git fsck failed in $WS"; }
}

evil_id() { printf 'evil\n' | dev_git "$WS" hash-object --stdin; }

@test "commits in place attack: a loose object planted under the id of a file the developer commits later is set aside" {
	run gc "$PLANT_LOOSE"
	assert_success
	local h
	h=$(good_id)
	assert_commit_good
	assert_output_has "$WS/.git/objects/${h:0:2}/${h:2}: a loose object whose contents hash to $(evil_id), not to its name"
	assert_output_has "it was set aside as ${h:2}.corral-refused-"
	# the command's own object (its true id) stays
	[ "$(dev_git "$WS" cat-file -p "$(evil_id)")" = evil ] || fail "an honest loose object of the run was taken away"
}

@test "control: a loose object planted in place under the id of a file the developer commits later replaces its content in the commit" {
	plain "$PLANT_LOOSE"
	printf 'good\n' > "$WS/g.txt"
	dev_git "$WS" add g.txt
	dev_git "$WS" commit -qm good
	[ "$(dev_git "$WS" show HEAD:g.txt)" = evil ] || fail "control: the planted object did not replace the content"
}

@test "commits in place attack: an object the developer has, rewritten in place (chmod, same name), is set aside, not taken for its content" {
	local one
	one=$(dev_git "$WS" rev-parse HEAD:f.txt)
	run gc 'O=$(git rev-parse HEAD:f.txt); E=$(printf "evil\n" | git hash-object -w --stdin)
		F=.git/objects/${O:0:2}/${O:2}; chmod u+w $F; cat .git/objects/${E:0:2}/${E:2} > $F; chmod 444 $F
		git cat-file -p $O'
	assert_success
	assert_output_has evil # (inside, the rewritten object holds)
	local got
	got=$(dev_git "$WS" show HEAD:f.txt 2> /dev/null) || true
	[ "$got" != evil ] || fail "the developer's git takes the command's content for f.txt of the developer's commit"
	assert_output_has "objects/${one:0:2}/${one:2}: a loose object whose contents hash to $(evil_id)"
}

@test "commits in place attack: an object moved in from a directory the command prepared in an earlier run (its old change time) is set aside" {
	local h
	h=$(good_id)
	# run 1 leaves the forged object in .git/lfs (git's state, writable, not objects/)
	run gc 'H=$(printf "good\n" | git hash-object --stdin); E=$(printf "evil\n" | git hash-object -w --stdin)
		mkdir -p .git/lfs/${H:0:2}; cp .git/objects/${E:0:2}/${E:2} .git/lfs/${H:0:2}/${H:2}'
	assert_success
	sleep 1.1
	# run 2 moves the file in, then the whole directory
	run gc 'H=$(printf "good\n" | git hash-object --stdin)
		mkdir -p .git/objects/${H:0:2}; ln .git/lfs/${H:0:2}/${H:2} .git/objects/${H:0:2}/${H:2} && echo LINKED'
	assert_success
	assert_output_has LINKED
	[ "$(dev_git "$WS" cat-file -p "$h" 2> /dev/null)" != evil ] || fail "the developer's git takes the linked-in object for $h"
	assert_output_has "objects/${h:0:2}/${h:2}: a loose object whose contents hash to $(evil_id)"
	rm -rf "$WS/.git/objects/${h:0:2}"
	run gc 'H=$(printf "good\n" | git hash-object --stdin); mv .git/lfs/${H:0:2} .git/objects/ && echo MOVED'
	assert_success
	assert_output_has MOVED
	assert_commit_good
	assert_output_has "objects/${h:0:2}/${h:2}: a loose object whose contents hash to $(evil_id)"
}

@test "commits in place attack: a pack whose .idx gives its object the id of a file the developer commits later gets git's own .idx" {
	command -v python3 > /dev/null || skip "python3 is not installed (it forges the .idx)"
	run gc "$PLANT_PACK"
	assert_success
	assert_output_has evil # (inside, the forged .idx holds)
	assert_commit_good
	assert_output_has "an .idx that does not index its pack as git does"
	[ "$(dev_git "$WS" cat-file -p "$(evil_id)")" = evil ] || fail "the run's pack is not there under git's own index"
	for p in "$WS"/.git/objects/pack/*.idx; do
		dev_git "$WS" verify-pack "$p" > /dev/null || fail "git verify-pack fails on $p"
	done
}

@test "commits in place attack: a pack with a lying .idx moved in from where an earlier run left it (its files' old change times) gets git's own .idx" {
	command -v python3 > /dev/null || skip "python3 is not installed (it forges the .idx)"
	run gc "$PLANT_PACK"'
		mkdir -p .git/lfs; mv .git/objects/pack/pack-* .git/lfs/'
	assert_success
	sleep 1.1
	run gc 'mv .git/lfs/pack-* .git/objects/pack/ && git cat-file -p $(printf "good\n" | git hash-object --stdin)'
	assert_success
	assert_output_has evil # (inside, the forged .idx holds)
	assert_commit_good
	assert_output_has "an .idx that does not index its pack as git does"
}

@test "commits in place attack: a pack named by another checksum, or holding a tree git fsck refuses, is set aside" {
	run gc 'E=$(printf "evil\n" | git hash-object -w --stdin)
		P=$(echo $E | git pack-objects -q .git/objects/pack/pack)
		mv .git/objects/pack/pack-$P.pack .git/objects/pack/pack-0000000000000000000000000000000000000000.pack
		mv .git/objects/pack/pack-$P.idx .git/objects/pack/pack-0000000000000000000000000000000000000000.idx
		T=$(printf "100644 blob %s\t.git\n" "$E" | git mktree)
		Q=$(echo $T | git pack-objects -q .git/objects/pack/pack); rm -f .git/objects/${T:0:2}/${T:2}; echo "Q=$Q"'
	assert_success
	assert_output_has "pack-0000000000000000000000000000000000000000.pack: a pack whose name is not its checksum"
	[ ! -e "$WS/.git/objects/pack/pack-0000000000000000000000000000000000000000.idx" ] || fail "a pack named by another checksum is still indexed"
	local q
	q=$(printf '%s\n' "$output" | sed -n 's/^Q=//p')
	[ -n "$q" ] || fail "the command made no pack of the tree"
	assert_output_has "pack-$q.pack: a pack that git index-pack --strict refuses"
	assert_output_has "hasDotgit"
	[ ! -e "$WS/.git/objects/pack/pack-$q.idx" ] || fail "a pack holding a tree git fsck refuses is still indexed"
	assert_fsck
}

@test "commits in place attack: alternates the command wrote (objects named by another's id, elsewhere) are set aside" {
	run gc 'H=$(printf "good\n" | git hash-object --stdin); E=$(printf "evil\n" | git hash-object -w --stdin)
		mkdir -p alt/${H:0:2}; cp .git/objects/${E:0:2}/${E:2} alt/${H:0:2}/${H:2}
		echo "$PWD/alt" > .git/objects/info/alternates; git cat-file -p $H'
	assert_success
	assert_output_has evil
	assert_commit_good
	assert_output_has "$WS/.git/objects/info/alternates: alternates the command wrote"
	[ ! -e "$WS/.git/objects/info/alternates" ] || fail "the command's alternates are still there"
}

@test "commits in place attack: replace refs the command made (one loose, one packed) are removed; the developer's git reads each object's own content" {
	run gc "$PLANT_REPLACE"
	assert_success
	assert_output_has evil # (inside, the replacement holds)
	assert_no_replacement
	assert_fsck
	assert_output_has "$WS/.git/refs/replace/$(good_id): a replace ref"
	assert_output_has "from $WS/.git/packed-refs: a replace ref"
}

@test "control: a replace ref the command made shows its content for the developer's own commit" {
	plain "$PLANT_REPLACE"
	printf 'good\n' > "$WS/g.txt"
	dev_git "$WS" add g.txt
	dev_git "$WS" commit -qm good
	[ "$(dev_git "$WS" show HEAD:g.txt)" = evil ] || fail "control: the replace ref did not replace the content"
}

@test "commits in place: an honest run's loose objects and git gc's pack stay, its commit-graph is set aside, and git fsck --full passes outside" {
	run gc 'printf "two\n" > f.txt; git commit -qam two
		printf "three\n" > f.txt; git commit -qam three; git gc -q; echo "PACKED=$(git rev-parse HEAD)"
		printf "four\n" > f.txt; git commit -qam four; echo "LAST=$(git rev-parse HEAD)"'
	assert_success
	refute_output_has "a loose object"
	refute_output_has "a pack"
	refute_output_has ".idx"
	local packed last
	packed=$(printf '%s\n' "$output" | sed -n 's/^PACKED=//p')
	last=$(printf '%s\n' "$output" | sed -n 's/^LAST=//p')
	[ "$(dev_git "$WS" rev-parse HEAD)" = "$last" ] || fail "the run's last commit is not HEAD outside"
	[ "$(dev_git "$WS" show "$packed":f.txt)" = three ] || fail "the packed commit's content is not there outside"
	[ "$(dev_git "$WS" show HEAD:f.txt)" = four ] || fail "the loose commit's content is not there outside"
	local p n=0
	for p in "$WS"/.git/objects/pack/*.idx; do
		dev_git "$WS" verify-pack "$p" > /dev/null || fail "git verify-pack fails on $p"
		n=$((n + 1))
	done
	[ "$n" -ge 1 ] || fail "the run's gc pack is gone"
	if [ -e "$WS/.git/objects/info/commit-graph" ] || ls "$WS/.git/objects/info/" | grep -q commit-graph; then
		assert_output_has "a commit-graph the command wrote"
		[ ! -e "$WS/.git/objects/info/commit-graph" ] || fail "the run's commit-graph is still read by git"
	fi
	dev_git "$WS" fsck --full --strict --no-progress > "$T/fsck" 2>&1 || { cat "$T/fsck" >&2; fail "git fsck --full failed"; }
	# objects of the developer's files are the developer's (an idmapped
	# workspace under the users backend): none is the sandbox user's
	local other
	other=$(find "$WS/.git/objects" ! -user "$(id -u)" | head -3)
	[ -z "$other" ] || fail "files in objects/ not owned by the developer: $other"
}

@test "commits in place: in a repository of object format sha256 a loose object planted under the id of another is set aside, the honest ones stay" {
	rm -rf "$WS/.git"
	git init -q --object-format=sha256 "$WS" 2> /dev/null || skip "this git cannot make a sha256 repository"
	dev_git "$WS" add f.txt
	dev_git "$WS" commit -qm init
	run gc 'printf "two\n" > f.txt; git commit -qam two; echo "LAST=$(git rev-parse HEAD)"
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

@test "commits in place: corral killed (SIGKILL) after the command planted an object: it is set aside (by the next run on userns)" {
	mkfifo "$WS/go"
	bg "$CORRAL" run --git commits -- bash -c "$PLANT_LOOSE"'
		touch ready; read go < go' > "$T/b.out" 2>&1
	local apid=$BG_PID
	wait_for_file "$WS/ready" 150
	kill -KILL "$apid"
	wait "$apid" 2> /dev/null || true
	sleep 1
	rm -f "$WS/go" "$WS/ready"
	run corral run -- true
	assert_success
	# (the users backend's runner is not killed with corral: it checks itself)
	output="$(cat "$T/b.out")
$output"
	local h
	h=$(good_id)
	assert_output_has "objects/${h:0:2}/${h:2}: a loose object whose contents hash to $(evil_id)"
	assert_commit_good
	[ -z "$(ls -A "$XDG_CACHE_HOME"/corral/workspaces/*/gitruns/ 2> /dev/null)" ] ||
		fail "the killed run's marker or work directory is left: $(ls -A "$XDG_CACHE_HOME"/corral/workspaces/*/gitruns/)"
}

# Protected names in what the run commits (the scripts: gitcommits.bash).
# In place the command wrote the developer's refs itself: after the run each
# ref, HEAD, ORIG_HEAD and reflog entry that would bring one into the
# worktree is set back (supervise/gitrefs.h); the controls without corral
# are gitcommits_review.bats'.

assert_nothing_written() {
	[ ! -e "$WS/.vscode/tasks.json" ] && [ ! -e "$WS/.claude/settings.json" ] ||
		fail "the developer's git wrote a protected name the command committed: $(ls -la "$WS/.vscode" "$WS/.claude" 2>&1)"
	assert_fsck
}

@test "commits in place attack: a branch, ORIG_HEAD or stash whose tree adds .vscode/tasks.json is set back; the developer's checkout, reset or stash pop writes nothing" {
	local before; before=$(dev_git "$WS" rev-parse HEAD)
	run gc "$COMMIT_PROTECTED"
	assert_output_has COMMITTED
	assert_output_has SB-END
	assert_output_has "it points at a commit whose tree adds or changes a protected name"
	assert_output_has "refs/heads/agent"
	[ "$(dev_git "$WS" rev-parse HEAD)" = "$before" ] || fail "HEAD moved"
	! dev_git "$WS" rev-parse -q --verify agent > /dev/null || fail "the run's branch agent is still there"
	[ -z "$(dev_git "$WS" stash list)" ] || fail "the run's stash is in the developer's stash list: $(dev_git "$WS" stash list)"
	dev_git "$WS" checkout -q agent > /dev/null 2>&1 || true
	dev_git "$WS" stash pop -q > /dev/null 2>&1 || true
	dev_git "$WS" reset -q --hard ORIG_HEAD > /dev/null 2>&1 || true
	dev_git "$WS" reset -q --hard 'HEAD@{1}' > /dev/null 2>&1 || true
	assert_nothing_written
}

@test "commits in place attack: a commit adding .vscode/tasks.json below one that removes it sets the branch back; the developer's revert or checkout writes nothing" {
	local before; before=$(dev_git "$WS" rev-parse HEAD)
	run gc "$BURIED_PROTECTED"
	assert_output_has COMMITTED
	assert_output_has SB-END
	assert_output_has "it points at a commit below which commit"
	assert_output_has "it was set back to its value before the run ($before;"
	[ "$(dev_git "$WS" rev-parse HEAD)" = "$before" ] || fail "main was not set back"
	! dev_git "$WS" rev-parse -q --verify agent > /dev/null || fail "the run's branch agent is still there"
	dev_git "$WS" revert --no-edit HEAD > /dev/null 2>&1 || true
	dev_git "$WS" checkout -q HEAD~1 > /dev/null 2>&1 || true
	dev_git "$WS" checkout -q - > /dev/null 2>&1 || true
	dev_git "$WS" reset -q --hard 'HEAD@{2}' > /dev/null 2>&1 || true
	assert_nothing_written
}

@test "commits in place attack: a stash adding .vscode/tasks.json leaves the stash list with the developer's own entry only" {
	printf 'wip\n' >> "$WS/f.txt" && dev_git "$WS" stash -q
	run gc "$STASH_PROTECTED"
	assert_output_has STASHED
	assert_output_has SB-END
	[ "$(dev_git "$WS" stash list | grep -c .)" = 1 ] || fail "the command's stash is in the developer's stash list: $(dev_git "$WS" stash list)"
	dev_git "$WS" stash pop -q > /dev/null 2>&1 || fail "the developer's own stash does not pop"
	grep -q wip "$WS/f.txt" || fail "the developer's stash is not the one left"
	assert_nothing_written
}

@test "commits in place: honest commits, branches and a stash stay, with the developer's own history under protected names" {
	mkdir -p "$WS/.vscode" && printf '{"a":1}\n' > "$WS/.vscode/settings.json"
	dev_git "$WS" add .vscode/settings.json && dev_git "$WS" commit -q -m vscode
	printf '{"a":2}\n' > "$WS/.vscode/settings.json" && dev_git "$WS" commit -q -am vscode2
	dev_git "$WS" branch old HEAD~1
	run gc 'echo two > f.txt && git commit -q -am two && git branch topic && echo three > f.txt && git stash -q &&
		git merge -q --no-edit old 2>/dev/null; git log --oneline | grep -q two && echo COMMITTED'
	assert_output_has COMMITTED
	refute_output_has "under a protected name"
	refute_output_has "set back"
	[ "$(dev_git "$WS" log -1 --format=%s topic)" = two ] || fail "the run's branch is not there"
	[ "$(dev_git "$WS" stash list | grep -c .)" = 1 ] || fail "the run's stash is not there"
	assert_fsck
}

@test "commits in place: corral killed (SIGKILL) after the command made a branch whose tree adds .vscode/tasks.json: the next run deletes it" {
	mkfifo "$WS/go"
	bg "$CORRAL" run --git commits -- bash -c "$STAGE_PROTECTED"'
		git -c user.email=a@example.invalid -c user.name=a commit -q -m tidy && git branch agent; git reset -q --soft HEAD~1; git reset -q; touch ready; read go < go' > "$T/b.out" 2>&1
	local apid=$BG_PID
	wait_for_file "$WS/ready" 150
	kill -KILL "$apid"
	wait "$apid" 2> /dev/null || true
	sleep 1
	rm -f "$WS/go" "$WS/ready"
	run corral run -- true
	assert_success
	output="$(cat "$T/b.out")
$output"
	assert_output_has "refs/heads/agent: it points at a commit whose tree adds or changes a protected name"
	! dev_git "$WS" rev-parse -q --verify agent > /dev/null || fail "the killed run's branch agent is still there"
	dev_git "$WS" checkout -q agent > /dev/null 2>&1 || true
	assert_nothing_written
}

@test "commits in place attack: a stash reflog line in upper case, a checkout message and FETCH_HEAD naming the command's commit are removed; the developer's stash stays" {
	printf 'wip\n' >> "$WS/f.txt" && dev_git "$WS" stash -q
	BASE=$(dev_git "$WS" rev-parse HEAD)
	run gc "$FORGED_ENTRIES"
	assert_output_has FORGED
	assert_output_has SB-END
	[ "$(dev_git "$WS" stash list | grep -c .)" = 1 ] || fail "the stash list is not the developer's: $(dev_git "$WS" stash list)"
	local taken; taken=$(forged_takers)
	[ -z "$taken" ] || fail "the developer's git wrote a protected name through:$taken"
	assert_fsck
}

@test "commits in place attack: a branch that is a symbolic ref to FETCH_HEAD, BISECT_START and an upper-case padded HEAD naming the command's commit are set back or aside" {
	run gc "$INPLACE_FORGED"
	assert_output_has FORGED
	assert_output_has SB-END
	[ "$(dev_git "$WS" symbolic-ref HEAD)" = refs/heads/main ] || fail "HEAD was not set back: $(head -c 100 "$WS/.git/HEAD")"
	! dev_git "$WS" rev-parse -q --verify foo > /dev/null || fail "the branch foo is still there"
	dev_git "$WS" checkout -q foo > /dev/null 2>&1 || true
	dev_git "$WS" bisect reset > /dev/null 2>&1 || true
	dev_git "$WS" reset -q --hard > /dev/null 2>&1 || true
	assert_nothing_written
}

@test "commits in place attack: trees git would not write (an entry named .vscode/tasks.json, entries out of order) are set aside and their branches deleted" {
	run gc "$TREE_FORGED"
	assert_output_has FORGED
	assert_output_has SB-END
	assert_output_has "a loose tree"
	local taken; taken=$(tree_takers)
	[ -z "$taken" ] || fail "the developer's git checkout wrote .vscode/tasks.json from:$taken"
}

@test "commits in place attack: a shallow file the command wrote does not hide a commit below the tip that adds .vscode/tasks.json" {
	run gc "$BURIED_PROTECTED"'
		git rev-parse agent > .git/shallow && git log --oneline agent | grep -c . | grep -qx 1 && echo SHALLOW'
	assert_output_has SHALLOW
	assert_output_has "it points at a commit below which commit"
	! dev_git "$WS" rev-parse -q --verify agent > /dev/null || fail "the run's branch agent is still there"
	rm -f "$WS/.git/shallow"
	dev_git "$WS" revert --no-edit HEAD > /dev/null 2>&1 || true
	assert_nothing_written
}

@test "commits in place attack: a checkout message naming COMMIT_EDITMSG that holds the command's commit, and a tab-less entry, are removed" {
	run gc "$FORGED_ENTRIES2"
	assert_output_has FORGED
	assert_output_has SB-END
	local taken; taken=$(forged2_takers)
	[ -z "$taken" ] || fail "the developer's git wrote a protected name through:$taken"
}

@test "commits in place attack: description named by a checkout message, a MERGE_AUTOSTASH and HEAD through a ref 40 levels deep are set aside or back" {
	run gc "$INPLACE_FORGED2"
	assert_output_has FORGED
	assert_output_has SB-END
	assert_output_has "it was deleted"
	dev_git "$WS" reset -q --hard > /dev/null 2>&1 || true
	assert_nothing_written
	dev_git "$WS" checkout -q -f main > /dev/null 2>&1 || true
	dev_git "$WS" checkout -q - > /dev/null 2>&1 || true
	dev_git "$WS" checkout -q -f main > /dev/null 2>&1 || true
	rm -rf "$WS/.vscode" "$WS/.claude"
	dev_git "$WS" merge --abort > /dev/null 2>&1 || true
	assert_nothing_written
}

@test "commits in place: the developer's long reflogs and all-hex branch names in them stay whole after a run that commits" {
	dev_git "$WS" branch add
	dev_git "$WS" checkout -q add && dev_git "$WS" checkout -q main
	for i in $(seq 300); do dev_git "$WS" commit -q --allow-empty -m "c$i"; done
	local before; before=$(wc -l < "$WS/.git/logs/HEAD")
	run gc 'echo two > f.txt && git commit -q -am two && echo COMMITTED'
	assert_output_has COMMITTED
	refute_output_has "was removed"
	[ "$(wc -l < "$WS/.git/logs/HEAD")" = $((before + 1)) ] || fail "logs/HEAD has $(wc -l < "$WS/.git/logs/HEAD") lines, not $((before + 1))"
	grep -q "checkout: moving from add to main" "$WS/.git/logs/HEAD" || fail "the developer's checkout entry was removed"
}
