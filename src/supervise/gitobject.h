/* SPDX-License-Identifier: MIT
 * The check of a loose object before the import of a --git commits run
 * takes it (supervise/gitimport.h): git names an object by the hash of its
 * contents and never rewrites one it has, so an object whose name is not
 * the hash of what it holds would stand, in the developer's repository, for
 * the content that name is the id of (a file the developer commits later).
 *
 * The file is inflated as a stream (a bounded buffer, whatever the size),
 * its header "TYPE SIZE\0" read strictly (blob, tree, commit or tag; the
 * size in decimal without leading zeros, at most GITOBJECT_MAX, equal to
 * what follows it), nothing after the zlib stream, and the header and
 * contents hashed with the repository's object format. A tree's entries
 * are read as they stream in, as git writes them: one of git's five modes,
 * a name that is not empty, ".", "..", ".git" and has no "/", in git's
 * order, none twice in a row (fsck's fullPathname, hasDot, hasDotgit,
 * treeNotSorted, duplicateEntries: an entry ".vscode/tasks.json", or one
 * out of order, is missed by a listing of the names given, `git ls-tree
 * REV -- .vscode`, and written all the same by git checkout). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GITOBJECT_MAX ((uint64_t)4 << 30)

typedef enum gitobject_format { GITOBJECT_SHA1, GITOBJECT_SHA256 } gitobject_format;

/* The object format of the repository whose config is text (git's
 * extensions.objectFormat; SHA-1 when it is not set). -EINVAL for a value
 * git does not know, or a config git refuses. */
int gitobject_format_of_config(const char *text, size_t len, gitobject_format *out);

/* 0 when the loose object read from fd hashes to hex (its name: the two
 * characters of its directory then the file's, 40 for SHA-1, 64 for
 * SHA-256); else -EINVAL (why says what is wrong, in words) or -errno of a
 * read. */
int gitobject_check_loose(int fd, gitobject_format fmt, const char *hex, char *why, size_t why_len);
