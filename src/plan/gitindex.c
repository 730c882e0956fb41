/* SPDX-License-Identifier: MIT
 * Reading a git index for its gitlinks (gitindex.h). Layout, per
 * gitformat-index(5): "DIRC", version, entry count, then per entry 40
 * bytes of stat data and mode (mode at offset 24), the object name (20 or
 * 32 bytes), 16 bits of flags (name length in the low 12 bits; bit 14: an
 * extended-flags word follows, version 3+), then the path: versions 2 and 3
 * NUL-terminated and padded with NULs to a multiple of 8 bytes from the
 * entry's start; version 4 a varint of bytes to drop from the previous path
 * and the rest NUL-terminated, without padding. */
#include "plan/gitindex.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/readfile.h"

#define GITLINK_MODE 0160000u
#define MODE_TYPE 0170000u

static uint32_t be32(const unsigned char *p) {
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* A path git's verify_path refuses (with core.protectNTFS and
 * core.protectHFS, its defaults): empty components, "." and "..", a
 * leading "/", and ".git" in any case, with trailing dots or spaces, or as
 * "git~1"; split on '/' and '\\'. */
static bool bad_path(const char *path) {
        if (path[0] == '/')
                return true;
        const char *p = path;
        for (;;) {
                size_t n = strcspn(p, "/\\");
                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return true;
                if (n >= 4 && strncasecmp(p, ".git", 4) == 0) {
                        size_t k = 4;
                        while (k < n && (p[k] == '.' || p[k] == ' '))
                                k++;
                        if (k == n)
                                return true;
                }
                if (n == 5 && strncasecmp(p, "git~1", 5) == 0)
                        return true;
                if (!p[n])
                        return false;
                p += n + 1;
        }
}

/* *bad = a copy of path when git would refuse it (a sparse index's
 * directory entry, mode 040000, ends in '/': that is not refused). */
static int note_bad(const char *path, size_t path_len, uint32_t mode, char **bad) {
        bool dir = (mode & MODE_TYPE) == 0040000u && path[path_len - 1] == '/';
        char *checked = dir ? strdup(path) : NULL;
        if (dir && !checked)
                return -ENOMEM;
        if (dir)
                checked[path_len - 1] = 0;
        bool refused = bad_path(dir ? checked : path);
        free(checked);
        if (refused && !(*bad = strdup(path)))
                return -ENOMEM;
        return 0;
}

/* Parses every entry with object names of hash_len bytes into out (NULL:
 * only checks that the entries are consistent). *bad: the first path git
 * would refuse, when bad is non-NULL; shared: the name of the split index's
 * shared part (the "link" extension), "" when none. A path of version 2 or
 * 3 is read where it lies in buf (NUL-terminated there); version 4's, built
 * from the previous one, in one buffer that grows: no allocation per entry
 * (an index of 100,000 files is read on every run). */
typedef struct each_ctx {
        gitindex_entry_fn fn;
        void *data;
        bool shared; /* the entries are a split index's shared part */
} each_ctx;

static int parse(const unsigned char *buf, size_t len, size_t hash_len, strv *out, char **bad, char *shared,
                 const each_ctx *each) {
        uint32_t version = be32(buf + 4), count = be32(buf + 8);
        size_t at = 12;
        char *prev = NULL; /* version 4: the path being built, prev_len long */
        size_t prev_len = 0, prev_cap = 0;
        int r = 0;
        for (uint32_t i = 0; i < count && r == 0; i++) {
                size_t start = at, fixed = 40 + hash_len + 2;
                if (len - at < fixed) {
                        r = -EINVAL;
                        break;
                }
                uint32_t mode = be32(buf + at + 24);
                unsigned flags = (unsigned)buf[at + 40 + hash_len] << 8 | buf[at + 41 + hash_len];
                at += fixed;
                if (flags & 0x4000) {
                        if (version < 3 || len - at < 2) {
                                r = -EINVAL;
                                break;
                        }
                        at += 2;
                }
                size_t name_len = flags & 0xfff;
                const char *path;
                size_t path_len;
                if (version == 4) {
                        uint64_t drop = 0;
                        unsigned char c;
                        int bytes = 0;
                        do { /* git's offset varint: 7 bits a byte, +1 per continuation */
                                if (at >= len || ++bytes > 9) {
                                        r = -EINVAL;
                                        break;
                                }
                                c = buf[at++];
                                drop = (drop << 7) | (c & 0x7f);
                                if (c & 0x80)
                                        drop++;
                        } while (c & 0x80);
                        if (r < 0)
                                break;
                        const unsigned char *nul = memchr(buf + at, 0, len - at);
                        if (!nul || drop > prev_len) {
                                r = -EINVAL;
                                break;
                        }
                        size_t keep = prev_len - (size_t)drop, rest = (size_t)(nul - (buf + at));
                        path_len = keep + rest;
                        if (!prev || path_len + 1 > prev_cap) {
                                size_t cap = (path_len + 1) * 2;
                                char *n = realloc(prev, cap);
                                if (!n) {
                                        r = -ENOMEM;
                                        break;
                                }
                                prev = n, prev_cap = cap;
                        }
                        memcpy(prev + keep, buf + at, rest);
                        prev[path_len] = 0;
                        prev_len = path_len;
                        path = prev;
                        at += rest + 1;
                } else {
                        const unsigned char *nul = memchr(buf + at, 0, len - at);
                        if (!nul) {
                                r = -EINVAL;
                                break;
                        }
                        path = (const char *)(buf + at);
                        path_len = (size_t)(nul - (buf + at));
                        at = start + ((at - start + path_len + 8) & ~(size_t)7); /* 1-8 NULs */
                        if (at > len) {
                                r = -EINVAL;
                                break;
                        }
                }
                /* (an empty path: an entry of a split index that replaces one
                 * of its shared part, which holds the path) */
                if (name_len < 0xfff && name_len != path_len)
                        r = -EINVAL;
                if (r == 0 && path_len && out && (mode & MODE_TYPE) == GITLINK_MODE && strv_push(out, path) < 0)
                        r = -ENOMEM;
                if (r == 0 && path_len && bad && !*bad)
                        r = note_bad(path, path_len, mode, bad);
                if (r == 0 && each)
                        r = each->fn(path, mode, buf + start + 40, hash_len, each->shared, each->data);
        }
        free(prev);
        /* the extensions: a 4-byte signature and a 32-bit size each, up to
         * the trailing checksum */
        while (r == 0 && len >= hash_len && at + 8 <= len - hash_len) {
                uint32_t size = be32(buf + at + 4);
                if (size > len - hash_len - at - 8)
                        break;
                if (shared && memcmp(buf + at, "link", 4) == 0 && size >= hash_len)
                        for (size_t i = 0; i < hash_len; i++)
                                snprintf(shared + 2 * i, 3, "%02x", buf[at + 8 + i]);
                at += 8 + size;
        }
        /* what is left is exactly the trailing checksum: how SHA-1 and
         * SHA-256 indexes are told apart */
        if (r == 0 && (len < hash_len || at != len - hash_len))
                r = -EINVAL;
        return r;
}

/* Takes out back to its first n entries (a parse that failed). */
static void truncate_to(strv *out, size_t n) {
        while (out && out->n > n) {
                free(out->v[--out->n]);
                out->v[out->n] = NULL;
        }
}

static int parse_all(const unsigned char *buf, size_t len, strv *out, char **bad, char *shared) {
        if (shared)
                shared[0] = 0;
        if (len < 12 || memcmp(buf, "DIRC", 4) != 0)
                return -EINVAL;
        uint32_t version = be32(buf + 4);
        if (version < 2 || version > 4)
                return -EINVAL;
        if (be32(buf + 8) == 0)
                return parse(buf, len, 20, out, bad, shared, NULL);
        /* SHA-1 or SHA-256: the one whose entries are consistent, tried in
         * that order (what a failed try added is taken back) */
        size_t n0 = out ? out->n : 0;
        char *bad1 = NULL;
        int r = parse(buf, len, 20, out, bad ? &bad1 : NULL, shared, NULL);
        if (r == 0) {
                if (bad && !*bad)
                        *bad = bad1;
                else
                        free(bad1);
                return 0;
        }
        free(bad1);
        truncate_to(out, n0);
        if (r == -ENOMEM)
                return r;
        if (shared)
                shared[0] = 0;
        r = parse(buf, len, 32, out, bad, shared, NULL);
        if (r < 0)
                truncate_to(out, n0);
        return r == -ENOMEM ? r : r < 0 ? -EINVAL : 0;
}

int gitindex_parse(const unsigned char *buf, size_t len, strv *out) { return parse_all(buf, len, out, NULL, NULL); }

static int read_one(const char *path, strv *out, char **bad, char *shared) {
        char *text = NULL;
        size_t len = 0;
        int r = readfile_small(path, GITINDEX_MAX, 0, &text, &len, NULL);
        if (r < 0)
                return r;
        r = parse_all((const unsigned char *)text, len, out, bad, shared);
        free(text);
        return r;
}

int gitindex_read(const char *index, strv *gitlinks, char **bad) {
        char shared[2 * 32 + 1];
        int r = read_one(index, gitlinks, bad, shared);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r < 0 || !shared[0])
                return r;
        /* a split index: its shared part, sharedindex.<hash> beside it */
        const char *slash = strrchr(index, '/');
        size_t dir = slash ? (size_t)(slash - index) + 1 : 0;
        char *path = malloc(dir + sizeof("sharedindex.") + sizeof(shared));
        if (!path)
                return -ENOMEM;
        memcpy(path, index, dir);
        snprintf(path + dir, sizeof("sharedindex.") + sizeof(shared), "sharedindex.%s", shared);
        r = read_one(path, gitlinks, bad, NULL);
        free(path);
        return r;
}

int gitindex_gitlinks(const char *index, strv *out) { return gitindex_read(index, out, NULL); }

/* One file's entries to each->fn, with the object names' length found as
 * parse_all finds it (a first pass without the callback). */
static int each_one(const char *path, const each_ctx *each, char *shared) {
        char *text = NULL;
        size_t len = 0;
        int r = readfile_small(path, GITINDEX_MAX, 0, &text, &len, NULL);
        if (r < 0)
                return r;
        const unsigned char *buf = (const unsigned char *)text;
        size_t hash_len = 20;
        r = parse_all(buf, len, NULL, NULL, shared);
        if (r == 0 && be32(buf + 8) != 0 && parse(buf, len, 20, NULL, NULL, NULL, NULL) < 0)
                hash_len = 32;
        if (r == 0)
                r = parse(buf, len, hash_len, NULL, NULL, NULL, each);
        free(text);
        return r;
}

int gitindex_each(const char *index, gitindex_entry_fn fn, void *data) {
        char shared[2 * 32 + 1];
        each_ctx each = {fn, data, false};
        int r = each_one(index, &each, shared);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r < 0 || !shared[0])
                return r;
        const char *slash = strrchr(index, '/');
        size_t dir = slash ? (size_t)(slash - index) + 1 : 0;
        char *path = malloc(dir + sizeof("sharedindex.") + sizeof(shared));
        if (!path)
                return -ENOMEM;
        memcpy(path, index, dir);
        snprintf(path + dir, sizeof("sharedindex.") + sizeof(shared), "sharedindex.%s", shared);
        each.shared = true;
        char none[2 * 32 + 1];
        r = each_one(path, &each, none);
        free(path);
        return r;
}
