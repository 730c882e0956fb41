/* SPDX-License-Identifier: MIT */
#include "net/proxyauth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* a == b over n bytes, without stopping at the first difference */
static bool same(const uint8_t *a, const uint8_t *b, size_t n) {
        uint8_t d = 0;
        for (size_t i = 0; i < n; i++)
                d |= a[i] ^ b[i];
        return d == 0;
}

static bool credentials(const uint8_t *s, size_t n, const char *token) {
        char want[sizeof(NET_PROXY_USER) + NET_PROXY_TOKEN_LEN + 1];
        if (strlen(token) != NET_PROXY_TOKEN_LEN)
                return false;
        int len = snprintf(want, sizeof(want), "%s:%s", NET_PROXY_USER, token);
        return len > 0 && n == (size_t)len && same(s, (const uint8_t *)want, n);
}

static int b64(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Strict base64 (padded) of s[0..n) into out; the length, or -1. */
static long unbase64(const char *s, size_t n, uint8_t *out, size_t size) {
        if (n == 0 || n % 4)
                return -1;
        size_t o = 0;
        for (size_t i = 0; i < n; i += 4) {
                int v[4], pad = 0;
                for (int k = 0; k < 4; k++) {
                        if (s[i + k] == '=' && i + 4 == n && k >= 2) {
                                v[k] = 0;
                                pad++;
                                continue;
                        }
                        if (pad || (v[k] = b64(s[i + k])) < 0)
                                return -1;
                }
                uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
                const uint8_t b[3] = {(uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
                for (int k = 0; k < 3 - pad; k++) {
                        if (o == size)
                                return -1;
                        out[o++] = b[k];
                }
        }
        return (long)o;
}

bool net_proxy_auth_http(const char *head, size_t head_len, const char *token) {
        static const char name[] = "proxy-authorization:";
        const size_t name_len = sizeof(name) - 1;
        const char *value = NULL;
        size_t value_len = 0;
        /* header lines: after the request line, up to the blank line */
        const char *end = head + head_len, *line = memchr(head, '\n', head_len);
        for (line = line ? line + 1 : end; line < end;) {
                const char *nl = memchr(line, '\n', (size_t)(end - line));
                size_t len = (size_t)((nl ? nl : end) - line);
                if (len && line[len - 1] == '\r')
                        len--;
                if (len > name_len && strncasecmp(line, name, name_len) == 0) {
                        if (value)
                                return false; /* two: which one would an upstream read? */
                        value = line + name_len;
                        value_len = len - name_len;
                }
                line = nl ? nl + 1 : end;
        }
        if (!value)
                return false;
        while (value_len && (*value == ' ' || *value == '\t'))
                value++, value_len--;
        while (value_len && (value[value_len - 1] == ' ' || value[value_len - 1] == '\t'))
                value_len--;
        if (value_len < 6 || strncasecmp(value, "basic", 5) != 0 || value[5] != ' ')
                return false;
        value += 6, value_len -= 6;
        while (value_len && *value == ' ')
                value++, value_len--;
        uint8_t decoded[sizeof(NET_PROXY_USER) + NET_PROXY_TOKEN_LEN + 4];
        long n = unbase64(value, value_len, decoded, sizeof(decoded));
        return n > 0 && credentials(decoded, (size_t)n, token);
}

bool net_proxy_auth_socks5(const uint8_t *user, size_t user_len, const uint8_t *pass, size_t pass_len,
                           const char *token) {
        size_t token_len = strlen(token);
        bool user_ok = user_len == strlen(NET_PROXY_USER) && same(user, (const uint8_t *)NET_PROXY_USER, user_len);
        bool pass_ok = token_len == NET_PROXY_TOKEN_LEN && pass_len == token_len &&
                       same(pass, (const uint8_t *)token, pass_len);
        return user_ok & pass_ok;
}
