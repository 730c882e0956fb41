/* SPDX-License-Identifier: MIT */
#include "windows/plan_win.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "windows/sid_win.h"
#include "common/macro.h"
#include "common/path.h"
#include "net/proxyenv.h"
#include "policy/plant.h"
#include "windows/wide_win.h"
#include "windows/cmdline_win.h"
#include "windows/wpath_win.h"
#include "windows/newrepo_win.h"

const char *win_backend_name(win_backend b) {
        switch (b) {
        case WIN_BACKEND_RESTRICTED: return "windows-restricted";
        case WIN_BACKEND_USERS: return "windows-users";
        case WIN_BACKEND_FULL: return "windows-full-access";
        }
        return "?";
}

void win_plan_free(win_plan *pl) {
        free(pl->workspace);
        free(pl->cwd);
        strv_clear(&pl->roots);
        strv_clear(&pl->net_allow);
        strv_clear(&pl->net_deny);
        strv_clear(&pl->root_sids);
        free(pl->tmp_dir);
        free(pl->tmp_sid);
        strv_clear(&pl->protect_existing);
        strv_clear(&pl->protect_missing);
        strv_clear(&pl->not_enforced);
        strv_clear(&pl->git_locked);
        for (size_t i = 0; i < pl->n_git_dirs; i++)
                win_git_dir_free(&pl->git_dirs[i]);
        free(pl->git_dirs);
        strv_clear(&pl->git_pins);
        strv_clear(&pl->git_known);
        strv_clear(&pl->git_protect);
        win_repo_scan_free(&pl->repos);
        strv_clear(&pl->argv);
        free(pl->program);
        free(pl->app);
        free(pl->cmdline);
        strv_clear(&pl->env);
        strv_clear(&pl->env_dropped);
        *pl = (win_plan){0};
}


/* %LOCALAPPDATA%/corral/KIND/<FNV-1a over the lower-cased path>: a stable name. */
static char *state_path(const char *kind, const char *path) {
        const char *base = getenv("LOCALAPPDATA");
        if (!base || !*base)
                return NULL;
        uint64_t h = 1469598103934665603ull;
        for (const char *p = path; *p; p++) {
                unsigned char c = (unsigned char)(*p == '\\' ? '/' : *p);
                if (c >= 'A' && c <= 'Z')
                        c = (unsigned char)(c + 32);
                h = (h ^ c) * 1099511628211ull;
        }
        char buf[2048];
        snprintf(buf, sizeof(buf), "%s/corral/%s/%016llx", base, kind, (unsigned long long)h);
        for (char *c = buf; *c; c++)
                if (*c == '\\')
                        *c = '/';
        return strdup(buf);
}

char *win_workspace_state_dir(const char *workspace) { return state_path("workspaces", workspace); }

char *win_gitdir_lock_file(const char *gitdir) { return state_path("gitdirs", gitdir); }

/* --- the environment: Windows names are case-insensitive --- */

static bool glob_match(const char *pat, const char *s) {
        if (!*pat)
                return !*s;
        if (*pat == '*')
                return glob_match(pat + 1, s) || (*s && glob_match(pat, s + 1));
        if (!*s)
                return false;
        char a = *pat, b = *s;
        if (a >= 'a' && a <= 'z')
                a = (char)(a - 32);
        if (b >= 'a' && b <= 'z')
                b = (char)(b - 32);
        return (a == '?' || a == b) && glob_match(pat + 1, s + 1);
}

static bool name_is(const char *entry, const char *name) {
        size_t n = strlen(name);
        return _strnicmp(entry, name, n) == 0 && entry[n] == '=';
}

static int env_put(strv *env, const char *name, const char *value) {
        size_t len = strlen(name) + strlen(value) + 2;
        char *s = malloc(len);
        if (!s)
                return -ENOMEM;
        snprintf(s, len, "%s=%s", name, value);
        for (size_t i = 0; i < env->n; i++)
                if (name_is(env->v[i], name)) {
                        free(env->v[i]);
                        env->v[i] = s;
                        return 0;
                }
        return strv_push_take(env, s);
}

/* Windows: a variable's name is matched without regard to case */
static const char *env_get_nocase(const strv *env, const char *name) {
        for (size_t i = 0; i < env->n; i++)
                if (name_is(env->v[i], name))
                        return env->v[i] + strlen(name) + 1;
        return NULL;
}

/* The profile variables of the developer; the runner sets the sandbox
 * user's own instead. */
static const char *const profile_vars[] = {
        "USERPROFILE", "APPDATA", "LOCALAPPDATA", "HOMEDRIVE", "HOMEPATH", "USERNAME", "USERDOMAIN",
        "OneDrive", "OneDriveConsumer", "OneDriveCommercial",
};

int win_plan_proxy_env(win_plan *pl, unsigned short port) {
        char e[128];
        for (size_t i = 0; net_proxy_env(i, port, NULL, e, sizeof(e)); i++) {
                char *eq = strchr(e, '=');
                *eq = 0;
                if (env_put(&pl->env, e, eq + 1) < 0)
                        return -ENOMEM;
        }
        return 0;
}

bool win_plan_offline(const win_plan *pl) { return pl->network != NETWORK_ON; }

static int plan_env(const policy *p, win_plan *pl, const char *const envp[]) {
        for (size_t i = 0; envp && envp[i]; i++) {
                const char *e = envp[i];
                if (e[0] == '=') /* "=C:=C:\\dir": the per-drive directories cmd.exe keeps */
                        continue;
                size_t n = strcspn(e, "=");
                if (!e[n])
                        continue;
                char name[256];
                snprintf(name, sizeof(name), "%.*s", (int)(n < 255 ? n : 255), e);
                bool keep = false, drop = false;
                for (size_t k = 0; k < p->env_keep.n; k++)
                        keep |= _stricmp(p->env_keep.v[k], name) == 0;
                for (size_t k = 0; !keep && k < p->env_drop.n; k++)
                        drop |= glob_match(p->env_drop.v[k], name);
                for (size_t k = 0; pl->backend == WIN_BACKEND_USERS && k < ELEMENTSOF(profile_vars); k++)
                        drop |= _stricmp(profile_vars[k], name) == 0;
                if (drop ? strv_push(&pl->env_dropped, name) < 0 : strv_push(&pl->env, e) < 0)
                        return -ENOMEM;
        }
        if (env_put(&pl->env, "CORRAL_SANDBOX", "1") < 0 ||
            env_put(&pl->env, "CORRAL_NETWORK", pl->proxy                  ? "proxy"
                                                : p->network == NETWORK_OFF ? "off"
                                                                            : "on") < 0)
                return -ENOMEM;
        if (pl->tmp_dir) {
                _cleanup_free_ char *t = strdup(pl->tmp_dir);
                if (!t)
                        return -ENOMEM;
                for (char *c = t; *c; c++)
                        if (*c == '/')
                                *c = '\\';
                if (env_put(&pl->env, "TEMP", t) < 0 || env_put(&pl->env, "TMP", t) < 0)
                        return -ENOMEM;
        }
        if (pl->proxy_port && win_plan_proxy_env(pl, pl->proxy_port) < 0)
                return -ENOMEM;
        if (pl->advisory_network && !pl->proxy) {
                /* What the seed's unelevated prototype did: route the common
                 * tools to a closed port. Advisory: a process may ignore it. */
                static const char *const proxies[] = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy",
                                                      "https_proxy", "all_proxy"};
                for (size_t i = 0; i < ELEMENTSOF(proxies); i++)
                        if (env_put(&pl->env, proxies[i], "http://127.0.0.1:9") < 0)
                                return -ENOMEM;
                if (env_put(&pl->env, "NO_PROXY", "") < 0 || env_put(&pl->env, "GIT_ALLOW_PROTOCOL", "file") < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < p->env_set.n; i++) {
                const char *e = p->env_set.v[i];
                size_t n = strcspn(e, "=");
                char name[256];
                snprintf(name, sizeof(name), "%.*s", (int)(n < 255 ? n : 255), e);
                if (env_put(&pl->env, name, e[n] ? e + n + 1 : "") < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* --- writable roots and protected names --- */

/* A root resolved to its final path must not be the drive, the home or an
 * ancestor of it, nor hold a directory on PATH (but one strictly below the
 * workspace) or %APPDATA% (policy/plant.h) (unless allowed): a junction must
 * not widen a narrow root. */
static int check_broad(const policy *p, const plant_places *places, const char *root, const char *given,
                       corral_error *err) {
        if (p->allow_broad_roots)
                return 0;
        if (path_is_root(root) || (p->home && path_holds(root, p->home)))
                return error_set(err, -EINVAL,
                                 "writable root '%s' resolves to '%s', the drive, your profile or an ancestor of "
                                 "it; pass --allow-broad-root to allow that",
                                 given, root);
        long i = plant_places_held(places, root);
        if (i >= 0)
                return error_set(err, -EINVAL,
                                 "writable root '%s' resolves to '%s', which holds %s, %s: making it writable would "
                                 "let the command plant a program you run later outside the sandbox; pass "
                                 "--allow-broad-root to allow that",
                                 given, root, places->named.v[i], places->whats.v[i]);
        return 0;
}

static int plan_roots(const policy *p, win_plan *pl, corral_error *err) {
        _cleanup_(plant_places_done) plant_places places = {0};
        int r;
        if (p->mode != MODE_WORKSPACE_WRITE)
                return 0;
        if (!p->allow_broad_roots) {
                /* by the workspace's final path, as the roots are compared */
                _cleanup_free_ char *ws = NULL;
                if ((r = wpath_check_lexical(p->workspace, "workspace", err)) < 0 ||
                    (r = wpath_final_local(p->workspace, "workspace", &ws, err)) < 0)
                        return r;
                if (plant_places_load(&places, p->home, ws) < 0)
                        return oom(err);
        }
        for (size_t i = 0; i < p->writable_roots.n; i++) {
                const char *given = p->writable_roots.v[i];
                _cleanup_free_ char *final = NULL;
                if ((r = wpath_check_lexical(given, "writable root", err)) < 0 ||
                    (r = wpath_final_local(given, "writable root", &final, err)) < 0 ||
                    (r = check_broad(p, &places, final, given, err)) < 0)
                        return r;
                if (strv_contains(&pl->roots, final))
                        continue;
                PSID sid;
                if ((r = sid_for_root(final, &sid, err)) < 0)
                        return r;
                _cleanup_free_ char *s = sid_to_string(sid);
                free(sid);
                if (!s || strv_push(&pl->roots, final) < 0 || strv_push(&pl->root_sids, s) < 0)
                        return oom(err);
        }
        return 0;
}

/* A .git file, or a .git directory with a HEAD: the root is a repository
 * (an empty directory is another run's placeholder). */
static bool root_is_repository(const char *root) {
        char dotgit[4200], head[4200];
        snprintf(dotgit, sizeof(dotgit), "%s/.git", root);
        snprintf(head, sizeof(head), "%s/.git/HEAD", root);
        _cleanup_free_ wchar_t *wd = win_wide_exact(dotgit);
        _cleanup_free_ wchar_t *wh = win_wide_exact(head);
        DWORD a = wd ? GetFileAttributesW(wd) : INVALID_FILE_ATTRIBUTES;
        if (a == INVALID_FILE_ATTRIBUTES)
                return false;
        return !(a & FILE_ATTRIBUTE_DIRECTORY) || (wh && GetFileAttributesW(wh) != INVALID_FILE_ATTRIBUTES);
}

/* Protected names at the top of each root and, protect_depth levels down,
 * in its subdirectories (not through links). Missing ones are held by a
 * placeholder only at the top, as on Linux. */
static int scan_protected(const policy *p, win_plan *pl, const char *dir, unsigned depth, bool top,
                          corral_error *err) {
        strv missing = {0};
        int r = wpath_match_protected(dir, &p->protect, &pl->protect_existing, &missing, err);
        bool repo = top && root_is_repository(dir);
        unsigned families = 0;
        for (size_t i = 0; top && i < p->protect.n; i++) {
                bool gone = false;
                for (size_t k = 0; k < missing.n && !gone; k++) {
                        const char *b = strrchr(missing.v[k], '/');
                        gone = strcmp(b ? b + 1 : missing.v[k], p->protect.v[i]) == 0;
                }
                if (!gone)
                        families |= policy_name_family(p->protect.v[i]);
        }
        for (size_t i = 0; r == 0 && top && i < missing.n; i++) {
                const char *base = strrchr(missing.v[i], '/');
                if (policy_holds_missing_at_top(base ? base + 1 : missing.v[i], repo, families) &&
                    strv_push(&pl->protect_missing, missing.v[i]) < 0)
                        r = oom(err);
        }
        strv_clear(&missing);
        /* A bare repository (a mirror.git, or the root itself): git reads
         * its config and runs its hooks like a .git's, so it is protected
         * like one (sorted entry by entry with --git commits). A root that
         * is one would be read-only as a whole: refused instead. */
        if (r == 0 && win_is_git_directory(dir)) {
                if (top && p->git != GIT_COMMITS)
                        return error_set(err, -EINVAL,
                                         "the writable root %s is itself a git directory (a bare repository): git "
                                         "reads its config and runs its hooks, and everything in it would stay "
                                         "writable; refusing to run (with --git commits, git may write its state "
                                         "there while its config and hooks stay read-only)",
                                         dir);
                if (strv_push_unique(&pl->protect_existing, dir) < 0)
                        r = oom(err);
        }
        if (r < 0 || depth == 0)
                return r;
        char pattern[4200];
        snprintf(pattern, sizeof(pattern), "%s/*", dir);
        _cleanup_free_ wchar_t *w = win_wide_exact(pattern);
        WIN32_FIND_DATAW fd;
        HANDLE h = w ? FindFirstFileW(w, &fd) : INVALID_HANDLE_VALUE;
        if (h == INVALID_HANDLE_VALUE)
                return 0;
        do {
                if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ||
                    (fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) || wcscmp(fd.cFileName, L".") == 0 ||
                    wcscmp(fd.cFileName, L"..") == 0)
                        continue;
                _cleanup_free_ char *name = win_utf8(fd.cFileName);
                if (!name || wpath_name_in(name, &p->protect))
                        continue;
                char sub[4200];
                snprintf(sub, sizeof(sub), "%s/%s", dir, name);
                if ((r = scan_protected(p, pl, sub, depth - 1, false, err)) < 0)
                        break;
        } while (FindNextFileW(h, &fd));
        FindClose(h);
        return r;
}

static int plan_tmp(const policy *p, win_plan *pl, corral_error *err) {
        if (p->tmp == TMP_HOST)
                return 0;
        _cleanup_free_ char *state = win_workspace_state_dir(pl->workspace);
        if (!state)
                return error_set(err, -EINVAL, "LOCALAPPDATA is not set: nowhere to keep the workspace's TEMP");
        char buf[2300];
        if (p->tmp == TMP_PRIVATE)
                snprintf(buf, sizeof(buf), "%s/tmp-%lu-%llu", state, (unsigned long)GetCurrentProcessId(),
                         (unsigned long long)GetTickCount64());
        else
                snprintf(buf, sizeof(buf), "%s/tmp", state);
        pl->tmp_fresh = p->tmp == TMP_PRIVATE;
        PSID sid;
        int r = sid_for_root(pl->workspace, &sid, err);
        if (r < 0)
                return r;
        pl->tmp_sid = sid_to_string(sid);
        free(sid);
        pl->tmp_dir = strdup(buf);
        return pl->tmp_dir && pl->tmp_sid ? 0 : oom(err);
}

static int plan_command(win_plan *pl, char *const argv[], corral_error *err) {
        for (size_t i = 0; argv && argv[i]; i++)
                if (strv_push(&pl->argv, argv[i]) < 0)
                        return oom(err);
        if (pl->argv.n == 0)
                return 0;
        wchar_t sysdir[MAX_PATH];
        UINT n = GetSystemDirectoryW(sysdir, MAX_PATH);
        _cleanup_free_ char *sys = n ? win_utf8(sysdir) : NULL;
        char comspec[MAX_PATH + 16];
        snprintf(comspec, sizeof(comspec), "%s\\cmd.exe", sys ? sys : "C:\\Windows\\System32");
        if (cmdline_find_program(pl->argv.v[0], pl->cwd, env_get_nocase(&pl->env, "PATH"), env_get_nocase(&pl->env, "PATHEXT"),
                                 &pl->program) < 0)
                return 0; /* exit 127 at run time, as on Linux */
        pl->batch = cmdline_is_batch(pl->program);
        return cmdline_build(pl->program, pl->argv.v, comspec, &pl->app, &pl->cmdline, err);
}

static int choose_backend(const policy *p, const win_marker *setup, const char *setup_problem, bool advisory,
                          win_plan *pl, corral_error *err) {
        if (p->backend == BACKEND_USERNS)
                return error_set(err, -EINVAL,
                                 "backend 'userns' is Linux's; on Windows use auto (the default) or users");
        if (p->mode == MODE_FULL_ACCESS) {
                pl->backend = WIN_BACKEND_FULL;
                return 0;
        }
        pl->proxy = p->network == NETWORK_PROXY;
        if (setup) {
                pl->backend = WIN_BACKEND_USERS;
                pl->setup = *setup;
                pl->identity = p->network != NETWORK_ON ? pl->setup.offline : pl->setup.online;
                if (pl->proxy) {
                        /* the offline user, whom the firewall lets reach this loopback port only */
                        long port = strtol(pl->setup.loopback_ports, NULL, 10);
                        if (port < 1 || port > 65535)
                                return error_set(err, -EPERM,
                                                 "network proxy (--allow-domain): the firewall lets %s reach no "
                                                 "loopback port for corral's proxy; run `corral setup "
                                                 "--loopback-port 3128` once (as administrator)",
                                                 pl->setup.offline);
                        pl->proxy_port = (unsigned short)port;
                }
                return 0;
        }
        if (p->backend == BACKEND_USERS)
                return error_set(err, -ENOENT, "backend 'users' is not usable: %s",
                                 setup_problem ? setup_problem : "run `corral setup` (as administrator) first");
        pl->backend = WIN_BACKEND_RESTRICTED;
        if (p->network != NETWORK_ON) {
                if (!advisory)
                        return error_set(err, -EPERM,
                                         "%s cannot be enforced without `corral setup`: the unelevated "
                                         "mode runs the command as you, and Windows Firewall cannot tell its "
                                         "traffic from yours. Run `corral setup%s` once (as administrator), use "
                                         "--network on, or accept advisory limits (proxy variables only) with "
                                         "--allow-advisory-network",
                                         pl->proxy ? "network proxy (--allow-domain)" : "--network off",
                                         pl->proxy ? " --loopback-port 3128" : "");
                pl->advisory_network = true;
        }
        return 0;
}

int win_plan_build(const policy *p, const win_marker *setup, const char *setup_problem, bool allow_advisory_network,
                   char *const argv[], const char *const envp[], win_plan *pl, corral_error *err) {
        int r;
        *pl = (win_plan){.mode = p->mode, .network = p->network, .timeout_ms = p->timeout_ms};
        if ((r = choose_backend(p, setup, setup_problem, allow_advisory_network, pl, err)) < 0)
                goto fail;
        if (pl->proxy) {
                if (strv_extend(&pl->net_allow, &p->allow_domains) < 0 || strv_extend(&pl->net_deny, &p->deny_domains) < 0) {
                        r = oom(err);
                        goto fail;
                }
                memcpy(pl->net_ports, p->allow_ports, sizeof(pl->net_ports));
                pl->n_net_ports = p->n_allow_ports;
        }
        if ((r = wpath_check_lexical(p->workspace, "workspace", err)) < 0 ||
            (r = wpath_check_lexical(p->cwd, "cwd", err)) < 0)
                goto fail;
        /* The workspace names corral's state (lock, placeholder journal,
         * TEMP) and TEMP's capability SID: by its final path, so that every
         * spelling of one directory (case, '/' or '\\', an 8.3 alias such
         * as C:\\PROJEC~1, a junction) shares one lock. Otherwise two runs
         * would each think they are alone and sweep the other's placeholders
         * while its command runs. */
        pl->workspace = wpath_final_any(p->workspace);
        if (!pl->workspace)
                pl->workspace = strdup(p->workspace);
        if (!pl->workspace || !(pl->cwd = strdup(p->cwd))) {
                r = oom(err);
                goto fail;
        }
        if (p->limits.v[LIMIT_TMP]) {
                r = error_set(err, -EOPNOTSUPP, "limits.tmp: Windows has no size-limited temporary file system; "
                                                "remove the limit");
                goto fail;
        }
        pl->memory_bytes = p->limits.v[LIMIT_MEMORY];
        pl->max_processes = p->limits.v[LIMIT_PIDS];
        pl->cpu_seconds = p->limits.v[LIMIT_CPU];
        if (pl->backend != WIN_BACKEND_FULL) {
                /* each protected name becomes root/NAME: a placeholder and a
                 * deny ACE (propagated through the tree) must stay there */
                for (size_t i = 0; i < p->protect.n; i++)
                        if ((r = wpath_check_name(p->protect.v[i], "protected name", err)) < 0)
                                goto fail;
                if ((r = plan_roots(p, pl, err)) < 0 || (r = plan_tmp(p, pl, err)) < 0)
                        goto fail;
                for (size_t i = 0; i < pl->roots.n; i++)
                        if ((r = scan_protected(p, pl, pl->roots.v[i], p->protect_depth, true, err)) < 0)
                                goto fail;
                if (pl->roots.n && (r = win_plan_gitlinks(p, pl, err)) < 0)
                        goto fail;
                /* what the check after the run compares with */
                if (pl->roots.n && p->mode == MODE_WORKSPACE_WRITE && win_repo_scan_roots(p, &pl->roots, &pl->repos) < 0) {
                        r = oom(err);
                        goto fail;
                }
                if (p->git == GIT_COMMITS && p->mode == MODE_WORKSPACE_WRITE && (r = win_plan_git(p, pl, err)) < 0)
                        goto fail;
                /* A .git directory protected as a whole relies on its
                 * inheritable deny ACE, which a --git commits run (of this
                 * workspace or another whose root holds it) sets aside: each
                 * run holds the gitdir's lock (shared here, exclusive there). */
                for (size_t i = 0; i < pl->protect_existing.n; i++) {
                        const char *e = pl->protect_existing.v[i], *base = strrchr(e, '/');
                        _cleanup_free_ wchar_t *w = win_wide_exact(e);
                        DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
                        if (base && _stricmp(base + 1, ".git") == 0 && a != INVALID_FILE_ATTRIBUTES &&
                            (a & FILE_ATTRIBUTE_DIRECTORY) && !(a & FILE_ATTRIBUTE_REPARSE_POINT) &&
                            strv_push(&pl->git_locked, e) < 0) {
                                r = oom(err);
                                goto fail;
                        }
                }
        }
        if (pl->backend == WIN_BACKEND_RESTRICTED) {
                if (p->deny_read.n &&
                    strv_push(&pl->not_enforced, "hidden paths (deny_read): the restricted token keeps your read "
                                                 "access; run `corral setup` for sandbox users") < 0) {
                        r = oom(err);
                        goto fail;
                }
                if (pl->advisory_network &&
                    strv_push(&pl->not_enforced, pl->proxy ? "network proxy: ADVISORY only (the proxy variables point "
                                                             "at corral's proxy); a process can open sockets directly"
                                                           : "network off: ADVISORY only (proxy variables); a process can "
                                                             "open sockets directly") < 0) {
                        r = oom(err);
                        goto fail;
                }
        }
        if (pl->backend == WIN_BACKEND_USERS && p->deny_read.n &&
            strv_push(&pl->not_enforced, "hidden paths inside the workspace or a read grant stay readable: the "
                                         "sandbox user reads only what was granted") < 0) {
                r = oom(err);
                goto fail;
        }
        if ((r = plan_env(p, pl, envp)) < 0) {
                r = oom(err);
                goto fail;
        }
        if ((r = plan_command(pl, argv, err)) < 0)
                goto fail;
        return 0;
fail:
        win_plan_free(pl);
        return r;
}
