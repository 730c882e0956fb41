/* SPDX-License-Identifier: MIT
 * How the network proxy's listening sockets travel (apply/handoff.h), and
 * what corral accepts from corral-runner, a sandbox-user process: only
 * listening TCP sockets on loopback at the proxy's port, in another network
 * namespace than corral's. No privileges needed (the other namespace is a
 * user + network namespace of a child; skipped where they are blocked). */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "apply/handoff.h"
#include "proxy/proxy.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* A TCP socket on 127.0.0.1 (port 0: any), listening or not; its port in *port. */
static int tcp_on_loopback(bool listening, unsigned short *port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(s4);
        if (bind(fd, (struct sockaddr *)&s4, sizeof(s4)) < 0 || (listening && listen(fd, 4) < 0) ||
            getsockname(fd, (struct sockaddr *)&s4, &len) < 0) {
                close(fd);
                return -errno;
        }
        *port = ntohs(s4.sin_port);
        return fd;
}

static void refused(int fd, unsigned short port, const char *why_has) {
        corral_error why = {{0}};
        assert_int_equal(proxy_listener_check(fd, port, &why), -EINVAL);
        if (!strstr(why.msg, why_has))
                fail_msg("why: '%s', expected '%s'", why.msg, why_has);
}

static void test_listener_check(void **state) {
        (void)state;
        int p[2];
        assert_int_equal(pipe(p), 0);
        refused(p[0], 3128, "not a socket");
        close(p[0]);
        close(p[1]);
        int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        refused(udp, 3128, "not a TCP socket");
        close(udp);
        int un[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, un), 0);
        refused(un[0], 3128, "not a TCP socket");
        close(un[0]);
        close(un[1]);
        unsigned short port = 0;
        int fd = tcp_on_loopback(false, &port);
        if (fd < 0)
                skip();
        refused(fd, port, "not listening");
        close(fd);
        fd = tcp_on_loopback(true, &port);
        assert_true(fd >= 0);
        refused(fd, (unsigned short)(port + 1), "not bound to loopback port");
        /* the right port, but in corral's own network namespace */
        uint64_t cookie;
        socklen_t len = sizeof(cookie);
        if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) == 0)
                refused(fd, port, "own network namespace");
        else
                print_message("SO_NETNS_COOKIE unsupported here (Linux < 5.14): the namespace is not checked\n");
        close(fd);
        /* on every address, not loopback */
        fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in6 any = {.sin6_family = AF_INET6};
        if (fd >= 0 && bind(fd, (struct sockaddr *)&any, sizeof(any)) == 0 && listen(fd, 4) == 0) {
                struct sockaddr_in6 got;
                len = sizeof(got);
                assert_int_equal(getsockname(fd, (struct sockaddr *)&got, &len), 0);
                refused(fd, ntohs(got.sin6_port), "not bound to loopback port");
        }
        if (fd >= 0)
                close(fd);
}

/* What the sandbox's init makes (apply/net.c), in a network namespace of a
 * child, sent over a socket pair: accepted. 0 skipped (no namespaces). */
static void test_listener_from_another_namespace(void **state) {
        (void)state;
        int sp[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(sp[0]);
                if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
                        _exit(77);
                struct ifreq ifr = {0};
                memcpy(ifr.ifr_name, "lo", 3);
                int c = socket(AF_INET, SOCK_DGRAM, 0);
                if (c < 0 || ioctl(c, SIOCGIFFLAGS, &ifr) < 0)
                        _exit(1);
                ifr.ifr_flags |= IFF_UP;
                if (ioctl(c, SIOCSIFFLAGS, &ifr) < 0)
                        _exit(1);
                int fd = socket(AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(3128),
                                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
                if (fd < 0 || bind(fd, (struct sockaddr *)&s4, sizeof(s4)) < 0 || listen(fd, 4) < 0)
                        _exit(1);
                int fds[] = {fd, fd, fd, fd, fd};
                /* more than corral takes are refused at the sender */
                if (proxy_fds_send(sp[1], fds, 5) != -EINVAL || proxy_fds_send(sp[1], fds, 1) < 0)
                        _exit(1);
                _exit(0);
        }
        close(sp[1]);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
                close(sp[0]);
                print_message("user + network namespaces are blocked here: skipped\n");
                skip();
        }
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        int fds[PROXY_MAX_LISTENERS], got_message = 0;
        size_t n = proxy_fds_recv(sp[0], fds, PROXY_MAX_LISTENERS, &got_message);
        assert_int_equal(n, 1);
        assert_int_equal(got_message, 1);
        corral_error why = {{0}};
        assert_int_equal(proxy_listener_check(fds[0], 3128, &why), 0);
        refused(fds[0], 3129, "not bound to loopback port");
        close(fds[0]);
        /* then end of file: no message, no descriptors */
        n = proxy_fds_recv(sp[0], fds, PROXY_MAX_LISTENERS, &got_message);
        assert_int_equal(n, 0);
        assert_int_equal(got_message, 0);
        close(sp[0]);
}

/* A message with more descriptors than asked for: the rest are closed, not
 * leaked into corral. */
static void test_recv_closes_the_rest(void **state) {
        (void)state;
        int sp[2], p[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
        assert_int_equal(pipe(p), 0);
        int fds[] = {p[0], p[0], p[0], p[0]};
        assert_int_equal(proxy_fds_send(sp[1], fds, 4), 0);
        close(p[0]);
        int got[1];
        assert_int_equal(proxy_fds_recv(sp[0], got, 1, NULL), 1);
        close(got[0]);
        /* every copy of the read end is closed: writing gets EPIPE */
        signal(SIGPIPE, SIG_IGN);
        assert_int_equal(write(p[1], "x", 1), -1);
        assert_int_equal(errno, EPIPE);
        close(p[1]);
        close(sp[0]);
        close(sp[1]);
}

/* proxy_peer_uid (the namespace-less proxy's check of who connects): the
 * owner of the client's end of a loopback connection, from the kernel's
 * socket table, is this process's uid; a socket that is not connected has
 * none. (Another user's connection refused: tests/elevated/nonamespace.bats.) */
static void test_peer_uid(void **state) {
        (void)state;
        unsigned short port;
        int l = tcp_on_loopback(true, &port);
        assert_true(l >= 0);
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        assert_int_equal(connect(c, (struct sockaddr *)&s4, sizeof(s4)), 0);
        int a = accept(l, NULL, NULL);
        assert_true(a >= 0);
        uid_t uid = (uid_t)-1;
        int r = proxy_peer_uid(a, &uid);
        if (r == -EPROTONOSUPPORT || r == -EAFNOSUPPORT)
                skip(); /* no NETLINK_SOCK_DIAG (inet_diag) in this kernel */
        assert_int_equal(r, 0);
        assert_int_equal(uid, getuid());
        assert_true(proxy_peer_uid(l, &uid) < 0); /* a listener has no peer */
        close(a);
        close(c);
        close(l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_listener_check),
                cmocka_unit_test(test_listener_from_another_namespace),
                cmocka_unit_test(test_recv_closes_the_rest),
                cmocka_unit_test(test_peer_uid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
