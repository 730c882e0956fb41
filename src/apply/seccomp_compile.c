/* SPDX-License-Identifier: MIT
 * Compiles the rule table into a BPF program with libseccomp. Used at build
 * time (tools/seccomp-gen.c) and by the unit test that checks the program
 * corral installs is the one libseccomp makes from the table. */
#include "apply/seccomp_compile.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "apply/notify.h"
#include "common/macro.h"
#include "plan/seccomp_rules.h"

/* Comparisons of int arguments look at the low 32 bits only: the kernel
 * truncates the register, so socket(AF_PACKET | 1ULL << 32, ...) is AF_PACKET
 * to it and must be to the filter too (the CVE-2019-10063 pattern). */
#define LOW32 0xffffffffULL

bool seccomp_rule_reported(size_t i, int nr) {
        const sc_rule *r = &seccomp_rules[i];
        if (r->err == ENOSYS || notify_continues(nr))
                return false;
        for (size_t j = 0; j < seccomp_n_rules; j++)
                if (strcmp(seccomp_rules[j].syscall, r->syscall) == 0 && seccomp_rules[j].err != r->err)
                        return false;
        return true;
}

int seccomp_rule_nr(const sc_rule *r) {
        int nr = r->nr ? r->nr : seccomp_syscall_resolve_name(r->syscall);
        return nr == __NR_SCMP_ERROR ? -ENOENT : nr;
}

static int add_rule(scmp_filter_ctx ctx, size_t ri, bool report) {
        const sc_rule *r = &seccomp_rules[ri];
        int nr = seccomp_rule_nr(r);
        if (nr < 0)
                return nr;
        uint32_t act = report && seccomp_rule_reported(ri, nr) ? SCMP_ACT_NOTIFY : SCMP_ACT_ERRNO((uint32_t)r->err);
        switch (r->cond) {
        case ANY:
                return seccomp_rule_add(ctx, act, nr, 0);
        case ARG0_HAS:
                return seccomp_rule_add(ctx, act, nr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, r->value, r->value));
        case ARG1_LOW32:
                return seccomp_rule_add(ctx, act, nr, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, r->value));
        case ARG0_EQ_ARG2_NE: /* garbage in arg2's upper half is "not equal": refused, which is safe */
                return seccomp_rule_add(ctx, act, nr, 2, SCMP_A0(SCMP_CMP_MASKED_EQ, LOW32, r->value),
                                        SCMP_A2(SCMP_CMP_NE, r->value2));
        case ARG2_EQ:
                return seccomp_rule_add(ctx, act, nr, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, LOW32, r->value));
        case ARG_HAS:
                return seccomp_rule_add(ctx, act, nr, 1, SCMP_CMP(r->arg, SCMP_CMP_MASKED_EQ, r->value, r->value));
        case ARG_NE0:
                return seccomp_rule_add(ctx, act, nr, 1, SCMP_CMP(r->arg, SCMP_CMP_NE, 0));
        case ARG0_EQ_ARG1_NE0:
                return seccomp_rule_add(ctx, act, nr, 2, SCMP_A0(SCMP_CMP_MASKED_EQ, LOW32, r->value),
                                        SCMP_A1(SCMP_CMP_NE, 0));
        case ARG_EQ: /* int arguments: the kernel ignores the upper half of the register */
                return seccomp_rule_add(ctx, act, nr, 1, SCMP_CMP(r->arg, SCMP_CMP_MASKED_EQ, LOW32, r->value));
        case ARG0_PERSONALITY: {
                /* libseccomp allows one comparison per argument and rule, so
                 * "deny a dangerous flag unless this is the 0xffffffff query"
                 * becomes: each flag set with bit 31 clear; and bit 31 set
                 * with any other bit clear. */
                const uint64_t top = 1ULL << 31;
                for (size_t i = 0; i < seccomp_n_dangerous_personality; i++) {
                        uint64_t bit = seccomp_dangerous_personality[i];
                        int q = seccomp_rule_add(ctx, act, nr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, bit | top, bit));
                        if (q < 0)
                                return q;
                }
                for (int b = 0; b < 31; b++) {
                        int q = seccomp_rule_add(ctx, act, nr, 1,
                                                 SCMP_A0(SCMP_CMP_MASKED_EQ, top | (1ULL << b), top));
                        if (q < 0)
                                return q;
                }
                return 0;
        }
        }
        return -EINVAL;
}

/* The write-report program where the boundary says ALLOW: each RET ALLOW
 * becomes a jump to it (one instruction for one, so no other jump moves).
 * Whatever the boundary refuses ends before it. */
static int append_notify(struct sock_fprog *prog, policy_report level) {
        const struct sock_fprog *b = notify_program(level);
        size_t na = prog->len, total = na + b->len;
        if (total > BPF_MAXINSNS)
                return -E2BIG;
        struct sock_filter *f = realloc(prog->filter, total * sizeof(*f));
        if (!f)
                return -ENOMEM;
        prog->filter = f;
        for (size_t i = 0; i < na; i++) {
                if (BPF_CLASS(f[i].code) != BPF_RET)
                        continue;
                if (BPF_RVAL(f[i].code) != BPF_K)
                        return -EINVAL; /* not what libseccomp makes: do not guess */
                if (f[i].k == SCMP_ACT_ALLOW)
                        f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)(na - (i + 1)), 0, 0);
        }
        memcpy(f + na, b->filter, b->len * sizeof(*f));
        prog->len = (unsigned short)total;
        return 0;
}

static void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

/* The filter could not be built (r): said, and nothing of it kept. */
static int build_failed(struct sock_fprog *prog, int r, corral_error *err) {
        error_set(err, r, "seccomp: cannot build the system-call filter: %s", strerror(-r));
        free(prog->filter);
        *prog = (struct sock_fprog){0};
        return r;
}

int seccomp_compile(struct sock_fprog *prog, bool nonamespace, policy_report report, corral_error *err) {
        *prog = (struct sock_fprog){0};
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return error_set(err, -ENOMEM, "seccomp: cannot create a filter");
        int r = 0;
        /* Only the native ABI: x32 (nr | 0x40000000) and i386 (int 0x80)
         * entry points get ENOSYS instead of bypassing the rules. */
        if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS))) < 0)
                return build_failed(prog, r, err);
        /* A binary tree over syscall numbers instead of a linear chain:
         * every system call of the command pays O(log n), not O(n). */
        if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
                return build_failed(prog, r, err);
        for (size_t i = 0; i < seccomp_n_rules; i++)
                if ((!seccomp_rules[i].nonamespace || nonamespace) && (r = add_rule(ctx, i, report != DENIALS_OFF)) < 0)
                        return error_set(err, r, "seccomp: cannot add the rule for %s: %s", seccomp_rules[i].syscall,
                                         strerror(-r));
        for (int af = 0; af < AF_MAX; af++)
                if (!seccomp_family_allowed(af)) {
                        if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                                                  SCMP_A0(SCMP_CMP_MASKED_EQ, LOW32, (uint64_t)af))) < 0 ||
                            (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socketpair), 1,
                                                  SCMP_A0(SCMP_CMP_MASKED_EQ, LOW32, (uint64_t)af))) < 0)
                                return build_failed(prog, r, err);
                }
        /* Export the BPF program and keep it in memory for the child. */
        _cleanup_close_ int memfd = memfd_create("corral-seccomp", MFD_CLOEXEC);
        if (memfd < 0)
                return build_failed(prog, -errno, err);
        if ((r = seccomp_export_bpf(ctx, memfd)) < 0)
                return build_failed(prog, r, err);
        off_t size = lseek(memfd, 0, SEEK_END);
        if (size <= 0 || size % sizeof(struct sock_filter) != 0 || size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return build_failed(prog, -EINVAL, err);
        prog->filter = malloc((size_t)size);
        if (!prog->filter)
                return build_failed(prog, -ENOMEM, err);
        if (pread(memfd, prog->filter, (size_t)size, 0) != size)
                return build_failed(prog, -EIO, err);
        prog->len = (unsigned short)(size / sizeof(struct sock_filter));
        if (report != DENIALS_OFF && (r = append_notify(prog, report)) < 0)
                return build_failed(prog, r, err);
        return r;
}

