/* SPDX-License-Identifier: MIT */
#include "common/mdhash.h"

#include <string.h>

void md_update(md_state *m, uint32_t *h, md_block_fn *block, const void *data, size_t len) {
        const uint8_t *p = data;
        m->len += len;
        while (len) {
                if (m->fill == 0 && len >= 64) {
                        block(h, p);
                        p += 64, len -= 64;
                        continue;
                }
                size_t n = 64 - m->fill < len ? 64 - m->fill : len;
                memcpy(m->buf + m->fill, p, n);
                m->fill += n, p += n, len -= n;
                if (m->fill == 64) {
                        block(h, m->buf);
                        m->fill = 0;
                }
        }
}

void md_final(md_state *m, uint32_t *h, md_block_fn *block, size_t n_words, uint8_t *out) {
        uint64_t bits = m->len * 8;
        uint8_t pad[72] = {0x80};
        size_t n = m->fill < 56 ? 56 - m->fill : 120 - m->fill;
        for (int i = 0; i < 8; i++)
                pad[n + 7 - i] = (uint8_t)(bits >> (8 * i));
        md_update(m, h, block, pad, n + 8);
        for (size_t i = 0; i < n_words; i++)
                for (int j = 0; j < 4; j++)
                        out[4 * i + (size_t)j] = (uint8_t)(h[i] >> (24 - 8 * j));
}
