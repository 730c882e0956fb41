/* SPDX-License-Identifier: MIT
 * The filter built into corral is the one libseccomp makes from the rule
 * table today, and the table says what explain says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apply/seccomp.h"
#include "apply/seccomp_compile.h"

static void test_builtin_program_matches_libseccomp(void **state) {
        (void)state;
        for (int nons = 0; nons < 2; nons++) {
                struct sock_fprog fresh;
                corral_error err = {{0}};
                assert_int_equal(seccomp_compile(&fresh, nons, &err), 0);
                const struct sock_fprog *built = seccomp_program(nons);
                assert_int_equal(built->len, fresh.len);
                assert_memory_equal(built->filter, fresh.filter, fresh.len * sizeof(struct sock_filter));
                free(fresh.filter);
        }
}

static void test_describe_names_every_rule(void **state) {
        (void)state;
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        seccomp_describe(f, "");
        fclose(f);
        for (size_t i = 0; i < seccomp_n_rules; i++)
                assert_non_null(strstr(buf, seccomp_rules[i].syscall));
        assert_non_null(strstr(buf, "io_uring_setup"));
        assert_non_null(strstr(buf, "ioctl"));
        free(buf);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_builtin_program_matches_libseccomp),
                cmocka_unit_test(test_describe_names_every_rule),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
