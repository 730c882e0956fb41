/* SPDX-License-Identifier: MIT
 * The gitlinks of a git index (Documentation/gitformat-index): the paths of
 * its entries of mode 160000, submodules. git status, diff and commit run
 * git in every populated one, with that repository's own config (its
 * core.fsmonitor, its hooks), however deep it lies. So every gitlink's
 * .git is protected like a nested .git, and one that is not populated (an
 * empty directory, or no directory) is held so that none can be made
 * (docs/design.md, "Submodules the index names").
 *
 * Versions 2, 3 and 4 (prefix-compressed paths), SHA-1 and SHA-256 (told
 * apart by the first entry: its name length must match). An index corral
 * cannot make sense of is an error: the caller fails the run. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strv.h"

#define GITINDEX_MAX (256u << 20) /* an index of millions of files is ~100 MB */

/* Appends the gitlinks' paths (relative to the worktree's top, as in the
 * index) to out. Returns 0 (also when index does not exist: nothing), or
 * -EINVAL for an index it cannot parse, -EFBIG beyond GITINDEX_MAX, -errno. */
int gitindex_gitlinks(const char *index, strv *out);

/* The same, and in *bad (when non-NULL) the first path of any entry that
 * git's verify_path would refuse ("..", ".git", a leading "/", ...: git
 * trusts its own index, and writes such a path where it leads). A split
 * index's shared part (sharedindex.<hash> beside it) is read too. */
int gitindex_read(const char *index, strv *gitlinks, char **bad);

/* Every entry of index, in order, to fn: its path (empty for an entry of a
 * split index that replaces one of the shared part), mode, object name
 * (oid_len bytes: 20 or 32), and whether it is of the shared part
 * (sharedindex.<hash> beside index, read after the index itself). fn
 * returning < 0 stops the walk with that value. 0 when index does not exist;
 * errors as gitindex_read. */
typedef int (*gitindex_entry_fn)(const char *path, uint32_t mode, const unsigned char *oid, size_t oid_len,
                                 bool shared, void *data);
int gitindex_each(const char *index, gitindex_entry_fn fn, void *data);

/* The gitlinks of an index's bytes (unit tests, fuzzing). */
int gitindex_parse(const unsigned char *buf, size_t len, strv *out);
