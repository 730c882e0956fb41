/* SPDX-License-Identifier: MIT
 * The system-call rules, as data: compiled into BPF by libseccomp at build
 * time (seccomp_compile.c, run by tools/seccomp-gen.c) and printed by
 * `corral explain`. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Kinds of condition on a rule. */
enum sc_cond {
        ANY,             /* always */
        ARG0_HAS,        /* (arg0 & value) == value */
        ARG1_LOW32,      /* (arg1 & 0xffffffff) == value: ioctl numbers, CVE-2019-10063 */
        ARG0_EQ_ARG2_NE, /* arg0 == value && arg2 != value2 */
        ARG2_EQ,
        ARG0_PERSONALITY,
        ARG_HAS,         /* (arg[arg] & value) == value */
        ARG_EQ,          /* arg[arg] == value */
        ARG_NE0,         /* arg[arg] != 0 (any bit, upper half included: garbage is refused) */
        ARG0_EQ_ARG1_NE0, /* (arg0 & 0xffffffff) == value && arg1 != 0 */
};

typedef struct sc_rule {
        const char *syscall;
        int err;
        enum sc_cond cond;
        uint64_t value, value2;
        const char *why;
        unsigned arg; /* ARG_HAS, ARG_EQ: which argument */
        int nr;       /* the number, for a system call newer than libseccomp's table (same on every
                       * architecture since 424); 0: resolved by name */
        bool nonamespace; /* only in the filter of the namespace-less fallback (no pid namespace) */
} sc_rule;

extern const sc_rule seccomp_rules[];
extern const size_t seccomp_n_rules;
extern const uint64_t seccomp_dangerous_personality[];
extern const size_t seccomp_n_dangerous_personality;

/* Socket address families the command may use. */
bool seccomp_family_allowed(int af);

/* Whether rule r's condition holds for these arguments: for the text of a
 * report only (which rule refused), never for a decision. */
bool seccomp_rule_matches(const sc_rule *r, const uint64_t args[6]);

/* One line per rule, for `corral explain`. */
void seccomp_describe(FILE *f, const char *indent);
size_t seccomp_rule_count(void);
