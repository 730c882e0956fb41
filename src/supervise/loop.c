/* SPDX-License-Identifier: MIT */
#include "supervise/loop.h"

#include <errno.h>
#include <sys/signalfd.h>
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
