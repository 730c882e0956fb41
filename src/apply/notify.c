/* SPDX-License-Identifier: MIT */
#include "apply/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NOTIFY_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NOTIFY_ARCH AUDIT_ARCH_AARCH64
#else
#define NOTIFY_ARCH 0 /* not known here: no reports */
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

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

/* fd (or, when it is negative, err) to the supervisor. */
static int send_listener(int sock, int fd, int32_t err) {
        struct iovec iov = {.iov_base = &err, .iov_len = sizeof(err)};
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        memset(&u, 0, sizeof(u));
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        if (fd >= 0) {
                msg.msg_control = u.buf;
                msg.msg_controllen = sizeof(u.buf);
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        ssize_t n;
        do
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        int r = fd >= 0 && n != (ssize_t)sizeof(err) ? -errno : 0;
        /* The supervisor holds the only listener now: when it goes, the
         * calls waiting on it fail (ENOSYS) and PR_SET_PDEATHSIG ends us. */
        if (fd >= 0)
                close(fd);
        return r;
}

int notify_install(int sock) {
#if NOTIFY_ARCH
        int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                              notify_program());
        int r = send_listener(sock, fd, fd < 0 ? errno : 0);
#else
        int r = send_listener(sock, -1, EOPNOTSUPP);
#endif
        close(sock);
        return r;
}
