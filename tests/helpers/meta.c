/* SPDX-License-Identifier: MIT */
/*
 * meta: change a file's metadata rather than its data -- the part of the
 * filesystem that Landlock does not cover and only a read-only mount stops.
 *
 *   meta setxattr PATH     set the extended attribute user.corral
 *   meta setflags PATH     FS_IOC_SETFLAGS: add FS_NOATIME_FL
 *
 * Exit 0: the metadata changed. 1: blocked. 2: usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#include <unistd.h>

static int blocked(const char *what, const char *path)
{
	printf("BLOCKED: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: meta setxattr|setflags PATH\n");
		return 2;
	}
	const char *path = argv[2];
	if (strcmp(argv[1], "setxattr") == 0) {
		if (setxattr(path, "user.corral", "evil", 4, 0) < 0)
			return blocked("setxattr", path);
		printf("SUCCEEDED: set user.corral on %s\n", path);
		return 0;
	}
	if (strcmp(argv[1], "setflags") == 0) {
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		int flags = 0;
		if (fd < 0)
			return blocked("open", path);
		if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
			return blocked("FS_IOC_GETFLAGS", path);
		flags |= FS_NOATIME_FL;
		if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0)
			return blocked("FS_IOC_SETFLAGS", path);
		printf("SUCCEEDED: set FS_NOATIME_FL on %s\n", path);
		return 0;
	}
	fprintf(stderr, "meta: unknown operation %s\n", argv[1]);
	return 2;
}
