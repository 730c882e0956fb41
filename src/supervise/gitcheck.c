/* SPDX-License-Identifier: MIT
 * The check after a --git commits run (gitcheck.h). */
#include "supervise/gitcheck.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply/syscalls.h"
#include "common/macro.h"
#include "common/path.h"
#include "common/readfile.h"
#include "plan/gitindex.h"
#include "supervise/gittodo.h"

#define TODO_MAX (8u << 20)
#define SCAN_DEPTH_MAX 16
#define SCAN_ENTRIES_MAX 200000

static bool ts_before(const struct timespec *a, const struct timespec *b) {
        return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Whether the run made or changed the file at path (it was st before). */
static bool changed(const char *path, const struct stat *before, struct stat *now) {
        if (lstat(path, now) < 0)
                return false;
        return before->st_ino == 0 || now->st_ino != before->st_ino || now->st_dev != before->st_dev ||
               now->st_ctim.tv_sec != before->st_ctim.tv_sec || now->st_ctim.tv_nsec != before->st_ctim.tv_nsec;
}

/* Renames the state directory dir of repo aside and says why. */
static void set_aside(const char *repo, const char *dir, const char *why) {
        _cleanup_free_ char *from = path_join(repo, dir);
        char *to = NULL;
        if (!from || asprintf(&to, "%s.corral-refused-%lld", from, (long long)time(NULL)) < 0) {
                fprintf(stderr, "corral: warning: out of memory while checking %s\n", repo);
                return;
        }
        if (rename(from, to) == 0)
                fprintf(stderr,
                        "corral: the command left %s with %s; a git command outside the sandbox (git rebase "
                        "--continue, git am --continue) would run it. It was set aside as %s, which git does not "
                        "read; HEAD is where the command left it (ORIG_HEAD: where the rebase started)\n",
                        from, why, to);
        else
                fprintf(stderr,
                        "corral: WARNING: the command left %s with %s, and corral could not set it aside (%s): do "
                        "not run git rebase --continue or git am --continue there; run git rebase --abort\n",
                        from, why, strerror(errno));
        free(to);
}

static void check_rebase(const plan *pl, const plan_git_repo *gr) {
        struct stat now;
        /* A link in place of a state directory: git would follow it */
        static const char *const dirs[] = {"rebase-merge", "rebase-apply"};
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *d = path_join(gr->path, dirs[i]);
                if (d && lstat(d, &now) == 0 && !S_ISDIR(now.st_mode) && !ts_before(&now.st_ctim, &pl->planned_at))
                        set_aside(gr->path, dirs[i], "something that is not a directory (a link git would follow)");
        }
        _cleanup_free_ char *todo = path_join(gr->path, "rebase-merge/git-rebase-todo");
        if (todo && changed(todo, &gr->todo, &now)) {
                char *text = NULL;
                size_t len = 0, ll = 0;
                int r = readfile_small(todo, TODO_MAX, 0, &text, &len, NULL);
                const char *bad = r == 0 ? gittodo_unsafe_line(text, len, &ll) : NULL;
                char why[256];
                if (r < 0)
                        snprintf(why, sizeof(why), "a todo list corral cannot read (%s)", strerror(-r));
                else if (bad)
                        snprintf(why, sizeof(why), "a todo list that runs commands (\"%.*s\")", (int)(ll > 80 ? 80 : ll),
                                 bad);
                free(text);
                if (r < 0 || bad)
                        set_aside(gr->path, "rebase-merge", why);
        }
        _cleanup_free_ char *opt = path_join(gr->path, "rebase-apply/apply-opt");
        if (opt && changed(opt, &gr->apply_opt, &now)) {
                char *text = NULL;
                size_t len = 0;
                int r = readfile_small(opt, TODO_MAX, 0, &text, &len, NULL);
                bool bad = r < 0 || gittodo_apply_opt_unsafe(text, len);
                free(text);
                if (bad)
                        set_aside(gr->path, "rebase-apply",
                                  r < 0 ? "an apply-opt corral cannot read"
                                        : "an apply-opt that lets git apply write outside the worktree (--unsafe-paths)");
        }
}

/* Removes what is neither a regular file nor a directory and was made
 * during the run, in the directory open on fd (named path) and, depth > 0,
 * below it. By descriptor, never following a link: a concurrent run could
 * swap a directory here for a link to elsewhere. */
static void scan_special(const plan *pl, int fd, const char *path, int depth, unsigned *budget) {
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        struct dirent *e;
        while ((e = readdir(d)) && *budget > 0) {
                (*budget)--;
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                _cleanup_free_ char *sub = path_join(path, e->d_name);
                if (S_ISDIR(st.st_mode)) {
                        int sfd = depth > 0 ? openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                                            : -1;
                        if (sfd >= 0 && sub)
                                scan_special(pl, sfd, sub, depth - 1, budget);
                        else if (sfd >= 0)
                                close(sfd);
                        continue;
                }
                if (S_ISREG(st.st_mode) || ts_before(&st.st_ctim, &pl->planned_at))
                        continue;
                if (unlinkat(dirfd(d), e->d_name, 0) == 0)
                        fprintf(stderr,
                                "corral: removed %s, %s the command made in a gitdir: git never makes one there, "
                                "and git outside the sandbox would write through it\n",
                                sub ? sub : e->d_name, readfile_type_name(st.st_mode));
                else
                        fprintf(stderr,
                                "corral: WARNING: %s is %s the command made in a gitdir, and corral could not "
                                "remove it (%s): remove it before running git there\n",
                                sub ? sub : e->d_name, readfile_type_name(st.st_mode), strerror(errno));
        }
        closedir(d);
}

/* path (absolute, canonical when planned) opened as a directory without
 * following any link on the way, or -1. */
static int open_dir(const char *path) {
        struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        return sys_openat2(AT_FDCWD, path, &how);
}

/* A gitlink the command added to an index (commits mode: the index is
 * writable) names a repository that was not protected during the run, and
 * git status outside would run git in it: its .git is set aside. Reached
 * from the worktree's top without following a link (git does not look
 * beyond one either, and a link could lead corral to another repository
 * of the developer's). */
static void check_gitlinks(const plan *pl) {
        for (size_t i = 0; i < pl->gitlink_indexes.n; i++) {
                strv links = {0};
                if (gitindex_gitlinks(pl->gitlink_indexes.v[i], &links) < 0) {
                        strv_clear(&links);
                        continue; /* the next run refuses it, naming it */
                }
                int top = open_dir(pl->gitlink_worktrees.v[i]);
                for (size_t k = 0; top >= 0 && k < links.n; k++) {
                        _cleanup_free_ char *path = path_join(pl->gitlink_worktrees.v[i], links.v[k]);
                        struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                                               .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
                                                          RESOLVE_NO_MAGICLINKS};
                        struct stat st;
                        if (!path || strv_contains(&pl->gitlinks, path))
                                continue;
                        int d = sys_openat2(top, links.v[k], &how);
                        if (d < 0)
                                continue;
                        char to[64];
                        snprintf(to, sizeof(to), ".git.corral-refused-%lld", (long long)time(NULL));
                        if (fstatat(d, ".git", &st, AT_SYMLINK_NOFOLLOW) < 0) {
                                close(d);
                                continue;
                        }
                        if (renameat(d, ".git", d, to) == 0)
                                fprintf(stderr,
                                        "corral: the command made %s a submodule in %s, and its repository was "
                                        "writable during the run: git status outside would run git there with "
                                        "that repository's config. Its .git was set aside as %s/%s\n",
                                        path, pl->gitlink_indexes.v[i], path, to);
                        else
                                fprintf(stderr,
                                        "corral: WARNING: the command made %s a submodule, and its repository was "
                                        "writable during the run; corral could not set its .git aside (%s): do "
                                        "not run git in %s before you have looked at it\n",
                                        path, strerror(errno), pl->gitlink_worktrees.v[i]);
                        close(d);
                }
                if (top >= 0)
                        close(top);
                strv_clear(&links);
        }
}

void gitcheck_after_run(const plan *pl) {
        if (pl->n_git_repos)
                check_gitlinks(pl);
        for (size_t i = 0; i < pl->n_git_repos; i++) {
                const plan_git_repo *gr = &pl->git_repos[i];
                check_rebase(pl, gr);
                unsigned budget = SCAN_ENTRIES_MAX;
                int fd = open_dir(gr->path);
                if (fd < 0)
                        continue;
                /* the top first: a link planted for refs/ is gone before
                 * refs/ is looked into */
                int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
                scan_special(pl, fd, gr->path, 0, &budget);
                if (dup_fd < 0)
                        continue;
                static const char *const deep[] = {"refs", "logs", "objects"};
                for (size_t k = 0; k < ELEMENTSOF(deep); k++) {
                        int sfd = openat(dup_fd, deep[k], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        _cleanup_free_ char *sub = path_join(gr->path, deep[k]);
                        if (sfd >= 0 && sub)
                                scan_special(pl, sfd, sub, strcmp(deep[k], "objects") == 0 ? 0 : SCAN_DEPTH_MAX,
                                             &budget);
                        else if (sfd >= 0)
                                close(sfd);
                }
                close(dup_fd);
        }
}
