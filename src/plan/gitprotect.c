/* SPDX-License-Identifier: MIT
 * Protected names in a git index (gitprotect.h). */
#include "plan/gitprotect.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/macro.h"
#include "common/path.h"
#include "common/sha1.h"
#include "plan/gitindex.h"
#include "policy/policy.h"

/* mise's configs named with a directory (plan_userns.c holds them where
 * mise is in use): their trust is their directory's parent's */
static const char *const mise_dir_configs[][2] = {
        {".config", "mise.toml"}, {".config", "mise.local.toml"}, {".config", "mise"},
        {"mise", "config.toml"},  {"mise", "config.local.toml"},
};

typedef struct collect {
        const strv *protect, *roots;
        unsigned depth;
        bool mise;
        const char *worktree;
        strv *keys;
        bool replaced, shared_protected;
} collect;

static bool same_name(const char *want, const char *comp, size_t n) {
        return strlen(want) == n && strncasecmp(want, comp, n) == 0;
}

/* Whether rel (a path below a top, '/'-separated) is or lies under a
 * protected name within depth levels of that top (or a mise config named
 * with a directory, that directory within depth). */
static bool rel_protected(const collect *c, const char *rel) {
        const char *p = rel;
        for (unsigned level = 0; *p && level <= c->depth; level++) {
                size_t n = strcspn(p, "/");
                for (size_t i = 0; i < c->protect->n; i++)
                        if (same_name(c->protect->v[i], p, n))
                                return true;
                if (!p[n])
                        return false;
                const char *q = p + n + 1;
                size_t m = strcspn(q, "/");
                for (size_t i = 0; c->mise && i < ELEMENTSOF(mise_dir_configs); i++)
                        if (same_name(mise_dir_configs[i][0], p, n) && same_name(mise_dir_configs[i][1], q, m))
                                return true;
                p = q;
        }
        return false;
}

/* Below top: the rest of abs after top and its '/', or NULL. */
static const char *below(const char *abs, const char *top) {
        size_t n = strlen(top);
        if (n == 1 && top[0] == '/')
                return abs + 1;
        return strncmp(abs, top, n) == 0 && abs[n] == '/' ? abs + n + 1 : NULL;
}

static int on_entry(const char *path, uint32_t mode, const unsigned char *oid, size_t oid_len, bool shared,
                    void *data) {
        collect *c = data;
        if (!path[0]) {
                c->replaced = c->replaced || !shared;
                return 0;
        }
        bool hit = rel_protected(c, path);
        _cleanup_free_ char *abs = hit || !c->worktree ? NULL : path_join(c->worktree, path);
        if (!hit && c->worktree && !abs)
                return -ENOMEM;
        for (size_t i = 0; !hit && abs && i < c->roots->n; i++) {
                const char *rel = below(abs, c->roots->v[i]);
                hit = rel && rel_protected(c, rel);
        }
        if (!hit)
                return 0;
        c->shared_protected = c->shared_protected || shared;
        char hex[2 * 32 + 1];
        for (size_t i = 0; i < oid_len && i < 32; i++)
                snprintf(hex + 2 * i, 3, "%02x", oid[i]);
        hex[2 * (oid_len < 32 ? oid_len : 32)] = 0;
        size_t n = 12 + 1 + strlen(hex) + 1 + strlen(path) + 1;
        char *key = malloc(n);
        if (!key)
                return -ENOMEM;
        snprintf(key, n, "%06o %s %s", (unsigned)mode, hex, path);
        return strv_push_take(c->keys, key) < 0 ? -ENOMEM : 0;
}

int gitprotect_entries(const strv *protect, unsigned depth, const strv *roots, const char *worktree,
                       const char *index, strv *keys) {
        static const strv none = {0};
        collect c = {.protect = protect, .roots = roots ? roots : &none, .depth = depth, .worktree = worktree,
                     .keys = keys};
        for (size_t i = 0; i < protect->n; i++)
                c.mise = c.mise || policy_name_family(protect->v[i]) == FAMILY_MISE;
        int r = gitindex_each(index, on_entry, &c);
        if (r == 0 && c.replaced && c.shared_protected && strv_push(keys, GITPROTECT_SPLIT) < 0)
                r = -ENOMEM;
        return r;
}

const char *gitprotect_new(const strv *before, const strv *after) {
        for (size_t i = 0; i < after->n; i++)
                if (after->v[i][0] == '?' || !strv_contains(before, after->v[i]))
                        return after->v[i];
        return NULL;
}

const char *gitprotect_path(const char *key) {
        if (key[0] == '?')
                return key;
        const char *sp = strchr(key, ' ');
        sp = sp ? strchr(sp + 1, ' ') : NULL;
        return sp ? sp + 1 : key;
}

void gitprotect_digest(const char *key, char out[41]) {
        uint8_t d[20];
        sha1(key, strlen(key), d);
        for (size_t i = 0; i < 20; i++)
                snprintf(out + 2 * i, 3, "%02x", d[i]);
}
