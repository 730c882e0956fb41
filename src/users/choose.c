/* SPDX-License-Identifier: MIT
 * Which backend runs a policy and why; the users backend's part of the plan
 * (users/choose.h). */
#include "users/choose.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/macro.h"
#include "kernel/probe.h"
#include "users/client.h"
#include "users/grants.h"

int backend_choose(policy *p, backend_choice *c, corral_error *err) {
        *c = (backend_choice){0};
        if (p->backend == BACKEND_USERS) {
                int r = users_load(&c->m, err);
                if (r < 0)
                        return r;
                c->have_marker = true;
                snprintf(c->why, sizeof(c->why), "asked for: --backend users");
        } else if (p->backend == BACKEND_USERNS)
                snprintf(c->why, sizeof(c->why), "asked for: --backend userns");
        else if (p->mode == MODE_FULL_ACCESS)
                snprintf(c->why, sizeof(c->why), "auto: full-access runs as you (the users backend is for the "
                                                 "confined modes)");
        else {
                corral_error e = {{0}};
                int r = users_load(&c->m, &e);
                if (r == 0) {
                        p->backend = BACKEND_USERS;
                        c->have_marker = true;
                        snprintf(c->why, sizeof(c->why), "auto: the users backend is installed and usable by you");
                } else
                        snprintf(c->why, sizeof(c->why), "auto: the users backend is not usable here (%s)",
                                 e.msg[0] ? e.msg : strerror(-r));
        }
        /* where user namespaces are blocked, the users backend runs without
         * them (the plan and explain say so) */
        int ns = p->backend == BACKEND_USERS ? userns_probe() : 0;
        if (userns_blocked(ns)) {
                c->nonamespace = true;
                size_t n = strlen(c->why);
                snprintf(c->why + n, sizeof(c->why) - n, "; without namespaces: user namespaces are blocked here (%s)",
                         strerror(ns));
        }
        return 0;
}

static const char *env_get(const char *const *env, const char *name) {
        size_t n = strlen(name);
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
                        return env[i] + n + 1;
        return NULL;
}

/* Toolchains that live in the developer's home and find themselves through
 * these variables (their binaries are on PATH already). */
static int toolchain_env(const policy *p, plan *pl) {
        static const char *const vars[][2] = {{"RUSTUP_HOME", ".rustup"}, {"PYENV_ROOT", ".pyenv"}, {"NVM_DIR", ".nvm"}};
        for (size_t i = 0; p->home && i < ELEMENTSOF(vars); i++) {
                size_t n = strlen(vars[i][0]);
                bool set = false;
                for (size_t k = 0; k < pl->env.n && !set; k++)
                        set = strncmp(pl->env.v[k], vars[i][0], n) == 0 && pl->env.v[k][n] == '=';
                char buf[4200];
                snprintf(buf, sizeof(buf), "%s/%s", p->home, vars[i][1]);
                struct stat st;
                if (set || stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                snprintf(buf, sizeof(buf), "%s=%s/%s", vars[i][0], p->home, vars[i][1]);
                if (strv_push(&pl->env, buf) < 0 || strv_push(&pl->env_added, buf) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int backend_plan_finish(const policy *p, const backend_choice *c, const char *const *environ_in, plan *pl,
                        corral_error *err) {
        if (!(pl->backend_why = plan_str(pl, c->why)))
                return error_set(err, -ENOMEM, "out of memory");
        if (pl->backend != BACKEND_USERS || !c->have_marker)
                return 0;
        const char *require = env_get(environ_in, "CORRAL_REQUIRE_NAMESPACES");
        if (pl->clone_flags == 0 && require && strcmp(require, "1") == 0)
                return error_set(err, -EOPNOTSUPP,
                                 "user namespaces are blocked here and CORRAL_REQUIRE_NAMESPACES=1: refusing to run "
                                 "without namespaces (`corral doctor` says what that fallback would be)");
        uint32_t identity = p->network == NETWORK_ON || p->mode == MODE_FULL_ACCESS ? IDENTITY_ONLINE : IDENTITY_OFFLINE;
        if (!(pl->run_as = plan_str(pl, c->m.users[identity].name)))
                return error_set(err, -ENOMEM, "out of memory");
        /* First use of a workspace (or root) below a directory the sandbox
         * users cannot pass: passage is granted, once, when the run starts. */
        for (size_t i = 0; i <= p->writable_roots.n; i++) {
                const char *dir = i == 0 ? p->workspace : p->writable_roots.v[i - 1];
                if (!grants_reachable(&c->m, dir) && !strv_contains(&pl->grants, dir) && strv_push(&pl->grants, dir) < 0)
                        return error_set(err, -ENOMEM, "out of memory");
        }
        if (toolchain_env(p, pl) < 0)
                return error_set(err, -ENOMEM, "out of memory");
        return 0;
}
