/* SPDX-License-Identifier: MIT
 * Path strings: expansion of ~ and $HOME, joining, lexical normalisation and
 * canonicalisation (symlinks resolved; for a path that does not exist, its
 * longest existing prefix is resolved and the rest appended). Portable. */
#pragma once

#include <stdbool.h>

/* "~", "~/x", "$HOME", "$HOME/x" expand with home; other paths are copied.
 * Returns NULL on allocation failure or when home is needed but NULL. */
char *path_expand_home(const char *path, const char *home);

/* base + "/" + rel, or rel when it is absolute. */
char *path_join(const char *base, const char *rel);

/* Removes "." components, duplicate slashes and resolves ".." lexically. */
char *path_normalize(const char *path);

/* Canonical absolute path (see above). Returns NULL and sets errno on error. */
char *path_canonicalize(const char *path);

bool path_is_absolute(const char *path);

/* true when child equals parent or lies beneath it (both canonical). */
bool path_is_below_or_equal(const char *child, const char *parent);
