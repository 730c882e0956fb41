/* SPDX-License-Identifier: MIT */
#include "users/client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply/apply.h"
#include "apply/host.h"
#include "kernel/syscalls.h"
#include "common/macro.h"
#include "common/path.h"
#include "apply/net.h"
#include "apply/handoff.h"
#include "proxy/proxy.h"
#include "users/answer.h"
#include "users/request.h"
#include "users/grants.h"
#include "users/marker.h"
#include "supervise/denials.h"
#include "supervise/loop.h"
#include "common/warn.h"

int users_load(marker *m, corral_error *err) {
        int r = marker_load(MARKER_PATH, m, err);
        if (r == -ENOENT)
                return error_set(err, -EOPNOTSUPP,
                                 "backend 'users' is not installed on this machine: run `sudo corral setup` once");
        if (r < 0)
                return r;
        if (!marker_member(m))
                return error_set(err, -EPERM,
                                 "backend 'users': uid %u is not in the group %s (`sudo corral setup --user NAME`, "
                                 "then log in again)",
                                 (unsigned)getuid(), m->group);
        if (access(m->runner, X_OK) < 0)
                return error_set(err, -errno, "backend 'users': cannot execute %s: %s (rerun `sudo corral setup`)",
                                 m->runner, strerror(errno));
        return 0;
}

int users_available(corral_error *err) {
        marker m;
        return users_load(&m, err);
}

static void note(const char *msg) { corral_warn("%s", msg); }

/* network = proxy: the sandbox's listening sockets, which its init made in
 * its network namespace and corral-runner passed on (apply/handoff.h). The
 * proxy runs here, as the developer, in the host's network: never as the
 * sandbox user, whom the firewall keeps off the network. What arrives is
 * checked first: the runner is a sandbox-user process. */
static int take_listeners(const plan *pl, int sock, proxy **px, corral_error *err) {
        int fds[PROXY_MAX_LISTENERS], got_message = 0;
        size_t n = proxy_fds_recv(sock, fds, PROXY_MAX_LISTENERS, &got_message);
        corral_error why = {{0}};
        int r = n == 0 ? error_set(&why, -EPROTO, "%s", got_message ? "a message without them" : "nothing") : 0;
        for (size_t i = 0; i < n && r == 0; i++)
                r = proxy_listener_check(fds[i], PROXY_PORT, &why);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        closep(&fds[i]);
                /* nothing on a runner that failed before: its answer says why */
                return got_message ? error_set(err, -EPROTO,
                                               "network proxy: corral-runner did not hand over the sandbox's "
                                               "listening sockets (%s); the run was stopped",
                                               why.msg)
                                   : 0;
        }
        net_rules rules = plan_net_rules(pl);
        return proxy_new(&rules, fds, n, px, err);
}

__attribute__((noreturn)) static void exec_runner(const marker *m, int req, int result) {
        int a = fcntl(req, F_DUPFD_CLOEXEC, 10), b = fcntl(result, F_DUPFD_CLOEXEC, 10);
        request_result fail = {0};
        if (a < 0 || b < 0 || dup2(a, REQUEST_FD) < 0 || dup2(b, RESULT_FD) < 0 ||
            sys_close_range(RESULT_FD + 1, ~0U, 0) < 0)
                _exit(125);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        char *const argv[] = {"corral-runner", NULL}, *const envp[] = {NULL};
        execve(m->runner, argv, envp);
        snprintf(fail.msg, sizeof(fail.msg), "cannot execute %s: %s%s", m->runner, strerror(errno),
                 errno == EACCES ? " (not in the group " CORRAL_GROUP " in this login?)" : "");
        (void)!write(RESULT_FD, &fail, sizeof(fail));
        _exit(125);
}

/* Appends what the runner wrote on the answer pipe (non-blocking) to *buf.
 * -E2BIG past what a request_result and its denial reports can be. */
static int read_answer(int fd, char **buf, size_t *len, size_t *cap) {
        for (;;) {
                if (*cap - *len < 4096) {
                        size_t want = *cap ? *cap * 2 : 16384;
                        if (want > sizeof(request_result) + (size_t)(DENIALS_MAX * 5 + 8) * (2 * REQUEST_MAX_STR + 8))
                                return -E2BIG;
                        char *b = realloc(*buf, want);
                        if (!b)
                                return -ENOMEM;
                        *buf = b;
                        *cap = want;
                }
                ssize_t n = read(fd, *buf + *len, *cap - *len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 && errno != EAGAIN ? -errno : 0;
                *len += (size_t)n;
        }
}

/* The denial reports the runner judged (its supervisor answered the
 * listener), as this run's: corral prints them and records them. */
static struct denials *runner_denials(const plan *pl, const char *buf, size_t len) {
        denials *d = calloc(1, sizeof(*d));
        if (!d)
                return NULL;
        *d = (denials){.pl = pl, .sock = -1, .listener = -1};
        if (!buf || answer_decode_denials(buf, len, d) < 0) {
                free(d->unavailable);
                d->unavailable = strdup(len || buf == NULL ? "corral-runner's reports could not be read"
                                                           : "corral-runner sent no reports");
        }
        return d;
}

/* network = proxy without namespaces (plan_proxy.host): the listeners on
 * the host's loopback, at a port the firewall lets corral-offline reach
 * (setup's --loopback-port) and held by nothing else; the proxy serves only
 * corral-offline's sockets, since any local user can reach a loopback port,
 * and of those only the ones with this run's token, since every run's
 * command is corral-offline.
 * Everything else the firewall still rejects for corral-offline. */
static int host_listeners(const plan *pl, const marker *m, proxy **px, corral_error *err) {
        bool opened = m->allow_loopback;
        for (int i = 0; i < m->n_ports; i++)
                opened |= m->ports[i] == PROXY_PORT;
        if (!opened)
                return error_set(err, -EPERM,
                                 "network proxy (--allow-domain) without user namespaces (blocked here): the proxy "
                                 "listens on the host's 127.0.0.1:%u, which the firewall does not let %s reach; run "
                                 "`sudo corral-setup --loopback-port %u` (keeping the ports you had) once, or enable "
                                 "user namespaces",
                                 PROXY_PORT, m->users[IDENTITY_OFFLINE].name, PROXY_PORT);
        _cleanup_close_ int fd = net_listen_loopback(AF_INET, PROXY_PORT);
        if (fd < 0)
                return error_set(err, fd,
                                 "network proxy: cannot listen on 127.0.0.1:%u: %s%s (nothing ran)", PROXY_PORT,
                                 strerror(-fd), fd == -EADDRINUSE ? ": another program holds that port" : "");
        _cleanup_close_ int fd6 = net_listen_loopback(AF_INET6, PROXY_PORT);
        if (fd6 < 0 && fd6 != -EAFNOSUPPORT && fd6 != -EADDRNOTAVAIL)
                return error_set(err, fd6, "network proxy: cannot listen on [::1]:%u: %s%s (nothing ran)", PROXY_PORT,
                                 strerror(-fd6), fd6 == -EADDRINUSE ? ": another program holds that port" : "");
        int fds[2], n = 0;
        fds[n++] = TAKE_FD(fd);
        if (fd6 >= 0)
                fds[n++] = TAKE_FD(fd6);
        net_rules rules = plan_net_rules(pl); /* proxy_new takes the fds, also when it fails */
        int r = proxy_new(&rules, fds, (size_t)n, px, err);
        if (r == 0) {
                proxy_only_uid(*px, m->users[IDENTITY_OFFLINE].uid);
                proxy_require_token(*px, pl->proxy.token);
        }
        return r;
}

/* One run through corral-runner, the developer's side: what each step of
 * users_run makes (the comment says which) and the later ones use. Every
 * descriptor is -1 until made; finish() undoes it all. */
typedef struct users_session {
        const plan *pl;
        bool verbose;
        run_result *res;
        marker m;
        uint64_t start;   /* loop_now_ms: the wall time's start */
        host_state host;  /* prepare_host */
        proxy *host_px;   /* prepare_host: network = proxy without namespaces */
        int req[2];       /* start_runner: the request (and the listeners), a unix socket */
        int out[2];       /* start_runner: the runner's answer */
        int sigfd, pidfd; /* start_runner */
        bool blocked;     /* the forwarded signals and SIGPIPE blocked, old kept */
        sigset_t old;
        pid_t pid;        /* start_runner */
        proxy *px;        /* watch: the proxy serving this run */
        int status;       /* reap: the runner's wait status */
        char *ans;        /* watch, reap: what the runner answered */
        size_t ans_len, ans_cap;
        bool ans_bad;
} users_session;

/* First use of a workspace (or root) below a directory the sandbox users
 * cannot pass (the plan's grants): grant passage, once, and say so. One
 * grant can serve the next (a shared ancestor). */
static int grant_passage(users_session *s, corral_error *err) {
        const plan *pl = s->pl;
        int r;
        for (size_t i = 0; i < pl->grants.n; i++)
                if (!grants_reachable(&s->m, pl->grants.v[i]) &&
                    (r = grants_grant(&s->m, pl->grants.v[i], false, note, err)) < 0)
                        return r;
        return 0;
}

/* The placeholders in the developer's roots are made, held and removed
 * here, as the developer, in the same bookkeeping as the developer's userns
 * runs (apply/host.h): the runner, as a sandbox user, only mounts over them.
 * network = proxy without namespaces: the proxy listens here, on the host's
 * loopback, before anything runs. */
static int prepare_host(users_session *s, corral_error *err) {
        const plan *pl = s->pl;
        int r;
        if (pl->roots_dir && (pl->n_placeholders > 0 || pl->nested.found.n > 0)) {
                if ((r = host_prepare(pl, &s->host, err)) < 0)
                        return r;
        }
        if (pl->proxy.on && pl->proxy.host && (r = host_listeners(pl, &s->m, &s->host_px, err)) < 0) {
                host_finish(pl, &s->host);
                return r;
        }
        return 0;
}

/* The runner, started with the signals it must not take from us blocked
 * here; then the request. */
static int start_runner(users_session *s, corral_error *err) {
        const plan *pl = s->pl;
        sigset_t mask;
        loop_forwarded(&mask);
        sigaddset(&mask, SIGPIPE);
        sigprocmask(SIG_BLOCK, &mask, &s->old);
        s->blocked = true;
        /* The request goes on a unix socket, not a pipe: with network =
         * proxy the sandbox's listening sockets come back on it (watch). */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s->req) < 0 || pipe2(s->out, O_CLOEXEC) < 0 ||
            (s->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
                return error_set(err, -errno, "cannot create pipes: %s", strerror(errno));
        fflush(NULL);
        s->pid = fork();
        if (s->pid < 0)
                return error_set(err, -errno, "cannot start the runner: %s", strerror(errno));
        if (s->pid == 0)
                exec_runner(&s->m, s->req[0], s->out[1]);
        closep(&s->req[0]);
        closep(&s->out[1]);
        s->pidfd = sys_pidfd_open(s->pid, 0);
        /* The request; a runner that refuses early closes its end (EPIPE,
         * with SIGPIPE blocked), and its answer says why. */
        for (size_t off = 0; off < pl->request_len;) {
                ssize_t n = write(s->req[1], pl->request + off, pl->request_len - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                off += (size_t)n;
        }
        /* The answer is read as it comes (the denial reports after it may
         * be longer than the pipe holds), and after the runner ended. */
        fcntl(s->out[0], F_SETFL, O_NONBLOCK);
        return 0;
}

/* Until the runner ends: its answer, the sandbox's listeners (network =
 * proxy with namespaces), the proxy, the signals passed on as requests.
 * Returns 0, or the proxy's failure, after which the run was stopped. */
static int watch(users_session *s, corral_error *err) {
        const plan *pl = s->pl;
        bool want_proxy = pl->proxy.on && !pl->proxy.host;
        int r = 0;
        s->px = s->host_px;
        s->host_px = NULL;
        while (s->pidfd >= 0) {
                struct pollfd fds[5] = {{.fd = s->pidfd, .events = POLLIN},
                                        {.fd = s->sigfd, .events = POLLIN},
                                        {.fd = s->ans_bad ? -1 : s->out[0], .events = POLLIN},
                                        {.fd = want_proxy && !s->px ? s->req[1] : -1, .events = POLLIN},
                                        {.fd = s->px ? proxy_fd(s->px) : -1, .events = POLLIN}};
                if (poll(fds, 5, s->px ? proxy_timeout_ms(s->px) : -1) < 0 && errno != EINTR)
                        break;
                if (s->px)
                        proxy_run(s->px);
                if (fds[2].revents)
                        s->ans_bad |= read_answer(s->out[0], &s->ans, &s->ans_len, &s->ans_cap) < 0;
                if (fds[3].revents) {
                        want_proxy = false; /* one message, and never anything else from the runner */
                        if ((r = take_listeners(pl, s->req[1], &s->px, err)) < 0)
                                /* fail closed: with corral gone from the request
                                 * socket the runner kills the sandbox
                                 * (supervise_run_control) */
                                shutdown(s->req[1], SHUT_RDWR);
                        else if (s->verbose && s->px)
                                fprintf(stderr, "corral: network proxy for 127.0.0.1:%u and [::1]:%u in the sandbox, "
                                                "running here as uid %u\n",
                                        PROXY_PORT, PROXY_PORT, (unsigned)getuid());
                }
                struct signalfd_siginfo si;
                while (read(s->sigfd, &si, sizeof(si)) == sizeof(si))
                        /* the terminal's signals reach the command directly */
                        if (si.ssi_signo != SIGPIPE && si.ssi_code != SI_KERNEL)
                                // cppcheck-suppress internalAstError ; cppcheck 2.10 cannot parse this compound literal
                                (void)!write(s->req[1], &(int32_t){(int32_t)si.ssi_signo}, sizeof(int32_t));
                if (fds[0].revents & POLLIN)
                        break;
        }
        return r;
}

/* The runner's status, the rest of its answer, the proxy's refusals. */
static void reap(users_session *s) {
        while (waitpid(s->pid, &s->status, 0) < 0 && errno == EINTR)
                ;
        if (!s->ans_bad)
                s->ans_bad = read_answer(s->out[0], &s->ans, &s->ans_len, &s->ans_cap) < 0;
        if (s->px) {
                proxy_run(s->px); /* what arrived as the sandbox ended is still counted */
                size_t nr = 0;
                const proxy_refusal *refused = proxy_refusals(s->px, &nr);
                if (nr > 0 && (s->res->refusals = malloc(nr * sizeof(*refused)))) {
                        memcpy(s->res->refusals, refused, nr * sizeof(*refused));
                        s->res->n_refusals = nr;
                }
                proxy_free(s->px);
                s->px = NULL;
        }
}

/* The result, from the runner's answer (users/request.h); r is watch's. */
static int take_answer(users_session *s, int r, corral_error *err) {
        const plan *pl = s->pl;
        run_result *res = s->res;
        request_result rr;
        ssize_t n = s->ans_len >= sizeof(rr) ? (ssize_t)sizeof(rr) : -1;
        if (n > 0)
                memcpy(&rr, s->ans, sizeof(rr));
        res->wall_ms = loop_now_ms() - s->start;
        if (r < 0)
                ; /* the proxy failed: the run was stopped, whatever the runner says */
        else if (n != (ssize_t)sizeof(rr))
                r = error_set(err, -EIO, "corral-runner ended without an answer (%s %d)",
                              WIFSIGNALED(s->status) ? "signal" : "exit status",
                              WIFSIGNALED(s->status) ? WTERMSIG(s->status) : WEXITSTATUS(s->status));
        else if (!rr.ran) {
                rr.msg[sizeof(rr.msg) - 1] = 0;
                r = error_set(err, -EPERM, "%s", rr.msg);
        } else {
                res->exit_code = rr.exit_code;
                res->signal = rr.signal;
                res->timed_out = rr.timed_out;
                res->limit = rr.limit >= 0 && rr.limit <= N_LIMITS ? rr.limit : 0;
                res->limit_certain = res->limit && rr.limit_certain;
                rr.msg[sizeof(rr.msg) - 1] = 0;
                if (rr.msg[0])
                        error_set(err, 0, "%s", rr.msg);
                /* (also without namespaces, where the runner says why there are none) */
                if (pl->policy.report_denials)
                        res->denials = runner_denials(pl, s->ans_bad ? NULL : s->ans + sizeof(rr),
                                                      s->ans_bad ? 0 : s->ans_len - sizeof(rr));
        }
        free(s->ans);
        s->ans = NULL;
        return r;
}

/* Undoes what the steps made, whichever got this far. */
static void finish(users_session *s) {
        const plan *pl = s->pl;
        if (s->sigfd >= 0) {
                struct signalfd_siginfo si; /* a SIGPIPE from a refused request must not kill us */
                while (read(s->sigfd, &si, sizeof(si)) == sizeof(si))
                        ;
                closep(&s->sigfd);
        }
        if (s->blocked)
                sigprocmask(SIG_SETMASK, &s->old, NULL);
        host_nested_keep(pl); /* the developer's scan, for the next run (apply/host.h) */
        proxy_free(s->host_px); /* when the runner never started */
        host_finish(pl, &s->host);
        closep(&s->pidfd);
        for (int i = 0; i < 2; i++) {
                closep(&s->req[i]);
                closep(&s->out[i]);
        }
}

int users_run(const plan *pl, bool verbose, run_result *res, corral_error *err) {
        users_session s = {.pl = pl,
                           .verbose = verbose,
                           .res = res,
                           .req = {-1, -1},
                           .out = {-1, -1},
                           .sigfd = -1,
                           .pidfd = -1,
                           .pid = -1};
        int r = users_load(&s.m, err);
        *res = (run_result){0};
        if (r < 0)
                return r;
        s.start = loop_now_ms();
        if ((r = grant_passage(&s, err)) < 0 || (r = prepare_host(&s, err)) < 0)
                return r;
        if (verbose)
                fprintf(stderr, "corral: running as %s through %s\n", pl->run_as, s.m.runner);
        if ((r = start_runner(&s, err)) >= 0) {
                r = watch(&s, err);
                reap(&s);
                r = take_answer(&s, r, err);
        }
        finish(&s);
        return r;
}


/* --- corral grant / corral revoke --- */

static int grant_target(const char *dir, char **canon, marker *m, corral_error *err) {
        int r = marker_read(MARKER_PATH, m, err);
        if (r == -ENOENT)
                return error_set(err, -EOPNOTSUPP, "backend 'users' is not installed: run `sudo corral setup` first");
        if (r < 0 || (r = marker_validate(m, err)) < 0)
                return r;
        if (!(*canon = realpath(dir, NULL)))
                return error_set(err, -errno, "%s: %s", dir, strerror(errno));
        struct stat st;
        if (stat(*canon, &st) < 0 || !S_ISDIR(st.st_mode))
                return error_set(err, -ENOTDIR, "%s is not a directory", *canon);
        return 0;
}

int corral_grant(const char *dir, bool read, corral_error *err) {
        marker m;
        _cleanup_free_ char *canon = NULL;
        int r = grant_target(dir, &canon, &m, err);
        if (r < 0)
                return r;
        r = grants_grant(&m, canon, read, note, err);
        return r < 0 ? r : 0;
}

int corral_revoke(const char *dir, corral_error *err) {
        marker m;
        _cleanup_free_ char *canon = NULL;
        int r = grant_target(dir, &canon, &m, err);
        if (r < 0)
                return r;
        r = grants_revoke(&m, canon, note, err);
        return r < 0 ? r : 0;
}
