/* SPDX-License-Identifier: MIT
 * After the run (docs/design.md, "Nested protected names"): the protected
 * names the command created below the top of a writable root (plan/nested.h;
 * the scan again, which the host's state keeps for the next run:
 * host_nested_after), and every protected object that is no longer the one
 * corral protected, compared by device and inode: the name may be the same
 * and the object another (moved or replaced from outside this sandbox:
 * another run, another process). A .git or HEAD that makes a directory a
 * repository git would act on is set aside (aside.h, newrepo.h); the rest is
 * said once each, on stderr. The next run finds and protects what is there
 * now. */
#pragma once

#include <stdint.h>

#include "plan/plan.h"

/* since_ns: when the command's part began (CLOCK_REALTIME): what was made
 * since is the command's, not corral's placeholders. */
void nestedcheck_after_run(const plan *pl, int64_t since_ns);
