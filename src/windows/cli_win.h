/* SPDX-License-Identifier: MIT
 * What src/cli/main.c needs on Windows that the C runtime there lacks:
 * UTF-8 arguments (from the UTF-16 command line), fcntl(F_GETFD) as "is this
 * fd open", dprintf, the `corral setup` launcher (UAC "runas" instead of
 * sudo) and the std-fd check. Included by main.c only, on Windows only. */
#pragma once

#include <io.h>

#define F_GETFD 1
#define F_SETFD 2
#define FD_CLOEXEC 1

/* -1 when fd is not open; F_SETFD does nothing (CRT fds are not inherited by
 * the sandbox: it gets exactly its three standard handles). */
int cli_win_fcntl(int fd, int cmd, ...);
#define fcntl cli_win_fcntl

int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* argv as UTF-8 from GetCommandLineW; exits 125 when that fails. */
char **cli_win_utf8_argv(int *argc);

/* corral setup ARGS: corral-setup.exe from next to corral.exe, elevated
 * through a UAC prompt (ShellExecuteExW "runas"); its exit code. */
int cli_win_setup(int argc, char **argv);
#define cmd_setup cli_win_setup

/* Standard handles that are missing are opened on NUL. */
void cli_win_ensure_std_fds(void);
#define ensure_std_fds cli_win_ensure_std_fds
