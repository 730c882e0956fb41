/* SPDX-License-Identifier: MIT
 * libFuzzer target: a git index as corral reads it for its gitlinks
 * (src/plan/gitindex.c), an index a hostile command may have written (with
 * --git commits it can). Besides what the sanitizers catch, it checks the
 * parser's promises (gitindex.h): 0 or -EINVAL (never another value, never
 * a crash on any bytes); every path it hands out is a non-empty C string; a
 * second parse gives the same paths. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/gitindex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
        if (!ok) {
                fprintf(stderr, "fuzz_gitindex: broken promise: %s\n", what);
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        strv a = {0}, b = {0};
        int r = gitindex_parse(data, size, &a);
        check(r == 0 || r == -EINVAL || r == -ENOMEM, "returns 0 or -EINVAL");
        int r2 = gitindex_parse(data, size, &b);
        check(r == r2, "the same result twice");
        if (r == 0) {
                check(a.n == b.n, "the same number of gitlinks twice");
                for (size_t i = 0; i < a.n; i++) {
                        check(a.v[i] && a.v[i][0], "a gitlink's path is not empty");
                        check(strcmp(a.v[i], b.v[i]) == 0, "the same gitlinks twice");
                }
        }
        strv_clear(&a);
        strv_clear(&b);
        return 0;
}
