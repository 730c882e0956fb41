/* SPDX-License-Identifier: MIT
 * From config layers to one policy: defaults < user < workspace < flags.
 *
 *   1. the workspace and cwd, canonical and existing;
 *   2. whether the user config trusts this workspace;
 *   3. if not, the workspace config may only narrow what defaults + user
 *      allow (checked key by key; the first widening is refused, -EPERM);
 *   4. scalars: the last layer that sets one wins; lists accumulate;
 *   5. paths made absolute and canonical, broad writable roots refused
 *      (/, home and its ancestors, and roots holding a PATH directory or
 *      the config home: policy/plant.h; PATH directories strictly below the
 *      workspace are the project's own and left out),
 *      /tmp settled for read-only mode. */
#include "resolve.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/macro.h"
#include "common/path.h"
#include "net/domain.h"
#include "policy/plant.h"

/* Used when no layer (not even the defaults) sets a scalar. */
#define FALLBACK_MODE MODE_WORKSPACE_WRITE
#define FALLBACK_NETWORK NETWORK_OFF
#define FALLBACK_TMP TMP_WORKSPACE

enum { LAYER_DEFAULTS, LAYER_USER, LAYER_WORKSPACE, LAYER_FLAGS, N_LAYERS };


/* -errno after a failed call, and never 0: a failure must not read as success. */
static int neg_errno(void) { return errno > 0 ? -errno : -EIO; }

static const char *source_of(const config_layer *l) {
        if (l->source)
                return l->source;
        switch (l->origin) {
        case ORIGIN_DEFAULTS:
                return "built-in defaults";
        case ORIGIN_USER:
                return "user config";
        case ORIGIN_WORKSPACE:
                return "workspace config";
        case ORIGIN_FLAGS:
                break;
        }
        return "command line";
}

/* "FILE:LINE" or, without a line, "FILE" / "command line". */
static const char *where(const config_layer *l, int line, char *buf, size_t size) {
        if (line > 0)
                snprintf(buf, size, "%s:%d", source_of(l), line);
        else
                snprintf(buf, size, "%s", source_of(l));
        return buf;
}

static bool needs_home(const char *path) {
        _cleanup_free_ char *e = path_expand_home(path, "/");
        return e && strcmp(e, path) != 0;
}

/* Canonical directory that must exist. what: "workspace", "cwd", ... */
static int existing_dir(const char *path, const char *what, const char *origin, char **ret, corral_error *err) {
        _cleanup_free_ char *c = path_canonicalize(path);
        struct stat st;

        if (!c)
                return error_set(err, neg_errno(), "%s%s%s '%s': %s", origin ? origin : "", origin ? ": " : "", what,
                                 path, strerror(errno));
        if (stat(c, &st) < 0)
                return error_set(err, neg_errno(), "%s%s%s '%s': %s", origin ? origin : "", origin ? ": " : "", what,
                                 path, strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return error_set(err, -ENOTDIR, "%s%s%s '%s' is not a directory", origin ? origin : "",
                                 origin ? ": " : "", what, path);
        *ret = TAKE_PTR(c);
        return 0;
}

static int workspace_path(const config_layer *flags, const char *cwd, char **ret, corral_error *err) {
        const char *w = flags && flags->workspace ? flags->workspace : cwd;
        _cleanup_free_ char *abs = NULL;

        if (!w)
                return error_set(err, -EINVAL, "no workspace: none given and the current directory is unknown");
        if (!path_is_absolute(w) && cwd) {
                if (!(abs = path_join(cwd, w)))
                        return oom(err);
                w = abs;
        }
        return existing_dir(w, "workspace", NULL, ret, err);
}

char *policy_workspace_path(const config_layer *flags, const char *cwd, corral_error *err) {
        char *ret = NULL;
        if (workspace_path(flags, cwd, &ret, err) < 0)
                return NULL;
        return ret;
}

/* --- trust and narrowing ------------------------------------------------ */

static bool trusts(const config_layer *user, const char *workspace, const char *home) {
        for (size_t i = 0; user && i < user->trusted_workspaces.n; i++) {
                const char *t = user->trusted_workspaces.v[i];
                _cleanup_free_ char *e = NULL, *c = NULL;

                if (needs_home(t)) {
                        if (!home || !(e = path_expand_home(t, home)))
                                continue;
                        t = e;
                }
                if (!path_is_absolute(t) || !(c = path_canonicalize(t)))
                        continue;
                if (strcmp(c, workspace) == 0)
                        return true;
        }
        return false;
}

static int mode_rank(policy_mode m) { return (int)m; } /* read-only < workspace-write < full-access */

static int tmp_rank(policy_tmp t) {
        switch (t) {
        case TMP_PRIVATE:
                return 0;
        case TMP_WORKSPACE:
                return 1;
        case TMP_HOST:
                break;
        }
        return 2;
}

static int refuse(corral_error *err, const config_layer *ws, int line, const char *key, const char *workspace,
                  const char *what) {
        char loc[512];
        return error_set(err, -EPERM,
                         "%s: key '%s': %s; a workspace config may only narrow the policy. "
                         "To let this workspace widen it, trust it in your user config with "
                         "[workspaces.\"%s\"] trust = true",
                         where(ws, line, loc, sizeof(loc)), key, what, workspace);
}

/* The network mode the layers ask for: the last layer that sets one wins
 * when it comes after the last that names allow_domains; otherwise (the
 * domains come later, or in the same layer) it is "proxy": naming domains
 * narrows the network to them. */
static policy_network network_of(const config_layer *const *layers, int n) {
        policy_network network = FALLBACK_NETWORK;
        int net_at = -1, domains_at = -1;
        for (int i = 0; i < n; i++) {
                const config_layer *l = layers[i];
                if (!l)
                        continue;
                if (l->has_network) {
                        network = l->network;
                        net_at = i;
                }
                if (l->allow_domains.n > 0)
                        domains_at = i;
        }
        if (domains_at >= 0 && net_at <= domains_at)
                network = NETWORK_PROXY;
        return network;
}

/* An untrusted workspace config's [network]: it may turn the network off,
 * or "on" into "proxy", name deny_domains, and name allow_domains and
 * allow_ports that the defaults and user config already allow. */
static int check_network_narrowing(const config_layer *const layers[N_LAYERS], const char *workspace,
                                   corral_error *err) {
        const config_layer *ws = layers[LAYER_WORKSPACE];
        policy_network base = network_of(layers, LAYER_WORKSPACE);
        policy_network mine = network_of(layers, LAYER_WORKSPACE + 1);
        char what[512];

        if (base == NETWORK_OFF && mine != NETWORK_OFF)
                return refuse(err, ws, ws->allow_domains.n ? ws->line_allow_domains : ws->line_network,
                              ws->allow_domains.n ? "network.allow_domains" : "network", workspace,
                              mine == NETWORK_ON ? "it turns the network on, which the defaults and user config leave off"
                                                 : "it opens the network through the proxy, which the defaults and "
                                                   "user config leave off");
        if (base == NETWORK_PROXY && mine == NETWORK_ON)
                return refuse(err, ws, ws->line_network, "network", workspace,
                              "it turns the network on, where the user config allows only named domains");
        if (base == NETWORK_PROXY)
                for (size_t j = 0; j < ws->allow_domains.n; j++) {
                        bool covered = false;
                        for (int i = LAYER_DEFAULTS; i <= LAYER_USER && !covered; i++)
                                for (size_t k = 0; layers[i] && k < layers[i]->allow_domains.n && !covered; k++)
                                        covered = net_rule_covered_by(ws->allow_domains.v[j],
                                                                      layers[i]->allow_domains.v[k]);
                        if (!covered) {
                                snprintf(what, sizeof(what), "it allows %s, which the user config does not",
                                         ws->allow_domains.v[j]);
                                return refuse(err, ws, ws->line_allow_domains, "network.allow_domains", workspace,
                                              what);
                        }
                }
        if (ws->has_allow_ports) {
                const config_layer *from = NULL;
                for (int i = LAYER_DEFAULTS; i <= LAYER_USER; i++)
                        if (layers[i] && layers[i]->has_allow_ports)
                                from = layers[i];
                for (size_t j = 0; j < ws->n_allow_ports; j++) {
                        bool found = false;
                        for (size_t k = 0; from && k < from->n_allow_ports && !found; k++)
                                found = from->allow_ports[k] == ws->allow_ports[j];
                        if (!found) {
                                snprintf(what, sizeof(what), "it allows port %u, which the user config does not",
                                         ws->allow_ports[j]);
                                return refuse(err, ws, ws->line_allow_ports, "network.allow_ports", workspace, what);
                        }
                }
        }
        return 0;
}

static int check_narrowing(const config_layer *const layers[N_LAYERS], const char *workspace, corral_error *err) {
        const config_layer *ws = layers[LAYER_WORKSPACE];
        policy_mode mode = FALLBACK_MODE;
        policy_network network = FALLBACK_NETWORK;
        policy_tmp tmp = FALLBACK_TMP;
        policy_git git = GIT_READ_ONLY;
        uint64_t timeout = 0;
        unsigned protect_depth = 0;
        policy_limits limits = {{0}};
        policy_cache_mode caches[N_CACHES];
        char what[256];

        for (int k = 0; k < N_CACHES; k++)
                caches[k] = CACHE_READ_THROUGH;

        for (int i = LAYER_DEFAULTS; i <= LAYER_USER; i++) {
                const config_layer *l = layers[i];
                if (!l)
                        continue;
                for (int k = 0; k < N_LIMITS; k++)
                        if (l->has_limits & (1u << k))
                                limits.v[k] = l->limits.v[k];
                for (int k = 0; k < N_CACHES; k++)
                        if (l->has_caches & (1u << k))
                                caches[k] = l->caches[k];
                if (l->has_mode)
                        mode = l->mode;
                if (l->has_network)
                        network = l->network;
                if (l->has_tmp)
                        tmp = l->tmp;
                if (l->has_git)
                        git = l->git;
                if (l->has_timeout)
                        timeout = l->timeout_ms;
                if (l->has_protect_depth)
                        protect_depth = l->protect_depth;
        }

        if (ws->has_mode && mode_rank(ws->mode) > mode_rank(mode)) {
                snprintf(what, sizeof(what), "mode '%s' is less strict than '%s'", policy_mode_to_string(ws->mode),
                         policy_mode_to_string(mode));
                return refuse(err, ws, ws->line_mode, "mode", workspace, what);
        }
        (void)network;
        int r = check_network_narrowing(layers, workspace, err);
        if (r < 0)
                return r;
        if (ws->has_tmp && tmp_rank(ws->tmp) > tmp_rank(tmp)) {
                snprintf(what, sizeof(what), "tmp '%s' shares more than '%s'", policy_tmp_to_string(ws->tmp),
                         policy_tmp_to_string(tmp));
                return refuse(err, ws, ws->line_tmp, "tmp", workspace, what);
        }
        if (ws->has_git && ws->git > git) { /* read-only < commits */
                snprintf(what, sizeof(what), "git '%s' lets the command write more of the repositories than '%s'",
                         policy_git_to_string(ws->git), policy_git_to_string(git));
                return refuse(err, ws, ws->line_git, "git", workspace, what);
        }
        if (ws->has_timeout && timeout > 0 && (ws->timeout_ms == 0 || ws->timeout_ms > timeout)) {
                if (ws->timeout_ms == 0)
                        snprintf(what, sizeof(what), "it removes the timeout of %.3f s",
                                 (double)timeout / 1000.0);
                else
                        snprintf(what, sizeof(what), "a timeout of %.3f s is longer than %.3f s",
                                 (double)ws->timeout_ms / 1000.0, (double)timeout / 1000.0);
                return refuse(err, ws, ws->line_timeout, "timeout", workspace, what);
        }
        for (int k = 0; k < N_LIMITS; k++) {
                uint64_t base = limits.v[k], want = ws->limits.v[k];
                if (!(ws->has_limits & (1u << k)) || base == 0 || (want > 0 && want <= base))
                        continue;
                char key[32];
                snprintf(key, sizeof(key), "limits.%s", policy_limit_to_string((policy_limit)k));
                if (want == 0)
                        snprintf(what, sizeof(what), "it removes the limit of %llu", (unsigned long long)base);
                else
                        snprintf(what, sizeof(what), "a limit of %llu is looser than %llu", (unsigned long long)want,
                                 (unsigned long long)base);
                return refuse(err, ws, ws->line_limits[k], key, workspace, what);
        }
        for (int k = 0; k < N_CACHES; k++) {
                if (!(ws->has_caches & (1u << k)) || ws->caches[k] <= caches[k])
                        continue;
                char key[32];
                snprintf(key, sizeof(key), "caches.%s", policy_cache_to_string((policy_cache)k));
                snprintf(what, sizeof(what), "cache mode '%s' shows more than '%s'",
                         policy_cache_mode_to_string(ws->caches[k]), policy_cache_mode_to_string(caches[k]));
                return refuse(err, ws, ws->line_caches[k], key, workspace, what);
        }
        if (ws->caches_dir)
                return refuse(err, ws, ws->line_caches_dir, "caches.dir", workspace,
                              "only your own config says where private caches are kept");
        if (ws->has_protect_depth && ws->protect_depth < protect_depth) {
                snprintf(what, sizeof(what), "protect_depth %u protects fewer levels than %u", ws->protect_depth,
                         protect_depth);
                return refuse(err, ws, ws->line_protect_depth, "protect_depth", workspace, what);
        }
        if (ws->writable_roots.n > 0)
                return refuse(err, ws, ws->line_writable_roots, "writable_roots", workspace,
                              "it adds writable roots");
        if (ws->unprotect.n > 0)
                return refuse(err, ws, ws->line_unprotect, "unprotect", workspace,
                              "it makes protected names writable");
        if (ws->allow_read.n > 0)
                return refuse(err, ws, ws->line_allow_read, "allow_read", workspace,
                              "it un-hides paths of the deny-read list");
        if (ws->allow_unix_sockets.n > 0)
                return refuse(err, ws, ws->line_allow_unix_sockets, "allow_unix_sockets", workspace,
                              "it allows host unix sockets");
        if (ws->env_keep.n > 0)
                return refuse(err, ws, ws->line_env_keep, "env.keep", workspace,
                              "it keeps variables that would be dropped as secrets");
        if (ws->env_set.n > 0)
                return refuse(err, ws, ws->line_env_set, "env.set", workspace, "it sets environment variables");
        if (ws->has_allow_broad_roots && ws->allow_broad_roots)
                return refuse(err, ws, ws->line_allow_broad_roots, "allow_broad_roots", workspace,
                              "it allows broad writable roots");
        if (ws->line_workspaces > 0 || ws->trusted_workspaces.n > 0)
                return refuse(err, ws, ws->line_workspaces, "workspaces", workspace,
                              "only the user config may trust workspaces");
        return 0;
}

/* --- paths -------------------------------------------------------------- */

/* One configured path, absolute and canonical, in *ret. *ret stays NULL when
 * the entry is skipped (a default under ~ when no home is known). Relative
 * paths are relative to the caller's cwd for flags, else to the workspace. */
static int resolve_entry(const config_layer *l, int line, const char *key, const char *entry, const char *home,
                         const char *workspace, const char *cwd, char **ret, corral_error *err) {
        _cleanup_free_ char *e = NULL, *abs = NULL;
        char loc[512];

        *ret = NULL;
        if (needs_home(entry)) {
                if (!home) {
                        if (l->origin == ORIGIN_DEFAULTS)
                                return 0;
                        return error_set(err, -EINVAL, "%s: key '%s': '%s' needs a home directory, and none is known",
                                         where(l, line, loc, sizeof(loc)), key, entry);
                }
                if (!(e = path_expand_home(entry, home)))
                        return oom(err);
                entry = e;
        }
        if (!path_is_absolute(entry)) {
                const char *base = l->origin == ORIGIN_FLAGS && cwd ? cwd : workspace;
                if (!(abs = path_join(base, entry)))
                        return oom(err);
                entry = abs;
        }
        if (!(*ret = path_canonicalize(entry)))
                return error_set(err, neg_errno(), "%s: key '%s': '%s': %s", where(l, line, loc, sizeof(loc)), key, entry,
                                 strerror(errno));
        return 0;
}

static int resolve_list(const config_layer *const layers[N_LAYERS], size_t off, size_t line_off, const char *key,
                        const char *home, const char *workspace, const char *cwd, strv *out, corral_error *err) {
        for (int i = 0; i < N_LAYERS; i++) {
                const config_layer *l = layers[i];
                if (!l)
                        continue;
                const strv *s = (const strv *)((const char *)l + off);
                int line = line_off ? *(const int *)((const char *)l + line_off) : 0;
                for (size_t j = 0; j < s->n; j++) {
                        _cleanup_free_ char *c = NULL;
                        int r = resolve_entry(l, line, key, s->v[j], home, workspace, cwd, &c, err);
                        if (r < 0)
                                return r;
                        if (c && !strv_contains(out, c) && strv_push_take(out, TAKE_PTR(c)) < 0)
                                return oom(err);
                }
        }
        return 0;
}

/* A writable root that would expose the user's dotfiles: "/", home, or an
 * ancestor of home; or that holds a place a program or config file planted
 * there would run from later, outside the sandbox (policy/plant.h). origin:
 * where the root came from; NULL for the workspace. */
static int check_broad_root(const char *root, const char *home, const plant_places *places, const char *origin,
                            corral_error *err) {
        const char *why = path_broad_root(root, home);
        if (why && !origin)
                return error_set(err, -EPERM,
                                 "workspace '%s' %s; in workspace-write mode the workspace is writable, which would "
                                 "let the command change your dotfiles. Choose another workspace (-W), use "
                                 "read-only mode, or set allow_broad_roots = true in your user config",
                                 root, why);
        if (why)
                return error_set(err, -EPERM,
                                 "%s: writable root '%s' %s; making it writable would let the command change your "
                                 "dotfiles. Set allow_broad_roots = true in your user config (or on the command "
                                 "line) to allow it",
                                 origin, root, why);

        long i = plant_places_held(places, root);
        if (i < 0 || !places->forms.v || !places->named.v || !places->whats.v)
                return 0; /* (the arrays are set whenever one is held) */
        const char *form = places->forms.v[i], *named = places->named.v[i], *what = places->whats.v[i];
        char held[8600];
        if (strcmp(form, named) != 0)
                snprintf(held, sizeof(held), "holds %s, %s (through a symbolic link: as %s)", named, what, form);
        else if (path_holds(named, root))
                snprintf(held, sizeof(held), "is %s, %s", named, what);
        else
                snprintf(held, sizeof(held), "holds %s, %s", named, what);
        if (!origin)
                return error_set(err, -EPERM,
                                 "workspace '%s' %s; in workspace-write mode the workspace is writable, which would "
                                 "let the command plant a program you run later outside the sandbox. Choose another "
                                 "workspace (-W)%s, use read-only mode, or set allow_broad_roots = true in your user "
                                 "config (or pass --allow-broad-root)",
                                 root, held,
                                 strcmp(what, PATH_PLANT_ON_PATH) == 0 ? ", take that directory off your PATH" : "");
        return error_set(err, -EPERM,
                         "%s: writable root '%s' %s; making it writable would let the command plant a program you "
                         "run later outside the sandbox. Set allow_broad_roots = true in your user config (or pass "
                         "--allow-broad-root) to allow it",
                         origin, root, held);
}

static int resolve_writable_roots(const config_layer *const layers[N_LAYERS], policy *p, const char *cwd,
                                  corral_error *err) {
        _cleanup_(plant_places_done) plant_places places = {0};
        int r;

        if (p->mode == MODE_READ_ONLY)
                return 0;
        if (strv_push(&p->writable_roots, p->workspace) < 0)
                return oom(err);
        if (p->mode == MODE_FULL_ACCESS)
                return 0; /* informational: everything is writable */

        if (!p->allow_broad_roots &&
            ((r = plant_places_load(&places, p->home, p->workspace)) < 0 ||
             (r = check_broad_root(p->workspace, p->home, &places, NULL, err)) < 0))
                return r == -ENOMEM ? oom(err) : r;

        for (int i = 0; i < N_LAYERS; i++) {
                const config_layer *l = layers[i];
                if (!l)
                        continue;
                for (size_t j = 0; j < l->writable_roots.n; j++) {
                        _cleanup_free_ char *c = NULL, *dir = NULL;
                        char loc[512];

                        where(l, l->line_writable_roots, loc, sizeof(loc));
                        r = resolve_entry(l, l->line_writable_roots, "writable_roots", l->writable_roots.v[j],
                                          p->home, p->workspace, cwd, &c, err);
                        if (r < 0)
                                return r;
                        if (!c)
                                continue;
                        if ((r = existing_dir(c, "writable root", loc, &dir, err)) < 0)
                                return r;
                        if (!p->allow_broad_roots && (r = check_broad_root(dir, p->home, &places, loc, err)) < 0)
                                return r;
                        if (!strv_contains(&p->writable_roots, dir) &&
                            strv_push_take(&p->writable_roots, TAKE_PTR(dir)) < 0)
                                return oom(err);
                }
        }
        return 0;
}

/* env.set: later layers replace a name set earlier. */
static int merge_env_set(strv *dst, const strv *src) {
        for (size_t i = 0; i < src->n; i++) {
                const char *eq = strchr(src->v[i], '=');
                size_t n = eq ? (size_t)(eq - src->v[i]) + 1 : strlen(src->v[i]);
                char *s = strdup(src->v[i]);
                bool replaced = false;

                if (!s)
                        return -ENOMEM;
                for (size_t j = 0; j < dst->n && !replaced; j++)
                        if (strncmp(dst->v[j], s, n) == 0) {
                                free(dst->v[j]);
                                dst->v[j] = s;
                                replaced = true;
                        }
                if (!replaced && strv_push_take(dst, s) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* --- the whole thing ---------------------------------------------------- */

static int resolve(const config_layer *const layers[N_LAYERS], const char *home, const char *cwd, policy *p,
                   corral_error *err) {
        const config_layer *flags = layers[LAYER_FLAGS], *ws = layers[LAYER_WORKSPACE];
        const config_layer *tmp_from = NULL;
        char loc[512];
        int r;

        if (home && *home && !(p->home = path_canonicalize(home)))
                return error_set(err, neg_errno(), "home directory '%s': %s", home, strerror(errno));

        if ((r = workspace_path(flags, cwd, &p->workspace, err)) < 0)
                return r;
        /* Set on success (clang's analyzer cannot tell that neg_errno() < 0). */
        assert(p->workspace);

        if (flags && flags->cwd) {
                _cleanup_free_ char *abs = NULL;
                const char *c = flags->cwd;
                if (!path_is_absolute(c) && cwd) {
                        if (!(abs = path_join(cwd, c)))
                                return oom(err);
                        c = abs;
                }
                if ((r = existing_dir(c, "cwd", NULL, &p->cwd, err)) < 0)
                        return r;
        } else if (!(p->cwd = strdup(p->workspace)))
                return oom(err);

        bool untrusted = ws && !trusts(layers[LAYER_USER], p->workspace, p->home);
        if (untrusted && (r = check_narrowing(layers, p->workspace, err)) < 0)
                return r;

        p->mode = FALLBACK_MODE;
        p->network = FALLBACK_NETWORK;
        p->tmp = FALLBACK_TMP;
        p->git = GIT_READ_ONLY;
        p->backend = BACKEND_AUTO;
        for (int k = 0; k < N_CACHES; k++)
                p->caches[k] = CACHE_READ_THROUGH;
        for (int i = 0; i < N_LAYERS; i++) {
                const config_layer *l = layers[i];
                if (!l)
                        continue;
                if (l->has_mode)
                        p->mode = l->mode;
                if (l->has_network)
                        p->network = l->network;
                if (l->has_tmp) {
                        p->tmp = l->tmp;
                        tmp_from = l;
                }
                if (l->has_git)
                        p->git = l->git;
                if (l->has_timeout)
                        p->timeout_ms = l->timeout_ms;
                if (l->has_protect_depth)
                        p->protect_depth = l->protect_depth;
                if (l->has_backend)
                        p->backend = l->backend;
                if (l->has_allow_broad_roots)
                        p->allow_broad_roots = l->allow_broad_roots;
                if (l->has_report_denials)
                        p->report_denials = l->report_denials;
                for (int k = 0; k < N_LIMITS; k++)
                        if (l->has_limits & (1u << k))
                                p->limits.v[k] = l->limits.v[k];
                for (int k = 0; k < N_CACHES; k++)
                        if (l->has_caches & (1u << k))
                                p->caches[k] = l->caches[k];
                if (l->caches_dir && l->origin != ORIGIN_WORKSPACE) {
                        free(p->caches_dir);
                        if (!(p->caches_dir = path_canonicalize(l->caches_dir)) || !path_is_absolute(p->caches_dir))
                                return error_set(err, -EINVAL,
                                                 "%s: key 'caches.dir': '%s' is not an absolute path that can be "
                                                 "resolved", l->source ? l->source : "config", l->caches_dir);
                }

                if (l->has_allow_ports) {
                        memcpy(p->allow_ports, l->allow_ports, sizeof(p->allow_ports));
                        p->n_allow_ports = l->n_allow_ports;
                }
                /* an untrusted workspace's allow_domains narrow the list
                 * (check_network_narrowing saw each one covered) */
                if (l == ws && untrusted && l->allow_domains.n > 0)
                        strv_clear(&p->allow_domains);
                if (strv_extend(&p->allow_domains, &l->allow_domains) < 0 ||
                    strv_extend(&p->deny_domains, &l->deny_domains) < 0)
                        return oom(err);
                /* unprotect takes names out of what the layers before set;
                 * a later layer's protect puts them back */
                for (size_t u = 0; u < l->unprotect.n; u++)
                        strv_remove(&p->protect, l->unprotect.v[u]);
                if (strv_extend(&p->protect, &l->protect) < 0 || strv_extend(&p->env_drop, &l->env_drop) < 0 ||
                    strv_extend(&p->env_keep, &l->env_keep) < 0 || merge_env_set(&p->env_set, &l->env_set) < 0)
                        return oom(err);
        }

        p->network = network_of(layers, N_LAYERS);

        if (p->mode == MODE_READ_ONLY) {
                if (tmp_from && tmp_from->origin != ORIGIN_DEFAULTS && tmp_from != layers[LAYER_DEFAULTS] &&
                    p->tmp != TMP_PRIVATE)
                        return error_set(err, -EINVAL,
                                         "%s: key 'tmp': read-only mode uses a private /tmp; tmp '%s' cannot be "
                                         "combined with it (remove the setting or use tmp = \"private\")",
                                         where(tmp_from, tmp_from->line_tmp, loc, sizeof(loc)),
                                         policy_tmp_to_string(p->tmp));
                p->tmp = TMP_PRIVATE;
        }

        if ((r = resolve_writable_roots(layers, p, cwd, err)) < 0)
                return r;

        if ((r = resolve_list(layers, offsetof(config_layer, deny_read), offsetof(config_layer, line_deny_read),
                              "deny_read", p->home, p->workspace, cwd, &p->deny_read, err)) < 0 ||
            (r = resolve_list(layers, offsetof(config_layer, allow_read), offsetof(config_layer, line_allow_read),
                              "allow_read", p->home, p->workspace, cwd, &p->allow_read, err)) < 0 ||
            (r = resolve_list(layers, offsetof(config_layer, allow_unix_sockets),
                              offsetof(config_layer, line_allow_unix_sockets), "allow_unix_sockets", p->home,
                              p->workspace, cwd, &p->allow_unix_sockets, err)) < 0)
                return r;
        return 0;
}

int policy_resolve(const config_layer *defaults, const config_layer *user, const config_layer *ws,
                   const config_layer *flags, const char *home, const char *cwd, policy *ret,
                   corral_error *err) {
        const config_layer *const layers[N_LAYERS] = { defaults, user, ws, flags };
        policy p = {0};

        int r = resolve(layers, home, cwd, &p, err);
        if (r < 0) {
                policy_free(&p);
                *ret = (policy){0};
                return r;
        }
        *ret = p;
        return 0;
}
