/* SPDX-License-Identifier: MIT
 * Resource limits as users write them: names and values. Portable. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "common/macro.h"
#include "config/values.h"

static const char *const limit_names[] = {
        [LIMIT_MEMORY] = "memory",
        [LIMIT_PIDS] = "pids",
        [LIMIT_CPU] = "cpu",
        [LIMIT_TMP] = "tmp",
};

const char *policy_limit_to_string(policy_limit l) {
        return (unsigned)l < ELEMENTSOF(limit_names) ? limit_names[l] : NULL;
}

/* Bounds: sizes up to 1 PiB, 4,194,304 processes (the kernel's PID_MAX_LIMIT),
 * a CPU time of about 31 years (as for the timeout). */
uint64_t policy_limit_max(policy_limit l) {
        switch (l) {
        case LIMIT_MEMORY:
        case LIMIT_TMP:
                return 1ULL << 50;
        case LIMIT_PIDS:
                return 4194304;
        case LIMIT_CPU:
                return 1000000000;
        case N_LIMITS:
                break;
        }
        return 0;
}

/* Below these a value is a mistake (a size without its suffix), not a limit. */
uint64_t policy_limit_min(policy_limit l) {
        switch (l) {
        case LIMIT_MEMORY:
                return 1ULL << 20;
        case LIMIT_TMP:
                return 4096;
        case LIMIT_PIDS:
        case LIMIT_CPU:
        case N_LIMITS:
                break;
        }
        return 1;
}

int policy_limit_parse(policy_limit l, const char *s, uint64_t *ret) {
        uint64_t v = 0;
        const char *p = s;
        bool size = l == LIMIT_MEMORY || l == LIMIT_TMP;

        if (!s || (unsigned)l >= N_LIMITS || *s < '0' || *s > '9')
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (v > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t)(*p - '0');
        }
        if (*p) {
                unsigned shift;
                switch (*p) {
                case 'k': case 'K': shift = 10; break;
                case 'm': case 'M': shift = 20; break;
                case 'g': case 'G': shift = 30; break;
                case 't': case 'T': shift = 40; break;
                default: return -EINVAL;
                }
                if (!size || p[1])
                        return -EINVAL;
                if (v > (UINT64_MAX >> shift))
                        return -ERANGE;
                v <<= shift;
        }
        if (v > policy_limit_max(l) || (v > 0 && v < policy_limit_min(l)))
                return -ERANGE;
        *ret = v;
        return 0;
}
