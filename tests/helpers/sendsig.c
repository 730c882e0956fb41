/* SPDX-License-Identifier: MIT */
/*
 * sendsig: signal a process by pid, with kill(2) or through a pidfd
 * (pidfd_open + pidfd_send_signal).
 *
 *   sendsig kill|pidfd PID [SIGNAL-NUMBER]     (default SIGTERM)
 *
 * Exit 0: the signal was delivered. 1: blocked. 2: usage.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: sendsig kill|pidfd PID [SIGNAL]\n");
		return 2;
	}
	pid_t pid = (pid_t)atoi(argv[2]);
	int sig = argc > 3 ? atoi(argv[3]) : SIGTERM;

	if (strcmp(argv[1], "kill") == 0) {
		if (kill(pid, sig) < 0) {
			printf("BLOCKED: kill(%d, %d): %s\n", pid, sig, strerror(errno));
			return 1;
		}
	} else if (strcmp(argv[1], "pidfd") == 0) {
		int fd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (fd < 0) {
			printf("BLOCKED: pidfd_open(%d): %s\n", pid, strerror(errno));
			return 1;
		}
		if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0) {
			printf("BLOCKED: pidfd_send_signal(%d): %s\n", pid, strerror(errno));
			return 1;
		}
	} else {
		fprintf(stderr, "sendsig: unknown method %s\n", argv[1]);
		return 2;
	}
	printf("SUCCEEDED: signal %d sent to %d with %s\n", sig, pid, argv[1]);
	return 0;
}
