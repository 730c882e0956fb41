/* SPDX-License-Identifier: MIT
 * The public API (include/corral.h) on Windows: the same request, config
 * layers and policy as on Linux (src/config, src/policy), then the Windows
 * plan, apply and supervise. No decisions of its own. */
#include "corral.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "windows/acl_win.h"
#include "windows/apply_win.h"
#include "windows/sid_win.h"
#include "common/macro.h"
#include "common/path.h"
#include "windows/wide_win.h"
#include "config/config.h"
#include "config/request.h"
#include "windows/plan_win.h"
#include "windows/wpath_win.h"
#include "policy/load.h"
#include "windows/credentials_win.h"
#include "windows/marker_win.h"
#include "windows/gitcheck_win.h"
#include "windows/gitmarker_win.h"
#include "windows/newrepo_win.h"
#include "windows/supervise_win.h"
#include "windows/proxy_win.h"
#include "common/warn.h"

struct corral_sandbox {
        policy policy;
        win_plan plan;
        /* what the plan is made from, to make it again (a run that died
         * left placeholders or an unchecked --git commits run) */
        strv argv, env;
        win_marker setup_marker;
        bool has_setup, allow_advisory_network;
        char setup_problem[1024];
        net_refusal *refused;    /* what the proxy refused (network = proxy), for the status */
        corral_refusal *refusals;
        size_t n_refusals;
};

/* The process environment as UTF-8 "NAME=value" strings. */
static int environment(strv *env) {
        wchar_t *block = GetEnvironmentStringsW();
        if (!block)
                return -ENOMEM;
        int r = 0;
        for (wchar_t *p = block; *p; p += wcslen(p) + 1) {
                char *s = win_utf8(p);
                if (s && strv_push_take(env, s) < 0) {
                        r = -ENOMEM;
                        break;
                }
        }
        FreeEnvironmentStringsW(block);
        return r;
}

/* The users backend is usable when setup's marker is valid and this account
 * holds the credentials. */
static const win_marker *users_setup(win_marker *m, char *problem, size_t size) {
        corral_error e = {{0}};
        win_credentials c;
        if (win_marker_read(m, &e) < 0 || cred_load(NULL, &c, &e) < 0) {
                snprintf(problem, size, "%s", e.msg);
                return NULL;
        }
        SecureZeroMemory(&c, sizeof(c));
        return m;
}

static int plan(corral_sandbox *sb, corral_error *err) {
        return win_plan_build(&sb->policy, sb->has_setup ? &sb->setup_marker : NULL, sb->setup_problem,
                              sb->allow_advisory_network, sb->argv.v, (const char *const *)sb->env.v, &sb->plan, err);
}

int corral_sandbox_new(const corral_request *req, corral_sandbox **ret, corral_error *err) {
        corral_sandbox *sb = calloc(1, sizeof(*sb));
        if (!sb)
                return oom(err);
        int r = policy_load(&req->flags, req->config_file, req->no_workspace_config, &sb->policy, err);
        if (r < 0)
                goto out;
        if ((r = environment(&sb->env)) < 0) {
                r = error_set(err, r, "cannot read the environment");
                goto out;
        }
        if (strv_extend(&sb->argv, &req->argv) < 0) {
                r = oom(err);
                goto out;
        }
        sb->has_setup = users_setup(&sb->setup_marker, sb->setup_problem, sizeof(sb->setup_problem)) != NULL;
        sb->allow_advisory_network = req->allow_advisory_network;
        if ((r = plan(sb, err)) < 0)
                goto out;
        *ret = TAKE_PTR(sb);
out:
        corral_sandbox_free(sb);
        return r;
}

void corral_sandbox_free(corral_sandbox *sb) {
        if (!sb)
                return;
        win_plan_free(&sb->plan);
        policy_free(&sb->policy);
        strv_clear(&sb->argv);
        strv_clear(&sb->env);
        free(sb->refused);
        free(sb->refusals);
        free(sb);
}

int corral_sandbox_explain(const corral_sandbox *sb, FILE *f, bool json) {
        if (json)
                win_plan_describe_json(&sb->plan, f);
        else
                win_plan_describe(&sb->plan, f);
        return ferror(f) ? -EIO : 0;
}

/* The proxy's refusals, copied: the status points into them. */
static void collect_refusals(corral_sandbox *sb, win_proxy *px) {
        size_t n = 0;
        const net_refusal *r = win_proxy_refusals(px, &n);
        if (!n || !(sb->refused = calloc(n, sizeof(*r))) || !(sb->refusals = calloc(n, sizeof(*sb->refusals))))
                return;
        memcpy(sb->refused, r, n * sizeof(*r));
        for (size_t i = 0; i < n; i++)
                sb->refusals[i] = (corral_refusal){.op = "connect", .address = sb->refused[i].address,
                                                   .rule = sb->refused[i].rule, .allow_with = sb->refused[i].allow_with,
                                                   .count = sb->refused[i].count};
        sb->n_refusals = n;
}

int corral_sandbox_run(corral_sandbox *sb, bool verbose, corral_status *status, corral_error *err) {
        const win_plan *pl = &sb->plan;
        /* the level asked for; the Windows backends make no reports
         * (reports false), which the record then says as on Linux */
        *status = (corral_status){.backend = win_backend_name(pl->backend),
                                  .denial_level = policy_report_to_string(sb->policy.report_denials)};
        if (pl->argv.n == 0)
                return error_set(err, -EINVAL, "no command given");
        for (size_t i = 0; i < pl->not_enforced.n; i++)
                corral_warn("warning: not enforced: %s", pl->not_enforced.v[i]);
        /* A run of this workspace whose corral was killed: its
         * placeholders go, its --git commits check is done, and this run's
         * plan (which took its placeholders for existing names, and what it
         * left for the developer's) is made again. */
        bool swept = win_apply_sweep_crashed(pl);
        if (win_gitmarker_check_dead(pl) || swept) {
                win_plan_free(&sb->plan);
                int again = plan(sb, err);
                if (again < 0)
                        return again;
        }
        /* network = proxy: the listener first, so that a port another
         * program holds stops the run before anything changes */
        win_proxy *px = NULL;
        int r;
        if (pl->proxy && pl->backend != WIN_BACKEND_FULL) {
                if ((r = win_proxy_new(&sb->policy, pl->proxy_port, &px, err)) < 0)
                        return r;
                if (!pl->proxy_port && win_plan_proxy_env(&sb->plan, win_proxy_port(px)) < 0) {
                        win_proxy_free(px);
                        return oom(err);
                }
        }
        win_applied st;
        r = win_apply_host(pl, verbose, &st, err);
        job_result res = {0};
        if (r == 0) {
                win_gitmarker marker;
                win_gitmarker_begin(pl, &marker); /* (none without gitdirs to check) */
                r = win_supervise_run(pl, &st, px, verbose, &res, err);
                win_gitcheck_after_run(pl); /* --git commits: while the gitdirs are still this run's */
                win_gitmarker_end(&marker);
                win_newrepo_after_run(&sb->policy, pl); /* the repositories it made in the roots */
        }
        win_apply_cleanup(&st);
        if (px) {
                win_proxy_stop(px);
                collect_refusals(sb, px);
                win_proxy_free(px);
                status->refusals = sb->refusals;
                status->n_refusals = sb->n_refusals;
        }
        if (r < 0)
                return r;
        status->exit_code = res.exit_code;
        status->timed_out = res.timed_out;
        status->wall_ms = res.wall_ms;
        return 0;
}

/* corral grant --read DIR: an inheritable read ACE for the sandbox group
 * (the users backend's sandbox users read only what is granted). */
int corral_grant(const char *dir, bool read, corral_error *err) {
        win_marker m;
        int r;
        if ((r = win_marker_read(&m, err)) < 0)
                return r;
        _cleanup_free_ char *abs = path_canonicalize(dir);
        _cleanup_free_ char *final = NULL;
        if (!abs)
                return error_set(err, -errno, "%s: %s", dir, strerror(errno));
        if ((r = wpath_check_lexical(abs, "grant", err)) < 0 || (r = wpath_final_local(abs, "grant", &final, err)) < 0)
                return r;
        PSID group;
        if ((r = sid_from_string(m.group_sid, &group, err)) < 0)
                return r;
        DWORD mask = read ? ACL_READ_ALLOW : FILE_TRAVERSE | FILE_READ_ATTRIBUTES | SYNCHRONIZE;
        corral_warn("granting %s on %s to %s (inherited below; once)", read ? "read" : "traverse", final,
                m.group);
        r = acl_path_allow(final, &group, 1, mask, err);
        free(group);
        return r;
}

/* corral revoke DIR: the sandbox group's ACEs (grant) and DIR's capability
 * ACE (a writable root's grant); works without setup too (the unelevated
 * mode's grants). */
int corral_revoke(const char *dir, corral_error *err) {
        win_marker m;
        int r;
        _cleanup_free_ char *abs = path_canonicalize(dir);
        _cleanup_free_ char *final = NULL;
        if (!abs)
                return error_set(err, -errno, "%s: %s", dir, strerror(errno));
        if ((r = wpath_check_lexical(abs, "revoke", err)) < 0 || (r = wpath_final_local(abs, "revoke", &final, err)) < 0)
                return r;
        if (win_marker_read(&m, NULL) == 0) {
                PSID group;
                if ((r = sid_from_string(m.group_sid, &group, err)) < 0)
                        return r;
                r = acl_path_remove(final, group, err);
                free(group);
                if (r < 0)
                        return r;
        }
        PSID cap;
        if ((r = sid_for_root(final, &cap, err)) < 0)
                return r;
        r = acl_path_remove(final, cap, err);
        /* the deny ACEs recorded for protected names in that root */
        _cleanup_free_ char *cap_s = sid_to_string(cap);
        const char *base = getenv("LOCALAPPDATA");
        char file[2048];
        snprintf(file, sizeof(file), "%s/corral/grants.txt", base ? base : ".");
        _cleanup_free_ wchar_t *wf = win_wide(file);
        FILE *f = wf && cap_s ? _wfopen(wf, L"r") : NULL;
        char line[4400];
        while (r == 0 && f && fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\r\n")] = 0;
                char *sid = strchr(line, ' '), *path = sid ? strchr(sid + 1, ' ') : NULL;
                if (!path || line[0] != 'D')
                        continue;
                *path++ = 0;
                if (strcmp(sid + 1, cap_s) == 0)
                        acl_path_remove(path, cap, NULL);
        }
        if (f)
                fclose(f);
        free(cap);
        if (r == 0)
                corral_warn("revoked corral's ACEs on %s", final);
        return r;
}

const char *corral_version(void) { return CORRAL_VERSION; }
