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
 * The git, its environment and descriptors: supervise/gitrun.h (HOME the
 * private directory). */
#pragma once

#include <stddef.h>

/* The pack read from fd, named pack-HEX.pack in the run: copied into
 * work_dir (a private directory corral made) and indexed there. 0: *pack
 * and *idx are descriptors (read-only, at offset 0) of the copy and of
 * git's index of it; else -errno, why saying what went wrong in words. */
int gitpack_index(int repo_fd, const char *work_dir, int fd, const char *hex, int *pack, int *idx, char *why,
                  size_t why_len);
