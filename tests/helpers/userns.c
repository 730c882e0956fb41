/* SPDX-License-Identifier: MIT */
/*
 * userns: try to enter a new user namespace, where the process would be
 * "root" with a full set of capabilities over new namespaces -- the usual
 * first step to undo a sandbox's mounts.
 *
 *   userns unshare|clone|clone3
 *
 * Exit 0: a new user namespace was created. 1: blocked. 2: usage.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child checks that it really is in a new user namespace: its
 * /proc/self/ns/user differs from the parent's. */
static int report_child(pid_t pid, const char *how)
{
	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("BLOCKED: %s: the child did not end up in a new user namespace\n", how);
		return 1;
	}
	printf("SUCCEEDED: %s created a new user namespace\n", how);
	return 0;
}

static int in_new_userns(const char *before)
{
	char now[64] = "";
	if (readlink("/proc/self/ns/user", now, sizeof now - 1) < 0)
		return 1;
	return strcmp(before, now) != 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";
	char before[64] = "";
	if (readlink("/proc/self/ns/user", before, sizeof before - 1) < 0) {
		perror("userns: readlink /proc/self/ns/user");
		return 2;
	}

	if (strcmp(how, "unshare") == 0) {
		if (unshare(CLONE_NEWUSER) < 0) {
			printf("BLOCKED: unshare(CLONE_NEWUSER): %s\n", strerror(errno));
			return 1;
		}
		if (in_new_userns(before) != 0) {
			printf("BLOCKED: unshare returned 0 but the namespace did not change\n");
			return 1;
		}
		printf("SUCCEEDED: unshare(CLONE_NEWUSER)\n");
		return 0;
	}
	if (strcmp(how, "clone") == 0) {
		fflush(stdout);
		long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, NULL, NULL, 0);
		if (pid < 0) {
			printf("BLOCKED: clone(CLONE_NEWUSER): %s\n", strerror(errno));
			return 1;
		}
		if (pid == 0)
			_exit(in_new_userns(before));
		return report_child((pid_t)pid, "clone(CLONE_NEWUSER)");
	}
	if (strcmp(how, "clone3") == 0) {
		struct clone_args args;
		memset(&args, 0, sizeof args);
		args.flags = CLONE_NEWUSER;
		args.exit_signal = SIGCHLD;
		fflush(stdout);
		long pid = syscall(SYS_clone3, &args, sizeof args);
		if (pid < 0) {
			printf("BLOCKED: clone3(CLONE_NEWUSER): %s\n", strerror(errno));
			return 1;
		}
		if (pid == 0)
			_exit(in_new_userns(before));
		return report_child((pid_t)pid, "clone3(CLONE_NEWUSER)");
	}
	fprintf(stderr, "usage: userns unshare|clone|clone3\n");
	return 2;
}
