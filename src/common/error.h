/* SPDX-License-Identifier: MIT
 * The one error record every layer fills (struct corral_error, from the
 * public header): a message that names the path, option, config key or kernel
 * feature involved. Portable. */
#pragma once

#include <stdarg.h>

#include "corral.h"

/* Formats the message into err (if non-NULL) and returns r (a negative
 * errno), so callers can write: return error_set(err, -EINVAL, "..."). */
int error_set(corral_error *err, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* error_set(err, -ENOMEM, "out of memory"): the one copy. */
int oom(corral_error *err);

#ifdef __clang_analyzer__
/* clang's static analyzer (tests/lint/run.sh) does not look into calls to
 * variadic functions, so it would not know that error_set returns r and
 * would follow every "return error_set(...)" as if it had succeeded. */
#define error_set(err, r, ...)                                       \
        __extension__({                                              \
                int error_set_r_ = (r);                              \
                (error_set)((err), error_set_r_, __VA_ARGS__);       \
                error_set_r_;                                        \
        })
#endif
