#!/usr/bin/env bats
# Reading what it must not: the deny-read list and secrets in the environment.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

@test "deny-read: the planted ~/.ssh/id_ed25519 cannot be read" {
	run sb 'must_fail "cat $HOME/.ssh/id_ed25519"
		must_fail "cp $HOME/.ssh/id_ed25519 $WS/key && grep -q CORRAL-SECRET $WS/key"
		must_fail "grep -rq CORRAL-SECRET $HOME/.ssh"
		must_fail "cat $HOME/src/../.ssh/id_ed25519"
		must_fail "cat /proc/self/root$HOME/.ssh/id_ed25519"
		must_fail "cd $HOME/.ssh && cat id_ed25519"'
	assert_sb_clean
	refute_output_has "CORRAL-SECRET-id_ed25519"
	[ ! -s "$WS/key" ] || ! grep -q CORRAL-SECRET "$WS/key"
}

@test "deny-read: every default secret location under HOME is unreadable" {
	local f script=""
	for f in "${SECRET_FILES_UNPLANTED[@]}"; do
		mkdir -p "$HOME/${f%/*}"
		printf 'CORRAL-SECRET-%s\n' "${f##*/}" > "$HOME/$f"
		chmod 600 "$HOME/$f"
	done
	for f in "${SECRET_FILES[@]}" "${SECRET_FILES_UNPLANTED[@]}"; do
		script+="must_fail \"grep -q CORRAL-SECRET \$HOME/$f\"
"
	done
	run sb "$script"
	assert_sb_clean
	# the caller's home by its path ($0): with users, HOME inside is the sandbox user's
	run corral run -- sh -c 'grep -r CORRAL-SECRET "$0" 2>/dev/null; exit 0' "$HOME"
	assert_success
	refute_output_has "CORRAL-SECRET-"
}

@test "deny-read: a secret a tool's variable moves (XDG_CACHE_HOME, HF_HOME, KUBECONFIG, GNUPGHOME) is hidden where it is" {
	local d=$T/moved
	mkdir -p "$d/cache/huggingface" "$d/hf" "$d/kube" "$d/gnupg"
	echo CORRAL-SECRET-hf-xdg > "$d/cache/huggingface/token"
	echo CORRAL-SECRET-hf-home > "$d/hf/token"
	echo CORRAL-SECRET-kube > "$d/kube/config"
	echo CORRAL-SECRET-gpg > "$d/gnupg/private"
	echo readable > "$d/cache/other"
	# control: outside the default places, nothing but the variables says these are secrets
	run corral run --cache all=off -- cat "$d/cache/huggingface/token"
	assert_success
	assert_output_has CORRAL-SECRET-hf-xdg
	XDG_CACHE_HOME=$d/cache HF_HOME=$d/hf KUBECONFIG=$d/kube/config:$d/kube/none GNUPGHOME=$d/gnupg \
		run sb --cache all=off 'must_fail "cat '"$d"'/cache/huggingface/token"
		must_fail "cat '"$d"'/hf/token"
		must_fail "cat '"$d"'/kube/config"
		must_fail "cat '"$d"'/gnupg/private"
		must_work "cat '"$d"'/cache/other"'
	assert_sb_clean
	refute_output_has CORRAL-SECRET
}

@test "deny-read: a hardlink of ~/.ssh/id_ed25519 made from inside gives nothing" {
	run sb 'must_fail "ln $HOME/.ssh/id_ed25519 $WS/k && grep -q CORRAL-SECRET $WS/k"
		must_fail "ln $HOME/.aws/credentials $WS/c && grep -q CORRAL-SECRET $WS/c"'
	assert_sb_clean
	refute_output_has "CORRAL-SECRET-"
	! grep -qs CORRAL-SECRET "$WS/k" "$WS/c"
}

@test "deny-read: a symlink in the workspace to ~/.ssh/id_ed25519 gives nothing" {
	ln -s "$HOME/.ssh/id_ed25519" "$WS/planted-link"
	ln -s "$HOME/.aws" "$WS/aws-dir"
	run sb 'must_fail "grep -q CORRAL-SECRET planted-link"
		must_fail "grep -q CORRAL-SECRET aws-dir/credentials"
		must_fail "ln -s $HOME/.ssh/id_ed25519 made-link && grep -q CORRAL-SECRET made-link"'
	assert_sb_clean
	refute_output_has "CORRAL-SECRET-"
}

@test "deny-read: --deny-read hides another path, which is readable without it" {
	echo "CORRAL-SECRET-private" > "$OUT/private.txt"
	mkdir -p "$OUT/privdir"
	echo "CORRAL-SECRET-privdir" > "$OUT/privdir/f"
	run sb 'must_work "grep -q CORRAL-SECRET $OUT/private.txt"'
	assert_sb_clean
	run sb --deny-read "$OUT/private.txt" --deny-read "$OUT/privdir" \
		'must_fail "grep -q CORRAL-SECRET $OUT/private.txt"
		must_fail "grep -q CORRAL-SECRET $OUT/privdir/f"
		must_work "grep -q outside $OUT/data.txt"'
	assert_sb_clean
}

@test "deny-read: --deny-read inside the workspace hides that path" {
	echo "CORRAL-SECRET-wsenv" > "$WS/.env"
	run sb --deny-read "$WS/.env" 'must_fail "grep -q CORRAL-SECRET $WS/.env"
		must_fail "cat .env"'
	assert_sb_clean
	refute_output_has CORRAL-SECRET-
}

@test "deny-read: --allow-read un-hides one denied path and only that one" {
	# With users the command is another uid: the planted 0600 secrets are
	# unreadable anyway. Open them to "other" so that what is tested is the
	# deny-read list: one un-hidden, the other still hidden.
	backend_is users && chmod 644 "$HOME/.aws/credentials" "$HOME/.ssh/id_ed25519" && chmod 755 "$HOME/.ssh"
	run sb --allow-read "$HOME/.aws" 'must_work "grep -q CORRAL-SECRET $HOME/.aws/credentials"
		must_fail "grep -q CORRAL-SECRET $HOME/.ssh/id_ed25519"'
	assert_sb_clean
}

@test "env: secrets by other names are dropped too (*_PAT, *_SECRET_KEY, *_PRIVATE_KEY, *_PASSPHRASE, *_CREDENTIALS, PGPASSWORD, MYSQL_PWD)" {
	run env GITHUB_PAT=pat-1 STRIPE_SECRET_KEY=sk-2 SSH_PRIVATE_KEY=pk-3 GPG_PASSPHRASE=pp-4 \
		GOOGLE_CREDENTIALS=cr-5 PGPASSWORD=pg-6 MYSQL_PWD=my-7 MY_VAR=keep-me "$CORRAL" run -- env
	assert_success
	local v
	for v in pat-1 sk-2 pk-3 pp-4 cr-5 pg-6 my-7; do
		refute_output_has "$v"
	done
	assert_output_has "MY_VAR=keep-me"
	# control: the same variables reach a command run without corral
	run env GITHUB_PAT=pat-1 PGPASSWORD=pg-6 env
	assert_output_has pat-1
	assert_output_has pg-6
}

@test "deny-read: ordinary dotfiles stay readable (~/.bashrc, ~/.ssh is the exception)" {
	run sb 'must_work "grep -q EDITOR $HOME/.bashrc"
		must_work "cat $OUT/data.txt"'
	assert_sb_clean
}

@test "env: secrets are dropped (FOO_TOKEN, AWS_*, *_SECRET, *_API_KEY, *_PASSWORD), normal vars kept" {
	run env FOO_TOKEN=tok-1 AWS_SECRET_ACCESS_KEY=aws-2 AWS_REGION=eu-3 MY_SECRET=sec-4 \
		OPENAI_API_KEY=key-5 DB_PASSWORD=pw-6 GITHUB_TOKEN=gh-7 \
		MY_VAR=keep-me EDITOR=vi LANG=C.UTF-8 \
		"$CORRAL" run -- env
	assert_success
	local v
	for v in tok-1 aws-2 eu-3 sec-4 key-5 pw-6 gh-7 FOO_TOKEN AWS_SECRET_ACCESS_KEY OPENAI_API_KEY; do
		refute_output_has "$v"
	done
	assert_output_has "MY_VAR=keep-me"
	assert_output_has "EDITOR=vi"
	# HOME: the caller's with userns, the sandbox user's own with users (docs/elevated.md)
	assert_output_has "HOME=$(sandbox_account | cut -d' ' -f3)"
	assert_output_has "PATH=$PATH"
	assert_output_has "CORRAL_SANDBOX=1"
	assert_output_has "CORRAL_NETWORK=off"
	assert_output_has "TMPDIR=/tmp"
}

@test "env: dropped secrets cannot be read back from /proc (corral's own environment)" {
	run env FOO_TOKEN=$TOKEN-tok AWS_SECRET_ACCESS_KEY=$TOKEN-aws "$CORRAL" run -- \
		sh -c 'for f in /proc/[0-9]*/environ /proc/self/environ; do tr "\0" "\n" < "$f" 2>/dev/null; done; echo END'
	assert_success
	assert_output_has END
	refute_output_has "$TOKEN-tok"
	refute_output_has "$TOKEN-aws"
}

# Shell and REPL histories hold typed passwords, tokens and connection
# strings: hidden by default, like the credential files.
@test "deny-read: shell and REPL histories are hidden by default" {
	mkdir -p "$FAKEHOME/.local/share/fish"
	local h
	for h in .bash_history .zsh_history .python_history .psql_history .local/share/fish/fish_history; do
		echo "export GITHUB_TOKEN=$TOKEN-history" > "$FAKEHOME/$h"
	done
	snap_outside hist
	# by the caller's home's path ($0): with users, ~ inside is the sandbox user's home
	run corral run -- sh -c 'cd "$0" && cat .bash_history .zsh_history .python_history .psql_history \
		.local/share/fish/fish_history 2>&1; true' "$FAKEHOME"
	assert_success
	refute_output_has "$TOKEN-history"
	assert_outside_unchanged hist
}
