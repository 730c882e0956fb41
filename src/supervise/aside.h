/* SPDX-License-Identifier: MIT
 * Setting aside what a command left where the developer's git would act on
 * it: a rename to <name>.corral-refused-<random> in the same directory,
 * never over anything, said on stderr. git never reads such a name. */
#pragma once

/* What is said, on both platforms (Windows: windows/gitcheck_win.c):
 * path, why, the new name; or path, why, the error. */
#define ASIDE_DONE_FMT                                                                                                \
        "corral: %s: %s. git outside the sandbox would act on it; it was set aside as %s, which git does not read\n"
#define ASIDE_FAIL_FMT                                                                                                \
        "corral: WARNING: %s: %s, and corral could not set it aside (%s): do not run git there before you have "     \
        "looked at it\n"

/* Linux: renames name (in the directory dir, shown as path) aside; why says what
 * it is. Returns 0 or -errno (then a warning naming path was printed). */
int aside_rename(int dir, const char *path, const char *name, const char *why);
