/* SPDX-License-Identifier: MIT
 * The users backend's wire format (users/request.h): the denial reports
 * corral-runner sends back after its request_result, read strictly by
 * corral. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "users/answer.h"
#include "users/request.h"
#include "supervise/denials.h"

static denials fresh(void) { return (denials){.sock = -1, .listener = -1}; }

static void test_denials_round_trip(void **state) {
        (void)state;
        denials d = fresh();
        denials_add(&d, "write", "/home/me/.bashrc", NULL, NULL, "outside the writable roots", "-w ~");
        denials_add(&d, "connect", NULL, "198.18.0.1:443", NULL, "network off", "--network on");
        denials_add(&d, "write", "/w/.git/hooks/x", NULL, NULL, "protected name .git", NULL);
        denials_add(&d, "syscall", NULL, NULL, "mount", "no mounts or remounts", NULL);
        /* not one of path, address, system call: not recorded */
        denials_add(&d, "syscall", "/x", NULL, "mount", "no mounts or remounts", NULL);
        denials_add(&d, "syscall", NULL, NULL, NULL, "no mounts or remounts", NULL);
        d.more = 5;
        char *buf = NULL;
        size_t len = 0;
        assert_int_equal(answer_encode_denials(&d, &buf, &len), 0);
        denials e = fresh();
        assert_int_equal(answer_decode_denials(buf, len, &e), 0);
        assert_int_equal(e.n, 4);
        assert_int_equal(e.more, 5);
        assert_null(e.unavailable);
        assert_string_equal(e.v[0].path, "/home/me/.bashrc");
        assert_string_equal(e.v[0].allow_with, "-w ~");
        assert_null(e.v[1].path);
        assert_string_equal(e.v[1].address, "198.18.0.1:443");
        assert_null(e.v[2].allow_with);
        assert_null(e.v[3].path);
        assert_null(e.v[3].address);
        assert_string_equal(e.v[3].syscall, "mount");
        assert_string_equal(e.v[3].rule, "no mounts or remounts");
        denials_done(&e);

        /* truncated anywhere, or a byte more: refused */
        for (size_t cut = 0; cut < len; cut++) {
                e = fresh();
                assert_int_equal(answer_decode_denials(buf, cut, &e), -EINVAL);
                denials_done(&e);
        }
        char *more = malloc(len + 1);
        memcpy(more, buf, len);
        more[len] = 'x';
        e = fresh();
        assert_int_equal(answer_decode_denials(more, len + 1, &e), -EINVAL);
        denials_done(&e);
        free(more);
        free(buf);
        denials_done(&d);
}

static void test_denials_unavailable_and_bad_bytes(void **state) {
        (void)state;
        denials d = fresh();
        d.unavailable = strdup("not without user namespaces (blocked here)");
        char *buf = NULL;
        size_t len = 0;
        assert_int_equal(answer_encode_denials(&d, &buf, &len), 0);
        denials e = fresh();
        assert_int_equal(answer_decode_denials(buf, len, &e), 0);
        assert_string_equal(e.unavailable, "not without user namespaces (blocked here)");
        assert_int_equal(e.n, 0);
        denials_done(&e);
        free(buf);
        denials_done(&d);

        /* a path the command chose, with an escape sequence in it: passed
         * on as it is (as the userns backend prints it); a NUL is refused */
        d = fresh();
        denials_add(&d, "write", "/tmp/\033]0;x\007", NULL, NULL, "outside the writable roots", "-w /tmp");
        assert_int_equal(answer_encode_denials(&d, &buf, &len), 0);
        e = fresh();
        assert_int_equal(answer_decode_denials(buf, len, &e), 0);
        assert_string_equal(e.v[0].path, "/tmp/\033]0;x\007");
        denials_done(&e);
        char *nul = memchr(buf, 0x1b, len);
        assert_non_null(nul);
        *nul = 0;
        e = fresh();
        assert_int_equal(answer_decode_denials(buf, len, &e), -EINVAL);
        denials_done(&e);
        free(buf);
        denials_done(&d);

        /* more entries than corral keeps, a wrong magic */
        static const unsigned char many[] = {'C', 'D', 'N', '2', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                             0,   0,   0,   0,   65, 0, 0, 0};
        e = fresh();
        assert_int_equal(answer_decode_denials((const char *)many, sizeof(many), &e), -EINVAL);
        assert_int_equal(answer_decode_denials("CRQ1", 4, &e), -EINVAL);
        assert_int_equal(answer_decode_denials("CDN1", 4, &e), -EINVAL);
        denials_done(&e);
}

/* The level of the reports crosses to corral-runner as it was asked for
 * (0 off, 1 all, 2 writes; a 3 is refused), with report_home only when on. */
static void test_report_level_round_trip(void **state) {
        (void)state;
        const policy_report levels[] = {DENIALS_OFF, DENIALS_ALL, DENIALS_WRITES};
        char *argv[] = {"true", NULL}, *env[] = {"A=b", NULL};
        for (size_t k = 0; k < 3; k++) {
                policy p = {.mode = MODE_WORKSPACE_WRITE, .network = NETWORK_OFF, .workspace = "/w", .cwd = "/w",
                            .home = "/home/me", .report_denials = levels[k]};
                char *buf = NULL;
                size_t len = 0;
                assert_int_equal(request_encode(&p, 0, env, argv, &buf, &len), 0);
                uint32_t head_len;
                corral_error err = {{0}};
                assert_int_equal(request_decode_prefix(buf, &head_len, &err), 0);
                request_head h;
                assert_int_equal(request_decode_head(buf + 8, head_len, &h, &err), 0);
                assert_int_equal(8 + head_len + h.body_len, len);
                request_body b;
                char *body = buf + 8 + head_len;
                assert_int_equal(request_decode_body(body, h.body_len, &b, &err), 0);
                assert_int_equal(b.report_denials, levels[k]);
                assert_string_equal(b.report_home, levels[k] ? "/home/me" : "");
                request_body_free(&b);
                /* report_denials is the body's fifth u32: one past the levels */
                uint32_t bad = 3;
                memcpy(body + 16, &bad, 4);
                assert_int_equal(request_decode_body(body, h.body_len, &b, &err), -EINVAL);
                assert_non_null(strstr(err.msg, "report_denials"));
                request_body_free(&b);
                request_head_free(&h);
                free(buf);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_denials_round_trip),
                cmocka_unit_test(test_denials_unavailable_and_bad_bytes),
                cmocka_unit_test(test_report_level_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
