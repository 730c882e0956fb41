/* SPDX-License-Identifier: MIT */
/*
 * notifygone: corral's reporting filter (what init installs with
 * --report-denials, src/apply/notify.c) whose listener is gone, as when the
 * supervisor that answers it died: the calls it would hand over must fail,
 * not run. The refused ones (unshare, mount, keyctl) and the ones a live
 * supervisor would continue (an open that creates a file) alike.
 *
 *   notifygone DIR            install it, close the listener, try the calls
 *   notifygone --control DIR  the same calls (but mount) without any filter
 *
 * Each call prints SUCCEEDED or BLOCKED (with the errno). Exit 0 when any
 * succeeded, 1 when all were blocked, 2 on a usage error or when the
 * filter came without a listener.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply/notify.h"

/* The listener notify_install() sent, received and closed: nobody holds it. */
static int drop_listener(int sock) {
        int32_t err = 0;
        struct iovec iov = {.iov_base = &err, .iov_len = sizeof(err)};
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
        if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) < 0)
                return -errno;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (!c || c->cmsg_type != SCM_RIGHTS)
                return -(err ? err : EINVAL);
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof(fd));
        close(fd);
        close(sock);
        return 0;
}

static int try(const char *what, long r) {
        if (r < 0) {
                printf("BLOCKED: %s: %s\n", what, strerror(errno));
                return 0;
        }
        printf("SUCCEEDED: %s\n", what);
        return 1;
}

int main(int argc, char **argv) {
        bool control = argc == 3 && strcmp(argv[1], "--control") == 0;
        if (argc != 2 && !control) {
                fprintf(stderr, "usage: notifygone [--control] DIR\n");
                return 2;
        }
        const char *dir = argv[argc - 1];
        pid_t pid = fork();
        if (pid < 0)
                return 2;
        if (pid == 0) {
                if (!control) {
                        int sv[2];
                        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
                            socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                                _exit(2);
                        int r = notify_install(sv[1], false, DENIALS_ALL);
                        if (r < 0 || (r = drop_listener(sv[0])) < 0) {
                                fprintf(stderr, "notifygone: no listener: %s\n", strerror(-r));
                                _exit(2);
                        }
                }
                char file[4096];
                snprintf(file, sizeof(file), "%s/created", dir);
                int n = 0;
                n += try("unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER));
                if (!control) /* as root, the control would mount on the host */
                        n += try("mount(tmpfs)", mount("none", dir, "tmpfs", 0, NULL));
                n += try("keyctl(KEYCTL_GET_KEYRING_ID)", syscall(SYS_keyctl, 0, -4 /* user keyring */, 0));
                n += try("open(O_CREAT)", open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
                fflush(stdout);
                _exit(n ? 0 : 1);
        }
        int st;
        if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
                return 2;
        return WEXITSTATUS(st);
}
