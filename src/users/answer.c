/* SPDX-License-Identifier: MIT */
#include "users/answer.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "users/request.h"
#include "users/wire.h"

static void put_ostr(wire_out *o, const char *s) {
        wire_put_u32(o, s ? 1u : 0u);
        if (s)
                wire_put_str(o, s);
}

int answer_encode_denials(const denials *d, char **buf, size_t *len) {
        wire_out o = {open_memstream(buf, len)};
        if (!o.f)
                return -ENOMEM;
        fwrite(DENIALS_MAGIC, 1, 4, o.f);
        wire_put_u32(&o, d->unavailable ? 0u : 1u);
        put_ostr(&o, d->unavailable);
        wire_put_u32(&o, (uint32_t)d->more);
        wire_put_u32(&o, (uint32_t)((uint64_t)d->more >> 32));
        wire_put_u32(&o, (uint32_t)d->n);
        for (size_t k = 0; k < d->n; k++) {
                const denial *x = &d->v[k];
                put_ostr(&o, x->op);
                put_ostr(&o, x->path);
                put_ostr(&o, x->address);
                put_ostr(&o, x->syscall);
                put_ostr(&o, x->rule);
                put_ostr(&o, x->allow_with);
        }
        if (fclose(o.f) != 0) {
                free(*buf);
                *buf = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* An optional string, any bytes but NUL: a path the command chose is passed
 * on as the userns backend's supervisor would print it (refusing it would
 * let the command make every report of the run vanish). */
static int get_ostr(wire_in *i, char **s) {
        uint32_t present, n;
        *s = NULL;
        if (wire_get_u32(i, &present) < 0 || present > 1)
                return -EINVAL;
        if (!present)
                return 0;
        if (wire_get_u32(i, &n) < 0 || n > 2 * REQUEST_MAX_STR || (size_t)(i->end - i->p) < n)
                return -EINVAL;
        if (memchr(i->p, 0, n))
                return -EINVAL;
        if (!(*s = strndup((const char *)i->p, n)))
                return -ENOMEM;
        i->p += n;
        return 0;
}

int answer_decode_denials(const char *buf, size_t len, denials *d) {
        wire_in i = {(const unsigned char *)buf, (const unsigned char *)buf + len};
        uint32_t reports, lo, hi, n;
        char *why = NULL;
        if (len < 4 || memcmp(buf, DENIALS_MAGIC, 4) != 0)
                return -EINVAL;
        i.p += 4;
        if (wire_get_u32(&i, &reports) < 0 || reports > 1 || get_ostr(&i, &why) < 0 || (!reports && !why) ||
            wire_get_u32(&i, &lo) < 0 || wire_get_u32(&i, &hi) < 0 || wire_get_u32(&i, &n) < 0 || n > DENIALS_MAX) {
                free(why);
                return -EINVAL;
        }
        free(d->unavailable);
        d->unavailable = why;
        int r = 0;
        for (uint32_t k = 0; k < n && r == 0; k++) {
                char *f[6] = {0};
                for (int j = 0; j < 6 && r == 0; j++)
                        r = get_ostr(&i, &f[j]);
                /* op and rule, and one of a path, an address, a system call */
                if (r == 0 && (!f[0] || !f[4] || (!!f[1] + !!f[2] + !!f[3]) != 1))
                        r = -EINVAL;
                if (r == 0)
                        denials_add(d, f[0], f[1], f[2], f[3], f[4], f[5]);
                for (int j = 0; j < 6; j++)
                        free(f[j]);
        }
        if (r == 0 && i.p != i.end)
                r = -EINVAL;
        d->more += (size_t)((uint64_t)hi << 32 | lo);
        return r;
}
