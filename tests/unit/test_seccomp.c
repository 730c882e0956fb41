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

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "apply/notify.h"
#include "apply/seccomp.h"
#include "apply/seccomp_compile.h"

static void test_builtin_program_matches_libseccomp(void **state) {
        (void)state;
        for (int v = 0; v < 4; v++) {
                bool nons = v & 1, report = v & 2;
                struct sock_fprog fresh;
                corral_error err = {{0}};
                assert_int_equal(seccomp_compile(&fresh, nons, report, &err), 0);
                const struct sock_fprog *built = seccomp_program(nons, report);
                assert_int_equal(built->len, fresh.len);
                assert_memory_equal(built->filter, fresh.filter, fresh.len * sizeof(struct sock_filter));
                free(fresh.filter);
        }
}

/* A classic BPF interpreter, enough for what libseccomp and notify.c make. */
static uint32_t run_bpf(const struct sock_fprog *p, const struct seccomp_data *d) {
        uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = {0};
        const unsigned char *data = (const unsigned char *)d;
        for (size_t pc = 0; pc < p->len; pc++) {
                const struct sock_filter *f = &p->filter[pc];
                uint32_t k = f->k, src = BPF_SRC(f->code) == BPF_X ? X : k;
                switch (BPF_CLASS(f->code)) {
                case BPF_LD:
                        if (BPF_MODE(f->code) == BPF_ABS && BPF_SIZE(f->code) == BPF_W) {
                                assert_true(k + 4 <= sizeof(*d));
                                memcpy(&A, data + k, 4);
                        } else if (BPF_MODE(f->code) == BPF_MEM)
                                A = M[k];
                        else if (BPF_MODE(f->code) == BPF_IMM)
                                A = k;
                        else
                                fail_msg("ld %#x", f->code);
                        break;
                case BPF_LDX:
                        if (BPF_MODE(f->code) == BPF_MEM)
                                X = M[k];
                        else if (BPF_MODE(f->code) == BPF_IMM)
                                X = k;
                        else
                                fail_msg("ldx %#x", f->code);
                        break;
                case BPF_ST: M[k] = A; break;
                case BPF_STX: M[k] = X; break;
                case BPF_ALU:
                        switch (BPF_OP(f->code)) {
                        case BPF_ADD: A += src; break;
                        case BPF_SUB: A -= src; break;
                        case BPF_AND: A &= src; break;
                        case BPF_OR: A |= src; break;
                        case BPF_XOR: A ^= src; break;
                        case BPF_LSH: A <<= src; break;
                        case BPF_RSH: A >>= src; break;
                        case BPF_NEG: A = -A; break;
                        default: fail_msg("alu %#x", f->code);
                        }
                        break;
                case BPF_JMP: {
                        bool t;
                        switch (BPF_OP(f->code)) {
                        case BPF_JA: pc += k; continue;
                        case BPF_JEQ: t = A == src; break;
                        case BPF_JGT: t = A > src; break;
                        case BPF_JGE: t = A >= src; break;
                        case BPF_JSET: t = (A & src) != 0; break;
                        default: fail_msg("jmp %#x", f->code); return 0;
                        }
                        pc += t ? f->jt : f->jf;
                        break;
                }
                case BPF_RET: return BPF_RVAL(f->code) == BPF_K ? k : A;
                case BPF_MISC:
                        if (BPF_MISCOP(f->code) == BPF_TAX)
                                X = A;
                        else
                                A = X;
                        break;
                }
        }
        fail_msg("fell off the end");
        return 0;
}

/* The reporting variant decides what the plain one decides, on every call
 * number (native, x32, another ABI) and many arguments; it notifies only
 * (a) where the plain one refuses with the errno the supervisor answers,
 * or (b) where the plain one allows and the supervisor continues; and no
 * number is of both kinds. */
static void check_report_variant(bool nons, uint64_t *rnd) {
        const struct sock_fprog *plain = seccomp_program(nons, false), *rep = seccomp_program(nons, true);
        const uint32_t arches[] = {NOTIFY_ARCH, AUDIT_ARCH_I386, 0};
        size_t notified_refused = 0, notified_continued = 0;
        for (size_t ai = 0; ai < 3; ai++)
                for (uint32_t nr0 = 0; nr0 < 1100; nr0++)
                        for (int x32 = 0; x32 < 2; x32++) {
                                uint32_t nr = nr0 | (x32 ? 0x40000000U : 0);
                                int e = seccomp_refused_errno((int)nr);
                                if (e)
                                        assert_false(notify_continues((int)nr));
                                for (size_t t = 0; t < seccomp_n_rules + 40; t++) {
                                        struct seccomp_data d = {.nr = (int)nr, .arch = arches[ai]};
                                        for (int a = 0; a < 6; a++) {
                                                if (t < seccomp_n_rules)
                                                        d.args[a] = seccomp_rules[t].value;
                                                else if (t == seccomp_n_rules)
                                                        d.args[a] = ~0ULL;
                                                else if (t > seccomp_n_rules + 1) {
                                                        *rnd ^= *rnd << 13, *rnd ^= *rnd >> 7, *rnd ^= *rnd << 17;
                                                        d.args[a] = (t & 1) ? *rnd : (*rnd & 0xffff);
                                                }
                                        }
                                        uint32_t p = run_bpf(plain, &d), m = run_bpf(rep, &d);
                                        if (m == p)
                                                continue;
                                        assert_int_equal(m, SECCOMP_RET_USER_NOTIF);
                                        assert_int_equal(d.arch, NOTIFY_ARCH);
                                        if (e) {
                                                assert_int_equal(p, SECCOMP_RET_ERRNO | (uint32_t)e);
                                                notified_refused++;
                                        } else {
                                                assert_int_equal(p, SECCOMP_RET_ALLOW);
                                                assert_true(notify_continues((int)nr));
                                                notified_continued++;
                                        }
                                }
                        }
        assert_true(notified_refused > 0);
        assert_true(notified_continued > 0);
}

static void test_report_variant_refuses_what_plain_refuses(void **state) {
        (void)state;
        uint64_t rnd = 0x9e3779b97f4a7c15ULL;
        check_report_variant(false, &rnd);
        check_report_variant(true, &rnd);
        /* what the tests and the docs name */
        assert_int_equal(seccomp_refused_errno(__NR_mount), EPERM);
        assert_int_equal(seccomp_refused_errno(__NR_unshare), EPERM);
        assert_int_equal(seccomp_refused_errno(__NR_keyctl), EPERM);
        assert_int_equal(seccomp_refused_errno(__NR_clone3), 0);
        assert_int_equal(seccomp_refused_errno(__NR_openat), 0);
        assert_int_equal(seccomp_refused_errno(__NR_socket), 0);
        uint64_t a[6] = {CLONE_NEWNS};
        assert_string_equal(seccomp_refused_rule(__NR_unshare, a)->why, "no new mount namespace");
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
                cmocka_unit_test(test_report_variant_refuses_what_plain_refuses),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
