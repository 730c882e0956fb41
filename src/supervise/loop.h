/* SPDX-License-Identifier: MIT
 * The pieces every supervision loop shares (supervise.c for the userns
 * backend, subreaper.c for the run without namespaces, users/client.c for
 * the developer's side of the users backend): the clock of the timeout and
 * the wall time, the signals corral passes on, and the control socket the
 * caller sends signals on. Each loop still polls its own set of fds. */
#pragma once

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* Monotonic milliseconds. */
uint64_t loop_now_ms(void);
/* poll's timeout until deadline (loop_now_ms's clock; 0: none, -1). */
int loop_timeout(uint64_t deadline);
/* mask = the signals passed on to the command (FORWARDED_SIGNALS, apply.h). */
void loop_forwarded(sigset_t *mask);
/* Reads what waits in sigfd (a non-blocking signalfd) and passes each
 * signal on to pid, but SIGCHLD and what the kernel sent (SI_KERNEL): the
 * terminal's signals reach the command directly, in its process group. */
void loop_forward_signals(int sigfd, pid_t pid);
/* Reads one request from the caller's control socket (an int32 signal
 * number) and sends it to pid. Returns -1 when the caller is gone (end of
 * file or an error): then the run must end too. */
int loop_control(int control_fd, pid_t pid);
