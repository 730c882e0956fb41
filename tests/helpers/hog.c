/* SPDX-License-Identifier: MIT
 * hog MAX_MIB: allocates and touches memory 1 MiB at a time, printing the
 * total as it goes. When an allocation fails it does what most runtimes do
 * (Rust, C++ without a handler, V8): abort(), so it dies of SIGABRT. Exits
 * 0 after MAX_MIB MiB (no limit stopped it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hog MAX_MIB\n");
		return 2;
	}
	long max = strtol(argv[1], NULL, 10);
	for (long n = 0; n < max; n++) {
		char *p = malloc(1 << 20);
		if (!p) {
			printf("allocation failed after %ld MiB\n", n);
			fflush(stdout);
			abort();
		}
		memset(p, 1, 1 << 20);
	}
	printf("allocated %ld MiB\n", max);
	return 0;
}
