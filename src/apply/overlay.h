/* SPDX-License-Identifier: MIT
 * A private cache's overlay (MOP_OVERLAY, plan/caches.h). Runs in the
 * sandbox's init between clone and exec: no allocation. */
#pragma once

#include <stddef.h>

/* How many runs of one workspace can have a cache mounted at once: each
 * takes a work directory of its own (work.N, with its lock work.N.lock),
 * made when first needed, so only as many exist as runs were ever at once. */
#define OVERLAY_WORK_DIRS 256

/* "work.N" (lock: "work.N.lock") into buf, which holds at least 24 bytes. */
const char *overlay_work_name(char *buf, size_t len, unsigned n, int lock);

/* A new detached overlay mount: lower (NULL: cache_dir/empty) read-only
 * beneath cache_dir/upper, with the first work directory cache_dir/work.N
 * whose lock no other run holds (the lock stays held by this process, that
 * is, for the whole run). Returns the mount's fd or a negative errno. */
int overlay_new(const char *lower, const char *cache_dir);
