/* SPDX-License-Identifier: MIT
 * Plan storage: appending operations and rules, interning strings. */
#include "plan/plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(void **items, size_t *cap, size_t n, size_t size) {
        if (n < *cap)
                return 0;
        size_t ncap = *cap ? *cap * 2 : 32;
        void *p = realloc(*items, ncap * size);
        if (!p)
                return -ENOMEM;
        memset((char *)p + *cap * size, 0, (ncap - *cap) * size);
        *items = p;
        *cap = ncap;
        return 0;
}

const char *plan_str(plan *pl, const char *s) {
        if (!s || strv_push(&pl->strings, s) < 0)
                return NULL;
        return pl->strings.v[pl->strings.n - 1];
}

const char *plan_strf(plan *pl, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0 || strv_push_take(&pl->strings, s) < 0)
                return NULL;
        return pl->strings.v[pl->strings.n - 1];
}

mount_op *plan_op(plan *pl, mount_op_kind kind, const char *why) {
        if (grow((void **)&pl->ops, &pl->cap_ops, pl->n_ops, sizeof(mount_op)) < 0)
                return NULL;
        mount_op *op = &pl->ops[pl->n_ops++];
        *op = (mount_op){.kind = kind, .slot = -1, .why = why};
        return op;
}

mount_op *plan_op_at(plan *pl, size_t at, mount_op_kind kind, const char *why) {
        if (at > pl->n_ops || !plan_op(pl, kind, why))
                return NULL;
        mount_op op = pl->ops[pl->n_ops - 1];
        memmove(&pl->ops[at + 1], &pl->ops[at], (pl->n_ops - 1 - at) * sizeof(mount_op));
        pl->ops[at] = op;
        return &pl->ops[at];
}

int plan_rule(plan *pl, const char *path, unsigned access, const char *why) {
        if (!path)
                return -ENOMEM;
        if (grow((void **)&pl->rules, &pl->cap_rules, pl->n_rules, sizeof(landlock_rule)) < 0)
                return -ENOMEM;
        pl->rules[pl->n_rules++] = (landlock_rule){.path = path, .access = access, .why = why};
        return 0;
}

int plan_rule_object(plan *pl, const char *path, unsigned access, const char *why, const struct stat *st) {
        int r = plan_rule(pl, path, access, why);
        if (r == 0) {
                landlock_rule *rule = &pl->rules[pl->n_rules - 1];
                rule->verify = true, rule->dev = st->st_dev, rule->ino = st->st_ino;
        }
        return r;
}

int plan_new_slot(plan *pl) { return pl->n_slots++; }

void plan_free(plan *pl) {
        if (!pl)
                return;
        free(pl->ops);
        free(pl->rules);
        for (size_t i = 0; i < pl->n_placeholders; i++) {
                free(pl->placeholders[i].path);
                free(pl->placeholders[i].name);
        }
        free(pl->placeholders);
        nested_scan_free(&pl->nested);
        strv_clear(&pl->nons_roots);
        strv_clear(&pl->nons_kept);
        strv_clear(&pl->hidden);
        strv_clear(&pl->unhidden);
        strv_clear(&pl->unreachable);
        free(pl->protected);
        free(pl->state_dir);
        free(pl->roots_dir);
        free(pl->tmp_dir);
        free(pl->caches);
        free(pl->caches_dir);
        free(pl->limits.cgroup_parent);
        strv_clear(&pl->env);
        strv_clear(&pl->env_dropped);
        strv_clear(&pl->env_added);
        strv_clear(&pl->grants);
        free(pl->request);
        strv_clear(&pl->exec_candidates);
        strv_clear(&pl->argv);
        strv_clear(&pl->strings);
        strv_clear(&pl->notes);
        strv_clear(&pl->git_repos);
        strv_clear(&pl->git_global_hooks);
        strv_clear(&pl->git_known);
        strv_clear(&pl->git_overlays);
        free(pl->git_run_dir);
        strv_clear(&pl->gitlink_worktrees);
        strv_clear(&pl->gitlink_indexes);
        strv_clear(&pl->gitlinks);
        strv_clear(&pl->gitlink_repos);
        plan_policy *q = &pl->policy;
        free(q->workspace);
        free(q->cwd);
        free(q->home);
        free(q->report_home);
        free(q->caches_dir);
        strv_clear(&q->deny_read);
        strv_clear(&q->held_roots);
        strv_clear(&q->allow_domains);
        strv_clear(&q->deny_domains);
        nested_rules_free(&q->nested);
        *pl = (plan){0};
}

static int dup_or_null(const char *s, char **ret) {
        *ret = s ? strdup(s) : NULL;
        return s && !*ret ? -ENOMEM : 0;
}

int plan_copy_policy(const policy *p, plan *pl) {
        plan_policy *q = &pl->policy;
        *q = (plan_policy){.mode = p->mode,
                           .network = p->network,
                           .tmp = p->tmp,
                           .timeout_ms = p->timeout_ms,
                           .report_denials = p->report_denials,
                           .n_allow_ports = p->n_allow_ports};
        memcpy(q->allow_ports, p->allow_ports, sizeof(q->allow_ports));
        if (dup_or_null(p->workspace, &q->workspace) < 0 || dup_or_null(p->cwd, &q->cwd) < 0 ||
            dup_or_null(p->home, &q->home) < 0 || dup_or_null(p->report_home, &q->report_home) < 0 ||
            dup_or_null(p->caches_dir, &q->caches_dir) < 0 || strv_extend(&q->deny_read, &p->deny_read) < 0 ||
            strv_extend(&q->held_roots, &p->held_roots) < 0 ||
            strv_extend(&q->allow_domains, &p->allow_domains) < 0 ||
            strv_extend(&q->deny_domains, &p->deny_domains) < 0 || nested_rules_from(p, &q->nested) < 0)
                return -ENOMEM;
        return 0;
}

net_rules plan_net_rules(const plan *pl) {
        return (net_rules){&pl->policy.allow_domains, &pl->policy.deny_domains, pl->policy.allow_ports,
                           pl->policy.n_allow_ports};
}
