/* SPDX-License-Identifier: MIT */
#include "supervise/ending.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "common/exitcode.h"

void ending_timed_out(run_result *res) {
        res->exit_code = 124;
        res->signal = SIGKILL;
}

void ending_exec_failed(const plan *pl, int e, run_result *res, corral_error *err) {
        res->exit_code = e == ENOENT ? 127 : 126;
        error_set(err, 0, "cannot execute %s: %s", pl->argv.n ? pl->argv.v[0] : "(none)", strerror(e));
}

void ending_exited(int wait_status, run_result *res) {
        res->exit_code = exit_code_of_wait_status(wait_status, &res->signal);
}

void ending_killed(int sig, run_result *res) {
        res->signal = sig;
        res->exit_code = 128 + sig;
}
