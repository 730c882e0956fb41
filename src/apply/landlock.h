/* SPDX-License-Identifier: MIT
 * Landlock: the second layer under the mounts. Writes are allowed only
 * beneath the plan's rules; with ABI 6+, signals and abstract unix sockets
 * are scoped to the sandbox. */
#pragma once

#include "plan/plan.h"

/* Called in the sandbox after the mounts, before exec. Uses no heap.
 * Returns 0 or a negative errno; *failed_rule is set to the index of a rule
 * whose path could not be opened. */
int landlock_apply(const plan *pl, int *failed_rule);
