/* SPDX-License-Identifier: MIT */
#include "apply/seccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_filter.h" /* generated: corral_seccomp_filter[] */

#define PROG(a) {.len = sizeof(a) / sizeof((a)[0]), .filter = (struct sock_filter *)(a)}

const struct sock_fprog *seccomp_program(bool nonamespace, policy_report report) {
        static const struct sock_fprog rep = PROG(corral_seccomp_filter_report);
        static const struct sock_fprog rep_nons = PROG(corral_seccomp_filter_nonamespace_report);
        static const struct sock_fprog wr = PROG(corral_seccomp_filter_report_writes);
        static const struct sock_fprog wr_nons = PROG(corral_seccomp_filter_nonamespace_report_writes);
        if (report == DENIALS_WRITES)
                return nonamespace ? &wr_nons : &wr;
        if (report == DENIALS_ALL)
                return nonamespace ? &rep_nons : &rep;
        static const struct sock_fprog prog = {
                .len = sizeof(corral_seccomp_filter) / sizeof(corral_seccomp_filter[0]),
                .filter = (struct sock_filter *)corral_seccomp_filter,
        };
        static const struct sock_fprog prog_nons = {
                .len = sizeof(corral_seccomp_filter_nonamespace) / sizeof(corral_seccomp_filter_nonamespace[0]),
                .filter = (struct sock_filter *)corral_seccomp_filter_nonamespace,
        };
        return nonamespace ? &prog_nons : &prog;
}

int seccomp_refused_errno(int nr) {
        for (size_t i = 0; i < sizeof(corral_seccomp_refused) / sizeof(corral_seccomp_refused[0]); i++)
                if (corral_seccomp_refused[i].nr == nr)
                        return corral_seccomp_refused[i].err;
        return 0;
}

const sc_rule *seccomp_refused_rule(int nr, const uint64_t args[6]) {
        const sc_rule *first = NULL;
        for (size_t i = 0; i < sizeof(corral_seccomp_refused) / sizeof(corral_seccomp_refused[0]); i++) {
                if (corral_seccomp_refused[i].nr != nr)
                        continue;
                const sc_rule *r = &seccomp_rules[corral_seccomp_refused[i].rule];
                if (seccomp_rule_matches(r, args))
                        return r;
                if (!first)
                        first = r;
        }
        return first;
}

int seccomp_install(const struct sock_fprog *prog) {
        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0 ? -errno : 0;
}
