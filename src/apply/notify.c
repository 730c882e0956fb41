/* SPDX-License-Identifier: MIT */
#include "apply/notify.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "apply/seccomp.h"

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

/* The reporting filter, with its listener (returned), or -errno. */
static int install_reporting(bool nonamespace, policy_report level) {
#if NOTIFY_ARCH
        int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                              seccomp_program(nonamespace, level));
        return fd < 0 ? -errno : fd;
#else
        (void)nonamespace;
        (void)level;
        return -EOPNOTSUPP;
#endif
}

int notify_install(int sock, bool nonamespace, policy_report level) {
        int fd = install_reporting(nonamespace, level), r;
        /* no listener: the boundary as without reports */
        if (fd < 0 && (r = seccomp_install(seccomp_program(nonamespace, DENIALS_OFF))) < 0) {
                close(sock);
                return r;
        }
        r = send_listener(sock, fd, fd < 0 ? -fd : 0);
        close(sock);
        return r;
}
