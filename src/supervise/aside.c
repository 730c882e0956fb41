/* SPDX-License-Identifier: MIT
 * Setting aside by rename (aside.h). */
#include "supervise/aside.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "plan/gitdir.h"
#include "common/warn.h"

int aside_rename(int dir, const char *path, const char *name, const char *why) {
        int r = -EEXIST;
        char to[512];
        /* a random name, new on each clash: the command cannot make every
         * name first to keep what it left in place */
        for (int attempt = 0; attempt < 8 && r == -EEXIST; attempt++) {
                unsigned char rnd[6];
                if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
                        return -EIO;
                snprintf(to, sizeof(to), "%s" GITDIR_REFUSED_MARK "%02x%02x%02x%02x%02x%02x", name, rnd[0], rnd[1], rnd[2],
                         rnd[3], rnd[4], rnd[5]);
                r = renameat2(dir, name, dir, to, RENAME_NOREPLACE) == 0 ? 0 : -errno;
        }
        if (r == 0)
                corral_warn(ASIDE_DONE_FMT, path, why, to);
        else
                corral_warn(ASIDE_FAIL_FMT, path, why, strerror(-r));
        return r;
}
