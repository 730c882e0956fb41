/* SPDX-License-Identifier: MIT */
/*
 * abi: make a system call through an entry point other than the native
 * x86_64 one. A seccomp filter written for x86_64 numbers means nothing for
 * i386 (int 0x80) or x32 (nr | 0x40000000) calls, so it has to refuse them.
 *
 *   abi native|x32|int80      (each calls getpid)
 *
 * Exit 0: the call went through. 1: it was refused. 2: usage or not x86_64.
 * A seccomp filter may also kill the process with SIGSYS. Where int 0x80
 * faults before any filter sees it (a kernel without IA32 emulation, or with
 * it off, ia32_emulation=0; a hypervisor that does not offer it), the
 * SIGSEGV is reported as "not supported" (exit 1): the entry point does not
 * exist here, inside a sandbox or not.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void on_segv(int sig)
{
	static const char msg[] = "BLOCKED: int 0x80 raised SIGSEGV: the i386 entry is not supported here "
				  "(no IA32 emulation in this kernel or hypervisor)\n";
	(void)sig;
	(void)!write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";
	long want = syscall(SYS_getpid), got;

	setvbuf(stdout, NULL, _IONBF, 0);
#if defined(__x86_64__)
	if (strcmp(how, "native") == 0) {
		got = syscall(SYS_getpid);
	} else if (strcmp(how, "x32") == 0) {
		printf("calling getpid through the x32 ABI...\n");
		got = syscall(39 | 0x40000000); /* x32 getpid */
	} else if (strcmp(how, "int80") == 0) {
		printf("calling getpid through int 0x80 (i386)...\n");
		long nr = 20; /* i386 getpid */
		signal(SIGSEGV, on_segv);
		__asm__ volatile("int $0x80" : "=a"(got) : "a"(nr) : "memory", "rcx", "r11");
		if (got < 0 && got > -4096) {
			errno = (int)-got;
			got = -1;
		}
	} else {
		fprintf(stderr, "usage: abi native|x32|int80\n");
		return 2;
	}
#else
	(void)how;
	(void)got;
	fprintf(stderr, "abi: only meaningful on x86_64\n");
	return 2;
#endif
	if (got != want) {
		printf("BLOCKED: %s getpid returned %ld: %s\n", how, got, strerror(errno));
		return 1;
	}
	printf("SUCCEEDED: %s getpid returned %ld\n", how, got);
	return 0;
}
