/* SPDX-License-Identifier: MIT
 * Package-manager and build caches: see plan/caches.h. */
#include "plan/caches.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/macro.h"
#include "common/path.h"

typedef enum cache_base {
        BASE_HOME, /* relative to $HOME */
        BASE_XDG,  /* relative to the xdg cache */
        BASE_DATA, /* relative to $XDG_DATA_HOME or ~/.local/share */
} cache_base;

/* Where each tool keeps its cache, which variable moves it, and what below
 * it is a toolchain that stays read-only. */
typedef struct cache_def {
        policy_cache id;
        const char *env;      /* variable naming the directory, when the developer set it */
        cache_base base;
        const char *rel;
        const char *redirect; /* variable set when the developer has no such directory */
        const char *keep_ro;  /* a toolchain directory beneath it */
} cache_def;

static const cache_def defs[] = {
        {CACHE_XDG, "XDG_CACHE_HOME", BASE_HOME, ".cache", NULL, NULL},
        {CACHE_NPM, "npm_config_cache", BASE_HOME, ".npm", "npm_config_cache", NULL},
        {CACHE_PNPM, "npm_config_store_dir", BASE_DATA, "pnpm/store", "npm_config_store_dir", NULL},
        {CACHE_YARN, "YARN_CACHE_FOLDER", BASE_XDG, "yarn", "YARN_CACHE_FOLDER", NULL},
        {CACHE_PIP, "PIP_CACHE_DIR", BASE_XDG, "pip", "PIP_CACHE_DIR", NULL},
        {CACHE_UV, "UV_CACHE_DIR", BASE_XDG, "uv", "UV_CACHE_DIR", NULL},
        {CACHE_POETRY, "POETRY_CACHE_DIR", BASE_XDG, "pypoetry", "POETRY_CACHE_DIR", NULL},
        {CACHE_CARGO, "CARGO_HOME", BASE_HOME, ".cargo", "CARGO_HOME", "bin"},
        {CACHE_GO, "GOMODCACHE", BASE_HOME, "go/pkg", "GOMODCACHE", NULL}, /* see go_path */
        {CACHE_GO_BUILD, "GOCACHE", BASE_XDG, "go-build", "GOCACHE", NULL},
        {CACHE_MAVEN, NULL, BASE_HOME, ".m2/repository", "MAVEN_OPTS", NULL},
        {CACHE_GRADLE, "GRADLE_USER_HOME", BASE_HOME, ".gradle", "GRADLE_USER_HOME", NULL},
        {CACHE_NODE_GYP, "npm_config_devdir", BASE_XDG, "node-gyp", "npm_config_devdir", NULL},
        {CACHE_CCACHE, "CCACHE_DIR", BASE_XDG, "ccache", "CCACHE_DIR", NULL},
};


/* the plan's environment's value of name */
static const char *plan_env(const plan *pl, const char *name) { return env_get((const char *const *)pl->env.v, name); }

static int env_set(plan *pl, const char *assignment) {
        size_t n = strcspn(assignment, "=");
        for (size_t i = 0; i < pl->env.n; i++)
                if (strncmp(pl->env.v[i], assignment, n) == 0 && pl->env.v[i][n] == '=') {
                        char *c = strdup(assignment);
                        if (!c)
                                return -ENOMEM;
                        free(pl->env.v[i]);
                        pl->env.v[i] = c;
                        return 0;
                }
        return strv_push(&pl->env, assignment);
}

/* Overlayfs may be mounted in a user namespace from Linux 5.11 on. */
static bool overlay_in_userns(void) {
        struct utsname u;
        unsigned major = 0, minor = 0;
        // NOLINTNEXTLINE(cert-err34-c): the kernel's release string; a failed parse means "too old"
        if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2)
                return false;
        return major > 5 || (major == 5 && minor >= 11);
}

/* Whether a program is on the command's PATH: npm warns about every
 * npm_config_* variable it does not know, so pnpm's is set only for pnpm. */
static bool on_path(const plan *pl, const char *prog) {
        const char *path = plan_env(pl, "PATH");
        for (const char *s = path; s && *s;) {
                size_t n = strcspn(s, ":");
                char buf[4096];
                if (n > 0 && n < sizeof(buf) - 64) {
                        snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, s, prog);
                        if (access(buf, X_OK) == 0)
                                return true;
                }
                s += n + (s[n] == ':');
        }
        return false;
}

/* Whether overlayfs can keep an upper layer on the filesystem that holds
 * path (or its nearest existing ancestor): it needs user xattrs, O_TMPFILE,
 * RENAME_WHITEOUT and d_type, which network and FUSE filesystems lack. A
 * failed mount would fail every run; without a known-good filesystem the
 * caches stay read-only instead, and explain says why. */
static bool upper_fs_ok(const char *path, char *name, size_t len) {
        char buf[4096];
        snprintf(buf, sizeof(buf), "%s", path);
        struct statfs sf;
        while (statfs(buf, &sf) < 0) {
                char *slash = strrchr(buf, '/');
                if (!slash || slash == buf)
                        return snprintf(name, len, "unknown"), false;
                *slash = 0;
        }
        static const struct {
                unsigned long magic;
                const char *name;
        } ok[] = {{0xEF53, "ext4"},          {0x58465342, "xfs"}, {0x9123683E, "btrfs"},
                  {0xF2F52010, "f2fs"},     {0x2FC12FC1, "zfs"}, {0xCA451A4E, "bcachefs"},
                  {0x01021994, "tmpfs"}};
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if ((unsigned long)sf.f_type == ok[i].magic) {
                        snprintf(name, len, "%s", ok[i].name);
                        return true;
                }
        snprintf(name, len, "filesystem type 0x%lx", (unsigned long)sf.f_type);
        return false;
}

/* A directory (not a symlink); what planning found already is not looked
 * at again (common/path.h: cache_path canonicalized it a moment ago). */
static bool is_dir(const char *path) {
        int known = path_canon_memo_lookup(path);
        if (known >= 0)
                return known == 1;
        struct stat st;
        if (lstat(path, &st) < 0) {
                if (errno == ENOENT)
                        path_canon_memo_note(path, false);
                return false;
        }
        if (S_ISDIR(st.st_mode))
                path_canon_memo_note(path, true);
        return S_ISDIR(st.st_mode);
}

static bool below_any(const char *path, const strv *list) {
        for (size_t i = 0; i < list->n; i++)
                if (path_is_below_or_equal(path, list->v[i]))
                        return true;
        return false;
}

/* The directory a tool uses, canonical; NULL when it cannot be told. */
static char *cache_path(const cache_def *d, const policy *p, const plan *pl, const char *xdg) {
        const char *set = d->env ? plan_env(pl, d->env) : NULL;
        if (set && path_is_absolute(set))
                return path_canonicalize(set);
        _cleanup_free_ char *joined = NULL;
        if (d->id == CACHE_GO) {
                /* GOPATH's first entry, else ~/go; its pkg/ holds mod/ and sumdb/ */
                const char *gopath = plan_env(pl, "GOPATH");
                _cleanup_free_ char *first = gopath && path_is_absolute(gopath) ? strndup(gopath, strcspn(gopath, ":"))
                                                                                 : NULL;
                joined = first ? path_join(first, "pkg") : p->home ? path_join(p->home, "go/pkg") : NULL;
        } else if (d->base == BASE_XDG)
                joined = xdg ? path_join(xdg, d->rel) : NULL;
        else if (d->base == BASE_DATA) {
                const char *data = plan_env(pl, "XDG_DATA_HOME");
                _cleanup_free_ char *base = data && path_is_absolute(data) ? strdup(data)
                                            : p->home ? path_join(p->home, ".local/share")
                                                      : NULL;
                joined = base ? path_join(base, d->rel) : NULL;
        } else
                joined = p->home ? path_join(p->home, d->rel) : NULL;
        return joined ? path_canonicalize(joined) : NULL;
}

/* The variable that gives a tool without a cache one in the xdg overlay. */
static const char *redirect_of(const cache_def *d, plan *pl, const char *xdg) {
        const char *name = policy_cache_to_string(d->id);
        if (d->id == CACHE_MAVEN) {
                const char *opts = plan_env(pl, "MAVEN_OPTS");
                return plan_strf(pl, "MAVEN_OPTS=%s%s-Dmaven.repo.local=%s/corral-caches/maven/repository",
                                 opts ? opts : "", opts && *opts ? " " : "", xdg);
        }
        if (d->id == CACHE_GO) {
                const char *gopath = plan_env(pl, "GOPATH");
                _cleanup_free_ char *home_go = pl->policy.home ? path_join(pl->policy.home, "go") : NULL;
                if (!gopath && home_go && !is_dir(home_go)) /* no ~/go at all: a private GOPATH */
                        return plan_strf(pl, "GOPATH=%s/corral-caches/go", xdg);
                return plan_strf(pl, "GOMODCACHE=%s/corral-caches/go/pkg/mod", xdg);
        }
        return plan_strf(pl, "%s=%s/corral-caches/%s", d->redirect, xdg, name);
}

static int add_keep(plan *pl, plan_cache *c, const char *path) {
        if (c->n_keep >= ELEMENTSOF(c->keep))
                return 0;
        const char *k = plan_str(pl, path);
        if (!k)
                return -ENOMEM;
        c->keep[c->n_keep] = k;
        c->keep_slot[c->n_keep++] = -1;
        return 0;
}

/* <cache>/corral: the parent of every workspace's state directory. */
static char *state_root(const plan *pl) {
        const char *ws = strstr(pl->state_dir, "/workspaces/");
        return ws ? strndup(pl->state_dir, (size_t)(ws - pl->state_dir)) : NULL;
}

static int caches_dir(const policy *p, plan *pl, corral_error *err) {
        if (!p->caches_dir)
                return asprintf(&pl->caches_dir, "%s/caches", pl->state_dir) < 0 ? oom(err) : 0;
        if (below_any(p->caches_dir, &p->writable_roots))
                return error_set(err, -EINVAL,
                                 "caches.dir %s lies in a writable root: the command could change its private caches "
                                 "behind the overlay; choose a directory outside the workspace and writable roots",
                                 p->caches_dir);
        if (p->tmp == TMP_HOST && (path_is_below_or_equal(p->caches_dir, "/tmp")))
                return error_set(err, -EINVAL,
                                 "caches.dir %s lies in the host's /tmp, which the command writes with --tmp host: it "
                                 "could change its private caches behind the overlay; choose a directory of yours "
                                 "outside /tmp",
                                 p->caches_dir);
        const char *hash = strrchr(pl->state_dir, '/');
        return asprintf(&pl->caches_dir, "%s/%s", p->caches_dir, hash ? hash + 1 : "workspace") < 0 ? oom(err) : 0;
}

static int note(plan *pl, const char *text) { return text && strv_push(&pl->notes, text) >= 0 ? 0 : -ENOMEM; }

/* A workspace that is no repository gets a placeholder .git for the run (a
 * directory), which go takes for a repository whose status it cannot read:
 * `go build` fails ("error obtaining VCS status"). There is no VCS to stamp,
 * so -buildvcs=false is added to GOFLAGS, unless it says otherwise. */
static int go_buildvcs(const policy *p, plan *pl) {
        _cleanup_free_ char *git = path_join(p->workspace, ".git");
        struct stat st;
        const char *flags = plan_env(pl, "GOFLAGS");
        if (!git || p->mode != MODE_WORKSPACE_WRITE || !strv_contains(&p->writable_roots, p->workspace) ||
            lstat(git, &st) == 0 || !strv_contains(&p->protect, ".git") || (flags && strstr(flags, "buildvcs")))
                return git ? 0 : -ENOMEM;
        const char *set = plan_strf(pl, "GOFLAGS=%s%s-buildvcs=false", flags ? flags : "", flags && *flags ? " " : "");
        if (!set || env_set(pl, set) < 0)
                return -ENOMEM;
        return note(pl, plan_strf(pl, "%s: no .git in the workspace, and go would take the placeholder that "
                                      "protects it for a repository", set));
}

int plan_caches(const policy *p, plan *pl, corral_error *err) {
        int r = caches_dir(p, pl, err);
        if (r < 0)
                return r;
        if (!(pl->caches = calloc(N_CACHES, sizeof(plan_cache))))
                return oom(err);
        pl->n_caches = N_CACHES;

        const char *off_why = NULL;
        if (p->mode == MODE_FULL_ACCESS)
                off_why = "full-access: the developer's own, writable";
        else if (p->mode == MODE_READ_ONLY)
                off_why = "read-only mode: nothing is writable, caches neither";
        else if (pl->backend == BACKEND_USERS)
                off_why = "users backend: the sandbox user's own caches in its home (corral-runner); the "
                          "developer's are not read through (docs/config.md says why)";
        bool overlay_ok = overlay_in_userns();
        char fs[64];
        if (!off_why && !overlay_ok &&
            note(pl, "caches: overlayfs cannot be mounted in a user namespace before Linux 5.11: the developer's "
                     "caches stay read-only and no private cache is provided") < 0)
                return oom(err);
        if (!off_why && overlay_ok && !upper_fs_ok(pl->caches_dir, fs, sizeof(fs))) {
                overlay_ok = false;
                if (note(pl, plan_strf(pl, "caches: %s is on %s, which cannot hold an overlay's upper layer: the "
                                           "developer's caches stay read-only; set [caches] dir to a directory on a "
                                           "local filesystem (ext4, xfs, btrfs, tmpfs)",
                                       pl->caches_dir, fs)) < 0)
                        return oom(err);
        }

        _cleanup_free_ char *xdg_c = cache_path(&defs[0], p, pl, NULL);
        _cleanup_free_ char *sroot = state_root(pl);
        const char *xdg = xdg_c ? plan_str(pl, xdg_c) : NULL;
        bool xdg_mounted = false;

        for (size_t i = 0; i < ELEMENTSOF(defs); i++) {
                const cache_def *d = &defs[i];
                plan_cache *c = &pl->caches[d->id];
                const char *name = policy_cache_to_string(d->id);
                c->id = d->id, c->mode = p->caches[d->id], c->slot = -1;
                _cleanup_free_ char *path = i == 0 ? (xdg ? strdup(xdg) : NULL) : cache_path(d, p, pl, xdg);
                c->path = path ? plan_str(pl, path) : NULL;
                if (path && !c->path)
                        return oom(err);
                bool in_xdg = i > 0 && xdg && path && path_is_below_or_equal(path, xdg);
                /* the xdg cache holds corral's state dir, which host_prepare creates */
                bool exists = path && (is_dir(path) || (i == 0 && sroot && path_is_below_or_equal(sroot, path)));

                if (off_why) {
                        c->how = CACHE_HOW_NONE, c->why = off_why;
                        continue;
                }
                if (!path) {
                        c->how = CACHE_HOW_NONE, c->why = "no home directory to find it in";
                        continue;
                }
                if (below_any(path, &p->writable_roots)) {
                        c->how = CACHE_HOW_WRITABLE, c->why = "inside a writable root: the developer's own, writable";
                        continue;
                }
                if (path_is_below_or_equal(path, "/tmp") || path_is_below_or_equal(path, "/dev") ||
                    path_is_below_or_equal(path, "/proc")) {
                        c->how = CACHE_HOW_NONE, c->why = "under /tmp, /dev or /proc: not provided";
                        continue;
                }
                if (in_xdg && strcmp(path, xdg) == 0) {
                        c->how = CACHE_HOW_IN_XDG, c->why = "the xdg cache itself";
                        continue;
                }
                if (c->mode == CACHE_OFF || !overlay_ok) {
                        c->how = CACHE_HOW_READONLY;
                        c->why = c->mode == CACHE_OFF ? "off: the developer's, read-only" : "read-only (no overlayfs)";
                        if (in_xdg && xdg_mounted && exists) { /* shown as it is, on top of the xdg overlay */
                                if (add_keep(pl, c, path) < 0)
                                        return oom(err);
                        } else if (in_xdg && xdg_mounted) {
                                c->how = CACHE_HOW_IN_XDG;
                                c->why = "off, but the developer has none: it follows the xdg cache";
                        }
                        continue;
                }
                if (exists) {
                        c->how = CACHE_HOW_OVERLAY;
                        c->private_dir = plan_strf(pl, "%s/%s", pl->caches_dir, name);
                        c->why = c->mode == CACHE_READ_THROUGH
                                         ? "the developer's cache read through, writes kept private to this workspace"
                                         : "private to this workspace, the developer's hidden";
                        if (!c->private_dir)
                                return oom(err);
                        /* What stays as it is beneath the overlay: a toolchain,
                         * and corral's own state (it lies in the xdg cache). */
                        if (d->keep_ro) {
                                _cleanup_free_ char *k = path_join(path, d->keep_ro);
                                if (!k)
                                        return oom(err);
                                if (is_dir(k) && add_keep(pl, c, k) < 0)
                                        return oom(err);
                        }
                        if (sroot && path_is_below_or_equal(sroot, path) && add_keep(pl, c, sroot) < 0)
                                return oom(err);
                        if (p->caches_dir && path_is_below_or_equal(p->caches_dir, path) &&
                            !(sroot && path_is_below_or_equal(p->caches_dir, sroot)) && add_keep(pl, c, p->caches_dir) < 0)
                                return oom(err);
                        if (i == 0)
                                xdg_mounted = true;
                        continue;
                }
                if (in_xdg) {
                        c->how = xdg_mounted ? CACHE_HOW_IN_XDG : CACHE_HOW_NONE;
                        c->why = xdg_mounted ? "the developer has none: it is made in the xdg overlay"
                                             : "the developer has none, and the xdg cache is not mounted";
                        continue;
                }
                if (d->id == CACHE_PNPM && !on_path(pl, "pnpm")) {
                        c->how = CACHE_HOW_NONE, c->why = "the developer has none, and pnpm is not on PATH";
                        continue;
                }
                if (!xdg_mounted || !d->redirect) {
                        c->how = CACHE_HOW_NONE;
                        c->why = "the developer has none, and the xdg cache is not mounted to make one in";
                        continue;
                }
                c->how = CACHE_HOW_VARIABLE;
                c->why = "the developer has none: a private one in the xdg overlay, through the tool's variable";
                if (!(c->variable = redirect_of(d, pl, xdg)) || env_set(pl, c->variable) < 0)
                        return oom(err);
        }
        return go_buildvcs(p, pl) < 0 ? oom(err) : 0;
}

int plan_caches_mount(plan *pl) {
        for (size_t i = 0; i < pl->n_caches; i++) {
                plan_cache *c = &pl->caches[i];
                mount_op *op;
                if (c->how == CACHE_HOW_OVERLAY) {
                        c->slot = plan_new_slot(pl);
                        if (!(op = plan_op(pl, MOP_OVERLAY,
                                           plan_strf(pl, "cache %s (%s)", policy_cache_to_string(c->id),
                                                     policy_cache_mode_to_string(c->mode)))))
                                return -ENOMEM;
                        op->slot = c->slot, op->cache_dir = c->private_dir;
                        op->path = c->mode == CACHE_READ_THROUGH ? c->path : NULL;
                        /* private: nothing below comes from the developer's, so the
                         * mount points of what stays as it is are made in the upper */
                        for (size_t k = 0; c->mode == CACHE_PRIVATE && k < c->n_keep; k++) {
                                const char *rel = c->keep[k] + strlen(c->path) + 1;
                                for (const char *s = rel;; s++)
                                        if (*s == '/' || *s == 0) {
                                                if (!(op = plan_op(pl, MOP_MKDIR, NULL)))
                                                        return -ENOMEM;
                                                op->slot = c->slot, op->mode = 0755;
                                                if (!(op->sub = plan_strf(pl, "%.*s", (int)(s - rel), rel)))
                                                        return -ENOMEM;
                                                if (!*s)
                                                        break;
                                        }
                        }
                }
                if (c->how != CACHE_HOW_OVERLAY && c->how != CACHE_HOW_READONLY)
                        continue;
                for (size_t k = 0; k < c->n_keep; k++) {
                        c->keep_slot[k] = plan_new_slot(pl);
                        if (!(op = plan_op(pl, MOP_CLONE, NULL)))
                                return -ENOMEM;
                        op->slot = c->keep_slot[k], op->path = c->keep[k], op->recursive = true;
                        if (!(op = plan_op(pl, MOP_SETATTR, NULL)))
                                return -ENOMEM;
                        op->slot = c->keep_slot[k], op->attr = ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV;
                        op->recursive = true;
                }
        }
        return 0;
}

typedef struct attach_item {
        const char *path;
        int slot;
        const char *why;
} attach_item;

static int by_path(const void *a, const void *b) {
        return strcmp(((const attach_item *)a)->path, ((const attach_item *)b)->path);
}

int plan_caches_attach(plan *pl) {
        attach_item items[N_CACHES * 5] = {{0}};
        size_t n = 0;
        for (size_t i = 0; i < pl->n_caches; i++) {
                const plan_cache *c = &pl->caches[i];
                if (c->how == CACHE_HOW_OVERLAY)
                        items[n++] = (attach_item){c->path, c->slot,
                                                   plan_strf(pl, "cache %s", policy_cache_to_string(c->id))};
                for (size_t k = 0; k < c->n_keep; k++)
                        if (c->keep_slot[k] >= 0)
                                items[n++] = (attach_item){c->keep[k], c->keep_slot[k],
                                                           plan_strf(pl, "stays read-only over the cache %s",
                                                                     policy_cache_to_string(c->id))};
        }
        /* parents first: a path sorts before every path beneath it */
        qsort(items, n, sizeof(items[0]), by_path);
        for (size_t i = 0; i < n; i++) {
                mount_op *op = plan_op(pl, MOP_ATTACH, items[i].why);
                if (!op || !items[i].why)
                        return -ENOMEM;
                op->slot = items[i].slot, op->path = items[i].path;
        }
        return 0;
}

int plan_caches_landlock(plan *pl) {
        for (size_t i = 0; i < pl->n_caches; i++)
                if (pl->caches[i].how == CACHE_HOW_OVERLAY &&
                    plan_rule(pl, pl->caches[i].path, LL_WRITE_ALL, "private cache") < 0)
                        return -ENOMEM;
        return 0;
}

bool plan_caches_hides(const plan *pl, const char *path) {
        for (size_t i = 0; i < pl->n_caches; i++) {
                const plan_cache *c = &pl->caches[i];
                if (c->how != CACHE_HOW_OVERLAY || c->mode != CACHE_PRIVATE || !c->path ||
                    strcmp(path, c->path) == 0 || !path_is_below_or_equal(path, c->path))
                        continue;
                bool kept = false;
                for (size_t k = 0; k < c->n_keep; k++)
                        kept |= path_is_below_or_equal(path, c->keep[k]);
                if (!kept)
                        return true;
        }
        return false;
}

const char *cache_how_to_string(cache_how how) {
        switch (how) {
        case CACHE_HOW_OVERLAY: return "overlay";
        case CACHE_HOW_IN_XDG: return "in-xdg";
        case CACHE_HOW_VARIABLE: return "variable";
        case CACHE_HOW_READONLY: return "read-only";
        case CACHE_HOW_WRITABLE: return "writable";
        case CACHE_HOW_NONE: return "none";
        }
        return "?";
}
