# Common setup for corral's system tests (bats).
#
# Every test gets a fresh tree under $CORRAL_TEST_ROOT, a directory the user
# running the tests owns:
#
#   $T/home              a fake HOME with planted secrets and dotfiles
#   $T/home/src/proj     the workspace ($WS); the tests start in it
#   $T/outside           a directory that belongs to no writable root ($OUT)
#   $T/cache, $T/run     XDG_CACHE_HOME and XDG_RUNTIME_DIR
#
# XDG_CONFIG_HOME is $T/home/.config, so the user config lives in the fake
# home like a real one. $TOKEN is unique to the test and is part of every
# name a test uses in shared places (/tmp, abstract sockets, process names).
#
# Conventions for attacks:
# - C helpers ($HELPERS/NAME) exit 0 when the attack worked, 1 when it was
#   blocked (printing "BLOCKED: ..."), 2 on a usage error; a seccomp filter may
#   also kill them with SIGSYS (status 159). assert_blocked checks exactly that,
#   so a corral that failed to start the command (125/126/127) never counts as
#   "blocked".
# - Shell attacks run through `sb SCRIPT`, which runs bash inside the sandbox
#   with the functions must_fail/must_work and ends with "SB-END";
#   assert_sb_clean checks that the script ran to the end and that no
#   must_fail succeeded ("ESCAPE:") and no must_work failed ("BROKEN:").

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
CORRAL=${CORRAL:-$REPO/build/corral}
HELPERS=${HELPERS:-$REPO/build/tests/helpers}
CORRAL=$(realpath -m "$CORRAL")
HELPERS=$(realpath -m "$HELPERS")
export CORRAL HELPERS

# CORRAL_BACKEND=NAME runs the whole suite with that backend (tests/elevated/
# run.sh runs it with "users"); unset or empty, corral picks its default.
# $CORRAL then names a wrapper that execs the real binary ($CORRAL_REAL) with
# `--backend NAME` right after `run` and `explain`, so that every way a test
# starts corral (the corral function, "$CORRAL" directly, ptyrun, bg) gets it,
# under the same pid (exec: the signal tests still signal corral itself). A
# --backend that a test passes itself comes later on the command line and wins.
# Tests whose expectation legitimately differs per backend ask backend_is.
CORRAL_BACKEND=${CORRAL_BACKEND:-}
CORRAL_REAL=${CORRAL_REAL:-$CORRAL}
export CORRAL_BACKEND CORRAL_REAL
if [ -n "$CORRAL_BACKEND" ]; then
	CORRAL=$BATS_RUN_TMPDIR/corral-backend-$CORRAL_BACKEND
	if [ ! -x "$CORRAL" ]; then
		printf '#!/bin/bash\ncase ${1:-} in\nrun | explain) exec %q "$1" --backend %q "${@:2}" ;;\nesac\nexec %q "$@"\n' \
			"$CORRAL_REAL" "$CORRAL_BACKEND" "$CORRAL_REAL" > "$CORRAL.$$"
		chmod 755 "$CORRAL.$$" && mv -f "$CORRAL.$$" "$CORRAL"
	fi
fi

# backend_is NAME: the suite runs with --backend NAME (only when CORRAL_BACKEND
# says so; the default run is the userns backend).
backend_is() {
	[ "$CORRAL_BACKEND" = "$1" ] || { [ "$1" = userns ] && [ -z "$CORRAL_BACKEND" ]; }
}

# The account a default (offline) command runs as: the caller itself with
# userns; the sandbox user corral-offline with users (docs/elevated.md).
# Prints "UID GID HOME".
sandbox_account() {
	if backend_is users; then
		getent passwd corral-offline | awk -F: '{ print $3, $4, $6 }'
	else
		echo "$(id -u) $(id -g) $HOME"
	fi
}

if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=$(command -v python3 || true); fi

# Default names of the secrets planted in the fake home (the default deny-read list).
SECRET_FILES=(
	.ssh/id_ed25519
	.gnupg/private-keys-v1.d/key.key
	.aws/credentials
	.azure/accessTokens.json
	.config/gcloud/credentials.db
	.kube/config
	.docker/config.json
	.netrc
	.git-credentials
	.config/gh/hosts.yml
	.pypirc
	.codex/auth.json
	.claude/.credentials.json
	.gemini/oauth_creds.json
	.config/github-copilot/apps.json
	.local/share/opencode/auth.json
	.pgpass
	.my.cnf
	.gem/credentials
	.terraform.d/credentials.tfrc.json
	.vault-token
	.cache/huggingface/token
	.config/rclone/rclone.conf
	.s3cfg
	.boto
	.mozilla/firefox/p.default/cookies.sqlite
	.config/google-chrome/Default/Cookies
	.config/chromium/Default/Cookies
	.local/share/keyrings/login.keyring
	.password-store/bank.gpg
)
# Default secrets that common_setup does not plant, because their directory
# changes what other tests see (~/.cargo makes cargo's cache an overlay):
# secrets.bats plants them itself.
SECRET_FILES_UNPLANTED=(
	.cargo/credentials.toml
	.cargo/credentials
)

common_setup() {
	[ -x "$CORRAL" ] || { echo "corral binary not found: $CORRAL" >&2; return 1; }
	local base=${CORRAL_TEST_ROOT:-}
	if [ -z "$base" ]; then
		base=${XDG_CACHE_HOME:-$HOME/.cache}/corral-systest
	fi
	mkdir -p "$base"
	TEST_BASE=$base # kept between tests (tools a test fetched once)
	T=$(mktemp -d "$base/t.XXXXXX")
	chmod 755 "$T"
	TOKEN=corral-systest-${T##*.}-$$
	FAKEHOME=$T/home
	WS=$FAKEHOME/src/proj
	OUT=$T/outside
	mkdir -p "$WS/src" "$OUT" "$T/cache" "$T/run" "$FAKEHOME/.config/corral"
	chmod 700 "$T/run"
	printf '# the user'"'"'s bashrc\nexport EDITOR=vi\n' > "$FAKEHOME/.bashrc"
	printf 'hello\n' > "$WS/README.md"
	printf 'int main(void) { return 0; }\n' > "$WS/src/main.c"
	printf 'outside data\n' > "$OUT/data.txt"
	local f dirs=()
	for f in "${SECRET_FILES[@]}"; do [[ "$f" == */* ]] && dirs+=("$FAKEHOME/${f%/*}"); done
	mkdir -p "${dirs[@]}"
	for f in "${SECRET_FILES[@]}"; do
		printf 'CORRAL-SECRET-%s\n' "${f##*/}" > "$FAKEHOME/$f"
	done
	chmod 600 "${SECRET_FILES[@]/#/$FAKEHOME/}"
	printf 'ssh-ed25519 AAAA user@host\n' > "$FAKEHOME/.ssh/authorized_keys"
	chmod 700 "$FAKEHOME/.ssh" "$FAKEHOME/.gnupg"

	export HOME=$FAKEHOME
	export XDG_CONFIG_HOME=$FAKEHOME/.config
	export XDG_CACHE_HOME=$T/cache
	export XDG_RUNTIME_DIR=$T/run
	export T WS OUT TOKEN
	unset SSH_AUTH_SOCK DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY TMUX GPG_AGENT_INFO
	cd "$WS" || return 1
	: > "$T/bg.pids"
}

common_teardown() {
	[ -n "${T:-}" ] && [ -d "$T" ] || return 0
	local pid
	while read -r pid; do
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	done < "$T/bg.pids"
	kill_strays
	rm -rf /tmp/*"$TOKEN"* /var/tmp/*"$TOKEN"* /dev/shm/*"$TOKEN"* 2>/dev/null
	if [ "$(id -u)" -eq 0 ]; then
		# A broken sandbox run by root could have left these on the host.
		rm -f /etc/*"$TOKEN"* /usr/*"$TOKEN"* /root/*"$TOKEN"* /run/*"$TOKEN"* 2>/dev/null
		local m
		for m in $(awk -v t="$T" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r); do
			umount -l "$m" 2>/dev/null
		done
	fi
	chmod -R u+rwX "$T" 2>/dev/null
	rm -rf "$T"
}

# Processes whose command line mentions this test's tree: whatever a test
# started (inside or outside a sandbox) and that should be gone by now.
stray_pids() {
	local f pid
	for f in $(grep -laF -- "$T" /proc/[0-9]*/cmdline 2>/dev/null); do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		# (grep matched its own command line too; it is gone by now)
		[ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] && [ -e "/proc/$pid" ] && echo "$pid"
	done
	return 0
}

kill_strays() {
	local pid
	for pid in $(stray_pids); do kill -9 "$pid" 2>/dev/null; done
}

# Run corral with a watchdog, so that a hung corral fails the test instead of
# hanging the suite. A watchdog kill shows up as status 137 and a message.
corral() {
	timeout --foreground -s KILL 60 "$CORRAL" "$@"
	local st=$?
	[ "$st" -eq 137 ] && echo "corral-test: watchdog: corral did not finish within 60s" >&2
	return "$st"
}

SB_PRELUDE='
must_fail() {
	local err
	if err=$( (eval "$1") 2>&1 </dev/null ); then echo "ESCAPE: $1${err:+ ($err)}"; else echo "blocked: $1${err:+ ($err)}"; fi
}
must_work() {
	local err
	if err=$( (eval "$1") 2>&1 </dev/null ); then echo "worked: $1"; else echo "BROKEN: $1 ($err)"; fi
}
'

# sb [corral run options...] SCRIPT: run SCRIPT with bash inside the sandbox.
# The script sees WS, OUT, T, TOKEN, H (= $HELPERS) and the must_* functions,
# and HOME is the caller's (the fake home with the planted secrets): the
# attacks on "$HOME/..." aim at the developer's files with every backend. With
# userns that is HOME inside anyway; with users, HOME inside is the sandbox
# user's own (/var/lib/corral/offline), which has none of the planted files,
# so without this the attacks would pass without attacking anything.
sb() {
	local script=${!#}
	local opts=("${@:1:$#-1}")
	corral run "${opts[@]}" -- env WS="$WS" OUT="$OUT" T="$T" TOKEN="$TOKEN" H="$HELPERS" HOME="$HOME" \
		bash -c "$SB_PRELUDE
$script
echo SB-END"
}

# --- assertions ------------------------------------------------------------

fail() {
	printf '%s\n' "$@" >&2
	return 1
}

show_output() {
	printf 'status: %s\noutput:\n%s\n' "$status" "$output" >&2
}

assert_status() {
	[ "$status" -eq "$1" ] || { show_output; fail "expected status $1, got $status"; }
}

assert_success() { assert_status 0; }

assert_output_has() {
	[[ "$output" == *"$1"* ]] || { show_output; fail "expected the output to contain: $1"; }
}

refute_output_has() {
	[[ "$output" != *"$1"* ]] || { show_output; fail "the output must not contain: $1"; }
}

# After `run sb ...`: the script ran to its end, nothing escaped, nothing broke.
assert_sb_clean() {
	if [ "$status" -ne 0 ] || [[ "$output" != *SB-END* ]]; then
		show_output
		fail "the sandboxed script did not run to its end (status $status)"
		return 1
	fi
	if [[ "$output" == *"ESCAPE: "* ]] || [[ "$output" == *"BROKEN: "* ]]; then
		show_output
		fail "some must_fail worked (ESCAPE) or some must_work failed (BROKEN): see above"
		return 1
	fi
}

# After `run corral run -- $HELPERS/x ...`: the attack was blocked.
assert_blocked() {
	if [ "$status" -eq 159 ]; then
		return 0 # killed by SIGSYS: the seccomp filter refused the call
	fi
	if [ "$status" -eq 1 ] && [[ "$output" == *"BLOCKED: "* ]]; then
		return 0
	fi
	show_output
	fail "the attack was not blocked (status $status; 0 = it worked, 125-127 = the command never ran)"
}

# After `run corral run -- $HELPERS/x ...`: the helper worked.
assert_worked() {
	[ "$status" -eq 0 ] && [[ "$output" == *"SUCCEEDED: "* ]] || {
		show_output
		fail "expected the operation to work inside the sandbox"
	}
}

# --- the outside world -----------------------------------------------------

# snap NAME ROOT...: record paths, types, modes, owners, sizes, mtimes,
# ctimes, inodes, link targets and contents under the ROOTs (the workspace
# itself excluded, unless it is one of the ROOTs).
snap() {
	local name=$1
	shift
	{
		find "$@" \( -path "$WS" -a ! -path "$1" \) -prune -o \
			-printf '%p %y %m %U %G %s %T@ %C@ %i %l\n' 2>&1
		find "$@" \( -path "$WS" -a ! -path "$1" \) -prune -o -type f -print0 2>/dev/null |
			xargs -0 -r md5sum 2>&1
	} | sort > "$T/snap.$name"
}

# snap_outside NAME: everything outside the workspace that a test tree has.
snap_outside() {
	snap "$1" "$FAKEHOME" "$OUT"
}

# assert_same_snap NAME ROOT...: take a new snapshot and compare.
assert_same_snap() {
	local name=$1
	shift
	snap "$name.after" "$@"
	diff -u "$T/snap.$name" "$T/snap.$name.after" >&2 || fail "the state under $* changed (see diff above)"
}

assert_outside_unchanged() {
	assert_same_snap "$1" "$FAKEHOME" "$OUT"
}

# No file with this test's token appeared in the host's shared directories.
assert_host_tmp_clean() {
	local hits
	hits=$(ls -d /tmp/*"$TOKEN"* /var/tmp/*"$TOKEN"* /dev/shm/*"$TOKEN"* 2>/dev/null || true)
	[ -z "$hits" ] || fail "created on the host: $hits"
}

# The workspace lists exactly the given names (ls -A, sorted).
assert_ws_lists() {
	local want have
	want=$(printf '%s\n' "$@" | sort)
	have=$(ls -A "$WS" | sort)
	[ "$want" = "$have" ] || fail "workspace lists:" "$have" "expected:" "$want"
}

# --- background processes and servers ---------------------------------------

# bg CMD...: start CMD in the background (fd 3, bats' own, closed) and
# remember it for teardown. Sets BG_PID.
bg() {
	"$@" 3>&- &
	BG_PID=$!
	echo "$BG_PID" >> "$T/bg.pids"
}

# wait_for_file PATH [TENTHS]: wait until PATH exists.
wait_for_file() {
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	fail "timed out waiting for $1"
}

# wait_for_content PATH [TENTHS]: wait until PATH exists and is not empty.
wait_for_content() {
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	fail "timed out waiting for something in $1"
}

# start_server KIND ADDR: run $HELPERS/serve on the host. Sets SERVER_LOG and
# SERVER_PORT (tcp, udp).
start_server() {
	SERVER_LOG=$(mktemp "$T/serve.XXXXXX")
	bg "$HELPERS/serve" "$@" > "$SERVER_LOG" 2>&1
	wait_for_content "$SERVER_LOG" 50 || return 1
	SERVER_PORT=$(head -n1 "$SERVER_LOG")
	[ "$SERVER_PORT" != "READY" ] || SERVER_PORT=
	case $(head -n1 "$SERVER_LOG") in
	READY | [0-9]*) ;;
	*) fail "server did not start: $(cat "$SERVER_LOG")" ;;
	esac
}

# Clients served so far by the server writing LOG.
served() {
	grep -cE '^(CONNECTED|DATAGRAM)$' "${1:-$SERVER_LOG}" || true
}

# A global (non-loopback) address of this machine, or nothing.
host_global_ip() {
	local fam=${1:-4}
	ip -o "-$fam" addr show scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }'
}

require_tool() {
	command -v "$1" > /dev/null || skip "$1 is not installed"
}

require_python() {
	[ -n "$PYTHON" ] || skip "python3 is not installed"
}

# A loop that rewrites FILE every 0.1s: a marker that a process is alive.
# Use as:  beat_loop FILE  inside a sandboxed script (paths are the same).
beat_script() {
	# Written to a temporary file and renamed: a kill between the shell's
	# truncation and date's write must not leave an empty marker, which
	# would read as "never ran".
	printf 'while :; do date +%%s%%N > %q.new && mv -f %q.new %q; sleep 0.1; done' "$1" "$1" "$1"
}

# assert_beat_stopped FILE: FILE existed (the process ran) and stops changing.
assert_beat_stopped() {
	[ -s "$1" ] || fail "the marker $1 was never written: the process never ran"
	sleep 0.5
	local a b
	a=$(cat "$1")
	sleep 0.6
	b=$(cat "$1")
	[ "$a" = "$b" ] || fail "$1 still changes: a process of the sandbox is still alive"
}

assert_no_strays() {
	local p
	p=$(stray_pids)
	[ -z "$p" ] || fail "still running after the sandbox ended:" "$(for x in $p; do { tr '\0' ' ' < "/proc/$x/cmdline"; } 2>/dev/null; echo; done)"
}

# assert_outside_untouchable VICTIM: from inside, the outside process VICTIM
# (a sleep) is not visible in /proc and cannot be signalled by kill(2) or a
# pidfd; even kill -9 -1 leaves it alive.
assert_outside_untouchable() {
	local victim=$1
	run sb "if [ -e /proc/$victim ] && grep -q '^sleep' /proc/$victim/comm 2>/dev/null; then
			echo 'ESCAPE: the outside sleep $victim is visible in /proc'
		else
			must_fail 'kill -TERM $victim'
			must_fail '\$H/sendsig kill $victim 15 | grep -q SUCCEEDED'
			must_fail '\$H/sendsig pidfd $victim 15 | grep -q SUCCEEDED'
			kill -9 -1 2>/dev/null
		fi"
	sleep 0.2
	kill -0 "$victim" 2>/dev/null || fail "the outside process $victim was killed"
	# The command may have killed itself with kill -9 -1; it must not have reached outside.
	[[ "$output" != *"ESCAPE: "* ]] || { show_output; fail "outside process visible"; }
	[ "$status" -eq 0 ] || [ "$status" -eq 137 ] || { show_output; fail "unexpected status $status"; }
}
