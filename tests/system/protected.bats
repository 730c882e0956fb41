#!/usr/bin/env bats
# Protected names (.git, .codex, .agents, .corral, .corral.toml, --protect)
# stay read-only at the top of every writable root, whatever the attack.

load helpers

setup() {
	common_setup
	git init -q "$WS"
	printf '#!/bin/sh\nexit 0\n' > "$WS/.git/hooks/pre-commit"
	chmod 755 "$WS/.git/hooks/pre-commit"
	mkdir -p "$WS/.codex"
	printf 'model = "x"\n' > "$WS/.codex/config.toml"
	printf '# project settings for corral\n' > "$WS/.corral.toml"
	snap prot "$WS/.git" "$WS/.codex" "$WS/.corral.toml"
}
teardown() { common_teardown; }

assert_protected_unchanged() {
	assert_same_snap prot "$WS/.git" "$WS/.codex" "$WS/.corral.toml"
}

@test "protected: writing .git/hooks/pre-commit and .git/config fails" {
	run sb 'must_fail "echo evil >> .git/hooks/pre-commit"
		must_fail "echo evil > .git/hooks/post-checkout && chmod +x .git/hooks/post-checkout"
		must_fail "cp /bin/true .git/hooks/pre-push"
		must_fail "echo \"[core] fsmonitor = evil\" >> .git/config"
		must_fail "git config core.fsmonitor \"touch /tmp/pwned\""
		must_fail "git config core.hooksPath $WS/hooks"
		must_fail "git config core.sshCommand evil"
		must_fail "git config alias.st \"!evil\""
		must_fail "echo evil > .git/info/attributes"
		must_fail "cd .git && echo evil > HEAD"
		must_fail "echo evil >> $WS/src/../.git/config"'
	assert_sb_clean
	assert_protected_unchanged
}

@test "protected: writing .codex/config.toml and .corral.toml fails" {
	run sb 'must_fail "echo evil >> .codex/config.toml"
		must_fail "echo mode = \\\"full-access\\\" >> .corral.toml"
		must_fail "echo mode = \\\"full-access\\\" > .corral.toml"
		must_fail "touch .codex/new"'
	assert_sb_clean
	assert_protected_unchanged
}

@test "protected: mv .git away and mkdir a new one fails" {
	run sb 'must_fail "mv .git g && mkdir .git"
		must_fail "mv .git/config .git/config.old"
		must_fail "mv .git/hooks hooks"
		must_fail "mv .codex c && mkdir .codex"
		must_fail "mv .corral.toml c.toml"'
	assert_sb_clean
	assert_protected_unchanged
	# (mv falls back to copying .git/hooks into the workspace: a copy is fine)
	[ ! -e "$WS/g" ] && [ ! -e "$WS/c" ] && [ ! -e "$WS/c.toml" ]
}

@test "protected: rm -rf .git fails" {
	run sb 'must_fail "rm -rf .git"
		must_fail "rm -f .git/config"
		must_fail "rm -rf .codex"
		must_fail "rm -f .corral.toml"
		must_fail "find .git -delete"'
	assert_sb_clean
	assert_protected_unchanged
}

@test "protected: renameat2(RENAME_EXCHANGE) of .git with another directory fails" {
	mkdir -p "$WS/fake/hooks"
	run corral run -- "$HELPERS/rename_exchange" .git fake
	assert_blocked
	run corral run -- "$HELPERS/rename_exchange" .git/hooks fake/hooks
	assert_blocked
	echo evil > "$WS/evil-config"
	run corral run -- "$HELPERS/rename_exchange" .git/config evil-config
	assert_blocked
	run corral run -- "$HELPERS/rename_exchange" .corral.toml evil-config
	assert_blocked
	assert_protected_unchanged
}

@test "protected: chmod, chown, setxattr, utimes, truncate and O_TRUNC fail" {
	run sb 'must_fail "chmod 777 .git"
		must_fail "chmod 777 .git/config"
		must_fail "chmod -x .git/hooks/pre-commit"
		must_fail "chown $(id -u):$(id -g) .git/config"
		must_fail "chown $(id -u) .git"
		must_fail "$H/meta setxattr .git/config | grep -q SUCCEEDED"
		must_fail "$H/meta setxattr .git | grep -q SUCCEEDED"
		must_fail "touch .git/config"
		must_fail "touch -d 2001-01-01 .git/hooks/pre-commit"
		must_fail "touch -h -d 2001-01-01 .git"
		must_fail "truncate -s 0 .git/config"
		must_fail ": > .git/config"
		must_fail "chmod 777 .corral.toml"
		must_fail "truncate -s 0 .corral.toml"
		must_fail "chmod 777 .codex"'
	assert_sb_clean
	assert_protected_unchanged
}

@test "protected: FS_IOC_SETFLAGS on .git/config fails" {
	"$HELPERS/meta" setflags "$OUT/data.txt" > /dev/null 2>&1 ||
		skip "this filesystem has no FS_IOC_SETFLAGS"
	run corral run -- "$HELPERS/meta" setflags .git/config
	assert_blocked
	assert_protected_unchanged
}

@test "protected: hardlinking a protected file elsewhere and writing it fails" {
	run sb 'must_fail "ln .git/config cfg && echo evil >> cfg"
		must_fail "ln .git/hooks/pre-commit pc && echo evil >> pc"
		must_fail "ln .corral.toml t && echo evil >> t"'
	assert_sb_clean
	assert_protected_unchanged
}

@test "protected: a mount attack on the protective mounts does not unprotect .git" {
	run sb 'must_fail "$H/mount_attack umount .git | grep -q SUCCEEDED"
		must_fail "$H/mount_attack remount .git | grep -q SUCCEEDED"
		must_fail "$H/mount_attack setattr .git | grep -q SUCCEEDED"
		must_fail "$H/mount_attack move_mount src .git | grep -q SUCCEEDED"
		must_fail "echo evil >> .git/config"'
	assert_sb_clean
	assert_protected_unchanged
}

@test "protected: --protect NAME protects an existing name and a missing one" {
	mkdir "$WS/secrets"
	echo keep > "$WS/secrets/file"
	run sb -p secrets -p vendor 'must_fail "echo evil > secrets/file"
		must_fail "rm -rf secrets"
		must_fail "mkdir vendor"
		must_fail "touch vendor"
		must_work "mkdir other"'
	assert_sb_clean
	[ "$(cat "$WS/secrets/file")" = keep ]
	[ ! -e "$WS/vendor" ]
}

@test "protected: names at the top of an extra writable root are protected too" {
	mkdir -p "$T/extra"
	git init -q "$T/extra"
	snap extra "$T/extra/.git"
	run sb -w "$T/extra" 'must_fail "echo evil >> $T/extra/.git/config"
		must_fail "mv $T/extra/.git $T/extra/g"
		must_fail "mkdir $T/extra/.codex"
		must_work "echo ok > $T/extra/file"'
	assert_sb_clean
	assert_same_snap extra "$T/extra/.git"
	[ ! -e "$T/extra/.codex" ] && [ ! -e "$T/extra/g" ]
}

@test "protected: .git stays protected when the command starts in a subdirectory" {
	mkdir -p "$WS/sub"
	run sb -C "$WS/sub" 'must_fail "echo evil >> ../.git/config"
		must_fail "mv ../.git ../g"'
	assert_sb_clean
	assert_protected_unchanged
}

# corral's own binary in a writable root (-w ~/.local, corral in
# ~/.local/bin): a command that replaced it would have the next corral run,
# which an agent's hook or corral mcp starts by that path, run its program
# unsandboxed.
SELF_ATTACK='must_fail "echo evil >> \"$BIN/corral\""
	must_fail "rm -f \"$BIN/corral\""
	must_fail "mv \"$BIN/corral\" \"$BIN/old\""
	must_fail "chmod 777 \"$BIN/corral\""
	must_fail "mv \"$BIN\" \"$BIN.old\""
	must_work "echo x > \"$BIN/other\""'

# self_run ARGS...: the copy of corral in $BIN runs ARGS (with the suite's backend)
self_run() {
	local backend=()
	[ -n "$CORRAL_BACKEND" ] && backend=(--backend "$CORRAL_BACKEND")
	timeout --foreground -s KILL 60 "$BIN/corral" run "${backend[@]}" "$@"
}

@test "protected: corral's own binary in a writable root cannot be written, replaced, moved or chmodded" {
	BIN=$T/tools/bin
	mkdir -p "$BIN" && cp "$CORRAL_REAL" "$BIN/corral"
	sum=$(sha256sum < "$BIN/corral")
	run self_run -w "$T/tools" -- env BIN="$BIN" bash -c "$SB_PRELUDE
$SELF_ATTACK
echo SB-END"
	assert_sb_clean
	[ "$(sha256sum < "$BIN/corral")" = "$sum" ] || fail "corral's binary changed"
	[ ! -e "$T/tools/bin.old" ] && [ ! -e "$BIN/old" ] || fail "corral's binary or its directory was moved"
}

@test "control: without corral's protection, a command in that writable root replaces the binary" {
	BIN=$T/tools/bin
	mkdir -p "$BIN" && cp "$CORRAL_REAL" "$BIN/corral"
	cp "$CORRAL_REAL" "$T/other-corral"
	# the same writable root, but this run's corral is another copy: only the
	# binary that runs is protected
	run timeout --foreground -s KILL 60 "$T/other-corral" run ${CORRAL_BACKEND:+--backend "$CORRAL_BACKEND"} \
		-w "$T/tools" -- sh -c "rm -f '$BIN/corral' && printf '#!/bin/sh\necho FAKE\n' > '$BIN/corral' && chmod +x '$BIN/corral' && echo REPLACED"
	assert_output_has REPLACED
	[ "$("$BIN/corral" --version)" = FAKE ] || fail "control: the binary was not replaced"
}
