/* SPDX-License-Identifier: MIT
 * libcorral's API (include/corral.h; internal, not installed): glue from a
 * request to config layers, policy, plan and run. No decisions of its own. */
#include "common/timing.h"
#include "corral.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/caches.h"
#include "common/macro.h"
#include "kernel/probe.h"
#include "common/path.h"
#include "config/config.h"
#include "config/request.h"
#include "plan/plan.h"
#include "users/plan_nonamespace.h"
#include "policy/load.h"
#include "users/choose.h"
#include "users/client.h"
#include "supervise/denials.h"
#include "supervise/supervise.h"

struct corral_sandbox {
        policy policy;
        plan plan;
        denials *denials;     /* of the last run */
        corral_denial *cdenials;
        proxy_refusal *refusals; /* of the last run */
        corral_refusal *public_refusals;
        size_t n_refusals;
};

static void free_denials(corral_sandbox *sb) {
        if (sb->denials)
                denials_done(sb->denials);
        free(sb->denials);
        free(sb->cdenials);
        sb->denials = NULL;
        sb->cdenials = NULL;
}

static void sandbox_freep(corral_sandbox **sb) { corral_sandbox_free(*sb); }
static void memo_endp(const bool *on) {
        if (*on)
                path_canon_memo_end();
}

int corral_sandbox_new(const corral_request *req, corral_sandbox **ret, corral_error *err) {
        _cleanup_(sandbox_freep) corral_sandbox *sb = calloc(1, sizeof(*sb));
        if (!sb)
                return oom(err);
        /* policy and plan canonicalize many paths below the same few
         * directories: each of those is looked at once (common/path.h),
         * until this returns */
        path_canon_memo_begin();
        // cppcheck-suppress unreadVariable ; read by its cleanup, which cppcheck does not model
        _cleanup_(memo_endp) bool memo = true;
        int r = policy_load(&req->flags, req->config_file, req->no_workspace_config, &sb->policy, err);
        if (r < 0)
                return r;
        /* which backend, and why (users/choose.h): auto may pick users */
        _cleanup_free_ backend_choice *bc = calloc(1, sizeof(*bc));
        if (!bc)
                return oom(err);
        if ((r = backend_choose(&sb->policy, bc, err)) < 0)
                return r;
        timing_mark(TP_POLICY);
        if (bc->nonamespace)
                r = plan_build_nonamespace(&sb->policy, sb->policy.writable_roots.n, req->argv.v,
                                           (const char *const *)environ, &sb->plan, err);
        else
                r = plan_build(&sb->policy, req->argv.v, (const char *const *)environ, &sb->plan, err);
        if (r >= 0)
                r = backend_plan_finish(&sb->policy, bc, (const char *const *)environ, &sb->plan, err);
        if (r < 0)
                return r;
        timing_mark(TP_PLAN);
        *ret = TAKE_PTR(sb);
        return r;
}

void corral_sandbox_free(corral_sandbox *sb) {
        if (!sb)
                return;
        free_denials(sb);
        plan_free(&sb->plan);
        policy_free(&sb->policy);
        free(sb->refusals);
        free(sb->public_refusals);
        free(sb);
}

int corral_sandbox_explain(const corral_sandbox *sb, FILE *f, bool json) {
        if (json)
                plan_describe_json(&sb->policy, &sb->plan, f);
        else
                plan_describe(&sb->policy, &sb->plan, f);
        return ferror(f) ? -EIO : 0;
}

int corral_sandbox_run(corral_sandbox *sb, bool verbose, corral_status *status, corral_error *err) {
        *status = (corral_status){.backend = policy_backend_to_string(sb->plan.backend),
                                  .proc = sb->plan.proc_shared ? "container" : "own",
                                  .denial_level = policy_report_to_string(sb->policy.report_denials)};
        if (sb->plan.argv.n == 0)
                return error_set(err, -EINVAL, "no command given");
        run_result res;
        int r = sb->plan.backend == BACKEND_USERS ? users_run(&sb->plan, verbose, &res, err)
                                                  : supervise_run(&sb->plan, verbose, &res, err);
        if (r < 0)
                return r;
        status->exit_code = res.exit_code;
        status->signal = res.signal;
        status->timed_out = res.timed_out;
        status->wall_ms = res.wall_ms;
        status->limit = res.limit > 0 ? policy_limit_to_string((policy_limit)(res.limit - 1)) : NULL;
        status->limit_certain = status->limit && res.limit_certain;
        free_denials(sb);
        if ((sb->denials = res.denials)) {
                status->reports = sb->denials->unavailable == NULL;
                sb->cdenials = calloc(sb->denials->n + 1, sizeof(*sb->cdenials));
                for (size_t i = 0; sb->cdenials && i < sb->denials->n; i++) {
                        const denial *d = &sb->denials->v[i];
                        sb->cdenials[i] = (corral_denial){d->op, d->path, d->address, d->rule, d->allow_with, d->syscall};
                }
                status->denials = sb->cdenials;
                status->n_denials = sb->cdenials ? sb->denials->n : 0;
                status->more_denials = sb->denials->more;
                /* here, not in the supervisor: with the users backend that
                 * is corral-runner, which only sends them */
                denials_print(sb->denials, verbose);
        }
        free(sb->refusals);
        free(sb->public_refusals);
        sb->refusals = res.refusals;
        sb->n_refusals = res.n_refusals;
        sb->public_refusals = res.n_refusals ? calloc(res.n_refusals, sizeof(corral_refusal)) : NULL;
        for (size_t i = 0; sb->public_refusals && i < res.n_refusals; i++)
                sb->public_refusals[i] = (corral_refusal){.op = "connect",
                                                          .address = res.refusals[i].address,
                                                          .rule = res.refusals[i].rule,
                                                          .allow_with = res.refusals[i].allow_with,
                                                          .count = res.refusals[i].count};
        status->refusals = sb->public_refusals;
        status->n_refusals = sb->public_refusals ? res.n_refusals : 0;
        return 0;
}

int corral_sandbox_caches(const corral_sandbox *sb, FILE *f, bool json, corral_error *err) {
        return caches_list(&sb->plan, f, json, err);
}

int corral_sandbox_caches_clear(const corral_sandbox *sb, char *const *names, size_t n, FILE *f, corral_error *err) {
        return caches_clear(&sb->plan, names, n, f, err);
}

const char *corral_version(void) { return CORRAL_VERSION; }
