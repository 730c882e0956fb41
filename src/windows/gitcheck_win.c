/* SPDX-License-Identifier: MIT
 * The check after a --git commits run on Windows (gitcheck_win.h). */
#include "windows/gitcheck_win.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <windows.h>
#include <bcrypt.h>

#include "common/macro.h"
#include "windows/wide_win.h"
#include "plan/gitdir.h"
#include "plan/gitindex.h"
#include "windows/aside_win.h"
#include "common/warn.h"


static void set_aside(const char *dir, const char *name, const char *why) { (void)win_set_aside(dir, name, why); }

/* The states (plan/gitdir.h) the run made or changed, by contents. */
static void check_states(const win_git_dir *g) {
        for (size_t i = 0; i < GITDIR_N_STATES; i++) {
                char path[4200];
                uint8_t sum[32];
                snprintf(path, sizeof(path), "%s/%s", g->path, gitdir_states[i]);
                int now = win_git_state_sum(path, sum);
                if (now == 0 || (now == 1 && g->state[i] == 1 && memcmp(sum, g->state_sum[i], sizeof(sum)) == 0))
                        continue;
                set_aside(g->path, gitdir_states[i], GITDIR_STATE_WHY);
        }
}

/* A new entry in modules/ or worktrees/, by name and file identity; in
 * modules/, in each component of a submodule's name that was there before
 * the run too (modules/lib/evil beside the developer's modules/lib/sub: git
 * submodule update adopts it for a submodule named lib/evil). */
static void check_adopted_dir(const win_plan *pl, const win_git_dir *g, const char *dir, const char *rel,
                              bool components, int depth) {
        char pattern[4300];
        snprintf(pattern, sizeof(pattern), "%s/*", dir);
        _cleanup_free_ wchar_t *wp = win_wide_exact(pattern);
        WIN32_FIND_DATAW fd;
        HANDLE h = wp ? FindFirstFileW(wp, &fd) : INVALID_HANDLE_VALUE;
        if (h == INVALID_HANDLE_VALUE)
                return;
        strv fresh = {0}, old_parts = {0};
        do {
                _cleanup_free_ char *name = win_utf8(fd.cFileName);
                if (!name || !strcmp(name, ".") || !strcmp(name, "..") || strstr(name, GITDIR_REFUSED_MARK))
                        continue;
                char path[4400], line[4600];
                snprintf(path, sizeof(path), "%s/%s", dir, name);
                _cleanup_free_ char *id = win_file_id(path);
                snprintf(line, sizeof(line), "%s/%s\t%s", rel, name, id ? id : "?");
                bool before = false;
                for (size_t k = 0; id && k < g->adopted.n && !before; k++)
                        before = _stricmp(g->adopted.v[k], line) == 0;
                if (!before)
                        (void)strv_push(&fresh, name); /* (renamed once the listing is done) */
                else if (components && depth > 0 && (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) &&
                         !(fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) && !win_git_dir_sorted(pl, path))
                        (void)strv_push(&old_parts, name);
        } while (FindNextFileW(h, &fd));
        FindClose(h);
        for (size_t k = 0; k < fresh.n; k++)
                set_aside(dir, fresh.v[k], GITDIR_ADOPTED_WHY);
        for (size_t k = 0; k < old_parts.n; k++) {
                char path[4400], sub[4400], listed[4500];
                snprintf(path, sizeof(path), "%s/%s", dir, old_parts.v[k]);
                snprintf(sub, sizeof(sub), "%s/%s", rel, old_parts.v[k]);
                snprintf(listed, sizeof(listed), "%s/%s", WIN_GIT_LISTED, sub);
                bool was_listed = false;
                for (size_t j = 0; j < g->adopted.n && !was_listed; j++)
                        was_listed = _stricmp(g->adopted.v[j], listed) == 0;
                if (was_listed)
                        check_adopted_dir(pl, g, path, sub, true, depth - 1);
        }
        strv_clear(&fresh);
        strv_clear(&old_parts);
}

static void check_adopted(const win_plan *pl, const win_git_dir *g) {
        for (size_t i = 0; i < GITDIR_N_ADOPTED; i++) {
                char dir[4200];
                snprintf(dir, sizeof(dir), "%s/%s", g->path, gitdir_adopted[i]);
                check_adopted_dir(pl, g, dir, gitdir_adopted[i], !strcmp(gitdir_adopted[i], "modules"), 8);
        }
}

static bool known(const win_plan *pl, const char *id) {
        for (size_t k = 0; id && k < pl->git_known.n; k++)
                if (!strcmp(pl->git_known.v[k], id))
                        return true;
        return false;
}

/* The index: a path git would refuse sets it aside; a submodule it names
 * whose .git is none the developer had (by identity) has that .git set
 * aside. Reached from the worktree's top without a reparse point or "..":
 * git does not look beyond a link either, and one could lead corral to
 * another of the developer's repositories. */
static void check_index(const win_plan *pl, const win_git_dir *g) {
        char index[4200];
        snprintf(index, sizeof(index), "%s/index", g->path);
        strv links = {0};
        char *bad = NULL;
        int r = gitindex_read(index, &links, &bad);
        if (r < 0 || bad) {
                char why[600];
                snprintf(why, sizeof(why), "%s%s%s", r < 0 ? "an index corral cannot read" : "an index naming ",
                         bad ? bad : "", bad ? ", a path git refuses (git checkout would write there)" : "");
                set_aside(g->path, "index", why);
                free(bad);
                strv_clear(&links);
                return;
        }
        /* each worktree the plan found for it (a marker of an older corral
         * names none: a top .git's is its parent) */
        strv tops = {0};
        for (size_t w = 0; w < g->worktrees.n; w++)
                (void)strv_push(&tops, g->worktrees.v[w]);
        char *parent = !g->worktrees.n && g->top ? win_git_worktree_top(g->path) : NULL;
        if (parent)
                (void)strv_push_take(&tops, parent);
        for (size_t w = 0; w < tops.n; w++)
                for (size_t k = 0; k < links.n; k++) {
                        if (!win_path_plain_below(tops.v[w], links.v[k]))
                                continue;
                        char sub[4400], dotgit[4500];
                        snprintf(sub, sizeof(sub), "%s/%s", tops.v[w], links.v[k]);
                        snprintf(dotgit, sizeof(dotgit), "%s/.git", sub);
                        _cleanup_free_ char *id = win_file_id(dotgit);
                        if (id && !known(pl, id))
                                set_aside(sub, ".git", GITDIR_SUBMODULE_WHY);
                }
        strv_clear(&tops);
        strv_clear(&links);
        /* an entry under a protected name that the index did not hold so
         * before the run: the developer's git checkout -- . would write it
         * into the workspace (attack F1; Linux: supervise/gitcheck.c) */
        if (!g->index_listed)
                return;
        strv now = {0};
        if (win_git_index_digests(pl, g, &now) < 0) {
                corral_warn("WARNING: out of memory while checking %s/index for protected names", g->path);
                return;
        }
        for (size_t k = 0; k < now.n; k++) {
                bool before = false;
                for (size_t j = 0; strcmp(now.v[k], "?") != 0 && j < g->index_keys.n && !before; j++)
                        before = strcmp(g->index_keys.v[j], now.v[k]) == 0;
                if (!before) {
                        set_aside(g->path, "index",
                                  "an index naming a path under a protected name, which it did not hold so before "
                                  "the run (git checkout -- . would write it into the workspace)");
                        break;
                }
        }
        strv_clear(&now);
}

static void remove_link(const char *path) {
        _cleanup_free_ wchar_t *w = win_wide_exact(path);
        DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
        if (a == INVALID_FILE_ATTRIBUTES)
                return;
        if (a & FILE_ATTRIBUTE_READONLY)
                SetFileAttributesW(w, a & ~FILE_ATTRIBUTE_READONLY);
        /* either removes the link itself, never what it points to */
        bool ok = (a & FILE_ATTRIBUTE_DIRECTORY) ? RemoveDirectoryW(w) : DeleteFileW(w);
        if (ok)
                corral_warn("removed %s, a link (junction or symbolic link) the command made in a gitdir: git "
                            "never makes one there, and git outside the sandbox would write through it",
                            path);
        else
                corral_warn("WARNING: %s is a link the command made in a gitdir, and corral could not remove it "
                            "(error %lu): remove it before running git there",
                            path, (unsigned long)GetLastError());
}

/* A file of git's state with more than one name, changed since the plan
 * was made (a new link changes the file's change time, which a process
 * cannot set on a protected entry: its deny ACE covers the attributes): the
 * developer's git would write through it (a reflog appended to
 * .git/config). Anywhere in the gitdir git writes, as Linux's check goes
 * (its special files), but objects/: git writes no object or pack in
 * place, and git clone --local of the repository, which a run may do,
 * gives each of its objects a second name. The name is removed; the
 * contents stay under their other names. Entries of at most 32 levels, at
 * most *budget of them (0 left: some were not looked at). */
static void scan_hard_links(const win_plan *pl, const char *dir, int depth, bool top, unsigned *budget) {
        char pattern[4200];
        snprintf(pattern, sizeof(pattern), "%s/*", dir);
        _cleanup_free_ wchar_t *wp = win_wide_exact(pattern);
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
                /* at the top, only git's writable state: a protected entry
                 * (config, hooks/, say) is the developer's name for the file,
                 * which the command could neither replace nor remove */
                const gitdir_entry *e = top ? gitdir_classify(name) : NULL;
                if (top && (!e || e->rule == GITDIR_PROTECTED))
                        continue;
                if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
                        /* (a gitdir inside this one is scanned as itself) */
                        if (depth > 0 && !(top && !_stricmp(name, "objects")) && !win_git_dir_sorted(pl, path))
                                scan_hard_links(pl, path, depth - 1, false, budget);
                        continue;
                }
                _cleanup_free_ wchar_t *w = win_wide_exact(path);
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
                        corral_warn("removed %s, a hard link the command made in a gitdir (its file has other "
                                    "names, which keep it): git never makes one there, and git outside the sandbox "
                                    "would write through it",
                                    path);
                else
                        corral_warn("WARNING: %s is a hard link the command made in a gitdir, and corral could not "
                                    "remove it (error %lu): remove it before running git there",
                                    path, (unsigned long)GetLastError());
        } while (FindNextFileW(h, &fd));
        FindClose(h);
}

void win_gitcheck_after_run(const win_plan *pl) {
        for (size_t i = 0; i < pl->n_git_dirs; i++) {
                const win_git_dir *g = &pl->git_dirs[i];
                strv now = {0};
                int lr = win_git_links(pl, g->path, &now);
                if (lr < 0)
                        corral_warn("WARNING: out of memory while checking %s for links", g->path);
                else if (lr > 0)
                        corral_warn("WARNING: %s holds more than 500,000 entries: links the command made beyond "
                                    "them were not looked for. Look before running git there",
                                    g->path);
                for (size_t k = 0; k < now.n; k++) {
                        bool before = false;
                        for (size_t j = 0; j < g->links.n && !before; j++)
                                before = _stricmp(g->links.v[j], now.v[k]) == 0;
                        if (!before)
                                remove_link(now.v[k]);
                }
                strv_clear(&now);
                unsigned budget = 500000;
                scan_hard_links(pl, g->path, 32, true, &budget);
                check_states(g);
                check_adopted(pl, g);
                check_index(pl, g);
        }
}
