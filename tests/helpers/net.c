/* SPDX-License-Identifier: MIT */
/*
 * net: network probes. Each tries to reach something (or to open a socket
 * family the sandbox should not offer) and says whether it worked.
 *
 *   net tcp HOST PORT        TCP connect (IPv4, IPv6 or v4-mapped literal)
 *   net udp HOST PORT        send a datagram, wait 1s for an answer
 *   net icmp HOST            ICMP echo over an unprivileged ICMP socket
 *   net mptcp HOST PORT      connect with IPPROTO_MPTCP
 *   net fastopen HOST PORT   sendto(MSG_FASTOPEN): connect and send in one call
 *   net raw                  socket(AF_INET, SOCK_RAW)
 *   net packet               socket(AF_PACKET, SOCK_RAW)
 *   net netlink PROTO        socket(AF_NETLINK) with PROTO route|uevent|audit|sock_diag|generic
 *   net vsock                socket(AF_VSOCK) (hypervisor and WSL2 interop)
 *   net alg                  socket(AF_ALG)
 *   net xdp                  socket(AF_XDP)
 *   net sctp                 socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)
 *   net unix PATH|@NAME      connect to a unix stream socket (@ = abstract)
 *   net loopback [4|6]       a server on localhost and a client, in this process
 *
 * Exit 0: it worked. 1: blocked. 2: usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "report.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef AF_XDP
#define AF_XDP 44
#endif

static int parse_addr(const char *host, const char *port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof *ss);
	uint16_t p = htons((uint16_t)(port ? atoi(port) : 0));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = p;
		*len = sizeof *in4;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = p;
		*len = sizeof *in6;
		return 0;
	}
	fprintf(stderr, "net: not an IP address: %s\n", host);
	return -1;
}

/* connect() with a 3 second limit. */
static int connect_wait(int fd, const struct sockaddr *sa, socklen_t len)
{
	int flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, sa, len) < 0) {
		if (errno != EINPROGRESS)
			return -1;
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		if (poll(&pfd, 1, 3000) != 1) {
			errno = ETIMEDOUT;
			return -1;
		}
		int err = 0;
		socklen_t elen = sizeof err;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
		if (err) {
			errno = err;
			return -1;
		}
	}
	fcntl(fd, F_SETFL, flags);
	return 0;
}

static int wait_readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = poll(&pfd, 1, ms);
	if (n != 1) {
		errno = n == 0 ? ETIMEDOUT : errno;
		return -1;
	}
	return 0;
}

static int do_stream(const char *host, const char *port, int proto, const char *what)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (parse_addr(host, port, &ss, &len) < 0)
		return 2;
	int fd = socket(ss.ss_family, SOCK_STREAM, proto);
	if (fd < 0)
		return blocked(what);
	if (connect_wait(fd, (struct sockaddr *)&ss, len) < 0)
		return blocked(what);
	printf("SUCCEEDED: %s to %s port %s\n", what, host, port);
	return 0;
}

static int do_udp(const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[64];
	if (parse_addr(host, port, &ss, &len) < 0)
		return 2;
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return blocked("socket(SOCK_DGRAM)");
	if (sendto(fd, "ping\n", 5, 0, (struct sockaddr *)&ss, len) < 0)
		return blocked("sendto");
	if (wait_readable(fd, 1000) < 0 || recv(fd, buf, sizeof buf, 0) < 0)
		return blocked("waiting for the UDP answer");
	printf("SUCCEEDED: UDP exchange with %s port %s\n", host, port);
	return 0;
}

static int do_icmp(const char *host)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[256];
	if (parse_addr(host, NULL, &ss, &len) < 0)
		return 2;
	int v6 = ss.ss_family == AF_INET6;
	int fd = socket(ss.ss_family, SOCK_DGRAM, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (fd < 0)
		return blocked("socket(SOCK_DGRAM, IPPROTO_ICMP)");
	unsigned char pkt[16];
	memset(pkt, 0, sizeof pkt);
	pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	if (sendto(fd, pkt, sizeof pkt, 0, (struct sockaddr *)&ss, len) < 0)
		return blocked("sendto(ICMP echo)");
	if (wait_readable(fd, 1000) < 0 || recv(fd, buf, sizeof buf, 0) < 0)
		return blocked("waiting for the ICMP echo reply");
	printf("SUCCEEDED: ICMP echo reply from %s\n", host);
	return 0;
}

static int do_fastopen(const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (parse_addr(host, port, &ss, &len) < 0)
		return 2;
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return blocked("socket(SOCK_STREAM)");
	if (sendto(fd, "x", 1, MSG_FASTOPEN, (struct sockaddr *)&ss, len) < 0)
		return blocked("sendto(MSG_FASTOPEN)");
	printf("SUCCEEDED: sendto(MSG_FASTOPEN) to %s port %s\n", host, port);
	return 0;
}

static int do_socket(int family, int type, int proto, const char *what)
{
	if (socket(family, type, proto) < 0)
		return blocked(what);
	return succeeded(what);
}

static int do_netlink(const char *name)
{
	static const struct { const char *name; int proto; } protos[] = {
		{ "route", NETLINK_ROUTE },     { "uevent", NETLINK_KOBJECT_UEVENT },
		{ "audit", NETLINK_AUDIT },     { "sock_diag", NETLINK_SOCK_DIAG },
		{ "generic", NETLINK_GENERIC },
	};
	for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++) {
		if (strcmp(name, protos[i].name) != 0)
			continue;
		int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protos[i].proto);
		if (fd < 0)
			return blocked("socket(AF_NETLINK)");
		struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
		if (protos[i].proto == NETLINK_KOBJECT_UEVENT)
			snl.nl_groups = 1; /* listen to the host's device events */
		if (bind(fd, (struct sockaddr *)&snl, sizeof snl) < 0)
			return blocked("bind(AF_NETLINK)");
		printf("SUCCEEDED: AF_NETLINK %s socket bound\n", name);
		return 0;
	}
	fprintf(stderr, "net: unknown netlink protocol %s\n", name);
	return 2;
}

static int unix_addr(const char *name, struct sockaddr_un *sun, socklen_t *len)
{
	size_t n = strlen(name);
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (n >= sizeof sun->sun_path) {
		fprintf(stderr, "net: socket name too long: %s\n", name);
		return -1;
	}
	memcpy(sun->sun_path, name, n);
	if (name[0] == '@')
		sun->sun_path[0] = 0; /* abstract */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (name[0] == '@' ? 0 : 1));
	return 0;
}

static int do_unix(const char *name)
{
	struct sockaddr_un sun;
	socklen_t len;
	if (unix_addr(name, &sun, &len) < 0)
		return 2;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return blocked("socket(AF_UNIX)");
	if (connect(fd, (struct sockaddr *)&sun, len) < 0)
		return blocked("connect(AF_UNIX)");
	char buf[64] = "";
	ssize_t n = 0;
	if (wait_readable(fd, 1000) == 0)
		n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("SUCCEEDED: connected to unix socket %s%s%s", name, n > 0 ? ", it said: " : "\n", buf);
	return 0;
}

static int do_loopback(int v6)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char c = 0;
	if (parse_addr(v6 ? "::1" : "127.0.0.1", "0", &ss, &len) < 0)
		return 2;
	int srv = socket(ss.ss_family, SOCK_STREAM, 0);
	if (srv < 0 || bind(srv, (struct sockaddr *)&ss, len) < 0 || listen(srv, 1) < 0)
		return blocked("listening on localhost");
	getsockname(srv, (struct sockaddr *)&ss, &len);
	int cli = socket(ss.ss_family, SOCK_STREAM, 0);
	if (cli < 0 || connect_wait(cli, (struct sockaddr *)&ss, len) < 0)
		return blocked("connecting to our own localhost server");
	int conn = accept(srv, NULL, NULL);
	if (conn < 0 || write(conn, "!", 1) != 1 || wait_readable(cli, 1000) < 0 || read(cli, &c, 1) != 1)
		return blocked("talking to our own localhost server");
	return succeeded(v6 ? "own server on ::1 works" : "own server on 127.0.0.1 works");
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	const char *a = argc > 2 ? argv[2] : NULL;
	const char *b = argc > 3 ? argv[3] : NULL;

	alarm(10);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(op, "tcp") == 0 && b)
		return do_stream(a, b, 0, "TCP connect");
	if (strcmp(op, "mptcp") == 0 && b)
		return do_stream(a, b, IPPROTO_MPTCP, "MPTCP connect");
	if (strcmp(op, "udp") == 0 && b)
		return do_udp(a, b);
	if (strcmp(op, "icmp") == 0 && a)
		return do_icmp(a);
	if (strcmp(op, "fastopen") == 0 && b)
		return do_fastopen(a, b);
	if (strcmp(op, "raw") == 0)
		return do_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP, "socket(AF_INET, SOCK_RAW)");
	if (strcmp(op, "packet") == 0)
		return do_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), "socket(AF_PACKET, SOCK_RAW)");
	if (strcmp(op, "netlink") == 0 && a)
		return do_netlink(a);
	if (strcmp(op, "vsock") == 0)
		return do_socket(AF_VSOCK, SOCK_STREAM, 0, "socket(AF_VSOCK)");
	if (strcmp(op, "alg") == 0)
		return do_socket(AF_ALG, SOCK_SEQPACKET, 0, "socket(AF_ALG)");
	if (strcmp(op, "xdp") == 0)
		return do_socket(AF_XDP, SOCK_RAW, 0, "socket(AF_XDP)");
	if (strcmp(op, "sctp") == 0)
		return do_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, "socket(IPPROTO_SCTP)");
	if (strcmp(op, "unix") == 0 && a)
		return do_unix(a);
	if (strcmp(op, "loopback") == 0)
		return do_loopback(a && strcmp(a, "6") == 0);
	fprintf(stderr, "usage: see the comment at the top of net.c\n");
	return 2;
}
