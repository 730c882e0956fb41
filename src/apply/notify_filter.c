/* SPDX-License-Identifier: MIT
 * The write-report half of the reporting filter (apply/notify.h): which
 * calls go to the supervisor to be recorded and then continued. Built into
 * seccomp-gen too, which appends it to the boundary (apply/seccomp_compile.h).
 * Every open goes, reads too: a read of a hidden path (the mask's EACCES)
 * is seen nowhere else (docs/design.md, "Denial reports"). */
#include "apply/notify.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

/* System calls handed over whatever their arguments: opens for reading as
 * well as for writing, openat2 (its flags are in a struct BPF cannot read). */
static const int always[] = {
        __NR_openat,
#ifdef __NR_open
        __NR_open,
        __NR_creat,
#endif
#ifdef __NR_mkdir
        __NR_mkdir, __NR_mknod, __NR_unlink, __NR_rmdir, __NR_rename, __NR_link, __NR_symlink, __NR_chmod,
#endif
        __NR_openat2,
        __NR_mkdirat, __NR_mknodat, __NR_unlinkat, __NR_renameat, __NR_renameat2, __NR_linkat, __NR_symlinkat,
        __NR_fchmodat, NOTIFY_NR_FCHMODAT2, __NR_truncate, __NR_connect,
};

/* 4 + 2 per call + 1 */
static struct sock_filter prog[4 + 2 * sizeof(always) / sizeof(always[0]) + 1];

const struct sock_fprog *notify_program(void) {
        static struct sock_fprog fprog;
        if (fprog.len)
                return &fprog;
        size_t n = 0;
        /* Anything else is the first filter's business (it refuses other
         * ABIs and x32 numbers). */
        prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)offsetof(struct seccomp_data, arch));
        prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, NOTIFY_ARCH, 1, 0);
        prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)offsetof(struct seccomp_data, nr));
        for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
                prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)always[i], 0, 1);
                prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
        }
        prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        fprog = (struct sock_fprog){.len = (unsigned short)n, .filter = prog};
        return &fprog;
}

bool notify_continues(int nr) {
        for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
                if (always[i] == nr)
                        return true;
        return false;
}
