#!/usr/bin/env bats
# Filesystem policy: what a sandboxed command can read and write.

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() { common_teardown; }

@test "read: files under /usr can be read and match the host's" {
	local want
	want=$(sha256sum /usr/bin/env)
	run sb 'must_work "ls /usr/bin > /dev/null"
		must_work "cat /usr/include/stdio.h > /dev/null || cat /etc/os-release > /dev/null"
		sha256sum /usr/bin/env'
	assert_sb_clean
	assert_output_has "$want"
}

@test "read: paths are the same inside, the command starts in the workspace as the caller's uid" {
	run sb 'echo "pwd=$(pwd -P)"; echo "uid=$(id -u) gid=$(id -g)"; must_work "test -f $WS/README.md"'
	assert_sb_clean
	assert_output_has "pwd=$(pwd -P)"
	# The caller's uid with userns; corral-offline's with users (the point of
	# that backend: the command runs as another user).
	local uid gid
	read -r uid gid _ < <(sandbox_account)
	assert_output_has "uid=$uid gid=$gid"
}

@test "workspace: create, append, rename, delete and deep mkdir all work" {
	run sb 'must_work "echo one > new.txt"
		must_work "echo two >> new.txt"
		must_work "echo more >> README.md"
		must_work "mv new.txt renamed.txt"
		must_work "mkdir -p a/b/c/d/e/f && echo deep > a/b/c/d/e/f/file"
		must_work "touch gone && rm gone"
		must_work "mkdir tmpdir && rmdir tmpdir"
		must_work "ln -s renamed.txt link && ln renamed.txt hard"
		must_work "chmod 600 renamed.txt"
		must_work "mkfifo fifo && rm fifo"'
	assert_sb_clean
	[ "$(cat "$WS/renamed.txt")" = "$(printf 'one\ntwo')" ]
	[ "$(cat "$WS/a/b/c/d/e/f/file")" = deep ]
	[ "$(tail -n1 "$WS/README.md")" = more ]
	[ ! -e "$WS/new.txt" ] && [ ! -e "$WS/gone" ] && [ ! -e "$WS/tmpdir" ]
	[ "$(readlink "$WS/link")" = renamed.txt ]
	[ "$(stat -c %a "$WS/renamed.txt")" = 600 ]
}

@test "workspace: -W selects the workspace and -C the starting directory" {
	mkdir -p "$WS/sub/dir"
	cd "$T"
	run corral run -W "$WS" -C "$WS/sub/dir" -- sh -c 'pwd -P; touch "$0/made-by-W"' "$WS"
	assert_success
	assert_output_has "$WS/sub/dir"
	[ -f "$WS/made-by-W" ]
}

@test "outside: writes outside the workspace fail and leave nothing behind" {
	snap_outside before
	run sb 'must_fail "echo evil >> $HOME/.bashrc"
		must_fail "echo evil > $HOME/.profile"
		must_fail "touch $HOME/new-file"
		must_fail "mkdir $HOME/newdir"
		must_fail "rm -f $HOME/.bashrc"
		must_fail "mv $HOME/.bashrc $HOME/.bashrc.old"
		must_fail "chmod 777 $HOME/.bashrc"
		must_fail "touch -d 2001-01-01 $HOME/.bashrc"
		must_fail "echo evil >> $HOME/.ssh/authorized_keys"
		must_fail "mkdir -p $HOME/.config/corral && echo mode = \"full-access\" > $HOME/.config/corral/config.toml"
		must_fail "echo evil > $OUT/data.txt"
		must_fail "touch $OUT/new"
		must_fail "touch $WS/../escape"
		must_fail "touch $HOME/src/escape"
		must_fail "touch /var/tmp/$TOKEN"
		must_fail "touch /usr/$TOKEN"
		must_fail "touch /etc/$TOKEN"'
	assert_sb_clean
	assert_outside_unchanged before
	[ ! -e "$HOME/src/escape" ]
	assert_host_tmp_clean
}

@test "outside: /dev/shm and /tmp writes inside never reach the host" {
	run sb 'echo x > /tmp/$TOKEN 2>/dev/null; echo x > /dev/shm/$TOKEN 2>/dev/null; true'
	assert_sb_clean
	assert_host_tmp_clean
}

@test "outside: writing through /proc/self/root, /proc/self/cwd and /proc/1/root fails" {
	snap_outside before
	run sb 'must_fail "echo evil >> /proc/self/root$HOME/.bashrc"
		must_fail "touch /proc/self/root$OUT/new"
		must_fail "touch /proc/self/cwd/../escape"
		must_fail "cd $WS/src && echo evil > /proc/self/cwd/../../escape2"
		must_fail "touch /proc/1/root$OUT/new1"
		must_fail "echo evil > /proc/\$\$/root$HOME/.bashrc"
		must_fail "touch /proc/self/root/var/tmp/$TOKEN"'
	assert_sb_clean
	assert_outside_unchanged before
	[ ! -e "$HOME/src/escape" ] && [ ! -e "$HOME/escape2" ]
	assert_host_tmp_clean
}

@test "escape: a symlink in the workspace to ~/.bashrc cannot be written through" {
	ln -s "$HOME/.bashrc" "$WS/bashrc-link"
	ln -s "$OUT" "$WS/outdir"
	ln -s "$HOME/.ssh" "$WS/sshdir"
	snap_outside before
	run sb 'must_fail "echo evil >> bashrc-link"
		must_fail "echo evil > bashrc-link"
		must_fail "truncate -s 0 bashrc-link"
		must_fail "touch outdir/new"
		must_fail "echo evil > outdir/data.txt"
		must_fail "echo evil >> sshdir/authorized_keys"
		must_fail "cp README.md sshdir/rc"'
	assert_sb_clean
	assert_outside_unchanged before
	[ "$(readlink "$WS/bashrc-link")" = "$HOME/.bashrc" ]
}

@test "escape: a symlink created inside pointing outside cannot be written through" {
	snap_outside before
	run sb 'must_work "ln -s $HOME/.bashrc rc && ln -s $OUT od"
		must_fail "echo evil >> rc"
		must_fail "touch od/new"'
	assert_sb_clean
	assert_outside_unchanged before
}

@test "escape: hardlinking an outside file into the workspace fails" {
	snap_outside before
	run sb 'must_fail "ln $HOME/.bashrc hl && echo evil >> hl"
		must_fail "ln $OUT/data.txt hl2 && echo evil >> hl2"
		must_fail "ln -P $HOME/.bashrc hl3 && echo evil >> hl3"'
	assert_sb_clean
	assert_outside_unchanged before
	[ ! -e "$WS/hl" ] && [ ! -e "$WS/hl2" ] && [ ! -e "$WS/hl3" ]
}

@test "escape: renaming a workspace file out of the workspace fails" {
	snap_outside before
	run sb 'must_fail "mv README.md $HOME/README.md"
		must_fail "mv README.md $OUT/"
		must_fail "mv src $OUT/src"'
	assert_sb_clean
	assert_outside_unchanged before
	[ -f "$WS/README.md" ] && [ -f "$WS/src/main.c" ]
}

@test "writable roots: -w makes another directory writable, its siblings stay read-only" {
	mkdir -p "$T/extra" "$T/extra2"
	snap other "$T/extra2" "$FAKEHOME"
	run sb -w "$T/extra" 'must_work "echo made > $T/extra/file && mkdir -p $T/extra/a/b && mv $T/extra/file $T/extra/a/b/"
		must_fail "touch $T/extra2/file"
		must_fail "touch $T/escape"'
	assert_sb_clean
	[ "$(cat "$T/extra/a/b/file")" = made ]
	assert_same_snap other "$T/extra2" "$FAKEHOME"
	[ ! -e "$T/escape" ]
}

@test "writable roots: the home directory and / are refused as writable roots" {
	run corral run -w "$HOME" -- touch "$HOME/should-not-exist"
	assert_status 125
	[ ! -e "$HOME/should-not-exist" ]
	run corral run -w / -- touch "$OUT/should-not-exist"
	assert_status 125
	[ ! -e "$OUT/should-not-exist" ]
	run corral run -w "$(dirname "$HOME")" -- touch "$OUT/should-not-exist"
	assert_status 125
	[ ! -e "$OUT/should-not-exist" ]
}

# A root that is or holds a directory on PATH (or the config home,
# ~/.local/bin, ~/bin) lets the command plant a program the developer runs
# later, outside the sandbox: `corral run -w ~/.local` and then
# ~/.local/bin/git. Such roots are broad too (src/policy/plant.h): 125,
# unless --allow-broad-root or allow_broad_roots = true in the user config.
# plant_git DIR: writes DIR/git, which records that it ran in $OUT/ran.
PLANT_GIT='mkdir -p "$0" && printf "#!/bin/sh\necho planted-git-ran > %s/ran\n" "$1" > "$0/git" && chmod +x "$0/git" && echo PLANTED'

# the developer's next git, with the PATH the run had
developer_git() { git --version > /dev/null 2>&1 || true; }

@test "control: without corral, a git planted in a PATH directory is what the developer's next git runs" {
	mkdir -p "$HOME/.local/bin"
	export PATH="$HOME/.local/bin:$PATH"
	run sh -c "$PLANT_GIT" "$HOME/.local/bin" "$OUT"
	assert_output_has PLANTED
	developer_git
	[ "$(cat "$OUT/ran")" = planted-git-ran ] || fail "the planted git did not run"
}

@test "writable roots: a root holding a PATH directory is refused (125) and nothing is planted" {
	mkdir -p "$HOME/.local/bin"
	export PATH="$HOME/.local/bin:$PATH"
	run --separate-stderr corral run -w "$HOME/.local" -- sh -c "$PLANT_GIT" "$HOME/.local/bin" "$OUT"
	assert_status 125
	refute_output_has PLANTED
	[[ "$stderr" == *"writable root '$HOME/.local' holds $HOME/.local/bin, a directory on your PATH"* ]] ||
		fail "the diagnostic does not name the root and the PATH entry: $stderr"
	[[ "$stderr" == *"plant a program you run later outside the sandbox"* ]] || fail "no reason: $stderr"
	[[ "$stderr" == *"allow_broad_roots = true"*"--allow-broad-root"* ]] || fail "no way to allow it: $stderr"
	[ ! -e "$HOME/.local/bin/git" ] || fail "the program was planted"
	# the entry itself, through a symbolic link to it, and -w ~/.local/bin
	ln -s "$HOME/.local" "$T/dotlocal"
	local root
	for root in "$HOME/.local/bin" "$T/dotlocal"; do
		run corral run -w "$root" -- sh -c "$PLANT_GIT" "$HOME/.local/bin" "$OUT"
		assert_status 125
		refute_output_has PLANTED
	done
	# a PATH directory outside home, that does not exist yet (-w /usr/local)
	mkdir -p "$T/opt"
	PATH="$T/opt/bin:$PATH" run corral run -w "$T/opt" -- sh -c "$PLANT_GIT" "$T/opt/bin" "$OUT"
	assert_status 125
	refute_output_has PLANTED
	[ ! -e "$T/opt/bin" ] || fail "the PATH directory was made"
	# a PATH entry that reaches the root through a symbolic link
	ln -s "$T/opt" "$T/optlink"
	PATH="$T/optlink/bin:$PATH" run corral run -w "$T/opt" -- sh -c "$PLANT_GIT" "$T/opt/bin" "$OUT"
	assert_status 125
	assert_output_has "through a symbolic link"
	[ ! -e "$T/opt/bin" ] || fail "the PATH directory was made"
	developer_git
	[ ! -e "$OUT/ran" ] || fail "a planted git ran"
}

@test "writable roots: the config home, ~/.local/bin and ~/bin are refused even when not on PATH" {
	mkdir -p "$XDG_CONFIG_HOME" "$HOME/bin" "$HOME/.local"
	run corral run -w "$XDG_CONFIG_HOME" -- sh -c 'mkdir -p "$0/autostart" && printf "[Desktop Entry]\nExec=/bin/true\n" > "$0/autostart/evil.desktop" && echo PLANTED' "$XDG_CONFIG_HOME"
	assert_status 125
	assert_output_has "your config home"
	refute_output_has PLANTED
	[ ! -e "$XDG_CONFIG_HOME/autostart" ] || fail "an autostart entry was planted"
	local root
	for root in "$HOME/bin:$HOME/bin" "$HOME/.local:$HOME/.local/bin"; do
		run corral run -w "${root%%:*}" -- sh -c "$PLANT_GIT" "${root#*:}" "$OUT"
		assert_status 125
		assert_output_has "~/.profile puts on your PATH"
		refute_output_has PLANTED
	done
	[ ! -e "$HOME/bin/git" ] && [ ! -e "$HOME/.local/bin" ] || fail "something was planted"
	# XDG_CONFIG_HOME elsewhere: that directory is the config home
	mkdir -p "$T/cfg"
	XDG_CONFIG_HOME=$T/cfg run corral run -w "$T/cfg" -- touch "$T/cfg/planted"
	assert_status 125
	[ ! -e "$T/cfg/planted" ]
}

# A PATH directory strictly below the workspace (an active virtualenv's
# .venv/bin, direnv's PATH_add bin, node_modules/.bin) is the project's own
# tooling, which pip install / npm install must write: it makes no root
# broad. The command can already change the project's code the developer
# runs; a git planted there runs when the developer next runs git with the
# virtualenv active (an accepted risk, SECURITY.md).
@test "writable roots: a PATH directory inside the workspace (an active virtualenv) is the project's own; the workspace itself on PATH is refused" {
	mkdir -p "$WS/.venv/bin"
	PATH="$WS/.venv/bin:$PATH" run --separate-stderr corral run -- sh -c 'echo "#!/bin/sh" > "$0/tool" && chmod +x "$0/tool" && echo INSTALLED' "$WS/.venv/bin"
	assert_success
	assert_output_has INSTALLED
	[ -x "$WS/.venv/bin/tool" ] || fail "the virtualenv's bin was not written"
	# not there yet (made by python -m venv inside), and named through a link to the workspace
	ln -s "$WS" "$T/wslink"
	PATH="$T/wslink/node_modules/.bin:$WS/bin:$PATH" run corral run -- sh -c 'mkdir -p node_modules/.bin bin && echo MADE'
	assert_success
	assert_output_has MADE
	# the workspace itself is a PATH directory (running from ~/bin, say): refused, nothing planted
	PATH="$WS:$PATH" run --separate-stderr corral run -- sh -c "$PLANT_GIT" "$WS" "$OUT"
	assert_status 125
	refute_output_has PLANTED
	[[ "$stderr" == *"workspace '$WS' is $WS, a directory on your PATH"* ]] || fail "stderr: $stderr"
	[ ! -e "$WS/git" ] || fail "the program was planted"
	# ... also named through the link
	PATH="$T/wslink:$PATH" run corral run -- sh -c "$PLANT_GIT" "$WS" "$OUT"
	assert_status 125
	assert_output_has "through a symbolic link"
	[ ! -e "$WS/git" ] || fail "the program was planted"
	# the virtualenv does not hide a PATH directory beside the workspace
	mkdir -p "$T/opt"
	PATH="$WS/.venv/bin:$T/opt/bin:$PATH" run corral run -w "$T/opt" -- sh -c "$PLANT_GIT" "$T/opt/bin" "$OUT"
	assert_status 125
	refute_output_has PLANTED
	[ ! -e "$T/opt/bin" ] || fail "the PATH directory was made"
	PATH="$T/opt/bin:$PATH" developer_git
	[ ! -e "$OUT/ran" ] || fail "a planted git ran"
	# read-only mode writes nothing
	PATH="$WS:$PATH" run corral run -m read-only -- true
	assert_success
	# a relative entry is not compared (it names no fixed place; docs/config.md)
	PATH=".:$PATH" run corral run -- true
	assert_success
}

@test "writable roots: --allow-broad-root and allow_broad_roots = true allow such a root; a workspace config cannot" {
	mkdir -p "$HOME/.local/bin"
	export PATH="$HOME/.local/bin:$PATH"
	run corral run --allow-broad-root -w "$HOME/.local" -- sh -c 'echo ok > "$0/tool" && echo WROTE' "$HOME/.local/bin"
	assert_success
	assert_output_has WROTE
	[ "$(cat "$HOME/.local/bin/tool")" = ok ]
	printf 'allow_broad_roots = true\n' > "$XDG_CONFIG_HOME/corral/config.toml"
	run corral run -w "$HOME/.local" -- sh -c 'echo ok2 > "$0/tool2"' "$HOME/.local/bin"
	assert_success
	[ "$(cat "$HOME/.local/bin/tool2")" = ok2 ]
	rm "$XDG_CONFIG_HOME/corral/config.toml"
	# an (untrusted) workspace config may not allow it
	printf 'allow_broad_roots = true\n' > "$WS/.corral.toml"
	run --separate-stderr corral run -w "$HOME/.local" -- sh -c "$PLANT_GIT" "$HOME/.local/bin" "$OUT"
	assert_status 125
	[[ "$stderr" == *allow_broad_roots* ]] || fail "the diagnostic does not name the key: $stderr"
	[ ! -e "$HOME/.local/bin/git" ] || fail "the program was planted"
}

@test "read-only mode: the workspace cannot be written, reads and /dev/null work" {
	snap ws "$WS"
	run sb -m read-only 'must_fail "touch new"
		must_fail "echo x >> README.md"
		must_fail "rm README.md"
		must_fail "mkdir d"
		must_fail "mv README.md R"
		must_fail "chmod 777 README.md"
		must_work "cat README.md > /dev/null"
		must_work "echo x > /dev/null"'
	assert_sb_clean
	assert_same_snap ws "$WS"
}

@test "full-access mode: writes outside work (explicit opt-out)" {
	# With users the command is still another uid: full-access lifts the
	# sandbox's mounts, not file permissions, so it writes outside where that
	# user may (a directory open to all), never into the caller's 0755 ones.
	if backend_is users; then
		run corral run -m full-access -- sh -c 'echo x > "$0/denied"' "$OUT"
		[ "$status" -ne 0 ] && [ ! -e "$OUT/denied" ] || fail "another uid wrote into the caller's directory"
		chmod 1777 "$OUT"
	fi
	run corral run -m full-access -- sh -c 'echo ok > "$0/full"' "$OUT"
	assert_success
	[ "$(cat "$OUT/full")" = ok ]
	if backend_is users; then
		run corral run -m full-access -- rm "$OUT/full"
		assert_success
		chmod 755 "$OUT"
	fi
}

@test "tmp: default /tmp is per-workspace, persists, is not the host's, and TMPDIR=/tmp" {
	echo host > "/tmp/$TOKEN-host"
	run sb 'echo "TMPDIR=$TMPDIR"
		must_fail "test -e /tmp/$TOKEN-host"
		must_work "echo inside > /tmp/$TOKEN-inside"'
	assert_sb_clean
	assert_output_has "TMPDIR=/tmp"
	[ ! -e "/tmp/$TOKEN-inside" ] || fail "the command wrote to the host's /tmp"
	# With users it lives in the sandbox user's home (~/.cache/corral/...,
	# 0700: the caller cannot look there); the run below shows it persists.
	backend_is users || [ -n "$(find "$XDG_CACHE_HOME" -name "$TOKEN-inside" 2>/dev/null)" ] ||
		fail "the workspace /tmp is not kept under \$XDG_CACHE_HOME/corral"
	run sb 'must_work "grep -q inside /tmp/$TOKEN-inside"'
	assert_sb_clean
	rm -f "/tmp/$TOKEN-host"
}

@test "tmp: another workspace does not see this workspace's /tmp" {
	run sb 'echo secret > /tmp/$TOKEN-ws1'
	assert_sb_clean
	mkdir -p "$HOME/src/other"
	run sb -W "$HOME/src/other" 'must_fail "test -e /tmp/$TOKEN-ws1"'
	assert_sb_clean
}

@test "tmp: --tmp private is empty and thrown away" {
	run sb --tmp private 'must_work "echo x > /tmp/$TOKEN-p"; echo "n=$(ls -A /tmp | wc -l)"'
	assert_sb_clean
	run sb --tmp private 'must_fail "test -e /tmp/$TOKEN-p"'
	assert_sb_clean
	assert_host_tmp_clean
}

@test "tmp: --tmp host is the host's /tmp" {
	echo host > "/tmp/$TOKEN-host"
	run sb --tmp host 'must_work "grep -q host /tmp/$TOKEN-host"; must_work "echo in > /tmp/$TOKEN-in"'
	assert_sb_clean
	[ "$(cat "/tmp/$TOKEN-in")" = in ]
	# With users the file belongs to corral-offline (sticky /tmp): only it can remove it.
	if backend_is users; then
		run corral run --tmp host -- rm "/tmp/$TOKEN-in"
		assert_success
	fi
	rm -f "/tmp/$TOKEN-host" "/tmp/$TOKEN-in"
}

@test "tmp: a workspace that lives under the host's /tmp is still the workspace" {
	local ws2
	ws2=$(mktemp -d "/tmp/$TOKEN-ws.XXXXXX")
	echo hi > "$ws2/file"
	run sb -W "$ws2" 'must_work "grep -q hi $(pwd)/file"; must_work "echo x > made"'
	assert_sb_clean
	[ -f "$ws2/made" ]
	rm -rf "$ws2"
}

@test "tmp: the cache directory behind /tmp is not writable by its real path (other workspaces' /tmp)" {
	mkdir -p "$HOME/src/other"
	run sb -W "$HOME/src/other" 'echo other > /tmp/$TOKEN-other'
	assert_sb_clean
	local other_tmp
	if backend_is users; then
		# With users corral's state is in the sandbox user's ~/.cache/corral
		# (0700: the caller cannot look): find the other workspace's /tmp from
		# inside, as a command would, and attack it and corral's state there.
		# (~/.cache itself is a writable cache root with users, by design.)
		local cache
		cache=$(sandbox_account | cut -d' ' -f3)/.cache/corral
		run corral run -- sh -c 'for f in "$0"/workspaces/*/tmp/"$1"; do [ -e "$f" ] && dirname "$f"; done; true' \
			"$cache" "$TOKEN-other"
		other_tmp=$output
		# every workspace's state is hidden inside (docs/design.md); found, it
		# must at least not be writable
		[ -z "$other_tmp" ] || [[ "$other_tmp" == "$cache"/workspaces/*/tmp ]] ||
			fail "the other workspace's /tmp is not under $cache: $other_tmp"
		run sb "must_fail 'echo evil > ${other_tmp:-$cache/workspaces/x}/$TOKEN-other'
			must_fail 'touch ${other_tmp:-$cache/workspaces/x}/planted'
			must_fail 'touch $cache/planted'
			must_fail 'touch $cache/workspaces/planted'"
		assert_sb_clean
		run sb -W "$HOME/src/other" "must_work 'grep -qx other /tmp/$TOKEN-other'
			must_fail 'test -e /tmp/planted'"
		assert_sb_clean
		return
	fi
	other_tmp=$(dirname "$(find "$XDG_CACHE_HOME" -name "$TOKEN-other" | head -n1)")
	[ -n "$other_tmp" ] && [ "$other_tmp" != . ] || fail "the other workspace's /tmp is not under \$XDG_CACHE_HOME"
	snap cache "$XDG_CACHE_HOME"
	run sb "must_fail 'echo evil > $other_tmp/$TOKEN-other'
		must_fail 'touch $other_tmp/planted'
		must_fail 'touch $XDG_CACHE_HOME/corral/planted'
		must_work 'touch $XDG_CACHE_HOME/planted'" # the xdg cache's private overlay (caches.bats)
	assert_sb_clean
	[ "$(cat "$other_tmp/$TOKEN-other")" = other ]
	[ ! -e "$other_tmp/planted" ] && [ ! -e "$XDG_CACHE_HOME/planted" ]
}

@test "state: the workspace's state directory is named by SHA-256 of its path, records it, and is refused for another" {
	[ "$CORRAL_BACKEND" != users ] || skip "the users backend keeps its state in the sandbox user's home"
	run corral run -- true
	assert_success
	local ws rec
	ws=$(realpath "$WS")
	rec=$(grep -lx -- "$ws" "$XDG_CACHE_HOME"/corral/workspaces/*/workspace) || fail "no state directory records $ws"
	local want
	want=$(printf '%s' "$ws" | sha256sum | cut -c1-32)
	[ "$(basename "$(dirname "$rec")")" = "$want" ] || fail "the state directory is $(dirname "$rec"), expected .../$want"
	# another workspace whose path gave the same name: refused, its state untouched
	echo "/elsewhere/other-workspace" > "$rec"
	run corral run -- true
	assert_status 125
	assert_output_has "another workspace"
	[ "$(cat "$rec")" = /elsewhere/other-workspace ] || fail "the record was replaced"
}
