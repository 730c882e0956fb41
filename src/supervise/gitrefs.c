/* SPDX-License-Identifier: MIT
 * Refs written in place by a --git commits run: see supervise/gitrefs.h.
 * Files of the gitdir are opened by descriptor, never through a link. */
#include "supervise/gitrefs.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"
#include "common/sha1.h"
#include "common/warn.h"
#include "plan/gitdir.h"
#include "supervise/aside.h"
#include "supervise/gitrun.h"
#include "supervise/gittips.h"
#include "supervise/gitverify.h"

#define REFS_MAX (16u << 20)      /* git for-each-ref's output */
#define LOG_MAX (64u << 20)       /* one reflog */
#define PACKED_MAX (256u << 20)   /* packed-refs */
#define LOGS_DEPTH 32
#define LOGS_BUDGET 100000u       /* reflog files looked at */
#define LOG_CHECK_MAX 256u        /* new entries checked in one reflog; more are removed */
#define SETBACK_WHY "git outside the sandbox would act on it"
#define SETBACK_MSG "corral: set back after a --git commits run" /* git update-ref's reflog line */

static int by_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* s sorted, each string once */
static void sort_unique(strv *s) {
        if (s->n < 2)
                return;
        qsort(s->v, s->n, sizeof(*s->v), by_str);
        size_t k = 1;
        for (size_t i = 1; i < s->n; i++) {
                if (strcmp(s->v[i], s->v[k - 1]) == 0)
                        free(s->v[i]);
                else
                        s->v[k++] = s->v[i];
        }
        s->n = k;
        s->v[k] = NULL;
}

/* A file of the gitdir, whole (at most max bytes), never through a link. */
static char *read_file(int dir, const char *name, size_t max, size_t *n, int *r) {
        *n = 0;
        int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) {
                *r = -errno;
                if (fd >= 0)
                        close(fd);
                return NULL;
        }
        char *buf = S_ISREG(st.st_mode) && (size_t)st.st_size <= max ? malloc((size_t)st.st_size + 1) : NULL;
        *r = buf ? 0 : !S_ISREG(st.st_mode) ? -EINVAL : (size_t)st.st_size > max ? -EFBIG : -ENOMEM;
        while (buf && *n < (size_t)st.st_size) {
                ssize_t k = read(fd, buf + *n, (size_t)st.st_size - *n);
                if (k <= 0)
                        break;
                *n += (size_t)k;
        }
        close(fd);
        if (buf)
                buf[*n] = 0;
        return buf;
}

/* --- the refs, as "ID NAME SYMREF" lines (SYMREF empty for a ref that is
 * no symbolic one; ID the commit a symbolic one resolves to) ----------- */

typedef struct ref_ent {
        char *name, *val; /* val: the first line of a loose ref, or a packed one's id */
} ref_ent;

typedef struct ref_list {
        ref_ent *v;
        size_t n, cap;
} ref_list;

/* A name git reads as a ref's (it ignores the others: git check-ref-format) */
static bool name_ok(const char *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)p[i];
                if (c <= ' ' || c == 0x7f || strchr("~^:?*[\\", c))
                        return false;
        }
        return n > 5;
}

static int ref_add(ref_list *l, const char *name, size_t nl, const char *val, size_t vl) {
        if (!name_ok(name, nl))
                return 0;
        if (l->n == l->cap) {
                ref_ent *v = realloc(l->v, (l->cap = l->cap ? l->cap * 2 : 64) * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                l->v = v;
        }
        l->v[l->n].name = strndup(name, nl);
        l->v[l->n].val = strndup(val, vl);
        if (!l->v[l->n].name || !l->v[l->n].val) {
                free(l->v[l->n].name);
                free(l->v[l->n].val);
                return -ENOMEM;
        }
        l->n++;
        return 0;
}

static void ref_list_free(ref_list *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].name);
                free(l->v[i].val);
        }
        free(l->v);
        *l = (ref_list){0};
}

static int by_ref_name(const void *a, const void *b) {
        return strcmp(((const ref_ent *)a)->name, ((const ref_ent *)b)->name);
}

static const ref_ent *ref_find(const ref_list *l, const char *name) {
        ref_ent key = {.name = (char *)name};
        return l->n ? bsearch(&key, l->v, l->n, sizeof(*l->v), by_ref_name) : NULL;
}

typedef int (*file_fn)(int dir, const char *name, const char *rel, const struct stat *st, void *ctx);

/* Each regular file below dir but ".*" and "*.lock", its path below the
 * gitdir in rel (rl bytes so far, 4096 at most): fn(dir, name, rel, st,
 * ctx), which stops the walk with a negative value. Directories depth
 * levels down, never through a link. -EFBIG once budget entries were
 * looked at, the rest not. */
static int walk_files(int dir, char *rel, size_t rl, int depth, unsigned *budget, file_fn fn, void *ctx) {
        int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return 0;
        }
        int r = 0;
        for (struct dirent *e; r == 0 && (e = readdir(d));) {
                if (!*budget) {
                        r = -EFBIG;
                        break;
                }
                (*budget)--;
                size_t nl = strlen(e->d_name);
                struct stat st;
                if (e->d_name[0] == '.' || rl + 1 + nl >= 4096 || (nl > 5 && strcmp(e->d_name + nl - 5, ".lock") == 0) ||
                    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                rel[rl] = '/';
                memcpy(rel + rl + 1, e->d_name, nl + 1);
                if (S_ISDIR(st.st_mode) && depth > 0) {
                        int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0) {
                                r = walk_files(sub, rel, rl + 1 + nl, depth - 1, budget, fn, ctx);
                                close(sub);
                        }
                } else if (S_ISREG(st.st_mode))
                        r = fn(dirfd(d), e->d_name, rel, &st, ctx);
                rel[rl] = 0;
        }
        closedir(d);
        return r;
}

/* A loose ref, as git reads it: its first line. */
static int on_loose(int dir, const char *name, const char *rel, const struct stat *st, void *ctx) {
        (void)st;
        size_t n;
        int r;
        _cleanup_free_ char *text = read_file(dir, name, 4096, &n, &r);
        return text ? ref_add(ctx, rel, strlen(rel), text, strcspn(text, "\n")) : 0;
}

/* The commit a ref's value names, through symbolic refs (at most 5), into
 * id; "0...0" when it names none. */
static void resolve(const ref_list *l, const char *val, char id[65]) {
        for (int hop = 0; val && hop < 6; hop++) {
                if (gittips_value_oid(val, strlen(val), id))
                        return;
                if (strncmp(val, "ref: ", 5) != 0)
                        break;
                const ref_ent *e = ref_find(l, val + 5);
                val = e ? e->val : NULL;
        }
        snprintf(id, 65, "%s", "0000000000000000000000000000000000000000");
}

/* The refs of a gitdir in files (loose, then packed-refs), read as git
 * reads them, without a git: the snapshot costs no process. */
static char *read_refs(int fd, size_t *n, int *r) {
        ref_list l = {0};
        unsigned budget = 1000000;
        char rel[4096] = "refs";
        int refs = openat(fd, "refs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        *r = refs >= 0 ? walk_files(refs, rel, 4, 2048, &budget, on_loose, &l) : 0;
        if (refs >= 0)
                close(refs);
        size_t pn = 0, loose = l.n;
        int pr;
        _cleanup_free_ char *packed = *r ? NULL : read_file(fd, "packed-refs", PACKED_MAX, &pn, &pr);
        if (*r == 0 && !packed && pr != -ENOENT)
                *r = pr;
        if (loose)
                qsort(l.v, loose, sizeof(*l.v), by_ref_name);
        for (size_t at = 0; *r == 0 && packed && at < pn;) {
                const char *line = packed + at, *end = memchr(line, '\n', pn - at);
                size_t len = end ? (size_t)(end - line) : pn - at;
                at += len + 1;
                const char *sp = memchr(line, ' ', len);
                if (!sp || *line == '#' || *line == '^')
                        continue;
                _cleanup_free_ char *name = strndup(sp + 1, len - (size_t)(sp + 1 - line));
                ref_list lo = {.v = l.v, .n = loose};
                if (name && !ref_find(&lo, name)) /* (a loose ref stands over a packed one) */
                        *r = ref_add(&l, sp + 1, len - (size_t)(sp + 1 - line), line, (size_t)(sp - line));
        }
        if (l.n)
                qsort(l.v, l.n, sizeof(*l.v), by_ref_name);
        size_t cap = 1;
        for (size_t i = 0; i < l.n; i++)
                cap += strlen(l.v[i].name) + strlen(l.v[i].val) + 70;
        char *out = *r ? NULL : malloc(cap);
        *n = 0;
        for (size_t i = 0; out && i < l.n; i++) {
                char id[65];
                resolve(&l, l.v[i].val, id);
                bool sym = strncmp(l.v[i].val, "ref: ", 5) == 0;
                *n += (size_t)snprintf(out + *n, cap - *n, "%s %s %s\n", id, l.v[i].name, sym ? l.v[i].val + 5 : "");
        }
        if (out)
                out[*n] = 0;
        else if (*r == 0)
                *r = -ENOMEM;
        ref_list_free(&l);
        return out;
}

static char *git_refs(int fd, const char *home, size_t *n, int *r);

/* The refs: read from the files, or by git for-each-ref for a repository
 * whose refs are in reftable/. */
static char *list_refs(int fd, const char *home, size_t *n, int *r) {
        struct stat st;
        if (fstatat(fd, "reftable", &st, AT_SYMLINK_NOFOLLOW) != 0)
                return read_refs(fd, n, r);
        return git_refs(fd, home, n, r);
}

/* git for-each-ref, in the same form. */
static char *git_refs(int fd, const char *home, size_t *n, int *r) {
        const char *git = gitrun_find();
        if (!git) {
                *r = -ENOENT;
                return NULL;
        }
        char *const argv[] = {"git", "-c", "core.fsmonitor=", "-c", "core.hooksPath=/dev/null", "for-each-ref",
                              "--format=%(objectname) %(refname) %(symref)", NULL};
        char *out = malloc(REFS_MAX);
        bool more = false;
        int st = out ? gitrun(fd, git, home, NULL, argv, -1, false, out, REFS_MAX, n, &more) : -ENOMEM;
        *r = st < 0 ? st : more ? -EFBIG : st ? -EIO : 0;
        if (*r) {
                free(out);
                return NULL;
        }
        return out;
}

/* The ids a reflog names (both of each line's), into ids. */
static void log_ids(const char *p, size_t n, strv *ids) {
        for (size_t at = 0; at < n;) {
                const char *line = p + at, *nl = memchr(line, '\n', n - at);
                size_t len = nl ? (size_t)(nl - line) : n - at;
                at += len + 1;
                char a[65], b[65];
                const char *sp = memchr(line, ' ', len);
                if (gittips_value_oid(line, len, a))
                        (void)strv_push(ids, a);
                if (sp && gittips_value_oid(sp + 1, len - (size_t)(sp + 1 - line), b))
                        (void)strv_push(ids, b);
        }
}

/* A reflog line's mark: the first 64 bits of its SHA-1, in hex. */
static void line_mark(const char *line, size_t len, char out[17]) {
        uint8_t d[20];
        sha1(line, len, d);
        for (size_t i = 0; i < 8; i++)
                snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The marks of a reflog's lines, into marks. */
static void log_marks(const char *p, size_t n, strv *marks) {
        for (size_t at = 0; at < n;) {
                const char *line = p + at, *nl = memchr(line, '\n', n - at);
                size_t len = nl ? (size_t)(nl - line) : n - at;
                at += len + 1;
                char m[17];
                line_mark(line, len, m);
                (void)strv_push(marks, m);
        }
}

typedef struct log_scan {
        strv ids, marks;
} log_scan;

/* A reflog at the start: the ids it names and its lines' marks. */
static int on_log(int dir, const char *name, const char *rel, const struct stat *st, void *ctx) {
        (void)rel, (void)st;
        log_scan *ls = ctx;
        size_t n;
        int r;
        _cleanup_free_ char *text = read_file(dir, name, LOG_MAX, &n, &r);
        if (text) {
                log_ids(text, n, &ls->ids);
                log_marks(text, n, &ls->marks);
        }
        return 0;
}

/* The first 4 KiB of a file (NUL-terminated, *n bytes), never through a
 * link; NULL when it cannot be read. */
static char *read_head(int dir, const char *name, size_t *n) {
        *n = 0;
        int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        char *buf = fd >= 0 ? malloc(4097) : NULL;
        ssize_t k = buf ? read(fd, buf, 4096) : -1;
        if (fd >= 0)
                close(fd);
        if (k < 0) {
                free(buf);
                return NULL;
        }
        buf[k] = 0;
        *n = strnlen(buf, (size_t)k); /* (a binary file: up to its first NUL) */
        return buf;
}

/* The first line of a file at the gitdir's top, or "" */
static void first_line(int fd, const char *name, char *out, size_t len) {
        size_t n;
        int r;
        _cleanup_free_ char *text = read_file(fd, name, 4096, &n, &r);
        snprintf(out, len, "%.*s", text ? (int)strcspn(text, "\n") : 0, text ? text : "");
}

int gitrefs_snapshot(int gitdir_fd, const char *home, FILE *f, char *why, size_t why_len) {
        size_t n;
        int r;
        _cleanup_free_ char *refs = list_refs(gitdir_fd, home, &n, &r);
        if (!refs) {
                snprintf(why, why_len, "cannot list its refs (%s)",
                         r == -ENOENT ? "no git owned by root at /usr/bin/git or /usr/local/bin/git" : strerror(-r));
                return r;
        }
        char head[4200], orig[4200];
        first_line(gitdir_fd, "HEAD", head, sizeof(head));
        first_line(gitdir_fd, "ORIG_HEAD", orig, sizeof(orig));
        fprintf(f, "H %s\nO %s\n", head, orig);
        size_t sn;
        _cleanup_free_ char *shallow = read_file(gitdir_fd, "shallow", REFS_MAX, &sn, &r);
        for (size_t at = 0; shallow && at < sn;) {
                char rev[65];
                size_t len = strcspn(shallow + at, "\n");
                if (gittips_value_oid(shallow + at, len, rev))
                        fprintf(f, "S %s\n", rev);
                at += len + 1;
        }
        for (char *line = refs, *nl; line < refs + n && *line; line = nl + 1) {
                if (!(nl = strchr(line, '\n')))
                        break;
                *nl = 0;
                fprintf(f, "R %s\n", line);
        }
        log_scan ls = {0};
        unsigned budget = LOGS_BUDGET;
        r = 0;
        int logs = openat(gitdir_fd, "logs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (logs >= 0) {
                char rel[4096] = "logs";
                r = walk_files(logs, rel, 4, LOGS_DEPTH, &budget, on_log, &ls);
                close(logs);
        }
        sort_unique(&ls.ids);
        sort_unique(&ls.marks);
        for (size_t i = 0; i < ls.ids.n; i++)
                fprintf(f, "K %s\n", ls.ids.v[i]);
        for (size_t i = 0; i < ls.marks.n; i++)
                fprintf(f, "M %s\n", ls.marks.v[i]);
        strv_clear(&ls.ids);
        strv_clear(&ls.marks);
        if (r < 0)
                snprintf(why, why_len, "more reflogs than corral reads");
        return r < 0 ? r : ferror(f) ? -EIO : 0;
}

/* --- the check ------------------------------------------------------------ */

typedef struct snap {
        strv names, vals; /* the refs: an id, or "ref: TARGET" for a symbolic one */
        strv known;       /* every id the refs, HEAD, ORIG_HEAD and reflogs named: sorted */
        strv marks;       /* the marks of the reflogs' lines (line_mark): sorted */
        char head[4200], orig[4200];
} snap;

/* "ID NAME SYMREF" (SYMREF empty for a ref that is no symbolic one) */
static bool ref_line(char *line, char **id, char **name, char **sym) {
        char *sp = strchr(line, ' ');
        char *sp2 = sp ? strchr(sp + 1, ' ') : NULL;
        if (!sp || !sp2)
                return false;
        *sp = *sp2 = 0;
        *id = line, *name = sp + 1, *sym = sp2 + 1;
        return true;
}

static void parse_snap(const char *text, snap *s) {
        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                _cleanup_free_ char *line = strndup(l, strcspn(l, "\n"));
                char *id, *name, *sym, rev[65];
                if (!line || strlen(line) < 2 || line[1] != ' ')
                        continue;
                if (line[0] == 'H')
                        snprintf(s->head, sizeof(s->head), "%s", line + 2);
                else if (line[0] == 'O')
                        snprintf(s->orig, sizeof(s->orig), "%s", line + 2);
                else if (line[0] == 'K')
                        (void)strv_push(&s->known, line + 2);
                else if (line[0] == 'M')
                        (void)strv_push(&s->marks, line + 2);
                else if (line[0] == 'R' && ref_line(line + 2, &id, &name, &sym)) {
                        _cleanup_free_ char *val = NULL;
                        (void)strv_push(&s->names, name);
                        (void)strv_push(&s->vals, !*sym ? id : asprintf(&val, "ref: %s", sym) >= 0 ? val : "");
                        (void)strv_push(&s->known, id);
                }
                if ((line[0] == 'H' || line[0] == 'O') && gittips_value_oid(line + 2, strlen(line + 2), rev))
                        (void)strv_push(&s->known, rev);
        }
        sort_unique(&s->known);
        sort_unique(&s->marks);
}

static const char *snap_val(const snap *s, const char *name) {
        for (size_t i = 0; i < s->names.n; i++)
                if (strcmp(s->names.v[i], name) == 0)
                        return s->vals.v[i];
        return NULL;
}

/* git update-ref (or symbolic-ref for a symbolic HEAD) setting name back
 * to old ("ref: X", an id, or NULL: deleted). 0 or git's status / -errno. */
static int set_back(int fd, const char *home, const char *name, const char *old, char *out, size_t out_max) {
        const char *git = gitrun_find();
        if (!git)
                return -ENOENT;
        const char *msg = SETBACK_MSG;
        bool sym = old && strncmp(old, "ref: ", 5) == 0;
        char *const upd[] = {"git", "-c", "core.fsmonitor=", "-c", "core.hooksPath=/dev/null", "update-ref", "-m",
                             (char *)msg, "--no-deref", (char *)name, (char *)old, NULL};
        char *const del[] = {"git", "-c", "core.fsmonitor=", "-c", "core.hooksPath=/dev/null", "update-ref", "-m",
                             (char *)msg, "--no-deref", "-d", (char *)name, NULL};
        char *const symref[] = {"git", "-c", "core.fsmonitor=", "-c", "core.hooksPath=/dev/null", "symbolic-ref", "-m",
                                (char *)msg, (char *)name, (char *)(sym ? old + 5 : ""), NULL};
        size_t n;
        bool more;
        return gitrun(fd, git, home, NULL, sym ? symref : old ? upd : del, -1, true, out, out_max, &n, &more);
}

/* HEAD or ORIG_HEAD written back as git writes it: "old\n" in NAME.lock,
 * renamed over NAME; removed when old is NULL. 0 or -errno. */
static int write_top(int fd, const char *name, const char *old) {
        if (!old)
                return unlinkat(fd, name, 0) == 0 || errno == ENOENT ? 0 : -errno;
        char lock[64], text[4200];
        snprintf(lock, sizeof(lock), "%s.lock", name);
        int len = snprintf(text, sizeof(text), "%s\n", old);
        (void)unlinkat(fd, lock, 0); /* (the run's: its processes are gone) */
        int l = openat(fd, lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (l < 0)
                return -errno;
        int r = write(l, text, (size_t)len) == len ? 0 : -EIO;
        if (close(l) < 0 && r == 0)
                r = -errno;
        if (r == 0 && renameat(fd, lock, fd, name) < 0)
                r = -errno;
        if (r < 0)
                (void)unlinkat(fd, lock, 0);
        return r;
}

/* name's value now (an id or "ref: X"), refused for why: set back to old
 * (NULL: deleted), and said. */
static void set_back_refused(int fd, const char *repo, const char *home, const char *name, const char *now,
                             const char *old, const char *why, strv *set_back_from) {
        char out[1024] = "", rev[65];
        bool top = strcmp(name, "HEAD") == 0 || strcmp(name, "ORIG_HEAD") == 0;
        int r = top ? write_top(fd, name, old) : set_back(fd, home, name, old, out, sizeof(out));
        if (r != 0 && !top) { /* a lock the run left in the way (its processes are gone; links: removed) */
                char lock[4200];
                snprintf(lock, sizeof(lock), "%s.lock", name);
                if (unlinkat(fd, lock, 0) == 0 || unlinkat(fd, "packed-refs.lock", 0) == 0)
                        r = set_back(fd, home, name, old, out, sizeof(out));
        }
        if (r == 0 && gittips_value_oid(now, strlen(now), rev))
                (void)strv_push(set_back_from, rev);
        if (r == 0 && !old && !top)
                (void)strv_push(set_back_from, name); /* (deleted: a HEAD naming it is set back too) */
        if (r == 0 && old)
                corral_warn("%s/%s: %s. %s; it was set back to its value before the run (%s; it was %.80s)", repo,
                            name, why, SETBACK_WHY, old, now);
        else if (r == 0)
                corral_warn("%s/%s: %s. %s; it was deleted (it did not exist before the run; it was %.80s)", repo,
                            name, why, SETBACK_WHY, now);
        else
                corral_warn("WARNING: %s/%s: %s, and corral could not set it back (%s%s%.*s): do not check it out; "
                            "set it back yourself (git update-ref)",
                            repo, name, why, r < 0 ? strerror(-r) : "git update-ref failed", r > 0 ? ": " : "",
                            r > 0 ? (int)strcspn(out, "\n") : 0, out);
}

static void judge(int fd, const char *repo, const char *home, gittips *t, const char *name, const char *now,
                  const char *old, strv *set_back_from) {
        const char *why = gittips_refused(t, now, strlen(now), old, old ? strlen(old) : 0);
        if (why)
                set_back_refused(fd, repo, home, name, now, old, why, set_back_from);
}

#define UNLISTED_WHY                                                                                                  \
        "a symbolic ref to a ref corral does not list (deeper or longer than it reads), or deleted as refused"

/* Whether target, a ref's name, is a file in the gitdir that the listing
 * of the refs (refs: "ID NAME SYMREF" lines) does not hold: its value
 * would go unjudged. */
static bool unlisted(int fd, const char *refs, const char *target) {
        if (faccessat(fd, target, F_OK, AT_SYMLINK_NOFOLLOW) != 0)
                return false; /* (none: an unborn branch, or a packed one) */
        _cleanup_free_ char *pat = NULL;
        return asprintf(&pat, " %s ", target) < 0 || !refs || !strstr(refs, pat);
}

/* HEAD ("ref: refs/..." or an id) or ORIG_HEAD (an id) as git writes them */
static bool top_value_ok(const char *name, const char *v) {
        char rev[65];
        size_t n = strlen(v);
        if (gittips_value_oid(v, n, rev))
                return strcmp(rev, v) == 0; /* (lowercase, nothing after) */
        return strcmp(name, "HEAD") == 0 && n > 10 && strncmp(v, "ref: refs/", 10) == 0 &&
               !strpbrk(v + 5, " ~^:?*[\\");
}

/* A line of a file at the top, judged as git would take it: an id first
 * (then whitespace or nothing) is judged; "ref: X" must name a ref below
 * refs/ (judged on its own); a name (BISECT_START) must be a branch's;
 * other text (a message, a binary index) names nothing. NULL or why. */
static const char *top_line(gittips *t, const char *line, size_t len, bool names_branch) {
        size_t id = strcspn(line, " \t\n");
        id = id < len ? id : len;
        char rev[65];
        if (gittips_value_oid(line, id, rev) && id == strlen(rev))
                return gittips_refused(t, rev, strlen(rev), NULL, 0);
        if (len >= 5 && memcmp(line, "ref:", 4) == 0)
                return len > 10 && memcmp(line, "ref: refs/", 10) == 0 ? NULL : "a symbolic ref to a name outside refs/";
        if (!names_branch || gittips_branch_name_ok(line, len))
                return NULL; /* (text: git takes no commit from it) */
        return "a line that names neither a commit nor a branch, as git writes it there";
}

/* The other files at the top of the gitdir that the run changed: git
 * takes any of them for a ref when asked for its name ("git checkout
 * description", a "checkout: moving from COMMIT_EDITMSG" entry for git
 * checkout -, git merge FETCH_HEAD, git bisect reset, a MERGE_AUTOSTASH
 * applied by git merge --abort). The first line of each is judged (every
 * line of FETCH_HEAD and MERGE_HEAD, which git merges all of); one
 * refused is set aside. */
static void check_tops(int fd, const char *repo, gittips *t, const struct timespec *since) {
        static const char *const skip[] = {"HEAD", "ORIG_HEAD", "index", "packed-refs", "config", "config.worktree",
                                           "shallow", "commondir", "gitdir"};
        int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
        if (!d) {
                if (dfd >= 0)
                        close(dfd);
                return;
        }
        for (struct dirent *e; (e = readdir(d));) {
                const char *name = e->d_name;
                size_t nl = strlen(name);
                bool skipped = name[0] == '.' || strstr(name, GITDIR_REFUSED_MARK) ||
                               (nl > 5 && strcmp(name + nl - 5, ".lock") == 0);
                for (size_t i = 0; !skipped && i < ELEMENTSOF(skip); i++)
                        skipped = strcmp(name, skip[i]) == 0;
                struct stat st;
                if (skipped || fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
                    !gitverify_since(&st.st_ctim, since))
                        continue;
                bool all = strcmp(name, "FETCH_HEAD") == 0 || strcmp(name, "MERGE_HEAD") == 0;
                size_t n = 0;
                int r = 0;
                _cleanup_free_ char *body = all ? read_file(dirfd(d), name, 1u << 20, &n, &r)
                                                : read_head(dirfd(d), name, &n);
                const char *why = body ? NULL : "a file corral cannot read to check it";
                for (size_t at = 0; body && !why && at < n;) {
                        const char *line = body + at, *end = memchr(line, '\n', n - at);
                        size_t len = end ? (size_t)(end - line) : n - at;
                        at += len + 1;
                        if (len)
                                why = top_line(t, line, len, strcmp(name, "BISECT_START") == 0);
                        if (!all)
                                break;
                }
                if (why) {
                        char path[4200];
                        snprintf(path, sizeof(path), "%s/%s", repo, name);
                        (void)aside_rename(dirfd(d), path, name, why);
                }
        }
        closedir(d);
}

/* Whether a reflog line (len bytes) is corral's own, of a ref set back
 * from a refused value: gone with the entries it followed (a stash set
 * back would otherwise be listed twice). */
static bool set_back_line(const char *line, size_t len, const strv *set_back_from) {
        char rev[65];
        const char *tab = memchr(line, '\t', len);
        size_t ml = strlen(SETBACK_MSG);
        return gittips_value_oid(line, len, rev) && strv_contains(set_back_from, rev) && tab &&
               (size_t)(line + len - (tab + 1)) >= ml && memcmp(tab + 1, SETBACK_MSG, ml) == 0;
}

/* The value at the start of the ref whose reflog is rel ("logs/NAME"):
 * HEAD through the ref it named. */
static const char *start_value(const snap *s, const char *rel, char rev[65]) {
        const char *name = rel + 5;
        if (strcmp(name, "HEAD") == 0)
                name = strncmp(s->head, "ref: ", 5) == 0 ? s->head + 5 : NULL;
        const char *v = name ? snap_val(s, name) : s->head;
        return v && gittips_value_oid(v, strlen(v), rev) ? rev : NULL;
}

/* One reflog the run changed (name in dir, rel below the gitdir, shown as
 * path): each entry judged (gittips_refused_entry, against the ref's value
 * at the start; ids the snapshot's reflogs named are not); the refused
 * ones removed, the file written as git writes it (NAME.lock, renamed
 * over). One corral cannot read whole (a NUL, too big) is set aside. */
static void check_log(int dir, const char *name, const char *rel, const char *path, gittips *t, const snap *s,
                      const strv *set_back_from) {
        size_t n;
        int r;
        _cleanup_free_ char *text = read_file(dir, name, LOG_MAX, &n, &r);
        if (!text || memchr(text, 0, n)) {
                if (r != -ENOENT)
                        (void)aside_rename(dir, path, name,
                                           "a reflog corral cannot read whole to check it for protected names");
                return;
        }
        _cleanup_free_ char *kept = malloc(n + 1);
        if (!kept)
                return;
        char sv[65];
        const char *start = start_value(s, rel, sv);
        size_t k = 0;
        unsigned checked = 0, dropped = 0;
        for (size_t at = 0; at < n;) {
                const char *line = text + at, *nl = memchr(line, '\n', n - at);
                size_t len = nl ? (size_t)(nl - line) + 1 : n - at;
                at += len;
                size_t body = nl ? len - 1 : len;
                const char *why = NULL;
                if (set_back_line(line, body, set_back_from)) {
                        dropped++;
                        continue;
                }
                char mark[17];
                line_mark(line, body, mark);
                char *mp = mark;
                bool had = s->marks.n && bsearch(&mp, s->marks.v, s->marks.n, sizeof(*s->marks.v), by_str);
                if (body && !had) /* (a line it held at the start, whatever moved: kept) */
                        why = ++checked > LOG_CHECK_MAX ? "the run left more entries in it than corral checks"
                                                        : gittips_refused_entry(t, line, body, start, &s->known);
                if (why)
                        corral_warn("%s: the entry \"%.*s\": %s. %s (git stash list, @{N}); it was removed", path,
                                    (int)(body > 83 ? 83 : body), line, why, SETBACK_WHY);
                if (why) {
                        dropped++;
                        continue;
                }
                memcpy(kept + k, line, len);
                k += len;
        }
        if (!dropped)
                return;
        char lock[300];
        snprintf(lock, sizeof(lock), "%s.lock", name);
        (void)unlinkat(dir, lock, 0); /* (the run's: its processes are gone) */
        int fd = openat(dir, lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        bool ok = fd >= 0;
        for (size_t at = 0; ok && at < k;) {
                ssize_t w = write(fd, kept + at, k - at);
                ok = w > 0;
                at += ok ? (size_t)w : 0;
        }
        if (fd >= 0 && close(fd) < 0)
                ok = false;
        if (ok && renameat(dir, lock, dir, name) == 0)
                return;
        if (fd >= 0)
                (void)unlinkat(dir, lock, 0);
        (void)aside_rename(dir, path, name, "a reflog whose refused entries corral could not remove");
}

typedef struct log_check {
        const char *repo;
        const struct timespec *since;
        gittips *t;
        const snap *s;
        const strv *set_back_from;
} log_check;

/* A reflog after the run: checked when the run changed it. */
static int on_changed_log(int dir, const char *name, const char *rel, const struct stat *st, void *ctx) {
        const log_check *c = ctx;
        if (gitverify_since(&st->st_ctim, c->since)) {
                char path[8300];
                snprintf(path, sizeof(path), "%s/%s", c->repo, rel);
                check_log(dir, name, rel, path, c->t, c->s, c->set_back_from);
        }
        return 0;
}

void gitrefs_check(int gitdir_fd, const char *repo, const char *home, const strv *names, const char *snapshot,
                   const struct timespec *since) {
        if (!snapshot) {
                corral_warn("WARNING: %s: the refs this run set were not checked for protected names (no record of "
                            "them from before the run): look at what its commits change under .vscode, .claude and "
                            "the other protected names before checking them out",
                            repo);
                return;
        }
        snap s = {0};
        parse_snap(snapshot, &s);
        /* the base: the developer's HEAD at the start */
        char base[65] = "0000000000000000000000000000000000000000";
        const char *hv = strncmp(s.head, "ref: ", 5) == 0 ? snap_val(&s, s.head + 5) : s.head;
        if (hv)
                (void)gittips_value_oid(hv, strlen(hv), base);
        gittips t;
        gittips_begin(&t, gitdir_fd, home, names, base, &s.known);
        /* the shallow commits as they were: a shallow file the run wrote
         * would hide the parents of its commits from the walk */
        _cleanup_free_ char *shallow = NULL;
        if (home && asprintf(&shallow, "%s/shallow.check", home) >= 0) {
                FILE *sf = fopen(shallow, "we");
                for (const char *l = snapshot; sf && l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                        if (l[0] == 'S' && l[1] == ' ')
                                fprintf(sf, "%.*s\n", (int)strcspn(l + 2, "\n"), l + 2);
                if (sf && fclose(sf) == 0)
                        t.shallow = shallow;
        }
        if (!t.shallow)
                t.shallow = "/dev/null";
        strv set_back_from = {0}; /* the refused values refs were set back from, the names deleted */
        size_t n;
        int r;
        _cleanup_free_ char *refs = list_refs(gitdir_fd, home, &n, &r);
        if (!refs)
                corral_warn("WARNING: %s: corral cannot list its refs after the run (%s): look at what its commits "
                            "change under the protected names before checking them out",
                            repo, strerror(-r));
        for (char *line = refs, *nl; line && line < refs + n && *line; line = nl + 1) {
                char *id, *name, *sym;
                if (!(nl = strchr(line, '\n')))
                        break;
                *nl = 0;
                if (!ref_line(line, &id, &name, &sym))
                        continue;
                _cleanup_free_ char *now = NULL;
                if (*sym ? asprintf(&now, "ref: %s", sym) < 0 : !(now = strdup(id)))
                        continue;
                const char *old = snap_val(&s, name);
                if (old && strcmp(old, now) == 0)
                        continue;
                if (*sym && strncmp(sym, "refs/", 5) != 0) /* (ref: FETCH_HEAD, a file the run writes) */
                        set_back_refused(gitdir_fd, repo, home, name, now, old,
                                         "a symbolic ref to a name outside refs/", &set_back_from);
                else if (*sym && unlisted(gitdir_fd, refs, sym))
                        set_back_refused(gitdir_fd, repo, home, name, now, old, UNLISTED_WHY, &set_back_from);
                else /* a symbolic one by the commit it resolves to */
                        judge(gitdir_fd, repo, home, &t, name, id, old, &set_back_from);
        }
        static const char *const tops[] = {"HEAD", "ORIG_HEAD"};
        for (size_t i = 0; i < ELEMENTSOF(tops); i++) {
                char now[4200];
                const char *was = i ? s.orig : s.head;
                first_line(gitdir_fd, tops[i], now, sizeof(now));
                if (strcmp(now, was) == 0)
                        continue;
                if (*now && !top_value_ok(tops[i], now))
                        set_back_refused(gitdir_fd, repo, home, tops[i], now, *was ? was : NULL,
                                         "not a value git writes there", &set_back_from);
                else if (strncmp(now, "ref: ", 5) == 0 &&
                         (unlisted(gitdir_fd, refs, now + 5) || strv_contains(&set_back_from, now + 5)))
                        set_back_refused(gitdir_fd, repo, home, tops[i], now, *was ? was : NULL, UNLISTED_WHY,
                                         &set_back_from);
                else if (*now)
                        judge(gitdir_fd, repo, home, &t, tops[i], now, *was ? was : NULL, &set_back_from);
                else if (i == 0 || faccessat(gitdir_fd, tops[i], F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                        set_back_refused(gitdir_fd, repo, home, tops[i], "(unreadable)", *was ? was : NULL,
                                         "a file corral cannot read whole to check it", &set_back_from);
        }
        check_tops(gitdir_fd, repo, &t, since);
        unsigned budget = LOGS_BUDGET;
        int logs = openat(gitdir_fd, "logs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (logs >= 0) {
                char rel[4096] = "logs";
                log_check c = {repo, since, &t, &s, &set_back_from};
                if (walk_files(logs, rel, 4, LOGS_DEPTH, &budget, on_changed_log, &c) < 0)
                        corral_warn("WARNING: %s/logs: more entries than corral looks at; the reflogs past them were "
                                    "not checked for protected names: look at them before taking an entry (git "
                                    "stash list, @{N})",
                                    repo);
                close(logs);
        }
        gittips_end(&t);
        strv_clear(&set_back_from);
        strv_clear(&s.names);
        strv_clear(&s.vals);
        strv_clear(&s.known);
        strv_clear(&s.marks);
}
