#!/usr/bin/env python3
# Writes the seed corpus of fuzz_net (tests/fuzz/corpus/net/): the first byte
# picks the parser (see fuzz_net.c). Run it again after changing a parser.
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "corpus", "net")
os.makedirs(out, exist_ok=True)


def put(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def client_hello(sni, rec=4096):
    body = b"\x03\x03" + b"\xab" * 32 + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00"
    exts = b"\x00\x0a\x00\x04\x00\x02\x00\x1d"
    if sni is not None:
        n = sni.encode()
        entry = b"\x00" + struct.pack(">H", len(n)) + n
        lst = struct.pack(">H", len(entry)) + entry
        exts += b"\x00\x00" + struct.pack(">H", len(lst)) + lst
    body += struct.pack(">H", len(exts)) + exts
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    recs = b""
    for i in range(0, len(hs), rec):
        part = hs[i:i + rec]
        recs += b"\x16\x03\x01" + struct.pack(">H", len(part)) + part
    return recs


heads = {
    "connect": b"CONNECT allowed.test:443 HTTP/1.1\r\nHost: allowed.test:443\r\nUser-Agent: curl\r\n\r\n",
    "connect-v6": b"CONNECT [2001:db8::9]:443 HTTP/1.1\r\n\r\n",
    "connect-ip": b"CONNECT 198.18.0.1:443 HTTP/1.1\r\n\r\n",
    "connect-nul": b"CONNECT evil.test\x00.allowed.test:443 HTTP/1.1\r\n\r\n",
    "connect-userinfo": b"CONNECT a@allowed.test:443 HTTP/1.1\r\n\r\n",
    "get": b"GET http://allowed.test/pkg?x=1 HTTP/1.1\r\nHost: evil.test\r\nProxy-Connection: keep-alive\r\nAccept: */*\r\n\r\n",
    "get-port": b"POST http://x.allowed.test:8080/a HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
    "get-https": b"GET https://allowed.test/ HTTP/1.1\r\n\r\n",
    "origin-form": b"GET / HTTP/1.1\r\nHost: allowed.test\r\n\r\n",
    "folded": b"GET http://allowed.test/ HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
    "partial": b"CONNECT allowed.test:443 HTTP/1.1\r\nHost: al",
    # framing: one request's body, then a pipelined one that must not pass
    "pipelined": b"GET http://allowed.test/ HTTP/1.1\r\nHost: allowed.test\r\n\r\n"
                 b"GET / HTTP/1.1\r\nHost: evil.test\r\n\r\n",
    "cl-pipelined": b"POST http://allowed.test/ HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
                    b"GET http://evil.test/ HTTP/1.1\r\n\r\n",
    "cl-list": b"POST http://allowed.test/ HTTP/1.1\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc",
    "cl-differ": b"POST http://allowed.test/ HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    "cl-te": b"POST http://allowed.test/ HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
             b"0\r\n\r\nGET / HTTP/1.1\r\nHost: evil.test\r\n\r\n",
    "chunked": b"POST http://allowed.test/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: x-hop\r\n"
               b"X-Hop: 1\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Sum: 1\r\n\r\n"
               b"GET http://evil.test/ HTTP/1.1\r\n\r\n",
    "chunked-bare-lf": b"POST http://allowed.test/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
    "chunked-partial": b"PUT http://allowed.test/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
    "te-gzip": b"POST http://allowed.test/ HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
}
for k, v in heads.items():
    put("http-" + k, b"H" + v)

responses = {
    "ok": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n\r\nok",
    "continue": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nKeep-Alive: 5\r\n\r\n",
    "bare-lf": b"HTTP/1.0 200 OK\nServer: x\n\n",
}
for k, v in responses.items():
    put("response-" + k, b"P" + v)

socks = {
    "domain": b"\x05\x01\x00" + b"\x05\x01\x00\x03\x0callowed.test\x01\xbb",
    "ipv4": b"\x05\x02\x02\x00" + b"\x05\x01\x00\x01\xc6\x12\x00\x09\x00\x50",
    "ipv6": b"\x05\x01\x00" + b"\x05\x01\x00\x04" + bytes(15) + b"\x01\x01\xbb",
    "nul": b"\x05\x01\x00" + b"\x05\x01\x00\x03\x17evil.test\x00.allowed.test\x01\xbb",
    "bind": b"\x05\x01\x00" + b"\x05\x02\x00\x01\x7f\x00\x00\x01\x00\x50",
    "udp": b"\x05\x01\x00" + b"\x05\x03\x00\x01\x00\x00\x00\x00\x00\x00",
    "noauth-missing": b"\x05\x01\x02",
}
for k, v in socks.items():
    put("socks-" + k, b"S" + v)

put("tls-sni", b"T" + client_hello("allowed.test"))
put("tls-other", b"T" + client_hello("evil.test"))
put("tls-nosni", b"T" + client_hello(None))
put("tls-split", b"T" + client_hello("x.allowed.test", rec=9))

for i, a in enumerate(["127.0.0.1", "::1", "::ffff:10.0.0.1", "2001:db8::1:0:0:1", "64:ff9b::a9fe:a9fe", "1:2:3:4:5:6:7:8"]):
    put("addr-%d" % i, b"A" + a.encode())
for i, r in enumerate(["*.Example.ORG.", "[2001:db8::1]", "xn--bcher-kva.example", "b\xc3\xbccher.de".encode("latin1").decode("latin1")]):
    put("rule-%d" % i, b"R" + (r.encode("utf-8") if isinstance(r, str) else r))
for i, n in enumerate([b"Allowed.Test.", b"a..b", b"127.1", b"x" * 64 + b".test"]):
    put("name-%d" % i, b"N" + n)
