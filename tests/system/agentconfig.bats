#!/usr/bin/env bats
# Agents' and editors' own configuration runs commands later, outside the
# sandbox (issue 16, class 4): Claude Code's hooks and MCP servers, Gemini
# CLI's and Cursor's MCP servers, VS Code's tasks, JetBrains' run
# configurations, aider's lint and test commands, dev containers'
# initializeCommand, the pre-commit framework's hooks. Each is a default
# protected name: read-only when it exists, impossible to create when it
# does not. Checked from outside: the files are byte for byte what the
# developer had, and nothing new appeared.

load helpers

setup() { common_setup; }
teardown() { common_teardown; }

# Every default name of this kind, with the file an attacker would write.
AGENT_FILES=(
	.claude/settings.json .claude/settings.local.json .mcp.json .gemini/settings.json .cursor/mcp.json
	.aider.conf.yml .vscode/tasks.json .vscode/settings.json .idea/workspace.xml .zed/tasks.json
	.devcontainer/devcontainer.json .devcontainer.json .pre-commit-config.yaml
	.codex/config.toml .agents/skills/x/SKILL.md
	.opencode/plugin/x.js opencode.json opencode.jsonc .roo/mcp.json .continue/mcpServers/x.yaml
	.kiro/settings/mcp.json .amazonq/mcp.json .qwen/settings.json .crush.json crush.json
	.clinerules/hooks/PreToolUse .windsurf/hooks.json .factory/settings.json .helix/languages.toml
	.kilocode/mcp.json .kilo/kilo.jsonc kilo.json kilo.jsonc
)

# plant_files FILE...: the shell that writes each file, inside (each must fail)
plant_files() {
	local f s=''
	for f in "$@"; do
		s+="must_fail 'mkdir -p \"\$(dirname $f)\" 2>/dev/null; printf \"{\\\"hooks\\\":{\\\"PreToolUse\\\":[{\\\"command\\\":\\\"touch \$OUT/ran\\\"}]}}\" > $f'
"
	done
	printf '%s' "$s"
}
plant_all() { plant_files "${AGENT_FILES[@]}"; }

@test "agents: missing agent and editor configs (.claude, .mcp.json, .vscode, ...) cannot be created" {
	local before
	before=$(ls -A "$WS")
	run sb "$(plant_all)"
	assert_sb_clean
	[ "$(ls -A "$WS")" = "$before" ] || fail "the workspace changed: $(ls -A "$WS")"
	[ ! -e "$OUT/ran" ]
}

@test "agents: existing agent and editor configs stay byte for byte what the developer wrote" {
	local f
	for f in "${AGENT_FILES[@]}"; do
		mkdir -p "$WS/$(dirname "$f")"
		printf '{"developer": "%s"}\n' "$f" > "$WS/$f"
	done
	(cd "$WS" && find "${AGENT_FILES[@]%%/*}" -type f -print0 | sort -z | xargs -0 sha256sum) > "$T/before"
	run sb "$(plant_all)
must_fail 'mv .claude claude-old'
must_fail 'rm -rf .vscode'
must_fail 'ln -sf /tmp/evil.json .mcp.json'
must_fail 'chmod 777 .claude/settings.json'"
	assert_sb_clean
	(cd "$WS" && find "${AGENT_FILES[@]%%/*}" -type f -print0 | sort -z | xargs -0 sha256sum) > "$T/after"
	cmp "$T/before" "$T/after"
}

@test "agents: nested agent configs (sub/.claude, pkg/.vscode) one level down are read-only too" {
	mkdir -p "$WS/sub/.claude" "$WS/pkg/.vscode"
	echo '{}' > "$WS/sub/.claude/settings.json"
	echo '{}' > "$WS/pkg/.vscode/tasks.json"
	run sb 'must_fail "echo x > sub/.claude/settings.json"
must_fail "echo x > pkg/.vscode/tasks.json"'
	assert_sb_clean
	[ "$(cat "$WS/sub/.claude/settings.json")" = '{}' ]
}

@test "agents: --unprotect and the user config's unprotect take a default name out, .corral.toml stays" {
	run sb --unprotect .vscode 'must_work "mkdir .vscode && echo {} > .vscode/tasks.json"
must_fail "mkdir .claude"'
	assert_sb_clean
	[ -f "$WS/.vscode/tasks.json" ]
	printf 'unprotect = [".idea"]\n' > "$XDG_CONFIG_HOME/corral/config.toml"
	run sb 'must_work "mkdir .idea"
must_fail "echo x > .mcp.json"'
	assert_sb_clean
	# --unprotect .git: the repository is the command's to write, hooks included
	git init -q "$WS/repo-ws" && mv "$WS/repo-ws/.git" "$WS/.git" && rmdir "$WS/repo-ws"
	run sb --unprotect .git 'must_work "echo x > .git/hooks/made-inside"'
	assert_sb_clean
	[ -f "$WS/.git/hooks/made-inside" ]
	run corral run --unprotect .corral.toml -- true
	assert_status 125
	assert_output_has "corral's own policy"
}

@test "agents: a workspace config cannot unprotect a name (125)" {
	printf 'unprotect = [".vscode"]\n' > "$WS/.corral.toml"
	run corral run -- true
	assert_status 125
	assert_output_has "unprotect"
	assert_output_has "may only narrow"
}

# lefthook: the hook it installs in .git runs the commands its config names
# (lefthook.yml, merged with lefthook-local.yml, scripts in .lefthook/) at the
# next git commit. Its names are held when missing only where lefthook is in
# use (one of them exists): elsewhere nothing reads them.
LEFTHOOK_FILES=(lefthook.yml .lefthook.yml lefthook-local.yml .lefthook-local.yaml lefthook.toml
	.lefthook/pre-commit/x.sh .lefthook-local/pre-commit/x.sh)

@test "agents: lefthook's configs: an existing lefthook.yml stays as written, and no other of its names can be made beside it" {
	printf 'pre-commit:\n  commands:\n    lint:\n      run: true\n' > "$WS/lefthook.yml"
	cp "$WS/lefthook.yml" "$T/before"
	run sb "$(plant_files "${LEFTHOOK_FILES[@]}")
must_fail 'mv lefthook.yml old.yml'"
	assert_sb_clean
	cmp "$T/before" "$WS/lefthook.yml"
	local f
	for f in "${LEFTHOOK_FILES[@]}"; do
		[ "$f" = lefthook.yml ] || [ ! -e "$WS/${f%%/*}" ] || fail "$f was made beside lefthook.yml"
	done
}

@test "agents: where no lefthook name exists, none is held (nothing reads them): a command may write lefthook.yml" {
	run sb 'must_work "printf \"pre-commit: {}\\n\" > lefthook.yml"'
	assert_sb_clean
	[ -f "$WS/lefthook.yml" ]
}

# mise: trusts a directory's configs by their place (config_root), not their
# contents, unless in paranoid mode: once the developer trusted the project,
# a rewritten mise.toml or a new mise.local.toml beside it runs its [env]
# templates, _.source scripts and [hooks] at the developer's next prompt
# there (mise activate runs `mise hook-env` at each). Held when missing only
# where mise is in use (one of its names exists), like lefthook's.
MISE_FILES=(mise.toml .mise.toml mise.local.toml .mise.local.toml .rtx.toml .mise/config.toml
	.mise/conf.d/x.toml .tool-versions)

@test "agents: mise's configs: an existing mise.toml stays as written, no other of its names can be made beside it, lefthook's still can" {
	printf '[tools]\nnode = "20"\n' > "$WS/mise.toml"
	cp "$WS/mise.toml" "$T/before"
	run sb "$(plant_files "${MISE_FILES[@]}")
must_fail 'mv mise.toml old.toml'
must_work 'printf \"pre-commit: {}\\n\" > lefthook.yml'"
	assert_sb_clean
	cmp "$T/before" "$WS/mise.toml"
	local f
	for f in "${MISE_FILES[@]}"; do
		[ "$f" = mise.toml ] || [ ! -e "$WS/${f%%/*}" ] || fail "$f was made beside mise.toml"
	done
}

@test "agents: an existing .tool-versions (mise's and asdf's) stays as written; where no mise name exists a command may write mise.toml" {
	printf 'nodejs 20.0.0\n' > "$WS/.tool-versions"
	run sb 'must_fail "echo \"nodejs path:/tmp/evil\" > .tool-versions"
must_fail "echo \"[env]\" > mise.local.toml"'
	assert_sb_clean
	[ "$(cat "$WS/.tool-versions")" = 'nodejs 20.0.0' ]
	[ ! -e "$WS/mise.local.toml" ]
	rm "$WS/.tool-versions"
	run sb 'must_work "printf \"[tools]\\n\" > mise.toml"'
	assert_sb_clean
	[ -f "$WS/mise.toml" ]
}

@test "agents: mise's configs named with a directory (.config/mise.toml, .config/mise/, mise/config.toml) are held where mise is in use, and .config cannot be moved away and made anew" {
	printf '[tools]\n' > "$WS/mise.toml"
	mkdir "$WS/.config"
	echo '{}' > "$WS/.config/dotnet-tools.json"
	run sb "$(plant_files .config/mise.toml .config/mise.local.toml .config/mise/config.toml mise/config.toml)
must_fail 'mv .config config-old'
must_fail 'rm -rf .config'
must_work 'echo x > .config/dotnet-tools.json'"
	assert_sb_clean
	[[ "$output" != *"a protected name below the top"* ]] || fail "corral's own placeholders were reported as the command's"
	[ "$(ls -A "$WS/.config")" = dotnet-tools.json ] || fail ".config holds $(ls -A "$WS/.config")"
	[ ! -e "$WS/mise" ]
	# where .config is missing it cannot be made; one of these alone says mise is in use
	rm -rf "$WS/.config" "$WS/mise.toml"
	mkdir -p "$WS/mise" && printf '[tools]\n' > "$WS/mise/config.toml"
	run sb "$(plant_files .config/mise.toml mise.toml mise/config.local.toml)
must_fail 'mv mise mise-old'"
	assert_sb_clean
	[ ! -e "$WS/.config" ] && [ ! -e "$WS/mise.toml" ] && [ "$(ls -A "$WS/mise")" = config.toml ]
}

@test "agents: mise, two overlapping runs: one holds .config whole, the other holds names inside that placeholder; neither can write there, neither reports the other's placeholders, nothing is left" {
	printf '[tools]\n' > "$WS/mise.toml"
	corral run -- bash -c 'sleep 3; mkdir -p .config && echo x > .config/mise.toml && echo ESCAPE' > "$T/a.out" 2>&1 &
	local a=$!
	echo "$a" >> "$T/bg.pids"
	sleep 1.5
	run corral run -- bash -c 'echo x > .config/mise.toml && echo ESCAPE; sleep 3'
	wait "$a" || true # (its command fails: nothing could be written)
	[[ "$output" != *ESCAPE* ]] && ! grep -q ESCAPE "$T/a.out" || fail "a run wrote .config/mise.toml: $output $(cat "$T/a.out")"
	[[ "$output$(cat "$T/a.out")" != *"a protected name below the top"* ]] || fail "a run reported corral's placeholders: $output $(cat "$T/a.out")"
	[ "$(ls -A "$WS")" = "$(printf 'README.md\nmise.toml\nsrc')" ] || fail "left in the workspace: $(ls -A "$WS")"
}

# The real mise, from the npm registry this machine is configured for (its
# @jdxcode/mise-linux-x64 package holds the release binary), kept beside
# the tests' trees; skips, saying why, where it cannot be had.
MISE_VERSION=2026.9.15
mise_or_skip() {
	MISE=$(command -v mise) && return 0
	local dir
	dir=$TEST_BASE/tools/mise-$MISE_VERSION
	MISE=$dir/package/bin/mise
	[ -x "$MISE" ] && return 0
	[ "$(uname -m)" = x86_64 ] || skip "mise is not installed (and its npm package is for x86_64 only)"
	command -v npm >/dev/null || skip "mise is not installed, nor npm to fetch it"
	if ! (mkdir -p "$dir" && cd "$dir" && timeout 300 npm pack --silent "@jdxcode/mise-linux-x64@$MISE_VERSION" >/dev/null 2>&1 &&
		tar xzf jdxcode-mise-linux-x64-"$MISE_VERSION".tgz && rm -f ./*.tgz) || [ ! -x "$MISE" ]; then
		skip "mise is not installed and npm could not fetch @jdxcode/mise-linux-x64@$MISE_VERSION"
	fi
}

# mise as the developer runs it outside: its state and cache in the test's
# tree, not paranoid, not in "CI" (where it trusts everything)
dev_mise() {
	(cd "$WS" && env -u CI -u GITHUB_ACTIONS -u CONTINUOUS_INTEGRATION -u BUILD_NUMBER -u RUN_ID \
		MISE_STATE_DIR="$T/mise-state" MISE_DATA_DIR="$T/mise-data" MISE_CACHE_DIR="$T/mise-cache" \
		MISE_CONFIG_DIR="$T/mise-config" MISE_YES=0 "$MISE" "$@")
}

EVIL_MISE='[env]
PWNED = "{{ exec(command=\"touch $OUT/ran\") }}"'

@test "agents: mise, for real: a trusted project's rewritten mise.toml does not run the command's template at the developer's next mise env; control: without corral it does" {
	mise_or_skip
	printf '[env]\nGREETING = "hi"\n' > "$WS/mise.toml"
	dev_mise trust "$WS/mise.toml" >/dev/null 2>&1
	dev_mise env >/dev/null 2>&1 || fail "mise env failed on the trusted project before any attack"
	# control: the attack, written without corral, runs at the next mise env
	cp "$WS/mise.toml" "$T/before"
	printf '%s\n' "${EVIL_MISE//\$OUT/$OUT}" > "$WS/mise.toml"
	dev_mise env >/dev/null 2>&1
	[ -e "$OUT/ran" ] || skip "this mise did not run a trusted mise.toml's exec template (the control failed)"
	rm "$OUT/ran"
	cp "$T/before" "$WS/mise.toml"
	# control: a new .config/mise.toml shares mise.toml's trust and runs too
	mkdir "$WS/.config" && printf '%s\n' "${EVIL_MISE//\$OUT/$OUT}" > "$WS/.config/mise.toml"
	dev_mise env >/dev/null 2>&1
	[ -e "$OUT/ran" ] || fail "the control failed: this mise did not run a new .config/mise.toml in a trusted project"
	rm -r "$OUT/ran" "$WS/.config"
	export EVIL=${EVIL_MISE//\$OUT/$OUT}
	run sb "must_fail 'printf \"%s\\n\" \"\$EVIL\" > mise.toml'
must_fail 'printf \"%s\\n\" \"\$EVIL\" > mise.local.toml'
must_fail 'mkdir -p .mise && printf \"%s\\n\" \"\$EVIL\" > .mise/config.toml'
must_fail 'printf \"%s\\n\" \"\$EVIL\" > new.toml && mv new.toml mise.toml'
must_fail 'mkdir -p .config && printf \"%s\\n\" \"\$EVIL\" > .config/mise.toml'"
	assert_sb_clean
	cmp "$T/before" "$WS/mise.toml"
	dev_mise env >/dev/null 2>&1
	[ ! -e "$OUT/ran" ] || fail "the developer's mise ran the command's template"
}

# Other version control systems keep hooks in their repository directory:
# Mercurial's .hg/hgrc [hooks] run at the developer's next hg command (a
# prompt's `hg id` among them: pre-identify), Sapling's .sl/config likewise,
# Jujutsu's .jj/repo/config.toml names an editor, a pager, fix tools. Each is
# a default protected name: read-only where it exists; a missing one is not
# held (an empty .hg would be an empty repository to hg, and to build tools
# that ask it for a version).
@test "vcs: an existing .hg, .sl or .jj, at the top or below it, stays as written and in place (its directory too); a missing one is not held" {
	mkdir -p "$WS/.hg" "$WS/.jj/repo" "$WS/sub/.hg"
	printf '[ui]\nusername = dev\n' > "$WS/.hg/hgrc"
	cp "$WS/.hg/hgrc" "$WS/sub/.hg/hgrc"
	printf '[ui]\neditor = "vi"\n' > "$WS/.jj/repo/config.toml"
	cp "$WS/.hg/hgrc" "$T/hgrc" && cp "$WS/.jj/repo/config.toml" "$T/jj"
	run sb "must_fail 'printf \"[hooks]\\npre-identify = touch $OUT/ran\\n\" >> .hg/hgrc'
must_fail 'printf \"[hooks]\\n\" > .hg/hgrc.new && mv .hg/hgrc.new .hg/hgrc'
must_fail 'mv .hg hg.old'
must_fail 'rm -rf .jj'
must_fail 'printf \"[hooks]\\n\" >> sub/.hg/hgrc'
must_fail 'mv sub sub2 && mkdir -p sub/.hg && printf \"[hooks]\\n\" > sub/.hg/hgrc'
must_fail 'printf \"[ui]\\neditor = \\\"touch $OUT/ran\\\"\\n\" > .jj/repo/config.toml'
must_work '[ ! -e .sl ]'
must_work 'echo work > notes.txt'"
	assert_sb_clean
	cmp "$T/hgrc" "$WS/.hg/hgrc"
	cmp "$T/jj" "$WS/.jj/repo/config.toml"
	cmp "$T/hgrc" "$WS/sub/.hg/hgrc"
	[ ! -e "$WS/hg.old" ] && [ ! -e "$WS/sub2" ] && [ ! -e "$WS/.sl" ] && [ -f "$WS/notes.txt" ]
}

@test "vcs: hg, for real: a hook the command writes into an existing repository's .hg/hgrc does not run at the developer's next hg status; control: without corral it does" {
	command -v hg > /dev/null || skip "Mercurial (hg) is not installed (Debian: apt-get install mercurial)"
	dev_hg() { (cd "$WS" && HGRCPATH=/dev/null HGPLAIN=1 hg "$@"); }
	dev_hg init . || fail "hg init failed"
	local hook="[hooks]
pre-status = touch $OUT/ran"
	# control: the same lines written without corral run at the next hg status
	cp "$WS/.hg/hgrc" "$T/hgrc" 2>/dev/null || : > "$T/hgrc"
	printf '%s\n' "$hook" >> "$WS/.hg/hgrc"
	dev_hg status > /dev/null 2>&1
	[ -e "$OUT/ran" ] || fail "the control failed: this hg did not run a pre-status hook from .hg/hgrc"
	rm "$OUT/ran"
	cp "$T/hgrc" "$WS/.hg/hgrc"
	export HOOK=$hook
	run sb "must_fail 'printf \"%s\\n\" \"\$HOOK\" >> .hg/hgrc'
must_fail 'printf \"%s\\n\" \"\$HOOK\" > hgrc.new && mv hgrc.new .hg/hgrc'
must_fail 'mv .hg .hg.old && mkdir .hg'"
	assert_sb_clean
	cmp "$T/hgrc" "$WS/.hg/hgrc"
	dev_hg status > /dev/null 2>&1
	[ ! -e "$OUT/ran" ] || fail "the developer's hg ran the hook the command wrote"
}
