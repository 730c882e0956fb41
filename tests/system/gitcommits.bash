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

