/* SPDX-License-Identifier: MIT */
#include "supervise/loop.h"

#include <errno.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply/apply.h"
#include "common/macro.h"

uint64_t loop_now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int loop_timeout(uint64_t deadline) {
        if (!deadline)
                return -1;
        uint64_t now = loop_now_ms();
        return now >= deadline ? 0 : (int)(deadline - now);
}

void loop_forwarded(sigset_t *mask) {
        static const int forwarded[] = {FORWARDED_SIGNALS};
        sigemptyset(mask);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(mask, forwarded[i]);
}

void loop_forward_signals(int sigfd, pid_t pid) {
        struct signalfd_siginfo si;
        while (read(sigfd, &si, sizeof(si)) == sizeof(si))
                if (si.ssi_signo != SIGCHLD && si.ssi_code != SI_KERNEL)
                        kill(pid, (int)si.ssi_signo);
}

int loop_control(int control_fd, pid_t pid) {
        int32_t sig = 0;
        ssize_t got = read(control_fd, &sig, sizeof(sig));
        if (got == (ssize_t)sizeof(sig) && sig > 0 && sig < 65)
                kill(pid, (int)sig);
        else if (got <= 0 && !(got < 0 && errno == EINTR))
                return -1;
        return 0;
}

/* The run must end: whether the loop ends now (reaper), else the init is
 * killed and the loop waits for its end. */
static bool stop(const loop_run *l) {
        if (l->reaper)
                return true;
        kill(l->pid, SIGKILL); /* the whole pid namespace dies with its init */
        return false;
}

/* reaper: every child that ended (orphans come to us), the command's status kept. */
static void reap(loop_run *l) {
        pid_t pid;
        int st;
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
                if (pid == l->pid) {
                        l->status = st;
                        l->done = true;
                }
}

void loop_watch(loop_run *l) {
        while (!l->done) {
                struct pollfd fds[5 + RELAY_MAX] = {{.fd = l->pidfd, .events = POLLIN},
                                                    {.fd = l->sigfd, .events = POLLIN},
                                                    {.fd = l->control_fd, .events = POLLIN},
                                                    {.fd = denials_fd(l->dn), .events = POLLIN},
                                                    {.fd = l->px ? proxy_fd(l->px) : -1, .events = POLLIN}};
                int nr = l->relay ? relay_pollfds(l->relay, fds + 5) : 0;
                int timeout = l->timed_out ? -1 : loop_timeout(l->deadline);
                if (l->px) {
                        int pt = proxy_timeout_ms(l->px);
                        if (pt >= 0 && (timeout < 0 || pt < timeout))
                                timeout = pt;
                }
                int n = poll(fds, 5 + (nfds_t)nr, timeout); /* negative fds are skipped */
                if (n < 0 && errno != EINTR)
                        break;
                /* With reaper the deadline is passed when poll timed out (its
                 * timeout is the deadline's alone); the events that came with
                 * it, the command's exit among them, are handled first. */
                if (l->deadline && !l->timed_out && (l->reaper ? n == 0 : loop_now_ms() >= l->deadline)) {
                        l->timed_out = true;
                        if (stop(l))
                                break;
                        continue;
                }
                if (l->px)
                        proxy_run(l->px);
                if (fds[1].revents & POLLIN) {
                        loop_forward_signals(l->sigfd, l->pid);
                        if (l->reaper)
                                reap(l);
                }
                if (fds[3].revents) {
                        /* the listener, or why there is none; it never blocks */
                        denials_handle(l->dn);
                        if (l->dn->fatal && stop(l)) /* its calls would wait for an answer forever */
                                break;
                }
                if (l->control_fd >= 0 && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) &&
                    loop_control(l->control_fd, l->pid) < 0) {
                        l->control_fd = -1; /* the caller is gone: so is the sandbox */
                        if (stop(l))
                                break;
                }
                if (l->relay)
                        relay_step(l->relay, fds + 5, nr);
                if (fds[0].revents & POLLIN)
                        break;
        }
}
