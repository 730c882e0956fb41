/* SPDX-License-Identifier: MIT */
#include "plan/proc_masks.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply/syscalls.h"

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
