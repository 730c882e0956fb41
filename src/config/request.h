/* SPDX-License-Identifier: MIT
 * What a corral_request holds (include/corral.h), shared by the Linux and
 * Windows implementations of the API. Portable. */
#pragma once

#include <stdbool.h>

#include "common/strv.h"
#include "config/config.h"
#include "corral.h"

struct corral_request {
        config_layer flags;           /* every config key set on the request */
        char *config_file;            /* "config": the user config to read instead of the default */
        bool no_workspace_config;     /* "no_workspace_config" */
        bool allow_advisory_network;  /* "allow_advisory_network": Windows only (docs/windows.md) */
        strv argv;
};
