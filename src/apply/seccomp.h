/* SPDX-License-Identifier: MIT
 * The system-call filter. libseccomp compiles the rule table
 * (seccomp_rules.c) into BPF when corral is built; at run time corral only
 * installs that program, so no run pays for compiling it. */
#pragma once

#include <linux/filter.h>

#include "plan/seccomp_rules.h"

/* The program built into this binary: with namespaces, or for the
 * namespace-less fallback (the table's nonamespace rules added). */
const struct sock_fprog *seccomp_program(bool nonamespace);

/* In the child: no allocation. Needs no_new_privs set. */
int seccomp_install(const struct sock_fprog *prog);
