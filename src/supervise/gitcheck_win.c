/* SPDX-License-Identifier: MIT
 * The check after a --git commits run on Windows (gitcheck_win.h). */
#include "supervise/gitcheck_win.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <windows.h>

#include "common/macro.h"
#include "common/readfile.h"
#include "common/wide_win.h"
#include "plan/gitdir.h"
#include "supervise/gittodo.h"


static void set_aside(const char *gitdir, const char *dir, const char *why) {
        char from[4200], to[4300];
        snprintf(from, sizeof(from), "%s/%s", gitdir, dir);
        snprintf(to, sizeof(to), "%s.corral-refused-%lld", from, (long long)time(NULL));
        _cleanup_free_ wchar_t *wf = win_wide(from);
        _cleanup_free_ wchar_t *wt = win_wide(to);
        if (wf && wt && MoveFileExW(wf, wt, 0))
                fprintf(stderr,
                        "corral: the command left %s with %s; a git command outside the sandbox (git rebase "
                        "--continue, git am --continue) would run it. It was set aside as %s, which git does not "
                        "read; HEAD is where the command left it (ORIG_HEAD: where the rebase started)\n",
                        from, why, to);
        else
                fprintf(stderr,
                        "corral: WARNING: the command left %s with %s, and corral could not set it aside (error %lu): "
                        "do not run git rebase --continue or git am --continue there; run git rebase --abort\n",
                        from, why, (unsigned long)GetLastError());
}

static bool is_link(const char *path) {
        _cleanup_free_ wchar_t *w = win_wide(path);
        DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
        return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT);
}

/* What the file at NAME in the gitdir says now, if it is not what it said
 * before the run: 1 changed (*text, *len: now; NULL when unreadable), 0 the
 * same or missing. */
static int now_if_changed(const char *gitdir, const char *name, const char *before, size_t before_len, char **text,
                          size_t *len, bool *unreadable) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s", gitdir, name);
        *text = NULL;
        *len = 0;
        *unreadable = false;
        if (is_link(path)) {
                *unreadable = true; /* git never makes one: whatever it leads to, it is not the developer's state */
                return 1;
        }
        int r = readfile_small(path, GITDIR_STATE_FILE_MAX, 0, text, len, NULL);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r < 0) {
                *unreadable = true;
                return 1;
        }
        if (before && before_len == *len && memcmp(before, *text, *len) == 0) {
                free(*text);
                *text = NULL;
                return 0;
        }
        return 1;
}

static void check_rebase(const win_git_dir *g) {
        char *text;
        size_t len, ll = 0;
        bool unreadable;
        if (now_if_changed(g->path, "rebase-merge/git-rebase-todo", g->todo, g->todo_len, &text, &len, &unreadable)) {
                const char *bad = unreadable ? NULL : gittodo_unsafe_line(text, len, &ll);
                char why[256];
                if (unreadable)
                        snprintf(why, sizeof(why), "a todo list corral cannot read (a link, or not a small file)");
                else if (bad)
                        snprintf(why, sizeof(why), "a todo list that runs commands (\"%.*s\")", (int)(ll > 80 ? 80 : ll),
                                 bad);
                if (unreadable || bad)
                        set_aside(g->path, "rebase-merge", why);
                free(text);
        }
        if (now_if_changed(g->path, "rebase-apply/apply-opt", g->apply_opt, g->apply_opt_len, &text, &len, &unreadable)) {
                if (unreadable || gittodo_apply_opt_unsafe(text, len))
                        set_aside(g->path, "rebase-apply",
                                  unreadable ? "an apply-opt corral cannot read"
                                             : "an apply-opt that lets git apply write outside the worktree (--unsafe-paths)");
                free(text);
        }
}

static void remove_link(const char *path) {
        _cleanup_free_ wchar_t *w = win_wide(path);
        DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
        if (a == INVALID_FILE_ATTRIBUTES)
                return;
        if (a & FILE_ATTRIBUTE_READONLY)
                SetFileAttributesW(w, a & ~FILE_ATTRIBUTE_READONLY);
        /* either removes the link itself, never what it points to */
        bool ok = (a & FILE_ATTRIBUTE_DIRECTORY) ? RemoveDirectoryW(w) : DeleteFileW(w);
        if (ok)
                fprintf(stderr,
                        "corral: removed %s, a link (junction or symbolic link) the command made in a gitdir: git "
                        "never makes one there, and git outside the sandbox would write through it\n",
                        path);
        else
                fprintf(stderr,
                        "corral: WARNING: %s is a link the command made in a gitdir, and corral could not remove it "
                        "(error %lu): remove it before running git there\n",
                        path, (unsigned long)GetLastError());
}

/* A file at the top of a gitdir, in refs/ or logs/ with more than one name,
 * changed since the plan was made (a new link changes the file's change
 * time, which a process cannot set on a protected entry: its deny ACE
 * covers the attributes): the developer's git would write through it (a
 * reflog appended to .git/config). The name is removed; the contents stay
 * under their other names. */
static void scan_hard_links(const win_plan *pl, const char *dir, int depth, bool top, unsigned *budget) {
        char pattern[4200];
        snprintf(pattern, sizeof(pattern), "%s/*", dir);
        _cleanup_free_ wchar_t *wp = win_wide(pattern);
        WIN32_FIND_DATAW fd;
        HANDLE h = wp ? FindFirstFileW(wp, &fd) : INVALID_HANDLE_VALUE;
        if (h == INVALID_HANDLE_VALUE)
                return;
        do {
                if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L"..") ||
                    (fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) || *budget == 0)
                        continue;
                (*budget)--;
                _cleanup_free_ char *name = win_utf8(fd.cFileName);
                char path[4400];
                if (!name)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, name);
                if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
                        if (depth > 0)
                                scan_hard_links(pl, path, depth - 1, false, budget);
                        continue;
                }
                /* at the top, only git's writable state: a protected entry
                 * (config, say) is the developer's name for the file, which
                 * the command could neither replace nor remove */
                const gitdir_entry *e = top ? gitdir_classify(name) : NULL;
                if (top && (!e || e->rule == GITDIR_PROTECTED))
                        continue;
                _cleanup_free_ wchar_t *w = win_wide(path);
                HANDLE f = w ? CreateFileW(w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                           NULL, OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT, NULL)
                             : INVALID_HANDLE_VALUE;
                if (f == INVALID_HANDLE_VALUE)
                        continue;
                BY_HANDLE_FILE_INFORMATION info;
                FILE_BASIC_INFO basic;
                bool linked = GetFileInformationByHandle(f, &info) && info.nNumberOfLinks > 1 &&
                              GetFileInformationByHandleEx(f, FileBasicInfo, &basic, sizeof(basic)) &&
                              (uint64_t)basic.ChangeTime.QuadPart >= pl->git_planned_at;
                CloseHandle(f);
                if (!linked)
                        continue;
                if (fd.dwFileAttributes & FILE_ATTRIBUTE_READONLY)
                        SetFileAttributesW(w, fd.dwFileAttributes & ~FILE_ATTRIBUTE_READONLY);
                if (DeleteFileW(w))
                        fprintf(stderr,
                                "corral: removed %s, a hard link the command made in a gitdir (its file has other "
                                "names, which keep it): git never makes one there, and git outside the sandbox would "
                                "write through it\n",
                                path);
                else
                        fprintf(stderr,
                                "corral: WARNING: %s is a hard link the command made in a gitdir, and corral could not "
                                "remove it (error %lu): remove it before running git there\n",
                                path, (unsigned long)GetLastError());
        } while (FindNextFileW(h, &fd));
        FindClose(h);
}

void win_gitcheck_after_run(const win_plan *pl) {
        for (size_t i = 0; i < pl->n_git_dirs; i++) {
                const win_git_dir *g = &pl->git_dirs[i];
                strv now = {0};
                if (win_git_links(g->path, &now) < 0)
                        fprintf(stderr, "corral: WARNING: out of memory while checking %s for links\n", g->path);
                for (size_t k = 0; k < now.n; k++) {
                        bool before = false;
                        for (size_t j = 0; j < g->links.n && !before; j++)
                                before = _stricmp(g->links.v[j], now.v[k]) == 0;
                        if (!before)
                                remove_link(now.v[k]);
                }
                strv_clear(&now);
                unsigned budget = 200000;
                scan_hard_links(pl, g->path, 0, true, &budget);
                static const char *const deep[] = {"refs", "logs"};
                for (size_t k = 0; k < ELEMENTSOF(deep); k++) {
                        char sub[4200];
                        snprintf(sub, sizeof(sub), "%s/%s", g->path, deep[k]);
                        scan_hard_links(pl, sub, 16, false, &budget);
                }
                check_rebase(g);
        }
}
