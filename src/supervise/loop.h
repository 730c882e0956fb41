/* SPDX-License-Identifier: MIT
 * The pieces every supervision loop shares (supervise.c for the userns
 * backend, subreaper.c for the run without namespaces, users/client.c for
 * the developer's side of the users backend): the clock of the timeout and
 * the wall time, the signals corral passes on, and the control socket the
 * caller sends signals on; and loop_watch, the one loop of the two
 * supervisors that own the command's tree (supervise.c, subreaper.c).
 * users/client.c keeps its own loop: it cannot signal the runner's tree (a
 * sandbox user's), so signals go as requests on a socket, and it waits for
 * an answer and the sandbox's listeners; the runner enforces the timeout. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proxy/proxy.h"
#include "supervise/denials.h"
#include "supervise/relay.h"

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

/* One supervision loop, filled by its caller; the fields marked out are
 * what it learnt. */
typedef struct loop_run {
        pid_t pid;         /* the command's process (userns: the sandbox's init) */
        /* reaper: no pid namespace (subreaper.c). The supervisor reaps every
         * process that comes to it, and the command's exit (reaped, its status
         * kept) ends the loop; a run that must stop (timeout, the caller gone,
         * the denial reports failed) ends the loop too, and the caller kills
         * the tree. Else the end of pidfd (the init's) ends it, and a run that
         * must stop has its init killed (the pid namespace dies with it) and
         * the loop waits for that end. */
        bool reaper;
        int pidfd;         /* -1 with reaper */
        int sigfd;         /* a non-blocking signalfd of loop_forwarded's signals (+ SIGCHLD) */
        int control_fd;    /* the caller's control socket (loop_control), -1: none; -1 once it is gone */
        denials *dn;       /* its listener (or why there is none) */
        proxy *px;         /* NULL: no proxy served here */
        fd_relay *relay;   /* NULL: no descriptors relayed */
        uint64_t deadline; /* loop_now_ms's clock; 0: no timeout */
        bool timed_out;    /* out */
        bool done;         /* out, reaper: the command was reaped, with status */
        int status;        /* out, reaper */
} loop_run;

/* Runs the loop until the run ended (see reaper). Each pass, in this order:
 * the timeout, the proxy's work, signals passed on to pid (and with reaper
 * the processes reaped), the denial reports' listener, the control socket,
 * the relay. */
void loop_watch(loop_run *l);
