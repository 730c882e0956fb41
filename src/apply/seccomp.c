/* SPDX-License-Identifier: MIT
 * What the command may not ask of the kernel. Default: allow; the rules below
 * deny the surface that would let it leave the sandbox or attack the kernel
 * or the terminal. The table is data so `corral explain` prints exactly what
 * is installed. */
#include "apply/seccomp.h"

#include <errno.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/macro.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Kinds of condition on a rule. */
enum cond {
        ANY,         /* always */
        ARG0_HAS,    /* (arg0 & value) == value */
        ARG1_LOW32,  /* (arg1 & 0xffffffff) == value: ioctl numbers, CVE-2019-10063 */
        ARG0_EQ,
        ARG0_EQ_ARG2_NE, /* arg0 == value && arg2 != value2 */
        ARG2_EQ,
        ARG0_PERSONALITY,
};

/* Personality flags that weaken memory protections (READ_IMPLIES_EXEC,
 * MMAP_PAGE_ZERO, ADDR_COMPAT_LAYOUT, ADDR_LIMIT_32BIT, ADDR_LIMIT_3GB).
 * ADDR_NO_RANDOMIZE (debuggers) and PER_LINUX32 stay allowed. */
static const uint64_t dangerous_personality[] = {0x0400000, 0x0100000, 0x0200000, 0x0800000, 0x8000000};

typedef struct sc_rule {
        const char *syscall;
        int err;
        enum cond cond;
        uint64_t value, value2;
        const char *why;
} sc_rule;

#define NS_RULES(sc)                                                                                   \
        {sc, EPERM, ARG0_HAS, CLONE_NEWUSER, 0, "no new user namespace (would regain capabilities)"}, \
        {sc, EPERM, ARG0_HAS, CLONE_NEWNS, 0, "no new mount namespace"},                              \
        {sc, EPERM, ARG0_HAS, CLONE_NEWNET, 0, "no new network namespace"},                           \
        {sc, EPERM, ARG0_HAS, CLONE_NEWPID, 0, "no new pid namespace"},                               \
        {sc, EPERM, ARG0_HAS, CLONE_NEWIPC, 0, "no new ipc namespace"},                               \
        {sc, EPERM, ARG0_HAS, CLONE_NEWUTS, 0, "no new uts namespace"},                               \
        {sc, EPERM, ARG0_HAS, CLONE_NEWCGROUP, 0, "no new cgroup namespace"},                         \
        {sc, EPERM, ARG0_HAS, CLONE_NEWTIME, 0, "no new time namespace"}

static const sc_rule rules[] = {
        /* Mounts: the protective mounts must stay. */
        {"mount", EPERM, ANY, 0, 0, "no mounts or remounts"},
        {"umount2", EPERM, ANY, 0, 0, "no unmounting protective mounts"},
        {"pivot_root", EPERM, ANY, 0, 0, "no root change"},
        {"chroot", EPERM, ANY, 0, 0, "no root change"},
        {"open_tree", EPERM, ANY, 0, 0, "no new mount API"},
        {"move_mount", EPERM, ANY, 0, 0, "no new mount API"},
        {"fsopen", EPERM, ANY, 0, 0, "no new mount API"},
        {"fsconfig", EPERM, ANY, 0, 0, "no new mount API"},
        {"fsmount", EPERM, ANY, 0, 0, "no new mount API"},
        {"fspick", EPERM, ANY, 0, 0, "no new mount API"},
        {"mount_setattr", EPERM, ANY, 0, 0, "no new mount API"},
        /* Namespaces. */
        {"setns", EPERM, ANY, 0, 0, "no joining other namespaces"},
        NS_RULES("unshare"),
        NS_RULES("clone"),
        {"clone3", ENOSYS, ANY, 0, 0, "flags cannot be inspected; libc falls back to clone"},
        /* Invisible to this filter and to Landlock. */
        {"io_uring_setup", ENOSYS, ANY, 0, 0, "io_uring bypasses system-call filtering"},
        {"io_uring_enter", ENOSYS, ANY, 0, 0, "io_uring bypasses system-call filtering"},
        {"io_uring_register", ENOSYS, ANY, 0, 0, "io_uring bypasses system-call filtering"},
        /* Terminal injection into the caller's shell. */
        {"ioctl", EPERM, ARG1_LOW32, 0x5412 /* TIOCSTI */, 0, "no typing into the terminal (CVE-2017-5226)"},
        {"ioctl", EPERM, ARG1_LOW32, 0x541C /* TIOCLINUX */, 0, "no console injection"},
        /* Kernel attack surface. */
        {"bpf", EPERM, ANY, 0, 0, "kernel surface"},
        {"perf_event_open", EPERM, ANY, 0, 0, "kernel surface"},
        {"userfaultfd", EPERM, ANY, 0, 0, "kernel surface (race amplification)"},
        {"keyctl", EPERM, ANY, 0, 0, "the user's keyring is shared with the host"},
        {"add_key", EPERM, ANY, 0, 0, "the user's keyring is shared with the host"},
        {"request_key", EPERM, ANY, 0, 0, "the user's keyring is shared with the host"},
        {"kexec_load", EPERM, ANY, 0, 0, "kernel replacement"},
        {"kexec_file_load", EPERM, ANY, 0, 0, "kernel replacement"},
        {"init_module", EPERM, ANY, 0, 0, "module loading"},
        {"finit_module", EPERM, ANY, 0, 0, "module loading"},
        {"delete_module", EPERM, ANY, 0, 0, "module loading"},
        {"acct", EPERM, ANY, 0, 0, "system administration"},
        {"swapon", EPERM, ANY, 0, 0, "system administration"},
        {"swapoff", EPERM, ANY, 0, 0, "system administration"},
        {"reboot", EPERM, ANY, 0, 0, "system administration"},
        {"syslog", EPERM, ANY, 0, 0, "kernel log"},
        {"quotactl", EPERM, ANY, 0, 0, "system administration"},
        {"open_by_handle_at", EPERM, ANY, 0, 0, "bypasses path-based rules"},
        {"iopl", EPERM, ANY, 0, 0, "hardware access"},
        {"ioperm", EPERM, ANY, 0, 0, "hardware access"},
        {"vhangup", EPERM, ANY, 0, 0, "terminal"},
        {"uselib", EPERM, ANY, 0, 0, "obsolete"},
        {"personality", EPERM, ARG0_PERSONALITY, 0, 0, "no READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, address-limit flags"},
        /* Sockets: only unix, IPv4, IPv6 and routing netlink (glibc needs it). */
        {"socket", EAFNOSUPPORT, ARG0_EQ_ARG2_NE, AF_NETLINK, 0 /* NETLINK_ROUTE */, "only routing netlink"},
        {"socket", EPROTONOSUPPORT, ARG2_EQ, IPPROTO_MPTCP, 0, "no MPTCP"},
        {"socket", EPROTONOSUPPORT, ARG2_EQ, IPPROTO_SCTP, 0, "no SCTP"},
};

static bool family_allowed(int af) { return af == AF_UNIX || af == AF_INET || af == AF_INET6 || af == AF_NETLINK; }

static int add_rule(scmp_filter_ctx ctx, const sc_rule *r) {
        int nr = seccomp_syscall_resolve_name(r->syscall);
        if (nr == __NR_SCMP_ERROR)
                return -ENOENT;
        uint32_t act = SCMP_ACT_ERRNO((uint32_t)r->err);
        switch (r->cond) {
        case ANY:
                return seccomp_rule_add(ctx, act, nr, 0);
        case ARG0_HAS:
                return seccomp_rule_add(ctx, act, nr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, r->value, r->value));
        case ARG1_LOW32:
                return seccomp_rule_add(ctx, act, nr, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, r->value));
        case ARG0_EQ:
                return seccomp_rule_add(ctx, act, nr, 1, SCMP_A0(SCMP_CMP_EQ, r->value));
        case ARG0_EQ_ARG2_NE:
                return seccomp_rule_add(ctx, act, nr, 2, SCMP_A0(SCMP_CMP_EQ, r->value),
                                        SCMP_A2(SCMP_CMP_NE, r->value2));
        case ARG2_EQ:
                return seccomp_rule_add(ctx, act, nr, 1, SCMP_A2(SCMP_CMP_EQ, r->value));
        case ARG0_PERSONALITY: {
                /* libseccomp allows one comparison per argument and rule, so
                 * "deny a dangerous flag unless this is the 0xffffffff query"
                 * becomes: each flag set with bit 31 clear; and bit 31 set
                 * with any other bit clear. */
                const uint64_t top = 1ULL << 31;
                for (size_t i = 0; i < ELEMENTSOF(dangerous_personality); i++) {
                        uint64_t bit = dangerous_personality[i];
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

int seccomp_build(struct sock_fprog *prog, corral_error *err) {
        *prog = (struct sock_fprog){0};
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return error_set(err, -ENOMEM, "seccomp: cannot create a filter");
        int r = 0, memfd = -1;
        /* Only the native ABI: x32 (nr | 0x40000000) and i386 (int 0x80)
         * entry points get ENOSYS instead of bypassing the rules. */
        if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS))) < 0)
                goto fail;
        for (size_t i = 0; i < ELEMENTSOF(rules); i++)
                if ((r = add_rule(ctx, &rules[i])) < 0) {
                        error_set(err, r, "seccomp: cannot add the rule for %s: %s", rules[i].syscall, strerror(-r));
                        goto out;
                }
        for (int af = 0; af < AF_MAX; af++)
                if (!family_allowed(af)) {
                        if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                                                  SCMP_A0(SCMP_CMP_EQ, (uint64_t)af))) < 0 ||
                            (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socketpair), 1,
                                                  SCMP_A0(SCMP_CMP_EQ, (uint64_t)af))) < 0)
                                goto fail;
                }
        /* Export the BPF program and keep it in memory for the child. */
        memfd = memfd_create("corral-seccomp", MFD_CLOEXEC);
        if (memfd < 0) {
                r = -errno;
                goto fail;
        }
        if ((r = seccomp_export_bpf(ctx, memfd)) < 0)
                goto fail;
        off_t size = lseek(memfd, 0, SEEK_END);
        if (size <= 0 || size % sizeof(struct sock_filter) != 0 || size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
                r = -EINVAL;
                goto fail;
        }
        prog->filter = malloc((size_t)size);
        if (!prog->filter) {
                r = -ENOMEM;
                goto fail;
        }
        if (pread(memfd, prog->filter, (size_t)size, 0) != size) {
                r = -EIO;
                goto fail;
        }
        prog->len = (unsigned short)(size / sizeof(struct sock_filter));
        goto out;
fail:
        error_set(err, r, "seccomp: cannot build the system-call filter: %s", strerror(-r));
        seccomp_prog_free(prog);
out:
        if (memfd >= 0)
                close(memfd);
        seccomp_release(ctx);
        return r;
}

void seccomp_prog_free(struct sock_fprog *prog) {
        free(prog->filter);
        *prog = (struct sock_fprog){0};
}

int seccomp_install(const struct sock_fprog *prog) {
        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0 ? -errno : 0;
}

size_t seccomp_rule_count(void) { return ELEMENTSOF(rules); }

void seccomp_describe(FILE *f, const char *indent) {
        const char *last = "";
        for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
                if (strcmp(rules[i].syscall, last) == 0 && strcmp(rules[i].why, rules[i - 1].why) == 0)
                        continue;
                fprintf(f, "%s%-18s -> %-16s %s\n", indent, rules[i].syscall, strerrorname_np(rules[i].err),
                        rules[i].why);
                last = rules[i].syscall;
        }
        fprintf(f, "%s%-18s -> %-16s %s\n", indent, "socket", "EAFNOSUPPORT",
                "every address family but AF_UNIX, AF_INET, AF_INET6, AF_NETLINK");
        fprintf(f, "%s%-18s -> %-16s %s\n", indent, "(other ABIs)", "ENOSYS", "x32 and i386 entry points");
}
