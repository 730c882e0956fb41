/* SPDX-License-Identifier: MIT
 * The caller's regular files on fds 0-2, relayed through pipes (SECURITY.md,
 * class 7). A descriptor keeps the mount it was opened on: the caller's file
 * is on the host's writable mount, not the sandbox's read-only view, so a
 * command holding it could fchmod, futimens or fsetxattr it (also through
 * /proc/self/fd/N), as its owner under userns. The command gets a pipe
 * instead; the supervisor, outside, copies between the pipe and the file
 * through the caller's own open file description (its offset, O_APPEND). */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define RELAY_MAX 3
#define RELAY_BUF 65536

typedef struct fd_relay {
        int n;
        struct {
                int fds;      /* bitmask of the command's fds (0-2) that share this pipe */
                int orig;     /* the caller's descriptor, kept by the supervisor */
                int mine;     /* the supervisor's end of the pipe, -1 once closed */
                int theirs;   /* the command's end, until the clone */
                bool out;     /* command -> file (else file -> command) */
                char *buf;    /* RELAY_BUF bytes, allocated with the pipe (not on the stack: corral's
                               * peak RSS) */
                size_t len, off; /* file -> command: read but not yet written */
        } v[RELAY_MAX];
        int saved[3];        /* the caller's fds 0-2 while the command's pipes stand in */
        bool pipe_blocked;   /* SIGPIPE blocked here (a command that stops reading its stdin), to be
                              * consumed and unblocked by relay_finish */
} fd_relay;

/* Puts pipes on the fds of mask (bits 0-2) for the clone that follows.
 * Returns 0 or -errno. */
int relay_prepare(fd_relay *rl, unsigned mask);
/* In the parent after the clone: the caller's fds are back on 0-2. */
void relay_parent(fd_relay *rl);
/* In the child after the clone: the caller's files are closed. */
void relay_child(fd_relay *rl);
/* Adds the relay's pollfds to fds (up to RELAY_MAX); returns how many. */
int relay_pollfds(fd_relay *rl, struct pollfd *fds);
/* Moves data for the pollfds relay_pollfds added. */
void relay_step(fd_relay *rl, const struct pollfd *fds, int n);
/* After the sandbox ended: copies what is left (every writer is gone, so the
 * pipes end), then closes everything. */
void relay_finish(fd_relay *rl);
