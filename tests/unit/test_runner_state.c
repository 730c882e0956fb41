/* SPDX-License-Identifier: MIT
 * What corral-runner hands to corral-sandbox across the exec
 * (runner/handoff.h): a memfd on fd 5, sealed before the exec, read back
 * exactly; anything else on fd 5 (nothing, an unsealed memfd, a file, a
 * sealed memfd of another layout) is refused. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "runner/handoff.h"

static runner_state sample(size_t head_len) {
        runner_state st = {.magic = STATE_MAGIC, .version = STATE_VERSION, .size = sizeof(st), .caller_uid = 1000,
                           .caller_gid = 1000, .has_result = 1, .nonamespace = 1, .ns_err = EPERM,
                           .head_len = (uint32_t)head_len};
        snprintf(st.m.users[0].name, sizeof(st.m.users[0].name), "corral-offline");
        snprintf(st.m.users[0].home, sizeof(st.m.users[0].home), "/var/lib/corral/offline");
        st.m.users[0].uid = 990;
        return st;
}

static void test_round_trip(void **state) {
        (void)state;
        static const char head[] = "\x01\x02the head, as read\x00\xff";
        runner_state st = sample(sizeof(head)), got;
        assert_int_equal(state_hand_over(&st, head, sizeof(head)), 0);
        /* on fd 5, kept across exec, sealed against every change */
        assert_int_equal(fcntl(STATE_FD, F_GETFD) & FD_CLOEXEC, 0);
        int seals = fcntl(STATE_FD, F_GET_SEALS);
        assert_true(seals & F_SEAL_WRITE && seals & F_SEAL_GROW && seals & F_SEAL_SHRINK && seals & F_SEAL_SEAL);
        assert_int_equal(pwrite(STATE_FD, "x", 1, 0), -1);
        assert_int_equal(errno, EPERM);
        assert_int_equal(ftruncate(STATE_FD, 1), -1);
        assert_int_equal(fcntl(STATE_FD, F_ADD_SEALS, 0) == 0 ? 0 : errno, EPERM);
        char *h = NULL;
        corral_error why = {{0}};
        size_t len = 0;
        assert_int_equal(state_take_over(&got, &h, &len, &why), 0);
        assert_memory_equal(&got, &st, sizeof(st));
        assert_int_equal(len, sizeof(head));
        assert_memory_equal(h, head, sizeof(head));
        free(h);
        assert_int_equal(fcntl(STATE_FD, F_GETFD), -1); /* closed */
}

static int refused(const char *want) {
        runner_state got;
        char *h = NULL;
        corral_error why = {{0}};
        size_t len = 0;
        int r = state_take_over(&got, &h, &len, &why);
        assert_null(h);
        if (!strstr(why.msg, want))
                fail_msg("why: %s (wanted %s)", why.msg, want);
        close(STATE_FD);
        return r;
}

/* fd for STATE_FD: a memfd holding st (and len bytes of head), sealed or not */
static void put(const runner_state *st, size_t extra, bool seal) {
        int fd = memfd_create("t", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, st, sizeof(*st)), (ssize_t)sizeof(*st));
        for (size_t i = 0; i < extra; i++)
                assert_int_equal(write(fd, "h", 1), 1);
        if (seal)
                assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE), 0);
        assert_int_equal(dup2(fd, STATE_FD), STATE_FD);
        close(fd);
}

static void test_refused(void **state) {
        (void)state;
        close(STATE_FD);
        assert_int_equal(refused("no sealed state on fd 5"), -EPERM); /* nothing there */
        runner_state st = sample(4);
        put(&st, 4, false); /* not sealed: whoever wrote it could change it */
        assert_int_equal(refused("no sealed state on fd 5"), -EPERM);
        int f = open("/dev/null", O_RDONLY | O_CLOEXEC); /* not a memfd */
        assert_int_equal(dup2(f, STATE_FD), STATE_FD);
        close(f);
        assert_int_equal(refused("no sealed state on fd 5"), -EPERM);
        /* control: the same state, sealed, is taken */
        put(&st, 4, true);
        runner_state got;
        char *h = NULL;
        corral_error why = {{0}};
        size_t len = 0;
        assert_int_equal(state_take_over(&got, &h, &len, &why), 0);
        free(h);
        /* sealed, but another layout: magic, version, size, a head longer or shorter than said */
        runner_state bad = st;
        memcpy(bad.magic, "CRSX", 4);
        put(&bad, 4, true);
        assert_int_equal(refused("not this version's"), -EPERM);
        bad = st;
        bad.version++;
        put(&bad, 4, true);
        assert_int_equal(refused("not this version's"), -EPERM);
        bad = st;
        bad.size--;
        put(&bad, 4, true);
        assert_int_equal(refused("not this version's"), -EPERM);
        put(&st, 3, true);
        assert_int_equal(refused("not this version's"), -EPERM);
        put(&st, 5, true);
        assert_int_equal(refused("not this version's"), -EPERM);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
