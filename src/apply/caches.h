/* SPDX-License-Identifier: MIT
 * The private caches on the host (plan/caches.h): their directories, made
 * before a run; their sizes; clearing them (`corral cache`). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "plan/plan.h"

/* Creates <private_dir>/upper and /empty of every overlaid cache. */
int caches_prepare(const plan *pl, corral_error *err);

/* Bytes on disk (blocks) and entries of a private cache; 0 when missing. */
int caches_size(const char *private_dir, uint64_t *bytes, uint64_t *entries);

/* Every private cache of the workspace (also those not mounted now), one
 * per line or as a JSON object. */
int caches_list(const plan *pl, FILE *f, bool json, corral_error *err);

/* Removes the named private caches (all when names is empty); refuses
 * (-EBUSY) while a run of the workspace holds one. */
int caches_clear(const plan *pl, char *const *names, size_t n_names, FILE *f, corral_error *err);

/* Removes the directory path and everything below it, never following a
 * link, however the command left the modes (the same walk as a clear: a
 * --git commits run's overlay layers, supervise/gitimport.h). 0 when it
 * does not exist, or -errno. */
int caches_remove_tree(const char *path);
