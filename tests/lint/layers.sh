#!/usr/bin/env bash
# The folders of src/ are stages (issue 12, README "Layout"): a folder may
# include its own stage's and earlier stages' headers, never a later stage's:
#   common, toml -> kernel, net -> config -> policy -> plan -> apply -> proxy, supervise
#   -> the backends (users, windows, doctor) -> lib -> the programs
# Reads every `#include "folder/..."` of src/ and prints each later-stage
# include (there is no exception); ends with
#   layers: N passed, N failed
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
python3 - "$top/src" <<'PY'
import os, re, sys
src = sys.argv[1]
stage = {"common": 0, "toml": 0, "kernel": 1, "net": 1, "config": 2, "policy": 3, "plan": 4, "apply": 5,
         "proxy": 6, "supervise": 6, "users": 7, "windows": 7, "doctor": 7, "lib": 8,
         "cli": 9, "mcp": 9, "runner": 9, "setup": 9}
bad = 0
for d in sorted(os.listdir(src)):
    if not os.path.isdir(os.path.join(src, d)):
        continue  # src/meson.build
    if d not in stage:
        print(f"layers: src/{d}/ has no stage: add it to tests/lint/layers.sh"); bad += 1; continue
    for f in sorted(os.listdir(os.path.join(src, d))):
        if f == "meson.build":
            continue
        for n, line in enumerate(open(os.path.join(src, d, f), encoding="utf-8"), 1):
            m = re.match(r'\s*#\s*include\s+"([a-z_]+)/', line)
            if not m or m.group(1) == d:
                continue
            to = m.group(1)
            if stage.get(to, 99) > stage[d]:
                print(f"src/{d}/{f}:{n}: {d}/ (stage {stage[d]}) includes the later stage {to}/: {line.strip()}")
                bad += 1
print(f"layers: {0 if bad else 1} passed, {1 if bad else 0} failed")
sys.exit(1 if bad else 0)
PY
