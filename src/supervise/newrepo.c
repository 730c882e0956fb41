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
#include "common/readfile.h"
#include "plan/gitconfig.h"
#include "kernel/syscalls.h"
#include "plan/gitlayout.h"

/* Keys that make git run nothing and name no file git reads: what git init
 * and git clone write, and what an agent sets in a repository of its own
 * (user.name). Anything else (core.fsmonitor, core.hooksPath, include.path,
 * alias.*, filter.*, submodule.*, core.worktree, ...) makes the repository
 * one to set aside. "*" matches one subsection. */
static const char *const harmless[] = {
        "core.repositoryformatversion", "core.filemode", "core.bare", "core.logallrefupdates",
        "core.ignorecase", "core.precomposeunicode", "core.symlinks", "core.autocrlf", "core.eol", "core.safecrlf",
        "core.quotepath", "core.sparsecheckout", "core.sparsecheckoutcone", "core.checkstat", "core.trustctime",
        "extensions.objectformat", "extensions.refstorage", "extensions.partialclone", "user.name", "user.email",
        "remote.*.url", "remote.*.pushurl", "remote.*.fetch", "remote.*.push", "remote.*.tagopt", "remote.*.prune",
        "remote.*.mirror", "remote.*.promisor", "remote.*.partialclonefilter", "branch.*.remote", "branch.*.merge",
        "branch.*.rebase", "branch.*.pushremote", "branch.*.description", "init.defaultbranch", "pull.rebase",
        "pull.ff", "push.default", "push.autosetupremote", "fetch.prune", "gc.auto", "color.ui",
        "lfs.repositoryformatversion", "i18n.commitencoding",
};

/* key is "section.key" or "section.sub.key" (the subsection may hold dots);
 * pattern "section.*.key" matches the second form, "section.key" the first. */
static bool key_matches(const char *key, const char *pattern) {
        const char *star = strstr(pattern, ".*.");
        if (!star)
                return strcmp(key, pattern) == 0;
        size_t sec = (size_t)(star - pattern) + 1; /* "remote." */
        const char *tail = star + 2;               /* ".url" */
        size_t klen = strlen(key), tlen = strlen(tail);
        return klen > sec + tlen && strncmp(key, pattern, sec) == 0 && strcmp(key + klen - tlen, tail) == 0;
}

static int check_key(const char *key, const char *value, void *data) {
        (void)value;
        for (size_t i = 0; i < ELEMENTSOF(harmless); i++)
                if (key_matches(key, harmless[i]))
                        return 0;
        snprintf(data, 100, "%s", key); /* the parser's key lives only for this call */
        return -EPERM;
}

static bool missing(const char *dir, const char *name) {
        _cleanup_free_ char *p = path_join(dir, name);
        struct stat st;
        return p && lstat(p, &st) < 0 && errno == ENOENT;
}

bool newrepo_inert(const char *gitdir, const char **why) {
        struct stat st;
        if (lstat(gitdir, &st) < 0 || !S_ISDIR(st.st_mode))
                return *why = "it is not a directory (a .git file or a link leads git elsewhere)", false;
        const char *const absent[] = {"commondir", "config.worktree", "modules", "worktrees"};
        for (size_t i = 0; i < ELEMENTSOF(absent); i++)
                if (!missing(gitdir, absent[i]))
                        return *why = "it holds a commondir, config.worktree, modules/ or worktrees/", false;

        _cleanup_free_ char *config = path_join(gitdir, "config");
        if (!config)
                return *why = "out of memory", false;
        if (lstat(config, &st) == 0) {
                _cleanup_free_ char *text = NULL;
                size_t len;
                mode_t type;
                if (!S_ISREG(st.st_mode) || readfile_small(config, 1 << 20, 0, &text, &len, &type) < 0)
                        return *why = "its config is not a small regular file", false;
                static char text_why[160];
                char bad[100] = "";
                int r = gitconfig_parse(text, len, check_key, bad);
                if (r == -EPERM) {
                        snprintf(text_why, sizeof(text_why), "its config sets %s, which may make git run something",
                                 bad);
                        return *why = text_why, false;
                }
                if (r < 0)
                        return *why = "its config does not parse", false;
        } else if (errno != ENOENT)
                return *why = "its config cannot be examined", false;

        _cleanup_free_ char *hooks = path_join(gitdir, "hooks");
        if (!hooks)
                return *why = "out of memory", false;
        if (lstat(hooks, &st) < 0)
                return errno == ENOENT ? true : (*why = "its hooks cannot be examined", false);
        if (!S_ISDIR(st.st_mode))
                return *why = "its hooks is not a directory", false;
        DIR *d = opendir(hooks);
        if (!d)
                return *why = "its hooks cannot be listed", false;
        bool ok = true;
        struct dirent *e;
        while (ok && (e = readdir(d))) {
                size_t n = strlen(e->d_name);
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                struct stat hst;
                ok = n > 7 && strcmp(e->d_name + n - 7, ".sample") == 0 && fstatat(dirfd(d), e->d_name, &hst,
                                                                                    AT_SYMLINK_NOFOLLOW) == 0 &&
                     S_ISREG(hst.st_mode);
        }
        closedir(d);
        if (!ok)
                *why = "its hooks/ holds a hook (not a *.sample)";
        return ok;
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
                  void (*found)(const char *path, void *data), void *data) {
        if (*budget == 0) {
                close(fd0);
                return;
        }
        (*budget)--;
        DIR *d = fdopendir(fd0);
        if (!d) {
                close(fd0);
                *budget = 0; /* (said as not looked at) */
                return;
        }
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
        closedir(d);
}

bool newrepo_below(const nested_scan *before, const nested_scan *after, unsigned depth, int64_t since_ns,
                   void (*found)(const char *path, void *data), void *data) {
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
                int fd = changed ? sys_openat2(AT_FDCWD, d->path, &how) : -1;
                DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
                if (!dir) {
                        if (fd >= 0)
                                close(fd);
                        continue;
                }
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
                closedir(dir);
        }
        return budget > 0;
}
