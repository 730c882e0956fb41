/* SPDX-License-Identifier: MIT */
#include "supervise/newrepo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"
#include "common/path.h"
#include "plan/gitinert.h"
#include "kernel/syscalls.h"
#include "plan/gitlayout.h"

/* How Linux looks at a path for gitinert_judge: lstat, never following. */
static gitinert_kind posix_kind(const char *path) {
        struct stat st;
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? GITINERT_MISSING : GITINERT_ERROR;
        return S_ISDIR(st.st_mode) ? GITINERT_DIR : S_ISREG(st.st_mode) ? GITINERT_FILE : GITINERT_OTHER;
}

static int posix_list(const char *path, strv *names) {
        _cleanup_closedir_ DIR *d = opendir(path);
        if (!d)
                return -errno;
        int r = 0;
        struct dirent *e;
        while (r == 0 && (e = readdir(d)))
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        r = strv_push(names, e->d_name);
        return r;
}

bool newrepo_inert(const char *gitdir, const strv *global_hooks, const char **why) {
        const gitinert_fs posix = {.kind = posix_kind, .list = posix_list, .hooks_paths = global_hooks};
        return gitinert_judge(&posix, gitdir, why);
}

/* Made at or after since_ns: by its birth time where the file system keeps
 * one (a repository of the developer's that git merely touched meanwhile is
 * not the command's), else by its change time. Neither can be set back. */
static bool made_since(int dir, const char *name, const struct stat *st, int64_t since_ns) {
        struct statx stx;
        if (statx(dir, name, AT_SYMLINK_NOFOLLOW, STATX_BTIME, &stx) == 0 && (stx.stx_mask & STATX_BTIME))
                return (int64_t)stx.stx_btime.tv_sec * 1000000000 + stx.stx_btime.tv_nsec >= since_ns;
        return (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec >= since_ns;
}

void newrepo_walk(int fd0, const char *path, int64_t since_ns, unsigned *budget,
                  void (*found)(const char *path, const void *data), const void *data) {
        _cleanup_close_ int fd0_owned = fd0;
        if (*budget == 0)
                return;
        (*budget)--;
        _cleanup_closedir_ DIR *d = fdopendir(fd0_owned);
        if (!d) {
                *budget = 0; /* (said as not looked at) */
                return;
        }
        (void)TAKE_FD(fd0_owned); /* d's now */
        struct dirent *e;
        while ((e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                bool dotgit = strcasecmp(e->d_name, ".git") == 0, head = strcmp(e->d_name, "HEAD") == 0;
                if (!dotgit && !head && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                _cleanup_free_ char *sub = path_join(path, e->d_name);
                if (!sub)
                        continue;
                if (dotgit || head) {
                        if (made_since(dirfd(d), e->d_name, &st, since_ns) &&
                            (dotgit || gitlayout_is_git_directory(path)))
                                found(sub, data);
                        if (dotgit)
                                continue;
                }
                if (!S_ISDIR(st.st_mode) || *budget == 0)
                        continue;
                int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0)
                        newrepo_walk(fd, sub, since_ns, budget, found, data);
                else if (errno != ENOENT)
                        *budget = 0; /* (EMFILE: too deep; said as not looked at) */
        }
}

bool newrepo_below(const nested_scan *before, const nested_scan *after, unsigned depth, int64_t since_ns,
                   void (*found)(const char *path, const void *data), const void *data) {
        unsigned budget = NEWREPO_WALK_MAX;
        for (size_t i = 0; i < after->n_dirs && budget; i++) {
                const nested_dir *d = &after->dirs[i];
                if (d->depth != depth)
                        continue;
                /* a new subdirectory changes its parent's change time */
                bool changed = true;
                /* the two scans go in the same order: look at the same
                 * place first, then everywhere */
                for (size_t n = 0; n < before->n_dirs; n++) {
                        const nested_dir *b = &before->dirs[(i + n) % before->n_dirs];
                        if (strcmp(b->path, d->path) == 0) {
                                changed = b->ino != d->ino || b->ctime_ns != d->ctime_ns;
                                break;
                        }
                }
                struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                                       .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
                _cleanup_close_ int fd = changed ? sys_openat2(AT_FDCWD, d->path, &how) : -1;
                _cleanup_closedir_ DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
                if (!dir)
                        continue;
                (void)TAKE_FD(fd); /* dir's now */
                struct dirent *e;
                while ((e = readdir(dir)) && budget) {
                        struct stat st;
                        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
                            strcasecmp(e->d_name, ".git") == 0 ||
                            fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
                            (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec < since_ns)
                                continue;
                        _cleanup_free_ char *sub = path_join(d->path, e->d_name);
                        int sfd = sub ? openat(dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                                      : -1;
                        if (sfd >= 0)
                                newrepo_walk(sfd, sub, since_ns, &budget, found, data);
                }
        }
        return budget > 0;
}
