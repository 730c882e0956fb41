/* SPDX-License-Identifier: MIT
 * pid 1 of the sandbox. In order: wait for the id maps, build the mount view,
 * bring up loopback, drop every capability, no_new_privs, Landlock, seccomp;
 * then fork the command and reap everything until it exits. When this process
 * exits, the kernel kills whatever is left in the pid namespace; when the
 * supervisor dies, PR_SET_PDEATHSIG kills this process. */
#include "apply/apply.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply/caps.h"
#include "apply/landlock.h"
#include "apply/limits.h"
#include "apply/mounts.h"
#include "apply/net.h"
#include "apply/notify.h"
#include "apply/seccomp.h"
#include "kernel/syscalls.h"
#include "common/timing.h"

static const int forwarded[] = {FORWARDED_SIGNALS};

int apply_move_fd(int fd, int target) {
        if (fd == target)
                return fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ? -errno : 0;
        return dup3(fd, target, O_CLOEXEC) < 0 ? -errno : 0;
}

static void report(const apply_ctx *ctx, apply_report rep) {
        ssize_t n;
        do
                n = write(ctx->report_fd, &rep, sizeof(rep));
        while (n < 0 && errno == EINTR);
}

__attribute__((noreturn)) static void fail(const apply_ctx *ctx, apply_step step, int detail, int r) {
        report(ctx, (apply_report){.kind = REPORT_SETUP_FAILED, .step = step, .detail = detail, .err = -r});
        _exit(125);
}

/* The command: a fresh signal state, the right directory, fds 0-2 only. */
__attribute__((noreturn)) static void exec_command(const apply_ctx *ctx, int exec_err_fd) {
        const plan *pl = ctx->pl;
        /* Dispositions are the caller's (nothing here installs handlers);
         * only the mask that feeds init's signalfd must go. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);

        /* Keep only 0-2 and the exec-error pipe, which closes on exec. */
        int err = -apply_move_fd(exec_err_fd, 3);
        if (!err && sys_close_range(4, ~0U, 0) < 0)
                err = errno;
        if (err) {
                (void)!write(exec_err_fd, &(int32_t){err}, sizeof(int32_t));
                _exit(125);
        }
        timing_mark(TP_EXEC);
        /* execvp semantics: the first candidate that is not ENOENT decides. */
        int32_t first_err = ENOENT;
        for (size_t i = 0; i < pl->exec_candidates.n; i++) {
                execve(pl->exec_candidates.v[i], pl->argv.v, ctx->envp);
                int e = errno;
                /* EACCES from a PATH directory this user cannot search
                 * means "not there", not "not executable". */
                if (e == EACCES && access(pl->exec_candidates.v[i], F_OK) < 0)
                        e = ENOENT;
                if (e != ENOENT && e != ENOTDIR && first_err == ENOENT)
                        first_err = e;
        }
        (void)!write(3, &first_err, sizeof(first_err));
        _exit(127);
}

/* The CPU time the kernel's RLIMIT_CPU check counts for the command, once it
 * has exited and before it is reaped (a zombie keeps its clocks): the
 * process's CPUCLOCK_PROF, which sums the scheduler ticks charged to it.
 * wait4's rusage is the precise run time instead, which under load was
 * measured at 0.80 s for a command the kernel killed at its 1 s limit: only
 * the clock the kernel used tells a RLIMIT_CPU kill from another SIGKILL.
 * -1 while it runs or when the clock cannot be read (then rusage it is). */
static int64_t child_prof_us(pid_t child) {
        siginfo_t si = {0};
        if (waitid(P_PID, (id_t)child, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != child)
                return -1;
        /* a process's PROF clock: ~pid << 3 | CPUCLOCK_PROF (0), per clock_getcpuclockid(3)'s encoding */
        struct timespec ts;
        if (clock_gettime((clockid_t)((~(unsigned)child) << 3), &ts) < 0)
                return -1;
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Runs the command and reaps every process until it exits. */
__attribute__((noreturn)) static void supervise_inside(const apply_ctx *ctx, int sigfd) {
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                fail(ctx, STEP_FORK, 0, -errno);
        /* vfork: the command's process shares init's memory until its
         * execve, where fork copied init's page tables and then took a
         * copy-on-write fault for each page init or the child wrote (the
         * largest single cost of starting the command, ~1 ms on a VM with
         * shadow paging). The child makes system calls only (exec_command)
         * and ends in execve or _exit; it inherits init's credentials,
         * no_new_privs, Landlock domain and seccomp filter exactly as a
         * forked one does, and has its own copy of the descriptor table. */
        // NOLINTNEXTLINE(clang-analyzer-security.insecureAPI.vfork): the child only makes system calls before execve or _exit
        pid_t child = vfork();
        if (child < 0)
                fail(ctx, STEP_FORK, 0, -errno);
        if (child == 0) {
                // NOLINTBEGIN(clang-analyzer-unix.Vfork): system calls only, then execve or _exit (above)
                close(pipefd[0]);
                close(sigfd);
                exec_command(ctx, pipefd[1]);
                // NOLINTEND(clang-analyzer-unix.Vfork)
        }
        close(pipefd[1]);
        int32_t exec_err = 0;
        ssize_t n;
        do
                n = read(pipefd[0], &exec_err, sizeof(exec_err));
        while (n < 0 && errno == EINTR);
        close(pipefd[0]);
        if (n == sizeof(exec_err)) {
                report(ctx, (apply_report){.kind = REPORT_EXEC_FAILED, .err = exec_err});
                _exit(127);
        }

        for (;;) {
                struct signalfd_siginfo si;
                if (read(sigfd, &si, sizeof(si)) != sizeof(si))
                        continue;
                if (si.ssi_signo != SIGCHLD) {
                        /* From the supervisor (SI_USER); the terminal's own
                         * signals already reached the command directly. */
                        if (si.ssi_code == SI_USER || si.ssi_code == SI_QUEUE)
                                kill(child, (int)si.ssi_signo);
                        continue;
                }
                int status;
                pid_t pid;
                struct rusage ru;
                int64_t prof = child_prof_us(child);
                while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0)
                        if (pid == child) {
                                int64_t cpu = prof >= 0 ? prof
                                                        : ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
                                                                  ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
                                report(ctx, (apply_report){.kind = REPORT_EXITED, .status = status, .cpu_us = cpu});
                                _exit(0); /* the kernel now kills the rest of the namespace */
                        }
        }
}

void apply_sandbox_init(const apply_ctx *ctx) {
        const plan *pl = ctx->pl;
        char go;

        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                fail(ctx, STEP_SYNC, 0, -errno);
        /* The supervisor writes our uid/gid maps, then one byte. EOF means
         * it died before that: nothing to do. */
        if (read(ctx->sync_fd, &go, 1) != 1)
                _exit(125);
        close(ctx->sync_fd);
        timing_mark(TP_INIT);

        size_t failed = 0;
        int r = mounts_apply(pl, ctx->slots, &failed);
        if (r < 0)
                fail(ctx, STEP_MOUNT, (int)failed, r);
        for (int i = 0; i < pl->n_slots; i++)
                if (ctx->slots[i] >= 0)
                        close(ctx->slots[i]);
        if ((pl->clone_flags & CLONE_NEWNET) && (r = net_loopback_up()) < 0)
                fail(ctx, STEP_LOOPBACK, 0, r);
        if (pl->proxy.on && (r = net_proxy_listen(pl->proxy.port, ctx->proxy_fd)) < 0)
                fail(ctx, STEP_PROXY, 0, r);
        timing_mark(TP_MOUNTS);

        /* Signals: init handles them through a signalfd (pid 1 ignores
         * signals without a handler). */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
                sigaddset(&mask, forwarded[i]);
        int sigfd;
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 || (sigfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0)
                fail(ctx, STEP_SIGNALS, 0, -errno);

        if (chdir(pl->policy.cwd) < 0)
                fail(ctx, STEP_CHDIR, 0, -errno);
        /* In the sandbox's own user namespace, so that RLIMIT_NPROC counts
         * this run's processes only. */
        if ((r = limits_apply(&pl->limits)) < 0)
                fail(ctx, STEP_LIMITS, 0, r);

        if (pl->confine) {
                if ((r = caps_drop_all()) < 0)
                        fail(ctx, STEP_CAPS, 0, r);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        fail(ctx, STEP_NO_NEW_PRIVS, 0, -errno);
                int rule = -1;
                if ((r = landlock_apply(pl, &rule)) < 0)
                        fail(ctx, STEP_LANDLOCK, rule, r);
                /* Not dumpable: the command cannot ptrace or read the memory
                 * of its init (it can still debug its own children). */
                prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
                timing_mark(TP_CONFINED);
                /* with reports, the reporting variant with a listener (or,
                 * when no listener can be had, the plain one) */
                if (ctx->notify_fd >= 0 && (r = notify_install(ctx->notify_fd, false, pl->report_denials)) < 0)
                        fail(ctx, STEP_SECCOMP, 1, r);
                if (ctx->notify_fd < 0 && (r = seccomp_install(seccomp_program(false, DENIALS_OFF))) < 0)
                        fail(ctx, STEP_SECCOMP, 0, r);
                timing_mark(TP_SECCOMP);
        }
        if (ctx->notify_fd >= 0 && !pl->confine)
                close(ctx->notify_fd);
        supervise_inside(ctx, sigfd);
}
