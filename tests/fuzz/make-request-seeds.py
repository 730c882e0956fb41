#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_request (tests/fuzz/corpus/request/) in the
format of src/users/request.h: "CRQ1", u32 head_len, head, body; all
integers u32 little-endian, strings u32 length + bytes. Run it again after
changing that format:  python3 tests/fuzz/make-request-seeds.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "request")
VERSION = 7


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def s(text):
    b = text.encode() if isinstance(text, str) else text
    return u32(len(b)) + b


def lst(items):
    return u32(len(items)) + b"".join(s(i) for i in items)


def request(workspace="/home/u/proj", roots=("/home/u/proj",), identity=0, mode=1, network=0, tmp=0, git=0,
            report_denials=0, report_home="", timeout_ms=0, protect_depth=1, limits=(0, 0, 0, 0), cwd=None, protect=(".git", ".codex", ".agents", ".corral", ".corral.toml"),
            deny_read=("/home/u/.ssh", "/home/u/.aws"), allow_read=(), sockets=(),
            env=("PATH=/usr/bin:/bin", "HOME=/home/u", "TERM=xterm"), argv=("make", "check"),
            git_known=(), git_known_hooks=(), version=VERSION, body_len=None, head_len=None, trailing=b""):
    body = (u32(mode) + u32(network) + u32(tmp) + u32(git) + u32(report_denials) + u32(timeout_ms) + u32(timeout_ms >> 32) +
            u32(protect_depth) + b"".join(u32(v) + u32(v >> 32) for v in limits) + s(cwd or workspace) + s(report_home) + lst(protect) + lst(deny_read) + lst(allow_read) + lst(sockets) +
            lst(env) + lst(argv) + lst(git_known) + lst(git_known_hooks))
    head = (u32(version) + u32(identity) + s(workspace) + lst(roots) +
            u32(len(body) if body_len is None else body_len))
    return b"CRQ1" + u32(len(head) if head_len is None else head_len) + head + body + trailing


SEEDS = {
    "valid-default": request(),
    "valid-read-only-online": request(mode=0, network=1, tmp=1, identity=1, roots=()),
    "valid-full-access-timeout": request(mode=2, tmp=2, timeout_ms=(1 << 32) + 1500, cwd="/home/u/proj/sub",
                                         roots=("/home/u/proj", "/tmp/cache", "/")),
    "valid-lists": request(allow_read=("/home/u/.ssh/known_hosts",), sockets=("/run/user/1000/bus",),
                           env=("A=", "B==", "C=multi\nline\tvalue"), argv=("sh", "-c", "echo hi; exit 3", "")),
    "valid-root-workspace": request(workspace="/", roots=("/",), cwd="/"),
    "valid-limits": request(limits=(512 << 20, 100, 60, 64 << 20)),
    "valid-git-known": request(git_known=("/home/u/proj/.githooks", "/home/u/proj/tools"),
                               git_known_hooks=(".githooks", "../hooks")),
    "bad-git-known-relative": request(git_known=("proj/.githooks",)),
    "bad-git-known-hooks-empty": request(git_known_hooks=("",)),
    "bad-version": request(version=2),
    "bad-limit-memory-small": request(limits=(4096, 0, 0, 0)),
    "bad-limit-pids-big": request(limits=(0, 1 << 40, 0, 0)),
    "bad-protect-depth": request(protect_depth=33),
    "bad-identity": request(identity=2),
    "bad-workspace-relative": request(workspace="home/u"),
    "bad-workspace-dotdot": request(workspace="/home/u/../root"),
    "bad-workspace-slashes": request(workspace="/home//u/"),
    "bad-workspace-control": request(workspace="/home/u/\x1b[2J"),
    "bad-workspace-nul": request(workspace=b"/home/u\x00x"),
    "bad-root-dot": request(roots=("/home/u/./x",)),
    "bad-too-many-roots": request(roots=tuple("/r%d" % i for i in range(33))),
    "bad-mode": request(mode=3),
    "bad-network": request(network=7),
    "bad-tmp": request(tmp=0xFFFFFFFF),
    "bad-git": request(git=2),
    "valid-commits": request(git=1),
    "valid-report-denials": request(report_denials=1, report_home="/home/u"),
    "valid-report-writes": request(report_denials=2, report_home="/home/u"),
    "bad-report-denials": request(report_denials=3),
    "bad-report-home": request(report_denials=1, report_home="home/u"),
    "bad-report-home-without-reports": request(report_denials=0, report_home="/home/u"),
    "bad-protect-slash": request(protect=("a/b",)),
    "bad-protect-dotdot": request(protect=("..",)),
    "bad-env-no-equals": request(env=("PATH",)),
    "bad-env-empty-name": request(env=("=x",)),
    "bad-argv-empty": request(argv=()),
    "bad-argv0-empty": request(argv=("",)),
    "bad-body-length": request(body_len=(4 << 20) + 1),
    "bad-body-short": request(body_len=10),
    "bad-head-length-small": request(head_len=19),
    "bad-head-length-big": request(head_len=(256 << 10) + 1),
    "bad-trailing": request(trailing=b"\x0f\x00\x00\x00"),
    "bad-magic": b"CRQ0" + request()[4:],
    "bad-string-too-long": request(argv=("x" * 4097,)),
    "truncated": request()[:40],
    "signals-after-body": request() + u32(15) + u32(2),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name + ".bin"), "wb") as f:
        f.write(data)
print("%d seeds in %s" % (len(SEEDS), OUT))
