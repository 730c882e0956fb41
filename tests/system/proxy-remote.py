#!/usr/bin/env python3
"""The remote host of tests/system/proxy.bats, run inside its own network
namespace (198.18.0.2 and 2001:db8::2). It serves:

  80   HTTP: /x returns "REMOTE-OK host=<Host header>"; /git/... is git's
       smart HTTP (git http-backend over the repositories in GITROOT); a
       POST elsewhere reads its body (Content-Length or chunked) and returns
       "POST-OK host=<Host> <length|chunked> <bytes> <sha256>". Connections
       are kept alive (HTTP/1.1) unless the request says close, so that
       pipelined requests are served as a real shared server would.
  81   the same, as a lenient shared server that serves every request on a
       connection, whatever "Connection: close" said (what a proxy that
       relays a client's later bytes would hand a pipelined request to)
  443  the same over TLS, with a self-signed certificate (CERT, KEY)
  8443 TLS that accepts and never answers (a hanging upstream)
  53   UDP and TCP: counts datagrams and connections (a DNS server that
       must never hear from the sandbox)
  9    TCP: accepts and counts (a service no rule allows)
  7    TCP echo: sends back every byte it gets, until the client closes
       (large transfers both ways through a tunnel)

and logs the server name (SNI) of every TLS handshake as "sni NAME", and
every HTTP request it serves as "req METHOD HOST PATH" (what reached the
server, request by request, on one connection or many).

Every accepted connection and datagram is logged to LOG as one line
"PORT CLIENT-ADDRESS", so a test can check from outside the sandbox what
reached the remote host at all."""
import hashlib
import http.server
import os
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time

LOG, CERT, KEY, GITROOT = (sys.argv[1:5] + ["", "", "", ""])[:4]
lock = threading.Lock()


def log_text(text):
    with lock, open(LOG, "a") as f:
        f.write(text + "\n")


def log(port, addr):
    with lock, open(LOG, "a") as f:
        f.write("%d %s\n" % (port, addr))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, code, body, ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        """The request's body and how it was framed."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data, "chunked"
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return (self.rfile.read(length) if length else b""), "length"

    def git(self):
        path, _, query = self.path[len("/git"):].partition("?")
        body = self.body()[0] if self.command == "POST" else b""
        env = dict(os.environ, GIT_PROJECT_ROOT=GITROOT, GIT_HTTP_EXPORT_ALL="1", PATH_INFO=path,
                   QUERY_STRING=query, REQUEST_METHOD=self.command,
                   CONTENT_TYPE=self.headers.get("Content-Type", ""), CONTENT_LENGTH=str(len(body)),
                   REMOTE_ADDR=self.client_address[0], GATEWAY_INTERFACE="CGI/1.1")
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        head, _, rest = out.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.split(b"\r\n"):
            k, _, v = line.decode().partition(":")
            if k.lower() == "status":
                status = int(v.strip().split()[0])
            elif k:
                headers.append((k, v.strip()))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(rest)))
        self.end_headers()
        self.wfile.write(rest)

    def do_GET(self):
        log_text("req %s %s %s" % (self.command, self.headers.get("Host", ""), self.path))
        if self.path.startswith("/git/"):
            return self.git()
        if self.command == "POST":
            data, how = self.body()
            return self.reply(200, ("POST-OK host=%s %s %d %s\n" % (self.headers.get("Host", ""), how, len(data),
                                                                  hashlib.sha256(data).hexdigest())).encode())
        if self.path.startswith("/big/"):
            n = int(self.path[5:])
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            chunk = b"x" * 65536
            while n > 0:
                self.wfile.write(chunk[:min(n, len(chunk))])
                n -= len(chunk)
            return
        self.reply(200, ("REMOTE-OK host=%s\n" % self.headers.get("Host", "")).encode())

    do_POST = do_GET


class KeepHandler(Handler):
    """Ignores "Connection: close": reads the next request on the connection."""

    def parse_request(self):
        ok = super().parse_request()
        if ok:
            self.close_connection = False
        return ok


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, addr, port, family, tls, handler=Handler):
        self.address_family = family
        self.port_no = port
        self.tls = tls
        super().__init__((addr, port), handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        log(self.port_no, addr[0])
        return sock, addr

    def handle_error(self, request, client_address):
        pass


def serve_forever(srv):
    threading.Thread(target=srv.serve_forever, daemon=True).start()


def hang(port, addr="198.18.0.2"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1024)
    held = []
    while True:
        c, a = s.accept()
        log(port, a[0])
        held.append(c)


def echo(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("198.18.0.2", port))
    s.listen(1024)

    def one(c):
        try:
            while True:
                d = c.recv(1 << 18)
                if not d:
                    break
                c.sendall(d)
            c.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        c.close()

    while True:
        c, a = s.accept()
        log(port, a[0])
        threading.Thread(target=one, args=(c,), daemon=True).start()


def udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("198.18.0.2", port))
    while True:
        _, a = s.recvfrom(65536)
        log(port, "udp:" + a[0])


if GITROOT == "--local":
    # the lab's "machine": its loopback and its own address, counted only
    for a in ("127.0.0.1", "198.18.0.1"):
        for p in (80, 443):
            threading.Thread(target=hang, args=(p, a), daemon=True).start()
    with open(LOG, "a") as f:
        f.write("READY\n")
    while True:
        time.sleep(3600)

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
if CERT:
    ctx.load_cert_chain(CERT, KEY)
# every TLS server name a handshake carried: "sni NAME"
ctx.sni_callback = lambda sock, name, c: log_text("sni %s" % name)


class TLSServer(Server):
    """TLS is set up in the handler's thread: a client that never speaks
    TLS must not hold up the accept loop."""

    def get_request(self):
        sock, a = self.socket.accept()
        log(self.port_no, a[0])
        return sock, a

    def finish_request(self, request, client_address):
        try:
            request = ctx.wrap_socket(request, server_side=True)
        except Exception:
            return
        super().finish_request(request, client_address)


for addr, fam in (("198.18.0.2", socket.AF_INET), ("2001:db8::2", socket.AF_INET6)):
    serve_forever(Server(addr, 80, fam, None))
    serve_forever(Server(addr, 81, fam, None, KeepHandler))
    serve_forever(TLSServer(addr, 443, fam, None))


for p in (8443, 53, 9):
    threading.Thread(target=hang, args=(p,), daemon=True).start()
threading.Thread(target=udp, args=(53,), daemon=True).start()
threading.Thread(target=echo, args=(7,), daemon=True).start()
with open(LOG, "a") as f:
    f.write("READY\n")
while True:
    time.sleep(3600)
