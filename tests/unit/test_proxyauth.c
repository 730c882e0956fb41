/* SPDX-License-Identifier: MIT
 * The proxy's credentials (net/proxyauth.h), its SOCKS5 username/password
 * messages and the environment that carries them (net/proxyenv.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "net/proxyauth.h"
#include "net/proxyenv.h"
#include "net/socks5.h"

#define TOKEN "0123456789abcdef0123456789abcdef"
/* base64("corral:" TOKEN) */
#define GOOD "Y29ycmFsOjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm"

static bool auth(const char *head) { return net_proxy_auth_http(head, strlen(head), TOKEN); }

static void test_http(void **state) {
        (void)state;
        assert_true(auth("CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\nProxy-Authorization: Basic " GOOD
                         "\r\n\r\n"));
        assert_true(auth("GET http://a.test/ HTTP/1.1\r\nproxy-authorization:   basic   " GOOD " \r\n\r\n"));
        /* none; another scheme; another token; another user; bad base64 */
        assert_false(auth("CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n"));
        assert_false(auth("CONNECT a.test:443 HTTP/1.1\r\nProxy-Authorization: Bearer " GOOD "\r\n\r\n"));
        assert_false(auth("CONNECT a.test:443 HTTP/1.1\r\nProxy-Authorization: Basic "
                          "Y29ycmFsOjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVl\r\n\r\n"));
        assert_false(auth("CONNECT a.test:443 HTTP/1.1\r\nProxy-Authorization: Basic "
                          "eDoweDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\r\n\r\n"));
        assert_false(auth("CONNECT a.test:443 HTTP/1.1\r\nProxy-Authorization: Basic Y29y!mFs\r\n\r\n"));
        assert_false(auth("CONNECT a.test:443 HTTP/1.1\r\nProxy-Authorization: Basic\r\n\r\n"));
        /* twice: refused even when one is right */
        assert_false(auth("CONNECT a.test:443 HTTP/1.1\r\nProxy-Authorization: Basic " GOOD
                          "\r\nProxy-Authorization: Basic " GOOD "\r\n\r\n"));
        /* in the request line or as another header's value: not a header */
        assert_false(auth("GET http://a.test/Proxy-Authorization:Basic%20" GOOD " HTTP/1.1\r\n\r\n"));
        assert_false(auth("GET http://a.test/ HTTP/1.1\r\nX-Proxy-Authorization: Basic " GOOD "\r\n\r\n"));
        /* a proxy without a token of its own accepts none */
        const char *h = "CONNECT a.test:443 HTTP/1.1\r\nProxy-Authorization: Basic " GOOD "\r\n\r\n";
        assert_false(net_proxy_auth_http(h, strlen(h), ""));
}

static void test_socks5_userpass(void **state) {
        (void)state;
        assert_int_equal(socks5_parse_greeting_for((const uint8_t *)"\x05\x02\x00\x02", 4, SOCKS5_METHOD_USERPASS), 4);
        assert_int_equal(socks5_parse_greeting_for((const uint8_t *)"\x05\x01\x00", 3, SOCKS5_METHOD_USERPASS),
                         -EACCES);
        uint8_t msg[80] = {1, 6, 'c', 'o', 'r', 'r', 'a', 'l', 32};
        memcpy(msg + 9, TOKEN, 32);
        const uint8_t *u, *p;
        size_t ul, pl;
        assert_int_equal(socks5_parse_userpass(msg, 41, &u, &ul, &p, &pl), 41);
        assert_true(net_proxy_auth_socks5(u, ul, p, pl, TOKEN));
        assert_int_equal(socks5_parse_userpass(msg, 40, &u, &ul, &p, &pl), 0);
        assert_int_equal(socks5_parse_userpass(msg, 8, &u, &ul, &p, &pl), 0);
        msg[9] = 'X';
        assert_int_equal(socks5_parse_userpass(msg, 41, &u, &ul, &p, &pl), 41);
        assert_false(net_proxy_auth_socks5(u, ul, p, pl, TOKEN));
        assert_false(net_proxy_auth_socks5((const uint8_t *)"corral", 6, (const uint8_t *)TOKEN, 31, TOKEN));
        assert_false(net_proxy_auth_socks5((const uint8_t *)"corrax", 6, (const uint8_t *)TOKEN, 32, TOKEN));
        assert_false(net_proxy_auth_socks5((const uint8_t *)"corral", 6, (const uint8_t *)"", 0, ""));
        const uint8_t v2[] = {2, 1, 'a', 0};
        assert_int_equal(socks5_parse_userpass(v2, sizeof(v2), &u, &ul, &p, &pl), -EINVAL);
        const uint8_t empty[] = {1, 0, 0};
        assert_int_equal(socks5_parse_userpass(empty, sizeof(empty), &u, &ul, &p, &pl), -EINVAL);
}

static void test_env(void **state) {
        (void)state;
        char e[192], token[NET_PROXY_TOKEN_LEN + 1];
        bool found = false;
        for (size_t i = 0; net_proxy_env(i, 3128, TOKEN, e, sizeof(e)); i++) {
                if (strncmp(e, "HTTPS_PROXY=", 12) == 0)
                        assert_string_equal(e, "HTTPS_PROXY=http://corral:" TOKEN "@127.0.0.1:3128");
                if (strncmp(e, "ALL_PROXY=", 10) == 0)
                        assert_string_equal(e, "ALL_PROXY=socks5h://corral:" TOKEN "@127.0.0.1:3128");
                if (net_proxy_env_token(e, token)) {
                        assert_string_equal(token, TOKEN);
                        found = true;
                }
        }
        assert_true(found);
        for (size_t i = 0; net_proxy_env(i, 3128, NULL, e, sizeof(e)); i++) {
                assert_false(net_proxy_env_token(e, token));
                if (strncmp(e, "HTTP_PROXY=", 11) == 0)
                        assert_string_equal(e, "HTTP_PROXY=http://127.0.0.1:3128");
        }
        assert_false(net_proxy_env_token("CORRAL_PROXY=http://corral:0123456789ABCDEF0123456789abcdef@127.0.0.1:3128",
                                          token));
        assert_false(net_proxy_env_token("CORRAL_PROXY=http://corral:0123@127.0.0.1:3128", token));
        assert_false(net_proxy_env_token("CORRAL_PROXY=http://corral:" TOKEN "@10.0.0.1:3128", token));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_http),
                cmocka_unit_test(test_socks5_userpass),
                cmocka_unit_test(test_env),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
