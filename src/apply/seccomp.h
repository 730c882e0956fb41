/* SPDX-License-Identifier: MIT
 * The system-call filter, built with libseccomp before the clone and
 * installed in the sandbox just before exec. */
#pragma once

#include <linux/filter.h>
#include <stdio.h>

#include "common/error.h"

/* Compiles the filter into *prog (prog->filter is malloc'd). */
int seccomp_build(struct sock_fprog *prog, corral_error *err);
void seccomp_prog_free(struct sock_fprog *prog);

/* In the child: no allocation. Needs no_new_privs set. */
int seccomp_install(const struct sock_fprog *prog);

/* One line per rule, for `corral explain`. */
void seccomp_describe(FILE *f, const char *indent);
size_t seccomp_rule_count(void);
