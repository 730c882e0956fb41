/* SPDX-License-Identifier: MIT
 * Protected names below the top of the writable roots: a nested repository's
 * sub/.git, a vendored vendor/lib/.git, pkg/.codex. Their hooks and config
 * (core.fsmonitor, core.hooksPath) run later, outside the sandbox, when the
 * developer's git or IDE works in that directory.
 *
 * A scan reads the directories of each writable root down to protect_depth
 * levels (never further, never through a symlink, never into a protected
 * name) and finds the protected names that exist there: the plan makes each
 * read-only, like the top-level ones. It records every directory it looked at
 * with its inode, change times, subdirectories and protected names, so that a
 * later scan given it as a cache re-reads only the directories whose times
 * moved: after the run, to find the protected names the command created
 * (they were writable during the run: corral reports them, and every later
 * run protects them), and at the start of the next run, from the copy kept in
 * the workspace's state directory.
 *
 * Cost: one lstat per directory within the depth, plus a getdents pass over
 * those that changed (docs/design.md, "Nested protected names"). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strv.h"
#include "policy/policy.h"

/* What an object is, whatever its name: its device and inode. */
typedef struct nested_id {
        uint64_t dev, ino;
} nested_id;

typedef struct nested_dir {
        char *path;       /* absolute */
        unsigned depth;   /* 0: a writable root */
        uint64_t dev, ino;
        uint64_t mnt_id;  /* the mount it was reached through (not kept between runs) */
        int64_t ctime_ns, mtime_ns;
        bool racy;        /* changed too close to the scan for its times to tell: re-read next time */
        uint32_t n_entries; /* how many entries it had when read */
        strv subdirs;     /* names of its subdirectories, when depth < max_depth */
        strv names;       /* names of the protected entries in it, when depth >= 1 */
        nested_id *ids;   /* what each of names is (names.n of them) */
} nested_dir;

typedef struct nested_scan {
        char *key;        /* what the records depend on: the depth and the protected names */
        nested_dir *dirs; /* every directory looked at, in scan order */
        size_t n_dirs, cap_dirs;
        size_t n_read;    /* how many of them were read (the rest came unchanged from the cache) */
        strv found;       /* absolute paths of the protected names found at depth >= 1 */
        nested_id *found_ids; /* what each of found is, as the scan saw it */
        unsigned attempts; /* how many times the scan had to start over (directories moved meanwhile) */
} nested_scan;

/* What a scan looks for, from the policy: kept in the plan, so that the
 * scan after the run needs no policy. */
typedef struct nested_rules {
        strv roots;     /* the writable roots scanned: not those that are the sandbox user's own
                         * (policy.sandbox_roots: nothing there runs outside a sandbox) */
        strv protect;   /* the protected names */
        unsigned depth; /* policy.protect_depth */
} nested_rules;
int nested_rules_from(const policy *pol, nested_rules *r); /* 0 or -ENOMEM */
void nested_rules_free(nested_rules *r);

/* Scans p's roots to p->depth. With a cache (a previous
 * scan for the same policy, or NULL), a directory whose inode and times are
 * unchanged is not read again. A directory that cannot be read (other than
 * one that vanished) fails the scan with a message naming it: a command
 * could make it readable and write below it.
 *
 * The scan goes by descriptor: each directory is opened from its parent's
 * descriptor with O_NOFOLLOW (the roots with RESOLVE_NO_SYMLINKS), and each
 * protected name's identity is taken from its directory's descriptor. A
 * scan is kept only when nothing moved while it ran: no directory it read
 * changed (identity, ctime, mtime) by the end, none it listed vanished, none
 * was met under two paths on one mount. Otherwise it starts over, up to a
 * bound, then fails with -EAGAIN naming the directory: another process kept
 * moving directories there, and a scan it raced could miss an existing
 * protected name. */
int nested_scan_cached(const nested_rules *p, const nested_scan *cache, nested_scan *s, corral_error *err);
int nested_scan_roots(const nested_rules *p, nested_scan *s, corral_error *err); /* without a cache */

/* After the run: scans again with before as the cache into after, and
 * appends to created the protected names (absolute paths) that after found
 * and before did not (as a path or as an object), and to replaced those that
 * after found at a path where before found another object or none, the
 * object being one before found elsewhere (compared by device and inode, not
 * by name: a .git moved away and another put in its place is not the one
 * protected). */
int nested_created(const nested_rules *p, const nested_scan *before, nested_scan *after, strv *created, strv *replaced,
                   corral_error *err);

/* The identity the scan saw at path (one of s->found), or NULL. */
const nested_id *nested_found_id(const nested_scan *s, const char *path);

/* The copy kept between runs, in state_dir/nested-DEPTH. nested_load leaves
 * s empty when the file is missing, unreadable, malformed or made for another
 * set of names; nested_save replaces the file atomically, or does nothing
 * when the directories hold so few entries that reading them again costs
 * less than the file. */
void nested_load(const char *state_dir, const nested_rules *p, nested_scan *s);
int nested_save(const char *state_dir, const nested_rules *p, const nested_scan *s);

void nested_scan_free(nested_scan *s);
