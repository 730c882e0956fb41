/* SPDX-License-Identifier: MIT
 * The private caches on the host: see apply/caches.h.
 *
 * A private cache is written by sandboxed commands (through the overlay's
 * upper layer): it may hold symlinks, directories without permissions and
 * whiteouts. Walking it never follows a symlink (openat with O_NOFOLLOW from
 * the cache's own directory, opened with RESOLVE_NO_SYMLINKS), so that
 * clearing it cannot delete anything outside it. */
#include "apply/caches.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "apply/host.h"
#include "apply/overlay.h"
#include "kernel/syscalls.h"
#include "common/json.h"
#include "common/macro.h"
#include "plan/caches.h"

#define WORK_DIRS OVERLAY_WORK_DIRS

/* The rule every level of the private caches keeps, from caches.dir (or the
 * state directory's caches/) down to upper/, empty/ and work.N/: the
 * developer's, and nobody else's to write. Another local user who could
 * write a level (a caches.dir in a shared place) could move the developer's
 * private cache away and put in its place one that the sandbox then reads.
 * Above it, each directory is root's or the developer's, and writable by
 * others only when sticky (/var/tmp): nobody else can rename a level away. */
static int check_level(int fd, const char *path, bool above, corral_error *err) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_set(err, -errno, "private caches: cannot read %s: %s", path, strerror(errno));
        if (above) {
                if ((st.st_uid != 0 && st.st_uid != getuid()) || ((st.st_mode & 022) && !(st.st_mode & S_ISVTX)))
                        return error_set(err, -EPERM,
                                         "private caches: %s (above [caches] dir) is owned by uid %u or writable by "
                                         "others without the sticky bit (mode %04o): another user could replace the "
                                         "private caches below it; choose a directory only you (and root) can change",
                                         path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
                return 0;
        }
        if (st.st_uid != getuid() || (st.st_mode & 022))
                return error_set(err, -EPERM,
                                 "private caches: %s is owned by uid %u (not you, uid %u) or writable by group or "
                                 "others (mode %04o): another user could plant what the sandbox reads from it; every "
                                 "level of the private caches must be yours and writable by you only",
                                 path, (unsigned)st.st_uid, (unsigned)getuid(), (unsigned)(st.st_mode & 07777));
        return 0;
}

/* Opens name in dir (an O_PATH fd) as a directory, making it when missing,
 * never following a link; checks it (path names it in errors). */
static int level(int dir, const char *name, mode_t mode, const char *path, bool above, bool check, bool make,
                 corral_error *err) {
        int fd = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && make && (mkdirat(dir, name, mode) == 0 || errno == EEXIST))
                fd = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return error_set(err, -errno, "private caches: cannot %s %s: %s", make ? "create" : "open", path,
                                 errno == ELOOP || errno == ENOTDIR ? "not a directory (a symlink or a file is there)"
                                                                     : strerror(errno));
        int r = check ? check_level(fd, path, above, err) : 0;
        if (r < 0) {
                close(fd);
                return r;
        }
        return fd;
}

/* Opens path level by level from /, making what is missing; the levels from
 * top (a prefix of path) down are checked as private, those above it as
 * ancestors (when check_above). */
static int open_levels(const char *path, const char *top, bool check_above, corral_error *err) {
        int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_set(err, -errno, "cannot open /: %s", strerror(errno));
        size_t top_len = strlen(top);
        char sofar[4096] = "";
        for (const char *s = path; *s;) {
                while (*s == '/')
                        s++;
                size_t n = strcspn(s, "/");
                if (!n)
                        break;
                char name[256];
                if (n >= sizeof(name) || strlen(sofar) + n + 2 > sizeof(sofar)) {
                        close(fd);
                        return error_set(err, -ENAMETOOLONG, "private caches: %s: name too long", path);
                }
                snprintf(name, sizeof(name), "%.*s", (int)n, s);
                size_t at = strlen(sofar);
                snprintf(sofar + at, sizeof(sofar) - at, "/%s", name);
                bool mine = strlen(sofar) >= top_len;
                int sub = level(fd, name, 0700, sofar, !mine, mine || check_above, true, err);
                close(fd);
                if (sub < 0)
                        return sub;
                fd = sub;
                s += n;
        }
        return fd;
}

static int open_dir(const char *path);
static int open_child(int dir, const char *name, bool fix);
static int walk(int dir, bool remove, uint64_t *bytes, uint64_t *entries);

/* What the command put in the upper layer at rel (a path below the cache)
 * where corral mounts the developer's own object: a toolchain kept
 * read-only (~/.cargo/bin) or a deny-read mask (~/.cache/huggingface/token).
 * A file, link or whiteout there, or at a directory on the way, made every
 * later mount there fail (EINVAL, ELOOP, ENOENT): one hostile run broke the
 * workspace's runs for good. Removed, by descriptor and never following a
 * link, with the opaque markers on the way, so that the lower layer's
 * object shows and the mount lands on it. */
static int unshadow(int upper, const char *rel, const char *where, corral_error *err) {
        int dir = fcntl(upper, F_DUPFD_CLOEXEC, 3), r = 0;
        if (dir < 0)
                return error_set(err, -errno, "%s: %s", where, strerror(errno));
        for (const char *s = rel; r >= 0 && *s;) {
                size_t n = strcspn(s, "/");
                char name[256];
                if (n == 0 || n >= sizeof(name))
                        break;
                snprintf(name, sizeof(name), "%.*s", (int)n, s);
                s += n + (s[n] == '/');
                bool last = *s == 0;
                struct stat st;
                if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno != ENOENT)
                                r = -errno;
                        break; /* nothing of the command's there: the lower shows */
                }
                /* dir itself u+rwx, by its descriptor, to unlink in it */
                char proc[32];
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dir);
                struct stat ds;
                if (fstat(dir, &ds) == 0 && (ds.st_mode & 0700) != 0700 && chmod(proc, (ds.st_mode & 07777) | 0700) < 0) {
                        r = -errno;
                        break;
                }
                if (S_ISDIR(st.st_mode) && !last) {
                        /* write permission for removing its opaque marker */
                        if ((st.st_mode & 0700) != 0700) {
                                int sub = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", sub);
                                r = sub < 0 || chmod(proc, (st.st_mode & 07777) | 0700) < 0 ? -errno : 0;
                                if (sub >= 0)
                                        close(sub);
                                if (r < 0)
                                        break;
                        }
                        int sub = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0) {
                                r = -errno;
                                break;
                        }
                        close(dir);
                        dir = sub;
                        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dir);
                        /* an opaque directory hides the lower's entries below it */
                        if (removexattr(proc, "user.overlay.opaque") < 0 && errno != ENODATA && errno != ENOTSUP)
                                r = -errno;
                        continue;
                }
                if (S_ISDIR(st.st_mode)) {
                        int sub = open_child(dir, name, true);
                        r = sub < 0 ? sub : walk(sub, true, NULL, NULL);
                        if (r >= 0 && unlinkat(dir, name, AT_REMOVEDIR) < 0)
                                r = -errno;
                } else if (unlinkat(dir, name, 0) < 0)
                        r = -errno;
                break;
        }
        close(dir);
        if (r < 0)
                return error_set(err, r,
                                 "%s: cannot remove what a command put in the private cache there, over which the "
                                 "developer's own is mounted: %s; `corral cache clear` removes the cache",
                                 where, strerror(-r));
        return 0;
}

/* unshadow() for every path below the cache where the developer's object is
 * mounted: the kept toolchains, and the deny-read masks (which the plan puts
 * on what exists on the host). */
static int unshadow_all(const plan *pl, const plan_cache *c, int dir, corral_error *err) {
        if (c->mode != CACHE_READ_THROUGH)
                return 0; /* private: the lower is hidden; keeps get fresh mount points */
        int upper = openat(dir, "upper", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r = 0;
        if (upper < 0)
                return error_set(err, -errno, "private caches: cannot open %s/upper: %s", c->private_dir,
                                 strerror(errno));
        size_t base = strlen(c->path);
        for (size_t k = 0; r >= 0 && k < c->n_keep; k++)
                if (strncmp(c->keep[k], c->path, base) == 0 && c->keep[k][base] == '/')
                        r = unshadow(upper, c->keep[k] + base + 1, c->keep[k], err);
        const strv *deny = &pl->policy.deny_read;
        for (size_t d = 0; r >= 0 && d < deny->n; d++) {
                struct stat st;
                const char *p = deny->v[d];
                if (strncmp(p, c->path, base) == 0 && p[base] == '/' && lstat(p, &st) == 0)
                        r = unshadow(upper, p + base + 1, p, err);
        }
        close(upper);
        return r;
}

int caches_prepare(const plan *pl, corral_error *err) {
        const char *top = pl->policy.caches_dir ? pl->policy.caches_dir : pl->caches_dir;
        bool from_config = pl->policy.caches_dir != NULL;
        int base = -1;
        for (size_t i = 0; i < pl->n_caches; i++) {
                const plan_cache *c = &pl->caches[i];
                if (c->how != CACHE_HOW_OVERLAY)
                        continue;
                if (base < 0 && (base = open_levels(pl->caches_dir, top, from_config, err)) < 0)
                        return base;
                const char *name = policy_cache_to_string(c->id);
                char sub[4096];
                int dir = level(base, name, 0700, c->private_dir, false, true, true, err), r = 0;
                if (dir < 0) {
                        close(base);
                        return dir;
                }
                static const char *const subs[] = {"upper", "empty"};
                for (size_t k = 0; r >= 0 && k < ELEMENTSOF(subs); k++) {
                        snprintf(sub, sizeof(sub), "%s/%s", c->private_dir, subs[k]);
                        int fd = level(dir, subs[k], k ? 0500 : 0700, sub, false, true, true, err);
                        r = fd < 0 ? fd : close(fd);
                }
                /* work.N/ and the locks, where earlier runs made them: made
                 * in order by overlay_new, so the first N with neither ends
                 * them; then the cache's own lock */
                char work[24], lock[24];
                for (int w = 0; r >= 0 && w <= WORK_DIRS; w++) {
                        struct stat st;
                        overlay_work_name(work, sizeof(work), (unsigned)w, 0);
                        overlay_work_name(lock, sizeof(lock), (unsigned)w, 1);
                        if (w < WORK_DIRS && fstatat(dir, work, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
                            fstatat(dir, lock, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
                                w = WORK_DIRS;
                        const char *l = w < WORK_DIRS ? lock : "lock";
                        snprintf(sub, sizeof(sub), "%s/%s", c->private_dir, work);
                        int fd = w < WORK_DIRS ? level(dir, work, 0700, sub, false, true, false, err) : -ENOENT;
                        if (fd >= 0)
                                close(fd);
                        else if (fd != -ENOENT)
                                r = fd;
                        if (r >= 0 && fstatat(dir, l, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                            (!S_ISREG(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 022))) {
                                snprintf(sub, sizeof(sub), "%s/%s", c->private_dir, l);
                                r = error_set(err, -EPERM,
                                              "private caches: %s is no regular file of yours writable by you only "
                                              "(uid %u, mode %06o): remove it",
                                              sub, (unsigned)st.st_uid, (unsigned)st.st_mode);
                        }
                }
                if (r >= 0)
                        r = unshadow_all(pl, c, dir, err);
                close(dir);
                if (r < 0) {
                        close(base);
                        return r;
                }
        }
        if (base >= 0)
                close(base);
        return 0;
}

static int open_dir(const char *path) {
        struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        int fd = sys_openat2(AT_FDCWD, path, &how);
        return fd < 0 ? -errno : fd;
}

/* Opens the directory name in dir for reading, giving it u+rwx first when
 * the command left it without (the tree is ours; the entry was just seen to
 * be a directory, and no run holds the cache). The mode is changed on the
 * directory opened without following links, by its descriptor, never by
 * name: a name swapped for a symlink between the open and a chmod would
 * change the link's target, a file of the developer's. */
static int open_child(int dir, const char *name, bool fix) {
        int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 || errno != EACCES || !fix)
                return fd < 0 ? -errno : fd;
        int p = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (p < 0)
                return -errno;
        char path[32];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", p);
        int r = chmod(path, 0700) < 0 ? -errno : 0;
        if (r == 0 && (fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                r = -errno;
        close(p);
        return r < 0 ? r : fd;
}

/* Gives the directory fd u+rwx when the command left it without: its
 * entries can then be unlinked. By the descriptor, never by name. */
static int make_writable(int fd) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if ((st.st_mode & 0700) != 0700 && fchmod(fd, (st.st_mode & 07777) | 0700) < 0)
                return -errno;
        return 0;
}

/* A directory on the way down: its parent's identity, and where to go on
 * in the parent on the way back up. */
typedef struct frame {
        dev_t dev;
        ino_t ino;
        long pos;
        char *name;
} frame;

/* Walks the tree below dir (closed here): sums sizes, or removes it.
 * Without recursion and with one directory open at a time, however deep the
 * command nested its directories: the way back up is "..", checked to be
 * the directory the walk came down from (nothing moves the tree meanwhile:
 * a clear holds the cache's lock; a list of a cache in use fails with
 * ESTALE rather than walk elsewhere). */
static int walk(int dir, bool remove, uint64_t *bytes, uint64_t *entries) {
        DIR *d = fdopendir(dir);
        if (!d) {
                close(dir);
                return -errno;
        }
        frame *stack = NULL;
        size_t n = 0, cap = 0;
        int r = remove ? make_writable(dirfd(d)) : 0;
        while (r >= 0) {
                errno = 0;
                struct dirent *e = readdir(d);
                if (!e) {
                        if (errno) {
                                r = -errno;
                                break;
                        }
                        if (n == 0)
                                break;
                        frame *f = &stack[--n];
                        struct stat st;
                        int up = openat(dirfd(d), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (up < 0)
                                r = -errno;
                        else if (fstat(up, &st) < 0 || st.st_dev != f->dev || st.st_ino != f->ino) {
                                close(up);
                                r = -ESTALE;
                        }
                        if (r < 0) {
                                free(f->name);
                                break;
                        }
                        closedir(d);
                        if (!(d = fdopendir(up))) {
                                r = -errno;
                                close(up);
                                free(f->name);
                                break;
                        }
                        if (remove) {
                                if (unlinkat(dirfd(d), f->name, AT_REMOVEDIR) < 0)
                                        r = -errno;
                                rewinddir(d); /* what was read is gone */
                        } else
                                seekdir(d, f->pos);
                        free(f->name);
                        continue;
                }
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno != ENOENT)
                                r = -errno;
                        continue;
                }
                if (bytes)
                        *bytes += (uint64_t)st.st_blocks * 512;
                if (entries)
                        ++*entries;
                if (!S_ISDIR(st.st_mode)) {
                        if (remove && unlinkat(dirfd(d), e->d_name, 0) < 0)
                                r = -errno;
                        continue;
                }
                int sub = open_child(dirfd(d), e->d_name, remove);
                if (sub < 0) {
                        if (remove)
                                r = sub; /* else: not counted below it */
                        continue;
                }
                struct stat here;
                errno = 0;
                if (n == cap) {
                        frame *grown = realloc(stack, (cap = cap ? cap * 2 : 64) * sizeof(*stack));
                        if (!grown) {
                                close(sub);
                                r = -ENOMEM;
                                break;
                        }
                        stack = grown;
                }
                if (fstat(dirfd(d), &here) < 0 || !(stack[n].name = strdup(e->d_name))) {
                        r = errno ? -errno : -ENOMEM;
                        close(sub);
                        break;
                }
                stack[n].dev = here.st_dev, stack[n].ino = here.st_ino, stack[n].pos = telldir(d);
                n++;
                closedir(d);
                if (!(d = fdopendir(sub))) {
                        r = -errno;
                        close(sub);
                        break;
                }
                if (remove)
                        r = make_writable(sub);
        }
        if (d)
                closedir(d);
        while (n)
                free(stack[--n].name);
        free(stack);
        return r;
}

int caches_size(const char *private_dir, uint64_t *bytes, uint64_t *entries) {
        *bytes = *entries = 0;
        int fd = open_dir(private_dir);
        if (fd == -ENOENT)
                return 0;
        return fd < 0 ? fd : walk(fd, false, bytes, entries);
}

int caches_remove_tree(const char *path) {
        int fd = open_dir(path);
        if (fd == -ENOENT)
                return 0;
        int r = fd < 0 ? fd : walk(fd, true, NULL, NULL);
        if (r >= 0 && rmdir(path) < 0 && errno != ENOENT)
                r = -errno;
        return r;
}

static const char *human(uint64_t b, char *buf, size_t len) {
        const char *units = "BKMGT";
        double v = (double)b;
        int u = 0;
        while (v >= 1024 && u < 4)
                v /= 1024, u++;
        snprintf(buf, len, u ? "%.1f%c" : "%.0f%c", v, units[u]);
        return buf;
}

int caches_list(const plan *pl, FILE *f, bool json, corral_error *err) {
        if (!pl->caches_dir)
                return error_set(err, -EOPNOTSUPP, "this backend keeps no private caches per workspace");
        if (json)
                fprintf(f, "{\"dir\":"), json_put_string(f, pl->caches_dir), fprintf(f, ",\"caches\":[");
        else
                fprintf(f, "private caches of %s in %s:\n", pl->policy.workspace, pl->caches_dir);
        uint64_t total = 0;
        for (size_t i = 0; i < N_CACHES; i++) {
                const plan_cache *c = i < pl->n_caches ? &pl->caches[i] : NULL;
                const char *name = policy_cache_to_string((policy_cache)i);
                char dir[4096], h[32];
                snprintf(dir, sizeof(dir), "%s/%s", pl->caches_dir, name);
                uint64_t bytes, entries;
                int r = caches_size(dir, &bytes, &entries);
                if (r < 0)
                        return error_set(err, r, "cannot read %s: %s", dir, strerror(-r));
                total += bytes;
                const char *how = c ? cache_how_to_string(c->how) : "none";
                if (json) {
                        fprintf(f, "%s{\"name\":", i ? "," : "");
                        json_put_string(f, name);
                        fprintf(f, ",\"mode\":");
                        json_put_string(f, c ? policy_cache_mode_to_string(c->mode) : "off");
                        fprintf(f, ",\"how\":");
                        json_put_string(f, how);
                        fprintf(f, ",\"path\":");
                        if (c && c->path)
                                json_put_string(f, c->path);
                        else
                                fprintf(f, "null");
                        fprintf(f, ",\"bytes\":%llu,\"entries\":%llu}", (unsigned long long)bytes,
                                (unsigned long long)entries);
                } else
                        fprintf(f, "  %-9s %8s %7llu entries  %-12s %s\n", name, human(bytes, h, sizeof(h)),
                                (unsigned long long)entries, c ? policy_cache_mode_to_string(c->mode) : "off",
                                c && c->path ? c->path : "");
        }
        char h[32];
        if (json)
                fprintf(f, "],\"bytes\":%llu}\n", (unsigned long long)total);
        else
                fprintf(f, "  %-9s %8s\n", "total", human(total, h, sizeof(h)));
        return ferror(f) ? -EIO : 0;
}

/* Holds the cache's lock exclusively (every run holds it shared while its
 * overlay is mounted, apply/overlay.c), and every work-dir lock, so that no
 * run uses the cache meanwhile nor starts to; the fds go in locks (closed by
 * the caller). */
static int lock_cache(int dir, int locks[WORK_DIRS + 1]) {
        char name[24];
        locks[WORK_DIRS] = openat(dir, "lock", O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
        if (locks[WORK_DIRS] < 0)
                return -errno;
        if (flock(locks[WORK_DIRS], LOCK_EX | LOCK_NB) < 0)
                return -EBUSY;
        for (int i = 0; i < WORK_DIRS; i++) {
                overlay_work_name(name, sizeof(name), (unsigned)i, 1);
                locks[i] = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
                if (locks[i] < 0 && errno != ENOENT)
                        return -errno;
                if (locks[i] >= 0 && flock(locks[i], LOCK_EX | LOCK_NB) < 0)
                        return -EBUSY;
        }
        return 0;
}

int caches_clear(const plan *pl, char *const *names, size_t n_names, FILE *f, corral_error *err) {
        if (!pl->caches_dir)
                return error_set(err, -EOPNOTSUPP, "this backend keeps no private caches per workspace");
        for (size_t k = 0; k < n_names; k++) {
                policy_cache c;
                if (policy_cache_from_string(names[k], &c) < 0)
                        return error_set(err, -EINVAL,
                                         "unknown cache '%s' (expected xdg, npm, pnpm, yarn, pip, uv, poetry, cargo, "
                                         "go, go-build, maven, gradle, node-gyp, ccache)",
                                         names[k]);
        }
        int failed = 0;
        char failed_names[256] = "";
        for (size_t i = 0; i < N_CACHES; i++) {
                const char *name = policy_cache_to_string((policy_cache)i);
                bool wanted = n_names == 0;
                for (size_t k = 0; k < n_names; k++)
                        wanted |= strcmp(names[k], name) == 0;
                if (!wanted)
                        continue;
                char dir[4096];
                snprintf(dir, sizeof(dir), "%s/%s", pl->caches_dir, name);
                int fd = open_dir(dir);
                if (fd == -ENOENT)
                        continue;
                if (fd < 0) {
                        fprintf(stderr, "corral: cannot open %s: %s\n", dir, strerror(-fd));
                        failed = failed ? failed : fd;
                        size_t at = strlen(failed_names);
                        snprintf(failed_names + at, sizeof(failed_names) - at, "%s%s", at ? ", " : "", name);
                        continue;
                }
                int locks[WORK_DIRS + 1];
                for (int l = 0; l <= WORK_DIRS; l++)
                        locks[l] = -1;
                int r = lock_cache(fd, locks);
                uint64_t bytes = 0;
                if (r >= 0) {
                        int upper = open_child(fd, "upper", true);
                        if (upper >= 0) {
                                r = walk(upper, true, &bytes, NULL);
                        } else if (upper != -ENOENT)
                                r = upper;
                        /* the work dirs: overlayfs's own leftovers */
                        char work[24];
                        for (int l = 0; r >= 0 && l < WORK_DIRS; l++) {
                                overlay_work_name(work, sizeof(work), (unsigned)l, 0);
                                int w = open_child(fd, work, true);
                                if (w >= 0 && (r = walk(w, true, NULL, NULL)) >= 0)
                                        (void)unlinkat(fd, work, AT_REMOVEDIR);
                        }
                }
                for (int l = 0; l <= WORK_DIRS; l++)
                        if (locks[l] >= 0)
                                close(locks[l]);
                close(fd);
                /* one cache that cannot be cleared does not keep the others */
                if (r == -EBUSY)
                        fprintf(stderr, "corral: cache %s is in use by a running sandbox of this workspace; try again "
                                        "when it has ended\n", name);
                else if (r < 0)
                        fprintf(stderr, "corral: cannot clear %s: %s\n", dir, strerror(-r));
                if (r < 0) {
                        failed = failed ? failed : r;
                        size_t at = strlen(failed_names);
                        snprintf(failed_names + at, sizeof(failed_names) - at, "%s%s", at ? ", " : "", name);
                        continue;
                }
                char h[32];
                fprintf(f, "cleared %s (%s)\n", name, human(bytes, h, sizeof(h)));
        }
        if (failed == -EBUSY)
                return error_set(err, failed, "not cleared, in use by a running sandbox of this workspace: %s",
                                 failed_names);
        return failed < 0 ? error_set(err, failed, "not cleared: %s", failed_names) : 0;
}
