/* SPDX-License-Identifier: MIT
 * The write-report half of the reporting filter (apply/notify.h): which
 * calls go to the supervisor to be recorded and then continued. Built into
 * seccomp-gen too, which appends it to the boundary (apply/seccomp_compile.h). */
#include "apply/notify.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

/* The low 32 bits of argument i. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + sizeof(uint64_t) * (size_t)(i))
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + sizeof(uint64_t) * (size_t)(i) + 4)
#endif

/* O_ACCMODE write bits, O_CREAT, O_TRUNC (O_TMPFILE needs a write mode). */
#define WRITE_INTENT (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

/* System calls handed over whatever their arguments. */
static const int always[] = {
#ifdef __NR_creat
        __NR_creat,
#endif
#ifdef __NR_mkdir
        __NR_mkdir, __NR_mknod, __NR_unlink, __NR_rmdir, __NR_rename, __NR_link, __NR_symlink, __NR_chmod,
#endif
        __NR_openat2, /* its flags are in a struct BPF cannot read */
        __NR_mkdirat, __NR_mknodat, __NR_unlinkat, __NR_renameat, __NR_renameat2, __NR_linkat, __NR_symlinkat,
        __NR_fchmodat, NOTIFY_NR_FCHMODAT2, __NR_truncate, __NR_connect,
};

/* 4 + 5 per conditional call + 2 per unconditional one + 1 */
static struct sock_filter prog[4 + 5 * 2 + 2 * sizeof(always) / sizeof(always[0]) + 1];

static size_t open_rule(size_t n, int nr, int arg) {
        prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 4);
        prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)ARG_LO(arg));
        prog[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, WRITE_INTENT, 0, 1);
        prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
        prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        return n;
}

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
        n = open_rule(n, __NR_openat, 2);
#ifdef __NR_open
        n = open_rule(n, __NR_open, 1);
#else
        n = open_rule(n, __NR_openat, 2); /* keeps the size the same */
#endif
        for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
                prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)always[i], 0, 1);
                prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
        }
        prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        fprog = (struct sock_fprog){.len = (unsigned short)n, .filter = prog};
        return &fprog;
}

bool notify_continues(int nr) {
        if (nr == __NR_openat)
                return true;
#ifdef __NR_open
        if (nr == __NR_open)
                return true;
#endif
        for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
                if (always[i] == nr)
                        return true;
        return false;
}
