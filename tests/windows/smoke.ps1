# SPDX-License-Identifier: MIT
# corral on real Windows: the acceptance cases, run against the real corral.exe.
#
#   powershell -ExecutionPolicy Bypass -File tests\windows\smoke.ps1 [-Corral C:\path\corral.exe]
#
# Run it as the developer (not elevated). It uses the backend `corral doctor`
# reports: windows-users when `corral setup` was run (then the network cases
# run too; the proxy's with `corral setup --loopback-port 3128`),
# windows-restricted otherwise. Every case prints PASS, FAIL or SKIP
# with the reason; the last line is "smoke: N passed, N failed, N skipped".
# It creates a workspace and a few files in your profile (corral-smoke-*)
# and removes them at the end (and revokes the workspace's grant).
# NOTHING in this script has been run on real Windows by its authors yet:
# its results are the first evidence; please report them.
param([string]$Corral = "")

$ErrorActionPreference = "Continue"
if (-not $Corral) { $Corral = Join-Path $PSScriptRoot "..\..\build-win\corral.exe" }
if (-not (Test-Path $Corral)) { $Corral = (Get-Command corral.exe -ErrorAction SilentlyContinue).Source }
if (-not $Corral -or -not (Test-Path $Corral)) { Write-Host "corral.exe not found: pass -Corral PATH"; exit 2 }
$Corral = (Resolve-Path $Corral).Path

$script:pass = 0; $script:fail = 0; $script:skip = 0
function Pass($name) { Write-Host "PASS $name"; $script:pass++ }
function Fail($name, $why) { Write-Host "FAIL $name"; Write-Host "    $why"; $script:fail++ }
function Skip($name, $why) { Write-Host "SKIP ${name}: $why"; $script:skip++ }
function Check($name, $ok, $why) { if ($ok) { Pass $name } else { Fail $name $why } }

$id = [guid]::NewGuid().ToString("N").Substring(0, 8)
$ws = Join-Path $env:USERPROFILE "corral-smoke-$id"
$outDir = Join-Path $env:USERPROFILE "corral-smoke-outside-$id"
$outFile = Join-Path $outDir "existing.txt"
New-Item -ItemType Directory -Force -Path $ws, (Join-Path $ws ".git\hooks"), $outDir | Out-Null
Set-Content -Path (Join-Path $ws ".git\config") -Value "[core]"
Set-Content -Path $outFile -Value "original"

$doctor = & $Corral doctor --json | ConvertFrom-Json
$users = $doctor.backend -eq "windows-users"
$net = if ($users) { @("--network", "off") } else { @("--network", "on") }
Write-Host "# corral: $Corral; backend: $($doctor.backend); workspace: $ws"

# Runs cmd.exe /c LINE in the sandbox; returns the exit code.
function Sandbox([string]$line, [string[]]$extra = @()) {
    $args = @("run", "-W", $ws) + $net + $extra + @("--", "cmd.exe", "/c", $line)
    & $Corral @args 2>&1 | ForEach-Object { Write-Verbose "$_" }
    return $LASTEXITCODE
}

# --- writes ---------------------------------------------------------------
$t = Measure-Command { $rc = Sandbox "echo x> in.txt" }
Check "write inside the workspace" ($rc -eq 0 -and (Test-Path (Join-Path $ws "in.txt"))) "rc=$rc"
Write-Host "# first run (grant): $([int]$t.TotalMilliseconds) ms"
$t = Measure-Command { $rc = Sandbox "exit 0" }
Write-Host "# second run (O(1) check): $([int]$t.TotalMilliseconds) ms"

$rc = Sandbox "echo x> `"$outDir\new.txt`""
Check "write outside the workspace is denied" (-not (Test-Path "$outDir\new.txt")) "the file was created"
$rc = Sandbox "echo x>> `"$outFile`""
Check "append to a file outside is denied" ((Get-Content $outFile) -eq "original") "content changed"
$rc = Sandbox "del /f /q `"$outFile`""
Check "delete of a file outside is denied (DELETE under WRITE_RESTRICTED)" (Test-Path $outFile) "the file was deleted"
$before = (Get-Acl $outFile).Sddl
$rc = Sandbox "icacls `"$outFile`" /grant *S-1-1-0:F"
Check "changing the DACL of a file outside is denied (WRITE_DAC)" ((Get-Acl $outFile).Sddl -eq $before) "the DACL changed"
$rc = Sandbox "echo x> `"\\?\$outDir\long.txt`""
Check "a \\?\ path outside is denied" (-not (Test-Path "$outDir\long.txt")) "created through \\?\"
$rc = Sandbox "echo x> `"$outFile`:evil`""
$streams = Get-Item $outFile -Stream * | Where-Object Stream -eq "evil"
Check "an alternate data stream on a file outside is denied" (-not $streams) "stream created"

# --- protected names -------------------------------------------------------
$rc = Sandbox "echo evil> .git\hooks\pre-commit"
Check ".git\hooks\pre-commit cannot be written" (-not (Test-Path (Join-Path $ws ".git\hooks\pre-commit"))) "hook planted"
$rc = Sandbox "echo [alias]>> .git\config"
Check ".git\config cannot be appended to" ((Get-Content (Join-Path $ws ".git\config")) -eq "[core]") "config changed"
$rc = Sandbox "echo x> .GIT\config2"
Check "case variant .GIT is protected too" (-not (Test-Path (Join-Path $ws ".git\config2"))) "written through .GIT"
$rc = Sandbox "echo x> .git:stream"
Check "an alternate data stream on .git is denied" (-not (Get-Item (Join-Path $ws ".git") -Stream * -ErrorAction SilentlyContinue | Where-Object Stream -eq "stream")) "stream created"
$rc = Sandbox "ren .git g"
Check "renaming .git is denied" ((Test-Path (Join-Path $ws ".git\config")) -and -not (Test-Path (Join-Path $ws "g"))) "renamed"
$rc = Sandbox "rmdir /s /q .git"
Check "deleting .git is denied" (Test-Path (Join-Path $ws ".git\config")) ".git deleted"
$rc = Sandbox "attrib +h .git\config"
Check "attributes of .git\config cannot change" (-not ((Get-Item -Force (Join-Path $ws ".git\config")).Attributes -band [IO.FileAttributes]::Hidden)) "attribute set"
$rc = Sandbox "mkdir .codex\x"
Check "a missing protected name (.codex) cannot be created" (-not (Test-Path (Join-Path $ws ".codex\x"))) "created"
Check "its placeholder is gone after the run" (-not (Test-Path (Join-Path $ws ".codex"))) ".codex left behind"
$rc = Sandbox "echo x> .corral.toml"
Check ".corral.toml cannot be created" (-not (Test-Path -PathType Leaf (Join-Path $ws ".corral.toml"))) "created"

# --- names that end in a space or a dot --------------------------------------
# Made through \\?\ paths, which keep them (a Win32 path reads lib.\.git as
# lib\.git): corral protects them by the names the listing gave.
$q = "\\?\$ws"
cmd /c "mkdir `"$q\vendor \.git\hooks`" & mkdir `"$q\lib.\.git\hooks`" & mkdir `"$q\lib`" & echo exit 0> `"$q\vendor \.git\hooks\pre-commit`" & echo [core]> `"$q\lib.\.git\config`"" | Out-Null
cmd /c "echo probe> `"$q\lib.\.git\hooks\probe`"" | Out-Null
Check "control: outside corral, a \\?\ path writes below lib.\.git" ([IO.File]::Exists("$q\lib.\.git\hooks\probe")) "probe not written"
cmd /c "del /f /q `"$q\lib.\.git\hooks\probe`"" | Out-Null
$rc = Sandbox "echo evil> `"$q\vendor \.git\hooks\pre-commit`""
Check "a hook below a directory whose name ends in a space cannot be written" ([IO.File]::ReadAllText("$q\vendor \.git\hooks\pre-commit").Trim() -eq "exit 0") "hook replaced"
$rc = Sandbox "echo [alias]>> `"$q\lib.\.git\config`""
Check "a config below a directory whose name ends in a dot cannot be written" ([IO.File]::ReadAllText("$q\lib.\.git\config").Trim() -eq "[core]") "config changed"
$rc = Sandbox "echo x> `"$q\lib.\.git\hooks\post-checkout`""
Check "no hook can be added below lib.\.git" (-not [IO.File]::Exists("$q\lib.\.git\hooks\post-checkout")) "hook planted"
$rc = Sandbox "ren `"$q\lib.\.git\config`" c2"
Check "that config cannot be renamed" ([IO.File]::Exists("$q\lib.\.git\config")) "renamed"
$rc = Sandbox "del /f /q `"$q\vendor \.git\hooks\pre-commit`""
Check "that hook cannot be deleted" ([IO.File]::Exists("$q\vendor \.git\hooks\pre-commit")) "deleted"
cmd /c "rmdir /s /q `"$q\vendor `" & rmdir /s /q `"$q\lib.`" & rmdir /s /q `"$q\lib`"" | Out-Null

# --- repositories the run makes (docs/windows.md, "Repositories the run makes")
# A .git the command creates below the top has no deny ACE while it runs;
# after the run corral (as you) sets it aside: in users mode the sandbox user
# made and owns it, and the rename goes through the ACEs you inherit there.
New-Item -ItemType Directory -Force -Path (Join-Path $ws "src") | Out-Null
$rc = Sandbox "mkdir nr\.git\hooks & echo calc> nr\.git\hooks\pre-commit & mkdir src\.git & mkdir deep\a\b\.git\hooks & echo calc> deep\a\b\.git\hooks\post-checkout"
Check "a repository with a hook the run made in a new directory is set aside" (-not (Test-Path (Join-Path $ws "nr\.git")) -and (Test-Path (Join-Path $ws "nr\.git.corral-refused-*"))) "nr\.git left in place"
Check "a .git the run made in a directory that was there is set aside" (-not (Test-Path (Join-Path $ws "src\.git")) -and (Test-Path (Join-Path $ws "src\.git.corral-refused-*"))) "src\.git left in place"
Check "a repository with a hook the run made below protect_depth is set aside" (-not (Test-Path (Join-Path $ws "deep\a\b\.git")) -and (Test-Path (Join-Path $ws "deep\a\b\.git.corral-refused-*"))) "deep\a\b\.git left in place"
# Made by hand outside the sandbox: the same repository is yours, untouched.
New-Item -ItemType Directory -Force -Path (Join-Path $ws "mine\.git\hooks") | Out-Null
Set-Content -Path (Join-Path $ws "mine\.git\hooks\pre-commit") -Value "exit 0"
$rc = Sandbox "exit 0"
Check "the same repository made outside the sandbox stays" (Test-Path (Join-Path $ws "mine\.git\hooks\pre-commit")) "mine\.git moved"
if (Get-Command git.exe -ErrorAction SilentlyContinue) {
    $rc = Sandbox "git init -q plain && git init -q hooked && echo calc> hooked\.git\hooks\pre-commit"
    Check "git init in a new directory: kept (git's own config and *.sample hooks); with a hook added: set aside" ((Test-Path (Join-Path $ws "plain\.git\HEAD")) -and -not (Test-Path (Join-Path $ws "hooked\.git")) -and @(Get-ChildItem -Force -Path (Join-Path $ws "hooked") -Filter ".git.corral-refused-*").Count -eq 1) "plain or hooked as they were"
} else { Skip "git init in a new directory" "git.exe not on PATH" }
Remove-Item -Recurse -Force (Join-Path $ws "nr"), (Join-Path $ws "src"), (Join-Path $ws "deep"), (Join-Path $ws "mine"), (Join-Path $ws "plain"), (Join-Path $ws "hooked") -ErrorAction SilentlyContinue

# --- links -----------------------------------------------------------------
cmd /c mklink /J "$ws\out" "$outDir" | Out-Null
$rc = Sandbox "echo x> out\via-junction.txt"
Check "a junction planted before the run does not lead out" (-not (Test-Path "$outDir\via-junction.txt")) "written through the junction"
Remove-Item -Force "$ws\out" -ErrorAction SilentlyContinue
$rc = Sandbox "mklink /J j `"$outDir`" && echo x> j\made-inside.txt"
Check "a junction made inside the sandbox does not lead out" (-not (Test-Path "$outDir\made-inside.txt")) "written"
$other = Get-PSDrive -PSProvider FileSystem | Where-Object { $_.Root -ne "$($env:SystemDrive)\" -and $_.Free -gt 0 } | Select-Object -First 1
if ($other) {
    $rc = Sandbox "echo x> $($other.Root)corral-smoke-$id.txt"
    Check "another drive is not writable" (-not (Test-Path "$($other.Root)corral-smoke-$id.txt")) "written on $($other.Root)"
} else { Skip "another drive is not writable" "no second drive" }
$pub = "$env:PUBLIC\corral-smoke-$id.txt"
$rc = Sandbox "echo x> `"$pub`""
Check "Everyone-writable places outside (%PUBLIC%) are not writable" (-not (Test-Path $pub)) "written to $pub (restricting SID Everyone)"
Remove-Item -Force $pub -ErrorAction SilentlyContinue
$long = "a" * 120 + "\" + "b" * 120 + "\" + "c" * 40
$rc = Sandbox "mkdir $long && echo x> $long\f.txt"
Check "long paths (> 260 characters) inside the workspace work" ($rc -eq 0) "rc=$rc"

# --- processes -------------------------------------------------------------
$rc = Sandbox "exit 7"
Check "exit code relayed" ($rc -eq 7) "rc=$rc"
$t = Measure-Command { $rc = Sandbox "ping -n 30 127.0.0.1 >NUL" @("--timeout", "2") }
Check "timeout gives 124 within seconds" ($rc -eq 124 -and $t.TotalSeconds -lt 10) "rc=$rc after $($t.TotalSeconds) s"
$rc = Sandbox "start `"`" /b ping -n 47 127.0.0.1 >NUL & exit 0"
Start-Sleep -Seconds 1
$left = Get-CimInstance Win32_Process | Where-Object { $_.CommandLine -like "*ping*-n 47 127.0.0.1*" }
Check "a background grandchild dies with the run (job object)" (-not $left) "still running: $($left.ProcessId)"
$left | ForEach-Object { Stop-Process -Id $_.ProcessId -Force -ErrorAction SilentlyContinue }
Set-Content -Path "$ws\t.bat" -Value "@echo [%1]"
& $Corral run -W $ws @net -- "$ws\t.bat" "100%" 2>$null | Out-Null
Check "a .bat argument cmd.exe would expand is refused (125)" ($LASTEXITCODE -eq 125) "rc=$LASTEXITCODE"
$o = & $Corral run -W $ws @net -- "$ws\t.bat" "a&calc" 2>$null
Check "a .bat argument with & is passed as text" ($o -match '\["a&calc"\]') "output: $o"

# --- network ---------------------------------------------------------------
$listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
$listener.Start()
$port = $listener.LocalEndpoint.Port
$probe = "powershell -NoProfile -Command `"try { (New-Object Net.Sockets.TcpClient).Connect('{0}', {1}); exit 0 } catch { exit 3 }`""
if ($users) {
    $rc = Sandbox ($probe -f "1.1.1.1", 443) @("--timeout", "30")
    Check "offline: no outbound IPv4" ($rc -eq 3) "rc=$rc"
    $rc = Sandbox ($probe -f "2606:4700:4700::1111", 443) @("--timeout", "30")
    Check "offline: no outbound IPv6" ($rc -eq 3) "rc=$rc"
    $rc = Sandbox ($probe -f "127.0.0.1", $port) @("--timeout", "30")
    Check "offline: loopback (a service of the host) is blocked" ($rc -eq 3) "rc=$rc"
    $rc = & $Corral run -W $ws --network on -- cmd.exe /c ($probe -f "127.0.0.1", $port) 2>$null; $rc = $LASTEXITCODE
    Check "online: loopback works" ($rc -eq 0) "rc=$rc"
} else {
    & $Corral run -W $ws --network off -- cmd.exe /c exit 0 2>$null | Out-Null
    Check "unelevated: --network off is refused (125) without --allow-advisory-network" ($LASTEXITCODE -eq 125) "rc=$LASTEXITCODE"
    Skip "offline network cases" "need `corral setup` (the users backend); the unelevated mode cannot enforce them"
}
$listener.Stop()

# --- network by domain (issue 10; docs/windows.md, "Network by domain") ------
# Needs the users backend set up with a loopback port for the proxy
# (`corral setup --loopback-port 3128`), curl.exe (Windows 10+) and, for the
# fetches, a machine that reaches https://example.com itself (the control).
$marker = Join-Path $env:ProgramData "corral\setup.txt"
$pport = 0
if (Test-Path $marker) {
    $l = Select-String -Path $marker -Pattern '^loopback_ports=(\d+)' | Select-Object -First 1
    if ($l) { $pport = [int]$l.Matches[0].Groups[1].Value }
}
$curl = (Get-Command curl.exe -ErrorAction SilentlyContinue).Source
if ($users -and $pport -and $curl) {
    $pd = @("run", "-W", $ws, "--allow-domain", "example.com", "--timeout", "60", "--")
    $direct = & $curl -s -o NUL -w "%{http_code}" --max-time 20 https://example.com/ 2>$null
    if ($direct -eq "200") {
        $o = & $Corral @pd $curl -s -o NUL -w "%{http_code}" --max-time 30 https://example.com/ 2>$null
        Check "proxy: an allowed name is fetched through the proxy (HTTPS_PROXY)" ($o -eq "200") "http_code=$o"
        $o = & $Corral @pd $curl -s -o NUL -w "%{http_code}" --max-time 30 https://example.org/ 2>&1
        Check "proxy: a name not allowed is refused, and reported" (($o -join "`n") -match "refused example.org:443, not in allow_domains") "output: $o"
        & $Corral @pd $curl -s -o NUL --noproxy "*" --max-time 20 https://example.com/ 2>$null | Out-Null
        Check "proxy: a direct connection that ignores the proxy fails (firewall)" ($LASTEXITCODE -ne 0) "rc=$LASTEXITCODE"
    } else { Skip "proxy: fetches" "this machine does not reach https://example.com itself (the control failed: $direct)" }
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = $listener.LocalEndpoint.Port
    $rc = & $Corral @pd cmd.exe /c ($probe -f "127.0.0.1", $port) 2>$null; $rc = $LASTEXITCODE
    Check "proxy: another loopback port is blocked for the command (firewall)" ($rc -eq 3) "rc=$rc"
    $rc = & $Corral @pd cmd.exe /c ($probe -f "1.1.1.1", 443) 2>$null; $rc = $LASTEXITCODE
    Check "proxy: an outside address is blocked for the command (firewall)" ($rc -eq 3) "rc=$rc"
    $listener.Stop()
    # the proxy's port on another loopback address: blocked (the rest of 127/8)
    $l2 = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Parse("127.0.0.2"), $pport)
    try { $l2.Start(); $ok2 = $true } catch { $ok2 = $false }
    if ($ok2) {
        $rc = & $Corral @pd cmd.exe /c ($probe -f "127.0.0.2", $pport) 2>$null; $rc = $LASTEXITCODE
        Check "proxy: the proxy's port on 127.0.0.2 is blocked for the command (firewall)" ($rc -eq 3) "rc=$rc"
        $l2.Stop()
    } else { Skip "proxy: 127.0.0.2" "cannot listen on 127.0.0.2:$pport here" }
    # a port another program holds: nothing runs
    foreach ($addr in @([Net.IPAddress]::Loopback, [Net.IPAddress]::Any)) {
        $l3 = [Net.Sockets.TcpListener]::new($addr, $pport)
        try { $l3.Start(); $ok3 = $true } catch { $ok3 = $false }
        if ($ok3) {
            & $Corral @pd cmd.exe /c exit 0 2>$null | Out-Null
            Check "proxy: its port held by another program on $addr is refused (125)" ($LASTEXITCODE -eq 125) "rc=$LASTEXITCODE"
            $l3.Stop()
        } else { Skip "proxy: port held on $addr" "cannot listen on ${addr}:$pport here" }
    }
    # only the run's processes: a connection from outside its job is refused
    $run = Start-Process -FilePath $Corral -ArgumentList (@("run", "-W", $ws, "--allow-domain", "example.com", "--", "cmd.exe", "/c", "ping -n 8 127.0.0.1 >NUL")) -PassThru -WindowStyle Hidden
    Start-Sleep -Seconds 3
    try {
        $c = [Net.Sockets.TcpClient]::new("127.0.0.1", $pport)
        $st = $c.GetStream()
        $b = [Text.Encoding]::ASCII.GetBytes("CONNECT example.com:443 HTTP/1.1`r`n`r`n")
        $st.Write($b, 0, $b.Length)
        $st.ReadTimeout = 10000
        $buf = New-Object byte[] 2048
        $n = $st.Read($buf, 0, $buf.Length)
        $answer = [Text.Encoding]::ASCII.GetString($buf, 0, $n)
        $c.Close()
    } catch { $answer = "connect failed: $_" }
    Check "proxy: a process outside the run's job is refused (403)" ($answer -match "403" -and $answer -match "outside this run's sandbox") "answer: $answer"
    $run | Wait-Process -Timeout 30 -ErrorAction SilentlyContinue
} else {
    & $Corral run -W $ws --allow-domain example.com -- cmd.exe /c exit 0 2>$null | Out-Null
    if (-not $users -or -not $pport) {
        Check "proxy: --allow-domain without setup's loopback port is refused (125)" ($LASTEXITCODE -eq 125) "rc=$LASTEXITCODE"
    }
    Skip "proxy cases" "need `corral setup --loopback-port 3128` (the users backend) and curl.exe"
}

# --- --git commits (docs/windows.md, "Git in commits mode") ----------------
# Needs git for Windows on PATH. In users mode the sandbox user does not own
# the repository, so git inside needs -c safe.directory=* (docs/windows.md).
$gitExe = (Get-Command git.exe -ErrorAction SilentlyContinue).Source
$gws = Join-Path $env:USERPROFILE "corral-smoke-git-$id"
if ($gitExe) {
    git init -q -b main $gws | Out-Null
    git -C $gws config user.email smoke@example.org; git -C $gws config user.name smoke
    Set-Content -Path (Join-Path $gws "a.txt") -Value "one"
    git -C $gws add a.txt; git -C $gws commit -q -m first | Out-Null
    $gcfg = Join-Path $gws ".git\config"
    $cfgHash = (Get-FileHash $gcfg).Hash
    function SandboxGit([string]$line) {
        $args = @("run", "-W", $gws) + $net + @("--git", "commits", "--", "cmd.exe", "/c", $line)
        & $Corral @args 2>&1 | ForEach-Object { Write-Verbose "$_" }
        return $LASTEXITCODE
    }
    $g = "git -c safe.directory=* -c user.email=s@example.org -c user.name=s"
    $rc = SandboxGit "echo two>> a.txt && $g commit -q -am second && $g commit -q --amend -m second2 && $g branch b1 && $g tag t1 && echo three>> a.txt && $g stash push -q && $g stash pop -q && $g commit -q -am third && $g checkout -q b1 && echo b> b.txt && $g add b.txt && $g commit -q -m onb1 && $g checkout -q main && $g merge -q --no-edit b1 && $g checkout -q -b b2 && echo c> c.txt && $g add c.txt && $g commit -q -m onb2 && $g checkout -q main && $g cherry-pick b2 && $g reset -q --hard HEAD && $g gc -q"
    $log = git -C $gws log --oneline main
    git -C $gws fsck --no-progress 2>&1 | Out-Null; $fsck = $LASTEXITCODE
    Check "commits mode: commit, amend, branch, tag, stash, checkout, merge, cherry-pick, reset, gc work (git log, git fsck outside)" ($rc -eq 0 -and $fsck -eq 0 -and ($log | Select-String "onb1") -and (git -C $gws tag) -contains "t1") "rc=$rc fsck=$fsck log=$log"
    $rc = SandboxGit "echo calc> .git\hooks\pre-commit"
    Check "commits mode: a hook cannot be written" (-not (Test-Path (Join-Path $gws ".git\hooks\pre-commit"))) "hook planted"
    $rc = SandboxGit "ren .git\hooks h2 & rmdir /s /q .git\hooks & mkdir .git\hooks\x"
    Check "commits mode: hooks\ cannot be renamed, removed or added to" ((Test-Path (Join-Path $gws ".git\hooks")) -and -not (Test-Path (Join-Path $gws ".git\h2")) -and -not (Test-Path (Join-Path $gws ".git\hooks\x"))) "hooks changed"
    $rc = SandboxGit "$g config core.fsmonitor calc & $g config alias.x !calc & $g config include.path C:/x & echo [core]>> .git\config & ren .git\config c2"
    Check "commits mode: .git\config cannot change (git config, append, rename)" ((Get-FileHash $gcfg).Hash -eq $cfgHash) "config changed"
    $rc = SandboxGit "echo C:/evil> .git\commondir & echo [core]> .git\config.worktree & mkdir .git\info\x"
    Check "commits mode: missing commondir, config.worktree, info are held (placeholders) and gone after" (-not (Test-Path (Join-Path $gws ".git\commondir")) -and -not (Test-Path (Join-Path $gws ".git\config.worktree")) -and -not (Test-Path (Join-Path $gws ".git\info\x"))) "created"
    $rc = SandboxGit "copy /y NUL .git\objects\hook.bat & move /y .git\objects\hook.bat .git\hooks\post-checkout"
    Check "commits mode: a file cannot be moved into hooks\" (-not (Test-Path (Join-Path $gws ".git\hooks\post-checkout"))) "moved in"
    $rc = SandboxGit "ren .git g2"
    Check "commits mode: .git cannot be renamed" ((Test-Path (Join-Path $gws ".git\config")) -and -not (Test-Path (Join-Path $gws "g2"))) "renamed"
    $rc = SandboxGit "mklink /J .git\refs\heads\evil `"$outDir`""
    Check "commits mode: a junction planted in refs\ is removed after the run" (-not (Test-Path (Join-Path $gws ".git\refs\heads\evil"))) "junction left"
    # Anywhere in the gitdir, as Linux: a loose objects' directory, a pack
    # directory's link, lfs\ (git writes new objects through a junction).
    $rc = SandboxGit "mklink /J .git\objects\zz `"$outDir`" & mklink /J .git\objects\info\commit-graphs `"$outDir`" & mkdir .git\lfs\tmp & mklink /J .git\lfs\tmp\j `"$outDir`""
    Check "commits mode: junctions planted in objects\ (a loose objects' directory, info\) and lfs\tmp\ are removed after the run" (-not (Test-Path (Join-Path $gws ".git\objects\zz")) -and -not (Test-Path (Join-Path $gws ".git\objects\info\commit-graphs")) -and -not (Test-Path (Join-Path $gws ".git\lfs\tmp\j")) -and (Test-Path $outDir)) "junction left, or its target gone"
    Remove-Item -Recurse -Force (Join-Path $gws ".git\lfs") -ErrorAction SilentlyContinue
    $rc = SandboxGit "del /f .git\logs\HEAD & mklink /H .git\logs\HEAD .git\config"
    $links = @(fsutil hardlink list $gcfg 2>$null | Where-Object { $_ }).Count
    if ($links -eq 0) { Skip "commits mode: logs\HEAD cannot become a hard link to .git\config" "fsutil hardlink list gave nothing here" }
    else { Check "commits mode: logs\HEAD cannot become a hard link to .git\config (the developer's reflog would append to it)" ($links -eq 1) "names of config: $links" }
    $rc = SandboxGit "mkdir .git\rebase-merge & echo exec calc> .git\rebase-merge\git-rebase-todo"
    Check "commits mode: a rebase todo with exec is set aside after the run" (-not (Test-Path (Join-Path $gws ".git\rebase-merge")) -and (Test-Path (Join-Path $gws ".git\rebase-merge.corral-refused-*"))) "todo left in place"
    Remove-Item -Recurse -Force (Join-Path $gws ".git\rebase-merge.corral-refused-*") -ErrorAction SilentlyContinue
    # The check goes by contents and file identity, not times: a state whose
    # time stamps the run set back to 2000 is set aside all the same.
    $rc = SandboxGit "mkdir .git\sequencer & echo [options]> .git\sequencer\opts & echo strategy = calc>> .git\sequencer\opts & powershell -NoProfile -Command `"foreach (`$p in '.git\sequencer\opts', '.git\sequencer') { `$i = Get-Item `$p; `$i.CreationTime = `$i.LastWriteTime = `$i.LastAccessTime = '2000-01-01' }`""
    Check "commits mode: a sequencer strategy the run made, its times set back to 2000, is set aside" (-not (Test-Path (Join-Path $gws ".git\sequencer")) -and (Test-Path (Join-Path $gws ".git\sequencer.corral-refused-*"))) "sequencer left in place"
    # A real rebase the run leaves stopped (an exec that fails): set aside.
    $rc = SandboxGit "$g rebase -q --exec `"exit 1`" HEAD~1"
    Check "commits mode: a rebase the run left in progress is set aside" (-not (Test-Path (Join-Path $gws ".git\rebase-merge")) -and (Test-Path (Join-Path $gws ".git\rebase-merge.corral-refused-*"))) "rebase left in place"
    $rc = SandboxGit "mkdir .git\rr-cache\0123 & echo x> .git\rr-cache\0123\postimage & echo 0123 a.txt> .git\MERGE_RR"
    Check "commits mode: rr-cache and MERGE_RR the run made are set aside" (-not (Test-Path (Join-Path $gws ".git\rr-cache")) -and -not (Test-Path (Join-Path $gws ".git\MERGE_RR")) -and (Test-Path (Join-Path $gws ".git\rr-cache.corral-refused-*"))) "rerere state left"
    # An index entry under a protected name that the run stages (t_git.c's
    # after_run_index_protected): git checkout -- . outside would write
    # pkg\.vscode\tasks.json, which the editor runs on folder open.
    $rc = SandboxGit "mkdir pkg 2>nul & echo x> pkg\x.txt && $g add pkg\x.txt && $g update-index --add --cacheinfo 100644,e69de29bb2d1d6434b8b29ae775ad8c2e48c5391,pkg/.vscode/tasks.json"
    Check "commits mode: an index the run left with an entry under a protected name is set aside" ((Test-Path (Join-Path $gws ".git\index.corral-refused-*")) -and -not ((git -C $gws ls-files 2>$null) -contains "pkg/.vscode/tasks.json")) "pkg/.vscode/tasks.json staged"
    git -C $gws reset -q 2>$null | Out-Null
    # A nested repository the run makes and adds as a submodule (a gitlink
    # in the index): git status outside would run git in it, with its config.
    $rc = SandboxGit "mkdir evilsub && cd evilsub && git init -q && $g -C . config core.fsmonitor calc && echo x> x && $g add x && $g commit -q -m x && cd .. && $g add evilsub"
    Check "commits mode: a submodule's .git the run made and the index names is set aside" (-not (Test-Path (Join-Path $gws "evilsub\.git")) -and (Test-Path (Join-Path $gws "evilsub\.git.corral-refused-*"))) "evilsub\.git left"
    git -C $gws rm -q --cached evilsub 2>$null | Out-Null
    # A linked worktree (the developer's, in the workspace): its index is
    # checked as the repository's, and its .git file stays read-only.
    git -C $gws worktree add -q (Join-Path $gws "wt") 2>$null | Out-Null
    $rc = SandboxGit "cd wt && mkdir evilsub && cd evilsub && git init -q && $g -C . config core.fsmonitor calc && echo x> x && $g add x && $g commit -q -m x && cd .. && $g add evilsub & echo gitdir: C:/evil> .git"
    Check "commits mode: a submodule's .git the run made and a linked worktree's index names is set aside" (-not (Test-Path (Join-Path $gws "wt\evilsub\.git")) -and (Test-Path (Join-Path $gws "wt\evilsub\.git.corral-refused-*"))) "wt\evilsub\.git left"
    Check "commits mode: a linked worktree's .git file cannot be rewritten" (-not (Select-String -Quiet -Path (Join-Path $gws "wt\.git") -Pattern "C:/evil")) "rewritten"
    git -C (Join-Path $gws "wt") rm -q --cached evilsub 2>$null | Out-Null
    # A linked worktree whose main repository lies below protect_depth: that
    # repository's config and hooks stay read-only (git in the worktree runs them).
    $deepMain = Join-Path $gws "deep\a\main"
    git init -q -b main $deepMain | Out-Null
    Set-Content -Path (Join-Path $deepMain "x") -Value "x"
    git -C $deepMain add x; git -C $deepMain -c user.email=s@example.org -c user.name=s commit -q -m x | Out-Null
    git -C $deepMain worktree add -q (Join-Path $gws "wt2") 2>$null | Out-Null
    $deepCfg = Join-Path $deepMain ".git\config"
    $deepHash = (Get-FileHash $deepCfg).Hash
    $rc = & $Corral run -W $gws @net -- cmd.exe /c "echo calc> deep\a\main\.git\hooks\post-checkout & echo [alias]>> deep\a\main\.git\config" 2>$null
    Check "a linked worktree's main repository below protect_depth: its hooks and config stay read-only" (-not (Test-Path (Join-Path $deepMain ".git\hooks\post-checkout")) -and (Get-FileHash $deepCfg).Hash -eq $deepHash) "written"
    # A submodule below protect_depth that the index names: its .git stays
    # read-only (git status runs git in it, with the config it points at).
    $libsub = Join-Path $gws "lib\sub"
    git init -q $libsub | Out-Null
    Set-Content -Path (Join-Path $libsub "x") -Value "x"
    git -C $libsub add x; git -C $libsub -c user.email=s@example.org -c user.name=s commit -q -m x | Out-Null
    git -C $gws add lib/sub 2>$null | Out-Null
    $rc = & $Corral run -W $gws @net -- cmd.exe /c "echo [core]> lib\sub\.git\config & echo fsmonitor = calc>> lib\sub\.git\config" 2>$null
    Check "a submodule's .git below protect_depth that the index names stays read-only" (-not (Select-String -Quiet -Path (Join-Path $libsub ".git\config") -Pattern "calc")) "lib\sub\.git\config written"
    # An unpopulated one (its directory, empty): no repository made in it.
    Remove-Item -Recurse -Force (Join-Path $libsub ".git"), (Join-Path $libsub "x")
    $rc = & $Corral run -W $gws @net -- cmd.exe /c "mkdir lib\sub\.git\hooks & echo calc> lib\sub\.git\hooks\pre-commit" 2>$null
    Check "no repository can be made in an unpopulated submodule below protect_depth" (-not (Test-Path (Join-Path $libsub ".git"))) "lib\sub\.git made"
    git -C $gws rm -q --cached lib/sub 2>$null | Out-Null
    $rc = & $Corral run -W $gws @net -- cmd.exe /c "echo x> .git\objects\probe" 2>$null
    Check "after a commits run, a read-only run cannot write .git\objects (the deny ACE is back)" (-not (Test-Path (Join-Path $gws ".git\objects\probe"))) "written"
    & $Corral revoke $gws 2>$null | Out-Null
    Remove-Item -Recurse -Force $gws -ErrorAction SilentlyContinue
} else { Skip "--git commits cases" "git.exe not on PATH (install git for Windows)" }

# --- the unit tests, natively (what Wine skips runs here) -----------------
$unit = @((Join-Path (Split-Path $Corral) "tests\windows\corral-wintest.exe"),
          (Join-Path (Split-Path $Corral) "corral-wintest.exe")) | Where-Object { Test-Path $_ } | Select-Object -First 1
if ($unit) {
    & $unit | ForEach-Object {
        if ($_ -like "PASS *") { $script:pass++ } elseif ($_ -like "FAIL *") { $script:fail++ } elseif ($_ -like "SKIP *") { $script:skip++ }
        Write-Host $_
    }
} else { Skip "unit tests (corral-wintest.exe)" "not found next to corral.exe or in tests\windows" }

# --- clean up --------------------------------------------------------------
& $Corral revoke $ws 2>$null | Out-Null
Remove-Item -Recurse -Force $ws, $outDir -ErrorAction SilentlyContinue
Write-Host "smoke: $script:pass passed, $script:fail failed, $script:skip skipped"
if ($script:fail -gt 0) { exit 1 } else { exit 0 }
