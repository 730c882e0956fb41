#!/usr/bin/env bats
# Pinning (plan/protect.c): whatever corral protects below the top of a
# writable root stays where it is for the whole run. A read-only mount over
# sub/.git pins that name, not its parents: without pins the command renames
# sub away, puts its own sub/.git (a hook, core.fsmonitor) at the old path,
# and the developer's git runs it. Each attack below is the whole attack; the
# checks after it are made from outside, with the developer's own git.
# controls.bats: "control: renaming the parent of a repository and planting
# a .git there runs the planted fsmonitor outside" shows the attack works
# without corral.

load helpers

setup() {
	common_setup
	git init -q "$WS/sub"
	printf '[core]\n\trepositoryformatversion = 0\n' >> "$WS/sub/.git/config"
	mkdir "$WS/other"
}
teardown() {
	chmod -R u+rwX "$WS" 2> /dev/null
	common_teardown
}

# plant DIR: the attack's second half, as one shell string: a fresh
# repository at DIR whose fsmonitor and post-checkout hook touch $OUT/pwned-*.
plant() {
	printf '%s' "git init -q $1 && git -C $1 config core.fsmonitor \"touch \$OUT/pwned-fsmonitor\" && printf \"#!/bin/sh\\ntouch \$OUT/pwned-hook\\n\" > $1/.git/hooks/post-checkout && chmod +x $1/.git/hooks/post-checkout"
}

# The developer's git, outside, in DIR: status runs core.fsmonitor.
assert_git_runs_nothing_planted() {
	git -C "$1" status > /dev/null 2>&1 || true
	[ ! -e "$OUT/pwned-fsmonitor" ] || fail "the developer's git ran a planted core.fsmonitor in $1"
	[ ! -e "$OUT/pwned-hook" ] || fail "a planted hook ran"
	[ ! -e "$1/.git/hooks/post-checkout" ] || fail "a hook was planted in $1/.git"
}

@test "pinning: the parent of a protected sub/.git cannot be renamed, exchanged or replaced; git outside runs nothing planted" {
	local ino
	ino=$(stat -c %i "$WS/sub/.git")
	run sb "must_fail 'mv sub sub.moved && $(plant sub)'
		must_fail '\$H/rename_exchange sub other'
		must_fail 'mv -T other sub'
		must_fail 'rmdir sub'
		must_work 'echo fine > sub/file && mkdir sub/dir && mv sub/dir sub/dir2 && rm sub/file'
		must_work 'mv sub/dir2 moved-out'"
	assert_sb_clean
	[ -d "$WS/moved-out" ] && [ ! -e "$WS/sub.moved" ] || fail "the run moved the wrong things"
	[ "$(stat -c %i "$WS/sub/.git")" = "$ino" ] || fail "$WS/sub/.git is another directory after the run"
	assert_git_runs_nothing_planted "$WS/sub"
}

@test "pinning: the ancestors of a nested .git file's gitdir cannot be renamed; git outside runs nothing planted" {
	mkdir "$WS/sub2" "$WS/modules"
	git init -q --separate-git-dir "$WS/modules/sub2" "$WS/sub2"
	[ -f "$WS/sub2/.git" ] || skip "git did not make a .git file"
	local ino
	ino=$(stat -c %i "$WS/modules/sub2")
	run sb "must_fail 'mv modules modules.old && mkdir -p modules && cp -r modules.old/sub2 modules/ && git --git-dir=modules/sub2 config core.fsmonitor \"touch \$OUT/pwned-fsmonitor\"'
		must_fail '\$H/rename_exchange modules other'
		must_fail 'echo x >> modules/sub2/config'
		must_work 'echo fine > modules/notes'"
	assert_sb_clean
	[ "$(stat -c %i "$WS/modules/sub2")" = "$ino" ] || fail "the gitdir is another directory after the run"
	assert_git_runs_nothing_planted "$WS/sub2"
	run corral explain
	assert_output_has "clone $WS/modules -> "
}

@test "pinning: the ancestors of a protected symlink's target cannot be renamed; the target keeps its content" {
	mkdir -p "$WS/cfg/codex"
	printf 'model = "x"\n' > "$WS/cfg/codex/config.toml"
	ln -s cfg/codex "$WS/.codex"
	run sb "must_fail 'mv cfg cfg.old && mkdir -p cfg/codex && echo evil > cfg/codex/config.toml'
		must_fail '\$H/rename_exchange cfg other'
		must_fail 'echo evil > cfg/codex/config.toml'
		must_work 'echo fine > cfg/notes'"
	assert_sb_clean
	[ "$(cat "$WS/.codex/config.toml")" = 'model = "x"' ] || fail "the protected target was replaced"
	[ ! -e "$WS/cfg.old" ]
}

@test "pinning: a writable root inside another keeps its place: its parent cannot be renamed" {
	mkdir -p "$WS/lib"
	git init -q "$WS/lib/inner"
	run sb -w "$WS/lib/inner" "must_fail 'mv lib lib.old && mkdir lib && $(plant lib/inner)'
		must_work 'echo fine > lib/inner/file'"
	assert_sb_clean
	[ ! -e "$WS/lib.old" ]
	assert_git_runs_nothing_planted "$WS/lib/inner"
}

@test "pinning: a protected object replaced from outside during the run (a concurrent run) is named after the run" {
	# Run Y (--protect-depth 0) does not protect sub/.git, so in its own
	# sandbox it may replace it while run X, which protected it, is running.
	# X's report compares identities: it says that its sub/.git is another
	# object now, though the path is the same.
	local x y
	bg sh -c "cd '$WS' && exec '$CORRAL' run -- sh -c 'touch x-started; while [ ! -e y-done ]; do sleep 0.05; done' > '$T/x.out' 2>&1"
	x=$BG_PID
	wait_for_file "$WS/x-started"
	run corral run --protect-depth 0 -- sh -c 'mv sub/.git sub/old.git && git init -q sub && echo replaced'
	assert_output_has replaced
	touch "$WS/y-done"
	wait "$x" || { cat "$T/x.out" >&2; fail "run X failed"; }
	run cat "$T/x.out"
	assert_output_has "$WS/sub/.git, protected during this run, is no longer the object corral protected"
}

@test "pinning: explain names each pinned directory, and mv of a pinned directory says why it failed" {
	run corral explain
	assert_output_has "clone $WS/sub -> "
	assert_output_has "pinned (a mount point cannot be renamed or removed): it leads to protected $WS/sub/.git"
	refute_output_has "clone $WS/other -> "
	assert_output_has "1 directory leading to protected objects is pinned for the run"
	run sb "must_fail 'mv sub elsewhere'"
	assert_sb_clean
	assert_output_has "Device or resource busy"
}

@test "pinning: a directory swapped during the scan never makes corral protect the wrong object or miss one" {
	# $WS/a has a .git, $WS/b none; a racer outside exchanges them all the
	# time. Each run must either be refused (125, naming the path) or protect
	# the .git wherever it is; its config must never be written.
	rm -rf "$WS/sub" "$WS/other"
	mkdir -p "$WS/a/.git" "$WS/b"
	printf '[core]\n' > "$WS/a/.git/config"
	local i
	for i in $(seq 300); do : > "$WS/a/f$i"; : > "$WS/b/f$i"; done
	bg "$HELPERS/swaploop" "$WS/a" "$WS/b" 60 200
	local racer=$BG_PID ok=0 refused=0 other=() last=
	sleep 0.1
	kill -0 "$racer" || fail "the racer did not start"
	for ((i = 0; i < 30; i++)); do
		run corral run -- sh -c 'for d in a b a b; do echo pwned >> $d/.git/config && echo WROTE $d; done 2>/dev/null; exit 0'
		case $status in
		0) ok=$((ok + 1)) ;;
		125) refused=$((refused + 1)); last=$output ;;
		*) other+=("$status: $output") ;;
		esac
		[[ $output != *WROTE* ]] || fail "run $i wrote the protected config: $output"
	done
	kill "$racer"
	wait "$racer" 2> /dev/null || true
	echo "# 30 runs: $ok ran in a sandbox, $refused refused (125)${last:+; the last refusal: $last}" >&3
	[ "${#other[@]}" -eq 0 ] || fail "unexpected statuses:" "${other[@]}"
	local cfg
	cfg=$(cat "$WS"/[ab]/.git/config)
	[ "$cfg" = '[core]' ] || fail "a raced run wrote the protected config: $cfg"
	if [ "$refused" -gt 0 ]; then
		[[ $last == *"$WS/"* ]] || fail "the refusal does not name the path: $last"
	fi
}

@test "pinning: a protected symlink's target whose parent is swapped during setup is protected wherever it is, or the run refused" {
	# .codex -> cfg/codex; a racer outside exchanges cfg with an empty
	# directory. The target is found through the link and protected by
	# descriptor: each run is refused (125) or its writes to the target fail.
	rm -rf "$WS/sub" "$WS/other"
	mkdir -p "$WS/cfg/codex" "$WS/other"
	printf 'model = "x"\n' > "$WS/cfg/codex/config.toml"
	ln -s cfg/codex "$WS/.codex"
	bg "$HELPERS/swaploop" "$WS/cfg" "$WS/other" 60 200
	local racer=$BG_PID i ok=0 refused=0 other=()
	sleep 0.1
	kill -0 "$racer" || fail "the racer did not start"
	for ((i = 0; i < 20; i++)); do
		run corral run -- sh -c 'for d in cfg other cfg other; do echo evil >> $d/codex/config.toml && echo WROTE $d; done 2>/dev/null; exit 0'
		case $status in
		0) ok=$((ok + 1)) ;;
		125) refused=$((refused + 1)) ;;
		*) other+=("$status: $output") ;;
		esac
		[[ $output != *WROTE* ]] || fail "run $i wrote the protected target: $output"
	done
	kill "$racer"
	wait "$racer" 2> /dev/null || true
	echo "# 20 runs: $ok ran in a sandbox, $refused refused (125)" >&3
	[ "${#other[@]}" -eq 0 ] || fail "unexpected statuses:" "${other[@]}"
	[ "$(cat "$WS"/*/codex/config.toml)" = 'model = "x"' ] || fail "the protected target was written"
}

@test "pinning: a protected symlink or .git file naming a missing path in the workspace is refused (the command could create it)" {
	# Without the refusal the command makes cfg/codex/config.toml, which
	# the agent reads through .codex after the run.
	ln -s cfg/codex "$WS/.codex"
	run sb 'must_fail "mkdir -p cfg/codex && echo evil > cfg/codex/config.toml"'
	[ "$status" -eq 125 ] || { show_output; fail "expected 125, got $status"; }
	assert_output_has "the protected symlink $WS/.codex names $WS/cfg/codex, which does not exist"
	[ ! -e "$WS/cfg" ] || fail "the command created the link's target"
	mkdir -p "$WS/cfg/codex"
	run sb 'must_fail "echo evil > cfg/codex/config.toml"'
	assert_sb_clean
	rm "$WS/.codex"
	printf 'gitdir: ../store/sub3.git\n' > "$WS/sub/.git.file"
	mkdir "$WS/sub3"
	mv "$WS/sub/.git.file" "$WS/sub3/.git"
	run sb 'must_fail "mkdir -p store/sub3.git/hooks"'
	[ "$status" -eq 125 ] || { show_output; fail "expected 125, got $status"; }
	assert_output_has "$WS/sub3/.git names $WS/store/sub3.git, which does not exist"
	[ ! -e "$WS/store" ]
}
