/* SPDX-License-Identifier: MIT */
/*
 * procattack: attack another process by pid -- trace it, write its memory,
 * change its limits or its priority -- and the victim those attacks aim at.
 *
 *   procattack victim FILE        run as the victim: allow any tracer
 *                                 (PR_SET_PTRACER_ANY, so Yama's scope 1 does
 *                                 not stop the attacks for us), write
 *                                 "PID ADDR" of a marker string to FILE, then
 *                                 copy the marker to FILE.mark every 50 ms
 *   procattack attach PID         PTRACE_ATTACH (then detach)
 *   procattack seize PID          PTRACE_SEIZE (then detach)
 *   procattack vmwrite PID ADDR   process_vm_writev over the marker at ADDR
 *   procattack memwrite PID ADDR  pwrite to /proc/PID/mem at ADDR
 *   procattack prlimit PID        prlimit: lower RLIMIT_NOFILE to 17
 *   procattack nice PID           setpriority(PRIO_PROCESS, PID, 19)
 *
 * Exit 0: the attack worked. 1: blocked. 2: usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

#define MARKER "CORRAL-MARKER-ORIGINAL"
#define PWNED "CORRAL-MARKER-PWNED!!!"

static volatile char marker[sizeof(MARKER)] = MARKER;

/* Write TEXT to PATH through PATH.new and a rename, so that a reader never
 * sees a half-written file. */
static int put(const char *path, const char *text)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

static int victim(const char *file)
{
	char line[128], mark[4096], now[sizeof(MARKER) + 1];
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	snprintf(mark, sizeof(mark), "%s.mark", file);
	snprintf(line, sizeof(line), "%d %p\n", (int)getpid(), (const void *)marker);
	for (;;) {
		for (size_t i = 0; i < sizeof(MARKER) - 1; i++)
			now[i] = marker[i];
		now[sizeof(MARKER) - 1] = '\n';
		now[sizeof(MARKER)] = 0;
		if (put(mark, now) < 0 || put(file, line) < 0)
			return 2;
		struct timespec ts = {0, 50L * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

static int traced(pid_t pid, const char *what)
{
	int st;
	waitpid(pid, &st, __WALL);
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return succeeded(what);
}

static int write_memory(pid_t pid, unsigned long addr, int via_proc)
{
	static char pwned[] = PWNED;
	const size_t len = sizeof(pwned) - 1;
	if (!via_proc) {
		struct iovec local = {pwned, len};
		// NOLINTNEXTLINE(performance-no-int-to-ptr): an address in another process, given as a number
		struct iovec remote = {(void *)addr, len};
		if (process_vm_writev(pid, &local, 1, &remote, 1, 0) != (ssize_t)len)
			return blocked("process_vm_writev");
		return succeeded("process_vm_writev");
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return blocked("open /proc/PID/mem for writing");
	ssize_t n = pwrite(fd, pwned, len, (off_t)addr);
	int e = errno;
	close(fd);
	errno = e;
	if (n != (ssize_t)len)
		return blocked("pwrite /proc/PID/mem");
	return succeeded("pwrite /proc/PID/mem");
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: procattack victim FILE | attach|seize|vmwrite|memwrite|prlimit|nice PID [ADDR]\n");
		return 2;
	}
	const char *op = argv[1];
	if (strcmp(op, "victim") == 0)
		return victim(argv[2]);
	pid_t pid = (pid_t)strtol(argv[2], NULL, 10);
	unsigned long addr = argc > 3 ? strtoul(argv[3], NULL, 0) : 0;

	if (strcmp(op, "attach") == 0) {
		if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0)
			return blocked("PTRACE_ATTACH");
		return traced(pid, "PTRACE_ATTACH");
	}
	if (strcmp(op, "seize") == 0) {
		if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
			return blocked("PTRACE_SEIZE");
		if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0)
			return succeeded("PTRACE_SEIZE (the interrupt failed)");
		return traced(pid, "PTRACE_SEIZE");
	}
	if (strcmp(op, "vmwrite") == 0 || strcmp(op, "memwrite") == 0) {
		if (argc < 4) {
			fprintf(stderr, "procattack: %s needs ADDR\n", op);
			return 2;
		}
		return write_memory(pid, addr, op[0] == 'm');
	}
	if (strcmp(op, "prlimit") == 0) {
		struct rlimit lim;
		if (prlimit(pid, RLIMIT_NOFILE, NULL, &lim) < 0)
			return blocked("prlimit (read)");
		lim.rlim_cur = 17;
		if (prlimit(pid, RLIMIT_NOFILE, &lim, NULL) < 0)
			return blocked("prlimit (set RLIMIT_NOFILE)");
		return succeeded("prlimit RLIMIT_NOFILE=17");
	}
	if (strcmp(op, "nice") == 0) {
		if (setpriority(PRIO_PROCESS, (id_t)pid, 19) < 0)
			return blocked("setpriority");
		return succeeded("setpriority 19");
	}
	fprintf(stderr, "procattack: unknown operation %s\n", op);
	return 2;
}
