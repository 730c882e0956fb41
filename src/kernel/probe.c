/* SPDX-License-Identifier: MIT
 * What the running kernel offers (see probe.h). */
#include "kernel/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/path.h"
#include "kernel/landlock_compat.h"
#include "kernel/syscalls.h"

/* --- Landlock --- */

int landlock_kernel_abi(void) {
        long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
        return abi < 0 ? 0 : (int)abi;
}

int landlock_abi_lowered(void) {
        const char *v = getenv("CORRAL_TEST_LANDLOCK_ABI");
        if (!v || v[0] < '0' || v[0] > '7' || v[1])
                return -1;
        int want = v[0] - '0';
        return want < landlock_kernel_abi() ? want : -1;
}

int landlock_abi_version(void) {
        int lowered = landlock_abi_lowered();
        return lowered >= 0 ? lowered : landlock_kernel_abi();
}

/* --- seccomp --- */

bool seccomp_available(void) {
        return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 &&
               syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &(unsigned){SECCOMP_RET_ERRNO}) == 0;
}

/* --- user namespaces --- */

int userns_probe(void) {
        pid_t pid = fork();
        if (pid < 0)
                return errno;
        if (pid == 0) {
                /* Unprivileged, as the sandbox user will be. */
                struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
                struct __user_cap_data_struct none[2] = {{0}};
                if (syscall(SYS_capset, &hdr, none) < 0)
                        _exit(EPERM);
                _exit(unshare(CLONE_NEWUSER) < 0 ? (errno & 0xff) : 0);
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return ECHILD;
        return WIFEXITED(status) ? WEXITSTATUS(status) : ECHILD;
}

bool userns_blocked(int e) { return e == EPERM || e == ENOSPC || e == EINVAL || e == EUSERS || e == EACCES; }

/* Try what the backend does: a child in new user, mount, pid and net
 * namespaces. */
int userns_sandbox_probe(void) {
        pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | SIGCHLD,
                                   NULL, NULL, NULL, NULL);
        if (pid < 0)
                return errno;
        if (pid == 0)
                _exit(0);
        int status;
        waitpid(pid, &status, 0);
        return 0;
}

/* --- /proc --- */

void proc_masks(char *buf, size_t len) {
        buf[0] = 0;
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return;
        char line[4096];
        size_t used = 0;
        while (fgets(line, sizeof(line), f)) {
                /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE ... */
                char point[4096], *sep = strstr(line, " - ");
                if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1)
                        continue;
                if (strncmp(point, "/proc/", 6) != 0 || strncmp(sep + 3, "binfmt_misc ", 12) == 0)
                        continue;
                size_t n = strlen(point);
                if (used + n + 8 >= len) {
                        if (used + 6 < len)
                                snprintf(buf + used, len - used, ", ...");
                        break;
                }
                used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", point);
        }
        fclose(f);
}

int proc_new_refused(void) {
        pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL,
                                   NULL);
        if (pid < 0)
                return errno;
        if (pid == 0) {
                /* pid 1 of a new pid namespace, as the sandbox's init: the
                 * proc would be that namespace's, checked as the run's. */
                int fs = sys_fsopen("proc", FSOPEN_CLOEXEC);
                if (fs < 0 || sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
                    sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) < 0)
                        _exit(errno & 0xff ? errno & 0xff : EPERM);
                _exit(0);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : EPERM;
}

/* --- cgroup v2 --- */

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

/* dir can hold children with memory and pids, and this process may create them. */
static int usable(const char *dir, corral_error *err) {
        char ctl[512], sub[512], procs[8300], file[8300];
        if (snprintf(file, sizeof(file), "%s/cgroup.controllers", dir) >= (int)sizeof(file) ||
            !read_line(file, ctl, sizeof(ctl)))
                return error_set(err, -ENOENT, "cannot read %s", file);
        if (!has_word(ctl, "memory") || !has_word(ctl, "pids"))
                return error_set(err, -EOPNOTSUPP,
                            "the cgroup v2 %s lacks the memory or pids controller (cgroup.controllers: '%s')%s", dir,
                            ctl, strstr(dir, "/unified") ? "; this is a v1/v2 hybrid, which binds them to cgroup v1" : "");
        if (snprintf(file, sizeof(file), "%s/cgroup.subtree_control", dir) >= (int)sizeof(file) ||
            !read_line(file, sub, sizeof(sub)) || !has_word(sub, "memory") || !has_word(sub, "pids"))
                return error_set(err, -EOPNOTSUPP,
                            "the cgroup v2 %s does not enable memory and pids for its children "
                            "(cgroup.subtree_control: '%s')",
                            dir, sub);
        if (snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir) >= (int)sizeof(procs) || access(dir, W_OK) < 0 ||
            access(procs, W_OK) < 0)
                return error_set(err, -EACCES, "the cgroup v2 %s is not delegated to this user (not writable)", dir);
        return 0;
}

int cgroup_find_delegated(char **ret, corral_error *err) {
        char mnt[2048], root[2048], line[4096], rel[4096] = "";
        *ret = NULL;
        if (!cgroup2_mount(mnt, sizeof(mnt), root, sizeof(root)))
                return error_set(err, -ENOENT, "no cgroup v2 hierarchy is mounted");
        FILE *f = fopen("/proc/self/cgroup", "re");
        if (!f)
                return error_set(err, -errno, "cannot read /proc/self/cgroup: %s", strerror(errno));
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "0::", 3) == 0) {
                        snprintf(rel, sizeof(rel), "%s", line + 3);
                        rel[strcspn(rel, "\n")] = 0;
                }
        fclose(f);
        if (!rel[0])
                return error_set(err, -ENOENT, "this process is in no cgroup v2 (see /proc/self/cgroup)");
        /* The cgroup relative to the mount's root (a cgroup namespace or a
         * mount of a subtree). */
        const char *r = rel;
        if (strcmp(root, "/") != 0 && path_is_below_or_equal(rel, root))
                r = rel + strlen(root);
        char own[8192];
        if (snprintf(own, sizeof(own), "%s%s%s", mnt, *r == '/' ? "" : "/", r) >= (int)sizeof(own))
                return error_set(err, -ENAMETOOLONG, "the cgroup path is too long");
        while (strlen(own) > strlen(mnt) && own[strlen(own) - 1] == '/')
                own[strlen(own) - 1] = 0;

        /* The own cgroup is a leaf (it holds this process): its parent makes
         * the children; at the top of the hierarchy the top itself can. */
        char cand[8192];
        snprintf(cand, sizeof(cand), "%s", own);
        if (strcmp(own, mnt) != 0)
                *strrchr(cand, '/') = 0;
        int e = usable(cand, err);
        if (e < 0)
                return e;
        if (!(*ret = strdup(cand)))
                return oom(err);
        return 0;
}
