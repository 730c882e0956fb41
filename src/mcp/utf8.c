/* SPDX-License-Identifier: MIT */
#include "mcp/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The length of the valid sequence at s (at most n bytes), or 0. */
static size_t valid_seq(const unsigned char *s, size_t n) {
        unsigned char c = s[0];
        size_t need;
        uint32_t cp, min;
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                need = 2, cp = c & 0x1f, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
                need = 3, cp = c & 0x0f, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
                need = 4, cp = c & 0x07, min = 0x10000;
        else
                return 0;
        if (n < need)
                return 0;
        for (size_t i = 1; i < need; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return need;
}

char *utf8_sanitize(const char *buf, size_t len, size_t *out_len) {
        /* worst case: every byte becomes the three bytes of U+FFFD */
        char *out = malloc(len * 3 + 1);
        if (!out)
                return NULL;
        const unsigned char *s = (const unsigned char *)buf;
        size_t o = 0;
        for (size_t i = 0; i < len;) {
                size_t k = valid_seq(s + i, len - i);
                if (k) {
                        memcpy(out + o, s + i, k);
                        o += k, i += k;
                } else {
                        memcpy(out + o, "\xef\xbf\xbd", 3);
                        o += 3, i++;
                }
        }
        out[o] = 0;
        *out_len = o;
        return out;
}
