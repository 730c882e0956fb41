/* SPDX-License-Identifier: MIT
 * Kernel probes: what the running kernel and this process's place in it
 * offer (Landlock's ABI, seccomp, unprivileged user namespaces, a new /proc,
 * a delegated cgroup v2). The plan decides from them and `corral doctor`
 * reports them: one copy, so the two cannot disagree. Each changes nothing
 * (a probe that needs a namespace tries it in a child that exits at once). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "corral.h"

/* The Landlock ABI corral uses: the one the running kernel supports (0 when
 * Landlock is absent or disabled), or a lower one when the test switch
 * CORRAL_TEST_LANDLOCK_ABI=N (0-7) asks for it, which simulates an older
 * kernel; the switch can never raise it. (corral-runner runs with an empty
 * environment: the switch never reaches the privileged side.) */
int landlock_abi_version(void);

/* The kernel's own ABI, whatever the test switch says. */
int landlock_kernel_abi(void);

/* The ABI the test switch lowers to, or -1 when it is unset, invalid or does
 * not lower anything. */
int landlock_abi_lowered(void);

/* Whether seccomp filters returning errors are supported. */
bool seccomp_available(void);

/* Whether an unprivileged user namespace can be created here (a child with
 * no capabilities tries): 0, or the positive errno of unshare. */
int userns_probe(void);

/* Whether that errno means "blocked here", for which the users backend's
 * namespace-less fallback exists (EPERM: seccomp or an LSM; ENOSPC:
 * max_user_namespaces=0; EINVAL: no CONFIG_USER_NS; EUSERS: nested too
 * deep; EACCES). */
bool userns_blocked(int e);

/* What the userns backend does: a child in new user, mount, pid and net
 * namespaces. 0, or the positive errno of clone. */
int userns_sandbox_probe(void);

/* Is the /proc that corral sees masked? Container runtimes mount over parts
 * of it (/proc/kcore, /proc/keys, /proc/sys read-only, ...); the kernel then
 * refuses a new proc in a user namespace (plan/proc_masks.h says what the
 * plan does then). The mount points strictly below /proc, comma-separated,
 * at most len-1 bytes (", ..." when cut); empty when there are none.
 * binfmt_misc, mounted on an empty directory, does not count: the kernel
 * allows that one. Read from /proc/self/mountinfo. */
void proc_masks(char *buf, size_t len);

/* Whether the kernel gives the sandbox a new proc here: a child in new user,
 * mount and pid namespaces, as the sandbox's init is, asks for one (fsopen,
 * fsmount: attached nowhere, so nothing changes). 0 when it does, else the
 * positive errno (EPERM: "mount too revealing"). Costs a clone: call it only
 * when proc_masks found masks. */
int proc_new_refused(void);

/* A cgroup v2 directory this process may create children in, where the
 * children get the memory and pids controllers: the parent of the caller's
 * own cgroup (the caller's cgroup is a leaf: it holds processes), or the
 * root of the hierarchy the caller is in. Checks cgroup.controllers,
 * cgroup.subtree_control and write access. Returns 0 and a malloc'd path,
 * or a negative errno with err saying what is missing. (Untested on the
 * development machines, whose cgroup v2 hierarchy has no controllers: there
 * the plan falls back to rlimits, and `corral doctor` says why.) */
int cgroup_find_delegated(char **ret, corral_error *err);
