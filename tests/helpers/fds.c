/* SPDX-License-Identifier: MIT */
/*
 * fds: list the file descriptors above 2 that this process was started
 * with -- anything the launcher forgot to close, which the command could
 * use to reach outside (a directory, a socket, the terminal, a pipe).
 *
 * Exit 0: some leaked descriptor was found (listed). 1: only 0-2 are open.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		perror("fds: /proc/self/fd");
		return 2;
	}
	int self = dirfd(d), leaked = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd <= 2 || fd == self)
			continue;
		char path[64], target[512];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, target, sizeof target - 1);
		target[n > 0 ? n : 0] = 0;
		printf("open fd %d -> %s\n", fd, target);
		leaked++;
	}
	closedir(d);
	if (leaked) {
		printf("SUCCEEDED: %d descriptor(s) above 2 were inherited\n", leaked);
		return 0;
	}
	printf("BLOCKED: only fds 0-2 are open\n");
	return 1;
}
