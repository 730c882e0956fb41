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
#include <fcntl.h>
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
        for (int v = 0; v < 6; v++) {
                bool nons = v & 1;
                policy_report report = v < 2 ? DENIALS_OFF : v < 4 ? DENIALS_ALL : DENIALS_WRITES;
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
static void check_report_variant(bool nons, policy_report level, uint64_t *rnd) {
        const struct sock_fprog *plain = seccomp_program(nons, DENIALS_OFF), *rep = seccomp_program(nons, level);
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
        for (int nons = 0; nons < 2; nons++) {
                check_report_variant(nons, DENIALS_ALL, &rnd);
                check_report_variant(nons, DENIALS_WRITES, &rnd);
        }
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

/* What the filter of a level answers an open with these flags (and path,
 * mode and directory arguments that must not matter). */
static uint32_t open_verdict(bool nons, policy_report level, int nr, uint64_t flags) {
        struct seccomp_data d = {.nr = nr, .arch = NOTIFY_ARCH};
        if (nr == __NR_openat)
                d.args[0] = (uint64_t)AT_FDCWD, d.args[1] = 0x7fff0000, d.args[2] = flags, d.args[3] = 0644;
        else
                d.args[0] = 0x7fff0000, d.args[1] = flags, d.args[2] = 0644;
        return run_bpf(seccomp_program(nons, level), &d);
}

/* At "writes", an open or openat for reading only stays in the kernel
 * (ALLOW, no round trip) and every open that can write, create or truncate
 * goes to the supervisor; at "all" every open goes; openat2 goes at both
 * (its flags are in a struct). The flags register's upper half is nothing
 * to the kernel (an int), so it is nothing to the filter either. */
static void test_writes_level_passes_read_only_opens(void **state) {
        (void)state;
        const uint64_t reads[] = {O_RDONLY, O_RDONLY | O_CLOEXEC, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC,
                                  O_RDONLY | O_NOFOLLOW | O_NOCTTY, O_PATH, O_PATH | O_DIRECTORY, O_RDONLY | O_LARGEFILE,
                                  O_RDONLY | O_APPEND, O_RDONLY | O_NOATIME | O_DSYNC,
                                  O_RDONLY | 0xffffffff00000000ULL};
        const uint64_t writes[] = {O_WRONLY,
                                   O_RDWR,
                                   O_ACCMODE, /* 3: needs read and write permission */
                                   O_RDONLY | O_CREAT,
                                   O_RDONLY | O_TRUNC,
                                   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                                   O_RDWR | O_CREAT | O_EXCL,
                                   O_WRONLY | O_APPEND,
                                   O_TMPFILE | O_WRONLY,
                                   O_TMPFILE | O_RDWR,
                                   O_TMPFILE, /* EINVAL by the kernel, but handed over all the same */
                                   O_TMPFILE & ~O_DIRECTORY,
                                   O_PATH | O_CREAT,
                                   O_WRONLY | 0xffffffff00000000ULL,
                                   O_CREAT | 0xffffffff00000000ULL};
        int nrs[] = {
                __NR_openat,
#ifdef __NR_open
                __NR_open,
#endif
        };
        for (int nons = 0; nons < 2; nons++)
                for (size_t n = 0; n < sizeof(nrs) / sizeof(nrs[0]); n++) {
                        for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
                                assert_int_equal(open_verdict(nons, DENIALS_WRITES, nrs[n], reads[i]),
                                                 SECCOMP_RET_ALLOW);
                                assert_int_equal(open_verdict(nons, DENIALS_ALL, nrs[n], reads[i]),
                                                 SECCOMP_RET_USER_NOTIF);
                                assert_int_equal(open_verdict(nons, DENIALS_OFF, nrs[n], reads[i]),
                                                 SECCOMP_RET_ALLOW);
                        }
                        for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
                                assert_int_equal(open_verdict(nons, DENIALS_WRITES, nrs[n], writes[i]),
                                                 SECCOMP_RET_USER_NOTIF);
                                assert_int_equal(open_verdict(nons, DENIALS_ALL, nrs[n], writes[i]),
                                                 SECCOMP_RET_USER_NOTIF);
                        }
                        /* what the others arguments hold does not matter: a
                         * read-only flags word in openat's args[1] (the path)
                         * or open's args[2] (the mode) changes nothing */
                        struct seccomp_data d = {.nr = nrs[n], .arch = NOTIFY_ARCH};
                        d.args[nrs[n] == __NR_openat ? 2 : 1] = O_WRONLY;
                        assert_int_equal(run_bpf(seccomp_program(nons, DENIALS_WRITES), &d), SECCOMP_RET_USER_NOTIF);
                        d.args[nrs[n] == __NR_openat ? 2 : 1] = O_RDONLY;
                        for (int a = 0; a < 6; a++)
                                if (a != (nrs[n] == __NR_openat ? 2 : 1))
                                        d.args[a] = O_WRONLY | O_CREAT | O_TRUNC;
                        assert_int_equal(run_bpf(seccomp_program(nons, DENIALS_WRITES), &d), SECCOMP_RET_ALLOW);
                }
        /* the others of the write-report program, whatever their arguments */
        int always[] = {__NR_openat2, __NR_unlinkat, __NR_renameat2, __NR_mkdirat, __NR_linkat, __NR_symlinkat,
                        __NR_fchmodat, __NR_truncate, __NR_connect,
#ifdef __NR_creat
                        __NR_creat, __NR_unlink, __NR_rename, __NR_mkdir,
#endif
        };
        for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
                struct seccomp_data d = {.nr = always[i], .arch = NOTIFY_ARCH};
                uint32_t w = run_bpf(seccomp_program(false, DENIALS_WRITES), &d);
                uint32_t all = run_bpf(seccomp_program(false, DENIALS_ALL), &d);
                assert_int_equal(w, all);
                /* openat2 is ENOSYS to the boundary, which decides before */
                if (always[i] != __NR_openat2)
                        assert_int_equal(w, SECCOMP_RET_USER_NOTIF);
        }
        /* and a read-only open the boundary would refuse stays refused: no
         * other ABI gets through the appended program */
        struct seccomp_data d = {.nr = __NR_openat, .arch = AUDIT_ARCH_I386};
        assert_int_not_equal(run_bpf(seccomp_program(false, DENIALS_WRITES), &d), SECCOMP_RET_ALLOW);
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
                cmocka_unit_test(test_writes_level_passes_read_only_opens),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
