/* SPDX-License-Identifier: MIT
 * Merging config layers into one policy: defaults < user < workspace < flags.
 * A workspace config may only narrow what defaults + user config allow, unless
 * the user config trusts that workspace. Paths are made absolute and
 * canonical here, and dangerous requests (/ or $HOME writable) refused. */
#pragma once

#include "config/config.h"
#include "policy/policy.h"

/* home: the caller's home directory (may be NULL); cwd: the caller's current
 * directory, used when flags name no workspace. ws may be NULL (workspace
 * config ignored or absent). Returns 0, or a negative errno with err naming
 * the key, file and line, or path, that was refused. */
int policy_resolve(const config_layer *defaults, const config_layer *user, const config_layer *ws,
                   const config_layer *flags, const char *home, const char *cwd, policy *ret,
                   corral_error *err);

/* The workspace path the flags select (or cwd), canonical; used before the
 * workspace config can be located. Returns a malloc'd path or NULL with err set. */
char *policy_workspace_path(const config_layer *flags, const char *cwd, corral_error *err);
