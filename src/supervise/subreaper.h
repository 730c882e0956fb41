/* SPDX-License-Identifier: MIT
 * Supervision without a pid namespace (the users backend's fallback, see
 * users/plan_nonamespace.h). The supervisor becomes a child subreaper, so
 * every process the command leaves behind (a daemonised grandchild
 * included) is reparented to it rather than to init; when the command
 * exits, times out, or the caller goes away (end of file on control_fd),
 * it kills its descendants: every process whose chain of parents leads to
 * it, found in /proc among the processes of its own uid, each signalled
 * through a pidfd checked against its start time. Only descendants: a
 * concurrent run of the same sandbox user is never touched. */
#pragma once
#include <sys/types.h>

#include "supervise/supervise.h"

int supervise_run_nonamespace(const plan *pl, int control_fd, run_result *res, corral_error *err);

/* Kills every descendant of the calling process and reaps them; returns
 * when none is left. If main_child exits meanwhile, its status is stored
 * in *main_status and *main_done set. Exposed for the tests of the tree. */
void subreaper_kill_descendants(pid_t main_child, int *main_status, bool *main_done);
