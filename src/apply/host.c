/* SPDX-License-Identifier: MIT */
#include "apply/host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kernel/syscalls.h"
#include "common/macro.h"
#include "common/path.h"
#include "plan/gitdir.h"
#include "common/warn.h"

int host_mkdir_p(const char *path, mode_t mode) {
        if (mkdir(path, mode) == 0 || errno == EEXIST)
                return 0;
        if (errno != ENOENT)
                return -errno;
        _cleanup_free_ char *parent = strdup(path);
        char *slash = parent ? strrchr(parent, '/') : NULL;
        if (!slash || slash == parent)
                return parent ? -ENOENT : -ENOMEM;
        *slash = 0;
        int r = host_mkdir_p(parent, mode);
        if (r < 0)
                return r;
        return mkdir(path, mode) == 0 || errno == EEXIST ? 0 : -errno;
}

char *host_root_dir(const char *roots_dir, const struct stat *root) {
        char *p = NULL;
        return asprintf(&p, "%s/%llx-%llu", roots_dir, (unsigned long long)root->st_dev,
                        (unsigned long long)root->st_ino) < 0
                       ? NULL
                       : p;
}

static char *file_in(const char *dir, const char *name) {
        char *p = NULL;
        return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* The directory a path is in ("/" for "/x"). */
static char *parent_of(const char *path) {
        const char *slash = strrchr(path, '/');
        if (!slash)
                return NULL;
        return slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
}

/* Where the placeholder for a name waits between runs: renaming it in and
 * out costs a fifth of mkdir + rmdir, which allocate and free an inode
 * every run (ext4 then scans past recently freed inodes). */
static char *parked(const host_root *hr, const char *path) {
        char *p = NULL;
        const char *name = strrchr(path, '/');
        return asprintf(&p, "%s/parked/%s", hr->dir, name ? name + 1 : path) < 0 ? NULL : p;
}

/* Whether the directory open at fd has no entry but "." and "..", read
 * from its start (rewound first when read before; getdents64 directly: one
 * buffer on the stack, no DIR). */
static bool fd_is_empty(int fd, bool rewind) {
        union {
                struct dirent64 d;
                char buf[1024];
        } u;
        if (rewind && lseek(fd, 0, SEEK_SET) < 0)
                return false;
        for (;;) {
                ssize_t n = getdents64(fd, u.buf, sizeof(u.buf));
                if (n <= 0)
                        return n == 0;
                for (ssize_t at = 0; at < n;) {
                        const struct dirent64 *e = (const struct dirent64 *)(u.buf + at);
                        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                                return false;
                        at += e->d_reclen;
                }
        }
}

/* Whether the first read of the directory open at fd (from its start, not
 * read before) gives "." and ".." only: what an empty directory gives, and,
 * on the filesystems that fill the buffer (ext4, tmpfs, btrfs, xfs), only an
 * empty one. A filter, not a proof (a filesystem may return fewer entries
 * than fit): what must be empty is read to its end with fd_is_empty. */
static bool fd_looks_empty(int fd) {
        union {
                struct dirent64 d;
                char buf[1024];
        } u;
        ssize_t n = getdents64(fd, u.buf, sizeof(u.buf));
        if (n < 0)
                return false;
        for (ssize_t at = 0; at < n;) {
                const struct dirent64 *e = (const struct dirent64 *)(u.buf + at);
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        return false;
                at += e->d_reclen;
        }
        return true;
}

/* Takes away the ACLs a directory inherited (fremovexattr), asking first
 * which extended attributes it has: usually none, and then nothing more. */
static void remove_acls(int fd) {
        static const char *const acls[] = {"system.posix_acl_access", "system.posix_acl_default"};
        char list[512];
        ssize_t n = flistxattr(fd, list, sizeof(list));
        for (size_t i = 0; n != 0 && i < ELEMENTSOF(acls); i++) {
                bool listed = n < 0; /* the list unknown (too long, or no xattrs here): remove anyway */
                for (ssize_t at = 0; !listed && at < n; at += (ssize_t)strlen(list + at) + 1)
                        listed = strcmp(list + at, acls[i]) == 0;
                if (listed)
                        (void)fremovexattr(fd, acls[i]);
        }
}

/* Whether name in dir is an empty directory (not through a symlink). */
static bool dir_is_empty_at(int dir, const char *name) {
        _cleanup_close_ int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd >= 0 && fd_is_empty(fd, false);
}

/* The root's parked/ directory (-1 when it cannot be opened: then nothing is
 * parked or taken from there). */
static int open_parked(const host_root *hr) {
        _cleanup_free_ char *park = file_in(hr->dir, "parked");
        return park ? open(park, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
}

/* Takes a placeholder away: parked (in the directory open at parkfd) for
 * the next run when it is empty and can be, removed otherwise (rmdir: never
 * anything the user put in it). It is name in the directory open at dir
 * (path names it in messages). The directory is held open throughout, so
 * the checks before and after the rename read the same one. */
static void remove_placeholder(const host_root *hr, int parkfd, int dir, const char *name, const char *path) {
        _cleanup_close_ int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        /* A first look, then (below) the whole directory once it is parked:
         * what arrived meanwhile, or what the first look could not see, goes
         * back. */
        if (fd < 0 || parkfd < 0 || !fd_looks_empty(fd) || renameat2(dir, name, parkfd, name, RENAME_NOREPLACE) < 0) {
                (void)unlinkat(dir, name, AT_REMOVEDIR);
                return;
        }
        /* Something arrived between the look and the rename (or the look did
         * not see it): put it back. */
        if (!fd_is_empty(fd, true)) {
                if (renameat2(parkfd, name, dir, name, RENAME_NOREPLACE) < 0) {
                        _cleanup_free_ char *park = parked(hr, path);
                        corral_warn("files written into the placeholder %s during the run are now in %s",
                                path, park ? park : "corral's parked placeholders");
                }
                return;
        }
        /* Parked, it keeps no ACL it inherited in the writable root (the
         * users backend's grants name the sandbox users): nobody but the
         * developer may write into what becomes a placeholder again, and
         * nothing naming those users stays behind in the developer's cache. */
        remove_acls(fd);
}

/* The directory a placeholder goes in, opened without following any
 * symlink, and in *name the placeholder's name in it. The plan's paths are
 * canonical: a symlink on the way means the tree changed since planning (a
 * race), and the placeholder must not land wherever it now points
 * (docs/design.md, "Races"). */
static int open_parent(const char *path, const char **name) {
        const char *slash = strrchr(path, '/');
        if (!slash || !slash[1])
                return -EINVAL;
        _cleanup_free_ char *dir = parent_of(path);
        if (!dir)
                return -ENOMEM;
        struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        int fd = sys_openat2(AT_FDCWD, dir, &how);
        *name = slash + 1;
        return fd < 0 ? -errno : fd;
}

/* A placeholder file (plan.h: a config git reads, a gitdir's commondir)
 * with its contents, or -errno (-EEXIST when the name exists). */
static int place_file(int dir, const char *name, const char *text) {
        _cleanup_close_ int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        size_t len = strlen(text);
        int r = len && write(fd, text, len) != (ssize_t)len ? -EIO : 0;
        if (r < 0)
                (void)unlinkat(dir, name, 0);
        return r;
}

/* Whether a journalled placeholder file is still what corral made: the same
 * inode, one link, and the contents of one of the kinds (gitdir.h). */
static bool file_is_placeholder_at(int dir, const char *path, const struct stat *st) {
        static const char *const texts[] = {GITDIR_HOLD_FILE_TEXT, GITDIR_HOLD_COMMONDIR_TEXT};
        char buf[8];
        if (!S_ISREG(st->st_mode) || st->st_nlink != 1 || st->st_size >= (off_t)sizeof(buf))
                return false;
        _cleanup_close_ int fd = openat(dir, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
        if (n < 0 || n != st->st_size)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(texts); i++)
                if ((size_t)n == strlen(texts[i]) && memcmp(buf, texts[i], (size_t)n) == 0)
                        return true;
        return false;
}

/* Puts a placeholder at name in dir: a file when the plan says so, else the
 * directory parked under the same name in parkfd (the root's parked/, -1
 * for none) if there is one, else a new directory. Returns 0, -EEXIST when
 * it exists already, or -errno. */
static int place_placeholder(int parkfd, int dir, const char *name, const char *file) {
        if (file) {
                /* parked, it is renamed back when it still has the contents
                 * this placeholder needs */
                struct stat ps;
                if (parkfd >= 0 && fstatat(parkfd, name, &ps, AT_SYMLINK_NOFOLLOW) == 0 &&
                    file_is_placeholder_at(parkfd, name, &ps) && (size_t)ps.st_size == strlen(file) &&
                    renameat2(parkfd, name, dir, name, RENAME_NOREPLACE) == 0)
                        return 0;
                return place_file(dir, name, file);
        }
        /* The bookkeeping is hidden inside every sandbox; still, a parked
         * directory that is not empty is never moved into a workspace (it
         * would land there as a protected name). */
        if (parkfd >= 0 && dir_is_empty_at(parkfd, name)) {
                if (renameat2(parkfd, name, dir, name, RENAME_NOREPLACE) == 0)
                        return 0;
                if (errno == EEXIST)
                        return -EEXIST;
        }
        return mkdirat(dir, name, 0755) < 0 ? -errno : 0; /* none parked, another filesystem, or not empty */
}

/* Removes the root's journalled placeholders that are still corral's and
 * still empty, whichever run made them. Called with the root's lock held and
 * its `active` lock exclusive: no run relies on any of them. */
static void clean_journal(const host_root *hr) {
        _cleanup_free_ char *journal = file_in(hr->dir, "placeholders");
        _cleanup_fclose_ FILE *f = journal ? fopen(journal, "re") : NULL;
        struct stat jst;
        if (!f || fstat(fileno(f), &jst) < 0 || jst.st_size == 0)
                return; /* nothing journalled: the common case */
        _cleanup_close_ int parkfd = open_parked(hr);
        char line[4096 + 64];
        /* The directory of the last entry, held open: a root's placeholders
         * share one or a few (opened and checked once each, not once per
         * entry), and each entry is then read, moved and removed by name in
         * the directory that was checked to be the root. */
        _cleanup_free_ char *held = NULL;
        _cleanup_close_ int dirfd = -1;
        while (fgets(line, sizeof(line), f)) {
                unsigned long long dev, ino;
                int at = 0;
                // NOLINTNEXTLINE(cert-err34-c): numbers the kernel wrote, which fit their types
                if (sscanf(line, "%llu %llu %n", &dev, &ino, &at) < 2 || at == 0)
                        continue;
                char *path = line + at;
                path[strcspn(path, "\n")] = 0;
                const char *slash = strrchr(path, '/');
                if (!slash || !slash[1])
                        continue;
                const char *name = slash + 1;
                if (!held || strlen(held) != (size_t)(slash - path) || strncmp(held, path, (size_t)(slash - path)) != 0) {
                        free(held);
                        closep(&dirfd);
                        struct stat dst;
                        held = parent_of(path);
                        dirfd = held ? open(held, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
                        if (dirfd >= 0 && (fstat(dirfd, &dst) < 0 || dst.st_dev != hr->dev || dst.st_ino != hr->ino))
                                closep(&dirfd);
                }
                struct stat st;
                if (dirfd < 0 || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev ||
                    st.st_ino != ino)
                        continue;
                if (S_ISDIR(st.st_mode))
                        remove_placeholder(hr, parkfd, dirfd, name, path);
                else if (file_is_placeholder_at(dirfd, name, &st)) { /* (a file the user wrote into is not one any more) */
                        _cleanup_free_ char *park = parked(hr, path);
                        if (!park || parkfd < 0 || renameat2(dirfd, name, parkfd, name, RENAME_NOREPLACE) < 0)
                                (void)unlinkat(dirfd, name, 0);
                        else /* (as a parked directory: no ACL naming the sandbox users stays behind) */
                                (void)removexattr(park, "system.posix_acl_access");
                }
        }
        (void)!truncate(journal, 0);
}

static void root_close(host_root *hr) {
        closep(&hr->active_fd);
        closep(&hr->lock_fd);
        free(hr->path);
        free(hr->dir);
        *hr = (host_root){.lock_fd = -1, .active_fd = -1};
}

/* Adds root (unless there already) to the roots this run relies on. With
 * create, its bookkeeping directory is made; without (a directory that
 * holds a nested protected name), it is used only if some run made it,
 * i.e. only if a placeholder may ever have been put there. Returns the
 * index, -ENOENT (without create) when there is nothing to hold, or -errno. */
static int root_add(const plan *pl, host_state *st, const char *root, bool create, bool *added) {
        *added = false;
        /* the same path as a root already added (the placeholders of one
         * directory come one after another): that root, without a stat
         * each */
        for (size_t i = 0; i < st->n_roots; i++)
                if (st->roots[i].path && strcmp(st->roots[i].path, root) == 0)
                        return (int)i;
        struct stat rs;
        if (stat(root, &rs) < 0)
                return create ? -errno : -ENOENT;
        for (size_t i = 0; i < st->n_roots; i++)
                if (st->roots[i].dev == rs.st_dev && st->roots[i].ino == rs.st_ino)
                        return (int)i;
        _cleanup_free_ char *dir = host_root_dir(pl->roots_dir, &rs);
        _cleanup_free_ char *park = dir ? file_in(dir, "parked") : NULL;
        if (!park)
                return -ENOMEM;
        struct stat s;
        int r;
        if (create) {
                if ((r = host_mkdir_p(park, 0700)) < 0)
                        return r;
        } else if (stat(dir, &s) < 0)
                return -ENOENT;
        host_root *n = realloc(st->roots, (st->n_roots + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        st->roots = n;
        host_root *hr = &st->roots[st->n_roots];
        *hr = (host_root){.path = strdup(root), .dir = TAKE_PTR(dir), .dev = rs.st_dev, .ino = rs.st_ino,
                          .lock_fd = -1, .active_fd = -1};
        st->n_roots++;
        *added = true;
        _cleanup_free_ char *lock = file_in(hr->dir, "lock");
        _cleanup_free_ char *active = file_in(hr->dir, "active");
        if (!hr->path || !lock || !active)
                return -ENOMEM;
        hr->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        hr->active_fd = open(active, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (hr->lock_fd < 0 || hr->active_fd < 0 || flock(hr->lock_fd, LOCK_EX) < 0)
                return -errno;
        if (flock(hr->active_fd, LOCK_EX | LOCK_NB) == 0)
                clean_journal(hr); /* alone: whatever is journalled is stale */
        /* Converting is not atomic, but every cleaner needs the lock we hold. */
        if (flock(hr->active_fd, LOCK_SH) < 0)
                return -errno;
        return (int)(st->n_roots - 1);
}

/* Puts the placeholders of one root in place (its lock is held), and
 * journals the new ones in one append. A crash in the window of
 * microseconds between the two leaves an empty directory behind: without its
 * inode on record, it cannot be told from the user's. */
static int place_root(const plan *pl, const host_root *hr, corral_error *err) {
        _cleanup_free_ char *journal = file_in(hr->dir, "placeholders");
        char *text = NULL;
        size_t len = 0;
        FILE *mem = journal ? open_memstream(&text, &len) : NULL;
        if (!mem)
                return oom(err);
        int r = 0;
        /* the last directory looked at: placeholders come grouped by their
         * directory, and each root looks at all of them. It is opened once
         * (without following a symlink) for all its placeholders, and the
         * root's parked/ once for the run. */
        _cleanup_free_ char *last = NULL;
        bool last_here = false;
        _cleanup_close_ int dir = -1;
        _cleanup_close_ int parkfd = open_parked(hr);
        for (size_t i = 0; i < pl->n_placeholders && r >= 0; i++) {
                const placeholder *ph = &pl->placeholders[i];
                _cleanup_free_ char *dirpath = parent_of(ph->path);
                struct stat ds;
                if (ph->held || !dirpath)
                        continue;
                if (!last || strcmp(last, dirpath) != 0) {
                        free(last);
                        last = strdup(dirpath);
                        last_here = strcmp(dirpath, hr->path) == 0 || /* another path to the same root (a bind mount)? */
                                    (stat(dirpath, &ds) == 0 && ds.st_dev == hr->dev && ds.st_ino == hr->ino);
                        closep(&dir);
                }
                if (!last_here)
                        continue;
                const char *name = NULL;
                struct stat s;
                if (dir < 0 && (dir = open_parent(ph->path, &name)) < 0) {
                        r = error_set(err, dir,
                                      "cannot open the directory of the placeholder %s without following a symlink "
                                      "(did it change during setup?): %s",
                                      ph->path, strerror(-dir));
                        break;
                }
                name = strrchr(ph->path, '/') + 1; /* (open_parent refused a path without one) */
                /* Existing: the user's, or a placeholder of another run that
                 * this run now holds too (the shared lock on `active`). A name
                 * missing when planned is placed without looking first: placing
                 * refuses an existing name just as well (renameat2
                 * RENAME_NOREPLACE, mkdirat and O_EXCL give EEXIST). */
                if (ph->missing || fstatat(dir, name, &s, AT_SYMLINK_NOFOLLOW) < 0) {
                        int p = place_placeholder(parkfd, dir, name, ph->file);
                        if (p == 0 && fstatat(dir, name, &s, AT_SYMLINK_NOFOLLOW) == 0)
                                fprintf(mem, "%llu %llu %s\n", (unsigned long long)s.st_dev,
                                        (unsigned long long)s.st_ino, ph->path);
                        else if (p < 0 && p != -EEXIST) /* EEXIST: made meanwhile, protected as it is */
                                r = error_set(err, p,
                                              "cannot create the placeholder %s that protects the missing name %s: %s",
                                              ph->path, ph->name, strerror(-p));
                }
        }
        fclose(mem); /* (text and len are set from here on) */
        if (len > 0) {
                _cleanup_close_ int fd = open(journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                int w = fd < 0 ? -errno : write(fd, text, len) == (ssize_t)len ? 0 : -EIO;
                if (w < 0 && r >= 0)
                        r = error_set(err, w, "cannot record placeholders in %s: %s", journal, strerror(-w));
        }
        free(text);
        return r;
}

/* Placeholders another process holds for this run (the corral that started
 * corral-runner): they must be there. */
static int check_held(const plan *pl, corral_error *err) {
        for (size_t i = 0; i < pl->n_placeholders; i++) {
                const placeholder *ph = &pl->placeholders[i];
                const char *name = NULL;
                struct stat s;
                if (!ph->held)
                        continue;
                _cleanup_close_ int dir = open_parent(ph->path, &name);
                int r = dir < 0 ? dir : fstatat(dir, name, &s, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
                if (r < 0)
                        return error_set(err, r,
                                         "the protected name %s is missing, although the corral that started this run "
                                         "holds a placeholder for it (removed meanwhile?): %s",
                                         ph->path, strerror(-r));
        }
        return 0;
}

int host_prepare(const plan *pl, host_state *st, corral_error *err) {
        *st = (host_state){0};
        int r;
        if ((r = host_mkdir_p(pl->tmp_dir, 0700)) < 0) /* the state directory is its parent */
                return error_set(err, r, "cannot create the workspace state directory %s: %s", pl->state_dir,
                                 strerror(-r));
        /* The workspace this state directory is for, checked by the plan on
         * every use (plan_userns.c state_dir): written once, never replaced,
         * and whole or not at all: written under a name of this process's,
         * then linked into place (EEXIST: another run was first), so that a
         * run planning meanwhile never reads it half-written (twelve first
         * runs at once refused each other: "recorded for another
         * workspace"). */
        {
                _cleanup_free_ char *rec = file_in(pl->state_dir, "workspace");
                _cleanup_free_ char *tmp = NULL;
                if (rec && asprintf(&tmp, "%s.%d", rec, (int)getpid()) < 0)
                        tmp = NULL;
                int fd = tmp ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
                if (fd >= 0) {
                        const char *ws = pl->policy.workspace;
                        bool ok = write(fd, ws, strlen(ws)) == (ssize_t)strlen(ws) && write(fd, "\n", 1) == 1;
                        if (close(fd) == 0 && ok)
                                (void)!link(tmp, rec);
                        (void)unlink(tmp);
                }
        }
        /* The workspace's /tmp is the command's to chmod: a run that left it
         * unusable (chmod 0 /tmp) must not spoil the next ones. */
        (void)chmod(pl->tmp_dir, 0700);
        if ((r = check_held(pl, err)) < 0)
                return r;
        for (size_t i = 0; i < pl->n_placeholders; i++) {
                if (pl->placeholders[i].held)
                        continue;
                _cleanup_free_ char *root = parent_of(pl->placeholders[i].path);
                bool added = false;
                int k = root ? root_add(pl, st, root, true, &added) : -ENOMEM;
                if (k < 0) {
                        r = error_set(err, k, "cannot lock the placeholder bookkeeping of %s in %s: %s",
                                      root ? root : "?", pl->roots_dir, strerror(-k));
                        goto fail;
                }
                if (added) { /* new: place all its names at once */
                        if ((r = place_root(pl, &st->roots[k], err)) < 0)
                                goto fail;
                        flock(st->roots[k].lock_fd, LOCK_UN);
                }
        }
        /* A nested protected name may be another run's placeholder (a run
         * whose writable root is that directory): hold it like our own, so
         * that its run, leaving first, does not take it away. */
        for (size_t i = 0; i < pl->nested.found.n; i++) {
                const char *path = pl->nested.found.v[i];
                bool held = false;
                for (size_t h = 0; h < pl->policy.held_roots.n; h++)
                        held |= path_is_below_or_equal(path, pl->policy.held_roots.v[h]);
                _cleanup_free_ char *root = held ? NULL : parent_of(path);
                if (!root)
                        continue;
                bool added = false;
                int k = root_add(pl, st, root, false, &added);
                if (k < 0 && k != -ENOENT) {
                        r = error_set(err, k, "cannot lock the placeholder bookkeeping of %s in %s: %s", root,
                                      pl->roots_dir, strerror(-k));
                        goto fail;
                }
                if (k >= 0 && added)
                        flock(st->roots[k].lock_fd, LOCK_UN);
        }
        return 0;
fail:
        host_finish(pl, st);
        return r;
}

void host_finish(const plan *pl, host_state *st) {
        (void)pl;
        for (size_t i = 0; i < st->n_roots; i++) {
                host_root *hr = &st->roots[i];
                if (hr->lock_fd >= 0 && hr->active_fd >= 0 && flock(hr->lock_fd, LOCK_EX) == 0 &&
                    flock(hr->active_fd, LOCK_EX | LOCK_NB) == 0)
                        clean_journal(hr); /* the last run out removes the placeholders */
                root_close(hr);
        }
        free(st->roots);
        *st = (host_state){0};
}

int host_nested_after(const plan *pl, nested_scan *after, strv *created, strv *replaced, corral_error *err) {
        int r = nested_created(&pl->policy.nested, &pl->nested, after, created, replaced, err);
        if (r < 0)
                return r;
        nested_save(pl->state_dir, &pl->policy.nested, after); /* where the next run starts from */
        return 0;
}

void host_nested_keep(const plan *pl) {
        if (pl->nested.n_read > 0)
                nested_save(pl->state_dir, &pl->policy.nested, &pl->nested);
}
