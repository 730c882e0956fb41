/* SPDX-License-Identifier: MIT */
#pragma once

/* Brings up "lo" in the sandbox's own network namespace, so servers the
 * command starts on 127.0.0.1 / ::1 work while nothing leaves. */
int net_loopback_up(void);

/* network = proxy: listening TCP sockets on 127.0.0.1:port and [::1]:port
 * in the sandbox's namespace (the second only where IPv6 exists), sent to
 * the supervisor over chan_fd (SCM_RIGHTS) and closed here: the proxy
 * (src/proxy) serves them from outside. 0 or a negative errno. */
int net_proxy_listen(unsigned short port, int chan_fd);

/* One listening TCP socket on 127.0.0.1:port (AF_INET) or [::1]:port
 * (AF_INET6, v6 only), in the caller's network namespace: the fd, or a
 * negative errno (-EADDRINUSE: another socket holds it). */
int net_listen_loopback(int family, unsigned short port);
