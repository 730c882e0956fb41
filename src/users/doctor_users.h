/* SPDX-License-Identifier: MIT
 * `corral doctor` for the users backend: what setup installed, whether this
 * caller can use it, and the operator's checklist answered by probes that
 * run through corral-runner (offline and online). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

/* Whether auto picks users for this caller; why not in reason. */
bool doctor_users_usable(char *reason, size_t len);

void doctor_users_text(FILE *o);
void doctor_users_json(FILE *o);
