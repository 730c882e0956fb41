/* SPDX-License-Identifier: MIT
 * A repository the command made in a directory of its own (git init, git
 * clone): git run there later, by the developer or by an IDE that finds
 * repositories below the workspace, runs what its config names and its
 * hooks. One that holds nothing git would run is left as it is; any other
 * is set aside after the run (supervise.c). */
#pragma once

#include <stdbool.h>

/* Whether the git directory at gitdir (a .git directory, or a bare
 * repository's directory) holds only what git runs nothing from: a config
 * of known harmless keys only (newrepo.c lists them), hooks that are
 * *.sample only, no commondir, config.worktree, modules/ or worktrees/, and
 * none of these a link. On false, *why says what was found (static). */
bool newrepo_inert(const char *gitdir, const char **why);
