/* SPDX-License-Identifier: MIT */
#include "supervise/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply/apply.h"
#include "apply/cgroup.h"
#include "apply/caches.h"
#include "apply/host.h"
#include "apply/overlay.h"
#include "kernel/syscalls.h"
#include "common/macro.h"
#include "common/warn.h"
#include "common/timing.h"
#include "supervise/denials.h"
#include "supervise/ending.h"
#include "supervise/gitcheck.h"
#include "supervise/loop.h"
#include "supervise/nestedcheck.h"
#include "apply/handoff.h"
#include "supervise/relay.h"

/* clone3's arguments (linux/sched.h clashes with glibc's sched.h). The
 * kernel reads them: cppcheck sees members that are never used. */
struct clone3_args {
        // cppcheck-suppress unusedStructMember
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define CLONE_INTO_CGROUP_FLAG 0x200000000ULL

/* Which resource limit ended the command, as far as corral can know. */
static void attribute_limit(const plan *pl, const char *cgroup, const apply_report *last, run_result *res) {
        const plan_limits *l = &pl->limits;
        if (res->timed_out || res->exit_code == 0)
                return;
        /* a process of the tree was OOM-killed, and the command failed */
        if (cgroup && l->cgroup_memory_max && cgroup_oom_kills(cgroup) > 0) {
                res->limit = 1 + LIMIT_MEMORY;
                res->limit_certain = true;
                return;
        }
        if (last->kind != REPORT_EXITED || !WIFSIGNALED(last->status))
                return;
        int sig = WTERMSIG(last->status);
        /* The kernel sends SIGKILL at the hard limit (= soft here).
         * cpu_us is the command's time by the clock that limit counts
         * (apply.c, child_prof_us), which reaches the limit exactly; the
         * 100 ms of slack are for the rusage used where that clock could
         * not be read (measured: up to 5 ms short on an idle machine). */
        if (l->rlimit_cpu && (sig == SIGKILL || sig == SIGXCPU) &&
            last->cpu_us + 100000 >= (int64_t)l->rlimit_cpu * 1000000) {
                res->limit = 1 + LIMIT_CPU;
                res->limit_certain = true;
        } else if (l->rlimit_data && (sig == SIGSEGV || sig == SIGABRT || sig == SIGBUS || sig == SIGKILL)) {
                res->limit = 1 + LIMIT_MEMORY;
                res->limit_certain = false;
        }
}

static int write_file(const char *path, const char *text) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, text, strlen(text));
        return n == (ssize_t)strlen(text) ? 0 : n < 0 ? -errno : -EIO;
}

/* The caller's own uid and gid, and nothing else, exist inside. */
static int write_id_maps(pid_t pid, corral_error *err) {
        char path[64], map[64];
        int r;
        snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
        if ((r = write_file(path, "deny")) < 0 && r != -ENOENT)
                return error_set(err, r, "cannot write %s: %s", path, strerror(-r));
        snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
        snprintf(map, sizeof(map), "%u %u 1\n", getuid(), getuid());
        if ((r = write_file(path, map)) < 0)
                return error_set(err, r, "cannot write the user namespace's uid map %s: %s", path, strerror(-r));
        snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
        snprintf(map, sizeof(map), "%u %u 1\n", getgid(), getgid());
        if ((r = write_file(path, map)) < 0)
                return error_set(err, r, "cannot write the user namespace's gid map %s: %s", path, strerror(-r));
        return 0;
}

static const char *step_name(int step) {
        switch (step) {
        case STEP_SYNC: return "starting the sandbox";
        case STEP_MOUNT: return "building the filesystem view";
        case STEP_LOOPBACK: return "bringing up loopback in the network namespace";
        case STEP_SIGNALS: return "setting up signal handling";
        case STEP_CAPS: return "dropping capabilities";
        case STEP_NO_NEW_PRIVS: return "setting no_new_privs";
        case STEP_LANDLOCK: return "applying Landlock";
        case STEP_SECCOMP: return "installing the seccomp filter";
        case STEP_FORK: return "starting the command";
        case STEP_CHDIR: return "changing to the working directory";
        case STEP_LIMITS: return "setting the resource limits";
        case STEP_PROXY: return "creating the network proxy's listening sockets";
        }
        return "setting up";
}

static const char *op_name(mount_op_kind k) {
        static const char *const names[] = {
                [MOP_MAKE_PRIVATE] = "make mounts private", [MOP_CLONE] = "clone",
                [MOP_READONLY_ALL] = "make read-only",      [MOP_TMPFS] = "create tmpfs",
                [MOP_MKDIR] = "mkdir",                      [MOP_MKFILE] = "create file",
                [MOP_SYMLINK] = "symlink",                  [MOP_ATTACH] = "mount on",
                [MOP_SETATTR] = "set attributes",           [MOP_PROC] = "mount proc on",
                [MOP_DEVPTS] = "mount devpts on",           [MOP_OVERLAY] = "create overlay over",
                [MOP_REOPEN] = "reopen through",
        };
        return (size_t)k < sizeof(names) / sizeof(names[0]) && names[k] ? names[k] : "mount operation";
}

static int setup_failed(const plan *pl, const apply_report *rep, corral_error *err) {
        int r = -(rep->err ? rep->err : EIO);
        if (rep->step == STEP_MOUNT && rep->detail >= 0 && (size_t)rep->detail < pl->n_ops) {
                const mount_op *op = &pl->ops[rep->detail];
                if (r == -ESTALE && op->verify)
                        return error_set(err, r,
                                         "%s: %s is no longer the object corral planned to %s (device %llu, inode "
                                         "%llu): another process moved or replaced it, or a directory above it, "
                                         "since the plan was made; nothing was run%s%s%s",
                                         step_name(rep->step), op->path,
                                         op->kind == MOP_CLONE ? "protect" : "mount onto",
                                         (unsigned long long)op->dev, (unsigned long long)op->ino,
                                         op->why ? " (for " : "", op->why ? op->why : "", op->why ? ")" : "");
                if (r == -EBUSY && op->kind == MOP_OVERLAY)
                        return error_set(err, r,
                                         "%s: %s %s: the private cache %s is in use: `corral cache clear` is "
                                         "clearing it, or %d runs of this workspace hold its work directories; "
                                         "nothing was run, try again when they have ended%s%s%s",
                                         step_name(rep->step), op_name(op->kind), op->path ? op->path : "an empty layer",
                                         op->cache_dir, OVERLAY_WORK_DIRS, op->why ? " (for " : "",
                                         op->why ? op->why : "", op->why ? ")" : "");
                return error_set(err, r, "%s: %s %s%s%s: %s%s%s%s", step_name(rep->step), op_name(op->kind),
                                 op->path ? op->path : "", op->sub ? " " : "", op->sub ? op->sub : "",
                                 strerror(-r), op->why ? " (for " : "", op->why ? op->why : "", op->why ? ")" : "");
        }
        if (rep->step == STEP_MOUNT)
                return error_set(err, r, "%s: %s", step_name(rep->step), strerror(-r));
        if (rep->step == STEP_LANDLOCK && rep->detail >= 0 && (size_t)rep->detail < pl->n_rules)
                return error_set(err, r, "applying Landlock: rule for %s: %s", pl->rules[rep->detail].path,
                                 r == -ESTALE ? "it is no longer the object corral planned (another process moved or "
                                                "replaced it since the plan was made); nothing was run"
                                              : strerror(-r));
        if (rep->step == STEP_CHDIR)
                return error_set(err, r, "cannot change to the working directory %s inside the sandbox: %s",
                                 pl->policy.cwd, strerror(-r));
        return error_set(err, r, "%s: %s", step_name(rep->step), strerror(-r));
}

/* Runs in the new namespaces; never returns. */
__attribute__((noreturn)) static void child(apply_ctx *ctx, int sync_w, int report_r, int sigfd, int proxy_w) {
        close(sync_w);
        close(report_r);
        close(sigfd);
        if (proxy_w >= 0)
                close(proxy_w);
        /* Only the two pipes cross into the sandbox's init, as fds 3 and 4
         * (moved out of the way first, so neither overwrites the other),
         * and with denial reports the socket for the listener, and for
         * network = proxy the socket for the proxy's listeners (init closes it
         * once they are sent), as fds 5 and up. */
        int sync_fd = fcntl(ctx->sync_fd, F_DUPFD_CLOEXEC, 10);
        int report_fd = fcntl(ctx->report_fd, F_DUPFD_CLOEXEC, 10);
        int notify_fd = ctx->notify_fd >= 0 ? fcntl(ctx->notify_fd, F_DUPFD_CLOEXEC, 10) : -1;
        int chan_fd = ctx->proxy_fd >= 0 ? fcntl(ctx->proxy_fd, F_DUPFD_CLOEXEC, 10) : -1;
        if (sync_fd < 0 || report_fd < 0 || (ctx->notify_fd >= 0 && notify_fd < 0) ||
            (ctx->proxy_fd >= 0 && chan_fd < 0) || apply_move_fd(sync_fd, 3) < 0 || apply_move_fd(report_fd, 4) < 0)
                _exit(125);
        int next = 5;
        if (notify_fd >= 0 && apply_move_fd(notify_fd, next++) < 0)
                _exit(125);
        if (chan_fd >= 0 && apply_move_fd(chan_fd, next++) < 0)
                _exit(125);
        if (sys_close_range((unsigned)next, ~0U, 0) < 0)
                _exit(125);
        ctx->sync_fd = 3;
        ctx->report_fd = 4;
        next = 5;
        if (ctx->notify_fd >= 0)
                ctx->notify_fd = next++;
        if (ctx->proxy_fd >= 0)
                ctx->proxy_fd = next; /* the last one */
        apply_sandbox_init(ctx);
}

/* What the proxy refused, copied into the result. */
static void collect_refusals(const proxy *px, run_result *res) {
        size_t n = 0;
        const proxy_refusal *r = proxy_refusals(px, &n);
        if (n == 0 || !(res->refusals = malloc(n * sizeof(*r))))
                return;
        memcpy(res->refusals, r, n * sizeof(*r));
        res->n_refusals = n;
}

int supervise_run(const plan *pl, bool verbose, run_result *res, corral_error *err) {
        return supervise_run_control(pl, verbose, -1, res, err);
}

/* One run's supervision, from host_prepare to host_finish: what each step
 * of supervise_run_control makes (the comment says which) and the later
 * ones use. Every descriptor is -1 until made; finish() undoes it all. */
typedef struct supervision {
        const plan *pl;
        bool verbose;
        int control_fd; /* -1 once the caller is gone */
        run_result *res;
        uint64_t start;     /* loop_now_ms: the timeout's start, the wall time's */
        int64_t started_ns; /* prepare_host: from here on what the command makes is its own */
        denials *dn;
        host_state host;    /* prepare_host */
        gitcheck gc;        /* prepare_host */
        apply_ctx ctx;      /* prepare_clone: what the sandbox's init is given */
        int sync_pipe[2], report_pipe[2], proxy_pair[2];
        int sigfd, pidfd, cg_fd;
        char *cg_path;
        bool blocked; /* the forwarded signals blocked, old_mask kept */
        sigset_t mask, old_mask;
        fd_relay relay;
        bool relaying;
        pid_t pid;      /* clone_sandbox */
        proxy *px;      /* start_proxy */
        int status;     /* reap: the init's wait status */
} supervision;

/* Kills the sandbox that a later step could not start. */
static void stop_sandbox(const supervision *s) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
}

/* The host's side first: the per-workspace state and placeholders, the
 * caches, git's check. */
static int prepare_host(supervision *s, corral_error *err) {
        const plan *pl = s->pl;
        int r = host_prepare(pl, &s->host, err);
        if (r < 0)
                return r;
        /* what the command makes from here on is its own (not corral's
         * placeholders): nestedcheck_after_run looks for repositories made since */
        struct timespec started;
        clock_gettime(CLOCK_REALTIME, &started);
        s->started_ns = (int64_t)started.tv_sec * 1000000000 + started.tv_nsec;
        if ((r = caches_prepare(pl, err)) < 0) {
                host_finish(pl, &s->host);
                return r;
        }
        if ((r = gitcheck_begin(pl, &s->gc, err)) < 0) {
                host_finish(pl, &s->host);
                return r;
        }
        timing_mark(TP_HOST);
        return 0;
}

/* What the clone needs: the init's mount slots, its pipes, the proxy's
 * socket pair, the run's cgroup, the signals blocked in a signalfd, the
 * relay of the standard descriptors. */
static int prepare_clone(supervision *s, corral_error *err) {
        const plan *pl = s->pl;
        int r;
        s->ctx = (apply_ctx){.pl = pl, .envp = pl->env.v, .notify_fd = -1, .proxy_fd = -1};
        denials_init(s->dn, pl, &s->ctx.notify_fd);
        loop_forwarded(&s->mask);
        sigaddset(&s->mask, SIGCHLD);

        s->ctx.slots = malloc(((size_t)pl->n_slots + 1) * sizeof(int));
        if (!s->ctx.slots)
                return oom(err);
        for (int i = 0; i < pl->n_slots; i++)
                s->ctx.slots[i] = -1;
        if (pipe2(s->sync_pipe, O_CLOEXEC) < 0 || pipe2(s->report_pipe, O_CLOEXEC) < 0)
                return error_set(err, -errno, "cannot create pipes: %s", strerror(errno));
        if (pl->proxy.on && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s->proxy_pair) < 0)
                return error_set(err, -errno, "network proxy: cannot create a socket pair: %s", strerror(errno));
        s->ctx.proxy_fd = s->proxy_pair[1];
        if (pl->limits.cgroup_parent &&
            (r = s->cg_fd = cgroup_create(pl->limits.cgroup_parent, pl->limits.cgroup_memory_max,
                                          pl->limits.cgroup_pids_max, &s->cg_path, err)) < 0)
                return r;
        /* Signals wait in a signalfd from here on; the child inherits the
         * mask, so nothing arrives before its init can handle it. */
        sigprocmask(SIG_BLOCK, &s->mask, &s->old_mask);
        s->blocked = true;
        if ((s->sigfd = signalfd(-1, &s->mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
                return error_set(err, -errno, "cannot create a signalfd: %s", strerror(errno));
        s->ctx.sync_fd = s->sync_pipe[0];
        s->ctx.report_fd = s->report_pipe[1];
        if (s->verbose)
                fprintf(stderr, "corral: creating namespaces (flags 0x%lx)\n", pl->clone_flags);
        fflush(NULL);
        if ((r = relay_prepare(&s->relay, pl->relay_fds)) < 0)
                return error_set(err, r, "cannot relay the standard descriptors through pipes: %s", strerror(-r));
        s->relaying = true;
        return 0;
}

/* The sandbox's init, in its new namespaces (and cgroup); it waits on the
 * sync pipe for its id maps. */
static int clone_sandbox(supervision *s, corral_error *err) {
        const plan *pl = s->pl;
        if (s->cg_fd >= 0) {
                /* Born in the run's cgroup, which is then also the root of
                 * its cgroup namespace. */
                struct clone3_args ca = {.flags = pl->clone_flags | CLONE_INTO_CGROUP_FLAG,
                                         .exit_signal = SIGCHLD,
                                         .cgroup = (uint64_t)s->cg_fd};
                s->pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
        } else
                s->pid = (pid_t)syscall(SYS_clone, pl->clone_flags | SIGCHLD, NULL, NULL, NULL, NULL);
        if (s->pid != 0)
                relay_parent(&s->relay); /* corral's own fds 0-2 again (its diagnostics) */
        if (s->pid < 0) {
                int r = -errno;
                return error_set(err, r,
                                 "cannot create the sandbox's namespaces: %s%s", strerror(-r),
                                 r == -EPERM || r == -ENOSPC
                                         ? " (unprivileged user namespaces are blocked here: see `corral doctor`)"
                                         : "");
        }
        if (s->pid == 0) {
                relay_child(&s->relay);
                child(&s->ctx, s->sync_pipe[1], s->report_pipe[0], s->sigfd, s->proxy_pair[0]);
        }
        closep(&s->proxy_pair[1]);
        timing_mark(TP_CLONE);
        return 0;
}

/* write() without the SIGPIPE of a reader that is gone: EPIPE instead. */
static ssize_t write_nosigpipe(int fd, const void *buf, size_t n) {
        sigset_t pipe_set, old;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        sigprocmask(SIG_BLOCK, &pipe_set, &old);
        ssize_t w = write(fd, buf, n);
        int e = errno;
        if (w < 0 && e == EPIPE && !sigismember(&old, SIGPIPE))
                while (sigtimedwait(&pipe_set, NULL, &(struct timespec){0}) == SIGPIPE) {
                }
        sigprocmask(SIG_SETMASK, &old, NULL);
        errno = e;
        return w;
}

/* The init's id maps, then its go. An init that already ended (it could
 * not set itself up: out of descriptors at a low ulimit -n) has closed
 * the pipe: the run fails (125), corral is not killed by SIGPIPE. */
static int release_init(supervision *s, corral_error *err) {
        closep(&s->sync_pipe[0]);
        closep(&s->report_pipe[1]);
        closep(&s->ctx.notify_fd);
        s->pidfd = sys_pidfd_open(s->pid, 0);
        int r;
        if ((r = write_id_maps(s->pid, err)) < 0 || s->pidfd < 0 ||
            write_nosigpipe(s->sync_pipe[1], "g", 1) != 1) {
                if (r >= 0 && errno == EPIPE)
                        r = error_set(err, -EPIPE, "cannot start the sandbox: its init ended while it was being set up");
                else if (r >= 0)
                        r = error_set(err, -errno, "cannot start the sandbox: %s", strerror(errno));
                stop_sandbox(s);
                return r;
        }
        closep(&s->sync_pipe[1]);
        timing_mark(TP_MAPS);
        return 0;
}

/* network = proxy: the listeners the init made, served here or handed to
 * the caller. */
static int start_proxy(supervision *s, corral_error *err) {
        const plan *pl = s->pl;
        if (!pl->proxy.on)
                return 0;
        /* Fail closed: without its proxy the sandbox has no route
         * out, and a proxy that cannot start stops the run. */
        int lfds[PROXY_MAX_LISTENERS];
        size_t nl = proxy_fds_recv(s->proxy_pair[0], lfds, PROXY_MAX_LISTENERS, NULL);
        net_rules rules = plan_net_rules(pl);
        int r;
        closep(&s->proxy_pair[0]);
        if (nl > 0 && pl->backend == BACKEND_USERS) {
                /* corral-runner, a sandbox user: the proxy runs in
                 * the developer's corral, which sent the request on
                 * control_fd (users/client.c). Nothing here keeps
                 * a listener. */
                r = s->control_fd >= 0 ? proxy_fds_send(s->control_fd, lfds, nl) : -EBADF;
                for (size_t i = 0; i < nl; i++)
                        closep(&lfds[i]);
                if (r < 0) {
                        error_set(err, r, "network proxy: cannot hand the listening sockets to corral: %s",
                                  strerror(-r));
                        stop_sandbox(s);
                        return r;
                }
        } else if (nl > 0 && (r = proxy_new(&rules, lfds, nl, &s->px, err)) < 0) {
                stop_sandbox(s);
                return r;
        }
        if (s->verbose && s->px)
                fprintf(stderr, "corral: network proxy on 127.0.0.1:%u and [::1]:%u in the sandbox\n",
                        pl->proxy.port, pl->proxy.port);
        return 0;
}

/* Until the init ends: signals passed on, the timeout, the caller's
 * control socket, the denial reports' listener, the proxy, the relay
 * (loop_watch). */
static void watch(supervision *s) {
        const plan *pl = s->pl;
        loop_run l = {.pid = s->pid,
                      .pidfd = s->pidfd,
                      .sigfd = s->sigfd,
                      .control_fd = s->control_fd,
                      .dn = s->dn,
                      .px = s->px,
                      .relay = &s->relay,
                      .deadline = pl->policy.timeout_ms ? s->start + pl->policy.timeout_ms : 0};
        loop_watch(&l);
        s->res->timed_out = l.timed_out;
        s->control_fd = l.control_fd;
}

/* The init's status, the command's last output, the proxy's refusals. */
static void reap(supervision *s) {
        while (waitpid(s->pid, &s->status, 0) < 0 && errno == EINTR)
                ;
        relay_finish(&s->relay); /* what the command wrote last reaches the caller's file before corral exits */
        timing_mark(TP_EXITED);
        if (s->px) {
                proxy_run(s->px); /* what arrived as the sandbox ended is still counted */
                collect_refusals(s->px, s->res);
        }
        s->res->wall_ms = loop_now_ms() - s->start;
        denials_stop(s->dn); /* no task uses the filter now: its thread ends */
}

/* How the run ended, from the init's last report (ending.c maps it). */
static int how_it_ended(supervision *s, corral_error *err) {
        const plan *pl = s->pl;
        run_result *res = s->res;
        apply_report rep = {0}, last = {0};
        fcntl(s->report_pipe[0], F_SETFL, O_NONBLOCK);
        while (read(s->report_pipe[0], &rep, sizeof(rep)) == sizeof(rep))
                last = rep;
        int r = 0;
        if (res->timed_out) {
                ending_timed_out(res);
        } else if (last.kind == REPORT_SETUP_FAILED) {
                r = setup_failed(pl, &last, err);
        } else if (last.kind == REPORT_EXEC_FAILED) {
                ending_exec_failed(pl, last.err, res, err);
        } else if (last.kind == REPORT_EXITED) {
                ending_exited(last.status, res);
                attribute_limit(pl, s->cg_path, &last, res);
        } else if (s->cg_path && pl->limits.cgroup_memory_max && cgroup_oom_kills(s->cg_path) > 0) {
                /* the OOM killer took the sandbox's init, and the command with it */
                ending_killed(SIGKILL, res);
                res->limit = 1 + LIMIT_MEMORY;
                res->limit_certain = true;
        } else
                r = error_set(err, -EIO, "the sandbox ended before the command did (init %s %d)",
                              WIFSIGNALED(s->status) ? "killed by signal" : "exited with",
                              WIFSIGNALED(s->status) ? WTERMSIG(s->status) : WEXITSTATUS(s->status));
        if (s->dn->fatal && r == 0)
                r = error_set(err, -EAGAIN, "denial reports: %s; the sandbox was stopped", s->dn->unavailable);
        return r;
}

/* Undoes what the steps made, whichever got this far; r is the run's
 * outcome (the denial reports are kept only for a run that ended). */
static void finish(supervision *s, int r) {
        const plan *pl = s->pl;
        denials *dn = s->dn;
        if (s->relaying)
                relay_finish(&s->relay);
        proxy_free(s->px);
        closep(&s->sigfd);
        if (s->blocked)
                sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
        closep(&s->cg_fd);
        cgroup_destroy(s->cg_path);
        free(s->cg_path);
        free(s->ctx.slots);
        closep(&s->ctx.notify_fd);
        if (!denials_stop(dn)) {
                /* its thread is still in the listener: leave both alone */
                corral_warn("warning: the denial reports' thread did not end; no reports");
        } else if (r < 0 || !dn->pl->report_denials) {
                denials_done(dn);
                free(dn);
        } else {
                closep(&dn->listener); /* the sandbox is gone: nothing waits on it */
                s->res->denials = dn;
        }
        gitcheck_done(pl, &s->gc);
        host_finish(pl, &s->host);
        timing_mark(TP_DONE);
        closep(&s->pidfd);
        for (int i = 0; i < 2; i++) {
                closep(&s->sync_pipe[i]);
                closep(&s->report_pipe[i]);
                closep(&s->proxy_pair[i]);
        }
}

int supervise_run_control(const plan *pl, bool verbose, int control_fd, run_result *res, corral_error *err) {
        *res = (run_result){0};
        supervision s = {.pl = pl,
                         .verbose = verbose,
                         .control_fd = control_fd,
                         .res = res,
                         .start = loop_now_ms(),
                         .sync_pipe = {-1, -1},
                         .report_pipe = {-1, -1},
                         .proxy_pair = {-1, -1},
                         .sigfd = -1,
                         .pidfd = -1,
                         .cg_fd = -1,
                         .pid = -1};
        if (pl->proc_shared) /* never less than a sandbox's own /proc without saying so */
                corral_warn("warning: %s", pl->proc_shared);
        if (!(s.dn = calloc(1, sizeof(*s.dn))))
                return oom(err);
        int r = prepare_host(&s, err);
        if (r < 0) {
                free(s.dn);
                return r;
        }
        if ((r = prepare_clone(&s, err)) >= 0 && (r = clone_sandbox(&s, err)) >= 0 &&
            (r = release_init(&s, err)) >= 0 && (r = start_proxy(&s, err)) >= 0) {
                watch(&s);
                reap(&s);
                r = how_it_ended(&s, err);
                nestedcheck_after_run(pl, s.started_ns);
                gitcheck_after_run(pl, &s.gc);
        }
        finish(&s, r);
        return r;
}
