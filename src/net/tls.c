/* SPDX-License-Identifier: MIT */
#include "net/tls.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

int tls_looks_like_handshake(const uint8_t *buf, size_t len) {
        if (len < 1)
                return 0;
        if (buf[0] != 0x16)
                return -1;
        if (len < 2)
                return 0;
        return buf[1] == 0x03 ? 1 : -1;
}

typedef struct reader {
        const uint8_t *p;
        size_t left;
        bool bad;
} reader;

static unsigned get(reader *r, size_t n) {
        unsigned v = 0;
        if (r->left < n) {
                r->bad = true;
                r->left = 0;
                return 0;
        }
        for (size_t i = 0; i < n; i++)
                v = v << 8 | r->p[i];
        r->p += n;
        r->left -= n;
        return v;
}

static reader sub(reader *r, size_t n) {
        reader s = {r->p, n, false};
        if (r->left < n) {
                r->bad = true;
                s.bad = true;
                s.left = 0;
                r->left = 0;
                return s;
        }
        r->p += n;
        r->left -= n;
        return s;
}

/* The ClientHello body (after its 4-byte handshake header). */
static int parse_hello(reader h, char sni[256]) {
        get(&h, 2);          /* legacy_version */
        sub(&h, 32);         /* random */
        sub(&h, get(&h, 1)); /* session id */
        reader suites = sub(&h, get(&h, 2));
        if (suites.left == 0 || suites.left % 2)
                return -EINVAL;
        reader comp = sub(&h, get(&h, 1));
        if (comp.left == 0 || h.bad)
                return -EINVAL;
        if (h.left == 0)
                return -ENOENT; /* no extensions at all */
        reader exts = sub(&h, get(&h, 2));
        if (h.bad || h.left != 0)
                return -EINVAL;
        bool found = false;
        while (exts.left > 0) {
                unsigned type = get(&exts, 2);
                reader ext = sub(&exts, get(&exts, 2));
                if (exts.bad)
                        return -EINVAL;
                if (type != 0)
                        continue;
                if (found)
                        return -EINVAL; /* server_name twice */
                reader list = sub(&ext, get(&ext, 2));
                if (ext.bad || ext.left != 0 || list.left == 0)
                        return -EINVAL;
                while (list.left > 0) {
                        unsigned kind = get(&list, 1);
                        reader name = sub(&list, get(&list, 2));
                        if (list.bad)
                                return -EINVAL;
                        if (kind != 0)
                                continue;
                        if (found || name.left == 0 || name.left > 255 || memchr(name.p, 0, name.left))
                                return -EINVAL;
                        memcpy(sni, name.p, name.left);
                        sni[name.left] = 0;
                        found = true;
                }
        }
        return found ? 1 : -ENOENT;
}

int tls_client_hello_sni(const uint8_t *buf, size_t len, char sni[256]) {
        /* Reassemble the handshake stream from consecutive records. */
        static const size_t cap = TLS_HELLO_MAX + 4;
        uint8_t hs[TLS_HELLO_MAX + 4];
        size_t have = 0, off = 0;
        size_t need = 0; /* 4 + the ClientHello's length, once known */
        for (;;) {
                if (need && have >= need)
                        break;
                if (len - off < 5)
                        return 0;
                const uint8_t *rec = buf + off;
                if (rec[0] != 0x16 || rec[1] != 0x03)
                        return -EINVAL;
                size_t rl = (size_t)rec[3] << 8 | rec[4];
                if (rl == 0 || rl > 16384 + 2048)
                        return -EINVAL;
                if (len - off - 5 < rl)
                        return 0;
                size_t take = rl;
                if (have + take > cap)
                        take = cap - have;
                memcpy(hs + have, rec + 5, take);
                have += take;
                off += 5 + rl;
                if (!need && have >= 4) {
                        if (hs[0] != 1)
                                return -EINVAL; /* not a ClientHello */
                        size_t ml = (size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3];
                        if (ml > TLS_HELLO_MAX)
                                return -E2BIG;
                        need = 4 + ml;
                }
                if (have >= cap && (!need || have < need))
                        return -E2BIG;
        }
        reader h = {hs + 4, need - 4, false};
        return parse_hello(h, sni);
}
