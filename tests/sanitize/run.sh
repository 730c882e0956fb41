#!/usr/bin/env bash
# Runs the unit tests (tests/unit, cmocka) under AddressSanitizer,
# LeakSanitizer and UndefinedBehaviorSanitizer.
#
#   tests/sanitize/run.sh [BUILD_DIR]
#
# BUILD_DIR (default: build-asan beside the sources) is a Meson build
# directory of its own, configured here the first time with
# -Db_sanitize=address,undefined; only the unit test programs are built in it.
# Any sanitizer report fails the test program that made it: the runtime
# options below make every report fatal.
#
# Prints one line per test program, then, as its last line:
#   unit (ASan+UBSan): N passed, N failed
# Exit status 0 only if nothing failed.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/build-asan}
summary() { echo "unit (ASan+UBSan): $1 passed, $2 failed"; }

if [ ! -f "$dir/build.ninja" ]; then
        # werror=false: the regular build holds the warnings to -Werror; the
        # sanitizers change what GCC's flow analysis sees, and a warning
        # that only appears here is not what this build is for.
        if ! log=$(meson setup "$dir" "$top" -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false \
                -Dc_args="-fno-omit-frame-pointer -fno-sanitize-recover=all" 2>&1); then
                printf '%s\n' "$log" >&2
                echo "sanitize: meson setup $dir failed" >&2
                summary 0 1
                exit 1
        fi
fi

# The unit test programs, as Meson knows them (suite "unit").
mapfile -t tests < <(meson introspect "$dir" --tests | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if any(s.split(":")[-1] == "unit" for s in t["suite"]):
        print(t["cmd"][0])
')
if [ ${#tests[@]} -eq 0 ]; then
        echo "sanitize: no unit tests found in $dir" >&2
        summary 0 1
        exit 1
fi
targets=()
for t in "${tests[@]}"; do targets+=("${t#"$dir"/}"); done
if ! ninja -C "$dir" "${targets[@]}" >"$dir/sanitize-build.log" 2>&1; then
        tail -n 40 "$dir/sanitize-build.log" >&2
        echo "sanitize: building the unit tests with sanitizers failed" >&2
        summary 0 1
        exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-}

passed=0 failed=0
for t in "${tests[@]}"; do
        name=$(basename "$t")
        out=$("$t" 2>&1)
        rc=$?
        ok=$(grep -c '^\[       OK \]' <<<"$out")
        bad=$(grep -c '^\[  FAILED  \] [a-z_]' <<<"$out")
        report=$(grep -c -E '^==[0-9]+==ERROR|runtime error:|^SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer' <<<"$out")
        # A sanitizer report or a crash fails the program even if cmocka
        # counted the test it happened in as passed.
        if [ $rc -ne 0 ] || [ "$report" -gt 0 ]; then [ "$bad" -eq 0 ] && bad=1; fi
        if [ "$bad" -gt 0 ]; then
                grep -E -A 30 '^==[0-9]+==ERROR|runtime error:' <<<"$out" | head -n 60
                grep -E '^\[  FAILED  \]|^\[  ERROR   \]' <<<"$out" | head -n 20
                echo "$name: exit status $rc"
        fi
        echo "$name (ASan+UBSan): $ok passed, $bad failed"
        passed=$((passed + ok)) failed=$((failed + bad))
done
summary "$passed" "$failed"
[ "$failed" -eq 0 ]
