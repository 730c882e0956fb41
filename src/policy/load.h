/* SPDX-License-Identifier: MIT
 * From a request's flags to a policy: the built-in defaults, the user config
 * (config_file, or ~/.config/corral/config.toml), the workspace's
 * .corral.toml (unless no_workspace_config), merged and checked by
 * policy_resolve. The one way both public APIs (src/lib/corral.c and
 * corral_win.c) read configuration. Portable. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "config/config.h"
#include "policy/policy.h"

int policy_load(const config_layer *flags, const char *config_file, bool no_workspace_config, policy *p,
                corral_error *err);
