/* SPDX-License-Identifier: MIT
 * cgroup v2 for resource limits (see cgroup.h). Untested on the development
 * machines, whose cgroup v2 hierarchy has no controllers (a v1/v2 hybrid):
 * there the plan falls back to rlimits, and `corral doctor` says why. */
#include "apply/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"

static int write_at(int dir, const char *file, const char *text) {
        _cleanup_close_ int fd = openat(dir, file, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, text, strlen(text));
        return n == (ssize_t)strlen(text) ? 0 : n < 0 ? -errno : -EIO;
}

int cgroup_create(const char *parent, uint64_t memory_max, uint64_t pids_max, char **ret, corral_error *err) {
        static unsigned counter;
        char path[8192], num[32];
        int r;
        *ret = NULL;
        for (;;) {
                if (snprintf(path, sizeof(path), "%s/corral-%d-%u", parent, (int)getpid(), counter++) >=
                    (int)sizeof(path))
                        return error_set(err, -ENAMETOOLONG, "the cgroup path %s is too long", parent);
                if (mkdir(path, 0755) == 0)
                        break;
                if (errno != EEXIST)
                        return error_set(err, -errno, "cannot create the cgroup %s for the resource limits: %s", path,
                                         strerror(errno));
        }
        int dir = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (dir < 0) {
                r = error_set(err, -errno, "cannot open the cgroup %s: %s", path, strerror(errno));
                rmdir(path);
                return r;
        }
        const char *what = NULL;
        r = 0;
        if (memory_max) {
                snprintf(num, sizeof(num), "%llu", (unsigned long long)memory_max);
                if ((r = write_at(dir, "memory.max", num)) < 0)
                        what = "memory.max";
                /* Swap would let the tree exceed the limit. No
                 * memory.oom.group: the OOM killer takes the largest process,
                 * and the sandbox's init survives to report how the command
                 * ended. */
                else if ((r = write_at(dir, "memory.swap.max", "0")) < 0 && r != -ENOENT)
                        what = "memory.swap.max";
                else
                        r = 0;
        }
        if (r >= 0 && pids_max) {
                snprintf(num, sizeof(num), "%llu", (unsigned long long)pids_max);
                if ((r = write_at(dir, "pids.max", num)) < 0)
                        what = "pids.max";
        }
        if (r < 0) {
                error_set(err, r, "cannot set %s in the cgroup %s: %s", what, path, strerror(-r));
                close(dir);
                rmdir(path);
                return r;
        }
        if (!(*ret = strdup(path))) {
                close(dir);
                rmdir(path);
                return oom(err);
        }
        return dir;
}

uint64_t cgroup_oom_kills(const char *path) {
        char file[8300], line[256];
        unsigned long long n = 0;
        if (snprintf(file, sizeof(file), "%s/memory.events", path) >= (int)sizeof(file))
                return 0;
        _cleanup_fclose_ FILE *f = fopen(file, "re");
        if (!f)
                return 0;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "oom_kill ", 9) == 0)
                        n = strtoull(line + 9, NULL, 10);
        return n;
}

void cgroup_destroy(const char *path) {
        if (!path)
                return;
        int dir = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (dir < 0)
                return;
        (void)write_at(dir, "cgroup.kill", "1");
        /* cgroup.events says "populated 0" once the last process is gone;
         * the file signals changes with POLLPRI. */
        int ev = openat(dir, "cgroup.events", O_RDONLY | O_CLOEXEC);
        for (int i = 0; ev >= 0 && i < 50; i++) {
                char buf[256];
                ssize_t n = pread(ev, buf, sizeof(buf) - 1, 0);
                if (n < 0)
                        break;
                buf[n] = 0;
                if (strstr(buf, "populated 0"))
                        break;
                struct pollfd p = {.fd = ev, .events = POLLPRI};
                (void)poll(&p, 1, 100);
        }
        if (ev >= 0)
                close(ev);
        close(dir);
        (void)rmdir(path);
}
