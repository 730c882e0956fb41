/* SPDX-License-Identifier: MIT
 * What corral-setup.exe installed, in %ProgramData%\corral\setup.txt: a
 * versioned "key=value" file, written last by setup and removed first by
 * --uninstall. Readers refuse it unless Administrators or SYSTEM own it
 * (anyone else could otherwise point corral at another runner or account).
 * Windows only. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

#define WIN_MARKER_FORMAT 1
#define WIN_GROUP "corral-sandbox"
#define WIN_USER_OFFLINE "corral-offline"
#define WIN_USER_ONLINE "corral-online"

typedef struct win_marker {
        int format;
        char version[32];
        char group[64], group_sid[192];
        char offline[64], offline_sid[192];
        char online[64], online_sid[192];
        char runner[1024];         /* corral-runner.exe, in a directory only administrators can write */
        char loopback_ports[256];  /* "3128,8080" or "" */
} win_marker;

/* %ProgramData%\corral (malloc'd, '/'-separated). */
char *win_marker_dir(void);

/* -ENOENT when setup never ran; -EINVAL/-EACCES with a message when the file
 * is malformed, of another format or version, or not owned by an administrator. */
int win_marker_read(win_marker *m, corral_error *err);

/* Formats m (format and version filled in) as the file's text. */
int win_marker_format(const win_marker *m, char *buf, size_t size);
/* Parses the text; the same checks as win_marker_read but ownership. */
int win_marker_parse(const char *text, win_marker *m, corral_error *err);
