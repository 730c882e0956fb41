/* SPDX-License-Identifier: MIT
 * Package-manager and build caches (docs/config.md, "[caches]"): where each tool keeps its
 * cache, and how the sandbox sees it. The default, read-through, is an
 * overlay: the developer's cache is the read-only lower layer, a directory
 * private to the workspace the upper one, so that installs stay fast and work
 * offline while nothing the command writes reaches the developer's cache.
 *
 * Pure planning: reads the environment and lstat()s the cache directories;
 * the directories of the private caches are created by apply/caches.c and
 * the overlays mounted by apply/mounts.c (MOP_OVERLAY). */
#pragma once

#include <stdio.h>

#include "plan/plan.h"

typedef enum cache_how {
        CACHE_HOW_OVERLAY,  /* its own overlay on path (lower: the developer's, or empty when private) */
        CACHE_HOW_IN_XDG,   /* lives in the xdg overlay: no mount of its own */
        CACHE_HOW_VARIABLE, /* the developer has none: the tool's variable points into the xdg overlay */
        CACHE_HOW_READONLY, /* off: the developer's directory, read-only like the rest of the home */
        CACHE_HOW_WRITABLE, /* inside a writable root: written directly, like the rest of that root */
        CACHE_HOW_NONE,     /* not provided: why says why */
} cache_how;

typedef struct plan_cache {
        policy_cache id;
        policy_cache_mode mode;
        cache_how how;
        const char *path;        /* where the tool keeps it, canonical */
        const char *private_dir; /* OVERLAY: <caches_dir>/<name> (upper/, work.N/, empty/) */
        const char *variable;    /* VARIABLE: the "NAME=value" set for the command */
        const char *why;         /* one line for explain */
        int slot;                /* OVERLAY: the overlay's slot */
        /* OVERLAY: paths beneath path shown as they are, read-only, on top
         * of the overlay (toolchains such as ~/.cargo/bin, corral's own
         * state); READONLY inside the xdg overlay: path itself. */
        const char *keep[4];
        int keep_slot[4];
        size_t n_keep;
} plan_cache;

/* Decides how each cache is shown (pl->caches) and sets the variables of the
 * VARIABLE ones in pl->env. Needs pl->state_dir and pl->env. */
int plan_caches(const policy *p, plan *pl, corral_error *err);

/* The mount ops, in two parts: the overlays and the clones of what stays
 * read-only beneath them (toolchains, corral's own state), while the view is
 * still the host's; and, after the view became read-only, the attachments,
 * parents first. Then the Landlock rules. */
int plan_caches_mount(plan *pl);
int plan_caches_attach(plan *pl);
int plan_caches_landlock(plan *pl);

/* Whether path lies strictly beneath a cache shown privately (an overlay over
 * an empty directory) and not beneath what stays as it is there: nothing of
 * the developer's is at that path inside, so there is nothing to mask (and
 * no mount point to mask it on). */
bool plan_caches_hides(const plan *pl, const char *path);

/* For explain. */
const char *cache_how_to_string(cache_how how);
void plan_caches_describe(const plan *pl, FILE *f);
void plan_caches_describe_json(const plan *pl, FILE *f);
