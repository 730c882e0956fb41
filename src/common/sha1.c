/* SPDX-License-Identifier: MIT
 * SHA-1: see common/sha1.h. Written from FIPS 180-4, sections 5.1.1, 5.3.1
 * and 6.1. */
#include "common/sha1.h"

#include <string.h>

static uint32_t rol(uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }

static void block(uint32_t h[5], const uint8_t *p) {
        uint32_t w[80];
        for (size_t t = 0; t < 16; t++)
                w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 | (uint32_t)p[4 * t + 2] << 8 |
                       (uint32_t)p[4 * t + 3];
        for (size_t t = 16; t < 80; t++)
                w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (size_t t = 0; t < 80; t++) {
                uint32_t f, k;
                if (t < 20)
                        f = (b & c) ^ (~b & d), k = 0x5a827999;
                else if (t < 40)
                        f = b ^ c ^ d, k = 0x6ed9eba1;
                else if (t < 60)
                        f = (b & c) ^ (b & d) ^ (c & d), k = 0x8f1bbcdc;
                else
                        f = b ^ c ^ d, k = 0xca62c1d6;
                uint32_t tmp = rol(a, 5) + f + e + k + w[t];
                e = d, d = c, c = rol(b, 30), b = a, a = tmp;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

void sha1_init(sha1_ctx *c) {
        *c = (sha1_ctx){.h = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}};
}

void sha1_update(sha1_ctx *c, const void *data, size_t len) { md_update(&c->m, c->h, block, data, len); }

void sha1_final(sha1_ctx *c, uint8_t out[20]) { md_final(&c->m, c->h, block, 5, out); }

void sha1(const void *data, size_t len, uint8_t out[20]) {
        sha1_ctx c;
        sha1_init(&c);
        sha1_update(&c, data, len);
        sha1_final(&c, out);
}
