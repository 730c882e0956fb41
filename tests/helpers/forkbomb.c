/* SPDX-License-Identifier: MIT
 * forkbomb DIR MAX: forks children that only wait, until fork fails or MAX
 * children exist; then writes "forked N: REASON" to DIR/full (atomically)
 * and waits until DIR/release exists, so that a test can look at the host
 * while the sandbox is full. Exits 0 if fork failed (the limit held), 1 if
 * MAX children were made. The children die with the sandbox. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: forkbomb DIR MAX\n");
		return 2;
	}
	const char *dir = argv[1];
	long max = strtol(argv[2], NULL, 10);
	long n = 0;
	int err = 0;
	while (n < max) {
		pid_t pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			for (;;)
				pause();
		}
		n++;
	}
	char tmp[4096], full[4096], release[4096];
	snprintf(tmp, sizeof(tmp), "%s/full.tmp", dir);
	snprintf(full, sizeof(full), "%s/full", dir);
	snprintf(release, sizeof(release), "%s/release", dir);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return 2;
	fprintf(f, "forked %ld: %s\n", n, err ? strerror(err) : "no failure");
	fclose(f);
	rename(tmp, full);
	printf("forked %ld: %s\n", n, err ? strerror(err) : "no failure");
	fflush(stdout);
	struct timespec ts = {0, 20 * 1000 * 1000};
	while (access(release, F_OK) < 0)
		nanosleep(&ts, NULL);
	return err ? 0 : 1;
}
