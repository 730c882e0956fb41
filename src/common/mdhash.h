/* SPDX-License-Identifier: MIT
 * What SHA-1 and SHA-256 (common/sha1.h, common/sha256.h) share: FIPS 180-4's
 * 512-bit blocks fed from a buffer, the padding with the message's length in
 * bits, and the big-endian output of the state words. Each hash gives its
 * block function and its state. Portable and pure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef void md_block_fn(uint32_t *h, const uint8_t block[64]);

typedef struct md_state {
        uint64_t len;   /* bytes fed so far */
        uint8_t buf[64];
        size_t fill;    /* bytes of buf in use */
} md_state;

void md_update(md_state *m, uint32_t *h, md_block_fn *block, const void *data, size_t len);
/* Pads, feeds the last block(s) and writes the n_words words of h to out. */
void md_final(md_state *m, uint32_t *h, md_block_fn *block, size_t n_words, uint8_t *out);
