#!/usr/bin/env bats
# corral run --backend users: who runs, what it may write, what it may read,
# and the life of the process tree.
load lib

setup_file() { uninstall_corral; install_corral; }
teardown_file() { uninstall_corral; }
setup() { new_ws; }

@test "the command runs as corral-offline with network off, corral-online with network on" {
	run crun -- id -un
	assert_status 0
	[ "${lines[-1]}" = corral-offline ]
	run crun --network on -- id -un
	assert_status 0
	[ "${lines[-1]}" = corral-online ]
}

@test "an argument of 100 KiB (a long bash -c script) reaches the command" {
	local script
	script="# $(head -c 100000 /dev/zero | tr '\0' x)
echo LONG-SCRIPT-RAN"
	run crun -- bash -c "$script"
	assert_status 0
	[ "${lines[-1]}" = LONG-SCRIPT-RAN ]
}

@test "inside: no capabilities, no_new_privs, seccomp, no supplementary groups, own HOME" {
	run crun -- sh -c 'grep -E "^(CapEff|CapPrm|NoNewPrivs|Seccomp):" /proc/self/status; id -G; echo HOME=$HOME USER=$USER'
	assert_status 0
	assert_contains "CapEff:	0000000000000000"
	assert_contains "CapPrm:	0000000000000000"
	assert_contains "NoNewPrivs:	1"
	assert_contains "Seccomp:	2"
	assert_contains "HOME=/var/lib/corral/offline USER=corral-offline"
	[ "$(sed -n 5p <<< "$output")" = "$(id -g corral-offline)" ]
}

@test "first use of a workspace under a private home grants passage and says so; later runs are silent" {
	setfacl -b "$DEV_HOME"
	run crun -- true
	assert_status 0
	assert_contains "granted corral-offline and corral-online passage through $DEV_HOME"
	run crun -- true
	assert_status 0
	[ -z "$output" ]
	getfacl -p "$DEV_HOME" | grep -q "user:corral-offline:--x"
}

@test "explain shows what the users backend will do: why it was chosen, the sandbox user, first-use grants, toolchain variables" {
	setfacl -b "$DEV_HOME"
	as "$DEV" mkdir -p "$DEV_HOME/.rustup"
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' explain"
	assert_status 0
	assert_contains "  backend        users"
	assert_contains "  chosen         auto: the users backend is installed and usable by you"
	assert_contains "  runs as        corral-offline"
	assert_contains "  $WS: passage (an ACL entry, --x) for the sandbox users"
	assert_contains "  added          RUSTUP_HOME=$DEV_HOME/.rustup"
	# explain grants nothing
	! getfacl -p "$DEV_HOME" | grep -q "user:corral-offline"
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' explain --json --backend users -n on"
	assert_status 0
	printf '%s' "$output" | python3 -c '
import json, sys
p = json.load(sys.stdin)["plan"]
assert p["backend"] == "users" and p["backend_why"] == "asked for: --backend users", p
assert p["run_as"] == "corral-online", p
assert p["grants"] == [sys.argv[1]], p
assert p["env_added"] == ["RUSTUP_HOME=" + sys.argv[2] + "/.rustup"], p' "$WS" "$DEV_HOME"
	# what the run does is what explain said
	run crun -- sh -c 'echo RUSTUP_HOME=$RUSTUP_HOME'
	assert_status 0
	assert_contains "granted corral-offline and corral-online passage through $DEV_HOME"
	assert_contains "RUSTUP_HOME=$DEV_HOME/.rustup"
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' explain"
	rmdir "$DEV_HOME/.rustup"
	assert_status 0
	[[ "$output" != *grants* ]] || { echo "$output" >&2; false; }
}

@test "files created inside belong to the developer and stay editable by them" {
	run crun -- sh -c 'mkdir -p d/e && echo one > d/e/f && echo two > g && chmod 600 g'
	assert_status 0
	[ "$(stat -c %U "$WS/d/e/f")" = "$DEV" ]
	[ "$(stat -c %U "$WS/g")" = "$DEV" ]
	as "$DEV" sh -c "echo more >> '$WS/d/e/f' && chmod 640 '$WS/g' && mv '$WS/g' '$WS/h' && rm -r '$WS/d' '$WS/h'"
}

@test "a file the developer creates later with an explicit mode stays writable inside" {
	as "$DEV" sh -c "echo x > /tmp/corral-et-src.$$ && install -m 644 /tmp/corral-et-src.$$ '$WS/installed' && cp -p /tmp/corral-et-src.$$ '$WS/copied'; rm /tmp/corral-et-src.$$"
	as "$DEV" chmod 600 "$WS/copied"
	run crun -- sh -c 'echo inside >> installed && echo inside >> copied && cat installed copied'
	assert_status 0
	[ "$(grep -c inside "$WS/installed")" -eq 1 ]
	[ "$(grep -c inside "$WS/copied")" -eq 1 ]
}

@test "protected names stay read-only, also for files the developer adds later" {
	as "$DEV" git init -q "$WS"
	as "$DEV" install -m 644 /dev/null "$WS/.git/hooks/later"
	run crun -- sh -c 'echo evil > .git/hooks/pre-commit || echo DENIED1; echo evil >> .git/hooks/later || echo DENIED2; mkdir .codex || echo DENIED3'
	assert_contains DENIED1
	assert_contains DENIED2
	assert_contains DENIED3
	[ ! -e "$WS/.git/hooks/pre-commit" ] && [ ! -s "$WS/.git/hooks/later" ] && [ ! -e "$WS/.codex" ]
}

# --git commits writes the gitdir in place here: after the run corral checks
# the objects the run wrote (supervise/gitverify.h; the attacks in full:
# tests/system/gitinplace.bats, which run.sh runs with --backend users too).
@test "--git commits: a loose object planted under the id of a file the developer commits later is set aside; the developer's commit holds the developer's content" {
	as "$DEV" git init -q "$WS"
	as "$DEV" sh -c "cd '$WS' && echo one > f && git add f && git -c user.name=d -c user.email=d@e commit -qm init"
	run crun --git commits -- bash -c 'H=$(printf "good\n" | git hash-object --stdin); E=$(printf "evil\n" | git hash-object -w --stdin)
		mkdir -p .git/objects/${H:0:2}; cp .git/objects/${E:0:2}/${E:2} .git/objects/${H:0:2}/${H:2}; git cat-file -p $H'
	assert_status 0
	assert_contains evil # (inside, the planted object holds)
	local said=$output
	as "$DEV" sh -c "cd '$WS' && echo good > g && git add g && git -c user.name=d -c user.email=d@e commit -qm good"
	run as "$DEV" git -C "$WS" show HEAD:g
	assert_status 0
	[ "$output" = good ] || { echo "the developer's commit holds: $output" >&2; return 1; }
	run as "$DEV" git -C "$WS" fsck --strict --no-progress
	assert_status 0
	output=$said
	assert_contains "a loose object whose contents hash to"
}

@test "writes outside the workspace fail" {
	run crun -- sh -c 'touch /var/tmp/corral-et-outside || echo DENIED; touch '"$DEV_HOME"'/outside || echo DENIED2'
	assert_contains DENIED
	assert_contains DENIED2
	[ ! -e /var/tmp/corral-et-outside ] && [ ! -e "$DEV_HOME/outside" ]
}

@test "the developer's 0600 files and 0700 directories outside the workspace are unreadable" {
	as "$DEV" sh -c "umask 077; mkdir -p '$DEV_HOME/private' && echo secret > '$DEV_HOME/private/key' && echo secret > '$DEV_HOME/note' && chmod 755 '$DEV_HOME/private' && chmod 600 '$DEV_HOME/private/key' && mkdir -p '$DEV_HOME/closed' && echo s > '$DEV_HOME/closed/f'"
	run crun -- sh -c "cat '$DEV_HOME/note' || echo DENIED1; cat '$DEV_HOME/private/key' || echo DENIED2; ls '$DEV_HOME/closed' || echo DENIED3; ls '$DEV_HOME' || echo DENIED4"
	[[ "$output" != *secret* ]]
	assert_contains DENIED1
	assert_contains DENIED2
	assert_contains DENIED3
	assert_contains DENIED4
}

@test "read-only mode: the workspace is readable, not writable" {
	as "$DEV" sh -c "echo data > '$WS/f'; chmod 600 '$WS/f'"
	run crun --mode read-only -- sh -c 'cat f; echo x >> f || echo DENIED'
	assert_contains data
	assert_contains DENIED
}

@test "exit status is relayed: code, signal, 126, 127; timeout gives 124" {
	run crun -- sh -c 'exit 7'
	assert_status 7
	run crun -- sh -c 'kill -TERM $$'
	assert_status 143
	run crun -- /nonexistent/command
	assert_status 127
	run crun -- /etc/hostname
	assert_status 126
	run crun --timeout 1 -- sleep 30
	assert_status 124
}

@test "a daemonised grandchild is gone after the run" {
	tag=corral-et-$RANDOM$RANDOM
	run crun -- bash -c "setsid bash -c 'exec -a $tag sleep 60' > /dev/null 2>&1 < /dev/null & sleep 0.2"
	assert_status 0
	sleep 0.3
	! pgrep -f "$tag"
}

@test "SIGKILL of corral kills the whole sandbox" {
	tag=corral-et-$RANDOM$RANDOM
	(cd "$WS" && as "$DEV" "$CORRAL" run --backend users -- bash -c "exec -a $tag sleep 60") &
	for i in $(seq 50); do pgrep -f "$tag" > /dev/null && break; sleep 0.1; done
	pgrep -f "$tag" > /dev/null
	pkill -KILL -u "$DEV" -x corral
	for i in $(seq 50); do pgrep -f "$tag" > /dev/null || break; sleep 0.1; done
	! pgrep -f "$tag"
}

# descendants PID: every process below PID (by parent, from the host's view).
descendants() {
	ps -e -o pid=,ppid= | awk -v top="$1" '{ parent[$1] = $2 }
		END { for (p in parent) for (q = parent[p]; q != "" && q > 1; q = parent[q]) if (q == top) { print p; break } }'
}

# alive PID...: the ones still there (not zombies).
alive() {
	local p
	for p in "$@"; do
		[ -e "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2> /dev/null && echo "$p"
	done
	return 0
}

@test "SIGKILL of corral: the runner and the whole tree (a daemon, a process ignoring signals) are gone at once" {
	tag=corral-et-$RANDOM$RANDOM
	(cd "$WS" && exec runuser -u "$DEV" -- env -i HOME="$DEV_HOME" PATH="$SANE_PATH" "$CORRAL" run --backend users -- \
		bash -c "setsid bash -c 'exec -a $tag-d sleep 60' < /dev/null > /dev/null 2>&1 &
			bash -c 'trap \"\" TERM INT HUP; exec -a $tag-i sleep 61' &
			exec -a $tag sleep 62") > /dev/null 2>&1 &
	for _ in $(seq 100); do [ "$(pgrep -f "^$tag" | wc -l)" -eq 3 ] && break; sleep 0.05; done
	[ "$(pgrep -f "^$tag" | wc -l)" -eq 3 ] || { ps -ef >&2; return 1; }
	local client runner tree
	client=$(pgrep -u "$DEV" -x corral)
	[ "$(wc -w <<< "$client")" -eq 1 ]
	runner=$(pgrep -P "$client")
	# the runner's process, now corral-sandbox (the runner execs it after the drop)
	[ "$(cat /proc/$runner/comm)" = corral-sandbox ] || { ps -ef >&2; return 1; }
	tree=$(descendants "$runner")
	[ "$(wc -w <<< "$tree")" -ge 4 ] || { echo "tree: $tree" >&2; ps -ef >&2; return 1; } # init, the three
	kill -KILL "$client"
	for _ in $(seq 40); do [ -z "$(alive $runner $tree)" ] && break; sleep 0.05; done
	[ -z "$(alive $runner $tree)" ] || { echo "still alive 2 s after: $(alive $runner $tree)" >&2; ps -ef >&2; return 1; }
	! pgrep -f "^$tag"
}

@test "SIGKILL of corral while the runner sets up: nothing of the run is left" {
	tag=corral-et-$RANDOM$RANDOM
	local d
	for d in 0 0.005 0.01 0.02 0.03 0.05 0.08; do
		(cd "$WS" && exec runuser -u "$DEV" -- env -i HOME="$DEV_HOME" PATH="$SANE_PATH" "$CORRAL" run --backend users -- \
			bash -c "exec -a $tag sleep 60") > /dev/null 2>&1 &
		local bg=$! client=""
		sleep "$d"
		for _ in $(seq 200); do client=$(pgrep -u "$DEV" -x corral) && break; done
		[ -n "$client" ] || { echo "no corral started" >&2; return 1; }
		kill -KILL $client
		wait $bg || true # (not every job: bats's timeout watcher is one)
	done
	for _ in $(seq 40); do
		[ -z "$(pgrep -x 'corral-(runner|sandbox)')" ] && [ -z "$(pgrep -u corral-offline)" ] && break
		sleep 0.05
	done
	[ -z "$(pgrep -x 'corral-(runner|sandbox)')" ] || { ps -ef >&2; return 1; }
	[ -z "$(pgrep -u corral-offline)" ] || { ps -ef >&2; return 1; }
	! pgrep -f "^$tag"
}

@test "SIGTERM to corral reaches the command first" {
	(cd "$WS" && as "$DEV" "$CORRAL" run --backend users -- sh -c 'trap "echo got-term > termed; exit 3" TERM; while :; do sleep 0.1; done') &
	pid=$!
	sleep 1
	pkill -TERM -u "$DEV" -x corral
	wait $pid || true
	[ "$(cat "$WS/termed")" = got-term ]
}

@test "the environment: secrets dropped, CORRAL_SANDBOX set" {
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' GITHUB_TOKEN=x AWS_SECRET_ACCESS_KEY=y KEEP=z '$CORRAL' run --backend users -- env"
	assert_status 0
	assert_contains "KEEP=z"
	assert_contains "CORRAL_SANDBOX=1"
	[[ "$output" != *GITHUB_TOKEN* && "$output" != *AWS_SECRET* ]]
}

@test "explain names the users backend; --status-fd reports it" {
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' run --backend users --status-fd 3 -- true 3>&1"
	assert_status 0
	assert_contains '"backend":"users"'
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' explain --backend users"
	assert_status 0
	assert_contains users
}

@test "auto picks users for a member of the group" {
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' run --status-fd 3 -- id -un 3>&1"
	assert_status 0
	assert_contains corral-offline
	assert_contains '"backend":"users"'
}

@test "a loopback server inside an offline run works (own network namespace)" {
	run crun -- python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.create_connection(s.getsockname()); print("LOOPBACK-OK")'
	assert_status 0
	assert_contains LOOPBACK-OK
}

@test "the rest of the sandbox user's home is read-only: nothing planted for later runs" {
	run crun -- sh -c 'echo evil >> $HOME/.bashrc || echo DENIED1; mkdir -p $HOME/.config/git || echo DENIED2; echo x > $HOME/.cargo/config.toml || echo DENIED3'
	assert_contains DENIED1
	assert_contains DENIED2
	assert_contains DENIED3
	local h
	for h in /var/lib/corral/offline /var/lib/corral/offline/members/"$(id -u "$DEV")"; do # the member's home
		[ ! -e "$h/.bashrc" ] && [ ! -e "$h/.cargo/config.toml" ]
	done
}

@test "caches persist in the sandbox user's home between runs" {
	run crun -- sh -c 'mkdir -p $HOME/.cache/tool && echo kept > $HOME/.cache/tool/c'
	assert_status 0
	run crun -- cat /var/lib/corral/offline/.cache/tool/c
	assert_status 0
	[ "$output" = kept ]
}

@test "doctor answers the checklist for the users backend with probes through the runner" {
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' doctor --json"
	assert_status 0
	/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
u = d["users"]
assert d["auto_backend"] == "users", d["auto_backend"]
assert u["usable"] and u["offline"]["account"] == "corral-offline", u
assert u["online"]["account"] == "corral-online", u
assert u["offline"]["write_ws"] == "allowed" and u["offline"]["write_outside"] == "denied", u
assert u["offline"]["write_git"] == "denied", u
assert u["offline"]["connect"] == "refused" and u["online"]["connect"] == "connected", u
assert "NoNewPrivs:1" in u["offline"]["child"] and u["grandchild_gone"], u
' "$output"
	run bash -c "cd '$WS' && runuser -u '$DEV' -- env -i HOME='$DEV_HOME' PATH='$SANE_PATH' '$CORRAL' doctor"
	assert_contains "users backend (corral-setup):"
	assert_contains "what admin setup is required?"
}

@test "doctor as a non-member says why users is not used" {
	run bash -c "cd / && runuser -u '$OUTSIDER' -- env -i HOME=/tmp PATH='$SANE_PATH' '$CORRAL' doctor"
	assert_contains "not in the group corral"
}
