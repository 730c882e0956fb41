/* SPDX-License-Identifier: MIT
 * corral's side of the users backend: whether it is installed and usable by
 * this caller (the marker, group membership, the runner), and a run through
 * corral-runner. corral itself never holds a privilege. */
#pragma once

#include "plan/plan.h"
#include "supervise/supervise.h"

/* For --backend users: 0 when usable, else -errno with err saying what to
 * do. For auto: switches p->backend to users when it is usable (and the
 * mode is not full-access), and leaves it alone otherwise. */
int users_select(policy *p, corral_error *err);

/* Why auto does or does not pick users, for doctor: 0 usable, else -errno
 * with err. */
int users_available(corral_error *err);

/* Runs the plan's command through corral-runner as the sandbox user. Grants
 * passage to the workspace on first use (and says so on stderr). */
int users_run(const plan *pl, bool verbose, run_result *res, corral_error *err);
