#!/usr/bin/env bash
# Static analysis of src/ and tools/: clang-tidy (configuration: .clang-tidy)
# and cppcheck (cppcheck-suppressions.txt), both from the build's
# compile_commands.json, so they see the same flags and generated headers as
# the compiler.
#
#   tests/lint/run.sh [BUILD_DIR]
#
# BUILD_DIR (default: build) is configured with meson and built first if need
# be. Prints every finding, then, as its last line:
#   lint: N passed, N failed        (one per tool)
# Exit status 0 only if neither tool found anything.
#
# A finding is fixed in the code. Where it is a false positive, suppress that
# one finding next to it, with the reason:
#   // NOLINT(check-name) or // NOLINTNEXTLINE(check-name)    (clang-tidy)
#   // cppcheck-suppress id                                   (cppcheck)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
jobs=$(nproc 2>/dev/null || echo 2)
passed=0 failed=0

missing=""
for t in clang-tidy cppcheck meson ninja python3; do
        command -v "$t" >/dev/null || missing="$missing $t"
done
if [ -n "$missing" ]; then
        echo "lint: missing:$missing (Debian: apt-get install clang-tidy cppcheck)" >&2
        echo "lint: 0 passed, 1 failed"
        exit 1
fi

# The build: compile_commands.json, and the headers it generates (which the
# sources include).
if [ ! -f "$build/build.ninja" ] && ! meson setup "$build" "$top" >/dev/null; then
        echo "lint: meson setup $build failed" >&2
        echo "lint: 0 passed, 1 failed"
        exit 1
fi
if ! ninja -C "$build" >/dev/null; then
        ninja -C "$build" | tail -n 30
        echo "lint: building $build failed" >&2
        echo "lint: 0 passed, 1 failed"
        exit 1
fi

# One entry per file of src/ and tools/: a file built into two targets is
# analysed once (clang-tidy 14 gives spurious analyzer reports when one
# process sees the same file twice).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$build/compile_commands.json" "$top" "$work" <<'EOF'
import json, os, sys
db, top, work = sys.argv[1:]
seen, keep = set(), []
for e in json.load(open(db)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if f in seen or not any(f.startswith(os.path.join(top, d) + os.sep) for d in ("src", "tools")):
        continue
    seen.add(f)
    keep.append(e)
json.dump(keep, open(os.path.join(work, "compile_commands.json"), "w"), indent=1)
open(os.path.join(work, "files"), "w").write("".join(f + "\n" for f in sorted(seen)))
EOF
nfiles=$(wc -l <"$work/files")
if [ "$nfiles" -eq 0 ]; then
        echo "lint: no files of src/ or tools/ in $build/compile_commands.json" >&2
        echo "lint: 0 passed, 1 failed"
        exit 1
fi

# Paths relative to the top, and none of clang-tidy's chatter.
tidy_filter() {
        sed -e "s|$top/||g" | grep -v -E '^[0-9]+ (warning|error)s? (and [0-9]+ (warning|error)s? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing'
}

echo "== clang-tidy ($(clang-tidy --version | sed -n 's/.*LLVM version \([0-9.]*\).*/\1/p'), $nfiles files)"
start=$(date +%s)
xargs -P "$jobs" -n 4 clang-tidy -p "$work" --quiet <"$work/files" >"$work/tidy.out" 2>&1
tidy_rc=$?
tidy_filter <"$work/tidy.out" >"$work/tidy.txt"
findings=$(grep -c -E ': (warning|error): ' "$work/tidy.txt")
if [ "$tidy_rc" -eq 0 ] && [ "$findings" -eq 0 ]; then
        echo "clang-tidy: no findings ($(($(date +%s) - start)) s)"
        passed=$((passed + 1))
else
        cat "$work/tidy.txt"
        echo "clang-tidy: $findings findings (exit status $tidy_rc)"
        failed=$((failed + 1))
fi

echo "== cppcheck ($(cppcheck --version | sed 's/Cppcheck //'))"
start=$(date +%s)
cppcheck --project="$work/compile_commands.json" --library=gnu --std=c11 \
        --enable=warning,style,performance,portability --inline-suppr \
        --suppressions-list="$top/cppcheck-suppressions.txt" --error-exitcode=1 --quiet -j "$jobs" \
        --template='{file}:{line}:{column}: {severity}: {message} [{id}]' >"$work/cppcheck.out" 2>&1
cpp_rc=$?
sed -e "s|$top/||g" "$work/cppcheck.out" >"$work/cppcheck.txt"
findings=$(grep -c -E ':[0-9]+:[0-9]+: ' "$work/cppcheck.txt")
if [ "$cpp_rc" -eq 0 ] && [ "$findings" -eq 0 ]; then
        echo "cppcheck: no findings ($(($(date +%s) - start)) s)"
        passed=$((passed + 1))
else
        cat "$work/cppcheck.txt"
        echo "cppcheck: $findings findings (exit status $cpp_rc)"
        failed=$((failed + 1))
fi

# No folder of src/ includes a later stage's headers (tests/lint/layers.sh).
echo "== layers (the folders' include order)"
if "$top/tests/lint/layers.sh"; then
        passed=$((passed + 1))
else
        failed=$((failed + 1))
fi

# corral-runner holds only the privileged steps (tests/lint/runner.sh).
echo "== runner (what the binary with file capabilities holds)"
if "$top/tests/lint/runner.sh" "$build" > "$work/runner.out"; then
        tail -n 1 "$work/runner.out"
        passed=$((passed + 1))
else
        grep -v '^ok ' "$work/runner.out"
        failed=$((failed + 1))
fi

echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
