/* SPDX-License-Identifier: MIT
 * libFuzzer target: git's config syntax as corral parses it
 * (src/plan/gitconfig.c), which reads files a hostile repository prepared.
 *
 * Any byte string goes in. Besides what the sanitizers catch, it checks the
 * parser's promises (gitconfig.h): it returns 0 or -EINVAL (never anything
 * else: the callback never fails here); every key it hands out is a C
 * string whose section is lowercase ASCII key characters; a
 * second parse of the same bytes gives the same entries; and a parse
 * stopped by the callback returns the callback's value at once. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/gitconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
        if (!ok) {
                fprintf(stderr, "fuzz_gitconfig: broken promise: %s\n", what);
                abort();
        }
}

typedef struct tally {
        unsigned long hash;
        size_t n, stop_at;
} tally;

static int keychar(int c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

static int entry(const char *key, const char *value, void *data) {
        tally *t = data;
        /* a subsection may hold any byte (a NUL ends the C string there,
         * as it does for git's own callers): only the section is checked */
        const char *dot = strchr(key, '.');
        check(key[0] != 0, "a key is empty");
        for (const char *p = key; dot && p < dot; p++)
                check(keychar(*p), "a section name is not lowercase key characters");
        for (const char *p = key; *p; p++)
                t->hash = t->hash * 31 + (unsigned char)*p;
        for (const char *p = value ? value : ""; *p; p++)
                t->hash = t->hash * 33 + (unsigned char)*p;
        t->hash += value ? 7 : 3;
        if (++t->n == t->stop_at)
                return -1234;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        tally a = {0}, b = {0};
        int r = gitconfig_parse((const char *)data, size, entry, &a);
        check(r == 0 || r == -EINVAL, "it returned something other than 0 or -EINVAL");
        int r2 = gitconfig_parse((const char *)data, size, entry, &b);
        check(r == r2 && a.n == b.n && a.hash == b.hash, "two parses of the same bytes differ");
        if (a.n > 0) {
                tally c = {.stop_at = 1};
                check(gitconfig_parse((const char *)data, size, entry, &c) == -1234 && c.n == 1,
                      "the callback's error did not stop the parse");
        }
        return 0;
}
