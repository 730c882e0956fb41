/* SPDX-License-Identifier: MIT */
#include "windows/apply_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "windows/acl_win.h"
#include "windows/sid_win.h"
#include "common/macro.h"
#include "windows/wide_win.h"
#include "plan/gitdir.h"
#include "windows/wpath_win.h"
#include "common/warn.h"


int win_grant_sids(const win_plan *pl, const char *cap, PSID sids[2], size_t *n, corral_error *err) {
        int r;
        *n = 0;
        if ((r = sid_from_string(cap, &sids[0], err)) < 0)
                return r;
        *n = 1;
        if (pl->backend == WIN_BACKEND_USERS) {
                if ((r = sid_from_string(pl->setup.group_sid, &sids[1], err)) < 0) {
                        free(sids[0]);
                        *n = 0;
                        return r;
                }
                *n = 2;
        }
        return 0;
}

static void free_sids(PSID *sids, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(sids[i]);
}

/* Creates dir and its parents. */
static int mkdir_p(const char *dir, corral_error *err) {
        _cleanup_free_ char *d = strdup(dir);
        if (!d)
                return oom(err);
        for (char *p = d + 3; ; p++) {
                if (*p != '/' && *p != '\\' && *p)
                        continue;
                char c = *p;
                *p = 0;
                _cleanup_free_ wchar_t *w = win_wide(d);
                if (!w)
                        return oom(err);
                if (!CreateDirectoryW(w, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
                        return win_error(err, GetLastError(), "cannot create %s", d);
                *p = c;
                if (!c)
                        break;
        }
        return 0;
}

static void record(const char *kind, const char *sid, const char *path) {
        const char *base = getenv("LOCALAPPDATA");
        if (!base)
                return;
        char file[2048];
        snprintf(file, sizeof(file), "%s/corral/grants.txt", base);
        _cleanup_free_ wchar_t *w = win_wide(file);
        FILE *f = w ? _wfopen(w, L"a") : NULL;
        if (!f)
                return;
        fprintf(f, "%s %s %s\n", kind, sid, path);
        fclose(f);
}

/* The allow ACE on a root (or TEMP): checked, added once. */
static int ensure_allow(const win_plan *pl, const char *path, const char *cap, bool verbose, corral_error *err) {
        PSID sids[2];
        size_t n;
        int r = win_grant_sids(pl, cap, sids, &n, err);
        if (r < 0)
                return r;
        bool have = true;
        for (size_t i = 0; i < n; i++)
                have &= acl_path_has(path, ACCESS_ALLOWED_ACE_TYPE, sids[i], ACL_ROOT_ALLOW, ACL_INHERIT);
        if (!have) {
                corral_warn("granting write access on %s to its capability SID %s (once; inherited by "
                            "everything below, which may take a while for a large tree)",
                        path, cap);
                if ((r = acl_path_allow(path, sids, n, ACL_ROOT_ALLOW, err)) == 0)
                        record("W", cap, path);
        } else if (verbose)
                fprintf(stderr, "corral: %s: grant present (one ACL read)\n", path);
        free_sids(sids, n);
        return r;
}

static int ensure_deny(const win_plan *pl, const char *path, const char *cap, corral_error *err) {
        PSID sids[2];
        size_t n;
        int r = win_grant_sids(pl, cap, sids, &n, err);
        if (r < 0)
                return r;
        bool have = true;
        for (size_t i = 0; i < n; i++)
                have &= acl_path_has(path, ACCESS_DENIED_ACE_TYPE, sids[i], ACL_PROTECT_DENY, ACL_INHERIT);
        if (!have && (r = acl_path_deny(path, sids, n, ACL_PROTECT_DENY, err)) == 0)
                record("D", cap, path);
        free_sids(sids, n);
        return r;
}

/* Does path lie in root (case-insensitively, as NTFS compares)? */
static bool in_root(const char *path, const char *root) {
        size_t n = strlen(root);
        return n > 0 && _strnicmp(path, root, n) == 0 && (root[n - 1] == '/' || path[n] == '/' || path[n] == 0);
}

/* The capability SID of the (first) root path lies in. */
static const char *root_sid_of(const win_plan *pl, const char *path) {
        for (size_t i = 0; i < pl->roots.n; i++)
                if (in_root(path, pl->roots.v[i]))
                        return pl->root_sids.v[i];
        return NULL;
}

/* The deny ACE for the capability SID of every root path lies in (roots
 * may nest: each one's inherited allow ACE reaches the name).
 *
 * A protected name that is a link (a junction or symlink, perhaps planted by
 * an earlier command below protect_depth) is resolved first: the ACL that
 * matters is its target's, and SetNamedSecurityInfoW would follow the link
 * anyway. The target is protected only when it lies in a root; a target
 * outside every root is left alone (the capability SIDs have no ACE there to
 * deny), so a planted link cannot make corral rewrite — and propagate
 * through — the DACLs of a tree outside the workspace. */
static int ensure_deny_all(const win_plan *pl, const char *path, corral_error *err) {
        _cleanup_free_ char *final = NULL;
        if (wpath_is_reparse_point(path)) {
                if (!(final = wpath_final_any(path))) {
                        corral_warn("warning: protected name %s is a link corral cannot resolve: its "
                                    "target's ACL is left as it is",
                                path);
                        return 0;
                }
                if (!root_sid_of(pl, final))
                        corral_warn("warning: protected name %s is a link to %s, outside the writable "
                                    "roots: its target's ACL is left as it is",
                                path, final);
                path = final;
        }
        for (size_t i = 0; i < pl->roots.n; i++) {
                if (!in_root(path, pl->roots.v[i]))
                        continue;
                int r = ensure_deny(pl, path, pl->root_sids.v[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* users backend, a workspace that is not writable (read-only mode): the
 * sandbox group must still read it. */
static int ensure_read(const win_plan *pl, const char *path, corral_error *err) {
        PSID group;
        int r = sid_from_string(pl->setup.group_sid, &group, err);
        if (r < 0)
                return r;
        if (!acl_path_has(path, ACCESS_ALLOWED_ACE_TYPE, group, ACL_READ_ALLOW, ACL_INHERIT)) {
                corral_warn("granting read access on %s to %s (once; inherited below)", path,
                        pl->setup.group);
                if ((r = acl_path_allow(path, &group, 1, ACL_READ_ALLOW, err)) == 0)
                        record("R", pl->setup.group_sid, path);
        }
        free(group);
        return r;
}

static void remove_placeholder_file(const wchar_t *w, const char *text) {
        HANDLE h = CreateFileW(w, GENERIC_READ | DELETE, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                               FILE_FLAG_OPEN_REPARSE_POINT, NULL);
        if (h == INVALID_HANDLE_VALUE)
                return;
        char buf[16];
        DWORD got = 0;
        BY_HANDLE_FILE_INFORMATION info;
        bool same = GetFileInformationByHandle(h, &info) &&
                    !(info.dwFileAttributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) &&
                    ReadFile(h, buf, sizeof(buf), &got, NULL) && got == strlen(text) && !memcmp(buf, text, got);
        if (same) {
                FILE_DISPOSITION_INFO d = {TRUE};
                SetFileInformationByHandle(h, FileDispositionInfo, &d, sizeof(d));
        }
        CloseHandle(h);
}

static void journal_sweep(const char *state) {
        char file[2300];
        snprintf(file, sizeof(file), "%s/placeholders", state);
        _cleanup_free_ wchar_t *wf = win_wide(file);
        FILE *f = wf ? _wfopen(wf, L"r") : NULL;
        if (!f)
                return;
        char line[4200];
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\r\n")] = 0;
                /* "F PATH" / "C PATH": a placeholder file (plan/gitdir.h),
                 * removed only while it holds what corral wrote; a plain
                 * path (which starts with a drive) is a directory */
                const char *text = !strncmp(line, "F ", 2)   ? GITDIR_HOLD_FILE_TEXT
                                   : !strncmp(line, "C ", 2) ? GITDIR_HOLD_COMMONDIR_TEXT
                                                             : NULL;
                _cleanup_free_ wchar_t *w = win_wide_exact(text ? line + 2 : line);
                if (w && text)
                        remove_placeholder_file(w, text);
                else if (w)
                        RemoveDirectoryW(w); /* only an empty directory goes */
        }
        fclose(f);
        DeleteFileW(wf);
}

static void journal_add(const char *state, const char *path) {
        char file[2300];
        snprintf(file, sizeof(file), "%s/placeholders", state);
        _cleanup_free_ wchar_t *wf = win_wide(file);
        FILE *f = wf ? _wfopen(wf, L"a") : NULL;
        if (f) {
                fprintf(f, "%s\n", path);
                fclose(f);
        }
}

static bool lock_exclusive(HANDLE h) {
        OVERLAPPED o = {0};
        return LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &o);
}

static void unlock(HANDLE h) {
        OVERLAPPED o = {0};
        UnlockFileEx(h, 0, 1, 0, &o);
}

static int take_lock(win_applied *st, corral_error *err) {
        char file[2300];
        snprintf(file, sizeof(file), "%s/active", st->state_dir);
        _cleanup_free_ wchar_t *w = win_wide(file);
        if (!w)
                return oom(err);
        st->lock = CreateFileW(w, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                               OPEN_ALWAYS, 0, NULL);
        if (st->lock == INVALID_HANDLE_VALUE) {
                st->lock = NULL;
                return win_error(err, GetLastError(), "cannot open %s", file);
        }
        /* alone? then sweep what a crashed run left */
        if (lock_exclusive(st->lock)) {
                journal_sweep(st->state_dir);
                unlock(st->lock);
        }
        OVERLAPPED o = {0};
        if (!LockFileEx(st->lock, 0, 0, 1, 0, &o))
                return win_error(err, GetLastError(), "cannot lock %s", file);
        return 0;
}

bool win_apply_sweep_crashed(const win_plan *pl) {
        if (pl->backend == WIN_BACKEND_FULL)
                return false;
        _cleanup_free_ char *state = win_workspace_state_dir(pl->workspace);
        char file[2300], journal[2300];
        snprintf(file, sizeof(file), "%s/active", state ? state : "");
        snprintf(journal, sizeof(journal), "%s/placeholders", state ? state : "");
        _cleanup_free_ wchar_t *w = state ? win_wide(file) : NULL, *wj = state ? win_wide(journal) : NULL;
        if (!w || !wj || GetFileAttributesW(wj) == INVALID_FILE_ATTRIBUTES)
                return false;
        HANDLE h = CreateFileW(w, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS,
                               0, NULL);
        if (h == INVALID_HANDLE_VALUE)
                return false;
        bool alone = lock_exclusive(h);
        if (alone) {
                journal_sweep(state);
                unlock(h);
        }
        CloseHandle(h);
        return alone;
}

/* --- --git commits ---------------------------------------------------- */

/* Every SID the plan grants path to: each root it lies in (roots may nest)
 * gives its capability SID (users backend: and the sandbox group's). */
static int sids_for(const win_plan *pl, const char *path, PSID **ret, size_t *n, corral_error *err) {
        *ret = calloc(2 * pl->roots.n + 1, sizeof(PSID));
        *n = 0;
        if (!*ret)
                return oom(err);
        for (size_t i = 0; i < pl->roots.n; i++) {
                if (!in_root(path, pl->roots.v[i]))
                        continue;
                PSID two[2];
                size_t k;
                int r = win_grant_sids(pl, pl->root_sids.v[i], two, &k, err);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < k; j++) {
                        bool dup = false;
                        for (size_t m = 0; m < *n && !dup; m++)
                                dup = EqualSid((*ret)[m], two[j]);
                        if (dup)
                                free(two[j]);
                        else
                                (*ret)[(*n)++] = two[j];
                }
        }
        return 0;
}

static int lock_gitdir(win_applied *st, const char *gitdir, bool exclusive, corral_error *err) {
        _cleanup_free_ char *file = win_gitdir_lock_file(gitdir);
        if (!file)
                return error_set(err, -EINVAL, "LOCALAPPDATA is not set: nowhere to keep corral's state");
        char *slash = strrchr(file, '/');
        *slash = 0;
        int r = mkdir_p(file, err);
        *slash = '/';
        if (r < 0)
                return r;
        HANDLE *v = realloc(st->git_locks, (st->n_git_locks + 1) * sizeof(HANDLE));
        if (!v)
                return oom(err);
        st->git_locks = v;
        _cleanup_free_ wchar_t *w = win_wide(file);
        HANDLE h = w ? CreateFileW(w, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                                   OPEN_ALWAYS, 0, NULL)
                     : INVALID_HANDLE_VALUE;
        if (h == INVALID_HANDLE_VALUE)
                return win_error(err, GetLastError(), "cannot open %s", file);
        OVERLAPPED o = {0};
        if (!LockFileEx(h, LOCKFILE_FAIL_IMMEDIATELY | (exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0), 0, 1, 0, &o)) {
                CloseHandle(h);
                return error_set(err, -EBUSY,
                                 exclusive ? "another corral run protects the repository %s: --git commits needs it "
                                             "alone (its git state is writable for the run); wait until that run "
                                             "ends, or use --git read-only"
                                           : "a corral run with --git commits holds the repository %s (its git state "
                                             "is writable for that run); wait until it ends",
                                 gitdir);
        }
        st->git_locks[st->n_git_locks++] = h;
        return 0;
}

/* A placeholder for an entry a gitdir is missing (plan/gitdir.h): an empty
 * directory, or a file with the table's contents; journalled, so that the
 * last run (or the next one after a crash) removes it. */
static int git_placeholder(win_applied *st, const win_git_hold *h, corral_error *err) {
        _cleanup_free_ wchar_t *w = win_wide_exact(h->path);
        if (!w)
                return oom(err);
        if (!h->text) {
                if (!CreateDirectoryW(w, NULL)) {
                        DWORD e = GetLastError();
                        return e == ERROR_ALREADY_EXISTS ? 0 : win_error(err, e, "cannot create the placeholder %s", h->path);
                }
                journal_add(st->state_dir, h->path);
        } else {
                HANDLE f = CreateFileW(w, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
                if (f == INVALID_HANDLE_VALUE) {
                        DWORD e = GetLastError();
                        return e == ERROR_FILE_EXISTS || e == ERROR_ALREADY_EXISTS
                                       ? 0
                                       : win_error(err, e, "cannot create the placeholder %s", h->path);
                }
                DWORD put = 0, len = (DWORD)strlen(h->text);
                bool ok = !len || (WriteFile(f, h->text, len, &put, NULL) && put == len);
                DWORD e = GetLastError();
                CloseHandle(f);
                char line[4300];
                snprintf(line, sizeof(line), "%c %s", strcmp(h->text, GITDIR_HOLD_FILE_TEXT) ? 'C' : 'F', h->path);
                journal_add(st->state_dir, line);
                if (!ok)
                        return win_error(err, e, "cannot write the placeholder %s", h->path);
        }
        return strv_push(&st->placeholders, h->path) < 0 ? oom(err) : 0;
}

static void free_sid_array(PSID *sids, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(sids[i]);
        free(sids);
}

/* A directory that must not be renamed or re-permissioned for the run (a
 * gitdir, a directory leading to one): its pin, kept across runs (it
 * changes nothing for a run whose .git is read-only as a whole). */
static int ensure_pin(const win_plan *pl, const char *path, corral_error *err) {
        PSID *sids;
        size_t n;
        int r = sids_for(pl, path, &sids, &n, err);
        bool have = true;
        for (size_t i = 0; r >= 0 && i < n; i++)
                have &= acl_path_has(path, ACCESS_DENIED_ACE_TYPE, sids[i], ACL_PIN_DENY, 0);
        if (r >= 0 && !have && (r = acl_path_pin(path, sids, n, ACL_PIN_DENY, err)) == 0)
                for (size_t i = 0; i < pl->roots.n; i++)
                        if (in_root(path, pl->roots.v[i]))
                                record("D", pl->root_sids.v[i], path);
        free_sid_array(sids, n);
        return r;
}

/* A .git sorted for the run: its inheritable deny ACE (which every entry
 * below inherits: the whole .git read-only) becomes a pin, which no entry
 * inherits, so that git's own state is writable through the roots' allow
 * ACE while the entries the table protects keep their own deny ACE. Put
 * back after the run (restore_swaps), or by the next run after a crash
 * (ensure_deny: a .git without its deny ACE gets it again). */
static int swap_open(const win_plan *pl, win_applied *st, const char *path, bool verbose, corral_error *err) {
        win_git_swap *v = realloc(st->git_swaps, (st->n_git_swaps + 1) * sizeof(*v));
        if (!v)
                return oom(err);
        st->git_swaps = v;
        win_git_swap *sw = &v[st->n_git_swaps];
        *sw = (win_git_swap){0};
        int r = sids_for(pl, path, &sw->sids, &sw->n, err);
        if (r < 0 || !(sw->path = strdup(path))) {
                free_sid_array(sw->sids, sw->n);
                return r < 0 ? r : oom(err);
        }
        st->n_git_swaps++;
        bool denied = false, pinned = true;
        for (size_t i = 0; i < sw->n; i++) {
                denied |= acl_path_denies_below(path, sw->sids[i]);
                pinned &= acl_path_has(path, ACCESS_DENIED_ACE_TYPE, sw->sids[i], ACL_PIN_DENY, 0);
        }
        if (!denied && pinned)
                return 0;
        if (!denied) /* corral had not protected it yet: the deny ACE it gets back after the run is for revoke */
                for (size_t i = 0; i < pl->roots.n; i++)
                        if (in_root(path, pl->roots.v[i]))
                                record("D", pl->root_sids.v[i], path);
        if (verbose)
                fprintf(stderr, "corral: %s: git's state writable for the run (the deny ACE moves to the entries "
                                "that stay read-only; the ACL change reaches every file below it)\n",
                        path);
        return acl_path_pin(path, sw->sids, sw->n, ACL_PIN_DENY, err);
}

static void restore_swaps(win_applied *st) {
        for (size_t i = 0; i < st->n_git_swaps; i++) {
                win_git_swap *sw = &st->git_swaps[i];
                corral_error e = {{0}};
                if (acl_path_deny(sw->path, sw->sids, sw->n, ACL_PROTECT_DENY, &e) < 0)
                        corral_warn("WARNING: %s: its deny ACE could not be put back after --git commits "
                                    "(%s); the next corral run there puts it back",
                                sw->path, e.msg);
                free(sw->path);
                free_sid_array(sw->sids, sw->n);
        }
        free(st->git_swaps);
        st->git_swaps = NULL;
        st->n_git_swaps = 0;
}

static int apply_git(const win_plan *pl, win_applied *st, bool verbose, corral_error *err) {
        int r;
        for (size_t i = 0; i < pl->n_git_dirs; i++) {
                const win_git_dir *g = &pl->git_dirs[i];
                for (size_t k = 0; k < g->protect.n; k++)
                        if ((r = ensure_deny_all(pl, g->protect.v[k], err)) < 0)
                                return r;
                for (size_t k = 0; k < g->n_hold; k++)
                        if ((r = git_placeholder(st, &g->hold[k], err)) < 0 ||
                            (r = ensure_deny_all(pl, g->hold[k].path, err)) < 0)
                                return r;
        }
        for (size_t i = 0; i < pl->git_pins.n; i++)
                if ((r = ensure_pin(pl, pl->git_pins.v[i], err)) < 0)
                        return r;
        /* last: until here each .git was read-only as a whole */
        for (size_t i = 0; i < pl->n_git_dirs; i++)
                if (pl->git_dirs[i].top && (r = swap_open(pl, st, pl->git_dirs[i].path, verbose, err)) < 0)
                        return r;
        return 0;
}

int win_apply_host(const win_plan *pl, bool verbose, win_applied *st, corral_error *err) {
        int r;
        *st = (win_applied){0};
        if (pl->backend == WIN_BACKEND_FULL)
                return 0;
        st->caps = calloc(pl->root_sids.n + 1, sizeof(PSID));
        if (!st->caps)
                return oom(err);
        for (size_t i = 0; i < pl->root_sids.n; i++)
                if ((r = sid_from_string(pl->root_sids.v[i], &st->caps[st->ncaps++], err)) < 0)
                        return r;
        if (pl->tmp_sid && !strv_contains(&pl->root_sids, pl->tmp_sid) &&
            (r = sid_from_string(pl->tmp_sid, &st->caps[st->ncaps++], err)) < 0)
                return r;

        if (!(st->state_dir = win_workspace_state_dir(pl->workspace)))
                return error_set(err, -EINVAL, "LOCALAPPDATA is not set: nowhere to keep corral's state");
        if ((r = mkdir_p(st->state_dir, err)) < 0 || (r = take_lock(st, err)) < 0)
                return r;
        for (size_t i = 0; i < pl->git_locked.n; i++)
                if ((r = lock_gitdir(st, pl->git_locked.v[i], false, err)) < 0)
                        return r;
        for (size_t i = 0; i < pl->n_git_dirs; i++)
                if (pl->git_dirs[i].top && (r = lock_gitdir(st, pl->git_dirs[i].path, true, err)) < 0)
                        return r;

        for (size_t i = 0; i < pl->roots.n; i++)
                if ((r = ensure_allow(pl, pl->roots.v[i], pl->root_sids.v[i], verbose, err)) < 0)
                        return r;
        if (pl->backend == WIN_BACKEND_USERS && !root_sid_of(pl, pl->workspace) &&
            (r = ensure_read(pl, pl->workspace, err)) < 0)
                return r;
        if (pl->tmp_dir) {
                if ((r = mkdir_p(pl->tmp_dir, err)) < 0)
                        return r;
                if (pl->tmp_fresh && !(st->fresh_tmp = strdup(pl->tmp_dir)))
                        return oom(err);
                if ((r = ensure_allow(pl, pl->tmp_dir, pl->tmp_sid, verbose, err)) < 0)
                        return r;
        }
        for (size_t i = 0; i < pl->protect_existing.n; i++)
                if ((r = ensure_deny_all(pl, pl->protect_existing.v[i], err)) < 0)
                        return r;
        for (size_t i = 0; i < pl->protect_missing.n; i++) {
                const char *p = pl->protect_missing.v[i];
                const char *cap = root_sid_of(pl, p);
                _cleanup_free_ wchar_t *w = win_wide_exact(p);
                if (!cap || !w)
                        continue;
                if (!CreateDirectoryW(w, NULL)) {
                        DWORD e = GetLastError();
                        if (e != ERROR_ALREADY_EXISTS)
                                return win_error(err, e, "cannot create the placeholder for protected name %s", p);
                } else {
                        journal_add(st->state_dir, p);
                        if (strv_push(&st->placeholders, p) < 0)
                                return oom(err);
                }
                if ((r = ensure_deny_all(pl, p, err)) < 0)
                        return r;
        }
        return apply_git(pl, st, verbose, err);
}

int win_remove_tree(const wchar_t *path) {
        DWORD a = GetFileAttributesW(path);
        if (a == INVALID_FILE_ATTRIBUTES)
                return 0;
        if ((a & FILE_ATTRIBUTE_DIRECTORY) && !(a & FILE_ATTRIBUTE_REPARSE_POINT)) {
                size_t n = wcslen(path);
                wchar_t *pat = malloc((n + 3) * sizeof(wchar_t));
                if (!pat)
                        return -ENOMEM;
                swprintf(pat, n + 3, L"%ls\\*", path);
                WIN32_FIND_DATAW fd;
                HANDLE h = FindFirstFileW(pat, &fd);
                free(pat);
                if (h != INVALID_HANDLE_VALUE) {
                        do {
                                if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L".."))
                                        continue;
                                size_t m = n + wcslen(fd.cFileName) + 2;
                                wchar_t *child = malloc(m * sizeof(wchar_t));
                                if (!child)
                                        break;
                                swprintf(child, m, L"%ls\\%ls", path, fd.cFileName);
                                win_remove_tree(child);
                                free(child);
                        } while (FindNextFileW(h, &fd));
                        FindClose(h);
                }
                return RemoveDirectoryW(path) ? 0 : -EIO;
        }
        if (a & FILE_ATTRIBUTE_READONLY)
                SetFileAttributesW(path, a & ~FILE_ATTRIBUTE_READONLY);
        if (a & FILE_ATTRIBUTE_DIRECTORY)
                return RemoveDirectoryW(path) ? 0 : -EIO; /* a directory link: the link only */
        return DeleteFileW(path) ? 0 : -EIO;
}

void win_apply_cleanup(win_applied *st) {
        if (st->fresh_tmp) {
                _cleanup_free_ wchar_t *w = win_wide_exact(st->fresh_tmp);
                if (w)
                        win_remove_tree(w);
        }
        /* the .git deny ACEs go back before the gitdirs' locks are let go */
        restore_swaps(st);
        for (size_t i = 0; i < st->n_git_locks; i++)
                CloseHandle(st->git_locks[i]);
        free(st->git_locks);
        if (st->lock) {
                unlock(st->lock);
                if (lock_exclusive(st->lock))
                        journal_sweep(st->state_dir);
                CloseHandle(st->lock);
        }
        for (size_t i = 0; i < st->ncaps; i++)
                free(st->caps[i]);
        free(st->caps);
        free(st->state_dir);
        free(st->fresh_tmp);
        strv_clear(&st->placeholders);
        *st = (win_applied){0};
}
