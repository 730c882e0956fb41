/* SPDX-License-Identifier: MIT */
#include "apply/limits.h"

#include <errno.h>
#include <sys/resource.h>

static int set(int resource, uint64_t v) {
        if (!v)
                return 0;
        struct rlimit rl = {.rlim_cur = (rlim_t)v, .rlim_max = (rlim_t)v};
        struct rlimit old;
        /* Never raise what the caller already had: a lower limit stays. */
        if (getrlimit(resource, &old) == 0 && old.rlim_max != RLIM_INFINITY && old.rlim_max < rl.rlim_max)
                rl.rlim_cur = rl.rlim_max = old.rlim_max;
        return setrlimit(resource, &rl) < 0 ? -errno : 0;
}

int limits_apply(const plan_limits *l) {
        int r;
        if ((r = set(RLIMIT_DATA, l->rlimit_data)) < 0 || (r = set(RLIMIT_NPROC, l->rlimit_nproc)) < 0 ||
            (r = set(RLIMIT_CPU, l->rlimit_cpu)) < 0)
                return r;
        return 0;
}
