#!/usr/bin/env bats
# Protected names below the top of a writable root (plan/nested.h): the ones
# that exist down to protect_depth levels are read-only like the top-level
# ones; one the command creates is reported after the run and protected from
# the next run on.

load helpers

setup() {
	common_setup
	git init -q "$WS/sub"
	printf '#!/bin/sh\nexit 0\n' > "$WS/sub/.git/hooks/pre-commit"
	mkdir -p "$WS/vendor/lib/.git/hooks" "$WS/a/b/c/.git" "$WS/pkg/.codex"
	printf '[core]\n' > "$WS/vendor/lib/.git/config"
	printf '[core]\n' > "$WS/a/b/c/.git/config"
	printf 'model = "x"\n' > "$WS/pkg/.codex/config.toml"
	snap nested "$WS/sub/.git" "$WS/vendor/lib/.git" "$WS/pkg/.codex"
}
teardown() {
	chmod -R u+rwX "$WS" 2> /dev/null
	common_teardown
}

@test "nested: sub/.git and pkg/.codex one level down are read-only by default" {
	run sb 'must_fail "echo evil > sub/.git/hooks/post-checkout"
		must_fail "echo evil >> sub/.git/hooks/pre-commit"
		must_fail "git -C sub config core.fsmonitor \"touch $OUT/pwned\""
		must_fail "rm -rf sub/.git"
		must_fail "mv sub/.git sub/g"
		must_fail "echo evil >> pkg/.codex/config.toml"
		must_work "echo fine > sub/file && echo fine > pkg/file"'
	assert_sb_clean
	assert_same_snap nested "$WS/sub/.git" "$WS/vendor/lib/.git" "$WS/pkg/.codex"
	[ "$(cat "$WS/sub/file")" = fine ]
}

@test "nested: --protect-depth 2 reaches vendor/lib/.git; deeper stays writable (the documented limit)" {
	run sb --protect-depth 2 'must_fail "echo evil > vendor/lib/.git/hooks/post-checkout"
		must_fail "echo evil >> vendor/lib/.git/config"
		must_work "echo x >> a/b/c/.git/config"'
	assert_sb_clean
	assert_same_snap nested "$WS/sub/.git" "$WS/vendor/lib/.git" "$WS/pkg/.codex"
	run corral explain --protect-depth 2
	assert_output_has "$WS/vendor/lib/.git"
	assert_output_has "down to 2 levels"
	refute_output_has "$WS/a/b/c/.git "
}

@test "nested: --protect-depth 0 protects only the top level" {
	run sb --protect-depth 0 'must_work "echo x >> sub/.git/description"'
	assert_sb_clean
}

@test "nested: a .git the command creates is reported after the run, and protected from the next run on" {
	run sb 'must_work "git init -q new && mkdir -p pkg2/.agents"'
	assert_sb_clean
	assert_output_has "the command created $WS/new/.git"
	assert_output_has "the command created $WS/pkg2/.agents"
	# The same names made by a later run are not new: no report.
	run sb 'true'
	assert_sb_clean
	refute_output_has "the command created"
	# From the next run on they are protected.
	run sb 'must_fail "echo evil > new/.git/hooks/post-checkout"
		must_fail "git -C new config core.fsmonitor evil"
		must_fail "touch pkg2/.agents/x"'
	assert_sb_clean
	[ ! -e "$WS/new/.git/hooks/post-checkout" ]
}

@test "nested: a .git made in a new directory tree, a renamed directory or through a symlink is reported; one in an existing directory set aside" {
	run sb 'must_work "mkdir -p fresh/deeper && mkdir fresh/.git"
		must_work "mkdir src/.git"
		must_work "mkdir tmpdir && mkdir tmpdir/.codex && mv tmpdir moved"
		must_work "ln -s /nonexistent link && ln -s ../README.md src/.corral.toml"'
	assert_sb_clean
	assert_output_has "the command created $WS/fresh/.git"
	assert_output_has "$WS/src/.git: the command made this .git in a directory that was there before the run"
	[ ! -e "$WS/src/.git" ] || fail "src/.git, made in a directory of the developer's, is still there"
	ls -a "$WS/src" | grep -q '^\.git\.corral-refused-' || fail "src/.git was not set aside: $(ls -a "$WS/src")"
	assert_output_has "the command created $WS/moved/.codex"
	assert_output_has "the command created $WS/src/.corral.toml"
}

@test "nested: a directory the scan cannot read fails the next run (125), naming it" {
	run sb 'must_work "mkdir -p hidden/.git && chmod 000 hidden"'
	assert_sb_clean
	assert_output_has "cannot check for protected names"
	run corral run -- true
	[ "$status" -eq 125 ] || fail "expected 125, got $status"
	assert_output_has "cannot read $WS/hidden"
	assert_output_has "protect_depth"
}

@test "nested: the scan does not follow a symlink out of the workspace" {
	mkdir -p "$OUT/repo/.git"
	printf '[core]\n' > "$OUT/repo/.git/config"
	ln -s "$OUT/repo" "$WS/linked"
	run corral explain --protect-depth 3
	[ "$status" -eq 0 ] || { show_output; fail "explain failed"; }
	refute_output_has "$OUT/repo/.git"
	refute_output_has "$WS/linked/.git"
}

@test "nested: a workspace config cannot lower protect_depth" {
	printf 'protect_depth = 0\n' > "$WS/.corral.toml"
	run corral run -- true
	[ "$status" -eq 125 ] || fail "expected 125, got $status"
	assert_output_has "protect_depth"
	assert_output_has "may only narrow"
	printf 'protect_depth = 2\n' > "$WS/.corral.toml"
	run sb 'must_fail "echo evil >> vendor/lib/.git/config"'
	assert_sb_clean
}

@test "nested: a name that differs only in case (sub2/.GIT) is protected too" {
	# On a case-insensitive filesystem git finds .GIT as .git; the test
	# machines' filesystems are case-sensitive, so this checks the rule.
	mkdir -p "$WS/sub2/.GIT"
	printf '[core]\n' > "$WS/sub2/.GIT/config"
	run sb 'must_fail "echo evil >> sub2/.GIT/config"'
	assert_sb_clean
	[ "$(cat "$WS/sub2/.GIT/config")" = "[core]" ]
}

@test "nested: a later run reads only the directories that changed (the scan kept between runs)" {
	# Enough entries for the scan to be worth keeping (CACHE_MIN_ENTRIES).
	mkdir "$WS/pkg/many"
	for i in $(seq 2100); do : > "$WS/pkg/many/f$i"; done
	sleep 2.1 # older than the scan's two-second margin for coarse timestamps
	run sb --protect-depth 2 'true'
	assert_sb_clean
	mkdir "$WS/vendor/lib2"
	if ! backend_is users; then
		# (With --backend users the runner plans, as the sandbox user, from
		# the scan kept in that user's state; explain shows corral's own.)
		# Read again: the new directory, vendor (it changed) and the workspace
		# (the placeholders of its missing protected names came and went).
		run corral explain --protect-depth 2
		assert_output_has "(10 directories, 3 read, the rest unchanged"
	fi
	mkdir "$WS/vendor/lib2/.git"
	run corral explain --protect-depth 2
	assert_output_has "$WS/vendor/lib2/.git"
	run sb --protect-depth 2 'must_fail "touch vendor/lib2/.git/hooks"'
	assert_sb_clean
}

# A repository the command makes in a directory of its own: git run there
# later (the developer's, or an IDE's that finds repositories below the
# workspace, as VS Code does one level down) runs its config and hooks.
NEW_REPO_ATTACKS='must_work "git init -q evil1 && git -C evil1 config core.fsmonitor \"touch $OUT/pwned-fsmonitor; false\""
	must_work "git init -q evil2 && printf \"#!/bin/sh\ntouch $OUT/pwned-hook\n\" > evil2/.git/hooks/post-checkout && chmod +x evil2/.git/hooks/post-checkout"
	must_work "git init -q evil3 && git -C evil3 config include.path ../../inc && printf \"[core]\n\tpager = touch $OUT/pwned-pager\n\" > inc"
	must_work "git init -q --bare evil4 && git -C evil4 config core.bare false && git -C evil4 config core.worktree . && git -C evil4 config core.fsmonitor \"touch $OUT/pwned-bare; false\""'

# The developer's git in each of the command's new repositories.
dev_git_in_new() {
	local d
	for d in evil1 evil2 evil3 evil4; do
		(cd "$WS/$d" && git status > /dev/null 2>&1; git checkout -q -b x > /dev/null 2>&1; git -c core.pager=cat log > /dev/null 2>&1) || true
	done
}

@test "nested: files made and removed beside the scanned directories meanwhile (another run's placeholders) do not make the scan give up" {
	# Times of a directory move with every entry made or removed in it; the
	# scan starts over when they do. Four runs at once on one workspace, each
	# placing its placeholders at the top, made each other's scans start over
	# until they gave up (125: "kept changing"). What the scan looks at
	# (subdirectories, protected names) did not change: it goes on.
	require_python
	# enough directories that one scan outlasts a tick of the clock that
	# stamps directory times (a few ms): every scan sees the churn
	mkdir "$WS"/d{1..3000}
	bg "$PYTHON" -c 'import os, sys, time
end = time.time() + 30
while time.time() < end:
    for d in sys.argv[1:]:
        os.close(os.open(d + "/churn", os.O_CREAT | os.O_WRONLY, 0o600))
        os.unlink(d + "/churn")' "$WS" "$WS/sub"
	local churn=$BG_PID i refused=0 other=() last=
	sleep 0.2
	kill -0 "$churn" || fail "the churn did not start"
	for ((i = 0; i < 8; i++)); do
		run corral run -- sh -c 'echo evil > sub/.git/hooks/post-checkout 2>/dev/null && echo ESCAPE; exit 0'
		case $status in
		0) [[ $output != *ESCAPE* ]] || other+=("escape: $output") ;;
		125) refused=$((refused + 1)) last=$output ;;
		*) other+=("$status: $output") ;;
		esac
	done
	kill "$churn" || fail "the churn stopped before the runs ended"
	wait "$churn" 2> /dev/null || true
	echo "# 8 runs: $refused refused (125)" >&3
	[ "${#other[@]}" -eq 0 ] || fail "unexpected:" "${other[@]}"
	[ "$refused" -eq 0 ] || fail "$refused of 8 runs gave up on a workspace whose directories held still: $last"
	[ ! -e "$WS/sub/.git/hooks/post-checkout" ] || fail "a hook was written"
}

@test "nested: a repository swapped with another directory during the scan is never left writable: each run refused (125) or its .git read-only" {
	mkdir "$WS/other"
	bg "$HELPERS/swaploop" "$WS/sub" "$WS/other" 30 200
	local racer=$BG_PID i ok=0 refused=0 other=()
	sleep 0.1
	kill -0 "$racer" || fail "the racer did not start"
	for ((i = 0; i < 20; i++)); do
		run corral run -- sh -c 'for d in sub other; do echo evil > $d/.git/hooks/post-checkout 2>/dev/null && echo "ESCAPE $d"; done; exit 0'
		case $status in
		0) ok=$((ok + 1)); [[ $output != *ESCAPE* ]] || other+=("escape: $output") ;;
		125) refused=$((refused + 1)) ;;
		*) other+=("$status: $output") ;;
		esac
	done
	kill "$racer" 2> /dev/null || true
	wait "$racer" 2> /dev/null || true
	echo "# 20 runs: $ok ran, $refused refused (125)" >&3
	[ "${#other[@]}" -eq 0 ] || fail "unexpected:" "${other[@]}"
	[ ! -e "$WS/sub/.git/hooks/post-checkout" ] && [ ! -e "$WS/other/.git/hooks/post-checkout" ] || fail "a hook was written"
}

@test "control: without corral, a repository the command makes runs its config and hooks in the developer's git there" {
	(cd "$WS" && OUT=$OUT bash -c "must_work() { eval \"\$1\"; }; $NEW_REPO_ATTACKS")
	dev_git_in_new
	[ -e "$OUT/pwned-fsmonitor" ] && [ -e "$OUT/pwned-bare" ] || fail "control: the planted fsmonitors did not run"
}

@test "nested: a repository the command makes with config or hooks that run something is set aside after the run" {
	run sb "$NEW_REPO_ATTACKS"
	assert_sb_clean
	assert_output_has "$WS/evil1/.git: the command made this repository, and its config sets core.fsmonitor"
	assert_output_has "$WS/evil2/.git: the command made this repository, and its hooks/ holds a hook"
	assert_output_has "$WS/evil3/.git: the command made this repository, and its config sets include.path"
	assert_output_has "$WS/evil4/HEAD: the command made this repository, and its config sets core.worktree"
	[ ! -e "$WS/evil1/.git" ] && [ ! -e "$WS/evil2/.git" ] && [ ! -e "$WS/evil3/.git" ] && [ ! -e "$WS/evil4/HEAD" ]
	dev_git_in_new
	local f
	for f in "$OUT"/pwned-*; do
		[ ! -e "$f" ] || fail "the developer's git ran what the command planted: $f"
	done
}

# Repositories the command makes holding what corral refuses in the ones it
# knows (docs/design.md, "Refused after the run"): an index entry git refuses
# (../../../.bashrc), a link in the gitdir (COMMIT_EDITMSG -> ~/.bashrc), an
# interactive rebase stopped before an exec line. Config and hooks are git
# init's. The plant is a script (the same inside and, for the control, out).
write_state_plant() {
	cat > "$T/plant-state.sh" <<'PLANT'
set -e
c() { git -c user.name=a -c user.email=a@example.invalid "$@"; }
git init -q evil5 && cd evil5
b=$(printf 'touch %s/pwned-index\n' "$OUT" | git hash-object -w --stdin)
git update-index --add --cacheinfo "100644,$b,qzzzzzzzzzbashrc"
python3 -c 'import hashlib
p = ".git/index"; d = open(p, "rb").read()[:-20]
d = d.replace(b"qzzzzzzzzzbashrc", b"../../../.bashrc")
open(p, "wb").write(d + hashlib.sha1(d).digest())'
cd .. && git init -q evil6 && ln -s "$HOME/.bashrc" evil6/.git/COMMIT_EDITMSG
git init -q evil7 && cd evil7 && echo 1 > f && git add f && c commit -qm one && echo 2 > f && c commit -qam two
GIT_SEQUENCE_EDITOR="printf 'break\nexec touch $OUT/pwned-rebase\n' >" c rebase -q -i HEAD~1 > /dev/null 2>&1 || true
test -d .git/rebase-merge
echo PLANTED
PLANT
}

# The developer's routine git in each: restore the files, commit, go on.
dev_git_in_state() {
	(cd "$WS/evil5" && git checkout -- . > /dev/null 2>&1) || true
	(cd "$WS/evil6" && git -c user.name=d -c user.email=d@example.invalid commit -q --allow-empty -m 'dev msg' > /dev/null 2>&1) || true
	(cd "$WS/evil7" && git -c user.name=d -c user.email=d@example.invalid rebase --continue > /dev/null 2>&1) || true
}

@test "control: without corral, a new repository's forged index, gitdir link and stopped rebase write ~/.bashrc and run an exec line" {
	require_python
	write_state_plant
	cp "$FAKEHOME/.bashrc" "$T/bashrc.before"
	(cd "$WS" && OUT=$OUT sh "$T/plant-state.sh") | grep -q PLANTED || fail "control: the plant failed"
	dev_git_in_state
	! cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" || fail "control: ~/.bashrc unchanged"
	[ -e "$OUT/pwned-rebase" ] || fail "control: the exec line did not run"
}

@test "nested: a new repository with a forged index, a link in its gitdir or a stopped rebase is set aside; the developer's git writes nothing outside" {
	require_python
	write_state_plant
	cp "$FAKEHOME/.bashrc" "$T/bashrc.before"
	run sb 'sh "$T/plant-state.sh"'
	assert_output_has PLANTED
	assert_sb_clean
	assert_output_has "$WS/evil5/.git: the command made this repository, and its index names ../../../.bashrc"
	assert_output_has "$WS/evil6/.git: the command made this repository, and its git directory holds a link"
	assert_output_has "$WS/evil7/.git: the command made this repository, and it holds a rebase"
	[ ! -e "$WS/evil5/.git" ] && [ ! -e "$WS/evil6/.git" ] && [ ! -e "$WS/evil7/.git" ]
	dev_git_in_state
	cmp -s "$T/bashrc.before" "$FAKEHOME/.bashrc" || fail "the developer's git wrote ~/.bashrc: $(cat "$FAKEHOME/.bashrc")"
	[ ! -e "$OUT/pwned-rebase" ] && [ ! -e "$OUT/pwned-index" ] || fail "the developer's git ran what the command planted"
}

@test "nested: a repository the command inits or clones with nothing that runs stays, and is protected from the next run on" {
	run sb 'must_work "git init -q mine && git -C mine config user.name agent && git -C mine config user.email a@example.invalid"
		must_work "git -C mine commit -q --allow-empty -m one"
		must_work "git clone -q mine copy 2>/dev/null"'
	assert_sb_clean
	assert_output_has "the command created $WS/mine/.git"
	[ -d "$WS/mine/.git" ] && [ -d "$WS/copy/.git" ]
	[ "$(git -C "$WS/copy" log --format=%s)" = one ]
	run sb 'must_fail "git -C copy config core.fsmonitor evil"'
	assert_sb_clean
}

@test "nested: a repository the command makes deeper than protect_depth, in directories it made, is set aside too; a harmless one stays" {
	run sb 'must_work "mkdir -p deep/x/y && git init -q deep/x/y && git -C deep/x/y config core.fsmonitor \"touch $OUT/pwned-deep; false\""
		must_work "mkdir -p sub/new/z && git init -q sub/new/z && git -C sub/new/z config alias.st \"!touch $OUT/pwned-alias\""
		must_work "mkdir -p fine/a/b && git init -q fine/a/b"'
	assert_sb_clean
	assert_output_has "$WS/deep/x/y/.git: the command made this repository, and its config sets core.fsmonitor"
	assert_output_has "$WS/sub/new/z/.git: the command made this repository, and its config sets alias.st"
	[ ! -e "$WS/deep/x/y/.git" ] && [ ! -e "$WS/sub/new/z/.git" ] && [ -d "$WS/fine/a/b/.git" ]
	(cd "$WS/deep/x/y" && git status > /dev/null 2>&1) || true
	(cd "$WS/sub/new/z" && git st > /dev/null 2>&1) || true
	[ ! -e "$OUT/pwned-deep" ] && [ ! -e "$OUT/pwned-alias" ] || fail "the developer's git ran what the command planted"
}

GIT_ID='export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@a GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@a'

# kept_aside NAME: NAME/.git is gone and set aside beside it
kept_aside() {
	[ ! -e "$WS/$1/.git" ] || fail "$1/.git is still there"
	ls -a "$WS/$1" | grep -q '^\.git\.corral-refused-' || fail "$1/.git was not set aside: $(ls -a "$WS/$1")"
}

@test "nested attack: hooks in a new repository where the developer's global relative core.hooksPath leads set it aside" {
	git config --global core.hooksPath .githooks
	run sb "$GIT_ID"'
		git init -q gh && mkdir gh/.githooks && printf "#!/bin/sh\ntouch $OUT/pwned-globalhook\n" > gh/.githooks/pre-commit
		chmod +x gh/.githooks/pre-commit && echo PLANTED'
	assert_sb_clean
	assert_output_has PLANTED
	assert_output_has "global core.hooksPath (.githooks)"
	kept_aside gh
	(cd "$WS/gh" && git -c user.name=d -c user.email=d@d commit -q --allow-empty -m x > /dev/null 2>&1) || true
	[ ! -e "$OUT/pwned-globalhook" ] || fail "the developer's commit ran the hook the command planted"
	git config --global --unset core.hooksPath
}

@test "nested: a new repository with commits, branches, a tag and a finished merge is kept" {
	run sb "$GIT_ID"'
		git init -q work && cd work && echo a > a && git add a && git commit -q -m one
		git checkout -q -b side && echo b > b && git add b && git commit -q -m two
		git checkout -q - && git merge -q --no-ff --no-edit side && git tag v1 && git gc -q && echo MADE'
	assert_sb_clean
	assert_output_has MADE
	refute_output_has "work/.git: the command made this repository"
	[ -d "$WS/work/.git" ] || fail "a harmless repository was set aside"
	[ "$(git -C "$WS/work" rev-list --count HEAD)" = 3 ]
}

@test "control: without corral, hooks where the developer's global relative core.hooksPath leads run at the next commit" {
	git config --global core.hooksPath .githooks
	git init -q "$WS/gh" && mkdir "$WS/gh/.githooks"
	printf '#!/bin/sh\ntouch %s/pwned-globalhook\n' "$OUT" > "$WS/gh/.githooks/pre-commit" && chmod +x "$WS/gh/.githooks/pre-commit"
	(cd "$WS/gh" && git -c user.name=d -c user.email=d@d commit -q --allow-empty -m x > /dev/null 2>&1) || true
	git config --global --unset core.hooksPath
	[ -e "$OUT/pwned-globalhook" ] || fail "control: the global hooksPath hook did not run"
}

# The workspace has no repository yet: the developer's own git init later
# makes its top the place the relative global core.hooksPath leads from.
@test "nested attack: hooks where the developer's global relative core.hooksPath leads, at the top of a workspace with no repository yet, cannot be made" {
	git config --global core.hooksPath .githooks
	[ ! -e "$WS/.git" ] || skip "the test workspace is a repository"
	run sb 'must_fail "mkdir -p .githooks && printf \"#!/bin/sh\ntouch $OUT/pwned-futurehook\n\" > .githooks/pre-commit"'
	assert_sb_clean
	[ ! -e "$WS/.githooks" ] || fail "the command made $WS/.githooks"
	(cd "$WS" && git init -q && git -c user.name=d -c user.email=d@d commit -q --allow-empty -m x > /dev/null 2>&1) || true
	git config --global --unset core.hooksPath
	[ ! -e "$OUT/pwned-futurehook" ] || fail "the developer's first commit ran the hook the command planted"
}

@test "control: without corral, hooks left where the global relative core.hooksPath leads run at the first commit after git init" {
	git config --global core.hooksPath .githooks
	mkdir "$WS/.githooks" && printf '#!/bin/sh\ntouch %s/pwned-futurehook\n' "$OUT" > "$WS/.githooks/pre-commit"
	chmod +x "$WS/.githooks/pre-commit"
	(cd "$WS" && git init -q && git -c user.name=d -c user.email=d@d commit -q --allow-empty -m x > /dev/null 2>&1) || true
	git config --global --unset core.hooksPath
	[ -e "$OUT/pwned-futurehook" ] || fail "control: the hook did not run"
}

@test "control: without corral, a repository made deep in new directories runs its fsmonitor in the developer's git status there" {
	mkdir -p "$WS/deep/x/y" && git init -q "$WS/deep/x/y" && git -C "$WS/deep/x/y" config core.fsmonitor "touch $OUT/pwned-deep; false"
	(cd "$WS/deep/x/y" && git status > /dev/null 2>&1) || true
	[ -e "$OUT/pwned-deep" ] || fail "control: the planted fsmonitor did not run"
}
