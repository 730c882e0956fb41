/* SPDX-License-Identifier: MIT
 * libFuzzer target: a loose tree as corral checks it before taking a
 * --git commits run's objects (src/supervise/gitobject.c): the input is
 * the tree's contents, which a hostile command may write as it likes (git
 * hash-object --literally); the harness makes the loose object (header,
 * zlib) and names it by its SHA-1, so the tree check is what decides.
 * Besides what the sanitizers catch, it checks the header's promises: 0 or
 * -EINVAL, a reason whenever refused, the same answer twice; and that an
 * accepted tree is as git writes it (one of git's modes, a NUL after each
 * name, whole entries). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "common/sha1.h"
#include "supervise/gitobject.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
        if (!ok) {
                fprintf(stderr, "fuzz_gitobject: broken promise: %s\n", what);
                abort();
        }
}

static int judge(const unsigned char *z, size_t zn, const char *id, char *why) {
        int fd = memfd_create("fuzz", 0);
        check(fd >= 0 && write(fd, z, zn) == (ssize_t)zn && lseek(fd, 0, SEEK_SET) == 0, "a memfd to read");
        int r = gitobject_check_loose(fd, GITOBJECT_SHA1, id, why, 300);
        close(fd);
        return r;
}

/* whole entries: "MODE NAME\0" and 20 bytes each */
static int whole(const uint8_t *p, size_t n) {
        for (size_t at = 0; at < n;) {
                const uint8_t *nul = memchr(p + at, 0, n - at);
                if (!nul || (size_t)(nul - p) + 21 > n)
                        return 0;
                at = (size_t)(nul - p) + 21;
        }
        return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char head[32];
        int h = snprintf(head, sizeof(head), "tree %zu", size) + 1;
        unsigned char *raw = malloc((size_t)h + size + 1);
        check(raw != NULL, "memory");
        memcpy(raw, head, (size_t)h);
        if (size)
                memcpy(raw + h, data, size);
        uint8_t d[20];
        sha1(raw, (size_t)h + size, d);
        char id[41];
        for (size_t i = 0; i < 20; i++)
                snprintf(id + 2 * i, 3, "%02x", d[i]);
        uLongf zn = compressBound((uLong)((size_t)h + size));
        unsigned char *z = malloc(zn);
        check(z && compress(z, &zn, raw, (uLong)((size_t)h + size)) == Z_OK, "compress");
        char why[300] = "", why2[300] = "";
        int r = judge(z, zn, id, why);
        int r2 = judge(z, zn, id, why2);
        check(r == 0 || r == -EINVAL, "returns 0 or -EINVAL");
        check(r == r2 && strcmp(why, why2) == 0, "the same answer twice");
        check(r == 0 || why[0], "a reason when refused");
        check(r != 0 || whole(data, size), "an accepted tree is whole entries");
        check(r != 0 || size == 0 || memchr("14", data[0], 2), "an accepted tree starts with a mode git writes");
        free(z);
        free(raw);
        return 0;
}
