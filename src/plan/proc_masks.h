/* SPDX-License-Identifier: MIT
 * Is the /proc that corral sees masked? Container runtimes mount over parts
 * of it (/proc/kcore, /proc/keys, /proc/sys read-only, ...); the kernel
 * then refuses a new proc in a user namespace ("mount too revealing",
 * fs/namespace.c: a fresh proc may only be mounted where a proc is already
 * fully visible), so the sandbox's pid namespace cannot get its own /proc.
 * Read from /proc/self/mountinfo; changes nothing.
 *
 * Where the new proc is refused, the sandbox keeps the container's /proc
 * (plan_userns.c, plan_proc): the mount namespace's copy of it, with the
 * runtime's masks locked on it, read-only as a whole. That is announced
 * (PROC_SHARED_NOTICE), refused with CORRAL_REQUIRE_OWN_PROC=1, and, in a
 * confined run, done only with Landlock: its ptrace rule is what keeps the
 * command out of the memory, environment, descriptors and root of every
 * process outside the sandbox (docs/platforms.md, "Containers"). */
#pragma once

#include "kernel/probe.h"

/* The environment variable that refuses the container's /proc. */
#define PROC_REQUIRE_OWN_ENV "CORRAL_REQUIRE_OWN_PROC"

/* What to tell the user when the new proc is refused: the cause and the fix. */
#define PROC_MASKED_FIX                                                                                         \
        "the kernel refuses a new proc in a user namespace unless some proc mount is fully visible, none "       \
        "mounted over (a container runtime masks parts of its /proc). Start the container with `--security-opt unmask=/proc/*` (podman) or "  \
        "`--security-opt systempaths=unconfined` (docker), or give it a second, unmasked proc mount; "           \
        "docs/platforms.md"

/* One line for stderr (and explain) when the sandbox keeps the container's
 * /proc in a confined run; PROC_SHARED_NOTICE_FULL in full-access. */
#define PROC_SHARED_NOTICE                                                                                      \
        "/proc is masked here (a container) and the kernel refuses the sandbox a new one: the command sees the " \
        "container's /proc, read-only (the container's processes, their command lines and status are visible; " \
        "Landlock keeps their memory, environment, descriptors and files out of reach; writes to /proc/self "   \
        "fail). " PROC_REQUIRE_OWN_ENV "=1 refuses instead; see `corral doctor`"
#define PROC_SHARED_NOTICE_FULL                                                                                 \
        "/proc is masked here (a container) and the kernel refuses the sandbox a new one: the command sees the " \
        "container's /proc, read-only (its processes are visible). " PROC_REQUIRE_OWN_ENV "=1 refuses "         \
        "instead; see `corral doctor`"
