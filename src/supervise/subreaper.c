/* SPDX-License-Identifier: MIT */
#include "supervise/subreaper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

/* One run without namespaces: what each step of supervise_run_nonamespace
 * makes (the comment says which) and the later ones use. Every descriptor
 * is -1 until made; finish() undoes it all. */
typedef struct bare_run {
        const plan *pl;
        int control_fd;
        run_result *res;
        uint64_t start;   /* loop_now_ms: the timeout's start, the wall time's */
        bool private_tmp; /* prepare_tmp: this run's own tmp directory, removed after */
        bool blocked;     /* prepare_supervision: the signals blocked, old_mask kept */
        sigset_t mask, old_mask;
        int report[2];    /* prepare_supervision: the command's side reports on it */
        int notify_fd;    /* prepare_supervision: the command's end of the listener's socket */
        int sigfd;
        denials *dn;
        pid_t child;      /* start_command */
        int status;       /* watch, end_tree: the command's wait status */
        bool done;        /* the command was reaped */
} bare_run;

/* The tmp directory the plan names (the workspace's, or this run's own,
 * made afresh). */
static int prepare_tmp(bare_run *s, corral_error *err) {
        const plan *pl = s->pl;
        const plan_policy *p = &pl->policy;
        s->private_tmp = pl->tmp_dir && !(p->tmp == TMP_WORKSPACE && p->mode != MODE_READ_ONLY);
        if (!pl->tmp_dir)
                return 0;
        /* mkdir -p of the state directory, then the tmp directory */
        char *path = strdup(pl->tmp_dir);
        for (char *c = path ? path + 1 : NULL; c && *c; c++)
                if (*c == '/') {
                        *c = 0;
                        (void)mkdir(path, 0700);
                        *c = '/';
                }
        free(path);
        if (s->private_tmp)
                remove_tree(pl->tmp_dir); /* a stale one */
        if (mkdir(pl->tmp_dir, 0700) < 0 && (errno != EEXIST || s->private_tmp))
                return error_set(err, -errno, "cannot create the temporary directory %s: %s", pl->tmp_dir,
                                 strerror(errno));
        return 0;
}

/* Orphans of the command come to us, not to init. */
static int become_subreaper(corral_error *err) {
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                return error_set(err, -errno, "cannot become a child subreaper: %s", strerror(errno));
        /* The caller's death is noticed as end of file on control_fd, so
         * that the tree is killed before we exit: no death signal for us. */
        prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        return 0;
}

/* The signals blocked in a signalfd, the report pipe, the denial reports'
 * listener. */
static int prepare_supervision(bare_run *s, corral_error *err) {
        loop_forwarded(&s->mask);
        sigaddset(&s->mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &s->mask, &s->old_mask);
        s->blocked = true;
        s->dn = malloc(sizeof(*s->dn));
        if (s->dn)
                *s->dn = (denials){.sock = -1, .listener = -1};
        s->sigfd = signalfd(-1, &s->mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (!s->dn || s->sigfd < 0 || pipe2(s->report, O_CLOEXEC) < 0)
                return error_set(err, s->dn ? -errno : -ENOMEM, "cannot set up supervision: %s",
                                 strerror(s->dn ? errno : ENOMEM));
        denials_init(s->dn, s->pl, &s->notify_fd);
        return 0;
}

/* The command, in a child that applies what it can (apply/nonamespace.h). */
static int start_command(bare_run *s, corral_error *err) {
        fflush(NULL);
        pid_t self = getpid();
        s->child = fork();
        if (s->child < 0)
                return error_set(err, -errno, "cannot start the command: %s", strerror(errno));
        if (s->child == 0) {
                close(s->report[0]);
                close(s->sigfd);
                if (s->control_fd >= 0)
                        close(s->control_fd);
                if (denials_fd(s->dn) >= 0)
                        close(denials_fd(s->dn));
                apply_nonamespace_exec(s->pl, s->pl->env.v, self, s->report[1], s->notify_fd);
        }
        closep(&s->report[1]);
        closep(&s->notify_fd);
        return 0;
}

/* Until the command ends, times out, or the caller goes: signals passed on,
 * orphans reaped, the denial reports' listener, the control socket
 * (loop_watch, as the reaper). */
static void watch(bare_run *s) {
        const plan_policy *p = &s->pl->policy;
        loop_run l = {.pid = s->child,
                      .reaper = true,
                      .pidfd = -1,
                      .sigfd = s->sigfd,
                      .control_fd = s->control_fd,
                      .dn = s->dn,
                      .deadline = p->timeout_ms ? s->start + p->timeout_ms : 0};
        loop_watch(&l);
        s->res->timed_out = l.timed_out;
        s->control_fd = l.control_fd;
        s->status = l.status;
        s->done = l.done;
}

/* Nothing outlives the run. */
static void end_tree(bare_run *s) {
        subreaper_kill_descendants(s->child, &s->status, &s->done);
        s->res->wall_ms = loop_now_ms() - s->start;
        /* no task uses the filter now: the listener hangs up, its thread ends */
        denials_stop(s->dn);
}

/* How the run ended, from the command's side's last report (ending.c maps
 * it). */
static int how_it_ended(bare_run *s, corral_error *err) {
        const plan *pl = s->pl;
        run_result *res = s->res;
        apply_report rep = {0}, last = {0};
        int r = 0;
        fcntl(s->report[0], F_SETFL, O_NONBLOCK);
        while (read(s->report[0], &rep, sizeof(rep)) == sizeof(rep))
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
                ending_exited(s->status, res);
        if (s->dn->fatal && r == 0)
                r = error_set(err, -EAGAIN, "denial reports: %s; the sandbox was stopped", s->dn->unavailable);
        return r;
}

/* Undoes what the steps made, whichever got this far; r is the run's
 * outcome (the denial reports are kept only for a run that ended). */
static void finish(bare_run *s, int r) {
        const plan *pl = s->pl;
        denials *dn = s->dn;
        closep(&s->sigfd);
        if (s->blocked)
                sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
        if (dn && !denials_stop(dn)) {
                /* its thread is still in the listener: leave both alone */
                corral_warn("warning: the denial reports' thread did not end; no reports");
        } else if (dn && (r < 0 || !pl->report_denials)) {
                denials_done(dn);
                free(dn);
        } else if (dn) {
                closep(&dn->listener); /* the sandbox is gone: nothing waits on it */
                s->res->denials = dn;
        }
        if (s->private_tmp)
                remove_tree(pl->tmp_dir);
        closep(&s->notify_fd);
        closep(&s->report[0]);
        closep(&s->report[1]);
}

int supervise_run_nonamespace(const plan *pl, int control_fd, run_result *res, corral_error *err) {
        *res = (run_result){0};
        bare_run s = {.pl = pl,
                      .control_fd = control_fd,
                      .res = res,
                      .start = loop_now_ms(),
                      .report = {-1, -1},
                      .notify_fd = -1,
                      .sigfd = -1};
        int r;
        if ((r = prepare_tmp(&s, err)) < 0 || (r = become_subreaper(err)) < 0)
                return r;
        if ((r = prepare_supervision(&s, err)) >= 0 && (r = start_command(&s, err)) >= 0) {
                watch(&s);
                end_tree(&s);
                r = how_it_ended(&s, err);
        }
        finish(&s, r);
        return r;
}
