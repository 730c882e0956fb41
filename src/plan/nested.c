/* SPDX-License-Identifier: MIT
 * Protected names below the top of the writable roots (see nested.h). */
#include "plan/nested.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "common/macro.h"
#include "common/path.h"

/* A directory whose times are this close to the scan may change again within
 * the same clock tick (coarse file timestamps: a jiffy, up to 10 ms, or
 * seconds on some filesystems) without its times moving: it is re-read next
 * time whatever its times say. */
#define RACY_NS ((int64_t)2 * 1000 * 1000 * 1000)
#define CACHE_MAGIC "corral-nested 3"
/* Scans that met a tree in motion, at most, before giving up (each waits a
 * little longer first: 1, 2, ... ms). */
#define SCAN_ATTEMPTS 8
#define CACHE_MAX_SIZE (64u << 20)
/* Below this many entries in all, a scan reads faster than the file that
 * would spare it is written and read (measured: a few hundred entries cost
 * less than the file's open, write, rename and read). */
#define CACHE_MIN_ENTRIES 2048

static int64_t ns_of(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static int64_t now_ns(void) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        return ns_of(t);
}

/* Compared without case: on a case-insensitive filesystem (vfat, exfat,
 * casefolded ext4, a Windows or macOS share) ".GIT" is the repository git
 * finds as ".git"; elsewhere protecting it as well costs nothing. */
static bool is_protected(const nested_rules *p, const char *name) {
        for (size_t i = 0; i < p->protect.n; i++)
                if (strcasecmp(p->protect.v[i], name) == 0)
                        return true;
        return false;
}

/* The records depend on the depth and the names: a cache made for others
 * does not apply. */
static char *scan_key(const nested_rules *p) {
        char *key = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&key, &len);
        if (!f)
                return NULL;
        fprintf(f, "%u", p->depth);
        for (size_t i = 0; i < p->protect.n; i++)
                fprintf(f, "/%s", p->protect.v[i]);
        return fclose(f) == 0 ? key : (free(key), NULL);
}

static nested_dir *new_dir(nested_scan *s) {
        if (s->n_dirs == s->cap_dirs) {
                size_t cap = s->cap_dirs ? s->cap_dirs * 2 : 64;
                nested_dir *d = realloc(s->dirs, cap * sizeof(*d));
                if (!d)
                        return NULL;
                s->dirs = d, s->cap_dirs = cap;
        }
        nested_dir *d = &s->dirs[s->n_dirs++];
        *d = (nested_dir){0};
        return d;
}

static void dir_free(nested_dir *d) {
        free(d->path);
        free(d->ids);
        strv_clear(&d->subdirs);
        strv_clear(&d->names);
}

/* An element of the index: a pointer to a record of the cache. */
typedef const nested_dir *dir_ref;

typedef struct walk {
        const nested_rules *p;
        nested_scan *s;
        dir_ref *index;           /* the cache's directories, sorted by path */
        size_t n_index;
        int64_t scan_ns;
        char *moved;              /* a directory that changed while it was scanned: start over */
        corral_error *err;
} walk;

static int by_path(const void *a, const void *b) {
        return strcmp((*(const dir_ref *)a)->path, (*(const dir_ref *)b)->path);
}

static const nested_dir *cached(const walk *w, const char *path) {
        if (!w->n_index)
                return NULL;
        nested_dir key = {.path = (char *)path};
        dir_ref k = &key;
        const dir_ref *hit = bsearch(&k, w->index, w->n_index, sizeof(dir_ref), by_path);
        return hit ? *hit : NULL;
}

static bool unchanged(const nested_dir *d, const struct stat *st) {
        return !d->racy && d->dev == (uint64_t)st->st_dev && d->ino == (uint64_t)st->st_ino &&
               d->ctime_ns == ns_of(st->st_ctim) && d->mtime_ns == ns_of(st->st_mtim);
}


static bool is_dir_entry(int dfd, const struct dirent *de) {
        if (de->d_type == DT_DIR)
                return true;
        if (de->d_type != DT_UNKNOWN)
                return false;
        struct stat st;
        return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static bool gone(int e) { return e == ENOENT || e == ENOTDIR || e == ELOOP; }

/* fstatat that also says which mount the object was reached through: two
 * paths to one directory on one mount can only be a swap caught midway
 * (directories have no hard links); on two mounts, a bind mount. */
static int stat_mnt(int dfd, const char *name, int flags, struct stat *st, uint64_t *mnt) {
        struct statx sx;
        if (statx(dfd, name, flags | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_MNT_ID, &sx) < 0)
                return -1;
        *st = (struct stat){.st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor), .st_ino = sx.stx_ino,
                            .st_mode = sx.stx_mode,
                            .st_ctim = {.tv_sec = sx.stx_ctime.tv_sec, .tv_nsec = sx.stx_ctime.tv_nsec},
                            .st_mtim = {.tv_sec = sx.stx_mtime.tv_sec, .tv_nsec = sx.stx_mtime.tv_nsec}};
        *mnt = (sx.stx_mask & STATX_MNT_ID) ? sx.stx_mnt_id : 0;
        return 0;
}

/* The tree moved under the scan at path (the first one is named). */
static void saw_move(walk *w, const char *path) {
        if (!w->moved)
                w->moved = strdup(path);
        if (!w->moved)
                w->moved = (char *)"(out of memory)";
}

/* A writable root, never through a symlink (roots are canonical). */
static int open_root(const char *path) {
        struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

static int cannot_read(walk *w, const char *path, int e) {
        return error_set(w->err, -e,
                         "cannot read %s to look for protected names below the top of a writable root: %s "
                         "(a command could open it and write below it; fix its permissions, or set "
                         "protect_depth = 0 to protect only the top level)",
                         path, strerror(e));
}

/* Reads the directory open at fd (path, depth levels below its writable
 * root, st its fstat) into d: its protected names with their identities
 * (depth >= 1) and its subdirectories (depth < max). */
static int read_dir(walk *w, int fd, const char *path, unsigned depth, const struct stat *st, nested_dir *d) {
        unsigned max = w->p->depth;
        _cleanup_close_ int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        _cleanup_closedir_ DIR *dir = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
        if (!dir)
                return cannot_read(w, path, errno);
        (void)TAKE_FD(dup_fd); /* dir's now */
        *d = (nested_dir){.depth = depth, .dev = st->st_dev, .ino = st->st_ino, .ctime_ns = ns_of(st->st_ctim),
                          .mtime_ns = ns_of(st->st_mtim)};
        d->racy = w->scan_ns - d->ctime_ns < RACY_NS || w->scan_ns - d->mtime_ns < RACY_NS;
        int r = (d->path = strdup(path)) ? 1 : -ENOMEM;
        struct dirent *de;
        while (r >= 0 && (errno = 0, de = readdir(dir))) {
                const char *n = de->d_name;
                if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])))
                        continue;
                d->n_entries++;
                if (is_protected(w->p, n)) { /* protected as a whole: nothing below it to look at */
                        if (depth < 1)
                                continue;
                        struct stat nst;
                        if (fstatat(fd, n, &nst, AT_SYMLINK_NOFOLLOW) < 0) {
                                if (!gone(errno)) {
                                        r = cannot_read(w, path, errno);
                                        break;
                                }
                                saw_move(w, path); /* listed, then gone */
                                continue;
                        }
                        nested_id *ids = realloc(d->ids, (d->names.n + 1) * sizeof(*ids));
                        if (!ids || strv_push(&d->names, n) < 0) {
                                if (ids)
                                        d->ids = ids;
                                r = -ENOMEM;
                                break;
                        }
                        d->ids = ids;
                        d->ids[d->names.n - 1] = (nested_id){nst.st_dev, nst.st_ino};
                } else if (depth < max && is_dir_entry(fd, de) && strv_push(&d->subdirs, n) < 0)
                        r = -ENOMEM;
        }
        if (r >= 0 && errno)
                r = cannot_read(w, path, errno);
        else if (r == -ENOMEM)
                r = oom(w->err);
        return r;
}

/* A copy of a cached record that is still true. */
static int copy_dir(const nested_dir *from, nested_dir *d) {
        *d = (nested_dir){.depth = from->depth, .dev = from->dev, .ino = from->ino, .ctime_ns = from->ctime_ns,
                          .mtime_ns = from->mtime_ns, .n_entries = from->n_entries};
        if (from->names.n && !(d->ids = malloc(from->names.n * sizeof(*d->ids))))
                return -ENOMEM;
        if (from->names.n)
                memcpy(d->ids, from->ids, from->names.n * sizeof(*d->ids));
        return (d->path = strdup(from->path)) && strv_extend(&d->subdirs, &from->subdirs) >= 0 &&
                               strv_extend(&d->names, &from->names) >= 0
                       ? 1
                       : -ENOMEM;
}

static int push_found(nested_scan *s, const char *path, nested_id id) {
        nested_id *ids = realloc(s->found_ids, (s->found.n + 1) * sizeof(*ids));
        if (!ids)
                return -ENOMEM;
        s->found_ids = ids;
        if (strv_push(&s->found, path) < 0)
                return -ENOMEM;
        s->found_ids[s->found.n - 1] = id;
        return 0;
}

/* The directory name in parent_fd (or the root path, parent_fd < 0). */
static int visit(walk *w, int parent_fd, const char *name, const char *path, unsigned depth) {
        const nested_dir *c = cached(w, path);
        struct stat st;
        uint64_t mnt = 0;
        _cleanup_close_ int fd = -1;
        int r;
        bool leaf = depth >= w->p->depth;
        /* A leaf recorded unchanged needs no descriptor: one statx. */
        if (parent_fd >= 0 && leaf && c && c->depth == depth && stat_mnt(parent_fd, name, 0, &st, &mnt) == 0 &&
            S_ISDIR(st.st_mode) && unchanged(c, &st))
                ;
        else {
                c = c && c->depth == depth ? c : NULL;
                fd = parent_fd < 0 ? open_root(path)
                                   : openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0) {
                        if (!gone(errno))
                                return cannot_read(w, path, errno);
                        if (parent_fd >= 0) /* listed as a directory, then gone */
                                saw_move(w, path);
                        return 0;
                }
                if (stat_mnt(fd, "", AT_EMPTY_PATH, &st, &mnt) < 0)
                        return cannot_read(w, path, errno);
        }
        nested_dir *d = new_dir(w->s);
        if (!d)
                return oom(w->err);
        if (c && unchanged(c, &st))
                r = copy_dir(c, d) < 0 ? oom(w->err) : 1;
        else {
                r = read_dir(w, fd, path, depth, &st, d);
                w->s->n_read += r > 0;
        }
        if (r <= 0) { /* an error: no record */
                dir_free(d);
                w->s->n_dirs--;
                return r;
        }
        d->mnt_id = mnt;
        /* d may move when the array grows below: work from copies. */
        size_t at = (size_t)(d - w->s->dirs);
        for (size_t i = 0; i < w->s->dirs[at].names.n; i++) {
                _cleanup_free_ char *p = path_join(path, w->s->dirs[at].names.v[i]);
                if (!p || push_found(w->s, p, w->s->dirs[at].ids[i]) < 0)
                        return oom(w->err);
        }
        _cleanup_strv_ strv subdirs = {0};
        if (strv_extend(&subdirs, &w->s->dirs[at].subdirs) < 0)
                return oom(w->err);
        r = 0;
        for (size_t i = 0; r >= 0 && i < subdirs.n; i++) {
                _cleanup_free_ char *sub = path_join(path, subdirs.v[i]);
                r = sub ? visit(w, fd, subdirs.v[i], sub, depth + 1) : oom(w->err);
        }
        return r;
}

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

static int by_id(const void *a, const void *b) {
        const nested_dir *x = *(const dir_ref *)a, *y = *(const dir_ref *)b;
        int c = cmp_u64(x->dev, y->dev);
        c = c ? c : cmp_u64(x->ino, y->ino);
        return c ? c : cmp_u64(x->mnt_id, y->mnt_id);
}

static int by_string(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The same names, in any order. */
static bool same_names(const strv *a, const strv *b) {
        if (a->n != b->n)
                return false;
        if (a->n == 0)
                return true;
        char **x = malloc(a->n * sizeof(char *)), **y = malloc(b->n * sizeof(char *));
        bool same = x && y;
        if (same) {
                memcpy(x, a->v, a->n * sizeof(char *));
                memcpy(y, b->v, b->n * sizeof(char *));
                qsort(x, a->n, sizeof(char *), by_string);
                qsort(y, b->n, sizeof(char *), by_string);
                for (size_t i = 0; same && i < a->n; i++)
                        same = strcmp(x[i], y[i]) == 0;
        }
        free(x);
        free(y);
        return same;
}

/* The same protected names, each the same object. */
static bool same_protected(const nested_dir *a, const nested_dir *b) {
        if (!same_names(&a->names, &b->names))
                return false;
        for (size_t i = 0; i < a->names.n; i++)
                for (size_t k = 0; k < b->names.n; k++)
                        if (strcmp(a->names.v[i], b->names.v[k]) == 0 &&
                            (a->ids[i].dev != b->ids[k].dev || a->ids[i].ino != b->ids[k].ino))
                                return false;
        return true;
}

/* A directory whose times moved since it was read, by its path still the
 * same directory: read again, does it hold what the scan looks at, as it
 * did (its subdirectories, its protected names and what each of them is)?
 * Then what changed is an entry the scan does not look at, a file made or
 * removed, or another run's placeholder at the top of a root, and the
 * records still describe the tree: four runs at once on a workspace, each
 * placing its placeholders, made each other's scans start over until
 * they gave up (125). Marked racy, so that a kept scan reads it again. */
static bool listing_same(walk *w, nested_dir *d) {
        int fd = open_root(d->path);
        if (fd < 0)
                return false;
        struct stat st;
        nested_dir now = {0};
        corral_error *err = w->err, scratch;
        w->err = &scratch; /* an error reading it again is a change, not the scan's error */
        bool same = fstat(fd, &st) == 0 && d->dev == (uint64_t)st.st_dev && d->ino == (uint64_t)st.st_ino &&
                    read_dir(w, fd, d->path, d->depth, &st, &now) > 0 && !w->moved &&
                    same_names(&now.subdirs, &d->subdirs) && same_protected(&now, d);
        w->err = err;
        if (same)
                d->racy = true;
        dir_free(&now);
        close(fd);
        return same;
}

/* Whether the scan saw a tree that held still: every directory still is
 * what it was when it was read (identity and times, by its path, or, where
 * only its times moved, what the scan looks at in it), and none was met
 * under two paths on one mount (a swap between two of its reads). Sets
 * w->moved to one that changed. */
static int check_still(walk *w) {
        nested_scan *s = w->s;
        /* Children before their parents: a move after a child was checked
         * changes a parent's times, checked later. */
        for (size_t i = s->n_dirs; !w->moved && i-- > 0;) {
                struct stat st;
                nested_dir *d = &s->dirs[i];
                bool same_dir = fstatat(AT_FDCWD, d->path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                                d->dev == (uint64_t)st.st_dev && d->ino == (uint64_t)st.st_ino;
                bool same_times = same_dir && d->ctime_ns == ns_of(st.st_ctim) && d->mtime_ns == ns_of(st.st_mtim);
                if (!same_dir || (!same_times && !listing_same(w, d)))
                        saw_move(w, d->path);
        }
        if (w->moved || s->n_dirs < 2)
                return 0;
        dir_ref *refs = malloc(s->n_dirs * sizeof(dir_ref));
        if (!refs)
                return oom(w->err);
        for (size_t i = 0; i < s->n_dirs; i++)
                refs[i] = &s->dirs[i];
        qsort(refs, s->n_dirs, sizeof(dir_ref), by_id);
        for (size_t i = 1; !w->moved && i < s->n_dirs; i++) /* a root inside another is met twice, by one path */
                if (by_id(&refs[i - 1], &refs[i]) == 0 && strcmp(refs[i - 1]->path, refs[i]->path) != 0)
                        saw_move(w, refs[i]->path);
        free(refs);
        return 0;
}

static void scan_clear(nested_scan *s) {
        for (size_t i = 0; i < s->n_dirs; i++)
                dir_free(&s->dirs[i]);
        s->n_dirs = s->n_read = 0;
        strv_clear(&s->found);
        free(s->found_ids);
        s->found_ids = NULL;
}

int nested_scan_cached(const nested_rules *p, const nested_scan *cache, nested_scan *s, corral_error *err) {
        *s = (nested_scan){0};
        if (p->depth == 0)
                return 0;
        if (!(s->key = scan_key(p)))
                return oom(err);
        walk w = {.p = p, .s = s, .err = err};
        if (cache && cache->n_dirs && cache->key && strcmp(cache->key, s->key) == 0) {
                if (!(w.index = malloc(cache->n_dirs * sizeof(dir_ref))))
                        return oom(err);
                for (size_t i = 0; i < cache->n_dirs; i++)
                        w.index[i] = &cache->dirs[i];
                w.n_index = cache->n_dirs;
                qsort(w.index, w.n_index, sizeof(dir_ref), by_path);
        }
        int r = 0;
        for (s->attempts = 1;; s->attempts++) {
                w.scan_ns = now_ns();
                for (size_t i = 0; r >= 0 && i < p->roots.n; i++)
                        r = visit(&w, -1, NULL, p->roots.v[i], 0);
                if (r >= 0)
                        r = check_still(&w);
                if (r < 0 || !w.moved)
                        break;
                if (s->attempts == SCAN_ATTEMPTS) {
                        r = error_set(err, -EAGAIN,
                                      "%s kept changing while corral looked for protected names (%u scans): "
                                      "another process is moving or replacing directories there, and a scan "
                                      "it races could miss an existing .git; run again when it is done",
                                      w.moved, s->attempts);
                        break;
                }
                scan_clear(s); /* start over: its records may describe a tree that never was */
                if (strcmp(w.moved, "(out of memory)") != 0)
                        free(w.moved);
                w.moved = NULL;
                struct timespec pause = {0, 1000000L * s->attempts};
                nanosleep(&pause, NULL);
        }
        if (w.moved && strcmp(w.moved, "(out of memory)") != 0)
                free(w.moved);
        free(w.index);
        return r;
}

int nested_rules_from(const policy *pol, nested_rules *r) {
        *r = (nested_rules){.depth = pol->protect_depth};
        for (size_t i = 0; i < pol->writable_roots.n; i++)
                if (!strv_contains(&pol->sandbox_roots, pol->writable_roots.v[i]) && /* nothing there runs outside */
                    strv_push(&r->roots, pol->writable_roots.v[i]) < 0)
                        return -ENOMEM;
        return strv_extend(&r->protect, &pol->protect) < 0 ? -ENOMEM : 0;
}

void nested_rules_free(nested_rules *r) {
        strv_clear(&r->roots);
        strv_clear(&r->protect);
}

int nested_scan_roots(const nested_rules *p, nested_scan *s, corral_error *err) {
        return nested_scan_cached(p, NULL, s, err);
}

const nested_id *nested_found_id(const nested_scan *s, const char *path) {
        for (size_t i = 0; i < s->found.n; i++)
                if (strcmp(s->found.v[i], path) == 0)
                        return &s->found_ids[i];
        return NULL;
}

int nested_created(const nested_rules *p, const nested_scan *before, nested_scan *after, strv *created, strv *replaced,
                   corral_error *err) {
        int r = nested_scan_cached(p, before, after, err);
        for (size_t i = 0; r >= 0 && after->found_ids && i < after->found.n; i++) {
                const nested_id *was = nested_found_id(before, after->found.v[i]), *now = &after->found_ids[i];
                bool seen = false; /* the same object, found elsewhere before: moved, not created */
                for (size_t k = 0; !was && before->found_ids && k < before->found.n; k++)
                        seen |= before->found_ids[k].dev == now->dev && before->found_ids[k].ino == now->ino;
                if (!was && !seen)
                        r = strv_push(created, after->found.v[i]);
                else if (!was || was->dev != now->dev || was->ino != now->ino)
                        r = strv_push(replaced, after->found.v[i]);
                if (r < 0)
                        r = oom(err);
        }
        return r;
}

/* --- the copy kept between runs -------------------------------------------
 * One NUL-terminated field after another: the magic, the key, then for
 * each directory its path, depth, dev, ino, ctime, mtime, racy flag, number
 * of entries, the number of subdirectories and their names, the number of
 * protected names and those, then each name's dev and ino. Written by corral in its own state directory, which commands
 * cannot write (plan_userns.c protects it inside writable roots). */

static void put_list(FILE *f, const strv *l) {
        fprintf(f, "%zu%c", l->n, 0);
        for (size_t i = 0; i < l->n; i++)
                fprintf(f, "%s%c", l->v[i], 0);
}

/* One file a depth: a workspace is usually run at one depth, but a run
 * with another one must not throw away the usual one's records. */
static char *cache_file(const char *state_dir, const nested_rules *p) {
        char *file = NULL;
        return asprintf(&file, "%s/nested-%u", state_dir, p->depth) < 0 ? NULL : file;
}

int nested_save(const char *state_dir, const nested_rules *p, const nested_scan *s) {
        uint64_t entries = 0;
        for (size_t i = 0; i < s->n_dirs; i++)
                entries += s->dirs[i].n_entries;
        if (!s->key || entries < CACHE_MIN_ENTRIES)
                return 0;
        _cleanup_free_ char *file = cache_file(state_dir, p), *tmp = NULL;
        if (!file || asprintf(&tmp, "%s.%d", file, (int)getpid()) < 0)
                return -ENOMEM;
        FILE *f = fopen(tmp, "we");
        if (!f)
                return -errno;
        fprintf(f, "%s%c%s%c", CACHE_MAGIC, 0, s->key, 0);
        for (size_t i = 0; i < s->n_dirs; i++) {
                const nested_dir *d = &s->dirs[i];
                fprintf(f, "%s%c%u%c%llu%c%llu%c%lld%c%lld%c%d%c%u%c", d->path, 0, d->depth, 0,
                        (unsigned long long)d->dev, 0, (unsigned long long)d->ino, 0, (long long)d->ctime_ns, 0,
                        (long long)d->mtime_ns, 0, d->racy, 0, d->n_entries, 0);
                put_list(f, &d->subdirs);
                put_list(f, &d->names);
                for (size_t k = 0; k < d->names.n; k++)
                        fprintf(f, "%llu%c%llu%c", (unsigned long long)d->ids[k].dev, 0,
                                (unsigned long long)d->ids[k].ino, 0);
        }
        int r = ferror(f) ? -EIO : 0;
        if (fclose(f) != 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, file) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

typedef struct reader {
        char *p, *end;
} reader;

static const char *field(reader *rd) {
        char *nul = rd->p < rd->end ? memchr(rd->p, 0, (size_t)(rd->end - rd->p)) : NULL;
        if (!nul)
                return NULL;
        const char *f = rd->p;
        rd->p = nul + 1;
        return f;
}

static bool number(reader *rd, long long min, long long max, long long *v) {
        const char *f = field(rd);
        char *end;
        if (!f || !*f)
                return false;
        errno = 0;
        *v = strtoll(f, &end, 10);
        return !*end && !errno && *v >= min && *v <= max;
}

static bool get_list(reader *rd, strv *l) {
        long long n;
        if (!number(rd, 0, 1 << 20, &n))
                return false;
        for (long long i = 0; i < n; i++) {
                const char *f = field(rd);
                if (!f || !*f || strchr(f, '/') || strv_push(l, f) < 0)
                        return false;
        }
        return true;
}

static bool parse(reader *rd, nested_scan *s) {
        const char *f = field(rd), *key = field(rd);
        if (!f || strcmp(f, CACHE_MAGIC) != 0 || !key || strcmp(key, s->key) != 0)
                return false;
        while (rd->p < rd->end) {
                const char *path = field(rd);
                long long depth, dev, ino, ct, mt, racy, entries;
                nested_dir *d = new_dir(s);
                if (!d)
                        return false;
                if (!path || path[0] != '/' || !(d->path = strdup(path)) ||
                    !number(rd, 0, PROTECT_DEPTH_MAX, &depth) || !number(rd, 0, LLONG_MAX, &dev) ||
                    !number(rd, 0, LLONG_MAX, &ino) || !number(rd, LLONG_MIN, LLONG_MAX, &ct) ||
                    !number(rd, LLONG_MIN, LLONG_MAX, &mt) || !number(rd, 0, 1, &racy) ||
                    !number(rd, 0, UINT32_MAX, &entries) ||
                    !get_list(rd, &d->subdirs) || !get_list(rd, &d->names))
                        return false;
                if (d->names.n && !(d->ids = calloc(d->names.n, sizeof(*d->ids))))
                        return false;
                for (size_t k = 0; k < d->names.n; k++) {
                        long long ndev, nino;
                        if (!number(rd, 0, LLONG_MAX, &ndev) || !number(rd, 0, LLONG_MAX, &nino))
                                return false;
                        d->ids[k] = (nested_id){(uint64_t)ndev, (uint64_t)nino};
                }
                d->depth = (unsigned)depth, d->dev = (uint64_t)dev, d->ino = (uint64_t)ino;
                d->ctime_ns = ct, d->mtime_ns = mt, d->racy = racy, d->n_entries = (uint32_t)entries;
        }
        return true;
}

void nested_load(const char *state_dir, const nested_rules *p, nested_scan *s) {
        *s = (nested_scan){0};
        _cleanup_free_ char *file = cache_file(state_dir, p);
        if (p->depth == 0 || !file || !(s->key = scan_key(p)))
                return;
        _cleanup_close_ int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        _cleanup_free_ char *buf = NULL;
        bool ok = false;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
            (size_t)st.st_size <= CACHE_MAX_SIZE && (buf = malloc((size_t)st.st_size + 1))) {
                ssize_t n = read(fd, buf, (size_t)st.st_size);
                if (n == st.st_size) {
                        reader rd = {buf, buf + n};
                        ok = parse(&rd, s);
                }
        }
        if (!ok) /* no cache: the scan reads everything */
                nested_scan_free(s);
}

void nested_scan_free(nested_scan *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_dirs; i++)
                dir_free(&s->dirs[i]);
        free(s->dirs);
        free(s->key);
        strv_clear(&s->found);
        free(s->found_ids);
        *s = (nested_scan){0};
}
