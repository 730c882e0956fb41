/* SPDX-License-Identifier: MIT
 * After a run with --git commits (docs/design.md, "Git in commits mode"):
 * what the command left in the gitdirs whose git state it could write, that
 * the developer's git would act on later, outside the sandbox. Not a
 * judgement of contents: whatever of the following the run made or changed
 * is refused, whatever it says.
 *
 *   - A rebase, am, multi-commit cherry-pick or rerere state (rebase-merge/,
 *     rebase-apply/, sequencer/, rr-cache/, MERGE_RR): their todo lists,
 *     strategies, apply options and recorded paths make git run programs
 *     and write files. Set aside: renamed to <name>.corral-refused-<random>
 *     in the same directory, which git never reads, and said on stderr.
 *   - A new entry in modules/ or worktrees/ (a repository git would adopt:
 *     git submodule update, git worktree prune): set aside.
 *   - A symbolic link, FIFO, socket or device anywhere in the gitdir: git
 *     never makes one, and the developer's git would write through a link.
 *     Removed.
 *   - An index naming a path git itself would refuse ("..", ".git", a
 *     leading "/"): git trusts its index and writes there on checkout. The
 *     index is set aside.
 *   - A submodule the index names whose .git the run made (git status runs
 *     git in it, with its config): that .git is set aside.
 *   - The objects the run wrote (gitverify.h): a loose object whose
 *     contents do not hash to its name, a pack git does not index as its
 *     .idx says, alternates and commit-graphs: set aside.
 *
 * "Made or changed by the run" is by change and birth time, which no
 * process can set, against the earliest start of the commits runs alive
 * when this one began (a concurrent run could move a refused state back).
 * A run that never got to its check (corral killed) leaves its marker in
 * the workspace's state directory; the next run of that workspace, in any
 * mode, does the check for it first.
 *
 * On userns the gitdirs are overlays (plan.git_overlays): the command never
 * wrote them, so the checks of the gitdirs above give way to the import
 * (gitimport.h), which takes only git's state; the checks of the indexes'
 * submodules, in the worktree, stay. A killed run's layers are removed by
 * the next run, nothing of them imported. */
#pragma once

#include <stdbool.h>
#include <time.h>

#include "common/strv.h"
#include "plan/plan.h"
#include "supervise/gitimport.h"

typedef struct gitcheck {
        int marker_fd;         /* held (flock) while this run lives; -1: none */
        char *marker;          /* its path */
        struct timespec since; /* what is newer was made by a commits run */
        bool checked;
        gitimport *gi;         /* userns: the gitdirs are overlays, imported from after the run */
        strv ids;              /* written in place: "IDS\tREPO", gitverify_ids at the start */
} gitcheck;

/* Before the command starts: the checks of runs that died before theirs,
 * then this run's marker (commits mode). A marker that cannot be written is
 * said, and the check after the run still happens; where the gitdirs are
 * written in place, refs that cannot be recorded (gitrefs.h) fail the run
 * (-errno, err says why): their check after it would be blind. */
int gitcheck_begin(const plan *pl, gitcheck *gc, corral_error *err);

/* After the command: the check, then the marker goes. */
void gitcheck_after_run(const plan *pl, gitcheck *gc);

/* The end of the run, whichever way it ended: the check if it has not
 * happened (a setup error after the command may have started), then the
 * marker's lock goes. */
void gitcheck_done(const plan *pl, gitcheck *gc);
