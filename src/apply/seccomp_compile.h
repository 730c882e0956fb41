/* SPDX-License-Identifier: MIT */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>

#include "common/error.h"

/* The rule table as a BPF program; prog->filter is malloc'd. */
int seccomp_compile(struct sock_fprog *prog, bool nonamespace, corral_error *err);
