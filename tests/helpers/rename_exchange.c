/* SPDX-License-Identifier: MIT */
/*
 * rename_exchange: swap two paths atomically with renameat2(RENAME_EXCHANGE),
 * e.g. a protected .git with a directory the command prepared.
 *
 *   rename_exchange A B
 *
 * Exit 0: swapped. 1: blocked. 2: usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: rename_exchange A B\n");
		return 2;
	}
	if (syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
		printf("BLOCKED: renameat2(%s, %s, RENAME_EXCHANGE): %s\n", argv[1], argv[2],
		       strerror(errno));
		return 1;
	}
	printf("SUCCEEDED: exchanged %s and %s\n", argv[1], argv[2]);
	return 0;
}
