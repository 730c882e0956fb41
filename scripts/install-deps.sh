#!/bin/sh
# Installs what building and testing corral needs on Debian/Ubuntu, if it is
# missing. Uses sudo when not run as root. Safe to run again.
set -eu
need=""
have() { command -v "$1" >/dev/null 2>&1; }
pkg_ok() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# at, tmux: tests/system/outside.bats asks their daemons to start a process from inside;
# sudo, uidmap (newuidmap): it runs these setuid programs by name inside (skipped if missing)
# python3-venv, python3-wheel, cargo, golang-go, maven: tests/system/caches.bats runs the real
# package managers offline against local sources (each test skips, saying so, when its tool is missing)
# apparmor (apparmor_parser), systemd (systemd-analyze): tests/system/platform.bats validates
# the AppArmor profile and the unit corral-setup installs
# zlib1g-dev: the import of a --git commits run inflates each loose object to hash it
# mercurial: tests/system/agentconfig.bats checks that a hook written into .hg/hgrc does not run
# ripgrep: make bench runs sandbox-runtime (srt), which needs it; man-db: tests/docs renders the pages
for p in meson ninja-build pkg-config gcc libseccomp-dev libcmocka-dev bats python3 bubblewrap iproute2 \
         git procps util-linux curl netcat-openbsd iputils-ping socat \
         libnftables-dev libcap-dev libacl1-dev libjansson-dev zlib1g-dev nftables acl libcap2-bin passwd strace \
         at tmux sudo uidmap ripgrep python3-venv python3-wheel cargo golang-go maven apparmor systemd man-db mercurial; do
        pkg_ok "$p" || need="$need $p"
done
# node and npm: tests/mcp drives `corral mcp` with the official MCP SDK client
# from the npm registry (any node >= 18 on PATH will do)
have node || need="$need nodejs"
have npm || need="$need npm"
[ -z "$need" ] && exit 0
if ! have apt-get; then
        echo "install-deps: missing:$need (not a Debian/Ubuntu system: install them by hand)" >&2
        exit 1
fi
echo "install-deps: installing:$need"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
