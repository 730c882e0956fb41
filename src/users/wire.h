/* SPDX-License-Identifier: MIT
 * The framing corral and corral-runner share (users/request.h,
 * users/answer.h): little-endian u32s and length-prefixed strings, written
 * to a memory stream and read from a bounded buffer. */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct wire_out {
        FILE *f;
} wire_out;

static inline void wire_put_u32(wire_out *o, uint32_t v) {
        unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                              (unsigned char)(v >> 24)};
        fwrite(b, 1, 4, o->f);
}

static inline void wire_put_str(wire_out *o, const char *s) {
        size_t n = strlen(s);
        wire_put_u32(o, (uint32_t)n);
        fwrite(s, 1, n, o->f);
}

typedef struct wire_in {
        const unsigned char *p, *end;
} wire_in;

static inline int wire_get_u32(wire_in *i, uint32_t *v) {
        if (i->end - i->p < 4)
                return -EINVAL;
        *v = (uint32_t)i->p[0] | (uint32_t)i->p[1] << 8 | (uint32_t)i->p[2] << 16 | (uint32_t)i->p[3] << 24;
        i->p += 4;
        return 0;
}
