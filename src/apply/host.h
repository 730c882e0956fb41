/* SPDX-License-Identifier: MIT
 * What a run changes on the host, and undoes: the per-workspace state
 * directory (the workspace's /tmp, the kept nested scan) and the placeholder
 * directories that hold the place of missing protected names.
 *
 * Placeholders are kept per *writable root*, not per workspace: every run
 * whose plan has a protected name at the top of root R, or relies on a nested
 * name in R that another run's placeholder may be, shares R's bookkeeping,
 * <cache>/corral/roots/<device>-<inode of R>/ (plan->roots_dir; by identity, so
 * that every path reaching R, a bind mount's too, shares it):
 *
 *   lock          flock, exclusive while the journal is read or changed
 *   active        flock, shared by every run that relies on R for its whole
 *                 life; exclusive only for the run that finds itself alone
 *   placeholders  the journal: "dev ino path" of each placeholder made in R
 *   parked/       emptied placeholders waiting for the next run (renaming in
 *                 and out costs a fifth of mkdir + rmdir)
 *
 * Whichever run finds itself alone on R (it can take `active` exclusively),
 * at start or at end, removes the journalled placeholders that are still
 * empty directories with the same inode, whoever made them. A run that finds
 * a journalled placeholder existing holds it exactly like one it made. So a
 * concurrent run never loses its mount point, nothing is left behind after a
 * crash (the next run cleans), and nothing the user made is ever removed
 * (rmdir of an empty directory corral created, nothing else).
 *
 * Who writes it: the developer's corral for the developer's roots, with both
 * backends (for `users` the client does it before it starts corral-runner,
 * src/users/client.c), and corral-runner, as the sandbox user, only for
 * that user's own cache roots; the runner's plan marks the caller's roots
 * `held` and only checks that their placeholders exist. The directory is
 * hidden inside every sandbox (an empty mask), so a command can neither write
 * it nor hold its locks.
 *
 * The one gap: a crash between creating a placeholder and journalling it (a
 * few microseconds) leaves that empty directory behind. */
#pragma once

#include <sys/stat.h>

#include "common/strv.h"
#include "plan/nested.h"
#include "plan/plan.h"

typedef struct host_root {
        char *path; /* the directory the placeholders are in (a writable root) */
        char *dir;  /* its bookkeeping directory, <roots_dir>/<dev>-<ino> */
        dev_t dev;  /* the root's identity: every path that reaches it shares one bookkeeping */
        ino_t ino;
        int lock_fd;   /* <dir>/lock: serialises journal updates */
        int active_fd; /* <dir>/active: shared while a run relies on the root */
} host_root;

typedef struct host_state {
        host_root *roots;
        size_t n_roots;
} host_state;

/* The bookkeeping directory of a root (its stat) under roots_dir. */
char *host_root_dir(const char *roots_dir, const struct stat *root);

int host_prepare(const plan *pl, host_state *st, corral_error *err);
void host_finish(const plan *pl, host_state *st);

/* mkdir -p, cheapest when the directory exists (one system call); 0 or -errno. */
int host_mkdir_p(const char *path, mode_t mode);

/* The nested scan after the run (plan/nested.h): the plan's scan again,
 * with it as the cache, into after (the caller frees it, whatever is
 * returned), and the protected names it found created and replaced
 * (nested_created); then after is kept in the workspace's state directory,
 * where the next run starts from. 0, or a negative errno with err set (then
 * nothing is kept). */
int host_nested_after(const plan *pl, nested_scan *after, strv *created, strv *replaced, corral_error *err);

/* The users backend (users/client.c): the developer's scan, the plan's, made
 * before the run, kept in the developer's state directory as
 * host_nested_after keeps it for userns runs, so that the next run re-reads
 * only the directories whose identity or times moved since (the command's
 * changes move their ctime). The runner keeps its own, as the sandbox user.
 * A scan that read nothing copied every record from the kept one: nothing
 * is written then. */
void host_nested_keep(const plan *pl);
