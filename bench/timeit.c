/* bench-timeit: run one or more commands many times and report their wall time.
 *
 *   bench-timeit [-n RUNS] [-w WARMUP] [-r RAWFILE] -- LABEL CMD [ARG...] [:: LABEL CMD [ARG...]]...
 *
 * A LABEL written LABEL/K runs that command only every K-th round (for slow
 * commands: they still take turns with the others, in the same run, but
 * record RUNS/K runs).  Every round runs each (due) command once (fork + execvp, stdin/stdout/stderr on
 * /dev/null), so machine noise hits all of them alike; the starting command
 * rotates from round to round so none of them always goes first.  Wall time is
 * measured with CLOCK_MONOTONIC from just before fork() to just after wait4().
 * WARMUP extra rounds run first and are not recorded.
 *
 * Output: one tab-separated line per command, in the order given:
 *   LABEL RUNS MEDIAN_MS P10_MS P90_MS MIN_MS MAXRSS_KIB CPU_MEDIAN_MS
 * MAXRSS_KIB is the largest ru_maxrss wait4() reported for that command over
 * all runs (the process and every descendant it reaped, e.g. a supervisor and
 * the sandboxed command); CPU is user+system time of that process tree.
 * With -r, every recorded run is also written to RAWFILE as
 *   LABEL ROUND WALL_MS CPU_MS MAXRSS_KIB
 * so that a caller can pair the runs of one round (e.g. a median of ratios).
 *
 * Exit status: 0; 1 if a command exited non-zero or died of a signal (the
 * label and status are named on stderr); 2 on a usage or system error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct cmd {
	const char *label;
	char **argv;
	double *wall_ms;
	double *cpu_ms;
	long maxrss_kib;
	long every; /* run in every every-th round */
	long n;     /* recorded runs */
};

static void usage(void)
{
	fprintf(stderr,
		"usage: bench-timeit [-n RUNS] [-w WARMUP] [-r RAWFILE] -- LABEL CMD [ARG...] [:: LABEL CMD [ARG...]]...\n");
	exit(2);
}

static long parse_count(const char *s, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > 1000000) {
		fprintf(stderr, "bench-timeit: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv)
{
	return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

/* Run argv once; returns 0 when it exited 0. */
static int run_once(struct cmd *c, int devnull, int errfd, double *wall, double *cpu, long *rss)
{
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("bench-timeit: fork");
		exit(2);
	}
	if (pid == 0) {
		if (dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0)
			_exit(125);
		execvp(c->argv[0], c->argv);
		int e = errno;
		dprintf(errfd, "bench-timeit: %s: cannot run %s: %s\n", c->label, c->argv[0],
			strerror(e));
		_exit(e == ENOENT ? 127 : 126);
	}
	int status;
	struct rusage ru;
	pid_t w;
	do
		w = wait4(pid, &status, 0, &ru);
	while (w < 0 && errno == EINTR);
	double t1 = now_ms();
	if (w < 0) {
		perror("bench-timeit: wait4");
		exit(2);
	}
	*wall = t1 - t0;
	*cpu = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
	*rss = ru.ru_maxrss;
	if (ru.ru_maxrss > c->maxrss_kib)
		c->maxrss_kib = ru.ru_maxrss;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		fprintf(stderr, "bench-timeit: %s: exited with status %d\n", c->label,
			WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "bench-timeit: %s: killed by signal %d\n", c->label,
			WTERMSIG(status));
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Quantile q in [0,1] of sorted v[0..n-1], linear interpolation between ranks. */
static double quantile(const double *v, long n, double q)
{
	if (n == 1)
		return v[0];
	double pos = q * (double)(n - 1);
	long i = (long)pos;
	if (i >= n - 1)
		return v[n - 1];
	double frac = pos - (double)i;
	return v[i] + (v[i + 1] - v[i]) * frac;
}

int main(int argc, char **argv)
{
	long runs = 100, warmup = 3;
	const char *rawpath = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "+n:w:r:h")) != -1) {
		switch (opt) {
		case 'n': runs = parse_count(optarg, "run count"); break;
		case 'w': warmup = parse_count(optarg, "warm-up count"); break;
		case 'r': rawpath = optarg; break;
		default: usage();
		}
	}
	if (runs < 1 || optind >= argc)
		usage();

	/* Split the rest at "::" into LABEL CMD ARG... groups (argv is NULL-terminated,
	 * so overwriting each "::" with NULL terminates the previous group). */
	struct cmd *cmds = calloc((size_t)argc, sizeof *cmds);
	if (!cmds) {
		perror("bench-timeit");
		return 2;
	}
	int ncmd = 0;
	for (int i = optind; i < argc;) {
		int j = i;
		while (j < argc && strcmp(argv[j], "::") != 0)
			j++;
		if (j - i < 2) {
			fprintf(stderr, "bench-timeit: each group needs a LABEL and a command\n");
			usage();
		}
		cmds[ncmd].label = argv[i];
		cmds[ncmd].argv = &argv[i + 1];
		cmds[ncmd].every = 1;
		char *slash = strrchr(argv[i], '/');
		if (slash) {
			*slash = 0;
			cmds[ncmd].every = parse_count(slash + 1, "round interval");
			if (cmds[ncmd].every < 1 || cmds[ncmd].every > runs)
				usage();
		}
		cmds[ncmd].wall_ms = calloc((size_t)runs, sizeof(double));
		cmds[ncmd].cpu_ms = calloc((size_t)runs, sizeof(double));
		if (!cmds[ncmd].wall_ms || !cmds[ncmd].cpu_ms) {
			perror("bench-timeit");
			return 2;
		}
		ncmd++;
		if (j < argc)
			argv[j] = NULL;
		i = j + 1;
	}

	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int errfd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (devnull < 0 || errfd < 0) {
		perror("bench-timeit: /dev/null");
		return 2;
	}

	FILE *raw = NULL;
	if (rawpath && !(raw = fopen(rawpath, "we"))) {
		fprintf(stderr, "bench-timeit: %s: %s\n", rawpath, strerror(errno));
		return 2;
	}

	for (long r = -warmup; r < runs; r++) {
		long rot = r < 0 ? 0 : r % ncmd;
		for (int k = 0; k < ncmd; k++) {
			struct cmd *c = &cmds[(k + rot) % ncmd];
			double wall, cpu;
			long rss;
			if (r >= 0 && r % c->every != 0)
				continue;
			if (run_once(c, devnull, errfd, &wall, &cpu, &rss) != 0)
				return 1;
			if (r >= 0) {
				c->wall_ms[c->n] = wall;
				c->cpu_ms[c->n] = cpu;
				c->n++;
				if (raw)
					fprintf(raw, "%s\t%ld\t%.3f\t%.3f\t%ld\n", c->label, r, wall, cpu, rss);
			}
		}
	}

	if (raw && fclose(raw) != 0) {
		fprintf(stderr, "bench-timeit: %s: %s\n", rawpath, strerror(errno));
		return 2;
	}

	for (int k = 0; k < ncmd; k++) {
		struct cmd *c = &cmds[k];
		qsort(c->wall_ms, (size_t)c->n, sizeof(double), cmp_double);
		qsort(c->cpu_ms, (size_t)c->n, sizeof(double), cmp_double);
		printf("%s\t%ld\t%.3f\t%.3f\t%.3f\t%.3f\t%ld\t%.3f\n", c->label, c->n,
		       quantile(c->wall_ms, c->n, 0.5), quantile(c->wall_ms, c->n, 0.1),
		       quantile(c->wall_ms, c->n, 0.9), c->wall_ms[0], c->maxrss_kib,
		       quantile(c->cpu_ms, c->n, 0.5));
	}
	return 0;
}
