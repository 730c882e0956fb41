#!/usr/bin/env bats
# Package-manager caches (issue 15, docs/config.md "[caches]"): real package
# managers, offline, against sources each test makes, with the developer's
# cache warm and cold; and the poisoning attack: a command rewrites a cached
# package, after which the developer's own cache is byte-for-byte as before
# and the developer's own install outside the sandbox gets the genuine
# content. The developer here is the fake home ($HOME = $T/home).

load helpers

setup() {
	common_setup
	unset npm_config_cache CARGO_HOME RUSTUP_HOME GOPATH GOMODCACHE GOCACHE GOFLAGS GOPROXY PIP_CACHE_DIR \
		GRADLE_USER_HOME MAVEN_OPTS CCACHE_DIR UV_CACHE_DIR POETRY_CACHE_DIR YARN_CACHE_FOLDER
	export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
	# The Debian toolchains (tests/system/run.sh gives a sane PATH; a developer's
	# rustup cargo in the real home does not work with the fake one).
	export PATH=/usr/bin:/bin:$PATH
}
teardown() { common_teardown; }

# tree_sig DIR: one line that changes when anything in DIR changes: every
# entry's path, type, mode, owner, size, mtime, ctime, link target and content.
tree_sig() {
	"$PYTHON" - "$1" << 'EOF'
import hashlib, os, stat, sys
root = sys.argv[1]
h = hashlib.sha256()
if not os.path.lexists(root):
    print("absent"); sys.exit(0)
for dirpath, dirs, files in os.walk(root):
    dirs.sort()
    for name in [""] + sorted(files + [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]):
        p = os.path.join(dirpath, name) if name else dirpath
        st = os.lstat(p)
        h.update(("%s %o %d %d %d %d %d\n" % (os.path.relpath(p, root), st.st_mode, st.st_uid, st.st_size,
                  st.st_mtime_ns, st.st_ctime_ns, st.st_nlink)).encode())
        if stat.S_ISLNK(st.st_mode):
            h.update(os.readlink(p).encode())
        elif stat.S_ISREG(st.st_mode):
            with open(p, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
print(h.hexdigest())
EOF
}

require_tool() {
	command -v "$1" > /dev/null || skip "$1 is not installed (scripts/install-deps.sh installs it on Debian)"
}

# how NAME: how explain says the cache NAME is shown ("overlay", "variable", ...).
how() {
	corral explain --json "${@:2}" | "$PYTHON" -c '
import json, sys
for c in json.load(sys.stdin)["plan"]["caches"]:
    if c["name"] == sys.argv[1]: print(c["how"])' "$1"
}

# private_dir NAME: the directory of the cache NAME's private layers.
private_dir() {
	corral explain --json | "$PYTHON" -c '
import json, sys
for c in json.load(sys.stdin)["plan"]["caches"]:
    if c["name"] == sys.argv[1]: print(c["private"])' "$1"
}

require_overlay() {
	[ "$(how xdg)" = overlay ] || skip "the caches are not overlaid here: $(corral explain | grep -A2 '^caches' | tail -1)"
}

# --- npm ---------------------------------------------------------------------

# Two packages packed into tarballs in $OUT/tarballs, one as a directory in the
# workspace; $WS/package.json depends on all three.
npm_sources() {
	local p
	for p in alpha gamma; do
		mkdir -p "$OUT/src/$p"
		printf '{"name":"corral-%s","version":"1.0.0","main":"index.js"}\n' "$p" > "$OUT/src/$p/package.json"
		printf 'module.exports = "%s-genuine";\n' "$p" > "$OUT/src/$p/index.js"
	done
	mkdir -p "$OUT/tarballs" "$WS/libs/beta"
	(cd "$OUT/tarballs" && npm pack "$OUT/src/alpha" "$OUT/src/gamma" > /dev/null 2>&1) || fail "npm pack failed"
	printf '{"name":"corral-beta","version":"1.0.0"}\n' > "$WS/libs/beta/package.json"
	printf 'module.exports = "beta-genuine";\n' > "$WS/libs/beta/index.js"
	cat > "$WS/package.json" << EOF
{"name":"proj","version":"1.0.0","private":true,"scripts":{"test":"node -e \"console.log(require('corral-alpha'), require('corral-beta'), require('corral-gamma'))\""},
 "dependencies":{"corral-alpha":"file:$OUT/tarballs/corral-alpha-1.0.0.tgz",
                 "corral-gamma":"file:$OUT/tarballs/corral-gamma-1.0.0.tgz",
                 "corral-beta":"file:./libs/beta"}}
EOF
}

# The developer's own install outside, in a copy of the project.
npm_install_outside() {
	rm -rf "$OUT/dev" && mkdir -p "$OUT/dev" && cp -r "$WS/package.json" "$WS/libs" "$OUT/dev/"
	(cd "$OUT/dev" && npm install --offline > /dev/null 2>&1) || fail "npm install outside failed"
}

@test "caches: explain lists every cache and how it is mounted" {
	mkdir -p "$HOME/.npm"
	run corral explain
	assert_success
	local c
	for c in xdg npm pnpm yarn pip uv poetry cargo go go-build maven gradle node-gyp ccache; do
		[[ "$output" == *$'\n'"  $c "* ]] || { show_output; fail "explain does not list the cache $c"; }
	done
	require_overlay
	[ "$(how npm)" = overlay ] || fail "npm: $(how npm), expected overlay for an existing ~/.npm"
	[ "$(how cargo)" = variable ] || fail "cargo: $(how cargo), expected variable without ~/.cargo"
	run corral explain
	assert_output_has "CARGO_HOME=$XDG_CACHE_HOME/corral-caches/cargo"
	[ "$(how npm --cache npm=off)" = read-only ] || fail "npm=off is not read-only"
	[ "$(how npm --cache all=off)" = read-only ] || fail "all=off is not read-only"
	[ "$(how npm -m read-only)" = none ] || fail "read-only mode must provide no writable cache"
}

@test "caches: npm install of local tarballs and a file: dependency works with the developer's cache cold" {
	require_tool npm
	require_overlay
	npm_sources
	rm -rf "$HOME/.npm"
	run corral run -- npm install --offline
	assert_success
	run corral run -- npm test
	assert_success
	assert_output_has "alpha-genuine beta-genuine gamma-genuine"
	[ ! -e "$HOME/.npm" ] || fail "the sandbox created ~/.npm in the developer's home"
	# the private cache holds what npm cached, for the next run
	[ -n "$(find "$XDG_CACHE_HOME"/corral/workspaces/*/caches/xdg/upper/corral-caches/npm/_cacache -type f 2> /dev/null)" ] ||
		fail "nothing in the private npm cache"
}

@test "caches: npm install works with the developer's cache warm, which stays byte-for-byte the same" {
	require_tool npm
	require_overlay
	npm_sources
	npm_install_outside
	local before
	before=$(tree_sig "$HOME/.npm")
	[ -n "$(find "$HOME/.npm/_cacache" -type f)" ] || fail "the developer's cache is not warm"
	run corral run -- npm install --offline
	assert_success
	run corral run -- npm test
	assert_success
	assert_output_has "alpha-genuine beta-genuine gamma-genuine"
	[ "$(tree_sig "$HOME/.npm")" = "$before" ] || fail "the developer's ~/.npm changed"
}

@test "caches: poisoning npm's _cacache in the sandbox reaches neither the developer's cache nor install" {
	require_tool npm
	require_overlay
	npm_sources
	npm_install_outside
	local before genuine
	before=$(tree_sig "$HOME/.npm")
	genuine=$(sha256sum < "$OUT/dev/node_modules/corral-alpha/index.js")
	# Rewrite every cached object (and its index) with a package that runs code.
	run sb 'must_work "cd ~/.npm/_cacache && find . -type f | while read -r f; do chmod u+w \"\$f\" && printf \"require(\\\"child_process\\\").execSync(\\\"touch $OUT/pwned\\\")\" > \"\$f\"; done"
		must_work "grep -rq child_process ~/.npm/_cacache/content-v2"
		must_work "mkdir -p ~/.npm/_cacache/planted && echo x > ~/.npm/_cacache/planted/f"
		must_work "rm -rf ~/.npm/_cacache/index-v5"
		must_work "chmod 0777 ~/.npm/_cacache && touch -d 2001-01-01 ~/.npm/_cacache/content-v2"'
	assert_sb_clean
	[ "$(tree_sig "$HOME/.npm")" = "$before" ] || fail "the developer's ~/.npm changed"
	npm_install_outside
	[ "$(sha256sum < "$OUT/dev/node_modules/corral-alpha/index.js")" = "$genuine" ] ||
		fail "the developer's install got different content"
	(cd "$OUT/dev" && node -e 'require("corral-alpha")')
	[ ! -e "$OUT/pwned" ] || fail "the planted code ran outside"
}

@test "caches: the README's npm test, npm install and pip install -r into the workspace's venv work as written" {
	require_tool npm
	require_python
	require_overlay
	npm_sources
	run corral run -- npm install
	assert_success
	run corral run -- npm test
	assert_success
	assert_output_has "alpha-genuine beta-genuine gamma-genuine"
	pip_sources
	"$PYTHON" -m venv .venv || skip "python3 -m venv does not work here (python3-venv)"
	printf -- '--no-index\n--find-links %s\ncorralwheel\n' "$OUT/dist" > requirements.txt
	run corral run -- .venv/bin/pip install -r requirements.txt
	assert_success
	run corral run -- .venv/bin/python -c 'import corralwheel; print(corralwheel.VALUE)'
	assert_output_has "wheel-genuine"
}

# --- pip ---------------------------------------------------------------------

# $OUT/dist: a source distribution (pip builds and caches its wheel) and a
# wheel; $OUT/wheel-built: what the cached wheel is built from.
pip_sources() {
	mkdir -p "$OUT/dist" "$OUT/psrc/corralpkg-1.0"
	printf 'from setuptools import setup\nsetup(name="corralpkg", version="1.0", py_modules=["corralpkg"])\n' \
		> "$OUT/psrc/corralpkg-1.0/setup.py"
	printf 'VALUE = "genuine"\n' > "$OUT/psrc/corralpkg-1.0/corralpkg.py"
	printf 'Metadata-Version: 1.1\nName: corralpkg\nVersion: 1.0\n' > "$OUT/psrc/corralpkg-1.0/PKG-INFO"
	tar -C "$OUT/psrc" -czf "$OUT/dist/corralpkg-1.0.tar.gz" corralpkg-1.0
	"$PYTHON" - "$OUT/dist" << 'EOF'
import base64, hashlib, sys, zipfile
name, v = "corralwheel", "1.0"
di = "%s-%s.dist-info" % (name, v)
files = {name + ".py": b'VALUE = "wheel-genuine"\n',
         di + "/METADATA": ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, v)).encode(),
         di + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: corral-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
rec = []
for p, d in files.items():
    rec.append("%s,sha256=%s,%d" % (p, base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode(), len(d)))
rec.append(di + "/RECORD,,")
with zipfile.ZipFile("%s/%s-%s-py3-none-any.whl" % (sys.argv[1], name, v), "w") as z:
    for p, d in files.items():
        z.writestr(p, d)
    z.writestr(di + "/RECORD", "\n".join(rec) + "\n")
EOF
}

# pip_install VENV: install both packages from $OUT/dist, offline; the source
# distribution is built into a wheel that pip caches (~/.cache/pip/wheels).
pip_install() {
	"$1/bin/pip" install -q --no-index --find-links "$OUT/dist" --no-build-isolation corralpkg corralwheel
}

pip_venv() {
	"$PYTHON" -m venv --system-site-packages "$1" || skip "python3 -m venv does not work here (python3-venv)"
	"$PYTHON" -c 'import setuptools, wheel' 2> /dev/null || skip "no setuptools and wheel for python3 (python3-wheel)"
}

@test "caches: pip install from a local wheel directory, cold and warm; the developer's cache unchanged" {
	require_python
	require_overlay
	pip_sources
	pip_venv "$WS/.venv"
	# cold: the developer has no ~/.cache/pip
	run corral run -- bash -c "$(declare -f pip_install); OUT=$OUT pip_install .venv"
	assert_success
	[ ! -e "$XDG_CACHE_HOME/pip" ] || fail "the sandbox created the developer's pip cache"
	run corral run -- .venv/bin/python -c 'import corralpkg, corralwheel; print(corralpkg.VALUE, corralwheel.VALUE)'
	assert_output_has "genuine wheel-genuine"
	# warm: the developer's own install fills ~/.cache/pip
	pip_venv "$OUT/devenv"
	pip_install "$OUT/devenv"
	[ -n "$(find "$XDG_CACHE_HOME/pip/wheels" -name '*.whl')" ] || fail "pip did not cache the built wheel"
	local before
	before=$(tree_sig "$XDG_CACHE_HOME/pip")
	rm -rf "$WS/.venv"
	pip_venv "$WS/.venv"
	run corral run -- bash -c "$(declare -f pip_install); OUT=$OUT pip_install .venv"
	assert_success
	[ "$(tree_sig "$XDG_CACHE_HOME/pip")" = "$before" ] || fail "the developer's pip cache changed"
}

@test "caches: poisoning a cached pip wheel in the sandbox reaches neither the developer's cache nor install" {
	require_python
	require_overlay
	pip_sources
	pip_venv "$OUT/devenv"
	pip_install "$OUT/devenv"
	local whl before
	whl=$(find "$XDG_CACHE_HOME/pip/wheels" -name 'corralpkg-*.whl')
	[ -n "$whl" ] || fail "pip did not cache the built wheel"
	before=$(tree_sig "$XDG_CACHE_HOME/pip")
	# The attack: the same wheel with a module that says (and could do) otherwise.
	run sb "must_work \"cd \$(mktemp -d) && $PYTHON -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); o=zipfile.ZipFile(\\\"w.whl\\\",\\\"w\\\"); [o.writestr(i, b\\\"VALUE = \\\\\\\"poisoned\\\\\\\"\\\\n\\\" if i.filename==\\\"corralpkg.py\\\" else z.read(i)) for i in z.infolist()]; o.close()' $whl && cp w.whl $whl && unzip -p $whl corralpkg.py | grep -q poisoned\"
		must_work \"echo x > $XDG_CACHE_HOME/pip/planted\""
	assert_sb_clean
	[ "$(tree_sig "$XDG_CACHE_HOME/pip")" = "$before" ] || fail "the developer's pip cache changed"
	rm -rf "$OUT/devenv"
	pip_venv "$OUT/devenv"
	pip_install "$OUT/devenv"
	run "$OUT/devenv/bin/python" -c 'import corralpkg; print(corralpkg.VALUE)'
	assert_output_has "genuine"
	refute_output_has "poisoned"
}

# --- cargo -------------------------------------------------------------------

# A local registry in $OUT/registry with the crate corraldep (cargo unpacks it
# into ~/.cargo/registry/src), and a workspace project that depends on it.
cargo_sources() {
	mkdir -p "$OUT/crate/src" "$OUT/registry/index/co/rr" "$WS/.cargo" "$WS/src"
	printf '[package]\nname = "corraldep"\nversion = "0.1.0"\nedition = "2018"\nlicense = "MIT"\ndescription = "t"\n' \
		> "$OUT/crate/Cargo.toml"
	printf 'pub fn value() -> &'"'"'static str { "dep-genuine" }\n' > "$OUT/crate/src/lib.rs"
	(cd "$OUT/crate" && CARGO_HOME=$OUT/cargo-pack cargo package -q --no-verify --allow-dirty --offline) ||
		fail "cargo package failed"
	cp "$OUT/crate/target/package/corraldep-0.1.0.crate" "$OUT/registry/"
	printf '{"name":"corraldep","vers":"0.1.0","deps":[],"cksum":"%s","features":{},"yanked":false}\n' \
		"$(sha256sum < "$OUT/registry/corraldep-0.1.0.crate" | cut -d' ' -f1)" > "$OUT/registry/index/co/rr/corraldep"
	printf '[source.crates-io]\nreplace-with = "corral-local"\n[source.corral-local]\nlocal-registry = "%s"\n' \
		"$OUT/registry" > "$WS/.cargo/config.toml"
	printf '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2018"\n[dependencies]\ncorraldep = "0.1.0"\n' \
		> "$WS/Cargo.toml"
	printf 'fn main() { println!("{}", corraldep::value()); }\n' > "$WS/src/main.rs"
}

cargo_build_outside() {
	rm -rf "$OUT/dev" && mkdir -p "$OUT/dev" && cp -r "$WS/.cargo" "$WS/Cargo.toml" "$WS/src" "$OUT/dev/"
	(cd "$OUT/dev" && cargo build -q --offline) || fail "cargo build outside failed"
}

@test "caches: cargo build against a local registry, cold and warm; ~/.cargo/bin stays read-only" {
	require_tool cargo
	require_overlay
	cargo_sources
	run corral run -- cargo build -q --offline
	assert_success
	run ./target/debug/app
	assert_output_has "dep-genuine"
	[ ! -e "$HOME/.cargo" ] || fail "the sandbox created ~/.cargo in the developer's home"
	# warm: the developer's own build unpacked the crate; a toolchain in ~/.cargo/bin
	cargo_build_outside
	mkdir -p "$HOME/.cargo/bin"
	printf '#!/bin/sh\necho tool-ran\n' > "$HOME/.cargo/bin/corral-tool"
	chmod 755 "$HOME/.cargo/bin/corral-tool"
	local before
	before=$(tree_sig "$HOME/.cargo")
	rm -rf "$WS/target"
	run corral run -- cargo build -q --offline
	assert_success
	run sb 'must_work "$HOME/.cargo/bin/corral-tool | grep -q tool-ran"
		must_fail "echo evil > $HOME/.cargo/bin/corral-tool"
		must_fail "touch $HOME/.cargo/bin/new-tool"
		must_fail "mv $HOME/.cargo/bin $HOME/.cargo/bin-old"
		must_work "touch $HOME/.cargo/.package-cache"'
	assert_sb_clean
	[ "$(tree_sig "$HOME/.cargo")" = "$before" ] || fail "the developer's ~/.cargo changed"
}

@test "caches: poisoning an unpacked crate in the sandbox reaches neither ~/.cargo nor the developer's build" {
	require_tool cargo
	require_overlay
	cargo_sources
	cargo_build_outside
	local src before
	src=$(find "$HOME/.cargo/registry/src" -path '*corraldep-0.1.0/src/lib.rs')
	[ -n "$src" ] || fail "cargo did not unpack the crate into ~/.cargo/registry/src"
	before=$(tree_sig "$HOME/.cargo")
	run sb "must_work \"chmod u+w $src && printf 'pub fn value() -> &%sstatic str { \\\"poisoned\\\" }\\n' \\\"'\\\" > $src && grep -q poisoned $src\"
		must_work \"find $HOME/.cargo/registry -name '*.crate' -exec sh -c 'echo junk > {}' \\\\;\""
	assert_sb_clean
	run corral run -- bash -c 'cargo build -q --offline && ./target/debug/app'
	assert_output_has "poisoned" # the sandbox builds against its own, poisoned cache: the attack was real
	[ "$(tree_sig "$HOME/.cargo")" = "$before" ] || fail "the developer's ~/.cargo changed"
	rm -rf "$OUT/dev/target"
	(cd "$OUT/dev" && cargo build -q --offline)
	run "$OUT/dev/target/debug/app"
	assert_output_has "dep-genuine"
}

# --- go ----------------------------------------------------------------------

# A module proxy in $OUT/goproxy (GOPROXY=file://...) with example.com/corraldep.
go_sources() {
	"$PYTHON" - "$OUT/goproxy" << 'EOF'
import os, sys, zipfile
m, v = "example.com/corraldep", "v1.0.0"
d = "%s/%s/@v" % (sys.argv[1], m)
os.makedirs(d)
open(d + "/list", "w").write(v + "\n")
open("%s/%s.info" % (d, v), "w").write('{"Version":"%s","Time":"2024-01-01T00:00:00Z"}\n' % v)
mod = "module %s\n\ngo 1.18\n" % m
open("%s/%s.mod" % (d, v), "w").write(mod)
with zipfile.ZipFile("%s/%s.zip" % (d, v), "w") as z:
    z.writestr("%s@%s/go.mod" % (m, v), mod)
    z.writestr("%s@%s/dep.go" % (m, v), 'package corraldep\n\nfunc Value() string { return "go-genuine" }\n')
EOF
	printf 'module example.com/app\n\ngo 1.18\n\nrequire example.com/corraldep v1.0.0\n' > "$WS/go.mod"
	printf 'package main\n\nimport (\n\t"fmt"\n\t"example.com/corraldep"\n)\n\nfunc main() { fmt.Println(corraldep.Value()) }\n' \
		> "$WS/main.go"
	# (no -buildvcs=false: corral adds it where the workspace has no .git, whose
	# placeholder go would take for a repository)
	export GOPROXY=file://$OUT/goproxy GOSUMDB=off GOFLAGS=-mod=mod
}

go_build_outside() {
	rm -rf "$OUT/dev" && mkdir -p "$OUT/dev" && cp "$WS/go.mod" "$WS/main.go" "$OUT/dev/"
	(cd "$OUT/dev" && go build -buildvcs=false -o app .) || fail "go build outside failed"
}

@test "caches: go build with GOPROXY=file://, cold and warm; the developer's module and build caches unchanged" {
	require_tool go
	require_overlay
	go_sources
	run corral run -- go build -o app .
	assert_success
	run ./app
	assert_output_has "go-genuine"
	[ ! -e "$HOME/go" ] || fail "the sandbox created ~/go in the developer's home"
	go_build_outside
	mkdir -p "$HOME/go/bin" && printf '#!/bin/sh\necho go-tool\n' > "$HOME/go/bin/corral-tool" && chmod 755 "$HOME/go/bin/corral-tool"
	local before before_build
	before=$(tree_sig "$HOME/go")
	before_build=$(tree_sig "$XDG_CACHE_HOME/go-build")
	rm -f app go.sum
	run corral run -- go build -o app .
	assert_success
	run sb 'must_work "$HOME/go/bin/corral-tool"
		must_fail "touch $HOME/go/bin/new-tool"'
	assert_sb_clean
	[ "$(tree_sig "$HOME/go")" = "$before" ] || fail "the developer's ~/go changed"
	[ "$(tree_sig "$XDG_CACHE_HOME/go-build")" = "$before_build" ] || fail "the developer's go-build cache changed"
}

@test "caches: poisoning a cached go module in the sandbox reaches neither ~/go nor the developer's build" {
	require_tool go
	require_overlay
	go_sources
	go_build_outside
	local zip dep before
	zip=$(find "$HOME/go/pkg/mod/cache/download" -name 'v1.0.0.zip')
	dep=$(find "$HOME/go/pkg/mod" -path '*corraldep@v1.0.0/dep.go')
	[ -n "$zip" ] && [ -n "$dep" ] || fail "go did not cache the module"
	before=$(tree_sig "$HOME/go")
	run sb "must_work \"chmod -R u+w $HOME/go/pkg/mod && echo junk > $zip && sed -i s/go-genuine/poisoned/ $dep && grep -q poisoned $dep\""
	assert_sb_clean
	[ "$(tree_sig "$HOME/go")" = "$before" ] || fail "the developer's ~/go changed"
	rm -rf "$XDG_CACHE_HOME/go-build"
	go_build_outside
	run "$OUT/dev/app"
	assert_output_has "go-genuine"
}

# --- maven -------------------------------------------------------------------

@test "caches: mvn -o runs with ~/.m2 warm and cold; a planted artifact does not reach the developer's" {
	require_tool mvn
	require_overlay
	# Java finds the home in the passwd entry, not $HOME: the fake home is the developer's here
	export MAVEN_OPTS="-Duser.home=$HOME"
	printf '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>t</groupId><artifactId>t</artifactId><version>1</version><packaging>pom</packaging></project>\n' > pom.xml
	run corral run -- mvn -o -q validate
	assert_success
	[ ! -e "$HOME/.m2" ] || fail "the sandbox created ~/.m2"
	mkdir -p "$HOME/.m2/repository/com/example/dep/1.0"
	echo genuine > "$HOME/.m2/repository/com/example/dep/1.0/dep-1.0.jar"
	local before
	before=$(tree_sig "$HOME/.m2")
	run sb 'must_work "mvn -o -q validate"
		must_work "echo poisoned > $HOME/.m2/repository/com/example/dep/1.0/dep-1.0.jar"
		must_fail "echo x > $HOME/.m2/settings.xml"'
	assert_sb_clean
	[ "$(tree_sig "$HOME/.m2")" = "$before" ] || fail "the developer's ~/.m2 changed"
}

# --- the mechanism -----------------------------------------------------------

@test "caches: the private cache is kept between runs of a workspace and is not another workspace's" {
	require_overlay
	mkdir -p "$HOME/.npm" "$T/other"
	run corral run -- sh -c 'echo kept > ~/.npm/marker'
	assert_success
	run corral run -- cat "$HOME/.npm/marker"
	assert_success
	assert_output_has "kept"
	run corral run -W "$T/other" -- cat "$HOME/.npm/marker"
	[ "$status" -ne 0 ] || fail "another workspace sees this workspace's private cache"
	[ ! -e "$HOME/.npm/marker" ] || fail "the write reached the developer's ~/.npm"
}

@test "caches: private hides the developer's cache; off leaves it read-only" {
	require_overlay
	mkdir -p "$HOME/.npm" && echo dev > "$HOME/.npm/devfile"
	run corral run --cache npm=private -- sh -c 'ls ~/.npm; echo w > ~/.npm/x && echo wrote'
	assert_success
	refute_output_has "devfile"
	assert_output_has "wrote"
	run corral run --cache npm=off -- sh -c 'echo w > ~/.npm/x'
	[ "$status" -ne 0 ] || fail "npm=off let the command write ~/.npm"
	[ ! -e "$HOME/.npm/x" ] || fail "a write reached the developer's ~/.npm"
}

@test "caches: a deny-read secret inside a cache stays hidden through its overlay, and unchanged" {
	# The default deny-read list names ~/.cache/huggingface/token and
	# ~/.cargo/credentials.toml, which lie in the xdg and cargo caches: the
	# overlays read those caches through, and the masks must still cover them,
	# by every way to the same file. (The xdg cache is ~/.cache here, as for
	# most developers.)
	export XDG_CACHE_HOME=$HOME/.cache
	mkdir -p "$HOME/.cache/huggingface" "$HOME/.cargo/registry"
	echo "$TOKEN" > "$HOME/.cache/huggingface/token"
	printf '[registry]\ntoken = "%s"\n' "$TOKEN" > "$HOME/.cargo/credentials.toml"
	echo model > "$HOME/.cache/huggingface/config.json"
	echo crate > "$HOME/.cargo/registry/crate"
	local before_x before_c
	before_x=$(tree_sig "$HOME/.cache/huggingface")
	before_c=$(tree_sig "$HOME/.cargo")
	local through='must_work "grep -q model $HOME/.cache/huggingface/config.json"
		must_work "grep -q crate $HOME/.cargo/registry/crate"'
	if [ "$(how xdg)" != overlay ] || [ "$(how cargo)" != overlay ]; then
		echo "# xdg: $(how xdg), cargo: $(how cargo): the secrets are checked, not the read-through" >&3
		through=:
	fi
	local mode attacks='for f in $HOME/.cache/huggingface/token $HOME/.cargo/credentials.toml; do
			must_fail "cat $f"
			must_fail "rm -f $f && cat $f"
			must_fail "cp $f /tmp/c && cat /tmp/c"
		done
		must_fail "mv $HOME/.cache/huggingface $HOME/.cache/hf && cat $HOME/.cache/hf/token"
		must_fail "cp -a $HOME/.cache/huggingface /tmp/hf 2>/dev/null; cat /tmp/hf/token"
		must_fail "grep -rqs -- \$TOKEN $HOME/.cache $HOME/.cargo"'
	for mode in read-through off private; do
		run sb --cache "all=$mode" "$([ "$mode" = read-through ] && echo "$through")
		$attacks"
		assert_sb_clean
		refute_output_has "$TOKEN"
	done
	[ "$(tree_sig "$HOME/.cache/huggingface")" = "$before_x" ] || fail "the developer's ~/.cache/huggingface changed"
	[ "$(tree_sig "$HOME/.cargo")" = "$before_c" ] || fail "the developer's ~/.cargo changed"
	# nor did a copy of a secret land in the private caches, outside
	! grep -rqs -- "$TOKEN" "$HOME/.cache/corral" || fail "a secret reached the private caches"
	# explain says why no mask is needed beneath a private cache
	if [ "$(how cargo)" = overlay ]; then
		run corral explain --cache cargo=private
		assert_success
		assert_output_has "deny-read $HOME/.cargo/credentials.toml: not masked, it lies beneath a private cache"
	fi
}

@test "caches: the command cannot write the private cache's layers directly, nor corral's state" {
	require_overlay
	mkdir -p "$HOME/.npm"
	run corral run -- true
	run sb 'up=$(echo $XDG_CACHE_HOME/corral/workspaces/*/caches/npm/upper)
		must_fail "test -d $up"
		must_fail "touch $up/planted"
		must_fail "touch $XDG_CACHE_HOME/corral/planted"
		must_fail "rm -rf $XDG_CACHE_HOME/corral/workspaces"
		must_work "touch $XDG_CACHE_HOME/anything-else"'
	assert_sb_clean
	[ ! -e "$XDG_CACHE_HOME/anything-else" ] || fail "a write reached the developer's XDG cache"
}

@test "caches: a developer's cache that is a symlink is read through where it points, and stays unchanged" {
	require_overlay
	mkdir -p "$OUT/npm-elsewhere" && echo dev > "$OUT/npm-elsewhere/devfile"
	ln -s "$OUT/npm-elsewhere" "$HOME/.npm"
	local before
	before=$(tree_sig "$OUT/npm-elsewhere")
	run sb 'must_work "grep -q dev $HOME/.npm/devfile"
		must_work "echo poisoned > $HOME/.npm/devfile"
		must_work "echo x > $HOME/.npm/new"
		must_work "grep -q poisoned $OUT/npm-elsewhere/devfile"'
	assert_sb_clean
	[ "$(tree_sig "$OUT/npm-elsewhere")" = "$before" ] || fail "the developer's cache changed"
}

@test "caches: two concurrent runs of one workspace share its private caches" {
	require_overlay
	mkdir -p "$HOME/.npm"
	bg corral run -- sh -c 'echo one > ~/.npm/one; while [ ! -e "$0" ]; do sleep 0.05; done' "$WS/release"
	wait_for_file "$(private_dir npm)/upper/one" 200
	run corral run -- sh -c 'echo two > ~/.npm/two && cat ~/.npm/one'
	touch "$WS/release"
	assert_success
	assert_output_has "one"
	wait "$BG_PID"
}

@test "caches: twelve concurrent runs of a workspace each get a work directory (there were eight)" {
	# (a work directory a run, apply/overlay.c: the 9th concurrent run found
	# none free and failed with 125, so 64 agents' commands at once could not run)
	require_overlay
	mkdir -p "$HOME/.npm"
	pids=()
	for i in $(seq 1 11); do
		bg corral run -- sh -c 'touch "$0"; while [ ! -e "$1" ]; do sleep 0.05; done' "$WS/up.$i" "$WS/release"
		pids+=("$BG_PID")
	done
	for i in $(seq 1 11); do wait_for_file "$WS/up.$i" 900; done
	run corral run -- sh -c 'echo through > ~/.npm/twelfth && cat ~/.npm/twelfth'
	touch "$WS/release"
	for p in "${pids[@]}"; do wait "$p" || fail "a concurrent run failed"; done
	assert_success
	assert_output_has through
	[ ! -e "$HOME/.npm/twelfth" ] || fail "the private write reached the developer's ~/.npm"
}

@test "caches: corral cache lists sizes and clears, never following a link the command planted" {
	require_overlay
	mkdir -p "$HOME/.npm"
	echo precious > "$OUT/precious"
	run corral run -- sh -c 'head -c 300000 /dev/zero > ~/.npm/big; ln -s "$0" ~/.npm/link; mkdir ~/.npm/locked; ln -s "$1" ~/.npm/locked/dirlink; chmod 000 ~/.npm/locked' "$OUT/precious" "$OUT"
	assert_success
	run corral cache
	assert_success
	assert_output_has "npm"
	local bytes
	bytes=$(corral cache --json | "$PYTHON" -c 'import json,sys; print([c["bytes"] for c in json.load(sys.stdin)["caches"] if c["name"]=="npm"][0])')
	[ "$bytes" -ge 300000 ] || fail "npm's private cache is $bytes bytes, expected at least 300000"
	run corral cache clear npm
	assert_success
	assert_output_has "cleared npm"
	[ "$(cat "$OUT/precious")" = precious ] || fail "clearing followed a planted link"
	[ -e "$OUT/data.txt" ] || fail "clearing followed a planted directory link"
	bytes=$(corral cache --json | "$PYTHON" -c 'import json,sys; print([c["bytes"] for c in json.load(sys.stdin)["caches"] if c["name"]=="npm"][0])')
	[ "$bytes" -lt 300000 ] || fail "the cache was not cleared ($bytes bytes)"
	run corral run -- ls ~/.npm
	refute_output_has "big"
	run corral cache clear nosuch
	[ "$status" -ne 0 ] || fail "clearing an unknown cache succeeded"
}

@test "caches: clear refuses while a run holds the cache" {
	require_overlay
	mkdir -p "$HOME/.npm"
	bg corral run -- sh -c 'touch ~/.npm/held; while [ ! -e "$0" ]; do sleep 0.05; done' "$WS/release"
	wait_for_file "$(private_dir npm)/upper/held" 200
	run corral cache clear npm
	touch "$WS/release"
	wait "$BG_PID"
	[ "$status" -ne 0 ] || fail "clear went on while a run used the cache"
	assert_output_has "in use"
}

@test "caches: a workspace config may turn caches off but not widen them or move them" {
	mkdir -p "$HOME/.npm"
	printf '[caches]\nnpm = "off"\n' > "$XDG_CONFIG_HOME/corral/config.toml"
	printf '[caches]\nnpm = "read-through"\n' > "$WS/.corral.toml"
	run corral explain
	assert_status 125
	assert_output_has "caches.npm"
	printf '[caches]\ndir = "%s"\n' "$WS/evil" > "$WS/.corral.toml"
	run corral explain
	assert_status 125
	assert_output_has "caches.dir"
	rm "$XDG_CONFIG_HOME/corral/config.toml"
	printf '[caches]\nall = "off"\n' > "$WS/.corral.toml"
	[ "$(how xdg --no-workspace-config)" != overlay ] || [ "$(how npm)" = read-only ] || fail "the workspace could not turn its caches off"
	printf '[caches]\nnpm = "sideways"\n' > "$WS/.corral.toml"
	run corral explain
	assert_status 125
	assert_output_has "unknown cache mode"
}

@test "caches: caches.dir in the user config moves the private caches; inside a writable root it is refused" {
	require_overlay
	mkdir -p "$HOME/.npm" "$OUT/mycaches"
	printf '[caches]\ndir = "%s"\n' "$OUT/mycaches" > "$XDG_CONFIG_HOME/corral/config.toml"
	run corral run -- sh -c 'echo x > ~/.npm/moved'
	assert_success
	[ -n "$(find "$OUT/mycaches" -name moved)" ] || fail "the private cache is not in caches.dir"
	printf '[caches]\ndir = "%s"\n' "$WS/caches" > "$XDG_CONFIG_HOME/corral/config.toml"
	run corral run -- true
	assert_status 125
	assert_output_has "writable root"
}

# --- the real registry -------------------------------------------------------

@test "caches: npm install from the configured registry, twice: the second is faster and ~/.npm is untouched" {
	require_tool npm
	require_overlay
	local registry
	registry=$(npm config get registry 2> /dev/null)
	[ -n "$registry" ] || skip "npm has no registry configured"
	timeout 30 npm view is-number version > /dev/null 2>&1 ||
		skip "the registry npm is configured for is unreachable from here"
	mkdir -p "$HOME/.npm"
	local before t0 t1 t2
	before=$(tree_sig "$HOME/.npm")
	printf '{"name":"proj","version":"1.0.0","private":true}\n' > package.json
	# The first install fetches (the private cache is empty), the second finds
	# it cached. On a loaded machine one pair can come out the wrong way round
	# by noise: up to three pairs, from an empty private cache each time.
	local try faster=no
	for try in 1 2 3; do
		corral cache clear npm > /dev/null
		rm -rf node_modules package-lock.json
		t0=$(date +%s%N)
		run corral run -n on -- npm install --no-save is-number@7.0.0
		t1=$(date +%s%N)
		assert_success
		rm -rf node_modules package-lock.json
		run corral run -n on -- npm install --no-save --prefer-offline is-number@7.0.0
		t2=$(date +%s%N)
		assert_success
		echo "# try $try: first $(((t1 - t0) / 1000000)) ms, second $(((t2 - t1) / 1000000)) ms" >&3
		if [ $((t2 - t1)) -lt $((t1 - t0)) ]; then faster=yes && break; fi
	done
	[ "$faster" = yes ] || fail "the second install was not faster in three tries"
	[ -e node_modules/is-number/index.js ] || fail "is-number was not installed"
	# the private cache alone holds it: offline, with the network off
	rm -rf node_modules
	run corral run -- npm install --no-save --offline is-number@7.0.0
	assert_success
	[ "$(tree_sig "$HOME/.npm")" = "$before" ] || fail "something was written to the developer's ~/.npm"
}

@test "caches: doctor mounts a real overlay and says whether read-through works, leaving nothing behind" {
	run corral doctor --json
	assert_success
	local rt
	rt=$(printf '%s' "$output" | "$PYTHON" -c 'import json, sys; c = json.load(sys.stdin)["caches"]; print(c["read_through"], c["detail"])')
	echo "# $rt" >&3
	if [ "$(how xdg)" = overlay ]; then
		[[ "$rt" == True* ]] || fail "the caches are overlaid here, but doctor says: $rt"
	fi
	[ -z "$(find "$XDG_CACHE_HOME/corral" -maxdepth 1 -name 'doctor-overlay.*')" ] || fail "doctor left its probe behind"
}

# --- attacks on corral cache clear and on the private caches' layers ---------

@test "caches: clear follows no symlink swapped for a mode-000 directory by a run started meanwhile" {
	require_overlay
	echo precious > "$HOME/victim" && chmod 0400 "$HOME/victim"
	# p0..p2999 in the private xdg cache, each with 20 files, d (mode 000) and
	# s, a link to the developer's file
	run corral run -- "$PYTHON" -c '
import os, sys
c = os.environ["XDG_CACHE_HOME"]
for i in range(3000):
    p = "%s/p%d" % (c, i)
    os.mkdir(p)
    for j in range(20):
        open("%s/f%d" % (p, j), "w").close()
    os.mkdir(p + "/d", 0)
    os.symlink(sys.argv[1], p + "/s")' "$HOME/victim"
	assert_success
	# The second run exchanges d and s in the directory clear is about to
	# reach, in the order it walks them (the upper's, which it can read). A
	# swap that lands between clear's lstat and unlink only makes clear fail
	# (EISDIR), leaving the rest in place: the developer clears again.
	local attempt clear
	for attempt in $(seq 15); do
		corral cache clear xdg > "$OUT/clear.out" 2>&1 &
		clear=$!
		sleep 0.1
		run corral run -- "$PYTHON" -c '
import ctypes, glob, os, time
libc = ctypes.CDLL(None, use_errno=True)
c = os.environ["XDG_CACHE_HOME"]
ups = glob.glob(c + "/corral/workspaces/*/caches/xdg/upper")
end = time.time() + 4
n0 = len(os.listdir(ups[0])) if ups else 0
while ups and len(os.listdir(ups[0])) >= n0 and time.time() < end:
    time.sleep(0.01)
while ups and time.time() < end:
    names = [n for n in os.listdir(ups[0]) if n.startswith("p")]
    if len(names) < 2:
        break
    p = ("%s/%s/" % (c, names[1])).encode()
    u = "%s/%s" % (ups[0], names[1])  # the overlay caches its dentries: look at the upper
    while os.path.lexists(u) and time.time() < end:
        for k in range(20):
            libc.renameat2(-100, p + b"d", -100, p + b"s", 2)'
		wait "$clear" || true
		[ "$(stat -c %a "$HOME/victim")" = 400 ] || break
		[ -n "$(ls "$(private_dir xdg)/upper" 2> /dev/null)" ] || break
	done
	echo "# $attempt attempts; the last run: $status $output; clear: $(cat "$OUT/clear.out")" >&3
	# the run that met the clear did not start (or clear refused, the run being first)
	[ "$status" -eq 125 ] && assert_output_has "corral cache clear" || grep -q "in use" "$OUT/clear.out" ||
		[ -n "$(ls "$(private_dir xdg)/upper" 2> /dev/null)" ] || fail "a run and a clear of one cache went on together"
	[ "$(stat -c %a "$HOME/victim")" = 400 ] || fail "clear chmodded the developer's file: $(stat -c %a "$HOME/victim"); $(cat "$OUT/clear.out")"
	[ "$(cat "$HOME/victim")" = precious ] || fail "the developer's file changed"
}

@test "caches: clear empties a read-only directory and 300 nested ones, and goes on past a cache it cannot clear" {
	require_overlay
	mkdir -p "$HOME/.npm" "$HOME/.cargo"
	run corral run -- sh -c 'mkdir ~/.npm/ro && touch ~/.npm/ro/a ~/.npm/ro/b && chmod 500 ~/.npm/ro
		cd ~/.npm && i=0; while [ $i -lt 300 ]; do mkdir n && cd n || exit 1; i=$((i + 1)); done; touch deep
		touch ~/.cargo/planted "$XDG_CACHE_HOME/planted"'
	assert_success
	run corral cache --json
	assert_success
	local entries
	entries=$(echo "$output" | "$PYTHON" -c 'import json,sys; print([c["entries"] for c in json.load(sys.stdin)["caches"] if c["name"]=="npm"][0])')
	[ "$entries" -ge 304 ] || fail "list counted $entries entries in npm's private cache, expected at least 304"
	run corral cache clear npm
	assert_success
	[ -z "$(ls -A "$(private_dir npm)/upper")" ] || fail "npm's private cache is not empty: $(ls -A "$(private_dir npm)/upper")"
	# a cache that cannot be cleared (its upper is no directory) does not keep the others
	run corral run -- sh -c 'touch ~/.npm/again'
	local cargo
	cargo=$(private_dir cargo)
	[ -e "$cargo/upper/planted" ] || fail "no planted file in cargo's private cache"
	mv "$(private_dir npm)/upper" "$OUT/npm-upper" && touch "$(private_dir npm)/upper"
	run corral cache clear
	[ "$status" -ne 0 ] || fail "clear reported success with a cache it could not clear"
	assert_output_has "npm"
	[ ! -e "$cargo/upper/planted" ] || fail "clear stopped at npm and left cargo's private cache"
	[ ! -e "$(private_dir xdg)/upper/planted" ] || fail "clear left the xdg private cache"
}

@test "caches: a caches.dir another user could change is refused, level by level, and a FIFO lock hangs nothing" {
	require_overlay
	mkdir -p "$HOME/.npm" "$OUT/shared"
	chmod 0777 "$OUT/shared"
	printf '[caches]\ndir = "%s"\n' "$OUT/shared" > "$XDG_CONFIG_HOME/corral/config.toml"
	# another user's planted package, where the sandbox would read it
	run corral run -- cat "$HOME/.npm/_cacache/pkg"
	assert_status 125
	assert_output_has "$OUT/shared"
	assert_output_has "writable by group or others"
	chmod 0700 "$OUT/shared"
	run corral run -- sh -c 'echo mine > ~/.npm/mine'
	assert_success
	local hash
	hash=$(ls "$OUT/shared")
	# a level below made writable by others, or swapped for a link to another user's tree
	chmod 0777 "$OUT/shared/$hash/npm/upper"
	run corral run -- true
	assert_status 125
	assert_output_has "$OUT/shared/$hash/npm/upper"
	chmod 0700 "$OUT/shared/$hash/npm/upper"
	mv "$OUT/shared/$hash" "$OUT/moved" && mkdir -p "$OUT/evil/npm/upper/_cacache" "$OUT/evil/npm/empty" &&
		echo planted > "$OUT/evil/npm/upper/_cacache/pkg" && ln -s "$OUT/evil" "$OUT/shared/$hash"
	run corral run -- cat "$HOME/.npm/_cacache/pkg"
	assert_status 125
	refute_output_has "planted"
	rm "$OUT/shared/$hash" && mv "$OUT/moved" "$OUT/shared/$hash"
	# a FIFO as a work dir's lock: refused at once, not a hung run
	mkfifo "$OUT/shared/$hash/npm/work.0.lock.new" && rm -f "$OUT/shared/$hash/npm/work.0.lock" &&
		mv "$OUT/shared/$hash/npm/work.0.lock.new" "$OUT/shared/$hash/npm/work.0.lock"
	run corral run -- true
	assert_status 125
	assert_output_has "work.0.lock"
	rm "$OUT/shared/$hash/npm/work.0.lock"
	run corral run -- cat "$HOME/.npm/mine"
	assert_success
	assert_output_has "mine"
	# in the host's /tmp, which the command writes with --tmp host
	printf '[caches]\ndir = "/tmp/corral-cc-%s"\n' "$BATS_TEST_NUMBER$$" > "$XDG_CONFIG_HOME/corral/config.toml"
	run corral run --tmp host -- true
	assert_status 125
	assert_output_has "/tmp"
	[ ! -e "/tmp/corral-cc-$BATS_TEST_NUMBER$$" ] || fail "the caches were made in /tmp"
}

@test "caches: a sandbox reads no other workspace's /tmp or private cache, and cannot hold its locks" {
	require_overlay
	mkdir -p "$HOME/.npm" "$T/other"
	# workspace B: a file in its /tmp, one in its private npm cache
	run corral run -W "$T/other" -- sh -c 'echo b-tmp > /tmp/b-secret && echo b-cache > ~/.npm/b-secret'
	assert_success
	local bstate
	bstate=$(corral explain -W "$T/other" --json | "$PYTHON" -c '
import json, os, sys
print([os.path.dirname(c["private"]) for c in json.load(sys.stdin)["plan"]["caches"] if c["name"] == "npm"][0])')
	[ -e "$bstate/npm/upper/b-secret" ] || fail "B's private cache is not where explain says"
	# workspace A looks for them through corral's state, and holds every lock it can open
	bg corral run -- "$PYTHON" -c '
import fcntl, glob, os, sys, time
c = os.environ["XDG_CACHE_HOME"]
found = [p for p in glob.glob(c + "/corral/workspaces/*/tmp/b-secret") + glob.glob(c + "/corral/workspaces/*/caches/*/upper/b-secret")]
for p in found:
    print("READ", p, open(p).read().strip(), flush=True)
held = []
for p in glob.glob(c + "/corral/workspaces/*/caches/*/*lock"):
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        held.append(fd)
    except OSError:
        pass
print("HELD", len(held), flush=True)
open(sys.argv[1] + "/ready", "w").close()
while not os.path.exists(sys.argv[1] + "/release"):
    time.sleep(0.05)' "$WS" > "$OUT/a.out" 2>&1
	wait_for_file "$WS/ready" 200
	run corral cache clear -W "$T/other" npm
	touch "$WS/release"
	wait "$BG_PID" || true
	assert_success
	[ ! -e "$bstate/npm/upper/b-secret" ] || fail "B's clear did not clear"
	run cat "$OUT/a.out"
	refute_output_has "READ"
	assert_output_has "HELD 0"
}

@test "caches: what a run planted at a kept toolchain or a masked secret does not break later runs" {
	export XDG_CACHE_HOME=$HOME/.cache
	mkdir -p "$HOME/.cargo/registry" "$HOME/.cache/huggingface"
	require_overlay
	# the toolchain and the secret do not exist yet: the command puts a file,
	# a link and a read-only directory where they will be
	rm -f "$HOME/.cache/huggingface/token"
	run corral run -- sh -c 'echo x > ~/.cargo/bin && mkdir ~/.cache/huggingface/token &&
		chmod 500 ~/.cache/huggingface && echo planted'
	assert_success
	assert_output_has planted
	# then the developer installs rustup and logs in to huggingface
	mkdir "$HOME/.cargo/bin" && printf '#!/bin/sh\necho genuine-cargo\n' > "$HOME/.cargo/bin/cargo-x" &&
		chmod 755 "$HOME/.cargo/bin/cargo-x"
	echo "$TOKEN" > "$HOME/.cache/huggingface/token"
	local before_b before_t
	before_b=$(tree_sig "$HOME/.cargo/bin")
	before_t=$(tree_sig "$HOME/.cache/huggingface")
	run corral run -- sh -c '~/.cargo/bin/cargo-x; cat ~/.cache/huggingface/token; echo ran'
	assert_success
	assert_output_has genuine-cargo
	assert_output_has ran
	refute_output_has "$TOKEN"
	# a link there instead, the next time
	rm -rf "$HOME/.cargo/bin.dev" && mv "$HOME/.cargo/bin" "$HOME/.cargo/bin.dev"
	run corral run -- sh -c 'rm -rf ~/.cargo/bin; ln -s /etc ~/.cargo/bin && echo linked'
	assert_output_has linked
	mv "$HOME/.cargo/bin.dev" "$HOME/.cargo/bin"
	before_b=$(tree_sig "$HOME/.cargo/bin")
	run corral run -- sh -c '~/.cargo/bin/cargo-x; ls ~/.cargo/bin/passwd 2>&1; echo ran'
	assert_success
	assert_output_has genuine-cargo
	[ "$(tree_sig "$HOME/.cargo/bin")" = "$before_b" ] || fail "the developer's ~/.cargo/bin changed"
	[ "$(tree_sig "$HOME/.cache/huggingface")" = "$before_t" ] || fail "the developer's ~/.cache/huggingface changed"
	run corral cache clear
	assert_success
}
