/* SPDX-License-Identifier: MIT */
#include "runner/handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/error.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static int write_full(int fd, const void *buf, size_t len) {
        for (size_t off = 0; off < len;) {
                ssize_t n = write(fd, (const char *)buf + off, len - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
                off += (size_t)n;
        }
        return 0;
}

int state_hand_over(const runner_state *st, const void *head, size_t head_len) {
        int fd = memfd_create("corral-runner-state", MFD_CLOEXEC | MFD_ALLOW_SEALING), r = 0;
        if (fd < 0)
                return -errno;
        if ((r = write_full(fd, st, sizeof(*st))) < 0 || (r = write_full(fd, head, head_len)) < 0)
                goto fail;
        if (fcntl(fd, F_ADD_SEALS, SEALS) < 0) {
                r = -errno;
                goto fail;
        }
        if (fd == STATE_FD)
                return fcntl(fd, F_SETFD, 0) < 0 ? -errno : 0;
        r = dup2(fd, STATE_FD) < 0 ? -errno : 0; /* the copy is not close-on-exec */
fail:
        close(fd);
        return r;
}

int state_take_over(runner_state *st, char **head, size_t *head_len, corral_error *err) {
        *head = NULL;
        int seals = fcntl(STATE_FD, F_GET_SEALS);
        if (seals < 0 || (seals & SEALS) != SEALS) {
                return error_set(err, -EPERM, "no sealed state on fd %d", STATE_FD);
        }
        off_t size = lseek(STATE_FD, 0, SEEK_END);
        if (pread(STATE_FD, st, sizeof(*st), 0) != (ssize_t)sizeof(*st) || memcmp(st->magic, STATE_MAGIC, 4) != 0 ||
            st->version != STATE_VERSION || st->size != sizeof(*st) || st->head_len > REQUEST_MAX_HEAD ||
            size != (off_t)(sizeof(*st) + st->head_len)) {
                return error_set(err, -EPERM, "the state on fd %d is not this version's", STATE_FD);
        }
        *head_len = st->head_len;
        *head = malloc(st->head_len ? st->head_len : 1);
        if (!*head || pread(STATE_FD, *head, st->head_len, sizeof(*st)) != (ssize_t)st->head_len) {
                free(*head);
                *head = NULL;
                return error_set(err, -EIO, "cannot read the state on fd %d", STATE_FD);
        }
        close(STATE_FD);
        return 0;
}
