/* SPDX-License-Identifier: MIT
 * libFuzzer target: the network proxy's parsers (src/net), which read what
 * the sandboxed command sends to the proxy. The first byte of the input
 * picks the parser; the rest is its input, in a buffer of exactly its size:
 *   'H' an HTTP proxy request head (and, when it parses, its framing, its
 *       rewrite and its body: the bytes after the head, fed whole and
 *       again in pieces whose sizes the bytes themselves pick),
 *   'S' a SOCKS5 greeting followed by a request (and the same bytes as a
 *       username/password request),
 *   'P' an origin's response head (and its rewrite for the client),
 *   'T' TLS records holding a ClientHello,
 *   'A' an IP literal, 'R' an allow_domains rule, 'N' a host name;
 * any other first byte feeds the rest to every parser.
 *
 * Besides what the sanitizers catch, it checks that: a parsed head lies in
 * the buffer, names a non-empty host and a port, and its rewrite starts with
 * the method, ends with the blank line, holds no NUL and says
 * "Connection: close" once and the framing found; the body ends at the same
 * byte, or fails the same way, however it is split, and never past the
 * bytes fed; a parsed SOCKS5
 * request is within the input; an SNI is 1..255 bytes without NUL; an
 * address prints and parses back to itself; a rule or name normalises to a
 * fixed point; and a host the rules allow is a valid name or an address
 * the rules name. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/addr.h"
#include "net/domain.h"
#include "net/framing.h"
#include "net/http.h"
#include "net/proxyauth.h"
#include "net/rules.h"
#include "net/socks5.h"
#include "net/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what) {
        if (!ok) {
                fprintf(stderr, "fuzz_net: broken promise: %s\n", what);
                abort();
        }
}

#define TOKEN "0123456789abcdef0123456789abcdef"

/* needle in h[0..n), ignoring case */
static bool strcasestr_n(const char *h, size_t n, const char *needle) {
        size_t k = strlen(needle);
        for (size_t i = 0; i + k <= n; i++)
                if (strncasecmp(h + i, needle, k) == 0)
                        return true;
        return false;
}

static strv allow, deny;
static const uint16_t ports[] = {80, 443};

static void rules_init(void) {
        if (allow.n)
                return;
        const char *a[] = {"allowed.test", "*.allowed.test", "198.18.0.9", "2001:db8::9"};
        for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++)
                strv_push(&allow, a[i]);
        strv_push(&deny, "bad.allowed.test");
}

static void check_host(const char *host, size_t len, uint16_t port) {
        net_rules r = {&allow, &deny, ports, 2};
        net_verdict v;
        if (!net_check_host(&r, host, len, port, &v))
                return;
        check(port == 80 || port == 443, "an allowed port");
        char n[NET_NAME_MAX + 1];
        if (!v.is_addr) {
                check(net_name_normalize(host, len, n) == 0 && strcmp(n, v.name) == 0, "an allowed name is valid");
                check(strcmp(v.name, "bad.allowed.test") != 0, "deny wins");
        } else
                check(net_rule_matches_addr("198.18.0.9", &v.addr) || net_rule_matches_addr("2001:db8::9", &v.addr),
                      "an allowed address is named");
}

static size_t count(const char *s, size_t n, const char *what) {
        size_t k = 0, wl = strlen(what);
        for (size_t i = 0; i + wl <= n; i++)
                k += memcmp(s + i, what, wl) == 0;
        return k;
}

/* Where the body after the head ends: 1 with the bytes it took, 0 (all of
 * them, more to come) or -EINVAL; fed in pieces, each piece's size taken
 * from the byte it starts at (0: all at once). */
static int body_end(const http_body *framing, const uint8_t *p, size_t n, bool split, size_t *took) {
        http_body b = *framing;
        size_t off = 0;
        do { /* once at least: a body of none ends with no bytes fed */
                size_t k = split && off < n ? (size_t)(p[off] % 7) + 1 : n - off;
                if (k > n - off)
                        k = n - off;
                size_t used = 0;
                const char *why = NULL;
                int r = http_body_feed(&b, p + off, k, &used, &why);
                check(used <= k, "body: used within the piece");
                check(r >= 0 || why, "body: a refusal says why");
                check(r == 1 || r == -EINVAL || used == k, "body: more to come takes it all");
                if (r != 0) {
                        *took = off + used;
                        check(r != 1 || b.done, "body: done");
                        return r;
                }
                off += k;
        } while (off < n);
        *took = n;
        return 0;
}

static void fuzz_http(const uint8_t *d, size_t n) {
        char *buf = malloc(n ? n : 1);
        if (!buf)
                return;
        memcpy(buf, d, n);
        http_request req;
        const char *why = NULL;
        int r = http_parse_head(buf, n, &req, &why);
        check(r == 0 || r == 1 || r == -EINVAL || r == -E2BIG || r == -EPROTONOSUPPORT, "http: return value");
        check(r >= 0 || why, "http: a refusal says why");
        if (r == 1) {
                check(req.head_len <= n && req.head_len >= 4, "http: head within the buffer");
                check(req.host >= buf && req.host + req.host_len <= buf + req.head_len && req.host_len > 0,
                      "http: host within the head");
                check(req.port > 0, "http: a port");
                check_host(req.host, req.host_len, req.port);
                /* credentials are only ever found in a header the head holds */
                if (net_proxy_auth_http(buf, req.head_len, TOKEN))
                        check(strcasestr_n(buf, req.head_len, "\nproxy-authorization:"),
                              "http: credentials in a header");
                if (!req.connect) {
                        http_body body;
                        int f = http_body_framing(buf, &req, &body, &why);
                        check(f == 0 || (f == -EINVAL && why), "http: framing");
                        char out[HTTP_HEAD_MAX + 512];
                        int w = http_rewrite_head(buf, &req, f == 0 ? &body : NULL, out, sizeof(out));
                        check(w > 0 || w == -E2BIG, "http: rewrite");
                        if (w > 0) {
                                check(memchr(out, 0, (size_t)w) == NULL, "http: no NUL in the rewrite");
                                check(memcmp(out, req.method, req.method_len) == 0, "http: method first");
                                check(w >= 4 && memcmp(out + w - 4, "\r\n\r\n", 4) == 0, "http: blank line last");
                                check(count(out, (size_t)w, "\r\nConnection:") == 1, "http: one Connection header");
                                check(count(out, (size_t)w, "\r\nConnection: close\r\n") == 1, "http: Connection: close");
                        }
                        if (f == 0 && w > 0) {
                                size_t cl = count(out, (size_t)w, "\r\nContent-Length:");
                                size_t te = count(out, (size_t)w, "\r\nTransfer-Encoding:");
                                check(cl == (body.kind == HTTP_BODY_LENGTH) && te == (body.kind == HTTP_BODY_CHUNKED),
                                      "http: the rewrite's framing is the one found");
                        }
                        if (f == 0) {
                                const uint8_t *rest = (const uint8_t *)buf + req.head_len;
                                size_t rn = n - req.head_len, t1 = 0, t2 = 0;
                                int r1 = body_end(&body, rest, rn, false, &t1);
                                int r2 = body_end(&body, rest, rn, true, &t2);
                                check(r1 == r2, "body: the same verdict however split");
                                check(t1 == t2, "body: the same end (or fault) however split");
                                check(t1 <= rn && t2 <= rn, "body: within the bytes fed");
                                check(body.kind != HTTP_BODY_LENGTH || r1 != 1 || t1 == body.length,
                                      "body: Content-Length bytes exactly");
                                check(body.kind != HTTP_BODY_NONE || (r1 == 1 && t1 == 0), "body: none");
                        }
                }
        }
        free(buf);
}

static void fuzz_response(const uint8_t *d, size_t n) {
        char *buf = malloc(n ? n : 1);
        if (!buf)
                return;
        memcpy(buf, d, n);
        size_t hl = 0;
        int status = 0;
        int r = http_response_head(buf, n, &hl, &status);
        check(r == 0 || r == 1 || r == -EINVAL || r == -E2BIG, "response: return value");
        if (r == 1) {
                check(hl <= n && hl <= HTTP_HEAD_MAX && hl >= 16, "response: head within the buffer");
                check(status >= 100 && status <= 599, "response: a status");
                char out[HTTP_HEAD_MAX + 64];
                int w = http_rewrite_response_head(buf, hl, out, sizeof(out));
                check(w > 0, "response: rewrite");
                check(memcmp(out, buf, 12) == 0, "response: the status line first");
                check(w >= 21 && memcmp(out + w - 21, "Connection: close\r\n\r\n", 21) == 0, "response: close last");
                check(count(out, (size_t)w, "\r\nConnection:") == 1, "response: one Connection header");
        }
        free(buf);
}

static void fuzz_socks(const uint8_t *d, size_t n) {
        uint8_t *buf = malloc(n ? n : 1);
        if (!buf)
                return;
        memcpy(buf, d, n);
        const uint8_t *u, *p;
        size_t ul, pl;
        int a = socks5_parse_userpass(buf, n, &u, &ul, &p, &pl);
        check(a == 0 || a == -EINVAL || (a > 0 && (size_t)a <= n && u + ul <= buf + n && p + pl <= buf + n),
              "socks: username/password within the input");
        if (a > 0)
                net_proxy_auth_socks5(u, ul, p, pl, TOKEN);
        int g = socks5_parse_greeting(buf, n);
        check(g >= -EACCES || g == -EINVAL, "socks: greeting");
        if (g > 0) {
                check((size_t)g <= n, "socks: greeting within the input");
                socks5_request req;
                int r = socks5_parse_request(buf + g, n - (size_t)g, &req);
                check(r == 0 || r == 1 || r == -EINVAL || r == -EAFNOSUPPORT, "socks: request");
                if (r == 1) {
                        check(req.len <= n - (size_t)g, "socks: request within the input");
                        if (req.atyp == SOCKS5_ATYP_DOMAIN)
                                check_host(req.host, req.host_len, req.port);
                }
        }
        free(buf);
}

static void fuzz_tls(const uint8_t *d, size_t n) {
        uint8_t *buf = malloc(n ? n : 1);
        if (!buf)
                return;
        memcpy(buf, d, n);
        char sni[256];
        int r = tls_client_hello_sni(buf, n, sni);
        check(r == 0 || r == 1 || r == -ENOENT || r == -EINVAL || r == -E2BIG, "tls: return value");
        if (r == 1)
                check(strlen(sni) >= 1 && strlen(sni) <= 255, "tls: sni length");
        tls_looks_like_handshake(buf, n);
        free(buf);
}

static void fuzz_text(char kind, const uint8_t *d, size_t n) {
        char *buf = malloc(n + 1);
        if (!buf)
                return;
        memcpy(buf, d, n);
        buf[n] = 0;
        if (kind == 'A' || kind == 0) {
                net_addr a, b;
                if (net_addr_parse(buf, n, &a) == 0) {
                        char t[NET_ADDR_STRLEN];
                        net_addr_format(&a, t);
                        check(net_addr_parse(t, strlen(t), &b) == 0 && net_addr_equal(&a, &b), "addr: round trip");
                        net_addr_classify(&a);
                }
        }
        if (kind == 'R' || kind == 0) {
                char out[NET_RULE_MAX], again[NET_RULE_MAX];
                const char *why = NULL;
                if (strlen(buf) == n && net_rule_normalize(buf, out, &why) == 0) {
                        check(net_rule_normalize(out, again, &why) == 0 && strcmp(out, again) == 0,
                              "rule: a fixed point");
                        net_rule_covered_by(out, "*.allowed.test");
                } else if (strlen(buf) == n)
                        check(why != NULL, "rule: a refusal says why");
        }
        if (kind == 'N' || kind == 0) {
                char out[NET_NAME_MAX + 1], again[NET_NAME_MAX + 1];
                if (net_name_normalize(buf, n, out) == 0) {
                        check(net_name_normalize(out, strlen(out), again) == 0 && strcmp(out, again) == 0,
                              "name: a fixed point");
                        check(strlen(out) <= NET_NAME_MAX, "name: length");
                }
                check_host(buf, n, 443);
        }
        free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        rules_init();
        if (size == 0)
                return 0;
        const uint8_t *d = data + 1;
        size_t n = size - 1;
        switch (data[0]) {
        case 'H': fuzz_http(d, n); break;
        case 'S': fuzz_socks(d, n); break;
        case 'P': fuzz_response(d, n); break;
        case 'T': fuzz_tls(d, n); break;
        case 'A':
        case 'R':
        case 'N': fuzz_text((char)data[0], d, n); break;
        default:
                fuzz_http(d, n);
                fuzz_response(d, n);
                fuzz_socks(d, n);
                fuzz_tls(d, n);
                fuzz_text(0, d, n);
        }
        return 0;
}
