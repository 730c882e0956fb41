/* SPDX-License-Identifier: MIT
 * Which backend runs a policy, and why, and what the users backend adds to
 * the plan before anything runs: the refusal of the namespace-less fallback
 * (CORRAL_REQUIRE_NAMESPACES=1), the sandbox user, the first-use grants and
 * the toolchain variables. All of it is in the plan, so `corral explain`
 * shows it and users_run (users/client.h) only carries it out. */
#pragma once

#include <stdbool.h>

#include "plan/plan.h"
#include "users/marker.h"

typedef struct backend_choice {
        bool nonamespace;  /* the users backend where user namespaces are blocked (users/plan_nonamespace.h) */
        bool have_marker;  /* m was read and checked (the users backend) */
        marker m;
        char why[1200];     /* for explain: asked for, auto's choice and its reason, the fallback */
} backend_choice;

/* Picks the backend: as asked (--backend users: installed and usable, or
 * -errno with err saying what to do), or for auto the users backend where
 * it is usable by this caller and the mode is not full-access, else userns.
 * Sets p->backend to the one picked (auto becomes users; userns stays auto,
 * which plans as userns). */
int backend_choose(policy *p, backend_choice *c, corral_error *err);

/* After plan_build or plan_build_nonamespace: records c's reason in the
 * plan and, for the users backend, the rest above. environ_in: corral's
 * environment. -errno with err when the run must be refused. */
int backend_plan_finish(const policy *p, const backend_choice *c, const char *const *environ_in, plan *pl,
                        corral_error *err);
