#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes a corral-runner request (src/users/request.h) to stdout, with
# fields the tests may spoil:
#   request.py [--identity N] [--version N] [--workspace P] [--root P]...
#              [--cwd P] [--network N] [--truncate N] [--magic M] -- ARGV...
import struct, sys

def s(b):
    b = b.encode() if isinstance(b, str) else b
    return struct.pack('<I', len(b)) + b

def lst(items):
    return struct.pack('<I', len(items)) + b''.join(s(i) for i in items)

o = {'identity': 0, 'version': 7, 'workspace': '/tmp', 'cwd': None, 'network': 0, 'truncate': None,
     'magic': 'CRQ1', 'root': []}
a = sys.argv[1:]
while a and a[0] != '--':
    k = a.pop(0)[2:]
    v = a.pop(0)
    if k == 'root':
        o['root'].append(v)
    elif k in ('workspace', 'cwd', 'magic'):
        o[k] = v
    else:
        o[k] = int(v)
argv = a[1:] or ['true']
# mode, network, tmp, git (read-only), report_denials (no), timeout lo/hi, protect_depth, then the
# limits (none); cwd, report_home (none)
body = struct.pack('<IIIIIIII', 1, o['network'], 1, 0, 0, 0, 0, 1) + struct.pack('<8I', *[0] * 8)
body += s(o['cwd'] or o['workspace']) + s('')
body += lst([]) + lst([]) + lst([]) + lst([]) + lst(['PATH=/usr/bin:/bin']) + lst(argv)
body += lst([]) + lst([])  # git_known, git_known_hooks (version 6)
head = struct.pack('<II', o['version'], o['identity']) + s(o['workspace']) + lst(o['root'])
head += struct.pack('<I', len(body))
data = o['magic'].encode() + struct.pack('<I', len(head)) + head + body
if o['truncate'] is not None:
    data = data[:o['truncate']]
sys.stdout.buffer.write(data)
