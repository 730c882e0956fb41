/* SPDX-License-Identifier: MIT
 * net_addr to and from the socket API's addresses, for the proxies (Linux's
 * src/proxy and Windows' src/windows/proxy_win.c): the same structures
 * under both, from <netinet/in.h> or Winsock's headers. Header only, so
 * that the portable core itself stays free of socket headers. */
#pragma once

#include <stdbool.h>
#include <string.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include "net/addr.h"

/* An IPv4 or IPv6 socket address's address; false for other families. */
static inline bool net_addr_from_sockaddr(const struct sockaddr *sa, net_addr *out) {
        *out = (net_addr){0};
        if (sa->sa_family == AF_INET) {
                out->family = 4;
                memcpy(out->b, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
                return true;
        }
        if (sa->sa_family == AF_INET6) {
                out->family = 6;
                memcpy(out->b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
                return true;
        }
        return false;
}

/* a at port as a socket address in ss; returns its length. */
static inline int net_addr_to_sockaddr(const net_addr *a, unsigned short port, struct sockaddr_storage *ss) {
        memset(ss, 0, sizeof(*ss));
        if (a->family == 4) {
                struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
                s4->sin_family = AF_INET;
                s4->sin_port = htons(port);
                memcpy(&s4->sin_addr, a->b, 4);
                return (int)sizeof(*s4);
        }
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        memcpy(&s6->sin6_addr, a->b, 16);
        return (int)sizeof(*s6);
}
