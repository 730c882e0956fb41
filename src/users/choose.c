/* SPDX-License-Identifier: MIT
 * Which backend runs a policy and why; the users backend's part of the plan
 * (users/choose.h). */
#include "users/choose.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/macro.h"
#include "common/path.h"
#include "kernel/probe.h"
#include "users/client.h"
#include "users/grants.h"
#include "users/request.h"

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

static bool below_any_root(const char *path, const strv *roots) {
        for (size_t i = 0; i < roots->n; i++)
                if (path_is_below_or_equal(path, roots->v[i]))
                        return true;
        return false;
}

/* The request corral-runner is sent: the policy, the sandbox user, the
 * environment and the command. With one deny-read path more: the
 * developer's own state (that bookkeeping, the kept scan) when a writable
 * root holds it (-w ~/.cache): the runner's plan knows only the sandbox
 * user's, and the idmapped root would make it writable inside. And what
 * this plan, made as the developer, found of git's layout in the writable
 * roots (policy.git_known): the runner reads as the sandbox user, who may
 * not read a private ~/.gitconfig or include that names a hooks path. */
static int encode_request(const policy *p, uint32_t identity, plan *pl) {
        policy q = *p;
        strv deny = {0};
        _cleanup_free_ char *state_root = pl->roots_dir ? strdup(pl->roots_dir) : NULL;
        char *slash = state_root ? strrchr(state_root, '/') : NULL;
        bool inside = false;
        if (slash && slash != state_root) {
                *slash = 0;
                for (size_t i = 0; i < p->writable_roots.n; i++)
                        inside |= path_is_below_or_equal(state_root, p->writable_roots.v[i]);
        }
        int r = strv_extend(&deny, &p->deny_read) < 0 || (inside && strv_push(&deny, state_root) < 0) ? -ENOMEM : 0;
        q.deny_read = deny;
        /* corral's own binary, when a writable root holds it: the
         * developer's, which the runner cannot name itself */
        strv known = {0};
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0 && (exe[n] = 0, exe[0] == '/') && below_any_root(exe, &p->writable_roots) && r == 0)
                r = strv_push(&known, exe) < 0 ? -ENOMEM : 0;
        if (r == 0 && strv_extend(&known, &pl->git_known) < 0)
                r = -ENOMEM;
        q.git_known = known;
        q.git_known_hooks = pl->git_global_hooks;
        if (r == 0)
                r = request_encode(&q, identity, pl->env.v, pl->argv.v, &pl->request, &pl->request_len);
        strv_clear(&deny);
        strv_clear(&known);
        return r;
}

int backend_plan_finish(const policy *p, const backend_choice *c, const char *const *environ_in, plan *pl,
                        corral_error *err) {
        if (!(pl->backend_why = plan_str(pl, c->why)))
                return oom(err);
        if (pl->backend != BACKEND_USERS || !c->have_marker)
                return 0;
        const char *require = env_get(environ_in, "CORRAL_REQUIRE_NAMESPACES");
        if (pl->clone_flags == 0 && require && strcmp(require, "1") == 0)
                return error_set(err, -EOPNOTSUPP,
                                 "user namespaces are blocked here and CORRAL_REQUIRE_NAMESPACES=1: refusing to run "
                                 "without namespaces (`corral doctor` says what that fallback would be)");
        uint32_t identity = p->network == NETWORK_ON || p->mode == MODE_FULL_ACCESS ? IDENTITY_ONLINE : IDENTITY_OFFLINE;
        if (!(pl->run_as = plan_str(pl, c->m.users[identity].name)))
                return oom(err);
        /* First use of a workspace (or root) below a directory the sandbox
         * users cannot pass: passage is granted, once, when the run starts. */
        for (size_t i = 0; i <= p->writable_roots.n; i++) {
                const char *dir = i == 0 ? p->workspace : p->writable_roots.v[i - 1];
                if (!grants_reachable(&c->m, dir) && !strv_contains(&pl->grants, dir) && strv_push(&pl->grants, dir) < 0)
                        return oom(err);
        }
        if (toolchain_env(p, pl) < 0)
                return oom(err);
        return pl->argv.n ? encode_request(p, identity, pl) < 0 ? oom(err) : 0 : 0;
}
