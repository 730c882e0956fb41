/* SPDX-License-Identifier: MIT */
#include "apply/nonamespace.h"

#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "apply/landlock.h"
#include "apply/notify.h"
#include "apply/seccomp.h"
#include "kernel/probe.h"
#include "kernel/syscalls.h"

static void report(int fd, apply_report rep) {
        ssize_t n;
        do
                n = write(fd, &rep, sizeof(rep));
        while (n < 0 && errno == EINTR);
}

__attribute__((noreturn)) static void fail(int fd, apply_step step, int detail, int r) {
        report(fd, (apply_report){.kind = REPORT_SETUP_FAILED, .step = step, .detail = detail, .err = -r});
        _exit(125);
}

/* No capability in any set that matters. The bounding set cannot be emptied
 * without CAP_SETPCAP (the runner never had it); with no_new_privs, exec
 * cannot raise anything from it. */
static int check_no_caps(void) {
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2] = {{0}};
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 || syscall(SYS_capset, &hdr, d) < 0 ||
            syscall(SYS_capget, &hdr, d) < 0)
                return -errno;
        uint32_t left = d[0].permitted | d[1].permitted | d[0].effective | d[1].effective | d[0].inheritable |
                        d[1].inheritable;
        return left ? -EPERM : 0;
}

void apply_nonamespace_exec(const plan *pl, char **envp, pid_t supervisor, int report_fd, int notify_fd) {
        /* Dies with the supervisor; the supervisor, a child subreaper, kills
         * the rest of the tree. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != supervisor)
                fail(report_fd, STEP_SYNC, 0, -ESRCH);
        if (chdir(pl->policy.cwd) < 0)
                fail(report_fd, STEP_CHDIR, 0, -errno);
        int r;
        if ((r = check_no_caps()) < 0)
                fail(report_fd, STEP_CAPS, 0, r);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                fail(report_fd, STEP_NO_NEW_PRIVS, 0, -errno);
        if (pl->confine) {
                int rule = -1;
                if ((r = landlock_apply(pl, &rule)) < 0)
                        fail(report_fd, STEP_LANDLOCK, rule, r);
                prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
                /* With reports: the reporting variant of the same filter,
                 * its listener sent to the supervisor (or, when it cannot be
                 * had, the plain one and the errno); after Landlock, so the
                 * kernel still enforces everything (apply/notify.h). */
                r = notify_fd >= 0 ? notify_install(notify_fd, true, pl->report_denials)
                                   : seccomp_install(seccomp_program(true, DENIALS_OFF));
                if (r < 0)
                        fail(report_fd, STEP_SECCOMP, 0, r);
        } else if (notify_fd >= 0) {
                close(notify_fd);
        }
        /* A fresh signal mask; only 0-2 and the report pipe (close-on-exec). */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if ((r = apply_move_fd(report_fd, 3)) < 0 || sys_close_range(4, ~0U, 0) < 0)
                fail(report_fd, STEP_FORK, 0, r < 0 ? r : -errno);
        report_fd = 3;
        /* execvp semantics: the first candidate that is not ENOENT decides. */
        int32_t first_err = ENOENT;
        for (size_t i = 0; i < pl->exec_candidates.n; i++) {
                execve(pl->exec_candidates.v[i], pl->argv.v, envp);
                int e = errno;
                if (e == EACCES && access(pl->exec_candidates.v[i], F_OK) < 0)
                        e = ENOENT;
                if (e != ENOENT && e != ENOTDIR && first_err == ENOENT)
                        first_err = e;
        }
        report(report_fd, (apply_report){.kind = REPORT_EXEC_FAILED, .err = first_err});
        _exit(127);
}
