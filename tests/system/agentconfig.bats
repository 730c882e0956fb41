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
