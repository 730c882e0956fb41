#!/usr/bin/env bash
# Builds corral's libFuzzer targets with clang (-fsanitize=fuzzer,address,
# undefined) and runs each for a bounded time.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS: how long each target fuzzes (default 60; 0 runs only the checked-in
# corpus, as a quick regression test). TARGET: one of the names below
# (default: all): toml, config, request, net, mcp, gitconfig, gitindex,
# gitobject.
# The targets run side by side, one process each. Everything goes to
# build-fuzz/ (FUZZ_BUILD overrides): the binaries, the corpus each run grows
# (thrown away at the next run), logs, and crash-*/leak-*/timeout-*/oom-*
# artifacts. The seed corpora in tests/fuzz/corpus/TARGET are only read.
#
# Exit status 0 only if every target built and ran without a crash, leak,
# timeout, out-of-memory or sanitizer report. Last line:
#   fuzz: N passed, N failed
#
# A failure prints the report and the artifact. Reproduce it with
#   build-fuzz/fuzz_TARGET build-fuzz/artifacts/TARGET-crash-...
# fix the bug, and keep the input as a regression case:
#   cp build-fuzz/artifacts/TARGET-crash-... tests/fuzz/corpus/TARGET/regression-WHAT
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/fuzz
secs=${1:-60}
shift $(($# > 0 ? 1 : 0))
out=${FUZZ_BUILD:-$top/build-fuzz}
cc=${FUZZ_CC:-clang}

case $secs in
'' | *[!0-9]*)
        echo "usage: tests/fuzz/run.sh [SECONDS] [TARGET...]" >&2
        exit 2
        ;;
esac

all_targets=(toml config request net mcp gitconfig gitindex gitobject)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# The sources each target links: whole directories of the portable core, so
# that a new file there needs no change here; the Windows-only files
# (*_win.c) left out.
sources() {
        local f
        case $1 in
        toml) set -- "$top"/src/toml/*.c ;;
        config) set -- "$top"/src/common/*.c "$top"/src/toml/*.c "$top"/src/config/*.c "$top"/src/policy/*.c "$top"/src/net/*.c ;;
        request) set -- "$top"/src/common/*.c "$top/src/users/request.c" "$top/src/config/limits.c" "$top/src/config/values.c" ;;
        net) set -- "$top"/src/common/*.c "$top"/src/net/*.c ;;
        mcp) set -- "$top/src/mcp/tool.c" "$top/src/mcp/utf8.c" "$top/src/common/exitcode.c" ;;
        gitconfig) set -- "$top/src/plan/gitconfig.c" ;;
        gitindex) set -- "$top/src/plan/gitindex.c" "$top"/src/common/*.c ;;
        gitobject) set -- "$top/src/supervise/gitobject.c" "$top/src/plan/gitconfig.c" "$top"/src/common/*.c ;;
        *) return 1 ;;
        esac
        for f; do [[ $f == *_win.c ]] || echo "$f"; done
}

if ! command -v "$cc" >/dev/null; then
        echo "fuzz: $cc not found (Debian: apt-get install clang libclang-rt-14-dev llvm)" >&2
        echo "fuzz: 0 passed, 1 failed"
        exit 1
fi

cflags=(-std=gnu17 -g -O1 -fno-omit-frame-pointer
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
        -D_GNU_SOURCE '-DCORRAL_VERSION="fuzz"' -I"$top/include" -I"$top/src"
        -Wall -Wextra -Wno-unused-parameter)

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && ! command -v llvm-symbolizer >/dev/null; then
        for s in /usr/lib/llvm-*/bin/llvm-symbolizer; do
                [ -x "$s" ] && export ASAN_SYMBOLIZER_PATH=$s
        done
fi

mkdir -p "$out/logs" "$out/artifacts"
passed=0 failed=0
pids=() names=()

for t in "${targets[@]}"; do
        if ! src=$(sources "$t") || [ ! -f "$here/fuzz_$t.c" ]; then
                echo "fuzz: unknown target '$t' (known: ${all_targets[*]})" >&2
                failed=$((failed + 1))
                continue
        fi
        # shellcheck disable=SC2086 # $src is a list of paths without spaces
        libs=()
        [ "$t" = mcp ] && libs=(-ljansson -lm) # corral mcp's JSON library
        [ "$t" = gitobject ] && libs=(-lz)
        if ! "$cc" "${cflags[@]}" $src "$here/fuzz_$t.c" "${libs[@]}" -o "$out/fuzz_$t" 2>"$out/logs/$t-build.log"; then
                cat "$out/logs/$t-build.log" >&2
                echo "fuzz_$t: does not build (clang with libFuzzer: Debian's clang and libclang-rt-14-dev)" >&2
                failed=$((failed + 1))
                continue
        fi

        # Dictionaries: TOML syntax for the TOML-reading targets, plus each
        # target's own (tests/fuzz/TARGET.dict), in one file.
        dict=$out/$t.dict
        : >"$dict"
        case $t in toml | config) cat "$here/toml.dict" >>"$dict" ;; esac
        if [ "$t" != toml ] && [ -f "$here/$t.dict" ]; then cat "$here/$t.dict" >>"$dict"; fi
        dictopt=()
        [ -s "$dict" ] && dictopt=(-dict="$dict")
        rm -rf "$out/corpus/$t" "$out/tmp/$t"
        rm -f "$out/artifacts/$t-"*
        mkdir -p "$out/corpus/$t" "$out/tmp/$t"
        if [ "$secs" -eq 0 ]; then
                budget=(-runs=0)
        else
                budget=(-max_total_time="$secs")
        fi
        # The first corpus directory receives what the run finds; the seeds
        # (second) are only read. fuzz_config makes its tree under TMPDIR.
        TMPDIR=$out/tmp/$t "$out/fuzz_$t" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
                "${dictopt[@]}" -artifact_prefix="$out/artifacts/$t-" -print_final_stats=1 \
                "$out/corpus/$t" "$here/corpus/$t" >"$out/logs/$t.log" 2>&1 &
        pids+=($!)
        names+=("$t")
done

for i in "${!pids[@]}"; do
        t=${names[$i]}
        wait "${pids[$i]}"
        rc=$?
        log=$out/logs/$t.log
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
        rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
        seeds=$(find "$here/corpus/$t" -type f | wc -l)
        artifacts=$(find "$out/artifacts" -name "$t-*" -type f)
        rm -rf "$out/tmp/$t"
        if [ "$rc" -eq 0 ] && [ -z "$artifacts" ]; then
                echo "fuzz_$t: ok: ${runs:-?} executions in ${secs} s from $seeds seeds, ${added:-0} new inputs, peak RSS ${rss:-?} MB"
                passed=$((passed + 1))
        else
                echo "fuzz_$t: FAILED (exit status $rc) after ${runs:-?} executions; the report:"
                # The sanitizer's or libFuzzer's report, without the progress lines.
                grep -v -E '^#[0-9]+[[:space:]]' "$log" | grep -A 80 -m 1 -E '^==[0-9]+==|ERROR|^fuzz_[a-z]+: broken promise|Test unit written|deadly signal' | head -n 120
                for a in $artifacts; do
                        echo "fuzz_$t: the input: $a (keep it as tests/fuzz/corpus/$t/regression-WHAT once fixed)"
                done
                failed=$((failed + 1))
        fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
