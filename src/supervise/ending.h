/* SPDX-License-Identifier: MIT
 * How the command ended, as a run_result: the same for the userns backend
 * (supervise.c, from its init's report) and the run without namespaces
 * (subreaper.c, from waitpid). The exit codes are what `corral run` exits
 * with (README.md, "Exit status of `run`"): 124 a timeout, 126 / 127 a command that
 * could not be executed / was not found, 128 + N killed by signal N, else
 * its own exit status. */
#pragma once

#include "common/error.h"
#include "plan/plan.h"
#include "supervise/supervise.h"

/* Killed at the timeout (the whole tree, by SIGKILL). */
void ending_timed_out(run_result *res);
/* The exec of the command failed with errno e; err says so, naming it. */
void ending_exec_failed(const plan *pl, int e, run_result *res, corral_error *err);
/* Ended with this wait status. */
void ending_exited(int wait_status, run_result *res);
/* Killed by sig, which no wait status reported (the OOM killer took the
 * sandbox's init, and the command with it). */
void ending_killed(int sig, run_result *res);
