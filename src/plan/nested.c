/* SPDX-License-Identifier: MIT
 * Protected names below the top of the writable roots (see nested.h). */
#include "plan/nested.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/macro.h"
#include "common/path.h"

/* A directory whose times are this close to the scan may change again within
 * the same clock tick (coarse file timestamps: a jiffy, up to 10 ms, or
 * seconds on some filesystems) without its times moving: it is re-read next
 * time whatever its times say. */
#define RACY_NS ((int64_t)2 * 1000 * 1000 * 1000)
#define CACHE_MAGIC "corral-nested 2"
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
static bool is_protected(const policy *p, const char *name) {
        for (size_t i = 0; i < p->protect.n; i++)
                if (strcasecmp(p->protect.v[i], name) == 0)
                        return true;
        return false;
}

/* The records depend on the depth and the names: a cache made for others
 * does not apply. */
static char *scan_key(const policy *p) {
        char *key = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&key, &len);
        if (!f)
                return NULL;
        fprintf(f, "%u", p->protect_depth);
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
        strv_clear(&d->subdirs);
        strv_clear(&d->names);
}

/* An element of the index: a pointer to a record of the cache. */
typedef const nested_dir *dir_ref;

typedef struct walk {
        const policy *p;
        nested_scan *s;
        dir_ref *index;           /* the cache's directories, sorted by path */
        size_t n_index;
        int64_t scan_ns;
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

static int oom(corral_error *err) { return error_set(err, -ENOMEM, "out of memory"); }

static bool is_dir_entry(int dfd, const struct dirent *de) {
        if (de->d_type == DT_DIR)
                return true;
        if (de->d_type != DT_UNKNOWN)
                return false;
        struct stat st;
        return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* Reads the directory at path (depth levels below its writable root) into
 * d: its protected names (depth >= 1) and its subdirectories (depth < max).
 * Returns 1 when read, 0 when it is gone (or no longer a directory). */
static int read_dir(walk *w, const char *path, unsigned depth, nested_dir *d) {
        unsigned max = w->p->protect_depth;
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
                        return 0; /* vanished, or replaced by a file or a symlink: nothing below to protect */
                return error_set(w->err, -errno,
                                 "cannot read %s to look for protected names below the top of a writable root: %s "
                                 "(a command could open it and write below it; fix its permissions, or set "
                                 "protect_depth = 0 to protect only the top level)",
                                 path, strerror(errno));
        }
        struct stat st;
        DIR *dir = fstat(fd, &st) == 0 ? fdopendir(fd) : NULL;
        if (!dir) {
                int r = -errno;
                close(fd);
                return error_set(w->err, r, "cannot read %s: %s", path, strerror(-r));
        }
        *d = (nested_dir){.depth = depth, .dev = st.st_dev, .ino = st.st_ino, .ctime_ns = ns_of(st.st_ctim),
                          .mtime_ns = ns_of(st.st_mtim)};
        d->racy = w->scan_ns - d->ctime_ns < RACY_NS || w->scan_ns - d->mtime_ns < RACY_NS;
        int r = (d->path = strdup(path)) ? 1 : -ENOMEM;
        struct dirent *de;
        while (r >= 0 && (errno = 0, de = readdir(dir))) {
                const char *n = de->d_name;
                if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])))
                        continue;
                d->n_entries++;
                if (is_protected(w->p, n)) { /* protected as a whole: nothing below it to look at */
                        if (depth >= 1 && strv_push(&d->names, n) < 0)
                                r = -ENOMEM;
                } else if (depth < max && is_dir_entry(dirfd(dir), de) && strv_push(&d->subdirs, n) < 0)
                        r = -ENOMEM;
        }
        if (r >= 0 && errno)
                r = error_set(w->err, -errno, "cannot read %s: %s", path, strerror(errno));
        else if (r == -ENOMEM)
                r = oom(w->err);
        closedir(dir);
        return r;
}

/* A copy of a cached record that is still true. */
static int copy_dir(const nested_dir *from, nested_dir *d) {
        *d = (nested_dir){.depth = from->depth, .dev = from->dev, .ino = from->ino, .ctime_ns = from->ctime_ns,
                          .mtime_ns = from->mtime_ns, .n_entries = from->n_entries};
        return (d->path = strdup(from->path)) && strv_extend(&d->subdirs, &from->subdirs) >= 0 &&
                               strv_extend(&d->names, &from->names) >= 0
                       ? 1
                       : -ENOMEM;
}

static int visit(walk *w, const char *path, unsigned depth) {
        const nested_dir *c = cached(w, path);
        struct stat st;
        nested_dir *d = new_dir(w->s);
        if (!d)
                return oom(w->err);
        int r;
        if (c && c->depth == depth && lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && unchanged(c, &st))
                r = copy_dir(c, d) < 0 ? oom(w->err) : 1;
        else {
                r = read_dir(w, path, depth, d);
                w->s->n_read += r > 0;
        }
        if (r <= 0) { /* gone, or an error: no record */
                dir_free(d);
                w->s->n_dirs--;
                return r;
        }
        /* d may move when the array grows below: work from copies. */
        size_t at = (size_t)(d - w->s->dirs);
        for (size_t i = 0; i < w->s->dirs[at].names.n; i++) {
                _cleanup_free_ char *p = path_join(path, w->s->dirs[at].names.v[i]);
                if (!p || strv_push(&w->s->found, p) < 0)
                        return oom(w->err);
        }
        strv subdirs = {0};
        if (strv_extend(&subdirs, &w->s->dirs[at].subdirs) < 0)
                return oom(w->err);
        r = 0;
        for (size_t i = 0; r >= 0 && i < subdirs.n; i++) {
                _cleanup_free_ char *sub = path_join(path, subdirs.v[i]);
                r = sub ? visit(w, sub, depth + 1) : oom(w->err);
        }
        strv_clear(&subdirs);
        return r;
}

int nested_scan_cached(const policy *p, const nested_scan *cache, nested_scan *s, corral_error *err) {
        *s = (nested_scan){0};
        if (p->protect_depth == 0)
                return 0;
        if (!(s->key = scan_key(p)))
                return oom(err);
        walk w = {.p = p, .s = s, .scan_ns = now_ns(), .err = err};
        if (cache && cache->n_dirs && cache->key && strcmp(cache->key, s->key) == 0) {
                if (!(w.index = malloc(cache->n_dirs * sizeof(dir_ref))))
                        return oom(err);
                for (size_t i = 0; i < cache->n_dirs; i++)
                        w.index[i] = &cache->dirs[i];
                w.n_index = cache->n_dirs;
                qsort(w.index, w.n_index, sizeof(dir_ref), by_path);
        }
        int r = 0;
        for (size_t i = 0; r >= 0 && i < p->writable_roots.n; i++)
                r = visit(&w, p->writable_roots.v[i], 0);
        free(w.index);
        return r;
}

int nested_scan_roots(const policy *p, nested_scan *s, corral_error *err) {
        return nested_scan_cached(p, NULL, s, err);
}

int nested_created(const policy *p, const nested_scan *before, nested_scan *after, strv *created,
                   corral_error *err) {
        int r = nested_scan_cached(p, before, after, err);
        for (size_t i = 0; r >= 0 && i < after->found.n; i++)
                if (!strv_contains(&before->found, after->found.v[i]) && strv_push(created, after->found.v[i]) < 0)
                        r = oom(err);
        return r;
}

/* --- the copy kept between runs -------------------------------------------
 * One NUL-terminated field after another: the magic, the key, then for
 * each directory its path, depth, dev, ino, ctime, mtime, racy flag, number
 * of entries, the number of subdirectories and their names, the number of
 * protected names and those. Written by corral in its own state directory, which commands
 * cannot write (plan_userns.c protects it inside writable roots). */

static void put_list(FILE *f, const strv *l) {
        fprintf(f, "%zu%c", l->n, 0);
        for (size_t i = 0; i < l->n; i++)
                fprintf(f, "%s%c", l->v[i], 0);
}

/* One file a depth: a workspace is usually run at one depth, but a run
 * with another one must not throw away the usual one's records. */
static char *cache_file(const char *state_dir, const policy *p) {
        char *file = NULL;
        return asprintf(&file, "%s/nested-%u", state_dir, p->protect_depth) < 0 ? NULL : file;
}

int nested_save(const char *state_dir, const policy *p, const nested_scan *s) {
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
                d->depth = (unsigned)depth, d->dev = (uint64_t)dev, d->ino = (uint64_t)ino;
                d->ctime_ns = ct, d->mtime_ns = mt, d->racy = racy, d->n_entries = (uint32_t)entries;
        }
        return true;
}

void nested_load(const char *state_dir, const policy *p, nested_scan *s) {
        *s = (nested_scan){0};
        _cleanup_free_ char *file = cache_file(state_dir, p);
        if (p->protect_depth == 0 || !file || !(s->key = scan_key(p)))
                return;
        int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        char *buf = NULL;
        bool ok = false;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
            (size_t)st.st_size <= CACHE_MAX_SIZE && (buf = malloc((size_t)st.st_size + 1))) {
                ssize_t n = read(fd, buf, (size_t)st.st_size);
                if (n == st.st_size) {
                        reader rd = {buf, buf + n};
                        ok = parse(&rd, s);
                }
        }
        if (fd >= 0)
                close(fd);
        free(buf);
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
        *s = (nested_scan){0};
}
