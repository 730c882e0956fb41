/* SPDX-License-Identifier: MIT */
#include "users/marker.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"

#define MARKER_MAX_SIZE 8192

typedef struct cursor {
        const char *p;
} cursor;

static void skip_ws(cursor *c) {
        while (*c->p == ' ' || *c->p == '\n' || *c->p == '\t' || *c->p == '\r')
                c->p++;
}

static bool eat(cursor *c, char ch) {
        skip_ws(c);
        if (*c->p != ch)
                return false;
        c->p++;
        return true;
}

/* A string of printable characters other than '"' and '\\'. */
static int parse_string(cursor *c, char *buf, size_t len) {
        if (!eat(c, '"'))
                return -EINVAL;
        size_t n = 0;
        for (; *c->p != '"'; c->p++) {
                unsigned char ch = (unsigned char)*c->p;
                if (ch < 0x20 || ch == 0x7f || ch == '\\' || n + 1 >= len)
                        return -EINVAL;
                buf[n++] = (char)ch;
        }
        buf[n] = 0;
        c->p++;
        return 0;
}

static int parse_uint(cursor *c, unsigned long max, unsigned long *ret) {
        skip_ws(c);
        if (!isdigit((unsigned char)*c->p))
                return -EINVAL;
        unsigned long v = 0;
        for (; isdigit((unsigned char)*c->p); c->p++) {
                v = v * 10 + (unsigned long)(*c->p - '0');
                if (v > max)
                        return -ERANGE;
        }
        *ret = v;
        return 0;
}

static int parse_bool(cursor *c, bool *ret) {
        skip_ws(c);
        if (strncmp(c->p, "true", 4) == 0)
                *ret = true, c->p += 4;
        else if (strncmp(c->p, "false", 5) == 0)
                *ret = false, c->p += 5;
        else
                return -EINVAL;
        return 0;
}

static int parse_ports(cursor *c, marker *m) {
        if (!eat(c, '['))
                return -EINVAL;
        if (eat(c, ']'))
                return 0;
        do {
                unsigned long v;
                if (m->n_ports >= MARKER_MAX_PORTS || parse_uint(c, 65535, &v) < 0 || v == 0)
                        return -EINVAL;
                m->ports[m->n_ports++] = (uint16_t)v;
        } while (eat(c, ','));
        return eat(c, ']') ? 0 : -EINVAL;
}

static marker_user *user_for(marker *m, const char *key, const char **field) {
        if (strncmp(key, "offline_", 8) == 0) {
                *field = key + 8;
                return &m->users[IDENTITY_OFFLINE];
        }
        if (strncmp(key, "online_", 7) == 0) {
                *field = key + 7;
                return &m->users[IDENTITY_ONLINE];
        }
        return NULL;
}

static int parse_field(cursor *c, marker *m, const char *key, unsigned *seen) {
        unsigned long v = 0; /* parse_uint leaves it unset when it fails */
        const char *field = "";
        marker_user *u = user_for(m, key, &field);
        int r;
#define STR(k, buf, bit) \
        if (strcmp(key, k) == 0) { r = parse_string(c, (buf), sizeof(buf)); *seen |= (bit); return r; }
        STR("version", m->version, 1u << 0)
        STR("group", m->group, 1u << 1)
        STR("table", m->table, 1u << 2)
        STR("runner", m->runner, 1u << 3)
        STR("setup", m->setup, 1u << 4)
#undef STR
        if (strcmp(key, "format") == 0) {
                r = parse_uint(c, 1000, &v);
                m->format = (int)v;
                *seen |= 1u << 5;
                return r;
        }
        if (strcmp(key, "gid") == 0) {
                r = parse_uint(c, 0x7fffffff, &v);
                m->gid = (gid_t)v;
                *seen |= 1u << 6;
                return r;
        }
        if (strcmp(key, "loopback_ports") == 0) {
                *seen |= 1u << 7;
                return parse_ports(c, m);
        }
        if (strcmp(key, "allow_loopback") == 0)
                return *seen |= 1u << 8, parse_bool(c, &m->allow_loopback);
        if (strcmp(key, "systemd_unit") == 0)
                return parse_bool(c, &m->systemd_unit);
        if (strcmp(key, "apparmor") == 0)
                return parse_bool(c, &m->apparmor);
        if (u) {
                unsigned bit = u == &m->users[0] ? 9 : 13;
                if (strcmp(field, "user") == 0)
                        return *seen |= 1u << bit, parse_string(c, u->name, sizeof(u->name));
                if (strcmp(field, "uid") == 0) {
                        r = parse_uint(c, 0x7fffffff, &v);
                        u->uid = (uid_t)v;
                        *seen |= 1u << (bit + 1);
                        return r;
                }
                if (strcmp(field, "gid") == 0) {
                        r = parse_uint(c, 0x7fffffff, &v);
                        u->gid = (gid_t)v;
                        *seen |= 1u << (bit + 2);
                        return r;
                }
                if (strcmp(field, "home") == 0)
                        return *seen |= 1u << (bit + 3), parse_string(c, u->home, sizeof(u->home));
        }
        return -EINVAL; /* unknown key: a newer format, or damage */
}

#define ALL_FIELDS ((1u << 17) - 1)

static int parse(const char *text, marker *m) {
        cursor c = {text};
        unsigned seen = 0;
        char key[64];
        memset(m, 0, sizeof(*m));
        if (!eat(&c, '{'))
                return -EINVAL;
        do {
                if (parse_string(&c, key, sizeof(key)) < 0 || !eat(&c, ':') || parse_field(&c, m, key, &seen) < 0)
                        return -EINVAL;
        } while (eat(&c, ','));
        if (!eat(&c, '}'))
                return -EINVAL;
        skip_ws(&c);
        if (*c.p)
                return -EINVAL;
        return seen == ALL_FIELDS ? 0 : -EINVAL;
}

int marker_read(const char *path, marker *m, corral_error *err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return error_set(err, -errno, "%s: %s", path, strerror(errno));
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_set(err, -errno, "%s: %s", path, strerror(errno));
        if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) || st.st_size > MARKER_MAX_SIZE)
                return error_set(err, -EPERM, "%s is not a root-owned file writable only by root: not trusted", path);
        _cleanup_free_ char *buf = calloc(1, (size_t)st.st_size + 1);
        if (!buf)
                return oom(err);
        ssize_t n = read(fd, buf, (size_t)st.st_size);
        if (n != st.st_size || memchr(buf, 0, (size_t)n))
                return error_set(err, -EIO, "%s: short read or NUL byte", path);
        int r = parse(buf, m);
        if (r < 0)
                error_set(err, r, "%s is damaged or from another version of corral-setup: rerun `sudo corral setup`",
                          path);
        return r;
}

int marker_write(const char *path, const marker *m, corral_error *err) {
        char tmp[512];
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        FILE *f = NULL;
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0 || fchown(fd, 0, 0) < 0 || fchmod(fd, 0644) < 0 || !(f = fdopen(fd, "w"))) {
                int e = errno;
                return error_set(err, -e, "cannot write %s: %s", tmp, strerror(e));
        }
        (void)TAKE_FD(fd); /* f's now */
        fprintf(f, "{\n  \"format\": %d,\n  \"version\": \"%s\",\n  \"group\": \"%s\",\n  \"gid\": %u,\n", m->format,
                m->version, m->group, (unsigned)m->gid);
        const char *pre[] = {"offline", "online"};
        for (int i = 0; i < 2; i++)
                fprintf(f, "  \"%s_user\": \"%s\",\n  \"%s_uid\": %u,\n  \"%s_gid\": %u,\n  \"%s_home\": \"%s\",\n",
                        pre[i], m->users[i].name, pre[i], (unsigned)m->users[i].uid, pre[i], (unsigned)m->users[i].gid,
                        pre[i], m->users[i].home);
        fprintf(f, "  \"table\": \"%s\",\n  \"runner\": \"%s\",\n  \"setup\": \"%s\",\n  \"loopback_ports\": [", m->table,
                m->runner, m->setup);
        for (int i = 0; i < m->n_ports; i++)
                fprintf(f, "%s%u", i ? ", " : "", m->ports[i]);
        fprintf(f, "],\n  \"allow_loopback\": %s,\n  \"systemd_unit\": %s,\n  \"apparmor\": %s\n}\n",
                m->allow_loopback ? "true" : "false", m->systemd_unit ? "true" : "false", m->apparmor ? "true" : "false");
        bool bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
        bad |= fclose(f) != 0;
        if (bad || rename(tmp, path) < 0) {
                int e = errno;
                unlink(tmp);
                return error_set(err, -e, "cannot write %s: %s", path, strerror(e));
        }
        return 0;
}

int marker_validate(const marker *m, corral_error *err) {
        if (m->format != MARKER_FORMAT)
                return error_set(err, -EPROTO,
                                 "%s has format %d, this corral needs %d: rerun `sudo corral setup`", MARKER_PATH,
                                 m->format, MARKER_FORMAT);
        struct group *g = getgrnam(m->group);
        if (!g || g->gr_gid != m->gid)
                return error_set(err, -ESTALE, "group %s no longer has gid %u (%s): rerun `sudo corral setup`", m->group,
                                 (unsigned)m->gid, MARKER_PATH);
        for (int i = 0; i < 2; i++) {
                const marker_user *u = &m->users[i];
                struct passwd *pw = getpwnam(u->name);
                if (!pw || pw->pw_uid != u->uid || pw->pw_gid != u->gid || u->uid == 0 || u->gid == 0)
                        return error_set(err, -ESTALE,
                                         "sandbox user %s no longer matches %s (uid %u): rerun `sudo corral setup`",
                                         u->name, MARKER_PATH, (unsigned)u->uid);
        }
        if (m->users[0].uid == m->users[1].uid)
                return error_set(err, -ESTALE, "%s names one uid for both sandbox users", MARKER_PATH);
        return 0;
}

int marker_load(const char *path, marker *m, corral_error *err) {
        int r = marker_read(path, m, err);
        if (r < 0 || (r = marker_validate(m, err)) < 0)
                return r;
        if (strcmp(m->version, CORRAL_VERSION) != 0)
                return error_set(err, -EPROTO, "%s was written by corral %s, this is %s: rerun `sudo corral setup`",
                                 path, m->version, CORRAL_VERSION);
        return 0;
}

bool marker_member(const marker *m) {
        /* the supplementary groups, on the heap: NGROUPS_MAX of them would
         * be 256 KiB of stack, touched page by page (stack-clash probes) on
         * every run, for corral's peak RSS */
        bool member = getgid() == m->gid;
        int n = member ? 0 : getgroups(0, NULL);
        gid_t *groups = n > 0 ? calloc((size_t)n, sizeof(gid_t)) : NULL;
        if (groups)
                n = getgroups(n, groups);
        for (int i = 0; groups && i < n && !member; i++)
                member = groups[i] == m->gid;
        free(groups);
        return member;
}

int marker_sandbox_path(const marker *m, char *buf, size_t len) {
        const char *slash = strrchr(m->runner, '/');
        int dir = slash ? (int)(slash - m->runner) : 0;
        return snprintf(buf, len, "%.*s/corral-sandbox", dir, m->runner);
}
