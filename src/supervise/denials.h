/* SPDX-License-Identifier: MIT
 * Denial reports, the supervisor's side (docs/design.md, "Denial reports").
 * The sandbox's init hands over the reporting filter's listener
 * (apply/notify.h); each notification is one system call. A call the
 * boundary refuses is answered with its errno (never "continue") and
 * recorded with its rule. Any other is one that may be refused by the
 * kernel's other checks: its arguments are read from the process
 * (/proc/PID/mem, /proc/PID/cwd and fd links), it is answered "continue"
 * (the kernel then decides, as without reports), and recorded when the
 * plan says it is refused: a write outside the writable roots, into a
 * protected name, a read of a hidden path, or a connect with the network
 * off. What is answered
 * depends on the call's number alone, never on what was read. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan/plan.h"

typedef struct denial {
        char *op;         /* "write", "create", "remove", "rename", "chmod", "read", "connect", "syscall" */
        char *path;       /* absolute, or NULL */
        char *address;    /* "203.0.113.5:443", "[2001:db8::1]:443", or NULL */
        char *syscall;    /* "mount", "unshare" (op "syscall"), or NULL; one of the three is set */
        char *rule;       /* "outside the writable roots", "protected name .git", "deny-read ~/.ssh",
                           * "network off",
                           * the seccomp rule's reason ("no mounts or remounts") */
        char *allow_with; /* "-w ~", "--network on", or NULL when nothing in corral allows it */
} denial;

#define DENIALS_MAX 64
#define DENIALS_SEEN 4096

typedef struct denials {
        const plan *pl;
        int sock;         /* where the listener arrives from init; -1 once read */
        int listener;     /* the seccomp listener, or -1 */
        pthread_t thread; /* answers the listener (its RECV blocks, whatever O_NONBLOCK says) */
        bool running;
        bool fatal;       /* a listener nobody answers: the run must be stopped */
        void *notif, *resp; /* buffers of the kernel's sizes */
        size_t notif_size, resp_size;
        denial v[DENIALS_MAX];
        size_t n;
        size_t more;      /* distinct denials beyond DENIALS_MAX (told apart by a hash, up to
                           * DENIALS_SEEN of them; every refused call beyond that) */
        uint64_t *seen;
        size_t n_seen;
        char *unavailable; /* why there are no reports this run, or NULL */
} denials;

/* Before the clone: when the plan asks for reports, a socket pair; *child_end
 * goes to init (apply_ctx.notify_fd), -1 otherwise. */
int denials_init(denials *d, const plan *pl, int *child_end);
/* The fd to poll for input (the socket the listener comes over), or -1. */
int denials_fd(const denials *d);
/* Call when denials_fd() is readable (or hung up). Never blocks. Takes the
 * listener and starts the thread that answers it: SECCOMP_IOCTL_NOTIF_RECV
 * waits for a notification even on a non-blocking fd, so it must not run in
 * the loop that enforces the timeout. */
void denials_handle(denials *d);
/* After the sandbox's init was reaped (no task uses the filter any more, so
 * the thread sees POLLHUP): waits for the thread. false when it did not end
 * within a few seconds; then d must be left alone (leaked), not freed. */
bool denials_stop(denials *d);
/* Records one denial (once; beyond DENIALS_MAX only counted): exactly one of
 * path, address and syscall. Also for the users backend's client, which
 * rebuilds the runner's list. */
void denials_add(denials *d, const char *op, const char *path, const char *address, const char *syscall,
                 const char *rule, const char *allow_with);
/* Its path, address or system call. */
const char *denial_what(const denial *x);
/* At the end: the summary on stderr (at most 3 lines; all with verbose). */
void denials_print(const denials *d, bool verbose);
void denials_done(denials *d);
