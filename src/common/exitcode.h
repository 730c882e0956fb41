/* SPDX-License-Identifier: MIT
 * How a child's end is told as an exit code, the way a shell does it: its
 * exit status, or 128 + the signal that killed it. The one copy for the
 * command's end (supervise/ending.c) and for corral's own end as the MCP
 * server sees it. Linux. */
#pragma once

/* status as waitpid gives it; *sig (if non-NULL) the signal, else 0. */
int exit_code_of_wait_status(int status, int *sig);
