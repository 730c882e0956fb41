/* SPDX-License-Identifier: MIT
 * The developer's git, run by corral outside the sandbox on a repository
 * the command wrote (to index its packs, supervise/gitpack.h; to list what
 * its commits hold, supervise/gittips.h).
 *
 * The git is /usr/bin/git or /usr/local/bin/git (the first there, a
 * regular file owned by root that only root can write: never one found on
 * PATH, which can name a directory the command writes), with an
 * environment of its own (PATH=/usr/bin:/bin, LC_ALL=C, GIT_DIR=., no
 * system or global config, no replace refs, literal pathspecs, HOME a
 * private directory), in the repository (by descriptor), stdin /dev/null
 * or a descriptor of corral's, its output read by corral, no other
 * descriptor of corral's open in it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* That git, or NULL when there is none. */
const char *gitrun_find(void);

/* Runs git with argv in the repository open on repo_fd, HOME=home, stdin
 * in_fd (-1: /dev/null); shallow: the file git takes for the repository's
 * shallow commits (GIT_SHALLOW_FILE; NULL: the repository's own, a
 * command in place may have written it); its output (stdout, and stderr
 * when with_stderr, the first out_max - 1 bytes) in out, NUL-terminated,
 * *out_n bytes, and *truncated when there was more (read to its end all
 * the same). The exit status (128 + the signal for one killed), or -errno. */
int gitrun(int repo_fd, const char *git, const char *home, const char *shallow, char *const argv[], int in_fd,
           bool with_stderr, char *out, size_t out_max, size_t *out_n, bool *truncated);
