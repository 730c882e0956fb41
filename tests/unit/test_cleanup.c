/* SPDX-License-Identifier: MIT
 * The cleanup attributes (common/macro.h, strv.h, plan/plan.h): each
 * releases its resource when the variable goes out of scope, does nothing
 * for the empty value (-1, NULL, {0}), keeps errno, and TAKE_FD / TAKE_PTR
 * hand the resource on so that the cleanup leaves it alone. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/macro.h"
#include "common/strv.h"
#include "plan/plan.h"

static bool fd_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

static int open_and_fail(int *seen) {
        _cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        *seen = fd;
        errno = ENOTDIR; /* what the caller is to report */
        return -1;
}

static void test_close(void **state) {
        (void)state;
        int seen = -1;
        assert_int_equal(open_and_fail(&seen), -1);
        assert_int_equal(errno, ENOTDIR);
        assert_false(fd_open(seen));

        {
                _cleanup_close_ int none = -1;
                errno = EPERM;
                (void)none;
        }
        assert_int_equal(errno, EPERM);
}

static int open_and_hand_on(void) {
        _cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        return TAKE_FD(fd);
}

static void test_take_fd(void **state) {
        (void)state;
        int fd = open_and_hand_on();
        assert_true(fd_open(fd));
        _cleanup_close_ int mine = fd;
        int t = TAKE_FD(mine);
        assert_int_equal(t, fd);
        assert_int_equal(mine, -1);
        close(t);
}

static void test_file_and_dir(void **state) {
        (void)state;
        int fd_of_file = -1;
        {
                _cleanup_fclose_ FILE *f = fopen("/dev/null", "re");
                assert_non_null(f);
                fd_of_file = fileno(f);
                errno = EIO;
        }
        assert_int_equal(errno, EIO);
        assert_false(fd_open(fd_of_file));

        int fd_of_dir = -1;
        {
                _cleanup_closedir_ DIR *d = opendir("/");
                assert_non_null(d);
                fd_of_dir = dirfd(d);
        }
        assert_false(fd_open(fd_of_dir));

        {
                _cleanup_fclose_ FILE *none = NULL;
                _cleanup_closedir_ DIR *nodir = NULL;
                (void)none;
                (void)nodir;
        }
}

static void test_strv_and_plan(void **state) {
        (void)state;
        /* Leaks here are LeakSanitizer's to find (tests/sanitize/). */
        {
                _cleanup_strv_ strv s = {0};
                assert_int_equal(strv_push(&s, "a"), 0);
                assert_int_equal(strv_push(&s, "b"), 0);
        }
        {
                _cleanup_strv_ strv none = {0};
                (void)none;
        }
        {
                _cleanup_plan_ plan pl = {0};
                assert_int_equal(strv_push(&pl.argv, "true"), 0);
                pl.state_dir = strdup("/nonexistent");
                assert_non_null(pl.state_dir);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_close),
                cmocka_unit_test(test_take_fd),
                cmocka_unit_test(test_file_and_dir),
                cmocka_unit_test(test_strv_and_plan),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
