/* SPDX-License-Identifier: MIT
 * What the command may not ask of the kernel. Default: allow; the rules below
 * deny the surface that would let it leave the sandbox or attack the kernel
 * or the terminal. */
#include "plan/seccomp_rules.h"

#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "common/macro.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif


/* Personality flags that weaken memory protections (READ_IMPLIES_EXEC,
 * MMAP_PAGE_ZERO, ADDR_COMPAT_LAYOUT, ADDR_LIMIT_32BIT, ADDR_LIMIT_3GB).
 * ADDR_NO_RANDOMIZE (debuggers) and PER_LINUX32 stay allowed. */
const uint64_t seccomp_dangerous_personality[] = {0x0400000, 0x0100000, 0x0200000, 0x0800000, 0x8000000};


#define NS_RULES(sc)                                                                                   \
        {sc, EPERM, ARG0_HAS, CLONE_NEWUSER, 0, "no new user namespace (would regain capabilities)"}, \
        {sc, EPERM, ARG0_HAS, CLONE_NEWNS, 0, "no new mount namespace"},                              \
        {sc, EPERM, ARG0_HAS, CLONE_NEWNET, 0, "no new network namespace"},                           \
        {sc, EPERM, ARG0_HAS, CLONE_NEWPID, 0, "no new pid namespace"},                               \
        {sc, EPERM, ARG0_HAS, CLONE_NEWIPC, 0, "no new ipc namespace"},                               \
        {sc, EPERM, ARG0_HAS, CLONE_NEWUTS, 0, "no new uts namespace"},                               \
        {sc, EPERM, ARG0_HAS, CLONE_NEWCGROUP, 0, "no new cgroup namespace"},                         \
        {sc, EPERM, ARG0_HAS, CLONE_NEWTIME, 0, "no new time namespace"}

#define SUID_RULES(sc, a)                                                                          \
        {sc, EPERM, ARG_HAS, S_ISUID, 0, "no setuid or setgid files (the bit stays on the host)", a},                   \
        {sc, EPERM, ARG_HAS, S_ISGID, 0, "no setuid or setgid files (the bit stays on the host)", a}

/* Rows name only the fields they use; arg and nr default to 0. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const sc_rule seccomp_rules[] = {
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
        /* Setuid and setgid files (SECURITY.md, class 9): one the command made
         * would keep its bit on the host (the sandbox's nosuid mounts do not
         * reach there), where another local account could run it as the
         * developer. Refused wherever a mode is an argument; openat2 keeps
         * its mode in a struct the filter cannot read, so it is refused
         * whole (ENOSYS: callers fall back to openat). mkdir ignores both
         * bits (a directory inherits S_ISGID from a setgid parent only). */
        SUID_RULES("chmod", 1),
        SUID_RULES("fchmod", 1),
        SUID_RULES("fchmodat", 2),
        {"fchmodat2", EPERM, ARG_HAS, S_ISUID, 0, "no setuid or setgid files (the bit stays on the host)", 2, 452},
        {"fchmodat2", EPERM, ARG_HAS, S_ISGID, 0, "no setuid or setgid files (the bit stays on the host)", 2, 452},
        SUID_RULES("open", 2),
        SUID_RULES("openat", 3),
        SUID_RULES("creat", 1),
        SUID_RULES("mknod", 1),
        SUID_RULES("mknodat", 2),
        {"openat2", ENOSYS, ANY, 0, 0, "its mode is out of the filter's sight (setuid files); libc falls back to openat"},
        /* Ids that reach past the pid namespace (class 7): a process group
         * and a uid name processes outside it. PRIO_USER and IOPRIO_WHO_USER
         * with the developer's uid (userns: the command's own) would reach
         * every process of the developer; the command's process group is
         * the caller's job (the shell pipeline, corral itself). */
        {"setpriority", EPERM, ARG_EQ, 1 /* PRIO_PGRP */, 0, "no priority of a process group (reaches outside)", 0},
        {"setpriority", EPERM, ARG_EQ, 2 /* PRIO_USER */, 0, "no priority of a user's processes (reaches outside)", 0},
        {"getpriority", EPERM, ARG_EQ, 1 /* PRIO_PGRP */, 0, "no priority of a process group (reaches outside)", 0},
        {"getpriority", EPERM, ARG_EQ, 2 /* PRIO_USER */, 0, "no priority of a user's processes (reaches outside)", 0},
        {"ioprio_set", EPERM, ARG_EQ, 2 /* IOPRIO_WHO_PGRP */, 0, "no I/O priority of a process group", 0},
        {"ioprio_set", EPERM, ARG_EQ, 3 /* IOPRIO_WHO_USER */, 0, "no I/O priority of a user's processes", 0},
        {"ioprio_get", EPERM, ARG_EQ, 2 /* IOPRIO_WHO_PGRP */, 0, "no I/O priority of a process group", 0},
        {"ioprio_get", EPERM, ARG_EQ, 3 /* IOPRIO_WHO_USER */, 0, "no I/O priority of a user's processes", 0},
        /* Without a pid namespace (the users backend's fallback) every
         * process of the sandbox user is nameable by pid, also the runs of
         * every other member: calls that act on another process by pid and
         * are checked by uid alone (not by Landlock, which covers signals and
         * ptrace) are allowed on the caller itself only (pid 0). A thread id
         * is refused too (pthread_setaffinity_np fails there). */
        {"setpriority", EPERM, ARG0_EQ_ARG1_NE0, 0 /* PRIO_PROCESS */, 0, "without a pid namespace: only its own priority", 0, 0, true},
        {"ioprio_set", EPERM, ARG0_EQ_ARG1_NE0, 1 /* IOPRIO_WHO_PROCESS */, 0, "without a pid namespace: only its own I/O priority", 0, 0, true},
        {"prlimit64", EPERM, ARG_NE0, 0, 0, "without a pid namespace: only its own limits", 0, 0, true},
        {"sched_setscheduler", EPERM, ARG_NE0, 0, 0, "without a pid namespace: only its own scheduling", 0, 0, true},
        {"sched_setparam", EPERM, ARG_NE0, 0, 0, "without a pid namespace: only its own scheduling", 0, 0, true},
        {"sched_setattr", EPERM, ARG_NE0, 0, 0, "without a pid namespace: only its own scheduling", 0, 0, true},
        {"sched_setaffinity", EPERM, ARG_NE0, 0, 0, "without a pid namespace: only its own scheduling", 0, 0, true},
        /* The caller's terminal: which process group is in the foreground
         * is the developer's shell's (the command shares its session). */
        {"ioctl", EPERM, ARG1_LOW32, 0x5410 /* TIOCSPGRP */, 0, "no taking the caller's terminal's foreground"},
};
#pragma GCC diagnostic pop

const size_t seccomp_n_rules = ELEMENTSOF(seccomp_rules);
const size_t seccomp_n_dangerous_personality = ELEMENTSOF(seccomp_dangerous_personality);

bool seccomp_family_allowed(int af) {
        return af == AF_UNIX || af == AF_INET || af == AF_INET6 || af == AF_NETLINK;
}

bool seccomp_rule_matches(const sc_rule *r, const uint64_t a[6]) {
        const uint64_t low = 0xffffffffULL, v = r->value;
        const uint64_t x = r->arg < 6 ? a[r->arg] : 0;
        switch (r->cond) {
        case ANY: return true;
        case ARG0_HAS: return (a[0] & v) == v;
        case ARG1_LOW32: return (a[1] & low) == v;
        case ARG0_EQ_ARG2_NE: return (a[0] & low) == v && a[2] != r->value2;
        case ARG2_EQ: return (a[2] & low) == v;
        case ARG_HAS: return (x & v) == v;
        case ARG_EQ: return (x & low) == v;
        case ARG_NE0: return x != 0;
        case ARG0_EQ_ARG1_NE0: return (a[0] & low) == v && a[1] != 0;
        case ARG0_PERSONALITY: return true; /* the only rule of personality */
        }
        return false;
}

size_t seccomp_rule_count(void) { return seccomp_n_rules; }

void seccomp_describe(FILE *f, const char *indent) {
        const char *last = "";
        for (size_t i = 0; i < seccomp_n_rules; i++) {
                if (strcmp(seccomp_rules[i].syscall, last) == 0 && strcmp(seccomp_rules[i].why, seccomp_rules[i - 1].why) == 0)
                        continue;
                fprintf(f, "%s%-18s -> %-16s %s\n", indent, seccomp_rules[i].syscall, strerrorname_np(seccomp_rules[i].err),
                        seccomp_rules[i].why);
                last = seccomp_rules[i].syscall;
        }
        fprintf(f, "%s%-18s -> %-16s %s\n", indent, "socket", "EAFNOSUPPORT",
                "every address family but AF_UNIX, AF_INET, AF_INET6, AF_NETLINK");
        fprintf(f, "%s%-18s -> %-16s %s\n", indent, "(other ABIs)", "ENOSYS", "x32 and i386 entry points");
}
