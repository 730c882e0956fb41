/* SPDX-License-Identifier: MIT */
/*
 * memfd_exec: copy PROG into an anonymous memfd and execute that copy with
 * execveat(AT_EMPTY_PATH). A program run this way comes from no file on
 * disk; it must still get no privileges (no setuid bit, no file caps).
 *
 *   memfd_exec PROG [ARG...]
 *
 * Exit 1 if the memfd could not be made or executed; otherwise PROG's status.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: memfd_exec PROG [ARG...]\n");
		return 2;
	}
	int in = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		printf("BLOCKED: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int mfd = memfd_create("corral-memfd-exec", 0);
	if (mfd < 0) {
		printf("BLOCKED: memfd_create: %s\n", strerror(errno));
		return 1;
	}
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(mfd, buf, (size_t)n) != n) {
			printf("BLOCKED: write to memfd: %s\n", strerror(errno));
			return 1;
		}
	fflush(stdout);
	syscall(SYS_execveat, mfd, "", argv + 1, environ, AT_EMPTY_PATH);
	printf("BLOCKED: execveat(memfd): %s\n", strerror(errno));
	return 1;
}
