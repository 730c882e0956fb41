/* SPDX-License-Identifier: MIT */
#include "plan/host_sockets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SO_ACCEPTCON_FLAG 0x10000 /* __SO_ACCEPTCON: the socket listens */

int host_listening_sockets(strv *out) {
        FILE *f = fopen("/proc/net/unix", "re");
        if (!f)
                return -errno;
        char *line = NULL;
        size_t cap = 0;
        int r = 0;
        /* "Num RefCount Protocol Flags Type St Inode Path" */
        if (getline(&line, &cap, f) < 0)
                goto out;
        while (getline(&line, &cap, f) > 0) {
                unsigned long flags;
                int path_at = 0;
                // NOLINTNEXTLINE(cert-err34-c): /proc/net/unix, numbers the kernel wrote
                if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %n", &flags, &path_at) < 1 || path_at == 0)
                        continue;
                char *path = line + path_at;
                path[strcspn(path, "\n")] = 0;
                /* Abstract names start with '@' and relative names cannot be
                 * located; both are handled elsewhere (network namespace,
                 * Landlock scope). */
                if (!(flags & SO_ACCEPTCON_FLAG) || path[0] != '/')
                        continue;
                if ((r = strv_push_unique(out, path)) < 0)
                        break;
        }
out:
        free(line);
        fclose(f);
        return r;
}
