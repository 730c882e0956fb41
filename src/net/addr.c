/* SPDX-License-Identifier: MIT */
#include "net/addr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static int parse_v4(const char *s, size_t len, uint8_t out[4]) {
        size_t i = 0;
        for (int part = 0; part < 4; part++) {
                if (part > 0) {
                        if (i >= len || s[i] != '.')
                                return -EINVAL;
                        i++;
                }
                size_t start = i;
                unsigned v = 0;
                while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
                        v = v * 10 + (unsigned)(s[i++] - '0');
                size_t digits = i - start;
                if (digits == 0 || v > 255 || (digits > 1 && s[start] == '0'))
                        return -EINVAL;
                out[part] = (uint8_t)v;
        }
        return i == len ? 0 : -EINVAL;
}

static int parse_v6(const char *s, size_t len, uint8_t out[16]) {
        uint16_t groups[8] = {0};
        int n = 0, gap = -1;
        size_t i = 0;

        if (len >= 2 && s[0] == ':' && s[1] == ':') {
                gap = 0;
                i = 2;
        } else if (len >= 1 && s[0] == ':')
                return -EINVAL;
        while (i < len) {
                if (n >= 8)
                        return -EINVAL;
                /* a trailing dotted quad takes two groups */
                size_t end = i;
                while (end < len && s[end] != ':')
                        end++;
                if (end == len && memchr(s + i, '.', len - i)) {
                        uint8_t v4[4];
                        if (n > 6 || parse_v4(s + i, len - i, v4) < 0)
                                return -EINVAL;
                        groups[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
                        groups[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
                        break; /* the dotted quad ends the address */
                }
                unsigned v = 0;
                size_t start = i;
                while (i < len && i - start < 4 && hexval(s[i]) >= 0)
                        v = v << 4 | (unsigned)hexval(s[i++]);
                if (i == start)
                        return -EINVAL;
                groups[n++] = (uint16_t)v;
                if (i == len)
                        break;
                if (s[i] != ':')
                        return -EINVAL;
                i++;
                if (i < len && s[i] == ':') {
                        if (gap >= 0)
                                return -EINVAL;
                        gap = n;
                        i++;
                } else if (i == len)
                        return -EINVAL; /* a trailing single ':' */
        }
        if (gap < 0 && n != 8)
                return -EINVAL;
        if (gap >= 0 && n > 7)
                return -EINVAL;
        uint16_t full[8] = {0};
        if (gap < 0)
                memcpy(full, groups, sizeof(full));
        else {
                for (int k = 0; k < gap; k++)
                        full[k] = groups[k];
                int tail = n - gap;
                for (int k = 0; k < tail; k++)
                        full[8 - tail + k] = groups[gap + k];
        }
        for (int k = 0; k < 8; k++) {
                out[(size_t)2 * k] = (uint8_t)(full[k] >> 8);
                out[(size_t)2 * k + 1] = (uint8_t)full[k];
        }
        return 0;
}

int net_addr_parse(const char *s, size_t len, net_addr *ret) {
        net_addr a = {0};
        if (!s || len == 0 || len >= NET_ADDR_STRLEN || memchr(s, 0, len))
                return -EINVAL;
        if (memchr(s, ':', len)) {
                if (parse_v6(s, len, a.b) < 0)
                        return -EINVAL;
                a.family = 6;
        } else {
                if (parse_v4(s, len, a.b) < 0)
                        return -EINVAL;
                a.family = 4;
        }
        *ret = a;
        return 0;
}

char *net_addr_format(const net_addr *a, char *buf) {
        if (a->family == 4) {
                snprintf(buf, NET_ADDR_STRLEN, "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2], a->b[3]);
                return buf;
        }
        uint16_t g[8];
        for (int k = 0; k < 8; k++)
                g[k] = (uint16_t)(a->b[(size_t)2 * k] << 8 | a->b[(size_t)2 * k + 1]);
        int best = -1, best_len = 1; /* RFC 5952: a single zero group stays */
        for (int k = 0; k < 8;) {
                if (g[k]) {
                        k++;
                        continue;
                }
                int j = k;
                while (j < 8 && g[j] == 0)
                        j++;
                if (j - k > best_len) {
                        best = k;
                        best_len = j - k;
                }
                k = j;
        }
        char *p = buf;
        size_t left = NET_ADDR_STRLEN;
        for (int k = 0; k < 8; k++) {
                if (k == best) {
                        int w = snprintf(p, left, "%s", k == 0 ? "::" : ":");
                        p += w;
                        left -= (size_t)w;
                        k += best_len - 1;
                        continue;
                }
                int w = snprintf(p, left, "%x%s", g[k], k < 7 ? ":" : "");
                p += w;
                left -= (size_t)w;
        }
        return buf;
}

bool net_addr_equal(const net_addr *a, const net_addr *b) {
        return a->family == b->family && memcmp(a->b, b->b, a->family == 4 ? 4 : 16) == 0;
}

static net_addr_class classify_v4(const uint8_t *b) {
        if (b[0] == 0)
                return ADDR_UNSPECIFIED;
        if (b[0] == 127)
                return ADDR_LOOPBACK;
        if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168))
                return ADDR_PRIVATE;
        if (b[0] == 169 && b[1] == 254)
                return ADDR_LINK_LOCAL;
        if (b[0] == 100 && (b[1] & 0xc0) == 64)
                return ADDR_CGNAT;
        if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
                return ADDR_BROADCAST;
        if ((b[0] & 0xf0) == 224)
                return ADDR_MULTICAST;
        if ((b[0] & 0xf0) == 240 || (b[0] == 192 && b[1] == 0 && b[2] == 0))
                return ADDR_RESERVED;
        return ADDR_PUBLIC;
}

static bool all_zero(const uint8_t *b, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (b[i])
                        return false;
        return true;
}

net_addr_class net_addr_classify(const net_addr *a) {
        const uint8_t *b = a->b;
        if (a->family == 4)
                return classify_v4(b);
        if (all_zero(b, 16))
                return ADDR_UNSPECIFIED;
        if (all_zero(b, 15) && b[15] == 1)
                return ADDR_LOOPBACK;
        /* IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d */
        if (all_zero(b, 10) && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0)))
                return classify_v4(b + 12);
        /* NAT64 well-known prefix 64:ff9b::/96 */
        static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b};
        if (memcmp(b, nat64, 12) == 0)
                return classify_v4(b + 12);
        /* 6to4 2002:a.b.c.d::/48 */
        if (b[0] == 0x20 && b[1] == 0x02)
                return classify_v4(b + 2);
        if (b[0] == 0xff)
                return ADDR_MULTICAST;
        if ((b[0] & 0xfe) == 0xfc)
                return ADDR_ULA;
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
                return ADDR_LINK_LOCAL;
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
                return ADDR_PRIVATE; /* site-local, deprecated */
        return ADDR_PUBLIC;
}

const char *net_addr_class_name(net_addr_class c) {
        switch (c) {
        case ADDR_PUBLIC: return "public";
        case ADDR_UNSPECIFIED: return "unspecified";
        case ADDR_LOOPBACK: return "loopback";
        case ADDR_PRIVATE: return "private";
        case ADDR_LINK_LOCAL: return "link-local";
        case ADDR_CGNAT: return "CGNAT";
        case ADDR_ULA: return "unique local (ULA)";
        case ADDR_MULTICAST: return "multicast";
        case ADDR_BROADCAST: return "broadcast";
        case ADDR_RESERVED: return "reserved";
        }
        return "unknown";
}
