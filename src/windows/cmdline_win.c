/* SPDX-License-Identifier: MIT */
#include "windows/cmdline_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "common/macro.h"
#include "windows/wide_win.h"

/* A growable string. */
typedef struct sbuf {
        char *s;
        size_t n, cap;
        bool oom;
} sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n) {
        if (b->oom)
                return;
        if (b->n + n + 1 > b->cap) {
                size_t cap = (b->n + n + 1) * 2;
                char *p = realloc(b->s, cap);
                if (!p) {
                        b->oom = true;
                        return;
                }
                b->s = p;
                b->cap = cap;
        }
        memcpy(b->s + b->n, s, n);
        b->n += n;
        b->s[b->n] = 0;
}

static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_repeat(sbuf *b, char c, size_t n) {
        for (size_t i = 0; i < n; i++)
                sb_putn(b, &c, 1);
}

static int sb_finish(sbuf *b, char **ret, corral_error *err) {
        if (b->oom || !b->s) {
                free(b->s);
                return oom(err);
        }
        *ret = b->s;
        return 0;
}

bool cmdline_is_batch(const char *path) {
        size_t n = strlen(path);
        while (n > 0 && (path[n - 1] == '.' || path[n - 1] == ' '))
                n--;
        if (n < 4)
                return false;
        const char *ext = path + n - 4;
        return _strnicmp(ext, ".bat", 4) == 0 || _strnicmp(ext, ".cmd", 4) == 0;
}

/* One argument by the MSVC rules: quoted when empty or holding a blank or a
 * quote; inside quotes, a run of n backslashes before a quote becomes 2n+1
 * (then the quote), before the closing quote 2n, elsewhere stays n. */
static void quote_msvc(sbuf *b, const char *arg, bool force) {
        bool quote = force || !*arg || strpbrk(arg, " \t\n\v\"") != NULL;
        if (!quote) {
                sb_puts(b, arg);
                return;
        }
        sb_puts(b, "\"");
        for (const char *p = arg;; p++) {
                size_t bs = 0;
                while (*p == '\\') {
                        bs++;
                        p++;
                }
                if (!*p) {
                        sb_repeat(b, '\\', 2 * bs);
                        break;
                }
                if (*p == '"') {
                        sb_repeat(b, '\\', 2 * bs + 1);
                        sb_puts(b, "\"");
                } else {
                        sb_repeat(b, '\\', bs);
                        sb_putn(b, p, 1);
                }
        }
        sb_puts(b, "\"");
}

int cmdline_quote_argv(char *const argv[], char **ret, corral_error *err) {
        if (!argv || !argv[0])
                return error_set(err, -EINVAL, "no command given");
        if (strchr(argv[0], '"'))
                return error_set(err, -EINVAL, "program name '%s' holds a '\"': Windows cannot pass it", argv[0]);
        sbuf b = {0};
        /* argv[0]: up to the next quote when quoted, else up to a blank. */
        bool blank = !*argv[0] || strpbrk(argv[0], " \t") != NULL;
        if (blank)
                sb_puts(&b, "\"");
        sb_puts(&b, argv[0]);
        if (blank)
                sb_puts(&b, "\"");
        for (size_t i = 1; argv[i]; i++) {
                sb_puts(&b, " ");
                quote_msvc(&b, argv[i], false);
        }
        return sb_finish(&b, ret, err);
}

/* Characters cmd.exe cannot be kept from interpreting, even inside quotes. */
static const char *batch_unquotable(const char *s) {
        for (const char *p = s; *p; p++)
                if (*p == '"' || *p == '%' || *p == '\r' || *p == '\n')
                        return p;
        return NULL;
}

int cmdline_quote_batch(const char *comspec, const char *script, char *const args[], char **ret,
                        corral_error *err) {
        const char *bad;
        if ((bad = batch_unquotable(script)))
                return error_set(err, -EINVAL, "batch script path '%s' holds '%s', which cmd.exe interprets: not run",
                                 script, *bad == '"' ? "\"" : *bad == '%' ? "%" : "a line break");
        for (size_t i = 0; args && args[i]; i++)
                if ((bad = batch_unquotable(args[i])))
                        return error_set(err, -EINVAL,
                                         "argument %u ('%s') of batch script %s holds %s, which cmd.exe interprets "
                                         "even inside quotes (BatBadBut, CVE-2024-24576): refused; run the "
                                         "program the script wraps directly, or pass the value another way",
                                         (unsigned)(i + 1), args[i], script,
                                         *bad == '"' ? "'\"'" : *bad == '%' ? "'%'" : "a line break");
        sbuf b = {0};
        /* /d: no AutoRun commands; /v:off: '!' is not expanded; /s: strip
         * exactly the outer quotes of what follows /c. */
        sb_puts(&b, "\"");
        sb_puts(&b, comspec);
        sb_puts(&b, "\" /d /e:on /v:off /s /c \"\"");
        sb_puts(&b, script);
        sb_puts(&b, "\"");
        for (size_t i = 0; args && args[i]; i++) {
                sb_puts(&b, " ");
                /* Always quoted: inside quotes cmd.exe takes & | < > ^ ( ) as
                 * text; a trailing backslash run is doubled for the program the
                 * script may pass %* to. */
                quote_msvc(&b, args[i], true);
        }
        sb_puts(&b, "\"");
        return sb_finish(&b, ret, err);
}

static bool is_file(const wchar_t *path) {
        DWORD a = GetFileAttributesW(path);
        return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

static bool has_extension(const char *name) {
        const char *base = name;
        for (const char *p = name; *p; p++)
                if (*p == '\\' || *p == '/' || *p == ':')
                        base = p + 1;
        return strchr(base, '.') != NULL;
}

/* dir\name, then dir\name<ext> for each extension when name has none. */
static int try_dir(const char *dir, const char *name, const char *pathext, char **ret) {
        char buf[4096];
        size_t dl = strlen(dir);
        const char *sep = !dl || (dir[dl - 1] == '\\' || dir[dl - 1] == '/') ? "" : "\\";
        /* a truncated path could name another program: skip it */
        if (has_extension(name) && (size_t)snprintf(buf, sizeof(buf), "%s%s%s", dir, sep, name) < sizeof(buf)) {
                _cleanup_free_ wchar_t *w = win_wide(buf);
                if (w && is_file(w))
                        return (*ret = strdup(buf)) ? 0 : -ENOMEM;
        }
        const char *e = pathext;
        while (e && *e) {
                size_t n = strcspn(e, ";");
                if (n > 0 && n < 32 &&
                    (size_t)snprintf(buf, sizeof(buf), "%s%s%s%.*s", dir, sep, name, (int)n, e) < sizeof(buf)) {
                        _cleanup_free_ wchar_t *w = win_wide(buf);
                        if (w && is_file(w))
                                return (*ret = strdup(buf)) ? 0 : -ENOMEM;
                }
                e += n;
                if (*e == ';')
                        e++;
        }
        return -ENOENT;
}

int cmdline_find_program(const char *name, const char *cwd, const char *path_env, const char *pathext,
                         char **ret) {
        if (!pathext || !*pathext)
                pathext = ".COM;.EXE;.BAT;.CMD";
        if (!*name)
                return -ENOENT;
        bool absolute = (name[0] && name[1] == ':' && (name[2] == '\\' || name[2] == '/')) ||
                        ((name[0] == '\\' || name[0] == '/') && (name[1] == '\\' || name[1] == '/'));
        if (absolute)
                return try_dir("", name, pathext, ret) == 0 ? 0 : -ENOENT;
        if (strpbrk(name, "\\/:"))
                return try_dir(cwd, name, pathext, ret);
        const char *p = path_env;
        while (p && *p) {
                size_t n = strcspn(p, ";");
                if (n > 0 && n < 2048) {
                        char dir[2048];
                        snprintf(dir, sizeof(dir), "%.*s", (int)n, p);
                        if (try_dir(dir, name, pathext, ret) == 0)
                                return 0;
                }
                p += n;
                if (*p == ';')
                        p++;
        }
        return -ENOENT;
}

/* Does path name an alternate data stream ("x.exe:s", "t.bat::$DATA")? That
 * is, a ':' anywhere but right after the drive letter (also behind a "\\?\"
 * prefix). Nothing legitimate runs from a stream, and the batch test above
 * (like CreateProcess's own) looks at the end of the name only. */
static bool names_stream(const char *path) {
        const char *p = path;
        if ((p[0] == '\\' || p[0] == '/') && (p[1] == '\\' || p[1] == '/') && (p[2] == '?' || p[2] == '.') &&
            (p[3] == '\\' || p[3] == '/'))
                p += 4;
        if (((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') && p[1] == ':')
                p += 2;
        return strchr(p, ':') != NULL;
}

int cmdline_build(const char *program, char *const argv[], const char *comspec, char **app, char **line,
                  corral_error *err) {
        int r;
        if (names_stream(program))
                return error_set(err, -EINVAL, "program '%s' names an alternate data stream (':'): not run", program);
        if (cmdline_is_batch(program)) {
                if ((r = cmdline_quote_batch(comspec, program, argv + 1, line, err)) < 0)
                        return r;
                *app = strdup(comspec);
        } else {
                if ((r = cmdline_quote_argv(argv, line, err)) < 0)
                        return r;
                *app = strdup(program);
        }
        if (!*app) {
                free(*line);
                *line = NULL;
                return oom(err);
        }
        return 0;
}
