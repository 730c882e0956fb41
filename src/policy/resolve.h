/* SPDX-License-Identifier: MIT
 * Merging config layers into one policy: defaults < user < workspace < flags.
 * A workspace config may only narrow what defaults + user config allow, unless
 * the user config trusts that workspace. Paths are made absolute and
 * canonical here, and dangerous requests (/ or $HOME writable) refused. */
#pragma once

#include "config/config.h"
#include "policy/policy.h"

/* home: the caller's home directory (may be NULL; path_home_dir() gives it);
 * cwd: the caller's current directory (path_current_dir()), used when flags
 * name no workspace and to resolve relative paths given by the flags. Any
 * layer may be NULL (ws: workspace config ignored or absent). *ret is
 * overwritten (free a previous policy first) and is zeroed on failure.
 * Returns 0, or a negative errno with err naming the key, file and line, or
 * path, that was refused: -EPERM for a workspace config that widens the
 * policy and for a broad writable root; -ENOENT/-ENOTDIR for a missing
 * workspace, cwd or writable root; -EINVAL otherwise. */
int policy_resolve(const config_layer *defaults, const config_layer *user, const config_layer *ws,
                   const config_layer *flags, const char *home, const char *cwd, policy *ret,
                   corral_error *err);

/* The workspace path the flags select (or cwd), canonical; used before the
 * workspace config can be located. Returns a malloc'd path or NULL with err set. */
char *policy_workspace_path(const config_layer *flags, const char *cwd, corral_error *err);
