/* SPDX-License-Identifier: MIT
 * The protected set and its pins (plan.h, "The protected set").
 *
 * A read-only mount over sub/.git pins that dentry, but not its parents: a
 * command could rename sub away and put its own sub/.git (hooks, a config
 * with core.fsmonitor) at the old path, which git outside then runs. So every
 * directory between the top of the writable root that holds a protected
 * object and the object is made a mount point too, by attaching a clone of
 * it onto itself: rename, rmdir and RENAME_EXCHANGE of a mount point fail
 * with EBUSY, while its contents stay as writable as before. The clone keeps
 * the attributes of the writable root's mount (nosuid, nodev).
 *
 * Identities: each object and each pinned directory is reached by
 * descriptor from the writable root's top (openat2 RESOLVE_NO_SYMLINKS for
 * the top, then openat O_NOFOLLOW for each component), and its device and
 * inode are recorded in the mount operations, which apply checks on the
 * descriptor it clones from and on the one it mounts onto. An object the
 * nested scan found must still be the one it saw. A directory that moved
 * between the scan and the mounts fails the run (125) naming it, rather than
 * protecting another object. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/macro.h"
#include "common/path.h"
#include "plan/plan.h"

typedef struct pin {
        const char *path; /* interned */
        const char *why;
        uint64_t dev, ino;
} pin;

typedef struct pins {
        pin *v;
        size_t n, cap;
} pins;


bool plan_is_protected(const plan *pl, const char *path) {
        for (size_t i = 0; i < pl->n_protected; i++)
                if (strcmp(pl->protected[i].path, path) == 0)
                        return true;
        return false;
}

int plan_protect(plan *pl, const char *path, bool nofollow, const char *why, const nested_id *expect) {
        if (plan_is_protected(pl, path))
                return 0;
        if (pl->n_protected == pl->cap_protected) {
                size_t cap = pl->cap_protected ? pl->cap_protected * 2 : 16;
                protected_obj *v = realloc(pl->protected, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                pl->protected = v, pl->cap_protected = cap;
        }
        const char *p = plan_str(pl, path);
        if (!p)
                return -ENOMEM;
        protected_obj *o = &pl->protected[pl->n_protected++];
        *o = (protected_obj){.path = p, .why = why, .nofollow = nofollow};
        if (expect)
                o->expected = true, o->expect_dev = expect->dev, o->expect_ino = expect->ino;
        return 0;
}

/* The outermost writable area that holds path (a writable root, or the
 * host's /tmp when the command shares it), or NULL. */
static const char *writable_top(const policy *p, const char *path) {
        const char *top = NULL;
        for (size_t i = 0; i < p->writable_roots.n; i++)
                if (path_is_below_or_equal(path, p->writable_roots.v[i]) &&
                    (!top || strlen(p->writable_roots.v[i]) < strlen(top)))
                        top = p->writable_roots.v[i];
        if (p->tmp == TMP_HOST && p->mode == MODE_WORKSPACE_WRITE && path_is_below_or_equal(path, "/tmp") &&
            (!top || strlen(top) > 4))
                top = "/tmp";
        return top;
}

/* Below (or at) an object that is read-only already: nothing there can be
 * renamed (EROFS), so nothing there needs a pin. */
bool plan_inside_protected(const plan *pl, const char *dir) {
        for (size_t i = 0; i < pl->n_protected; i++)
                if (!pl->protected[i].nofollow && path_is_below_or_equal(dir, pl->protected[i].path))
                        return true;
        return false;
}

static int add_pin(plan *pl, pins *ps, const char *dir, const struct stat *st, const char *obj,
                   corral_error *err) {
        for (size_t i = 0; i < ps->n; i++)
                if (strcmp(ps->v[i].path, dir) == 0) {
                        if (ps->v[i].dev == (uint64_t)st->st_dev && ps->v[i].ino == (uint64_t)st->st_ino)
                                return 0;
                        return error_set(err, -ESTALE,
                                         "%s changed while corral planned the run (it was one directory on the way "
                                         "to one protected object, another on the way to %s): another process is "
                                         "moving directories there; nothing was run",
                                         dir, obj);
                }
        if (ps->n == ps->cap) {
                size_t cap = ps->cap ? ps->cap * 2 : 16;
                pin *v = realloc(ps->v, cap * sizeof(*v));
                if (!v)
                        return oom(err);
                ps->v = v, ps->cap = cap;
        }
        const char *path = plan_str(pl, dir);
        const char *why = plan_strf(pl, "pinned (a mount point cannot be renamed or removed): it leads to protected %s",
                                    obj);
        if (!path || !why)
                return oom(err);
        ps->v[ps->n++] = (pin){.path = path, .why = why, .dev = st->st_dev, .ino = st->st_ino};
        return 0;
}

static bool gone(int e) { return e == ENOENT || e == ENOTDIR; }

/* Walks from the top of o's writable area to o by descriptor, recording o's
 * identity and a pin for each directory on the way that is not a mount
 * point already. A component missing on the way (corral's state directory
 * before its first run) ends the walk: what does not exist yet is created by
 * host_prepare and is not pinned. */
/* The writable top last opened, kept open from one object to the next:
 * most protected names lie directly in the workspace, which was opened
 * (without following a link) once per name before. The directory held is
 * the one the first walk found at that path; every identity recorded below
 * it is read from that one directory, and apply re-checks each. */
typedef struct top_memo {
        const char *path; /* the policy's string (writable_top returns it) */
        int fd;           /* -1: none open */
} top_memo;

static int top_open(top_memo *tm, const char *top) {
        if (tm->fd >= 0 && tm->path == top)
                return tm->fd;
        if (tm->fd >= 0)
                close(tm->fd);
        struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        tm->fd = (int)syscall(SYS_openat2, AT_FDCWD, top, &how, sizeof(how));
        tm->path = tm->fd >= 0 ? top : NULL;
        return tm->fd;
}

static int walk(const policy *p, plan *pl, protected_obj *o, pins *ps, top_memo *tm, corral_error *err) {
        const char *top = writable_top(p, o->path);
        if (!top) { /* read-only already: only its identity */
                struct stat st;
                if (lstat(o->path, &st) == 0)
                        o->known = true, o->dev = st.st_dev, o->ino = st.st_ino;
                return 0;
        }
        int topfd = top_open(tm, top), fd = topfd;
        if (fd < 0)
                return gone(errno) ? 0 : error_set(err, -errno, "cannot open %s: %s", top, strerror(errno));
        struct stat st;
        int r = 0;
        if (strcmp(top, o->path) == 0) {
                if (fstat(fd, &st) == 0)
                        o->known = true, o->dev = st.st_dev, o->ino = st.st_ino;
                return 0;
        }
        _cleanup_free_ char *dir = strdup(o->path);
        if (!dir)
                return oom(err);
        size_t at = strlen(top) + (strcmp(top, "/") != 0); /* the first component after top */
        if (!strchr(dir + at, '/')) /* held by name: see protected_obj */
                o->at_top = true, o->expected = false;
        for (;;) {
                char *slash = strchr(dir + at, '/');
                const char *name = dir + at;
                if (slash)
                        *slash = 0;
                int nfd = -1;
                if (!slash) { /* the object itself */
                        /* found missing a moment ago in this planning
                         * (plan_userns.c inspect): missing still, unknown */
                        if (path_canon_memo_known_missing(o->path))
                                break;
                        if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                                o->known = true, o->dev = st.st_dev, o->ino = st.st_ino;
                        else if (!gone(errno))
                                r = error_set(err, -errno, "cannot inspect protected path %s: %s", o->path,
                                              strerror(errno));
                        break;
                }
                nfd = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (nfd < 0) {
                        if (errno == ELOOP || (errno == ENOTDIR && o->expected))
                                r = error_set(err, -ESTALE,
                                              "%s is no longer a directory: it changed while corral planned the run "
                                              "(on the way to protected %s); nothing was run",
                                              dir, o->path);
                        else if (!gone(errno))
                                r = error_set(err, -errno, "cannot open %s: %s", dir, strerror(errno));
                        break;
                }
                if (fd != topfd)
                        close(fd);
                fd = nfd;
                if (fstat(fd, &st) < 0) {
                        r = error_set(err, -errno, "cannot inspect %s: %s", dir, strerror(errno));
                        break;
                }
                if (!strv_contains(&p->writable_roots, dir) && strcmp(dir, "/tmp") != 0 &&
                    !plan_inside_protected(pl, dir) && (r = add_pin(pl, ps, dir, &st, o->path, err)) < 0)
                        break;
                *slash = '/';
                at = (size_t)(slash - dir) + 1;
        }
        if (fd != topfd)
                close(fd);
        if (r >= 0 && o->expected && (!o->known || o->dev != o->expect_dev || o->ino != o->expect_ino))
                r = error_set(err, -ESTALE,
                              "%s changed while corral planned the run: it is not the object first found there "
                              "(another process moved or replaced it, or a directory above it); "
                              "nothing was run",
                              o->path);
        return r;
}

static int by_path(const void *a, const void *b) { return strcmp(((const pin *)a)->path, ((const pin *)b)->path); }

/* Whether path is in a gitdir mounted as an overlay (plan_userns.c,
 * plan_git_overlays): there the sandbox's view has the overlay's device
 * and inodes, not the ones recorded on the host, so what is mounted onto
 * it (and a pin cloned from it) cannot be checked by identity. The
 * protected object itself is still cloned, checked, from the host's view. */
static bool in_git_overlay(const plan *pl, const char *path) {
        for (size_t i = 0; i < pl->git_overlays.n; i++)
                if (path_is_below_or_equal(path, pl->git_overlays.v[i]))
                        return true;
        return false;
}

static int emit_pin(plan *pl, const pin *pn) {
        bool verify = !in_git_overlay(pl, pn->path);
        int slot = plan_new_slot(pl);
        mount_op *op = plan_op(pl, MOP_CLONE, pn->why);
        if (!op)
                return -ENOMEM;
        op->slot = slot, op->path = pn->path, op->recursive = true;
        op->verify = verify, op->dev = pn->dev, op->ino = pn->ino;
        if (!(op = plan_op(pl, MOP_ATTACH, pn->why)))
                return -ENOMEM;
        op->slot = slot, op->path = pn->path;
        op->verify = verify, op->dev = pn->dev, op->ino = pn->ino;
        return 0;
}

/* Whether o can be cloned from the read-only view (plan.h, ro_view_at): it
 * lies in a writable area, whose tree there is the host's (the writable
 * roots and /tmp are clones of the host's, made before anything else was
 * mounted), so the path leads to the same object in both views; what is
 * mounted after the read-only view (/proc, /dev, the caches, masks) is not
 * a writable area. */
static bool clone_read_only(const policy *p, const plan *pl, const protected_obj *o) {
        const char *top = writable_top(p, o->path);
        return pl->ro_view_at > 0 && top && !path_is_below_or_equal(top, "/proc") &&
               !path_is_below_or_equal(top, "/dev");
}

static int emit_object(const policy *p, plan *pl, const protected_obj *o) {
        int slot = plan_new_slot(pl);
        bool early = clone_read_only(p, pl, o);
        mount_op *op = early ? plan_op_at(pl, pl->ro_view_at++, MOP_CLONE, o->why) : plan_op(pl, MOP_CLONE, o->why);
        if (!op)
                return -ENOMEM;
        bool overlaid = in_git_overlay(pl, o->path);
        op->slot = slot, op->path = o->path, op->recursive = !o->nofollow, op->nofollow = o->nofollow;
        op->verify = o->known && !o->at_top && (early || !overlaid), op->dev = o->dev, op->ino = o->ino;
        if (!early) {
                if (!(op = plan_op(pl, MOP_SETATTR, o->why)))
                        return -ENOMEM;
                op->slot = slot, op->attr = ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV, op->recursive = !o->nofollow;
        }
        if (!(op = plan_op(pl, MOP_ATTACH, o->why)))
                return -ENOMEM;
        op->slot = slot, op->path = o->path, op->nofollow = o->nofollow;
        op->verify = o->known && !o->at_top && !overlaid, op->dev = o->dev, op->ino = o->ino;
        return 0;
}

int plan_protect_emit(const policy *p, plan *pl, corral_error *err) {
        pins ps = {0};
        top_memo tm = {NULL, -1};
        int r = 0;
        for (size_t i = 0; r >= 0 && i < pl->n_protected; i++)
                r = walk(p, pl, &pl->protected[i], &ps, &tm, err);
        if (tm.fd >= 0)
                close(tm.fd);
        if (r >= 0) {
                /* Parents before children: each is cloned from the view its
                 * parent's pin already makes. */
                if (ps.n)
                        qsort(ps.v, ps.n, sizeof(*ps.v), by_path);
                for (size_t i = 0; r >= 0 && i < ps.n; i++)
                        r = emit_pin(pl, &ps.v[i]) < 0 ? oom(err) : 0;
                for (size_t i = 0; r >= 0 && i < pl->n_protected; i++)
                        r = emit_object(p, pl, &pl->protected[i]) < 0 ? oom(err) : 0;
                pl->n_pins = ps.n;
        }
        free(ps.v);
        return r;
}
