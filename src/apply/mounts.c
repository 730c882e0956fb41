/* SPDX-License-Identifier: MIT
 * The mount-operation interpreter. Runs in the sandbox's init process between
 * clone and exec: system calls on prepared data only, no allocation.
 *
 * Every path is opened with openat2(RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS):
 * plans contain canonical paths, so meeting a symlink means the tree changed
 * since planning (or someone raced us) and the run stops instead of mounting
 * somewhere else. Mounts are then made by file descriptor. An operation the
 * plan gave an identity (a protected object, a pinned directory) checks it
 * on the very descriptor it clones from or mounts onto: another object there
 * (moved or replaced since planning) fails the run with ESTALE. */
#include "apply/mounts.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "apply/overlay.h"
#include "kernel/syscalls.h"
#include "common/macro.h"

static int open_path(const char *path, bool nofollow) {
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0),
                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        return sys_openat2(AT_FDCWD, path, &how);
}

/* Whether fd is the object the plan named (when it named one). */
static int check_identity(int fd, const mount_op *op) {
        struct stat st;
        if (!op->verify)
                return 0;
        if (fstat(fd, &st) < 0)
                return -errno;
        return (uint64_t)st.st_dev == op->dev && (uint64_t)st.st_ino == op->ino ? 0 : -ESTALE;
}

static unsigned mount_attrs(unsigned attr) {
        return (attr & ATTR_RDONLY ? MOUNT_ATTR_RDONLY : 0) | (attr & ATTR_NOSUID ? MOUNT_ATTR_NOSUID : 0) |
               (attr & ATTR_NODEV ? MOUNT_ATTR_NODEV : 0) | (attr & ATTR_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
}

/* Decimal or octal without stdio (no allocation between clone and exec). */
static const char *fmt_u64(char *buf, size_t len, uint64_t v, unsigned base) {
        char *p = buf + len - 1;
        *p = 0;
        do {
                *--p = (char)('0' + v % base);
                v /= base;
        } while (v && p > buf);
        return p;
}

static int new_tmpfs(uint64_t size, uint64_t inodes, unsigned mode) {
        char sbuf[32], mbuf[16], ibuf[32];
        _cleanup_close_ int fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        int r = 0;
        if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "size", fmt_u64(sbuf, sizeof(sbuf), size, 10), 0) < 0 ||
            sys_fsconfig(fs, FSCONFIG_SET_STRING, "mode", fmt_u64(mbuf, sizeof(mbuf), mode, 8), 0) < 0 ||
            (inodes && sys_fsconfig(fs, FSCONFIG_SET_STRING, "nr_inodes", fmt_u64(ibuf, sizeof(ibuf), inodes, 10), 0) < 0) ||
            sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                r = -errno;
        int m = r < 0 ? r : sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (m < 0 && r == 0)
                r = -errno;
        return r < 0 ? r : m;
}

static int attach(int src, const mount_op *op) {
        _cleanup_close_ int target = open_path(op->path, op->nofollow);
        if (target < 0)
                return -errno;
        int r = check_identity(target, op);
        if (r == 0)
                r = sys_move_mount(src, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0 ? -errno
                                                                                                              : 0;
        return r;
}

static int run_op(const mount_op *op, int *slots) {
        _cleanup_close_ int fd = -1;
        int r;
        struct mount_attr attr = {.attr_set = mount_attrs(op->attr)};

        switch (op->kind) {
        case MOP_MAKE_PRIVATE:
                return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ? -errno : 0;
        case MOP_CLONE:
                if ((fd = open_path(op->path, op->nofollow)) < 0)
                        return -errno;
                if ((r = check_identity(fd, op)) < 0)
                        return r;
                slots[op->slot] = sys_open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                                                (op->recursive ? AT_RECURSIVE : 0));
                return slots[op->slot] < 0 ? -errno : 0;
        case MOP_READONLY_ALL:
                return sys_mount_setattr(AT_FDCWD, op->path, AT_RECURSIVE, &attr) < 0 ? -errno : 0;
        case MOP_TMPFS:
                slots[op->slot] = new_tmpfs(op->size, op->inodes, op->mode);
                return slots[op->slot] < 0 ? slots[op->slot] : 0;
        case MOP_MKDIR:
                /* An existing directory is fine: the workspace's /tmp keeps
                 * the mount points of earlier runs. */
                if (mkdirat(slots[op->slot], op->sub, op->mode) < 0) {
                        struct stat st;
                        if (errno != EEXIST || fstatat(slots[op->slot], op->sub, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                            !S_ISDIR(st.st_mode))
                                return -EEXIST;
                        return 0;
                }
                /* The mode by the new directory's descriptor, never by name:
                 * a concurrent run of the workspace can write its /tmp, and
                 * swap the name for a symlink meanwhile (fchmodat follows). */
                {
                        struct stat st;
                        if (fstatat(slots[op->slot], op->sub, &st, AT_SYMLINK_NOFOLLOW) < 0)
                                return -errno;
                        if (!S_ISDIR(st.st_mode))
                                return -EEXIST;
                        if ((st.st_mode & 07777) == op->mode)
                                return 0; /* umask is 0: the usual case */
                        if ((fd = openat(slots[op->slot], op->sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
                                return -errno;
                        return fchmod(fd, op->mode) < 0 ? -errno : 0;
                }
        case MOP_MKFILE:
                if ((fd = openat(slots[op->slot], op->sub, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, op->mode)) < 0)
                        return -errno;
                /* (closed on return: no writer may stay open, read-only would
                 * fail with EBUSY) */
                return fchmod(fd, op->mode) < 0 ? -errno : 0;
        case MOP_SYMLINK:
                return symlinkat(op->target, slots[op->slot], op->sub) < 0 ? -errno : 0;
        case MOP_ATTACH:
                if (!op->sub)
                        r = attach(slots[op->slot], op);
                else {
                        if ((fd = sys_open_tree(slots[op->slot], op->sub, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0)
                                return -errno;
                        r = attach(fd, op);
                }
                return op->optional && (r == -EACCES || r == -ENOENT || r == -ELOOP || r == -ENOTDIR) ? 0 : r;
        case MOP_SETATTR:
                return sys_mount_setattr(slots[op->slot], "", AT_EMPTY_PATH | (op->recursive ? AT_RECURSIVE : 0),
                                         &attr) < 0
                               ? -errno
                               : 0;
        case MOP_PROC:
                return mount("proc", op->path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ? -errno : 0;
        case MOP_OVERLAY:
                slots[op->slot] = overlay_new(op->path, op->cache_dir);
                return slots[op->slot] < 0 ? slots[op->slot] : 0;
        case MOP_REOPEN: {
                /* The terminal again, now on a read-only mount: fchmod and
                 * futimens need a writable one, opening a device does not. */
                char pbuf[24], path[48] = "/proc/self/fd/";
                const char *num = fmt_u64(pbuf, sizeof(pbuf), (uint64_t)slots[op->slot], 10);
                size_t at = 14;
                while (*num && at < sizeof(path) - 1)
                        path[at++] = *num++;
                path[at] = 0;
                int fl = fcntl(op->fd, F_GETFL);
                struct stat was, now;
                if (fl < 0 || fstat(op->fd, &was) < 0)
                        return -errno;
                if ((fd = open(path, (fl & O_ACCMODE) | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) < 0)
                        return -errno;
                if (fstat(fd, &now) < 0 || now.st_rdev != was.st_rdev || !S_ISCHR(now.st_mode))
                        return -ESTALE;
                return fcntl(fd, F_SETFL, fl & (O_NONBLOCK | O_APPEND)) < 0 || dup3(fd, op->fd, 0) < 0 ? -errno : 0;
        }
        case MOP_DEVPTS:
                return mount("devpts", op->path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") < 0
                               ? -errno
                               : 0;
        }
        return -EINVAL;
}

int mounts_apply(const plan *pl, int *slots, size_t *failed_op) {
        mode_t old = umask(0); /* modes in the plan are exact */
        int r = 0;
        for (size_t i = 0; i < pl->n_ops; i++)
                if ((r = run_op(&pl->ops[i], slots)) < 0) {
                        *failed_op = i;
                        break;
                }
        umask(old);
        return r;
}
