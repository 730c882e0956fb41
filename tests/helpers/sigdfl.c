/* SPDX-License-Identifier: MIT */
/*
 * sigdfl: run COMMAND with every signal at its default disposition and
 * unblocked. A shell starts background jobs with SIGINT and SIGQUIT
 * ignored; the signal-forwarding tests need a corral that can receive them.
 *
 *   sigdfl COMMAND [ARG...]
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	sigset_t all;
	if (argc < 2) {
		fprintf(stderr, "usage: sigdfl COMMAND [ARG...]\n");
		return 2;
	}
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
