/* SPDX-License-Identifier: MIT
 * The users backend without namespaces (docs/elevated.md): where user namespaces are
 * blocked (a container's seccomp profile, user.max_user_namespaces=0, an LSM),
 * corral-runner cannot idmap, mount or unshare anything. The command still
 * runs as the sandbox user, with no capabilities, no_new_privs, the same
 * seccomp filter and fds 0-2 only; Landlock is then the only write boundary
 * beyond file permissions, the firewall the only network boundary, and a
 * subreaper supervisor (src/supervise/subreaper.c) kills the whole tree.
 * docs/elevated.md says what is enforced and what is weaker.
 *
 * The plan has no namespaces (clone_flags 0) and no mount operations: only
 * Landlock rules, the environment and the command. */
#pragma once

#include <stdbool.h>

#include "plan/plan.h"

/* The first n_dev_roots writable roots are the developer's (protected names
 * apply at their top); the rest are the sandbox user's own caches. Fails
 * closed (-EOPNOTSUPP, err says why) when Landlock ABI 6 is missing. */
int plan_build_nonamespace(const policy *p, size_t n_dev_roots, char *const *argv, const char *const *environ_in,
                           plan *pl, corral_error *err);

/* Run time, as the sandbox user: deny-read paths are enforced by file
 * permissions only (no mount namespace to mask them); refuses when one that
 * exists is readable (or, for a directory, listable or traversable) by the
 * current user. */
int nonamespace_check_reads(const policy *p, corral_error *err);

/* One line for stderr: the run goes on without namespaces, and what that means. */
#define NONAMESPACE_NOTICE                                                                                            \
        "user namespaces are blocked here: running as the sandbox user without namespaces (Landlock, seccomp "     \
        "and file permissions confine the command; the firewall is the only network boundary; no private /tmp; "   \
        "top-level entries of writable roots are fixed; see `corral doctor`)"
