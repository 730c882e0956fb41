/* SPDX-License-Identifier: MIT */
/*
 * swaploop: exchange two paths with renameat2(RENAME_EXCHANGE) as fast as
 * possible, for SECONDS seconds (default 30) or until killed -- the racer of
 * the "swap a path component for a symlink between check and mount" attack.
 * Each exchange is atomic: a name is always either the one or the other.
 *
 *   swaploop A B [SECONDS [MICROSECONDS]]
 *
 * MICROSECONDS (default 100) is the pause after each exchange: how long each
 * state stays in place.
 * Prints the number of exchanges. Exit 0: it swapped at least once. 1: the
 * first exchange failed. 2: usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: swaploop A B [SECONDS]\n");
		return 2;
	}
	time_t end = time(NULL) + (argc > 3 ? strtol(argv[3], NULL, 10) : 30);
	unsigned long n = 0;
	useconds_t pause = argc > 4 ? (useconds_t)strtoul(argv[4], NULL, 10) : 100;
	while (time(NULL) < end) {
		if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
			if (n == 0)
				return blocked("renameat2(RENAME_EXCHANGE)");
			break;
		}
		n++;
		usleep(pause); /* leave each state in place long enough to be met */
	}
	printf("SUCCEEDED: %lu exchanges\n", n);
	return 0;
}
