/* SPDX-License-Identifier: MIT */
#include "runner/refuse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "users/request.h"

int result_fd = -1;

void refuse(const char *fmt, ...) {
        request_result res = {0};
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(res.msg, sizeof(res.msg), fmt, ap);
        va_end(ap);
        if (result_fd < 0 || write(result_fd, &res, sizeof(res)) != (ssize_t)sizeof(res))
                fprintf(stderr, "corral-runner: %s\n", res.msg);
        _exit(EXIT_REFUSED);
}

int read_full(int fd, void *buf, size_t len) {
        size_t got = 0;
        while (got < len) {
                ssize_t n = read(fd, (char *)buf + got, len - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return -EIO;
                got += (size_t)n;
        }
        return 0;
}
