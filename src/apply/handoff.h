/* SPDX-License-Identifier: MIT
 * network = proxy: how the listening sockets travel. The sandbox's init
 * creates them in the sandbox's network namespace (apply/net.c) and sends
 * them to its supervisor; on the users backend that supervisor is
 * corral-runner, a sandbox-user process, which passes them on, untouched,
 * to the developer's corral over the request socket (users/client.c), so
 * that the proxy's outgoing side runs as the developer, never as the
 * sandbox user the firewall confines. One message each time: one byte and
 * the descriptors (SCM_RIGHTS). */
#pragma once

#include <stddef.h>

#include "corral.h"

#define PROXY_MAX_LISTENERS 4

/* Sends fds over chan (a unix socket); the fds stay open. 0 or -errno. */
int proxy_fds_send(int chan, const int *fds, size_t n);

/* One message from chan: the descriptors it carried (close-on-exec), at
 * most max (the rest are closed). 0: end of file, no descriptors or an
 * error (*got_message says whether a byte arrived at all). */
size_t proxy_fds_recv(int chan, int *fds, size_t max, int *got_message);

/* Whether fd is what the sandbox's init makes and nothing else: a
 * listening TCP socket bound to 127.0.0.1 or ::1 at port, in another
 * network namespace than the caller's (where the kernel can say:
 * SO_NETNS_COOKIE, Linux 5.14). 0, or -EINVAL with err saying what it
 * is instead. corral checks what corral-runner hands it: the runner is a
 * sandbox-user process. */
int proxy_listener_check(int fd, unsigned short port, corral_error *err);
