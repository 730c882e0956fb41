/* SPDX-License-Identifier: MIT */
#include "mcp/call.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/macro.h"

/* After corral exits, its pipes are normally at EOF at once: the sandbox's
 * pid namespace is gone with it. This bounds the wait if something else
 * still holds them. */
#define DRAIN_MS 2000

uint64_t call_now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int call_start(mcp_call *c, char **argv, char *msg, size_t msgsz) {
        _cleanup_close_pair_ int out[2] = {-1, -1};
        _cleanup_close_pair_ int err[2] = {-1, -1};
        _cleanup_close_pair_ int st[2] = {-1, -1};
        c->out.fd = c->err.fd = c->status_fd = -1;
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0) {
                snprintf(msg, msgsz, "cannot make pipes: %s", strerror(errno));
                return -1;
        }
        _cleanup_close_ int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (devnull < 0) {
                snprintf(msg, msgsz, "/dev/null: %s", strerror(errno));
                return -1;
        }
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0) {
                snprintf(msg, msgsz, "fork: %s", strerror(errno));
                return -1;
        }
        if (pid == 0) {
                /* corral run dies with the server (the sandbox dies with
                 * corral: its init has PR_SET_PDEATHSIG too). */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(125);
                setpgid(0, 0);
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                signal(SIGPIPE, SIG_DFL);
                if (dup2(devnull, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0 || dup2(st[1], 3) < 0)
                        _exit(125);
                syscall(SYS_close_range, 4U, ~0U, 0U);
                execv(argv[0], argv);
                dprintf(2, "corral mcp: cannot run %s: %s\n", argv[0], strerror(errno));
                _exit(125);
        }
        c->pid = pid;
        c->out.fd = TAKE_FD(out[0]), c->err.fd = TAKE_FD(err[0]), c->status_fd = TAKE_FD(st[0]);
        c->start_ms = call_now_ms();
        return 0; /* (the write ends and /dev/null close here: corral holds them) */
}

static void stream_read(call_stream *s, size_t max) {
        char buf[65536];
        ssize_t n = read(s->fd, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0) {
                closep(&s->fd);
                return;
        }
        s->total += (size_t)n;
        size_t keep = s->len < max ? max - s->len : 0;
        if (keep > (size_t)n)
                keep = (size_t)n;
        if (keep) {
                char *d = realloc(s->data, s->len + keep);
                if (!d)
                        return;
                memcpy(d + s->len, buf, keep);
                s->data = d;
                s->len += keep;
        }
}

void call_read(mcp_call *c, int fd, size_t max) {
        if (fd == c->out.fd)
                stream_read(&c->out, max);
        else if (fd == c->err.fd)
                stream_read(&c->err, max);
        else if (fd == c->status_fd) {
                size_t room = sizeof(c->status) - 1 - c->status_len;
                char sink[4096];
                ssize_t n = room ? read(fd, c->status + c->status_len, room) : read(fd, sink, sizeof(sink));
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        return;
                if (n <= 0) {
                        closep(&c->status_fd);
                        return;
                }
                if (room)
                        c->status_len += (size_t)n;
                c->status[c->status_len] = 0;
        }
}

void call_stop(mcp_call *c, uint64_t grace_ms) {
        if (c->pid <= 0 || c->kill_at_ms)
                return;
        kill(c->pid, SIGTERM);
        c->kill_at_ms = call_now_ms() + grace_ms;
}

void call_tick(mcp_call *c, uint64_t now) {
        if (c->pid > 0 && c->kill_at_ms && now >= c->kill_at_ms)
                kill(c->pid, SIGKILL);
        if (c->pid == 0 && !c->drain_until_ms)
                c->drain_until_ms = now + DRAIN_MS;
        if (c->pid == 0 && now >= c->drain_until_ms) {
                closep(&c->out.fd);
                closep(&c->err.fd);
                closep(&c->status_fd);
        }
}

bool call_done(const mcp_call *c) {
        return c->pid == 0 && c->out.fd < 0 && c->err.fd < 0 && c->status_fd < 0;
}

void call_free(mcp_call *c) {
        if (!c)
                return;
        if (c->pid > 0)
                kill(c->pid, SIGKILL);
        closep(&c->out.fd);
        closep(&c->err.fd);
        closep(&c->status_fd);
        free(c->out.data);
        free(c->err.data);
        json_decref(c->id);
        free(c);
}
