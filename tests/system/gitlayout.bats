#!/usr/bin/env bats
# Git finds config and hooks through more than .git (issue 16, class 3), and
# everything corral reads from a workspace is hostile (class 8). Each attack
# plants what git would run later, then the developer's own git runs outside
# the sandbox, after the run, and the test checks that nothing ran. Each
# scenario has a control that plants the same thing without corral and
# shows that the developer's git does run it (so the check means something).

load helpers

setup() {
	common_setup
	command -v git > /dev/null || skip "git is not installed"
	MARK=$OUT/ran-$TOKEN
	export MARK
	OTHER=$T/other
	mkdir -p "$OTHER"
}
teardown() { common_teardown; }

# The developer's git, outside, after the run.
dev_git() { git -C "$1" -c user.email=dev@example.invalid -c user.name=dev "${@:2}"; }

# A hook (or fsmonitor) script that leaves $MARK behind when it runs.
hook_text() { printf '#!/bin/sh\necho "$0" >> %q\nexit 0\n' "$MARK"; }

new_repo() {
	git init -q "$1"
	dev_git "$1" commit -q --allow-empty -m init
}

# Runs SCRIPT (bash) with corral (mode "sb", extra corral options before it)
# or without (mode "plain"), with H, MARK, WS, OTHER set.
attack() {
	local mode=$1 script=${!#}
	local opts=("${@:2:$#-2}")
	local full="hook_text() { printf '#!/bin/sh\\necho \"\$0\" >> %q\\nexit 0\\n' \"\$MARK\"; }
$script"
	if [ "$mode" = plain ]; then
		(cd "$WS" && env MARK="$MARK" WS="$WS" OTHER="$OTHER" bash -c "$full") 2>&1
	else
		corral run "${opts[@]}" -- env MARK="$MARK" WS="$WS" OTHER="$OTHER" bash -c "$full"
	fi
}

# After the run: the developer commits and asks for the status; nothing the
# command planted may have run.
assert_nothing_ran() {
	dev_git "$WS" commit -q --allow-empty -m after > /dev/null 2>&1 || true
	dev_git "$WS" status > /dev/null 2>&1 || true
	if [ -e "$MARK" ]; then
		cat "$MARK" >&2
		fail "something the command planted ran outside the sandbox: $(cat "$MARK")"
	fi
}

assert_it_ran() {
	dev_git "$WS" commit -q --allow-empty -m after > /dev/null 2>&1 || true
	dev_git "$WS" status > /dev/null 2>&1 || true
	[ -e "$MARK" ] || fail "control: the developer's git did not run what was planted (the attack test proves nothing)"
}

# --- a .git directory with a commondir --------------------------------------

layout_commondir() {
	new_repo "$WS"
	git init -q --bare "$OTHER/shared.git"
	echo "$OTHER/shared.git" > "$WS/.git/commondir"
}
COMMONDIR_ATTACK='mkdir -p "$OTHER/shared.git/hooks"; hook_text > "$OTHER/shared.git/hooks/pre-commit" && chmod +x "$OTHER/shared.git/hooks/pre-commit" && echo PLANTED
printf "[core]\n\tfsmonitor = %s\n" "$OTHER/fsmon" >> "$OTHER/shared.git/config" && echo PLANTED-CONFIG
hook_text > "$OTHER/fsmon"; chmod +x "$OTHER/fsmon"; true'

@test "commondir: a .git directory's commondir in another writable root: its hooks and config stay read-only" {
	layout_commondir
	run attack sb -w "$OTHER" "$COMMONDIR_ATTACK"
	assert_success
	refute_output_has PLANTED
	[ ! -e "$OTHER/shared.git/hooks/pre-commit" ]
	assert_nothing_ran
}

@test "control: a hook planted in a commondir runs in the developer's git" {
	layout_commondir
	run attack plain "$COMMONDIR_ATTACK"
	assert_output_has PLANTED
	assert_it_ran
}

# --- core.hooksPath ---------------------------------------------------------

HUSKY_ATTACK='mkdir -p .husky/_ 2>/dev/null; hook_text > .husky/pre-commit && chmod +x .husky/pre-commit && echo PLANTED
hook_text > .husky/_/pre-commit && chmod +x .husky/_/pre-commit && echo PLANTED-UNDERSCORE
mv .husky husky-old 2>/dev/null && mkdir -p .husky && hook_text > .husky/pre-commit && chmod +x .husky/pre-commit && echo REPLACED
true'

@test "hooksPath: core.hooksPath=.husky, missing: .husky cannot be created, so no hook appears" {
	new_repo "$WS"
	dev_git "$WS" config core.hooksPath .husky
	run attack sb "$HUSKY_ATTACK"
	assert_success
	refute_output_has PLANTED
	refute_output_has REPLACED
	[ ! -e "$WS/.husky" ]
	assert_nothing_ran
}

@test "hooksPath: an existing .husky stays read-only and cannot be moved away" {
	new_repo "$WS"
	mkdir -p "$WS/.husky"
	echo '# lint' > "$WS/.husky/README"
	dev_git "$WS" config core.hooksPath .husky
	run attack sb "$HUSKY_ATTACK"
	assert_success
	refute_output_has PLANTED
	refute_output_has REPLACED
	[ "$(ls -A "$WS/.husky")" = README ]
	assert_nothing_ran
}

@test "hooksPath: husky 9 (core.hooksPath=.husky/_): all of .husky is protected, its hook scripts too" {
	new_repo "$WS"
	mkdir -p "$WS/.husky/_"
	printf '#!/bin/sh\n. "$(dirname "$0")/h"\n' > "$WS/.husky/_/pre-commit"
	printf '#!/bin/sh\nexit 0\n' > "$WS/.husky/_/h"
	chmod +x "$WS/.husky/_/pre-commit" "$WS/.husky/_/h"
	dev_git "$WS" config core.hooksPath .husky/_
	run attack sb 'hook_text > .husky/pre-commit && echo PLANTED; hook_text > .husky/_/h && echo PLANTED-H; true'
	assert_success
	refute_output_has PLANTED
	[ ! -e "$WS/.husky/pre-commit" ]
	assert_nothing_ran
}

@test "control: a hook in core.hooksPath=.husky runs in the developer's git" {
	new_repo "$WS"
	dev_git "$WS" config core.hooksPath .husky
	run attack plain "$HUSKY_ATTACK"
	assert_output_has PLANTED
	assert_it_ran
}

@test "hooksPath: the enclosing repository's core.hooksPath pointing into the workspace is protected" {
	# the workspace is one package of a larger repository
	local repo=$T/mono
	new_repo "$repo"
	mkdir -p "$repo/pkg"
	WS=$repo/pkg
	dev_git "$repo" config core.hooksPath pkg/hooks
	run attack sb -W "$WS" 'mkdir -p hooks && hook_text > hooks/pre-commit && chmod +x hooks/pre-commit && echo PLANTED; true'
	assert_success
	refute_output_has PLANTED
	assert_nothing_ran
}

# --- submodules: .git/modules/NAME -------------------------------------------

# A submodule two levels down (libs/sub: beyond protect_depth 1, so the
# nested scan does not find its .git file); its repository is
# .git/modules/libs/sub, whose config sets core.hooksPath = .hooks,
# relative to the submodule's worktree (its core.worktree).
layout_submodule() {
	new_repo "$T/upstream"
	new_repo "$WS"
	dev_git "$WS" -c protocol.file.allow=always submodule add -q "$T/upstream" libs/sub > /dev/null 2>&1 ||
		skip "git submodule add does not work here"
	dev_git "$WS" commit -q -m submodule
	dev_git "$WS/libs/sub" config core.hooksPath .hooks
	[ -e "$WS/.git/modules/libs/sub/config" ] || skip "this git keeps submodules elsewhere"
}
SUBMODULE_ATTACK='mkdir -p libs/sub/.hooks && hook_text > libs/sub/.hooks/pre-commit && chmod +x libs/sub/.hooks/pre-commit && echo PLANTED
touch libs/sub/file && echo SUB-WRITABLE; true'

@test "submodule: a submodule's core.hooksPath (its config in .git/modules, beyond protect_depth) cannot be created" {
	layout_submodule
	run attack sb "$SUBMODULE_ATTACK"
	assert_success
	refute_output_has PLANTED
	assert_output_has SUB-WRITABLE
	[ ! -e "$WS/libs/sub/.hooks" ]
	dev_git "$WS/libs/sub" commit -q --allow-empty -m after > /dev/null 2>&1 || true
	[ ! -e "$MARK" ] || fail "the submodule's hook ran: $(cat "$MARK")"
}

@test "control: a hook planted in a submodule's core.hooksPath runs in the developer's git" {
	layout_submodule
	run attack plain "$SUBMODULE_ATTACK"
	assert_output_has PLANTED
	dev_git "$WS/libs/sub" commit -q --allow-empty -m after > /dev/null 2>&1 || true
	[ -e "$MARK" ] || fail "control: the submodule's hook did not run"
}

# --- a command git runs, named by path in protected config ------------------

# core.fsmonitor names a script in the workspace (existing: tools/watch.sh;
# missing: tools/gen/watch.sh below a missing directory); git status runs it
# from the top of the worktree. The command rewrites, replaces or creates it.
layout_fsmonitor() {
	new_repo "$WS"
	mkdir -p "$WS/tools"
	printf '#!/bin/sh\nexit 0\n' > "$WS/tools/watch.sh"
	chmod +x "$WS/tools/watch.sh"
	dev_git "$WS" config core.fsmonitor "${1:-tools/watch.sh}"
}
FSMONITOR_ATTACK='hook_text > tools/watch.sh && echo PLANTED
mv tools/watch.sh tools/old 2>/dev/null && hook_text > tools/watch.sh && chmod +x tools/watch.sh && echo REPLACED
mv tools tools-old 2>/dev/null && mkdir tools && hook_text > tools/watch.sh && chmod +x tools/watch.sh && echo MOVED
mkdir -p tools/gen 2>/dev/null && hook_text > tools/gen/watch.sh && chmod +x tools/gen/watch.sh && echo CREATED
touch tools/other && echo TOOLS-WRITABLE; true'

@test "command path: a core.fsmonitor script in the workspace cannot be rewritten, replaced or moved away" {
	layout_fsmonitor
	cp "$WS/tools/watch.sh" "$T/watch.before"
	run attack sb "$FSMONITOR_ATTACK"
	assert_success
	refute_output_has PLANTED
	refute_output_has REPLACED
	refute_output_has MOVED
	assert_output_has TOOLS-WRITABLE # only the script is protected, not its directory
	cmp "$WS/tools/watch.sh" "$T/watch.before"
	assert_nothing_ran
}

@test "command path: a missing core.fsmonitor script (below a missing directory) cannot be created" {
	layout_fsmonitor tools/gen/watch.sh
	run attack sb "$FSMONITOR_ATTACK"
	assert_success
	refute_output_has CREATED
	[ ! -e "$WS/tools/gen" ] # its placeholder, gone after the run
	assert_nothing_ran
}

@test "control: a core.fsmonitor script rewritten in the workspace runs in the developer's git" {
	layout_fsmonitor
	run attack plain "$FSMONITOR_ATTACK"
	assert_output_has PLANTED
	assert_it_ran
}

# trailer.<token>.command names a checked-in script the developer's
# git commit --trailer runs (from the top of the worktree); any key whose
# value git runs is the same (plan/gitlayout.c, is_command_key).
layout_trailer() {
	new_repo "$WS"
	mkdir -p "$WS/tools"
	printf '#!/bin/sh\necho signed\n' > "$WS/tools/sign.sh"
	chmod +x "$WS/tools/sign.sh"
	dev_git "$WS" config trailer.sign.command "tools/sign.sh"
}
TRAILER_ATTACK='hook_text > tools/sign.sh && echo PLANTED
mv tools/sign.sh tools/old 2>/dev/null && hook_text > tools/sign.sh && chmod +x tools/sign.sh && echo REPLACED; true'

# the developer's next commit with a trailer
trailer_commit() { dev_git "$WS" commit -q --allow-empty -m t --trailer sign=me > /dev/null 2>&1 || true; }

@test "command path: a trailer.*.command script in the workspace cannot be rewritten or replaced" {
	layout_trailer
	run attack sb "$TRAILER_ATTACK"
	assert_success
	refute_output_has PLANTED
	refute_output_has REPLACED
	trailer_commit
	[ ! -e "$MARK" ] || fail "the developer's git commit --trailer ran what the command planted"
}

@test "control: a trailer.*.command script rewritten in the workspace runs at the developer's commit" {
	layout_trailer
	run attack plain "$TRAILER_ATTACK"
	assert_output_has PLANTED
	trailer_commit
	[ -e "$MARK" ] || fail "control: git commit --trailer did not run the script (the attack test proves nothing)"
}

# credential.helper = "!tools/cred.sh" is a shell command (git's credential.c),
# run from the worktree's top by the developer's next fetch or push; the
# path is after the "!". Without it, a value with a slash runs
# git-credential-<value> by path from there.
layout_credential() {
	new_repo "$WS"
	mkdir -p "$WS/tools" "$WS/git-credential-tools"
	printf '#!/bin/sh\nexit 0\n' > "$WS/tools/cred.sh"
	printf '#!/bin/sh\nexit 0\n' > "$WS/git-credential-tools/cred"
	chmod +x "$WS/tools/cred.sh" "$WS/git-credential-tools/cred"
	dev_git "$WS" config credential.helper '!tools/cred.sh'
	dev_git "$WS" config --add credential.helper 'tools/cred'
}
CREDENTIAL_ATTACK='hook_text > tools/cred.sh && echo PLANTED
mv tools/cred.sh tools/old 2>/dev/null && hook_text > tools/cred.sh && chmod +x tools/cred.sh && echo REPLACED
hook_text > git-credential-tools/cred && echo PLANTED-DASHED; true'

# what the developer's git fetch or push asks its helpers, from a subdirectory
credential_fill() {
	mkdir -p "$WS/sub"
	(cd "$WS/sub" && printf 'protocol=https\nhost=example.invalid\n\n' |
		GIT_TERMINAL_PROMPT=0 GIT_ASKPASS= SSH_ASKPASS= git credential fill > /dev/null 2>&1) || true
}

@test "command path: a credential.helper \"!tools/cred.sh\" (and \"tools/cred\") script cannot be rewritten or replaced" {
	layout_credential
	run attack sb "$CREDENTIAL_ATTACK"
	assert_success
	refute_output_has PLANTED
	refute_output_has REPLACED
	credential_fill
	[ ! -e "$MARK" ] || fail "the developer's git credential fill ran what the command planted: $(cat "$MARK")"
}

@test "control: a credential.helper script rewritten in the workspace runs when the developer's git asks for credentials" {
	layout_credential
	run attack plain "$CREDENTIAL_ATTACK"
	assert_output_has PLANTED
	assert_output_has PLANTED-DASHED
	credential_fill
	grep -q 'tools/cred.sh' "$MARK" || fail "control: git credential fill did not run tools/cred.sh"
	grep -q 'git-credential-tools/cred' "$MARK" || fail "control: git credential fill did not run git-credential-tools/cred"
}

# --- include.path, includeIf ------------------------------------------------

@test "include: an included config file in the workspace stays read-only, and a missing one cannot be created" {
	# The missing include's first missing component is the directory conf.d:
	# its placeholder (made by the developer's corral on the users backend)
	# must be what the runner protects too, or the run is refused (125).
	new_repo "$WS"
	printf '[user]\n\tname = dev\n' > "$WS/shared.gitconfig"
	printf '[include]\n\tpath = ../shared.gitconfig\n[includeIf "onbranch:other"]\n\tpath = ../conf.d/other.inc\n' \
		>> "$WS/.git/config"
	cp "$WS/shared.gitconfig" "$T/shared.before"
	run attack sb 'hook_text > fsmon; chmod +x fsmon
printf "[core]\n\tfsmonitor = %s/fsmon\n" "$WS" >> shared.gitconfig && echo PLANTED
mv shared.gitconfig x 2>/dev/null && echo MOVED
mkdir -p conf.d && printf "[core]\n\tfsmonitor = %s/fsmon\n" "$WS" > conf.d/other.inc && echo PLANTED-COND
true'
	assert_success
	refute_output_has PLANTED
	refute_output_has MOVED
	cmp "$WS/shared.gitconfig" "$T/shared.before"
	[ ! -e "$WS/conf.d" ]
	dev_git "$WS" checkout -q -b other
	assert_nothing_ran
}

@test "control: core.fsmonitor in an included file runs in the developer's git" {
	new_repo "$WS"
	printf '[include]\n\tpath = ../shared.gitconfig\n' >> "$WS/.git/config"
	run attack plain 'hook_text > fsmon; chmod +x fsmon
printf "[core]\n\tfsmonitor = %s/fsmon\n" "$WS" >> shared.gitconfig && echo PLANTED'
	assert_output_has PLANTED
	assert_it_ran
}

# -w ~/.config is a broad root (the config home: tests/system/fs.bats), so
# this allows it explicitly: the global git config stays protected then too.
@test "include: the global git config in a writable root (-w ~/.config) stays read-only" {
	new_repo "$WS"
	mkdir -p "$XDG_CONFIG_HOME/git"
	printf '[user]\n\tname = dev\n' > "$XDG_CONFIG_HOME/git/config"
	cp "$XDG_CONFIG_HOME/git/config" "$T/global.before"
	run attack sb --allow-broad-root -w "$XDG_CONFIG_HOME" 'hook_text > '"$XDG_CONFIG_HOME"'/fsmon; chmod +x '"$XDG_CONFIG_HOME"'/fsmon
printf "[core]\n\tfsmonitor = %s/fsmon\n" '"$XDG_CONFIG_HOME"' >> '"$XDG_CONFIG_HOME"'/git/config && echo PLANTED
printf "[core]\n\thooksPath = /x\n" > '"$HOME"'/.gitconfig 2>/dev/null && echo PLANTED-HOME
touch '"$XDG_CONFIG_HOME"'/other-file && echo ROOT-OK; true'
	assert_success
	assert_output_has ROOT-OK
	refute_output_has PLANTED
	cmp "$XDG_CONFIG_HOME/git/config" "$T/global.before"
	assert_nothing_ran
}

# --- config.worktree --------------------------------------------------------

@test "config.worktree: a hooksPath set per worktree is protected too" {
	new_repo "$WS"
	dev_git "$WS" config extensions.worktreeConfig true
	dev_git "$WS" config --worktree core.hooksPath wt-hooks
	run attack sb 'mkdir -p wt-hooks && hook_text > wt-hooks/pre-commit && chmod +x wt-hooks/pre-commit && echo PLANTED; true'
	assert_success
	refute_output_has PLANTED
	assert_nothing_ran
}

@test "config.worktree: a linked worktree's config.worktree naming hooks in its own tree is protected" {
	local main=$T/main
	new_repo "$main"
	dev_git "$main" config extensions.worktreeConfig true
	dev_git "$main" worktree add -q "$WS/wt" 2> /dev/null
	dev_git "$WS/wt" config --worktree core.hooksPath .githooks
	run attack sb 'mkdir -p wt/.githooks && hook_text > wt/.githooks/pre-commit && chmod +x wt/.githooks/pre-commit && echo PLANTED; true'
	assert_success
	refute_output_has PLANTED
	WS=$WS/wt assert_nothing_ran
}

# --- one config, several repositories (attack F4) ----------------------------
# A linked worktree shares the main repository's config through commondir; a
# relative core.hooksPath or command path in it starts from each worktree's
# own top. Each repository that reads the config gets its own surfaces.

# layout_linked WT: the workspace's repository with husky's core.hooksPath
# (.husky/_) and core.fsmonitor = tools/watch.sh (committed), and a linked
# worktree at $WS/WT
layout_linked() {
	new_repo "$WS"
	mkdir -p "$WS/.husky/_" "$WS/tools"
	printf '#!/bin/sh\nexit 0\n' > "$WS/tools/watch.sh"
	chmod +x "$WS/tools/watch.sh"
	dev_git "$WS" add tools/watch.sh
	dev_git "$WS" commit -q -m tools
	dev_git "$WS" config core.hooksPath .husky/_
	dev_git "$WS" worktree add -q "$WS/$1" 2> /dev/null
}
linked_attack() { # linked_attack WT: plants a hook and rewrites the fsmonitor script in WT
	printf 'mkdir -p %q/.husky/_ 2>/dev/null; hook_text > %q/.husky/_/pre-commit && chmod +x %q/.husky/_/pre-commit && echo PLANTED-HOOK
hook_text > %q/tools/watch.sh && echo PLANTED-FSMONITOR; true' "$1" "$1" "$1" "$1"
}

@test "linked worktree: a relative core.hooksPath (husky's .husky/_) in wt2 and deep/er/wt3 is protected there" {
	layout_linked wt2
	dev_git "$WS" worktree add -q "$WS/deep/er/wt3" 2> /dev/null
	run attack sb "$(linked_attack wt2)
$(linked_attack deep/er/wt3)"
	assert_success
	refute_output_has PLANTED-HOOK
	[ ! -e "$WS/wt2/.husky" ] && [ ! -e "$WS/deep/er/wt3/.husky" ]
	WS=$WS/wt2 assert_nothing_ran
	WS=$WS/deep/er/wt3 assert_nothing_ran
}

@test "control: a hook planted in a linked worktree's relative core.hooksPath runs at the developer's commit there" {
	layout_linked deep/er/wt3
	run attack plain "$(linked_attack deep/er/wt3)"
	assert_output_has PLANTED-HOOK
	WS=$WS/deep/er/wt3 assert_it_ran
}

@test "linked worktree: a relative core.fsmonitor from the shared config cannot be rewritten in the worktree" {
	layout_linked wt2
	dev_git "$WS" config core.fsmonitor tools/watch.sh
	cp "$WS/wt2/tools/watch.sh" "$T/watch.before"
	run attack sb "$(linked_attack wt2)"
	assert_success
	refute_output_has PLANTED-FSMONITOR
	cmp "$WS/wt2/tools/watch.sh" "$T/watch.before"
	WS=$WS/wt2 assert_nothing_ran
}

@test "control: a relative core.fsmonitor rewritten in a linked worktree runs at the developer's git status there" {
	layout_linked wt2
	dev_git "$WS" config core.fsmonitor tools/watch.sh
	run attack plain "$(linked_attack wt2)"
	assert_output_has PLANTED-FSMONITOR
	WS=$WS/wt2 assert_it_ran
}

# two repositories including one file that names a relative hooksPath
layout_shared_include() {
	printf '[core]\n\thooksPath = .githooks\n' > "$WS/shared.gitconfig"
	for d in a b; do
		new_repo "$WS/$d"
		dev_git "$WS/$d" config include.path ../../shared.gitconfig
	done
}
SHARED_ATTACK='for d in a b; do mkdir -p $d/.githooks 2>/dev/null; hook_text > $d/.githooks/pre-commit && chmod +x $d/.githooks/pre-commit && echo PLANTED-$d; done; true'

@test "include: two repositories including one file each keep their relative hooksPath protected" {
	layout_shared_include
	run attack sb "$SHARED_ATTACK"
	assert_success
	refute_output_has PLANTED
	WS=$WS/a assert_nothing_ran
	WS=$WS/b assert_nothing_ran
}

@test "control: a hook planted in the second repository sharing an included hooksPath runs there" {
	layout_shared_include
	run attack plain "$SHARED_ATTACK"
	assert_output_has PLANTED-b
	WS=$WS/b assert_it_ran
}

# git 2.48 writes a linked worktree's pointers relative with
# worktree.useRelativePaths (worktrees/ID/gitdir relative to worktrees/ID);
# written here by hand, which older git reads the same way.
relative_worktree() {
	new_repo "$WS"
	dev_git "$WS" worktree add -q "$WS/a/b/wt" 2> /dev/null
	echo "../../../a/b/wt/.git" > "$WS/.git/worktrees/wt/gitdir"
	echo "gitdir: ../../../.git/worktrees/wt" > "$WS/a/b/wt/.git"
	dev_git "$WS/a/b/wt" status > /dev/null || fail "setup: the worktree does not work"
}
RELATIVE_WT_ATTACK='printf "gitdir: %s\n" "$WS/evil.git" > a/b/wt/.git && echo PLANTED
git init -q --bare evil.git && printf "[core]\n\tbare = false\n\tfsmonitor = \"%s\"\n" "$WS/fsmon" > evil.git/config
hook_text > fsmon; chmod +x fsmon; true'

@test "worktrees: a linked worktree with relative paths, deeper than protect_depth, keeps its .git read-only" {
	relative_worktree
	run attack sb "$RELATIVE_WT_ATTACK"
	assert_success
	refute_output_has PLANTED
	[ "$(cat "$WS/a/b/wt/.git")" = "gitdir: ../../../.git/worktrees/wt" ]
	WS=$WS/a/b/wt assert_nothing_ran
}

@test "control: a linked worktree's .git re-pointed at a repository of the command's runs its fsmonitor" {
	relative_worktree
	run attack plain "$RELATIVE_WT_ATTACK"
	assert_output_has PLANTED
	WS=$WS/a/b/wt assert_it_ran
}

# --- gitdir lines read exactly as git reads them ----------------------------

@test "gitdir: 'gitdir:  x' (two spaces) names ' x', and that is what is protected" {
	new_repo "$WS"
	mv "$WS/.git" "$WS/ real"
	printf 'gitdir:  real\n' > "$WS/.git"
	dev_git "$WS" status > /dev/null # git itself takes ' real'
	run attack sb 'hook_text > " real/hooks/pre-commit" && chmod +x " real/hooks/pre-commit" && echo PLANTED; true'
	assert_success
	refute_output_has PLANTED
	assert_nothing_ran
}

@test "gitdir: a missing gitdir cannot be created by the command" {
	printf 'gitdir: .real\n' > "$WS/.git"
	# refused before anything runs (pinning.bats): the command could create it
	run attack sb 'git init -q --bare .real 2>/dev/null && echo CREATED
mkdir -p .real/hooks 2>/dev/null && hook_text > .real/hooks/pre-commit && chmod +x .real/hooks/pre-commit && echo PLANTED; true'
	assert_status 125
	refute_output_has CREATED
	refute_output_has PLANTED
	[ ! -e "$WS/.real" ]
	assert_nothing_ran
}

@test "control: a repository created at a .git file's missing gitdir runs its hooks" {
	printf 'gitdir: .real\n' > "$WS/.git"
	run attack plain 'git init -q --bare .real && git --git-dir=.real config core.bare false && hook_text > .real/hooks/pre-commit && chmod +x .real/hooks/pre-commit && echo PLANTED'
	assert_output_has PLANTED
	assert_it_ran
}

@test "symlink: a symlink on the way to core.hooksPath cannot be repointed" {
	new_repo "$WS"
	mkdir -p "$WS/tools/hooks-real"
	ln -s tools/hooks-real "$WS/hooks"
	dev_git "$WS" config core.hooksPath hooks
	run attack sb 'mkdir -p mine && hook_text > mine/pre-commit && chmod +x mine/pre-commit
ln -sfn mine hooks 2>/dev/null && [ "$(readlink hooks)" = mine ] && echo REPOINTED
hook_text > tools/hooks-real/pre-commit 2>/dev/null && echo PLANTED; true'
	assert_success
	refute_output_has REPOINTED
	refute_output_has PLANTED
	assert_nothing_ran
}

# --- hostile files corral reads (class 8) -----------------------------------

@test "hostile: a FIFO .corral.toml fails the run at once (125) instead of hanging it" {
	mkfifo "$WS/.corral.toml"
	SECONDS=0
	run timeout -s KILL 20 "$CORRAL" run -- true
	[ "$SECONDS" -lt 10 ] || fail "corral took ${SECONDS}s"
	assert_status 125
	assert_output_has ".corral.toml"
	assert_output_has "FIFO"
}

@test "hostile: a FIFO, a device or a socket where git reads config or a gitdir fails the run at once (125)" {
	new_repo "$WS"
	rm "$WS/.git/config"
	mkfifo "$WS/.git/config"
	SECONDS=0
	run timeout -s KILL 20 "$CORRAL" run -- true
	assert_status 125
	assert_output_has "$WS/.git/config is a FIFO"
	rm "$WS/.git/config"
	ln -s /dev/tty "$WS/.git/config" # a terminal: reading it would wait for input
	run timeout -s KILL 20 "$CORRAL" run -- true
	assert_status 125
	assert_output_has "character device"
	rm -rf "$WS/.git"
	mkfifo "$WS/.gitdir-fifo"
	ln -s .gitdir-fifo "$WS/.git" # a .git leading to a FIFO: git takes it for no repository
	run timeout -s KILL 20 "$CORRAL" run -- true
	assert_success
	mkdir -p "$WS/sub" && git init -q "$WS/sub/real" && rm "$WS/.git"
	mkfifo "$WS/sub/real/.git/commondir"
	run timeout -s KILL 20 "$CORRAL" run -- true # not a protected repository: nothing reads it
	assert_success
	printf 'gitdir: real/.git\n' > "$WS/sub/.git" # now it is one (nested, depth 1)
	run timeout -s KILL 20 "$CORRAL" run -- true
	assert_status 125
	assert_output_has "commondir is a FIFO"
	[ "$SECONDS" -lt 15 ] || fail "corral took ${SECONDS}s in all"
}

@test "hostile: an enormous, NUL-carrying, deeply nested or non-UTF-8 .corral.toml is refused at once (125), saying why" {
	# each would otherwise make corral read, allocate or recurse without
	# bound, or apply half a policy: the run is refused before the command
	# starts (it would leave a mark)
	local cmd=(timeout -s KILL 20 "$CORRAL" run -- sh -c "touch '$OUT/ran-$TOKEN'")
	head -c 2000000 /dev/zero | tr '\0' '#' > "$WS/.corral.toml"
	SECONDS=0
	run "${cmd[@]}"
	assert_status 125
	assert_output_has "$WS/.corral.toml: larger than"
	printf 'timeout = 30\0\nmode = "full-access"\n' > "$WS/.corral.toml"
	run "${cmd[@]}"
	assert_status 125
	assert_output_has "NUL byte"
	{ printf 'a = '; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; echo; } > "$WS/.corral.toml"
	run "${cmd[@]}"
	assert_status 125
	assert_output_has "nesting too deep"
	printf 'timeout = 30\n\377\376 = 1\n' > "$WS/.corral.toml"
	run "${cmd[@]}"
	assert_status 125
	assert_output_has "invalid UTF-8"
	[ "$SECONDS" -lt 15 ] || fail "corral took ${SECONDS}s for four refusals"
	[ ! -e "$OUT/ran-$TOKEN" ]
}

@test "hostile: a .corral.toml that is a symlink out of the workspace is not read (its contents never reach stderr)" {
	printf 'AWS_SECRET_ACCESS_KEY = "%s"\n' "$TOKEN-secret" > "$OUT/secrets.env"
	ln -s "$OUT/secrets.env" "$WS/.corral.toml"
	run corral run -- true
	assert_status 125
	assert_output_has "symbolic link"
	refute_output_has "$TOKEN-secret"
	refute_output_has AWS_SECRET_ACCESS_KEY
	# a link to a file inside the workspace is read as usual
	rm "$WS/.corral.toml"
	printf 'timeout = 30\n' > "$WS/corral.conf"
	ln -s corral.conf "$WS/.corral.toml"
	run corral run -- true
	assert_success
}

@test "hostile: a huge or binary git config, or an include loop, neither hangs nor crashes corral" {
	new_repo "$WS"
	head -c 5000000 /dev/zero > "$WS/.git/config.big"
	printf '[include]\n\tpath = config.big\n' >> "$WS/.git/config"
	run timeout -s KILL 20 "$CORRAL" run -- true
	assert_status 125
	assert_output_has "larger than"
	printf '[include]\n\tpath = a\n' > "$WS/.git/b"
	printf '[include]\n\tpath = b\n' > "$WS/.git/a"
	printf '\0\377\376[core\n' > "$WS/.git/config.big"
	printf '[include]\n\tpath = a\n\tpath = config.big\n' > "$WS/.git/config"
	run timeout -s KILL 20 "$CORRAL" run -- true
	assert_success
}

# --- a bare repository planted in the workspace -------------------------------
# A directory holding HEAD, objects/ and refs/ is a repository to git: run in
# it or below it, git takes it for a bare one before it looks further up for
# the workspace's .git, and its config's core.worktree + core.fsmonitor run a
# program on every git status (git's safe.bareRepository defaults to "all").

BARE_ATTACK='hook_text > "$WS/fsmon"; chmod +x "$WS/fsmon"
for d in ${BARE_DIRS:-src}; do
	git init -q --bare "$d" 2>/dev/null && echo "PLANTED $d"
	git -C "$d" config core.bare false && git -C "$d" config core.worktree . &&
		git -C "$d" config core.fsmonitor "$WS/fsmon" && echo "CONFIGURED $d"
done; true'

# The developer's git status in DIR (and a directory below it).
assert_status_in() {
	local dir=$1
	mkdir -p "$dir/below"
	dev_git "$dir/below" status > /dev/null 2>&1 || true
	dev_git "$dir" status > /dev/null 2>&1 || true
}

@test "control: a bare repository planted in src/ runs its fsmonitor on the developer's git status there" {
	new_repo "$WS"
	mkdir -p "$WS/src" && echo code > "$WS/src/main.c"
	run attack plain "$BARE_ATTACK"
	assert_output_has "CONFIGURED src"
	assert_status_in "$WS/src"
	[ -e "$MARK" ] || fail "control: the developer's git status in src/ did not run the planted fsmonitor"
}

@test "bare repository: one planted in src/ of a repository is set aside after the run; git status there runs nothing" {
	new_repo "$WS"
	mkdir -p "$WS/src" && echo code > "$WS/src/main.c"
	run attack sb "$BARE_ATTACK"
	assert_success
	assert_output_has "CONFIGURED src"
	assert_output_has "$WS/src/HEAD: the command made this HEAD"
	[ ! -e "$WS/src/HEAD" ]
	assert_status_in "$WS/src"
	[ ! -e "$MARK" ] || fail "the developer's git status in src/ ran what the command planted: $(cat "$MARK")"
	[ "$(cat "$WS/src/main.c")" = code ]
	# A later run finds no HEAD to complete the repository with.
	run attack sb 'printf "ref: refs/heads/main\n" > src/HEAD && echo REMADE; true'
	assert_output_has REMADE
	[ ! -e "$WS/src/HEAD" ]
	assert_status_in "$WS/src"
	[ ! -e "$MARK" ] || fail "a second run completed the bare repository: $(cat "$MARK")"
}

@test "bare repository: the top of a workspace that is no repository cannot become one (HEAD is held)" {
	echo code > "$WS/main.c"
	run attack sb "BARE_DIRS=.; $BARE_ATTACK"
	assert_success
	refute_output_has "CONFIGURED ."
	[ ! -e "$WS/HEAD" ]
	assert_status_in "$WS"
	[ ! -e "$MARK" ] || fail "the developer's git status in the workspace ran what the command planted: $(cat "$MARK")"
}

@test "control: the top of a workspace that is no repository can be made a bare repository whose fsmonitor runs" {
	echo code > "$WS/main.c"
	run attack plain "BARE_DIRS=.; $BARE_ATTACK"
	assert_output_has "CONFIGURED ."
	assert_status_in "$WS"
	[ -e "$MARK" ] || fail "control: the developer's git status did not run the planted fsmonitor"
}

# --- a bare repository that is already there ----------------------------------
# A mirror kept in the workspace (mirror.git), or a workspace that is itself a
# bare repository: git reads its config and runs its hooks (a push into it
# runs hooks/post-receive), so both stay read-only like a .git.

EXISTING_BARE_ATTACK='d=${BARE_DIR:-mirror.git}
hook_text > "$WS/fsmon"; chmod +x "$WS/fsmon"
git -C "$d" config core.bare false && git -C "$d" config core.worktree . &&
	git -C "$d" config core.fsmonitor "$WS/fsmon" && echo "CONFIGURED $d"
hook_text > "$d/hooks/post-receive" && chmod +x "$d/hooks/post-receive" && echo "HOOKED $d"; true'

# The developer pushes into the bare repository DIR and asks for its status.
assert_dev_uses_bare() {
	local dir=$1 src=$T/dev-src
	rm -rf "$src" && new_repo "$src"
	dev_git "$src" push -q "$dir" HEAD:refs/heads/pushed > /dev/null 2>&1 || true
	dev_git "$dir" status > /dev/null 2>&1 || true
}

@test "control: an existing bare repository in the workspace runs the config and hooks a command writes there" {
	echo code > "$WS/main.c"
	git init -q --bare "$WS/mirror.git"
	run attack plain "$EXISTING_BARE_ATTACK"
	assert_output_has "CONFIGURED mirror.git"
	assert_output_has "HOOKED mirror.git"
	assert_dev_uses_bare "$WS/mirror.git"
	[ -e "$MARK" ] || fail "control: the developer's push or status in mirror.git ran nothing"
}

@test "bare repository: an existing one below the top keeps its config and hooks read-only" {
	echo code > "$WS/main.c"
	git init -q --bare "$WS/mirror.git"
	cp "$WS/mirror.git/config" "$T/config.before"
	run attack sb "$EXISTING_BARE_ATTACK"
	assert_success
	refute_output_has "CONFIGURED mirror.git"
	refute_output_has "HOOKED mirror.git"
	cmp -s "$T/config.before" "$WS/mirror.git/config" || fail "mirror.git/config changed: $(cat "$WS/mirror.git/config")"
	[ ! -e "$WS/mirror.git/hooks/post-receive" ]
	assert_dev_uses_bare "$WS/mirror.git"
	[ ! -e "$MARK" ] || fail "the developer's git in mirror.git ran what the command planted: $(cat "$MARK")"
	# the rest of the workspace stays writable
	run corral run -- sh -c 'echo new > main.c'
	assert_success
	[ "$(cat "$WS/main.c")" = new ]
}

@test "bare repository: --git commits lets a push into an existing one land, its config and hooks still read-only" {
	echo code > "$WS/main.c"
	git init -q --bare "$WS/mirror.git"
	new_repo "$WS/work"
	run attack sb --git commits "$EXISTING_BARE_ATTACK
git -C work push -q ../mirror.git HEAD:refs/heads/agent && echo PUSHED"
	assert_success
	assert_output_has PUSHED
	refute_output_has "CONFIGURED mirror.git"
	refute_output_has "HOOKED mirror.git"
	[ "$(git -C "$WS/mirror.git" rev-parse refs/heads/agent)" = "$(git -C "$WS/work" rev-parse HEAD)" ]
	git -C "$WS/mirror.git" fsck > /dev/null 2>&1 || fail "git fsck failed in mirror.git"
	assert_dev_uses_bare "$WS/mirror.git"
	[ ! -e "$MARK" ] || fail "the developer's git in mirror.git ran what the command planted: $(cat "$MARK")"
}

@test "control: a workspace that is itself a bare repository runs the config and hooks a command writes there" {
	rm -rf "$WS" && git init -q --bare "$WS" && cd "$WS"
	run attack plain "BARE_DIR=.; $EXISTING_BARE_ATTACK"
	assert_output_has "CONFIGURED ."
	assert_dev_uses_bare "$WS"
	[ -e "$MARK" ] || fail "control: the developer's push or status in the bare workspace ran nothing"
}

@test "bare repository: a workspace that is one is refused in read-only mode (125, naming it); --git commits keeps its config and hooks read-only" {
	rm -rf "$WS" && git init -q --bare "$WS" && cd "$WS"
	cp "$WS/config" "$T/config.before"
	run attack sb "BARE_DIR=.; $EXISTING_BARE_ATTACK"
	[ "$status" -eq 125 ]
	assert_output_has "$WS"
	assert_output_has "bare repository"
	assert_output_has "--git commits"
	run attack sb --git commits "BARE_DIR=.; $EXISTING_BARE_ATTACK"
	assert_success
	refute_output_has "CONFIGURED ."
	refute_output_has "HOOKED ."
	cmp -s "$T/config.before" "$WS/config" || fail "the workspace's config changed: $(cat "$WS/config")"
	[ ! -e "$WS/hooks/post-receive" ]
	assert_dev_uses_bare "$WS"
	[ ! -e "$MARK" ] || fail "the developer's git in the bare workspace ran what the command planted: $(cat "$MARK")"
	git -C "$WS" rev-parse -q --verify refs/heads/pushed > /dev/null || fail "the developer's push into the bare workspace did not land"
}

# --- what only the developer can read -----------------------------------------
# The developer's private git config (a 0600 ~/.gitconfig, a 0600 file the
# repository's config includes) names a hooks path in the workspace. With
# --backend users corral-runner plans as the sandbox user, who cannot read
# those files: the developer's corral, which can, tells it what they name.

PRIVATE_HOOKS_ATTACK='mkdir -p .githooks 2>/dev/null; hook_text > .githooks/pre-commit && chmod +x .githooks/pre-commit && echo PLANTED
rm -rf .githooks 2>/dev/null; mkdir .githooks 2>/dev/null && hook_text > .githooks/pre-commit && chmod +x .githooks/pre-commit && echo REPLACED
true'

private_global_hooks() {
	new_repo "$WS"
	git config --global core.hooksPath .githooks
	chmod 600 "$HOME/.gitconfig"
}

@test "private config: a private ~/.gitconfig's relative core.hooksPath is protected in the workspace" {
	private_global_hooks
	run attack sb "$PRIVATE_HOOKS_ATTACK"
	assert_success
	refute_output_has PLANTED
	refute_output_has REPLACED
	[ ! -e "$WS/.githooks/pre-commit" ] || fail "the command planted .githooks/pre-commit"
	assert_nothing_ran
}

@test "control: a hook planted where a private ~/.gitconfig's core.hooksPath leads runs at the developer's next commit" {
	private_global_hooks
	run attack plain "$PRIVATE_HOOKS_ATTACK"
	assert_output_has PLANTED
	assert_it_ran
}

private_include_hooks() {
	new_repo "$WS"
	printf '[core]\n\thooksPath = .githooks\n' > "$HOME/private.inc"
	chmod 600 "$HOME/private.inc"
	dev_git "$WS" config include.path "$HOME/private.inc"
}

@test "private config: a relative core.hooksPath in a private file the repository's config includes is protected" {
	private_include_hooks
	run attack sb "$PRIVATE_HOOKS_ATTACK"
	assert_success
	refute_output_has PLANTED
	refute_output_has REPLACED
	[ ! -e "$WS/.githooks/pre-commit" ] || fail "the command planted .githooks/pre-commit"
	assert_nothing_ran
}

@test "control: a hook planted where a privately included core.hooksPath leads runs at the developer's next commit" {
	private_include_hooks
	run attack plain "$PRIVATE_HOOKS_ATTACK"
	assert_output_has PLANTED
	assert_it_ran
}
