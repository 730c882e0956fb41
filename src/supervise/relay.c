/* SPDX-License-Identifier: MIT */
#include "supervise/relay.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"

/* The command reads from fd 0, writes to 1 and 2, unless the caller opened
 * the file one way only. */
static bool is_out(int fd) {
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0 && (fl & O_ACCMODE) == O_RDONLY)
                return false;
        if (fl >= 0 && (fl & O_ACCMODE) == O_WRONLY)
                return true;
        return fd != 0;
}

int relay_prepare(fd_relay *rl, unsigned mask) {
        *rl = (fd_relay){0};
        for (int i = 0; i < 3; i++)
                rl->saved[i] = -1;
        for (int fd = 0; fd < 3; fd++) {
                if (!(mask & (1u << fd)))
                        continue;
                /* 1 and 2 on the same file (2>&1) share one pipe: the order of
                 * what the command writes is kept. */
                struct stat a, b;
                int shared = -1;
                for (int k = 0; k < rl->n && fstat(fd, &a) == 0; k++)
                        for (int g = 0; g < 3; g++)
                                if ((rl->v[k].fds & (1 << g)) && rl->v[k].out && fstat(rl->saved[g], &b) == 0 &&
                                    a.st_dev == b.st_dev && a.st_ino == b.st_ino && is_out(fd))
                                        shared = k;
                if ((rl->saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0)
                        goto fail;
                if (shared >= 0) {
                        rl->v[shared].fds |= 1 << fd;
                        if (dup2(rl->v[shared].theirs, fd) < 0)
                                goto fail;
                        continue;
                }
                int p[2];
                char *buf = malloc(RELAY_BUF);
                if (!buf) {
                        errno = ENOMEM;
                        goto fail;
                }
                if (pipe2(p, O_CLOEXEC) < 0) {
                        free(buf);
                        goto fail;
                }
                bool out = is_out(fd);
                int k = rl->n++;
                rl->v[k].buf = buf;
                rl->v[k].fds = 1 << fd, rl->v[k].out = out, rl->v[k].orig = rl->saved[fd];
                rl->v[k].mine = out ? p[0] : p[1];
                rl->v[k].theirs = out ? p[1] : p[0];
                fcntl(rl->v[k].mine, F_SETFL, O_NONBLOCK);
                if (dup2(rl->v[k].theirs, fd) < 0) /* without O_CLOEXEC: the child keeps it */
                        goto fail;
        }
        return 0;
fail: {
        int e = -errno;
        relay_parent(rl);
        relay_finish(rl);
        return e;
}
}

void relay_parent(fd_relay *rl) {
        for (int fd = 0; fd < 3; fd++)
                if (rl->saved[fd] >= 0)
                        dup2(rl->saved[fd], fd);
        for (int k = 0; k < rl->n; k++)
                closep(&rl->v[k].theirs);
        /* Writing to a command that stopped reading gives EPIPE, not the
         * supervisor's death. Blocked here, after the clone: the sandbox's
         * mask stays the caller's. */
        sigset_t s, old;
        sigemptyset(&s);
        sigaddset(&s, SIGPIPE);
        if (rl->n > 0 && sigprocmask(SIG_BLOCK, &s, &old) == 0)
                rl->pipe_blocked = !sigismember(&old, SIGPIPE);
}

void relay_child(fd_relay *rl) {
        for (int fd = 0; fd < 3; fd++)
                if (rl->saved[fd] >= 0)
                        close(rl->saved[fd]);
        for (int k = 0; k < rl->n; k++)
                close(rl->v[k].mine);
}

int relay_pollfds(fd_relay *rl, struct pollfd *fds) {
        int n = 0;
        for (int k = 0; k < rl->n; k++)
                if (rl->v[k].mine >= 0)
                        fds[n++] = (struct pollfd){.fd = rl->v[k].mine, .events = rl->v[k].out ? POLLIN : POLLOUT};
        return n;
}

static void write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return; /* the caller's file refuses (ENOSPC, EIO): dropped, the command goes on */
                p += w, n -= (size_t)w;
        }
}

/* One step of relay k; false when its pipe has ended. */
static bool move(fd_relay *rl, int k) {
        typeof(rl->v[0]) *v = &rl->v[k];
        if (v->out) {
                ssize_t r = read(v->mine, v->buf, RELAY_BUF);
                if (r > 0)
                        write_all(v->orig, v->buf, (size_t)r);
                return r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR));
        }
        if (v->off == v->len) {
                ssize_t r = read(v->orig, v->buf, RELAY_BUF);
                if (r < 0 && errno == EINTR)
                        return true;
                if (r <= 0)
                        return false; /* end of the caller's file: the command sees end of file */
                v->len = (size_t)r, v->off = 0;
        }
        ssize_t w = write(v->mine, v->buf + v->off, v->len - v->off);
        if (w > 0)
                v->off += (size_t)w;
        return w > 0 || (w < 0 && (errno == EAGAIN || errno == EINTR));
}

void relay_step(fd_relay *rl, const struct pollfd *fds, int n) {
        for (int i = 0; i < n; i++) {
                if (!fds[i].revents)
                        continue;
                for (int k = 0; k < rl->n; k++)
                        if (rl->v[k].mine == fds[i].fd && !move(rl, k))
                                closep(&rl->v[k].mine);
        }
}

void relay_finish(fd_relay *rl) {
        for (int k = 0; k < rl->n; k++) {
                if (rl->v[k].out && rl->v[k].mine >= 0) {
                        /* Every process of the sandbox is gone: the pipe holds
                         * what is left, then ends. */
                        struct pollfd pfd = {.fd = rl->v[k].mine, .events = POLLIN};
                        while (poll(&pfd, 1, 5000) > 0) {
                                ssize_t r = read(rl->v[k].mine, rl->v[k].buf, RELAY_BUF);
                                if (r > 0)
                                        write_all(rl->v[k].orig, rl->v[k].buf, (size_t)r);
                                else if (r == 0 || errno != EINTR)
                                        break;
                        }
                }
                closep(&rl->v[k].mine);
                closep(&rl->v[k].theirs);
                free(rl->v[k].buf);
                rl->v[k].buf = NULL;
        }
        for (int fd = 0; fd < 3; fd++)
                closep(&rl->saved[fd]);
        rl->n = 0;
        if (rl->pipe_blocked) {
                sigset_t s;
                sigemptyset(&s);
                sigaddset(&s, SIGPIPE);
                while (sigtimedwait(&s, NULL, &(struct timespec){0}) == SIGPIPE)
                        ;
                sigprocmask(SIG_UNBLOCK, &s, NULL);
                rl->pipe_blocked = false;
        }
}
