/* SPDX-License-Identifier: MIT
 * Refs written in place by a --git commits run (the users backend, where
 * the command writes the developer's gitdir itself; docs/design.md,
 * "Objects written in place"): the refs, HEAD, ORIG_HEAD and reflog
 * entries it set are judged as the import judges the run's on userns
 * (supervise/gittips.h), and one that would bring a protected name into the
 * worktree is set back.
 *
 * Before the command starts, a snapshot of each repository (a file in the
 * run's private directory, kept until the check, so that the run after a
 * killed one checks with it):
 *   H <HEAD>              the first line of HEAD, ORIG_HEAD ("O") as git wrote it
 *   S <id>                each shallow commit (the walk takes the run's
 *                         commits' parents from these, not from a shallow
 *                         file the run wrote)
 *   R <id> <name> <target>  each ref (git for-each-ref: loose, packed,
 *                         reftable; the target of a symbolic one)
 *   K <id>                each id the reflogs name (sorted, once each)
 *   M <mark>              each reflog line's mark (64 bits of its SHA-1):
 *                         a line the developer had is never judged again,
 *                         wherever a rewrite (git gc, git stash drop) put it
 * After the run: a ref whose value changed to one refused is set back to
 * its value in the snapshot, or deleted when it had none (git update-ref,
 * the developer's git of supervise/gitrun.h, its hooks off); HEAD and
 * ORIG_HEAD likewise (and HEAD naming a ref deleted so, or one the listing
 * misses); every other file at the gitdir's top the run changed whose
 * first line git would take for a commit (FETCH_HEAD, MERGE_AUTOSTASH,
 * description for "git checkout description") is set aside when refused;
 * a reflog the run changed loses its new lines that are refused
 * (gittips_refused_entry; git stash list reads logs/refs/stash). Each is
 * said. */
#pragma once

#include <stdio.h>
#include <time.h>

#include "common/strv.h"

/* The snapshot of the gitdir open on fd, into f; home: git's HOME. 0 or
 * -errno (a reason in why). */
int gitrefs_snapshot(int gitdir_fd, const char *home, FILE *f, char *why, size_t why_len);

/* The check after the run, from the snapshot's text (NULL: none was taken:
 * said, nothing set back). repo: the gitdir's path, as shown; names: the
 * protected names; since: what changed after it is the run's (reflogs). */
void gitrefs_check(int gitdir_fd, const char *repo, const char *home, const strv *names, const char *snapshot,
                   const struct timespec *since);
