/* SPDX-License-Identifier: MIT */
#include "error.h"

#include <errno.h>
#include <stdio.h>

#undef error_set /* the analyzer's view of it, in error.h */

int error_set(corral_error *err, int r, const char *fmt, ...) {
        if (err) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
                va_end(ap);
        }
        return r;
}

int oom(corral_error *err) { return error_set(err, -ENOMEM, "out of memory"); }
