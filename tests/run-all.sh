#!/usr/bin/env bash
# Runs every test suite against the build in $1 through `meson test` (the
# suites are registered in tests/meson.build and tests/unit/meson.build) and
# ends with one line: "N passed, N failed, N skipped", the cases of all
# suites added up from meson's log. Exit status 0 only if nothing failed.
#
#   tests/run-all.sh [BUILD_DIR] [meson test options, e.g. --suite docs]
set -u
build=${1:-build}
build=$(cd "$build" && pwd)
shift || true

# One suite at a time, its output shown as it runs (the log read below is
# this run's: meson writes none when there are no tests).
rm -f "$build/meson-logs/testlog.json"
meson test -C "$build" --no-rebuild --num-processes 1 --verbose --print-errorlogs "$@"
rc=$?

# Every test's result and output, from meson's own log: a cmocka program
# counts its cases; a script suite, its last line (tests/suite.sh).
python3 - "$build/meson-logs/testlog.json" "$rc" <<'PY'
import json, os, re, sys
passed = failed = skipped = 0
tests = 0
log = sys.argv[1]
for line in open(log) if os.path.exists(log) else []:
    t = json.loads(line)
    tests += 1
    out = (t.get("stdout") or "") + (t.get("stderr") or "")
    ok = t["result"] in ("OK", "SKIP", "EXPECTEDFAIL")
    if t["name"].split(" / ")[0].endswith(":unit"):  # "corral:unit / toml"
        p = len(re.findall(r"^\[       OK \]", out, re.M))
        f = len(set(re.findall(r"^\[  FAILED  \] ([a-z_]\w*)", out, re.M)))  # listed twice
        s = 0
    else:
        summary = [l for l in out.splitlines() if re.search(r" \d+ passed", l)]
        last = summary[-1] if summary else ""
        num = lambda w: int((re.search(r"(\d+) " + w, last) or [0, 0])[1])
        p, f, s = num("passed"), num("failed"), num("skipped")
    if not ok and f == 0:  # crashed, timed out, or died before its summary
        print(f"run-all: {t['name']}: {t['result']} without a failed case in its summary")
        f = 1
    passed, failed, skipped = passed + p, failed + f, skipped + s
if tests == 0 or (int(sys.argv[2]) != 0 and failed == 0):
    print(f"run-all: meson test ran {tests} tests and exited with {sys.argv[2]}"
          + (" (a build configured with -Dtests=disabled, or without cmocka?)" if tests == 0 else ""))
    failed += 1
print()
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
