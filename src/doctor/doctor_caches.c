/* SPDX-License-Identifier: MIT
 * `corral doctor`: see doctor/doctor_caches.h. The probe makes a lower and a
 * private cache directory under corral's state directory, mounts the overlay
 * there in a child in new user and mount namespaces (as a run does), reads a
 * lower file and writes a new one through it, checks that the write landed in
 * the upper layer and not in the lower one, and removes everything. */
#include "doctor/doctor_caches.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply/overlay.h"
#include "common/macro.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st, (void)ftw;
        return flag == FTW_DP || flag == FTW_D ? rmdir(path) : unlink(path);
}

static int open_up(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)ftw;
        if (flag == FTW_D || flag == FTW_DNR || (st && S_ISDIR(st->st_mode)))
                chmod(path, 0700);
        return 0;
}

static void write_file(const char *path, const char *text) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0)
                (void)!write(fd, text, strlen(text));
}

/* The child: user + mount namespaces, the overlay, one read, one write. */
static int child(const char *base, uid_t uid, gid_t gid) {
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                return 10;
        char map[64];
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
        write_file("/proc/self/setgroups", "deny");
        write_file("/proc/self/uid_map", map);
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
        write_file("/proc/self/gid_map", map);
        char lower[4300], dir[4300];
        snprintf(lower, sizeof(lower), "%.4200s/lower", base);
        snprintf(dir, sizeof(dir), "%.4200s/cache", base);
        int m = overlay_new(lower, dir);
        if (m < 0)
                return -m < 90 ? -m : 89; /* the mount's errno */
        char buf[16] = "";
        _cleanup_close_ int fd = openat(m, "seen", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0 || strncmp(buf, "lower", 5) != 0)
                return 90;
        closep(&fd);
        if ((fd = openat(m, "written", O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0)
                return 91;
        return 0;
}

bool doctor_caches_overlay(char *what, size_t len) {
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        char root[4096], base[4200], path[4400];
        if (xdg && xdg[0] == '/')
                snprintf(root, sizeof(root), "%s/corral", xdg);
        else if (home && home[0] == '/')
                snprintf(root, sizeof(root), "%s/.cache/corral", home);
        else {
                snprintf(what, len, "no HOME or XDG_CACHE_HOME to keep private caches in");
                return false;
        }
        snprintf(path, sizeof(path), "%.4090s", root);
        for (char *s = path + 1; *s; s++) /* mkdir -p */
                if (*s == '/') {
                        *s = 0;
                        mkdir(path, 0700);
                        *s = '/';
                }
        mkdir(path, 0700);
        snprintf(base, sizeof(base), "%s/doctor-overlay.XXXXXX", root);
        if (!mkdtemp(base)) {
                snprintf(what, len, "cannot create a probe directory in %s: %s", root, strerror(errno));
                return false;
        }
        const char *subs[] = {"lower", "cache", "cache/upper", "cache/empty"};
        for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
                snprintf(path, sizeof(path), "%s/%s", base, subs[i]);
                mkdir(path, 0700);
        }
        snprintf(path, sizeof(path), "%s/lower/seen", base);
        write_file(path, "lower\n");

        int status = -1;
        pid_t pid = fork();
        if (pid == 0)
                _exit(child(base, getuid(), getgid()));
        if (pid > 0)
                waitpid(pid, &status, 0);
        int code = pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        struct stat st;
        char up[4400], low[4400];
        snprintf(up, sizeof(up), "%s/cache/upper/written", base);
        snprintf(low, sizeof(low), "%s/lower/written", base);
        bool in_upper = stat(up, &st) == 0, in_lower = stat(low, &st) == 0;
        bool ok = code == 0 && in_upper && !in_lower;
        if (ok)
                snprintf(what, len, "read-through works: overlayfs (userxattr, redirect_dir=nofollow, metacopy=off) "
                                    "in a user namespace on %s; a write landed in the private upper layer only",
                         root);
        else if (code == 10)
                snprintf(what, len, "no user namespace to mount it in: caches stay read-only");
        else if (code > 0 && code < 90)
                snprintf(what, len, "overlayfs cannot be mounted in a user namespace on %s: %s (needs Linux 5.11 "
                                    "and user xattrs on that filesystem); runs fail until [caches] all = \"off\"",
                         root, strerror(code));
        else
                snprintf(what, len, "the overlay did not behave (probe status %d, upper %s, lower %s): caches are "
                                    "not safe here; set [caches] all = \"off\"",
                         code, in_upper ? "written" : "not written", in_lower ? "WRITTEN" : "not written");
        /* overlayfs leaves work/work (and, volatile, incompat/volatile) without
         * permissions: each pass opens one more level of them */
        for (int pass = 0; pass < 4; pass++)
                nftw(base, open_up, 16, FTW_PHYS);
        nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        return ok;
}
