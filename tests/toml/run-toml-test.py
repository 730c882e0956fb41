#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs a toml-test decoder over every TOML 1.0.0 case of the toml-test suite.

Usage: run-toml-test.py DECODER

The suite directory comes from $TOML_TEST_DIR, by default <repo>/../shared/toml-test
(the repository root being two levels above this script). The cases are the
.toml files listed in its tests/files-toml-1.0.0:

- valid/...: the decoder must exit 0 and print tagged JSON equal to the .json
  file next to the case, compared the way toml-test does (integers and floats
  by value, nan equal to nan; datetimes by the moment they stand for; strings
  and booleans exactly);
- invalid/...: the decoder must exit 1 (anything else, a crash say, fails).

Prints each failure, then "toml-test: N passed, N failed"; exits 1 if any
case failed. Without the suite directory it says why and reports the whole
run as skipped (exit 0).
"""

import json
import math
import os
import re
import subprocess
import sys

TIMEOUT = 10


def frac(digits):
    return (digits or "").rstrip("0")


def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


TIME = r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ]" + TIME + r"([Zz]|[+-]\d{2}:\d{2})?")


def datetime_key(kind, text):
    """What two datetimes of the same kind must agree on to be equal."""
    if kind == "date-local":
        return text
    if kind == "time-local":
        m = re.fullmatch(TIME, text)
        return (m[1], m[2], m[3], frac(m[4])) if m else text
    m = DATETIME.fullmatch(text)
    if not m:
        return text
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    if kind == "datetime-local":
        return (y, mo, d, h, mi, s, frac(m[7]), m[8] is None)
    offset = 0
    if m[8] and m[8] not in "Zz":
        sign = -1 if m[8][0] == "-" else 1
        offset = sign * (int(m[8][1:3]) * 3600 + int(m[8][4:6]) * 60)
    moment = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
    return (moment, frac(m[7]), m[8] is not None)


def parse_float(text):
    t = text.strip().lower()
    if t.lstrip("+-") == "nan":
        return math.nan
    if t.lstrip("+-") == "inf":
        return -math.inf if t.startswith("-") else math.inf
    return float(t.replace("_", ""))


def scalar_equal(kind, got, want):
    try:
        if kind == "integer":
            return int(got) == int(want)
        if kind == "float":
            g, w = parse_float(got), parse_float(want)
            return (math.isnan(g) and math.isnan(w)) or g == w
        if kind in ("datetime", "datetime-local", "date-local", "time-local"):
            return datetime_key(kind, got) == datetime_key(kind, want)
    except ValueError:
        return False
    return got == want


def is_tagged(v):
    return (isinstance(v, dict) and set(v) == {"type", "value"}
            and isinstance(v["type"], str) and isinstance(v["value"], str))


def difference(got, want, path="."):
    """None if got equals want as tagged JSON, else where and how they differ."""
    if is_tagged(want):
        if not is_tagged(got):
            return f"{path}: expected a {want['type']}, got {json.dumps(got)[:100]}"
        if got["type"] != want["type"]:
            return f"{path}: expected type {want['type']}, got {got['type']}"
        if not scalar_equal(want["type"], got["value"], want["value"]):
            return f"{path}: expected {want['value']!r}, got {got['value']!r}"
        return None
    if isinstance(want, dict):
        if not isinstance(got, dict) or is_tagged(got):
            return f"{path}: expected a table, got {json.dumps(got)[:100]}"
        if set(got) != set(want):
            missing = sorted(set(want) - set(got))
            extra = sorted(set(got) - set(want))
            return f"{path}: keys differ: missing {missing}, unexpected {extra}"
        for k in want:
            d = difference(got[k], want[k], f"{path}{k!r}.")
            if d:
                return d
        return None
    if isinstance(want, list):
        if not isinstance(got, list):
            return f"{path}: expected an array, got {json.dumps(got)[:100]}"
        if len(got) != len(want):
            return f"{path}: expected {len(want)} elements, got {len(got)}"
        for i, (g, w) in enumerate(zip(got, want)):
            d = difference(g, w, f"{path}[{i}].")
            if d:
                return d
        return None
    return None if got == want else f"{path}: expected {want!r}, got {got!r}"


def run_decoder(decoder, data):
    try:
        p = subprocess.run([decoder], input=data, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, b"", b"timed out"
    return p.returncode, p.stdout, p.stderr


def check_case(decoder, tests_dir, name):
    """None if the case passes, else why it fails."""
    with open(os.path.join(tests_dir, name), "rb") as f:
        data = f.read()
    rc, out, err = run_decoder(decoder, data)
    err = err.decode("utf-8", "replace").strip()
    if rc is None:
        return "decoder timed out"
    if name.startswith("invalid/"):
        if rc == 1:
            return None
        if rc == 0:
            return "invalid TOML accepted"
        return f"decoder exited with status {rc} (expected 1): {err}"
    if rc != 0:
        return f"valid TOML rejected (status {rc}): {err}"
    try:
        got = json.loads(out.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return f"decoder printed invalid JSON: {e}"
    with open(os.path.join(tests_dir, name[:-len(".toml")] + ".json"), encoding="utf-8") as f:
        want = json.load(f)
    return difference(got, want)


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} DECODER", file=sys.stderr)
        return 2
    decoder = os.path.abspath(sys.argv[1])
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    suite = os.environ.get("TOML_TEST_DIR") or os.path.join(repo, "..", "shared", "toml-test")
    tests_dir = os.path.join(suite, "tests")
    listing = os.path.join(tests_dir, "files-toml-1.0.0")
    if not os.path.isfile(listing):
        print(f"toml-test suite not found: {listing} does not exist (set TOML_TEST_DIR)")
        print("toml-test: 0 passed, 0 failed, 1 skipped")
        return 0

    with open(listing, encoding="utf-8") as f:
        cases = [line.strip() for line in f if line.strip().endswith(".toml")]
    passed = failed = 0
    for name in cases:
        why = check_case(decoder, tests_dir, name)
        if why is None:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {name}: {why}")
    print(f"toml-test: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
