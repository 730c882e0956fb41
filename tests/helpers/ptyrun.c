/* SPDX-License-Identifier: MIT */
/*
 * ptyrun: run COMMAND on a new pseudo-terminal (as its controlling terminal,
 * on fds 0-2), copy what it writes to our stdout, and afterwards report any
 * input left queued on that terminal -- that is what a TIOCSTI attack leaves
 * for the shell that started the sandbox.
 *
 *   ptyrun COMMAND [ARG...]
 *
 * Exit: COMMAND's status (128+N on signal N), or 99 if input was left queued.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void copy_out(int master)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(master, buf, sizeof buf)) > 0)
		if (write(1, buf, (size_t)n) < 0)
			break;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ptyrun COMMAND [ARG...]\n");
		return 2;
	}
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
		perror("ptyrun: posix_openpt");
		return 2;
	}
	const char *name = ptsname(master);
	int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		perror("ptyrun: open slave");
		return 2;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("ptyrun: fork");
		return 2;
	}
	if (pid == 0) {
		setsid();
		if (ioctl(slave, TIOCSCTTY, 0) < 0)
			_exit(2);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		execvp(argv[1], argv + 1);
		_exit(127);
	}

	fcntl(master, F_SETFL, O_NONBLOCK);
	int status = 0;
	for (;;) {
		struct pollfd pfd = { .fd = master, .events = POLLIN };
		poll(&pfd, 1, 50);
		copy_out(master);
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	copy_out(master);

	/* Whatever is still in the terminal's input queue would be read by
	 * the next program reading the terminal: the user's shell. */
	struct termios t;
	tcgetattr(slave, &t);
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	tcsetattr(slave, TCSANOW, &t);
	char queued[256];
	ssize_t n = read(slave, queued, sizeof queued - 1);
	if (n > 0) {
		queued[n] = 0;
		printf("\nptyrun: PENDING-INPUT on the terminal: %s\n", queued);
		return 99;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
