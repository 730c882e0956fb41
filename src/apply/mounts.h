/* SPDX-License-Identifier: MIT
 * Executes a plan's mount operations inside the new mount namespace. */
#pragma once

#include "plan/plan.h"

/* slots: pl->n_slots ints, allocated by the caller before the clone (this
 * runs between clone and exec and must not allocate). Returns 0, or a
 * negative errno with *failed_op set to the index of the operation. */
int mounts_apply(const plan *pl, int *slots, size_t *failed_op);
