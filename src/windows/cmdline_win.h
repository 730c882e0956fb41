/* SPDX-License-Identifier: MIT
 * How argv becomes what CreateProcess takes: the program found on PATH with
 * PATHEXT, and one command line that the target parses back into exactly
 * argv. Two parsers matter:
 *  - programs: CommandLineToArgvW / the MSVC C runtime (quotes, and
 *    backslashes only special before a quote);
 *  - .bat/.cmd scripts: cmd.exe, which also interprets & | < > ^ ( ) and %VAR%
 *    (inside quotes too) — BatBadBut, CVE-2024-24576. corral runs scripts
 *    through `cmd.exe /d /v:off /s /c "..."` itself, quotes every argument,
 *    and refuses arguments that cannot be quoted for cmd.exe: those holding
 *    '"', '%', CR or LF.
 * UTF-8 in and out (the caller converts to UTF-16). Windows only. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

/* true when CreateProcess would hand path to cmd.exe: it ends in .bat or
 * .cmd, case-insensitively, ignoring trailing dots and spaces (which Win32
 * strips). */
bool cmdline_is_batch(const char *path);

/* The MSVC-convention command line for argv (argv[0] by the program-name
 * rule: quoted when it holds blanks, never escaped). -EINVAL with a message
 * when argv[0] holds '"' or argv is empty. */
int cmdline_quote_argv(char *const argv[], char **ret, corral_error *err);

/* The command line that runs script with args (argv[1..]) through cmd.exe at
 * comspec, safely; -EINVAL naming the argument that cannot be quoted. */
int cmdline_quote_batch(const char *comspec, const char *script, char *const args[], char **ret,
                        corral_error *err);

/* Finds the program CreateProcess should start for name: a path (holding a
 * separator or a drive) relative to cwd, otherwise each directory of
 * path_env in order (the current directory is not searched, as execvp on
 * Linux); without an extension, each of pathext's (".COM;.EXE;.BAT;.CMD").
 * Returns 0 and the full path, -ENOENT when nothing matches. */
int cmdline_find_program(const char *name, const char *cwd, const char *path_env, const char *pathext,
                         char **ret);

/* Both together: the application to start and its command line. For a
 * script, the application is comspec. */
int cmdline_build(const char *program, char *const argv[], const char *comspec, char **app, char **line,
                  corral_error *err);
