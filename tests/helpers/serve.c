/* SPDX-License-Identifier: MIT */
/*
 * serve: a tiny server the tests start on the host (or inside a sandbox)
 * so that probes have something real to reach. It prints its port (tcp,
 * udp) or READY (unix, abstract) on the first line of stdout, then one line
 * per client it serves, and answers every client with "HELLO".
 *
 *   serve tcp HOST           listen on HOST, a free port
 *   serve udp HOST           answer datagrams on HOST, a free port
 *   serve unix PATH          listen on a unix socket at PATH
 *   serve abstract NAME      listen on the abstract unix socket NAME
 *
 * Runs until killed. Exit 2 if it cannot listen.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "serve: %s: %s\n", what, strerror(errno));
	return 2;
}

static int ip_socket(const char *host, int type, int *port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		len = sizeof *in4;
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		len = sizeof *in6;
	} else {
		errno = EINVAL;
		return -1;
	}
	int fd = socket(ss.ss_family, type, 0);
	int one = 1;
	if (fd < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		return -1;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	*port = ntohs(ss.ss_family == AF_INET ? in4->sin_port : in6->sin6_port);
	return fd;
}

static int unix_socket(const char *name, int abstract)
{
	struct sockaddr_un sun;
	size_t n = strlen(name);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (n + 2 > sizeof sun.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path + (abstract ? 1 : 0), name, n);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) < 0)
		return -1;
	return fd;
}

/* Read whatever the client sends within MS milliseconds. Reading the
 * request (and draining before close) keeps the kernel from answering an
 * HTTP client with a reset. */
static void drain(int c, int ms)
{
	char buf[4096];
	struct pollfd pfd = { .fd = c, .events = POLLIN };
	while (poll(&pfd, 1, ms) == 1 && read(c, buf, sizeof buf) > 0)
		;
}

static int serve_stream(int fd)
{
	if (listen(fd, 16) < 0)
		return fail("listen");
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		printf("CONNECTED\n");
		drain(c, 100);
		if (write(c, "HELLO\n", 6) < 0)
			printf("write failed\n");
		shutdown(c, SHUT_WR);
		drain(c, 200);
		close(c);
	}
}

int main(int argc, char **argv)
{
	int port = 0, fd;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc != 3) {
		fprintf(stderr, "usage: serve tcp|udp HOST | serve unix PATH | serve abstract NAME\n");
		return 2;
	}
	if (strcmp(argv[1], "tcp") == 0) {
		if ((fd = ip_socket(argv[2], SOCK_STREAM, &port)) < 0)
			return fail(argv[2]);
		printf("%d\n", port);
		return serve_stream(fd);
	}
	if (strcmp(argv[1], "unix") == 0 || strcmp(argv[1], "abstract") == 0) {
		if ((fd = unix_socket(argv[2], argv[1][0] == 'a')) < 0)
			return fail(argv[2]);
		printf("READY\n");
		return serve_stream(fd);
	}
	if (strcmp(argv[1], "udp") == 0) {
		if ((fd = ip_socket(argv[2], SOCK_DGRAM, &port)) < 0)
			return fail(argv[2]);
		printf("%d\n", port);
		for (;;) {
			struct sockaddr_storage from;
			socklen_t flen = sizeof from;
			char buf[512];
			if (recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen) < 0)
				continue;
			printf("DATAGRAM\n");
			sendto(fd, "HELLO\n", 6, 0, (struct sockaddr *)&from, flen);
		}
	}
	fprintf(stderr, "serve: unknown kind %s\n", argv[1]);
	return 2;
}
