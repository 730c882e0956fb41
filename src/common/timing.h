/* SPDX-License-Identifier: MIT
 * `corral run --timing`: a timeline of one run, phase by phase, so that the
 * next person can see where start-up goes (bench/README.md, "Timeline").
 *
 * Every point is marked on every run (a vDSO clock read, about 20 ns), into
 * process memory; timing_enable() moves the marks into one shared anonymous
 * page first, so that the sandbox's init and the command's process, which
 * are clones of corral, mark into the same page. Marking allocates nothing,
 * so it is allowed between clone and exec. */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <time.h>

typedef enum timing_point {
        TP_MAIN,        /* main() entered */
        TP_POLICY,      /* config read, policy resolved */
        TP_PLAN,        /* plan built */
        TP_HOST,        /* host state ready (state dir, locks, placeholders) */
        TP_CLONE,       /* clone3 returned in the supervisor */
        TP_MAPS,        /* id maps written, init released */
        TP_INIT,        /* init runs in the new namespaces */
        TP_MOUNTS,      /* the mount view is built */
        TP_CONFINED,    /* capabilities, no_new_privs, Landlock done */
        TP_SECCOMP,     /* seccomp filter installed */
        TP_EXEC,        /* the command's process calls execve */
        TP_EXITED,      /* the supervisor learnt that the command exited */
        TP_DONE,        /* host state undone, status ready */
        TP_COUNT
} timing_point;

#ifdef _WIN32 /* the timeline is the Linux backends' */
static inline void timing_mark(timing_point p) { (void)p; }
static inline int timing_enable(void) { return -38; /* ENOSYS */ }
static inline void timing_print(FILE *f) { (void)f; }
#else
extern uint64_t *timing_marks; /* ns, CLOCK_MONOTONIC; 0 = not reached */

static inline void timing_mark(timing_point p) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        timing_marks[p] = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Shares the marks with clones made from now on; 0 or -errno. */
int timing_enable(void);
/* The timeline on f, one line a phase; nothing unless enabled. */
void timing_print(FILE *f);
#endif
