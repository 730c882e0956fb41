/* SPDX-License-Identifier: MIT
 * Denial reports, the sandbox's side. With reports on, init installs the
 * reporting variant of the boundary filter (seccomp_program(.., true)) with
 * a listener, in place of the plain one: one filter, so one listener (a
 * chain may have only one) and no second filter whose USER_NOTIF a first
 * one's ERRNO would outrank. It makes two kinds of notifications, told
 * apart by the system-call number alone (docs/design.md, "Denial reports"):
 *   - refused calls (seccomp_refused_errno(nr) != 0): where the plain
 *     filter returns ERRNO(e) the reporting one returns USER_NOTIF; the
 *     supervisor records the call and answers -e, never "continue". With
 *     nobody to answer (the supervisor gone) the call fails with ENOSYS.
 *   - calls the boundary allows and that may be refused by the kernel's
 *     other checks (notify_continues(nr): every open, reads too, since a
 *     read of a hidden path is refused by its mask alone, at the "all"
 *     level; at "writes", the opens with a write flag only; creations,
 *     removals, renames, links, chmod, truncate, connect): the program
 *     below, appended where the boundary says ALLOW. The supervisor
 *     records the ones the plan refuses and answers "continue": Landlock,
 *     the mounts and the network namespace then decide as without reports.
 * No number is of both kinds (seccomp-gen fails the build otherwise). */
#pragma once

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "config/values.h"

#if defined(__x86_64__)
#define NOTIFY_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NOTIFY_ARCH AUDIT_ARCH_AARCH64
#else
#define NOTIFY_ARCH 0 /* not known here: no reports */
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

/* fchmodat2 (Linux 6.6) is newer than the headers */
#ifdef __NR_fchmodat2
#define NOTIFY_NR_FCHMODAT2 __NR_fchmodat2
#else
#define NOTIFY_NR_FCHMODAT2 452
#endif

/* The open flags that make an open or openat a write at the "writes" level
 * (handed over): any access mode but O_RDONLY (O_WRONLY, O_RDWR, and 3, which
 * needs both permissions), O_CREAT, O_TRUNC, and O_TMPFILE's own bit (the
 * flag is that bit with O_DIRECTORY, a read by itself). */
#define NOTIFY_OPEN_WRITES ((uint32_t)(O_ACCMODE | O_CREAT | O_TRUNC | (O_TMPFILE & ~O_DIRECTORY)))

/* The write-report program of a level, DENIALS_ALL or DENIALS_WRITES (static
 * storage; the same for every run). It returns USER_NOTIF or ALLOW, never
 * anything else: it runs only where the boundary allowed the call. */
const struct sock_fprog *notify_program(policy_report level);

/* Whether the write-report program can hand over system call nr (native
 * ABI): the only calls the supervisor may answer "continue". */
bool notify_continues(int nr);

/* In the sandbox's init, instead of seccomp_install(): installs the
 * reporting filter with a listener and sends the listener over sock
 * (SCM_RIGHTS). When the listener cannot be had (an outer filter has one:
 * EBUSY; an older kernel), installs the plain filter and sends the errno
 * (no fd): the run goes on without reports, the boundary the same. Closes
 * what it opened. Fails (negative errno) when no filter could be installed,
 * or when the reporting one is in place but its listener could not be sent
 * (with nobody to answer, the calls it hands over would fail). */
int notify_install(int sock, bool nonamespace, policy_report level);
