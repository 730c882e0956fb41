/* SPDX-License-Identifier: MIT */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>

#include "common/error.h"
#include "config/values.h"

#include "plan/seccomp_rules.h"

/* The rule table as a BPF program; prog->filter is malloc'd. report, when
 * not DENIALS_OFF: the reporting variant of that level (apply/notify.h):
 * USER_NOTIF for the rules seccomp_rule_reported() names, the level's
 * write-report program appended. */
int seccomp_compile(struct sock_fprog *prog, bool nonamespace, policy_report report, corral_error *err);

/* Whether rule i refuses with a report when reports are on (the reporting
 * filter returns USER_NOTIF where the plain one returns ERRNO, and the
 * supervisor answers the errno): nr is its system call's number. Not the
 * calls the write-report program continues (notify_continues), not the
 * ENOSYS rules (clone3, openat2, io_uring: "not here", which libc and
 * programs probe and fall back from on every run), not a call whose rules
 * give different errnos (socket): those stay ERRNO, unreported. */
bool seccomp_rule_reported(size_t i, int nr);

/* r's system-call number (libseccomp's table, or r->nr), or -ENOENT. */
int seccomp_rule_nr(const sc_rule *r);
