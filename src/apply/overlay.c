/* SPDX-License-Identifier: MIT
 * A private cache's overlay: see apply/overlay.h.
 *
 * The layers are opened without following symlinks (a path swapped for a
 * link since planning fails the run) and handed to overlayfs as
 * /proc/self/fd/N. Options:
 * - userxattr: the only way in a user namespace (trusted.* needs the
 *   initial namespace's CAP_SYS_ADMIN); it also turns redirect_dir and
 *   metacopy off, which are named anyway: a redirect or a metadata-only
 *   copy-up planted in the upper could point a lookup at another lower path;
 * - index=off, xino=off: nothing is recorded about the lower layer, which
 *   the developer changes between runs (a new cache, a cleaned one);
 * - volatile: no sync of the upper filesystem when the sandbox's mount
 *   namespace goes (a sync of the whole home filesystem per run: measured
 *   under load, a third of the run's time); after a crash a private cache
 *   may hold a torn file, which package managers verify or `corral cache
 *   clear` ends.
 * The lower layer is never written by overlayfs: every change (data,
 * mode, owner, times, xattrs, rename, unlink) copies the file up or
 * whites it out in the upper. */
#include "apply/overlay.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "kernel/syscalls.h"


static int open_dir(const char *path) {
        struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        int fd = sys_openat2(AT_FDCWD, path, &how);
        return fd < 0 ? -errno : fd;
}

static int open_sub(int dir, const char *name) {
        int fd = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

const char *overlay_work_name(char *buf, size_t len, unsigned n, int lock) {
        static const char prefix[] = "work.", suffix[] = ".lock";
        char digits[12];
        size_t nd = 0, i = 0;
        do
                digits[nd++] = (char)('0' + n % 10);
        while ((n /= 10) && nd < sizeof(digits));
        for (size_t k = 0; k < sizeof(prefix) - 1 && i < len - 1; k++)
                buf[i++] = prefix[k];
        while (nd && i < len - 1)
                buf[i++] = digits[--nd];
        for (size_t k = 0; lock && k < sizeof(suffix) - 1 && i < len - 1; k++)
                buf[i++] = suffix[k];
        buf[i] = 0;
        return buf;
}

/* "/proc/self/fd/N" into buf. */
static const char *fd_path(char *buf, size_t len, int fd) {
        static const char prefix[] = "/proc/self/fd/";
        char digits[16];
        size_t n = 0, i = 0;
        do
                digits[n++] = (char)('0' + fd % 10);
        while ((fd /= 10) && n < sizeof(digits));
        for (; i < sizeof(prefix) - 1 && i < len - 1; i++)
                buf[i] = prefix[i];
        while (n && i < len - 1)
                buf[i++] = digits[--n];
        buf[i] = 0;
        return buf;
}

/* The cache's lock, shared: `corral cache clear` takes it exclusively, and
 * a run does not start while a clear walks the cache (nor a clear while a
 * run has it mounted). Its fd stays open, held until this process exits. */
static int share_cache(int dir) {
        /* O_NONBLOCK: a FIFO put in its place does not hang the run */
        int l = openat(dir, "lock", O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
        struct stat st;
        if (l < 0)
                return -errno;
        if (fstat(l, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(l);
                return -EINVAL;
        }
        if (flock(l, LOCK_SH | LOCK_NB) < 0) {
                close(l);
                return -EBUSY; /* corral cache clear is at work */
        }
        return 0;
}

/* The first work directory no other run holds; its lock fd stays open. */
static int take_work_dir(int dir) {
        char lock[24], work[24];
        int shared = share_cache(dir);
        if (shared < 0)
                return shared;
        for (unsigned i = 0; i < OVERLAY_WORK_DIRS; i++) {
                overlay_work_name(lock, sizeof(lock), i, 1);
                overlay_work_name(work, sizeof(work), i, 0);
                /* read-only: an fd open for writing would keep the view from becoming read-only (EBUSY) */
                int l = openat(dir, lock, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
                if (l < 0)
                        return -errno;
                if (flock(l, LOCK_EX | LOCK_NB) < 0) {
                        close(l);
                        continue;
                }
                if (mkdirat(dir, work, 0700) < 0 && errno != EEXIST) {
                        int r = -errno;
                        close(l);
                        return r;
                }
                int w = open_sub(dir, work);
                if (w < 0) {
                        close(l);
                        return w;
                }
                /* volatile leaves work/incompat/volatile/dirty behind, and overlayfs
                 * refuses a work dir with it ("throw the upper away"): for a
                 * cache, an upper layer not synced before a crash is fine */
                int inner = openat(w, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (inner >= 0) {
                        int inc = openat(inner, "incompat", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (inc >= 0) {
                                int vol = openat(inc, "volatile", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                if (vol >= 0) {
                                        (void)unlinkat(vol, "dirty", 0);
                                        close(vol);
                                }
                                (void)unlinkat(inc, "volatile", AT_REMOVEDIR);
                                close(inc);
                        }
                        (void)unlinkat(inner, "incompat", AT_REMOVEDIR);
                        close(inner);
                }
                return w; /* l stays open: held until this process exits */
        }
        return -EBUSY;
}

int overlay_new(const char *lower, const char *cache_dir) {
        int dir = open_dir(cache_dir), lo = -1, up = -1, work = -1, fs = -1, r;
        if (dir < 0)
                return dir;
        if ((lo = lower ? open_dir(lower) : open_sub(dir, "empty")) < 0 || (up = open_sub(dir, "upper")) < 0 ||
            (work = take_work_dir(dir)) < 0) {
                r = lo < 0 ? lo : up < 0 ? up : work;
                goto out;
        }
        if ((fs = sys_fsopen("overlay", FSOPEN_CLOEXEC)) < 0) {
                r = -errno;
                goto out;
        }
        char lp[32], upath[32], wp[32];
        if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", fd_path(lp, sizeof(lp), lo), 0) < 0 ||
            sys_fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", fd_path(upath, sizeof(upath), up), 0) < 0 ||
            sys_fsconfig(fs, FSCONFIG_SET_STRING, "workdir", fd_path(wp, sizeof(wp), work), 0) < 0 ||
            sys_fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0 ||
            sys_fsconfig(fs, FSCONFIG_SET_STRING, "redirect_dir", "nofollow", 0) < 0 ||
            sys_fsconfig(fs, FSCONFIG_SET_STRING, "metacopy", "off", 0) < 0 ||
            sys_fsconfig(fs, FSCONFIG_SET_STRING, "index", "off", 0) < 0 ||
            sys_fsconfig(fs, FSCONFIG_SET_STRING, "xino", "off", 0) < 0 ||
            sys_fsconfig(fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0) < 0 ||
            sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
                r = -errno;
                goto out;
        }
        r = sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (r < 0)
                r = -errno;
out:
        if (fs >= 0)
                close(fs);
        if (work >= 0)
                close(work);
        if (up >= 0)
                close(up);
        if (lo >= 0)
                close(lo);
        close(dir);
        return r;
}
