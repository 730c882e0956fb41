/* SPDX-License-Identifier: MIT
 * Protected names below the top of the writable roots (see nested.h). */
#include "plan/nested.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/macro.h"
#include "common/path.h"

/* A directory whose change time is this close to the scan may change again
 * within the same clock tick (coarse file timestamps: a jiffy, up to 10 ms,
 * or worse on some filesystems) without its times moving: re-read it. */
#define RACY_NS ((int64_t)2 * 1000 * 1000 * 1000)

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

typedef struct walk {
        const policy *p;
        nested_scan *s;     /* where to record directories read (NULL: don't) */
        strv *names;        /* where to put the protected names found */
        const strv *known;  /* names already known (not added again), or NULL */
        int64_t scan_ns;
        corral_error *err;
} walk;

static int record(walk *w, const char *path, unsigned depth, const struct stat *st) {
        nested_scan *s = w->s;
        if (!s)
                return 0;
        if (s->n_dirs == s->cap_dirs) {
                size_t cap = s->cap_dirs ? s->cap_dirs * 2 : 64;
                nested_dir *d = realloc(s->dirs, cap * sizeof(*d));
                if (!d)
                        return -ENOMEM;
                s->dirs = d, s->cap_dirs = cap;
        }
        nested_dir *d = &s->dirs[s->n_dirs];
        *d = (nested_dir){.depth = depth, .dev = st->st_dev, .ino = st->st_ino,
                          .ctime_ns = ns_of(st->st_ctim), .mtime_ns = ns_of(st->st_mtim)};
        d->racy = w->scan_ns - d->ctime_ns < RACY_NS || w->scan_ns - d->mtime_ns < RACY_NS;
        if (!(d->path = strdup(path)))
                return -ENOMEM;
        s->n_dirs++;
        return 0;
}

static int found(walk *w, const char *path) {
        if (w->known && strv_contains(w->known, path))
                return 0;
        return strv_push_unique(w->names, path);
}

/* Reads the directory at path (depth levels below its writable root): the
 * protected names in it (depth >= 1), and its subdirectories, which it visits
 * while depth < max. With only_new, it stops at directories already in s
 * (they are checked on their own). */
static int visit(walk *w, const char *path, unsigned depth, unsigned max);

static bool is_dir_entry(int dfd, const struct dirent *de) {
        if (de->d_type == DT_DIR)
                return true;
        if (de->d_type != DT_UNKNOWN)
                return false;
        struct stat st;
        return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static int read_dir(walk *w, const char *path, unsigned depth, unsigned max, strv *subdirs) {
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
        DIR *d = fstat(fd, &st) == 0 ? fdopendir(fd) : NULL;
        if (!d) {
                int r = -errno;
                close(fd);
                return error_set(w->err, r, "cannot read %s: %s", path, strerror(-r));
        }
        int r = record(w, path, depth, &st);
        struct dirent *de;
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                const char *n = de->d_name;
                if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])))
                        continue;
                if (is_protected(w->p, n)) {
                        if (depth >= 1) {
                                _cleanup_free_ char *sub = path_join(path, n);
                                r = sub ? found(w, sub) : -ENOMEM;
                        }
                        continue; /* protected as a whole: nothing below it to look at */
                }
                if (depth < max && is_dir_entry(dirfd(d), de))
                        r = strv_push(subdirs, n);
        }
        if (r >= 0 && errno)
                r = error_set(w->err, -errno, "cannot read %s: %s", path, strerror(errno));
        else if (r == -ENOMEM)
                r = error_set(w->err, r, "out of memory");
        closedir(d);
        return r;
}

static int visit(walk *w, const char *path, unsigned depth, unsigned max) {
        strv subdirs = {0};
        int r = read_dir(w, path, depth, max, &subdirs);
        for (size_t i = 0; r >= 0 && i < subdirs.n; i++) {
                _cleanup_free_ char *sub = path_join(path, subdirs.v[i]);
                r = sub ? visit(w, sub, depth + 1, max) : error_set(w->err, -ENOMEM, "out of memory");
        }
        strv_clear(&subdirs);
        return r;
}

int nested_scan_roots(const policy *p, nested_scan *s, corral_error *err) {
        *s = (nested_scan){.max_depth = p->protect_depth};
        if (p->protect_depth == 0)
                return 0;
        walk w = {.p = p, .s = s, .names = &s->found, .scan_ns = now_ns(), .err = err};
        for (size_t i = 0; i < p->writable_roots.n; i++) {
                int r = visit(&w, p->writable_roots.v[i], 0, p->protect_depth);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int by_path(const void *a, const void *b) {
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool unchanged(const nested_dir *d, const struct stat *st) {
        return !d->racy && d->dev == (uint64_t)st->st_dev && d->ino == (uint64_t)st->st_ino &&
               d->ctime_ns == ns_of(st->st_ctim) && d->mtime_ns == ns_of(st->st_mtim);
}

int nested_created(const policy *p, const nested_scan *s, strv *created, corral_error *err) {
        if (s->n_dirs == 0)
                return 0;
        /* The directories read before the run, sorted, to tell new ones. */
        const char **seen = malloc(s->n_dirs * sizeof(*seen));
        if (!seen)
                return error_set(err, -ENOMEM, "out of memory");
        for (size_t i = 0; i < s->n_dirs; i++)
                seen[i] = s->dirs[i].path;
        qsort(seen, s->n_dirs, sizeof(*seen), by_path);

        walk w = {.p = p, .names = created, .known = &s->found, .scan_ns = now_ns(), .err = err};
        int r = 0;
        for (size_t i = 0; r >= 0 && i < s->n_dirs; i++) {
                const nested_dir *d = &s->dirs[i];
                struct stat st;
                if (lstat(d->path, &st) < 0 || !S_ISDIR(st.st_mode) || unchanged(d, &st))
                        continue;
                /* Changed: its protected names again, and whatever directory
                 * appeared in it (visited whole, down to the depth). */
                strv subdirs = {0};
                r = read_dir(&w, d->path, d->depth, s->max_depth, &subdirs);
                for (size_t j = 0; r >= 0 && j < subdirs.n; j++) {
                        _cleanup_free_ char *sub = path_join(d->path, subdirs.v[j]);
                        if (!sub)
                                r = error_set(err, -ENOMEM, "out of memory");
                        else if (!bsearch(&sub, seen, s->n_dirs, sizeof(*seen), by_path))
                                r = visit(&w, sub, d->depth + 1, s->max_depth);
                }
                strv_clear(&subdirs);
        }
        free(seen);
        return r;
}

void nested_scan_free(nested_scan *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_dirs; i++)
                free(s->dirs[i].path);
        free(s->dirs);
        strv_clear(&s->found);
        *s = (nested_scan){0};
}
