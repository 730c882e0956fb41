/* SPDX-License-Identifier: MIT */
#include "apply/handoff.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/macro.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

int proxy_fds_send(int chan, const int *fds, size_t n) {
        if (n == 0 || n > PROXY_MAX_LISTENERS)
                return -EINVAL;
        union {
                char buf[CMSG_SPACE(sizeof(int) * PROXY_MAX_LISTENERS)];
                struct cmsghdr align;
        } u;
        memset(&u, 0, sizeof(u));
        char one = 'l';
        struct iovec iov = {.iov_base = &one, .iov_len = 1};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                             .msg_controllen = CMSG_SPACE(sizeof(int) * n)};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
        ssize_t sent;
        do
                sent = sendmsg(chan, &msg, MSG_NOSIGNAL);
        while (sent < 0 && errno == EINTR);
        return sent == 1 ? 0 : sent < 0 ? -errno : -EIO;
}

size_t proxy_fds_recv(int chan, int *fds, size_t max, int *got_message) {
        union {
                char buf[CMSG_SPACE(sizeof(int) * PROXY_MAX_LISTENERS)];
                struct cmsghdr align;
        } u;
        char one;
        struct iovec iov = {.iov_base = &one, .iov_len = 1};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
        ssize_t n;
        do
                n = recvmsg(chan, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (got_message)
                *got_message = n > 0;
        size_t got = 0;
        if (n <= 0)
                return 0;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
                if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
                        size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        int *in = (int *)(void *)CMSG_DATA(cm);
                        for (size_t i = 0; i < k; i++) {
                                if (got < max)
                                        fds[got++] = in[i];
                                else
                                        close(in[i]);
                        }
                }
        return got;
}

static int opt(int fd, int level, int name) {
        int v = -1;
        socklen_t len = sizeof(v);
        return getsockopt(fd, level, name, &v, &len) < 0 ? -1 : v;
}

static int netns_cookie(int fd, uint64_t *cookie) {
        socklen_t len = sizeof(*cookie);
        return getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len) < 0 ? -errno : 0;
}

int proxy_listener_check(int fd, unsigned short port, corral_error *err) {
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
                return error_set(err, -EINVAL, "not a socket");
        }
        int family = opt(fd, SOL_SOCKET, SO_DOMAIN);
        if ((family != AF_INET && family != AF_INET6) || opt(fd, SOL_SOCKET, SO_TYPE) != SOCK_STREAM ||
            opt(fd, SOL_SOCKET, SO_PROTOCOL) != IPPROTO_TCP) {
                return error_set(err, -EINVAL, "not a TCP socket");
        }
        if (opt(fd, SOL_SOCKET, SO_ACCEPTCONN) != 1) {
                return error_set(err, -EINVAL, "not listening");
        }
        struct sockaddr_storage ss = {0};
        socklen_t len = sizeof(ss);
        bool ok = false;
        if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family == family) {
                if (family == AF_INET) {
                        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
                        ok = s4->sin_addr.s_addr == htonl(INADDR_LOOPBACK) && ntohs(s4->sin_port) == port;
                } else {
                        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
                        ok = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) && ntohs(s6->sin6_port) == port;
                }
        }
        if (!ok) {
                return error_set(err, -EINVAL, "not bound to loopback port %u", port);
        }
        /* The sandbox's own namespace, never the caller's (where anyone on
         * the machine could reach the proxy). */
        uint64_t theirs = 0, ours = 0;
        _cleanup_close_ int self = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int r = netns_cookie(fd, &theirs);
        if (r == 0 && self >= 0 && netns_cookie(self, &ours) == 0 && theirs == ours) {
                return error_set(err, -EINVAL, "in this process's own network namespace, not the sandbox's");
        }
        return 0;
}
