#!/usr/bin/env bash
# One test suite as a `meson test` test (tests/meson.build registers each):
#
#   tests/suite.sh SCRIPT ARGS...
#
# Runs SCRIPT, whose last line of output is its summary
# ("NAME: N passed, N failed, N skipped"), and turns that line into an exit
# status meson understands: 0 when something passed and nothing failed,
# 77 (skipped) when every case was skipped, 1 when a case failed or the
# script ended without a summary line. tests/run-all.sh adds the summary
# lines up from meson's log.
set -u
# meson sets MALLOC_PERTURB_ for its tests; the suites run corral, whose
# environment filter passes variables like this one on to the sandboxed
# commands they check, and the sanitizer suite sets its own allocator options.
unset MALLOC_PERTURB_
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
last=$(tail -n 1 "$out")
if ! grep -q ' [0-9]\+ passed' <<<"$last"; then
        echo "suite: $(basename "$1") ended without a summary line (exit status $rc)"
        exit 1
fi
p=$(sed -n 's/.* \([0-9]\+\) passed.*/\1/p' <<<"$last")
f=$(sed -n 's/.* \([0-9]\+\) failed.*/\1/p' <<<"$last")
s=$(sed -n 's/.* \([0-9]\+\) skipped.*/\1/p' <<<"$last")
if [ "${f:-0}" -gt 0 ] || [ "$rc" -ne 0 ]; then exit 1; fi
if [ "${p:-0}" -eq 0 ] && [ "${s:-0}" -gt 0 ]; then exit 77; fi
exit 0
