/* SPDX-License-Identifier: MIT
 * cgroup v2 for resource limits: per run, a child cgroup with memory.max
 * and pids.max that the sandbox is cloned into, read back and killed at the
 * end (supervise), below the delegated cgroup the plan found
 * (kernel/probe.h, cgroup_find_delegated). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Creates PARENT/corral-<pid>-<n> with memory.max (and memory.swap.max 0
 * where the file exists) and pids.max; 0 = leave unset.
 * Returns an O_DIRECTORY fd of the new cgroup (for CLONE_INTO_CGROUP) and
 * its path in *ret, or a negative errno with err set. */
int cgroup_create(const char *parent, uint64_t memory_max, uint64_t pids_max, char **ret, corral_error *err);

/* The oom_kill count of memory.events (0 when unreadable). */
uint64_t cgroup_oom_kills(const char *path);

/* Kills whatever is left (cgroup.kill), waits briefly for it to empty, and
 * removes the cgroup. */
void cgroup_destroy(const char *path);
