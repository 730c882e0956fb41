/* SPDX-License-Identifier: MIT */
#include "plan/host_sockets.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/macro.h"

#define SO_ACCEPTCON_FLAG 0x10000 /* /proc/net/unix: __SO_ACCEPTCON, the socket listens */

void host_sockets_free(host_sockets *hs) {
        for (size_t i = 0; i < hs->n; i++) {
                free(hs->v[i].name);
                free(hs->v[i].path);
        }
        free(hs->v);
        free(hs->hints_read);
        *hs = (host_sockets){0};
}

static int add(host_sockets *hs, const char *name, size_t len, uint32_t sk_ino) {
        host_socket *n = realloc(hs->v, (hs->n + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        hs->v = n;
        host_socket *s = &hs->v[hs->n];
        *s = (host_socket){.sk_ino = sk_ino, .uid = -1};
        if (!(s->name = strndup(name, len)))
                return -ENOMEM;
        hs->n++;
        return 0;
}

/* The kernel's own encoding of a device number (MAJOR << 20 | MINOR), which
 * UNIX_DIAG_VFS reports. */
static uint32_t kdev(dev_t d) { return (uint32_t)(major(d) << 20 | (minor(d) & 0xfffff)); }

bool host_socket_is(const host_socket *s, const char *path) {
        struct stat st;
        if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
                return false;
        return !s->has_vfs || (kdev(st.st_dev) == s->vfs_dev && (uint32_t)st.st_ino == s->vfs_ino);
}

/* sock_diag: every unix socket of this network namespace with its bound
 * name, the device and inode of its file and its owner. -errno when the
 * kernel has no unix sock_diag (CONFIG_UNIX_DIAG). */
static int list_diag(host_sockets *hs) {
        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd < 0)
                return -errno;
        struct {
                struct nlmsghdr nlh;
                struct unix_diag_req req;
        } msg = {
                .nlh = {.nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                        .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
                .req = {.sdiag_family = AF_UNIX, .udiag_states = ~0U,
                        .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_UID},
        };
        struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
        int r = 0;
        if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
                return -errno;
        static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
        for (;;) {
                ssize_t got = recv(fd, buf, sizeof(buf), 0);
                if (got < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (got == 0)
                        return 0;
                for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)got); h = NLMSG_NEXT(h, got)) {
                        if (h->nlmsg_type == NLMSG_DONE)
                                return 0;
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *e = NLMSG_DATA(h);
                                return h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error ? e->error : -EIO;
                        }
                        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
                                continue;
                        const struct unix_diag_msg *m = NLMSG_DATA(h);
                        /* Listeners, and datagram sockets that receive. */
                        bool wanted = m->udiag_type == SOCK_DGRAM ||
                                      ((m->udiag_type == SOCK_STREAM || m->udiag_type == SOCK_SEQPACKET) &&
                                       m->udiag_state == TCP_LISTEN);
                        const char *name = NULL;
                        size_t name_len = 0;
                        const struct unix_diag_vfs *vfs = NULL;
                        int64_t uid = -1;
                        int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
                        for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
                                if (a->rta_type == UNIX_DIAG_NAME) {
                                        name = RTA_DATA(a), name_len = RTA_PAYLOAD(a);
                                        name_len = strnlen(name, name_len);
                                } else if (a->rta_type == UNIX_DIAG_VFS && RTA_PAYLOAD(a) >= sizeof(*vfs))
                                        vfs = RTA_DATA(a);
                                else if (a->rta_type == UNIX_DIAG_UID && RTA_PAYLOAD(a) >= sizeof(uint32_t))
                                        uid = *(const uint32_t *)RTA_DATA(a);
                        }
                        /* Abstract names (a leading NUL: name_len 0 here) are
                         * per network namespace, and scoped by Landlock. */
                        if (!wanted || !name || name_len == 0 || !vfs)
                                continue;
                        if ((r = add(hs, name, name_len, m->udiag_ino)) < 0)
                                return r;
                        host_socket *s = &hs->v[hs->n - 1];
                        s->has_vfs = true, s->vfs_dev = vfs->udiag_vfs_dev, s->vfs_ino = vfs->udiag_vfs_ino, s->uid = uid;
                }
        }
}

/* /proc/net/unix, where sock_diag is missing: names and socket inodes only. */
static int list_proc(host_sockets *hs) {
        _cleanup_fclose_ FILE *f = fopen("/proc/net/unix", "re");
        if (!f)
                return -errno;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        int r = 0;
        /* "Num RefCount Protocol Flags Type St Inode Path" */
        if (getline(&line, &cap, f) < 0)
                return 0;
        while (getline(&line, &cap, f) > 0) {
                unsigned long flags, type, ino;
                int path_at = 0;
                // NOLINTNEXTLINE(cert-err34-c): /proc/net/unix, numbers the kernel wrote
                if (sscanf(line, "%*s %*s %*s %lx %lx %*s %lu %n", &flags, &type, &ino, &path_at) < 3 || path_at == 0)
                        continue;
                char *path = line + path_at;
                path[strcspn(path, "\n")] = 0;
                if (!(flags & SO_ACCEPTCON_FLAG) && type != SOCK_DGRAM)
                        continue;
                if (path[0] == '@' || path[0] == 0)
                        continue;
                if ((r = add(hs, path, strlen(path), (uint32_t)ino)) < 0)
                        break;
        }
        return r;
}

/* The canonical path that full (absolute) names: its directory resolved,
 * symlinks and magic links included, its last component kept as it is. */
static char *canonical(const char *full) {
        const char *slash = strrchr(full, '/');
        if (!slash || !slash[1])
                return NULL;
        _cleanup_free_ char *dir = slash == full ? strdup("/") : strndup(full, (size_t)(slash - full));
        if (!dir)
                return NULL;
        _cleanup_free_ char *real = realpath(dir, NULL);
        char *out = NULL;
        if (real && asprintf(&out, "%s/%s", strcmp(real, "/") == 0 ? "" : real, slash + 1) < 0)
                out = NULL;
        return out;
}

/* Tries one spelling of the socket's name; keeps it when it is the file.
 * When the directory is there but the name is not the file (bound under a
 * temporary name and renamed, the usual way to replace a socket
 * atomically), the directory's other sockets are compared by inode. */
static bool try_at(host_socket *s, const char *full) {
        char *c = canonical(full);
        if (!c)
                return false;
        if (host_socket_is(s, c)) {
                free(s->path);
                s->path = c;
                return true;
        }
        bool found = false;
        char *slash = strrchr(c, '/');
        *slash = 0;
        DIR *d = s->has_vfs ? opendir(*c ? c : "/") : NULL;
        struct dirent *e;
        while (d && !found && (e = readdir(d))) {
                char *cand = NULL;
                if ((e->d_type != DT_SOCK && e->d_type != DT_UNKNOWN) || (uint32_t)e->d_ino != s->vfs_ino ||
                    asprintf(&cand, "%s/%s", c, e->d_name) < 0)
                        continue;
                if ((found = host_socket_is(s, cand))) {
                        free(s->path);
                        s->path = cand;
                } else
                        free(cand);
        }
        if (d)
                closedir(d);
        free(c);
        return found;
}

/* The name as the process pid (which holds the socket) meant it. */
static bool try_holder(host_socket *s, long pid) {
        const char *n = s->name;
        char full[8192];
        int k;
        if (strncmp(n, "/proc/self/", 11) == 0)
                k = snprintf(full, sizeof(full), "/proc/%ld/%s", pid, n + 11);
        else if (strncmp(n, "/proc/thread-self/", 18) == 0)
                k = snprintf(full, sizeof(full), "/proc/%ld/%s", pid, n + 18);
        else if (n[0] != '/')
                k = snprintf(full, sizeof(full), "/proc/%ld/cwd/%s", pid, n);
        else /* absolute, but not where we see it: the binder's root may differ (a chroot) */
                k = snprintf(full, sizeof(full), "/proc/%ld/root%s", pid, n);
        return k > 0 && (size_t)k < sizeof(full) && try_at(s, full);
}

/* A process's view of absolute paths: its mount namespace, and the mount
 * and directory of its root. */
typedef struct view {
        dev_t ns_dev;
        ino_t ns_ino;
        uint64_t root_mnt;
        dev_t root_dev;
        ino_t root_ino;
} view;

static bool view_of(const char *ns, const char *root, view *v) {
        struct stat st;
        struct statx sx;
        if (stat(ns, &st) < 0 || statx(AT_FDCWD, root, 0, STATX_BASIC_STATS | STATX_MNT_ID, &sx) < 0 ||
            !(sx.stx_mask & STATX_MNT_ID))
                return false;
        *v = (view){.ns_dev = st.st_dev, .ns_ino = st.st_ino, .root_mnt = sx.stx_mnt_id,
                    .root_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor), .root_ino = sx.stx_ino};
        return true;
}

/* Whether every socket left has an absolute name outside /proc: a holder
 * can then only help through /proc/PID/root (try_holder). */
static bool only_absolute_left(const host_sockets *hs) {
        for (size_t i = 0; i < hs->n; i++)
                if (!hs->v[i].path && (hs->v[i].name[0] != '/' || strncmp(hs->v[i].name, "/proc/", 6) == 0))
                        return false;
        return true;
}

/* For the sockets not found by their name alone: the processes that hold
 * them (/proc/PID/fd: "socket:[N]"), as far as this user may read them.
 * When only absolute names are left, a process whose view is this one's
 * (the same mount namespace, root mount and root directory) resolves them
 * as try_at did already, so its fds are not read: a stale socket (its file
 * removed while it stays bound) no longer costs a readlinkat of every fd
 * of every process on every run, only two stats a process. */
static void locate_by_holders(host_sockets *hs) {
        DIR *proc = opendir("/proc");
        if (!proc)
                return;
        struct dirent *e;
        size_t left = hs->n_unlocated;
        view self;
        bool skip_same = only_absolute_left(hs) && view_of("/proc/self/ns/mnt", "/", &self);
        while (left > 0 && (e = readdir(proc))) {
                char *end;
                long pid = strtol(e->d_name, &end, 10);
                if (*end || pid <= 0)
                        continue;
                if (skip_same) {
                        char ns[64], root[64];
                        view v;
                        snprintf(ns, sizeof(ns), "/proc/%ld/ns/mnt", pid);
                        snprintf(root, sizeof(root), "/proc/%ld/root", pid);
                        if (view_of(ns, root, &v) && v.ns_dev == self.ns_dev && v.ns_ino == self.ns_ino &&
                            v.root_mnt == self.root_mnt && v.root_dev == self.root_dev && v.root_ino == self.root_ino)
                                continue;
                }
                char fddir[64];
                snprintf(fddir, sizeof(fddir), "/proc/%ld/fd", pid);
                DIR *fds = opendir(fddir);
                if (!fds)
                        continue; /* another user's, or gone */
                int dfd = dirfd(fds);
                struct dirent *f;
                while (left > 0 && (f = readdir(fds))) {
                        char link[64];
                        ssize_t l = readlinkat(dfd, f->d_name, link, sizeof(link) - 1);
                        if (l < 10 || strncmp(link, "socket:[", 8) != 0)
                                continue;
                        link[l] = 0;
                        char *close_bracket;
                        unsigned long ino = strtoul(link + 8, &close_bracket, 10);
                        if (*close_bracket != ']')
                                continue;
                        for (size_t i = 0; i < hs->n; i++)
                                if (!hs->v[i].path && hs->v[i].sk_ino == ino && try_holder(&hs->v[i], pid)) {
                                        hs->v[i].holder = pid;
                                        left--;
                                }
                }
                closedir(fds);
        }
        closedir(proc);
        hs->n_unlocated = left;
}

#define HINTS_MAX_SIZE 65536

/* The hints file: one line a socket, "SK_INO VFS_DEV VFS_INO PID". */
static char *read_hints(const char *hints) {
        _cleanup_close_ int fd = open(hints, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        struct stat st;
        char *buf = NULL;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && st.st_size < HINTS_MAX_SIZE &&
            (buf = malloc((size_t)st.st_size + 1))) {
                ssize_t n = read(fd, buf, (size_t)st.st_size);
                if (n != st.st_size) {
                        free(buf);
                        buf = NULL;
                } else
                        buf[n] = 0;
        }
        return buf;
}

/* Each socket not found by its name, through the process that held it last
 * time, if the hints name one: taken only when the file is the socket's
 * (try_at, as for the scan's holders). */
static void locate_by_hints(host_sockets *hs, const char *hints) {
        if (!(hs->hints_read = read_hints(hints)))
                return;
        for (const char *line = hs->hints_read; *line && hs->n_unlocated > 0;) {
                const char *nl = strchr(line, '\n');
                unsigned long v[4];
                char *end = (char *)line;
                int k = 0;
                for (; k < 4; k++) {
                        const char *at = end;
                        v[k] = strtoul(at, &end, 10);
                        if (end == at || (*end != (k < 3 ? ' ' : '\n')))
                                break;
                        end++;
                }
                if (k == 4 && v[3] > 0 && v[3] <= 0x7fffffffUL)
                        for (size_t i = 0; i < hs->n; i++) {
                                host_socket *s = &hs->v[i];
                                if (!s->path && s->has_vfs && s->sk_ino == v[0] && s->vfs_dev == v[1] &&
                                    s->vfs_ino == v[2] && try_holder(s, (long)v[3])) {
                                        s->holder = (long)v[3];
                                        hs->n_unlocated--;
                                }
                        }
                if (!nl)
                        break;
                line = nl + 1;
        }
}

void host_sockets_save_hints(const host_sockets *hs, const char *hints) {
        if (!hints || !hs->scanned_procs)
                return; /* every socket was found by its name or its hint: nothing new */
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (!m)
                return;
        for (size_t i = 0; i < hs->n; i++)
                if (hs->v[i].holder > 0 && hs->v[i].has_vfs)
                        fprintf(m, "%u %u %u %ld\n", hs->v[i].sk_ino, hs->v[i].vfs_dev, hs->v[i].vfs_ino,
                                hs->v[i].holder);
        if (fclose(m) != 0 || len >= HINTS_MAX_SIZE || (len == 0 && !hs->hints_read) ||
            (hs->hints_read && strcmp(buf, hs->hints_read) == 0)) {
                free(buf);
                return;
        }
        _cleanup_free_ char *tmp = NULL;
        int fd = -1;
        if (asprintf(&tmp, "%s.%d", hints, (int)getpid()) >= 0 &&
            (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) >= 0) {
                bool ok = write(fd, buf, len) == (ssize_t)len;
                if (close(fd) != 0 || !ok || rename(tmp, hints) < 0)
                        (void)unlink(tmp);
        }
        free(buf);
}

int host_sockets_find(host_sockets *out, const char *hints) {
        *out = (host_sockets){0};
        int r = list_diag(out);
        if (r == 0)
                out->from_diag = true;
        else {
                host_sockets_free(out);
                if (r == -ENOMEM || (r = list_proc(out)) < 0) {
                        host_sockets_free(out);
                        return r;
                }
        }
        for (size_t i = 0; i < out->n; i++) {
                host_socket *s = &out->v[i];
                bool proc_name = strncmp(s->name, "/proc/", 6) == 0;
                if (s->name[0] == '/' && !proc_name && try_at(s, s->name))
                        continue;
                out->n_unlocated++;
        }
        /* Relative names, names through /proc/self, and files moved since:
         * through last run's holders first, and only then is all of /proc read. */
        if (out->n_unlocated > 0 && out->from_diag && hints)
                locate_by_hints(out, hints);
        if (out->n_unlocated > 0 && out->from_diag) {
                out->scanned_procs = true;
                locate_by_holders(out);
        }
        return 0;
}
