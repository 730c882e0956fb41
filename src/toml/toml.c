/* SPDX-License-Identifier: MIT
 * A TOML 1.0.0 parser (see toml.h for the API).
 *
 * One recursive-descent pass over the text builds the tree. Before that, a
 * single scan of the whole document rejects what is invalid anywhere: bad
 * UTF-8, NUL bytes, control characters (tab excepted) and a carriage return
 * that does not start a CRLF. So the parser proper can treat every byte as
 * valid UTF-8 and every '\r' as the start of "\r\n".
 *
 * The TOML rules about redefining tables are tracked with one "kind" per
 * table (see enum kind): a table is either created implicitly as the parent
 * of a [a.b.c] header, defined by a [header] (or [[header]]), created by a
 * dotted key, or an inline table, which is closed for good.
 *
 * Notes on the representation:
 *  - newlines inside multi-line strings are normalised to "\n";
 *  - datetimes are kept as text, with the date/time separator written 'T'
 *    and a 'z' offset written 'Z'; everything else is kept as written;
 *  - keys are C strings: a key containing U+0000 (only possible through a
 *    \u0000 escape) has that character stored as the two bytes C0 80
 *    ("modified UTF-8"), so distinct keys stay distinct;
 *  - containers (tables and arrays) may nest at most TOML_MAX_DEPTH deep,
 *    counting tables made by headers and dotted keys as well as arrays and
 *    inline tables. */
#include "toml.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOML_MAX_DEPTH 128

/* How a table (or array) came to be; drives the redefinition rules. */
enum kind {
        KIND_PLAIN,    /* scalars, arrays written as [ ... ], the root table */
        KIND_IMPLICIT, /* parent table created by a [a.b.c] header; may be defined once later */
        KIND_HEADER,   /* table defined by a [header], or an element of [[header]] */
        KIND_DOTTED,   /* table created by a dotted key (a.b = 1), or an inline table being parsed */
        KIND_INLINE,   /* inline table { ... }: can never be extended */
        KIND_AOT,      /* array created by [[header]] */
};

struct entry {
        char *key;
        size_t keylen;
        toml_value *val;
};

struct toml_value {
        toml_type type;
        int line;
        int depth;
        enum kind kind;
        union {
                struct {
                        char *ptr;
                        size_t len;
                } str; /* strings and datetimes */
                int64_t i;
                double f;
                bool b;
                struct {
                        toml_value **items;
                        size_t n, cap;
                } arr;
                struct {
                        struct entry *ents;
                        size_t n, cap;
                        size_t *slots; /* hash index of entry numbers + 1, once the table grows */
                        size_t nslots;
                } tab;
        } u;
};

typedef struct parser {
        const char *p, *end;
        int line;
        char *errbuf;
        size_t errlen;
        toml_value *root, *cur; /* cur: the table that key = value lines go to */
} parser;

struct key {
        char *s;
        size_t len;
};

typedef struct keypath {
        struct key *k;
        size_t n, cap;
} keypath;

typedef struct strbuf {
        char *p;
        size_t n, cap;
} strbuf;

/* ---- errors ------------------------------------------------------------ */

__attribute__((format(printf, 3, 4)))
static int fail(parser *ps, int err, const char *fmt, ...)
{
        if (ps->errbuf && ps->errlen > 0) {
                int n = snprintf(ps->errbuf, ps->errlen, "line %d: ", ps->line);
                if (n >= 0 && (size_t) n < ps->errlen) {
                        va_list ap;
                        va_start(ap, fmt);
                        vsnprintf(ps->errbuf + n, ps->errlen - (size_t) n, fmt, ap);
                        va_end(ap);
                }
        }
        return err;
}

#ifdef __clang_analyzer__
/* The analyzer does not look into variadic functions: tell it what fail
 * returns (see error_set in common/error.h). */
#define fail(ps, err, ...) __extension__({ int fail_r_ = (err); (fail)((ps), fail_r_, __VA_ARGS__); fail_r_; })
#endif

static int fail_oom(parser *ps)
{
        return fail(ps, -ENOMEM, "out of memory");
}

static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Describes the character at the cursor for "expected X, found Y". */
static const char *describe_here(const parser *ps, char buf[static 16])
{
        const unsigned char *s = (const unsigned char *) ps->p;
        uint32_t cp;
        if (ps->p >= ps->end)
                return "end of file";
        if (*s == '\n' || *s == '\r')
                return "end of line";
        if (*s == ' ' || *s == '\t')
                return *s == ' ' ? "a space" : "a tab";
        if (*s < 0x80)
                snprintf(buf, 16, "'%c'", *s);
        else if (utf8_decode(s, (size_t) (ps->end - ps->p), &cp))
                snprintf(buf, 16, "U+%04lX", (unsigned long) cp);
        else
                snprintf(buf, 16, "byte 0x%02X", *s);
        return buf;
}

static int expected(parser *ps, const char *what)
{
        char buf[16];
        return fail(ps, -EINVAL, "expected %s, found %s", what, describe_here(ps, buf));
}

/* A bounded message buffer: what does not fit is cut, with "...". */
typedef struct msgbuf {
        char *p;
        size_t size, n;
        bool full;
} msgbuf;

static void msg_put(msgbuf *m, unsigned char c)
{
        /* A UTF-8 lead byte needs room for its whole sequence. */
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (m->full)
                return;
        if (m->n + need + 3 < m->size) {
                m->p[m->n++] = (char) (c < 0x20 || c == 0x7f ? '?' : c);
                return;
        }
        memcpy(m->p + m->n, "...", 3);
        m->n += 3;
        m->full = true;
}

/* Writes the first n parts of a dotted key for messages. */
static const char *key_repr(const keypath *kp, size_t n, char *buf, size_t size)
{
        msgbuf m = { buf, size, 0, false };
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        msg_put(&m, '.');
                for (size_t j = 0; j < kp->k[i].len; j++) {
                        unsigned char c = (unsigned char) kp->k[i].s[j];
                        if (c == 0xC0) /* U+0000, stored as C0 80 */
                                c = 0, j++;
                        msg_put(&m, c);
                }
        }
        buf[m.n] = '\0';
        return buf;
}

static const char *type_article(toml_type t)
{
        return t == TOML_INTEGER || t == TOML_ARRAY ? "an" : "a";
}

/* ---- characters --------------------------------------------------------- */

static int peek_at(const parser *ps, size_t off)
{
        return (size_t) (ps->end - ps->p) > off ? (unsigned char) ps->p[off] : -1;
}

static int peek(const parser *ps)
{
        return peek_at(ps, 0);
}

/* After the pre-scan every '\r' is followed by '\n'. */
static bool at_newline(const parser *ps)
{
        int c = peek(ps);
        return c == '\n' || c == '\r';
}

static void skip_newline(parser *ps)
{
        ps->p += *ps->p == '\r' ? 2 : 1;
        ps->line++;
}

static void skip_ws(parser *ps)
{
        while (peek(ps) == ' ' || peek(ps) == '\t')
                ps->p++;
}

static void skip_comment(parser *ps)
{
        if (peek(ps) != '#')
                return;
        while (ps->p < ps->end && !at_newline(ps))
                ps->p++;
}

/* Whitespace, comments and newlines, as allowed between array elements. */
static void skip_blank(parser *ps)
{
        for (;;) {
                skip_ws(ps);
                skip_comment(ps);
                if (!at_newline(ps))
                        return;
                skip_newline(ps);
        }
}

static bool is_digit(int c)
{
        return c >= '0' && c <= '9';
}

static int digit_value(int c)
{
        if (is_digit(c))
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return 99;
}

static bool is_bare_key_char(int c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-';
}

/* Characters of an unquoted value: booleans, numbers, dates and times. */
static bool is_word_char(int c)
{
        return is_bare_key_char(c) || c == '+' || c == '.' || c == ':';
}

/* Decodes one UTF-8 sequence; returns its length, or 0 if it is invalid
 * (truncated, overlong, a surrogate or beyond U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
        size_t len;
        uint32_t v, min;
        if (s[0] < 0x80) {
                *cp = s[0];
                return 1;
        } else if ((s[0] & 0xE0) == 0xC0) {
                len = 2, v = s[0] & 0x1F, min = 0x80;
        } else if ((s[0] & 0xF0) == 0xE0) {
                len = 3, v = s[0] & 0x0F, min = 0x800;
        } else if ((s[0] & 0xF8) == 0xF0) {
                len = 4, v = s[0] & 0x07, min = 0x10000;
        } else {
                return 0;
        }
        if (n < len)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                v = v << 6 | (s[i] & 0x3F);
        }
        if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
                return 0;
        *cp = v;
        return len;
}

/* The pre-scan: UTF-8, NUL bytes, control characters and bare CRs. */
static int check_text(parser *ps)
{
        const unsigned char *s = (const unsigned char *) ps->p;
        size_t n = (size_t) (ps->end - ps->p);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = s[i];
                uint32_t cp;
                size_t len;
                if (c == '\n') {
                        ps->line++;
                } else if (c == '\r') {
                        if (i + 1 == n || s[i + 1] != '\n')
                                return fail(ps, -EINVAL, "carriage return not followed by a newline");
                } else if (c == '\0') {
                        return fail(ps, -EINVAL, "NUL byte in the document");
                } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
                        return fail(ps, -EINVAL, "control character U+%04X is not allowed", (unsigned) c);
                } else if (c >= 0x80) {
                        len = utf8_decode(s + i, n - i, &cp);
                        if (len == 0)
                                return fail(ps, -EINVAL, "invalid UTF-8");
                        i += len - 1;
                }
        }
        ps->line = 1;
        return 0;
}

/* ---- growable buffers --------------------------------------------------- */

/* Makes room for element n of array p (capacity *cap, elements of size
 * elem): returns the array, moved if need be, or NULL when out of memory. */
static void *grow(void *p, size_t *cap, size_t n, size_t elem)
{
        if (n < *cap)
                return p;
        size_t ncap = *cap ? *cap * 2 : 8;
        if (ncap > SIZE_MAX / elem || !(p = realloc(p, ncap * elem)))
                return NULL;
        *cap = ncap;
        return p;
}

/* Appends n bytes, keeping the buffer NUL-terminated. */
static int sb_add(parser *ps, strbuf *b, const char *s, size_t n)
{
        if (b->cap - b->n <= n) {
                size_t ncap = b->cap ? b->cap : 32;
                while (ncap - b->n <= n) {
                        if (ncap > SIZE_MAX / 2)
                                return fail_oom(ps);
                        ncap *= 2;
                }
                char *p = realloc(b->p, ncap);
                if (!p)
                        return fail_oom(ps);
                b->p = p;
                b->cap = ncap;
        }
        memcpy(b->p + b->n, s, n);
        b->n += n;
        b->p[b->n] = '\0';
        return 0;
}

/* Appends code point cp as UTF-8; in a key, U+0000 becomes C0 80. */
static int sb_add_utf8(parser *ps, strbuf *b, uint32_t cp, bool key)
{
        char u[4];
        size_t n;
        if (cp == 0 && key) {
                u[0] = (char) 0xC0, u[1] = (char) 0x80, n = 2;
        } else if (cp < 0x80) {
                u[0] = (char) cp, n = 1;
        } else if (cp < 0x800) {
                u[0] = (char) (0xC0 | cp >> 6), u[1] = (char) (0x80 | (cp & 0x3F)), n = 2;
        } else if (cp < 0x10000) {
                u[0] = (char) (0xE0 | cp >> 12), u[1] = (char) (0x80 | (cp >> 6 & 0x3F));
                u[2] = (char) (0x80 | (cp & 0x3F)), n = 3;
        } else {
                u[0] = (char) (0xF0 | cp >> 18), u[1] = (char) (0x80 | (cp >> 12 & 0x3F));
                u[2] = (char) (0x80 | (cp >> 6 & 0x3F)), u[3] = (char) (0x80 | (cp & 0x3F)), n = 4;
        }
        return sb_add(ps, b, u, n);
}

static void keypath_free(keypath *kp)
{
        for (size_t i = 0; i < kp->n; i++)
                free(kp->k[i].s);
        free(kp->k);
}

/* ---- the tree ----------------------------------------------------------- */

static int new_value(parser *ps, toml_type type, enum kind kind, int depth, toml_value **out)
{
        if ((type == TOML_ARRAY || type == TOML_TABLE) && depth > TOML_MAX_DEPTH)
                return fail(ps, -E2BIG, "nesting too deep (more than %d levels)", TOML_MAX_DEPTH);
        toml_value *v = calloc(1, sizeof(*v));
        if (!v)
                return fail_oom(ps);
        v->type = type;
        v->kind = kind;
        v->line = ps->line;
        v->depth = depth;
        *out = v;
        return 0;
}

static size_t hash_key(const char *s, size_t n)
{
        uint64_t h = 14695981039346656037u; /* FNV-1a */
        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char) s[i]) * 1099511628211u;
        return (size_t) h;
}

static toml_value *table_find(const toml_value *t, const char *key, size_t len)
{
        const struct entry *ents = t->u.tab.ents;
        if (t->u.tab.slots) {
                size_t mask = t->u.tab.nslots - 1;
                for (size_t h = hash_key(key, len) & mask; t->u.tab.slots[h]; h = (h + 1) & mask) {
                        const struct entry *e = &ents[t->u.tab.slots[h] - 1];
                        if (e->keylen == len && memcmp(e->key, key, len) == 0)
                                return e->val;
                }
                return NULL;
        }
        for (size_t i = 0; i < t->u.tab.n; i++)
                if (ents[i].keylen == len && memcmp(ents[i].key, key, len) == 0)
                        return ents[i].val;
        return NULL;
}

static void index_entry(toml_value *t, size_t i)
{
        size_t mask = t->u.tab.nslots - 1;
        size_t h = hash_key(t->u.tab.ents[i].key, t->u.tab.ents[i].keylen) & mask;
        while (t->u.tab.slots[h])
                h = (h + 1) & mask;
        t->u.tab.slots[h] = i + 1;
}

/* Adds key (copied) -> v to table t; the key must not be there yet. On
 * failure v still belongs to the caller. */
static int table_add(parser *ps, toml_value *t, const struct key *k, toml_value *v)
{
        struct entry *ents = grow(t->u.tab.ents, &t->u.tab.cap, t->u.tab.n, sizeof(struct entry));
        if (!ents)
                return fail_oom(ps);
        t->u.tab.ents = ents;
        char *key = malloc(k->len + 1);
        if (!key)
                return fail_oom(ps);
        memcpy(key, k->s, k->len);
        key[k->len] = '\0';
        size_t i = t->u.tab.n++;
        t->u.tab.ents[i] = (struct entry) { key, k->len, v };

        /* Small tables are searched linearly; bigger ones get a hash index
         * kept at most half full. */
        if (t->u.tab.n < 16)
                return 0;
        if (t->u.tab.n > t->u.tab.nslots / 2) {
                size_t nslots = t->u.tab.nslots ? t->u.tab.nslots * 2 : 64;
                size_t *slots = calloc(nslots, sizeof(size_t));
                if (!slots)
                        return 0; /* the entry is in; lookups just stay linear */
                free(t->u.tab.slots);
                t->u.tab.slots = slots;
                t->u.tab.nslots = nslots;
                for (size_t j = 0; j < t->u.tab.n; j++)
                        index_entry(t, j);
        } else {
                index_entry(t, i);
        }
        return 0;
}

static int array_add(parser *ps, toml_value *a, toml_value *v)
{
        toml_value **items = grow(a->u.arr.items, &a->u.arr.cap, a->u.arr.n, sizeof(toml_value *));
        if (!items)
                return fail_oom(ps);
        a->u.arr.items = items;
        a->u.arr.items[a->u.arr.n++] = v;
        return 0;
}

/* ---- strings ------------------------------------------------------------ */

static int parse_unicode_escape(parser *ps, strbuf *b, int ndigits, bool key)
{
        uint32_t cp = 0;
        for (int i = 0; i < ndigits; i++) {
                int d = digit_value(peek(ps));
                if (d > 15)
                        return fail(ps, -EINVAL, "\\%c escape needs %d hexadecimal digits",
                                    ndigits == 4 ? 'u' : 'U', ndigits);
                cp = cp << 4 | (uint32_t) d;
                ps->p++;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return fail(ps, -EINVAL, "escape for U+%04lX is not a Unicode scalar value", (unsigned long) cp);
        return sb_add_utf8(ps, b, cp, key);
}

/* Handles a backslash in a basic string (the cursor is on it). */
static int parse_escape(parser *ps, strbuf *b, bool multiline, bool key)
{
        static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
        ps->p++;
        if (multiline) {
                /* A backslash ending a line swallows all whitespace and
                 * newlines up to the next other character. */
                const char *q = ps->p;
                while (q < ps->end && (*q == ' ' || *q == '\t'))
                        q++;
                if (q < ps->end && (*q == '\n' || *q == '\r')) {
                        ps->p = q;
                        for (;;) {
                                skip_ws(ps);
                                if (!at_newline(ps))
                                        return 0;
                                skip_newline(ps);
                        }
                }
        }
        int c = peek(ps);
        if (c == 'u' || c == 'U') {
                ps->p++;
                return parse_unicode_escape(ps, b, c == 'u' ? 4 : 8, key);
        }
        const char *f = c > 0 ? strchr(from, c) : NULL;
        if (!f) {
                char buf[16];
                return fail(ps, -EINVAL, "invalid escape sequence: backslash followed by %s", describe_here(ps, buf));
        }
        ps->p++;
        return sb_add(ps, b, &to[f - from], 1);
}

/* Parses any of the four kinds of string (the cursor is on the opening
 * quote). Keys may only be single-line strings. */
static int parse_string(parser *ps, bool key, char **out, size_t *outlen)
{
        char q = *ps->p;
        bool literal = q == '\'';
        bool multiline = peek_at(ps, 1) == q && peek_at(ps, 2) == q;
        strbuf b = { 0 };
        int r;

        if (multiline && key)
                return fail(ps, -EINVAL, "a key cannot be a multi-line string");
        ps->p += multiline ? 3 : 1;
        if (multiline && at_newline(ps))
                skip_newline(ps); /* a newline right after the opening quotes is trimmed */
        if ((r = sb_add(ps, &b, "", 0)) < 0)
                return r;
        for (;;) {
                int c = peek(ps);
                if (c < 0) {
                        r = fail(ps, -EINVAL, "unterminated string");
                        goto err;
                }
                if (c == q && !multiline) {
                        ps->p++;
                        break;
                }
                if (c == q) {
                        /* Up to two quotes may come right before the closing three. */
                        size_t run = 0;
                        while (peek_at(ps, run) == q)
                                run++;
                        if (run > 5) {
                                r = fail(ps, -EINVAL, "too many quotes in a row in a multi-line string");
                                goto err;
                        }
                        if ((r = sb_add(ps, &b, ps->p, run < 3 ? run : run - 3)) < 0)
                                goto err;
                        ps->p += run;
                        if (run >= 3)
                                break;
                } else if (at_newline(ps)) {
                        if (!multiline) {
                                r = fail(ps, -EINVAL, "newline in a single-line string");
                                goto err;
                        }
                        skip_newline(ps);
                        if ((r = sb_add(ps, &b, "\n", 1)) < 0)
                                goto err;
                } else if (c == '\\' && !literal) {
                        if ((r = parse_escape(ps, &b, multiline, key)) < 0)
                                goto err;
                } else {
                        if ((r = sb_add(ps, &b, ps->p, 1)) < 0)
                                goto err;
                        ps->p++;
                }
        }
        *out = b.p;
        *outlen = b.n;
        return 0;
err:
        free(b.p);
        return r;
}

/* ---- keys --------------------------------------------------------------- */

/* Parses a possibly dotted key, and the whitespace around it. */
static int parse_key(parser *ps, keypath *kp)
{
        for (;;) {
                struct key k;
                int r, c;

                skip_ws(ps);
                c = peek(ps);
                if (c == '"' || c == '\'') {
                        if ((r = parse_string(ps, true, &k.s, &k.len)) < 0)
                                return r;
                } else if (is_bare_key_char(c)) {
                        const char *start = ps->p;
                        while (is_bare_key_char(peek(ps)))
                                ps->p++;
                        k.len = (size_t) (ps->p - start);
                        if (!(k.s = malloc(k.len + 1)))
                                return fail_oom(ps);
                        memcpy(k.s, start, k.len);
                        k.s[k.len] = '\0';
                } else {
                        return expected(ps, "a key");
                }
                struct key *keys = grow(kp->k, &kp->cap, kp->n, sizeof(struct key));
                if (!keys) {
                        free(k.s);
                        return fail_oom(ps);
                }
                kp->k = keys;
                kp->k[kp->n++] = k;
                skip_ws(ps);
                if (peek(ps) != '.')
                        return 0;
                ps->p++;
        }
}

/* Steps from table *t into its part kp[i] of a dotted key (header false) or
 * of a [header] (header true), creating the table if needed. */
static int descend(parser *ps, toml_value **t, const keypath *kp, size_t i, bool header)
{
        char name[128];
        toml_value *v = table_find(*t, kp->k[i].s, kp->k[i].len);
        int r;

        if (!v) {
                if ((r = new_value(ps, TOML_TABLE, header ? KIND_IMPLICIT : KIND_DOTTED, (*t)->depth + 1, &v)) < 0)
                        return r;
                if ((r = table_add(ps, *t, &kp->k[i], v)) < 0) {
                        toml_free(v);
                        return r;
                }
        } else if (v->type == TOML_ARRAY && v->kind == KIND_AOT && header) {
                v = v->u.arr.items[v->u.arr.n - 1]; /* [a.b] after [[a]]: the last element */
        } else if (v->type != TOML_TABLE) {
                return fail(ps, -EINVAL, "'%s' is already %s %s (line %d), not a table",
                            key_repr(kp, i + 1, name, sizeof(name)), type_article(v->type),
                            toml_type_name(v->type), v->line);
        } else if (v->kind == KIND_INLINE) {
                return fail(ps, -EINVAL, "'%s' is an inline table (line %d) and cannot be extended",
                            key_repr(kp, i + 1, name, sizeof(name)), v->line);
        } else if (!header && v->kind == KIND_HEADER) {
                return fail(ps, -EINVAL, "table '%s' is defined by a header (line %d) and cannot be extended with dotted keys",
                            key_repr(kp, i + 1, name, sizeof(name)), v->line);
        } else if (!header && v->kind == KIND_IMPLICIT) {
                v->kind = KIND_DOTTED; /* now defined, by dotted keys */
                v->line = ps->line;
        }
        *t = v;
        return 0;
}

/* ---- values ------------------------------------------------------------- */

static int parse_value(parser *ps, int depth, toml_value **out);
static int parse_keyval(parser *ps, toml_value *table);

static bool all_digits(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!is_digit(s[i]))
                        return false;
        return true;
}

static int two_digits(const char *s)
{
        return (s[0] - '0') * 10 + (s[1] - '0');
}

static int days_in_month(int year, int month)
{
        static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return month == 2 && leap ? 29 : days[month - 1];
}

/* Checks HH:MM:SS[.frac] at s; returns its length, or 0 if invalid. */
static size_t scan_time(const char *s, size_t n)
{
        size_t i = 8;
        if (n < 8 || !all_digits(s, 2) || s[2] != ':' || !all_digits(s + 3, 2) || s[5] != ':' ||
            !all_digits(s + 6, 2))
                return 0;
        if (two_digits(s) > 23 || two_digits(s + 3) > 59 || two_digits(s + 6) > 60)
                return 0;
        if (i < n && s[i] == '.') {
                i++;
                if (i == n || !is_digit(s[i]))
                        return 0;
                while (i < n && is_digit(s[i]))
                        i++;
        }
        return i;
}

/* Parses a local date, local time, local or offset date-time token. */
static int parse_datetime(parser *ps, const char *s, size_t n, toml_value **out)
{
        toml_type type = TOML_TIME_LOCAL;
        size_t i = 0, t;
        int r;

        if (n >= 10 && all_digits(s, 4) && s[4] == '-' && all_digits(s + 5, 2) && s[7] == '-' &&
            all_digits(s + 8, 2)) {
                /* Not atoi(s): the text is not NUL-terminated. */
                int year = two_digits(s) * 100 + two_digits(s + 2);
                int month = two_digits(s + 5), day = two_digits(s + 8);
                if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
                        goto bad;
                type = TOML_DATE_LOCAL;
                i = 10;
                if (i < n) {
                        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
                                goto bad;
                        type = TOML_DATETIME_LOCAL;
                        i++;
                }
        }
        if (type != TOML_DATE_LOCAL) {
                if (!(t = scan_time(s + i, n - i)))
                        goto bad;
                i += t;
        }
        if (type == TOML_DATETIME_LOCAL && i < n) {
                type = TOML_DATETIME;
                if (s[i] == 'Z' || s[i] == 'z') {
                        i++;
                } else if ((s[i] == '+' || s[i] == '-') && n - i == 6 && all_digits(s + i + 1, 2) &&
                           s[i + 3] == ':' && all_digits(s + i + 4, 2) && two_digits(s + i + 1) < 24 &&
                           two_digits(s + i + 4) < 60) {
                        i += 6;
                }
        }
        if (i != n)
                goto bad;

        if ((r = new_value(ps, type, KIND_PLAIN, 0, out)) < 0)
                return r;
        char *text = malloc(n + 1);
        if (!text) {
                free(*out);
                return fail_oom(ps);
        }
        memcpy(text, s, n);
        text[n] = '\0';
        if (type == TOML_DATETIME || type == TOML_DATETIME_LOCAL)
                text[10] = 'T';
        if (text[n - 1] == 'z')
                text[n - 1] = 'Z';
        (*out)->u.str.ptr = text;
        (*out)->u.str.len = n;
        return 0;
bad:
        return fail(ps, -EINVAL, "invalid date or time '%.*s'", (int) (n < 40 ? n : 40), s);
}

/* Length of a run of digits in base, with single underscores between
 * digits; 0 if s does not start with a digit. */
static size_t scan_digits(const char *s, size_t n, int base)
{
        size_t i;
        if (n == 0 || digit_value(s[0]) >= base)
                return 0;
        for (i = 1; i < n;) {
                if (digit_value(s[i]) < base)
                        i++;
                else if (s[i] == '_' && i + 1 < n && digit_value(s[i + 1]) < base)
                        i += 2;
                else
                        break;
        }
        return i;
}

/* Converts checked digits (underscores allowed) to an int64, refusing overflow. */
static bool digits_to_int(const char *s, size_t n, int base, bool neg, int64_t *out)
{
        uint64_t limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX, v = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '_')
                        continue;
                uint64_t d = (uint64_t) digit_value(s[i]);
                if (v > (limit - d) / (uint64_t) base)
                        return false;
                v = v * (uint64_t) base + d;
        }
        *out = neg ? (v == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) v) : (int64_t) v;
        return true;
}

/* strtod on a checked TOML float, without underscores and with the
 * decimal point of the current locale. */
static int digits_to_float(parser *ps, const char *s, size_t n, double *out)
{
        const char *point = localeconv()->decimal_point;
        size_t plen = point && *point ? strlen(point) : 1;
        char *buf = malloc(n * plen + 1), *end;
        size_t o = 0;
        if (!buf)
                return fail_oom(ps);
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '_')
                        continue;
                if (s[i] == '.' && point && *point) {
                        memcpy(buf + o, point, plen);
                        o += plen;
                } else {
                        buf[o++] = s[i];
                }
        }
        buf[o] = '\0';
        errno = 0;
        *out = strtod(buf, &end);
        bool ok = end == buf + o && !(errno == ERANGE && isinf(*out));
        free(buf);
        if (!ok)
                return fail(ps, -EINVAL, "float '%.*s' is out of range", (int) (n < 40 ? n : 40), s);
        return 0;
}

static int parse_number(parser *ps, const char *s, size_t n, toml_value **out)
{
        size_t i = 0, k;
        bool neg = false, is_float = false;
        int64_t iv = 0;
        double fv = 0;
        int r;

        if (n > 0 && (s[0] == '+' || s[0] == '-')) {
                neg = s[0] == '-';
                i++;
        }
        const char *d = s + i;
        size_t dn = n - i;
        if (dn == 3 && (memcmp(d, "inf", 3) == 0 || memcmp(d, "nan", 3) == 0)) {
                is_float = true;
                fv = d[0] == 'i' ? (double) INFINITY : (double) NAN;
                fv = neg ? -fv : fv;
        } else if (dn > 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'o' || d[1] == 'b')) {
                int base = d[1] == 'x' ? 16 : d[1] == 'o' ? 8 : 2;
                if (i > 0)
                        return fail(ps, -EINVAL, "a sign is not allowed before '%.2s'", d);
                if (scan_digits(d + 2, dn - 2, base) != dn - 2)
                        goto bad;
                if (!digits_to_int(d + 2, dn - 2, base, false, &iv))
                        goto overflow;
        } else {
                size_t j = scan_digits(d, dn, 10);
                if (j == 0)
                        goto bad;
                if (d[0] == '0' && j > 1)
                        return fail(ps, -EINVAL, "leading zeros are not allowed in '%.*s'", (int) (n < 40 ? n : 40), s);
                size_t intlen = j;
                if (j < dn && d[j] == '.') {
                        if (!(k = scan_digits(d + j + 1, dn - j - 1, 10)))
                                goto bad;
                        j += 1 + k;
                        is_float = true;
                }
                if (j < dn && (d[j] == 'e' || d[j] == 'E')) {
                        j++;
                        if (j < dn && (d[j] == '+' || d[j] == '-'))
                                j++;
                        if (!(k = scan_digits(d + j, dn - j, 10)))
                                goto bad;
                        j += k;
                        is_float = true;
                }
                if (j != dn)
                        goto bad;
                if (is_float && (r = digits_to_float(ps, s, n, &fv)) < 0)
                        return r;
                if (!is_float && !digits_to_int(d, intlen, 10, neg, &iv))
                        goto overflow;
        }
        if ((r = new_value(ps, is_float ? TOML_FLOAT : TOML_INTEGER, KIND_PLAIN, 0, out)) < 0)
                return r;
        if (is_float)
                (*out)->u.f = fv;
        else
                (*out)->u.i = iv;
        return 0;
bad:
        return fail(ps, -EINVAL, "invalid value '%.*s'", (int) (n < 40 ? n : 40), s);
overflow:
        return fail(ps, -EINVAL, "integer '%.*s' does not fit in 64 bits", (int) (n < 40 ? n : 40), s);
}

/* Unquoted values: true, false, numbers, inf, nan, dates and times. */
static int parse_word(parser *ps, toml_value **out)
{
        const char *s = ps->p;
        size_t n = 0;
        int r;

        while (is_word_char(peek_at(ps, n)))
                n++;
        /* A date and a time may be separated by a space. */
        if (n == 10 && s[4] == '-' && s[7] == '-' && peek_at(ps, 10) == ' ' && is_digit(peek_at(ps, 11)) &&
            is_digit(peek_at(ps, 12)) && peek_at(ps, 13) == ':') {
                n = 11;
                while (is_word_char(peek_at(ps, n)))
                        n++;
        }
        ps->p += n;

        if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 5 && memcmp(s, "false", 5) == 0)) {
                if ((r = new_value(ps, TOML_BOOL, KIND_PLAIN, 0, out)) < 0)
                        return r;
                (*out)->u.b = n == 4;
                return 0;
        }
        if ((n >= 5 && all_digits(s, 4) && s[4] == '-') || (n >= 3 && all_digits(s, 2) && s[2] == ':'))
                return parse_datetime(ps, s, n, out);
        return parse_number(ps, s, n, out);
}

static int parse_array(parser *ps, int depth, toml_value **out)
{
        toml_value *a, *v;
        int r;

        if ((r = new_value(ps, TOML_ARRAY, KIND_PLAIN, depth, &a)) < 0)
                return r;
        ps->p++;
        for (;;) {
                skip_blank(ps);
                if (peek(ps) == ']')
                        break;
                if ((r = parse_value(ps, depth + 1, &v)) < 0)
                        goto err;
                if ((r = array_add(ps, a, v)) < 0) {
                        toml_free(v);
                        goto err;
                }
                skip_blank(ps);
                if (peek(ps) == ',') {
                        ps->p++;
                } else if (peek(ps) != ']') {
                        r = expected(ps, "',' or ']' in array");
                        goto err;
                }
        }
        ps->p++;
        *out = a;
        return 0;
err:
        toml_free(a);
        return r;
}

static int parse_inline_table(parser *ps, int depth, toml_value **out)
{
        toml_value *t;
        int r;

        /* While it is being parsed, dotted keys inside may extend its tables. */
        if ((r = new_value(ps, TOML_TABLE, KIND_DOTTED, depth, &t)) < 0)
                return r;
        ps->p++;
        skip_ws(ps);
        if (peek(ps) == '}') {
                ps->p++;
                goto done;
        }
        for (;;) {
                if ((r = parse_keyval(ps, t)) < 0)
                        goto err;
                skip_ws(ps);
                if (peek(ps) == '}') {
                        ps->p++;
                        break;
                }
                if (peek(ps) != ',') {
                        r = at_newline(ps) ? fail(ps, -EINVAL, "newline in an inline table")
                                           : expected(ps, "',' or '}' in inline table");
                        goto err;
                }
                ps->p++;
                skip_ws(ps);
                if (peek(ps) == '}') {
                        r = fail(ps, -EINVAL, "trailing comma in an inline table");
                        goto err;
                }
        }
done:
        t->kind = KIND_INLINE;
        *out = t;
        return 0;
err:
        toml_free(t);
        return r;
}

/* Parses the value at the cursor; depth is the nesting depth it will have. */
static int parse_value(parser *ps, int depth, toml_value **out)
{
        int c = peek(ps), line = ps->line, r;

        if (c == '"' || c == '\'') {
                char *s;
                size_t len;
                if ((r = parse_string(ps, false, &s, &len)) < 0)
                        return r;
                if ((r = new_value(ps, TOML_STRING, KIND_PLAIN, depth, out)) < 0) {
                        free(s);
                        return r;
                }
                (*out)->u.str.ptr = s;
                (*out)->u.str.len = len;
                (*out)->line = line;
                return 0;
        }
        if (c == '[')
                return parse_array(ps, depth, out);
        if (c == '{')
                return parse_inline_table(ps, depth, out);
        if (is_word_char(c))
                return parse_word(ps, out);
        return expected(ps, "a value");
}

/* key = value, into table (the current table, or an inline table). */
static int parse_keyval(parser *ps, toml_value *table)
{
        keypath kp = { 0 };
        toml_value *t = table, *v;
        char name[128];
        int r;

        if ((r = parse_key(ps, &kp)) < 0)
                goto out;
        if (peek(ps) != '=') {
                r = expected(ps, "'=' after a key");
                goto out;
        }
        ps->p++;
        skip_ws(ps);
        for (size_t i = 0; i + 1 < kp.n; i++)
                if ((r = descend(ps, &t, &kp, i, false)) < 0)
                        goto out;
        struct key *last = &kp.k[kp.n - 1];
        if ((v = table_find(t, last->s, last->len))) {
                r = fail(ps, -EINVAL, "duplicate key '%s' (first defined on line %d)",
                         key_repr(&kp, kp.n, name, sizeof(name)), v->line);
                goto out;
        }
        if ((r = parse_value(ps, t->depth + 1, &v)) < 0)
                goto out;
        if ((r = table_add(ps, t, last, v)) < 0)
                toml_free(v);
out:
        keypath_free(&kp);
        return r;
}

/* [table] or [[array of tables]]: makes it the current table. */
static int parse_header(parser *ps)
{
        bool aot = peek_at(ps, 1) == '[';
        keypath kp = { 0 };
        toml_value *t = ps->root, *v;
        char name[128];
        int r;

        ps->p += aot ? 2 : 1;
        if ((r = parse_key(ps, &kp)) < 0)
                goto out;
        if (peek(ps) != ']' || (aot && peek_at(ps, 1) != ']')) {
                r = expected(ps, aot ? "']]' after the table name" : "']' after the table name");
                goto out;
        }
        ps->p += aot ? 2 : 1;
        for (size_t i = 0; i + 1 < kp.n; i++)
                if ((r = descend(ps, &t, &kp, i, true)) < 0)
                        goto out;

        struct key *last = &kp.k[kp.n - 1];
        key_repr(&kp, kp.n, name, sizeof(name));
        v = table_find(t, last->s, last->len);
        if (aot) {
                toml_value *elem;
                if (!v) {
                        if ((r = new_value(ps, TOML_ARRAY, KIND_AOT, t->depth + 1, &v)) < 0)
                                goto out;
                        if ((r = table_add(ps, t, last, v)) < 0) {
                                toml_free(v);
                                goto out;
                        }
                } else if (v->type != TOML_ARRAY || v->kind != KIND_AOT) {
                        r = fail(ps, -EINVAL, "cannot define array of tables [[%s]]: already defined on line %d as %s %s",
                                 name, v->line, type_article(v->type), toml_type_name(v->type));
                        goto out;
                }
                if ((r = new_value(ps, TOML_TABLE, KIND_HEADER, v->depth + 1, &elem)) < 0)
                        goto out;
                if ((r = array_add(ps, v, elem)) < 0) {
                        toml_free(elem);
                        goto out;
                }
                ps->cur = elem;
        } else {
                if (!v) {
                        if ((r = new_value(ps, TOML_TABLE, KIND_HEADER, t->depth + 1, &v)) < 0)
                                goto out;
                        if ((r = table_add(ps, t, last, v)) < 0) {
                                toml_free(v);
                                goto out;
                        }
                } else if (v->type == TOML_TABLE && v->kind == KIND_IMPLICIT) {
                        v->kind = KIND_HEADER;
                        v->line = ps->line;
                } else {
                        r = fail(ps, -EINVAL, "cannot define table [%s]: already defined on line %d", name, v->line);
                        goto out;
                }
                ps->cur = v;
        }
out:
        keypath_free(&kp);
        return r;
}

static int parse_document(parser *ps)
{
        int r;

        if (ps->end - ps->p >= 3 && memcmp(ps->p, "\xEF\xBB\xBF", 3) == 0)
                ps->p += 3; /* byte order mark */
        for (;;) {
                skip_ws(ps);
                int c = peek(ps);
                if (c < 0)
                        return 0;
                if (at_newline(ps)) {
                        skip_newline(ps);
                        continue;
                }
                if (c == '[') {
                        if ((r = parse_header(ps)) < 0)
                                return r;
                } else if (c != '#') {
                        if ((r = parse_keyval(ps, ps->cur)) < 0)
                                return r;
                }
                skip_ws(ps);
                skip_comment(ps);
                if (peek(ps) < 0)
                        return 0;
                if (!at_newline(ps))
                        return expected(ps, "a newline");
                skip_newline(ps);
        }
}

/* ---- public API ----------------------------------------------------------- */

int toml_parse(const char *text, size_t len, toml_value **ret, char *errbuf, size_t errlen)
{
        parser ps = { .line = 1, .errbuf = errbuf, .errlen = errlen };
        int r;

        if (errbuf && errlen > 0)
                errbuf[0] = '\0';
        if (ret)
                *ret = NULL;
        if (!ret || (!text && len > 0))
                return fail(&ps, -EINVAL, "invalid arguments");
        ps.p = text ? text : "";
        ps.end = ps.p + len;
        if ((r = check_text(&ps)) < 0)
                return r;
        if ((r = new_value(&ps, TOML_TABLE, KIND_PLAIN, 0, &ps.root)) < 0)
                return r;
        ps.cur = ps.root;
        if ((r = parse_document(&ps)) < 0) {
                toml_free(ps.root);
                return r;
        }
        *ret = ps.root;
        return 0;
}

void toml_free(toml_value *v)
{
        if (!v)
                return;
        switch (v->type) {
        case TOML_ARRAY:
                for (size_t i = 0; i < v->u.arr.n; i++)
                        toml_free(v->u.arr.items[i]);
                free(v->u.arr.items);
                break;
        case TOML_TABLE:
                for (size_t i = 0; i < v->u.tab.n; i++) {
                        free(v->u.tab.ents[i].key);
                        toml_free(v->u.tab.ents[i].val);
                }
                free(v->u.tab.ents);
                free(v->u.tab.slots);
                break;
        case TOML_INTEGER:
        case TOML_FLOAT:
        case TOML_BOOL:
                break;
        default:
                free(v->u.str.ptr);
                break;
        }
        free(v);
}

/* v must not be NULL. */
toml_type toml_type_of(const toml_value *v)
{
        return v->type;
}

/* 0 for NULL. For a table, the line of the header, dotted key or '{' that
 * made it; for the root table, 1. */
int toml_line(const toml_value *v)
{
        return v ? v->line : 0;
}

const char *toml_type_name(toml_type t)
{
        static const char *const names[] = {
                [TOML_STRING] = "string",
                [TOML_INTEGER] = "integer",
                [TOML_FLOAT] = "float",
                [TOML_BOOL] = "bool",
                [TOML_DATETIME] = "datetime",
                [TOML_DATETIME_LOCAL] = "datetime-local",
                [TOML_DATE_LOCAL] = "date-local",
                [TOML_TIME_LOCAL] = "time-local",
                [TOML_ARRAY] = "array",
                [TOML_TABLE] = "table",
        };
        return (unsigned) t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

/* The accessors below return NULL/0/false when v is NULL or of another type. */

/* Strings, and the text of datetimes. Always NUL-terminated. */
const char *toml_string(const toml_value *v, size_t *len)
{
        bool ok = v && v->type != TOML_INTEGER && v->type != TOML_FLOAT && v->type != TOML_BOOL &&
                  v->type != TOML_ARRAY && v->type != TOML_TABLE;
        if (len)
                *len = ok ? v->u.str.len : 0;
        return ok ? v->u.str.ptr : NULL;
}

int64_t toml_integer(const toml_value *v)
{
        return v && v->type == TOML_INTEGER ? v->u.i : 0;
}

double toml_float(const toml_value *v)
{
        return v && v->type == TOML_FLOAT ? v->u.f : 0.0;
}

bool toml_bool(const toml_value *v)
{
        return v && v->type == TOML_BOOL && v->u.b;
}

size_t toml_count(const toml_value *v)
{
        if (!v)
                return 0;
        return v->type == TOML_ARRAY ? v->u.arr.n : v->type == TOML_TABLE ? v->u.tab.n : 0;
}

const toml_value *toml_array_at(const toml_value *v, size_t i)
{
        return v && v->type == TOML_ARRAY && i < v->u.arr.n ? v->u.arr.items[i] : NULL;
}

/* A key containing U+0000 is returned with it as the bytes C0 80. */
const char *toml_table_key_at(const toml_value *v, size_t i)
{
        return v && v->type == TOML_TABLE && i < v->u.tab.n ? v->u.tab.ents[i].key : NULL;
}

const toml_value *toml_table_value_at(const toml_value *v, size_t i)
{
        return v && v->type == TOML_TABLE && i < v->u.tab.n ? v->u.tab.ents[i].val : NULL;
}

const toml_value *toml_table_get(const toml_value *v, const char *key)
{
        return v && v->type == TOML_TABLE && key ? table_find(v, key, strlen(key)) : NULL;
}
