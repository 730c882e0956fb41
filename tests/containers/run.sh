#!/bin/bash
# corral in real containers (issue 14): podman with its default runtime, on a
# Debian root filesystem built by debootstrap from the machine's own package
# archive (no image registry is needed: `podman run --rootfs DIR`).
#
#   tests/containers/run.sh BUILD_DIR        (make check-containers)
#
# Each variant starts a container the way users meet them and runs
# tests/containers/inside.sh there as an ordinary user, with the corral of
# BUILD_DIR mounted read-only. Where the runtime lets corral build its
# sandbox, the core attacks must fail (writes outside, protected names,
# secrets, network off, the tree killed on timeout); where it does not, every
# run must be refused with 125 and a message, and doctor's text, naming the
# cause and the fix. With the runtime's defaults (/proc masked) the sandbox
# keeps the container's /proc, and the attacks on the container's processes
# through it must fail as well (inside.sh, proc_attacks).
#
# Needs root, podman and debootstrap (.ci/run installs them); skips, saying
# why, without them. The root filesystem is cached in
# $CORRAL_TEST_CACHE (default /var/cache/corral-test) and rebuilt when the
# package list below changes; containers see it through an overlay (:O), so
# the cache is never written.
#
# Last line: containers: N passed, N failed, N skipped
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-build}" 2> /dev/null && pwd) || {
	echo "run.sh: no build directory ${1:-build}" >&2
	echo "containers: 0 passed, 1 failed, 0 skipped"
	exit 1
}
CACHE=${CORRAL_TEST_CACHE:-/var/cache/corral-test}
PACKAGES=procps,netcat-openbsd
VARIANTS=12

skip_all() {
	echo "# container tests skipped ($VARIANTS variants): $1"
	echo "containers: 0 passed, 0 failed, $VARIANTS skipped"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "they need root (podman rootful, and rootless as another user; debootstrap)"
for t in podman debootstrap; do
	command -v "$t" > /dev/null || skip_all "$t is missing (Debian: apt-get install podman debootstrap; .ci/run does)"
done
[ -x "$BUILD/corral" ] || {
	echo "run.sh: $BUILD/corral is missing; build first (make)" >&2
	echo "containers: 0 passed, 1 failed, 0 skipped"
	exit 1
}

# --- the root filesystem, cached ---------------------------------------------
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$suite" ] || skip_all "cannot tell this system's release (VERSION_CODENAME in /etc/os-release)"
ROOTFS=$CACHE/rootfs-$suite
stamp="debootstrap --variant=minbase --include=$PACKAGES $suite; user tester 1000; /etc/mtab"
# the archive this machine installs from (never an address of our own)
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2> /dev/null | grep -v security | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2> /dev/null)
if [ "$(cat "$ROOTFS/.corral-test-stamp" 2> /dev/null)" != "$stamp" ]; then
	[ -n "$mirror" ] || skip_all "no package archive found in the apt sources for debootstrap"
	echo "# building the root filesystem: $stamp (from $mirror; cached in $ROOTFS)"
	t0=$(date +%s)
	mkdir -p "$CACHE"
	rm -rf "$ROOTFS.tmp"
	if ! debootstrap --variant=minbase --include="$PACKAGES" "$suite" "$ROOTFS.tmp" "$mirror" > "$CACHE/debootstrap.log" 2>&1 ||
		! chroot "$ROOTFS.tmp" useradd -m -u 1000 -s /bin/bash tester ||
		! ln -sf ../proc/self/mounts "$ROOTFS.tmp/etc/mtab"; then # rootless podman cannot create it
		tail -n 20 "$CACHE/debootstrap.log" >&2
		rm -rf "$ROOTFS.tmp"
		echo "containers: 0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	echo "$stamp" > "$ROOTFS.tmp/.corral-test-stamp"
	rm -rf "$ROOTFS"
	mv "$ROOTFS.tmp" "$ROOTFS"
	echo "# root filesystem built in $(($(date +%s) - t0)) s"
fi

# The shared libraries corral links must be in the root filesystem (the
# containers run the build's binary): any that is missing is installed there
# from the archive, by the package that provides it on this machine.
missing=""
for lib in $(ldd "$BUILD/corral" "$BUILD/corral-setup" "$BUILD/corral-runner" "$BUILD/corral-sandbox" | awk '$3 ~ /^\// { print $3 }' | sort -u); do
	[ -e "$ROOTFS$lib" ] || [ -e "$ROOTFS$(readlink -f "$lib")" ] && continue
	pkg=$(dpkg -S "$(readlink -f "$lib")" 2> /dev/null | head -n 1 | cut -d: -f1)
	[ -n "$pkg" ] || pkg=$(dpkg -S "$lib" 2> /dev/null | head -n 1 | cut -d: -f1)
	[ -n "$pkg" ] && missing="$missing $pkg"
done
# setfacl: the namespace-less fallback's workspace must be writable by the
# sandbox user itself (docs/elevated.md), which the users variant grants
[ -x "$ROOTFS/usr/bin/setfacl" ] || missing="$missing acl"
if [ -n "$missing" ]; then
	echo "# installing in the root filesystem what corral links (and setfacl):$missing"
	# shellcheck disable=SC2086 # a list of package names
	if ! chroot "$ROOTFS" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing && apt-get clean" > "$CACHE/apt.log" 2>&1; then
		tail -n 20 "$CACHE/apt.log" >&2
		echo "containers: 0 passed, 1 failed, 0 skipped"
		exit 1
	fi
fi

# --- the variants ---------------------------------------------------------------
WORK=$(mktemp -d /var/tmp/cct.XXXXXX) # short: podman wants a runroot of at most 50 characters
chmod 755 "$WORK"
# podman keeps a lock directory in /run/libpod even with --runroot: removed
# at the end unless it was there before
libpod_before=$([ -e /run/libpod ] && echo yes)
trap 'rm -rf "$WORK"; [ -n "$libpod_before" ] || rm -rf /run/libpod' EXIT
mkdir "$WORK/bin" # what the containers see at /corral: nothing else of WORK
cp "$BUILD/corral" "$BUILD/corral-setup" "$BUILD/corral-runner" "$BUILD/corral-sandbox" "$HERE/inside.sh" "$HERE/users.sh" "$WORK/bin/"
chmod 755 "$WORK/bin" "$WORK/bin"/*
# userns blocked, as Docker's default profile does for a container without
# CAP_SYS_ADMIN: unshare/clone with CLONE_NEWUSER fail with EPERM, clone3
# (whose flags seccomp cannot read) with ENOSYS so that callers fall back.
cat > "$WORK/no-userns.json" << 'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [
  {"names": ["unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
   "args": [{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}]},
  {"names": ["clone"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
   "args": [{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}]},
  {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}
 ]}
JSON

# runc: crun refuses a cgroup v1/v2 hybrid ("cgroups in hybrid mode not
# supported") as this development VM is; cgroupfs and a file for events: no
# systemd or journald needed. The runtime's default rlimits exceed what this
# machine allows (OCI permission denied): the container gets the caller's.
PODMAN_GLOBAL=(--cgroup-manager=cgroupfs --events-backend=file --runtime "${CORRAL_TEST_OCI_RUNTIME:-runc}")
ULIMITS=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
passed=0 failed=0 skipped=0
failures=""
podman_run() { # podman_run AS_USER -- PODMAN-RUN-OPTIONS... -- COMMAND...
	local as=$1 opts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1") && shift; done
	shift
	# --rootfs is a flag: the first argument after the options is the rootfs
	local store=$WORK/$as
	[ -d "$store" ] || { mkdir -p "$store" && chown "$as" "$store"; }
	# HOME: a directory of the host, owned by the container's uid 1000 (a
	# subordinate uid for rootless), as dev containers mount one; it also
	# works with a read-only root
	local home=$WORK/home-$as-$RANDOM owner=1000
	if [ "$as" != root ]; then
		owner=$(($(awk -F: -v u="$as" '$1 == u { print $2; exit }' /etc/subuid) + 999))
	fi
	mkdir -p "$home" && chown "$owner:$owner" "$home"
	# storage and run state in WORK, thrown away: nothing of podman is left
	local cmd=(podman "${PODMAN_GLOBAL[@]}" --root "$store/root" --runroot "$store/run" run --rm --network "${NETWORK:-host}" "${ULIMITS[@]}" --rootfs
		-v "$WORK/bin:/corral:ro" -v "$home:/home/tester" --user 1000:1000 -e HOME=/home/tester "${opts[@]}" "$ROOTFS:O" "$@")
	if [ "$as" = root ]; then
		"${cmd[@]}"
	else
		(cd / && runuser -u "$as" -- env XDG_RUNTIME_DIR="$RUNTIME_DIR" "${cmd[@]}")
	fi
}
variant() { # variant NAME MODE EXPECT AS_USER -- PODMAN-OPTIONS...
	local name=$1 mode=$2 expect=$3 as=$4 out st t0
	shift 5
	t0=$(date +%s%N)
	out=$(podman_run "$as" -- -e VARIANT="$name" -e EXPECT="$expect" "$@" -- /bin/bash "/corral/${SCRIPT:-inside.sh}" "$mode" 2>&1)
	st=$?
	printf '%s\n' "$out" | grep -E '^(ok|not ok|#)' | sed 's/^/  /'
	local p f
	p=$(grep -c '^ok ' <<<"$out")
	f=$(grep -c '^not ok ' <<<"$out")
	if ! grep -q '^1\.\.' <<<"$out"; then # the container never ran inside.sh to its end
		f=$((f + 1))
		failures+="$name: the container did not run to its end (status $st): $(tail -n 5 <<<"$out" | tr '\n' ' ')"$'\n'
		printf '  not ok - %s: the container did not run to its end (status %s)\n%s\n' "$name" "$st" "$(tail -n 5 <<<"$out" | sed 's/^/  #   /')"
	fi
	[ "$f" -gt 0 ] && failures+="$(grep -A3 '^not ok ' <<<"$out")"$'\n'
	passed=$((passed + p)) failed=$((failed + f))
	echo "# $name: $p passed, $f failed ($((($(date +%s%N) - t0) / 1000000)) ms)"
}

t_all=$(date +%s)
echo "# podman $(podman --version | awk '{print $3}'), runtime ${PODMAN_GLOBAL[-1]}, rootfs $suite"
# runtime defaults: /proc is masked, the sandbox keeps the container's
variant "rootful, runtime defaults" holds "" root -- -e PROC=container
variant "rootful, defaults, seccomp=unconfined" holds "" root -- --security-opt seccomp=unconfined -e PROC=container
variant "rootful, unmask=/proc/*" holds "" root -- --security-opt 'unmask=/proc/*'
variant "rootful, unmask, --cap-drop ALL" holds "" root -- --security-opt 'unmask=/proc/*' --cap-drop ALL
variant "rootful, unmask, read-only root" holds "" root -- --security-opt 'unmask=/proc/*' --read-only
variant "rootful, unmask, no /dev/shm (--ipc none)" holds "" root -- --security-opt 'unmask=/proc/*' --ipc none
variant "rootful, unmask, user namespaces blocked (seccomp)" refuses \
	"cannot create the sandbox's namespaces: Operation not permitted \(unprivileged user namespaces are blocked here" \
	root -- --security-opt 'unmask=/proc/*' --security-opt "seccomp=$WORK/no-userns.json" \
	-e EXPECT_DOCTOR="do NOT work for uid 1000: Operation not permitted; the container this runs in blocks them.*podman's default does.*corral setup"
# The users backend, installed by corral-setup as the container's root for
# its user tester (users.sh). Its own network namespace (--network none), so
# that setup's nftables table (CAP_NET_ADMIN) is the container's, not this
# machine's. With the runtime's default capabilities the runner has no
# cap_sys_admin and user namespaces work: nothing can be idmapped, refused
# naming the fix; with --cap-add SYS_ADMIN it holds.
NETWORK=none SCRIPT=users.sh variant "rootful, users backend, defaults (+NET_ADMIN for setup)" refuses \
	"corral-runner lacks cap_sys_admin.*this container's bounding set has none.*--cap-add SYS_ADMIN.*--backend userns" \
	root -- --user 0:0 --cap-add NET_ADMIN
NETWORK=none SCRIPT=users.sh variant "rootful, users backend, --cap-add SYS_ADMIN" holds "" root -- --user 0:0 \
	--cap-add NET_ADMIN,SYS_ADMIN -e PROC=container
NETWORK=none SCRIPT=users.sh variant "rootful, users backend, user namespaces blocked (seccomp, as Docker's default)" holds "" \
	root -- --user 0:0 --cap-add NET_ADMIN --security-opt "seccomp=$WORK/no-userns.json" -e PROC=none
rootless_user=corral-test
if id "$rootless_user" > /dev/null 2>&1 && grep -q "^$rootless_user:" /etc/subuid 2> /dev/null; then
	RUNTIME_DIR=$(mktemp -d /tmp/corral-containers-run.XXXXXX) && chown "$rootless_user" "$RUNTIME_DIR" && chmod 700 "$RUNTIME_DIR"
	# the rootfs's files belong to ids this user cannot map: /run on a tmpfs,
# and no /etc/hosts or resolv.conf bound over the rootfs's
	variant "rootless ($rootless_user), runtime defaults" holds "" "$rootless_user" -- -e PROC=container \
		--tmpfs /run --no-hosts --dns none
	variant "rootless ($rootless_user), unmask=/proc/*" holds "" "$rootless_user" -- --security-opt 'unmask=/proc/*' \
		--tmpfs /run --no-hosts --dns none
	rm -rf "$RUNTIME_DIR"
else
	echo "# rootless: skipped (2 variants): no user $rootless_user with a range in /etc/subuid"
	skipped=$((skipped + 2))
fi

# AppArmor 4 (Ubuntu 24.04 ships 4.0; this archive's own release has 3.0):
# Debian trixie's apparmor_parser, in a chroot of its own (cached), compiles
# exactly the profile corral-setup writes, and rejects a broken one.
aa_suite=${CORRAL_TEST_APPARMOR_SUITE:-trixie}
AAROOT=$CACHE/rootfs-$aa_suite-apparmor
aa_stamp="debootstrap --variant=minbase --include=apparmor $aa_suite"
if [ "$(cat "$AAROOT/.corral-test-stamp" 2> /dev/null)" != "$aa_stamp" ]; then
	echo "# building $AAROOT ($aa_stamp)"
	rm -rf "$AAROOT.tmp"
	if debootstrap --variant=minbase --include=apparmor "$aa_suite" "$AAROOT.tmp" "$mirror" > "$CACHE/debootstrap-$aa_suite.log" 2>&1; then
		chroot "$AAROOT.tmp" apt-get clean
		echo "$aa_stamp" > "$AAROOT.tmp/.corral-test-stamp"
		rm -rf "$AAROOT" && mv "$AAROOT.tmp" "$AAROOT"
	else
		tail -n 5 "$CACHE/debootstrap-$aa_suite.log" | sed 's/^/#   /'
		rm -rf "$AAROOT.tmp"
	fi
fi
if [ -x "$AAROOT/usr/sbin/apparmor_parser" ] || [ -x "$AAROOT/sbin/apparmor_parser" ]; then
	aa_ver=$(chroot "$AAROOT" apparmor_parser --version 2>&1 | head -n 1)
	"$BUILD/tests/helpers/setup_texts" apparmor "/opt/my tools/bin/corral" /usr/local/libexec/corral/corral-runner \
		> "$AAROOT/tmp/corral.profile"
	sed 's/flags=(unconfined)/flags=(bogus)/' "$AAROOT/tmp/corral.profile" > "$AAROOT/tmp/bad.profile"
	if out=$(chroot "$AAROOT" apparmor_parser -Q -K -T /tmp/corral.profile 2>&1); then
		echo "  ok - $aa_ver ($aa_suite) compiles the profile corral-setup writes"
		passed=$((passed + 1))
	else
		echo "  not ok - $aa_ver ($aa_suite) compiles the profile corral-setup writes"
		failures+="apparmor ($aa_ver): $out"$'\n'
		failed=$((failed + 1))
	fi
	if chroot "$AAROOT" apparmor_parser -Q -K -T /tmp/bad.profile > /dev/null 2>&1; then
		echo "  not ok - control: $aa_ver rejects a broken profile"
		failures+="apparmor ($aa_ver) accepted flags=(bogus)"$'\n'
		failed=$((failed + 1))
	else
		echo "  ok - control: $aa_ver rejects a broken profile"
		passed=$((passed + 1))
	fi
	rm -f "$AAROOT/tmp/corral.profile" "$AAROOT/tmp/bad.profile"
else
	echo "# AppArmor 4: skipped (2 checks): no $aa_suite root filesystem with apparmor_parser (see $CACHE/debootstrap-$aa_suite.log)"
	skipped=$((skipped + 2))
fi
echo "# the container suite took $(($(date +%s) - t_all)) s"
if [ "$failed" -gt 0 ]; then
	echo
	echo "=== container test failures ==="
	printf '%s' "$failures" | sed '/^$/d'
fi
echo "containers: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
