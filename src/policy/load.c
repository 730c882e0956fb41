/* SPDX-License-Identifier: MIT
 * Reading the configuration layers for a request (see load.h). */
#include "policy/load.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/macro.h"
#include "common/path.h"
#include "policy/resolve.h"

int policy_load(const config_layer *flags, const char *config_file, bool no_workspace_config, policy *p,
                corral_error *err) {
        _cleanup_free_ char *home = path_home_dir();
        _cleanup_free_ char *cwd = path_current_dir();
        _cleanup_free_ char *user_path = config_file ? strdup(config_file) : config_user_path(home);
        _cleanup_free_ char *ws = NULL, *ws_config = NULL;
        /* zeroed: config_layer_done is safe on them before they are set up */
        _cleanup_(config_layer_done) config_layer defaults = {0};
        _cleanup_(config_layer_done) config_layer user = {0};
        _cleanup_(config_layer_done) config_layer wsl = {0};
        int r;

        if (!cwd)
                return error_set(err, -errno, "cannot read the current directory: %s", strerror(errno));
        config_layer_init(&defaults, ORIGIN_DEFAULTS, "built-in defaults");
        config_layer_init(&user, ORIGIN_USER, user_path ? user_path : "user config");
        config_layer_init(&wsl, ORIGIN_WORKSPACE, "workspace config");
        if ((r = config_layer_defaults(&defaults, err)) < 0)
                return r;
        if (user_path && (r = config_layer_load_file(&user, user_path, config_file != NULL, home, err)) < 0)
                return r;
        if (!(ws = policy_workspace_path(flags, cwd, err)))
                return -EINVAL;
        if (!no_workspace_config) {
                if (!(ws_config = path_join(ws, ".corral.toml")))
                        return oom(err);
                /* A directory holds no settings: it is what a concurrent run's
                 * placeholder for a missing .corral.toml looks like. A
                 * symbolic link is read only when it leads to a file in the
                 * workspace: through a link the repository could make corral
                 * read, and quote in its messages, any file of the
                 * developer's (a .env, a key). */
                struct stat st;
                _cleanup_free_ char *target = NULL;
#ifndef _WIN32
                if (lstat(ws_config, &st) == 0 && S_ISLNK(st.st_mode)) {
                        _cleanup_free_ char *canon_ws = path_canonicalize(ws);
                        target = path_canonicalize(ws_config);
                        if (!target || !canon_ws || !path_is_below_or_equal(target, canon_ws))
                                return error_set(err, -EINVAL,
                                                 "%s is a symbolic link to %s, outside the workspace: a workspace "
                                                 "config is not read through it (make it a regular file)",
                                                 ws_config, target ? target : "a path that cannot be resolved");
                }
#endif
                if (!(stat(ws_config, &st) == 0 && S_ISDIR(st.st_mode)) &&
                    (r = config_layer_load_file(&wsl, ws_config, false, home, err)) < 0)
                        return r;
        }
        return policy_resolve(&defaults, &user, no_workspace_config ? NULL : &wsl, flags, home, cwd, p, err);
}
