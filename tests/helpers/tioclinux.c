/* SPDX-License-Identifier: MIT */
/*
 * tioclinux: ioctl(TIOCLINUX, TIOCL_PASTESEL) on FD (default 0): on a Linux
 * virtual console it pastes the selection into the console's input, for the
 * shell on that console to run. Without a virtual console the kernel answers
 * ENOTTY or EINVAL; the sandbox's seccomp filter answers EPERM for any fd, so
 * the errno shows who refused. With "high", bit 32 of the request is set too
 * (the kernel looks at the low 32 bits only).
 *
 *   tioclinux [low|high] [FD]
 *
 * Prints "ERRNO: NAME" (or SUCCEEDED). Exit 0: the ioctl worked. 1: it
 * failed. 2: usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report.h"

int main(int argc, char **argv)
{
	int high = argc > 1 && strcmp(argv[1], "high") == 0;
	int fd = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 0;
	unsigned long request = TIOCLINUX;
	char subcode = 3; /* TIOCL_PASTESEL */

	if (argc > 1 && !high && strcmp(argv[1], "low") != 0) {
		fprintf(stderr, "usage: tioclinux [low|high] [FD]\n");
		return 2;
	}
	if (high)
		request |= 1UL << 32;
	if (syscall(SYS_ioctl, fd, request, &subcode) < 0) {
		printf("ERRNO: %s\n", strerrorname_np(errno));
		return blocked("ioctl(TIOCLINUX)");
	}
	return succeeded("ioctl(TIOCLINUX, TIOCL_PASTESEL)");
}
