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
#include <unistd.h>

#include "apply/syscalls.h"
#include "common/macro.h"

/* mkdir -p, cheapest when the directory exists (one system call). */
static int mkdir_p(const char *path, mode_t mode) {
        if (mkdir(path, mode) == 0 || errno == EEXIST)
                return 0;
        if (errno != ENOENT)
                return -errno;
        _cleanup_free_ char *parent = strdup(path);
        char *slash = parent ? strrchr(parent, '/') : NULL;
        if (!slash || slash == parent)
                return parent ? -ENOENT : -ENOMEM;
        *slash = 0;
        int r = mkdir_p(parent, mode);
        if (r < 0)
                return r;
        return mkdir(path, mode) == 0 || errno == EEXIST ? 0 : -errno;
}

static char *state_file(const plan *pl, const char *name) {
        char *p = NULL;
        return asprintf(&p, "%s/%s", pl->state_dir, name) < 0 ? NULL : p;
}

/* Where the placeholder for a name waits between runs: renaming it in and
 * out costs a fifth of mkdir + rmdir, which allocate and free an inode
 * every run (ext4 then scans past recently freed inodes). */
static char *parked(const plan *pl, const char *path) {
        char *p = NULL;
        const char *name = strrchr(path, '/');
        return asprintf(&p, "%s/parked/%s", pl->state_dir, name ? name + 1 : path) < 0 ? NULL : p;
}

static bool dir_is_empty(const char *path) {
        DIR *d = opendir(path);
        if (!d)
                return false;
        struct dirent *e;
        bool empty = true;
        while (empty && (e = readdir(d)))
                empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
        closedir(d);
        return empty;
}

/* Takes a placeholder away: parked for the next run when it is empty and
 * can be, removed otherwise (rmdir: never anything the user put in it). */
static void remove_placeholder(const plan *pl, const char *path) {
        _cleanup_free_ char *park = parked(pl, path);
        if (!park || !dir_is_empty(path) || renameat2(AT_FDCWD, path, AT_FDCWD, park, RENAME_NOREPLACE) < 0) {
                (void)rmdir(path);
                return;
        }
        /* Something arrived between the check and the rename: put it back. */
        if (!dir_is_empty(park) && renameat2(AT_FDCWD, park, AT_FDCWD, path, RENAME_NOREPLACE) < 0)
                fprintf(stderr, "corral: files written into the placeholder %s during the run are now in %s\n", path,
                        park);
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
        _cleanup_free_ char *dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
        if (!dir)
                return -ENOMEM;
        struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        int fd = sys_openat2(AT_FDCWD, dir, &how);
        *name = slash + 1;
        return fd < 0 ? -errno : fd;
}

/* Puts a placeholder at name in dir (path names it): the parked one if
 * there is one, else a new directory. Returns 0, -EEXIST when it exists
 * already, or -errno. */
static int place_placeholder(const plan *pl, const char *path, int dir, const char *name) {
        _cleanup_free_ char *park = parked(pl, path);
        /* The state directory is read-only inside every sandbox; still, a
         * parked directory that is not empty is never moved into a
         * workspace (it would land there as a protected name). */
        if (park && dir_is_empty(park)) {
                if (renameat2(AT_FDCWD, park, dir, name, RENAME_NOREPLACE) == 0)
                        return 0;
                if (errno == EEXIST)
                        return -EEXIST;
        }
        return mkdirat(dir, name, 0755) < 0 ? -errno : 0; /* none parked, another filesystem, or not empty */
}

/* Removes journalled placeholders that are still ours and still empty. */
static void clean_journal(const plan *pl) {
        _cleanup_free_ char *journal = state_file(pl, "placeholders");
        FILE *f = journal ? fopen(journal, "re") : NULL;
        struct stat jst;
        if (!f || fstat(fileno(f), &jst) < 0 || jst.st_size == 0) {
                if (f)
                        fclose(f);
                return; /* nothing journalled: the common case */
        }
        char line[4096 + 64];
        while (fgets(line, sizeof(line), f)) {
                unsigned long long dev, ino;
                int at = 0;
                // NOLINTNEXTLINE(cert-err34-c): numbers the kernel wrote, which fit their types
                if (sscanf(line, "%llu %llu %n", &dev, &ino, &at) < 2 || at == 0)
                        continue;
                char *path = line + at;
                path[strcspn(path, "\n")] = 0;
                struct stat st;
                if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_dev == dev && st.st_ino == ino)
                        remove_placeholder(pl, path);
        }
        fclose(f);
        (void)!truncate(journal, 0);
}

int host_prepare(const plan *pl, host_state *st, corral_error *err) {
        *st = (host_state){-1, -1};
        int r;
        _cleanup_free_ char *parking = state_file(pl, "parked");
        if ((r = mkdir_p(pl->tmp_dir, 0700)) < 0 || /* the state directory is its parent */
            (r = parking ? mkdir_p(parking, 0700) : -ENOMEM) < 0)
                return error_set(err, r, "cannot create the workspace state directory %s: %s", pl->state_dir,
                                 strerror(-r));
        _cleanup_free_ char *lock = state_file(pl, "lock");
        _cleanup_free_ char *active = state_file(pl, "active");
        _cleanup_free_ char *journal = state_file(pl, "placeholders");
        if (!lock || !active || !journal)
                return error_set(err, -ENOMEM, "out of memory");
        st->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        st->active_fd = open(active, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (st->lock_fd < 0 || st->active_fd < 0 || flock(st->lock_fd, LOCK_EX) < 0) {
                r = -errno;
                host_finish(pl, st);
                return error_set(err, r, "cannot lock %s: %s", lock, strerror(-r));
        }
        if (flock(st->active_fd, LOCK_EX | LOCK_NB) == 0)
                clean_journal(pl); /* alone: whatever is journalled is stale */
        if (flock(st->active_fd, LOCK_SH) < 0) {
                r = -errno;
                goto fail;
        }

        /* Create, then journal all in one append. A crash in the window of
         * microseconds between the two leaves an empty directory behind:
         * without its inode on record, it cannot be told from the user's. */
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        if (!mem) {
                r = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < pl->n_placeholders; i++) {
                const char *path = pl->placeholders[i].path, *name = NULL;
                struct stat s;
                int dir = open_parent(path, &name);
                if (dir < 0) {
                        r = dir;
                        fclose(mem);
                        free(text);
                        error_set(err, r, "cannot open the directory of the placeholder %s without following a symlink "
                                  "(did it change during setup?): %s", path, strerror(-r));
                        goto fail_msg;
                }
                if (fstatat(dir, name, &s, AT_SYMLINK_NOFOLLOW) == 0) {
                        close(dir);
                        continue; /* exists: protected as it is */
                }
                if ((r = place_placeholder(pl, path, dir, name)) < 0) {
                        close(dir);
                        if (r == -EEXIST) {
                                r = 0;
                                continue; /* another run's placeholder, or made meanwhile: protected as is */
                        }
                        fclose(mem);
                        free(text);
                        error_set(err, r, "cannot create the placeholder %s that protects the missing name %s: %s",
                                  path, pl->placeholders[i].name, strerror(-r));
                        goto fail_msg;
                }
                if (fstatat(dir, name, &s, AT_SYMLINK_NOFOLLOW) == 0)
                        fprintf(mem, "%llu %llu %s\n", (unsigned long long)s.st_dev, (unsigned long long)s.st_ino, path);
                close(dir);
        }
        fclose(mem);
        if (len > 0) {
                int fd = open(journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                r = fd < 0 ? -errno : write(fd, text, len) == (ssize_t)len ? 0 : -EIO;
                if (fd >= 0)
                        close(fd);
        }
        free(text);
        if (r < 0)
                goto fail;
        flock(st->lock_fd, LOCK_UN);
        return 0;
fail:
        error_set(err, r, "cannot record placeholders in %s: %s", journal, strerror(-r));
fail_msg:
        host_finish(pl, st);
        return r;
}

void host_finish(const plan *pl, host_state *st) {
        if (st->lock_fd >= 0 && st->active_fd >= 0 && flock(st->lock_fd, LOCK_EX) == 0 &&
            flock(st->active_fd, LOCK_EX | LOCK_NB) == 0)
                clean_journal(pl); /* the last run out removes the placeholders */
        if (st->active_fd >= 0)
                close(st->active_fd);
        if (st->lock_fd >= 0)
                close(st->lock_fd);
        *st = (host_state){-1, -1};
}
