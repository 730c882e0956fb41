/* SPDX-License-Identifier: MIT */
#include "users/grants.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <acl/libacl.h>

#include "common/macro.h"
#include "common/strv.h"

static void acl_freep(acl_t *acl) {
        if (*acl)
                acl_free(*acl);
}

/* Adds (perms != 0) or removes (perms == 0) the named-user entries of both
 * sandbox users on the object open at fd. Returns 1 when the ACL changed. */
static int acl_users(int fd, const marker *m, acl_perm_t perms) {
        _cleanup_(acl_freep) acl_t acl = acl_get_fd(fd);
        if (!acl)
                return -errno;
        bool changed = false, named_left = false;
        acl_entry_t e;
        uid_t found[2] = {0, 0};
        for (int w = ACL_FIRST_ENTRY; acl_get_entry(acl, w, &e) == 1; w = ACL_NEXT_ENTRY) {
                acl_tag_t tag;
                acl_get_tag_type(e, &tag);
                if (tag != ACL_USER && tag != ACL_GROUP)
                        continue;
                uid_t *q = acl_get_qualifier(e);
                int idx = -1;
                for (int i = 0; i < 2 && q && tag == ACL_USER; i++)
                        if (*q == m->users[i].uid)
                                idx = i;
                acl_free(q);
                if (idx < 0) {
                        named_left = true;
                        continue;
                }
                found[idx] = 1;
                acl_permset_t ps;
                acl_get_permset(e, &ps);
                if (!perms) {
                        acl_delete_entry(acl, e);
                        changed = true;
                } else if ((acl_get_perm(ps, ACL_READ) > 0) != !!(perms & ACL_READ) ||
                           (acl_get_perm(ps, ACL_EXECUTE) > 0) != !!(perms & ACL_EXECUTE)) {
                        acl_clear_perms(ps);
                        acl_add_perm(ps, perms);
                        changed = true;
                }
        }
        for (int i = 0; i < 2 && perms; i++) {
                if (found[i])
                        continue;
                acl_permset_t ps;
                if (acl_create_entry(&acl, &e) < 0)
                        return -errno;
                acl_set_tag_type(e, ACL_USER);
                acl_set_qualifier(e, &m->users[i].uid);
                acl_get_permset(e, &ps);
                acl_clear_perms(ps);
                acl_add_perm(ps, perms);
                changed = true;
        }
        if (!changed)
                return 0;
        if (!perms && !named_left) {
                /* Back to the plain mode: drop the mask, so the group bits are
                 * the group entry's again, exactly as before the grant. */
                for (int w = ACL_FIRST_ENTRY; acl_get_entry(acl, w, &e) == 1; w = ACL_NEXT_ENTRY) {
                        acl_tag_t tag;
                        acl_get_tag_type(e, &tag);
                        if (tag == ACL_MASK) {
                                acl_delete_entry(acl, e);
                                break;
                        }
                }
        } else if (acl_calc_mask(&acl) < 0)
                return -errno;
        return acl_set_fd(fd, acl) < 0 ? -errno : 1;
}

static int open_obj(const char *path) {
        return open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

static int acl_path(const char *path, const marker *m, acl_perm_t perms) {
        _cleanup_close_ int fd = open_obj(path);
        if (fd < 0)
                return -errno;
        return acl_users(fd, m, perms);
}

/* Whether uid has execute on a directory through its ACL. */
static bool acl_has_x(const char *path, uid_t uid) {
        acl_t acl = acl_get_file(path, ACL_TYPE_ACCESS);
        if (!acl)
                return false;
        bool x = false, mask_x = true;
        acl_entry_t e;
        for (int w = ACL_FIRST_ENTRY; acl_get_entry(acl, w, &e) == 1; w = ACL_NEXT_ENTRY) {
                acl_tag_t tag;
                acl_permset_t ps;
                acl_get_tag_type(e, &tag);
                acl_get_permset(e, &ps);
                if (tag == ACL_MASK)
                        mask_x = acl_get_perm(ps, ACL_EXECUTE) > 0;
                if (tag == ACL_USER) {
                        uid_t *q = acl_get_qualifier(e);
                        if (q && *q == uid)
                                x = acl_get_perm(ps, ACL_EXECUTE) > 0;
                        acl_free(q);
                }
        }
        acl_free(acl);
        return x && mask_x;
}

static bool traversable(const marker *m, const char *dir, const struct stat *st) {
        if (st->st_mode & S_IXOTH)
                return true;
        return acl_has_x(dir, m->users[0].uid) && acl_has_x(dir, m->users[1].uid);
}

bool grants_reachable(const marker *m, const char *dir) {
        char path[4096];
        snprintf(path, sizeof(path), "%s", dir);
        for (char *s = strrchr(path, '/'); s; s = strrchr(path, '/')) {
                if (s == path)
                        s[1] = 0;
                else
                        *s = 0;
                struct stat st;
                if (stat(path, &st) < 0 || !traversable(m, path, &st))
                        return false;
                if (s == path)
                        break;
        }
        return true;
}

static int record_path(char *buf, size_t len, uid_t uid) {
        return snprintf(buf, len, "%s/%u", CORRAL_GRANTS_DIR, (unsigned)uid) < (int)len ? 0 : -ENAMETOOLONG;
}

static int record_load(uid_t uid, strv *lines) {
        char path[256];
        record_path(path, sizeof(path), uid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return errno == ENOENT ? 0 : -errno;
        char line[4200];
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = 0;
                if ((line[0] == 'T' || line[0] == 'R' || line[0] == 'W') && line[1] == ' ' && line[2] == '/')
                        strv_push_unique(lines, line);
        }
        return 0;
}

static int record_save(uid_t uid, const strv *lines, corral_error *err) {
        char path[256], tmp[300];
        record_path(path, sizeof(path), uid);
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
        if (!f)
                return error_set(err, -errno, "cannot write the grant record %s: %s", tmp, strerror(errno));
        (void)TAKE_FD(fd); /* f's now */
        for (size_t i = 0; i < lines->n; i++)
                fprintf(f, "%s\n", lines->v[i]);
        if (fclose(f) != 0 || rename(tmp, path) < 0)
                return error_set(err, -errno, "cannot write the grant record %s: %s", path, strerror(errno));
        if (lines->n == 0)
                unlink(path);
        return 0;
}

/* The recursive read grant: group read bits, where "other" lacks them. */
static const marker *walk_marker;
static long walk_count, walk_changed;
static bool walk_grant, walk_tty;
static int walk_err;

static int walk_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)ftw;
        if (type == FTW_SL || type == FTW_NS || type == FTW_DNR)
                return 0;
        if (++walk_count % 5000 == 0 && walk_tty)
                fprintf(stderr, "\rcorral: %ld entries...", walk_count);
        if (!S_ISDIR(st->st_mode) && !S_ISREG(st->st_mode))
                return 0;
        acl_perm_t perms = 0;
        if (walk_grant) {
                mode_t want = S_ISDIR(st->st_mode) ? (S_IRGRP | S_IXGRP) : S_IRGRP;
                if ((st->st_mode & want) != want)
                        return 0; /* private: never granted */
                if ((st->st_mode & (want >> 3)) == (want >> 3))
                        return 0; /* "other" can already */
                perms = ACL_READ | (S_ISDIR(st->st_mode) || (st->st_mode & S_IXGRP) ? ACL_EXECUTE : 0);
        }
        int r = acl_path(path, walk_marker, perms);
        if (r > 0)
                walk_changed++;
        else if (r < 0 && r != -EOPNOTSUPP)
                walk_err = r;
        return 0;
}

static long walk_tree(const marker *m, const char *dir, bool grant) {
        walk_marker = m, walk_count = 0, walk_changed = 0, walk_grant = grant, walk_err = 0;
        walk_tty = isatty(STDERR_FILENO);
        nftw(dir, walk_entry, 64, FTW_PHYS | FTW_MOUNT);
        if (walk_tty && walk_count >= 5000)
                fprintf(stderr, "\rcorral: %ld entries, done\n", walk_count);
        return walk_changed;
}

int grants_grant(const marker *m, const char *dir, bool read, grant_note note, corral_error *err) {
        _cleanup_strv_ strv lines = {0};
        char path[4096], msg[4300];
        int added = 0, r;
        uid_t me = getuid();
        if (dir[0] != '/' || strstr(dir, "/../") || strlen(dir) >= sizeof(path) - 4)
                return error_set(err, -EINVAL, "grant %s: needs an absolute, canonical path", dir);
        if ((r = record_load(me, &lines)) < 0)
                return error_set(err, r, "cannot read %s/%u: %s", CORRAL_GRANTS_DIR, (unsigned)me, strerror(-r));
        /* Ancestors, from the top. */
        for (const char *s = strchr(dir + 1, '/');; s = strchr(s + 1, '/')) {
                size_t n = s ? (size_t)(s - dir) : strlen(dir);
                if (!s)
                        break;
                snprintf(path, sizeof(path), "%.*s", (int)n, dir);
                struct stat st;
                if (stat(path, &st) < 0)
                        return error_set(err, -errno, "%s: %s", path, strerror(errno));
                if (traversable(m, path, &st))
                        continue;
                if (st.st_uid != me)
                        return error_set(err, -EACCES,
                                         "%s (owner uid %u) does not let the sandbox users through, and only its "
                                         "owner can grant that",
                                         path, (unsigned)st.st_uid);
                if ((r = acl_path(path, m, ACL_EXECUTE)) < 0)
                        return error_set(err, r, "cannot add an ACL entry to %s: %s", path, strerror(-r));
                added++;
                snprintf(msg, sizeof(msg), "T %s", path);
                strv_push_unique(&lines, msg);
                snprintf(msg, sizeof(msg), "granted %s and %s passage through %s (traverse only)",
                         m->users[0].name, m->users[1].name, path);
                if (note)
                        note(msg);
        }
        if (read) {
                long n = walk_tree(m, dir, true);
                if (walk_err)
                        return error_set(err, walk_err, "granting read on %s: %s", dir, strerror(-walk_err));
                added += (int)n;
                snprintf(msg, sizeof(msg), "R %s", dir);
                strv_push_unique(&lines, msg);
                snprintf(msg, sizeof(msg), "granted the sandbox users read access to %s (%ld ACL entries; private "
                         "files stay private)", dir, n);
                if (note)
                        note(msg);
        } else {
                snprintf(msg, sizeof(msg), "W %s", dir);
                strv_push_unique(&lines, msg);
        }
        r = record_save(me, &lines, err);
        return r == 0 ? added : r;
}

static bool needed_by(const strv *lines, const char *ancestor) {
        for (size_t i = 0; i < lines->n; i++) {
                const char *p = lines->v[i] + 2;
                size_t n = strlen(ancestor);
                if (lines->v[i][0] != 'T' && strncmp(p, ancestor, n) == 0 && (p[n] == '/' || strcmp(ancestor, "/") == 0))
                        return true;
        }
        return false;
}

/* Removes dir's records (all when dir is NULL) from lines and undoes them. */
static int revoke_lines(const marker *m, strv *lines, const char *dir, grant_note note) {
        int changed = 0;
        char msg[4300];
        _cleanup_strv_ strv keep = {0};
        for (size_t i = 0; i < lines->n; i++) {
                const char *l = lines->v[i];
                if ((l[0] == 'R' || l[0] == 'W') && (!dir || strcmp(l + 2, dir) == 0)) {
                        if (l[0] == 'R') {
                                changed += (int)walk_tree(m, l + 2, false);
                                snprintf(msg, sizeof(msg), "revoked read access to %s", l + 2);
                                if (note)
                                        note(msg);
                        }
                        continue;
                }
                strv_push(&keep, l);
        }
        strv_clear(lines);
        for (size_t i = 0; i < keep.n; i++) {
                const char *l = keep.v[i];
                if (l[0] == 'T' && !needed_by(&keep, l + 2)) {
                        if (acl_path(l + 2, m, 0) > 0)
                                changed++;
                        snprintf(msg, sizeof(msg), "revoked passage through %s", l + 2);
                        if (note)
                                note(msg);
                        continue;
                }
                strv_push(lines, l);
        }
        return changed;
}

int grants_revoke(const marker *m, const char *dir, grant_note note, corral_error *err) {
        _cleanup_strv_ strv lines = {0};
        uid_t me = getuid();
        int r = record_load(me, &lines);
        if (r < 0)
                return error_set(err, r, "cannot read the grant record: %s", strerror(-r));
        bool known = false;
        for (size_t i = 0; i < lines.n; i++)
                known |= lines.v[i][0] != 'T' && strcmp(lines.v[i] + 2, dir) == 0;
        if (!known)
                return error_set(err, -ENOENT, "nothing is granted for %s", dir);
        int n = revoke_lines(m, &lines, dir, note);
        r = record_save(me, &lines, err);
        return r < 0 ? r : n;
}

int grants_revoke_all(const marker *m) {
        if (!m->users[0].uid || !m->users[1].uid)
                return 0;
        _cleanup_closedir_ DIR *d = opendir(CORRAL_GRANTS_DIR);
        if (!d)
                return 0;
        int total = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                char *end;
                unsigned long uid = strtoul(e->d_name, &end, 10);
                if (*end || e->d_name[0] == 0)
                        continue;
                _cleanup_strv_ strv lines = {0};
                if (record_load((uid_t)uid, &lines) == 0)
                        total += revoke_lines(m, &lines, NULL, NULL);
                char path[256];
                record_path(path, sizeof(path), (uid_t)uid);
                unlink(path);
        }
        return total;
}
