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
 * the errno of the call that failed after its fds are closed. */
static inline void closep(const int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                (void)close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ __attribute__((cleanup(closep)))

static inline void fclosep(FILE *const *f) {
        if (*f) {
                int saved = errno;
                (void)fclose(*f);
                errno = saved;
        }
}
#define _cleanup_fclose_ __attribute__((cleanup(fclosep)))

static inline void closedirp(DIR *const *d) {
        if (*d) {
                int saved = errno;
                (void)closedir(*d);
                errno = saved;
        }
}
#define _cleanup_closedir_ __attribute__((cleanup(closedirp)))

#define _unused_ __attribute__((unused))

/* Hand ownership of a cleanup-managed pointer to the caller. */
#define TAKE_PTR(p)                      \
        ({                               \
                __typeof__(p) _tp = (p); \
                (p) = NULL;              \
                _tp;                     \
        })

/* Hand ownership of a _cleanup_close_ fd to the caller. */
#define TAKE_FD(fd)                \
        ({                         \
                int _tfd = (fd);   \
                (fd) = -1;         \
                _tfd;              \
        })
