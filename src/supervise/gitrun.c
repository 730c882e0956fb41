/* SPDX-License-Identifier: MIT
 * The developer's git, run by corral: see supervise/gitrun.h. */
#include "supervise/gitrun.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/syscalls.h"

const char *gitrun_find(void) {
        static const char *const candidates[] = {"/usr/bin/git", "/usr/local/bin/git"};
        for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
                struct stat st;
                if (stat(candidates[i], &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
                    !(st.st_mode & (S_IWGRP | S_IWOTH)) && (st.st_mode & S_IXUSR))
                        return candidates[i];
        }
        return NULL;
}

int gitrun(int repo_fd, const char *git, const char *home, const char *shallow, char *const argv[], int in_fd,
           bool with_stderr, char *out, size_t out_max, size_t *out_n, bool *truncated) {
        char home_env[4200], shallow_env[4200];
        snprintf(home_env, sizeof(home_env), "HOME=%s", home);
        snprintf(shallow_env, sizeof(shallow_env), "GIT_SHALLOW_FILE=%s", shallow ? shallow : "");
        char *const envp[] = {"PATH=/usr/bin:/bin",      "LC_ALL=C", "GIT_DIR=.", "GIT_CONFIG_NOSYSTEM=1",
                              "GIT_CONFIG_GLOBAL=/dev/null", "GIT_LITERAL_PATHSPECS=1", "GIT_NO_REPLACE_OBJECTS=1",
                              home_env, shallow ? shallow_env : NULL, NULL};
        *truncated = false;
        *out_n = 0;
        out[0] = 0;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        pid_t pid = devnull < 0 ? -1 : fork();
        if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                if (dup2(in_fd >= 0 ? in_fd : devnull, 0) < 0 || dup2(p[1], 1) < 0 || dup2(with_stderr ? p[1] : devnull, 2) < 0 ||
                    fchdir(repo_fd) < 0)
                        _exit(126);
                (void)sys_close_range(3, ~0U, 0); /* git gets 0-2 only */
                execve(git, argv, envp);
                _exit(127);
        }
        int e = errno;
        close(p[1]);
        if (devnull >= 0)
                close(devnull);
        if (pid < 0) {
                close(p[0]);
                return -e;
        }
        *out_n = 0;
        for (;;) {
                char buf[4096];
                ssize_t k = read(p[0], buf, sizeof(buf));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                size_t take = (size_t)k < out_max - 1 - *out_n ? (size_t)k : out_max - 1 - *out_n;
                *truncated = *truncated || take < (size_t)k;
                memcpy(out + *out_n, buf, take);
                *out_n += take;
        }
        out[*out_n] = 0;
        close(p[0]);
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
