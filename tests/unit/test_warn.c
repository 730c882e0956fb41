/* SPDX-License-Identifier: MIT
 * The library's warnings (common/warn.h) go to the handler a program sets
 * with corral_set_warn_handler (corral.h), without the "corral: " prefix and
 * the newline of the stderr form, whole however long; a warning made deep in
 * the library (setting a repository aside, supervise/aside.c) arrives there
 * and not on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/warn.h"
#include "corral.h"
#include "supervise/aside.h"

static char got[8192];
static int calls;
static void *got_data;

static void keep(const char *msg, void *userdata) {
        snprintf(got, sizeof(got), "%s", msg);
        got_data = userdata;
        calls++;
}

static void test_handler_gets_the_message(void **state) {
        (void)state;
        int token = 0;
        corral_set_warn_handler(keep, &token);
        calls = 0;
        corral_warn("corral: warning: %s moved\n", "/w/.git");
        assert_int_equal(calls, 1);
        assert_string_equal(got, "warning: /w/.git moved");
        assert_ptr_equal(got_data, &token);
        corral_warn("denied: %s", "write /etc/passwd");
        assert_string_equal(got, "denied: write /etc/passwd");

        char long_path[3000];
        memset(long_path, 'a', sizeof(long_path) - 1);
        long_path[sizeof(long_path) - 1] = 0;
        corral_warn("%s is gone", long_path);
        assert_int_equal(strlen(got), strlen(long_path) + strlen(" is gone"));
        corral_set_warn_handler(NULL, NULL);
}

/* Stderr, captured through a pipe, while fn runs. */
static void capture_stderr(void (*fn)(void), char *buf, size_t size) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        fflush(stderr);
        int saved = dup(2);
        dup2(p[1], 2);
        close(p[1]);
        fn();
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        ssize_t n = read(p[0], buf, size - 1);
        buf[n > 0 ? n : 0] = 0;
        close(p[0]);
}

static void set_aside_a_missing_name(void) {
        int dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(dir >= 0);
        /* a name that is not there: the rename fails, and says so */
        assert_true(aside_rename(dir, "/corral-test-no-such-name", "corral-test-no-such-name", "a test") < 0);
        close(dir);
}

static void test_library_warning_reaches_the_handler(void **state) {
        (void)state;
        char err[4096];
        calls = 0;
        corral_set_warn_handler(keep, NULL);
        capture_stderr(set_aside_a_missing_name, err, sizeof(err));
        assert_int_equal(calls, 1);
        assert_non_null(strstr(got, "/corral-test-no-such-name"));
        assert_true(strncmp(got, "corral: ", 8) != 0);
        assert_string_equal(err, ""); /* nothing on stderr */

        /* the default again: the corral command's form on stderr */
        corral_set_warn_handler(NULL, NULL);
        capture_stderr(set_aside_a_missing_name, err, sizeof(err));
        assert_int_equal(calls, 1);
        assert_true(strncmp(err, "corral: WARNING: /corral-test-no-such-name", 42) == 0);
        assert_true(err[strlen(err) - 1] == '\n');
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_handler_gets_the_message),
                cmocka_unit_test(test_library_warning_reaches_the_handler),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
