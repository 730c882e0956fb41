/* SPDX-License-Identifier: MIT
 * The check after a --git commits run (gitcheck.h). Everything goes by
 * descriptor from the gitdir (or the worktree's top), never following a
 * link: a concurrent run could swap a directory for a link to elsewhere. */
#include "supervise/gitcheck.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/caches.h"
#include "apply/host.h"
#include "kernel/syscalls.h"
#include "common/macro.h"
#include "common/path.h"
#include "common/readfile.h"
#include "common/warn.h"
#include "plan/gitdir.h"
#include "plan/gitindex.h"
#include "plan/gitlayout.h"
#include "plan/gitprotect.h"
#include "supervise/aside.h"
#include "supervise/gitrefs.h"
#include "supervise/gitverify.h"

#define SCAN_ENTRIES_MAX 500000
#define SCAN_DEPTH_MAX 32
#define MARKER_MAX (1u << 20)
#define SNAPSHOT_MAX (64u << 20)

static bool ts_newer(const struct timespec *t, const struct timespec *since) { return gitverify_since(t, since); }

/* Made since: the birth time where the filesystem keeps one, else the
 * change time (which renames and writes also move: more is refused). */
static bool born_since(int dir, const char *name, const struct timespec *since) {
        struct statx sx;
        if (statx(dir, name, AT_SYMLINK_NOFOLLOW, STATX_BTIME | STATX_CTIME, &sx) < 0)
                return false;
        struct statx_timestamp t = (sx.stx_mask & STATX_BTIME) ? sx.stx_btime : sx.stx_ctime;
        return ts_newer(&(struct timespec){t.tv_sec, t.tv_nsec}, since);
}

/* Whether anything in the tree at name (in dir) changed since (its own
 * change time or any below it). */
static bool changed_since(int dir, const char *name, const struct timespec *since, int depth, unsigned *budget) {
        struct stat st;
        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return false;
        if (ts_newer(&st.st_ctim, since) || !S_ISDIR(st.st_mode))
                return ts_newer(&st.st_ctim, since) || !S_ISREG(st.st_mode);
        if (depth <= 0)
                return true; /* too deep to tell: refused */
        int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return true;
        }
        bool changed = false;
        struct dirent *e;
        while (!changed && (e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                changed = !*budget || changed_since(dirfd(d), e->d_name, since, depth - 1, budget);
                if (*budget)
                        (*budget)--;
        }
        closedir(d);
        return changed;
}

static int open_dir(int at, const char *path, bool beneath) {
        struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
                                          (beneath ? RESOLVE_BENEATH : 0)};
        return sys_openat2(at, path, &how);
}

/* Removes what is neither a regular file nor a directory and changed
 * since, in the directory open on fd (named path) and below it. A
 * directory whose own change time is older had no entry made, moved in or
 * linked in since (each moves it; no entry changes its type in place): of
 * its entries only the directories are looked into, which readdir's type
 * tells without a stat (the loose objects: gitverify.c stats those). */
static void scan_special(int fd, const char *path, const struct timespec *since, int depth, unsigned *budget) {
        struct stat ds;
        bool quiet = fstat(fd, &ds) == 0 && !ts_newer(&ds.st_ctim, since);
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        struct dirent *e;
        while ((e = readdir(d)) && *budget > 0) {
                (*budget)--;
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
                    (quiet && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                _cleanup_free_ char *sub = path_join(path, e->d_name);
                if (S_ISDIR(st.st_mode)) {
                        int sfd = depth > 0 ? openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                                            : -1;
                        if (sfd >= 0 && sub)
                                scan_special(sfd, sub, since, depth - 1, budget);
                        else if (sfd >= 0)
                                close(sfd);
                        continue;
                }
                if (S_ISREG(st.st_mode) || !ts_newer(&st.st_ctim, since))
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

/* The entries of modules/ or worktrees/ (open at fd, taken; shown as path)
 * made since: repositories git would adopt (git submodule update --init
 * takes modules/NAME as the submodule's gitdir), set aside. A directory
 * that was there and is no git directory is looked into: a submodule's
 * name may have slashes (modules/lib/evil below the developer's
 * modules/lib/a). A git directory's own entries are its check's
 * (check_repo): git refuses a submodule's gitdir inside another's. */
static void check_adopted(int fd, const char *path, const struct timespec *since, int depth) {
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        struct dirent *e;
        /* (renames during readdir may show an entry twice: set aside once,
         * the second one finds nothing) */
        while ((e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
                    strstr(e->d_name, GITDIR_REFUSED_MARK))
                        continue;
                _cleanup_free_ char *sub = path_join(path, e->d_name);
                if (born_since(dirfd(d), e->d_name, since)) {
                        aside_rename(dirfd(d), sub ? sub : e->d_name, e->d_name, GITDIR_ADOPTED_WHY);
                        continue;
                }
                int s = depth > 0 && sub && !gitlayout_is_git_directory(sub)
                                ? openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                                : -1;
                if (s >= 0)
                        check_adopted(s, sub, since, depth - 1);
        }
        closedir(d);
}

/* One gitdir: its states, the repositories it would adopt, special files,
 * then the objects the run wrote (gitverify.h). */
static void check_repo(const char *repo, const struct timespec *since, const char *ids, const char *work) {
        int fd = open_dir(AT_FDCWD, repo, false);
        if (fd < 0)
                return;
        for (size_t i = 0; i < GITDIR_N_STATES; i++) {
                unsigned budget = SCAN_ENTRIES_MAX;
                _cleanup_free_ char *path = path_join(repo, gitdir_states[i]);
                if (path && changed_since(fd, gitdir_states[i], since, SCAN_DEPTH_MAX, &budget))
                        aside_rename(fd, path, gitdir_states[i], GITDIR_STATE_WHY);
        }
        for (size_t i = 0; i < GITDIR_N_ADOPTED; i++) {
                _cleanup_free_ char *dir = path_join(repo, gitdir_adopted[i]);
                int a = openat(fd, gitdir_adopted[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (a >= 0 && dir)
                        check_adopted(a, dir, since, SCAN_DEPTH_MAX);
                else if (a >= 0)
                        close(a);
        }
        int vfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        unsigned budget = SCAN_ENTRIES_MAX;
        scan_special(fd, repo, since, SCAN_DEPTH_MAX, &budget);
        if (vfd >= 0) {
                gitverify_objects(vfd, repo, since, ids, work);
                gitverify_refs(vfd, repo, since);
                close(vfd);
        }
}

/* One index: a path git would refuse sets it aside; a submodule whose .git
 * was made since has that .git set aside (reached from the worktree's top
 * without a link or "..": git does not look beyond a link either, and one
 * could lead corral to another of the developer's repositories). */
static void check_index(const char *index, const char *worktree, const struct timespec *since) {
        strv links = {0};
        char *bad = NULL;
        int r = gitindex_read(index, &links, &bad);
        if (r < 0 || bad) {
                /* (a symbolic link in place of the index: read as missing by
                 * readfile, removed by scan_special) */
                _cleanup_free_ char *dir = strndup(index, (size_t)(strrchr(index, '/') - index));
                int d = dir && r != -ELOOP ? open_dir(AT_FDCWD, dir, false) : -1;
                char why[600];
                snprintf(why, sizeof(why), "%s%s%s", r < 0 ? "an index corral cannot read" : "an index naming ",
                         bad ? bad : "", bad ? ", a path git refuses (git checkout would write there)" : "");
                if (d >= 0) {
                        aside_rename(d, index, strrchr(index, '/') + 1, why);
                        close(d);
                }
                free(bad);
                strv_clear(&links);
                return;
        }
        int top = open_dir(AT_FDCWD, worktree, false);
        for (size_t k = 0; top >= 0 && k < links.n; k++) {
                int d = open_dir(top, links.v[k], true);
                if (d < 0)
                        continue;
                _cleanup_free_ char *path = path_join(worktree, links.v[k]);
                _cleanup_free_ char *dotgit = path ? path_join(path, ".git") : NULL;
                if (dotgit && born_since(d, ".git", since))
                        aside_rename(d, dotgit, ".git", GITDIR_SUBMODULE_WHY);
                close(d);
        }
        if (top >= 0)
                close(top);
        strv_clear(&links);
}

/* What gitverify_ids said of repo at the start ("IDS\tREPO" in ids), or NULL. */
static const char *ids_of(const strv *ids, const char *repo) {
        for (size_t i = 0; ids && i < ids->n; i++) {
                const char *tab = strchr(ids->v[i], '\t');
                if (tab && strcmp(tab + 1, repo) == 0)
                        return ids->v[i];
        }
        return NULL;
}

/* The check, for the repositories and indexes of a run; work: where packs
 * are indexed (removed after). */
/* --- protected names in an index written in place (attack F1) -----------
 * The users backend: the command writes the index itself, so what it held
 * is kept in the marker when the run starts ("P -", then "P index\tdigest"
 * for each entry under a protected name, plan/gitprotect.h), and after the
 * run an index with an entry not so kept is set aside, like one naming a
 * path git refuses (git checkout -- . would write the entry). */

static void protected_keys(const plan *pl, const char *index, const char *worktree, strv *keys) {
        const nested_rules *n = &pl->policy.nested;
        (void)gitprotect_entries(&n->protect, n->depth, &n->roots, worktree, index, keys);
}

/* The marker's lines for the indexes of pl (written in place only). */
static void protected_snapshot(const plan *pl, FILE *f) {
        if (pl->git_overlays.n)
                return; /* userns: the import compares with the developer's untouched index */
        fprintf(f, "P -\n");
        for (size_t i = 0; i < pl->gitlink_indexes.n && i < pl->gitlink_worktrees.n; i++) {
                strv keys = {0};
                protected_keys(pl, pl->gitlink_indexes.v[i], pl->gitlink_worktrees.v[i], &keys);
                for (size_t k = 0; k < keys.n; k++) {
                        char d[41];
                        gitprotect_digest(keys.v[k], d);
                        fprintf(f, "P %s\t%s\n", pl->gitlink_indexes.v[i], d);
                }
                strv_clear(&keys);
        }
}

/* The check after the run, from a marker's text: nothing without "P -". */
static void protected_check(const plan *pl, const char *text, const strv *indexes, const strv *worktrees) {
        strv kept = {0};
        bool taken = false;
        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                if (strncmp(l, "P -\n", 4) == 0)
                        taken = true;
                else if (strncmp(l, "P ", 2) == 0) {
                        _cleanup_free_ char *line = strndup(l + 2, strcspn(l + 2, "\n"));
                        if (line)
                                (void)strv_push(&kept, line);
                }
        }
        for (size_t i = 0; taken && i < indexes->n && i < worktrees->n; i++) {
                strv keys = {0};
                protected_keys(pl, indexes->v[i], worktrees->v[i], &keys);
                const char *added = NULL;
                for (size_t k = 0; !added && k < keys.n; k++) {
                        char d[41], line[4200];
                        gitprotect_digest(keys.v[k], d);
                        snprintf(line, sizeof(line), "%s\t%s", indexes->v[i], d);
                        if (keys.v[k][0] == '?' || !strv_contains(&kept, line))
                                added = gitprotect_path(keys.v[k]);
                }
                const char *slash = strrchr(indexes->v[i], '/');
                _cleanup_free_ char *dir = added && slash ? strndup(indexes->v[i], (size_t)(slash - indexes->v[i])) : NULL;
                int d = dir ? open_dir(AT_FDCWD, dir, false) : -1;
                if (d >= 0) {
                        char why[600];
                        snprintf(why, sizeof(why),
                                 "an index naming %s, under a protected name, which it did not hold so before the run "
                                 "(git checkout -- . would write it into the workspace)",
                                 added);
                        aside_rename(d, indexes->v[i], slash + 1, why);
                        close(d);
                }
                strv_clear(&keys);
        }
        strv_clear(&kept);
}

/* protected_check with this run's own marker. */
static void protected_check_own(const plan *pl, const gitcheck *gc) {
        if (pl->git_overlays.n || gc->marker_fd < 0)
                return;
        char *text = malloc(MARKER_MAX + 1);
        ssize_t n = text ? pread(gc->marker_fd, text, MARKER_MAX, 0) : -1;
        if (n >= 0) {
                text[n] = 0;
                protected_check(pl, text, &pl->gitlink_indexes, &pl->gitlink_worktrees);
        }
        free(text);
}

/* The snapshot of the refs of the i-th repository, in work (gitrefs.h). */
static char *refs_snapshot_path(const char *work, size_t i) {
        char *p = NULL;
        return work && asprintf(&p, "%s/refs.%zu", work, i) >= 0 ? p : NULL;
}

static void check(const strv *repos, const strv *ids, const strv *indexes, const strv *worktrees,
                  const struct timespec *since, const char *work, const strv *names) {
        /* no marker (its directory could not be made): packs are indexed
         * in a private directory of /tmp, never set aside for want of one */
        char tmp[] = "/tmp/corral-gitcheck-XXXXXX";
        if (!work && repos->n && mkdtemp(tmp))
                work = tmp;
        for (size_t i = 0; i < indexes->n && i < worktrees->n; i++)
                check_index(indexes->v[i], worktrees->v[i], since);
        for (size_t i = 0; i < repos->n; i++) {
                check_repo(repos->v[i], since, ids_of(ids, repos->v[i]), work);
                _cleanup_free_ char *snap_path = refs_snapshot_path(work, i);
                _cleanup_free_ char *snap = NULL;
                size_t len;
                if (snap_path)
                        (void)readfile_small(snap_path, SNAPSHOT_MAX, 0, &snap, &len, NULL);
                int fd = open_dir(AT_FDCWD, repos->v[i], false);
                if (fd >= 0) {
                        gitrefs_check(fd, repos->v[i], work, names, snap, since);
                        close(fd);
                }
        }
        if (work && repos->n)
                (void)caches_remove_tree(work);
}

/* --- markers: <state dir>/gitruns/<random>, "since sec nsec", then "R repo",
 * "V ids\trepo" (gitverify_ids) and "I index\tworktree" lines; packs are
 * indexed in <random>.d (removed with the layers of a run killed) ------- */

static char *marker_dir(const plan *pl) { return pl->state_dir ? path_join(pl->state_dir, "gitruns") : NULL; }

static void read_marker(const char *text, struct timespec *since, strv *repos, strv *ids, strv *indexes,
                        strv *worktrees, char **layers) {
        long long s = 0, ns = 0;
        // NOLINTNEXTLINE(cert-err34-c): corral wrote it
        if (sscanf(text, "since %lld %lld", &s, &ns) == 2)
                *since = (struct timespec){(time_t)s, (long)ns};
        for (const char *l = strchr(text, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
                const char *line = l + 1, *end = strchr(line, '\n');
                size_t n = end ? (size_t)(end - line) : strlen(line);
                _cleanup_free_ char *copy = strndup(line, n);
                if (!copy || n < 3)
                        continue;
                char *tab = strchr(copy, '\t');
                if (copy[0] == 'R' && copy[1] == ' ')
                        (void)strv_push(repos, copy + 2);
                else if (copy[0] == 'V' && copy[1] == ' ' && tab)
                        (void)strv_push(ids, copy + 2);
                else if (copy[0] == 'O' && copy[1] == ' ' && !*layers)
                        *layers = strdup(copy + 2);
                else if (copy[0] == 'I' && copy[1] == ' ' && tab) {
                        *tab = 0;
                        (void)strv_push(indexes, copy + 2);
                        (void)strv_push(worktrees, tab + 1);
                }
        }
}

/* Written in place: each repository's refs before the command starts
 * (gitrefs.h), in the marker's directory MARKER.d, for the check. One that
 * cannot be recorded fails the run: its refs could not be checked. */
static int snapshot_refs(const plan *pl, const char *marker, corral_error *err) {
        _cleanup_free_ char *work = NULL;
        if (asprintf(&work, "%s.d", marker) < 0)
                return oom(err);
        if (mkdir(work, 0700) < 0 && errno != EEXIST)
                return error_set(err, -errno, "--git commits: cannot make %s to record the refs in: %s", work,
                                 strerror(errno));
        for (size_t i = 0; i < pl->git_repos.n; i++) {
                _cleanup_free_ char *path = refs_snapshot_path(work, i);
                int g = open_dir(AT_FDCWD, pl->git_repos.v[i], false);
                int fd = g >= 0 && path ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
                int e = errno;
                FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
                char why[300] = "";
                int r = f ? gitrefs_snapshot(g, work, f, why, sizeof(why)) : -e;
                if (f && fclose(f) != 0 && r == 0)
                        r = -EIO;
                else if (!f && fd >= 0)
                        close(fd);
                if (g >= 0)
                        close(g);
                if (r < 0)
                        return error_set(err, r,
                                         "--git commits: %s: %s; the refs the run would set could not be checked "
                                         "for protected names after it, so it does not start",
                                         pl->git_repos.v[i], why[0] ? why : strerror(-r));
        }
        return 0;
}

int gitcheck_begin(const plan *pl, gitcheck *gc, corral_error *err) {
        *gc = (gitcheck){.marker_fd = -1};
        _cleanup_free_ char *dir = marker_dir(pl);
        if (!dir)
                return 0;
        bool commits = pl->git_repos.n > 0;
        gc->since = pl->planned_at; /* until the marker says when, by the files' own clock */
        int dfd = open_dir(AT_FDCWD, dir, false);
        if (dfd < 0 && commits && host_mkdir_p(dir, 0700) == 0)
                dfd = open_dir(AT_FDCWD, dir, false);
        if (dfd < 0)
                return 0;
        /* Runs that died before their check: do it for them now. Runs still
         * alive: this one's check counts from the earliest of their starts. */
        DIR *d = fdopendir(fcntl(dfd, F_DUPFD_CLOEXEC, 0));
        struct dirent *e;
        while (d && (e = readdir(d))) {
                size_t nl = strlen(e->d_name);
                if (nl > 2 && strcmp(e->d_name + nl - 2, ".d") == 0 && e->d_name[0] != '.') {
                        /* a run's overlay layers (ID.d), made after its marker
                         * ID and removed before it: without one, its run died */
                        char marker[256];
                        struct stat ms;
                        snprintf(marker, sizeof(marker), "%.*s", (int)(nl - 2), e->d_name);
                        _cleanup_free_ char *layers = path_join(dir, e->d_name);
                        if (layers && fstatat(dfd, marker, &ms, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
                                (void)caches_remove_tree(layers);
                        continue;
                }
                if (strchr(e->d_name, '.'))
                        continue;
                int m = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (m < 0)
                        continue;
                char *text = malloc(MARKER_MAX + 1);
                ssize_t n = text ? read(m, text, MARKER_MAX) : -1;
                if (n < 0) {
                        free(text);
                        close(m);
                        continue;
                }
                text[n] = 0;
                struct timespec since = {0};
                strv repos = {0}, ids = {0}, indexes = {0}, worktrees = {0};
                char *layers = NULL;
                read_marker(text, &since, &repos, &ids, &indexes, &worktrees, &layers);
                if (flock(m, LOCK_EX | LOCK_NB) == 0) {
                        fprintf(stderr, GITDIR_DEAD_RUN_MSG);
                        if (layers) { /* its gitdirs were overlays: they hold nothing of it */
                                strv_clear(&repos);
                                gitimport_clean(layers, text);
                        }
                        char work[4200];
                        snprintf(work, sizeof(work), "%s/%s.d", dir, e->d_name);
                        if (!layers)
                                protected_check(pl, text, &indexes, &worktrees);
                        check(&repos, &ids, &indexes, &worktrees, &since, layers ? NULL : work, &pl->policy.nested.protect);
                        (void)unlinkat(dfd, e->d_name, 0);
                } else if (commits && !ts_newer(&since, &gc->since))
                        gc->since = since;
                free(text);
                free(layers);
                strv_clear(&repos);
                strv_clear(&ids);
                strv_clear(&indexes);
                strv_clear(&worktrees);
                close(m);
        }
        if (d)
                closedir(d);
        if (!commits) {
                close(dfd);
                return 0;
        }
        unsigned char rnd[8];
        char name[32];
        if (pl->git_run_id[0]) /* the name the plan gave its overlay layers, ID.d */
                snprintf(name, sizeof(name), "%s", pl->git_run_id);
        else if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
                close(dfd);
                return 0;
        } else
                snprintf(name, sizeof(name), "%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3],
                         rnd[4], rnd[5], rnd[6], rnd[7]);
        /* written in place: what the objects' directories are now (gitverify.h) */
        for (size_t i = 0; !pl->git_overlays.n && i < pl->git_repos.n; i++) {
                char ids[200], line[4400];
                int g = open_dir(AT_FDCWD, pl->git_repos.v[i], false);
                if (g >= 0 && gitverify_ids(g, ids, sizeof(ids)) == 0 &&
                    snprintf(line, sizeof(line), "%s\t%s", ids, pl->git_repos.v[i]) < (int)sizeof(line))
                        (void)strv_push(&gc->ids, line);
                if (g >= 0)
                        close(g);
        }
        int m = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        close(dfd);
        if (m < 0 || flock(m, LOCK_EX) < 0) {
                fprintf(stderr, GITDIR_NO_MARKER_FMT, dir, strerror(errno));
                if (m >= 0)
                        close(m);
                return 0;
        }
        /* The run starts now, by the clock that stamps files (the coarse
         * one, which may lag the one the plan read): the marker's own
         * change time, just made. What is newer, the command made. */
        struct stat ms;
        struct timespec start = fstat(m, &ms) == 0 ? ms.st_ctim : pl->planned_at;
        bool earliest = ts_newer(&gc->since, &start); /* (no live run started before) */
        if (earliest)
                gc->since = start;
        FILE *f = fdopen(dup(m), "w");
        if (f) {
                fprintf(f, "since %lld %ld\n", (long long)start.tv_sec, start.tv_nsec);
                for (size_t i = 0; i < pl->git_repos.n; i++)
                        fprintf(f, "R %s\n", pl->git_repos.v[i]);
                for (size_t i = 0; i < gc->ids.n; i++)
                        fprintf(f, "V %s\n", gc->ids.v[i]);
                for (size_t i = 0; i < pl->gitlink_indexes.n; i++)
                        fprintf(f, "I %s\t%s\n", pl->gitlink_indexes.v[i], pl->gitlink_worktrees.v[i]);
                protected_snapshot(pl, f);
                if (pl->git_run_dir)
                        fprintf(f, "O %s\n", pl->git_run_dir);
                fclose(f);
        }
        gc->marker_fd = m;
        gc->marker = path_join(dir, name);
        int r = !pl->git_overlays.n && gc->marker ? snapshot_refs(pl, gc->marker, err) : 0;
        if (r < 0) {
                _cleanup_free_ char *work = NULL;
                if (asprintf(&work, "%s.d", gc->marker) >= 0)
                        (void)caches_remove_tree(work);
                (void)unlink(gc->marker);
                close(gc->marker_fd);
                free(gc->marker);
                strv_clear(&gc->ids);
                *gc = (gitcheck){.marker_fd = -1, .checked = true};
                return r;
        }
        /* the overlays' layers, once the marker names them (a run killed
         * from here on has them removed by the next one) */
        corral_error ierr = {0};
        if (pl->git_overlays.n && !(gc->gi = gitimport_begin(pl, &ierr)))
                fprintf(stderr, "corral: %s\n", ierr.msg[0] ? ierr.msg : "--git commits: cannot prepare the overlays");
        return 0;
}

void gitcheck_after_run(const plan *pl, gitcheck *gc) {
        if (!pl->git_repos.n || gc->checked)
                return;
        gc->checked = true;
        if (pl->git_overlays.n) {
                /* the command wrote only the overlays: what is git's state
                 * is imported; the worktrees' submodules are checked */
                strv none = {0};
                gitimport_run(pl, gc->gi, gc->marker_fd);
                gitimport_free(gc->gi);
                gc->gi = NULL;
                check(&none, NULL, &pl->gitlink_indexes, &pl->gitlink_worktrees, &gc->since, NULL, NULL);
        } else {
                protected_check_own(pl, gc);
                char work[4200];
                snprintf(work, sizeof(work), "%s.d", gc->marker ? gc->marker : "");
                check(&pl->git_repos, &gc->ids, &pl->gitlink_indexes, &pl->gitlink_worktrees, &gc->since,
                      gc->marker ? work : NULL, &pl->policy.nested.protect);
        }
        if (gc->marker)
                (void)unlink(gc->marker);
}

void gitcheck_done(const plan *pl, gitcheck *gc) {
        gitcheck_after_run(pl, gc);
        if (gc->marker_fd >= 0)
                close(gc->marker_fd);
        free(gc->marker);
        strv_clear(&gc->ids);
        *gc = (gitcheck){.marker_fd = -1};
}
