/* SPDX-License-Identifier: MIT
 * git's pointer files, which a protected .git can be: "gitdir: PATH" in a
 * .git file (worktrees, submodules) names the repository's directory, and
 * PATH/commondir names the main repository's. The Linux plans protect what
 * they name when a writable root holds it; on Windows, the --git commits
 * plan finds with them the worktree of each gitdir it sorts (a linked
 * worktree's, a submodule checkout's), whose index the check after the run
 * reads as Linux's does. */
#pragma once

/* The canonical gitdir a .git file names, or NULL (not such a file). */
char *gitfile_gitdir(const char *git_file);

/* The canonical common dir gitdir/commondir names, or NULL. */
char *gitfile_commondir(const char *gitdir);
