/* SPDX-License-Identifier: MIT
 * The domain proxy on Windows (docs/windows.md, "Network by
 * domain"): the same decisions as Linux's (src/proxy), in corral.exe, over
 * Winsock. It listens on 127.0.0.1 (and ::1 where there is IPv6) at one
 * port; the firewall lets the offline sandbox user reach that loopback port
 * and nothing else (firewall_win.h). Its outgoing side runs as the
 * developer, whom the firewall's rules do not name.
 *
 * Same parsers and rules as Linux (src/net: http, socks5, tls, rules,
 * domain, addr): HTTP CONNECT and absolute-URI requests and SOCKS5 on one
 * port; the host checked, then resolved (getaddrinfo: as the developer's
 * own tools resolve it) and every address checked (loopback, private, the
 * machine's own addresses... unless allowed exactly); a tunnel's TLS server
 * name must be the requested host; request size, setup time and the number
 * of connections are bounded. Every refusal answers the client (HTTP 403,
 * a SOCKS5 code) and is recorded (net/refusals.h).
 *
 * One thread per connection, non-blocking sockets and select(): Windows has
 * no epoll, and a few hundred threads are what a package manager's
 * downloads need at most. Windows only. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <windows.h>

#include "common/error.h"
#include "net/refusals.h"
#include "policy/policy.h"

#define WIN_PROXY_MAX_CONNS 512
#define WIN_PROXY_SETUP_TIMEOUT_MS 30000

typedef struct win_proxy win_proxy;

/* Binds 127.0.0.1:port (and [::1]:port when the machine has IPv6), with
 * SO_EXCLUSIVEADDRUSE: a port another program holds is an error (-EADDRINUSE,
 * nothing runs), never a shared listener. port 0: one the system picks
 * (win_proxy_port says which). Accepts nothing until win_proxy_start. */
int win_proxy_new(const policy *p, unsigned short port, win_proxy **ret, corral_error *err);
unsigned short win_proxy_port(const win_proxy *px);

/* Starts accepting. job non-NULL: a connection is served only when the
 * process that opened it is in job (the run's command; looked up through
 * the TCP table's owning process, GetExtendedTcpTable), so that no other
 * process on the machine (another sandbox's command, another user's) can
 * use this run's allowed domains. The job handle must stay open until
 * win_proxy_stop. */
int win_proxy_start(win_proxy *px, HANDLE job, corral_error *err);

/* Stops accepting, ends every connection, waits for their threads. */
void win_proxy_stop(win_proxy *px);

/* The refusals so far (after win_proxy_stop: all of them). */
const net_refusal *win_proxy_refusals(win_proxy *px, size_t *n);

/* Stops it if running and frees it. */
void win_proxy_free(win_proxy *px);

/* Whether the TCP connection whose client end is the local address
 * (family 4 or 6, bytes in network order) and port, to the server port
 * server_port on loopback, was opened by a process in job. 1 yes, 0 no,
 * -errno when the TCP table cannot say. */
int win_proxy_client_in_job(int family, const uint8_t *addr, unsigned short port, unsigned short server_port,
                            HANDLE job);
