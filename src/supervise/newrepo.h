/* SPDX-License-Identifier: MIT
 * A repository the command made in a directory of its own (git init, git
 * clone): git run there later, by the developer or by an IDE that finds
 * repositories below the workspace, runs what its config names and its
 * hooks. One that holds nothing git would run is left as it is; any other
 * is set aside after the run (nestedcheck.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "plan/gitinert.h"
#include "plan/nested.h"

/* How many directories newrepo_below looks through at most. */
#define NEWREPO_WALK_MAX GITINERT_WALK_MAX

/* Whether the git directory at gitdir (a .git directory, or a bare
 * repository's directory) holds only what git runs nothing from
 * (plan/gitinert.h, the rules both platforms share): a config
 * of known harmless keys only (gitinert.c lists them), hooks that are
 * *.sample only, no commondir, config.worktree, modules/ or worktrees/, and
 * none of these a link, and nothing where a relative global_hooks (the
 * developer's global core.hooksPath values, plan.git_global_hooks) leads
 * from its worktree. On false, *why says what was found (static). */
bool newrepo_inert(const char *gitdir, const strv *global_hooks, const char **why);

/* Calls found(path) for each .git, and each HEAD of a git directory, made
 * at or after since_ns (its birth time, else its change time),
 * in the directory tree open at fd (taken, shown as path): every level, never through a link, never
 * into a .git, at most *budget directories (decremented; 0 left means some
 * were not looked at: too many, or a directory that could not be opened). */
void newrepo_walk(int fd, const char *path, int64_t since_ns, unsigned *budget,
                  void (*found)(const char *path, const void *data), const void *data);

/* Below the scan's depth (the boundary directories at depth, which after
 * found changed since before, or new): each subdirectory changed since
 * since_ns is walked with newrepo_walk. False when some were not looked at
 * (more than NEWREPO_WALK_MAX directories, or one could not be opened). A
 * repository made deep in a tree that was there and whose upper levels did
 * not change is not seen (docs/design.md). */
bool newrepo_below(const nested_scan *before, const nested_scan *after, unsigned depth, int64_t since_ns,
                   void (*found)(const char *path, const void *data), const void *data);
