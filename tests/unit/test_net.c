/* SPDX-License-Identifier: MIT
 * Unit tests: the network proxy's pure parts (src/net): IP literals and
 * their classes, host names and rules, the allow/deny decisions, HTTP proxy
 * request heads and where their bodies end, SOCKS5 messages and the SNI of
 * a TLS ClientHello. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "net/addr.h"
#include "net/domain.h"
#include "net/framing.h"
#include "net/http.h"
#include "net/rules.h"
#include "net/socks5.h"
#include "net/tls.h"

/* --- addresses ---------------------------------------------------------- */

static net_addr A(const char *s) {
        net_addr a;
        assert_int_equal(net_addr_parse(s, strlen(s), &a), 0);
        return a;
}

static void check_round_trip(const char *in, const char *want) {
        char buf[NET_ADDR_STRLEN];
        net_addr a = A(in);
        assert_string_equal(net_addr_format(&a, buf), want);
}

static void test_addr_parse(void **state) {
        (void)state;
        check_round_trip("127.0.0.1", "127.0.0.1");
        check_round_trip("255.255.255.255", "255.255.255.255");
        check_round_trip("::1", "::1");
        check_round_trip("::", "::");
        check_round_trip("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
        check_round_trip("2001:db8::", "2001:db8::");
        check_round_trip("::ffff:127.0.0.1", "::ffff:7f00:1");
        check_round_trip("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
        check_round_trip("1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8");
        const char *bad[] = {"", "1.2.3", "1.2.3.4.5", "127.1", "0x7f.0.0.1", "010.0.0.1", "256.0.0.1",
                             "1.2.3.4 ", " 1.2.3.4", "2130706433", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9",
                             ":1::", "1:2:3:4:5:6:7:", "12345::", "fe80::1%eth0", "::ffff:1.2.3", "1:2:3:4:5:6:7::8:9",
                             "g::1", "1.2.3.-4"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                net_addr a;
                if (net_addr_parse(bad[i], strlen(bad[i]), &a) == 0)
                        fail_msg("'%s' parsed", bad[i]);
        }
        net_addr a;
        assert_int_equal(net_addr_parse("1.2.3.4\0.5", 10, &a), -EINVAL);
}

static void test_addr_classify(void **state) {
        (void)state;
        struct {
                const char *a;
                net_addr_class c;
        } cases[] = {
                {"8.8.8.8", ADDR_PUBLIC},           {"198.18.0.1", ADDR_PUBLIC},
                {"2001:db8::1", ADDR_PUBLIC},       {"0.0.0.0", ADDR_UNSPECIFIED},
                {"0.1.2.3", ADDR_UNSPECIFIED},      {"::", ADDR_UNSPECIFIED},
                {"127.0.0.1", ADDR_LOOPBACK},       {"127.255.0.9", ADDR_LOOPBACK},
                {"::1", ADDR_LOOPBACK},             {"10.1.2.3", ADDR_PRIVATE},
                {"172.16.0.1", ADDR_PRIVATE},       {"172.31.255.255", ADDR_PRIVATE},
                {"172.32.0.1", ADDR_PUBLIC},        {"192.168.1.1", ADDR_PRIVATE},
                {"169.254.169.254", ADDR_LINK_LOCAL}, {"fe80::1", ADDR_LINK_LOCAL},
                {"100.64.0.1", ADDR_CGNAT},         {"100.127.255.255", ADDR_CGNAT},
                {"100.128.0.1", ADDR_PUBLIC},       {"fc00::1", ADDR_ULA},
                {"fd12:3456::1", ADDR_ULA},         {"224.0.0.1", ADDR_MULTICAST},
                {"ff02::1", ADDR_MULTICAST},        {"255.255.255.255", ADDR_BROADCAST},
                {"240.0.0.1", ADDR_RESERVED},       {"::ffff:127.0.0.1", ADDR_LOOPBACK},
                {"::ffff:10.0.0.1", ADDR_PRIVATE},  {"::ffff:8.8.8.8", ADDR_PUBLIC},
                {"::127.0.0.1", ADDR_LOOPBACK},     {"64:ff9b::a9fe:a9fe", ADDR_LINK_LOCAL},
                {"2002:7f00:1::", ADDR_LOOPBACK},   {"fec0::1", ADDR_PRIVATE},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                net_addr a = A(cases[i].a);
                if (net_addr_classify(&a) != cases[i].c)
                        fail_msg("%s: class %s, expected %s", cases[i].a, net_addr_class_name(net_addr_classify(&a)),
                                 net_addr_class_name(cases[i].c));
        }
}

/* --- names and rules ---------------------------------------------------- */

static void test_name_normalize(void **state) {
        (void)state;
        char out[NET_NAME_MAX + 1];
        assert_int_equal(net_name_normalize("Example.ORG.", 12, out), 0);
        assert_string_equal(out, "example.org");
        assert_int_equal(net_name_normalize("xn--bcher-kva.example", 21, out), 0);
        assert_string_equal(out, "xn--bcher-kva.example");
        assert_int_equal(net_name_normalize("_dmarc.a-b.example", 18, out), 0);
        assert_int_equal(net_name_normalize("b\xc3\xbc" "cher.example", 14, out), -EILSEQ);
        assert_int_equal(net_name_normalize("evil.test\0.allowed.test", 23, out), -EINVAL);
        assert_int_equal(net_name_normalize("a..b", 4, out), -EINVAL);
        assert_int_equal(net_name_normalize(".a", 2, out), -EINVAL);
        assert_int_equal(net_name_normalize("a.b..", 5, out), -EINVAL);
        assert_int_equal(net_name_normalize(".", 1, out), -EINVAL);
        assert_int_equal(net_name_normalize("127.1", 5, out), -EINVAL);
        assert_int_equal(net_name_normalize("2130706433", 10, out), -EINVAL);
        assert_int_equal(net_name_normalize("a b", 3, out), -EINVAL);
        assert_int_equal(net_name_normalize("a%2e", 4, out), -EINVAL);
        assert_int_equal(net_name_normalize("a:80", 4, out), -EINVAL);
        char label[70];
        memset(label, 'a', 64);
        assert_int_equal(net_name_normalize(label, 64, out), -EINVAL);
        assert_int_equal(net_name_normalize(label, 63, out), 0);
        char long_name[300];
        for (int i = 0; i < 300; i++)
                long_name[i] = i % 2 ? '.' : 'a';
        assert_int_equal(net_name_normalize(long_name, 255, out), -ENAMETOOLONG);
        assert_int_equal(net_name_normalize(long_name, 253, out), 0);
}

static void test_rules(void **state) {
        (void)state;
        char out[NET_RULE_MAX];
        const char *why = NULL;
        assert_int_equal(net_rule_normalize("*.Example.org.", out, &why), 0);
        assert_string_equal(out, "*.example.org");
        assert_int_equal(net_rule_normalize("[2001:DB8::1]", out, &why), 0);
        assert_string_equal(out, "2001:db8::1");
        assert_int_equal(net_rule_normalize("192.0.2.7", out, &why), 0);
        assert_int_equal(net_rule_normalize("*", out, &why), -EINVAL);
        assert_int_equal(net_rule_normalize("*.", out, &why), -EINVAL);
        assert_int_equal(net_rule_normalize("a.*.org", out, &why), -EINVAL);
        assert_int_equal(net_rule_normalize("**.org", out, &why), -EINVAL);
        assert_int_equal(net_rule_normalize("b\xc3\xbc" "cher.de", out, &why), -EILSEQ);
        assert_non_null(strstr(why, "xn--"));
        assert_int_equal(net_rule_normalize("[example.org]", out, &why), -EINVAL);

        assert_true(net_rule_matches_name("example.org", "example.org"));
        assert_false(net_rule_matches_name("example.org", "www.example.org"));
        assert_true(net_rule_matches_name("*.example.org", "www.example.org"));
        assert_true(net_rule_matches_name("*.example.org", "a.b.example.org"));
        assert_false(net_rule_matches_name("*.example.org", "example.org"));
        assert_false(net_rule_matches_name("*.example.org", "badexample.org"));
        assert_false(net_rule_matches_name("*.example.org", "example.org.evil.test"));

        assert_true(net_rule_covered_by("a.example.org", "*.example.org"));
        assert_true(net_rule_covered_by("*.a.example.org", "*.example.org"));
        assert_true(net_rule_covered_by("*.example.org", "*.example.org"));
        assert_false(net_rule_covered_by("example.org", "*.example.org"));
        assert_false(net_rule_covered_by("*.example.org", "a.example.org"));
        assert_false(net_rule_covered_by("*.org", "*.example.org"));
        assert_false(net_rule_covered_by("10.0.0.1", "*.example.org"));
}

static strv list(const char *const *items) {
        strv s = {0};
        for (; *items; items++)
                assert_int_equal(strv_push(&s, *items), 0);
        return s;
}

static void test_check_host(void **state) {
        (void)state;
        strv allow = list((const char *[]){"allowed.test", "*.allowed.test", "198.18.0.9", "2001:db8::9", NULL});
        strv deny = list((const char *[]){"bad.allowed.test", NULL});
        uint16_t ports[] = {80, 443};
        net_rules r = {&allow, &deny, ports, 2};
        net_verdict v;
#define HOST(h, p) net_check_host(&r, (h), sizeof(h) - 1, (p), &v)
        assert_true(HOST("allowed.test", 443));
        assert_string_equal(v.name, "allowed.test");
        assert_true(HOST("ALLOWED.test.", 80));
        assert_true(HOST("x.allowed.test", 443));
        assert_false(HOST("bad.allowed.test", 443));
        assert_string_equal(v.rule, "in deny_domains (bad.allowed.test)");
        assert_false(HOST("evil.test", 443));
        assert_string_equal(v.rule, "not in allow_domains");
        assert_string_equal(v.allow_with, "--allow-domain evil.test");
        assert_false(HOST("allowed.test", 22));
        assert_string_equal(v.rule, "port 22 not in allow_ports");
        assert_false(HOST("evil.test\0.allowed.test", 443));
        assert_string_equal(v.rule, "not a valid host name or IP address");
        assert_false(HOST("allowed.test.evil.test", 443));
        assert_false(HOST("198.18.0.1", 443));
        assert_string_equal(v.rule, "an IP address not in allow_domains");
        assert_true(HOST("198.18.0.9", 443));
        assert_true(v.is_addr);
        assert_true(HOST("[2001:db8::9]", 443));
        assert_true(HOST("2001:DB8:0::9", 443));
        assert_false(HOST("[allowed.test]", 443));
        assert_false(HOST("", 443));
#undef HOST

        net_addr own[] = {A("192.0.2.5")};
        net_addr a;
        a = A("198.18.0.1");
        assert_true(net_check_resolved(&r, &a, own, 1, &v));
        a = A("127.0.0.1");
        assert_false(net_check_resolved(&r, &a, own, 1, &v));
        assert_string_equal(v.rule, "resolves to a loopback address 127.0.0.1, not allowed by address");
        a = A("192.0.2.5");
        assert_false(net_check_resolved(&r, &a, own, 1, &v));
        assert_string_equal(v.rule, "resolves to this machine's own address 192.0.2.5, not allowed by address");
        a = A("::ffff:10.0.0.1");
        assert_false(net_check_resolved(&r, &a, own, 1, &v));
        a = A("169.254.169.254");
        assert_false(net_check_resolved(&r, &a, own, 1, &v));
        assert_string_equal(v.allow_with, "--allow-domain 169.254.169.254");
        strv allow2 = list((const char *[]){"127.0.0.1", NULL});
        net_rules r2 = {&allow2, &deny, ports, 2};
        a = A("127.0.0.1");
        assert_true(net_check_resolved(&r2, &a, own, 1, &v));
        strv_clear(&allow);
        strv_clear(&allow2);
        strv_clear(&deny);
}

/* --- HTTP --------------------------------------------------------------- */

static int parse(const char *s, http_request *req, const char **why) { return http_parse_head(s, strlen(s), req, why); }

static void test_http_connect(void **state) {
        (void)state;
        http_request req;
        const char *why;
        assert_int_equal(parse("CONNECT allowed.test:443 HTTP/1.1\r\nHost: allowed.test:443\r\n\r\n", &req, &why), 1);
        assert_true(req.connect);
        assert_int_equal(req.port, 443);
        assert_int_equal(req.host_len, 12);
        assert_memory_equal(req.host, "allowed.test", 12);
        assert_int_equal(parse("CONNECT [2001:db8::1]:443 HTTP/1.1\r\n\r\nextra", &req, &why), 1);
        assert_int_equal(req.host_len, 11);
        assert_int_equal(req.head_len, 38);
        /* incomplete */
        assert_int_equal(parse("CONNECT allowed.test:443 HTTP/1.1\r\nHost: a", &req, &why), 0);
        assert_int_equal(parse("CONNECT allowed.test:443 HTTP/1.1\r\n\r", &req, &why), 0);
        /* malformed */
        const char *bad[] = {
                "CONNECT allowed.test HTTP/1.1\r\n\r\n",          "CONNECT allowed.test:0 HTTP/1.1\r\n\r\n",
                "CONNECT allowed.test:65536 HTTP/1.1\r\n\r\n",    "CONNECT allowed.test:44x HTTP/1.1\r\n\r\n",
                "CONNECT a@allowed.test:443 HTTP/1.1\r\n\r\n",    "CONNECT allowed.test:443 HTTP/2.0\r\n\r\n",
                "CONNECT allowed.test:443 HTTP/1.1\n\n",          "CONNECT  allowed.test:443 HTTP/1.1\r\n\r\n",
                "CONNECT allowed.test:443 HTTP/1.1\r\n folded\r\n\r\n",
                "CONNECT allowed.test:443 HTTP/1.1\r\nno colon\r\n\r\n",
                "CONNECT [::1 HTTP/1.1\r\n\r\n",                 "CONNECT [::1]x:443 HTTP/1.1\r\n\r\n",
                "CONNECT evil%2etest:443 HTTP/1.1\r\n\r\n",       "\r\n\r\n",
                "CONNECT :443 HTTP/1.1\r\n\r\n",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (parse(bad[i], &req, &why) != -EINVAL)
                        fail_msg("accepted or misread: %s", bad[i]);
        const char nul[] = "CONNECT evil.test\0.allowed.test:443 HTTP/1.1\r\n\r\n";
        assert_int_equal(http_parse_head(nul, sizeof(nul) - 1, &req, &why), -EINVAL);
        /* too large */
        static char big[HTTP_HEAD_MAX + 10];
        memset(big, 'a', sizeof(big));
        memcpy(big, "CONNECT a.test:443 HTTP/1.1\r\nX: ", 32);
        assert_int_equal(http_parse_head(big, sizeof(big), &req, &why), -E2BIG);
        assert_int_equal(http_parse_head(big, 100, &req, &why), 0);
}

static void test_http_absolute(void **state) {
        (void)state;
        http_request req;
        const char *why;
        const char *in = "GET http://allowed.test/a/b?c=d HTTP/1.1\r\nHost: evil.test\r\nUser-Agent: t\r\n"
                         "Proxy-Connection: keep-alive\r\nproxy-authorization: x\r\nConnection: keep-alive\r\n\r\n";
        assert_int_equal(parse(in, &req, &why), 1);
        assert_false(req.connect);
        assert_int_equal(req.port, 80);
        assert_memory_equal(req.host, "allowed.test", req.host_len);
        char out[512];
        int n = http_rewrite_head(in, &req, NULL, out, sizeof(out));
        assert_true(n > 0);
        out[n] = 0;
        assert_string_equal(out, "GET /a/b?c=d HTTP/1.1\r\nUser-Agent: t\r\nHost: allowed.test\r\nConnection: close\r\n\r\n");
        assert_int_equal(http_rewrite_head(in, &req, NULL, out, 20), -E2BIG);

        assert_int_equal(parse("POST http://allowed.test:8080 HTTP/1.0\r\n\r\n", &req, &why), 1);
        assert_int_equal(req.port, 8080);
        n = http_rewrite_head("POST http://allowed.test:8080 HTTP/1.0\r\n\r\n", &req, NULL, out, sizeof(out));
        out[n] = 0;
        assert_string_equal(out, "POST / HTTP/1.0\r\nHost: allowed.test:8080\r\nConnection: close\r\n\r\n");
        assert_int_equal(parse("GET http://allowed.test?x HTTP/1.1\r\n\r\n", &req, &why), 1);
        assert_int_equal(req.path_len, 2);

        assert_int_equal(parse("GET https://allowed.test/ HTTP/1.1\r\n\r\n", &req, &why), -EPROTONOSUPPORT);
        assert_int_equal(parse("GET / HTTP/1.1\r\nHost: allowed.test\r\n\r\n", &req, &why), -EPROTONOSUPPORT);
        assert_int_equal(parse("GET http://allowed.test@evil.test/ HTTP/1.1\r\n\r\n", &req, &why), -EINVAL);
        assert_int_equal(parse("GET http://evil.test#@allowed.test/ HTTP/1.1\r\n\r\n", &req, &why), -EINVAL);
        assert_int_equal(parse("GET http:///x HTTP/1.1\r\n\r\n", &req, &why), -EINVAL);

        n = (int)http_error_response(403, "Forbidden", "refused evil.test:443, not in allow_domains", out, sizeof(out));
        out[n] = 0;
        assert_non_null(strstr(out, "HTTP/1.1 403 Forbidden\r\n"));
        assert_non_null(strstr(out, "Content-Length: 52\r\n"));
        assert_non_null(strstr(out, "\r\n\r\ncorral: refused evil.test:443, not in allow_domains\n"));
}

/* --- HTTP request framing ---------------------------------------------- */

/* The framing of a request head written as lines (each ended by CRLF here). */
static int frame(const char *headers, http_body *b, const char **why) {
        static char buf[4096];
        snprintf(buf, sizeof(buf), "POST http://allowed.test/up HTTP/1.1\r\n%s\r\n", headers);
        http_request req;
        assert_int_equal(http_parse_head(buf, strlen(buf), &req, why), 1);
        return http_body_framing(buf, &req, b, why);
}

static void test_http_framing(void **state) {
        (void)state;
        http_body b;
        const char *why;
        size_t used;
        assert_int_equal(frame("Host: x\r\n", &b, &why), 0);
        assert_int_equal(b.kind, HTTP_BODY_NONE);
        assert_true(b.done);
        assert_int_equal(http_body_feed(&b, (const uint8_t *)"GET", 3, &used, &why), 1);
        assert_int_equal(used, 0);
        /* Content-Length: the body, then the next request is not this one's */
        assert_int_equal(frame("Content-Length: 5\r\n", &b, &why), 0);
        assert_int_equal(b.kind, HTTP_BODY_LENGTH);
        assert_int_equal(b.length, 5);
        assert_int_equal(http_body_feed(&b, (const uint8_t *)"hel", 3, &used, &why), 0);
        assert_int_equal(used, 3);
        assert_int_equal(http_body_feed(&b, (const uint8_t *)"loGET http://evil.test/", 23, &used, &why), 1);
        assert_int_equal(used, 2);
        assert_int_equal(http_body_feed(&b, (const uint8_t *)"more", 4, &used, &why), 1);
        assert_int_equal(used, 0);
        assert_int_equal(frame("content-length:0\r\n", &b, &why), 0);
        assert_true(b.done);
        /* the same value repeated is one length (RFC 9110 §8.6) */
        const char *same[] = {"Content-Length: 5, 5\r\n", "Content-Length: 5\r\nContent-Length: 5\r\n",
                              "Content-Length:\t005 \r\n"};
        for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
                assert_int_equal(frame(same[i], &b, &why), 0);
                assert_int_equal(b.length, 5);
        }
        assert_int_equal(frame("Content-Length: 18446744073709551615\r\n", &b, &why), 0);
        const char *bad[] = {
                "Content-Length: 5, 6\r\n",
                "Content-Length: 5\r\nContent-Length: 6\r\n",
                "Content-Length: +5\r\n",
                "Content-Length: -5\r\n",
                "Content-Length: 5x\r\n",
                "Content-Length: 0x5\r\n",
                "Content-Length: 5 5\r\n",
                "Content-Length: 1e3\r\n",
                "Content-Length: \r\n",
                "Content-Length: 5,\r\n",
                "Content-Length: ,5\r\n",
                "Content-Length: 18446744073709551616\r\n",
                "Transfer-Encoding: gzip, chunked\r\n",
                "Transfer-Encoding: chunked, chunked\r\n",
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                "Transfer-Encoding: identity\r\n",
                "Transfer-Encoding: chunked;q=1\r\n",
                "Transfer-Encoding: \r\n",
                "Transfer-Encoding: xchunked\r\n",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (frame(bad[i], &b, &why) != -EINVAL || !why)
                        fail_msg("accepted: %s", bad[i]);
        /* both: the classic smuggling pair, either order */
        assert_int_equal(frame("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", &b, &why), -EINVAL);
        assert_non_null(strstr(why, "both Content-Length and Transfer-Encoding"));
        assert_int_equal(frame("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", &b, &why), -EINVAL);
        assert_int_equal(frame("Transfer-Encoding: Chunked \r\n", &b, &why), 0);
        assert_int_equal(b.kind, HTTP_BODY_CHUNKED);
        assert_false(b.done);
        /* chunked in HTTP/1.0 */
        const char *h10 = "POST http://allowed.test/ HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n";
        http_request req;
        assert_int_equal(http_parse_head(h10, strlen(h10), &req, &why), 1);
        assert_int_equal(http_body_framing(h10, &req, &b, &why), -EINVAL);
}

/* The chunked body at the start of in: 1 with *used, or what feed said. */
static int chunked_all(const char *in, size_t n, size_t *used, bool bytewise) {
        http_body b;
        const char *why;
        assert_int_equal(frame("Transfer-Encoding: chunked\r\n", &b, &why), 0);
        if (!bytewise)
                return http_body_feed(&b, (const uint8_t *)in, n, used, &why);
        for (size_t i = 0; i < n; i++) {
                size_t u;
                int r = http_body_feed(&b, (const uint8_t *)in + i, 1, &u, &why);
                if (r < 0) {
                        assert_non_null(why);
                        *used = i;
                        return r;
                }
                if (r == 1) {
                        *used = i + u;
                        return 1;
                }
                assert_int_equal(u, 1);
        }
        *used = n;
        return 0;
}

static void test_http_chunked(void **state) {
        (void)state;
        const char *next = "GET http://evil.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n";
        const char *good[] = {
                "5\r\nhello\r\n0\r\n\r\n",
                "5;name=value\r\nhello\r\n00\r\n\r\n",
                "5 ;x\r\nhello\r\n0;last\r\n\r\n",
                "A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n",
                "3\r\nabc\r\n0\r\nX-Checksum: 1\r\nX-Other:\tv w\r\n\r\n",
                "0\r\n\r\n",
                "000000000000000000003\r\nabc\r\n0\r\n\r\n",
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                for (int bytewise = 0; bytewise < 2; bytewise++) {
                        char in[512];
                        snprintf(in, sizeof(in), "%s%s", good[i], next);
                        size_t used = 0;
                        int r = chunked_all(in, strlen(in), &used, bytewise);
                        if (r != 1 || used != strlen(good[i]))
                                fail_msg("%s (bytewise %d): %d, used %zu", good[i], bytewise, r, used);
                }
        /* incomplete: all of it is the body so far */
        size_t used;
        assert_int_equal(chunked_all("5\r\nhel", 6, &used, false), 0);
        assert_int_equal(used, 6);
        assert_int_equal(chunked_all("5\r\nhello\r\n0\r\n\r", 14, &used, false), 0);
        const char *bad[] = {
                "5\nhello\r\n0\r\n\r\n",           /* a bare LF */
                "5\r\nhello\n0\r\n\r\n",
                "5\rhello\r\n0\r\n\r\n",           /* a bare CR */
                "5\r\nhelloX\r\n0\r\n\r\n",        /* data longer than its size */
                "0x5\r\nhello\r\n0\r\n\r\n",
                "-5\r\nhello\r\n0\r\n\r\n",
                "+5\r\nhello\r\n0\r\n\r\n",
                "\r\nhello\r\n0\r\n\r\n",          /* no size */
                " 5\r\nhello\r\n0\r\n\r\n",
                "5 5\r\nhello\r\n0\r\n\r\n",
                "10000000000000000\r\n",           /* 2^64 */
                "5;\001\r\nhello\r\n0\r\n\r\n",    /* a control byte in an extension */
                "0\r\nX: a\nb\r\n\r\n",            /* a bare LF in a trailer */
                "0\r\n folded\r\n\r\n",            /* obsolete folding */
                "0\r\nno colon\r\n\r\n",
                "0\r\nX: \001\r\n\r\n",
                "0\r\n\n",
                "0\r\n\r\r",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                for (int bytewise = 0; bytewise < 2; bytewise++)
                        if (chunked_all(bad[i], strlen(bad[i]), &used, bytewise) != -EINVAL)
                                fail_msg("accepted: %s", bad[i]);
        /* bounded: a size line, and the trailers */
        static char big[HTTP_TRAILERS_MAX + 64];
        memset(big, '0', HTTP_CHUNK_LINE_MAX + 1);
        assert_int_equal(chunked_all(big, HTTP_CHUNK_LINE_MAX + 1, &used, false), -EINVAL);
        assert_int_equal(chunked_all(big, HTTP_CHUNK_LINE_MAX - 1, &used, false), 0);
        memcpy(big, "0\r\nX: ", 6);
        memset(big + 6, 'v', sizeof(big) - 6);
        assert_int_equal(chunked_all(big, sizeof(big), &used, false), -EINVAL);
}

static void test_http_rewrite_framing(void **state) {
        (void)state;
        const char *in = "POST http://allowed.test/up HTTP/1.1\r\nHost: evil.test\r\nContent-Length: 5, 5\r\n"
                         "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nTE: trailers\r\nUpgrade: h2c\r\n"
                         "Keep-Alive: 300\r\nAccept: */*\r\n\r\n";
        http_request req;
        http_body b;
        const char *why;
        assert_int_equal(parse(in, &req, &why), 1);
        assert_int_equal(http_body_framing(in, &req, &b, &why), 0);
        char out[512];
        int n = http_rewrite_head(in, &req, &b, out, sizeof(out));
        assert_true(n > 0);
        out[n] = 0;
        assert_string_equal(out, "POST /up HTTP/1.1\r\nAccept: */*\r\nHost: allowed.test\r\nContent-Length: 5\r\n"
                                 "Connection: close\r\n\r\n");
        in = "PUT http://allowed.test/up HTTP/1.1\r\ntransfer-encoding: Chunked\r\nConnection: Content-Length\r\n\r\n";
        assert_int_equal(parse(in, &req, &why), 1);
        assert_int_equal(http_body_framing(in, &req, &b, &why), 0);
        n = http_rewrite_head(in, &req, &b, out, sizeof(out));
        assert_true(n > 0);
        out[n] = 0;
        assert_string_equal(out, "PUT /up HTTP/1.1\r\nHost: allowed.test\r\nTransfer-Encoding: chunked\r\n"
                                 "Connection: close\r\n\r\n");
}

static void test_http_response_head(void **state) {
        (void)state;
        size_t hl;
        int status;
        const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n"
                        "Keep-Alive: timeout=5\r\nServer: t\r\n\r\nokHTTP/1.1 200 OK\r\n";
        assert_int_equal(http_response_head(r, strlen(r), &hl, &status), 1);
        assert_int_equal(status, 200);
        assert_memory_equal(r + hl, "okHTTP", 6);
        char out[512];
        int n = http_rewrite_response_head(r, hl, out, sizeof(out));
        assert_true(n > 0);
        out[n] = 0;
        assert_string_equal(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nServer: t\r\nConnection: close\r\n\r\n");
        assert_int_equal(http_rewrite_response_head(r, hl, out, 20), -E2BIG);
        /* interim, then more to come */
        const char *c100 = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent";
        assert_int_equal(http_response_head(c100, strlen(c100), &hl, &status), 1);
        assert_int_equal(status, 100);
        assert_int_equal(http_response_head(c100 + hl, strlen(c100) - hl, &hl, &status), 0);
        assert_int_equal(http_response_head("HTTP/1.", 7, &hl, &status), 0);
        assert_int_equal(http_response_head("HTTP/1.0 204\r\n\r\n", 16, &hl, &status), 1);
        assert_int_equal(status, 204);
        /* what this rewrite does not read: relayed as it is */
        assert_int_equal(http_response_head("SSH-2.0-x\r\n", 11, &hl, &status), -EINVAL);
        assert_int_equal(http_response_head("HTTP/1.1 200 OK\n\n", 17, &hl, &status), -EINVAL);
        assert_int_equal(http_response_head("HTTP/1.1 2000 OK\r\n\r\n", 20, &hl, &status), -EINVAL);
        static char big[HTTP_HEAD_MAX + 1];
        memset(big, 'a', sizeof(big));
        memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
        assert_int_equal(http_response_head(big, sizeof(big), &hl, &status), -E2BIG);
}

/* --- SOCKS5 ------------------------------------------------------------- */

static void test_socks5(void **state) {
        (void)state;
        assert_int_equal(socks5_parse_greeting((const uint8_t *)"\x05\x01\x00", 3), 3);
        assert_int_equal(socks5_parse_greeting((const uint8_t *)"\x05\x02\x02\x00", 4), 4);
        assert_int_equal(socks5_parse_greeting((const uint8_t *)"\x05\x02\x00", 3), 0);
        assert_int_equal(socks5_parse_greeting((const uint8_t *)"\x05\x01\x02", 3), -EACCES);
        assert_int_equal(socks5_parse_greeting((const uint8_t *)"\x04\x01\x00", 3), -EINVAL);
        assert_int_equal(socks5_parse_greeting((const uint8_t *)"\x05\x00", 2), -EINVAL);

        socks5_request req;
        const uint8_t dom[] = "\x05\x01\x00\x03\x0c" "allowed.test" "\x01\xbb";
        assert_int_equal(socks5_parse_request(dom, sizeof(dom) - 1, &req), 1);
        assert_int_equal(req.cmd, SOCKS5_CMD_CONNECT);
        assert_string_equal(req.host, "allowed.test");
        assert_int_equal(req.port, 443);
        assert_int_equal(req.len, sizeof(dom) - 1);
        assert_int_equal(socks5_parse_request(dom, sizeof(dom) - 2, &req), 0);
        const uint8_t v4[] = {5, 1, 0, 1, 198, 18, 0, 1, 0, 80};
        assert_int_equal(socks5_parse_request(v4, sizeof(v4), &req), 1);
        assert_int_equal(req.addr.family, 4);
        assert_int_equal(req.port, 80);
        uint8_t v6[22] = {5, 1, 0, 4};
        v6[19] = 1;
        v6[21] = 80;
        assert_int_equal(socks5_parse_request(v6, sizeof(v6), &req), 1);
        assert_int_equal(req.addr.family, 6);
        const uint8_t nul[] = "\x05\x01\x00\x03\x17" "evil.test\0.allowed.test" "\x01\xbb";
        assert_int_equal(socks5_parse_request(nul, sizeof(nul) - 1, &req), 1);
        assert_int_equal(req.host_len, 23); /* the NUL stays visible to the rules */
        assert_int_equal(socks5_parse_request((const uint8_t *)"\x05\x01\x00\x05\x00", 5, &req), -EAFNOSUPPORT);
        assert_int_equal(socks5_parse_request((const uint8_t *)"\x05\x01\x01\x01", 4, &req), -EINVAL);
        assert_int_equal(socks5_parse_request((const uint8_t *)"\x05\x01\x00\x03\x00\x00\x50", 7, &req), -EINVAL);
        uint8_t rep[10];
        assert_int_equal(socks5_reply(SOCKS5_NOT_ALLOWED, rep), 10);
        assert_int_equal(rep[1], 2);
}

/* --- TLS ---------------------------------------------------------------- */

/* A ClientHello with the given server name (NULL: no server_name
 * extension), split into records of at most rec bytes of payload. */
static size_t hello(uint8_t *out, const char *sni, size_t rec) {
        uint8_t body[1024];
        size_t n = 0;
        body[n++] = 3;
        body[n++] = 3;
        memset(body + n, 0xab, 32);
        n += 32;
        body[n++] = 0; /* session id */
        body[n++] = 0;
        body[n++] = 2;
        body[n++] = 0x13;
        body[n++] = 0x01;
        body[n++] = 1;
        body[n++] = 0;
        size_t ext_len_at = n;
        n += 2;
        /* an unrelated extension first */
        body[n++] = 0;
        body[n++] = 10;
        body[n++] = 0;
        body[n++] = 2;
        body[n++] = 0;
        body[n++] = 0;
        if (sni) {
                size_t l = strlen(sni);
                body[n++] = 0;
                body[n++] = 0;
                body[n++] = (uint8_t)((l + 5) >> 8);
                body[n++] = (uint8_t)(l + 5);
                body[n++] = (uint8_t)((l + 3) >> 8);
                body[n++] = (uint8_t)(l + 3);
                body[n++] = 0;
                body[n++] = (uint8_t)(l >> 8);
                body[n++] = (uint8_t)l;
                memcpy(body + n, sni, l);
                n += l;
        }
        size_t el = n - ext_len_at - 2;
        body[ext_len_at] = (uint8_t)(el >> 8);
        body[ext_len_at + 1] = (uint8_t)el;
        uint8_t hs[1100];
        hs[0] = 1;
        hs[1] = 0;
        hs[2] = (uint8_t)(n >> 8);
        hs[3] = (uint8_t)n;
        memcpy(hs + 4, body, n);
        size_t total = n + 4, o = 0;
        for (size_t off = 0; off < total; off += rec) {
                size_t l = total - off < rec ? total - off : rec;
                out[o++] = 0x16;
                out[o++] = 3;
                out[o++] = 1;
                out[o++] = (uint8_t)(l >> 8);
                out[o++] = (uint8_t)l;
                memcpy(out + o, hs + off, l);
                o += l;
        }
        return o;
}

static void test_tls_sni(void **state) {
        (void)state;
        uint8_t buf[2048];
        char sni[256];
        size_t n = hello(buf, "allowed.test", 4096);
        assert_int_equal(tls_looks_like_handshake(buf, 1), 0);
        assert_int_equal(tls_looks_like_handshake(buf, n), 1);
        assert_int_equal(tls_looks_like_handshake((const uint8_t *)"GET", 3), -1);
        assert_int_equal(tls_client_hello_sni(buf, n, sni), 1);
        assert_string_equal(sni, "allowed.test");
        for (size_t k = 0; k < n; k++)
                assert_int_equal(tls_client_hello_sni(buf, k, sni), 0);
        /* split over records of 7 bytes */
        n = hello(buf, "other.test", 7);
        assert_int_equal(tls_client_hello_sni(buf, n, sni), 1);
        assert_string_equal(sni, "other.test");
        n = hello(buf, NULL, 4096);
        assert_int_equal(tls_client_hello_sni(buf, n, sni), -ENOENT);
        n = hello(buf, "evil.test\0x", 4096);
        assert_int_equal(tls_client_hello_sni(buf, n, sni), 1); /* strlen stops at the NUL: "evil.test" */
        /* a NUL inside the name itself */
        n = hello(buf, "abc", 4096);
        buf[n - 2] = 0;
        assert_int_equal(tls_client_hello_sni(buf, n, sni), -EINVAL);
        /* not a ClientHello */
        n = hello(buf, "a.test", 4096);
        buf[5] = 2;
        assert_int_equal(tls_client_hello_sni(buf, n, sni), -EINVAL);
        /* a declared length beyond the limit */
        const uint8_t huge[] = {0x16, 3, 1, 0, 4, 1, 0x01, 0x00, 0x00};
        assert_int_equal(tls_client_hello_sni(huge, sizeof(huge), sni), -E2BIG);
        /* an extension length that overruns */
        n = hello(buf, "a.test", 4096);
        buf[n - 8] = 0xff;
        assert_true(tls_client_hello_sni(buf, n, sni) < 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_addr_parse),    cmocka_unit_test(test_addr_classify),
                cmocka_unit_test(test_name_normalize), cmocka_unit_test(test_rules),
                cmocka_unit_test(test_check_host),    cmocka_unit_test(test_http_connect),
                cmocka_unit_test(test_http_absolute), cmocka_unit_test(test_http_framing),
                cmocka_unit_test(test_http_chunked),  cmocka_unit_test(test_http_rewrite_framing),
                cmocka_unit_test(test_http_response_head),
                cmocka_unit_test(test_socks5),
                cmocka_unit_test(test_tls_sni),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
