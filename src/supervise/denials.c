/* SPDX-License-Identifier: MIT */
#include "supervise/denials.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "apply/notify.h"
#include "apply/seccomp.h"
#include "common/macro.h"
#include "common/path.h"
#include "common/warn.h"

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

int denials_init(denials *d, const plan *pl, int *child_end) {
        *d = (denials){.pl = pl, .sock = -1, .listener = -1};
        *child_end = -1;
        if (!pl->report_denials || !pl->confine)
                return 0;
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                d->unavailable = strdup("cannot create the socket for the listener");
                return 0;
        }
        d->sock = sv[0];
        *child_end = sv[1];
        return 0;
}

int denials_fd(const denials *d) { return d->sock; }

const char *denial_what(const denial *x) { return x->path ? x->path : x->address ? x->address : x->syscall; }

static void set_unavailable(denials *d, const char *why, int err) {
        free(d->unavailable);
        char buf[256];
        snprintf(buf, sizeof(buf), "%s%s%s", why, err ? ": " : "", err ? strerror(err) : "");
        d->unavailable = strdup(buf);
}

static void receive_listener(denials *d) {
        int32_t err = 0;
        struct iovec iov = {.iov_base = &err, .iov_len = sizeof(err)};
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
        ssize_t n = recvmsg(d->sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        closep(&d->sock);
        struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                memcpy(&d->listener, CMSG_DATA(c), sizeof(int));
                struct seccomp_notif_sizes sz;
                if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0) {
                        /* keep it open: closing it would fail the calls it holds */
                        set_unavailable(d, "cannot read the notification sizes", errno);
                        return;
                }
                /* the kernel's sizes, never less than the headers' */
                d->notif_size = sizeof(struct seccomp_notif);
                if (sz.seccomp_notif > d->notif_size)
                        d->notif_size = sz.seccomp_notif;
                d->resp_size = sizeof(struct seccomp_notif_resp);
                if (sz.seccomp_notif_resp > d->resp_size)
                        d->resp_size = sz.seccomp_notif_resp;
                d->notif = calloc(1, d->notif_size);
                d->resp = calloc(1, d->resp_size);
                if (!d->notif || !d->resp)
                        set_unavailable(d, "out of memory", 0);
                fcntl(d->listener, F_SETFL, O_NONBLOCK);
        } else {
                int why = 0; /* what init sent: the errno of its seccomp() */
                if (n == (ssize_t)sizeof(err))
                        memcpy(&why, iov.iov_base, sizeof(why));
                set_unavailable(d, "the sandbox could not install the notifying filter", why);
        }
}

/* --- what the call was --- */

typedef struct call {
        const char *op;
        char *path, *path2; /* absolute, resolved as far as the host can */
        bool create;        /* makes path: refused only if it does not exist yet */
        bool remove;        /* removes path: refused only if it exists */
        bool open;          /* an open with write intent */
        bool open_creat;    /* ... with O_CREAT: refused if it does not exist yet */
        bool open_writes;   /* ... for writing or truncating: refused if it exists */
        bool read;          /* an open for reading (of a hidden path?) */
        uint64_t flags;     /* ... its flags (O_PATH, O_NOFOLLOW) */
        struct sockaddr_storage addr;
        socklen_t addrlen;
} call;

static int read_mem(int mem, uint64_t at, void *buf, size_t size) {
        ssize_t n = pread(mem, buf, size, (off_t)at);
        return n < 0 ? -errno : (int)n;
}

/* A NUL-terminated string at addr in the process, malloc'd. */
static char *read_string(int mem, uint64_t at) {
        char buf[4097];
        int n = read_mem(mem, at, buf, sizeof(buf) - 1);
        if (n <= 0)
                return NULL;
        buf[n] = 0;
        if (strlen(buf) == (size_t)n && n == (int)sizeof(buf) - 1)
                return NULL; /* longer than PATH_MAX: not a path the kernel takes */
        return strdup(buf);
}

static char *read_link(pid_t pid, const char *what) {
        char link[64], buf[4096];
        snprintf(link, sizeof(link), "/proc/%d/%s", pid, what);
        ssize_t n = readlink(link, buf, sizeof(buf) - 1);
        if (n <= 0 || buf[0] != '/')
                return NULL;
        buf[n] = 0;
        return strdup(buf);
}

/* dirfd + path as an absolute path (the directory as /proc shows it). */
static char *resolve_at(int mem, pid_t pid, int64_t dirfd, uint64_t ptr) {
        char *rel = read_string(mem, ptr);
        if (!rel || !rel[0] || path_is_absolute(rel))
                return rel;
        char what[32];
        if ((int)dirfd == AT_FDCWD)
                snprintf(what, sizeof(what), "cwd");
        else
                snprintf(what, sizeof(what), "fd/%d", (int)dirfd);
        char *base = read_link(pid, what);
        char *abs = base ? path_join(base, rel) : NULL;
        free(base);
        free(rel);
        return abs;
}

/* An open: for reading (only a hidden path refuses it), else for writing. */
static void set_open(call *c, uint64_t flags) {
        if (!(flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC))) {
                c->op = "read";
                c->read = true;
                c->flags = flags;
                return;
        }
        c->open = true;
        c->open_creat = flags & O_CREAT;
        c->open_writes = (flags & (O_WRONLY | O_RDWR | O_TRUNC)) != 0;
}

static bool read_call(const struct seccomp_notif *n, int mem, call *c) {
        const __u64 *a = n->data.args;
        pid_t pid = (pid_t)n->pid;
        switch (n->data.nr) {
#ifdef __NR_open
        case __NR_open:
                c->op = "write";
                set_open(c, a[1]);
                return (c->path = resolve_at(mem, pid, AT_FDCWD, a[0]));
        case __NR_creat:
                c->op = "write";
                c->path = resolve_at(mem, pid, AT_FDCWD, a[0]);
                set_open(c, O_CREAT | O_WRONLY | O_TRUNC);
                return c->path;
        case __NR_mkdir:
        case __NR_mknod:
                c->op = "create";
                c->create = true;
                return (c->path = resolve_at(mem, pid, AT_FDCWD, a[0]));
        case __NR_unlink:
        case __NR_rmdir:
                c->op = "remove";
                c->remove = true;
                return (c->path = resolve_at(mem, pid, AT_FDCWD, a[0]));
        case __NR_rename:
                c->op = "rename";
                c->remove = true;
                c->path = resolve_at(mem, pid, AT_FDCWD, a[0]);
                c->path2 = resolve_at(mem, pid, AT_FDCWD, a[1]);
                return c->path;
        case __NR_link:
        case __NR_symlink:
                c->op = "create";
                c->create = true;
                return (c->path = resolve_at(mem, pid, AT_FDCWD, a[1]));
        case __NR_chmod:
                c->op = "chmod";
                return (c->path = resolve_at(mem, pid, AT_FDCWD, a[0]));
#endif
        case __NR_openat:
        case __NR_openat2: {
                uint64_t flags = a[2];
                if (n->data.nr == __NR_openat2) {
                        uint64_t how = 0;
                        if (read_mem(mem, a[2], &how, sizeof(how)) != (int)sizeof(how))
                                return false;
                        flags = how;
                }
                c->op = "write";
                set_open(c, flags);
                return (c->path = resolve_at(mem, pid, (int64_t)a[0], a[1]));
        }
        case __NR_mkdirat:
        case __NR_mknodat:
                c->op = "create";
                c->create = true;
                return (c->path = resolve_at(mem, pid, (int64_t)a[0], a[1]));
        case __NR_unlinkat:
                c->op = "remove";
                c->remove = true;
                return (c->path = resolve_at(mem, pid, (int64_t)a[0], a[1]));
        case __NR_renameat:
        case __NR_renameat2:
                c->op = "rename";
                c->remove = true;
                c->path = resolve_at(mem, pid, (int64_t)a[0], a[1]);
                c->path2 = resolve_at(mem, pid, (int64_t)a[2], a[3]);
                return c->path;
        case __NR_linkat:
                c->op = "create";
                c->create = true;
                return (c->path = resolve_at(mem, pid, (int64_t)a[2], a[3]));
        case __NR_symlinkat:
                c->op = "create";
                c->create = true;
                return (c->path = resolve_at(mem, pid, (int64_t)a[1], a[2]));
        case __NR_fchmodat:
        case NOTIFY_NR_FCHMODAT2:
                c->op = "chmod";
                return (c->path = resolve_at(mem, pid, (int64_t)a[0], a[1]));
        case __NR_truncate:
                c->op = "write";
                c->remove = true; /* refused only if it exists (else ENOENT) */
                return (c->path = resolve_at(mem, pid, AT_FDCWD, a[0]));
        case __NR_connect: {
                if (a[2] < sizeof(sa_family_t) || a[2] > sizeof(c->addr))
                        return false;
                int got = read_mem(mem, a[1], &c->addr, (size_t)a[2]);
                c->op = "connect";
                c->addrlen = (socklen_t)a[2];
                return got == (int)a[2];
        }
        }
        return false;
}

/* --- what the plan says --- */

/* The parent resolved on the host (the sandbox shows the same tree outside
 * its writable places), the last component kept as is. */
static char *host_path(const char *p) {
        char *norm = path_normalize(p);
        if (!norm)
                return NULL;
        char *slash = strrchr(norm, '/');
        if (!slash || slash == norm || !slash[1])
                return norm;
        *slash = 0;
        char *dir = path_canonicalize(norm);
        char *out = dir ? path_join(dir, slash + 1) : NULL;
        free(dir);
        free(norm);
        return out;
}

static bool exists(const char *p) {
        struct stat st;
        return lstat(p, &st) == 0;
}

static const char *protected_name(const plan *pl, const char *p) {
        for (size_t i = 0; i < pl->n_placeholders; i++)
                if (path_is_below_or_equal(p, pl->placeholders[i].path))
                        return pl->placeholders[i].name;
        for (size_t i = 0; i < pl->nested.found.n; i++)
                if (path_is_below_or_equal(p, pl->nested.found.v[i])) {
                        const char *s = strrchr(pl->nested.found.v[i], '/');
                        return s ? s + 1 : pl->nested.found.v[i];
                }
        /* without namespaces: what the Landlock rules leave out */
        for (size_t i = 0; i < pl->nons_kept.n; i++)
                if (path_is_below_or_equal(p, pl->nons_kept.v[i])) {
                        const char *s = strrchr(pl->nons_kept.v[i], '/');
                        return s ? s + 1 : pl->nons_kept.v[i];
                }
        return NULL;
}

/* Whether a write there is within a Landlock write rule of the plan. */
static bool writable(const plan *pl, const char *p, bool existing_file) {
        for (size_t i = 0; i < pl->n_rules; i++) {
                const landlock_rule *r = &pl->rules[i];
                if (!(r->access & (LL_WRITE_ALL | LL_WRITE_FILE)))
                        continue;
                if ((r->access & LL_WRITE_ALL) ? path_is_below_or_equal(p, r->path)
                                               : existing_file && strcmp(p, r->path) == 0)
                        return true;
        }
        return false;
}

/* Without namespaces the rules are on single entries too (a writable root
 * with a protected name beneath is granted entry by entry): making or
 * removing p needs a write rule on its directory, as Landlock checks it. */
static bool entry_writable(const plan *pl, const char *p) {
        _cleanup_free_ char *dir = strdup(p);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (!slash)
                return false;
        *(slash == dir ? slash + 1 : slash) = 0;
        for (size_t i = 0; i < pl->n_rules; i++)
                if ((pl->rules[i].access & LL_WRITE_ALL) && path_is_below_or_equal(dir, pl->rules[i].path))
                        return true;
        return false;
}

static bool below_any(const char *p, const strv *list) {
        for (size_t i = 0; i < list->n; i++)
                if (path_is_below_or_equal(p, list->v[i]))
                        return true;
        return false;
}

static char *tilde(const plan *pl, const char *dir) {
        /* the developer's ~, also in the users backend's runner, whose own
         * home is the sandbox user's */
        const char *home = pl->policy.report_home ? pl->policy.report_home : pl->policy.home;
        size_t n = home ? strlen(home) : 0;
        char buf[4200];
        if (n && strncmp(dir, home, n) == 0 && (dir[n] == '/' || !dir[n]))
                snprintf(buf, sizeof(buf), "~%s", dir + n);
        else
                snprintf(buf, sizeof(buf), "%s", dir);
        return strdup(buf);
}

void denials_add(denials *d, const char *op, const char *path, const char *address, const char *syscall,
                 const char *rule, const char *allow_with) {
        if (!op || !rule || (!!path + !!address + !!syscall) != 1)
                return;
        const char *what = path ? path : address ? address : syscall;
        for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->v[i].op, op) == 0 && strcmp(d->v[i].rule, rule) == 0 && strcmp(denial_what(&d->v[i]), what) == 0)
                        return;
        if (d->n == DENIALS_MAX) {
                /* FNV-1a of the three strings */
                uint64_t h = 14695981039346656037ULL;
                const char *parts[] = {op, rule, what};
                for (size_t k = 0; k < 3; k++)
                        for (const char *s = parts[k];; s++) {
                                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
                                if (!*s)
                                        break;
                        }
                for (size_t i = 0; i < d->n_seen; i++)
                        if (d->seen[i] == h)
                                return;
                if (!d->seen)
                        d->seen = calloc(DENIALS_SEEN, sizeof(*d->seen));
                if (d->seen && d->n_seen < DENIALS_SEEN)
                        d->seen[d->n_seen++] = h;
                d->more++;
                return;
        }
        denial *x = &d->v[d->n++];
        x->op = strdup(op);
        x->path = path ? strdup(path) : NULL;
        x->address = address ? strdup(address) : NULL;
        x->syscall = syscall ? strdup(syscall) : NULL;
        x->rule = strdup(rule);
        x->allow_with = allow_with ? strdup(allow_with) : NULL;
}

static void judge_path(denials *d, const char *op, const char *raw, const call *c, bool second) {
        const plan *pl = d->pl;
        _cleanup_free_ char *p = host_path(raw);
        if (!p)
                return;
        /* /proc and /dev: magic links and devices the rules do not describe */
        if (strncmp(p, "/proc/", 6) == 0 || strncmp(p, "/dev/", 5) == 0 || strcmp(p, "/proc") == 0 ||
            strcmp(p, "/dev") == 0)
                return;
        /* Calls that fail for another reason first (EEXIST, ENOENT), or that
         * do not write at all (O_CREAT on an existing file, read-only). The
         * second path (a rename's destination) is refused either way. */
        bool there = exists(p);
        if (!second && ((c->create && there) || (c->remove && !there) ||
                        (c->open && !there && !c->open_creat) || (c->open && there && !c->open_writes)))
                return;
        /* makes or removes the entry (else writes an existing file) */
        bool entry = second || c->create || (!c->open && c->remove && strcmp(op, "write") != 0) ||
                     (c->open && !there);
        /* Without namespaces the Landlock rules are the whole boundary (and
         * TMPDIR lies in corral's state, left out around it): what they
         * grant is refused, if at all, by file permissions alone. */
        if (pl->nonamespace && (entry ? entry_writable(pl, p) : writable(pl, p, there)))
                return;
        const char *name = protected_name(pl, p);
        char rule[300], allow[4300];
        if (name) {
                snprintf(rule, sizeof(rule), "protected name %s", name);
                denials_add(d, op, p, NULL, NULL, rule, NULL);
        } else if (pl->nonamespace && entry && below_any(p, &pl->nons_roots)) {
                /* inside a writable root, beside what must stay unwritable:
                 * no -w makes it writable */
                denials_add(d, op, p, NULL, NULL,
                            "beside a protected name (without namespaces nothing is created, removed or renamed "
                            "there)",
                            NULL);
        } else if (pl->nonamespace || !writable(pl, p, there && c->open)) {
                char *dir = strdup(p);
                char *slash = dir ? strrchr(dir, '/') : NULL;
                if (slash)
                        *(slash == dir ? slash + 1 : slash) = 0;
                char *t = dir ? tilde(pl, dir) : NULL;
                if (pl->policy.mode == MODE_READ_ONLY && path_is_below_or_equal(p, pl->policy.workspace))
                        snprintf(allow, sizeof(allow), "--mode workspace-write");
                else
                        snprintf(allow, sizeof(allow), "-w %s", t ? t : "DIR");
                denials_add(d, op, p, NULL, NULL, "outside the writable roots", allow);
                free(t);
                free(dir);
        }
}

/* --- reads of hidden paths --- */

/* The hidden path (plan.hidden) at or above p, or NULL. */
static const char *hidden_root(const plan *pl, const char *p) {
        for (size_t i = 0; i < pl->hidden.n; i++)
                if (path_is_below_or_equal(p, pl->hidden.v[i]))
                        return pl->hidden.v[i];
        return NULL;
}

/* Whether the allow-read skeleton below root keeps p: an allowed path,
 * something beneath one, or a directory on the way to one. */
static bool carved(const plan *pl, const char *root, const char *p, bool *skeleton) {
        *skeleton = false;
        for (size_t i = 0; i < pl->unhidden.n; i++) {
                const char *u = pl->unhidden.v[i];
                if (!path_is_below_or_equal(u, root))
                        continue;
                *skeleton = true;
                if (path_is_below_or_equal(p, u) || path_is_below_or_equal(u, p))
                        return true;
        }
        return false;
}

#define READ_HOPS 8

/* p (absolute, normalized) as the sandbox resolves it: component by
 * component in the command's root (rootfd: /proc/PID/root), each symlink
 * followed (the last one unless nofollow), and the walk stopped at the
 * first hidden path, which nothing looks beneath (the rest is appended as
 * it is). NULL when it cannot be followed; then no report. */
static char *sandbox_path(const plan *pl, int rootfd, const char *p, bool nofollow) {
        char *todo = path_normalize(p), *cur = strdup("/");
        int hops = 0;
        while (todo && cur && todo[0]) {
                char *s = todo;
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                char *e = strchr(s, '/');
                size_t len = e ? (size_t)(e - s) : strlen(s);
                char comp[256];
                if (len >= sizeof(comp))
                        goto fail;
                memcpy(comp, s, len);
                comp[len] = 0;
                char *rest = strdup(e ? e : "");
                if (!rest)
                        goto fail;
                free(todo);
                todo = rest;
                char *next = strcmp(comp, ".") == 0 ? strdup(cur) : path_join(cur, comp);
                char *norm = next ? path_normalize(next) : NULL; /* ".." lexically, cur being resolved */
                free(next);
                if (!norm)
                        goto fail;
                free(cur);
                cur = norm;
                if (hidden_root(pl, cur)) {
                        char *out = path_join(cur, todo[0] == '/' ? todo + 1 : todo);
                        char *full = out ? path_normalize(out) : NULL;
                        free(out);
                        free(cur);
                        free(todo);
                        return full;
                }
                if (!todo[0] && nofollow)
                        break;
                char target[4096];
                ssize_t n = cur[1] ? readlinkat(rootfd, cur + 1, target, sizeof(target) - 1) : -1;
                if (n <= 0)
                        continue; /* not a symlink, missing, or not reachable: as it is */
                target[n] = 0;
                if (++hops > READ_HOPS)
                        goto fail;
                /* the target replaces the component: an absolute one from /, a
                 * relative one from the link's directory */
                char *slash = strrchr(cur, '/');
                *(slash == cur ? slash + 1 : slash) = 0;
                if (target[0] == '/') {
                        free(cur);
                        cur = strdup("/");
                }
                size_t size = strlen(target) + strlen(todo) + 2;
                char *joined = malloc(size);
                if (!joined)
                        goto fail;
                snprintf(joined, size, "%s/%s", target, todo);
                free(todo);
                todo = joined;
        }
        free(todo);
        return cur;
fail:
        free(todo);
        free(cur);
        return NULL;
}

/* "/proc/self/root/x", "/proc/N/root/x" (N's root is the sandbox's: the
 * filter refuses chroot and pivot_root) as "/x"; p normalized. */
static const char *proc_root_stripped(const char *p) {
        while (strncmp(p, "/proc/", 6) == 0) {
                const char *s = p + 6, *e = strchr(s, '/');
                if (!e || strncmp(e, "/root", 5) != 0 || (e[5] && e[5] != '/'))
                        break;
                bool digits = e > s;
                for (const char *q = s; q < e; q++)
                        digits &= *q >= '0' && *q <= '9';
                if (!digits && strncmp(s, "self/", 5) != 0 && strncmp(s, "thread-self/", 12) != 0)
                        break;
                p = e[5] ? e + 5 : "/";
        }
        return p;
}

/* An open for reading: recorded when it ends at or beneath a hidden path
 * that the plan refuses there (a mask: anything at or beneath it; an
 * allow-read skeleton: what it leaves out; without namespaces: what the
 * sandbox user's file permissions refuse, checked here as that user). */
static void judge_read(denials *d, int rootfd, const call *c) {
        const plan *pl = d->pl;
        if (!pl->hidden.n || rootfd < 0 || !path_is_absolute(c->path))
                return;
        _cleanup_free_ char *norm = path_normalize(c->path);
        if (!norm)
                return;
        _cleanup_free_ char *p = sandbox_path(pl, rootfd, proc_root_stripped(norm), (c->flags & O_NOFOLLOW) != 0);
        const char *root = p ? hidden_root(pl, p) : NULL;
        if (!root)
                return;
        bool skeleton = false;
        if (carved(pl, root, p, &skeleton))
                return;
        if (pl->nonamespace) {
                /* the supervisor is the sandbox user: what it cannot read,
                 * the command cannot (an O_PATH open needs only the search) */
                if ((c->flags & O_PATH) ? faccessat(AT_FDCWD, p, F_OK, AT_EACCESS) == 0 || errno != EACCES
                                        : faccessat(AT_FDCWD, p, R_OK, AT_EACCESS) == 0 || errno != EACCES)
                        return;
        } else {
                /* an O_PATH open of the mask itself needs no permission; in a
                 * skeleton what the developer does not have is missing there
                 * too (ENOENT, not a refusal) */
                if ((c->flags & O_PATH) && strcmp(p, root) == 0)
                        return;
                if (skeleton && !exists(p))
                        return;
        }
        char *tr = tilde(pl, root), *tp = tilde(pl, p);
        char rule[4200], allow[4400];
        snprintf(rule, sizeof(rule), "deny-read %s", tr ? tr : root);
        const char *given = NULL; /* an --allow-read the sandbox user could not reach */
        for (size_t i = 0; i < pl->unreachable.n && !given; i++)
                if (path_is_below_or_equal(p, pl->unreachable.v[i]) || path_is_below_or_equal(pl->unreachable.v[i], p))
                        given = pl->unreachable.v[i];
        char *tg = given ? tilde(pl, given) : NULL;
        if (given)
                snprintf(allow, sizeof(allow),
                         "file permissions that let the sandbox user reach it (--allow-read %s is given)",
                         tg ? tg : given);
        else if (pl->nonamespace)
                snprintf(allow, sizeof(allow), "--allow-read %s, and file permissions that let the sandbox user read it",
                         tp ? tp : p);
        else
                snprintf(allow, sizeof(allow), "--allow-read %s", tp ? tp : p);
        denials_add(d, "read", p, NULL, NULL, rule, allow);
        free(tg);
        free(tr);
        free(tp);
}

static void judge_connect(denials *d, const call *c) {
        if (d->pl->policy.network != NETWORK_OFF)
                return;
        char host[INET6_ADDRSTRLEN], addr[INET6_ADDRSTRLEN + 16];
        if (c->addr.ss_family == AF_INET && c->addrlen >= sizeof(struct sockaddr_in)) {
                const struct sockaddr_in *s = (const struct sockaddr_in *)&c->addr;
                if ((ntohl(s->sin_addr.s_addr) >> 24) == 127)
                        return;
                inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
                snprintf(addr, sizeof(addr), "%s:%u", host, ntohs(s->sin_port));
        } else if (c->addr.ss_family == AF_INET6 && c->addrlen >= sizeof(struct sockaddr_in6)) {
                const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&c->addr;
                if (IN6_IS_ADDR_LOOPBACK(&s->sin6_addr) ||
                    (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr) && s->sin6_addr.s6_addr[12] == 127))
                        return;
                inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
                snprintf(addr, sizeof(addr), "[%s]:%u", host, ntohs(s->sin6_port));
        } else
                return;
        denials_add(d, "connect", NULL, addr, NULL, "network off", "--network on");
}

/* The answer to a notification: keyed on the system call's number and
 * ABI as the kernel reports them, never on the process's memory. A call the
 * boundary refuses gets its errno back, never "continue"; "continue" only
 * for the calls the write-report program hands over, which the boundary
 * allowed (the filter ends at its ERRNO before it runs that program); any
 * other notification (there is none) fails with ENOSYS. */
static void answer(const struct seccomp_notif *n, struct seccomp_notif_resp *resp) {
        resp->id = n->id;
        resp->flags = 0;
        resp->val = 0;
        int refused = n->data.arch == NOTIFY_ARCH ? seccomp_refused_errno(n->data.nr) : ENOSYS;
        if (refused)
                resp->error = -refused;
        else if (notify_continues(n->data.nr))
                resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        else
                resp->error = -ENOSYS;
}

static void judge_refused(denials *d, const struct seccomp_notif *n) {
        const sc_rule *r = seccomp_refused_rule(n->data.nr, (const uint64_t *)n->data.args);
        if (r)
                denials_add(d, "syscall", NULL, NULL, r->syscall, r->why, NULL);
}

/* false when there was nothing to read */
static bool handle_one(denials *d) {
        struct seccomp_notif *n = d->notif;
        memset(n, 0, d->notif_size);
        if (ioctl(d->listener, SECCOMP_IOCTL_NOTIF_RECV, n) < 0)
                return errno != EAGAIN; /* or the caller was interrupted (ENOENT) */
        struct seccomp_notif_resp *resp = d->resp;
        memset(resp, 0, d->resp_size);
        answer(n, resp);
        if (!(resp->flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE)) {
                /* refused: what it was is in the notification (the kernel's
                 * copy of the registers); nothing to read from the process */
                ioctl(d->listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
                if (n->data.arch == NOTIFY_ARCH)
                        judge_refused(d, n);
                return true;
        }
        call c = {0};
        char mem_path[64];
        snprintf(mem_path, sizeof(mem_path), "/proc/%u/mem", n->pid);
        _cleanup_close_ int mem = open(mem_path, O_RDONLY | O_CLOEXEC);
        bool ok = mem >= 0 && read_call(n, mem, &c);
        closep(&mem);
        /* a read is judged in the command's own view (its /tmp, its masks) */
        _cleanup_close_ int rootfd = -1;
        if (ok && c.read && d->pl->hidden.n) {
                char root_path[64];
                snprintf(root_path, sizeof(root_path), "/proc/%u/root", n->pid);
                rootfd = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        }
        /* What was read belongs to this call only if it is still waiting
         * (the pid was not reused meanwhile). */
        uint64_t id = n->id;
        bool valid = ioctl(d->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
        ioctl(d->listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
        if (ok && valid) {
                /* chmod is no Landlock right: without namespaces only the
                 * file's owner decides (nothing the plan refuses) */
                bool chmod_nons = d->pl->nonamespace && strcmp(c.op ? c.op : "", "chmod") == 0;
                if (c.read) {
                        if (c.path)
                                judge_read(d, rootfd, &c);
                } else if (c.path && !chmod_nons)
                        judge_path(d, c.op, c.path, &c, false);
                /* a rename's destination, when its source is there to move */
                if (c.path2 && c.path && exists(c.path))
                        judge_path(d, c.op, c.path2, &c, true);
                if (strcmp(c.op ? c.op : "", "connect") == 0)
                        judge_connect(d, &c);
        }
        free(c.path);
        free(c.path2);
        return true;
}

static void *answer_loop(void *arg) {
        denials *d = arg;
        for (;;) {
                struct pollfd p = {.fd = d->listener, .events = POLLIN};
                int n = poll(&p, 1, -1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 || (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
                        break; /* no task uses the filter any more */
                if (p.revents & POLLIN)
                        handle_one(d);
        }
        return NULL;
}

void denials_handle(denials *d) {
        if (d->sock < 0)
                return;
        receive_listener(d);
        if (d->listener < 0 || d->unavailable || d->running)
                return;
        /* the signals the supervisor takes through its signalfd stay blocked
         * in the thread (it inherits the mask) */
        if (pthread_create(&d->thread, NULL, answer_loop, d) != 0) {
                /* nobody would answer: the calls would wait until the run ends */
                set_unavailable(d, "cannot start the thread that answers the notifications", errno);
                d->fatal = true;
                return;
        }
        d->running = true;
}

bool denials_stop(denials *d) {
        if (!d->running)
                return true;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 5;
        if (pthread_timedjoin_np(d->thread, NULL, &ts) != 0)
                return false;
        d->running = false;
        return true;
}

void denials_print(const denials *d, bool verbose) {
        if (d->unavailable && verbose)
                corral_warn("no denial reports this run: %s", d->unavailable);
        size_t shown = verbose ? d->n : (d->n > 3 ? 2 : d->n);
        for (size_t i = 0; i < shown; i++) {
                const denial *x = &d->v[i];
                char *t = x->path ? tilde(d->pl, x->path) : NULL;
                corral_warn("denied: %s %s (%s%s%s)", x->op, t ? t : denial_what(x), x->rule,
                        x->allow_with ? "; allow with " : "", x->allow_with ? x->allow_with : "");
                free(t);
        }
        size_t rest = d->n - shown + d->more;
        if (rest)
                corral_warn("denied: %zu more%s", rest,
                            verbose ? " (not recorded)" : " (--verbose or the status record lists them)");
}

void denials_done(denials *d) {
        closep(&d->sock);
        closep(&d->listener);
        for (size_t i = 0; i < d->n; i++) {
                free(d->v[i].op);
                free(d->v[i].path);
                free(d->v[i].address);
                free(d->v[i].syscall);
                free(d->v[i].rule);
                free(d->v[i].allow_with);
        }
        free(d->notif);
        free(d->resp);
        free(d->seen);
        free(d->unavailable);
        *d = (denials){.sock = -1, .listener = -1};
}
