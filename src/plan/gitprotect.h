/* SPDX-License-Identifier: MIT
 * The entries of a git index that lie under a protected name (attack F1).
 * git trusts its index: the developer's `git checkout -- .`, `git restore
 * .`, `git stash` or `git reset --hard` write every entry into the
 * worktree. Under --git commits the command writes the index, so an entry
 * it adds for `.vscode/tasks.json` puts that file, which it could not
 * create, into the workspace at the developer's next routine command.
 *
 * An entry is protected when a component of its path, at a level down to
 * depth (protect_depth) below the worktree's top or below a writable root
 * holding it, is a protected name (compared without case, as the scan for
 * nested names does), or a pair of components is one of mise's configs
 * named with a directory (`.config/mise.toml`) while mise's names are
 * protected. Each is kept as a key "MODE OID PATH": an index after the run
 * with a key that the one before did not have (same path, mode and object)
 * is refused by the caller. An entry of a split index that replaces one of
 * its shared part has no path of its own: when the shared part has a
 * protected entry, that gives a key that never matches (GITPROTECT_SPLIT). */
#pragma once

#include <stddef.h>

#include "common/strv.h"

#define GITPROTECT_SPLIT "? a split index replacing entries of its shared part, which names protected paths"

/* Appends the keys of index's protected entries (worktree: its top,
 * absolute, or NULL when unknown: the paths are then taken from the top
 * alone; roots: the writable roots, absolute) to keys. 0 (also for no
 * index), or what gitindex_each returns. */
int gitprotect_entries(const strv *protect, unsigned depth, const strv *roots, const char *worktree,
                       const char *index, strv *keys);

/* The first key of after that before does not hold (a GITPROTECT_SPLIT one
 * always), or NULL. */
const char *gitprotect_new(const strv *before, const strv *after);

/* The path a key names (or the key itself for GITPROTECT_SPLIT). */
const char *gitprotect_path(const char *key);

/* A key's digest, 40 hex digits and a NUL, for keeping it on one line. */
void gitprotect_digest(const char *key, char out[41]);
