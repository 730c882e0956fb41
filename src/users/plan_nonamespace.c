/* SPDX-License-Identifier: MIT
 * The plan of the users backend without namespaces (plan_nonamespace.h).
 *
 * Protected names without a mount namespace. Landlock is an allow list, and
 * a right granted on a directory holds in everything beneath it: a write
 * right on a writable root would reach its .git too. So a root that has a
 * protected path beneath it is never granted itself: each of its entries
 * is, except the protected ones (recursively, along the way to a protected
 * path deeper down: a gitdir named by a .git file, a protected symlink's
 * target). The consequence, by construction: nothing can be created,
 * removed or renamed directly in such a directory (so a missing protected
 * name cannot be created either), while existing files there stay writable
 * and every subdirectory stays fully writable. Symbolic links met on the way
 * are never granted (a rule would follow them). */
#include "users/plan_nonamespace.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/landlock.h"
#include "common/macro.h"
#include "kernel/probe.h"
#include "common/sha256.h"
#include "common/path.h"
#include "plan/gitlayout.h"
#include "plan/nested.h"
#include "net/proxyenv.h"
#include "proxy/proxy.h"

#define MAX_RULES 20000 /* a writable root with more top-level entries is refused */


static bool below_any(const char *path, const strv *list) {
        for (size_t i = 0; i < list->n; i++)
                if (path_is_below_or_equal(path, list->v[i]))
                        return true;
        return false;
}

/* Adds path (owned) to the excluded list when a writable root contains it. */
static int exclude(strv *excl, char *path, const policy *p) {
        if (!path)
                return 0;
        if (!below_any(path, &p->writable_roots) || strv_contains(excl, path)) {
                free(path);
                return 0;
        }
        return strv_push_take(excl, path);
}

/* Every path beneath a writable root that must stay unwritable: the
 * protected names at the top of the developer's roots (existing or not),
 * the target of a protected symlink. What a .git names is added by
 * git_excluded. */
static int excluded_paths(const policy *p, size_t n_dev_roots, strv *excl) {
        for (size_t w = 0; w < n_dev_roots && w < p->writable_roots.n; w++)
                for (size_t i = 0; i < p->protect.n; i++) {
                        char *path = path_join(p->writable_roots.v[w], p->protect.v[i]);
                        if (!path || strv_push_unique(excl, path) < 0) {
                                free(path);
                                return -ENOMEM;
                        }
                        struct stat st;
                        int r = 0;
                        if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
                                r = exclude(excl, path_canonicalize(path), p);
                        free(path);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* Git's layout (plan/gitlayout.h): every surface in a writable root is
 * excluded, existing or missing (its parent is then never granted, so it
 * cannot be created); a symlink on the way is excluded as itself. */
static int git_excluded(const policy *p, size_t n_dev_roots, const strv *nested, const char *const *env, strv *excl,
                        plan *pl, corral_error *err) {
        gitlayout g;
        const char *const *genv = p->git_env.n ? (const char *const *)p->git_env.v : env;
        int r = gitlayout_policy(&g, p, n_dev_roots, nested, genv, err);
        if (r >= 0 && strv_extend(&pl->git_global_hooks, &g.global_hooks) < 0)
                r = oom(err);
        for (size_t i = 0; r >= 0 && i < g.n; i++) {
                const char *path = g.v[i].path;
                if (!below_any(path, &p->writable_roots))
                        continue;
                for (size_t w = 0; r >= 0 && w < p->writable_roots.n; w++)
                        if (path_is_below_or_equal(p->writable_roots.v[w], path))
                                r = error_set(err, -EINVAL,
                                              "%s is the writable root %s or holds it, and git uses it (%s): "
                                              "everything in it would stay writable; refusing to run",
                                              path, p->writable_roots.v[w], g.v[i].why);
                /* for corral-runner (policy.git_known), which plans as the
                 * sandbox user */
                if (r >= 0 && (strv_push_unique(excl, path) < 0 || strv_push_unique(&pl->git_known, path) < 0))
                        r = oom(err);
        }
        gitlayout_free(&g);
        return r;
}

static bool has_excluded_below(const char *dir, const strv *excl) {
        for (size_t i = 0; i < excl->n; i++)
                if (path_is_below_or_equal(excl->v[i], dir))
                        return true;
        return false;
}

/* Write rights on dir, or on each of its entries but the excluded ones. */
static int expand(plan *pl, const char *dir, const strv *excl, const char *why, corral_error *err) {
        if (strv_contains(excl, dir))
                return 0;
        struct stat dst;
        if (!has_excluded_below(dir, excl)) {
                if (lstat(dir, &dst) < 0)
                        return 0; /* gone: nothing to grant */
                return plan_rule_object(pl, plan_str(pl, dir), LL_WRITE_ALL, why, &dst) < 0 ? oom(err) : 0;
        }
        DIR *d = opendir(dir);
        if (!d)
                return 0; /* cannot list it: nothing in it is granted (fail closed) */
        struct dirent *e;
        int r = 0;
        while (r == 0 && (e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *child = path_join(dir, e->d_name);
                struct stat st;
                if (!child) {
                        r = oom(err);
                        break;
                }
                if (lstat(child, &st) < 0 || S_ISLNK(st.st_mode) || strv_contains(excl, child))
                        continue;
                if (pl->n_rules >= MAX_RULES)
                        r = error_set(err, -E2BIG,
                                      "without namespaces, protected names are enforced by one Landlock rule per "
                                      "entry of %s: more than %d entries",
                                      dir, MAX_RULES);
                else if (S_ISDIR(st.st_mode))
                        r = expand(pl, child, excl, why, err);
                else if (plan_rule_object(pl, plan_str(pl, child), LL_WRITE_ALL, why, &st) < 0)
                        r = oom(err);
        }
        closedir(d);
        return r;
}

/* Replaces (or adds) NAME=value in env. */
static int env_replace(strv *env, const char *name, const char *value) {
        size_t n = strlen(name);
        char *s = NULL;
        if (asprintf(&s, "%s=%s", name, value) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < env->n; i++)
                if (strncmp(env->v[i], name, n) == 0 && env->v[i][n] == '=') {
                        free(env->v[i]);
                        env->v[i] = s;
                        return 0;
                }
        return strv_push_take(env, s);
}

static int note(plan *pl, const char *text) { return strv_push(&pl->notes, text); }

/* This run's proxy credentials (net/proxyauth.h): the developer's corral
 * makes them, NET_PROXY_TOKEN_LEN hex digits of the kernel's randomness,
 * and runs the proxy that checks them; the runner, planning again, finds
 * them in the environment corral planned and sent (its CORRAL_PROXY). */
static int proxy_token(const char *const *environ_in, char token[static NET_PROXY_TOKEN_LEN + 1],
                       corral_error *err) {
        for (size_t i = 0; environ_in && environ_in[i]; i++)
                if (net_proxy_env_token(environ_in[i], token))
                        return 0;
        uint8_t rnd[NET_PROXY_TOKEN_LEN / 2];
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
                return error_set(err, -EIO, "network proxy: no random bytes for the proxy's credentials: %s",
                                 strerror(errno));
        for (size_t i = 0; i < sizeof(rnd); i++)
                snprintf(token + 2 * i, 3, "%02x", rnd[i]);
        return 0;
}

int plan_build_nonamespace(const policy *p, size_t n_dev_roots, char *const *argv, const char *const *environ_in,
                           plan *pl, corral_error *err) {
        *pl = (plan){.backend = BACKEND_USERS, .nonamespace = true};
        int r;
        if (plan_copy_policy(p, pl) < 0)
                return oom(err);
        /* What the reports of hidden reads judge by (supervise/denials.c):
         * the deny-read paths nonamespace_check_reads() looked at, which the
         * sandbox user's file permissions refuse. */
        for (size_t i = 0; i < p->deny_read.n; i++) {
                struct stat st;
                if (below_any(p->deny_read.v[i], &p->allow_read) || lstat(p->deny_read.v[i], &st) < 0)
                        continue;
                if (strv_push(&pl->hidden, p->deny_read.v[i]) < 0)
                        return oom(err);
                for (size_t a = 0; a < p->allow_read.n; a++)
                        if (path_is_below_or_equal(p->allow_read.v[a], p->deny_read.v[i]) &&
                            strv_push_unique(&pl->unhidden, p->allow_read.v[a]) < 0)
                                return oom(err);
        }
        /* network = proxy: the listener is on the host's loopback; the
         * firewall and the proxy's check of each connection's owner make it
         * corral-offline's alone (users/client.c checks the port is one the
         * firewall opens) */
        if (p->network == NETWORK_PROXY && p->mode != MODE_FULL_ACCESS) {
                pl->proxy = (plan_proxy){.on = true, .port = PROXY_PORT, .host = true};
                if ((r = proxy_token(environ_in, pl->proxy.token, err)) < 0)
                        return r;
        }
        if (p->git == GIT_COMMITS && p->mode == MODE_WORKSPACE_WRITE)
                return error_set(err, -EOPNOTSUPP,
                                 "--git commits needs mount namespaces (user namespaces are blocked here): without "
                                 "them git's config and hooks cannot stay read-only inside a writable .git; use "
                                 "--git read-only, or a machine where user namespaces work");
        for (size_t i = 0; argv && argv[i]; i++)
                if (strv_push(&pl->argv, argv[i]) < 0)
                        return oom(err);
        if ((r = plan_environment(p, environ_in, pl, err)) < 0 || (r = plan_exec_candidates(pl, err)) < 0)
                return r;
        for (int i = 0; i < N_LIMITS; i++)
                if (p->limits.v[i])
                        return error_set(err, -EOPNOTSUPP,
                                         "limits.%s: resource limits are not enforced without namespaces (user "
                                         "namespaces are blocked here) yet",
                                         policy_limit_to_string((policy_limit)i));
        if (note(pl, "no namespaces (user namespaces are blocked here): the command runs as the sandbox user "
                     "in the host's mount, pid, network and IPC namespaces; it sees every process in /proc") < 0)
                return oom(err);

        /* /tmp: there is no private one. TMPDIR points into the sandbox
         * user's cache: this workspace's directory there (tmp=workspace) or
         * a fresh one removed after the run (private, and read-only mode);
         * the host's /tmp is writable only with tmp=host. */
        bool host_tmp = p->tmp == TMP_HOST && p->mode == MODE_WORKSPACE_WRITE;
        if (p->home && !host_tmp) {
                const char *kind = p->tmp == TMP_WORKSPACE && p->mode != MODE_READ_ONLY ? "tmp" : "private";
                char hash[33];
                sha256_hex(p->workspace, 16, hash); /* as plan_userns.c names it */
                if (asprintf(&pl->state_dir, "%s/.cache/corral/workspaces/%s", p->home, hash) < 0 ||
                    (strcmp(kind, "tmp") == 0 ? asprintf(&pl->tmp_dir, "%s/tmp", pl->state_dir)
                                              : asprintf(&pl->tmp_dir, "%s/private.%d", pl->state_dir,
                                                         (int)getpid())) < 0)
                        return oom(err);
                if (env_replace(&pl->env, "TMPDIR", pl->tmp_dir) < 0)
                        return oom(err);
        } else if (!host_tmp)
                return error_set(err, -ENOENT, "no home for the sandbox's temporary directory");

        if (p->mode == MODE_FULL_ACCESS)
                return note(pl, "full-access: no filesystem, network or system-call restriction; without a pid "
                                "namespace the supervisor (a child subreaper) still kills the whole tree") < 0
                               ? oom(err)
                               : 0;
        pl->confine = true;
        /* the supervisor (supervise/subreaper.c) answers the listener and
         * the runner sends corral the reports, as with namespaces */
        pl->report_denials = p->report_denials;
        pl->landlock_abi = landlock_abi_version();
        pl->landlock_scopes = pl->landlock_abi >= 6;
        if (!pl->landlock_scopes)
                return error_set(err, -EOPNOTSUPP,
                                 "without namespaces the users backend needs Landlock ABI 6 (Linux 6.12): Landlock "
                                 "is then the only write boundary beyond file permissions, and its scopes keep the "
                                 "command from signalling its supervisor or reaching abstract unix sockets; this "
                                 "kernel has ABI %d",
                                 pl->landlock_abi);

        strv excl = {0};
        if (excluded_paths(p, n_dev_roots, &excl) < 0) {
                strv_clear(&excl);
                return oom(err);
        }
        /* Protected names that exist below the top (protect_depth): excluded
         * too. Missing ones there cannot be kept from being created. */
        nested_scan scan = {0};
        if ((r = nested_scan_roots(&pl->policy.nested, &scan, err)) < 0) {
                nested_scan_free(&scan);
                strv_clear(&excl);
                return r;
        }
        for (size_t i = 0; i < scan.found.n && r >= 0; i++)
                r = strv_push_unique(&excl, scan.found.v[i]);
        if (r < 0) {
                nested_scan_free(&scan);
                strv_clear(&excl);
                return oom(err);
        }
        r = git_excluded(p, n_dev_roots, &scan.found, environ_in, &excl, pl, err);
        nested_scan_free(&scan);
        if (r < 0) {
                strv_clear(&excl);
                return r;
        }
        /* corral's own state in the sandbox user's cache (placeholder
         * journal, parked placeholders, the kept nested scan) is read by
         * later runs with namespaces: read-only, as it is there; TMPDIR in
         * it gets its own rule below. */
        if (p->home) {
                char *state_root = path_join(p->home, ".cache/corral");
                r = state_root ? strv_push_take(&excl, state_root) : -ENOMEM;
        }
        if (r < 0) {
                strv_clear(&excl);
                return oom(err);
        }
        /* what the reports judge a refused write by (supervise/denials.c) */
        r = strv_extend(&pl->nons_kept, &excl) < 0 || strv_extend(&pl->nons_roots, &p->writable_roots) < 0
                    ? -ENOMEM
                    : 0;
        if (r < 0) {
                strv_clear(&excl);
                return oom(err);
        }
        for (size_t w = 0; w < p->writable_roots.n && r >= 0; w++)
                r = expand(pl, p->writable_roots.v[w], &excl,
                           w < n_dev_roots ? plan_strf(pl, "writable root %s (protected names excluded)",
                                                       p->writable_roots.v[w])
                                           : "the sandbox user's cache",
                           err);
        strv_clear(&excl);
        if (r < 0)
                return r;
        if (host_tmp) {
                if (plan_rule(pl, "/tmp", LL_WRITE_ALL, "the host's /tmp (tmp=host)") < 0 ||
                    plan_rule(pl, "/dev/shm", LL_WRITE_ALL, "the host's /dev/shm (tmp=host)") < 0)
                        return oom(err);
        } else if (plan_rule(pl, plan_str(pl, pl->tmp_dir), LL_WRITE_ALL, "TMPDIR") < 0)
                return oom(err);
        if (plan_rule(pl, "/dev", LL_WRITE_FILE | LL_IOCTL_DEV, "device nodes and terminals") < 0 ||
            plan_rule(pl, "/proc", LL_WRITE_FILE, "the command's own /proc entries") < 0)
                return oom(err);

        if (p->report_denials &&
            note(pl, p->report_denials == DENIALS_ALL
                             ? "denial reports: on, all (writes, creations, removals and connects that the plan refuses, "
                               "opens of deny-read paths that file permissions refuse, and refused system calls, are "
                               "reported at the end; the kernel still decides; chmod is not reported: without a "
                               "mount namespace only file ownership refuses it)"
                             : "denial reports: on, writes (writes, creations, removals and connects that the plan "
                               "refuses, and refused system calls, are reported at the end; opens of deny-read paths "
                               "are not: that needs report_denials = \"all\"; the kernel still decides; chmod is "
                               "not reported: without a mount namespace only file ownership refuses it)") < 0)
                return oom(err);
        if (note(pl, "writes: only where the sandbox user's file permissions allow (no idmapped mounts "
                     "without a user namespace) and Landlock grants: directly in a writable root nothing can be "
                     "created, removed or renamed (that is how protected names, existing or missing, stay "
                     "unwritable); its files and subdirectories stay writable") < 0 ||
            note(pl, host_tmp ? "/tmp and /dev/shm are the host's, shared and writable"
                              : "/tmp and /dev/shm are the host's and read-only; TMPDIR is the sandbox user's own "
                                "directory") < 0 ||
            note(pl, "process: no capability is permitted, effective or inheritable; the bounding set stays (emptying "
                     "it needs CAP_SETPCAP) and no_new_privs keeps exec from using it") < 0 ||
            note(pl, "protected names below the top of a writable root (protect_depth) are protected where they "
                     "exist; one the command creates there is not reported after the run") < 0 ||
            note(pl, "deny-read: file permissions only (another uid); the runner refuses the run when a "
                     "deny-read path is readable by the sandbox user") < 0 ||
            note(pl, "network: the firewall on corral-offline is the only boundary (no network namespace); "
                     "host unix sockets are reachable as their permissions allow any other local user") < 0)
                return oom(err);
        return 0;
}

/* Directories the command must traverse (ancestors of what it works in). */
static bool needed_ancestor(const policy *p, const char *path) {
        if (path_is_below_or_equal(p->workspace, path) || (p->cwd && path_is_below_or_equal(p->cwd, path)))
                return true;
        for (size_t i = 0; i < p->allow_read.n; i++)
                if (path_is_below_or_equal(p->allow_read.v[i], path))
                        return true;
        return false;
}

int nonamespace_check_reads(const policy *p, corral_error *err) {
        for (size_t i = 0; i < p->deny_read.n; i++) {
                const char *path = p->deny_read.v[i];
                struct stat st;
                if (below_any(path, &p->allow_read) || lstat(path, &st) < 0)
                        continue; /* carved back out, or missing (or unreachable: unreadable then) */
                int mode = R_OK;
                if (S_ISDIR(st.st_mode) && !needed_ancestor(p, path))
                        mode |= X_OK; /* traversable: its files could be read by name */
                bool exposed = access(path, R_OK) == 0 || (S_ISDIR(st.st_mode) && (mode & X_OK) && access(path, X_OK) == 0);
                if (exposed)
                        return error_set(err, -EACCES,
                                         "without namespaces nothing can be hidden: the deny-read path %s is %s by "
                                         "the sandbox user (make it private, e.g. chmod go-rwx, or remove the ACL "
                                         "entry that grants it)",
                                         path, S_ISDIR(st.st_mode) ? "readable or traversable" : "readable");
        }
        return 0;
}
