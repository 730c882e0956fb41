/* SPDX-License-Identifier: MIT
 * The repositories a run made, on Windows (newrepo_win.h). */
#include "windows/newrepo_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "common/macro.h"
#include "plan/gitinert.h"
#include "windows/aside_win.h"
#include "windows/wide_win.h"
#include "common/warn.h"

#define LIST_BUF ((size_t)64 * 1024) /* one GetFileInformationByHandleEx call's worth of entries */

typedef struct dent {
        char *name;
        wchar_t *wname;
        DWORD attrs;
        char id[40]; /* volume serial and file index, as win_file_id writes them */
} dent;

static void dents_free(dent *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(v[i].name);
                free(v[i].wname);
        }
        free(v);
}

static int dent_push(dent **v, size_t *n, const wchar_t *name, size_t len, DWORD attrs, DWORD serial,
                     unsigned long long index) {
        if ((len == 1 && name[0] == L'.') || (len == 2 && name[0] == L'.' && name[1] == L'.'))
                return 0;
        wchar_t *w = malloc((len + 1) * sizeof(wchar_t));
        dent *nv = realloc(*v, (*n + 1) * sizeof(dent));
        if (nv)
                *v = nv;
        if (!w || !nv) {
                free(w);
                return -ENOMEM;
        }
        memcpy(w, name, len * sizeof(wchar_t));
        w[len] = 0;
        dent *d = &(*v)[*n];
        d->wname = w;
        d->name = win_utf8(w);
        if (!d->name) {
                free(w);
                return -ENOMEM;
        }
        d->attrs = attrs;
        snprintf(d->id, sizeof(d->id), "%08lx-%016llx", (unsigned long)serial, index);
        (*n)++;
        return 0;
}

/* The entries of dir but "." and "..", each with its identity, in one pass
 * over the directory (no file opened per entry); self gets dir's own. 0,
 * -ENOMEM, or -EACCES when it cannot be opened or read (-ENOENT: gone). */
static int list_ids(const char *dir, char self[40], dent **ret, size_t *n) {
        *ret = NULL;
        *n = 0;
        _cleanup_free_ wchar_t *w = win_wide_exact(dir); /* (a name that ends in a space is the one listed) */
        if (!w)
                return -ENOMEM;
        HANDLE h = CreateFileW(w, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                               FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
        if (h == INVALID_HANDLE_VALUE) {
                DWORD e = GetLastError();
                return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? -ENOENT : -EACCES;
        }
        BY_HANDLE_FILE_INFORMATION info;
        _cleanup_free_ void *buf = malloc(LIST_BUF);
        int r = 0;
        if (!buf)
                r = -ENOMEM;
        else if (!GetFileInformationByHandle(h, &info) || !(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ||
                 (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
                r = -EACCES; /* (a link: never walked through) */
        else
                snprintf(self, 40, "%08lx-%08lx%08lx", (unsigned long)info.dwVolumeSerialNumber,
                         (unsigned long)info.nFileIndexHigh, (unsigned long)info.nFileIndexLow);
        while (r == 0) {
                if (!GetFileInformationByHandleEx(h, FileIdBothDirectoryInfo, buf, LIST_BUF)) {
                        if (GetLastError() != ERROR_NO_MORE_FILES)
                                r = -EACCES;
                        break;
                }
                for (const FILE_ID_BOTH_DIR_INFO *e = buf; r == 0;
                     e = (const FILE_ID_BOTH_DIR_INFO *)((const char *)e + e->NextEntryOffset)) {
                        r = dent_push(ret, n, e->FileName, e->FileNameLength / sizeof(wchar_t), e->FileAttributes,
                                      info.dwVolumeSerialNumber, (unsigned long long)e->FileId.QuadPart);
                        if (!e->NextEntryOffset)
                                break;
                }
        }
        CloseHandle(h);
        if (r < 0) {
                dents_free(*ret, *n);
                *ret = NULL;
                *n = 0;
        }
        return r;
}

static int push_line(strv *v, const char *path, const char *id) {
        size_t n = strlen(path) + strlen(id) + 2;
        char *line = malloc(n);
        if (!line)
                return -ENOMEM;
        snprintf(line, n, "%s\t%s", path, id);
        return strv_push_take(v, line);
}

/* The protected names, in UTF-16 once (every entry of every directory
 * within the depth is compared with each). */
typedef struct names_w {
        wchar_t **v;
        size_t n;
} names_w;

static bool is_protected(const names_w *names, const wchar_t *name) {
        for (size_t i = 0; i < names->n; i++)
                if (win_name_equal(name, names->v[i]))
                        return true;
        return false;
}

static int scan_dir(const names_w *names, const char *dir, const char *id, unsigned left, bool top,
                    win_repo_scan *s) {
        char self[40] = "";
        dent *v;
        size_t n;
        int r = list_ids(dir, self, &v, &n);
        if (r == -ENOENT)
                return 0; /* (gone meanwhile) */
        if (r == -EACCES)
                return s->unreadable || (s->unreadable = strdup(dir)) ? 0 : -ENOMEM;
        if (r < 0 || (r = push_line(&s->dirs, dir, id ? id : self)) < 0)
                goto out;
        for (size_t i = 0; r == 0 && i < n; i++) {
                size_t len = strlen(dir) + strlen(v[i].name) + 2;
                _cleanup_free_ char *path = malloc(len);
                if (!path) {
                        r = -ENOMEM;
                        break;
                }
                snprintf(path, len, "%s/%s", dir, v[i].name);
                if (is_protected(names, v[i].wname)) {
                        if (!top) /* (at the top: held or protected by the plan itself) */
                                r = push_line(&s->found, path, v[i].id);
                        continue;
                }
                if (!(v[i].attrs & FILE_ATTRIBUTE_DIRECTORY) || (v[i].attrs & FILE_ATTRIBUTE_REPARSE_POINT))
                        continue;
                r = left ? scan_dir(names, path, v[i].id, left - 1, false, s) : push_line(&s->edge, path, v[i].id);
        }
out:
        dents_free(v, n);
        return r;
}

static int cmp_line(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool has_line(const strv *sorted, const char *line) {
        return sorted->n && bsearch(&line, sorted->v, sorted->n, sizeof(char *), cmp_line);
}

/* The line of path (the part before the tab) in sorted, or NULL. The tab
 * sorts before every character a Windows name may hold, so the lines are
 * in the order of their paths. */
static int cmp_path(const void *key, const void *elem) {
        const char *k = key, *e = *(char *const *)elem;
        size_t n = strcspn(e, "\t");
        int c = strncmp(k, e, n);
        return c ? c : k[n] ? 1 : 0;
}

static const char *line_of(const strv *sorted, const char *path) {
        char *const *hit = sorted->n ? bsearch(path, sorted->v, sorted->n, sizeof(char *), cmp_path) : NULL;
        return hit ? *hit : NULL;
}

int win_repo_scan_roots(const policy *p, const strv *roots, win_repo_scan *s) {
        *s = (win_repo_scan){0};
        names_w names = {.v = calloc(p->protect.n + 1, sizeof(wchar_t *))};
        int r = names.v ? 0 : -ENOMEM;
        for (; r == 0 && names.n < p->protect.n; names.n++)
                if (!(names.v[names.n] = win_wide(p->protect.v[names.n])))
                        r = -ENOMEM;
        for (size_t i = 0; r == 0 && i < roots->n; i++)
                r = scan_dir(&names, roots->v[i], NULL, p->protect_depth, true, s);
        for (size_t i = 0; names.v && i < names.n; i++)
                free(names.v[i]);
        free(names.v);
        for (size_t i = 0; r == 0 && i < s->found.n; i++)
                r = strv_push(&s->found_ids, strchr(s->found.v[i], '\t') + 1);
        for (size_t i = 0; r == 0 && i < s->dirs.n; i++)
                r = strv_push(&s->dir_ids, strchr(s->dirs.v[i], '\t') + 1);
        if (r < 0) {
                win_repo_scan_free(s);
                return r;
        }
        strv *all[] = {&s->dirs, &s->found, &s->edge, &s->dir_ids, &s->found_ids};
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                if (all[i]->n)
                        qsort(all[i]->v, all[i]->n, sizeof(char *), cmp_line);
        return 0;
}

void win_repo_scan_free(win_repo_scan *s) {
        strv_clear(&s->dirs);
        strv_clear(&s->found);
        strv_clear(&s->edge);
        strv_clear(&s->dir_ids);
        strv_clear(&s->found_ids);
        free(s->unreadable);
        *s = (win_repo_scan){0};
}

/* How Windows looks at a path for gitinert_judge: its attributes, a
 * reparse point (junction, symbolic link) never followed. */
static gitinert_kind win_kind(const char *path) {
        _cleanup_free_ wchar_t *w = win_wide_exact(path);
        DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
        if (a == INVALID_FILE_ATTRIBUTES) {
                DWORD e = GetLastError();
                return w && (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) ? GITINERT_MISSING
                                                                                     : GITINERT_ERROR;
        }
        if (a & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DEVICE))
                return GITINERT_OTHER;
        return a & FILE_ATTRIBUTE_DIRECTORY ? GITINERT_DIR : GITINERT_FILE;
}

static int win_list(const char *path, strv *names) {
        char self[40];
        dent *v;
        size_t n;
        int r = list_ids(path, self, &v, &n);
        for (size_t i = 0; r == 0 && i < n; i++)
                r = strv_push(names, v[i].name);
        dents_free(v, n);
        return r;
}

static const gitinert_fs win_fs = {.kind = win_kind, .list = win_list};

/* The directory of path and its last name, when that is .git or HEAD. */
static char *repo_name(const char *path, const char **name) {
        const char *base = strrchr(path, '/');
        if (!base || base == path || (_stricmp(base + 1, ".git") != 0 && _stricmp(base + 1, "HEAD") != 0))
                return NULL;
        *name = base + 1;
        char *dir = malloc((size_t)(base - path) + 1);
        if (dir) {
                memcpy(dir, path, (size_t)(base - path));
                dir[base - path] = 0;
        }
        return dir;
}

/* A .git or HEAD made in a directory that was there before the run (by
 * identity, whatever its name now: a rename, of case say, keeps it one of
 * the developer's): git run there or below takes it before the workspace's
 * .git. Set aside, whatever it holds; true then. */
static bool set_aside_capture(const win_repo_scan *before, const win_repo_scan *after, const char *path) {
        const char *name;
        _cleanup_free_ char *dir = repo_name(path, &name);
        const char *now = dir ? line_of(&after->dirs, dir) : NULL;
        if (!now || !has_line(&before->dir_ids, strchr(now, '\t') + 1))
                return false;
        (void)win_set_aside(dir, name, _stricmp(name, "HEAD") == 0 ? GITINERT_CAPTURE_HEAD_WHY : GITINERT_CAPTURE_GIT_WHY);
        return true;
}

/* A .git or HEAD the command made in a directory of its own: set aside
 * unless it holds nothing git would run (gitinert_judge); true then. */
static bool new_repository_runs(const char *path) {
        const char *name, *why = NULL;
        _cleanup_free_ char *dir = repo_name(path, &name);
        bool head = dir && _stricmp(name, "HEAD") == 0;
        if (!dir || (head && !win_is_git_directory(dir)) || gitinert_judge(&win_fs, head ? dir : path, &why))
                return false;
        char text[400];
        snprintf(text, sizeof(text), GITINERT_RUNS_WHY_FMT, why);
        (void)win_set_aside(dir, name, text);
        return true;
}

/* Below protect_depth, in a directory the run made: every .git and bare
 * HEAD, all the way down (never through a reparse point, never into a
 * .git), at most *budget directories (0 left: some were not looked at). */
static void walk_new(const char *dir, unsigned depth, unsigned *budget) {
        if (*budget == 0)
                return;
        (*budget)--;
        char self[40];
        dent *v;
        size_t n;
        int r = list_ids(dir, self, &v, &n);
        if (r < 0) {
                if (r != -ENOENT)
                        *budget = 0; /* (said as not looked at) */
                return;
        }
        for (size_t i = 0; i < n; i++) {
                size_t len = strlen(dir) + strlen(v[i].name) + 2;
                _cleanup_free_ char *path = malloc(len);
                if (!path)
                        continue;
                snprintf(path, len, "%s/%s", dir, v[i].name);
                bool dotgit = _stricmp(v[i].name, ".git") == 0,
                     head = _stricmp(v[i].name, "HEAD") == 0 && win_is_git_directory(dir);
                if (dotgit || head) {
                        if (!new_repository_runs(path))
                                corral_warn(GITINERT_DEEP_FMT, path, depth);
                        if (dotgit)
                                continue;
                }
                if ((v[i].attrs & FILE_ATTRIBUTE_DIRECTORY) && !(v[i].attrs & FILE_ATTRIBUTE_REPARSE_POINT) && *budget)
                        walk_new(path, depth, budget);
        }
        dents_free(v, n);
}

void win_newrepo_after_run(const policy *p, const win_plan *pl) {
        const win_repo_scan *before = &pl->repos;
        if (!before->dirs.n)
                return;
        win_repo_scan after;
        if (win_repo_scan_roots(p, &pl->roots, &after) < 0) {
                corral_warn("warning: cannot check for protected names the command created: out of memory");
                return;
        }
        /* (one that could not be read before the run either is the
         * developer's, and said by nothing else: not said each run) */
        if (after.unreadable && (!before->unreadable || strcmp(before->unreadable, after.unreadable) != 0))
                corral_warn("warning: cannot read %s after the run: a repository the command made there may not "
                            "have been seen. Look before running git or an IDE there",
                            after.unreadable);
        /* below the depth: the subdirectories of its last level that are new */
        unsigned budget = GITINERT_WALK_MAX;
        for (size_t i = 0; i < after.edge.n && budget; i++) {
                if (has_line(&before->edge, after.edge.v[i]))
                        continue;
                char *tab = strchr(after.edge.v[i], '\t');
                *tab = 0;
                walk_new(after.edge.v[i], p->protect_depth, &budget);
                *tab = '\t';
        }
        if (budget == 0)
                corral_warn(GITINERT_WALK_SHORT_FMT, GITINERT_WALK_MAX);
        /* within the depth: the protected names that are new, by path and identity */
        for (size_t i = 0; i < after.found.n; i++) {
                if (has_line(&before->found, after.found.v[i]))
                        continue;
                char *tab = strchr(after.found.v[i], '\t');
                *tab = 0;
                const char *path = after.found.v[i];
                bool moved = has_line(&before->found_ids, tab + 1); /* one of the developer's, from elsewhere */
                if (set_aside_capture(before, &after, path))
                        ;
                else if (moved)
                        corral_warn(GITINERT_REPLACED_FMT, path);
                else if (!new_repository_runs(path))
                        corral_warn(GITINERT_CREATED_FMT, path);
                *tab = '\t';
        }
        win_repo_scan_free(&after);
}
