/* SPDX-License-Identifier: MIT
 * cgroup v2 for resource limits (see cgroup.h). Untested on the development
 * machines, whose cgroup v2 hierarchy has no controllers (a v1/v2 hybrid):
 * there the plan falls back to rlimits, and `corral doctor` says why. */
#include "apply/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"
#include "common/path.h"

/* The first line of a small file, without its newline; false if unreadable. */
static bool read_line(const char *path, char *buf, size_t len) {
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        bool ok = fgets(buf, (int)len, f) != NULL;
        fclose(f);
        if (!ok)
                buf[0] = 0;
        buf[strcspn(buf, "\n")] = 0;
        return true;
}

/* Whether the space-separated list holds word. */
static bool has_word(const char *list, const char *word) {
        size_t n = strlen(word);
        for (const char *p = list; (p = strstr(p, word)); p += n)
                if ((p == list || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
                        return true;
        return false;
}

/* Mount point of the cgroup2 hierarchy and its root inside the hierarchy. */
static bool cgroup2_mount(char *mnt, size_t mlen, char *root, size_t rlen) {
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096];
        bool found = false;
        if (!f)
                return false;
        while (!found && fgets(line, sizeof(line), f)) {
                char r[2048], m[2048];
                const char *dash = strstr(line, " - cgroup2 ");
                // NOLINTNEXTLINE(cert-err34-c): fields, not numbers
                if (!dash || sscanf(line, "%*s %*s %*s %2047s %2047s", r, m) != 2)
                        continue;
                snprintf(mnt, mlen, "%s", m);
                snprintf(root, rlen, "%s", r);
                found = true;
        }
        fclose(f);
        return found;
}

static int whyf(char *why, size_t len, int r, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int whyf(char *why, size_t len, int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, len, fmt, ap);
        va_end(ap);
        return r;
}

/* dir can hold children with memory and pids, and this process may create them. */
static int usable(const char *dir, char *why, size_t len) {
        char ctl[512], sub[512], procs[8300], file[8300];
        if (snprintf(file, sizeof(file), "%s/cgroup.controllers", dir) >= (int)sizeof(file) ||
            !read_line(file, ctl, sizeof(ctl)))
                return whyf(why, len, -ENOENT, "cannot read %s", file);
        if (!has_word(ctl, "memory") || !has_word(ctl, "pids"))
                return whyf(why, len, -EOPNOTSUPP,
                            "the cgroup v2 %s lacks the memory or pids controller (cgroup.controllers: '%s')%s", dir,
                            ctl, strstr(dir, "/unified") ? "; this is a v1/v2 hybrid, which binds them to cgroup v1" : "");
        if (snprintf(file, sizeof(file), "%s/cgroup.subtree_control", dir) >= (int)sizeof(file) ||
            !read_line(file, sub, sizeof(sub)) || !has_word(sub, "memory") || !has_word(sub, "pids"))
                return whyf(why, len, -EOPNOTSUPP,
                            "the cgroup v2 %s does not enable memory and pids for its children "
                            "(cgroup.subtree_control: '%s')",
                            dir, sub);
        if (snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir) >= (int)sizeof(procs) || access(dir, W_OK) < 0 ||
            access(procs, W_OK) < 0)
                return whyf(why, len, -EACCES, "the cgroup v2 %s is not delegated to this user (not writable)", dir);
        return 0;
}

int cgroup_find_delegated(char **ret, char *why, size_t why_len) {
        char mnt[2048], root[2048], line[4096], rel[4096] = "";
        *ret = NULL;
        if (!cgroup2_mount(mnt, sizeof(mnt), root, sizeof(root)))
                return whyf(why, why_len, -ENOENT, "no cgroup v2 hierarchy is mounted");
        FILE *f = fopen("/proc/self/cgroup", "re");
        if (!f)
                return whyf(why, why_len, -errno, "cannot read /proc/self/cgroup: %s", strerror(errno));
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "0::", 3) == 0) {
                        snprintf(rel, sizeof(rel), "%s", line + 3);
                        rel[strcspn(rel, "\n")] = 0;
                }
        fclose(f);
        if (!rel[0])
                return whyf(why, why_len, -ENOENT, "this process is in no cgroup v2 (see /proc/self/cgroup)");
        /* The cgroup relative to the mount's root (a cgroup namespace or a
         * mount of a subtree). */
        const char *r = rel;
        if (strcmp(root, "/") != 0 && path_is_below_or_equal(rel, root))
                r = rel + strlen(root);
        char own[8192];
        if (snprintf(own, sizeof(own), "%s%s%s", mnt, *r == '/' ? "" : "/", r) >= (int)sizeof(own))
                return whyf(why, why_len, -ENAMETOOLONG, "the cgroup path is too long");
        while (strlen(own) > strlen(mnt) && own[strlen(own) - 1] == '/')
                own[strlen(own) - 1] = 0;

        /* The own cgroup is a leaf (it holds this process): its parent makes
         * the children; at the top of the hierarchy the top itself can. */
        char cand[8192];
        snprintf(cand, sizeof(cand), "%s", own);
        if (strcmp(own, mnt) != 0)
                *strrchr(cand, '/') = 0;
        int e = usable(cand, why, why_len);
        if (e < 0)
                return e;
        if (!(*ret = strdup(cand)))
                return whyf(why, why_len, -ENOMEM, "out of memory");
        return 0;
}

static int write_at(int dir, const char *file, const char *text) {
        int fd = openat(dir, file, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, text, strlen(text));
        int r = n == (ssize_t)strlen(text) ? 0 : n < 0 ? -errno : -EIO;
        close(fd);
        return r;
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
                return error_set(err, -ENOMEM, "out of memory");
        }
        return dir;
}

uint64_t cgroup_oom_kills(const char *path) {
        char file[8300], line[256];
        unsigned long long n = 0;
        if (snprintf(file, sizeof(file), "%s/memory.events", path) >= (int)sizeof(file))
                return 0;
        FILE *f = fopen(file, "re");
        if (!f)
                return 0;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "oom_kill ", 9) == 0)
                        n = strtoull(line + 9, NULL, 10);
        fclose(f);
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
