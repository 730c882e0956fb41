/* SPDX-License-Identifier: MIT
 * The sandbox side of a run: what the first process in the new namespaces
 * (pid 1 there) does with a prepared plan, and how it reports back. Only
 * system calls on data prepared before the clone: no allocation, no stdio,
 * no decisions. */
#pragma once

#include <linux/filter.h>
#include <stdint.h>

#include "plan/plan.h"

/* Signals that the supervisor passes on to init, and init to the command,
 * when they were sent with kill() (the terminal's reach the command
 * directly: it is in the caller's process group). SIGTSTP and SIGCONT are
 * left alone so that job control stops and resumes corral with it. */
#define FORWARDED_SIGNALS SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH

/* Puts fd on target (close-on-exec), whether or not it is already there. */
int apply_move_fd(int fd, int target);

/* Steps that can fail, reported to the supervisor, which names them. */
typedef enum apply_step {
        STEP_SYNC = 1,   /* waiting for the supervisor (it died) */
        STEP_MOUNT,      /* detail: index of the mount operation */
        STEP_LOOPBACK,
        STEP_SIGNALS,
        STEP_CAPS,
        STEP_NO_NEW_PRIVS,
        STEP_LANDLOCK,   /* detail: index of the rule, or -1 */
        STEP_SECCOMP,
        STEP_FORK,
        STEP_CHDIR,
        STEP_EXEC,       /* the command could not be started */
        STEP_LIMITS,     /* setting the resource limits (rlimits) */
        STEP_PROXY,      /* the network proxy's listening sockets */
} apply_step;

typedef enum report_kind {
        REPORT_SETUP_FAILED = 1, /* step, detail, err */
        REPORT_EXEC_FAILED,      /* err */
        REPORT_EXITED,           /* status: the command's wait status */
} report_kind;

typedef struct apply_report {
        int32_t kind;
        int32_t step;
        int32_t detail;
        int32_t err;    /* positive errno */
        int32_t status;
        int64_t cpu_us; /* REPORT_EXITED: the command's own user + system CPU time */
} apply_report;

typedef struct apply_ctx {
        const plan *pl;
        int *slots;                 /* pl->n_slots, preallocated */
        char **envp;
        int sync_fd;                /* read end: the supervisor wrote the id maps */
        int report_fd;              /* write end: apply_report records */
        int notify_fd;              /* denial reports: where the listener goes (apply/notify.h), or -1 */
        int proxy_fd;               /* network = proxy: where the listening sockets go; else -1 */
} apply_ctx;

/* The body of the sandbox's init. Never returns. */
__attribute__((noreturn)) void apply_sandbox_init(const apply_ctx *ctx);
