/* SPDX-License-Identifier: MIT */
#include "apply/seccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_filter.h" /* generated: corral_seccomp_filter[] */

const struct sock_fprog *seccomp_program(bool nonamespace) {
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

int seccomp_install(const struct sock_fprog *prog) {
        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0 ? -errno : 0;
}
