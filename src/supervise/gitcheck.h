/* SPDX-License-Identifier: MIT
 * After a run with --git commits (docs/design.md, "Git in commits mode"):
 * what the command left in the gitdirs whose git state it could write, that
 * the developer's git would act on later, outside the sandbox.
 *
 *   - A rebase's state (rebase-merge/, rebase-apply/) that the run made or
 *     changed, whose todo list holds a line git would run (exec, x, or any
 *     command git's rebase does not merely replay), or whose apply-opt
 *     lets git apply write outside the worktree (--unsafe-paths): renamed
 *     to <name>.corral-refused-<time> in the same gitdir, which git never
 *     reads, and said on stderr (HEAD stays where the command left it).
 *   - A symbolic link, FIFO, socket or device the run made at the top of a
 *     gitdir, in refs/, logs/ or at the top of objects/: git never makes one
 *     there, and the developer's git would write through a link (a reflog
 *     appended to .git/config, a message written into a hook). Removed, and
 *     said on stderr.
 *
 * What the run did not make or change (by inode and ctime, which a process
 * cannot set) is the developer's and is left alone. */
#pragma once

#include "plan/plan.h"

void gitcheck_after_run(const plan *pl);
