/* SPDX-License-Identifier: MIT
 * The domain proxy over Winsock (proxy_win.h). Each connection's thread:
 * the request (HTTP head or SOCKS5 greeting and request), the decision
 * (net_check_host), resolution and the check of every address
 * (net_check_resolved), the connection to the first allowed address, then
 * the relay, where a tunnel's first client bytes wait until its TLS server
 * name is checked. Sockets are non-blocking; every wait is a select() with
 * a deadline, so a slow or vanished client, or an upstream that never
 * answers, costs one thread until WIN_PROXY_SETUP_TIMEOUT_MS.
 *
 * A plain-HTTP request (an absolute URI, not CONNECT) is one request per
 * connection, as on Linux (src/proxy/proxy.c): its head is rewritten with
 * the proxy's own framing and "Connection: close", its body goes upstream
 * as far as its framing says (net/framing.h), and what the client sends
 * after it is read and dropped, never forwarded, and recorded once; the
 * response's head tells the client "Connection: close". Ambiguous or
 * malformed framing is answered 400 and recorded. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include "windows/proxy_win.h"

#include <errno.h>
#include <limits.h>
#include <process.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "net/framing.h"
#include "net/http.h"
#include "net/rules.h"
#include "net/sockaddr.h"
#include "net/socks5.h"
#include "net/tls.h"

#define BUF_SIZE 65536
#define CONNECT_TIMEOUT_MS 10000
#define DRAIN_TIMEOUT_MS 2000
#define MAX_ADDRS 16
#define MAX_OWN 64
#define REWRITE_MAX (HTTP_HEAD_MAX + 512)

typedef struct conn {
        struct conn *next, *prev;
        struct win_proxy *px;
        SOCKET c, u;
        struct sockaddr_storage peer;
        char proto;               /* 'H' HTTP, 'S' SOCKS5 */
        bool tunnel, by_name;
        bool one_request;         /* plain HTTP: only this request's body goes upstream */
        bool extra_seen;          /* ... bytes after it were dropped (recorded once) */
        bool resp_done;           /* ... and its response's head went to the client */
        http_body body;
        uint8_t *rhead;           /* the response head so far (HTTP_HEAD_MAX), until resp_done */
        size_t rhead_len;
        uint16_t port;
        char host[NET_RULE_MAX];
        char shown[300];
        ULONGLONG deadline;
        uint8_t head[HTTP_HEAD_MAX];
        size_t head_len;
        uint8_t *c2u, *u2c;       /* BUF_SIZE each, from the relay on */
        size_t c2u_len, u2c_off, u2c_len;
} conn;

struct win_proxy {
        SOCKET listen[2];
        size_t n_listen;
        unsigned short port;
        strv allow, deny;
        uint16_t ports[POLICY_PORTS_MAX];
        net_rules rules;
        net_addr own[MAX_OWN];
        size_t n_own;
        HANDLE job;
        CRITICAL_SECTION lock;    /* conns, n_conns, refusals */
        conn *conns;
        size_t n_conns;
        HANDLE idle;              /* manual-reset: set while n_conns == 0 */
        HANDLE accepter;
        volatile LONG stopping;
        net_refusals refusals;
        bool wsa;
};

static int wsa_errno(int e) {
        switch (e) {
        case WSAEADDRINUSE: return -EADDRINUSE;
        case WSAEACCES: return -EACCES;
        case WSAECONNREFUSED: return -ECONNREFUSED;
        case WSAETIMEDOUT: return -ETIMEDOUT;
        case WSAENETUNREACH: return -ENETUNREACH;
        case WSAEHOSTUNREACH: return -EHOSTUNREACH;
        default: return -EIO;
        }
}

static const char *wsa_text(int e) {
        switch (e) {
        case WSAECONNREFUSED: return "connection refused";
        case WSAETIMEDOUT: return "timed out";
        case WSAENETUNREACH: return "network unreachable";
        case WSAEHOSTUNREACH: return "host unreachable";
        case WSAECONNRESET: return "connection reset";
        default: return "connection failed";
        }
}

static void record(win_proxy *px, const char *address, const char *rule, const char *allow_with) {
        EnterCriticalSection(&px->lock);
        net_refusals_record(&px->refusals, address, rule, allow_with);
        LeaveCriticalSection(&px->lock);
}

/* ms left before c's deadline (0: passed), at most cap */
static DWORD left(const conn *c, DWORD cap) {
        ULONGLONG now = GetTickCount64();
        if (now >= c->deadline)
                return 0;
        ULONGLONG l = c->deadline - now;
        return l < cap ? (DWORD)l : cap;
}

/* Waits until s is readable (write: writable) or ms pass: 1, 0 timeout, -1 error. */
static int wait_sock(SOCKET s, bool write, DWORD ms) {
        fd_set set, ex;
        FD_ZERO(&set);
        FD_ZERO(&ex);
        FD_SET(s, &set);
        FD_SET(s, &ex);
        struct timeval tv = {.tv_sec = (long)(ms / 1000), .tv_usec = (long)(ms % 1000) * 1000};
        int n = select(0, write ? NULL : &set, write ? &set : NULL, &ex, &tv);
        return n < 0 ? -1 : n == 0 ? 0 : 1;
}

/* Reads what is there before the setup deadline: bytes, 0 end of file, -1 error or time out. */
static int recv_setup(conn *c, uint8_t *b, size_t cap) {
        for (;;) {
                if (c->px->stopping)
                        return -1;
                int w = wait_sock(c->c, false, left(c, 250));
                if (w < 0 || (w == 0 && left(c, 1) == 0))
                        return -1;
                if (w == 0)
                        continue;
                int n = recv(c->c, (char *)b, (int)(cap > INT_MAX ? INT_MAX : cap), 0);
                if (n >= 0)
                        return n;
                if (WSAGetLastError() != WSAEWOULDBLOCK)
                        return -1;
        }
}

/* Sends all of b within ms: 0 or -1. */
static int send_all(SOCKET s, const void *b, size_t n, DWORD ms) {
        ULONGLONG end = GetTickCount64() + ms;
        const char *p = b;
        while (n) {
                int k = send(s, p, (int)(n > 65536 ? 65536 : n), 0);
                if (k > 0) {
                        p += k;
                        n -= (size_t)k;
                        continue;
                }
                if (k < 0 && WSAGetLastError() != WSAEWOULDBLOCK)
                        return -1;
                ULONGLONG now = GetTickCount64();
                if (now >= end || wait_sock(s, true, (DWORD)(end - now)) <= 0)
                        return -1;
        }
        return 0;
}

/* An answer, then the end: the client's unread bytes are read and dropped
 * for a while, so that they do not turn the answer into a reset. */
static void finish(conn *c, const void *out, size_t n) {
        if (n && send_all(c->c, out, n, DRAIN_TIMEOUT_MS) < 0)
                return;
        shutdown(c->c, SD_SEND);
        ULONGLONG end = GetTickCount64() + DRAIN_TIMEOUT_MS;
        char junk[4096];
        for (;;) {
                ULONGLONG now = GetTickCount64();
                if (now >= end || c->px->stopping || wait_sock(c->c, false, (DWORD)(end - now)) <= 0)
                        return;
                if (recv(c->c, junk, sizeof(junk), 0) <= 0)
                        return;
        }
}

static void answer(conn *c, int http_status, const char *reason, uint8_t socks_code, const char *text) {
        char out[1024];
        size_t n;
        if (c->proto == 'S')
                n = socks5_reply(socks_code, (uint8_t *)out);
        else
                n = http_error_response(http_status, reason, text, out, sizeof(out));
        finish(c, out, n);
}

static void refuse(conn *c, const char *rule, const char *allow_with, bool answered) {
        char text[800];
        record(c->px, c->shown, rule, allow_with);
        if (answered) /* the tunnel is open: nothing to say in band */
                return;
        snprintf(text, sizeof(text), "refused %s, %s%s%s", c->shown, rule, allow_with && *allow_with ? "; allow with " : "",
                 allow_with && *allow_with ? allow_with : "");
        answer(c, 403, "Forbidden", SOCKS5_NOT_ALLOWED, text);
}

static void failed(conn *c, uint8_t socks_code, const char *what, const char *detail) {
        char text[800];
        snprintf(text, sizeof(text), "%s %s: %s", what, c->shown, detail);
        answer(c, 502, "Bad Gateway", socks_code, text);
}

static void show(conn *c) {
        snprintf(c->shown, sizeof(c->shown), strchr(c->host, ':') ? "[%s]:%u" : "%s:%u", c->host, c->port);
}

/* --- the request ---------------------------------------------------------- */

typedef struct request {
        char host[256];
        size_t host_len;
        uint16_t port;
        uint8_t *first;           /* bytes for the upstream before the relay (malloc'd) */
        size_t first_len;
        bool extra;               /* bytes after a plain-HTTP request's body came with it */
} request;

static bool put_first(request *rq, const void *p, size_t n) {
        if (!n)
                return true;
        uint8_t *b = realloc(rq->first, rq->first_len + n);
        if (!b)
                return false;
        memcpy(b + rq->first_len, p, n);
        rq->first = b;
        rq->first_len += n;
        return true;
}

static void set_host(request *rq, const char *h, size_t n) {
        rq->host_len = n < sizeof(rq->host) ? n : sizeof(rq->host) - 1;
        memcpy(rq->host, h, rq->host_len);
        rq->host[rq->host_len] = 0;
}

/* Bytes after a plain-HTTP request's body: dropped, and recorded once
 * (line ends alone, which some clients send after a body, are not a
 * request). */
static bool blank(const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (p[i] != '\r' && p[i] != '\n')
                        return false;
        return true;
}

static void record_extra(conn *c) {
        if (c->extra_seen)
                return;
        c->extra_seen = true;
        record(c->px, c->shown, "a further request on the connection (plain HTTP: one request per connection)", NULL);
}

static void extra(conn *c, const uint8_t *p, size_t n) {
        if (!blank(p, n))
                record_extra(c);
}

static void bad_framing(conn *c, const char *why, bool answered) {
        char rule[192];
        snprintf(rule, sizeof(rule), "ambiguous or malformed framing (%s)", why);
        record(c->px, c->shown, rule, NULL);
        if (!answered)
                answer(c, 400, "Bad Request", 0, rule);
}

/* 1: rq filled; 0: the connection is done (answered or gone). */
static int read_http(conn *c, request *rq) {
        for (;;) {
                http_request req;
                const char *why = NULL;
                int r = c->head_len ? http_parse_head((const char *)c->head, c->head_len, &req, &why) : 0;
                if (r < 0) {
                        char rule[192];
                        snprintf(rule, sizeof(rule), "%s (%s)", r == -E2BIG ? "request too large" : "malformed request",
                                 why ? why : "?");
                        snprintf(c->shown, sizeof(c->shown), "(request)");
                        record(c->px, c->shown, rule, NULL);
                        answer(c, r == -E2BIG ? 431 : 400,
                               r == -E2BIG ? "Request Header Fields Too Large" : "Bad Request", 0, rule);
                        return 0;
                }
                if (r == 1) {
                        c->tunnel = req.connect;
                        size_t rest = c->head_len - req.head_len, keep = rest;
                        if (!req.connect) {
                                /* the framing, and the body bytes already here: a
                                 * fault in either is answered before any connection */
                                http_body body;
                                if (http_body_framing((const char *)c->head, &req, &body, &why) < 0 ||
                                    http_body_feed(&body, c->head + req.head_len, rest, &keep, &why) < 0) {
                                        snprintf(c->shown, sizeof(c->shown), "(request)");
                                        bad_framing(c, why, false);
                                        return 0;
                                }
                                char *o = malloc(REWRITE_MAX);
                                int n = o ? http_rewrite_head((const char *)c->head, &req, &body, o, REWRITE_MAX) : -ENOMEM;
                                bool ok = n >= 0 && put_first(rq, o, (size_t)n);
                                free(o);
                                if (!ok)
                                        return 0;
                                c->one_request = true;
                                c->body = body;
                                /* recorded once the host is named */
                                rq->extra = !blank(c->head + req.head_len + keep, rest - keep);
                        }
                        if (!put_first(rq, c->head + req.head_len, keep))
                                return 0;
                        set_host(rq, req.host, req.host_len);
                        rq->port = req.port;
                        return 1;
                }
                int n = recv_setup(c, c->head + c->head_len, sizeof(c->head) - c->head_len);
                if (n <= 0)
                        return 0; /* gone, or too slow, before it asked anything */
                c->head_len += (size_t)n;
        }
}

static void consume(conn *c, size_t n) {
        memmove(c->head, c->head + n, c->head_len - n);
        c->head_len -= n;
}

static int read_socks(conn *c, request *rq) {
        snprintf(c->shown, sizeof(c->shown), "(SOCKS5 request)");
        int g;
        while ((g = socks5_parse_greeting(c->head, c->head_len)) == 0) {
                int n = recv_setup(c, c->head + c->head_len, sizeof(c->head) - c->head_len);
                if (n <= 0)
                        return 0;
                c->head_len += (size_t)n;
        }
        if (g < 0) {
                static const uint8_t no[2] = {SOCKS5_VERSION, 0xff};
                finish(c, no, g == -EACCES ? 2 : 0);
                return 0;
        }
        static const uint8_t yes[2] = {SOCKS5_VERSION, 0};
        if (send_all(c->c, yes, 2, DRAIN_TIMEOUT_MS) < 0)
                return 0;
        consume(c, (size_t)g);
        socks5_request req;
        int r;
        while ((r = socks5_parse_request(c->head, c->head_len, &req)) == 0) {
                int n = recv_setup(c, c->head + c->head_len, sizeof(c->head) - c->head_len);
                if (n <= 0)
                        return 0;
                c->head_len += (size_t)n;
        }
        if (r < 0) {
                record(c->px, c->shown, "malformed SOCKS5 request", NULL);
                answer(c, 0, NULL, r == -EAFNOSUPPORT ? SOCKS5_ATYP_UNSUPPORTED : SOCKS5_GENERAL_FAILURE, "");
                return 0;
        }
        if (req.cmd != SOCKS5_CMD_CONNECT) {
                record(c->px, c->shown,
                       req.cmd == 3 ? "SOCKS5 UDP ASSOCIATE (only CONNECT is proxied)" : "SOCKS5 command other than CONNECT",
                       NULL);
                answer(c, 0, NULL, SOCKS5_CMD_UNSUPPORTED, "");
                return 0;
        }
        if (!put_first(rq, c->head + req.len, c->head_len - req.len))
                return 0;
        c->tunnel = true;
        if (req.atyp == SOCKS5_ATYP_DOMAIN)
                set_host(rq, req.host, req.host_len);
        else {
                char text[NET_ADDR_STRLEN];
                net_addr_format(&req.addr, text);
                set_host(rq, text, strlen(text));
        }
        rq->port = req.port;
        return 1;
}

/* --- resolution and connection ------------------------------------------- */

static size_t resolve(const char *name, net_addr *out, int *gai) {
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
        struct addrinfo *ai = NULL;
        size_t n = 0;
        *gai = getaddrinfo(name, NULL, &hints, &ai);
        for (struct addrinfo *p = ai; p && n < MAX_ADDRS; p = p->ai_next) {
                net_addr a;
                if (!net_addr_from_sockaddr(p->ai_addr, &a))
                        continue;
                bool dup = false;
                for (size_t i = 0; i < n && !dup; i++)
                        dup = net_addr_equal(&out[i], &a);
                if (!dup)
                        out[n++] = a;
        }
        if (ai)
                freeaddrinfo(ai);
        return n;
}

static void nonblocking(SOCKET s) {
        u_long on = 1;
        ioctlsocket(s, FIONBIO, &on);
        BOOL nd = TRUE;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&nd, sizeof(nd));
        SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0);
}

/* The first of addrs that answers: 0, or the last Winsock error. */
static int connect_any(conn *c, const net_addr *addrs, size_t n) {
        int last = WSAECONNREFUSED;
        for (size_t i = 0; i < n && !c->px->stopping; i++) {
                struct sockaddr_storage ss;
                int sl = net_addr_to_sockaddr(&addrs[i], c->port, &ss);
                SOCKET s = socket(ss.ss_family, SOCK_STREAM, IPPROTO_TCP);
                if (s == INVALID_SOCKET) {
                        last = WSAGetLastError();
                        continue;
                }
                nonblocking(s);
                if (connect(s, (struct sockaddr *)&ss, sl) == 0) {
                        c->u = s;
                        return 0;
                }
                last = WSAGetLastError();
                if (last == WSAEWOULDBLOCK) {
                        ULONGLONG end = GetTickCount64() + CONNECT_TIMEOUT_MS;
                        last = WSAETIMEDOUT;
                        while (!c->px->stopping && left(c, 1)) {
                                ULONGLONG now = GetTickCount64();
                                if (now >= end)
                                        break;
                                fd_set w, ex;
                                FD_ZERO(&w);
                                FD_ZERO(&ex);
                                FD_SET(s, &w);
                                FD_SET(s, &ex);
                                DWORD ms = left(c, (DWORD)(end - now) < 250 ? (DWORD)(end - now) : 250);
                                struct timeval tv = {.tv_sec = 0, .tv_usec = (long)ms * 1000};
                                int k = select(0, NULL, &w, &ex, &tv);
                                if (k == 0)
                                        continue;
                                int e = 0, el = sizeof(e);
                                getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&e, &el);
                                if (k > 0 && FD_ISSET(s, &w) && e == 0) {
                                        c->u = s;
                                        return 0;
                                }
                                last = e ? e : WSAECONNREFUSED;
                                break;
                        }
                }
                closesocket(s);
        }
        return last;
}

/* --- the relay ------------------------------------------------------------ */

/* A tunnel's first client bytes: a TLS ClientHello must name the requested
 * host. 1 checked (or not TLS, or by address), 0 more needed, -1 refused. */
static int check_sni(conn *c) {
        int t = tls_looks_like_handshake(c->c2u, c->c2u_len);
        if (t < 0)
                return 1;
        if (t == 0)
                return 0;
        char sni[256];
        int r = tls_client_hello_sni(c->c2u, c->c2u_len, sni);
        if (r == 0) {
                if (c->c2u_len == BUF_SIZE) {
                        refuse(c, "TLS ClientHello too large", NULL, true);
                        return -1;
                }
                return 0;
        }
        if (r == -ENOENT || (r == 1 && !c->by_name))
                return 1;
        if (r < 0) {
                refuse(c, "malformed TLS ClientHello", NULL, true);
                return -1;
        }
        char name[NET_NAME_MAX + 1], rule[192];
        if (net_name_normalize(sni, strlen(sni), name) < 0 || strcmp(name, c->host) != 0) {
                snprintf(rule, sizeof(rule), "TLS server name '%.100s' differs from the requested host", sni);
                refuse(c, rule, NULL, true);
                return -1;
        }
        return 1;
}

static bool u2c_put(conn *c, const void *p, size_t n) {
        if (c->u2c_off + c->u2c_len + n > BUF_SIZE)
                return false;
        memcpy(c->u2c + c->u2c_off + c->u2c_len, p, n);
        c->u2c_len += n;
        return true;
}

/* A plain-HTTP response's head, read into c->rhead, goes to the client
 * with "Connection: close" (after any interim 1xx heads, as they are);
 * from there on the response is relayed as it is; a head this rewrite does not
 * read goes as it is (as src/proxy/proxy.c). Returns the bytes read, 0 at
 * the upstream's end, -1 on an error, -2 when nothing was there. */
static int response_head(conn *c) {
        if (!c->rhead && !(c->rhead = malloc(HTTP_HEAD_MAX)))
                return -1;
        int n = recv(c->u, (char *)c->rhead + c->rhead_len, (int)(HTTP_HEAD_MAX - c->rhead_len), 0);
        if (n < 0)
                return WSAGetLastError() == WSAEWOULDBLOCK ? -2 : -1;
        c->rhead_len += (size_t)n;
        c->u2c_off = 0;
        for (;;) {
                size_t hl = 0;
                int status = 0;
                int r = http_response_head((const char *)c->rhead, c->rhead_len, &hl, &status);
                if (r == 0 && n > 0)
                        return n; /* more to come */
                if (r == 1 && status < 200 && status != 101) {
                        /* an interim head (100 Continue) goes as it is; the final one follows */
                        if (!u2c_put(c, c->rhead, hl))
                                return -1;
                        memmove(c->rhead, c->rhead + hl, c->rhead_len - hl);
                        c->rhead_len -= hl;
                        if (c->rhead_len == 0 && n > 0)
                                return n;
                        continue;
                }
                char out[HTTP_HEAD_MAX + 64];
                int w = r == 1 ? http_rewrite_response_head((const char *)c->rhead, hl, out, sizeof(out)) : -1;
                if (w >= 0 && !u2c_put(c, out, (size_t)w))
                        return -1;
                size_t from = w >= 0 ? hl : 0; /* the rest, or all of it as it is */
                if (!u2c_put(c, c->rhead + from, c->rhead_len - from))
                        return -1;
                c->rhead_len = 0;
                break;
        }
        c->resp_done = true;
        free(c->rhead);
        c->rhead = NULL;
        return n;
}

static void relay(conn *c, bool sni_pending) {
        bool c_eof = false, u_eof = false, u_shut = false, c_shut = false;
        bool answered = false; /* response bytes went to the client */
        size_t c2u_off = 0;
        if (sni_pending && c->c2u_len) {
                int s = check_sni(c);
                if (s < 0)
                        return;
                sni_pending = s == 0;
        }
        while (!c->px->stopping) {
                fd_set r, w;
                FD_ZERO(&r);
                FD_ZERO(&w);
                bool any = false;
                if (!c_eof && (c2u_off + c->c2u_len < BUF_SIZE || (c->one_request && c->body.done))) {
                        FD_SET(c->c, &r);
                        any = true;
                }
                if (!u_eof && c->u2c_len == 0) {
                        FD_SET(c->u, &r);
                        any = true;
                }
                if (c->c2u_len && !sni_pending) {
                        FD_SET(c->u, &w);
                        any = true;
                }
                if (c->u2c_len) {
                        FD_SET(c->c, &w);
                        any = true;
                }
                if (!any)
                        return;
                DWORD ms = 250;
                if (sni_pending && (ms = left(c, 250)) == 0) {
                        return; /* no ClientHello in time */
                }
                struct timeval tv = {.tv_sec = 0, .tv_usec = (long)ms * 1000};
                int k = select(0, &r, &w, NULL, &tv);
                if (k < 0)
                        return;
                if (k == 0)
                        continue;
                if (FD_ISSET(c->c, &r) && c->one_request && c->body.done) {
                        /* after the request's body: read and dropped, never a
                         * second request upstream */
                        uint8_t junk[4096];
                        int n = recv(c->c, (char *)junk, sizeof(junk), 0);
                        if (n > 0)
                                extra(c, junk, (size_t)n);
                        else if (n == 0)
                                c_eof = true;
                        else if (WSAGetLastError() != WSAEWOULDBLOCK)
                                return;
                } else if (FD_ISSET(c->c, &r)) {
                        if (c2u_off && c2u_off + c->c2u_len == BUF_SIZE) {
                                memmove(c->c2u, c->c2u + c2u_off, c->c2u_len);
                                c2u_off = 0;
                        }
                        uint8_t *at = c->c2u + c2u_off + c->c2u_len;
                        int n = recv(c->c, (char *)at, (int)(BUF_SIZE - c2u_off - c->c2u_len), 0);
                        if (n > 0 && c->one_request) {
                                size_t keep;
                                const char *why;
                                if (http_body_feed(&c->body, at, (size_t)n, &keep, &why) < 0) {
                                        bad_framing(c, why, answered || c->u2c_len != 0);
                                        return;
                                }
                                if (keep < (size_t)n)
                                        extra(c, at + keep, (size_t)n - keep);
                                c->c2u_len += keep;
                        } else if (n > 0)
                                c->c2u_len += (size_t)n;
                        else if (n == 0)
                                c_eof = true;
                        else if (WSAGetLastError() != WSAEWOULDBLOCK)
                                return;
                        if (sni_pending) {
                                if (c2u_off) {
                                        memmove(c->c2u, c->c2u + c2u_off, c->c2u_len);
                                        c2u_off = 0;
                                }
                                int s = check_sni(c);
                                if (s < 0)
                                        return;
                                sni_pending = s == 0;
                                if (sni_pending && c_eof)
                                        return;
                        }
                }
                if (FD_ISSET(c->u, &r) && c->one_request && !c->resp_done) {
                        int n = response_head(c);
                        if (n == 0)
                                u_eof = true;
                        else if (n == -1)
                                return;
                } else if (FD_ISSET(c->u, &r)) {
                        int n = recv(c->u, (char *)c->u2c, BUF_SIZE, 0);
                        if (n > 0) {
                                c->u2c_off = 0;
                                c->u2c_len = (size_t)n;
                        } else if (n == 0)
                                u_eof = true;
                        else if (WSAGetLastError() != WSAEWOULDBLOCK)
                                return;
                }
                if (FD_ISSET(c->u, &w) && c->c2u_len && !sni_pending) {
                        int n = send(c->u, (const char *)c->c2u + c2u_off, (int)c->c2u_len, 0);
                        if (n > 0) {
                                c2u_off += (size_t)n;
                                c->c2u_len -= (size_t)n;
                                if (!c->c2u_len)
                                        c2u_off = 0;
                        } else if (WSAGetLastError() != WSAEWOULDBLOCK)
                                return;
                }
                if (FD_ISSET(c->c, &w) && c->u2c_len) {
                        int n = send(c->c, (const char *)c->u2c + c->u2c_off, (int)c->u2c_len, 0);
                        if (n > 0) {
                                answered = true;
                                c->u2c_off += (size_t)n;
                                c->u2c_len -= (size_t)n;
                        } else if (WSAGetLastError() != WSAEWOULDBLOCK)
                                return;
                }
                if (c_eof && !c->c2u_len && !u_shut) {
                        shutdown(c->u, SD_SEND);
                        u_shut = true;
                }
                if (u_eof && !c->u2c_len && !c_shut) {
                        shutdown(c->c, SD_SEND);
                        c_shut = true;
                }
                if (c_shut && u_shut)
                        return;
        }
}

/* --- one connection ------------------------------------------------------- */

static void serve(conn *c) {
        win_proxy *px = c->px;
        request rq = {0};
        c->deadline = GetTickCount64() + WIN_PROXY_SETUP_TIMEOUT_MS;
        if (px->job) {
                int fam = c->peer.ss_family == AF_INET ? 4 : 6;
                const uint8_t *a = fam == 4 ? (const uint8_t *)&((struct sockaddr_in *)&c->peer)->sin_addr
                                            : (const uint8_t *)&((struct sockaddr_in6 *)&c->peer)->sin6_addr;
                unsigned short p = ntohs(fam == 4 ? ((struct sockaddr_in *)&c->peer)->sin_port
                                                  : ((struct sockaddr_in6 *)&c->peer)->sin6_port);
                int in = win_proxy_client_in_job(fam, a, p, px->port, px->job);
                if (in != 1) {
                        const char *rule = in == 0 ? "a connection from a process outside this run's sandbox"
                                                   : "a connection whose process the TCP table cannot name";
                        snprintf(c->shown, sizeof(c->shown), "(connection)");
                        record(px, c->shown, rule, NULL);
                        char out[512];
                        finish(c, out, http_error_response(403, "Forbidden", rule, out, sizeof(out)));
                        return;
                }
        }
        int n = recv_setup(c, c->head, sizeof(c->head));
        if (n <= 0)
                return;
        c->head_len = (size_t)n;
        c->proto = c->head[0] == SOCKS5_VERSION ? 'S' : 'H';
        if ((c->proto == 'S' ? read_socks(c, &rq) : read_http(c, &rq)) != 1)
                goto out;
        net_verdict v;
        bool ok = net_check_host(&px->rules, rq.host, rq.host_len, rq.port, &v);
        c->port = rq.port;
        snprintf(c->host, sizeof(c->host), "%s", v.name);
        show(c);
        if (!ok) {
                refuse(c, v.rule, v.allow_with, false);
                goto out;
        }
        c->by_name = !v.is_addr;
        net_addr found[MAX_ADDRS], use[MAX_ADDRS];
        size_t nf = 0, nu = 0;
        if (v.is_addr)
                found[nf++] = v.addr;
        else {
                int gai = 0;
                nf = resolve(c->host, found, &gai);
                if (!nf) {
                        failed(c, SOCKS5_HOST_UNREACHABLE, "cannot resolve", gai ? gai_strerrorA(gai) : "no address");
                        goto out;
                }
        }
        char rule[192] = "", allow[300] = "";
        for (size_t i = 0; i < nf; i++) {
                net_verdict rv;
                if (net_check_resolved(&px->rules, &found[i], px->own, px->n_own, &rv))
                        use[nu++] = found[i];
                else if (!rule[0]) {
                        snprintf(rule, sizeof(rule), "%s", rv.rule);
                        snprintf(allow, sizeof(allow), "%s", rv.allow_with);
                }
        }
        if (!nu) {
                refuse(c, rule[0] ? rule : "no address", allow, false);
                goto out;
        }
        int e = connect_any(c, use, nu);
        if (e) {
                failed(c, e == WSAECONNREFUSED ? SOCKS5_CONN_REFUSED : SOCKS5_HOST_UNREACHABLE, "cannot connect to",
                       wsa_text(e));
                goto out;
        }
        if (c->proto == 'S') {
                uint8_t rep[10];
                if (send_all(c->c, rep, socks5_reply(SOCKS5_OK, rep), DRAIN_TIMEOUT_MS) < 0)
                        goto out;
        } else if (c->tunnel) {
                static const char est[] = "HTTP/1.1 200 Connection established\r\n\r\n";
                if (send_all(c->c, est, sizeof(est) - 1, DRAIN_TIMEOUT_MS) < 0)
                        goto out;
        }
        if (rq.first_len > BUF_SIZE || !(c->c2u = malloc(BUF_SIZE)) || !(c->u2c = malloc(BUF_SIZE)))
                goto out;
        memcpy(c->c2u, rq.first, rq.first_len);
        c->c2u_len = rq.first_len;
        if (rq.extra)
                record_extra(c);
        relay(c, c->tunnel);
out:
        free(rq.first);
}

static unsigned __stdcall conn_thread(void *arg) {
        conn *c = arg;
        win_proxy *px = c->px;
        serve(c);
        EnterCriticalSection(&px->lock);
        if (c->prev)
                c->prev->next = c->next;
        else
                px->conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        if (--px->n_conns == 0)
                SetEvent(px->idle);
        LeaveCriticalSection(&px->lock);
        closesocket(c->c);
        if (c->u != INVALID_SOCKET)
                closesocket(c->u);
        free(c->c2u);
        free(c->u2c);
        free(c->rhead);
        free(c);
        return 0;
}

static void accept_one(win_proxy *px, SOCKET l) {
        struct sockaddr_storage peer;
        int pl = sizeof(peer);
        SOCKET s = accept(l, (struct sockaddr *)&peer, &pl);
        if (s == INVALID_SOCKET)
                return;
        nonblocking(s);
        EnterCriticalSection(&px->lock);
        bool full = px->n_conns >= WIN_PROXY_MAX_CONNS;
        LeaveCriticalSection(&px->lock);
        conn *c = full ? NULL : calloc(1, sizeof(*c));
        if (!c) {
                char out[512], rule[64];
                snprintf(rule, sizeof(rule), "too many connections (at most %d)", WIN_PROXY_MAX_CONNS);
                size_t n = http_error_response(503, "Service Unavailable", rule, out, sizeof(out));
                send(s, out, (int)n, 0);
                closesocket(s);
                if (full)
                        record(px, "(any)", rule, NULL);
                return;
        }
        c->px = px;
        c->c = s;
        c->u = INVALID_SOCKET;
        c->peer = peer;
        EnterCriticalSection(&px->lock);
        c->next = px->conns;
        if (px->conns)
                px->conns->prev = c;
        px->conns = c;
        px->n_conns++;
        ResetEvent(px->idle);
        LeaveCriticalSection(&px->lock);
        /* 256 KiB of stack reserved (the head and a rewritten head live on the heap) */
        uintptr_t t = _beginthreadex(NULL, 256 << 10, conn_thread, c, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
        if (t)
                CloseHandle((HANDLE)t);
        else
                conn_thread(c); /* undo: closes and unlinks it */
}

static unsigned __stdcall accept_thread(void *arg) {
        win_proxy *px = arg;
        while (!px->stopping) {
                fd_set r;
                FD_ZERO(&r);
                for (size_t i = 0; i < px->n_listen; i++)
                        FD_SET(px->listen[i], &r);
                struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
                int k = select(0, &r, NULL, NULL, &tv);
                if (k < 0)
                        Sleep(10);
                for (size_t i = 0; k > 0 && i < px->n_listen; i++)
                        if (FD_ISSET(px->listen[i], &r))
                                accept_one(px, px->listen[i]);
        }
        return 0;
}

/* --- setup ---------------------------------------------------------------- */

static void own_addresses(win_proxy *px) {
        ULONG size = 16384;
        for (int attempt = 0; attempt < 3; attempt++) {
                IP_ADAPTER_ADDRESSES *aa = malloc(size);
                if (!aa)
                        return;
                ULONG r = GetAdaptersAddresses(AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST |
                                                                  GAA_FLAG_SKIP_DNS_SERVER, NULL, aa, &size);
                if (r == ERROR_BUFFER_OVERFLOW) {
                        free(aa);
                        continue;
                }
                for (IP_ADAPTER_ADDRESSES *p = r == NO_ERROR ? aa : NULL; p; p = p->Next)
                        for (IP_ADAPTER_UNICAST_ADDRESS *u = p->FirstUnicastAddress; u && px->n_own < MAX_OWN; u = u->Next) {
                                if (net_addr_from_sockaddr(u->Address.lpSockaddr, &px->own[px->n_own]))
                                        px->n_own++;
                        }
                free(aa);
                return;
        }
}

static int listen_on(win_proxy *px, int family, unsigned short port, corral_error *err) {
        SOCKET s = socket(family, SOCK_STREAM, IPPROTO_TCP);
        if (s == INVALID_SOCKET)
                return wsa_errno(WSAGetLastError());
        BOOL on = TRUE;
        setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&on, sizeof(on));
        if (family == AF_INET6)
                setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&on, sizeof(on));
        struct sockaddr_storage ss;
        net_addr lo = {.family = family == AF_INET ? 4 : 6};
        if (family == AF_INET)
                lo.b[0] = 127, lo.b[3] = 1;
        else
                lo.b[15] = 1;
        int sl = net_addr_to_sockaddr(&lo, port, &ss);
        if (bind(s, (struct sockaddr *)&ss, sl) != 0 || listen(s, SOMAXCONN) != 0) {
                int e = WSAGetLastError();
                closesocket(s);
                if (family == AF_INET6)
                        return wsa_errno(e); /* no IPv6: 127.0.0.1 alone */
                return error_set(err, wsa_errno(e),
                                 "network proxy: cannot listen on 127.0.0.1:%u%s (nothing ran)", port,
                                 e == WSAEADDRINUSE || e == WSAEACCES ? ": another program holds that port" : "");
        }
        nonblocking(s);
        if (!port) {
                sl = sizeof(ss);
                getsockname(s, (struct sockaddr *)&ss, &sl);
                port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        }
        px->port = port;
        px->listen[px->n_listen++] = s;
        return 0;
}

int win_proxy_new(const policy *p, unsigned short port, win_proxy **ret, corral_error *err) {
        win_proxy *px = calloc(1, sizeof(*px));
        if (!px)
                return oom(err);
        InitializeCriticalSection(&px->lock);
        px->idle = CreateEventW(NULL, TRUE, TRUE, NULL);
        WSADATA wd;
        int r;
        if (!px->idle) {
                r = error_set(err, -ENOMEM, "network proxy: CreateEvent failed");
                goto fail;
        }
        if (WSAStartup(MAKEWORD(2, 2), &wd) != 0) {
                r = error_set(err, -EIO, "network proxy: Winsock is not available (WSAStartup)");
                goto fail;
        }
        px->wsa = true;
        if (strv_extend(&px->allow, &p->allow_domains) < 0 || strv_extend(&px->deny, &p->deny_domains) < 0) {
                r = oom(err);
                goto fail;
        }
        memcpy(px->ports, p->allow_ports, sizeof(px->ports));
        px->rules = (net_rules){&px->allow, &px->deny, px->ports, p->n_allow_ports};
        own_addresses(px);
        if ((r = listen_on(px, AF_INET, port, err)) < 0)
                goto fail;
        listen_on(px, AF_INET6, px->port, NULL);
        *ret = px;
        return 0;
fail:
        win_proxy_free(px);
        return r;
}

unsigned short win_proxy_port(const win_proxy *px) { return px->port; }

int win_proxy_start(win_proxy *px, HANDLE job, corral_error *err) {
        px->job = job;
        uintptr_t t = _beginthreadex(NULL, 0, accept_thread, px, 0, NULL);
        if (!t)
                return error_set(err, -EAGAIN, "network proxy: cannot start its thread (nothing ran)");
        px->accepter = (HANDLE)t;
        return 0;
}

void win_proxy_stop(win_proxy *px) {
        if (!px || !px->accepter)
                return;
        InterlockedExchange(&px->stopping, 1);
        WaitForSingleObject(px->accepter, INFINITE);
        CloseHandle(px->accepter);
        px->accepter = NULL;
        /* every connection's thread sees stopping within 250 ms; a shutdown
         * wakes those waiting on a socket at once */
        EnterCriticalSection(&px->lock);
        for (conn *c = px->conns; c; c = c->next) {
                shutdown(c->c, SD_BOTH);
                if (c->u != INVALID_SOCKET)
                        shutdown(c->u, SD_BOTH);
        }
        LeaveCriticalSection(&px->lock);
        /* a thread inside getaddrinfo finishes on its own: wait a while,
         * then leave it (and this structure) to the process's end */
        if (WaitForSingleObject(px->idle, 5000) != WAIT_OBJECT_0)
                px->accepter = INVALID_HANDLE_VALUE; /* marks: threads still out */
}

const net_refusal *win_proxy_refusals(win_proxy *px, size_t *n) {
        EnterCriticalSection(&px->lock);
        *n = px->refusals.n;
        LeaveCriticalSection(&px->lock);
        return px->refusals.v;
}

void win_proxy_free(win_proxy *px) {
        if (!px)
                return;
        win_proxy_stop(px);
        for (size_t i = 0; i < px->n_listen; i++)
                closesocket(px->listen[i]);
        px->n_listen = 0;
        if (px->accepter == INVALID_HANDLE_VALUE)
                return; /* connection threads still use it */
        strv_clear(&px->allow);
        strv_clear(&px->deny);
        if (px->idle)
                CloseHandle(px->idle);
        DeleteCriticalSection(&px->lock);
        if (px->wsa)
                WSACleanup();
        free(px);
}

/* --- who is connecting ---------------------------------------------------- */

static bool pid_in_job(DWORD pid, HANDLE job) {
        size_t cap = 1024;
        for (int attempt = 0; attempt < 4; attempt++, cap *= 4) {
                size_t size = sizeof(JOBOBJECT_BASIC_PROCESS_ID_LIST) + cap * sizeof(ULONG_PTR);
                JOBOBJECT_BASIC_PROCESS_ID_LIST *l = calloc(1, size);
                if (!l)
                        return false;
                BOOL ok = QueryInformationJobObject(job, JobObjectBasicProcessIdList, l, (DWORD)size, NULL);
                DWORD e = GetLastError();
                bool more = !ok && e == ERROR_MORE_DATA;
                bool in = false;
                for (DWORD i = 0; ok && i < l->NumberOfProcessIdsInList && !in; i++)
                        in = l->ProcessIdList[i] == pid;
                free(l);
                if (!more)
                        return in;
        }
        return false;
}

int win_proxy_client_in_job(int family, const uint8_t *addr, unsigned short port, unsigned short server_port,
                            HANDLE job) {
        ULONG size = 0;
        ULONG af = family == 4 ? AF_INET : AF_INET6;
        DWORD pid = 0;
        bool found = false;
        for (int attempt = 0; attempt < 4 && !found; attempt++) {
                void *t = size ? malloc(size) : NULL;
                DWORD r = GetExtendedTcpTable(t, &size, FALSE, af, TCP_TABLE_OWNER_PID_CONNECTIONS, 0);
                if (r == ERROR_INSUFFICIENT_BUFFER) {
                        free(t);
                        size += 4096;
                        continue;
                }
                if (r != NO_ERROR) {
                        free(t);
                        return -EIO;
                }
                if (family == 4) {
                        MIB_TCPTABLE_OWNER_PID *tb = t;
                        for (DWORD i = 0; i < tb->dwNumEntries && !found; i++) {
                                MIB_TCPROW_OWNER_PID *row = &tb->table[i];
                                if (memcmp(&row->dwLocalAddr, addr, 4) == 0 && ntohs((u_short)row->dwLocalPort) == port &&
                                    ntohs((u_short)row->dwRemotePort) == server_port) {
                                        pid = row->dwOwningPid;
                                        found = true;
                                }
                        }
                } else {
                        MIB_TCP6TABLE_OWNER_PID *tb = t;
                        for (DWORD i = 0; i < tb->dwNumEntries && !found; i++) {
                                MIB_TCP6ROW_OWNER_PID *row = &tb->table[i];
                                if (memcmp(row->ucLocalAddr, addr, 16) == 0 && ntohs((u_short)row->dwLocalPort) == port &&
                                    ntohs((u_short)row->dwRemotePort) == server_port) {
                                        pid = row->dwOwningPid;
                                        found = true;
                                }
                        }
                }
                free(t);
                break;
        }
        if (!found)
                return -ENOENT;
        return pid_in_job(pid, job) ? 1 : 0;
}
