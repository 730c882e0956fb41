/* SPDX-License-Identifier: MIT */
/*
 * execargv: execute PATH with exactly the argument vector given, possibly
 * none at all (argc 0, the pkexec CVE-2021-4034 shape), and the current
 * environment.
 *
 *   execargv PATH [ARGV0 [ARG...]]
 *
 * Exit: PATH's own status; 2 on a usage error; 127 if the exec failed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: execargv PATH [ARGV0 [ARG...]]\n");
		return 2;
	}
	char *none[] = {NULL};
	execve(argv[1], argc > 2 ? argv + 2 : none, environ);
	printf("BLOCKED: execve %s: %s\n", argv[1], strerror(errno));
	return 127;
}
