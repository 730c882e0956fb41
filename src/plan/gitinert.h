/* SPDX-License-Identifier: MIT
 * Whether a git directory that a command made holds nothing git would run
 * (docs/design.md, "Nested protected names": a repository the run made is
 * kept only then, and set aside otherwise). One set of rules for both
 * platforms: Linux (supervise/newrepo.c) and Windows (windows/newrepo_win.c)
 * only say how a path is looked at, by the calls below; and the words said
 * after a run, which are the same on both. */
#pragma once

#include <stdbool.h>

#include "common/strv.h"

typedef enum gitinert_kind {
        GITINERT_MISSING,
        GITINERT_DIR,
        GITINERT_FILE,  /* a regular file */
        GITINERT_OTHER, /* a link (a symbolic link, a junction or another reparse point), a device, ... */
        GITINERT_ERROR, /* it cannot be examined */
} gitinert_kind;

/* How one platform looks at paths, never following a link. */
typedef struct gitinert_fs {
        gitinert_kind (*kind)(const char *path);
        /* the names in the directory at path, but . and ..; 0 or -errno */
        int (*list)(const char *path, strv *names);
        /* the relative core.hooksPath values of the developer's global
         * configs (plan/gitlayout.h, global_hooks), or NULL */
        const strv *hooks_paths;
} gitinert_fs;

/* Whether the git directory at gitdir (a .git directory, or a bare
 * repository's directory) holds only what git runs nothing from: a config
 * of known harmless keys only (gitinert.c lists them), hooks that are
 * *.sample regular files only, no commondir, config.worktree, modules/ or
 * worktrees/, no rebase, am, cherry-pick or rerere state, no link, FIFO,
 * socket or device anywhere in it, an index that names no path git
 * refuses, and nothing where a relative global core.hooksPath leads from
 * its worktree. On false, *why says what was found (static). */
/* Bounds of the look through a new git directory for links. */
#define GITINERT_GITDIR_DEPTH_MAX 64u
#define GITINERT_GITDIR_ENTRIES_MAX 200000u

bool gitinert_judge(const gitinert_fs *fs, const char *gitdir, const char **why);

/* How many directories the walk below protect_depth looks through at most,
 * after a run. */
#define GITINERT_WALK_MAX 20000u

/* What is said after a run, on both platforms. */

/* why a .git (or a HEAD) made in a directory that was there before the run is set aside */
#define GITINERT_CAPTURE_GIT_WHY                                                                                      \
        "the command made this .git in a directory that was there before the run; git run in this directory or "      \
        "below takes it before the workspace's .git, and runs its hooks and what its config names"
#define GITINERT_CAPTURE_HEAD_WHY                                                                                     \
        "the command made this HEAD in a directory that was there before the run; with objects/ and refs/ beside "    \
        "it, git run in this directory or below takes it for a bare repository, before the workspace's .git, and "    \
        "runs what its config names"
/* why a repository made in a directory of the run's own is set aside; %s: gitinert_judge's why */
#define GITINERT_RUNS_WHY_FMT                                                                                         \
        "the command made this repository, and %s: git run in this directory or below, by you or by an IDE, would "   \
        "run it outside the sandbox. Look at it, then rename it back if you want it"
/* a protected name the command made within protect_depth and that was not set aside; %s: its path */
#define GITINERT_CREATED_FMT                                                                                          \
        "corral: warning: the command created %s, a protected name below the top of a writable root; it was not "     \
        "protected during this run (later runs protect it). Look at it before running git or an IDE there: hooks "    \
        "and config in it run outside the sandbox\n"
/* a repository made deeper than protect_depth that holds nothing git would run; %s, %u: its path, the depth */
#define GITINERT_DEEP_FMT                                                                                             \
        "corral: warning: the command created %s, deeper than protect_depth (%u); it holds nothing git would run, "   \
        "and later runs do not protect it\n"
/* when the walk below protect_depth stopped short; %u: how many directories it looks through */
#define GITINERT_WALK_SHORT_FMT                                                                                       \
        "corral: warning: the command made or changed more directories below protect_depth than corral looks "        \
        "through after a run (%u), or one could not be opened: a repository it made there may not have been seen. "   \
        "Look before running git or an IDE there\n"
/* a protected name at a path where another object was before the run; %s: its path */
#define GITINERT_REPLACED_FMT                                                                                         \
        "corral: warning: %s is not the object found there before the run (it was moved or replaced while the "       \
        "command ran): look at it before running git or an IDE there\n"
