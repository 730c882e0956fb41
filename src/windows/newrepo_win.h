/* SPDX-License-Identifier: MIT
 * The repositories a run made in the writable roots, on Windows
 * (docs/windows.md, "Repositories the run makes"; docs/design.md, "Nested
 * protected names", for Linux): a .git (or a bare repository's HEAD) that
 * the command created below the top of a root was writable while it ran, so
 * its hooks and config could be anything, and git run there later (by the
 * developer, or by an IDE that finds the repositories below the workspace)
 * runs them outside the sandbox. The rules and the words are Linux's
 * (plan/gitinert.h); what differs is how "made by the run" is told: by path
 * and file identity against what the plan recorded, not by times (Windows
 * lets a process set every time stamp of a file it may write).
 *
 *   - within protect_depth: a .git or HEAD that was not there before the run
 *     is set aside when its directory was there before (same identity): git
 *     run there or below would take it before the workspace's .git. In a
 *     directory the run made it is set aside unless it holds nothing git
 *     would run (gitinert_judge), and reported either way; any other
 *     protected name the run created there is reported.
 *   - deeper: each subdirectory of a directory at protect_depth that was not
 *     there before the run is walked to the end (at most GITINERT_WALK_MAX
 *     directories, said when more), and each .git and bare HEAD in it is
 *     judged the same way. A repository made deep in directories that were
 *     there is not seen (as on Linux below a level that did not change).
 *
 * Said on stderr. Windows only. */
#pragma once

#include "policy/policy.h"
#include "windows/plan_win.h"

/* Records what lies within p->protect_depth of each root (not through
 * reparse points, not into protected names). 0 or -ENOMEM; a directory
 * that cannot be read is named in s->unreadable (the first one). */
int win_repo_scan_roots(const policy *p, const strv *roots, win_repo_scan *s);
void win_repo_scan_free(win_repo_scan *s);

/* After the run: scans again and sets aside or reports what the command
 * made, against pl->repos. */
void win_newrepo_after_run(const policy *p, const win_plan *pl);
