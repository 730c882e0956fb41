/* SPDX-License-Identifier: MIT
 * What a run changes on the host, and undoes: the per-workspace state
 * directory (lock, placeholder journal, the workspace's /tmp) and the
 * placeholder directories that hold the place of missing protected names.
 *
 * Placeholders are journalled with their device and inode. Every run holds a
 * shared lock on <state>/active while it runs; whichever run finds itself
 * alone (it can take the lock exclusively), at start or at end, removes the
 * journalled placeholders that are still empty directories with the same
 * inode (parking it in <state>/parked/ for the next run, so that runs do not
 * allocate and free inodes). So nothing is left behind after a crash (the next run cleans), a
 * concurrent run never loses its mount point, and nothing the user made is
 * ever removed (rmdir of an empty directory we created, nothing else). The
 * one gap: a crash between creating a placeholder and journalling it (a few
 * microseconds) leaves that empty directory behind. */
#pragma once

#include "plan/plan.h"

typedef struct host_state {
        int lock_fd;   /* <state>/lock: serialises journal updates */
        int active_fd; /* <state>/active: shared while a run is active */
} host_state;

int host_prepare(const plan *pl, host_state *st, corral_error *err);
void host_finish(const plan *pl, host_state *st);
