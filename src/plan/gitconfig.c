/* SPDX-License-Identifier: MIT
 * git's config syntax (see gitconfig.h). Written from git's documentation
 * (git-config(1), "CONFIGURATION FILE") and the behaviour of its parser. */
#include "plan/gitconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct src {
        const unsigned char *p, *end;
        bool eof;
} src;

/* A growable string. */
typedef struct buf {
        char *s;
        size_t n, cap;
        bool oom;
} buf;

static void put(buf *b, char c) {
        if (b->oom)
                return;
        if (b->n + 1 >= b->cap) {
                size_t cap = b->cap ? b->cap * 2 : 64;
                char *s = realloc(b->s, cap);
                if (!s) {
                        b->oom = true;
                        return;
                }
                b->s = s, b->cap = cap;
        }
        b->s[b->n++] = c;
        b->s[b->n] = 0;
}

static void truncate_to(buf *b, size_t n) {
        b->n = n;
        if (b->s)
                b->s[n] = 0;
}

/* git's own ctype: ASCII only, whatever the locale. */
static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_alnum(int c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
static bool is_keychar(int c) { return is_alnum(c) || c == '-'; }
static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* The next character; "\r\n" reads as '\n', the end of the text as '\n'
 * with eof set. */
static int next_char(src *s) {
        if (s->p >= s->end) {
                s->eof = true;
                return '\n';
        }
        int c = *s->p++;
        if (c == '\r' && s->p < s->end && *s->p == '\n')
                c = *s->p++;
        return c;
}

/* The value after '=', up to the end of the line: NULL on a syntax error
 * (an unknown escape, an unterminated quote). */
static const char *parse_value(src *s, buf *v) {
        bool quote = false, comment = false;
        size_t trim = 0;
        truncate_to(v, 0);
        put(v, 0), truncate_to(v, 0); /* an empty value is "", not NULL */
        for (;;) {
                int c = next_char(s);
                if (c == '\n') {
                        if (quote)
                                return NULL;
                        if (trim)
                                truncate_to(v, trim);
                        return v->oom ? NULL : v->s;
                }
                if (comment)
                        continue;
                if (is_space(c) && !quote) {
                        if (!trim)
                                trim = v->n;
                        if (v->n)
                                put(v, (char)c);
                        continue;
                }
                if (!quote && (c == ';' || c == '#')) {
                        comment = true;
                        continue;
                }
                trim = 0;
                if (c == '\\') {
                        c = next_char(s);
                        switch (c) {
                        case '\n':
                                continue;
                        case 't':
                                c = '\t';
                                break;
                        case 'b':
                                c = '\b';
                                break;
                        case 'n':
                                c = '\n';
                                break;
                        case '\\':
                        case '"':
                                break;
                        default:
                                return NULL;
                        }
                        put(v, (char)c);
                        continue;
                }
                if (c == '"') {
                        quote = !quote;
                        continue;
                }
                put(v, (char)c);
        }
}

/* "[section \"subsection\"]" after the section name: -1 on a syntax error. */
static int extended_section(src *s, buf *name, int c) {
        do {
                if (c == '\n')
                        return -1;
                c = next_char(s);
        } while (is_space(c));
        if (c != '"')
                return -1;
        put(name, '.');
        for (;;) {
                c = next_char(s);
                if (c == '\n')
                        return -1;
                if (c == '"')
                        break;
                if (c == '\\') {
                        c = next_char(s);
                        if (c == '\n')
                                return -1;
                }
                put(name, (char)c);
        }
        return next_char(s) == ']' ? 0 : -1;
}

static int section(src *s, buf *name) {
        for (;;) {
                int c = next_char(s);
                if (s->eof)
                        return -1;
                if (c == ']')
                        return 0;
                if (is_space(c))
                        return extended_section(s, name, c);
                if (!is_keychar(c) && c != '.')
                        return -1;
                put(name, (char)lower(c));
        }
}

int gitconfig_parse(const char *text, size_t len, gitconfig_fn fn, void *data) {
        src s = {(const unsigned char *)text, (const unsigned char *)text + len, false};
        buf var = {0}, val = {0};
        size_t base = 0;
        bool comment = false;
        int r = 0;
        /* A UTF-8 byte order mark at the start is skipped (and a partial
         * one is an error, as in git). */
        static const unsigned char bom[] = {0xef, 0xbb, 0xbf};
        size_t nb = 0;
        while (nb < 3 && s.p + nb < s.end && s.p[nb] == bom[nb])
                nb++;
        if (nb == 3)
                s.p += 3;
        else if (nb > 0)
                r = -EINVAL;
        while (r == 0) {
                int c = next_char(&s);
                if (c == '\n') {
                        if (s.eof)
                                break;
                        comment = false;
                        continue;
                }
                if (comment || is_space(c))
                        continue;
                if (c == '#' || c == ';') {
                        comment = true;
                        continue;
                }
                if (c == '[') {
                        truncate_to(&var, 0);
                        if (section(&s, &var) < 0 || var.n < 1) {
                                r = -EINVAL;
                                break;
                        }
                        put(&var, '.');
                        base = var.n;
                        continue;
                }
                if (!is_alpha(c)) {
                        r = -EINVAL;
                        break;
                }
                /* an entry: the key's name, then '=' and a value, or the
                 * end of the line */
                truncate_to(&var, base);
                put(&var, (char)lower(c));
                for (;;) {
                        c = next_char(&s);
                        if (s.eof || !is_keychar(c))
                                break;
                        put(&var, (char)lower(c));
                }
                while (c == ' ' || c == '\t')
                        c = next_char(&s);
                const char *value = NULL;
                if (c != '\n') {
                        if (c != '=' || !(value = parse_value(&s, &val))) {
                                r = val.oom ? -ENOMEM : -EINVAL;
                                break;
                        }
                }
                if (var.oom) {
                        r = -ENOMEM;
                        break;
                }
                r = fn(var.s, value, data);
        }
        if (r == 0 && (var.oom || val.oom))
                r = -ENOMEM;
        free(var.s);
        free(val.s);
        return r;
}
