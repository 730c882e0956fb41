/* SPDX-License-Identifier: MIT */
#include "supervise/subreaper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply/apply.h"
#include "common/macro.h"
#include "common/warn.h"
#include "apply/nonamespace.h"
#include "kernel/syscalls.h"
#include "supervise/denials.h"
#include "supervise/ending.h"
#include "supervise/loop.h"

static const char *step_name(int step) {
        switch (step) {
        case STEP_SYNC: return "starting the command (the supervisor went away)";
        case STEP_CAPS: return "checking that no capability is left";
        case STEP_NO_NEW_PRIVS: return "setting no_new_privs";
        case STEP_LANDLOCK: return "applying Landlock";
        case STEP_SECCOMP: return "installing the seccomp filter";
        case STEP_CHDIR: return "changing to the working directory";
        default: return "starting the command";
        }
}

/* ppid and start time (clock ticks since boot) of pid, from /proc/pid/stat. */
static int proc_stat(pid_t pid, pid_t *ppid, unsigned long long *start) {
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        ssize_t n;
        {
                _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                n = read(fd, buf, sizeof(buf) - 1);
        }
        if (n <= 0)
                return -EIO;
        buf[n] = 0;
        char *p = strrchr(buf, ')'); /* the command name may hold anything but ends at the last ')' */
        if (!p)
                return -EIO;
        /* ") S ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
         *  cmajflt utime stime cutime cstime priority nice num_threads
         *  itrealvalue starttime" */
        int field = 2;
        char *save = NULL;
        for (char *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
                field++;
                if (field == 4)
                        *ppid = (pid_t)strtol(tok, NULL, 10);
                else if (field == 22) {
                        *start = strtoull(tok, NULL, 10);
                        return 0;
                }
        }
        return -EIO;
}

typedef struct proc_entry {
        pid_t pid, ppid;
        unsigned long long start;
        bool mine;
} proc_entry;

/* One pass: signals every current descendant; returns how many. */
static int kill_pass(void) {
        pid_t self = getpid();
        uid_t uid = getuid();
        _cleanup_closedir_ DIR *d = opendir("/proc");
        if (!d)
                return -errno;
        _cleanup_free_ proc_entry *v = NULL;
        size_t n = 0, cap = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                char *end;
                long pid = strtol(e->d_name, &end, 10);
                struct stat st;
                if (*end || pid <= 0 || fstatat(dirfd(d), e->d_name, &st, 0) < 0 || st.st_uid != uid)
                        continue; /* a descendant has our uid: no_new_privs, no capabilities */
                if (n == cap) {
                        proc_entry *nv = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v));
                        if (!nv)
                                break;
                        v = nv;
                }
                proc_entry pe = {.pid = (pid_t)pid};
                if (proc_stat(pe.pid, &pe.ppid, &pe.start) == 0)
                        v[n++] = pe;
        }
        closedirp(&d);
        /* Descendants: the closure of "parent is self or a descendant". */
        for (bool grew = true; grew;) {
                grew = false;
                for (size_t i = 0; i < n; i++) {
                        if (v[i].mine || v[i].pid == self)
                                continue;
                        bool parent_mine = v[i].ppid == self;
                        for (size_t j = 0; j < n && !parent_mine; j++)
                                parent_mine = v[j].mine && v[j].pid == v[i].ppid;
                        if (parent_mine)
                                v[i].mine = grew = true;
                }
        }
        int killed = 0;
        for (size_t i = 0; i < n; i++) {
                if (!v[i].mine)
                        continue;
                /* Through a pidfd, after checking that the pid still names
                 * the same process (same start time): never a reused pid. */
                _cleanup_close_ int fd = sys_pidfd_open(v[i].pid, 0);
                pid_t ppid;
                unsigned long long start;
                if (fd >= 0 && proc_stat(v[i].pid, &ppid, &start) == 0 && start == v[i].start &&
                    syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0)
                        killed++;
        }
        return killed;
}

void subreaper_kill_descendants(pid_t main_child, int *main_status, bool *main_done) {
        for (unsigned round = 0;; round++) {
                int killed = kill_pass();
                int status;
                pid_t pid;
                while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                        if (pid == main_child && !*main_done) {
                                *main_status = status;
                                *main_done = true;
                        }
                if (pid < 0 && errno == ECHILD && killed == 0)
                        return; /* no child, hence no descendant: orphans come to us */
                /* Killed processes take a moment to exit; one that forked
                 * before dying left an orphan that the next pass finds. */
                usleep(round < 10 ? 1000 : 10000);
        }
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st, (void)ftw;
        if (type == FTW_DP)
                rmdir(path);
        else
                unlink(path);
        return 0;
}

/* The command may have left directories it cannot list or write (chmod 0):
 * they are the sandbox user's own, so open them first (pre-order). */
static int open_dir(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st, (void)ftw;
        if (type == FTW_D || type == FTW_DNR)
                (void)chmod(path, 0700);
        return 0;
}

static void remove_tree(const char *path) {
        nftw(path, open_dir, 16, FTW_PHYS | FTW_MOUNT);
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int supervise_run_nonamespace(const plan *pl, int control_fd, run_result *res, corral_error *err) {
        *res = (run_result){0};
        uint64_t start = loop_now_ms();
        const plan_policy *p = &pl->policy;
        bool private_tmp = pl->tmp_dir && !(p->tmp == TMP_WORKSPACE && p->mode != MODE_READ_ONLY);
        if (pl->tmp_dir) {
                /* mkdir -p of the state directory, then the tmp directory */
                char *path = strdup(pl->tmp_dir);
                for (char *s = path ? path + 1 : NULL; s && *s; s++)
                        if (*s == '/') {
                                *s = 0;
                                (void)mkdir(path, 0700);
                                *s = '/';
                        }
                free(path);
                if (private_tmp)
                        remove_tree(pl->tmp_dir); /* a stale one */
                if (mkdir(pl->tmp_dir, 0700) < 0 && (errno != EEXIST || private_tmp))
                        return error_set(err, -errno, "cannot create the temporary directory %s: %s", pl->tmp_dir,
                                         strerror(errno));
        }
        /* Orphans of the command come to us, not to init. */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                return error_set(err, -errno, "cannot become a child subreaper: %s", strerror(errno));
        /* The caller's death is noticed as end of file on control_fd, so
         * that the tree is killed before we exit: no death signal for us. */
        prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);

        sigset_t mask, old_mask;
        loop_forwarded(&mask);
        sigaddset(&mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &mask, &old_mask);
        int r = 0;
        _cleanup_close_pair_ int report[2] = {-1, -1};
        _cleanup_close_ int notify_fd = -1; /* the command's end of the listener's socket */
        denials *dn = malloc(sizeof(*dn));
        if (dn)
                *dn = (denials){.sock = -1, .listener = -1};
        _cleanup_close_ int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (!dn || sigfd < 0 || pipe2(report, O_CLOEXEC) < 0) {
                r = error_set(err, dn ? -errno : -ENOMEM, "cannot set up supervision: %s",
                              strerror(dn ? errno : ENOMEM));
                goto out;
        }
        denials_init(dn, pl, &notify_fd);
        fflush(NULL);
        pid_t self = getpid(), child = fork();
        if (child < 0) {
                r = error_set(err, -errno, "cannot start the command: %s", strerror(errno));
                goto out;
        }
        if (child == 0) {
                close(report[0]);
                close(sigfd);
                if (control_fd >= 0)
                        close(control_fd);
                if (denials_fd(dn) >= 0)
                        close(denials_fd(dn));
                apply_nonamespace_exec(pl, pl->env.v, self, report[1], notify_fd);
        }
        closep(&report[1]);
        closep(&notify_fd);

        int status = 0;
        bool done = false;
        uint64_t deadline = p->timeout_ms ? start + p->timeout_ms : 0;
        while (!done) {
                struct pollfd fds[3] = {{.fd = sigfd, .events = POLLIN},
                                        {.fd = denials_fd(dn), .events = POLLIN},
                                        {.fd = control_fd, .events = POLLIN}};
                int n = poll(fds, 3, loop_timeout(deadline)); /* negative fds are skipped */
                if (n < 0 && errno != EINTR)
                        break;
                if (n == 0 && deadline) {
                        res->timed_out = true;
                        break;
                }
                if (fds[0].revents & POLLIN) {
                        loop_forward_signals(sigfd, child);
                        pid_t pid;
                        int st;
                        while ((pid = waitpid(-1, &st, WNOHANG)) > 0) /* orphans, and the command */
                                if (pid == child) {
                                        status = st;
                                        done = true;
                                }
                }
                if (fds[1].revents) {
                        /* the listener, or why there is none; it never blocks */
                        denials_handle(dn);
                        if (dn->fatal)
                                break; /* nobody would answer the calls it hands over */
                }
                if (control_fd >= 0 && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) &&
                    loop_control(control_fd, child) < 0)
                        break; /* the caller is gone: so is the sandbox */
        }
        /* Nothing outlives the run. */
        subreaper_kill_descendants(child, &status, &done);
        res->wall_ms = loop_now_ms() - start;
        /* no task uses the filter now: the listener hangs up, its thread ends */
        denials_stop(dn);

        apply_report rep = {0}, last = {0};
        fcntl(report[0], F_SETFL, O_NONBLOCK);
        while (read(report[0], &rep, sizeof(rep)) == sizeof(rep))
                last = rep;
        if (res->timed_out) {
                ending_timed_out(res);
        } else if (last.kind == REPORT_SETUP_FAILED) {
                r = error_set(err, -(last.err ? last.err : EIO), "%s%s%s: %s", step_name(last.step),
                              last.step == STEP_LANDLOCK && last.detail >= 0 && (size_t)last.detail < pl->n_rules
                                      ? ", Landlock rule for "
                                      : "",
                              last.step == STEP_LANDLOCK && last.detail >= 0 && (size_t)last.detail < pl->n_rules
                                      ? pl->rules[last.detail].path
                                      : "",
                              last.err == ESTALE && last.step == STEP_LANDLOCK
                                      ? "it is no longer the object corral planned (another process moved or "
                                        "replaced it since the plan was made); nothing was run"
                                      : strerror(last.err ? last.err : EIO));
        } else if (last.kind == REPORT_EXEC_FAILED) {
                ending_exec_failed(pl, last.err, res, err);
        } else
                ending_exited(status, res);
        if (dn->fatal && r == 0)
                r = error_set(err, -EAGAIN, "denial reports: %s; the sandbox was stopped", dn->unavailable);
out:
        closep(&sigfd);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        if (dn && !denials_stop(dn)) {
                /* its thread is still in the listener: leave both alone */
                corral_warn("warning: the denial reports' thread did not end; no reports");
        } else if (dn && (r < 0 || !pl->report_denials)) {
                denials_done(dn);
                free(dn);
        } else if (dn) {
                closep(&dn->listener); /* the sandbox is gone: nothing waits on it */
                res->denials = dn;
        }
        if (private_tmp)
                remove_tree(pl->tmp_dir);
        return r;
}
