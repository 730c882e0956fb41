/* SPDX-License-Identifier: MIT
 * Path strings. Everything that differs on Windows (separators, drive
 * letters, how a path is made canonical, where home is) stays in this file,
 * behind _WIN32. */
#include "path.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef _WIN32
#include <direct.h>
#include <windows.h>
#else
#include <pwd.h>
#endif

#include "macro.h"
#include "strv.h"

#ifdef _WIN32
static bool is_sep(char c) { return c == '/' || c == '\\'; }
/* Length of a drive prefix ("C:"), 0 if none. */
static size_t drive_len(const char *p) {
        if (((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':')
                return 2;
        return 0;
}
#else
static bool is_sep(char c) { return c == '/'; }
static size_t drive_len(const char *p) {
        (void)p;
        return 0;
}
#endif

bool path_is_absolute(const char *path) {
        if (!path)
                return false;
        size_t d = drive_len(path);
#ifdef _WIN32
        /* "\\server\share" is absolute too. */
        if (d == 0 && is_sep(path[0]) && is_sep(path[1]))
                return true;
#endif
        return is_sep(path[d]);
}

bool path_is_root(const char *path) {
        if (!path)
                return false;
        size_t d = drive_len(path);
        return is_sep(path[d]) && path[d + 1] == '\0';
}

#ifdef _WIN32
/* Concatenates a and b (b may be NULL). */
static char *concat(const char *a, const char *b) {
        size_t la = strlen(a), lb = b ? strlen(b) : 0;
        char *s = malloc(la + lb + 1);
        if (!s)
                return NULL;
        memcpy(s, a, la);
        if (lb)
                memcpy(s + la, b, lb);
        s[la + lb] = '\0';
        return s;
}
#endif

char *path_expand_home(const char *path, const char *home) {
        static const char *const prefixes[] = { "~", "${HOME}", "$HOME" };
        const char *rest = NULL;

        if (!path) {
                errno = EINVAL;
                return NULL;
        }
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
                size_t n = strlen(prefixes[i]);
                if (strncmp(path, prefixes[i], n) == 0 && (path[n] == '\0' || is_sep(path[n]))) {
                        rest = path + n;
                        break;
                }
        }
        if (!rest)
                return strdup(path);
        if (!home || !*home) {
                errno = EINVAL;
                return NULL;
        }

        /* home without its trailing separators (but "/" stays "/"). */
        size_t hl = strlen(home);
        while (hl > 1 && is_sep(home[hl - 1]))
                hl--;
        while (is_sep(*rest))
                rest++;

        size_t rl = strlen(rest);
        bool sep = rl > 0 && !is_sep(home[hl - 1]);
        char *s = malloc(hl + sep + rl + 1);
        if (!s)
                return NULL;
        /* NUL-terminated by the last memcpy (rl + 1 bytes). */
        memcpy(s, home, hl); // NOLINT(bugprone-not-null-terminated-result)
        if (sep)
                s[hl] = '/';
        memcpy(s + hl + sep, rest, rl + 1);
        return s;
}

char *path_join(const char *base, const char *rel) {
        if (!base || !rel) {
                errno = EINVAL;
                return NULL;
        }
        if (path_is_absolute(rel) || !*base)
                return strdup(rel);
        size_t bl = strlen(base), rl = strlen(rel);
        bool sep = !is_sep(base[bl - 1]) && rl > 0;
        char *s = malloc(bl + sep + rl + 1);
        if (!s)
                return NULL;
        /* NUL-terminated by the last memcpy (rl + 1 bytes). */
        memcpy(s, base, bl); // NOLINT(bugprone-not-null-terminated-result)
        if (sep)
                s[bl] = '/';
        memcpy(s + bl + sep, rel, rl + 1);
        return s;
}

char *path_normalize(const char *path) {
        if (!path) {
                errno = EINVAL;
                return NULL;
        }
        char *out = malloc(strlen(path) + 2);
        if (!out)
                return NULL;

        /* out[0..root) is the drive and root ("/", "C:/") plus any leading
         * ".." of a relative path: ".." never removes it. */
        size_t d = drive_len(path), o = d, root;
        memcpy(out, path, d);
        bool absolute = is_sep(path[d]);
        if (absolute)
                out[o++] = '/';
        root = o;

        const char *p = path + d;
        for (;;) {
                while (is_sep(*p))
                        p++;
                if (!*p)
                        break;
                size_t n = 0;
                while (p[n] && !is_sep(p[n]))
                        n++;
                bool dot = n == 1 && p[0] == '.';
                bool dotdot = n == 2 && p[0] == '.' && p[1] == '.';

                if (dotdot && o > root) {
                        /* drop the last component and the separator before it */
                        while (o > root && out[o - 1] != '/')
                                o--;
                        if (o > root)
                                o--;
                } else if (dotdot && absolute) {
                        /* ".." at the root stays at the root */
                } else if (!dot) {
                        if (o > d && out[o - 1] != '/')
                                out[o++] = '/';
                        memcpy(out + o, p, n);
                        o += n;
                        if (dotdot)
                                root = o;
                }
                p += n;
        }
        if (o == 0)
                out[o++] = '.';
        out[o] = '\0';
        return out;
}

#ifndef _WIN32
/* The target of the symlink at path, malloc'd. */
static char *read_link(const char *path) {
        size_t size = 256;
        for (;;) {
                char *buf = malloc(size);
                if (!buf)
                        return NULL;
                ssize_t n = readlink(path, buf, size);
                if (n < 0) {
                        int e = errno;
                        free(buf);
                        errno = e;
                        return NULL;
                }
                if ((size_t)n < size) {
                        buf[n] = '\0';
                        return buf;
                }
                free(buf);
                if (size > 1 << 20) {
                        errno = ENAMETOOLONG;
                        return NULL;
                }
                size *= 2;
        }
}

#define CANON_MEMO_MAX 256 /* a default plan notes about 130 */
/* Looked up for every component of every path canonicalized while planning:
 * a hash first, so that a miss costs no string comparison. */
static struct {
        bool on;
        size_t n;
        struct {
                uint32_t hash;
                bool missing; /* found missing (ENOENT), not a directory */
                char *path;
        } e[CANON_MEMO_MAX];
} canon_memo;

static uint32_t memo_hash(const char *s) {
        uint32_t h = 2166136261u;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 16777619u;
        return h;
}

/* 1 a directory, 0 missing, -1 not known */
static int memo_find(const char *path) {
        if (!canon_memo.on || !canon_memo.n)
                return -1;
        uint32_t h = memo_hash(path);
        for (size_t i = 0; i < canon_memo.n; i++)
                if (canon_memo.e[i].hash == h && strcmp(canon_memo.e[i].path, path) == 0)
                        return canon_memo.e[i].missing ? 0 : 1;
        return -1;
}

static bool memo_has(const char *dir) { return memo_find(dir) == 1; }
static bool memo_missing(const char *path) { return memo_find(path) == 0; }

static void memo_put(const char *path, bool missing) {
        if (canon_memo.on && canon_memo.n < CANON_MEMO_MAX && (canon_memo.e[canon_memo.n].path = strdup(path))) {
                canon_memo.e[canon_memo.n].hash = memo_hash(path);
                canon_memo.e[canon_memo.n++].missing = missing;
        }
}

static void memo_add(const char *dir) { memo_put(dir, false); }

void path_canon_memo_begin(void) {
        path_canon_memo_end();
        canon_memo.on = true;
}

void path_canon_memo_end(void) {
        for (size_t i = 0; i < canon_memo.n; i++)
                free(canon_memo.e[i].path);
        canon_memo.n = 0;
        canon_memo.on = false;
}

int path_canon_memo_lookup(const char *path) { return memo_find(path); }

void path_canon_memo_note(const char *path, bool is_dir) {
        if (memo_find(path) < 0)
                memo_put(path, !is_dir);
}

bool path_canon_memo_known_missing(const char *path) {
        if (!canon_memo.on || !canon_memo.n || path[0] != '/')
                return false;
        char buf[4096];
        size_t len = strlen(path);
        if (len >= sizeof(buf))
                return false;
        memcpy(buf, path, len + 1);
        /* path, then each directory above it, up to the first component */
        for (;;) {
                int known = memo_find(buf);
                if (known == 0)
                        return true;
                if (known == 1) /* a directory: nothing above it is missing */
                        return false;
                char *slash = strrchr(buf, '/');
                if (!slash || slash == buf)
                        return false;
                *slash = 0;
        }
}

/* Resolves an absolute path component by component. res holds the resolved
 * prefix without a trailing slash ("" stands for "/"); rest what is left to
 * walk. Once a component is missing, the following ones are appended without
 * looking at the file system, until ".." climbs back into the resolved part. */
static char *canonicalize_posix(const char *abs) {
        _cleanup_free_ char *rest = strdup(abs);
        _cleanup_free_ char *res = calloc(1, strlen(abs) + 2);
        size_t res_cap = strlen(abs) + 2, res_len = 0, real_len = 0;
        bool missing = false;
        unsigned links = 0;

        if (!rest || !res)
                return NULL;

        const char *p = rest;
        for (;;) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                size_t n = strcspn(p, "/");
                const char *e = p + n;

                if (n == 1 && p[0] == '.') {
                        p = e;
                        continue;
                }
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        while (res_len > 0 && res[res_len - 1] != '/')
                                res_len--;
                        if (res_len > 0)
                                res_len--;
                        res[res_len] = '\0';
                        if (res_len <= real_len) {
                                real_len = res_len;
                                missing = false;
                        }
                        p = e;
                        continue;
                }

                if (res_len + 1 + n + 1 > res_cap) {
                        size_t cap = (res_len + 1 + n + 1) * 2;
                        char *r = realloc(res, cap);
                        if (!r)
                                return NULL;
                        res = r;
                        res_cap = cap;
                }
                res[res_len] = '/';
                memcpy(res + res_len + 1, p, n);
                res[res_len + 1 + n] = '\0';
                p = e;

                if (missing) {
                        res_len += 1 + n;
                        continue;
                }

                struct stat st;
                if (memo_has(res)) {
                        res_len += 1 + n;
                        real_len = res_len;
                        continue;
                }
                if (memo_missing(res)) {
                        missing = true;
                        res_len += 1 + n;
                        continue;
                }
                if (lstat(res, &st) < 0) {
                        if (errno != ENOENT && errno != ENOTDIR && errno != EACCES)
                                return NULL;
                        if (errno == ENOENT)
                                memo_put(res, true);
                        missing = true;
                        res_len += 1 + n;
                        continue;
                }
                if (!S_ISLNK(st.st_mode)) {
                        if (S_ISDIR(st.st_mode))
                                memo_add(res);
                        res_len += 1 + n;
                        real_len = res_len;
                        continue;
                }

                if (++links > 40) {
                        errno = ELOOP;
                        return NULL;
                }
                _cleanup_free_ char *target = read_link(res);
                if (!target)
                        return NULL;
                res[res_len] = '\0'; /* the link's directory */
                if (target[0] == '/') {
                        res_len = real_len = 0;
                        res[0] = '\0';
                }
                /* walk target, then what followed the link */
                size_t size = strlen(target) + 1 + strlen(p) + 1;
                char *next = malloc(size);
                if (!next)
                        return NULL;
                snprintf(next, size, "%s/%s", target, p);
                free(rest);
                rest = next;
                p = rest;
        }

        if (res_len == 0)
                return strdup("/");
        res[res_len] = '\0';
        return TAKE_PTR(res);
}
#endif

#ifdef _WIN32
void path_canon_memo_begin(void) {}
void path_canon_memo_end(void) {}
int path_canon_memo_lookup(const char *path) {
        (void)path;
        return -1;
}
void path_canon_memo_note(const char *path, bool is_dir) { (void)path, (void)is_dir; }
bool path_canon_memo_known_missing(const char *path) {
        (void)path;
        return false;
}
#endif

char *path_canonicalize(const char *path) {
        if (!path || !*path) {
                errno = EINVAL;
                return NULL;
        }
#ifdef _WIN32
        _cleanup_free_ char *full = _fullpath(NULL, path, 0);
        if (!full)
                return NULL;
        return path_normalize(full);
#else
        if (path_is_absolute(path))
                return canonicalize_posix(path);
        _cleanup_free_ char *cwd = path_current_dir();
        if (!cwd)
                return NULL;
        _cleanup_free_ char *abs = path_join(cwd, path);
        if (!abs)
                return NULL;
        return canonicalize_posix(abs);
#endif
}

bool path_is_below_or_equal(const char *child, const char *parent) {
        if (!child || !parent || !*parent)
                return false;
        if (path_is_root(parent))
                return path_is_absolute(child) && strncmp(child, parent, drive_len(parent)) == 0;
        size_t n = strlen(parent);
        while (n > 1 && is_sep(parent[n - 1]))
                n--;
        return strncmp(child, parent, n) == 0 && (child[n] == '\0' || is_sep(child[n]));
}

const char *path_broad_root(const char *root, const char *home) {
        if (path_is_root(root))
                return "is the root directory";
        if (home && strcmp(root, home) == 0)
                return "is your home directory";
        if (home && path_is_below_or_equal(home, root))
                return "is an ancestor of your home directory";
        return NULL;
}

#ifdef _WIN32
#define PATH_LIST_SEP ';'
/* ASCII case folded: Windows compares names without regard to case. */
static bool same_char(char a, char b) {
        if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
                b = (char)(b - 'A' + 'a');
        return a == b || (is_sep(a) && is_sep(b));
}
#else
#define PATH_LIST_SEP ':'
static bool same_char(char a, char b) { return a == b; }
#endif

/* path_is_below_or_equal, but on Windows without regard to case. */
static bool holds(const char *root, const char *dir) {
        size_t n = strlen(root);
        while (n > 1 && is_sep(root[n - 1]))
                n--;
        if (path_is_root(root))
                n = drive_len(root); /* "/" or "C:/": any absolute path on that drive */
        for (size_t i = 0; i < n; i++)
                if (!dir[i] || !same_char(dir[i], root[i]))
                        return false;
        return path_is_root(root) ? path_is_absolute(dir) : dir[n] == '\0' || is_sep(dir[n]);
}

bool path_holds(const char *root, const char *dir) {
        if (!root || !dir || !*root || !path_is_absolute(root))
                return false;
        return holds(root, dir);
}

/* Appends the normalised absolute dir and its description, once. */
static int add_place(strv *dirs, strv *whats, const char *dir, const char *what) {
        if (!dir || !path_is_absolute(dir))
                return 0;
        _cleanup_free_ char *n = path_normalize(dir);
        if (!n)
                return -ENOMEM;
        for (size_t i = 0; i < dirs->n; i++)
                if (holds(dirs->v[i], n) && holds(n, dirs->v[i]))
                        return 0;
        if (strv_push(dirs, n) < 0 || strv_push(whats, what) < 0)
                return -ENOMEM;
        return 0;
}

int path_plant_places(const char *path_env, const char *home, const char *config_home, strv *dirs, strv *whats) {
        int r;
        for (const char *p = path_env; p && *p;) {
                size_t n = 0;
#ifdef _WIN32
                /* an entry may be quoted to hold a ';' */
                bool quoted = false;
                while (p[n] && (quoted || p[n] != PATH_LIST_SEP))
                        quoted ^= p[n++] == '"';
                _cleanup_free_ char *e = malloc(n + 1);
                if (!e)
                        return -ENOMEM;
                size_t o = 0;
                for (size_t i = 0; i < n; i++)
                        if (p[i] != '"')
                                e[o++] = p[i];
                e[o] = '\0';
#else
                n = strcspn(p, ":");
                _cleanup_free_ char *e = malloc(n + 1);
                if (!e)
                        return -ENOMEM;
                memcpy(e, p, n);
                e[n] = '\0';
#endif
                /* relative and empty entries name no fixed place */
                if ((r = add_place(dirs, whats, e, PATH_PLANT_ON_PATH)) < 0)
                        return r;
                p += n;
                if (*p == PATH_LIST_SEP)
                        p++;
        }
#ifdef _WIN32
        _cleanup_free_ char *roaming = NULL;
        if (!path_is_absolute(config_home) && home && path_is_absolute(home) &&
            (roaming = path_join(home, "AppData/Roaming")))
                config_home = roaming;
        if (path_is_absolute(config_home) &&
            (r = add_place(dirs, whats, config_home,
                           "your roaming application data (%APPDATA%), which holds your Startup folder and what "
                           "programs read when they start")) < 0)
                return r;
#else
        static const char config_what[] = "your config home, where your desktop session, systemd and shells read "
                                          "what they start (autostart, user units, startup files)";
        if (path_is_absolute(config_home) && (r = add_place(dirs, whats, config_home, config_what)) < 0)
                return r;
        if (home && path_is_absolute(home)) {
                static const char *const rel[] = { ".config", ".local/bin", "bin" };
                for (size_t i = 0; i < ELEMENTSOF(rel); i++) {
                        _cleanup_free_ char *d = path_join(home, rel[i]);
                        if (!d)
                                return -ENOMEM;
                        if ((r = add_place(dirs, whats, d,
                                           i == 0 ? config_what
                                                  : "a directory ~/.profile puts on your PATH at login when it "
                                                    "exists")) < 0)
                                return r;
                }
        }
#endif
        return 0;
}

char *path_home_dir(void) {
#ifdef _WIN32
        const char *h = getenv("USERPROFILE");
        if (h && path_is_absolute(h))
                return strdup(h);
        const char *drive = getenv("HOMEDRIVE"), *hp = getenv("HOMEPATH");
        if (drive && hp)
                return concat(drive, hp);
        return NULL;
#else
        const char *h = getenv("HOME");
        if (h && path_is_absolute(h))
                return strdup(h);

        long size = sysconf(_SC_GETPW_R_SIZE_MAX);
        size_t bufsize = size > 0 ? (size_t)size : 16384;
        _cleanup_free_ char *buf = malloc(bufsize);
        struct passwd pw, *res = NULL;
        if (!buf)
                return NULL;
        if (getpwuid_r(getuid(), &pw, buf, bufsize, &res) != 0 || !res || !res->pw_dir ||
            !path_is_absolute(res->pw_dir))
                return NULL;
        return strdup(res->pw_dir);
#endif
}

char *path_current_dir(void) {
        size_t size = 256;
        for (;;) {
                char *buf = malloc(size);
                if (!buf)
                        return NULL;
#ifdef _WIN32
                if (_getcwd(buf, (int)size))
#else
                if (getcwd(buf, size))
#endif
                        return buf;
                int e = errno;
                free(buf);
                if (e != ERANGE || size > 1 << 20) {
                        errno = e;
                        return NULL;
                }
                size *= 2;
        }
}

#ifdef _WIN32
wchar_t *path_win_exact(const char *path) {
        bool drive = drive_len(path) && is_sep(path[2]);
        /* a "." or ".." component is no listed name: Win32 resolves it (a
         * \\?\ path would hand it to the file system as a name) */
        for (const char *c = path; drive && *c; c++)
                if (is_sep(c[0]) && c[1] == '.' &&
                    (!c[2] || is_sep(c[2]) || (c[2] == '.' && (!c[3] || is_sep(c[3])))))
                        drive = false;
        int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, NULL, 0);
        if (n <= 0) {
                errno = EINVAL;
                return NULL;
        }
        _cleanup_free_ wchar_t *w = malloc((size_t)n * sizeof(wchar_t));
        if (!w)
                return NULL;
        MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, w, n);
        if (!drive)
                return TAKE_PTR(w);
        wchar_t *x = malloc(((size_t)n + 4) * sizeof(wchar_t));
        if (!x)
                return NULL;
        memcpy(x, L"\\\\?\\", 4 * sizeof(wchar_t));
        size_t o = 4;
        for (size_t i = 0; i < (size_t)n; i++) {
                bool sep = w[i] == L'/' || w[i] == L'\\';
                if (sep && o > 4 && x[o - 1] == L'\\')
                        continue; /* (C://x: one separator; \\?\ keeps every one) */
                x[o++] = sep ? L'\\' : w[i];
        }
        return x;
}
#endif
