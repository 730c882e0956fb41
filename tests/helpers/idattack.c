/* SPDX-License-Identifier: MIT */
/*
 * idattack: reach past the sandbox through an id or a mode argument
 * (issue 16, classes 7 and 9).
 *
 *   idattack setid suid|sgid METHOD PATH
 *       make PATH setuid (or setgid) with one system call: chmod, fchmod,
 *       fchmodat, fchmodat2 (PATH exists), open, openat, creat, mknod,
 *       mknodat, openat2 (PATH is created). Succeeds when PATH has the bit.
 *   idattack prio pgrp|user [high]
 *       setpriority(PRIO_PGRP or PRIO_USER, 0, 19): every process of the
 *       caller's process group or uid. "high" sets bit 32 of `which`, which
 *       the kernel ignores (an int), to catch a filter comparing 64 bits.
 *   idattack ioprio pgrp|user
 *       ioprio_set(IOPRIO_WHO_PGRP or IOPRIO_WHO_USER, 0, idle class).
 *   idattack tiocspgrp FD
 *       a new process group, made the foreground of the terminal on FD.
 *   idattack fdmeta FD fchmod|fchown|futimens|fsetxattr|setflags|procchmod
 *       change the metadata of the file open on FD (procchmod: chmod
 *       /proc/self/fd/FD, the magic link). Succeeds when the call does.
 *
 * Exit 0: it worked. 1: blocked (or SIGSYS). 2: usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>

#include "report.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static int usage(void)
{
	fprintf(stderr, "usage: idattack setid suid|sgid METHOD PATH | prio pgrp|user [high] | "
			"ioprio pgrp|user | tiocspgrp FD | fdmeta FD OP\n");
	return 2;
}

static int setid(const char *kind, const char *method, const char *path)
{
	mode_t bit = strcmp(kind, "suid") == 0 ? S_ISUID : S_ISGID;
	mode_t mode = bit | 0755;
	long r;
	int fd;
	if (strcmp(method, "chmod") == 0)
		r = chmod(path, mode);
	else if (strcmp(method, "fchmod") == 0) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return blocked("open");
		r = fchmod(fd, mode);
	} else if (strcmp(method, "fchmodat") == 0)
		r = syscall(SYS_fchmodat, AT_FDCWD, path, mode);
	else if (strcmp(method, "fchmodat2") == 0)
		r = syscall(SYS_fchmodat2, AT_FDCWD, path, mode, 0);
	else if (strcmp(method, "open") == 0)
		r = syscall(SYS_open, path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
	else if (strcmp(method, "openat") == 0)
		r = syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
	else if (strcmp(method, "creat") == 0)
		r = syscall(SYS_creat, path, mode);
	else if (strcmp(method, "mknod") == 0)
		r = syscall(SYS_mknod, path, S_IFREG | mode, 0);
	else if (strcmp(method, "mknodat") == 0)
		r = syscall(SYS_mknodat, AT_FDCWD, path, S_IFREG | mode, 0);
	else if (strcmp(method, "openat2") == 0) {
		struct open_how how = {.flags = O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, .mode = mode};
		r = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	} else
		return usage();
	if (r < 0)
		return blocked(method);
	/* open and creat are subject to the umask, never to the bit itself */
	struct stat st;
	if (stat(path, &st) < 0)
		return blocked("stat");
	if (!(st.st_mode & bit)) {
		printf("BLOCKED: %s: %s made without the bit (mode %o)\n", method, path, st.st_mode & 07777);
		return 1;
	}
	printf("SUCCEEDED: %s made %s %s (mode %o)\n", method, path, kind, st.st_mode & 07777);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	const char *op = argv[1];
	if (strcmp(op, "setid") == 0 && argc == 5)
		return setid(argv[2], argv[3], argv[4]);
	if (strcmp(op, "prio") == 0) {
		unsigned long long which = strcmp(argv[2], "user") == 0 ? PRIO_USER : PRIO_PGRP;
		if (argc > 3 && strcmp(argv[3], "high") == 0)
			which |= 1ULL << 32;
		if (syscall(SYS_setpriority, which, 0, 19) < 0)
			return blocked("setpriority");
		return succeeded("setpriority: nice 19 for the whole group or uid");
	}
	if (strcmp(op, "ioprio") == 0) {
		int which = strcmp(argv[2], "user") == 0 ? 3 /* IOPRIO_WHO_USER */ : 2 /* IOPRIO_WHO_PGRP */;
		int idle = 3 << 13; /* IOPRIO_CLASS_IDLE */
		if (syscall(SYS_ioprio_set, which, 0, idle) < 0)
			return blocked("ioprio_set");
		return succeeded("ioprio_set: idle class for the whole group or uid");
	}
	if (strcmp(op, "tiocspgrp") == 0) {
		int fd = atoi(argv[2]);
		if (setpgid(0, 0) < 0 && getpgrp() != getpid()) /* a session leader leads its group */
			return blocked("setpgid");
		pid_t pg = getpgrp();
		if (ioctl(fd, TIOCSPGRP, &pg) < 0)
			return blocked("TIOCSPGRP");
		return succeeded("TIOCSPGRP: this process group is now the terminal's foreground");
	}
	if (strcmp(op, "fdmeta") == 0 && argc == 4) {
		int fd = atoi(argv[2]);
		const char *m = argv[3];
		long r;
		if (strcmp(m, "fchmod") == 0)
			r = fchmod(fd, 0666);
		else if (strcmp(m, "fchown") == 0)
			r = fchown(fd, getuid(), getgid());
		else if (strcmp(m, "futimens") == 0) {
			struct timespec ts[2] = {{.tv_sec = 86400}, {.tv_sec = 86400}};
			r = futimens(fd, ts);
		} else if (strcmp(m, "fsetxattr") == 0)
			r = fsetxattr(fd, "user.corral", "evil", 4, 0);
		else if (strcmp(m, "setflags") == 0) {
			int flags = 0;
			r = ioctl(fd, FS_IOC_GETFLAGS, &flags);
			flags |= FS_NOATIME_FL;
			if (r == 0)
				r = ioctl(fd, FS_IOC_SETFLAGS, &flags);
		} else if (strcmp(m, "procchmod") == 0) {
			char p[64];
			snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
			r = chmod(p, 0666);
		} else
			return usage();
		if (r < 0)
			return blocked(m);
		printf("SUCCEEDED: %s on fd %d\n", m, fd);
		return 0;
	}
	return usage();
}
