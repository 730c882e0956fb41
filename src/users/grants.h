/* SPDX-License-Identifier: MIT
 * Read and traverse grants for the sandbox users (POSIX ACL entries), made by
 * the developer who owns the files, recorded in CORRAL_GRANTS_DIR/<uid>, and
 * revoked by `corral revoke` or `corral-setup --uninstall` without touching
 * content or mode bits.
 *
 * Writable roots need no grant: the runner shows them to the sandbox user
 * through an idmapped mount (docs/elevated.md). What needs a grant is
 *   - traverse (--x) on an ancestor of a workspace that "other" cannot
 *     traverse (a 0700 home), so the sandbox user can reach the workspace;
 *   - read (the group's r-x, never more) on a toolchain or read root whose
 *     files "other" cannot read. Private files (no group read bit: 0600,
 *     0700) are never granted.
 * Record lines: "T <path>" an ancestor given --x, "R <path>" a tree given
 * read, "W <path>" a workspace whose ancestors are done. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "users/marker.h"

typedef void (*grant_note)(const char *msg);

/* Makes dir reachable (ancestors) for both sandbox users; with read, also
 * readable. Appends to the caller's record. note() tells the user what was
 * granted (NULL: quiet). Returns the number of ACL entries added, or -errno. */
int grants_grant(const marker *m, const char *dir, bool read, grant_note note, corral_error *err);

/* Revokes what the record holds for dir (and traverse grants no other
 * record needs). Returns the number of paths changed, or -errno. */
int grants_revoke(const marker *m, const char *dir, grant_note note, corral_error *err);

/* Whether both sandbox users can traverse every ancestor of dir: a stat per
 * ancestor and, where "other" lacks x, one ACL read. */
bool grants_reachable(const marker *m, const char *dir);

/* As root, for --uninstall: revokes every recorded grant of every user.
 * Returns the number of paths changed. */
int grants_revoke_all(const marker *m);
