/* SPDX-License-Identifier: MIT */
#include "apply/net.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/macro.h"
#include "apply/handoff.h"

int net_loopback_up(void) {
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        struct ifreq ifr = {0};
        memcpy(ifr.ifr_name, "lo", 3);
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        return ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

int net_listen_loopback(int family, unsigned short port) {
        _cleanup_close_ int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        int one = 1;
        struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
        int r = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (r == 0 && family == AF_INET6)
                r = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (r == 0)
                r = family == AF_INET ? bind(fd, (struct sockaddr *)&s4, sizeof(s4))
                                      : bind(fd, (struct sockaddr *)&s6, sizeof(s6));
        if (r == 0)
                r = listen(fd, 4096);
        return r < 0 ? -errno : TAKE_FD(fd);
}

int net_proxy_listen(unsigned short port, int chan_fd) {
        _cleanup_close_ int fd4 = net_listen_loopback(AF_INET, port);
        if (fd4 < 0)
                return fd4;
        /* IPv6 may be absent (ipv6.disable=1): then 127.0.0.1 only */
        _cleanup_close_ int fd6 = net_listen_loopback(AF_INET6, port);
        if (fd6 < 0 && fd6 != -EAFNOSUPPORT && fd6 != -EADDRNOTAVAIL)
                return fd6;
        int fds[2] = {fd4, fd6};
        int r = proxy_fds_send(chan_fd, fds, fd6 >= 0 ? 2 : 1);
        closep(&fd4);
        closep(&fd6);
        close(chan_fd); /* (sent: the supervisor holds the listeners) */
        return r;
}
