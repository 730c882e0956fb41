/* SPDX-License-Identifier: MIT
 * Owns the life of a sandboxed run: prepares the host side, creates the
 * namespaces, forwards signals, enforces the timeout, kills the whole tree,
 * maps the exit status. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "plan/plan.h"
#include "proxy/proxy.h"

typedef struct run_result {
        int exit_code;  /* what `corral run` exits with */
        int signal;     /* the signal that ended the command, or 0 */
        bool timed_out;
        uint64_t wall_ms;
        /* A resource limit that ended the command: 1 + its policy_limit, 0
         * for none. limit_certain: the kernel said so (a cgroup OOM kill;
         * SIGKILL/SIGXCPU with the CPU time at RLIMIT_CPU); false: only
         * likely (under RLIMIT_DATA the command died of SIGSEGV, SIGABRT,
         * SIGBUS or SIGKILL, which is how programs fail when allocation
         * does; corral cannot see the ENOMEM itself). */
        int limit;
        bool limit_certain;
        /* With denial reports (plan.report_denials): what was refused, for
         * the caller to keep and free (denials_done, free); else NULL. */
        struct denials *denials;
        /* network = proxy: what the proxy refused (malloc'd; the caller
         * frees it with free()), n_refusals entries. */
        proxy_refusal *refusals;
        size_t n_refusals;
} run_result;

/* Returns 0 when the command was started (res says how it ended; exec
 * failures included, as 126/127 with err describing them), or a negative
 * errno when the sandbox could not be set up (exit 125, err says why). */
int supervise_run(const plan *pl, bool verbose, run_result *res, corral_error *err);

/* The same, with a control channel from a supervisor that cannot signal this
 * process (corral-runner runs as a sandbox user, corral as the developer):
 * each int32 read from control_fd is a signal to pass on to the command;
 * end of file means the caller died, and the whole sandbox is killed.
 * On the users backend with network = proxy, control_fd is a unix socket,
 * and the sandbox's listening sockets go back over it to the caller, which
 * runs the proxy (apply/handoff.h): this process never serves them. */
int supervise_run_control(const plan *pl, bool verbose, int control_fd, run_result *res, corral_error *err);
