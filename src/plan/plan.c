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
        strv_clear(&pl->exec_candidates);
        strv_clear(&pl->argv);
        strv_clear(&pl->strings);
        strv_clear(&pl->notes);
        strv_clear(&pl->git_repos);
        strv_clear(&pl->gitlink_worktrees);
        strv_clear(&pl->gitlink_indexes);
        strv_clear(&pl->gitlinks);
        strv_clear(&pl->gitlink_repos);
        *pl = (plan){0};
}
