/* SPDX-License-Identifier: MIT
 * The command's side of a run without namespaces (plan_nonamespace.h): in
 * the child that the subreaper supervisor forked, as the sandbox user, and
 * already without capabilities: dies with the supervisor, changes to the
 * working directory, no_new_privs, Landlock, not dumpable, seccomp, fds
 * beyond 0-2 closed, exec. Failures are reported as apply_report records on
 * report_fd (close-on-exec: end of file means the command was executed).
 * notify_fd: with denial reports, the socket the reporting filter's listener
 * is sent over (supervise/denials.h), else -1. */
#pragma once

#include <sys/types.h>

#include "apply/apply.h"

__attribute__((noreturn)) void apply_nonamespace_exec(const plan *pl, char **envp, pid_t supervisor, int report_fd,
                                                      int notify_fd);
