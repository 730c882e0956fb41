/* SPDX-License-Identifier: MIT */
/*
 * nouserns: run a command where user namespaces are blocked the way Docker's
 * default seccomp profile blocks them, for the elevated tests of the users
 * backend's namespace-less fallback (tests/elevated/nonamespace.bats).
 *
 *   nouserns CMD [ARG...]
 *
 * As root: installs a seccomp filter (inherited by every descendant, kept
 * across exec and setuid) under which clone and unshare with CLONE_NEWUSER
 * fail with EPERM and clone3 fails with ENOSYS (its flags are in memory, out
 * of a filter's reach: libc then falls back to clone, as in Docker). Without
 * no_new_privs (root holds CAP_SYS_ADMIN, which allows that), so file
 * capabilities (corral-runner's) still apply on exec. Then execs CMD, e.g.
 * `runuser -u DEV -- corral run ...`.
 *
 * Exit 2: usage or setup error (the command was not run).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "nouserns: unknown architecture"
#endif

#define LO32(field) (offsetof(struct seccomp_data, field))

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: nouserns CMD [ARG...]\n");
		return 2;
	}
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM), /* another ABI: nothing */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 0, 3),
		/* the flags: args[0], whose low 32 bits hold CLONE_NEWUSER (little endian) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, LO32(args[0])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		fprintf(stderr, "nouserns: cannot install the filter (root without no_new_privs needs CAP_SYS_ADMIN): %s\n",
			strerror(errno));
		return 2;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "nouserns: %s: %s\n", argv[1], strerror(errno));
	return 2;
}
