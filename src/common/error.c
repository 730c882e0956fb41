/* SPDX-License-Identifier: MIT */
#include "error.h"

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
