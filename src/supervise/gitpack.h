/* SPDX-License-Identifier: MIT
 * The check of a pack before the import of a --git commits run takes it
 * (supervise/gitimport.h): the command's .idx, .rev and .bitmap are never
 * used. The developer's own git indexes a private copy of the .pack alone,
 * outside the sandbox, in the developer's repository, as it does a pack
 * received from a remote:
 *
 *   git -c core.fsmonitor= -c core.hooksPath=/dev/null \
 *       index-pack --strict --no-rev-index -o COPY.idx COPY.pack
 *
 * which hashes every object (its id is git's, not the pack's say), checks
 * each one as fsck does and that every object one names is there (in the
 * pack or the repository), refuses an object whose id the repository holds
 * with other contents, and prints the pack's checksum: its name.
 *
 * The git run is /usr/bin/git or /usr/local/bin/git (the first there, a
 * regular file owned by root that only root can write: never one found on
 * PATH, which can name a directory the command writes), with an
 * environment of its own (PATH=/usr/bin:/bin, LC_ALL=C, GIT_DIR=., no
 * system or global config, HOME the private directory), in the repository
 * (by descriptor), stdin /dev/null, its output read by corral, no other
 * descriptor of corral's open in it. */
#pragma once

#include <stddef.h>

#include "common/strv.h"

/* The pack read from fd, named pack-HEX.pack in the run: copied into
 * work_dir (a private directory corral made) and indexed there. 0: *pack
 * and *idx are descriptors (read-only, at offset 0) of the copy and of
 * git's index of it; else -errno, why saying what went wrong in words. */
int gitpack_index(int repo_fd, const char *work_dir, int fd, const char *hex, int *pack, int *idx, char *why,
                  size_t why_len);

/* The entries at the top of the tree rev (a commit, tag or tree id, or
 * HEAD) whose names are among names, as `git ls-tree -z rev -- NAMES` of
 * the same git and environment prints them ("MODE TYPE ID\tNAME" records,
 * each ended by a NUL), in out (*out_n bytes, NUL-terminated). 0; 1 when
 * git refuses (rev is no tree-ish it has); -ENOENT without such a git;
 * -EFBIG when more than out_len - 1 bytes; -errno. */
int gitpack_top_entries(int repo_fd, const char *home, const char *rev, const strv *names, char *out,
                        size_t out_len, size_t *out_n);
