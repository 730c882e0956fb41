/* SPDX-License-Identifier: MIT
 * The objects a run wrote in place, checked: see supervise/gitverify.h.
 * Everything by descriptor from the gitdir, never following a link (a
 * link the run made is scan_special's, in gitcheck.c, which runs first). */
#include "supervise/gitverify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"
#include "common/warn.h"
#include "supervise/aside.h"
#include "supervise/gitimport.h"
#include "supervise/gitobject.h"
#include "supervise/gitpack.h"

#define PACKS_MAX 100000

#define ALTERNATES_WHY                                                                                                \
        "alternates the command wrote: git would take objects from the places they name, by name alone, "           \
        "without hashing them"
#define GRAPH_WHY                                                                                                     \
        "a commit-graph the command wrote: git takes commits' trees and parents from it without reading the "       \
        "commits (git commit-graph write makes a new one)"
#define MIDX_WHY                                                                                                      \
        "a multi-pack-index the command wrote: git finds objects through it without the packs' own indexes "         \
        "(git multi-pack-index write makes a new one)"

static bool changed(const struct stat *st, const struct timespec *since) { return gitverify_since(&st->st_ctim, since); }

static bool same_dir(const struct stat *st, unsigned long long dev, unsigned long long ino) {
        return dev && (unsigned long long)st->st_dev == dev && (unsigned long long)st->st_ino == ino;
}

static DIR *open_dir_at(int at, const char *name, struct stat *st) {
        int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        DIR *d = fstat(fd, st) == 0 ? fdopendir(fd) : NULL;
        if (!d)
                close(fd);
        return d;
}

/* --- loose objects --------------------------------------------------------- */

/* The loose objects of the fan-out directory xx: every one when all or when
 * the directory changed (one may have come with it), else those whose own
 * change time moved. */
static void check_fanout(int ofd, const char *repo, const char *xx, gitobject_format fmt,
                         const struct timespec *since, bool all) {
        struct stat ds;
        DIR *d = open_dir_at(ofd, xx, &ds);
        if (!d)
                return;
        all |= changed(&ds, since);
        size_t want = fmt == GITOBJECT_SHA1 ? 38 : 62; /* git reads no other name there */
        for (struct dirent *e; (e = readdir(d));) {
                size_t n = strlen(e->d_name);
                if (n != want || !gitimport_is_hex(e->d_name, n))
                        continue;
                struct stat st;
                if (!all && (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !changed(&st, since)))
                        continue;
                char hex[65], shown[4200], why[400];
                snprintf(hex, sizeof(hex), "%s%s", xx, e->d_name);
                snprintf(shown, sizeof(shown), "%s/objects/%s/%s", repo, xx, e->d_name);
                int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
                int r;
                if (fd < 0)
                        r = -errno;
                else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                        r = -ELOOP; /* a directory or a device there: git cannot read it as an object */
                else
                        r = gitobject_check_loose(fd, fmt, hex, why, sizeof(why));
                if (fd >= 0)
                        close(fd);
                if (r == 0 || r == -ELOOP || r == -ENOENT)
                        continue; /* (a link: removed by scan_special, or older than the run) */
                if (r != -EINVAL)
                        snprintf(why, sizeof(why), "a loose object corral cannot read to check (%s)", strerror(-r));
                aside_rename(dirfd(d), shown, e->d_name, why);
        }
        closedir(d);
}

/* --- packs ------------------------------------------------------------------ */

typedef struct pack_entry {
        char hex[65];
        bool has_pack, suspect;
} pack_entry;

static pack_entry *find_pack(pack_entry **v, size_t *n, size_t *cap, const char *hex) {
        for (size_t i = 0; i < *n; i++)
                if (strcmp((*v)[i].hex, hex) == 0)
                        return &(*v)[i];
        if (*n >= PACKS_MAX)
                return NULL;
        if (*n == *cap) {
                size_t c = *cap ? *cap * 2 : 16;
                pack_entry *nv = realloc(*v, c * sizeof(*nv));
                if (!nv)
                        return NULL;
                *v = nv, *cap = c;
        }
        pack_entry *p = &(*v)[(*n)++];
        *p = (pack_entry){0};
        snprintf(p->hex, sizeof(p->hex), "%s", hex);
        return p;
}

/* Whether the files at a and b hold the same bytes. */
static bool same_bytes(int a, int b) {
        struct stat sa, sb;
        if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0 || sa.st_size != sb.st_size)
                return false;
        char ba[65536], bb[65536];
        for (off_t at = 0; at < sa.st_size;) {
                ssize_t k = pread(a, ba, sizeof(ba), at);
                if (k <= 0 || pread(b, bb, (size_t)k, at) != k || memcmp(ba, bb, (size_t)k) != 0)
                        return false;
                at += k;
        }
        return true;
}

/* git's .idx (open on idx) in as pack-HEX.idx, the command's set aside
 * unless it is the same bytes. */
static void install_idx(int pdir, const char *repo, const char *hex, int idx) {
        char name[100], shown[4200];
        snprintf(name, sizeof(name), "pack-%s.idx", hex);
        snprintf(shown, sizeof(shown), "%s/objects/pack/%s", repo, name);
        int theirs = openat(pdir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        bool same = theirs >= 0 && same_bytes(theirs, idx);
        if (theirs >= 0)
                close(theirs);
        if (same)
                return;
        unsigned char rnd[6];
        char tmp[64];
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
                return;
        snprintf(tmp, sizeof(tmp), "tmp_idx_corral_%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
                 rnd[5]);
        int out = openat(pdir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
        int r = out < 0 ? -errno : 0;
        char buf[65536];
        for (off_t at = 0; r == 0;) {
                ssize_t k = pread(idx, buf, sizeof(buf), at);
                if (k < 0)
                        r = -errno;
                if (k <= 0)
                        break;
                if (write(out, buf, (size_t)k) != k)
                        r = -EIO;
                at += k;
        }
        if (out >= 0 && close(out) < 0 && r == 0)
                r = -errno;
        if (r == 0 && theirs >= 0 &&
            aside_rename(pdir, shown, name,
                         "an .idx that does not index its pack as git does (git index-pack gives other ids or "
                         "offsets): git would take the objects it names by their say") < 0)
                r = -EEXIST;
        if (r == 0 && renameat2(pdir, tmp, pdir, name, RENAME_NOREPLACE) < 0)
                r = -errno;
        if (r < 0) {
                (void)unlinkat(pdir, tmp, 0);
                corral_warn("WARNING: %s: corral could not put git's own index of the pack there (%s): run git "
                            "index-pack on its .pack before using the repository",
                            shown, strerror(-r));
        }
}

/* One pack the run made or changed: indexed again by the developer's git,
 * or set aside with its files. */
static void check_pack(int gfd, int pdir, const char *repo, const char *hex, const char *work_dir) {
        char name[100], shown[4200], why[600];
        /* what git would take from the command without checking: gone (git
         * does without them, and the next repack makes them again) */
        static const char *const derived[] = {".rev", ".bitmap", ".mtimes"};
        for (size_t i = 0; i < ELEMENTSOF(derived); i++) {
                snprintf(name, sizeof(name), "pack-%s%s", hex, derived[i]);
                (void)unlinkat(pdir, name, 0);
        }
        snprintf(name, sizeof(name), "pack-%s.pack", hex);
        snprintf(shown, sizeof(shown), "%s/objects/pack/%s", repo, name);
        int fd = openat(pdir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                if (fd >= 0)
                        close(fd);
                return; /* (a link: scan_special's) */
        }
        int pack = -1, idx = -1, r = -ENOENT;
        if (work_dir)
                r = gitpack_index(gfd, work_dir, fd, hex, &pack, &idx, why, sizeof(why));
        else
                snprintf(why, sizeof(why), "a pack corral has nowhere to index (no state directory)");
        close(fd);
        if (r == 0) {
                install_idx(pdir, repo, hex, idx);
                close(pack);
                close(idx);
                return;
        }
        aside_rename(pdir, shown, name, why);
        snprintf(name, sizeof(name), "pack-%s.idx", hex);
        snprintf(shown, sizeof(shown), "%s/objects/pack/%s", repo, name);
        if (faccessat(pdir, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                aside_rename(pdir, shown, name, "the index of a pack set aside");
}

/* A file or directory of a cache git trusts (commit-graphs, multi-pack-
 * indexes) or of alternates, set aside when it, or (a directory) anything
 * in it, changed since; every one when all. */
static void check_trusted(int dir, const char *shown_dir, const char *name, const struct timespec *since, bool all,
                          const char *why) {
        struct stat st;
        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return;
        bool ch = all || changed(&st, since);
        if (!ch && S_ISDIR(st.st_mode)) {
                struct stat ds;
                DIR *d = open_dir_at(dir, name, &ds);
                for (struct dirent *e; d && !ch && (e = readdir(d));)
                        ch = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
                             fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && changed(&st, since);
                if (d)
                        closedir(d);
        }
        if (!ch)
                return;
        char shown[4200];
        snprintf(shown, sizeof(shown), "%s/%s", shown_dir, name);
        aside_rename(dir, shown, name, why);
}

static void check_packs(int gfd, int ofd, const char *repo, const struct timespec *since, bool all,
                        const char *work_dir) {
        struct stat ps;
        DIR *d = open_dir_at(ofd, "pack", &ps);
        if (!d)
                return;
        char shown[4200];
        snprintf(shown, sizeof(shown), "%s/objects/pack", repo);
        pack_entry *v = NULL;
        size_t n = 0, cap = 0;
        for (struct dirent *e; (e = readdir(d));) {
                const char *ext;
                if (strncmp(e->d_name, "multi-pack-index", 16) == 0) {
                        check_trusted(dirfd(d), shown, e->d_name, since, all, MIDX_WHY);
                        continue;
                }
                if (!gitimport_pack_name(e->d_name, &ext))
                        continue;
                char hex[65];
                snprintf(hex, sizeof(hex), "%.*s", (int)(strlen(e->d_name) - strlen(ext) - 5), e->d_name + 5);
                struct stat st;
                bool ch = all || (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && changed(&st, since));
                pack_entry *p = find_pack(&v, &n, &cap, hex);
                if (!p) {
                        corral_warn("WARNING: %s/%s: corral could not check this pack (out of memory, or more than "
                                    "%d packs): do not use the repository before git fsck --full passes",
                                    shown, e->d_name, PACKS_MAX);
                        continue;
                }
                p->has_pack |= strcmp(ext, ".pack") == 0;
                p->suspect |= ch;
                if (strcmp(ext, ".promisor") == 0 && ch)
                        aside_rename(dirfd(d), shown, e->d_name,
                                     "a .promisor the command wrote: git would take the objects its pack names as "
                                     "there to fetch from a remote");
        }
        /* (readdir done before any rename: a renamed file shows once) */
        for (size_t i = 0; i < n; i++)
                if (v[i].suspect && v[i].has_pack)
                        check_pack(gfd, dirfd(d), repo, v[i].hex, work_dir);
        free(v);
        closedir(d);
}

/* --- the gitdir ------------------------------------------------------------- */

void gitverify_objects(int gitdir_fd, const char *repo, const struct timespec *since, const char *ids,
                       const char *work_dir) {
        unsigned long long od = 0, oi = 0, pd = 0, pi = 0, id = 0, ii = 0;
        // NOLINTNEXTLINE(cert-err34-c): corral wrote it
        if (!ids || sscanf(ids, "%llu %llu %llu %llu %llu %llu", &od, &oi, &pd, &pi, &id, &ii) != 6)
                od = pd = id = 0; /* unknown: everything is checked */
        struct stat os;
        DIR *d = open_dir_at(gitdir_fd, "objects", &os);
        if (!d)
                return;
        /* objects/ (and pack/, info/) is the one that was there at the start,
         * or everything in it may have come with it */
        bool all = !same_dir(&os, od, oi);
        gitobject_format fmt = gitimport_repo_format(gitdir_fd, repo);
        for (struct dirent *e; (e = readdir(d));)
                if (strlen(e->d_name) == 2 && gitimport_is_hex(e->d_name, 2))
                        check_fanout(dirfd(d), repo, e->d_name, fmt, since, all);
        struct stat st;
        bool pack_all = all || fstatat(dirfd(d), "pack", &st, AT_SYMLINK_NOFOLLOW) < 0 || !same_dir(&st, pd, pi);
        check_packs(gitdir_fd, dirfd(d), repo, since, pack_all, work_dir);
        DIR *info = open_dir_at(dirfd(d), "info", &st);
        if (info) {
                bool info_all = all || !same_dir(&st, id, ii);
                char shown[4200];
                snprintf(shown, sizeof(shown), "%s/objects/info", repo);
                static const char *const alternates[] = {"alternates", "http-alternates"};
                for (size_t i = 0; i < ELEMENTSOF(alternates); i++)
                        check_trusted(dirfd(info), shown, alternates[i], since, info_all, ALTERNATES_WHY);
                static const char *const graphs[] = {"commit-graph", "commit-graphs"};
                for (size_t i = 0; i < ELEMENTSOF(graphs); i++)
                        check_trusted(dirfd(info), shown, graphs[i], since, info_all, GRAPH_WHY);
                closedir(info);
        }
        closedir(d);
}

void gitverify_refs(int gitdir_fd, const char *repo, const struct timespec *since) {
        struct stat st;
        int refs = openat(gitdir_fd, "refs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = refs >= 0 ? open_dir_at(refs, "replace", &st) : NULL;
        if (refs >= 0)
                close(refs);
        if (d) {
                /* (a directory moved in brings its entries with their old times) */
                bool all = changed(&st, since);
                for (struct dirent *e; (e = readdir(d));) {
                        if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                            !S_ISREG(st.st_mode) || !(all || changed(&st, since)))
                                continue; /* (a name with a "/" below: git reads no replacement from it) */
                        char shown[4200];
                        snprintf(shown, sizeof(shown), "%s/refs/replace/%s", repo, e->d_name);
                        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
                                corral_warn("removed %s: %s", shown, GITIMPORT_REPLACE_WHY);
                        else
                                corral_warn("WARNING: %s: %s, and corral could not remove it (%s): run git replace -d "
                                            "on it before using the repository",
                                            shown, GITIMPORT_REPLACE_WHY, strerror(errno));
                }
                closedir(d);
        }
        if (fstatat(gitdir_fd, "packed-refs", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            changed(&st, since))
                gitimport_drop_packed_replace(gitdir_fd, repo);
}

int gitverify_ids(int gitdir_fd, char *buf, size_t len) {
        struct stat s[3];
        static const char *const dirs[] = {"objects", "objects/pack", "objects/info"};
        for (size_t i = 0; i < 3; i++)
                if (fstatat(gitdir_fd, dirs[i], &s[i], AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(s[i].st_mode))
                        s[i].st_dev = 0, s[i].st_ino = 0;
        int n = snprintf(buf, len, "%llu %llu %llu %llu %llu %llu", (unsigned long long)s[0].st_dev,
                         (unsigned long long)s[0].st_ino, (unsigned long long)s[1].st_dev,
                         (unsigned long long)s[1].st_ino, (unsigned long long)s[2].st_dev,
                         (unsigned long long)s[2].st_ino);
        return n > 0 && (size_t)n < len ? 0 : -ENOSPC;
}
