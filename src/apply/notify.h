/* SPDX-License-Identifier: MIT
 * Denial reports, the sandbox's side: a second seccomp filter, installed
 * after the enforcing one, that decides nothing. It hands the system calls
 * that may be refused and that BPF can pick out (opens with write intent,
 * creations, removals, renames, links, chmod, truncate, connect) to the
 * supervisor, which records the ones the plan refuses and always answers
 * "continue": the kernel's own checks (Landlock, the mounts, the network
 * namespace, the first filter) then run as they would without it. */
#pragma once

#include <linux/filter.h>
#include <sys/syscall.h>

/* fchmodat2 (Linux 6.6) is newer than the headers */
#ifdef __NR_fchmodat2
#define NOTIFY_NR_FCHMODAT2 __NR_fchmodat2
#else
#define NOTIFY_NR_FCHMODAT2 452
#endif

/* The program (static storage; the same for every run). */
const struct sock_fprog *notify_program(void);

/* Installs it with a listener and sends the listener over sock (SCM_RIGHTS),
 * or sends the errno that prevented it (no fd): the run goes on without
 * reports. Closes what it opened. Fails (negative errno) only when the
 * filter is in place but its listener could not be sent: with nobody to
 * answer, the calls it hands over would fail. */
int notify_install(int sock);
