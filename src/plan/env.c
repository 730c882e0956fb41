/* SPDX-License-Identifier: MIT
 * The command's environment and where its program is found. Pure: computed
 * from the policy and the caller's environment, before anything runs. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/plan.h"
#include "net/proxyenv.h"


static bool env_name_eq(const char *entry, const char *name, size_t len) {
        return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

static bool dropped(const policy *p, const char *name) {
        if (strv_contains(&p->env_keep, name))
                return false;
        for (size_t i = 0; i < p->env_drop.n; i++)
                if (fnmatch(p->env_drop.v[i], name, 0) == 0)
                        return true;
        return false;
}

/* Sets NAME=value, replacing an existing entry. */
static int env_put(strv *env, const char *assignment) {
        size_t len = strcspn(assignment, "=");
        for (size_t i = 0; i < env->n; i++)
                if (env_name_eq(env->v[i], assignment, len)) {
                        char *c = strdup(assignment);
                        if (!c)
                                return -ENOMEM;
                        free(env->v[i]);
                        env->v[i] = c;
                        return 0;
                }
        return strv_push(env, assignment);
}

int plan_environment(const policy *p, const char *const *environ_in, plan *pl, corral_error *err) {
        int r = 0;
        for (size_t i = 0; environ_in && environ_in[i]; i++) {
                const char *e = environ_in[i];
                const char *eq = strchr(e, '=');
                if (!eq)
                        continue;
                char name[256];
                size_t len = (size_t)(eq - e);
                if (len == 0 || len >= sizeof(name))
                        continue;
                memcpy(name, e, len);
                name[len] = 0;
                if (p->mode != MODE_FULL_ACCESS && dropped(p, name))
                        r = strv_push(&pl->env_dropped, name);
                else
                        r = env_put(&pl->env, e);
                if (r < 0)
                        return error_set(err, r, "out of memory");
        }
        for (size_t i = 0; i < p->env_set.n; i++)
                if ((r = env_put(&pl->env, p->env_set.v[i])) < 0)
                        return error_set(err, r, "out of memory");
        bool via_proxy = p->network == NETWORK_PROXY && p->mode != MODE_FULL_ACCESS;
        char entry[192];
        const char *token = pl->proxy.token[0] ? pl->proxy.token : NULL;
        for (size_t i = 0; via_proxy && net_proxy_env(i, PROXY_PORT, token, entry, sizeof(entry)); i++)
                if ((r = env_put(&pl->env, entry)) < 0)
                        return error_set(err, r, "out of memory");
        const char *fixed[] = {
                "CORRAL_SANDBOX=1",
                p->network == NETWORK_ON || p->mode == MODE_FULL_ACCESS ? "CORRAL_NETWORK=on"
                : via_proxy                                             ? "CORRAL_NETWORK=proxy"
                                                                        : "CORRAL_NETWORK=off",
                p->tmp == TMP_HOST && p->mode != MODE_READ_ONLY ? NULL : "TMPDIR=/tmp",
        };
        for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
                if (fixed[i] && (r = env_put(&pl->env, fixed[i])) < 0)
                        return error_set(err, r, "out of memory");
        return 0;
}

/* Like execvp: a name with a slash is used as is; otherwise each PATH entry
 * is a candidate. The child tries them in order without allocating. */
int plan_exec_candidates(plan *pl, corral_error *err) {
        if (pl->argv.n == 0)
                return 0;
        const char *cmd = pl->argv.v[0];
        if (cmd[0] == 0)
                return error_set(err, -ENOENT, "the command is an empty string");
        if (strchr(cmd, '/'))
                return strv_push(&pl->exec_candidates, cmd) < 0 ? oom(err) : 0;
        const char *path = env_get((const char *const *)pl->env.v, "PATH");
        if (!path)
                path = "/usr/local/bin:/usr/bin:/bin";
        while (*path) {
                size_t len = strcspn(path, ":");
                char *c = NULL;
                if (asprintf(&c, "%.*s/%s", (int)len, len ? path : ".", cmd) < 0 ||
                    strv_push_take(&pl->exec_candidates, c) < 0)
                        return oom(err);
                path += len;
                if (*path == ':')
                        path++;
        }
        return 0;
}
