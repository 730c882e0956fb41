#!/usr/bin/env bats
# tools/adapters/claude-pretooluse-hook, fed the PreToolUse payload that Claude
# Code documents (docs/agents.md), and the command it returns run the way the
# Bash tool runs it (bash -c, in the agent's cwd). What the command did is
# checked from outside.

setup() {
	HOOK=$REPO/tools/adapters/claude-pretooluse-hook
	T=$(mktemp -d /var/tmp/corral-hook.XXXXXX)
	PROJ=$T/proj OUT=$T/outside
	mkdir -p "$PROJ/sub" "$PROJ/.git/hooks" "$OUT" "$T/home" "$T/cache"
	export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_CACHE_HOME=$T/cache
	export CORRAL CLAUDE_PROJECT_DIR=$PROJ
	unset CORRAL_HOOK_ARGS CORRAL_HOOK_DECISION
}

teardown() {
	chmod -R u+rwX "$T" 2>/dev/null
	rm -rf "$T"
}

# payload TOOL COMMAND: the documented PreToolUse input
payload() {
	python3 -c 'import json,sys; print(json.dumps({"session_id":"abc123","transcript_path":"/tmp/t.jsonl",
	"cwd":sys.argv[3],"permission_mode":"default","hook_event_name":"PreToolUse","tool_name":sys.argv[1],
	"tool_input":{"command":sys.argv[2],"description":"a test","timeout":120000},"tool_use_id":"toolu_01"}))' \
		"$1" "$2" "$PROJ"
}

# hook COMMAND: run the hook on a Bash call; $out is its JSON
hook() {
	out=$(payload Bash "$1" | "$HOOK")
}

fail() { echo "$*" >&2; return 1; }

# call_hook: the hook on a Bash call "true", for run
call_hook() { payload Bash true | "$HOOK" 2>&1; }

field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$out" "$1"; }

# rewritten: the command the hook returned, run like the Bash tool does, from DIR
rewritten() {
	local dir=$1 cmd
	cmd=$(field 'd["hookSpecificOutput"]["updatedInput"]["command"]')
	(cd "$dir" && bash -c "$cmd")
}

@test "Bash: the answer is hookSpecificOutput with allow and the rest of the input kept" {
	hook "echo hi"
	[ "$(field 'd["hookSpecificOutput"]["hookEventName"]')" = PreToolUse ]
	[ "$(field 'd["hookSpecificOutput"]["permissionDecision"]')" = allow ]
	[ "$(field 'd["hookSpecificOutput"]["updatedInput"]["description"]')" = "a test" ]
	[ "$(field 'd["hookSpecificOutput"]["updatedInput"]["timeout"]')" = 120000 ]
	[[ "$(field 'd["hookSpecificOutput"]["updatedInput"]["command"]')" == *" run -W "* ]]
}

@test "the rewritten command works in the project and starts where the agent's shell is" {
	hook 'echo made > here.txt; pwd'
	run rewritten "$PROJ/sub"
	[ "$status" -eq 0 ]
	[ "$output" = "$PROJ/sub" ]
	[ "$(cat "$PROJ/sub/here.txt")" = made ]
}

@test "the rewritten command is sandboxed: a write outside the project and a planted hook fail" {
	hook "echo x > '$OUT/planted'; echo y > .git/hooks/pre-commit"
	run rewritten "$PROJ"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[ ! -e "$OUT/planted" ]
	[ ! -e "$PROJ/.git/hooks/pre-commit" ]
	# control: the same command without the hook does plant both
	(cd "$PROJ" && bash -c "echo x > '$OUT/planted'; echo y > .git/hooks/pre-commit")
	[ -e "$OUT/planted" ] && [ -e "$PROJ/.git/hooks/pre-commit" ]
}

@test "quoting: quotes, dollars, backslashes and newlines mean what they meant" {
	cmd=$'printf \'%s|\' "it\'s" \'$HOME\' "a\\\\b" `echo tick`; echo $((1+2))\necho "line two"'
	want=$(cd "$PROJ" && bash -c "$cmd")
	hook "$cmd"
	run rewritten "$PROJ"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
}

@test "the command's exit status comes back" {
	hook "exit 3"
	run rewritten "$PROJ"
	[ "$status" -eq 3 ]
}

@test "CORRAL_HOOK_ARGS narrow the sandbox (--mode read-only)" {
	CORRAL_HOOK_ARGS="--mode read-only" hook "touch ro.txt"
	run rewritten "$PROJ"
	[ "$status" -ne 0 ]
	[ ! -e "$PROJ/ro.txt" ]
}

@test "CORRAL_HOOK_DECISION=ask keeps Claude Code's prompt; another value is refused" {
	CORRAL_HOOK_DECISION=ask hook "true"
	[ "$(field 'd["hookSpecificOutput"]["permissionDecision"]')" = ask ]
	run bash -c "$(declare -f payload); PROJ='$PROJ' payload Bash true | CORRAL_HOOK_DECISION=yes '$HOOK'"
	[ "$status" -eq 2 ]
	[[ "$output" == *"CORRAL_HOOK_DECISION=yes: expected allow or ask"* ]]
}

@test "other tools pass untouched: no output, exit 0" {
	run bash -c "$(declare -f payload); payload Write x | '$HOOK'"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "fails closed: bad JSON, no command, no corral -> exit 2 with the reason" {
	run "$HOOK" <<<"not json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"corral hook:"* ]]
	run "$HOOK" <<<'{"tool_name":"Bash","tool_input":{}}'
	[ "$status" -eq 2 ]
	run bash -c "$(declare -f payload); PROJ='$PROJ' payload Bash true | CORRAL=/nonexistent/corral '$HOOK'"
	[ "$status" -eq 2 ]
	[[ "$output" == *"corral is not installed"* ]]
}

@test "docs/agents.md: every JSON and TOML snippet parses (what users copy into their agents)" {
	run python3 - "$REPO/docs/agents.md" <<'PY'
import json, re, sys, tomllib
text = open(sys.argv[1]).read()
n = 0
for lang, body in re.findall(r"```(json|toml)\n(.*?)```", text, re.S):
    if lang == "json":
        json.loads(body)
    else:
        tomllib.loads(body)
    n += 1
assert n >= 6, n
print(n, "snippets")
PY
	[ "$status" -eq 0 ]
}

# The hook runs outside the sandbox at every call. A developer who started
# claude with the project's virtualenv active has $PROJ/.venv/bin first on
# PATH, a directory the sandboxed commands write: a python3 or a corral a
# command planted there must not be what the next call runs.
plant_venv() {
	mkdir -p "$PROJ/.venv/bin" "$T/bin"
	# a copy: the hook skips a corral on PATH that resolves into /tmp, where
	# this checkout's build may be
	cp "$CORRAL" "$T/bin/corral"
	printf '#!/bin/sh\ntouch "%s/python-ran"\nexec /usr/bin/python3 "$@"\n' "$OUT" > "$PROJ/.venv/bin/python3"
	printf '#!/bin/sh\nwhile [ $# -gt 0 ] && [ "$1" != -- ]; do shift; done; shift; exec "$@"\n' \
		> "$PROJ/.venv/bin/corral"
	chmod +x "$PROJ/.venv/bin/python3" "$PROJ/.venv/bin/corral"
}

@test "attack: a python3 and a corral planted in the project's .venv/bin (first on PATH) are not used" {
	[ -x /usr/bin/python3 ] || skip "the hook runs /usr/bin/python3, which this machine lacks"
	plant_venv
	real=$(readlink -f "$T/bin/corral")
	unset CORRAL
	# control: what a PATH lookup finds there is the planted pair
	[ "$(PATH="$PROJ/.venv/bin:$T/bin:/usr/bin:/bin" command -v python3)" = "$PROJ/.venv/bin/python3" ]
	[ "$(PATH="$PROJ/.venv/bin:$T/bin:/usr/bin:/bin" command -v corral)" = "$PROJ/.venv/bin/corral" ]
	out=$(payload Bash "echo x > '$OUT/planted'" | PATH="$PROJ/.venv/bin:$T/bin:/usr/bin:/bin" "$HOOK")
	[ ! -e "$OUT/python-ran" ] || fail "the hook ran the python3 planted in the project"
	cmd=$(field 'd["hookSpecificOutput"]["updatedInput"]["command"]')
	[[ "$cmd" == "$real run "* ]] || fail "the hook chose another corral: $cmd"
	run rewritten "$PROJ"
	[ ! -e "$OUT/planted" ] || fail "the rewritten command ran unsandboxed"
}

@test "attack: CORRAL naming a file in the project, or a writable root of CORRAL_HOOK_ARGS, is refused" {
	plant_venv
	CORRAL=$PROJ/.venv/bin/corral run call_hook
	[ "$status" -eq 2 ]
	[[ "$output" == *"outside the project"* ]]
	unset CORRAL
	CORRAL_HOOK_ARGS="-w $T/bin" PATH="$T/bin:/usr/bin:/bin" run call_hook
	[ "$status" -eq 2 ]
	[[ "$output" == *"not installed outside"* ]]
	CORRAL_HOOK_ARGS="--writ=$T/bin" PATH="$T/bin:/usr/bin:/bin" run call_hook
	[ "$status" -eq 2 ]
	# a corral in /tmp, which --tmp host or another run can write
	local tmpbin
	tmpbin=$(mktemp -d /tmp/corral-hook-bin.XXXXXX)
	ln -s "$T/bin/corral" "$tmpbin/corral"
	PATH="$tmpbin:/usr/bin:/bin" run call_hook
	rm -rf "$tmpbin"
	[ "$status" -eq 2 ]
	# control: the same PATH without that writable root finds it
	PATH="$T/bin:/usr/bin:/bin" run call_hook
	[ "$status" -eq 0 ]
}
