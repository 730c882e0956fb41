/* SPDX-License-Identifier: MIT
 * The plan's rlimits, set by the sandbox's init before the command starts
 * (between clone and exec: system calls only). */
#pragma once

#include "plan/plan.h"

/* RLIMIT_DATA, RLIMIT_NPROC and RLIMIT_CPU with hard = soft; those the plan
 * leaves at 0 are not touched. 0 or a negative errno. */
int limits_apply(const plan_limits *l);
