/* SPDX-License-Identifier: MIT */
#include "net/http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "net/framing.h"

static bool is_tchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Visible ASCII (and space/tab in header values); never NUL, CR, LF, DEL or
 * bytes >= 0x80 in the request line. */
static bool is_vchar(unsigned char c) { return c > 0x20 && c < 0x7f; }

static int bad(const char **why, const char *what) {
        *why = what;
        return -EINVAL;
}

static int parse_port(const char *s, size_t len, uint16_t *port) {
        unsigned v = 0;
        if (len == 0 || len > 5)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned)(s[i] - '0');
        }
        if (v == 0 || v > 65535)
                return -EINVAL;
        *port = (uint16_t)v;
        return 0;
}

/* authority = host [":" port], host = reg-name | "[" IPv6 "]". */
static int parse_authority(const char *s, size_t len, bool need_port, http_request *req, const char **why) {
        const char *host = s, *colon = NULL;
        size_t host_len;
        if (len == 0)
                return bad(why, "empty host");
        if (memchr(s, '@', len))
                return bad(why, "user information in the authority");
        if (s[0] == '[') {
                const char *close = memchr(s, ']', len);
                if (!close)
                        return bad(why, "unterminated IPv6 literal");
                host = s + 1;
                host_len = (size_t)(close - host);
                size_t rest = len - (size_t)(close + 1 - s);
                if (rest > 0) {
                        if (close[1] != ':')
                                return bad(why, "junk after the IPv6 literal");
                        colon = close + 1;
                }
        } else {
                colon = memchr(s, ':', len);
                host_len = colon ? (size_t)(colon - s) : len;
        }
        if (host_len == 0)
                return bad(why, "empty host");
        for (size_t i = 0; i < host_len; i++)
                if (!is_vchar((unsigned char)host[i]) || host[i] == '%' || host[i] == '/' || host[i] == '[')
                        return bad(why, "a character not allowed in a host");
        if (colon) {
                if (parse_port(colon + 1, len - (size_t)(colon + 1 - s), &req->port) < 0)
                        return bad(why, "bad port");
        } else if (need_port)
                return bad(why, "CONNECT needs host:port");
        else
                req->port = 80;
        req->host = host;
        req->host_len = host_len;
        req->authority = s;
        req->authority_len = len;
        return 0;
}

static const char *find_crlf(const char *p, const char *end) {
        for (; p + 1 < end; p++)
                if (p[0] == '\r' && p[1] == '\n')
                        return p;
        return NULL;
}

int http_parse_head(const char *buf, size_t len, http_request *req, const char **why) {
        *req = (http_request){0};
        *why = NULL;
        if (len > HTTP_HEAD_MAX)
                len = HTTP_HEAD_MAX;
        const char *end = buf + len;
        /* the whole head first: every line, checked, up to the blank one */
        const char *line = buf, *head_end = NULL;
        for (;;) {
                const char *eol = find_crlf(line, end);
                /* without a line end yet, a last '\r' may be the start of one */
                const char *stop = eol ? eol : end > line && end[-1] == '\r' ? end - 1 : end;
                for (const char *q = line; q < stop; q++) {
                        unsigned char c = (unsigned char)*q;
                        if (c == 0 || c == '\r' || c == '\n' || c == 0x7f || (c < 0x20 && c != '\t'))
                                return bad(why, "a control character in the request head");
                }
                if (!eol)
                        return len >= HTTP_HEAD_MAX ? (*why = "request head too large", -E2BIG) : 0;
                if (eol == line) {
                        if (line == buf)
                                return bad(why, "empty request line");
                        head_end = eol + 2;
                        break;
                }
                if (line != buf) {
                        if (*line == ' ' || *line == '\t')
                                return bad(why, "obsolete line folding");
                        const char *colon = memchr(line, ':', (size_t)(eol - line));
                        if (!colon || colon == line)
                                return bad(why, "a header line without a name");
                        for (const char *q = line; q < colon; q++)
                                if (!is_tchar(*q))
                                        return bad(why, "a bad character in a header name");
                }
                line = eol + 2;
        }
        req->head_len = (size_t)(head_end - buf);

        /* request line: method SP target SP HTTP/1.x */
        const char *rl_end = find_crlf(buf, end);
        const char *sp1 = memchr(buf, ' ', (size_t)(rl_end - buf));
        if (!sp1 || sp1 == buf)
                return bad(why, "no method");
        for (const char *q = buf; q < sp1; q++)
                if (!is_tchar(*q))
                        return bad(why, "a bad character in the method");
        const char *target = sp1 + 1;
        const char *sp2 = memchr(target, ' ', (size_t)(rl_end - target));
        if (!sp2 || sp2 == target)
                return bad(why, "no request target");
        size_t vlen = (size_t)(rl_end - (sp2 + 1));
        if (vlen != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 || sp2[8] < '0' || sp2[8] > '9')
                return bad(why, "not HTTP/1.x");
        req->minor = sp2[8] - '0';
        for (const char *q = target; q < sp2; q++)
                if (!is_vchar((unsigned char)*q))
                        return bad(why, "a bad character in the request target");
        req->method = buf;
        req->method_len = (size_t)(sp1 - buf);
        size_t tlen = (size_t)(sp2 - target);

        if (req->method_len == 7 && memcmp(buf, "CONNECT", 7) == 0) {
                req->connect = true;
                return parse_authority(target, tlen, true, req, why) < 0 ? -EINVAL : 1;
        }
        if (tlen >= 7 && strncasecmp(target, "http://", 7) == 0) {
                const char *auth = target + 7;
                const char *slash = memchr(auth, '/', tlen - 7);
                const char *q = memchr(auth, '?', tlen - 7);
                const char *hash = memchr(auth, '#', tlen - 7);
                const char *aend = sp2;
                if (slash && slash < aend)
                        aend = slash;
                if (q && q < aend)
                        aend = q;
                if (hash)
                        return bad(why, "a fragment in the request target");
                if (parse_authority(auth, (size_t)(aend - auth), false, req, why) < 0)
                        return -EINVAL;
                req->path = aend;
                req->path_len = (size_t)(sp2 - aend);
                return 1;
        }
        *why = memchr(target, ':', tlen) && target[0] != '/' ? "only http:// URIs (use CONNECT for https)"
                                                       : "not a proxy request (origin-form target)";
        return -EPROTONOSUPPORT;
}

static bool header_is(const char *line, size_t len, const char *name) {
        size_t n = strlen(name);
        return len > n && line[n] == ':' && strncasecmp(line, name, n) == 0;
}

/* The names a Connection header lists (hop-by-hop, RFC 9110 §7.6.1): at
 * most CONN_TOKENS_MAX are dropped; any further ones go through, which
 * only costs the origin a header meant for the proxy (the framing, Host and
 * Connection itself are always the proxy's own). */
#define CONN_TOKENS_MAX 32
typedef struct conn_tokens {
        const char *p[CONN_TOKENS_MAX];
        size_t len[CONN_TOKENS_MAX];
        size_t n;
} conn_tokens;

static void connection_tokens(const char *line, size_t ll, conn_tokens *t) {
        const char *v = line + 11, *end = line + ll; /* after "Connection:" */
        while (v < end) {
                while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
                        v++;
                const char *s = v;
                while (v < end && is_tchar(*v))
                        v++;
                if (v > s && t->n < CONN_TOKENS_MAX) {
                        t->p[t->n] = s;
                        t->len[t->n++] = (size_t)(v - s);
                }
                while (v < end && *v != ',')
                        v++;
        }
}

static bool named_by_connection(const char *line, size_t ll, const conn_tokens *t) {
        for (size_t i = 0; i < t->n; i++)
                if (ll > t->len[i] && line[t->len[i]] == ':' && strncasecmp(line, t->p[i], t->len[i]) == 0)
                        return true;
        return false;
}

int http_rewrite_head(const char *buf, const http_request *req, const struct http_body *body, char *out, size_t size) {
        size_t o = 0;
#define PUT(p, n)                                  \
        do {                                       \
                if (o + (n) > size)                \
                        return -E2BIG;             \
                memcpy(out + o, (p), (n));         \
                o += (n);                          \
        } while (0)
        PUT(req->method, req->method_len);
        PUT(" ", 1);
        if (req->path_len == 0 || req->path[0] != '/')
                PUT("/", 1);
        PUT(req->path, req->path_len);
        char ver[32];
        int vl = snprintf(ver, sizeof(ver), " HTTP/1.%d\r\n", req->minor);
        PUT(ver, (size_t)vl);
        const char *end = buf + req->head_len - 2; /* before the blank line */
        const char *first = find_crlf(buf, end + 2);
        first = first ? first + 2 : end;
        conn_tokens tokens = {0};
        for (int pass = 0; pass < 2; pass++) {
                const char *line = first;
                while (line < end) {
                        const char *eol = line;
                        while (eol < end && !(eol[0] == '\r' && eol[1] == '\n'))
                                eol++;
                        size_t ll = (size_t)(eol - line);
                        if (pass == 0) {
                                if (header_is(line, ll, "Connection"))
                                        connection_tokens(line, ll, &tokens);
                                line = eol + 2;
                                continue;
                        }
                        static const char *const drop[] = {"Host",       "Connection",        "Keep-Alive",
                                                           "Proxy-Connection", "TE",          "Upgrade",
                                                           "Content-Length",   "Transfer-Encoding",
                                                           "Proxy-Authorization", "Proxy-Authenticate"};
                        bool skip = named_by_connection(line, ll, &tokens);
                        for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]) && !skip; i++)
                                skip = header_is(line, ll, drop[i]);
                        if (!skip) {
                                PUT(line, ll);
                                PUT("\r\n", 2);
                        }
                        line = eol + 2;
                }
        }
        PUT("Host: ", 6);
        PUT(req->authority, req->authority_len);
        PUT("\r\n", 2);
        if (body && body->kind == HTTP_BODY_LENGTH) {
                char cl[48];
                int n = snprintf(cl, sizeof(cl), "Content-Length: %llu\r\n", (unsigned long long)body->length);
                PUT(cl, (size_t)n);
        } else if (body && body->kind == HTTP_BODY_CHUNKED)
                PUT("Transfer-Encoding: chunked\r\n", 28);
        PUT("Connection: close\r\n\r\n", 21);
#undef PUT
        return (int)o;
}

int http_response_head(const char *buf, size_t len, size_t *head_len, int *status) {
        static const char proto[] = "HTTP/1.";
        size_t pl = len < 7 ? len : 7;
        if (memcmp(buf, proto, pl) != 0)
                return -EINVAL;
        if (len >= 13 && (buf[7] < '0' || buf[7] > '9' || buf[8] != ' ' || buf[9] < '1' || buf[9] > '5' ||
                          buf[10] < '0' || buf[10] > '9' || buf[11] < '0' || buf[11] > '9' ||
                          (buf[12] != ' ' && buf[12] != '\r')))
                return -EINVAL;
        size_t n = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
        /* (cppcheck 2.10 takes n for 0 here, after the memcmp above: it is len, up to HTTP_HEAD_MAX) */
        // cppcheck-suppress knownConditionTrueFalse
        for (size_t i = 0; i < n; i++) {
                if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
                        return -EINVAL; /* a bare LF: not a head this rewrite reads */
                // cppcheck-suppress knownConditionTrueFalse
                if (i + 3 < n && memcmp(buf + i, "\r\n\r\n", 4) == 0) {
                        if (i < 12)
                                return -EINVAL;
                        *head_len = i + 4;
                        *status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
                        return 1;
                }
        }
        return len >= HTTP_HEAD_MAX ? -E2BIG : 0;
}

static bool put(char *out, size_t size, size_t *o, const char *p, size_t n) {
        if (*o + n > size)
                return false;
        memcpy(out + *o, p, n);
        *o += n;
        return true;
}

int http_rewrite_response_head(const char *buf, size_t head_len, char *out, size_t size) {
        const char *end = buf + head_len - 2; /* the blank line */
        conn_tokens tokens = {0};
        size_t o = 0;
        for (int pass = 0; pass < 2; pass++) {
                for (const char *line = buf; line < end;) {
                        const char *eol = line;
                        while (eol < end && !(eol[0] == '\r' && eol[1] == '\n'))
                                eol++;
                        size_t ll = (size_t)(eol - line);
                        bool status_line = line == buf, skip = false;
                        if (!status_line && pass == 0 && header_is(line, ll, "Connection"))
                                connection_tokens(line, ll, &tokens);
                        if (!status_line && pass == 1)
                                skip = named_by_connection(line, ll, &tokens) || header_is(line, ll, "Connection") ||
                                       header_is(line, ll, "Keep-Alive") || header_is(line, ll, "Proxy-Connection");
                        if (pass == 1 && !skip && (!put(out, size, &o, line, ll) || !put(out, size, &o, "\r\n", 2)))
                                return -E2BIG;
                        line = eol + 2;
                }
        }
        if (!put(out, size, &o, "Connection: close\r\n\r\n", 21))
                return -E2BIG;
        return (int)o;
}

size_t http_error_response(int status, const char *reason, const char *text, char *out, size_t size) {
        char body[512];
        int bl = snprintf(body, sizeof(body), "corral: %s\n", text);
        if (bl < 0)
                bl = 0;
        if ((size_t)bl >= sizeof(body))
                bl = (int)sizeof(body) - 1;
        int n = snprintf(out, size,
                         "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n"
                         "%sConnection: close\r\n\r\n%s",
                         status, reason, bl, status == 407 ? "Proxy-Authenticate: Basic realm=\"corral\"\r\n" : "",
                         body);
        if (n < 0)
                return 0;
        return (size_t)n < size ? (size_t)n : size - 1;
}
