/* SPDX-License-Identifier: MIT
 * Is the /proc that corral sees masked? Container runtimes mount over parts
 * of it (/proc/kcore, /proc/keys, /proc/sys read-only, ...); the kernel
 * then refuses a new proc in a user namespace ("mount too revealing",
 * fs/namespace.c: a fresh proc may only be mounted where a proc is already
 * fully visible), so the sandbox's pid namespace cannot get its own /proc.
 * Read from /proc/self/mountinfo; changes nothing. */
#pragma once

#include <stddef.h>

/* The mount points strictly below /proc, comma-separated, at most len-1
 * bytes (", ..." when cut); empty when there are none. binfmt_misc, mounted
 * on an empty directory, does not count: the kernel allows that one. */
void proc_masks(char *buf, size_t len);

/* What to tell the user when the new proc is refused: the cause and the fix. */
#define PROC_MASKED_FIX                                                                                         \
        "the kernel refuses a new proc in a user namespace unless some proc mount is fully visible, none "       \
        "mounted over (a container runtime masks parts of its /proc). Start the container with `--security-opt unmask=/proc/*` (podman) or "  \
        "`--security-opt systempaths=unconfined` (docker), or give it a second, unmasked proc mount; "           \
        "docs/platforms.md"
