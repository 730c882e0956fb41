#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Network probes and servers for the elevated tests.
#   probe.py tcp HOST PORT      connect; exit 0 if it worked, 1 if not
#   probe.py udp HOST PORT      send a datagram, wait for an answer
#   probe.py icmp HOST          ICMP echo over an unprivileged ICMP socket
#   probe.py serve tcp|udp HOST PORT   answer every client with HELLO
import socket, sys, errno

def fam(host):
    return socket.AF_INET6 if ':' in host else socket.AF_INET

def main(a):
    kind = a[0]
    if kind == 'serve':
        proto, host, port = a[1], a[2], int(a[3])
        s = socket.socket(fam(host), socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        if proto == 'tcp':
            s.listen(16)
        print('READY', flush=True)
        while True:
            if proto == 'tcp':
                c, _ = s.accept()
                c.sendall(b'HELLO\n')
                c.close()
            else:
                _, peer = s.recvfrom(100)
                s.sendto(b'HELLO\n', peer)
    host = a[1]
    try:
        if kind == 'tcp':
            s = socket.socket(fam(host), socket.SOCK_STREAM)
            s.settimeout(3)
            s.connect((host, int(a[2])))
            ok = s.recv(10).startswith(b'HELLO')
        elif kind == 'udp':
            s = socket.socket(fam(host), socket.SOCK_DGRAM)
            s.settimeout(2)
            s.sendto(b'x', (host, int(a[2])))
            ok = s.recvfrom(100)[0].startswith(b'HELLO')
        elif kind == 'icmp':
            v6 = ':' in host
            s = socket.socket(fam(host), socket.SOCK_DGRAM, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
            s.settimeout(2)
            s.sendto(bytes([128 if v6 else 8, 0, 0, 0, 0, 1, 0, 1]) + b'corral', (host, 0))
            ok = len(s.recvfrom(100)[0]) > 0
        else:
            print('usage', file=sys.stderr)
            return 2
    except OSError as e:
        print('BLOCKED: %s %s: %s' % (kind, host, e.strerror or e))
        return 1
    print('REACHED: %s %s' % (kind, host))
    return 0 if ok else 1

sys.exit(main(sys.argv[1:]))
