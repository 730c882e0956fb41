/* SPDX-License-Identifier: MIT */
#include "net/framing.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

static int bad(const char **why, const char *what) {
        *why = what;
        return -EINVAL;
}

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

static bool is_hex(uint8_t c, unsigned *v) {
        if (c >= '0' && c <= '9')
                *v = c - '0';
        else if (c >= 'a' && c <= 'f')
                *v = c - 'a' + 10u;
        else if (c >= 'A' && c <= 'F')
                *v = c - 'A' + 10u;
        else
                return false;
        return true;
}

static bool is_tchar(uint8_t c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Field-value bytes: visible, space, tab, obs-text; no other control. */
static bool is_field_byte(uint8_t c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

/* One Content-Length field value: a list of identical decimal numbers. */
static int content_length(const char *v, size_t n, bool *seen, uint64_t *len, const char **why) {
        size_t i = 0;
        for (;;) {
                while (i < n && is_ows(v[i]))
                        i++;
                if (i == n || v[i] < '0' || v[i] > '9')
                        return bad(why, "a Content-Length that is not a number (digits only)");
                uint64_t x = 0;
                for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
                        unsigned d = (unsigned)(v[i] - '0');
                        if (x > (UINT64_MAX - d) / 10)
                                return bad(why, "a Content-Length too large");
                        x = x * 10 + d;
                }
                while (i < n && is_ows(v[i]))
                        i++;
                if (*seen && x != *len)
                        return bad(why, "Content-Length given twice with different values");
                *seen = true;
                *len = x;
                if (i == n)
                        return 0;
                if (v[i] != ',')
                        return bad(why, "a Content-Length that is not a number (digits only)");
                i++;
        }
}

int http_body_framing(const char *buf, const http_request *req, http_body *body, const char **why) {
        *body = (http_body){0};
        *why = NULL;
        bool have_cl = false, have_te = false;
        uint64_t cl = 0;
        const char *end = buf + req->head_len - 2; /* the blank line */
        const char *line = memchr(buf, '\n', req->head_len);
        line = line ? line + 1 : end;
        while (line < end) {
                const char *eol = line;
                while (eol < end && *eol != '\r')
                        eol++;
                const char *colon = memchr(line, ':', (size_t)(eol - line));
                if (!colon)
                        return bad(why, "a header line without a name");
                size_t nl = (size_t)(colon - line);
                const char *v = colon + 1, *ve = eol;
                while (v < ve && is_ows(*v))
                        v++;
                while (ve > v && is_ows(ve[-1]))
                        ve--;
                if (nl == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
                        int r = content_length(v, (size_t)(ve - v), &have_cl, &cl, why);
                        if (r < 0)
                                return r;
                } else if (nl == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0) {
                        if (have_te)
                                return bad(why, "Transfer-Encoding given twice");
                        have_te = true;
                        if (ve - v != 7 || strncasecmp(v, "chunked", 7) != 0)
                                return bad(why, "a Transfer-Encoding other than chunked alone");
                }
                line = eol + 2;
        }
        if (have_cl && have_te)
                return bad(why, "both Content-Length and Transfer-Encoding");
        if (have_te && req->minor == 0)
                return bad(why, "Transfer-Encoding in an HTTP/1.0 request");
        if (have_te)
                body->kind = HTTP_BODY_CHUNKED;
        else if (have_cl) {
                body->kind = HTTP_BODY_LENGTH;
                body->length = body->left = cl;
                body->done = cl == 0;
        } else
                body->done = true;
        return 0;
}

/* The chunked coding's grammar (RFC 9112 §7.1), one byte at a time. */
enum {
        CS_SIZE0,    /* the first hex digit of a chunk size */
        CS_SIZE,     /* more hex digits */
        CS_SIZE_WS,  /* whitespace after the size: then ';' or CR */
        CS_EXT,      /* a chunk extension, up to CR */
        CS_SIZE_LF,  /* the LF of the size line */
        CS_DATA,     /* chunk data */
        CS_DATA_CR,  /* the CRLF after chunk data */
        CS_DATA_LF,
        CS_TR_START, /* a trailer line, or the CR of the final CRLF */
        CS_TR_NAME,
        CS_TR_VALUE,
        CS_TR_LF,
        CS_END_LF, /* the last LF */
};

static int chunked(http_body *b, const uint8_t *p, size_t n, size_t *used, const char **why) {
        size_t i = 0;
#define FAIL(what)                     \
        do {                           \
                *used = i;             \
                return bad(why, what); \
        } while (0)
        while (i < n) {
                uint8_t c = p[i];
                unsigned h;
                if (b->st == CS_DATA) {
                        size_t k = n - i;
                        if (k > b->left)
                                k = (size_t)b->left;
                        b->left -= k;
                        i += k;
                        if (b->left == 0)
                                b->st = CS_DATA_CR;
                        continue;
                }
                if (b->st <= CS_SIZE_LF && ++b->line > HTTP_CHUNK_LINE_MAX)
                        FAIL("chunked body: a chunk size line too long");
                if (b->st >= CS_TR_START && ++b->trailers > HTTP_TRAILERS_MAX)
                        FAIL("chunked body: trailers too large");
                if (c == '\n' && b->st != CS_SIZE_LF && b->st != CS_DATA_LF && b->st != CS_TR_LF && b->st != CS_END_LF)
                        FAIL("chunked body: a line not ended by CRLF");
                switch (b->st) {
                case CS_SIZE0:
                        if (!is_hex(c, &h))
                                FAIL("chunked body: a chunk size that is not hexadecimal");
                        b->left = h;
                        b->st = CS_SIZE;
                        break;
                case CS_SIZE:
                        if (is_hex(c, &h)) {
                                if (b->left > (UINT64_MAX >> 4))
                                        FAIL("chunked body: a chunk size too large");
                                b->left = b->left << 4 | h;
                        } else if (is_ows((char)c))
                                b->st = CS_SIZE_WS;
                        else if (c == ';')
                                b->st = CS_EXT;
                        else if (c == '\r')
                                b->st = CS_SIZE_LF;
                        else
                                FAIL("chunked body: a chunk size that is not hexadecimal");
                        break;
                case CS_SIZE_WS:
                        if (c == ';')
                                b->st = CS_EXT;
                        else if (c == '\r')
                                b->st = CS_SIZE_LF;
                        else if (!is_ows((char)c))
                                FAIL("chunked body: a chunk size that is not hexadecimal");
                        break;
                case CS_EXT:
                        if (c == '\r')
                                b->st = CS_SIZE_LF;
                        else if (!is_field_byte(c))
                                FAIL("chunked body: a control byte in a chunk extension");
                        break;
                case CS_SIZE_LF:
                        if (c != '\n')
                                FAIL("chunked body: a line not ended by CRLF");
                        b->line = 0;
                        b->st = b->left ? CS_DATA : CS_TR_START;
                        break;
                case CS_DATA_CR:
                        if (c != '\r')
                                FAIL("chunked body: chunk data longer than its size");
                        b->st = CS_DATA_LF;
                        break;
                case CS_DATA_LF:
                        if (c != '\n')
                                FAIL("chunked body: a line not ended by CRLF");
                        b->st = CS_SIZE0;
                        break;
                case CS_TR_START:
                        if (c == '\r')
                                b->st = CS_END_LF;
                        else if (is_tchar(c))
                                b->st = CS_TR_NAME;
                        else
                                FAIL("chunked body: a bad trailer line");
                        break;
                case CS_TR_NAME:
                        if (c == ':')
                                b->st = CS_TR_VALUE;
                        else if (!is_tchar(c))
                                FAIL("chunked body: a bad trailer line");
                        break;
                case CS_TR_VALUE:
                        if (c == '\r')
                                b->st = CS_TR_LF;
                        else if (!is_field_byte(c))
                                FAIL("chunked body: a control byte in a trailer");
                        break;
                case CS_TR_LF:
                        if (c != '\n')
                                FAIL("chunked body: a line not ended by CRLF");
                        b->st = CS_TR_START;
                        break;
                case CS_END_LF:
                        if (c != '\n')
                                FAIL("chunked body: a line not ended by CRLF");
                        b->done = true;
                        *used = i + 1;
                        return 1;
                default:
                        FAIL("chunked body: malformed");
                }
                i++;
        }
#undef FAIL
        *used = n;
        return 0;
}

int http_body_feed(http_body *b, const uint8_t *p, size_t n, size_t *used, const char **why) {
        *why = NULL;
        *used = 0;
        if (b->done)
                return 1;
        if (b->kind == HTTP_BODY_CHUNKED)
                return chunked(b, p, n, used, why);
        /* HTTP_BODY_LENGTH (NONE is done from the start) */
        size_t k = n < b->left ? n : (size_t)b->left;
        b->left -= k;
        *used = k;
        b->done = b->left == 0;
        return b->done;
}
