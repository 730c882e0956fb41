/* SPDX-License-Identifier: MIT
 * Protected names below the top of the writable roots: a nested repository's
 * sub/.git, a vendored vendor/lib/.git, pkg/.codex. Their hooks and config
 * (core.fsmonitor, core.hooksPath) run later, outside the sandbox, when the
 * developer's git or IDE works in that directory.
 *
 * A scan reads the directories of each writable root down to protect_depth
 * levels (never further, never through a symlink, never into a protected
 * name) and finds the protected names that exist there: the plan makes each
 * read-only, like the top-level ones. It records every directory it read with
 * its inode and change times, so that after the run nested_created() re-reads
 * only the directories whose times moved (and the new ones below them) to
 * find the protected names the command created: those were writable during
 * the run; corral reports them, and every later run protects them.
 *
 * Cost: one getdents pass over the directories within the depth before the
 * run, one lstat of each after it (docs/design.md, "Nested protected names").
 * Portable except for the directory reading (Linux getdents64). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strv.h"
#include "policy/policy.h"

typedef struct nested_dir {
        char *path;       /* absolute */
        unsigned depth;   /* 0: a writable root */
        uint64_t dev, ino;
        int64_t ctime_ns, mtime_ns;
        bool racy;        /* changed too close to the scan for its times to tell: re-read after the run */
} nested_dir;

typedef struct nested_scan {
        unsigned max_depth;
        nested_dir *dirs; /* every directory read, in scan order */
        size_t n_dirs, cap_dirs;
        strv found;       /* absolute paths of the protected names found at depth >= 1 */
} nested_scan;

/* Scans p's writable roots to p->protect_depth. A directory that cannot be
 * read (other than one that vanished) fails the scan with a message naming
 * it: a command could make it readable and write below it. */
int nested_scan_roots(const policy *p, nested_scan *s, corral_error *err);

/* After the run: the protected names at depth >= 1 that the scan did not
 * find, appended to created (absolute paths). Reads only what changed. */
int nested_created(const policy *p, const nested_scan *s, strv *created, corral_error *err);

void nested_scan_free(nested_scan *s);
