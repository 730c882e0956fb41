#!/usr/bin/env bats
# Racing corral's setup: a path corral checked is swapped for a symlink
# before corral mounts it (docs/design.md, "Races"). The racer runs outside
# the sandbox, which is a stronger attacker than a command in a concurrent
# sandbox. The claim is "never escaped", not "raced N times": each run must
# either be refused (125) or get a correct sandbox; the number of runs is
# bounded, so the test takes the same time whether the race is won or not.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

RUNS=40

@test "race: a writable root swapped for a symlink to HOME during setup never makes HOME writable" {
	# $OUT/sub is the writable root; $OUT/sublink points at HOME, which corral
	# refuses as a writable root when it sees it at planning time, and which
	# openat2(RESOLVE_NO_SYMLINKS) refuses at mount time.
	mkdir "$OUT/sub"
	ln -s "$HOME" "$OUT/sublink"
	snap before "$FAKEHOME"
	bg "$HELPERS/swaploop" "$OUT/sub" "$OUT/sublink" 60
	local racer=$BG_PID i ok=0 refused=0 other=() last=
	sleep 0.1
	kill -0 "$racer" || fail "the racer did not start"
	for ((i = 0; i < RUNS; i++)); do
		run corral run -w "$OUT/sub" -- sh -c "touch '$OUT/sub/in-$i' '$HOME/esc-$i' 2>/dev/null; exit 0"
		case $status in
		0) ok=$((ok + 1)) ;;
		125) refused=$((refused + 1)) ;;
		*) other+=("$status: $output") ;;
		esac
		[ "$status" -eq 125 ] && last=$output
	done
	kill "$racer"
	wait "$racer" 2>/dev/null || true
	echo "# $RUNS runs: $ok ran in a sandbox, $refused refused (125)${last:+; the last refusal: $last}" >&3
	[ "${#other[@]}" -eq 0 ] || fail "unexpected statuses:" "${other[@]}"
	run find "$FAKEHOME" -name 'esc-*' -o -name 'in-*'
	[ -z "$output" ] || fail "a run wrote into HOME (the swapped target):" "$output"
	assert_same_snap before "$FAKEHOME"
}

@test "race: the workspace swapped for a symlink during setup never leaves the swapped target writable" {
	# The workspace is $OUT/ws; $OUT/wslink points at $OUT/victim, an outside
	# directory that must never become writable: corral canonicalised the
	# workspace while it was a directory, or it follows the link and then
	# the victim is the workspace the caller named (and its .git is protected).
	mkdir -p "$OUT/ws/.git" "$OUT/victim/.git"
	echo original > "$OUT/victim/.git/config"
	echo original > "$OUT/ws/.git/config"
	ln -s "$OUT/victim" "$OUT/wslink"
	bg "$HELPERS/swaploop" "$OUT/ws" "$OUT/wslink" 60
	local racer=$BG_PID i ok=0 refused=0 other=()
	sleep 0.1
	for ((i = 0; i < RUNS; i++)); do
		run corral run -W "$OUT/ws" -C / -- sh -c "echo pwned > '$OUT/ws/.git/config'; echo pwned > '$OUT/victim/.git/config'; exit 0"
		case $status in
		0) ok=$((ok + 1)) ;;
		125) refused=$((refused + 1)) ;;
		*) other+=("$status: $output") ;;
		esac
	done
	kill "$racer"
	wait "$racer" 2>/dev/null || true
	echo "# $RUNS runs: $ok ran in a sandbox, $refused refused (125)" >&3
	[ "${#other[@]}" -eq 0 ] || fail "unexpected statuses:" "${other[@]}"
	local d
	for d in "$OUT/victim" "$OUT/ws" "$OUT/wslink"; do
		[ -L "$d" ] && continue
		[ "$(cat "$d/.git/config")" = original ] || fail "$d/.git/config was written by a raced run"
	done
}

@test "race: a run still recording a new workspace in its state directory does not make a concurrent run refuse it" {
	# The state directory records its workspace's path, checked on every use
	# (two paths with one hash are refused, 125). The first run wrote it in
	# place, so a run planning between its create and its write read an empty
	# record and refused the workspace as another's: twelve concurrent first
	# runs (caches.bats) failed that way under load. strace holds the first
	# run for 1.5 s at its first write(2), which is that record's.
	command -v strace > /dev/null || skip "strace is not installed"
	strace -o /dev/null -e trace=none true 2> /dev/null || skip "strace cannot trace here (ptrace refused)"
	bg strace -o /dev/null -e trace=write -e inject=write:delay_enter=1500000:when=1 "$CORRAL" run -- true
	local first=$BG_PID
	sleep 0.7
	run corral run -- echo second-ran
	wait "$first" || fail "the first run failed"
	assert_success
	assert_output_has second-ran
	refute_output_has "recorded for another workspace"
}
