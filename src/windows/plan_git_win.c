/* SPDX-License-Identifier: MIT
 * --git commits on Windows (plan_win.h; docs/windows.md, "Git in commits
 * mode"): each .git directory the plan protects is sorted entry by entry
 * with the portable table (plan/gitdir.h), the one the Linux backends use.
 * git's own state stays writable; every entry the table protects, and every
 * entry it does not know, keeps a deny ACE of its own; the missing ones it
 * holds get a placeholder (a directory, an empty file, a commondir naming
 * "."). The gitdirs of submodules (modules/NAME) and linked worktrees
 * (worktrees/ID) inside it are sorted the same way, and pinned (a deny-DELETE
 * ACE on each, and on each directory between it and the .git) so that none
 * can be renamed away and replaced. What the check after the run compares
 * with (the states' contents, modules/ and worktrees/, the identities of the
 * repositories' .git, the reparse points already there) is read
 * here, before anything runs. Windows only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "common/macro.h"
#include "common/readfile.h"
#include "windows/wide_win.h"
#include "common/sha256.h"
#include "plan/gitdir.h"
#include "plan/gitfile.h"
#include "plan/gitindex.h"
#include "plan/gitprotect.h"
#include "windows/plan_win.h"

#define MODULES_DEPTH_MAX 8
#define LINKS_DEPTH_MAX 32 /* as Linux's check: supervise/gitcheck.c */
#define LINKS_ENTRIES_MAX 500000u


void win_git_dir_free(win_git_dir *g) {
        free(g->path);
        strv_clear(&g->protect);
        for (size_t i = 0; i < g->n_hold; i++)
                free(g->hold[i].path);
        free(g->hold);
        strv_clear(&g->adopted);
        strv_clear(&g->links);
        strv_clear(&g->worktrees);
        strv_clear(&g->index_keys);
        *g = (win_git_dir){0};
}

typedef struct entry {
        char *name;
        DWORD attrs;
} entry;

static void entries_free(entry *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i].name);
        free(v);
}

/* The entries of dir but "." and ".."; 0 with none when dir is missing. */
static int list_dir(const char *dir, entry **ret, size_t *n) {
        *ret = NULL;
        *n = 0;
        char pattern[4200];
        snprintf(pattern, sizeof(pattern), "%s/*", dir);
        _cleanup_free_ wchar_t *w = win_wide_exact(pattern);
        if (!w)
                return -ENOMEM;
        WIN32_FIND_DATAW fd;
        HANDLE h = FindFirstFileW(w, &fd);
        if (h == INVALID_HANDLE_VALUE) {
                DWORD e = GetLastError();
                return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? 0 : -EACCES;
        }
        int r = 0;
        do {
                if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L".."))
                        continue;
                entry *v = realloc(*ret, (*n + 1) * sizeof(entry));
                char *name = win_utf8(fd.cFileName);
                if (v)
                        *ret = v;
                if (!v || !name) {
                        free(name);
                        r = -ENOMEM;
                        break;
                }
                v[(*n)++] = (entry){name, fd.dwFileAttributes};
        } while (FindNextFileW(h, &fd));
        FindClose(h);
        if (r < 0) {
                entries_free(*ret, *n);
                *ret = NULL;
                *n = 0;
        }
        return r;
}

static char *join(const char *dir, const char *name) {
        size_t n = strlen(dir) + strlen(name) + 2;
        char *s = malloc(n);
        if (s)
                snprintf(s, n, "%s/%s", dir, name);
        return s;
}

/* 1: path exists, 0: it does not, <0: it cannot be told. */
static int exists(const char *path) {
        _cleanup_free_ wchar_t *w = win_wide_exact(path);
        if (!w)
                return -ENOMEM;
        if (GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES)
                return 1;
        DWORD e = GetLastError();
        return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? 0 : -EACCES;
}

char *win_file_id(const char *path) {
        _cleanup_free_ wchar_t *w = win_wide_exact(path);
        HANDLE f = w ? CreateFileW(w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                                   OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL)
                     : INVALID_HANDLE_VALUE;
        if (f == INVALID_HANDLE_VALUE)
                return NULL;
        BY_HANDLE_FILE_INFORMATION info;
        bool ok = GetFileInformationByHandle(f, &info);
        CloseHandle(f);
        char id[64];
        if (!ok)
                return NULL;
        snprintf(id, sizeof(id), "%08lx-%08lx%08lx", (unsigned long)info.dwVolumeSerialNumber,
                 (unsigned long)info.nFileIndexHigh, (unsigned long)info.nFileIndexLow);
        return strdup(id);
}

bool win_path_plain_below(const char *top, const char *rel) {
        if (!*rel || rel[0] == '/' || rel[0] == '\\' || strchr(rel, ':') || strchr(rel, '\\'))
                return false;
        _cleanup_free_ char *path = strdup(top);
        for (const char *c = rel; path && *c;) {
                const char *end = strchr(c, '/');
                size_t n = end ? (size_t)(end - c) : strlen(c);
                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                char *next = malloc(strlen(path) + n + 2);
                if (!next)
                        return false;
                sprintf(next, "%s/%.*s", path, (int)n, c); // NOLINT(clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling): sized above
                free(path);
                path = next;
                _cleanup_free_ wchar_t *w = win_wide_exact(path);
                DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
                if (a == INVALID_FILE_ATTRIBUTES || (a & FILE_ATTRIBUTE_REPARSE_POINT) || !(a & FILE_ATTRIBUTE_DIRECTORY))
                        return false;
                c = end ? end + 1 : c + n;
        }
        return path != NULL;
}

#define STATE_DEPTH_MAX 32
#define STATE_ENTRIES_MAX 500000u

/* Appends "kind name size sum" lines of the tree at path (named rel) to
 * *text; false when it cannot be told. */
static bool state_lines(const char *path, const char *rel, DWORD attrs, int depth, unsigned *budget, char **text,
                        size_t *len) {
        uint8_t sum[32] = {0};
        char kind = (attrs & FILE_ATTRIBUTE_REPARSE_POINT) ? 'L' : (attrs & FILE_ATTRIBUTE_DIRECTORY) ? 'D' : 'F';
        size_t size = 0;
        if (kind == 'F') {
                char *buf = NULL;
                if (readfile_small(path, GITDIR_STATE_FILE_MAX, 0, &buf, &size, NULL) < 0)
                        return false;
                sha256(buf, size, sum);
                free(buf);
        }
        char hex[65];
        for (int i = 0; i < 32; i++)
                snprintf(hex + 2 * i, 3, "%02x", sum[i]);
        size_t add = strlen(rel) + 100;
        char *t = realloc(*text, *len + add);
        if (!t)
                return false;
        *text = t;
        *len += (size_t)snprintf(t + *len, add, "%c %zu %s %s\n", kind, size, hex, rel);
        if (kind != 'D')
                return true;
        if (depth <= 0)
                return false;
        entry *v;
        size_t n;
        if (list_dir(path, &v, &n) < 0)
                return false;
        bool ok = true;
        for (size_t i = 0; i < n && ok; i++) {
                _cleanup_free_ char *sub = join(path, v[i].name);
                _cleanup_free_ char *subrel = join(rel, v[i].name);
                ok = sub && subrel && (*budget)-- > 0 &&
                     state_lines(sub, subrel, v[i].attrs, depth - 1, budget, text, len);
        }
        entries_free(v, n);
        return ok;
}

int win_git_state_sum(const char *path, uint8_t sum[32]) {
        _cleanup_free_ wchar_t *w = win_wide_exact(path);
        DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
        if (a == INVALID_FILE_ATTRIBUTES) {
                DWORD e = GetLastError();
                return w && (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) ? 0 : 2;
        }
        char *text = NULL;
        size_t len = 0;
        unsigned budget = STATE_ENTRIES_MAX;
        bool ok = state_lines(path, ".", a, STATE_DEPTH_MAX, &budget, &text, &len);
        if (ok)
                sha256(text, len, sum);
        free(text);
        return ok ? 1 : 2;
}

/* The entries of dir (rel from the gitdir: modules, worktrees) with their
 * identities, as "REL/NAME\tID"; in modules/, also those of each directory
 * that is a component of a submodule's name (modules/lib of modules/lib/sub:
 * not a gitdir the plan sorted), where a new gitdir is adopted as well
 * (git submodule update of a submodule named lib/evil). */
static int record_adopted(const win_plan *pl, const char *dir, const char *rel, bool components, int depth,
                          win_git_dir *g) {
        entry *v;
        size_t n;
        int r = list_dir(dir, &v, &n);
        if (r < 0)
                return r == -ENOMEM ? r : 0; /* unreadable: every entry counts as new after the run */
        for (size_t k = 0; k < n && r >= 0; k++) {
                _cleanup_free_ char *path = join(dir, v[k].name), *sub = join(rel, v[k].name);
                _cleanup_free_ char *id = path ? win_file_id(path) : NULL;
                if (!path || !sub) {
                        r = -ENOMEM;
                        break;
                }
                if (!id)
                        continue;
                size_t len = strlen(sub) + strlen(id) + 2;
                char *line = malloc(len);
                if (line)
                        snprintf(line, len, "%s\t%s", sub, id);
                if (strv_push_take(&g->adopted, line) < 0)
                        r = -ENOMEM;
                else if (components && depth > 0 && (v[k].attrs & FILE_ATTRIBUTE_DIRECTORY) &&
                         !(v[k].attrs & FILE_ATTRIBUTE_REPARSE_POINT) && !win_git_dir_sorted(pl, path)) {
                        /* (said listed: a marker of an older corral lists no
                         * component, whose entries are then not taken for new) */
                        char *listed = join(WIN_GIT_LISTED, sub);
                        r = strv_push_take(&g->adopted, listed) < 0 ? -ENOMEM
                                                                  : record_adopted(pl, path, sub, true, depth - 1, g);
                }
        }
        entries_free(v, n);
        return r;
}

/* Before the run: each state's sum, and the entries of modules/ (with the
 * components of names) and worktrees/ with their identities. */
static int record_before(const win_plan *pl, const char *dir, win_git_dir *g) {
        for (size_t i = 0; i < GITDIR_N_STATES; i++) {
                _cleanup_free_ char *path = join(dir, gitdir_states[i]);
                if (!path)
                        return -ENOMEM;
                g->state[i] = win_git_state_sum(path, g->state_sum[i]);
        }
        for (size_t i = 0; i < GITDIR_N_ADOPTED; i++) {
                _cleanup_free_ char *sub = join(dir, gitdir_adopted[i]);
                int r = sub ? record_adopted(pl, sub, gitdir_adopted[i], !strcmp(gitdir_adopted[i], "modules"),
                                             MODULES_DEPTH_MAX, g)
                            : -ENOMEM;
                if (r < 0)
                        return r;
        }
        return 0;
}

char *win_git_worktree_top(const char *dotgit) {
        const char *slash = strrchr(dotgit, '/');
        if (!slash || _stricmp(slash + 1, ".git") != 0)
                return NULL;
        char *top = malloc((size_t)(slash - dotgit) + 1);
        if (top) {
                memcpy(top, dotgit, (size_t)(slash - dotgit));
                top[slash - dotgit] = 0;
        }
        return top;
}

/* The worktrees of each gitdir sorted here, as Linux finds them (plan_gitlinks
 * in plan/plan_userns.c): the parent of each .git that leads to one, a
 * repository's .git directory, a .git file the plan found in a root (a
 * linked worktree's, naming worktrees/ID; a submodule's checkout, naming
 * modules/NAME; gitfile_gitdir reads it as git does), and in turn the .git
 * of each submodule an index of those names, however deep (reached from its
 * worktree's top without a reparse point or ".."). The gitdir a .git names
 * is told by file identity, never by spelling. Before the run, too: the
 * identities of each such .git and of each submodule's .git its index
 * names (git_known: one the index names after the run that is none of
 * them, the run made). */
static int record_worktrees(win_plan *pl) {
        strv queue = {0}, ids = {0};
        int r = 0;
        for (size_t i = 0; i < pl->n_git_dirs && r >= 0; i++) {
                char *id = win_file_id(pl->git_dirs[i].path);
                r = strv_push(&ids, id ? id : "");
                free(id);
                if (r >= 0 && pl->git_dirs[i].top)
                        r = strv_push(&queue, pl->git_dirs[i].path);
        }
        for (size_t i = 0; i < pl->protect_existing.n && r >= 0; i++) {
                const char *e = pl->protect_existing.v[i], *base = strrchr(e, '/');
                if (base && _stricmp(base + 1, ".git") == 0)
                        r = strv_push(&queue, e);
        }
        /* (the queue grows while this runs: each gitdir is taken once) */
        for (size_t q = 0; q < queue.n && r >= 0; q++) {
                const char *dotgit = queue.v[q];
                _cleanup_free_ char *top = win_git_worktree_top(dotgit);
                _cleanup_free_ wchar_t *w = win_wide_exact(dotgit);
                DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
                if (!top || a == INVALID_FILE_ATTRIBUTES || (a & FILE_ATTRIBUTE_REPARSE_POINT))
                        continue; /* (a bare repository has no worktree; a link leads nowhere git looks) */
                _cleanup_free_ char *gitdir = (a & FILE_ATTRIBUTE_DIRECTORY) ? strdup(dotgit) : gitfile_gitdir(dotgit);
                _cleanup_free_ char *gid = gitdir ? win_file_id(gitdir) : NULL;
                win_git_dir *g = NULL;
                for (size_t k = 0; gid && k < ids.n && !g; k++)
                        if (!strcmp(ids.v[k], gid))
                                g = &pl->git_dirs[k];
                bool seen = !g;
                for (size_t k = 0; g && k < g->worktrees.n && !seen; k++)
                        seen = !_stricmp(g->worktrees.v[k], top);
                if (seen)
                        continue; /* (each gitdir with each worktree once: the queue ends) */
                char *id = win_file_id(dotgit);
                r = id ? strv_push(&pl->git_known, id) : 0;
                free(id);
                if (r < 0 || strv_push(&g->worktrees, top) < 0) {
                        r = -ENOMEM;
                        break;
                }
                _cleanup_free_ char *index = join(g->path, "index");
                strv links = {0};
                char *bad = NULL;
                (void)gitindex_read(index, &links, &bad); /* unreadable: no submodule is known */
                free(bad);
                for (size_t k = 0; k < links.n && r >= 0; k++) {
                        if (!win_path_plain_below(top, links.v[k]))
                                continue;
                        _cleanup_free_ char *sub = join(top, links.v[k]);
                        _cleanup_free_ char *sgit = sub ? join(sub, ".git") : NULL;
                        char *sid = sgit ? win_file_id(sgit) : NULL;
                        if (!sgit || (sid && strv_push(&pl->git_known, sid) < 0) || (sid && strv_push(&queue, sgit) < 0))
                                r = -ENOMEM;
                        free(sid);
                }
                strv_clear(&links);
        }
        strv_clear(&queue);
        strv_clear(&ids);
        return r;
}

static bool below_ci(const char *path, const char *dir) {
        size_t n = strlen(dir);
        return _strnicmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* What a .git file leads to, its gitdir and the common dir that gitdir's
 * commondir names (a linked worktree's: the main repository's .git), each
 * protected as found ones are when a root holds it and nothing protects it
 * yet, as Linux's plan protects them (plan/gitfile.h): git run in that
 * worktree reads their config and runs their hooks. */
static int protect_gitfile_target(win_plan *pl, const char *gitdir, corral_error *err) {
        _cleanup_free_ char *common = gitfile_commondir(gitdir);
        const char *const targets[] = {common, gitdir};
        for (size_t t = 0; t < ELEMENTSOF(targets); t++) {
                const char *dir = targets[t];
                bool in_root = false, have = false;
                for (size_t i = 0; dir && i < pl->roots.n && !in_root; i++)
                        in_root = below_ci(dir, pl->roots.v[i]);
                for (size_t i = 0; in_root && i < pl->protect_existing.n && !have; i++)
                        have = below_ci(dir, pl->protect_existing.v[i]);
                if (!in_root || have)
                        continue;
                _cleanup_free_ wchar_t *w = win_wide_exact(dir);
                DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
                if (a == INVALID_FILE_ATTRIBUTES || !(a & FILE_ATTRIBUTE_DIRECTORY) || (a & FILE_ATTRIBUTE_REPARSE_POINT))
                        continue; /* (missing: git fails there; a link: not followed) */
                if (strv_push(&pl->protect_existing, dir) < 0)
                        return oom(err);
        }
        return 0;
}

int win_plan_gitlinks(const policy *p, win_plan *pl, corral_error *err) {
        bool dotgit_protected = false;
        for (size_t i = 0; i < p->protect.n && !dotgit_protected; i++)
                dotgit_protected = _stricmp(p->protect.v[i], ".git") == 0;
        if (!dotgit_protected)
                return 0;
        strv queue = {0};
        int r = 0;
        for (size_t i = 0; i < pl->protect_existing.n && r >= 0; i++) {
                const char *e = pl->protect_existing.v[i], *base = strrchr(e, '/');
                if (base && _stricmp(base + 1, ".git") == 0)
                        r = strv_push(&queue, e);
        }
        /* (the queue grows while this runs: submodules of submodules) */
        for (size_t q = 0; q < queue.n && r >= 0; q++) {
                const char *dotgit = queue.v[q];
                _cleanup_free_ char *top = win_git_worktree_top(dotgit);
                _cleanup_free_ wchar_t *w = win_wide_exact(dotgit);
                DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
                if (!top || a == INVALID_FILE_ATTRIBUTES || (a & FILE_ATTRIBUTE_REPARSE_POINT))
                        continue;
                _cleanup_free_ char *gitdir = (a & FILE_ATTRIBUTE_DIRECTORY) ? strdup(dotgit) : gitfile_gitdir(dotgit);
                _cleanup_free_ char *index = gitdir ? join(gitdir, "index") : NULL;
                if (!index)
                        continue; /* (not a .git file git reads) */
                if (!(a & FILE_ATTRIBUTE_DIRECTORY) && (r = protect_gitfile_target(pl, gitdir, err)) < 0)
                        break;
                strv links = {0};
                int g = gitindex_gitlinks(index, &links);
                if (g < 0) {
                        strv_clear(&links);
                        r = error_set(err, g,
                                      "cannot read the gitlinks (submodules) of %s, which git status would enter: "
                                      "%s; refusing to run (git reset rebuilds an index)",
                                      index, g == -EINVAL ? "not an index corral can read" : strerror(-g));
                        break;
                }
                for (size_t k = 0; k < links.n && r >= 0; k++) {
                        if (!win_path_plain_below(top, links.v[k]))
                                continue; /* (git does not look beyond a link either) */
                        _cleanup_free_ char *sub = join(top, links.v[k]);
                        _cleanup_free_ char *sgit = sub ? join(sub, ".git") : NULL;
                        if (!sgit) {
                                r = oom(err);
                                break;
                        }
                        /* unpopulated (no .git): the directory read-only as a
                         * whole, so that no repository can be made in it, as on
                         * Linux (a missing one is not held: docs/windows.md) */
                        bool populated = exists(sgit) == 1;
                        const char *what = populated ? sgit : sub;
                        bool have = false;
                        for (size_t i = 0; i < pl->protect_existing.n && !have; i++)
                                have = below_ci(what, pl->protect_existing.v[i]);
                        for (size_t i = 0; !populated && i < pl->roots.n && !have; i++)
                                have = below_ci(pl->roots.v[i], sub); /* (a root inside: its .git is protected there) */
                        if (!have && strv_push(&pl->protect_existing, what) < 0)
                                r = oom(err);
                        else if (!have && populated && strv_push(&queue, sgit) < 0)
                                r = oom(err);
                }
                strv_clear(&links);
        }
        strv_clear(&queue);
        return r;
}

bool win_git_dir_sorted(const win_plan *pl, const char *path) {
        for (size_t i = 0; i < pl->n_git_dirs; i++)
                if (!_stricmp(pl->git_dirs[i].path, path))
                        return true;
        return false;
}

/* (a gitdir inside this one, modules/NAME or worktrees/ID, is scanned as
 * itself: not twice) */
static void scan_links(const win_plan *pl, const char *dir, int depth, unsigned *budget, strv *out, int *r) {
        entry *v;
        size_t n;
        if (*r < 0 || (*r = list_dir(dir, &v, &n)) < 0) {
                if (*r == -EACCES)
                        *r = 0; /* unreadable: nothing of it is listed */
                return;
        }
        for (size_t i = 0; i < n && *r >= 0; i++) {
                if (*budget == 0) {
                        *r = 1;
                        break;
                }
                (*budget)--;
                _cleanup_free_ char *path = join(dir, v[i].name);
                if (!path)
                        *r = -ENOMEM;
                else if (v[i].attrs & FILE_ATTRIBUTE_REPARSE_POINT)
                        *r = strv_push(out, path);
                else if ((v[i].attrs & FILE_ATTRIBUTE_DIRECTORY) && depth > 0 && !win_git_dir_sorted(pl, path))
                        scan_links(pl, path, depth - 1, budget, out, r);
        }
        entries_free(v, n);
}

int win_git_links(const win_plan *pl, const char *gitdir, strv *out) {
        unsigned budget = LINKS_ENTRIES_MAX;
        int r = 0;
        scan_links(pl, gitdir, LINKS_DEPTH_MAX, &budget, out, &r);
        return r;
}

static int refuse_link(const char *path, corral_error *err) {
        return error_set(err, -EOPNOTSUPP,
                         "%s is a link (a junction or symbolic link) where git reads configuration or runs "
                         "something: --git commits cannot keep it read-only on Windows (the deny ACE would land on "
                         "its target, and the link itself could be replaced); use --git read-only, or replace the "
                         "link by what it points to",
                         path);
}

static int sort_gitdir(win_plan *pl, const char *dir, bool top, int depth, corral_error *err);

static int pin(win_plan *pl, const char *dir, corral_error *err) {
        return strv_push_unique(&pl->git_pins, dir) < 0 ? oom(err) : 0;
}

/* modules/: a gitdir for each submodule, at modules/NAME, where NAME may
 * have several components (modules/lib/a): each directory that is not a
 * gitdir is one component of a name. */
static int sort_modules(win_plan *pl, const char *dir, int depth, corral_error *err) {
        entry *v;
        size_t n;
        int r = pin(pl, dir, err);
        if (r < 0)
                return r;
        if ((r = list_dir(dir, &v, &n)) < 0)
                return r == -ENOMEM ? oom(err) : error_set(err, r, "cannot list %s", dir);
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *path = join(dir, v[i].name);
                _cleanup_free_ char *head = path ? join(path, "HEAD") : NULL;
                if (!head) {
                        r = oom(err);
                        break;
                }
                if (v[i].attrs & FILE_ATTRIBUTE_REPARSE_POINT)
                        r = refuse_link(path, err);
                else if (!(v[i].attrs & FILE_ATTRIBUTE_DIRECTORY))
                        continue;
                else if (exists(head) == 1)
                        r = pin(pl, path, err) < 0 ? -ENOMEM : sort_gitdir(pl, path, false, depth - 1, err);
                else if (depth > 0)
                        r = sort_modules(pl, path, depth - 1, err);
        }
        entries_free(v, n);
        return r;
}

/* worktrees/: a linked worktree's gitdir at each worktrees/ID. */
static int sort_worktrees(win_plan *pl, const char *dir, int depth, corral_error *err) {
        entry *v;
        size_t n;
        int r = pin(pl, dir, err);
        if (r < 0)
                return r;
        if ((r = list_dir(dir, &v, &n)) < 0)
                return r == -ENOMEM ? oom(err) : error_set(err, r, "cannot list %s", dir);
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *path = join(dir, v[i].name);
                if (!path)
                        r = oom(err);
                else if (v[i].attrs & FILE_ATTRIBUTE_REPARSE_POINT)
                        r = refuse_link(path, err);
                else if (v[i].attrs & FILE_ATTRIBUTE_DIRECTORY)
                        r = pin(pl, path, err) < 0 ? -ENOMEM : sort_gitdir(pl, path, false, depth - 1, err);
        }
        entries_free(v, n);
        return r;
}

static int sort_gitdir(win_plan *pl, const char *dir, bool top, int depth, corral_error *err) {
        if (depth < 0)
                return error_set(err, -ELOOP, "%s: submodules nested deeper than %d levels; use --git read-only",
                                 dir, MODULES_DEPTH_MAX);
        win_git_dir g = {.top = top};
        entry *v = NULL;
        size_t n = 0;
        int r;
        if (!(g.path = strdup(dir))) {
                r = oom(err);
                goto out;
        }
        if ((r = list_dir(dir, &v, &n)) < 0) {
                r = r == -ENOMEM ? oom(err) : error_set(err, r, "cannot list the gitdir %s", dir);
                goto out;
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                const gitdir_entry *e = gitdir_classify(v[i].name);
                bool link = v[i].attrs & FILE_ATTRIBUTE_REPARSE_POINT;
                _cleanup_free_ char *path = join(dir, v[i].name);
                if (!path) {
                        r = oom(err);
                        break;
                }
                if (e && e->rule != GITDIR_PROTECTED) {
                        /* git's own state; a link there is the developer's
                         * (win_git_links records it) and its target's ACL
                         * decides what a write through it may do */
                        if (!link && (v[i].attrs & FILE_ATTRIBUTE_DIRECTORY) && !strcmp(e->name, "modules"))
                                r = sort_modules(pl, path, depth, err);
                        else if (!link && (v[i].attrs & FILE_ATTRIBUTE_DIRECTORY) && !strcmp(e->name, "worktrees"))
                                r = sort_worktrees(pl, path, depth, err);
                        continue;
                }
                /* protected by the table, or not known to it (git may read
                 * it): read-only as it is */
                r = link ? refuse_link(path, err) : strv_push(&g.protect, path) < 0 ? oom(err) : 0;
        }
        for (size_t k = 0; r >= 0 && k < gitdir_n_entries; k++) {
                const gitdir_entry *e = &gitdir_entries[k];
                if (e->rule != GITDIR_PROTECTED || e->hold == HOLD_NONE)
                        continue;
                char *path = join(dir, e->name);
                int x = path ? exists(path) : -ENOMEM;
                if (x != 0) {
                        free(path);
                        if (x < 0)
                                r = x == -ENOMEM ? oom(err) : error_set(err, x, "cannot inspect %s/%s", dir, e->name);
                        continue;
                }
                win_git_hold *h = realloc(g.hold, (g.n_hold + 1) * sizeof(*h));
                if (!h) {
                        free(path);
                        r = oom(err);
                        break;
                }
                g.hold = h;
                h[g.n_hold++] = (win_git_hold){path, e->hold == HOLD_DIR    ? NULL
                                                     : e->hold == HOLD_FILE ? GITDIR_HOLD_FILE_TEXT
                                                                            : GITDIR_HOLD_COMMONDIR_TEXT};
        }
        if (r >= 0 && (record_before(pl, dir, &g) < 0 ||
                       win_git_links(pl, dir, &g.links) < 0))
                r = oom(err);
        if (r >= 0) {
                win_git_dir *d = realloc(pl->git_dirs, (pl->n_git_dirs + 1) * sizeof(*d));
                if (!d) {
                        r = oom(err);
                        goto out;
                }
                pl->git_dirs = d;
                d[pl->n_git_dirs++] = g;
                g = (win_git_dir){0};
        }
out:
        entries_free(v, n);
        win_git_dir_free(&g);
        return r;
}

static DWORD attributes(const char *dir, const char *name) {
        _cleanup_free_ char *path = join(dir, name);
        _cleanup_free_ wchar_t *w = path ? win_wide_exact(path) : NULL;
        return w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
}

bool win_is_git_directory(const char *dir) {
        DWORD head = attributes(dir, "HEAD");
        if (head == INVALID_FILE_ATTRIBUTES || (head & FILE_ATTRIBUTE_DIRECTORY))
                return false; /* (an empty HEAD directory is a placeholder) */
        if (attributes(dir, "commondir") != INVALID_FILE_ATTRIBUTES)
                return true;
        DWORD objects = attributes(dir, "objects"), refs = attributes(dir, "refs");
        return objects != INVALID_FILE_ATTRIBUTES && (objects & FILE_ATTRIBUTE_DIRECTORY) &&
               refs != INVALID_FILE_ATTRIBUTES && (refs & FILE_ATTRIBUTE_DIRECTORY);
}

int win_plan_git(const policy *p, win_plan *pl, corral_error *err) {
                FILETIME now;
        GetSystemTimeAsFileTime(&now);
        pl->git_planned_at = ((uint64_t)now.dwHighDateTime << 32) | now.dwLowDateTime;
        for (size_t i = 0; i < pl->protect_existing.n;) {
                char *e = pl->protect_existing.v[i];
                const char *base = strrchr(e, '/');
                _cleanup_free_ wchar_t *w = win_wide_exact(e);
                DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
                /* A .git file (a linked worktree's, a submodule's) and a .git
                 * that is a link stay protected as a whole: the Windows plan
                 * does not read where they lead (docs/windows.md). */
                if (!base || a == INVALID_FILE_ATTRIBUTES || !(a & FILE_ATTRIBUTE_DIRECTORY) ||
                    (a & FILE_ATTRIBUTE_REPARSE_POINT) || (_stricmp(base + 1, ".git") != 0 && !win_is_git_directory(e))) {
                        i++;
                        continue;
                }
                int r = sort_gitdir(pl, e, true, MODULES_DEPTH_MAX, err);
                if (r < 0)
                        return r;
                free(e);
                memmove(&pl->protect_existing.v[i], &pl->protect_existing.v[i + 1],
                        (pl->protect_existing.n - i) * sizeof(char *)); /* the NULL at the end too */
                pl->protect_existing.n--;
        }
        if (pl->n_git_dirs && record_worktrees(pl) < 0)
                return oom(err);
        /* the index check for protected names (attack F1): what each index
         * held under them before the run */
        if (strv_extend(&pl->git_protect, &p->protect) < 0)
                return oom(err);
        pl->git_protect_depth = p->protect_depth;
        for (size_t i = 0; i < pl->n_git_dirs; i++) {
                pl->git_dirs[i].index_listed = true;
                if (win_git_index_digests(pl, &pl->git_dirs[i], &pl->git_dirs[i].index_keys) < 0)
                        return oom(err);
        }
        return 0;
}

int win_git_index_digests(const win_plan *pl, const win_git_dir *g, strv *digests) {
        _cleanup_free_ char *index = join(g->path, "index");
        if (!index)
                return -ENOMEM;
        strv keys = {0};
        (void)gitprotect_entries(&pl->git_protect, pl->git_protect_depth, &pl->roots,
                                 g->worktrees.n ? g->worktrees.v[0] : NULL, index, &keys);
        int r = 0;
        for (size_t k = 0; k < keys.n && r >= 0; k++) {
                char d[41];
                gitprotect_digest(keys.v[k], d);
                /* (a split index replacing protected shared entries never
                 * matches: plan/gitprotect.h) */
                r = strv_push(digests, keys.v[k][0] == '?' ? "?" : d);
        }
        strv_clear(&keys);
        return r;
}
