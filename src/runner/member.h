/* SPDX-License-Identifier: MIT
 * Each member's own directory in a sandbox user's home,
 * <home>/members/<uid>, with the git config the runner keeps there
 * (docs/elevated.md, "Members"). corral-runner mounts it over the sandbox
 * user's home (with namespaces); corral-sandbox uses it as the home
 * (without). */
#pragma once

#include <sys/types.h>

#include "users/marker.h"

/* The directory of this member (uid) in to's home, created if missing;
 * opened without following any symlink. Called with the sandbox user's
 * effective ids (the home is 0700 and the sandbox user's), with its
 * .gitconfig written when it is not exactly corral's. Returns its fd and,
 * in *home, the home's; -errno. */
int open_member_dir(const marker_user *to, uid_t uid, int *home);
