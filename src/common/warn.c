/* SPDX-License-Identifier: MIT */
#include "common/warn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"

static void to_stderr(const char *msg, void *userdata) {
        (void)userdata;
        fprintf(stderr, "corral: %s\n", msg);
}

static corral_warn_handler handler = to_stderr;
static void *handler_data;

void corral_set_warn_handler(corral_warn_handler fn, void *userdata) {
        handler = fn ? fn : to_stderr;
        handler_data = fn ? userdata : NULL;
}

void corral_warn(const char *fmt, ...) {
        char small[1024];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(small, sizeof(small), fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        char *msg = small, *big = NULL;
        if ((size_t)n >= sizeof(small) && (big = malloc((size_t)n + 1))) {
                va_start(ap, fmt);
                vsnprintf(big, (size_t)n + 1, fmt, ap);
                va_end(ap);
                msg = big;
        } /* else: without memory, the message cut at sizeof(small) */
        static const char prefix[] = "corral: ";
        if (strncmp(msg, prefix, sizeof(prefix) - 1) == 0)
                msg += sizeof(prefix) - 1;
        size_t len = strlen(msg);
        if (len > 0 && msg[len - 1] == '\n')
                msg[len - 1] = 0;
        handler(msg, handler_data);
        free(big);
}
