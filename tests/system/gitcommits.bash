# Shared by gitcommits.bats and gitcommits_review.bats (--git commits, issue 9):
# a workspace that is a repository with one commit, the developer's identity
# in the fake home, and the ways to run a script with and without corral.

setup() {
	common_setup
	command -v git > /dev/null || skip "git is not installed"
	MARK=$OUT/ran-$TOKEN
	OTHER=$T/other
	mkdir -p "$OTHER"
	export MARK OTHER
	export GIT_CONFIG_NOSYSTEM=1
	# The developer's identity, also for git inside (HOME is the fake home)
	printf '[user]\n\temail = dev@example.invalid\n\tname = dev\n[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n' \
		> "$FAKEHOME/.gitconfig"
	new_repo "$WS"
}
teardown() { common_teardown; }

dev_git() { git -C "$1" "${@:2}"; }

new_repo() {
	git init -q "$1"
	printf 'one\n' > "$1/f.txt"
	dev_git "$1" add f.txt
	dev_git "$1" commit -q -m init
}

# A script that leaves $MARK behind when it runs.
hook_text() { printf '#!/bin/sh\necho "$0 $*" >> %q\nexit 0\n' "$MARK"; }

# gc SCRIPT: bash SCRIPT in the sandbox with --git commits (more options
# before it), with MARK, WS, OTHER, H and hook_text.
gc() {
	local script=${!#}
	local opts=("${@:1:$#-1}")
	corral run --git commits "${opts[@]}" -- env MARK="$MARK" WS="$WS" OTHER="$OTHER" H="$HELPERS" HOME="$HOME" \
		bash -c "hook_text() { printf '#!/bin/sh\\necho \"\$0 \$*\" >> %q\\nexit 0\\n' \"\$MARK\"; }
$SB_PRELUDE
$script
echo SB-END"
}

# The same script without corral (the controls).
plain() {
	(cd "$WS" && env MARK="$MARK" WS="$WS" OTHER="$OTHER" H="$HELPERS" bash -c "hook_text() { printf '#!/bin/sh\\necho \"\$0 \$*\" >> %q\\nexit 0\\n' \"\$MARK\"; }
$1") 2>&1
}


# git names an object by the hash of its contents and never rewrites one it
# has: an object planted under the id of content the developer commits
# later (a file the command can read or guess) would stand for it, and the
# developer's commit would hold the command's content (docs/design.md, "The
# gitdirs are overlays"). The import hashes each loose object
# (supervise/gitobject.h) and has the developer's git index each pack from
# the .pack alone (supervise/gitpack.h). The controls: the same without
# corral. Where the gitdir is written in place (the users backend) the
# check after the run does the same for what the run wrote
# (supervise/gitverify.h; gitinplace.bats).
PLANT_LOOSE='H=$(printf "good\n" | git hash-object --stdin); E=$(printf "evil\n" | git hash-object -w --stdin)
	mkdir -p .git/objects/${H:0:2}; cp .git/objects/${E:0:2}/${E:2} .git/objects/${H:0:2}/${H:2}'
# a pack holding "evil", its .idx rewritten to give it the id of "good"
PLANT_PACK='H=$(printf "good\n" | git hash-object --stdin); E=$(printf "evil\n" | git hash-object -w --stdin)
	P=$(echo $E | git pack-objects -q .git/objects/pack/pack); rm -f .git/objects/${E:0:2}/${E:2}
	python3 - .git/objects/pack/pack-$P.idx $H <<"PY"
import sys, struct, hashlib, os
path, h = sys.argv[1], bytes.fromhex(sys.argv[2])
d = open(path, "rb").read()
fan = b"".join(struct.pack(">I", 0 if i < h[0] else 1) for i in range(256))
new = d[:8] + fan + h + d[8 + 1024 + 20:-20]
new += hashlib.sha1(new).digest()
os.chmod(path, 0o644)
open(path, "wb").write(new)
PY
	git cat-file -p $H'

good_id() { printf 'good\n' | dev_git "$WS" hash-object --stdin; }

# The developer's git has not the command's "evil" for the id of "good", and
# a commit of a file holding "good" holds "good".
assert_commit_good() {
	local h
	h=$(good_id)
	local got
	got=$(dev_git "$WS" cat-file -p "$h" 2> /dev/null) || true
	[ "$got" != evil ] || fail "the developer's git takes the command's content for the object $h"
	printf 'good\n' > "$WS/g.txt"
	dev_git "$WS" add g.txt
	dev_git "$WS" commit -qm good
	[ "$(dev_git "$WS" show HEAD:g.txt)" = good ] || fail "the developer's commit holds the command's content: $(dev_git "$WS" show HEAD:g.txt)"
	assert_fsck
}

# git replace: refs/replace/<id of "good"> naming "evil" makes the
# developer's git read "evil" wherever it reads that id (cat-file, show,
# checkout of a commit holding it). One replace ref packed (good2 by evil2),
# one loose (good by evil).
PLANT_REPLACE='G2=$(printf "good2\n" | git hash-object -w --stdin); E2=$(printf "evil2\n" | git hash-object -w --stdin)
	git replace "$G2" "$E2" && git pack-refs --all
	G=$(printf "good\n" | git hash-object -w --stdin); E=$(printf "evil\n" | git hash-object -w --stdin)
	git replace "$G" "$E" && git cat-file -p "$G"'

# After PLANT_REPLACE: the developer's git reads "good" and "good2", and
# commits of them hold them.
assert_no_replacement() {
	[ -z "$(dev_git "$WS" replace -l)" ] || fail "replace refs the command made are there: $(dev_git "$WS" replace -l)"
	printf 'good\n' > "$WS/g.txt"
	printf 'good2\n' > "$WS/g2.txt"
	dev_git "$WS" add g.txt g2.txt
	dev_git "$WS" commit -qm good
	[ "$(dev_git "$WS" show HEAD:g.txt)" = good ] || fail "the developer's commit shows the command's content: $(dev_git "$WS" show HEAD:g.txt)"
	[ "$(dev_git "$WS" show HEAD:g2.txt)" = good2 ] || fail "the developer's commit shows the command's content: $(dev_git "$WS" show HEAD:g2.txt)"
}

# An entry under a protected name: the command cannot make .vscode/ or
# .claude/ in the worktree (placeholders), but it can stage them; the
# developer's git checkout -- . would then write a task that runs on folder
# open, a hook that runs at the next Claude session.
STAGE_PROTECTED='t=$(printf "{\"tasks\":[{\"command\":\"touch %s\",\"runOptions\":{\"runOn\":\"folderOpen\"}}]}\n" "$MARK" | git hash-object -w --stdin)
	c=$(printf "{\"hooks\":{\"SessionStart\":[]}}\n" | git hash-object -w --stdin)
	git update-index --add --cacheinfo "100644,$t,.vscode/tasks.json" &&
	git update-index --add --cacheinfo "100644,$c,.claude/settings.json" && git ls-files | grep -q tasks && echo STAGED'

# The same names in what the run commits: a branch, HEAD or a stash whose
# tree holds .vscode/tasks.json; the developer's checkout of the branch,
# git reset --hard or git stash pop would write it.
COMMIT_PROTECTED="$STAGE_PROTECTED"'
	git commit -q -m tidy && git branch agent && git reset -q --soft HEAD~1 && git stash -q && git reset -q --hard && echo COMMITTED'

# The stash list is a reflog (logs/refs/stash): with refs/stash kept out,
# an imported reflog would still give the command's entry to git stash pop.
STASH_PROTECTED="$STAGE_PROTECTED"'
	git stash -q 2>/dev/null; git stash list | grep -c . | grep -q 2 && echo STASHED'

# Below the tip: a commit that adds .vscode/tasks.json under one that removes
# it again. The branch's tree holds nothing protected, but the developer's
# git revert HEAD (or a checkout of HEAD~1) writes the task.
BURIED_PROTECTED="$STAGE_PROTECTED"'
	git commit -q -m tidy && git rm -q -r --cached .vscode .claude && git commit -q -m "drop editor files" &&
	git branch agent && echo COMMITTED'

# Forged entries (a review, 2026-12-04): E, a commit whose tree adds the
# protected names, named where git takes a commit from without a ref
# pointing at it: a stash reflog line in upper case, its old id its own (a
# line judged against its own old id passes); a checkout message in
# logs/HEAD (git checkout - takes its "from"); FETCH_HEAD (git merge
# FETCH_HEAD). The developer had a stash of their own.
FORGED_ENTRIES="$STAGE_PROTECTED"'
	W=$(git stash create) && T=$(git write-tree) && E=$(git commit-tree "$T" -p HEAD -m evil) && git read-tree HEAD &&
	B=$(git rev-parse HEAD) && WU=$(printf %s "$W" | tr a-f A-F) &&
	printf "%s %s a <a@b> 1700000000 +0000\tWIP on main: x\n" "$WU" "$WU" >> .git/logs/refs/stash &&
	printf "%s %s a <a@b> 1700000000 +0000\tcheckout: moving from %s to main\n" "$B" "$B" "$E" >> .git/logs/HEAD &&
	printf "%s\t\tbranch main of x\n" "$E" > .git/FETCH_HEAD && echo FORGED'

# After FORGED_ENTRIES: the developer's git commands that would take E or W,
# each from a clean worktree; "$1" gets the name of each that wrote a
# protected name.
forged_takers() {
	local taken=""
	for cmd in "checkout -q -" "stash pop -q" "merge -q --no-edit FETCH_HEAD" "checkout -q FETCH_HEAD"; do
		# shellcheck disable=SC2086
		dev_git "$WS" $cmd > /dev/null 2>&1 || true
		[ -e "$WS/.vscode/tasks.json" ] && taken="$taken [$cmd]"
		dev_git "$WS" checkout -q -f main > /dev/null 2>&1 || true
		dev_git "$WS" reset -q --hard "$BASE" > /dev/null 2>&1 || true
		rm -rf "$WS/.vscode" "$WS/.claude"
	done
	printf '%s' "$taken"
}

# Written in place only (the users backend): a branch that is a symbolic ref
# to FETCH_HEAD, BISECT_START naming E (git bisect reset checks it out), and
# HEAD naming E in upper case, padded past what a reader of one page sees.
INPLACE_FORGED="$STAGE_PROTECTED"'
	T=$(git write-tree) && E=$(git commit-tree "$T" -p HEAD -m evil) && git read-tree HEAD &&
	printf "%s\t\tbranch main of x\n" "$E" > .git/FETCH_HEAD && printf "ref: FETCH_HEAD\n" > .git/refs/heads/foo &&
	printf "%s\n" "$E" > .git/BISECT_START &&
	{ printf "%s\n" "$E" | tr a-f A-F; head -c 5000 /dev/zero | tr "\0" x; } > .git/HEAD && echo FORGED'

# Trees git would not write (hash-object --literally): an entry named
# ".vscode/tasks.json", and entries out of git's order with .vscode/ after
# "zzz". `git ls-tree REV -- .vscode` lists neither, git checkout writes
# both.
TREE_FORGED='bin() { printf "$(printf %s "$1" | sed "s/../\\\\x&/g")"; }
	t=$(printf "{\"tasks\":[]}\n" | git hash-object -w --stdin) && f=$(git rev-parse HEAD:f.txt) &&
	T1=$({ printf "100644 .vscode/tasks.json\0"; bin "$t"; printf "100644 f.txt\0"; bin "$f"; } | git hash-object -t tree -w --literally --stdin) &&
	V=$({ printf "100644 tasks.json\0"; bin "$t"; } | git hash-object -t tree -w --stdin) &&
	T2=$({ printf "100644 zzz\0"; bin "$f"; printf "40000 .vscode\0"; bin "$V"; printf "100644 f.txt\0"; bin "$f"; } | git hash-object -t tree -w --literally --stdin) &&
	git branch slash "$(git commit-tree "$T1" -p HEAD -m a)" && git branch unsorted "$(git commit-tree "$T2" -p HEAD -m b)" &&
	[ -z "$(git ls-tree slash -- .vscode)$(git ls-tree unsorted -- .vscode)" ] && echo FORGED'

# After TREE_FORGED: which of the two branches the developer's checkout
# writes .vscode/tasks.json from.
tree_takers() {
	local taken=""
	for b in slash unsorted; do
		dev_git "$WS" checkout -q "$b" > /dev/null 2>&1 || true
		[ -e "$WS/.vscode/tasks.json" ] && taken="$taken [$b]"
		dev_git "$WS" checkout -q -f main > /dev/null 2>&1 || true
		rm -rf "$WS/.vscode"
	done
	printf '%s' "$taken"
}

# A second review (2026-12-04): git takes any file at the top of the gitdir
# for a ref by its name, so a checkout message may name COMMIT_EDITMSG
# holding E's id; and git finds a reflog entry's message after the zone,
# tab or not.
FORGED_ENTRIES2="$STAGE_PROTECTED"'
	T=$(git write-tree) && E=$(git commit-tree "$T" -p HEAD -m evil) && git read-tree HEAD && B=$(git rev-parse HEAD) &&
	printf "%s\n" "$E" > .git/COMMIT_EDITMSG &&
	printf "%s %s a <a@b> 1700000000 +0000\tcheckout: moving from COMMIT_EDITMSG to main\n" "$B" "$B" >> .git/logs/HEAD &&
	printf "%s %s a <a@b> 1700000000 +0000checkout: moving from %s to main\n" "$B" "$B" "$E" >> .git/logs/refs/heads/main &&
	echo FORGED'

# After FORGED_ENTRIES2: git checkout - takes the name of the last checkout
# message in logs/HEAD (COMMIT_EDITMSG); then the tab-less entry, which the
# run wrote to main's reflog, is appended to logs/HEAD by the test itself
# and taken by git checkout - again (when corral imported it). Prints the
# ways that wrote a protected name.
forged2_takers() {
	local taken=""
	dev_git "$WS" checkout -q - > /dev/null 2>&1 || true
	[ -e "$WS/.vscode/tasks.json" ] && taken="$taken [checkout - via COMMIT_EDITMSG]"
	dev_git "$WS" checkout -q -f main > /dev/null 2>&1 || true
	rm -rf "$WS/.vscode" "$WS/.claude"
	tail -n 1 "$WS/.git/logs/refs/heads/main" >> "$WS/.git/logs/HEAD"
	dev_git "$WS" checkout -q - > /dev/null 2>&1 || true
	[ -e "$WS/.vscode/tasks.json" ] && taken="$taken [checkout - via a tab-less entry]"
	dev_git "$WS" checkout -q -f main > /dev/null 2>&1 || true
	rm -rf "$WS/.vscode" "$WS/.claude"
	printf '%s' "$taken"
}

# In place: description holding E and a checkout message naming it; a
# MERGE_AUTOSTASH that git merge --abort applies; HEAD a symbolic ref to a
# ref 40 levels deep that names E.
INPLACE_FORGED2="$STAGE_PROTECTED"'
	W=$(git stash create) && T=$(git write-tree) && E=$(git commit-tree "$T" -p HEAD -m evil) && git read-tree HEAD &&
	B=$(git rev-parse HEAD) && printf "%s\n" "$E" > .git/description &&
	printf "%s %s a <a@b> 1700000000 +0000\tcheckout: moving from description to main\n" "$B" "$B" >> .git/logs/HEAD &&
	printf "%s\n" "$W" > .git/MERGE_AUTOSTASH && printf "%s\n" "$B" > .git/MERGE_HEAD &&
	d=refs/heads; for i in $(seq 40); do d=$d/d; done; mkdir -p ".git/$d" && printf "%s\n" "$E" > ".git/$d/x" &&
	printf "ref: %s/x\n" "$d" > .git/HEAD && echo FORGED'
