/* SPDX-License-Identifier: MIT
 * After a run with --git commits on Windows (docs/windows.md, "Git in
 * commits mode"): what the command left in the gitdirs whose git state it
 * could write, that the developer's git would act on later, outside the
 * sandbox. The same rules as on Linux (supervise/gitcheck.h; the lists and
 * the words are plan/gitdir.h's), with "made or changed by the run" told by
 * contents and file identity, not times (Windows lets a process set every
 * time stamp of a file it may write), against what the plan recorded:
 *
 *   - a state (rebase-merge/, rebase-apply/, sequencer/, rr-cache/,
 *     MERGE_RR) whose names, kinds and contents differ from before the
 *     run, or that is new: renamed to <name>.corral-refused-<random>, which
 *     git never reads;
 *   - an entry of modules/ or worktrees/ that was not there before the run
 *     (by name and file identity), or of a component of a submodule's name
 *     in modules/ (modules/lib of modules/lib/sub): set aside;
 *   - an index naming a path git refuses ("..", ".git", a leading "/"), or
 *     that corral cannot read: set aside; a submodule it names whose .git
 *     is none of the .git directories there before the run: that .git is
 *     set aside (each gitdir's index, with the worktree the plan found for
 *     it: a repository's, a linked worktree's, a submodule checkout's);
 *   - a reparse point (junction, symbolic link) anywhere in a gitdir that
 *     was not there before the run: git never makes one there, and the
 *     developer's git would write through it. Removed (the link, never its
 *     target);
 *   - a hard link anywhere in a gitdir but objects/ (at the top, git's
 *     writable state) whose file changed since the plan: the developer's
 *     git would write through it into the file it shares (.git/config). The
 *     name is removed; the file keeps its other names.
 *
 * Said on stderr. Windows only. */
#pragma once

#include "windows/plan_win.h"

void win_gitcheck_after_run(const win_plan *pl);
