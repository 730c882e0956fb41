/* SPDX-License-Identifier: MIT
 * A private cache's overlay (MOP_OVERLAY, plan/caches.h). Runs in the
 * sandbox's init between clone and exec: no allocation. */
#pragma once

/* A new detached overlay mount: lower (NULL: cache_dir/empty) read-only
 * beneath cache_dir/upper, with the first work directory cache_dir/work.N
 * whose lock no other run holds (the lock stays held by this process, that
 * is, for the whole run). Returns the mount's fd or a negative errno. */
int overlay_new(const char *lower, const char *cache_dir);
