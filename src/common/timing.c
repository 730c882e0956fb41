/* SPDX-License-Identifier: MIT */
#include "common/timing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static uint64_t local_marks[TP_COUNT];
uint64_t *timing_marks = local_marks;
static uint64_t exec_cpu_ns; /* CPU time before main: exec and dynamic linking */

int timing_enable(void) {
        if (timing_marks != local_marks)
                return 0;
        void *page = mmap(NULL, sizeof(local_marks), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED)
                return -errno;
        memcpy(page, local_marks, sizeof(local_marks));
        timing_marks = page;
        /* The first field of schedstat: ns this task has run on a CPU. By
         * main() that is the kernel's exec and ld.so's work. */
        FILE *f = fopen("/proc/self/schedstat", "re");
        char line[128];
        if (f) {
                if (fgets(line, sizeof(line), f))
                        exec_cpu_ns = strtoull(line, NULL, 10);
                fclose(f);
        }
        return 0;
}

void timing_print(FILE *f) {
        static const char *const what[TP_COUNT] = {
                [TP_MAIN] = "exec of corral and dynamic linking (CPU time before main)",
                [TP_POLICY] = "config and policy",
                [TP_PLAN] = "plan (reads the filesystem: protected names, sockets, git layout)",
                [TP_HOST] = "host bookkeeping (state dir, locks, placeholders)",
                [TP_CLONE] = "clone into the new namespaces",
                [TP_MAPS] = "id maps written",
                [TP_INIT] = "init scheduled in the sandbox",
                [TP_MOUNTS] = "mounts (the filesystem view)",
                [TP_CONFINED] = "capabilities, no_new_privs, Landlock",
                [TP_SECCOMP] = "seccomp filter",
                [TP_EXEC] = "fork of the command, up to its execve",
                [TP_EXITED] = "the command ran (exec, its work, exit)",
                [TP_DONE] = "teardown (host state, after-run checks)",
        };
        if (timing_marks == local_marks)
                return;
        fprintf(f, "corral: timing (ms; phases in order, each from the previous mark):\n");
        fprintf(f, "corral:   %8.3f  %s\n", (double)exec_cpu_ns / 1e6, what[TP_MAIN]);
        uint64_t prev = timing_marks[TP_MAIN], total = 0;
        for (int p = TP_MAIN + 1; p < TP_COUNT; p++) {
                if (!timing_marks[p]) {
                        fprintf(f, "corral:          -  %s (not reached on this backend)\n", what[p]);
                        continue;
                }
                uint64_t d = timing_marks[p] - prev;
                total += d;
                fprintf(f, "corral:   %8.3f  %s\n", (double)d / 1e6, what[p]);
                prev = timing_marks[p];
        }
        fprintf(f, "corral:   %8.3f  total from main() to the end\n", (double)total / 1e6);
}
