/* SPDX-License-Identifier: MIT
 * corral's side of the users backend: whether it is installed and usable by
 * this caller (the marker, group membership, the runner), and a run through
 * corral-runner. corral itself never holds a privilege. */
#pragma once

#include "plan/plan.h"
#include "supervise/supervise.h"

#include "users/marker.h"

/* Whether the users backend is installed and usable by this caller: reads
 * and checks the marker into m; 0, else -errno with err saying what to do.
 * (Which backend runs: users/choose.h.) */
int users_load(marker *m, corral_error *err);

/* Why auto does or does not pick users, for doctor: 0 usable, else -errno
 * with err. */
int users_available(corral_error *err);

/* Runs the plan's command through corral-runner as the sandbox user. Makes
 * the plan's grants first (and says so on stderr). */
int users_run(const plan *pl, bool verbose, run_result *res, corral_error *err);
