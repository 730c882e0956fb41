/* SPDX-License-Identifier: MIT
 * Small helpers shared by every part of corral: cleanup attributes and
 * array sizes. Portable (builds with mingw-w64 too).
 *
 * A variable marked _cleanup_X_ is released when it goes out of scope, on
 * every return path. To hand it on (return it, store it in a struct, give it
 * to a function that takes ownership), take it out with TAKE_PTR / TAKE_FD,
 * which leave NULL / -1 behind so that the cleanup does nothing.
 * String lists: _cleanup_strv_ (common/strv.h); plans: _cleanup_plan_
 * (plan/plan.h). */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p) { free(*(void **)p); }
#define _cleanup_free_ __attribute__((cleanup(freep)))

/* The release helpers keep errno, so that an error path may still report
 * the errno of the call that failed after its fds are closed. Called by
 * hand (closep(&fd), to close early or before reusing the variable) they
 * leave -1 / NULL behind. */
static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                (void)close(*fd);
                errno = saved;
                *fd = -1;
        }
}
#define _cleanup_close_ __attribute__((cleanup(closep)))

/* Both ends of a pipe or a socket pair (int fds[2] = {-1, -1}). */
static inline void close_pairp(int (*pair)[2]) {
        closep(&(*pair)[0]);
        closep(&(*pair)[1]);
}
#define _cleanup_close_pair_ __attribute__((cleanup(close_pairp)))

static inline void fclosep(FILE **f) {
        if (*f) {
                int saved = errno;
                (void)fclose(*f);
                errno = saved;
                *f = NULL;
        }
}
#define _cleanup_fclose_ __attribute__((cleanup(fclosep)))

static inline void closedirp(DIR **d) {
        if (*d) {
                int saved = errno;
                (void)closedir(*d);
                errno = saved;
                *d = NULL;
        }
}
#define _cleanup_closedir_ __attribute__((cleanup(closedirp)))

/* Any other: _cleanup_(fn) T x, where fn takes a T *. */
#define _cleanup_(fn) __attribute__((cleanup(fn)))

#define _unused_ __attribute__((unused))

/* Hand ownership of a cleanup-managed pointer to the caller. */
#define TAKE_PTR(p)                      \
        ({                               \
                __typeof__(p) _tp = (p); \
                (p) = NULL;              \
                _tp;                     \
        })

/* Hand ownership of a _cleanup_close_ fd to the caller. (A function, not
 * a statement expression: through its address, static analysers see the
 * fd's last value read, by the cleanup they do not model.) */
static inline int take_fd(int *fd) {
        int r = *fd;
        *fd = -1;
        return r;
}
#define TAKE_FD(fd) take_fd(&(fd))
