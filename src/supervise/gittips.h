/* SPDX-License-Identifier: MIT
 * What a ref a --git commits run sets would bring into the worktree under
 * the protected names (docs/design.md, "Git in commits mode"). The command
 * cannot make .vscode/, .claude/ or .corral.toml in the worktree, but it can
 * commit them: the developer's checkout of that commit (a branch switch,
 * git reset --hard, git stash pop) would write them, and so would a revert
 * or a checkout of a commit below it (a commit that adds .vscode/tasks.json
 * under one that removes it again: git revert HEAD writes it). A ref's new
 * value (a loose or packed ref, HEAD, ORIG_HEAD, a reflog entry) is refused
 * when
 *   - the tree of its commit holds, at its top, an entry under a protected
 *     name that neither the developer's HEAD at the start ("the base") nor
 *     the ref's old value holds with the same mode and object; or
 *   - a commit below it that none of the commits the developer's refs named
 *     at the start reaches (the run's own, or ones it fetched) adds or
 *     changes a file under a protected name at the top to a mode and object
 *     that neither the base nor the old value holds at that path.
 * The developer's git lists them, as supervise/gitrun.h runs it:
 *   git ls-tree -z REV -- NAMES            (the top entries)
 *   git ls-tree -r -z REV -- NAMES         (the files below them)
 *   git log -z -m --root --raw --full-history --no-renames --format=%H \
 *       --stdin REV ^OLD -- NAMES          (stdin: ^ID for each commit of
 *                                           the developer's refs)
 * with commit-graphs, replace refs, signatures and external diffs off. A
 * commit corral cannot list (no such git, more than it reads) is refused. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/strv.h"

typedef struct gittips {
        int repo_fd;
        const char *home;    /* git's HOME: a private directory */
        const strv *names;   /* the protected names */
        const char *shallow; /* GIT_SHALLOW_FILE (gitrun.h); NULL: the repository's */
        char base_rev[65];   /* the base, listed when a first value is judged: */
        bool base_listed;
        char *base, *base_files;
        size_t base_n, base_files_n;
        int known_fd;        /* "^ID\n" for each commit of the developer's refs; -1: none */
        strv passed;         /* "ID OLD" (OLD "-": none): the changes judged and passed */
        char why[700];
} gittips;

/* base: the developer's HEAD at the start (an object id; "HEAD" while the
 * repository's HEAD is still the developer's); known: the object ids the
 * developer's refs named at the start. Keeps repo_fd, home and names. */
void gittips_begin(gittips *t, int repo_fd, const char *home, const strv *names, const char *base,
                   const strv *known);

/* The ref value (val, n bytes: an object id, maybe followed by more; a
 * symbolic ref passes, its target being judged on its own) replacing old
 * (NULL: none): NULL when it brings nothing under a protected name, else
 * why it is refused, in words (in t->why). */
const char *gittips_refused(gittips *t, const char *val, size_t n, const char *old, size_t old_n);

/* A reflog entry ("OLD NEW NAME <EMAIL> TIME ZONE\tMESSAGE", len bytes)
 * the run added, to the reflog of a ref whose value at the start was
 * start (NULL: none): NEW and OLD (HEAD@{N} takes either) are judged
 * against start, never against the entry's own OLD, and so is the NAME of
 * a "checkout: moving from NAME to ..." message (git checkout - takes it),
 * which must be an object id or a branch's name; an entry that does not
 * start with two object ids is refused. An id known holds (sorted; NULL:
 * none) is not judged: the developer's reflogs named it at the start.
 * NULL or why, as above. */
const char *gittips_refused_entry(gittips *t, const char *line, size_t len, const char *start, const strv *known);

void gittips_end(gittips *t);

/* A name git could have written as a branch's (in "checkout: moving from
 * NAME to ...", in BISECT_START): no revision syntax, no abbreviated id. */
bool gittips_branch_name_ok(const char *p, size_t n);

/* The object id a ref value (p, n) starts with, into rev; false for a
 * symbolic ref ("ref: ...") or anything else. Either case (git reads
 * both); rev is lowercase. */
bool gittips_value_oid(const char *p, size_t n, char rev[65]);
