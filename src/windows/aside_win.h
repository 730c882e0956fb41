/* SPDX-License-Identifier: MIT
 * Setting aside on Windows what a command left where the developer's git
 * would act on it: a rename to <name>.corral-refused-<random> in the same
 * directory, never over anything, said on stderr with the words Linux uses
 * (supervise/aside.h). Windows only. */
#pragma once

/* Renames name in dir (shown as dir/name) aside; why says what it is.
 * 0, or -1 (then a warning naming it was printed). */
int win_set_aside(const char *dir, const char *name, const char *why);
