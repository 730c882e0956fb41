/* SPDX-License-Identifier: MIT
 * The system-call filter. libseccomp compiles the rule table
 * (seccomp_rules.c) into BPF when corral is built; at run time corral only
 * installs that program, so no run pays for compiling it. */
#pragma once

#include <linux/filter.h>

#include "config/values.h"
#include "plan/seccomp_rules.h"

/* The program built into this binary: with namespaces, or for the
 * namespace-less fallback (the table's nonamespace rules added); plain
 * (DENIALS_OFF), or the reporting variant of a level, to be installed with a
 * listener (apply/notify.h). */
const struct sock_fprog *seccomp_program(bool nonamespace, policy_report report);

/* A call the reporting variant refuses with a report (generated with it). */
struct seccomp_refused {
        int nr, err;
        unsigned rule; /* index into seccomp_rules */
};

/* The errno the reporting variant refuses system call nr (native ABI)
 * with, or 0 when it hands it over only to be continued or not at all. */
int seccomp_refused_errno(int nr);

/* For the report: the rule of nr these arguments match (the first rule of
 * nr if none does), or NULL when nr is not refused with a report. */
const sc_rule *seccomp_refused_rule(int nr, const uint64_t args[6]);

/* In the child: no allocation. Needs no_new_privs set. */
int seccomp_install(const struct sock_fprog *prog);
