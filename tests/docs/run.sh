#!/usr/bin/env bash
# The manual pages and shell completions against the real binary: every
# option `corral run --help` prints is documented in man/corral.1 and in the
# README's usage block, the bash completion offers it, and each page renders
# without a warning (when man and groff are installed).
#
#   tests/docs/run.sh BUILD_DIR
#
# Last line: docs: N passed, N failed, N skipped
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
corral=$build/corral
passed=0 failed=0 skipped=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
bad() { echo "not ok - $1"; failed=$((failed + 1)); }
skip() { echo "ok - $1 # skip $2"; skipped=$((skipped + 1)); }

opts=$("$corral" run --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
[ -n "$opts" ] || { bad "corral run --help lists options"; echo "docs: $passed passed, $failed failed, $skipped skipped"; exit 1; }

# roff writes a hyphen in an option as \-
missing=""
for o in $opts; do
	grep -qF -- "$(sed 's/-/\\-/g' <<<"$o")" "$top/man/corral.1" || missing="$missing $o"
done
[ -z "$missing" ] && ok "man/corral.1 documents every option of corral run --help" ||
	bad "man/corral.1 lacks:$missing"

usage=$(sed -n '/^corral run \[OPTIONS\]/,/^```/p' "$top/README.md")
missing=""
for o in $opts; do grep -qF -- "$o" <<<"$usage" || missing="$missing $o"; done
[ -z "$missing" ] && ok "the README's usage block shows every option of corral run --help" ||
	bad "the README's usage block lacks:$missing"

offered=$(bash -c 'source "$1"; COMP_WORDS=("$2" run --); COMP_CWORD=2; _corral; printf "%s\n" "${COMPREPLY[@]}"' \
	x "$top/completions/corral.bash" "$corral")
missing=""
for o in $opts; do grep -qxF -- "$o" <<<"$offered" || missing="$missing $o"; done
[ -z "$missing" ] && ok "the bash completion offers every option of corral run --help" ||
	bad "the bash completion does not offer:$missing"
modes=$(bash -c 'source "$1"; COMP_WORDS=("$2" run --mode ""); COMP_CWORD=3; _corral; printf "%s\n" "${COMPREPLY[@]}"' \
	x "$top/completions/corral.bash" "$corral")
[ "$(sort <<<"$modes" | tr '\n' ' ')" = "full-access read-only workspace-write " ] &&
	ok "the bash completion offers the modes after --mode" || bad "completion after --mode: $modes"
cmds=$(bash -c 'source "$1"; COMP_WORDS=("$2" ""); COMP_CWORD=1; _corral; printf "%s\n" "${COMPREPLY[@]}"' \
	x "$top/completions/corral.bash" "$corral")
missing=""
for c in $("$corral" help | grep -oE '^ *(usage: )?corral [a-z]+' | awk '{print $NF}' | sort -u); do
	grep -qxF "$c" <<<"$cmds" || missing="$missing $c"
done
[ -z "$missing" ] && ok "the bash completion offers every subcommand of corral help" ||
	bad "the bash completion lacks the subcommands:$missing"
if command -v zsh >/dev/null; then
	zsh -n "$top/completions/_corral" && ok "the zsh completion parses" || bad "the zsh completion does not parse"
else
	skip "the zsh completion parses" "zsh is not installed"
fi

if command -v man >/dev/null && command -v groff >/dev/null; then
	for page in corral.1 corral-setup.8 corral.toml.5; do
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$top/man/$page" 2>&1 >/dev/null)
		[ -z "$out" ] && ok "man/$page renders without a warning" || bad "man/$page: $out"
	done
else
	skip "the manual pages render without a warning" "man or groff is not installed"
fi

echo "docs: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
