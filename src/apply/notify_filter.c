/* SPDX-License-Identifier: MIT
 * The write-report half of the reporting filter (apply/notify.h): which
 * calls go to the supervisor to be recorded and then continued. Built into
 * seccomp-gen too, which appends it to the boundary (apply/seccomp_compile.h).
 * At the "all" level every open goes, reads too: a read of a hidden path
 * (the mask's EACCES) is seen nowhere else; at the "writes" level an open
 * or openat for reading only stays in the kernel, so that a build's many
 * reads cost nothing (docs/design.md, "Denial reports"). */
#include "apply/notify.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

/* System calls handed over whatever their arguments; at the "all" level
 * (DENIALS_ALL) openat and open too, reads as well as writes. openat2 goes
 * at both: its flags are in a struct BPF cannot read. */
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
#define N_ALWAYS (sizeof(always) / sizeof(always[0]))

/* The low 32 bits of argument i: the kernel reads open's and openat's
 * flags as an int, so the upper half of the register is nothing to it. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define ARG_LOW(i) ((uint32_t)(offsetof(struct seccomp_data, args[i]) + 4))
#else
#define ARG_LOW(i) ((uint32_t)offsetof(struct seccomp_data, args[i]))
#endif

/* arch, nr; per open: test, load, jump (twice); 2 per call; ALLOW; the
 * flags test and its two returns */
static struct sock_filter progs[2][4 + 6 + 2 * N_ALWAYS + 1 + 3];
static struct sock_fprog fprogs[2];

static bool opens_by_flags(int nr) {
#ifdef __NR_open
        if (nr == __NR_open)
                return true;
#endif
        return nr == __NR_openat;
}

const struct sock_fprog *notify_program(policy_report level) {
        bool writes = level == DENIALS_WRITES;
        struct sock_filter *prog = progs[writes];
        struct sock_fprog *fprog = &fprogs[writes];
        if (fprog->len)
                return fprog;
        size_t n = 0, to_check[2], nj = 0;
        /* Anything else is the first filter's business (it refuses other
         * ABIs and x32 numbers). */
        prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)offsetof(struct seccomp_data, arch));
        prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, NOTIFY_ARCH, 1, 0);
        prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)offsetof(struct seccomp_data, nr));
        if (writes) {
                /* openat and open with their flags in the accumulator, to
                 * the flags test below; A stays nr for every other call */
                prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)__NR_openat, 0, 2);
                prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LOW(2));
                to_check[nj++] = n;
                prog[n++] = STMT(BPF_JMP | BPF_JA, 0);
#ifdef __NR_open
                prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)__NR_open, 0, 2);
                prog[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LOW(1));
                to_check[nj++] = n;
                prog[n++] = STMT(BPF_JMP | BPF_JA, 0);
#endif
        }
        for (size_t i = 0; i < N_ALWAYS; i++) {
                if (writes && opens_by_flags(always[i]))
                        continue;
                prog[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)always[i], 0, 1);
                prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
        }
        prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        if (writes) {
                for (size_t j = 0; j < nj; j++)
                        prog[to_check[j]].k = (uint32_t)(n - (to_check[j] + 1));
                /* Read-only opens stay in the kernel: nothing is written,
                 * and a refused one (a hidden path) is only the "all"
                 * level's report. O_TMPFILE is __O_TMPFILE | O_DIRECTORY:
                 * only its own bit is tested, O_DIRECTORY alone being a
                 * read (opendir). */
                prog[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, NOTIFY_OPEN_WRITES, 0, 1);
                prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
                prog[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        }
        *fprog = (struct sock_fprog){.len = (unsigned short)n, .filter = prog};
        return fprog;
}

bool notify_continues(int nr) {
        for (size_t i = 0; i < N_ALWAYS; i++)
                if (always[i] == nr)
                        return true;
        return false;
}
