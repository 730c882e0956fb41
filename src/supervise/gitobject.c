/* SPDX-License-Identifier: MIT
 * A loose object's name against its contents: see supervise/gitobject.h. */
#include "supervise/gitobject.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#include "common/sha1.h"
#include "common/sha256.h"
#include "plan/gitconfig.h"

#define HEADER_MAX 32 /* "commit 4294967296\0" and room */
#define BUF 65536

static int on_entry(const char *key, const char *value, void *data) {
        gitobject_format *f = data;
        if (strcmp(key, "extensions.objectformat") != 0)
                return 0;
        if (value && strcasecmp(value, "sha1") == 0)
                *f = GITOBJECT_SHA1;
        else if (value && strcasecmp(value, "sha256") == 0)
                *f = GITOBJECT_SHA256;
        else
                return -EINVAL;
        return 0;
}

int gitobject_format_of_config(const char *text, size_t len, gitobject_format *out) {
        gitobject_format f = GITOBJECT_SHA1;
        int r = text ? gitconfig_parse(text, len, on_entry, &f) : 0;
        if (r < 0)
                return r;
        *out = f;
        return 0;
}

/* A tree's entries as they stream in: "MODE NAME\0" then the raw id. */
typedef struct treecheck {
        bool on;
        enum { T_MODE, T_NAME, T_ID } at;
        char mode[8], name[4097], prev[4097];
        size_t mlen, nlen, plen, idlen, idgot;
        bool prev_tree, any;
} treecheck;

typedef struct hasher {
        gitobject_format fmt;
        treecheck tree;
        sha1_ctx s1;
        sha256_ctx s256;
        char hdr[HEADER_MAX];
        size_t hlen;
        bool in_body;
        uint64_t size, got;
        char *why;
        size_t why_len;
} hasher;

static void hash_update(hasher *h, const void *p, size_t n) {
        if (h->fmt == GITOBJECT_SHA1)
                sha1_update(&h->s1, p, n);
        else
                sha256_update(&h->s256, p, n);
}

static int bad(hasher *h, const char *what) {
        snprintf(h->why, h->why_len, "%s", what);
        return -EINVAL;
}

/* git's order of tree entries: by name, a tree's as if it ended in "/". */
static int entry_cmp(const char *a, size_t al, bool at, const char *b, size_t bl, bool bt) {
        for (size_t i = 0;; i++) {
                int ca = i < al ? (unsigned char)a[i] : i == al && at ? '/' : 0;
                int cb = i < bl ? (unsigned char)b[i] : i == bl && bt ? '/' : 0;
                if (ca != cb || (i >= al && i >= bl))
                        return ca - cb;
        }
}

/* One entry's mode and name, complete: as git writes them (fsck's checks
 * that matter to what a pathspec finds: a name a listing of the names
 * given would miss, an entry out of order, which ends git's search). */
static int tree_entry(hasher *h) {
        treecheck *t = &h->tree;
        static const char *const modes[] = {"100644", "100755", "120000", "40000", "160000"};
        bool mode_ok = false;
        for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
                mode_ok = mode_ok || strcmp(t->mode, modes[i]) == 0;
        if (!mode_ok)
                return bad(h, "a loose tree with an entry of a mode git does not write");
        if (!t->nlen || memchr(t->name, '/', t->nlen) || strcmp(t->name, ".") == 0 || strcmp(t->name, "..") == 0 ||
            strcasecmp(t->name, ".git") == 0)
                return bad(h, "a loose tree with an entry name git refuses (empty, \".\", \"..\", \".git\" or with a "
                              "\"/\")");
        bool is_tree = strcmp(t->mode, "40000") == 0;
        if (t->any && entry_cmp(t->prev, t->plen, t->prev_tree, t->name, t->nlen, is_tree) >= 0)
                return bad(h, "a loose tree whose entries are not in git's order, or named twice");
        memcpy(t->prev, t->name, t->nlen + 1);
        t->plen = t->nlen, t->prev_tree = is_tree, t->any = true;
        return 0;
}

/* n bytes of a tree's contents. */
static int tree_take(hasher *h, const unsigned char *p, size_t n) {
        treecheck *t = &h->tree;
        for (size_t i = 0; i < n; i++) {
                char c = (char)p[i];
                if (t->at == T_MODE) {
                        if (c == ' ' && t->mlen) {
                                t->mode[t->mlen] = 0;
                                t->at = T_NAME, t->nlen = 0;
                        } else if (c < '0' || c > '7' || t->mlen == sizeof(t->mode) - 1)
                                return bad(h, "a loose tree with an entry git would not write");
                        else
                                t->mode[t->mlen++] = c;
                } else if (t->at == T_NAME) {
                        if (c == 0) {
                                t->name[t->nlen] = 0;
                                int r = tree_entry(h);
                                if (r < 0)
                                        return r;
                                t->at = T_ID, t->idgot = 0;
                        } else if (t->nlen == sizeof(t->name) - 1)
                                return bad(h, "a loose tree with an entry name longer than corral reads");
                        else
                                t->name[t->nlen++] = c;
                } else if (++t->idgot == t->idlen)
                        t->at = T_MODE, t->mlen = 0;
        }
        return 0;
}

/* The header in h->hdr (its NUL at h->hlen - 1), strictly as git writes it. */
static int parse_header(hasher *h) {
        static const char *const types[] = {"blob", "tree", "commit", "tag"};
        const char *sp = memchr(h->hdr, ' ', h->hlen);
        bool known = false;
        for (size_t i = 0; sp && i < sizeof(types) / sizeof(types[0]); i++)
                known = known || ((size_t)(sp - h->hdr) == strlen(types[i]) &&
                                  memcmp(h->hdr, types[i], strlen(types[i])) == 0);
        if (!known)
                return bad(h, "a loose object whose header names no type git knows (blob, tree, commit, tag)");
        const char *d = sp + 1, *end = h->hdr + h->hlen - 1;
        if (d == end || (*d == '0' && d + 1 != end))
                return bad(h, "a loose object whose header's size is not a plain number");
        uint64_t size = 0;
        for (; d < end; d++) {
                if (*d < '0' || *d > '9')
                        return bad(h, "a loose object whose header's size is not a plain number");
                size = size * 10 + (uint64_t)(*d - '0');
                if (size > GITOBJECT_MAX)
                        return bad(h, "a loose object larger than corral takes (4 GiB)");
        }
        h->size = size;
        h->in_body = true;
        h->tree.on = (size_t)(sp - h->hdr) == 4 && memcmp(h->hdr, "tree", 4) == 0;
        h->tree.idlen = h->fmt == GITOBJECT_SHA1 ? 20 : 32;
        hash_update(h, h->hdr, h->hlen);
        return 0;
}

/* n bytes of the inflated stream. */
static int take(hasher *h, const unsigned char *p, size_t n) {
        while (n && !h->in_body) {
                h->hdr[h->hlen++] = (char)*p;
                p++, n--;
                if (h->hdr[h->hlen - 1] == 0) {
                        int r = parse_header(h);
                        if (r < 0)
                                return r;
                } else if (h->hlen == sizeof(h->hdr))
                        return bad(h, "a loose object without a header git would write (\"TYPE SIZE\\0\")");
        }
        if (!n)
                return 0;
        if (n > h->size - h->got)
                return bad(h, "a loose object longer than its header says");
        h->got += n;
        hash_update(h, p, n);
        return h->tree.on ? tree_take(h, p, n) : 0;
}

/* Feeds z's input through inflate; *ended once the stream's end is met. */
static int inflate_all(z_stream *z, hasher *h, unsigned char *out, bool *ended) {
        for (;;) {
                z->next_out = out, z->avail_out = BUF;
                int zr = inflate(z, Z_NO_FLUSH);
                if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
                        return bad(h, "a loose object that is not a zlib stream");
                size_t n = BUF - z->avail_out;
                int r = take(h, out, n);
                if (r < 0)
                        return r;
                if (zr == Z_STREAM_END) {
                        *ended = true;
                        return z->avail_in ? bad(h, "a loose object with bytes after its zlib stream") : 0;
                }
                if (z->avail_out != 0 && z->avail_in == 0)
                        return 0; /* all input taken, all output given */
                if (n == 0 && zr == Z_BUF_ERROR)
                        return bad(h, "a loose object that is not a zlib stream");
        }
}

static int check(int fd, hasher *h, z_stream *z, unsigned char *in, unsigned char *out) {
        bool ended = false;
        for (;;) {
                ssize_t k = read(fd, in, BUF);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                if (ended)
                        return bad(h, "a loose object with bytes after its zlib stream");
                z->next_in = in, z->avail_in = (uInt)k;
                int r = inflate_all(z, h, out, &ended);
                if (r < 0)
                        return r;
        }
        if (!ended)
                return bad(h, "a loose object whose zlib stream is cut short");
        if (!h->in_body)
                return bad(h, "a loose object without a header git would write (\"TYPE SIZE\\0\")");
        if (h->got != h->size)
                return bad(h, "a loose object shorter than its header says");
        if (h->tree.on && (h->tree.at != T_MODE || h->tree.mlen))
                return bad(h, "a loose tree whose last entry is cut short");
        return 0;
}

int gitobject_check_loose(int fd, gitobject_format fmt, const char *hex, char *why, size_t why_len) {
        static unsigned char in[BUF], out[BUF]; /* (the supervisor imports one object at a time) */
        static hasher h; /* (its tree names: 8 KiB) */
        h = (hasher){.fmt = fmt, .why = why, .why_len = why_len};
        size_t want = fmt == GITOBJECT_SHA1 ? 40 : 64;
        if (strlen(hex) != want)
                return bad(&h, fmt == GITOBJECT_SHA1 ? "a loose object whose name is no SHA-1 id (the repository's "
                                                      "object format)"
                                                    : "a loose object whose name is no SHA-256 id (the repository's "
                                                      "object format)");
        if (fmt == GITOBJECT_SHA1)
                sha1_init(&h.s1);
        else
                sha256_init(&h.s256);
        z_stream z = {0};
        if (inflateInit(&z) != Z_OK)
                return -ENOMEM;
        int r = check(fd, &h, &z, in, out);
        inflateEnd(&z);
        if (r < 0)
                return r;
        uint8_t d[32];
        if (fmt == GITOBJECT_SHA1)
                sha1_final(&h.s1, d);
        else
                sha256_final(&h.s256, d);
        char got[65];
        for (size_t i = 0; i < want / 2; i++)
                snprintf(got + 2 * i, 3, "%02x", d[i]);
        if (strcmp(got, hex) != 0) {
                snprintf(why, why_len,
                         "a loose object whose contents hash to %s, not to its name (git would take them for the "
                         "object of that name)",
                         got);
                return -EINVAL;
        }
        return 0;
}
