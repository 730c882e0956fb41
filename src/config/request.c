/* SPDX-License-Identifier: MIT
 * corral_request: the flags of one run, kept as a config layer (see
 * request.h). */
#include "config/request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "common/path.h"

corral_request *corral_request_new(void) {
        corral_request *req = calloc(1, sizeof(*req));
        if (req)
                config_layer_init(&req->flags, ORIGIN_FLAGS, "command line");
        return req;
}

void corral_request_free(corral_request *req) {
        if (!req)
                return;
        config_layer_done(&req->flags);
        free(req->config_file);
        strv_clear(&req->argv);
        free(req);
}

int corral_request_set(corral_request *req, const char *key, const char *value, corral_error *err) {
        if (strcmp(key, "config") == 0) {
                free(req->config_file);
                req->config_file = strdup(value);
                return req->config_file ? 0 : oom(err);
        }
        if (strcmp(key, "no_workspace_config") == 0) {
                req->no_workspace_config = true;
                return 0;
        }
#ifdef _WIN32
        /* Run with --network off in the unelevated mode, where it is advisory
         * (docs/windows.md). A request key, never a config key: a
         * workspace's .corral.toml cannot weaken the network this way. */
        if (strcmp(key, "allow_advisory_network") == 0) {
                req->allow_advisory_network = true;
                return 0;
        }
#endif
        _cleanup_free_ char *home = path_home_dir();
        return config_layer_set(&req->flags, key, value, home, err);
}

int corral_request_set_command(corral_request *req, char *const argv[]) {
        strv_clear(&req->argv);
        for (size_t i = 0; argv && argv[i]; i++)
                if (strv_push(&req->argv, argv[i]) < 0)
                        return -ENOMEM;
        return 0;
}
