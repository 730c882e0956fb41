/* SPDX-License-Identifier: MIT
 * The domain proxy (docs/config.md, "[network]"): the only way out of a sandbox whose network
 * is "proxy". It runs in the supervisor, outside the sandbox (the host's
 * network, the developer's identity), on listening sockets the sandbox's
 * init created in the sandbox's own network namespace (127.0.0.1 and ::1)
 * and handed over (apply/net.c). It speaks HTTP (CONNECT and absolute-URI
 * requests) and SOCKS5 on the same port, decides with src/net/rules.c,
 * resolves names itself and checks every address it would connect to,
 * checks the TLS server name of each tunnel, and records every refusal.
 *
 * One epoll set, driven by the supervisor's own poll loop
 * (supervise/supervise.c): proxy_fd() is polled with the rest, and
 * proxy_run() handles what is ready without blocking. When the proxy fails
 * the network does not open: the sandbox has no other route. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "net/refusals.h"
#include "net/proxyenv.h" /* PROXY_PORT */
#include "net/rules.h"


/* Bounds (docs/config.md, "[network]"). */

typedef struct proxy proxy;

typedef net_refusal proxy_refusal;

/* Takes the listening fds (closed by proxy_free, also on failure). */
int proxy_new(const net_rules *rules, const int *listen_fds, size_t n_fds, proxy **ret, corral_error *err);
int proxy_fd(const proxy *px);
/* Milliseconds until the next deadline (-1: none). */
int proxy_timeout_ms(const proxy *px);
/* Handles ready events and expired deadlines; never blocks. */
void proxy_run(proxy *px);
/* Serve only connections whose client socket belongs to uid (the kernel's
 * socket table, NETLINK_SOCK_DIAG): for listeners on the host's loopback
 * (the users backend without namespaces), where any local user could
 * connect. Others get 403 and are recorded. */
void proxy_only_uid(proxy *px, uid_t uid);
/* Serve only connections that present token (net/proxyauth.h): HTTP
 * requests with its Proxy-Authorization, SOCKS5 with its username and
 * password; others are answered 407 / refused, and recorded. */
void proxy_require_token(proxy *px, const char *token);
/* The owner of the TCP socket at the other end of connected socket fd, both
 * in this network namespace: 0 and *uid, or a negative errno. */
int proxy_peer_uid(int fd, uid_t *uid);
/* The refusals so far, in the order first seen. */
const proxy_refusal *proxy_refusals(const proxy *px, size_t *n);
void proxy_free(proxy *px);
