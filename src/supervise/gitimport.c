/* SPDX-License-Identifier: MIT
 * The import after a --git commits run on userns (gitimport.h). Every file
 * of the upper layer is opened by descriptor from the layer's top, never
 * through a link (O_NOFOLLOW at every step); every file of the developer's
 * gitdir likewise, written only as git writes it: NAME.lock made with
 * O_EXCL (a git at work there keeps it: the run's change is then dropped,
 * and said), then renamed over NAME. */
#include "supervise/gitimport.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "apply/caches.h"
#include "apply/host.h"
#include "kernel/syscalls.h"
#include "common/macro.h"
#include "common/warn.h"
#include "common/path.h"
#include "common/readfile.h"
#include "plan/gitdir.h"
#include "plan/gitindex.h"
#include "plan/gitprotect.h"
#include "supervise/gitobject.h"
#include "supervise/gitpack.h"
#include "supervise/gittips.h"

#define REF_MAX 4096u
#define TOP_MAX (4u << 20)
#define LOG_MAX (64u << 20)
#define PACKED_MAX (256u << 20)
#define WALK_DEPTH 32
#define WALK_BUDGET 500000u

#define NOT_IMPORTED_FMT                                                                                              \
        "%s: %s. git outside the sandbox would act on it; it was set aside: not imported from the run's copy "   \
        "of the gitdir, which is removed"

typedef struct blob {
        char *p;
        size_t n;
        bool has;
} blob;

typedef enum kind { K_REF, K_OID, K_OIDS, K_FETCH, K_TEXT } kind;

/* The files at the top of a gitdir that are imported: what a commit, a
 * merge, a fetch or a reset leaves (plan/gitdir.c calls them git's state). */
static const struct {
        const char *name;
        kind kind;
} top_files[] = {
        {"HEAD", K_REF},          {"ORIG_HEAD", K_OID},     {"FETCH_HEAD", K_FETCH},   {"MERGE_HEAD", K_OIDS},
        {"CHERRY_PICK_HEAD", K_OID}, {"REVERT_HEAD", K_OID}, {"AUTO_MERGE", K_OID},     {"REBASE_HEAD", K_OID},   {"MERGE_MSG", K_TEXT},
        {"MERGE_MODE", K_TEXT},   {"SQUASH_MSG", K_TEXT},   {"COMMIT_EDITMSG", K_TEXT}, {"TAG_EDITMSG", K_TEXT},
};
#define N_TOP ELEMENTSOF(top_files)

typedef struct repo_snap {
        const char *repo; /* in the plan */
        size_t overlay;   /* index in plan.git_overlays */
        strv ref_names, ref_vals; /* the loose refs when the run started */
        blob packed;
        blob top[N_TOP];
        bool index_has;
        struct stat index_st;
} repo_snap;

struct gitimport {
        repo_snap *v;
        size_t n;
};

typedef struct importer {
        const plan *pl;
        int marker_fd;
        gittips tips; /* against the developer's HEAD and refs when the import of the repository began */
} importer;

static void blob_free(blob *b) {
        free(b->p);
        *b = (blob){0};
}

static bool blob_same(const blob *a, const blob *b) {
        return a->has == b->has && (!a->has || (a->n == b->n && memcmp(a->p, b->p, a->n) == 0));
}

bool gitimport_is_hex(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

static bool is_oid(const char *s, size_t n) { return (n == 40 || n == 64) && gitimport_is_hex(s, n); }

/* git's check_refname_format for a full name, without options. */
static bool refname_ok(const char *name, size_t n) {
        if (n < 6 || n > 1024 || strncmp(name, "refs/", 5) != 0 || name[n - 1] == '/' || name[n - 1] == '.')
                return false;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)name[i];
                if (c < 0x20 || c == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' ||
                    c == '[' || c == '\\')
                        return false;
                if (i + 1 < n && ((c == '.' && name[i + 1] == '.') || (c == '@' && name[i + 1] == '{') ||
                                  (c == '/' && name[i + 1] == '/')))
                        return false;
        }
        for (size_t at = 0; at < n;) {
                size_t len = 0;
                while (at + len < n && name[at + len] != '/')
                        len++;
                if (len == 0 || name[at] == '.' || (len >= 5 && memcmp(name + at + len - 5, ".lock", 5) == 0))
                        return false;
                at += len + 1;
        }
        return true;
}

/* A loose ref's or HEAD's value: an object id or "ref: refs/...". */
static bool ref_value_ok(const char *p, size_t n) {
        if (n && p[n - 1] == '\n')
                n--;
        if (is_oid(p, n))
                return true;
        return n > 5 && memcmp(p, "ref: ", 5) == 0 && refname_ok(p + 5, n - 5);
}

static bool value_ok(kind k, const char *p, size_t n) {
        if (!p || memchr(p, 0, n))
                return false;
        if (k == K_TEXT)
                return true;
        if (k == K_REF)
                return ref_value_ok(p, n);
        if (k == K_OID)
                return n && p[n - 1] == '\n' ? is_oid(p, n - 1) : is_oid(p, n);
        /* K_OIDS: one id a line; K_FETCH: an id and a tab, then text */
        for (size_t at = 0; at < n;) {
                const char *nl = memchr(p + at, '\n', n - at);
                size_t len = nl ? (size_t)(nl - (p + at)) : n - at;
                if (k == K_OIDS && !is_oid(p + at, len))
                        return false;
                if (k == K_FETCH) {
                        const char *tab = memchr(p + at, '\t', len);
                        if (!tab || !is_oid(p + at, (size_t)(tab - (p + at))))
                                return false;
                }
                at += len + 1;
        }
        return true;
}

static bool is_whiteout(const struct stat *st) { return S_ISCHR(st->st_mode) && st->st_rdev == 0; }

/* dir/name, a regular file of at most max bytes, never through a link:
 * 0, -ENOENT, -ELOOP (a link), -EFTYPE_NOTREG, -EFBIG, -errno. */
static int read_at(int dir, const char *name, size_t max, blob *b) {
        *b = (blob){0};
        int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return errno == ENXIO ? -EFTYPE_NOTREG : -errno;
        struct stat st;
        int r = 0;
        if (fstat(fd, &st) < 0)
                r = -errno;
        else if (!S_ISREG(st.st_mode))
                r = S_ISDIR(st.st_mode) ? -EISDIR : -EFTYPE_NOTREG;
        else if ((uint64_t)st.st_size > max)
                r = -EFBIG;
        else if (!(b->p = malloc((size_t)st.st_size + 1)))
                r = -ENOMEM;
        while (r == 0) {
                ssize_t k = read(fd, b->p + b->n, (size_t)st.st_size - b->n);
                if (k < 0)
                        r = -errno;
                if (k <= 0 || (b->n += (size_t)k) == (size_t)st.st_size)
                        break;
        }
        close(fd);
        if (r == 0 && b->p) {
                b->p[b->n] = 0, b->has = true;
                return 0;
        }
        blob_free(b);
        return r < 0 ? r : -EIO;
}

/* Opens rel (components separated by '/') below base as a directory,
 * never through a link, making what is missing when make. */
static int open_below(int base, const char *rel, bool make) {
        int fd = fcntl(base, F_DUPFD_CLOEXEC, 3);
        for (const char *s = rel; fd >= 0 && *s;) {
                size_t n = strcspn(s, "/");
                char name[256];
                if (n == 0 || n >= sizeof(name)) {
                        close(fd);
                        return -EINVAL;
                }
                memcpy(name, s, n), name[n] = 0;
                s += n + (s[n] == '/');
                int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0 && errno == ENOENT && make && (mkdirat(fd, name, 0777) == 0 || errno == EEXIST))
                        sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int e = errno;
                close(fd);
                if (sub < 0)
                        return -e;
                fd = sub;
        }
        return fd < 0 ? -errno : fd;
}

/* Recorded in the run's marker before it can be left behind. */
static void note_temp(importer *im, int fd, int dir, const char *name) {
        struct stat st;
        if (im->marker_fd < 0 || fstat(fd, &st) < 0)
                return;
        char proc[40], where[4096];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dir);
        ssize_t n = readlink(proc, where, sizeof(where) - 1);
        if (n <= 0)
                return;
        where[n] = 0;
        dprintf(im->marker_fd, "L %llu %llu %s/%s\n", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
                where, name);
}

static int write_all(int fd, const char *p, size_t n) {
        while (n) {
                ssize_t k = write(fd, p, n);
                if (k < 0)
                        return -errno;
                p += k, n -= (size_t)k;
        }
        return 0;
}

static int copy_fd(int in, int out) {
        char buf[65536];
        for (;;) {
                ssize_t k = read(in, buf, sizeof(buf));
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return 0;
                int r = write_all(out, buf, (size_t)k);
                if (r < 0)
                        return r;
        }
}

static void say_removed(const char *shown, mode_t mode) {
        corral_warn("removed %s, %s the command made in a gitdir: git never makes one there, and git outside "
                "the sandbox would write through it (not imported)",
                shown, readfile_type_name(mode));
}

typedef enum swap_rule {
        SWAP_EXACT,  /* the developer's still holds the start's value */
        SWAP_PREFIX, /* the developer's is a prefix of the run's (a reflog: appended to) */
} swap_rule;

/* The value of a ref, for messages: its first line, shortened. */
static const char *shown_value(const blob *b, char *buf, size_t len) {
        if (!b->has)
                return "(none)";
        size_t n = strcspn(b->p, "\n");
        snprintf(buf, len, "%.*s", (int)(n < 80 ? n : 80), b->p);
        return buf;
}

/* dir/name (shown) becomes u (u->has false: removed), under name.lock. */
static void swap_file(importer *im, int dir, const char *name, const char *shown, const blob *s, const blob *u,
                      size_t max, swap_rule rule, bool values) {
        char lock[300];
        snprintf(lock, sizeof(lock), "%s.lock", name);
        int fd = openat(dir, lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
                corral_warn("not imported: %s: cannot take its lock %s.lock (%s; git at work there?): "
                                "the run's change to it is dropped",
                        shown, shown, strerror(errno));
                return;
        }
        note_temp(im, fd, dir, lock);
        blob o;
        int r = read_at(dir, name, max, &o);
        bool done = false;
        char ob[100], ub[100];
        if (r < 0 && r != -ENOENT)
                corral_warn("not imported: %s: the developer's cannot be read (%s); the run's change to it "
                                "is dropped",
                        shown, strerror(-r));
        else if (blob_same(&o, u) ||
                 (rule == SWAP_PREFIX && o.has && u->has && o.n > u->n && memcmp(o.p, u->p, u->n) == 0))
                ; /* already so; or the developer's has more, and all of the run's */
        else if (rule == SWAP_EXACT ? !blob_same(&o, s)
                                    : (o.has && (!u->has || o.n > u->n || memcmp(o.p, u->p, o.n) != 0)))
                corral_warn("not imported: %s changed outside the sandbox while the run lasted; the developer's "
                        "is kept%s%s%s%s%s",
                        shown, values ? " (now " : "", values ? shown_value(&o, ob, sizeof(ob)) : "",
                        values ? "; the run's: " : "", values ? shown_value(u, ub, sizeof(ub)) : "",
                        values ? ")" : "");
        else if (!u->has) {
                if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
                        corral_warn("not imported: %s: cannot remove it (%s)", shown, strerror(errno));
        } else {
                r = write_all(fd, u->p, u->n);
                int c = close(fd);
                fd = -1;
                if (r == 0 && c < 0)
                        r = -errno;
                if (r == 0 && renameat(dir, lock, dir, name) < 0)
                        r = -errno;
                if (r < 0)
                        corral_warn("not imported: %s: cannot write it (%s)", shown, strerror(-r));
                done = r == 0;
        }
        if (fd >= 0)
                close(fd);
        if (!done)
                (void)unlinkat(dir, lock, 0);
        blob_free(&o);
}

/* --- packed-refs' entries ------------------------------------------------ */

typedef struct pref {
        char *name;       /* copied */
        const char *text; /* the entry's lines (its "^" line too), in the file's buffer */
        size_t len;
} pref;

typedef struct prefs {
        pref *v;
        size_t n;
        const char *header; /* "# pack-refs with: ...\n", or NULL */
        size_t header_len;
} prefs;

static void prefs_free(prefs *p) {
        for (size_t i = 0; i < p->n; i++)
                free(p->v[i].name);
        free(p->v);
        *p = (prefs){0};
}

static int by_name(const void *a, const void *b) { return strcmp(((const pref *)a)->name, ((const pref *)b)->name); }

/* "# pack-refs with: TRAITS\n", then "OID NAME\n" each with an optional
 * "^OID\n"; -EINVAL for anything else. Sorted by name. */
static int parse_packed(const blob *b, prefs *out) {
        *out = (prefs){0};
        if (!b->has)
                return 0;
        size_t at = 0, cap = 0;
        const char *p = b->p;
        if (memchr(p, 0, b->n))
                return -EINVAL;
        while (at < b->n) {
                const char *nl = memchr(p + at, '\n', b->n - at);
                size_t len = nl ? (size_t)(nl - (p + at)) : b->n - at, next = at + len + 1;
                const char *line = p + at;
                if (at == 0 && len > 18 && memcmp(line, "# pack-refs with: ", 18) == 0) {
                        out->header = line, out->header_len = next <= b->n ? next : b->n;
                } else if (line[0] == '^' && out->n && is_oid(line + 1, len - 1)) {
                        out->v[out->n - 1].len = (size_t)(p + (next <= b->n ? next : b->n) - out->v[out->n - 1].text);
                } else {
                        const char *sp = memchr(line, ' ', len);
                        if (!sp || !is_oid(line, (size_t)(sp - line)) ||
                            !refname_ok(sp + 1, len - (size_t)(sp + 1 - line))) {
                                prefs_free(out);
                                return -EINVAL;
                        }
                        if (out->n == cap) {
                                pref *v = realloc(out->v, (cap = cap ? cap * 2 : 64) * sizeof(*v));
                                if (!v) {
                                        prefs_free(out);
                                        return -ENOMEM;
                                }
                                out->v = v;
                        }
                        char *name = strndup(sp + 1, len - (size_t)(sp + 1 - line));
                        if (!name) {
                                prefs_free(out);
                                return -ENOMEM;
                        }
                        out->v[out->n++] = (pref){name, line, (next <= b->n ? next : b->n) - at};
                }
                at = next;
        }
        if (out->n)
                qsort(out->v, out->n, sizeof(*out->v), by_name);
        return 0;
}

static const pref *find_pref(const prefs *p, const char *name) {
        pref key = {.name = (char *)name};
        return p->n ? bsearch(&key, p->v, p->n, sizeof(*p->v), by_name) : NULL;
}

/* --- the state when the run started ------------------------------------ */

static void snap_refs(int dir, char *rel, size_t len, repo_snap *s, int depth, unsigned *budget) {
        int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        struct dirent *e;
        while ((e = readdir(d)) && *budget) {
                (*budget)--;
                if (e->d_name[0] == '.')
                        continue;
                size_t n = strlen(e->d_name);
                if (len + 1 + n >= 4096)
                        continue;
                rel[len] = '/';
                memcpy(rel + len + 1, e->d_name, n + 1);
                struct stat st;
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode) && depth > 0) {
                        int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0) {
                                snap_refs(sub, rel, len + 1 + n, s, depth - 1, budget);
                                close(sub);
                        }
                } else if (S_ISREG(st.st_mode)) {
                        blob b;
                        if (read_at(dirfd(d), e->d_name, REF_MAX, &b) == 0) {
                                (void)strv_push(&s->ref_names, rel);
                                (void)strv_push(&s->ref_vals, b.p);
                                blob_free(&b);
                        }
                }
        }
        rel[len] = 0;
        closedir(d);
}

static const char *snap_ref(const repo_snap *s, const char *name, blob *out) {
        for (size_t i = 0; i < s->ref_names.n; i++)
                if (strcmp(s->ref_names.v[i], name) == 0) {
                        *out = (blob){s->ref_vals.v[i], strlen(s->ref_vals.v[i]), true};
                        return s->ref_vals.v[i];
                }
        *out = (blob){0};
        return NULL;
}

/* The object ids the developer's refs named when the run started: its
 * loose refs, packed-refs (peeled ones too) and the files at the top. */
static void snap_commits(const repo_snap *s, strv *out) {
        char rev[65];
        for (size_t i = 0; i < s->ref_vals.n; i++)
                if (gittips_value_oid(s->ref_vals.v[i], strlen(s->ref_vals.v[i]), rev))
                        (void)strv_push(out, rev); /* (duplicates: harmless) */
        for (size_t t = 0; t < N_TOP; t++)
                if (top_files[t].kind != K_TEXT && gittips_value_oid(s->top[t].p, s->top[t].n, rev))
                        (void)strv_push(out, rev);
        prefs p;
        if (parse_packed(&s->packed, &p) < 0)
                p = (prefs){0}; /* (not imported then: no entry to judge) */
        for (size_t i = 0; i < p.n; i++) {
                const pref *e = &p.v[i]; /* "ID NAME\n", then "^PEELED\n" for a tag */
                const char *peeled = memchr(e->text, '\n', e->len);
                if (gittips_value_oid(e->text, e->len, rev))
                        (void)strv_push(out, rev);
                if (peeled && peeled + 2 < e->text + e->len &&
                    gittips_value_oid(peeled + 2, (size_t)(e->text + e->len - (peeled + 2)), rev))
                        (void)strv_push(out, rev);
        }
        prefs_free(&p);
}

/* The object id the developer's ref name (or HEAD, through the ref it
 * names) held when the run started, loose or packed; false: none. */
static bool snap_value(const repo_snap *s, const char *name, char rev[65]) {
        if (strcmp(name, "HEAD") == 0) {
                const blob *h = &s->top[0]; /* HEAD */
                if (!h->has || gittips_value_oid(h->p, h->n, rev))
                        return h->has;
                if (h->n < 6 || memcmp(h->p, "ref: ", 5) != 0)
                        return false;
                char target[1100];
                snprintf(target, sizeof(target), "%.*s", (int)strcspn(h->p + 5, "\n"), h->p + 5);
                return strcmp(target, "HEAD") != 0 && snap_value(s, target, rev);
        }
        blob v;
        if (snap_ref(s, name, &v))
                return gittips_value_oid(v.p, v.n, rev);
        prefs p;
        const pref *e = parse_packed(&s->packed, &p) == 0 ? find_pref(&p, name) : NULL;
        bool found = e && gittips_value_oid(e->text, e->len, rev);
        prefs_free(&p);
        return found;
}

static int open_repo(const char *repo) {
        struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        int fd = sys_openat2(AT_FDCWD, repo, &how);
        return fd < 0 ? -errno : fd;
}

gitimport *gitimport_begin(const plan *pl, corral_error *err) {
        if (!pl->git_overlays.n || !pl->git_run_dir)
                return NULL;
        gitimport *gi = calloc(1, sizeof(*gi));
        if (gi)
                gi->v = calloc(pl->git_repos.n, sizeof(*gi->v));
        if (!gi || !gi->v) {
                free(gi);
                error_set(err, -ENOMEM, "out of memory");
                return NULL;
        }
        for (size_t k = 0; k < pl->git_overlays.n; k++) {
                char path[4096];
                snprintf(path, sizeof(path), "%s/%zu/upper", pl->git_run_dir, k);
                int r = host_mkdir_p(path, 0700);
                if (r < 0) {
                        error_set(err, r, "--git commits: cannot make %s, this run's layer over %s: %s", path,
                                  pl->git_overlays.v[k], strerror(-r));
                        gitimport_free(gi);
                        return NULL;
                }
        }
        for (size_t i = 0; i < pl->git_repos.n; i++) {
                const char *repo = pl->git_repos.v[i];
                size_t k = 0;
                while (k < pl->git_overlays.n && !path_is_below_or_equal(repo, pl->git_overlays.v[k]))
                        k++;
                if (k == pl->git_overlays.n)
                        continue;
                repo_snap *s = &gi->v[gi->n++];
                s->repo = repo, s->overlay = k;
                int fd = open_repo(repo);
                if (fd < 0)
                        continue;
                char rel[4096] = "refs";
                unsigned budget = WALK_BUDGET;
                int refs = openat(fd, "refs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (refs >= 0) {
                        snap_refs(refs, rel, 4, s, WALK_DEPTH, &budget);
                        close(refs);
                }
                (void)read_at(fd, "packed-refs", PACKED_MAX, &s->packed);
                for (size_t t = 0; t < N_TOP; t++)
                        (void)read_at(fd, top_files[t].name, TOP_MAX, &s->top[t]);
                s->index_has = fstatat(fd, "index", &s->index_st, AT_SYMLINK_NOFOLLOW) == 0;
                close(fd);
        }
        return gi;
}

void gitimport_free(gitimport *gi) {
        if (!gi)
                return;
        for (size_t i = 0; i < gi->n; i++) {
                repo_snap *s = &gi->v[i];
                strv_clear(&s->ref_names);
                strv_clear(&s->ref_vals);
                blob_free(&s->packed);
                for (size_t t = 0; t < N_TOP; t++)
                        blob_free(&s->top[t]);
        }
        free(gi->v);
        free(gi);
}

/* --- objects ------------------------------------------------------------- */

/* fd (a regular file) into rdir/name, never over one there: a hard link
 * of it (the upper's file, which goes after the import, or corral's own
 * copy), else a copy. */
static void put_fd(importer *im, int fd, int rdir, const char *name, const char *shown) {
        (void)fchmod(fd, 0444);
        char proc[40];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        if (linkat(AT_FDCWD, proc, rdir, name, AT_SYMLINK_FOLLOW) == 0 || errno == EEXIST)
                return;
        unsigned char rnd[6];
        char tmp[64];
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
                return;
        snprintf(tmp, sizeof(tmp), "tmp_obj_corral_%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
                 rnd[5]);
        int out = openat(rdir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
        int r = out < 0 ? -errno : 0;
        if (out >= 0) {
                note_temp(im, out, rdir, tmp);
                r = lseek(fd, 0, SEEK_SET) < 0 ? -errno : copy_fd(fd, out);
                if (close(out) < 0 && r == 0)
                        r = -errno;
                if (r == 0 && renameat2(rdir, tmp, rdir, name, RENAME_NOREPLACE) < 0 && errno != EEXIST)
                        r = -errno;
                (void)unlinkat(rdir, tmp, 0);
        }
        if (r < 0)
                corral_warn("not imported: %s: %s", shown, strerror(-r));
}

static bool in_repo(int rdir, const char *name) {
        struct stat st;
        return fstatat(rdir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

/* udir/name, a regular file, never through a link; -1 when it is not. */
static int open_upper_file(int udir, const char *name) {
        int fd = openat(udir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
                close(fd);
                fd = -1;
        }
        return fd;
}

/* udir/name into rdir/name as it is (a split index's shared part). */
static void put_object(importer *im, int udir, const char *name, int rdir, const char *shown) {
        if (in_repo(rdir, name))
                return; /* there already (git never changes an object) */
        int fd = open_upper_file(udir, name);
        if (fd >= 0) {
                put_fd(im, fd, rdir, name, shown);
                close(fd);
        }
}

/* A loose object (dir/name in the run, hex its id), once its contents hash
 * to its name (supervise/gitobject.h). */
static void put_loose(importer *im, int udir, const char *name, const char *hex, gitobject_format fmt, int rdir,
                      const char *shown) {
        if (in_repo(rdir, name))
                return;
        int fd = open_upper_file(udir, name);
        if (fd < 0)
                return;
        char why[300];
        int r = gitobject_check_loose(fd, fmt, hex, why, sizeof(why));
        if (r == 0)
                put_fd(im, fd, rdir, name, shown);
        else
                corral_warn(NOT_IMPORTED_FMT, shown, r == -EINVAL ? why : strerror(-r));
        close(fd);
}

bool gitimport_pack_name(const char *name, const char **ext) {
        const char *dot = strrchr(name, '.');
        if (strncmp(name, "pack-", 5) != 0 || !dot || !is_oid(name + 5, (size_t)(dot - name - 5)))
                return false;
        static const char *const exts[] = {".pack", ".idx", ".rev", ".bitmap", ".mtimes", ".promisor"};
        for (size_t i = 0; i < ELEMENTSOF(exts); i++)
                if (strcmp(dot, exts[i]) == 0) {
                        *ext = exts[i];
                        return true;
                }
        return false;
}

/* A pack of the run (udir/name, pack-HEX.pack): indexed by the developer's
 * git (supervise/gitpack.h), then the .pack and git's .idx put in, the .idx
 * last (git takes a pack for there with it). */
static void put_pack(importer *im, int udir, const char *name, int rdir, int rfd, const char *shown) {
        char hex[65], idx_name[100];
        snprintf(hex, sizeof(hex), "%.*s", (int)(strlen(name) - 10), name + 5);
        snprintf(idx_name, sizeof(idx_name), "pack-%s.idx", hex);
        if (in_repo(rdir, name) || in_repo(rdir, idx_name))
                return;
        int fd = open_upper_file(udir, name);
        if (fd < 0)
                return;
        char work[4200], why[600];
        snprintf(work, sizeof(work), "%s/verify", im->pl->git_run_dir);
        int pack, idx;
        int r = gitpack_index(rfd, work, fd, hex, &pack, &idx, why, sizeof(why));
        close(fd);
        if (r < 0) {
                corral_warn(NOT_IMPORTED_FMT, shown, why);
                return;
        }
        char idx_shown[4200];
        snprintf(idx_shown, sizeof(idx_shown), "%.*s.idx", (int)(strlen(shown) - 5), shown);
        put_fd(im, pack, rdir, name, shown);
        if (in_repo(rdir, name))
                put_fd(im, idx, rdir, idx_name, idx_shown);
        close(pack);
        close(idx);
}

gitobject_format gitimport_repo_format(int rfd, const char *repo) {
        blob c;
        gitobject_format f = GITOBJECT_SHA1;
        int r = read_at(rfd, "config", TOP_MAX, &c);
        if (r == 0 && gitobject_format_of_config(c.p, c.n, &f) < 0)
                corral_warn("%s/config: an extensions.objectFormat git does not know, or a config git "
                                "refuses: the run's loose objects there are checked as SHA-1 ones",
                        repo);
        blob_free(&c);
        return f;
}

static void import_pack_dir(importer *im, int us, int rs, int rfd, const char *repo) {
        int dup_fd = openat(us, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *sd = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
        if (!sd) {
                if (dup_fd >= 0)
                        close(dup_fd);
                return;
        }
        char shown[4096];
        for (struct dirent *f; (f = readdir(sd));) {
                const char *ext;
                if (!gitimport_pack_name(f->d_name, &ext))
                        continue;
                snprintf(shown, sizeof(shown), "%s/objects/pack/%s", repo, f->d_name);
                if (strcmp(ext, ".pack") == 0)
                        put_pack(im, dirfd(sd), f->d_name, rs, rfd, shown);
                else if (strcmp(ext, ".idx") != 0 && strcmp(ext, ".rev") != 0 && !in_repo(rs, f->d_name))
                        corral_warn(NOT_IMPORTED_FMT, shown,
                                "a pack's file the command wrote: corral imports a pack as its .pack and the .idx "
                                "git makes of it outside the sandbox, nothing else of it");
        }
        closedir(sd);
}

static void import_objects(importer *im, int ufd, int rfd, const char *repo) {
        int uo = open_below(ufd, "objects", false);
        if (uo < 0)
                return;
        int ro = open_below(rfd, "objects", true);
        DIR *d = ro >= 0 ? fdopendir(uo) : NULL;
        if (!d) {
                close(uo);
                if (ro >= 0)
                        close(ro);
                return;
        }
        gitobject_format fmt = gitimport_repo_format(rfd, repo);
        char shown[4096];
        /* loose objects first: a pack's objects can name them (index-pack
         * --strict checks that every object named is there) */
        for (int pass = 0; pass < 2; pass++) {
                rewinddir(d);
                struct dirent *e;
                while ((e = readdir(d))) {
                        bool pack = strcmp(e->d_name, "pack") == 0;
                        if (pack != (pass == 1) || (!pack && !(strlen(e->d_name) == 2 && gitimport_is_hex(e->d_name, 2))))
                                continue; /* info/ (alternates, commit-graph, packs), temporaries */
                        int us = open_below(dirfd(d), e->d_name, false);
                        int rs = us >= 0 ? open_below(ro, e->d_name, true) : -1;
                        if (rs >= 0 && pack)
                                import_pack_dir(im, us, rs, rfd, repo);
                        int dup_fd = rs >= 0 && !pack ? openat(us, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
                        DIR *sd = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
                        for (struct dirent *f; sd && (f = readdir(sd));) {
                                size_t fl = strlen(f->d_name);
                                if ((fl != 38 && fl != 62) || !gitimport_is_hex(f->d_name, fl))
                                        continue;
                                char hex[65];
                                snprintf(hex, sizeof(hex), "%s%s", e->d_name, f->d_name);
                                snprintf(shown, sizeof(shown), "%s/objects/%s/%s", repo, e->d_name, f->d_name);
                                put_loose(im, dirfd(sd), f->d_name, hex, fmt, rs, shown);
                        }
                        if (sd)
                                closedir(sd);
                        else if (dup_fd >= 0)
                                close(dup_fd);
                        if (us >= 0)
                                close(us);
                        if (rs >= 0)
                                close(rs);
                }
        }
        closedir(d);
        close(ro);
}

/* --- refs ---------------------------------------------------------------- */

static bool is_opaque(int dir) {
        char v[4];
        ssize_t n = fgetxattr(dir, "user.overlay.opaque", v, sizeof(v));
        return n == 1 && v[0] == 'y';
}

/* Whether the command's view no longer has rel (below the repository's
 * upper, ufd) where the lower had it: a whiteout on the way or at it, a
 * file in place of a directory on the way, a directory in its place, or
 * an opaque directory on the way (which hides the lower below it) that
 * does not hold it. */
static bool removed_in_upper(int ufd, const char *rel) {
        int fd = fcntl(ufd, F_DUPFD_CLOEXEC, 3);
        bool opaque = false, removed = false;
        for (const char *s = rel; fd >= 0 && *s;) {
                size_t n = strcspn(s, "/");
                char name[256];
                if (n == 0 || n >= sizeof(name))
                        break;
                memcpy(name, s, n), name[n] = 0;
                s += n + (s[n] == '/');
                bool last = *s == 0;
                struct stat st;
                if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        removed = opaque;
                        break;
                }
                if (is_whiteout(&st) || (last ? !S_ISREG(st.st_mode) : !S_ISDIR(st.st_mode))) {
                        removed = true;
                        break;
                }
                if (last)
                        break; /* the run's own file: imported as such */
                int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                close(fd);
                fd = sub;
                opaque = opaque || (fd >= 0 && is_opaque(fd));
        }
        if (fd >= 0)
                close(fd);
        return removed;
}

/* The parent of rel (a path with at least one '/') below base, and the
 * last component in *leaf. */
static int open_parent(int base, const char *rel, const char **leaf, bool make) {
        const char *slash = strrchr(rel, '/');
        char dir[4096];
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - rel), rel);
        *leaf = slash + 1;
        return open_below(base, dir, make);
}

/* --- protected names in what the run's refs point at --------------------- */

#define LOG_CHECK_MAX 256u /* reflog lines a run adds that are checked (a git or more each) */

/* A ref (or HEAD) the run points at the commit val names, replacing old
 * (NULL: none): refused when it brings a protected name into the worktree
 * (supervise/gittips.h), and said. */
static bool tip_adds_protected(importer *im, const char *val, size_t n, const char *old, size_t old_n,
                               const char *shown) {
        const char *why = gittips_refused(&im->tips, val, n, old, old_n);
        if (why)
                corral_warn(NOT_IMPORTED_FMT, shown, why);
        return why != NULL;
}

static void import_ref(importer *im, const repo_snap *s, int udir, const char *name, int rfd, const char *rel) {
        char shown[4096];
        snprintf(shown, sizeof(shown), "%s/%s", s->repo, rel);
        blob u, st;
        int r = read_at(udir, name, REF_MAX, &u);
        if (r < 0) {
                corral_warn("not imported: %s: %s", shown, strerror(-r));
                return;
        }
        if (!refname_ok(rel, strlen(rel)) || !ref_value_ok(u.p, u.n)) {
                corral_warn(NOT_IMPORTED_FMT, shown,
                        "not a ref git would write (a ref's name follows git's rules, its value is an object id or "
                        "\"ref: refs/...\")");
                blob_free(&u);
                return;
        }
        if (gitimport_is_replace(rel)) {
                corral_warn(NOT_IMPORTED_FMT, shown, GITIMPORT_REPLACE_WHY);
                blob_free(&u);
                return;
        }
        snap_ref(s, rel, &st);
        if (tip_adds_protected(im, u.p, u.n, st.has ? st.p : NULL, st.has ? st.n : 0, shown)) {
                blob_free(&u);
                return;
        }
        const char *leaf;
        int dir = open_parent(rfd, rel, &leaf, true);
        if (dir < 0)
                corral_warn("not imported: %s: %s", shown, strerror(-dir));
        else {
                swap_file(im, dir, leaf, shown, &st, &u, REF_MAX, SWAP_EXACT, true);
                close(dir);
        }
        blob_free(&u);
}

/* The upper's refs (or logs) below udir, at rel: each regular file is a
 * ref (a reflog) to import; a link, FIFO, socket or device is not. */
static void walk_upper(importer *im, const repo_snap *s, int udir, char *rel, size_t len, int rfd, bool logs,
                       int depth, unsigned *budget);

/* The lines the run appends to the reflog of ref (u; the developer's is
 * dir/leaf) name commits a checkout may take (git stash pop takes
 * stash@{0} from the reflog, git reset --hard HEAD@{1}, git checkout -
 * the name in a checkout's message): each is judged against the ref's
 * value at the start (gittips_refused_entry). */
static bool log_adds_protected(importer *im, const repo_snap *s, const char *ref, int dir, const char *leaf,
                               const blob *u, const char *shown) {
        char start[65];
        bool has_start = snap_value(s, ref, start);
        blob o;
        size_t from = 0;
        if (read_at(dir, leaf, LOG_MAX, &o) == 0 && o.has) {
                bool append = o.n <= u->n && (o.n == 0 || (o.p && u->p && memcmp(o.p, u->p, o.n) == 0));
                from = o.n; /* an append: only what the run adds */
                blob_free(&o);
                if (!append)
                        return false; /* not imported anyway (swap_file keeps the developer's) */
        }
        unsigned lines = 0;
        for (size_t at = from; at < u->n; lines++) {
                if (lines == LOG_CHECK_MAX) {
                        corral_warn(NOT_IMPORTED_FMT, shown,
                                    "the run added more entries to it than corral checks for protected names");
                        return true;
                }
                const char *line = u->p + at;
                const char *nl = memchr(line, '\n', u->n - at);
                size_t len = nl ? (size_t)(nl - line) : u->n - at;
                at += len + 1;
                if (!len)
                        continue;
                const char *why = gittips_refused_entry(&im->tips, line, len, has_start ? start : NULL, NULL);
                if (why) {
                        corral_warn(NOT_IMPORTED_FMT, shown, why);
                        return true;
                }
        }
        return false;
}

static void import_log(importer *im, const repo_snap *s, int udir, const char *name, int rfd, const char *rel) {
        char shown[4096];
        snprintf(shown, sizeof(shown), "%s/%s", s->repo, rel);
        const char *ref = rel + 5; /* after "logs/" */
        if (strcmp(ref, "HEAD") != 0 && !refname_ok(ref, strlen(ref))) {
                corral_warn(NOT_IMPORTED_FMT, shown, "not the reflog of a ref git would write");
                return;
        }
        blob u, none = {0};
        int r = read_at(udir, name, LOG_MAX, &u);
        if (r == 0 && (!u.p || memchr(u.p, 0, u.n)))
                r = -EINVAL;
        const char *leaf;
        int dir = r < 0 ? r : open_parent(rfd, rel, &leaf, true);
        if (dir < 0)
                corral_warn("not imported: %s: %s", shown, strerror(-dir));
        else if (log_adds_protected(im, s, ref, dir, leaf, &u, shown))
                close(dir);
        else {
                swap_file(im, dir, leaf, shown, &none, &u, LOG_MAX, SWAP_PREFIX, false);
                close(dir);
        }
        blob_free(&u);
}

static void walk_upper(importer *im, const repo_snap *s, int udir, char *rel, size_t len, int rfd, bool logs,
                       int depth, unsigned *budget) {
        int fd = openat(udir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        struct dirent *e;
        while ((e = readdir(d)) && *budget) {
                (*budget)--;
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                size_t n = strlen(e->d_name);
                if (len + 1 + n >= 4096)
                        continue;
                rel[len] = '/';
                memcpy(rel + len + 1, e->d_name, n + 1);
                struct stat st;
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || is_whiteout(&st))
                        continue; /* removals: import_removed_refs */
                if (S_ISDIR(st.st_mode)) {
                        int sub = depth > 0 ? openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                                            : -1;
                        if (sub >= 0) {
                                walk_upper(im, s, sub, rel, len + 1 + n, rfd, logs, depth - 1, budget);
                                close(sub);
                        }
                } else if (!S_ISREG(st.st_mode)) {
                        char shown[4096];
                        snprintf(shown, sizeof(shown), "%s/%s", s->repo, rel);
                        say_removed(shown, st.st_mode);
                } else if (n > 5 && strcmp(e->d_name + n - 5, ".lock") == 0)
                        ; /* a lock git left (killed meanwhile) */
                else if (logs)
                        import_log(im, s, dirfd(d), e->d_name, rfd, rel);
                else
                        import_ref(im, s, dirfd(d), e->d_name, rfd, rel);
        }
        rel[len] = 0;
        closedir(d);
}

/* The loose refs the run deleted (git branch -d, git tag -d, git gc's
 * pack-refs): deleted outside when they still hold the start's value. */
static void import_removed_refs(importer *im, const repo_snap *s, int ufd, int rfd) {
        blob none = {0};
        for (size_t i = 0; i < s->ref_names.n; i++) {
                const char *rel = s->ref_names.v[i];
                if (!removed_in_upper(ufd, rel))
                        continue;
                char shown[4096];
                snprintf(shown, sizeof(shown), "%s/%s", s->repo, rel);
                const char *leaf;
                int dir = open_parent(rfd, rel, &leaf, false);
                if (dir < 0)
                        continue; /* gone outside too */
                blob st = {s->ref_vals.v[i], strlen(s->ref_vals.v[i]), true};
                swap_file(im, dir, leaf, shown, &st, &none, REF_MAX, SWAP_EXACT, true);
                close(dir);
        }
}

/* --- packed-refs --------------------------------------------------------- */

bool gitimport_is_replace(const char *name) { return strncmp(name, "refs/replace/", 13) == 0; }

void gitimport_drop_packed_replace(int rfd, const char *repo) {
        char shown[4096];
        snprintf(shown, sizeof(shown), "%s/packed-refs", repo);
        blob o;
        prefs op = {0};
        int r = read_at(rfd, "packed-refs", PACKED_MAX, &o);
        if (r < 0 || parse_packed(&o, &op) < 0) {
                if (r != -ENOENT)
                        corral_warn("WARNING: %s: corral cannot read it to look for replace refs (%s): look at `git "
                                    "replace -l` before using the repository",
                                    shown, r < 0 ? strerror(-r) : "not a packed-refs file git would write");
                blob_free(&o);
                return;
        }
        size_t dropped = 0;
        for (size_t i = 0; i < op.n; i++)
                dropped += gitimport_is_replace(op.v[i].name);
        if (!dropped)
                goto out;
        int fd = openat(rfd, "packed-refs.lock", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
                corral_warn("WARNING: %s holds replace refs the command wrote, and corral cannot take its lock to "
                            "remove them (%s): run git replace -d on each of `git replace -l` before using the "
                            "repository",
                            shown, strerror(errno));
                goto out;
        }
        /* the header, then the other entries in the order of their names
         * (packed-refs' own, "sorted" or not) */
        r = op.header ? write_all(fd, op.header, op.header_len) : 0;
        for (size_t i = 0; r == 0 && i < op.n; i++)
                if (!gitimport_is_replace(op.v[i].name)) {
                        r = write_all(fd, op.v[i].text, op.v[i].len);
                        if (r == 0 && op.v[i].len && op.v[i].text[op.v[i].len - 1] != '\n')
                                r = write_all(fd, "\n", 1);
                }
        int c = close(fd);
        if (r == 0 && c < 0)
                r = -errno;
        if (r == 0 && renameat(rfd, "packed-refs.lock", rfd, "packed-refs") < 0)
                r = -errno;
        if (r < 0) {
                (void)unlinkat(rfd, "packed-refs.lock", 0);
                corral_warn("WARNING: %s holds replace refs the command wrote, and corral could not remove them "
                            "(%s): run git replace -d on each of `git replace -l` before using the repository",
                            shown, strerror(-r));
                goto out;
        }
        for (size_t i = 0; i < op.n; i++)
                if (gitimport_is_replace(op.v[i].name))
                        corral_warn("removed %s from %s: %s", op.v[i].name, shown, GITIMPORT_REPLACE_WHY);
out:
        prefs_free(&op);
        blob_free(&o);
}

static bool pref_same(const pref *a, const pref *b) {
        if (!a || !b)
                return a == b;
        size_t la = a->len, lb = b->len; /* a last line without its newline is the same entry */
        if (la && a->text[la - 1] == '\n')
                la--;
        if (lb && b->text[lb - 1] == '\n')
                lb--;
        return la == lb && memcmp(a->text, b->text, la) == 0;
}

/* An entry of the result: from the developer's file or the run's. */
typedef struct out_ref {
        const char *name;
        const char *text;
        size_t len;
} out_ref;

static int by_out_name(const void *a, const void *b) {
        return strcmp(((const out_ref *)a)->name, ((const out_ref *)b)->name);
}

/* Whether the developer's loose ref name differs from the start's (a
 * packed ref the developer updated meanwhile has a loose one now). */
static bool loose_changed(const repo_snap *s, int rfd, const char *name) {
        const char *leaf;
        blob st, o = {0};
        snap_ref(s, name, &st);
        int dir = open_parent(rfd, name, &leaf, false);
        if (dir >= 0) {
                (void)read_at(dir, leaf, REF_MAX, &o);
                close(dir);
        }
        bool changed = !blob_same(&st, &o);
        blob_free(&o);
        return changed;
}

static void import_packed(importer *im, const repo_snap *s, int ufd, int rfd) {
        char shown[4096];
        snprintf(shown, sizeof(shown), "%s/packed-refs", s->repo);
        struct stat st;
        blob u = {0}, o = {0};
        if (fstatat(ufd, "packed-refs", &st, AT_SYMLINK_NOFOLLOW) < 0)
                return; /* unchanged */
        int r = is_whiteout(&st) ? 0 : read_at(ufd, "packed-refs", PACKED_MAX, &u);
        if (r == -ELOOP || r == -EFTYPE_NOTREG) {
                say_removed(shown, st.st_mode);
                return;
        }
        prefs sp = {0}, up = {0}, op = {0};
        if (r < 0 || parse_packed(&u, &up) < 0 || parse_packed(&s->packed, &sp) < 0) {
                corral_warn(NOT_IMPORTED_FMT, shown, "not a packed-refs file git would write");
                blob_free(&u);
                prefs_free(&up);
                return;
        }
        int fd = openat(rfd, "packed-refs.lock", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
                corral_warn("not imported: %s: cannot take its lock (%s; git at work there?): the run's "
                                "changes to it are dropped",
                        shown, strerror(errno));
                goto out;
        }
        note_temp(im, fd, rfd, "packed-refs.lock");
        r = read_at(rfd, "packed-refs", PACKED_MAX, &o);
        if ((r < 0 && r != -ENOENT) || parse_packed(&o, &op) < 0) {
                corral_warn("not imported: %s: the developer's cannot be read (%s)", shown,
                        r < 0 ? strerror(-r) : "not a packed-refs file");
                goto unlock;
        }
        /* the result: the developer's entries, with each change of the run
         * whose entry the developer's still has as it was at the start */
        size_t cap = op.n + up.n, n = 0, changed = 0;
        out_ref *res = calloc(cap ? cap : 1, sizeof(*res));
        if (!res)
                goto unlock;
        for (size_t i = 0; i < op.n; i++)
                res[n++] = (out_ref){op.v[i].name, op.v[i].text, op.v[i].len};
        for (int pass = 0; pass < 2; pass++) {
                const prefs *from = pass ? &sp : &up;
                for (size_t i = 0; i < from->n; i++) {
                        const char *name = from->v[i].name;
                        const pref *sv = find_pref(&sp, name), *uv = find_pref(&up, name), *ov = find_pref(&op, name);
                        if ((pass && uv) || pref_same(sv, uv) || pref_same(ov, uv))
                                continue; /* (names in both: seen in pass 0) */
                        if (uv && gitimport_is_replace(name)) {
                                corral_warn("not imported: %s in %s: %s", name, shown, GITIMPORT_REPLACE_WHY);
                                continue;
                        }
                        if (!pref_same(ov, sv) || (!uv && loose_changed(s, rfd, name))) {
                                corral_warn("not imported: %s in %s changed outside the sandbox while the run "
                                        "lasted; the developer's is kept",
                                        name, shown);
                                continue;
                        }
                        char pshown[4400];
                        snprintf(pshown, sizeof(pshown), "%s in %s", name, shown);
                        if (uv && tip_adds_protected(im, uv->text, uv->len, sv ? sv->text : NULL,
                                                     sv ? sv->len : 0, pshown))
                                continue;
                        size_t k = 0;
                        while (k < n && strcmp(res[k].name, name) != 0)
                                k++;
                        if (uv && k < n)
                                res[k] = (out_ref){uv->name, uv->text, uv->len};
                        else if (uv)
                                res[n++] = (out_ref){uv->name, uv->text, uv->len};
                        else if (k < n)
                                res[k] = res[--n];
                        changed++;
                }
        }
        if (changed) {
                qsort(res, n, sizeof(*res), by_out_name);
                static const char header[] = "# pack-refs with: peeled fully-peeled sorted \n";
                const char *h = op.header ? op.header : up.header ? up.header : header;
                size_t hl = op.header ? op.header_len : up.header ? up.header_len : sizeof(header) - 1;
                r = write_all(fd, h, hl);
                for (size_t i = 0; r == 0 && i < n; i++) {
                        r = write_all(fd, res[i].text, res[i].len);
                        if (r == 0 && res[i].len && res[i].text[res[i].len - 1] != '\n')
                                r = write_all(fd, "\n", 1);
                }
                int c = close(fd);
                fd = -1;
                if (r == 0 && c < 0)
                        r = -errno;
                if (r == 0 && renameat(rfd, "packed-refs.lock", rfd, "packed-refs") < 0)
                        r = -errno;
                if (r == 0) {
                        free(res);
                        goto out;
                }
                corral_warn("not imported: %s: cannot write it (%s)", shown, strerror(-r));
        }
        free(res);
unlock:
        if (fd >= 0)
                close(fd);
        (void)unlinkat(rfd, "packed-refs.lock", 0);
out:
        blob_free(&u);
        blob_free(&o);
        prefs_free(&sp);
        prefs_free(&up);
        prefs_free(&op);
}

/* --- HEAD and the other files at the top; the index ---------------------- */

/* A file at the top (u; o: the developer's at the start) naming commits
 * git takes (git merge FETCH_HEAD, git commit after a merge; any of them
 * by its name, a message too): each id it names, first on its lines (a
 * message's first line only), is judged against o's. */
static bool top_adds_protected(importer *im, kind k, const blob *u, const blob *o, const char *shown) {
        for (size_t at = 0; at < u->n;) {
                const char *line = u->p + at, *nl = memchr(line, '\n', u->n - at);
                size_t len = nl ? (size_t)(nl - line) : u->n - at;
                at += len + 1;
                if (len && tip_adds_protected(im, line, len, o->has ? o->p : NULL, o->has ? o->n : 0, shown))
                        return true;
                if (k == K_TEXT)
                        break; /* a message: git takes a commit from its first line only ("git show MERGE_MSG") */
        }
        return false;
}

static void import_top(importer *im, const repo_snap *s, int ufd, int rfd) {
        for (size_t t = 0; t < N_TOP; t++) {
                const char *name = top_files[t].name;
                char shown[4096];
                snprintf(shown, sizeof(shown), "%s/%s", s->repo, name);
                struct stat st;
                blob u = {0};
                if (fstatat(ufd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue; /* unchanged */
                if (!is_whiteout(&st)) {
                        if (!S_ISREG(st.st_mode)) {
                                say_removed(shown, st.st_mode);
                                continue;
                        }
                        int r = read_at(ufd, name, TOP_MAX, &u);
                        if (r < 0 || !value_ok(top_files[t].kind, u.p, u.n)) {
                                corral_warn(NOT_IMPORTED_FMT, shown,
                                        r < 0 ? strerror(-r) : "not what git writes there");
                                blob_free(&u);
                                continue;
                        }
                }
                if (u.has && top_adds_protected(im, top_files[t].kind, &u, &s->top[t], shown)) {
                        blob_free(&u);
                        continue;
                }
                /* (values said only when they are ids or ref names: no text of the command's on stderr) */
                kind k = top_files[t].kind;
                swap_file(im, rfd, name, shown, &s->top[t], &u, TOP_MAX, SWAP_EXACT, k == K_REF || k == K_OID);
                blob_free(&u);
        }
}

static bool same_file(const struct stat *a, const struct stat *b) {
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
               a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
               a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Attack F1: the run's index (in the upper, ufd) has an entry under a
 * protected name (plan/gitprotect.h) that the developer's (rfd's, as it was
 * when the run started: import_index refuses one changed since) did not
 * hold with the same mode and object, for any worktree the plan read that
 * index with. Returns the first such path (to free), or NULL; *err: the
 * run's index could not be read (refused as well). */
static char *index_new_protected(const importer *im, int ufd, int rfd, int *err) {
        *err = 0;
        struct stat rst, ist;
        if (fstat(rfd, &rst) < 0)
                return NULL;
        const plan_policy *pp = &im->pl->policy;
        char before_path[64], after_path[64];
        snprintf(before_path, sizeof(before_path), "/proc/self/fd/%d/index", rfd);
        snprintf(after_path, sizeof(after_path), "/proc/self/fd/%d/index", ufd);
        char *found = NULL;
        bool matched = false;
        /* (n: a last round without a worktree when the plan read this index
         * with none) */
        size_t n = im->pl->gitlink_indexes.n < im->pl->gitlink_worktrees.n ? im->pl->gitlink_indexes.n
                                                                           : im->pl->gitlink_worktrees.n;
        for (size_t i = 0; !found && !*err && i <= n; i++) {
                if (i == n && matched)
                        break;
                const char *wt = i < n ? im->pl->gitlink_worktrees.v[i] : NULL;
                if (i < n) {
                        _cleanup_free_ char *dir = strdup(im->pl->gitlink_indexes.v[i]);
                        char *slash = dir ? strrchr(dir, '/') : NULL;
                        if (!slash)
                                continue;
                        *slash = 0;
                        if (stat(dir, &ist) < 0 || ist.st_dev != rst.st_dev || ist.st_ino != rst.st_ino)
                                continue;
                        matched = true;
                }
                strv before = {0}, after = {0};
                /* (the developer's unreadable: every protected entry counts as new) */
                (void)gitprotect_entries(&pp->nested.protect, pp->nested.depth, &pp->nested.roots, wt, before_path,
                                         &before);
                *err = gitprotect_entries(&pp->nested.protect, pp->nested.depth, &pp->nested.roots, wt, after_path,
                                          &after);
                const char *key = *err ? NULL : gitprotect_new(&before, &after);
                if (key && !(found = strdup(gitprotect_path(key))))
                        *err = -ENOMEM;
                strv_clear(&before);
                strv_clear(&after);
        }
        return found;
}

static void import_index(importer *im, const repo_snap *s, int ufd, int rfd) {
        char shown[4096];
        snprintf(shown, sizeof(shown), "%s/index", s->repo);
        struct stat st;
        if (fstatat(ufd, "index", &st, AT_SYMLINK_NOFOLLOW) < 0 || is_whiteout(&st))
                return;
        if (!S_ISREG(st.st_mode)) {
                say_removed(shown, st.st_mode);
                return;
        }
        /* a split index's shared part first, as an object: never over one */
        int dup_fd = openat(ufd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
        for (struct dirent *e; d && (e = readdir(d));)
                if (strncmp(e->d_name, "sharedindex.", 12) == 0 && is_oid(e->d_name + 12, strlen(e->d_name + 12))) {
                        char sh[4096];
                        snprintf(sh, sizeof(sh), "%s/%s", s->repo, e->d_name);
                        put_object(im, ufd, e->d_name, rfd, sh);
                }
        if (d)
                closedir(d);
        else if (dup_fd >= 0)
                close(dup_fd);
        /* the checks of an index the command left (gitcheck.h), on the
         * upper's, reached by descriptor (only "index" itself is looked up,
         * and never through a link) */
        char path[64], *bad = NULL;
        snprintf(path, sizeof(path), "/proc/self/fd/%d/index", ufd);
        strv links = {0};
        int r = gitindex_read(path, &links, &bad);
        strv_clear(&links);
        if (r < 0 || bad) {
                char why[600];
                snprintf(why, sizeof(why), "%s%s%s", r < 0 ? "an index corral cannot read" : "an index naming ",
                         bad ? bad : "", bad ? ", a path git refuses (git checkout would write there)" : "");
                corral_warn(NOT_IMPORTED_FMT, shown, why);
                free(bad);
                return;
        }
        /* An entry under a protected name (.vscode/tasks.json,
         * .claude/settings.json, pkg/.vscode/..., .config/mise.toml), which
         * the command cannot make in the worktree but can stage: git
         * checkout -- . and git restore . would write it there outside the
         * sandbox. Kept out unless the developer's index holds that entry as
         * it is (same path, mode and object). */
        char *prot = index_new_protected(im, ufd, rfd, &r);
        if (r < 0 || prot) {
                char why[600];
                snprintf(why, sizeof(why), "%s%s%s", r < 0 ? "an index corral cannot read" : "an index naming ",
                         prot ? prot : "",
                         prot ? ", under a protected name, which the developer's index does not hold so (git "
                                "checkout -- . would write it into the workspace)"
                              : "");
                corral_warn(NOT_IMPORTED_FMT, shown, why);
                free(prot);
                return;
        }
        int in = openat(ufd, "index", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        int fd = in < 0 ? -1 : openat(rfd, "index.lock", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
                corral_warn("not imported: %s: cannot take its lock (%s; git at work there?): the run's "
                                "index is dropped",
                        shown, strerror(errno));
                if (in >= 0)
                        close(in);
                return;
        }
        note_temp(im, fd, rfd, "index.lock");
        struct stat now;
        bool has = fstatat(rfd, "index", &now, AT_SYMLINK_NOFOLLOW) == 0;
        if (has != s->index_has || (has && !same_file(&now, &s->index_st))) {
                corral_warn("not imported: %s changed outside the sandbox while the run lasted (git "
                                "status refreshes it); the developer's is kept: `git reset -q` makes it match HEAD, "
                                "keeping the files",
                        shown);
                r = -EEXIST;
        } else
                r = copy_fd(in, fd);
        int c = close(fd);
        if (r == 0 && c < 0)
                r = -errno;
        if (r == 0 && renameat(rfd, "index.lock", rfd, "index") < 0)
                r = -errno;
        if (r < 0) {
                if (r != -EEXIST)
                        corral_warn("not imported: %s: cannot write it (%s)", shown, strerror(-r));
                (void)unlinkat(rfd, "index.lock", 0);
        }
        close(in);
}

/* --- what is not imported ------------------------------------------------ */

static bool known_repo(const plan *pl, const char *path) {
        return strv_contains(&pl->git_repos, path);
}

static bool holds_repo(const plan *pl, const char *path) {
        for (size_t i = 0; i < pl->git_repos.n; i++)
                if (path_is_below_or_equal(pl->git_repos.v[i], path) && strcmp(pl->git_repos.v[i], path) != 0)
                        return true;
        return false;
}

/* Entries of modules/ or worktrees/ (udir, at path) that are no repository
 * corral knows: repositories the command made where git adopts them. */
static void report_adopted(const plan *pl, int udir, const char *path, int depth) {
        int fd = openat(udir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        for (struct dirent *e; (e = readdir(d));) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *sub = path_join(path, e->d_name);
                struct stat st;
                if (!sub || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || is_whiteout(&st) ||
                    known_repo(pl, sub))
                        continue;
                if (S_ISDIR(st.st_mode) && holds_repo(pl, sub) && depth > 0) {
                        int s = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (s >= 0) {
                                report_adopted(pl, s, sub, depth - 1);
                                close(s);
                        }
                } else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
                        say_removed(sub, st.st_mode);
                else
                        corral_warn(NOT_IMPORTED_FMT, sub, GITDIR_ADOPTED_WHY);
        }
        closedir(d);
}

static bool imported_name(const char *name) {
        static const char *const names[] = {"objects", "refs", "logs", "packed-refs", "index", "gc.pid", "gc.log"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(name, names[i]) == 0)
                        return true;
        for (size_t t = 0; t < N_TOP; t++)
                if (strcmp(name, top_files[t].name) == 0)
                        return true;
        size_t n = strlen(name);
        return strncmp(name, "sharedindex.", 12) == 0 || (n > 5 && strcmp(name + n - 5, ".lock") == 0);
}

static void report_rest(const plan *pl, const repo_snap *s, int ufd) {
        int fd = openat(ufd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        for (struct dirent *e; (e = readdir(d));) {
                const char *name = e->d_name;
                if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || imported_name(name))
                        continue;
                _cleanup_free_ char *path = path_join(s->repo, name);
                struct stat st;
                if (!path || fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                bool adopted = strcmp(name, "modules") == 0 || strcmp(name, "worktrees") == 0;
                if (adopted && S_ISDIR(st.st_mode)) {
                        int a = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (a >= 0) {
                                report_adopted(pl, a, path, WALK_DEPTH);
                                close(a);
                        }
                        continue;
                }
                if (S_ISDIR(st.st_mode) && holds_repo(pl, path))
                        continue; /* on the way to a repository of its own */
                bool state = false;
                for (size_t i = 0; i < GITDIR_N_STATES; i++)
                        state = state || strcmp(name, gitdir_states[i]) == 0;
                const gitdir_entry *ge = gitdir_classify(name);
                if (is_whiteout(&st))
                        corral_warn("not imported: the command removed %s; it stays", path);
                else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
                        say_removed(path, st.st_mode);
                else if (!state && ge && ge->rule == GITDIR_WRITABLE)
                        corral_warn("%s: not imported (%s): of git's state corral imports objects, refs, "
                                "reflogs, HEAD and the files of a commit or merge, and the index",
                                path, ge->why);
                else
                        corral_warn(NOT_IMPORTED_FMT, path,
                                state ? GITDIR_STATE_WHY
                                : ge  ? ge->why
                                      : "not git's state for commits, branches and tags: corral does not import it");
        }
        closedir(d);
}

/* --- the run --------------------------------------------------------------- */

static void import_repo(importer *im, const repo_snap *s, int upper) {
        const char *root = im->pl->git_overlays.v[s->overlay];
        const char *rel = s->repo + strlen(root);
        while (*rel == '/')
                rel++;
        int ufd = *rel ? open_below(upper, rel, false) : fcntl(upper, F_DUPFD_CLOEXEC, 3);
        if (ufd < 0)
                return; /* the run changed nothing there */
        int rfd = open_repo(s->repo);
        if (rfd < 0) {
                corral_warn("WARNING: nothing imported into %s, which corral cannot open now (%s): the "
                                "run's commits, branches and tags there are lost",
                        s->repo, strerror(-rfd));
                close(ufd);
                return;
        }
        char relbuf[4096];
        unsigned budget = WALK_BUDGET;
        /* the baseline of tip_adds_protected, before any ref moves */
        strv known = {0};
        snap_commits(s, &known);
        char base[65] = "0000000000000000000000000000000000000000";
        (void)snap_value(s, "HEAD", base);
        gittips_begin(&im->tips, rfd, im->pl->git_run_dir, &im->pl->policy.nested.protect, base, &known);
        strv_clear(&known);
        import_objects(im, ufd, rfd, s->repo);
        import_packed(im, s, ufd, rfd);
        int refs = open_below(ufd, "refs", false);
        if (refs >= 0) {
                snprintf(relbuf, sizeof(relbuf), "refs");
                walk_upper(im, s, refs, relbuf, 4, rfd, false, WALK_DEPTH, &budget);
                close(refs);
        }
        import_removed_refs(im, s, ufd, rfd);
        int logs = open_below(ufd, "logs", false);
        if (logs >= 0) {
                snprintf(relbuf, sizeof(relbuf), "logs");
                walk_upper(im, s, logs, relbuf, 4, rfd, true, WALK_DEPTH, &budget);
                close(logs);
        }
        import_top(im, s, ufd, rfd);
        import_index(im, s, ufd, rfd);
        report_rest(im->pl, s, ufd);
        gittips_end(&im->tips);
        close(rfd);
        close(ufd);
}

void gitimport_run(const plan *pl, gitimport *gi, int marker_fd) {
        if (!gi)
                return;
        importer im = {.pl = pl, .marker_fd = marker_fd};
        for (size_t k = 0; k < pl->git_overlays.n; k++) {
                char path[4096];
                snprintf(path, sizeof(path), "%s/%zu/upper", pl->git_run_dir, k);
                int upper = open_repo(path);
                if (upper < 0)
                        continue;
                /* outer repositories first: a submodule's refs after the
                 * superproject's objects (nothing depends on the order) */
                for (size_t i = 0; i < gi->n; i++)
                        if (gi->v[i].overlay == k)
                                import_repo(&im, &gi->v[i], upper);
                close(upper);
        }
        int r = caches_remove_tree(pl->git_run_dir);
        if (r < 0)
                corral_warn("warning: cannot remove %s, this run's copy of its gitdirs (%s); the next run "
                                "removes it",
                        pl->git_run_dir, strerror(-r));
}

void gitimport_clean(const char *run_dir, const char *marker_text) {
        for (const char *l = marker_text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                unsigned long long dev, ino;
                char path[4096];
                // NOLINTNEXTLINE(cert-err34-c): corral wrote it
                if (sscanf(l, "L %llu %llu %4095[^\n]", &dev, &ino, path) != 3)
                        continue;
                struct stat st;
                if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_dev == dev &&
                    (unsigned long long)st.st_ino == ino && unlink(path) == 0)
                        corral_warn("removed %s, a lock or temporary file of that run", path);
        }
        int r = caches_remove_tree(run_dir);
        if (r == 0)
                corral_warn("its changes to git's state were not imported (its copy of the gitdirs, "
                                "%s, is removed)",
                        run_dir);
        else
                corral_warn("warning: cannot remove %s (%s)", run_dir, strerror(-r));
}
