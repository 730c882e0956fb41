/* SPDX-License-Identifier: MIT
 * Reading a small file that a hostile repository or command may have put
 * there (a workspace's .corral.toml, a .git file, commondir, a git config):
 * never blocks (a FIFO, a terminal, a device is refused before it is opened
 * for reading), reads only regular files, never more than a cap, and never
 * follows a symbolic link unless asked to. Portable (on Windows: stat and
 * fopen, which cannot meet FIFOs in a workspace). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define READFILE_FOLLOW 1u /* follow a symbolic link in the last component */

/* Reads path into *buf (malloc'd, NUL-terminated; it may hold NUL bytes:
 * *len says how many bytes were read). Returns 0, or:
 *   -ENOENT / -ENOTDIR  it does not exist
 *   -ELOOP              it is a symbolic link (without READFILE_FOLLOW)
 *   -EISDIR             it is a directory
 *   -EFTYPE_NOTREG      anything else that is not a regular file: a FIFO, a
 *                       socket, a device (*type, when non-NULL, says which)
 *   -EFBIG              it holds more than max bytes
 *   another -errno      it could not be opened or read (EACCES, EIO, ...) */
#define EFTYPE_NOTREG EPROTOTYPE
int readfile_small(const char *path, size_t max, unsigned flags, char **buf, size_t *len, mode_t *type);

/* "a FIFO", "a socket", "a character device", "a block device", "a
 * directory", "a symbolic link" or "not a regular file", for messages. */
const char *readfile_type_name(mode_t type);
