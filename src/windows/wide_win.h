/* SPDX-License-Identifier: MIT
 * Windows text and errors: UTF-8 (what corral's portable core speaks) to
 * UTF-16 (what every W API takes) and back; one formatter that adds the
 * system's message for a Win32 error code; Wine detection for the tests and
 * doctor. Windows only. */
#pragma once

#include <stdbool.h>
#include <wchar.h>
#include <windows.h>

#include "common/error.h"

/* malloc'd conversions; NULL (errno EINVAL or ENOMEM) on invalid input. */
wchar_t *win_wide(const char *utf8);
char *win_utf8(const wchar_t *wide);

/* A drive-absolute path ("C:/x/y") as "\\?\C:\x\y": the name exactly as the
 * file system holds it, without Win32's rewriting (a trailing dot or space
 * dropped, MAX_PATH); for names read from a directory listing, never for
 * paths a user gave (wpath_win.h refuses those). Any other path (not
 * drive-absolute, or with a "." or ".." component) as win_wide. malloc'd. */
wchar_t *win_wide_exact(const char *path);

/* Formats "<fmt>: <system message> (Win32 error N)" into err and returns
 * -EACCES for access-denied errors, -ENOENT for not-found ones, -EIO else. */
int win_error(corral_error *err, DWORD code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The negative errno corral uses for a Win32 error code. */
int win_errno(DWORD code);

/* Wine exports wine_get_version from ntdll; Windows does not. Returns the
 * version string, or NULL on Windows. */
const char *win_wine_version(void);

/* Case-insensitive (ordinal, as NTFS compares names) equality of two UTF-16 strings. */
bool win_name_equal(const wchar_t *a, const wchar_t *b);
