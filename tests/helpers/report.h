/* SPDX-License-Identifier: MIT
 * How every attack helper reports: exit 0 when the attack SUCCEEDED, 1 when
 * it was BLOCKED (with the errno), so tests check both outcomes. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <string.h>

static inline int blocked(const char *what)
{
	printf("BLOCKED: %s: %s\n", what, strerror(errno));
	return 1;
}

static inline int succeeded(const char *what)
{
	printf("SUCCEEDED: %s\n", what);
	return 0;
}
