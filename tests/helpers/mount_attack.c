/* SPDX-License-Identifier: MIT */
/*
 * mount_attack: the ways a process can try to change its mount table --
 * undo a read-only bind, take a protective mount away, or build a new mount
 * with the classic or the new (fd-based) mount API.
 *
 *   mount_attack remount PATH        mount(MS_REMOUNT|MS_BIND) PATH read-write
 *   mount_attack umount PATH         umount2(PATH, MNT_DETACH)
 *   mount_attack tmpfs PATH          mount a tmpfs on PATH
 *   mount_attack bind SRC DST        bind-mount SRC on DST
 *   mount_attack open_tree PATH      open_tree(OPEN_TREE_CLONE) of PATH
 *   mount_attack move_mount SRC DST  clone SRC with open_tree and move_mount it on DST
 *   mount_attack fsopen              fsopen/fsconfig/fsmount a tmpfs
 *   mount_attack setattr PATH        mount_setattr: clear MOUNT_ATTR_RDONLY on PATH
 *
 * Exit 0: the mount operation worked. 1: blocked. 2: usage.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report.h"

#ifndef MNT_DETACH
#define MNT_DETACH 2
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

static int clone_tree(const char *path)
{
	return (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	const char *a = argc > 2 ? argv[2] : NULL;
	const char *b = argc > 3 ? argv[3] : NULL;

	if (strcmp(op, "remount") == 0 && a) {
		if (syscall(SYS_mount, NULL, a, NULL, MS_REMOUNT | MS_BIND, NULL) < 0)
			return blocked("mount(MS_REMOUNT|MS_BIND, rw)");
		return succeeded("remounted read-write");
	}
	if (strcmp(op, "umount") == 0 && a) {
		if (syscall(SYS_umount2, a, MNT_DETACH) < 0)
			return blocked("umount2");
		return succeeded("unmounted");
	}
	if (strcmp(op, "tmpfs") == 0 && a) {
		if (syscall(SYS_mount, "none", a, "tmpfs", 0, NULL) < 0)
			return blocked("mount tmpfs");
		return succeeded("mounted a tmpfs");
	}
	if (strcmp(op, "bind") == 0 && a && b) {
		if (syscall(SYS_mount, a, b, NULL, MS_BIND, NULL) < 0)
			return blocked("mount(MS_BIND)");
		return succeeded("bind-mounted");
	}
	if (strcmp(op, "open_tree") == 0 && a) {
		if (clone_tree(a) < 0)
			return blocked("open_tree(OPEN_TREE_CLONE)");
		return succeeded("cloned a mount tree");
	}
	if (strcmp(op, "move_mount") == 0 && a && b) {
		int fd = clone_tree(a);
		if (fd < 0)
			return blocked("open_tree(OPEN_TREE_CLONE)");
		if (syscall(SYS_move_mount, fd, "", AT_FDCWD, b, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return blocked("move_mount");
		return succeeded("moved a cloned mount into place");
	}
	if (strcmp(op, "fsopen") == 0) {
		int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
		if (fs < 0)
			return blocked("fsopen(tmpfs)");
		if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
			return blocked("fsconfig(FSCONFIG_CMD_CREATE)");
		if (syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0) < 0)
			return blocked("fsmount");
		return succeeded("created a tmpfs mount with fsopen/fsmount");
	}
	if (strcmp(op, "setattr") == 0 && a) {
		struct mount_attr attr;
		memset(&attr, 0, sizeof attr);
		attr.attr_clr = MOUNT_ATTR_RDONLY;
		if (syscall(SYS_mount_setattr, AT_FDCWD, a, 0, &attr, sizeof attr) < 0)
			return blocked("mount_setattr(clear MOUNT_ATTR_RDONLY)");
		return succeeded("cleared the read-only flag");
	}
	fprintf(stderr, "usage: mount_attack remount|umount|tmpfs|open_tree|setattr PATH\n"
			"       mount_attack bind|move_mount SRC DST\n"
			"       mount_attack fsopen\n");
	return 2;
}
