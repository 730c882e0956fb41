/* SPDX-License-Identifier: MIT
 * After a run with --git commits on Windows (docs/windows.md, "Git in
 * commits mode"): what the command left in the gitdirs whose git state it
 * could write, that the developer's git would act on later, outside the
 * sandbox. The same two checks as on Linux (supervise/gitcheck.h), with the
 * portable rules of supervise/gittodo.h:
 *
 *   - a rebase's state whose todo list or apply-opt differs from what it
 *     was before the run (by contents: Windows lets a process set every
 *     time stamp of a file it may write) and would run something: renamed
 *     to <name>.corral-refused-<time>, which git never reads;
 *   - a reparse point (junction, symbolic link) at the top of a gitdir, in
 *     refs/, logs/ or at the top of objects/ that was not there before the
 *     run: git never makes one there, and the developer's git would write
 *     through it. Removed (the link, never its target);
 *   - a hard link there (git's writable state at the top, refs/, logs/)
 *     whose file changed since the plan: the developer's git would write
 *     through it into the file it shares (.git/config). The name is removed;
 *     the file keeps its other names.
 *
 * Said on stderr. Windows only. */
#pragma once

#include "plan/plan_win.h"

void win_gitcheck_after_run(const win_plan *pl);
