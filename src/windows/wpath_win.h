/* SPDX-License-Identifier: MIT
 * Paths the Windows backend grants or protects. Win32 path handling has
 * several ways to name one object (or a different one) with a string that
 * looks harmless; corral accepts only plain local paths and works on final
 * (link-resolved) paths:
 *  - "\\?\", "\\.\", "\??\" namespace prefixes, UNC "\\server\share": refused;
 *  - alternate data streams ("file:stream", "file::$DATA"): refused;
 *  - components ending in '.' or ' ' (Win32 strips them), reserved device
 *    names (CON, NUL, COM1...), and < > " | ? * or control characters: refused;
 *  - junctions and symlinks: a writable root is replaced by its final path
 *    (GetFinalPathNameByHandleW) and must stay local (no network redirect)
 *    on a file system with persistent ACLs (NTFS, ReFS);
 *  - case variants: protected names match case-insensitively.
 * Windows only. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "common/strv.h"

/* Lexical checks above; what names the path's role in messages
 * ("writable root"). */
int wpath_check_lexical(const char *path, const char *what, corral_error *err);

/* The final path of an existing directory: links resolved, "\\?\" removed,
 * backslashes turned to '/'. Fails (naming path) when it is not a directory,
 * resolves to a network path, or lives on a file system without persistent
 * ACLs. */
int wpath_final_local(const char *path, const char *what, char **ret, corral_error *err);

/* A protected name must name one entry of a directory: no '/' or '\\'
 * (the shared config refuses only '/': "..\\..\\x" would reach outside the
 * root), no ':' (a data stream or a drive), no wildcard or control
 * character, no trailing dot or space, no device name, not "." or "..". */
int wpath_check_name(const char *name, const char *what, corral_error *err);

/* The final path of an existing file or directory (links followed, long
 * names for 8.3 aliases such as GIT~1, the file system's spelling), '/'-
 * separated, without "\\?\"; NULL when it cannot be resolved or is on the
 * network. No other checks: for names corral only compares. */
char *wpath_final_any(const char *path);

/* true when path exists and is a reparse point (junction, symlink, ...). */
bool wpath_is_reparse_point(const char *path);

/* For each protected name, the entry at the top of root that matches it
 * case-insensitively, as the file system spells it ("root/.GIT"), into
 * existing; the names without a match into missing (as root/name). */
int wpath_match_protected(const char *root, const strv *names, strv *existing, strv *missing,
                          corral_error *err);

/* Is name one of names, case-insensitively? */
bool wpath_name_in(const char *name, const strv *names);
