/* SPDX-License-Identifier: MIT
 * What a ref's new value brings under the protected names: see
 * supervise/gittips.h. */
#include "supervise/gittips.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/macro.h"
#include "supervise/gitrun.h"

#define TOP_MAX (64u << 10)   /* git ls-tree's records of the top entries */
#define FILES_MAX (1u << 20)  /* of the files below them */
#define WALK_MAX (4u << 20)   /* git log's records of the commits below */

/* hex digits, either case (git's hex parser takes both) */
static bool is_hex(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
                        return false;
        return true;
}

bool gittips_value_oid(const char *p, size_t n, char rev[65]) {
        size_t h = 0;
        while (p && h < n && h < 64 && is_hex(p + h, 1))
                h++;
        if (!p || (h != 40 && h != 64) || (h < n && is_hex(p + h, 1)))
                return false;
        for (size_t i = 0; i < h; i++)
                rev[i] = (char)(p[i] >= 'A' && p[i] <= 'F' ? p[i] - 'A' + 'a' : p[i]);
        rev[h] = 0;
        return true;
}

static bool is_digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

static bool is_zero(const char *rev) { return strspn(rev, "0") == strlen(rev); }

/* rec, one NUL-ended record, among the n bytes of records at list */
static bool has_record(const char *list, size_t n, const char *rec) {
        for (size_t at = 0; list && at < n;) {
                const char *r = list + at;
                size_t len = strnlen(r, n - at);
                if (len == strlen(rec) && memcmp(r, rec, len) == 0)
                        return true;
                at += len + 1;
        }
        return false;
}

/* git with the fixed options, then args (NULL-ended), then "--" and the
 * names; its stdout in a new buffer (*n bytes). NULL with *r: 1 when git
 * refuses (no such commit), -ENOENT without a git of gitrun's, -EFBIG when
 * more than max - 1 bytes, -errno. */
static char *run(gittips *t, const char *const *args, int in_fd, size_t max, size_t *n, int *r) {
        const char *git = gitrun_find();
        *n = 0;
        if (!git) {
                *r = -ENOENT;
                return NULL;
        }
        static const char *const fixed[] = {"git", "-c", "core.fsmonitor=", "-c", "core.hooksPath=/dev/null", "-c",
                                            "core.commitGraph=false", "-c", "log.showSignature=false", "-c",
                                            "log.follow=false", "-c", "log.diffMerges=separate", "--no-pager"};
        size_t na = 0;
        while (args[na])
                na++;
        size_t nf = ELEMENTSOF(fixed);
        _cleanup_free_ char **argv = calloc(nf + na + t->names->n + 2, sizeof(*argv));
        char *out = argv ? malloc(max) : NULL;
        if (!out) {
                *r = -ENOMEM;
                return NULL;
        }
        size_t k = 0;
        for (size_t i = 0; i < nf; i++)
                argv[k++] = (char *)fixed[i];
        for (size_t i = 0; i < na; i++)
                argv[k++] = (char *)args[i];
        argv[k++] = "--";
        for (size_t i = 0; i < t->names->n; i++)
                argv[k++] = t->names->v[i];
        argv[k] = NULL;
        bool more;
        if (in_fd >= 0 && lseek(in_fd, 0, SEEK_SET) < 0) {
                *r = -errno;
                free(out);
                return NULL;
        }
        int st = gitrun(t->repo_fd, git, t->home, t->shallow, argv, in_fd, false, out, max, n, &more);
        *r = st < 0 ? st : more ? -EFBIG : st == 0 ? 0 : 1;
        if (*r != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* rev's entries under the names: at the top ("MODE TYPE ID\tNAME"), or
 * every file below them (files: "MODE TYPE ID\tPATH"). */
static char *entries(gittips *t, const char *rev, bool files, size_t *n, int *r) {
        const char *top[] = {"ls-tree", "-z", rev, NULL};
        const char *all[] = {"ls-tree", "-r", "-z", rev, NULL};
        return run(t, files ? all : top, -1, files ? FILES_MAX : TOP_MAX, n, r);
}

void gittips_begin(gittips *t, int repo_fd, const char *home, const strv *names, const char *base,
                   const strv *known) {
        *t = (gittips){.repo_fd = repo_fd, .home = home, .names = names, .known_fd = -1};
        snprintf(t->base_rev, sizeof(t->base_rev), "%s", base);
        t->known_fd = memfd_create("corral-known-commits", MFD_CLOEXEC);
        for (size_t i = 0; t->known_fd >= 0 && known && i < known->n; i++) {
                char line[80];
                int len = snprintf(line, sizeof(line), "^%s\n", known->v[i]);
                if (len > 0 && len < (int)sizeof(line) && write(t->known_fd, line, (size_t)len) != len) {
                        close(t->known_fd); /* without it every commit below is walked: more checked */
                        t->known_fd = -1;
                }
        }
}

void gittips_end(gittips *t) {
        free(t->base);
        free(t->base_files);
        if (t->known_fd >= 0)
                close(t->known_fd);
        strv_clear(&t->passed);
        *t = (gittips){.known_fd = -1};
}

static const char *cannot_list(gittips *t, int r) {
        snprintf(t->why, sizeof(t->why),
                 "what its commits hold under the protected names cannot be checked (%s)",
                 r == -ENOENT ? "no git owned by root at /usr/bin/git or /usr/local/bin/git"
                 : r == -EFBIG ? "more than corral reads"
                 : r == 1      ? "git cannot read them"
                               : strerror(-r));
        return t->why;
}

/* Whether rev names a blob (git cat-file -t): anything else git's
 * ls-tree refuses is refused (a commit whose tree is missing now may be
 * written by a later run). */
static bool is_blob(gittips *t, const char *rev) {
        const char *git = gitrun_find();
        char *const argv[] = {"git", "cat-file", "-t", (char *)rev, NULL};
        char out[64];
        size_t n;
        bool more;
        return git && gitrun(t->repo_fd, git, t->home, t->shallow, argv, -1, false, out, sizeof(out), &n, &more) == 0 &&
               strcmp(out, "blob\n") == 0;
}

/* The tip: rev's top entries against the base's and old's; *treeish
 * false when rev names no tree (nothing below it either). */
static const char *tip(gittips *t, const char *rev, const char *orev, bool *treeish) {
        size_t len = 0, olen = 0;
        int r, ro;
        _cleanup_free_ char *mine = entries(t, rev, false, &len, &r);
        *treeish = true;
        if (r == 1 && is_blob(t, rev)) {
                *treeish = false; /* (a tag may name a blob: nothing to check out) */
                return NULL;
        }
        if (r == 0 && len == 0)
                return NULL;
        if (r != 0)
                return cannot_list(t, r);
        _cleanup_free_ char *before = orev ? entries(t, orev, false, &olen, &ro) : NULL;
        for (size_t at = 0; at < len;) {
                const char *rec = mine + at;
                size_t l = strnlen(rec, len - at);
                at += l + 1;
                if (has_record(t->base, t->base_n, rec) || has_record(before, olen, rec))
                        continue;
                const char *tab = memchr(rec, '\t', l);
                snprintf(t->why, sizeof(t->why),
                         "it points at a commit whose tree adds or changes a protected name at its top, which the "
                         "command cannot make in the worktree (a checkout of that commit would write it there; "
                         "the protected name: %.*s)",
                         tab ? (int)(l - (size_t)(tab + 1 - rec)) : 0, tab ? tab + 1 : "");
                return t->why;
        }
        return NULL;
}

/* The commits below rev that the developer's did not reach: each file one
 * adds or changes under a protected name (git log's raw records,
 * ":OLDMODE NEWMODE OLDID NEWID STATUS" then the path) against the base's
 * and old's files. */
static const char *below(gittips *t, const char *rev, const char *orev) {
        char notold[70];
        snprintf(notold, sizeof(notold), "^%s", orev ? orev : rev);
        const char *args[20] = {"log", "-z", "-m", "--root", "--raw", "--no-abbrev", "--full-history", "--no-renames",
                                "--no-ext-diff", "--no-textconv", "--format=%H", "--ignore-missing", rev};
        size_t k = 13;
        if (orev)
                args[k++] = notold;
        if (t->known_fd >= 0)
                args[k++] = "--stdin";
        args[k] = NULL;
        size_t len = 0, olen = 0;
        int r, ro;
        _cleanup_free_ char *log = run(t, args, t->known_fd, WALK_MAX, &len, &r);
        if (r != 0)
                return cannot_list(t, r);
        _cleanup_free_ char *before = NULL;
        const char *commit = "";
        for (size_t at = 0; at < len;) {
                char *tok = log + at;
                size_t l = strnlen(tok, len - at);
                at += l + 1;
                while (*tok == '\n')
                        tok++;
                if (*tok != ':') {
                        commit = tok;
                        continue;
                }
                const char *path = at < len ? log + at : "";
                at += strnlen(path, len - at) + 1;
                char omode[8], mode[8], oid[72], nid[72], status[4];
                // NOLINTNEXTLINE(cert-err34-c): git's raw format
                if (sscanf(tok, ":%7s %7s %71s %71s %3s", omode, mode, oid, nid, status) != 5)
                        return cannot_list(t, 1);
                if (strcmp(mode, "000000") == 0)
                        continue; /* removed */
                char rec[4200];
                snprintf(rec, sizeof(rec), "%s %s %s\t%s", mode, strcmp(mode, "160000") == 0 ? "commit" : "blob", nid,
                         path);
                if (has_record(t->base_files, t->base_files_n, rec))
                        continue;
                if (orev && !before && !(before = entries(t, orev, true, &olen, &ro)) && ro != 1)
                        return cannot_list(t, ro);
                if (has_record(before, olen, rec))
                        continue;
                snprintf(t->why, sizeof(t->why),
                         "it points at a commit below which commit %.12s adds or changes %s, under a protected name, "
                         "which the command cannot make in the worktree (a checkout or a revert of a commit there "
                         "would write it)",
                         commit, path);
                return t->why;
        }
        return NULL;
}

const char *gittips_refused(gittips *t, const char *val, size_t n, const char *old, size_t old_n) {
        char rev[65], orev[65];
        if (!gittips_value_oid(val, n, rev) || is_zero(rev))
                return NULL; /* a symbolic ref (its target is judged on its own), or none */
        if (!t->base_listed) { /* (listed once, when a first value is judged) */
                int r;
                t->base = entries(t, t->base_rev, false, &t->base_n, &r);
                t->base_files = entries(t, t->base_rev, true, &t->base_files_n, &r);
                t->base_listed = true;
        }
        bool has_old = gittips_value_oid(old, old_n, orev);
        char pair[140]; /* (a ref and its reflog judge the same change) */
        snprintf(pair, sizeof(pair), "%s %s", rev, has_old ? orev : "-");
        if (strv_contains(&t->passed, pair))
                return NULL;
        bool treeish;
        const char *why = tip(t, rev, has_old ? orev : NULL, &treeish);
        if (!why && treeish)
                why = below(t, rev, has_old ? orev : NULL);
        if (!why)
                (void)strv_push(&t->passed, pair);
        return why;
}

bool gittips_branch_name_ok(const char *p, size_t n) {
        if (!n || p[0] == '-' || p[0] == '.' || p[n - 1] == '/' || p[n - 1] == '.' || is_hex(p, n) ||
            (n >= 5 && memcmp(p + n - 5, ".lock", 5) == 0))
                return false;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)p[i];
                if (c <= ' ' || c == 0x7f || strchr("~^:?*[\\", c) ||
                    (i + 1 < n && ((c == '.' && p[i + 1] == '.') || (c == '@' && p[i + 1] == '{') ||
                                   (c == '/' && p[i + 1] == '/'))))
                        return false;
        }
        return true;
}

static int by_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* rev judged against start, unless known (sorted) holds it */
static const char *judged(gittips *t, const char *rev, const char *start, const strv *known) {
        if (known && known->n && bsearch(&rev, known->v, known->n, sizeof(*known->v), by_str))
                return NULL;
        return gittips_refused(t, rev, strlen(rev), start, start ? strlen(start) : 0);
}

const char *gittips_refused_entry(gittips *t, const char *line, size_t len, const char *start, const strv *known) {
        char old[65], now[65];
        const char *sp = memchr(line, ' ', len);
        if (!sp || !gittips_value_oid(line, (size_t)(sp - line), old) ||
            !gittips_value_oid(sp + 1, len - (size_t)(sp + 1 - line), now)) {
                snprintf(t->why, sizeof(t->why), "an entry git does not write (two object ids first)");
                return t->why;
        }
        const char *why = judged(t, now, start, known);
        if (!why)
                why = judged(t, old, start, known);
        if (why)
                return why;
        /* the message, found as git finds it: after the first ">", a space,
         * the time, a space and the zone "+HHMM", then a tab or not */
        const char *end = line + len, *gt = memchr(line, '>', len), *msg = NULL;
        bool space = gt && (size_t)(gt - line) + 2 <= len && gt[1] == ' ';
        size_t digits = space ? (size_t)(gt - line) + 2 : len, i = digits;
        while (i < len && line[i] >= '0' && line[i] <= '9')
                i++;
        if (space && i > digits && i + 6 <= len && line[i] == ' ' && (line[i + 1] == '+' || line[i + 1] == '-') &&
            is_digits(line + i + 2, 4))
                msg = line + i + 6 + (i + 6 < len && line[i + 6] == '\t');
        if (!msg) {
                snprintf(t->why, sizeof(t->why), "an entry git does not write (no time and zone after the email)");
                return t->why;
        }
        /* git checkout - (and @{-N}) takes NAME of the last such message */
        static const char moving[] = "checkout: moving from ";
        size_t ml = sizeof(moving) - 1;
        if ((size_t)(end - msg) < ml || memcmp(msg, moving, ml) != 0)
                return NULL;
        const char *name = msg + ml;
        const char *to = NULL;
        for (const char *q = name; q + 4 <= end && !to; q++)
                if (memcmp(q, " to ", 4) == 0)
                        to = q;
        size_t nl = to ? (size_t)(to - name) : (size_t)(end - name);
        char id[65];
        if (gittips_value_oid(name, nl, id) && nl == strlen(id))
                return judged(t, id, start, known);
        if (gittips_branch_name_ok(name, nl))
                return NULL; /* a branch: judged as a ref */
        snprintf(t->why, sizeof(t->why),
                 "a checkout entry naming \"%.*s\", which git checkout - would take, and which is neither a branch's "
                 "name nor an object id",
                 (int)(nl > 100 ? 100 : nl), name);
        return t->why;
}
