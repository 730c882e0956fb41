#!/usr/bin/env bash
# The Windows tests, under Wine: the unit tests (corral-wintest.exe) and the
# command line of corral.exe, corral-runner.exe and corral-setup.exe.
#
#   tests/windows/run.sh BUILD_WIN_DIR
#
# Wine refuses to run as root: as root this script copies the programs to a
# scratch directory and runs itself again as an ordinary user (corral-wine,
# created if missing). One Wine prefix is kept across runs
# ($CORRAL_WINEPREFIX, default ~corral-wine/.corral-wine) and its wineserver
# is stopped at the end (CORRAL_WINE_KEEP=1 leaves it running for the next
# run). Tests of what Wine only stubs (accounts, logon, restricting SIDs, ACL
# storage, the firewall) skip with the reason; tests/windows/smoke.ps1 covers
# them on real Windows. Last line: "windows: N passed, N failed, N skipped".
set -uo pipefail

build=${1:?usage: tests/windows/run.sh BUILD_WIN_DIR}

summary() {
        echo "windows: $1 passed, $2 failed, $3 skipped"
}

if ! command -v wine >/dev/null 2>&1; then
        echo "SKIP all Windows tests: wine is not installed (apt-get install wine64 wine)"
        summary 0 0 1
        exit 0
fi

# --- as root: drop to an ordinary user ------------------------------------
if [ "$(id -u)" = 0 ] && [ -z "${CORRAL_WINE_CHILD:-}" ]; then
        user=${CORRAL_WINE_USER:-corral-wine}
        if ! id "$user" >/dev/null 2>&1; then
                useradd --system --create-home --home-dir "/var/lib/$user" --shell /usr/sbin/nologin "$user" || {
                        echo "FAIL cannot create user $user for Wine"
                        summary 0 1 0
                        exit 1
                }
        fi
        scratch=$(mktemp -d /tmp/corral-wintest.XXXXXX)
        cp "$build"/corral.exe "$build"/corral-runner.exe "$build"/corral-setup.exe \
                "$build"/tests/windows/corral-wintest.exe "$build"/tests/windows/corral-winhelper.exe "$scratch"/
        cp "$0" "$scratch"/run.sh
        chown -R "$user" "$scratch"
        home=$(getent passwd "$user" | cut -d: -f6)
        runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" USER="$user" LANG=C.UTF-8 \
                CORRAL_WINE_CHILD=1 CORRAL_WINE_FLAT=1 CORRAL_WINE_KEEP="${CORRAL_WINE_KEEP:-}" \
                ${CORRAL_WINEPREFIX:+CORRAL_WINEPREFIX="$CORRAL_WINEPREFIX"} \
                bash "$scratch"/run.sh "$scratch"
        rc=$?
        rm -rf "$scratch"
        exit $rc
fi

# --- as an ordinary user ---------------------------------------------------
if [ -n "${CORRAL_WINE_FLAT:-}" ]; then
        bin=$build
        unit=$build/corral-wintest.exe
        helper=$build/corral-winhelper.exe
else
        bin=$build
        unit=$build/tests/windows/corral-wintest.exe
        helper=$build/tests/windows/corral-winhelper.exe
fi
for f in "$bin"/corral.exe "$bin"/corral-runner.exe "$bin"/corral-setup.exe "$unit" "$helper"; do
        [ -f "$f" ] || { echo "FAIL missing $f (build with: meson setup $build --cross-file cross/x86_64-w64-mingw32.txt && ninja -C $build)"; summary 0 1 0; exit 1; }
done

export WINEPREFIX=${CORRAL_WINEPREFIX:-$HOME/.corral-wine}
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
start=$(date +%s)
if [ ! -d "$WINEPREFIX" ]; then
        echo "# creating Wine prefix $WINEPREFIX (once)"
        wineboot -i >/dev/null 2>&1
fi
# The server and Wine's own services stay up between the wine calls below.
# Start them here, with no pipe open: a service that inherited the pipe of a
# $(...) capture would keep it open and the capture would never end.
wineserver -p </dev/null >/dev/null 2>&1
wine cmd /c exit </dev/null >/dev/null 2>&1
stop_wineserver() {
        [ -n "${CORRAL_WINE_KEEP:-}" ] || wineserver -k >/dev/null 2>&1 || true
}
trap stop_wineserver EXIT

pass=0 fail=0 skip=0

# 1. the unit tests
out=$(timeout 120 wine "$unit" 2>&1)
rc=$?
echo "$out" | grep -E '^(PASS|FAIL|SKIP|#|    )' || true
pass=$((pass + $(echo "$out" | grep -c '^PASS ')))
fail=$((fail + $(echo "$out" | grep -c '^FAIL ')))
skip=$((skip + $(echo "$out" | grep -c '^SKIP ')))
if [ $rc -ne 0 ] && ! echo "$out" | grep -q '^FAIL '; then
        echo "FAIL unit test program exited $rc without reporting a failure"
        fail=$((fail + 1))
fi

# 2. the programs' command lines
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; shift; printf '    %s\n' "$@"; fail=$((fail + 1)); }
sk() { echo "SKIP $1: $2"; skip=$((skip + 1)); }

corral() { timeout 60 wine "$bin/corral.exe" "$@" 2>"$WINEPREFIX/stderr.txt"; }
stderr() { cat "$WINEPREFIX/stderr.txt"; }

wsu=$WINEPREFIX/drive_c/corral-ws
rm -rf "$wsu"
mkdir -p "$wsu/.git"
ws='C:\corral-ws'
helperw="Z:${helper//\//\\}"

o=$(corral version); rc=$?
if [ $rc = 0 ] && [[ $o == "corral "* ]]; then ok "cli: version"; else ko "cli: version" "rc=$rc out=$o"; fi

o=$(corral run -W "$ws" -- cmd /c exit 0); rc=$?
if [ $rc = 125 ] && stderr | grep -q 'corral setup' && stderr | grep -q -- '--allow-advisory-network'; then
        ok "cli: --network off without setup is refused (125), naming setup and the advisory flag"
else ko "cli: --network off without setup is refused" "rc=$rc" "$(stderr)"; fi

o=$(corral run -W "$ws" --network on -- cmd /c exit 7); rc=$?
if [ $rc = 7 ]; then ok "cli: the command's exit code is relayed"; else ko "cli: exit code relayed" "rc=$rc" "$(stderr)"; fi

o=$(corral run -W "$ws" --network on --status-fd 1 -- cmd /c exit 3); rc=$?
if [ $rc = 3 ] && [[ $o == *'"exit_code":3'* ]] && [[ $o == *'"backend":"windows-restricted"'* ]] &&
        [[ $o == *'"denial_reports":false,"denial_level":"writes"'* ]]; then
        ok "cli: --status-fd writes the JSON status record (the default report level asked for, no reports made)"
else ko "cli: --status-fd" "rc=$rc out=$o" "$(stderr)"; fi

o=$(corral run -W "$ws" --network on -- "$helperw" exit 300); rc=$?
if [ $rc = $((300 % 256)) ]; then ok "cli: exit code above 255 (as the shell sees it)"; else ko "cli: exit code 300" "rc=$rc" "$(stderr)"; fi

o=$(corral run -W "$ws" --allow-advisory-network -- cmd /c echo %HTTPS_PROXY%); rc=$?
if [ $rc = 0 ] && [[ $o == *127.0.0.1:9* ]] && stderr | grep -q 'ADVISORY'; then
        ok "cli: --allow-advisory-network runs, with proxy variables, and says it is advisory"
else ko "cli: --allow-advisory-network" "rc=$rc out=$o" "$(stderr)"; fi

t0=$(date +%s%N)
o=$(corral run -W "$ws" --network on -t 1 -- "$helperw" sleep 30000); rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
if [ $rc = 124 ] && [ $ms -lt 15000 ] && stderr | grep -q 'timed out'; then
        ok "cli: timeout gives 124 and kills the command (${ms} ms)"
else ko "cli: timeout" "rc=$rc ms=$ms" "$(stderr)"; fi

printf '@echo off\r\necho [%%1]\r\n' >"$wsu/build.bat"
o=$(corral run -W "$ws" --network on -- 'C:\corral-ws\build.bat' '100%'); rc=$?
if [ $rc = 125 ] && stderr | grep -q 'CVE-2024-24576'; then
        ok "cli: a .bat argument cmd.exe would expand (%) is refused (125)"
else ko "cli: .bat refusal" "rc=$rc out=$o" "$(stderr)"; fi

o=$(corral run -W "$ws" --network on -- 'C:\corral-ws\build.bat' 'a&b' 'c d'); rc=$?
if [ $rc = 0 ] && [[ $o == *'["a&b"]'* ]]; then
        ok "cli: a .bat runs through cmd.exe with & kept as text"
else ko "cli: .bat quoting" "rc=$rc out=$o" "$(stderr)"; fi

o=$(corral run -W "$ws" --network on -- no-such-program-xyz); rc=$?
if [ $rc = 127 ] && stderr | grep -q 'not found'; then ok "cli: a missing program gives 127"; else ko "cli: 127" "rc=$rc" "$(stderr)"; fi

o=$(corral run -W "$ws" --network on -- "$helperw" echo 'été €' "a \"b\" c\\" ''); rc=$?
o=$(printf '%s' "$o" | tr -d '\r') # the helper writes CRLF
if [ "$rc" = 0 ] && [ "$o" = "$(printf 'été €\na "b" c\\\n')" ]; then
        ok "cli: arguments (UTF-8, quotes, trailing backslash, empty) reach the command unchanged"
else ko "cli: arguments" "rc=$rc out=$o" "$(stderr)"; fi

o=$(echo 'through the pipe' | corral run -W "$ws" --network on -- "$helperw" cat); rc=$?
if [ $rc = 0 ] && [[ $o == *'through the pipe'* ]]; then ok "cli: stdin and stdout reach the command"; else ko "cli: stdio" "rc=$rc out=$o" "$(stderr)"; fi

o=$(GITHUB_TOKEN=s3cret MY_API_KEY=k corral run -W "$ws" --network on -- cmd /c set); rc=$?
if [ $rc = 0 ] && [[ $o != *s3cret* ]] && [[ $o == *CORRAL_SANDBOX=1* ]] && [[ $o == *TEMP=*corral* ]]; then
        ok "cli: secret variables are dropped; CORRAL_SANDBOX and a per-workspace TEMP are set"
else ko "cli: environment" "rc=$rc" "$(stderr)"; fi

o=$(corral run -W "$ws" --network on -- cmd /c "if exist .codex\ (if exist .corral.toml\ (exit 3)) & exit 4"); rc=$?
if [ $rc = 3 ]; then ok "cli: missing protected names are held by placeholder directories during the run"; else ko "cli: placeholders during the run" "rc=$rc" "$(stderr)"; fi

o=$(corral run -W "$ws" --network on --tmp private -- cmd /c echo %TEMP%); rc=$?
tmpu=$(echo "$o" | tr -d '\r' | sed 's/^C:/drive_c/; s/\\/\//g; s/ *$//')
if [ $rc = 0 ] && [[ $o == *tmp-* ]] && [ ! -e "$WINEPREFIX/$tmpu" ]; then
        ok "cli: --tmp private: a fresh TEMP, removed after the run"
else ko "cli: --tmp private" "rc=$rc out=$o path=$WINEPREFIX/$tmpu" "$(stderr)"; fi

o=$(corral run -W "$ws" --network on -m read-only -- cmd /c exit 5); rc=$?
if [ $rc = 5 ]; then ok "cli: read-only mode runs (private TEMP)"; else ko "cli: read-only" "rc=$rc" "$(stderr)"; fi

if [ -d "$wsu/.codex" ] || [ -d "$wsu/.corral" ] || [ -e "$wsu/.corral.toml" ]; then
        ko "cli: placeholders for missing protected names are removed after the run" "$(ls -a "$wsu")"
else ok "cli: placeholders for missing protected names are removed after the run"; fi

printf "protect = ['..\\\\corral-escape']\n" >"$wsu/.corral.toml"
o=$(corral run -W "$ws" --network on -- cmd /c exit 0); rc=$?
rm -f "$wsu/.corral.toml"
if [ $rc = 125 ] && stderr | grep -q 'not a plain name' && [ ! -e "$WINEPREFIX/drive_c/corral-escape" ]; then
        ok "cli: a workspace config protecting '..\\x' is refused (125); nothing is created outside"
else ko "cli: protected name outside the root" "rc=$rc" "$(stderr)" "$(ls "$WINEPREFIX/drive_c")"; fi
rmdir "$WINEPREFIX/drive_c/corral-escape" 2>/dev/null

o=$(corral explain -W "$ws" --network on --json -- cmd /c exit); rc=$?
if [ $rc = 0 ] && [[ $o == *'"backend":"windows-restricted"'* ]] && [[ $o == *'"protected":["C:/corral-ws/.git"]'* ]]; then
        ok "cli: explain --json names the backend and the protected .git"
else ko "cli: explain --json" "rc=$rc out=$o" "$(stderr)"; fi

o=$(corral doctor); rc=$?
if [ $rc = 0 ] && [[ $o == *"NOT enforced"* ]] && [[ $o == *"ADVISORY"* ]]; then
        ok "cli: doctor says plainly that the unelevated mode's network limits are advisory"
else ko "cli: doctor" "rc=$rc out=$o"; fi

o=$(corral run -W "$ws" --network on --backend users -- cmd /c exit); rc=$?
if [ $rc = 125 ] && stderr | grep -q "backend 'users' is not usable"; then ok "cli: --backend users without setup is refused (125)"; else ko "cli: users without setup" "rc=$rc" "$(stderr)"; fi

o=$(corral run -W "$ws" --network on -w 'C:\corral-ws\x:evil' -- cmd /c exit); rc=$?
# The shared core checks that a root exists before the Windows checks run,
# and Wine keeps no data streams: there the root is refused as missing (a
# 125 for another reason). t_paths/t_plan test the Windows refusal itself.
if [ $rc = 125 ] && stderr | grep -q 'alternate data stream'; then ok "cli: a writable root naming a data stream is refused (125)"
elif [ $rc = 125 ] && stderr | grep -q 'No such file'; then sk "cli: a writable root naming a data stream is refused" "Wine keeps no alternate data streams: the path is refused as missing before the Windows check (corral-wintest tests that check)"
else ko "cli: ADS root" "rc=$rc" "$(stderr)"; fi

o=$(corral run -W "$ws" --network on -- 'C:\corral-ws\build.bat::$DATA' a); rc=$?
if { [ $rc = 125 ] || [ $rc = 127 ]; } && [[ $o != *'[a]'* ]]; then ok "cli: a script named through its data stream does not run (rc $rc)"; else ko "cli: ADS program" "rc=$rc out=$o" "$(stderr)"; fi

o=$(corral run -W "$ws" --network on -- 'C:\corral-ws\BUILD.BAT. ' 'x&y' '!PATH!'); rc=$?
if [ $rc = 0 ] && [[ $o == *'["x&y"]'* ]]; then
        ok "cli: a .BAT named with another case and a trailing dot/space still goes through corral's cmd.exe quoting"
else ko "cli: .BAT. quoting" "rc=$rc out=$o" "$(stderr)"; fi

# --git commits (docs/windows.md, "Git in commits mode"): what Wine can show
# is the plan, the placeholders and the check after the run; whether the
# sandbox can write what the deny ACEs forbid needs real ACLs (smoke.ps1).
wsgu=$WINEPREFIX/drive_c/corral-git
rm -rf "$wsgu"
mkdir -p "$wsgu/.git/objects" "$wsgu/.git/refs/heads"
printf '[core]\n' >"$wsgu/.git/config"
printf 'ref: refs/heads/main\n' >"$wsgu/.git/HEAD"
wsg='C:\corral-git'
o=$(corral run -W "$wsg" --network on --git commits -- cmd /c "type .git\commondir & if exist .git\hooks\ (if exist .git\info\ (if exist .git\config.worktree (exit 3))) & exit 4"); rc=$?
if [ $rc = 3 ] && [ "$(printf '%s' "$o" | tr -d '\r\n ')" = . ]; then
        ok "cli: --git commits holds a gitdir's missing commondir (a file naming .), hooks, info and config.worktree"
else ko "cli: --git commits placeholders" "rc=$rc out=$o" "$(stderr)"; fi
if [ ! -e "$wsgu/.git/commondir" ] && [ ! -e "$wsgu/.git/hooks" ] && [ ! -e "$wsgu/.git/info" ] &&
        [ ! -e "$wsgu/.git/config.worktree" ] && [ "$(cat "$wsgu/.git/config")" = '[core]' ]; then
        ok "cli: --git commits: the gitdir's placeholders are removed after the run, its config left as it was"
else ko "cli: --git commits placeholders removed" "$(ls -a "$wsgu/.git")"; fi

o=$(corral run -W "$wsg" --network on --git commits -- cmd /c "mkdir .git\rebase-merge & echo pick 1234 a> .git\rebase-merge\git-rebase-todo & echo exec calc.exe>> .git\rebase-merge\git-rebase-todo"); rc=$?
if [ $rc = 0 ] && [ ! -e "$wsgu/.git/rebase-merge" ] && ls -d "$wsgu"/.git/rebase-merge.corral-refused-* >/dev/null 2>&1 &&
        stderr | grep -q 'rebase-merge' && stderr | grep -q 'set aside'; then
        ok "cli: --git commits: a rebase todo with exec the run left is set aside after it, and said"
else ko "cli: --git commits rebase todo" "rc=$rc" "$(stderr)" "$(ls -a "$wsgu/.git")"; fi
rm -rf "$wsgu"/.git/rebase-merge*

o=$(corral run -W "$wsg" --network on --git commits -- cmd /c "mkdir .git\rebase-merge & echo pick 1234 a> .git\rebase-merge\git-rebase-todo"); rc=$?
if [ $rc = 0 ] && [ ! -e "$wsgu/.git/rebase-merge" ] && ls -d "$wsgu"/.git/rebase-merge.corral-refused-* >/dev/null 2>&1; then
        ok "cli: --git commits: a rebase todo the run made is set aside even when it only replays commits (its strategy could run a program)"
else ko "cli: --git commits harmless todo" "rc=$rc" "$(stderr)" "$(ls -a "$wsgu/.git")"; fi
rm -rf "$wsgu"/.git/rebase-merge*

# The developer's own rebase stays while the run leaves it alone; the states
# and repositories the run makes (a sequencer's strategy, rerere's cache and
# record, a submodule's and a worktree's gitdir) are set aside.
mkdir -p "$wsgu/.git/rebase-merge"
printf 'exec make test\n' >"$wsgu/.git/rebase-merge/git-rebase-todo"
o=$(corral run -W "$wsg" --network on --git commits -- cmd /c "mkdir .git\sequencer & echo [options]> .git\sequencer\opts & echo strategy = evil>> .git\sequencer\opts & mkdir .git\rr-cache\0123 & echo x> .git\rr-cache\0123\postimage & echo 0123 a.c> .git\MERGE_RR & mkdir .git\modules\evil & echo ref: refs/heads/main> .git\modules\evil\HEAD & mkdir .git\worktrees\new"); rc=$?
aside_all=1
for s in sequencer rr-cache MERGE_RR modules/evil worktrees/new; do
        if [ -e "$wsgu/.git/$s" ] || ! ls -d "$wsgu/.git/$s".corral-refused-* >/dev/null 2>&1; then aside_all=0; fi
done
if [ $rc = 0 ] && [ $aside_all = 1 ] && [ -e "$wsgu/.git/rebase-merge/git-rebase-todo" ] &&
        ! ls -d "$wsgu"/.git/rebase-merge.corral-refused-* >/dev/null 2>&1; then
        ok "cli: --git commits: a sequencer strategy, rr-cache, MERGE_RR, new modules/ and worktrees/ entries the run made are set aside; the developer's rebase stays"
else ko "cli: --git commits states and adopted repositories" "rc=$rc" "$(stderr)" "$(ls -aR "$wsgu/.git")"; fi
o=$(corral run -W "$wsg" --network on --git commits -- cmd /c "echo evil> .git\rebase-merge\strategy"); rc=$?
if [ $rc = 0 ] && [ ! -e "$wsgu/.git/rebase-merge" ] && ls -d "$wsgu"/.git/rebase-merge.corral-refused-* >/dev/null 2>&1; then
        ok "cli: --git commits: a strategy the run wrote into the developer's rebase sets that rebase aside"
else ko "cli: --git commits strategy" "rc=$rc" "$(stderr)" "$(ls -a "$wsgu/.git")"; fi
rm -rf "$wsgu"/.git/rebase-merge* "$wsgu"/.git/sequencer* "$wsgu"/.git/rr-cache* "$wsgu"/.git/MERGE_RR* "$wsgu"/.git/modules "$wsgu"/.git/worktrees

o=$(corral explain -W "$wsg" --network on --git commits --json -- cmd /c exit); rc=$?
if [ $rc = 0 ] && [[ $o == *'"git_repositories":[{"gitdir":"C:/corral-git/.git","read_only":["config",'* ]] &&
        [[ $o == *'"placeholders":['*'"hooks"'* ]] && [[ $o == *'"commondir"'* ]] && [[ $o != *'"protected":["C:/corral-git/.git"]'* ]]; then
        ok "cli: explain --json --git commits: per gitdir, what stays read-only and what is held"
else ko "cli: explain --git commits" "rc=$rc out=$o" "$(stderr)"; fi

# A read-only run must not meet a .git that a commits run has opened (the
# deny ACE both rely on is the same): the gitdir's lock, shared or exclusive.
# (the command says it runs, holding the lock, by a file: under load the
# other runs could otherwise start first and take the lock from it)
rm -f "$wsgu/running"
corral run -W "$wsg" --network on --git commits -- cmd /c "$helperw write C:\corral-git\running x & $helperw sleep 8000" \
        >/dev/null 2>&1 &
bg=$!
for _ in $(seq 300); do
        [ -e "$wsgu/running" ] && break
        sleep 0.2
done
o=$(timeout 60 wine "$bin/corral.exe" run -W "$wsg" --network on -- cmd /c exit 0 2>"$WINEPREFIX/stderr2.txt"); rc=$?
o2=$(timeout 60 wine "$bin/corral.exe" run -W "$wsg" --network on --git commits -- cmd /c exit 0 2>&1); rc2=$?
wait $bg; bgrc=$?
if [ $rc = 125 ] && grep -q 'holds the repository' "$WINEPREFIX/stderr2.txt" && [ $rc2 = 125 ] &&
        [[ $o2 == *'--git commits needs it alone'* ]] && [ $bgrc = 0 ]; then
        ok "cli: while a --git commits run holds a repository, other runs there are refused (125)"
else ko "cli: gitdir lock" "rc=$rc rc2=$rc2 bg=$bgrc" "$(cat "$WINEPREFIX/stderr2.txt")" "$o2"; fi
rm -f "$wsgu/running"
o=$(corral run -W "$wsg" --network on -- cmd /c exit 0); rc=$?
if [ $rc = 0 ]; then ok "cli: after it, a read-only run there runs"; else ko "cli: lock released" "rc=$rc" "$(stderr)"; fi
rm -rf "$wsgu"

# Repositories the run makes (docs/windows.md, "Repositories the run makes"):
# a .git (or a bare HEAD) the command creates below the top of a root was
# writable while it ran; after the run it is set aside when git outside
# would run something from it, with Linux's rules and words. Controls: the
# same repositories made outside the sandbox before the run, untouched.
wsnu=$WINEPREFIX/drive_c/corral-newrepo
rm -rf "$wsnu"
mkdir -p "$wsnu/.git/objects" "$wsnu/.git/refs" "$wsnu/src" "$wsnu/made/.git/hooks" "$wsnu/deep/a/b/.git/hooks"
printf 'ref: refs/heads/main\n' >"$wsnu/.git/HEAD"
printf 'exit 0\n' >"$wsnu/made/.git/hooks/pre-commit"
printf 'exit 0\n' >"$wsnu/deep/a/b/.git/hooks/pre-commit"
wsn='C:\corral-newrepo'
o=$(corral run -W "$wsn" --network on -- cmd /c "mkdir new\.git\hooks & echo exit 0> new\.git\hooks\pre-commit & mkdir src\.git & mkdir inert\.git\hooks & echo x> inert\.git\hooks\pre-commit.sample & mkdir far\a\b\.git\hooks & echo exit 0> far\a\b\.git\hooks\post-checkout & mkdir wt & echo gitdir: C:/evil> wt\.git & mkdir x\m.git\objects x\m.git\refs & echo ref: refs/heads/main> x\m.git\HEAD & echo [core]> x\m.git\config & echo fsmonitor = calc.exe>> x\m.git\config"); rc=$?
set_aside() { ls -d "$1".corral-refused-* >/dev/null 2>&1 && [ ! -e "$1" ]; }
if [ $rc = 0 ] && set_aside "$wsnu/new/.git" && [ -f "$wsnu"/new/.git.corral-refused-*/hooks/pre-commit ] &&
        stderr | grep -q 'corral: C:/corral-newrepo/new/.git: the command made this repository, and its hooks/ holds a hook (not a \*.sample).*it was set aside as C:/corral-newrepo/new/.git.corral-refused-'; then
        ok "cli: a repository with a hook the command made in a new subdirectory is set aside after the run, and said"
else ko "cli: new repository with a hook set aside" "rc=$rc" "$(stderr)" "$(ls -aR "$wsnu/new")"; fi
if set_aside "$wsnu/src/.git" && stderr | grep -q 'src/.git: the command made this .git in a directory that was there before the run'; then
        ok "cli: a .git the command made in a directory that was there before the run is set aside, even an empty one"
else ko "cli: .git in an existing directory set aside" "$(stderr)" "$(ls -a "$wsnu/src")"; fi
if set_aside "$wsnu/far/a/b/.git" && stderr | grep -q 'far/a/b/.git: the command made this repository'; then
        ok "cli: a repository with a hook the command made deeper than protect_depth is set aside"
else ko "cli: deep new repository set aside" "$(stderr)" "$(ls -aR "$wsnu/far")"; fi
if set_aside "$wsnu/wt/.git" && stderr | grep -q 'wt/.git: the command made this repository, and it is not a directory'; then
        ok "cli: a .git file (gitdir: elsewhere) the command made is set aside"
else ko "cli: new .git file set aside" "$(stderr)" "$(ls -a "$wsnu/wt")"; fi
if set_aside "$wsnu/x/m.git/HEAD" && stderr | grep -q 'm.git/HEAD: the command made this repository, and its config sets core.fsmonitor'; then
        ok "cli: a bare repository whose config sets core.fsmonitor, made below protect_depth, is set aside (its HEAD)"
else ko "cli: new bare repository set aside" "$(stderr)" "$(ls -a "$wsnu/x/m.git")"; fi
if [ -d "$wsnu/inert/.git/hooks" ] && stderr | grep -q 'warning: the command created C:/corral-newrepo/inert/.git, a protected name below the top of a writable root'; then
        ok "cli: a repository the command made that holds nothing git would run is kept, and reported"
else ko "cli: inert new repository kept and reported" "$(stderr)" "$(ls -a "$wsnu/inert")"; fi
if [ -f "$wsnu/made/.git/hooks/pre-commit" ] && [ -f "$wsnu/deep/a/b/.git/hooks/pre-commit" ] && [ -d "$wsnu/.git" ] &&
        ! ls -d "$wsnu"/made/.git.corral-refused-* "$wsnu"/deep/a/b/.git.corral-refused-* >/dev/null 2>&1 &&
        ! stderr | grep -q -e 'made/.git' -e 'deep/a/b/.git'; then
        ok "cli: the same repositories made outside the sandbox before the run are left alone (within and below protect_depth)"
else ko "cli: the developer's repositories left alone" "$(stderr)" "$(ls -aR "$wsnu/made" "$wsnu/deep")"; fi
# (the shared rules of src/plan/gitinert.c: a state git resumes is refused
# in a new repository too, whatever its hooks and config)
o=$(corral run -W "$wsn" --network on -- cmd /c "mkdir stopped\.git\hooks & echo x> stopped\.git\hooks\pre-commit.sample & mkdir stopped\.git\rebase-merge & echo exec calc.exe> stopped\.git\rebase-merge\git-rebase-todo"); rc=$?
if [ $rc = 0 ] && set_aside "$wsnu/stopped/.git" && stderr | grep -q 'stopped/.git: the command made this repository, and it holds a rebase, am, cherry-pick or rerere state'; then
        ok "cli: a repository the command made with only sample hooks but a rebase state (an exec todo) is set aside"
else ko "cli: new repository with a rebase state set aside" "rc=$rc" "$(stderr)" "$(ls -aR "$wsnu/stopped")"; fi
o=$(corral run -W "$wsn" --network on -- cmd /c exit 0); rc=$?
if [ $rc = 0 ] && [ -d "$wsnu/inert/.git" ] && ! stderr | grep -q -e 'set aside' -e 'the command created'; then
        ok "cli: the next run finds the kept repository there before it: nothing set aside or reported"
else ko "cli: next run leaves the kept repository" "rc=$rc" "$(stderr)"; fi
o=$(corral explain -W "$wsn" --network on -- cmd /c exit); rc=$?
if [ $rc = 0 ] && [[ $o == *"repositories the command makes below the top of a root: after the run"* ]]; then
        ok "cli: explain says what the check after the run of new repositories compares with"
else ko "cli: explain of the new-repository check" "rc=$rc out=$o" "$(stderr)"; fi
rm -rf "$wsnu"
# A name that ends in a space (made through a \\?\ path; Win32 paths drop
# the space): corral reads and renames it as listed, not as Win32 rewrites it.
mkdir -p "$wsnu"
o=$(corral run -W "$wsn" --network on -- "$helperw" mkhook '\\?\C:\corral-newrepo\sp '); rc=$?
if [ $rc = 0 ] && [ -d "$wsnu/sp " ] && [ ! -e "$wsnu/sp /.git" ] && ls -d "$wsnu/sp /.git.corral-refused-"* >/dev/null 2>&1 &&
        stderr | grep -q "sp /.git: the command made this repository"; then
        ok "cli: a repository with a hook made in a directory whose name ends in a space is set aside"
else ko "cli: new repository in a name ending in a space" "rc=$rc" "$(stderr)" "$(ls -aR "$wsnu")"; fi
rm -rf "$wsnu"

# Names that end in a space or a dot (docs/windows.md, "Protected names"): a
# command can make `lib.` or `bare ` through a \\?\ path, and Win32 paths
# rewrite them (`lib.\.git` is `lib\.git`, `bare ` is `bare`). The plan lists
# them, and every ACE and placeholder goes to them, by the name the listing
# gave. Before, `lib.\.git` was looked for in the empty `lib` beside it (not
# protected, nothing said), a bare `bare ` stopped the run (125: the ACL of
# `bare` cannot be read) and --git commits held nothing in `lib.\.git`.
wsdu=$WINEPREFIX/drive_c/corral-dots
rm -rf "$wsdu"
mkdir -p "$wsdu/.git" "$wsdu/lib"
wsd='C:\corral-dots'
hw() { timeout 30 wine "$helperw" "$@" >/dev/null 2>&1; }
if hw mkhook '\\?\C:\corral-dots\vendor ' && hw mkhook '\\?\C:\corral-dots\lib.' &&
        hw write '\\?\C:\corral-dots\lib.\.git\config' '[core]' && hw write '\\?\C:\corral-dots\lib.\.git\HEAD' 'ref: refs/heads/main' &&
        mkdir -p "$wsdu/lib./.git/objects" "$wsdu/lib./.git/refs" "$wsdu/bare /objects" "$wsdu/bare /refs" &&
        hw write '\\?\C:\corral-dots\bare \HEAD' 'ref: refs/heads/main' &&
        [ -f "$wsdu/vendor /.git/hooks/pre-commit" ] && [ "$(cat "$wsdu/lib./.git/config")" = '[core]' ] &&
        hw write '\\?\C:\corral-dots\vendor \.git\hooks\pre-commit' 'exit 0' && hw write '\\?\C:\corral-dots\lib.\.git\hooks\pre-commit' 'exit 0'; then
        ok "cli: control: outside corral, \\\\?\\ paths make vendor \\.git\\hooks, lib.\\.git\\config and a bare 'bare ', and write a hook there"
else ko "cli: control: names ending in a space or a dot made outside corral" "$(ls -aR "$wsdu")"; fi
o=$(corral explain -W "$wsd" --network on --json -- cmd /c exit); rc=$?
if [ $rc = 0 ] && [[ $o == *'"C:/corral-dots/vendor /.git"'* ]] && [[ $o == *'"C:/corral-dots/lib./.git"'* ]] &&
        [[ $o == *'"C:/corral-dots/bare "'* ]]; then
        ok "cli: the plan protects vendor /.git, lib./.git and a bare 'bare ' by the names the listing gave"
else ko "cli: protected names below names ending in a space or a dot" "rc=$rc out=$o" "$(stderr)"; fi
o=$(corral run -W "$wsd" --network on -- "$helperw" exit 0); rc=$?
if [ $rc = 0 ]; then ok "cli: a run of that workspace runs (its ACEs are written to those names)"
else ko "cli: run with names ending in a space or a dot" "rc=$rc" "$(stderr)"; fi
# The attack: write a hook and the config there, rename and delete them.
rcs=
for a in "write|\\\\?\\C:\\corral-dots\\vendor \\.git\\hooks\\pre-commit|evil" "write|\\\\?\\C:\\corral-dots\\lib.\\.git\\config|[alias]" \
        "move|\\\\?\\C:\\corral-dots\\lib.\\.git\\hooks\\pre-commit|\\\\?\\C:\\corral-dots\\lib.\\.git\\hooks\\x" \
        "delete|\\\\?\\C:\\corral-dots\\vendor \\.git\\hooks\\pre-commit"; do
        IFS='|' read -r -a av <<<"$a"
        corral run -W "$wsd" --network on -- "$helperw" "${av[@]}" >/dev/null
        rcs="$rcs $?"
done
# (3: the helper ran and was refused; 125 would be corral refusing the run)
if [ "$rcs" = " 3 3 3 3" ] && [ "$(cat "$wsdu/vendor /.git/hooks/pre-commit" 2>/dev/null)" = 'exit 0' ] &&
        [ "$(cat "$wsdu/lib./.git/config")" = '[core]' ] && [ -f "$wsdu/lib./.git/hooks/pre-commit" ]; then
        ok "cli: the sandbox cannot write, rename or delete the hook and config below vendor  and lib."
elif [ "$rcs" = " 0 0 0 0" ] && [ -e "$wsdu/lib./.git/hooks/x" ] && [ "$(cat "$wsdu/lib./.git/config")" = '[alias]' ] && [ ! -e "$wsdu/vendor /.git/hooks/pre-commit" ]; then
        sk "cli: the sandbox cannot write the hook and config below vendor  and lib." "Wine enforces no deny ACE (ACL storage and restricting SIDs are stubs), so the writes got through here; smoke.ps1 runs this attack on Windows"
else ko "cli: attack on names ending in a space or a dot" "rc=$rcs" "$(stderr)" "$(ls -aR "$wsdu")"; fi
rm -rf "$wsdu/lib./.git/hooks/x"
printf '[core]' >"$wsdu/lib./.git/config"
printf 'exit 0' >"$wsdu/lib./.git/hooks/pre-commit"
printf 'exit 0' >"$wsdu/vendor /.git/hooks/pre-commit"
# --git commits sorts lib.\.git like any gitdir: its placeholders go there.
mkdir -p "$wsdu/.git/objects" "$wsdu/.git/refs"
printf 'ref: refs/heads/main\n' >"$wsdu/.git/HEAD"
corral run -W "$wsd" --network on --git commits -- "$helperw" sleep 6000 >/dev/null &
bg=$!
for _ in $(seq 50); do [ -e "$wsdu/.git/hooks" ] && break; sleep 0.2; done
sleep 0.5
held=0
[ -d "$wsdu/lib./.git/info" ] && [ -f "$wsdu/lib./.git/commondir" ] && [ -f "$wsdu/lib./.git/config.worktree" ] && held=1
wait $bg; bgrc=$?
if [ $bgrc = 0 ] && [ $held = 1 ] && [ ! -e "$wsdu/lib./.git/info" ] && [ ! -e "$wsdu/lib./.git/commondir" ] &&
        [ -z "$(ls -A "$wsdu/lib")" ] && [ "$(cat "$wsdu/lib./.git/config")" = '[core]' ]; then
        ok "cli: --git commits holds lib.\\.git's missing entries there (not in lib\\) and removes them after the run"
else ko "cli: --git commits placeholders below lib." "rc=$bgrc held=$held" "$(ls -aR "$wsdu")"; fi
rm -rf "$wsdu"

# A --git commits run whose corral.exe is killed (docs/windows.md, "Git in
# commits mode"): its job dies with it, before its check; the next run of
# the workspace, in any mode, does that check (its marker in the state
# directory), and a run that is alive keeps its marker to itself.
wsku=$WINEPREFIX/drive_c/corral-killed
rm -rf "$wsku"
mkdir -p "$wsku/.git/objects" "$wsku/.git/refs/heads"
printf '[core]\n' >"$wsku/.git/config"
printf 'ref: refs/heads/main\n' >"$wsku/.git/HEAD"
wsk='C:\corral-killed'
markers() { find "$WINEPREFIX"/drive_c/users/*/AppData/Local/corral/workspaces/*/gitcheck/ -type f 2>/dev/null | wc -l; }
wait_for() { for _ in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.2; done; return 1; }
wine "$bin/corral.exe" run -W "$wsk" --network on --git commits -- cmd /c "mkdir .git\rebase-merge & echo exec calc.exe> .git\rebase-merge\git-rebase-todo & $helperw sleep 8000" >/dev/null 2>"$WINEPREFIX/stderr-live.txt" &
live=$!
wait_for "$wsku/.git/rebase-merge/git-rebase-todo"
o=$(corral run -W "$wsk" --network on -- cmd /c exit 0); rc=$?
if [ $rc = 125 ] && ! stderr | grep -q 'ended before its check' && [ -e "$wsku/.git/rebase-merge/git-rebase-todo" ] && [ "$(markers)" = 1 ]; then
        ok "cli: while a --git commits run lives, the next run leaves its marker and its repository alone"
else ko "cli: live commits run's marker" "rc=$rc markers=$(markers)" "$(stderr)"; fi
wait $live
if grep -q 'rebase-merge.*set aside' "$WINEPREFIX/stderr-live.txt" && [ "$(markers)" = 0 ]; then
        ok "cli: a --git commits run that ends does its own check and removes its marker"
else ko "cli: commits run's own check and marker" "markers=$(markers)" "$(cat "$WINEPREFIX/stderr-live.txt")"; fi
rm -rf "$wsku"/.git/rebase-merge.corral-refused-*
wine "$bin/corral.exe" run -W "$wsk" --network on --git commits -- cmd /c "mkdir .git\rebase-merge & echo exec calc.exe> .git\rebase-merge\git-rebase-todo & $helperw sleep 30000" >/dev/null 2>&1 &
killed=$!
wait_for "$wsku/.git/rebase-merge/git-rebase-todo"
sleep 0.5
kill -9 "$killed"
wait "$killed" 2>/dev/null
if [ -e "$wsku/.git/rebase-merge/git-rebase-todo" ] && [ "$(markers)" = 1 ]; then
        o=$(corral run -W "$wsk" --network on -- cmd /c exit 0); rc=$?
        if [ $rc = 0 ] && stderr | grep -q 'a --git commits run of this workspace ended before its check (killed?): checking its repositories now' &&
                [ ! -e "$wsku/.git/rebase-merge" ] && ls -d "$wsku"/.git/rebase-merge.corral-refused-* >/dev/null 2>&1 &&
                stderr | grep -q 'rebase-merge.*set aside' && [ "$(markers)" = 0 ]; then
                ok "cli: the next run of the workspace does the check a killed --git commits run did not: its rebase todo is set aside"
        else ko "cli: killed commits run checked by the next run" "rc=$rc markers=$(markers)" "$(stderr)" "$(ls -a "$wsku/.git")"; fi
        o=$(corral run -W "$wsk" --network on -- cmd /c exit 0); rc=$?
        if [ $rc = 0 ] && ! stderr | grep -q -e 'ended before its check' -e 'set aside'; then
                ok "cli: the killed run is checked once"
        else ko "cli: killed run checked once" "rc=$rc" "$(stderr)"; fi
else ko "cli: a killed --git commits run leaves its todo and its marker" "markers=$(markers)" "$(ls -a "$wsku/.git")"; fi
rm -rf "$wsku"

# A run killed while its placeholders stand: the next run sweeps them before
# it plans (it used to take them for existing names, then fail with 125
# once they were swept under it).
wsku=$WINEPREFIX/drive_c/corral-killed2
rm -rf "$wsku"
mkdir -p "$wsku"
wine "$bin/corral.exe" run -W 'C:\corral-killed2' --network on -- "$helperw" sleep 30000 >/dev/null 2>&1 &
killed=$!
wait_for "$wsku/.codex"
sleep 0.5
kill -9 "$killed"
wait "$killed" 2>/dev/null
if [ -d "$wsku/.codex" ]; then
        o=$(corral run -W 'C:\corral-killed2' --network on -- cmd /c "if exist .codex\ (exit 3) & exit 4"); rc=$?
        if [ $rc = 3 ] && [ ! -e "$wsku/.codex" ] && [ ! -e "$wsku/.corral.toml" ]; then
                ok "cli: after a run killed with its placeholders in place, the next run runs, holds them, and removes them"
        else ko "cli: the run after a killed one" "rc=$rc" "$(stderr)" "$(ls -a "$wsku")"; fi
else ko "cli: a killed run leaves its placeholders" "$(ls -a "$wsku")"; fi
rm -rf "$wsku"

# network = proxy (issue 10): under Wine only the unelevated mode can run
# (accounts and the firewall are stubs), where the proxy is advisory; what it
# shows is corral.exe's proxy serving an allowed name and refusing another,
# and the refusals reported at the end of the run. An origin on the host's
# loopback (Wine shares the host's network).
origin_dir=$(mktemp -d)
printf 'origin says hello\n' >"$origin_dir/hello.txt"
python3 - "$origin_dir" >"$origin_dir/port" 2>/dev/null <<'PY' &
import http.server, os, sys
os.chdir(sys.argv[1])
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
origin_pid=$!
for _ in $(seq 50); do [ -s "$origin_dir/port" ] && break; sleep 0.1; done
oport=$(cat "$origin_dir/port")
printf '[network]\nallow_ports = [%s]\n' "$oport" >"$WINEPREFIX/drive_c/corral-net.toml"
pnet=(--config 'C:\corral-net.toml' --allow-domain localhost --allow-domain 127.0.0.1)
o=$(corral run -W "$ws" "${pnet[@]}" -- cmd /c exit 0); rc=$?
if [ $rc = 125 ] && stderr | grep -q -- '--allow-domain' && stderr | grep -q -- '--loopback-port' && stderr | grep -q -- '--allow-advisory-network'; then
        ok "cli: --allow-domain without setup is refused (125), naming setup --loopback-port and the advisory flag"
else ko "cli: --allow-domain without setup" "rc=$rc" "$(stderr)"; fi
o=$(corral run -W "$ws" --allow-advisory-network "${pnet[@]}" -- "$helperw" proxied "http://localhost:$oport/hello.txt"); rc=$?
if [ $rc = 0 ] && [[ $o == *"origin says hello"* ]] && stderr | grep -q 'network proxy: ADVISORY'; then
        ok "cli: --allow-domain (advisory): corral.exe's proxy serves an allowed name"
else ko "cli: --allow-domain serves an allowed name" "rc=$rc out=$o" "$(stderr)"; fi
o=$(corral run -W "$ws" --allow-advisory-network "${pnet[@]}" -- "$helperw" proxied "http://evil.test:$oport/hello.txt"); rc=$?
if [ $rc = 0 ] && [[ $o == *"403 Forbidden"* ]] && [[ $o != *"origin says"* ]] &&
        stderr | grep -q "corral: network: refused evil.test:$oport, not in allow_domains (allow with --allow-domain evil.test)"; then
        ok "cli: --allow-domain (advisory): a name not allowed is refused (403) and reported at the end of the run"
else ko "cli: --allow-domain refuses a denied name" "rc=$rc out=$o" "$(stderr)"; fi
o=$(corral run -W "$ws" --allow-advisory-network --config 'C:\corral-net.toml' --allow-domain localhost -- "$helperw" proxied "http://localhost:$oport/hello.txt"); rc=$?
if [[ $o == *"403 Forbidden"* ]] && [[ $o != *"origin says"* ]] && stderr | grep -q "refused localhost:$oport, .*loopback"; then
        ok "cli: --allow-domain (advisory): a name resolving to loopback is refused unless its address is allowed"
else ko "cli: --allow-domain loopback after resolution" "rc=$rc out=$o" "$(stderr)"; fi
# One request per connection: a lenient origin that serves every request on a
# connection, whatever "Connection: close" said (it closes after 2 s idle),
# and logs each one; a pipelined request for a denied Host must not reach it.
python3 - "$origin_dir/lenient.log" >"$origin_dir/lport" 2>/dev/null <<'PY' &
import http.server, sys
log = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 2
    def log_message(self, *a):
        pass
    def do_GET(self):
        with open(log, "a") as f:
            f.write("req %s %s\n" % (self.headers.get("Host", ""), self.path))
        body = ("LENIENT host=%s path=%s\n" % (self.headers.get("Host", ""), self.path)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def parse_request(self):
        ok = super().parse_request()
        if ok:
            self.close_connection = False
        return ok
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
lenient_pid=$!
for _ in $(seq 50); do [ -s "$origin_dir/lport" ] && break; sleep 0.1; done
lport=$(cat "$origin_dir/lport")
printf '[network]\nallow_ports = [%s, %s]\n' "$oport" "$lport" >"$WINEPREFIX/drive_c/corral-net.toml"
o=$(timeout 30 wine "$helperw" send "$lport" 'GET /ctl-first HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\nGET /ctl-second HTTP/1.1\r\nHost: evil.test\r\n\r\n' 2>/dev/null)
if [[ $o == *"host=evil.test path=/ctl-second"* ]] && grep -q '^req evil.test /ctl-second$' "$origin_dir/lenient.log"; then
        ok "cli: control: the lenient origin serves a pipelined request for another Host when sent to it directly"
else ko "cli: control: the lenient origin serves pipelined requests" "out=$o" "$(cat "$origin_dir/lenient.log" 2>&1)"; fi
o=$(corral run -W "$ws" --allow-advisory-network "${pnet[@]}" -- "$helperw" proxysend "GET http://localhost:$lport/first HTTP/1.1\\r\\nHost: localhost:$lport\\r\\n\\r\\nGET /second HTTP/1.1\\r\\nHost: evil.test\\r\\n\\r\\nGET http://evil.test:$lport/third HTTP/1.1\\r\\n\\r\\n"); rc=$?
if [ $rc = 0 ] && [[ $o == *"LENIENT host=localhost:$lport path=/first"* ]] && [[ $o != *evil.test* ]] &&
        grep -q "^req localhost:$lport /first$" "$origin_dir/lenient.log" && ! grep -qE '/second|/third' "$origin_dir/lenient.log" &&
        stderr | grep -q "corral: network: refused localhost:$lport, a further request on the connection (plain HTTP: one request per connection)"; then
        ok "cli: --allow-domain (advisory): plain HTTP is one request per connection: pipelined requests for a denied Host or URI never reach the origin, and are reported"
else ko "cli: --allow-domain one request per connection" "rc=$rc out=$o" "$(stderr)" "$(cat "$origin_dir/lenient.log" 2>&1)"; fi
o=$(corral run -W "$ws" --allow-advisory-network "${pnet[@]}" -- "$helperw" proxysend "POST http://localhost:$lport/both HTTP/1.1\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\nGET /smuggled HTTP/1.1\\r\\nHost: evil.test\\r\\n\\r\\n"); rc=$?
if [[ $o == *"400 Bad Request"* ]] && [[ $o == *"both Content-Length and Transfer-Encoding"* ]] &&
        ! grep -qE '/both|/smuggled' "$origin_dir/lenient.log" &&
        stderr | grep -q "corral: network: refused (request), ambiguous or malformed framing (both Content-Length and Transfer-Encoding)"; then
        ok "cli: --allow-domain (advisory): both Content-Length and Transfer-Encoding is answered 400 and reaches nothing"
else ko "cli: --allow-domain ambiguous framing" "rc=$rc out=$o" "$(stderr)" "$(cat "$origin_dir/lenient.log" 2>&1)"; fi
kill "$lenient_pid" 2>/dev/null
o=$(corral explain -W "$ws" --allow-advisory-network "${pnet[@]}" -- cmd); rc=$?
if [ $rc = 0 ] && [[ $o == *"allow_domains: localhost"* ]] && [[ $o == *"allow_ports: $oport"* ]] && [[ $o == *ADVISORY* ]]; then
        ok "cli: explain prints the proxy's rules"
else ko "cli: explain with --allow-domain" "rc=$rc out=$o" "$(stderr)"; fi
kill "$origin_pid" 2>/dev/null
rm -rf "$origin_dir" "$WINEPREFIX/drive_c/corral-net.toml"

o=$(timeout 30 wine "$bin/corral-runner.exe" --identity root --cwd "C:\\" --app 'C:\x.exe' --cmdline x 2>&1); rc=$?
if [ $rc = 125 ] && [[ $o == *"--identity must be offline or online"* ]]; then ok "runner: a bad identity is refused (125)"; else ko "runner: bad identity" "rc=$rc out=$o"; fi

o=$(timeout 30 wine "$bin/corral-runner.exe" --identity offline --cwd "C:\\" --app 'C:\windows\system32\cmd.exe' --cap S-1-5-21-1-2-3-4 --cmdline 'cmd /c exit 0' 2>&1); rc=$?
if [ $rc = 125 ] && [[ $o == *"corral setup"* ]]; then ok "runner: without setup's marker it refuses to run (125)"; else ko "runner: no marker" "rc=$rc out=$o"; fi

o=$(timeout 30 wine "$bin/corral-runner.exe" --identity offline --cwd "C:\\" --app 'C:\x.exe' --cap not-a-sid --cmdline x 2>&1); rc=$?
if [ $rc = 125 ] && [[ $o == *"not a SID"* ]]; then ok "runner: a malformed capability SID is refused (125)"; else ko "runner: bad SID" "rc=$rc out=$o"; fi

o=$(timeout 30 wine "$bin/corral-runner.exe" --identity offline --identity online --cwd "C:\\" --app 'C:\x.exe' --cmdline x 2>&1); rc=$?
if [ $rc = 125 ] && [[ $o == *"--identity given twice"* ]]; then ok "runner: an option given twice is refused (125)"; else ko "runner: option twice" "rc=$rc out=$o"; fi

o=$(timeout 30 wine "$bin/corral-runner.exe" --identity offline --cwd "C:\\" --app 'C:\x.exe' --timeout-ms -1 --cmdline x 2>&1); rc=$?
if [ $rc = 125 ] && [[ $o == *"--timeout-ms -1: not a number"* ]]; then ok "runner: a negative number is refused (125)"; else ko "runner: negative number" "rc=$rc out=$o"; fi

o=$(timeout 30 wine "$bin/corral-setup.exe" --bogus 2>&1); rc=$?
if [ $rc = 2 ] && [[ $o == *usage* ]]; then ok "setup: unknown options print the usage"; else ko "setup: usage" "rc=$rc out=$o"; fi
sk "setup: install, --check, --uninstall" "Wine stubs local accounts (NetUserAdd), logon (CreateProcessWithLogonW) and Windows Firewall (INetFwPolicy2): on Windows run corral setup, corral-setup.exe --check, then tests/windows/smoke.ps1"

rm -rf "$wsu" "$WINEPREFIX"/drive_c/users/*/AppData/Local/Temp/corral-wintest-* \
        "$WINEPREFIX"/drive_c/users/*/Temp/corral-wintest-* 2>/dev/null
echo "# $(($(date +%s) - start)) s under Wine"
summary $pass $fail $skip
[ $fail = 0 ]
