/* SPDX-License-Identifier: MIT */
#include "supervise/nestedcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "apply/host.h"
#include "common/macro.h"
#include "common/path.h"
#include "common/warn.h"
#include "kernel/syscalls.h"
#include "plan/gitlayout.h"
#include "supervise/aside.h"
#include "supervise/newrepo.h"

/* A .git or a HEAD (protected names: config.c) that the command made below
 * the top of a writable root, or moved there, in a directory that was there
 * before the run (the scan saw it, the same inode): git run in that directory
 * or below it, a directory of the developer's, takes the new repository
 * before it looks further up for the workspace's .git, and runs what its
 * config names (core.fsmonitor on every git status; a directory with HEAD,
 * objects/ and refs/ is a bare repository, and core.worktree gives it a
 * worktree). In a directory the run made (git init new, git clone) the new
 * repository reaches only git run there: reported, like the other names. */
static bool captures_existing_dir(const plan *pl, const char *path) {
        const char *base = strrchr(path, '/');
        if (!base || base == path || (strcasecmp(base + 1, ".git") != 0 && strcasecmp(base + 1, "HEAD") != 0))
                return false;
        _cleanup_free_ char *dir = strndup(path, (size_t)(base - path));
        struct stat st;
        if (!dir || lstat(dir, &st) < 0)
                return false;
        for (size_t i = 0; i < pl->nested.n_dirs; i++) {
                const nested_dir *d = &pl->nested.dirs[i];
                if (strcmp(d->path, dir) == 0)
                        return d->dev == (uint64_t)st.st_dev && d->ino == (uint64_t)st.st_ino;
        }
        return false;
}

/* Sets such a repository aside: renamed, whatever it holds; why says what
 * it is (NULL: a capture of a directory that was there before the run). */
static void set_aside_capture(const char *path, const char *why) {
        const char *base = strrchr(path, '/');
        _cleanup_free_ char *dir = strndup(path, (size_t)(base - path));
        struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        _cleanup_close_ int fd = dir ? sys_openat2(AT_FDCWD, dir, &how) : -ENOMEM;
        if (fd < 0) {
                corral_warn("WARNING: the command created %s, which makes its directory a repository to git, and "
                            "corral could not open that directory to set it aside (%s): do not run git there "
                            "before you have looked at it",
                            path, strerror(-fd));
                return;
        }
        aside_rename(fd, path, base + 1,
                     why                                 ? why
                     : strcasecmp(base + 1, "HEAD") == 0 ? GITINERT_CAPTURE_HEAD_WHY
                                                         : GITINERT_CAPTURE_GIT_WHY);
}

/* A .git or HEAD the command made in a directory of its own (git init new,
 * git clone URL dir): git run there later (the developer's, or an IDE's
 * that finds the repositories below the workspace) runs what its config and
 * hooks name. Unless it holds nothing git would run (newrepo.c), it is set
 * aside; true then. */
static bool new_repository_runs(const plan *pl, const char *path) {
        const char *base = strrchr(path, '/');
        if (!base || base == path || (strcasecmp(base + 1, ".git") != 0 && strcmp(base + 1, "HEAD") != 0))
                return false;
        bool head = strcmp(base + 1, "HEAD") == 0;
        _cleanup_free_ char *dir = strndup(path, (size_t)(base - path));
        if (!dir || (head && !gitlayout_is_git_directory(dir)))
                return false;
        const char *why = NULL;
        if (newrepo_inert(head ? dir : path, &pl->git_global_hooks, &why))
                return false;
        char text[400];
        snprintf(text, sizeof(text), GITINERT_RUNS_WHY_FMT, why);
        set_aside_capture(path, text);
        return true;
}

static void found_deep(const char *path, const void *data) {
        const plan *pl = data;
        if (!new_repository_runs(pl, path))
                corral_warn(GITINERT_DEEP_FMT, path, pl->policy.nested.depth);
}

/* Whether path is, or lies in, one of this run's placeholders for a missing
 * name (below the top only for a name held inside a directory, as mise's
 * .config/mise.toml is) or an object it held read-only: then the command
 * did not make it. Another run's placeholders may be there, made while
 * this one ran (the users backend's runner sees the developer's corral's
 * placeholders as existing, read-only objects). */
static bool not_the_commands(const plan *pl, const char *path) {
        for (size_t i = 0; i < pl->n_placeholders; i++)
                if (pl->placeholders[i].missing && path_is_below_or_equal(path, pl->placeholders[i].path))
                        return true;
        for (size_t i = 0; i < pl->n_protected; i++)
                if (path_is_below_or_equal(path, pl->protected[i].path))
                        return true;
        return false;
}

/* Below the scan's depth: the repositories the command made there
 * (newrepo.c), each set aside unless it holds nothing git would run. */
static void walk_deep(const plan *pl, const nested_scan *after, int64_t since_ns) {
        if (!newrepo_below(&pl->nested, after, pl->policy.nested.depth, since_ns, found_deep, pl))
                corral_warn(GITINERT_WALK_SHORT_FMT, NEWREPO_WALK_MAX);
}

void nestedcheck_after_run(const plan *pl, int64_t since_ns) {
        _cleanup_strv_ strv created = {0};
        _cleanup_strv_ strv replaced = {0};
        if (pl->nested.n_dirs) {
                nested_scan after;
                corral_error e = {{0}};
                /* the scan again, kept where the next run starts from (apply/host.h) */
                if (host_nested_after(pl, &after, &created, &replaced, &e) < 0)
                        corral_warn("warning: cannot check for protected names the command created: %s", e.msg);
                else
                        walk_deep(pl, &after, since_ns);
                nested_scan_free(&after);
        }
        for (size_t i = 0; i < created.n; i++)
                if (captures_existing_dir(pl, created.v[i]))
                        set_aside_capture(created.v[i], NULL);
                else if (!not_the_commands(pl, created.v[i]) && !new_repository_runs(pl, created.v[i]))
                        corral_warn(GITINERT_CREATED_FMT, created.v[i]);
        for (size_t i = 0; i < pl->n_protected; i++) {
                const protected_obj *o = &pl->protected[i];
                struct stat st;
                if (!o->known || o->at_top)
                        continue; /* held by name (a placeholder, maybe: corral takes it away) */
                bool there = lstat(o->path, &st) == 0;
                if (there && (uint64_t)st.st_dev == o->dev && (uint64_t)st.st_ino == o->ino)
                        continue;
                corral_warn("warning: %s, protected during this run, is %s (device %llu, inode %llu): it was "
                            "moved or replaced from outside this sandbox while the command ran. Look at %s before "
                            "running git or an IDE there: hooks and config in it run outside the sandbox",
                            o->path, there ? "no longer the object corral protected" : "gone",
                            (unsigned long long)o->dev, (unsigned long long)o->ino, there ? "it" : "what is there now");
        }
        for (size_t i = 0; i < replaced.n; i++)
                if (captures_existing_dir(pl, replaced.v[i]))
                        set_aside_capture(replaced.v[i], NULL);
                else if (!plan_is_protected(pl, replaced.v[i]))
                        corral_warn(GITINERT_REPLACED_FMT, replaced.v[i]);
}
