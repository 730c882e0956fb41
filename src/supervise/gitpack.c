/* SPDX-License-Identifier: MIT
 * A pack indexed by the developer's git: see supervise/gitpack.h. */
#include "supervise/gitpack.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervise/gitrun.h"

#define OUT_MAX 4096

static int copy_to(int in, const char *path) {
        int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0)
                return -errno;
        char buf[65536];
        int r = 0;
        for (;;) {
                ssize_t k = read(in, buf, sizeof(buf));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        r = k < 0 ? -errno : 0;
                        break;
                }
                for (ssize_t at = 0; at < k && r == 0;) {
                        ssize_t w = write(out, buf + at, (size_t)(k - at));
                        if (w < 0)
                                r = -errno;
                        else
                                at += w;
                }
                if (r < 0)
                        break;
        }
        if (close(out) < 0 && r == 0)
                r = -errno;
        return r;
}

/* git index-pack; its output (stdout and stderr, the first OUT_MAX bytes)
 * in out. The exit status, or -errno. */
static int run_index_pack(int repo_fd, const char *git, const char *home, const char *pack, const char *idx,
                          char *out, size_t *out_n) {
        char *const argv[] = {"git", "-c", "core.fsmonitor=", "-c", "core.hooksPath=/dev/null", "index-pack",
                              "--strict", "--no-rev-index", "-o", (char *)idx, (char *)pack, NULL};
        bool more;
        return gitrun(repo_fd, git, home, NULL, argv, -1, true, out, OUT_MAX, out_n, &more);
}

/* git's first line, printable, for a message. */
static void first_line(const char *out, char *buf, size_t len) {
        size_t n = strcspn(out, "\n");
        if (n > 200)
                n = 200;
        size_t j = 0;
        for (size_t i = 0; i < n && j + 1 < len; i++) {
                char c = out[i];
                if (c < 0x20 || c == 0x7f)
                        c = '?';
                buf[j++] = c;
        }
        buf[j] = 0;
}

int gitpack_index(int repo_fd, const char *work_dir, int fd, const char *hex, int *pack, int *idx, char *why,
                  size_t why_len) {
        *pack = *idx = -1;
        const char *git = gitrun_find();
        if (!git) {
                snprintf(why, why_len,
                         "a pack, which corral imports once git has indexed it outside the sandbox, and there is no "
                         "git owned by root at /usr/bin/git or /usr/local/bin/git to do it");
                return -ENOENT;
        }
        char pp[4200], ip[4200];
        snprintf(pp, sizeof(pp), "%s/p.pack", work_dir);
        snprintf(ip, sizeof(ip), "%s/p.idx", work_dir);
        if (mkdir(work_dir, 0700) < 0 && errno != EEXIST) {
                int e = errno;
                snprintf(why, why_len, "a pack: cannot make %s to index it in (%s)", work_dir, strerror(e));
                return -e;
        }
        (void)unlink(pp);
        (void)unlink(ip);
        int r = copy_to(fd, pp);
        if (r < 0) {
                snprintf(why, why_len, "a pack: cannot copy it to %s to index it (%s)", pp, strerror(-r));
                return r;
        }
        char out[OUT_MAX] = "";
        size_t n = 0;
        int st = run_index_pack(repo_fd, git, work_dir, pp, ip, out, &n);
        char line[256];
        first_line(out, line, sizeof(line));
        if (st < 0) {
                snprintf(why, why_len, "a pack: cannot run %s index-pack (%s)", git, strerror(-st));
                return st;
        }
        if (st != 0) {
                snprintf(why, why_len, "a pack that git index-pack --strict refuses (exit %d: %s)", st, line);
                return -EINVAL;
        }
        if (strcmp(line, hex) != 0) {
                snprintf(why, why_len, "a pack whose name is not its checksum (git index-pack says %s)", line);
                return -EINVAL;
        }
        *pack = open(pp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        *idx = *pack < 0 ? -1 : open(ip, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (*idx < 0) {
                int e = errno;
                if (*pack >= 0)
                        close(*pack);
                *pack = -1;
                snprintf(why, why_len, "a pack: cannot open git's index of it (%s)", strerror(e));
                return -e;
        }
        return 0; /* (the copies go with work_dir, once installed) */
}
