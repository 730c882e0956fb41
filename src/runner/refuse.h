/* SPDX-License-Identifier: MIT
 * What corral-runner and corral-sandbox (its unprivileged half) share for
 * talking to corral: refusals answered on the result pipe, and full reads of
 * the request. */
#pragma once

#include <stddef.h>

#define EXIT_REFUSED 125

/* fd 4 (RESULT_FD) when corral passed a pipe there, else -1 (stderr). */
extern int result_fd;

/* Refusals and setup failures: one message, to corral through the result
 * pipe when it is there, else on stderr ("corral-runner: ..."); exit 125
 * (the command was not started). */
__attribute__((noreturn, format(printf, 1, 2))) void refuse(const char *fmt, ...);

/* Reads exactly len bytes; -EIO on a short read or an error. */
int read_full(int fd, void *buf, size_t len);
