#!/usr/bin/env python3
"""The network proxy's benchmark (bench/proxy.sh), in three roles:

  proxy.py serve ADDR                 the remote host: port 9000 sends BYTES
                                      (first line of the request: a number)
                                      then closes; port 9001 echoes
  proxy.py client MODE ...            a client, direct or through the proxy:
      throughput HOST BYTES           read BYTES from HOST:9000; prints MB/s
      latency HOST N                  N sequential connect + 1-byte echo;
                                      prints the median in microseconds
      idle HOST N SECONDS             hold N open tunnels to HOST:9001 for
                                      SECONDS, printing READY when they are
With PROXY=host:port in the environment the client goes through that HTTP
proxy with CONNECT; without it, it connects directly."""
import os
import socket
import socketserver
import statistics
import sys
import threading
import time


def serve(addr):
    chunk = b"\0" * (1 << 20)

    class Source(socketserver.BaseRequestHandler):
        def handle(self):
            n = int(self.request.makefile("rb").readline())
            while n > 0:
                k = min(n, len(chunk))
                self.request.sendall(chunk[:k] if k < len(chunk) else chunk)
                n -= k

    class Echo(socketserver.BaseRequestHandler):
        def handle(self):
            while True:
                d = self.request.recv(65536)
                if not d:
                    return
                self.request.sendall(d)

    class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 1024

    for port, h in ((9000, Source), (9001, Echo)):
        threading.Thread(target=S((addr, port), h).serve_forever, daemon=True).start()
    print("READY", flush=True)
    while True:
        time.sleep(3600)


def connect(host, port):
    proxy = os.environ.get("PROXY")
    if not proxy:
        s = socket.create_connection((host, port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s
    ph, pp = proxy.rsplit(":", 1)
    s = socket.create_connection((ph, int(pp)))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(b"CONNECT %s:%d HTTP/1.1\r\nHost: x\r\n\r\n" % (host.encode(), port))
    # the reply, as a client with a buffer reads it (one look, one read),
    # not a byte at a time: the latency is the proxy's, not this loop's
    while True:
        buf = s.recv(4096, socket.MSG_PEEK)
        if not buf:
            raise SystemExit("proxy closed")
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            buf = s.recv(end + 4)
            break
        if len(buf) >= 4096:
            raise SystemExit("proxy reply too long: %r" % buf)
        time.sleep(0.0001)
    if not buf.startswith(b"HTTP/1.1 200"):
        raise SystemExit("proxy refused: %r" % buf)
    return s


def throughput(host, n):
    s = connect(host, 9000)
    s.sendall(b"%d\n" % n)
    t = time.monotonic()
    got = 0
    buf = bytearray(1 << 20)
    while got < n:
        k = s.recv_into(buf)
        if not k:
            break
        got += k
    dt = time.monotonic() - t
    if got != n:
        raise SystemExit("short read: %d of %d" % (got, n))
    print("%.1f" % (n / dt / 1e6))


def latency(host, n):
    times = []
    for _ in range(n):
        t = time.monotonic()
        s = connect(host, 9001)
        s.sendall(b"x")
        s.recv(1)
        times.append(time.monotonic() - t)
        s.close()
    print("%.0f" % (statistics.median(times) * 1e6))


def idle(host, n, secs):
    socks = [connect(host, 9001) for _ in range(n)]
    print("READY", flush=True)
    time.sleep(secs)
    for s in socks:
        s.close()


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    mode, host = sys.argv[2], sys.argv[3]
    if mode == "throughput":
        throughput(host, int(sys.argv[4]))
    elif mode == "latency":
        latency(host, int(sys.argv[4]))
    elif mode == "idle":
        idle(host, int(sys.argv[4]), float(sys.argv[5]))
