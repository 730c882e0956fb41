/* SPDX-License-Identifier: MIT
 * Landlock: the second layer under the mounts. Writes are allowed only
 * beneath the plan's rules; with ABI 6+, signals and abstract unix sockets
 * are scoped to the sandbox. */
#pragma once

#include "plan/plan.h"

/* The ABI corral uses: the one the running kernel supports (0 when Landlock
 * is absent or disabled), or a lower one when the test switch
 * CORRAL_TEST_LANDLOCK_ABI=N (0-7) asks for it, which simulates an older
 * kernel; the switch can never raise it. (corral-runner runs with an empty
 * environment: the switch never reaches the privileged side.) */
int landlock_abi_version(void);

/* The kernel's own ABI, whatever the test switch says. */
int landlock_kernel_abi(void);

/* The ABI the test switch lowers to, or -1 when it is unset, invalid or does
 * not lower anything. */
int landlock_abi_lowered(void);

/* Called in the sandbox after the mounts, before exec. Uses no heap.
 * Returns 0 or a negative errno; *failed_rule is set to the index of a rule
 * whose path could not be opened. */
int landlock_apply(const plan *pl, int *failed_rule);
