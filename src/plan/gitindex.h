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

#include <stddef.h>

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

/* The entries of index (and of a split index's shared part) whose first
 * path component is one of names, compared without case (the protected
 * names: .vscode/tasks.json, .claude/settings.json), appended to out as
 * "PATH\nMODE OID" (octal mode, hex id): git checkout -- . writes each where
 * its path leads. 0 also when index does not exist; errors as above. */
int gitindex_named(const char *index, const strv *names, strv *out);

/* The gitlinks of an index's bytes (unit tests, fuzzing). */
int gitindex_parse(const unsigned char *buf, size_t len, strv *out);
