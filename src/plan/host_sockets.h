/* SPDX-License-Identifier: MIT
 * The host's unix sockets that a command could reach by a path: listening
 * stream and seqpacket sockets and bound datagram sockets of corral's
 * network namespace. Connecting to a socket needs no write access to the
 * mount it lives on, so a read-only view does not stop it: the plan masks
 * each one where its file is.
 *
 * A socket is identified by what it is, not by the name it was bound with:
 * that name is as the binder passed it (relative to its working directory,
 * through /proc/self/fd/N/..., through a symlinked directory such as
 * /var/run), and the file may since have been renamed. sock_diag
 * (UNIX_DIAG_VFS) gives the device and inode of the bound file; the file is
 * then looked for where its name can point (docs/design.md, "Host sockets").
 * Reads only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct host_socket {
        char *name;       /* as bound, as the kernel reports it */
        char *path;       /* the canonical path of its file, found by device and inode; NULL: not found */
        uint32_t vfs_dev; /* the bound file's device (kernel encoding) and inode (low 32 bits) */
        uint32_t vfs_ino;
        bool has_vfs;     /* false from /proc/net/unix (no sock_diag): located by name alone */
        uint32_t sk_ino;  /* the socket's own (sockfs) inode, as in /proc/PID/fd: "socket:[N]" */
        int64_t uid;      /* owner, -1 when unknown */
        long holder;      /* the process its path was found through (/proc/PID), 0: found by its name */
} host_socket;

typedef struct host_sockets {
        host_socket *v;
        size_t n;
        size_t n_unlocated; /* sockets whose file was not found */
        bool from_diag;     /* listed by sock_diag (else /proc/net/unix) */
        bool scanned_procs; /* a name needed the binders' /proc/PID/{cwd,fd}: every process's fds were read */
        char *hints_read;   /* the hints file as read (NULL: none) */
} host_sockets;

/* Lists and locates the sockets. Returns 0, or a negative errno when neither
 * sock_diag nor /proc/net/unix can be read.
 *
 * hints (NULL: none) names a file of holders an earlier run found: for a
 * socket whose name leads through a process (relative, /proc/self/...), the
 * process it was found through last time is tried before every process's
 * fds are read (a thousand readlinkat and more). A hint is only a candidate:
 * the path it gives is taken only when lstat finds that socket's device and
 * inode there, exactly as for a holder the scan finds, and a socket no hint
 * locates sends the run through the whole scan. So the file can make a run
 * faster, never its masks fewer: what a stale or rewritten hint gives is
 * either that socket's own file or nothing. The caller names a file that
 * the sandboxed command cannot write all the same (corral's state
 * directory), and uses none where it can (the users backend's runner). */
int host_sockets_find(host_sockets *out, const char *hints);
/* Writes the holders found to hints (atomically) when the whole scan ran
 * and they differ from what was read; nothing otherwise. */
void host_sockets_save_hints(const host_sockets *hs, const char *hints);
void host_sockets_free(host_sockets *hs);

/* Whether the file at path (lstat) is the socket's file. */
bool host_socket_is(const host_socket *s, const char *path);
