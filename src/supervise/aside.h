/* SPDX-License-Identifier: MIT
 * Setting aside what a command left where the developer's git would act on
 * it: a rename to <name>.corral-refused-<random> in the same directory,
 * never over anything, said on stderr. git never reads such a name. */
#pragma once

/* Renames name (in the directory dir, shown as path) aside; why says what
 * it is. Returns 0 or -errno (then a warning naming path was printed). */
int aside_rename(int dir, const char *path, const char *name, const char *why);
