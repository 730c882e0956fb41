#!/usr/bin/env bats
# Protected names that do not exist yet, .git files and symlinks, and the
# placeholders corral may create for them: never left behind, never
# removing what the user made, correct with several sandboxes at once.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "missing: git init fails and leaves no .git behind" {
	run sb 'must_fail "git init -q ."
		must_fail "git init -q --bare .git"'
	assert_sb_clean
	assert_ws_lists README.md src
}

@test "missing: mkdir .codex, .agents, .corral and creating .corral.toml fail" {
	run sb 'must_fail "mkdir .codex"
		must_fail "mkdir .agents"
		must_fail "mkdir .corral"
		must_fail "mkdir -p .codex/sub && touch .codex/sub/x"
		must_fail "echo mode = \\\"full-access\\\" > .corral.toml"
		must_fail "echo > .git"
		must_fail "ln -s $OUT .git && touch .git/x"
		must_fail "mkfifo .agents"
		must_fail "mv src .git"
		must_fail "cp -r src .codex"
		must_fail "mkdir d && mv d .agents"'
	assert_sb_clean
	assert_ws_lists README.md src d
}

@test "missing: a nested sub/.git can be created (git init in a subdirectory works), and is reported" {
	run sb 'must_work "mkdir sub && git init -q sub && test -f sub/.git/HEAD"'
	assert_sb_clean
	[ -f "$WS/sub/.git/HEAD" ]
	assert_output_has "the command created $WS/sub/.git"
}

@test "placeholder: runs leave the workspace listing exactly what the user had" {
	run corral run -- true
	assert_success
	assert_ws_lists README.md src
	run corral run -p vendor -p .secrets -- sh -c 'mkdir .git; mkdir vendor; exit 0'
	assert_success
	assert_ws_lists README.md src
	run corral run -m read-only -- true
	assert_success
	assert_ws_lists README.md src
	run corral run -- sh -c 'exit 5'
	assert_status 5
	assert_ws_lists README.md src
}

@test "placeholder: the command's own files are kept, nothing else is added" {
	run corral run -- sh -c 'echo a > made.txt; mkdir -p made/dir'
	assert_success
	assert_ws_lists README.md src made.txt made
}

@test "placeholder: after kill -9 of corral, the next run cleans up" {
	bg "$CORRAL" run -- sh -c 'touch ready; exec sleep 30' > /dev/null 2>&1
	local cpid=$BG_PID
	wait_for_file "$WS/ready" 100
	kill -9 "$cpid"
	wait "$cpid" 2>/dev/null || true
	sleep 0.3
	run corral run -- true
	assert_success
	assert_ws_lists README.md src ready
	run corral run -- sh -c 'mkdir .git'
	[ "$status" -ne 0 ] && [ "$status" -lt 125 ] || { show_output; fail "mkdir .git after the crash: status $status"; }
	assert_ws_lists README.md src ready
}

@test "placeholder: four concurrent runs on one workspace without .git all stay protected and clean" {
	local i pids=()
	for i in 1 2 3 4; do
		"$CORRAL" run -- bash -c '
			sleep "$2"
			for round in 1 2 3; do
				if mkdir .git 2>/dev/null; then echo ESCAPE >> "r.$1"; else echo blocked >> "r.$1"; fi
				if mkdir .codex 2>/dev/null; then echo ESCAPE >> "r.$1"; else echo blocked >> "r.$1"; fi
				sleep 0.3
			done' x "$i" "$((i * 3 / 10)).$((i * 3 % 10))" 3>&- > "$T/run.$i.out" 2>&1 &
		pids+=($!)
		echo $! >> "$T/bg.pids"
	done
	local failed=0
	for i in 0 1 2 3; do
		wait "${pids[$i]}" || { echo "run $((i + 1)) exited $?: $(cat "$T/run.$((i + 1)).out")" >&2; failed=1; }
	done
	[ "$failed" -eq 0 ]
	cat "$WS"/r.* >&2
	[ "$(cat "$WS"/r.* | grep -c blocked)" -eq 24 ] || fail "not every mkdir was blocked"
	! grep -q ESCAPE "$WS"/r.*
	assert_ws_lists README.md src r.1 r.2 r.3 r.4
}

@test "placeholder: a .git the user makes on the host during a run survives, and stays protected inside" {
	bg "$CORRAL" run -- sh -c '
		touch ready
		while [ ! -e go ]; do sleep 0.05; done
		if echo evil >> .git/HEAD 2>/dev/null; then echo ESCAPE > result; else echo blocked > result; fi' \
		> "$T/run.out" 2>&1
	local cpid=$BG_PID
	wait_for_file "$WS/ready" 100
	mkdir -p "$WS/.git"
	echo 'ref: refs/heads/main' > "$WS/.git/HEAD"
	touch "$WS/go"
	wait "$cpid" || { cat "$T/run.out" >&2; fail "corral exited $?"; }
	[ "$(cat "$WS/.git/HEAD")" = 'ref: refs/heads/main' ] || fail "the user's .git/HEAD was changed or removed"
	grep -q blocked "$WS/result" || fail "the command wrote into .git: $(cat "$WS/result")"
}

@test "gitdir: a .git file protects itself and the gitdir it points to in the workspace" {
	git init -q --separate-git-dir "$WS/gitstore" "$WS"
	grep -q "gitdir: $WS/gitstore" "$WS/.git"
	snap g "$WS/.git" "$WS/gitstore"
	run sb 'must_fail "echo evil >> gitstore/config"
		must_fail "echo evil > gitstore/hooks/pre-commit"
		must_fail "git config core.fsmonitor evil"
		must_fail "echo gitdir: /tmp/evil > .git"
		must_fail "rm -f .git"
		must_fail "mv .git g"
		must_fail "mv gitstore g2"
		must_fail "rm -rf gitstore"
		must_fail "chmod 777 gitstore/config"'
	assert_sb_clean
	assert_same_snap g "$WS/.git" "$WS/gitstore"
}

@test "gitdir: a relative gitdir in the workspace is protected too" {
	git init -q --bare "$WS/store.git"
	printf 'gitdir: store.git\n' > "$WS/.git"
	snap g "$WS/.git" "$WS/store.git"
	run sb 'must_fail "echo evil >> store.git/config"
		must_fail "rm -rf store.git"'
	assert_sb_clean
	assert_same_snap g "$WS/.git" "$WS/store.git"
}

@test "gitdir: a gitdir inside an extra writable root is protected, the rest of that root is writable" {
	mkdir -p "$T/extra"
	git init -q --separate-git-dir "$T/extra/repo.git" "$WS"
	snap g "$WS/.git" "$T/extra/repo.git"
	run sb -w "$T/extra" 'must_fail "echo evil >> $T/extra/repo.git/config"
		must_fail "echo evil > $T/extra/repo.git/hooks/pre-commit"
		must_fail "mv $T/extra/repo.git $T/extra/r"
		must_work "echo ok > $T/extra/other"'
	assert_sb_clean
	assert_same_snap g "$WS/.git" "$T/extra/repo.git"
}

@test "symlink: a protected name that is a symlink stays a link and its target stays read-only" {
	mkdir -p "$OUT/realgit" "$T/extra"
	echo data > "$OUT/realgit/config"
	ln -s "$OUT/realgit" "$WS/.git"
	ln -s "$HOME" "$WS/.codex"
	ln -s "$T/extra" "$WS/.agents"
	snap_outside before
	snap extra "$T/extra"
	run sb 'must_fail "echo evil >> .git/config"
		must_fail "touch .git/new"
		must_fail "touch .codex/new"
		must_fail "echo evil >> .codex/.bashrc"
		must_fail "touch .agents/new"
		must_fail "rm .git"
		must_fail "ln -sfn $WS/src .git"
		must_fail "mv .codex c"'
	assert_sb_clean
	assert_outside_unchanged before
	assert_same_snap extra "$T/extra"
	[ "$(readlink "$WS/.git")" = "$OUT/realgit" ]
	[ "$(readlink "$WS/.codex")" = "$HOME" ]
	[ "$(readlink "$WS/.agents")" = "$T/extra" ]
}

@test "symlink: .git linking to a directory inside the workspace does not leave the repository writable" {
	git init -q --bare "$WS/repo-store.git"
	ln -s repo-store.git "$WS/.git"
	snap g "$WS/repo-store.git"
	run sb 'must_fail "echo evil > .git/hooks/pre-commit"
		must_fail "echo evil >> .git/config"
		must_fail "echo evil > repo-store.git/hooks/pre-commit"
		must_fail "rm .git"'
	assert_sb_clean
	assert_same_snap g "$WS/repo-store.git"
	[ "$(readlink "$WS/.git")" = repo-store.git ]
}

@test "gitdir: a .git file pointing into the host's /tmp is protected under --tmp host" {
	local gitdir=/tmp/$TOKEN-gitdir
	git init -q --bare "$gitdir"
	printf 'gitdir: %s\n' "$gitdir" > "$WS/.git"
	snap g "$gitdir"
	run sb --tmp host "must_fail 'echo evil >> $gitdir/config'
		must_fail 'echo evil > $gitdir/hooks/pre-commit'
		must_fail 'rm -rf $gitdir'"
	assert_sb_clean
	assert_same_snap g "$gitdir"
	rm -rf "$gitdir"
}

@test "workspace: reached through a symlinked path, the workspace is writable and .git still protected" {
	ln -s "$WS" "$T/ws-link"
	run sb -W "$T/ws-link" 'must_work "touch made-via-link"
		must_fail "mkdir .git"
		must_fail "mkdir $T/ws-link/.codex"'
	assert_sb_clean
	[ -e "$WS/made-via-link" ]
	assert_ws_lists README.md src made-via-link
}

# Regression: with corral's cache inside a writable root, a command could fill
# a parked placeholder (or the journal) and the next run would move the
# planted directory into the workspace as a protected name.
@test "state: corral's own state stays read-only even inside a writable root" {
	run corral run -- true # parks the placeholders
	assert_success
	# While this run's placeholders are in the workspace, their parking
	# places are free: fill one, and try the journal.
	# With users the state is in the sandbox user's ~/.cache/corral, and
	# XDG_CACHE_HOME is not passed in: the script falls back to ~/.cache (a
	# writable cache root there by design), which is where that state lives.
	run corral run -w "$XDG_CACHE_HOME" -- sh -c '
		c=${XDG_CACHE_HOME:-$HOME/.cache}
		touch "$c/writable-root-works" && echo ROOT-OK
		ls -d "$c"/corral/workspaces/* > /dev/null && echo STATE-SEEN
		# the developer'"'"'s own state too ($1: with users, not where HOME points)
		for p in "$c"/corral/workspaces/*/parked "$c"/corral/roots/*/parked "$c"/corral/roots/parked \
			"$1"/corral/roots/*/parked "$1"/corral/roots/parked; do
			mkdir -p "$p/.codex" 2>/dev/null && echo evil > "$p/.codex/config.toml" 2>/dev/null && echo PLANTED
		done
		for j in "$c"/corral/roots/*/placeholders "$c"/corral/roots/placeholders "$1"/corral/roots/*/placeholders; do
			echo "1 2 /etc" >> "$j" 2>/dev/null && echo JOURNAL
		done
		# the bookkeeping is hidden: no lock of it can be held from inside
		ls -A "$c/corral/roots" 2>/dev/null | grep -q . && echo ROOTS-VISIBLE
		for l in "$c"/corral/roots/*/active "$1"/corral/roots/*/active; do cat "$l" > /dev/null 2>&1 && echo LOCKABLE; done
		true' x "$XDG_CACHE_HOME"
	assert_success
	assert_output_has ROOT-OK
	# userns hides every workspace's state (its /tmp, private caches, locks);
	# with users it is the sandbox user's own, hidden or read-only (below)
	backend_is users || refute_output_has STATE-SEEN
	refute_output_has PLANTED
	refute_output_has JOURNAL
	refute_output_has ROOTS-VISIBLE
	refute_output_has LOCKABLE
	run corral run -- true
	assert_success
	assert_ws_lists README.md src
	if backend_is users; then # the caller cannot look into the sandbox user's home: look from inside
		# (the bookkeeping is a mode-0 mask inside: find cannot enter it, and says so)
		run corral run -- sh -c 'find "$HOME/.cache/corral" -name config.toml 2>/dev/null; true'
		assert_success
		[ -z "$output" ] || fail "a file was planted in corral's state: $output"
	else
		[ -z "$(find "$XDG_CACHE_HOME/corral" -name config.toml)" ] || fail "a file was planted in corral's state"
	fi
}

# A worktree's .git file names .git/worktrees/NAME in the main repository,
# whose commondir file names the main .git. With the main repository deeper
# inside a writable root (so its .git is not a protected name there), only
# following gitdir and commondir keeps hooks and config out of reach.
@test "gitdir: a worktree protects its gitdir and the main repository's common dir" {
	command -v git > /dev/null || skip "git is not installed"
	local outer=$T/outer main=$T/outer/repo
	mkdir -p "$outer"
	git init -q "$main"
	git -C "$main" -c user.email=t@example.invalid -c user.name=t commit -q --allow-empty -m init
	git -C "$main" worktree add -q "$T/wt" 2> /dev/null
	snap maingit "$main/.git"
	run corral run -W "$T/wt" -w "$outer" -- sh -c "
		echo '[core] fsmonitor = evil' >> '$main/.git/config' 2>/dev/null && echo WROTE-CONFIG
		echo evil > '$main/.git/hooks/post-checkout' 2>/dev/null && echo WROTE-HOOK
		echo evil > '$main/.git/worktrees/wt/HEAD' 2>/dev/null && echo WROTE-GITDIR
		touch '$outer/allowed' && echo ROOT-OK
		true"
	assert_success
	assert_output_has ROOT-OK
	refute_output_has WROTE-CONFIG
	refute_output_has WROTE-HOOK
	refute_output_has WROTE-GITDIR
	assert_same_snap maingit "$main/.git"
}

# --- Concurrent runs share protected names, so they share their placeholders.
# (issue 16, class 2) The bookkeeping is per writable root, not per workspace
# or per sandbox user: a run that relies on a placeholder another run made
# holds it as its own, and the last run out removes it.

# conc_attack R: the attack script a run X uses against root R once the file
# R/y-done appears (the run that made R's placeholders has ended by then).
conc_attack='R=$1; touch "$R/x-ready"
	while [ ! -e "$R/y-done" ]; do sleep 0.05; done
	for t in "$R/.git/hooks/pre-commit" "$R/.codex/config.toml" "$R/.git/config"; do
		if mkdir -p "${t%/*}" 2>/dev/null && echo "[core] fsmonitor = evil" > "$t" 2>/dev/null; then
			echo "ESCAPE $t"; else echo "blocked $t"; fi
	done
	if echo "mode = \"full-access\"" > "$R/.corral.toml" 2>/dev/null; then echo "ESCAPE $R/.corral.toml"
	else echo "blocked $R/.corral.toml"; fi'

# conc_wait FILE PID OUT: wait for FILE; fail at once, with the run's output,
# if that run (PID, writing to OUT) ended first.
conc_wait() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -e "$1" ] && return 0
		kill -0 "$2" 2> /dev/null || fail "the run ended before $1 appeared: $(cat "$3")"
		sleep 0.1
	done
	fail "timed out waiting for $1: $(cat "$3")"
}

# conc_check R OUT: X's attack was blocked every time, and nothing of it
# reached the host; the last run out left R as the user had it.
conc_check() {
	cat "$2" >&2
	! grep -q ESCAPE "$2" || fail "a protected name was written in $1"
	[ "$(grep -c '^blocked' "$2")" -eq 4 ] || fail "the attack did not run to the end"
	local n
	for n in .git .codex .corral.toml; do
		[ ! -e "$1/$n" ] || fail "$1/$n is on the host after both runs: $(ls -lAR "$1/$n")"
	done
}

@test "concurrent: a run with -w R keeps R's placeholders after the run whose workspace is R ends" {
	local R=$T/r
	mkdir -p "$R" && echo data > "$R/file"
	# Y: workspace R (its placeholders go in R), ends when told.
	bg "$CORRAL" run -W "$R" -- sh -c 'touch y-ready; while [ ! -e y-go ]; do sleep 0.05; done' > "$T/y.out" 2>&1
	local y=$BG_PID
	conc_wait "$R/y-ready" "$y" "$T/y.out"
	# X: another workspace, R writable too: R's names exist (Y's placeholders).
	bg "$CORRAL" run -w "$R" -- sh -c "$conc_attack" x "$R" > "$T/x.out" 2>&1
	local x=$BG_PID
	conc_wait "$R/x-ready" "$x" "$T/x.out"
	touch "$R/y-go"
	wait "$y" || fail "run Y exited $?: $(cat "$T/y.out")"
	# Seen from outside, while X runs: what X relies on is still there.
	[ -d "$R/.git" ] && [ -d "$R/.codex" ] && [ -d "$R/.corral.toml" ] || fail "Y took R's placeholders away under X"
	touch "$R/y-done"
	wait "$x" || fail "run X exited $?: $(cat "$T/x.out")"
	conc_check "$R" "$T/x.out"
	[ "$(ls -A "$R" | sort | tr '\n' ' ')" = "file x-ready y-done y-go y-ready " ] || fail "R: $(ls -A "$R")"
}

@test "concurrent: an offline and an online run in one workspace keep each other's placeholders" {
	run corral run -n on -- true
	[ "$status" -eq 0 ] || skip "network on is refused here: $output"
	# Y online (corral-online with --backend users), X offline (corral-offline).
	bg "$CORRAL" run -n on -- sh -c 'touch y-ready; while [ ! -e y-go ]; do sleep 0.05; done' > "$T/y.out" 2>&1
	local y=$BG_PID
	conc_wait "$WS/y-ready" "$y" "$T/y.out"
	bg "$CORRAL" run -- sh -c "$conc_attack" x "$WS" > "$T/x.out" 2>&1
	local x=$BG_PID
	conc_wait "$WS/x-ready" "$x" "$T/x.out"
	touch "$WS/y-go"
	wait "$y" || fail "run Y exited $?: $(cat "$T/y.out")"
	[ -d "$WS/.git" ] && [ -d "$WS/.codex" ] || fail "the online run took the placeholders away under the offline one"
	touch "$WS/y-done"
	wait "$x" || fail "run X exited $?: $(cat "$T/x.out")"
	conc_check "$WS" "$T/x.out"
	assert_ws_lists README.md src x-ready y-done y-go y-ready
}

@test "concurrent: a placeholder another run made, found as a nested name, is held until this run ends" {
	mkdir -p "$WS/sub"
	# Y: workspace WS/sub, whose .git is missing: a placeholder WS/sub/.git.
	bg "$CORRAL" run -W "$WS/sub" -- sh -c 'touch y-ready; while [ ! -e y-go ]; do sleep 0.05; done' > "$T/y.out" 2>&1
	local y=$BG_PID
	conc_wait "$WS/sub/y-ready" "$y" "$T/y.out"
	# X: workspace WS, finds sub/.git one level down (protect_depth 1).
	bg "$CORRAL" run -- sh -c '
		touch x-ready
		while [ ! -e y-done ]; do sleep 0.05; done
		if mkdir -p sub/.git/hooks 2>/dev/null && echo evil > sub/.git/hooks/pre-commit 2>/dev/null; then
			echo ESCAPE; else echo blocked; fi' > "$T/x.out" 2>&1
	local x=$BG_PID
	conc_wait "$WS/x-ready" "$x" "$T/x.out"
	touch "$WS/sub/y-go"
	wait "$y" || fail "run Y exited $?: $(cat "$T/y.out")"
	[ -d "$WS/sub/.git" ] || fail "Y took the placeholder away under X"
	touch "$WS/y-done"
	wait "$x" || fail "run X exited $?: $(cat "$T/x.out")"
	cat "$T/x.out" >&2
	grep -qx blocked "$T/x.out" || fail "X wrote sub/.git/hooks/pre-commit"
	[ ! -e "$WS/sub/.git" ] || fail "sub/.git is on the host after both runs: $(ls -lAR "$WS/sub/.git")"
}

@test "concurrent: the run that made a placeholder ends first, the last run out removes it" {
	local R=$T/r
	mkdir -p "$R"
	# X: -w R first (it makes R's placeholders); Y: workspace R, relies on them.
	bg "$CORRAL" run -w "$R" -- sh -c 'touch "$1/x-up"; while [ ! -e "$1/x-go" ]; do sleep 0.05; done' x "$R" \
		> "$T/x.out" 2>&1
	local x=$BG_PID
	conc_wait "$R/x-up" "$x" "$T/x.out"
	local ino
	ino=$(stat -c %i "$R/.git")
	bg "$CORRAL" run -W "$R" -- sh -c 'touch ready; while [ ! -e go ]; do sleep 0.05; done
		if mkdir .git/hooks 2>/dev/null || rmdir .git 2>/dev/null; then echo ESCAPE; else echo blocked; fi' \
		> "$T/y.out" 2>&1
	local y=$BG_PID
	conc_wait "$R/ready" "$y" "$T/y.out"
	touch "$R/x-go"
	wait "$x" || fail "run X exited $?: $(cat "$T/x.out")"
	[ "$(stat -c %i "$R/.git")" = "$ino" ] || fail "the placeholder Y relies on was removed or replaced"
	touch "$R/go"
	wait "$y" || fail "run Y exited $?: $(cat "$T/y.out")"
	grep -qx blocked "$T/y.out" || fail "Y changed .git: $(cat "$T/y.out")"
	[ ! -e "$R/.git" ] && [ ! -e "$R/.codex" ] || fail "the last run out left placeholders: $(ls -A "$R")"
}

@test "placeholder: parked, it keeps no ACL it inherited in the workspace, and one that has none is left as it is" {
	command -v setfacl > /dev/null || skip "setfacl is not installed (Debian: acl)"
	setfacl -d -m "u:$(id -u):rwx" "$WS" 2> /dev/null || skip "this filesystem keeps no ACLs"
	# control: a directory made in the workspace inherits the default ACL,
	# as the first run's placeholders do (made with mkdir)
	mkdir "$WS/acl-control"
	[ -n "$(getfacl -s -p "$WS/acl-control")" ] || fail "control: the default ACL is not inherited"
	rmdir "$WS/acl-control"
	local d n round
	for round in first again; do
		run corral run -- true
		assert_success
		n=0
		for d in "$XDG_CACHE_HOME"/corral/roots/*/parked/*; do
			[ -d "$d" ] || continue
			n=$((n + 1))
			[ -z "$(getfacl -s -p "$d" 2> /dev/null)" ] ||
				fail "$round run: the parked placeholder $d keeps an ACL: $(getfacl -p "$d")"
		done
		[ "$n" -gt 0 ] || fail "$round run: no placeholder was parked"
	done
	setfacl -k "$WS"
}
