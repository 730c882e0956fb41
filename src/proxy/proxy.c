/* SPDX-License-Identifier: MIT
 * The domain proxy's event loop (proxy.h). Each client connection goes
 * through: HEAD (read the HTTP request head or the SOCKS5 greeting and
 * request; decide), RESOLVING (the resolver threads), CONNECTING (each
 * allowed address in turn), RELAY (bytes both ways; for a tunnel, the first
 * client bytes wait until the TLS server name is checked), DRAIN (an answer
 * to a refusal or failure is written, then the connection closes).
 *
 * A plain-HTTP request (an absolute URI, not CONNECT) is one request per
 * connection: its head is rewritten with "Connection: close" and framing of
 * the proxy's own, its body is forwarded exactly as far as its framing says
 * (net/framing.h), and whatever the client sends after it (a pipelined
 * request for another Host) is read and dropped, never forwarded: every
 * request is checked, each on its own connection. Ambiguous or malformed
 * framing is answered 400 and recorded.
 *
 * Edge-triggered epoll: every event marks which directions may be ready,
 * and pump() moves bytes until each is blocked (EAGAIN) or its buffer is
 * full or empty, so no interest set ever changes.
 *
 * A relayed direction that has carried SPLICE_AFTER bytes (a download, an
 * upload: not a request or a handshake) moves the rest with splice(2)
 * through a pipe of its own, socket to pipe to socket, without copying
 * through user space; the checks are all done by then (the request head,
 * the TLS server name). Where a pipe cannot be had or splice is refused,
 * the direction keeps the copy through a buffer. */
#include "proxy/proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/macro.h"
#include "net/framing.h"
#include "net/http.h"
#include "net/proxyauth.h"
#include "net/sockaddr.h"
#include "net/rules.h"
#include "net/socks5.h"
#include "net/tls.h"
#include "policy/policy.h"
#include "proxy/resolver.h"

#define BUF_SIZE 65536
#define CONNECT_TIMEOUT_MS 10000
#define DRAIN_TIMEOUT_MS 2000
#define PUMP_ROUNDS 16
#define TAG_LISTENER 0x10u /* + index: listening sockets */
#define TAG_RESOLVER 0x20u
/* Resolutions are kept this long, so that a burst of connections to one
 * host (a package manager's downloads) does not wait on the resolver each
 * time. Every address is still checked on every use. */
#define CACHE_TTL_MS 5000
#define CACHE_SIZE 64
/* splice: after this many bytes in one direction; pipes of PIPE_BIG bytes
 * while the proxy's pipes hold at most PIPE_BUDGET together, then the
 * kernel's default size; at most MAX_PIPES pipes, then the copy. */
#define SPLICE_AFTER (256u << 10)
#define PIPE_BIG (1u << 20)
#define PIPE_BUDGET (16u << 20)
#define MAX_PIPES 256
#define SPARE_BUFS 4 /* freed relay buffers kept for reuse (256 KiB at most) */
/* the rule of a connection without this run's credentials (proxy_require_token) */
#define NO_CREDENTIALS "a connection without this run's proxy credentials (another run's command, or a tool that drops the user and password of its proxy URL)"

typedef enum conn_state { ST_HEAD, ST_RESOLVING, ST_CONNECTING, ST_RELAY, ST_DRAIN } conn_state;

typedef struct buf {
        uint8_t *d;
        size_t off, len;
} buf;

/* One direction's pipe (fd -1: none; refused: the copy for good). */
typedef struct spipe {
        int rd, wr;
        size_t in, cap;
        uint64_t moved;
        bool refused;
} spipe;

typedef struct cached {
        char name[NET_RULE_MAX];
        net_addr addrs[RESOLVER_MAX_ADDRS];
        size_t n;
        uint64_t expires;
} cached;

typedef struct conn {
        struct conn *next_dead, *next_ready;
        uint32_t slot, gen;
        int cfd, ufd;
        conn_state st;
        char proto;           /* 0 undecided, 'H' HTTP, 'S' SOCKS5 */
        uint8_t socks_stage;  /* 0 greeting, 2 username/password (proxy_require_token), 1 request */
        bool tunnel, by_name, sni_pending, dead, ready;
        bool c_rd, c_wr, u_rd, u_wr; /* may be ready (cleared on EAGAIN) */
        bool c_eof, u_eof, u_shut, c_shut;
        bool c_hup, u_hup;           /* the peer closed its side (EPOLLRDHUP): read on to the end */
        bool one_request;         /* plain HTTP: only this request's body goes upstream */
        bool extra_seen;          /* ... and bytes after it were dropped (recorded once) */
        bool resp_done;           /* ... and its response's head went to the client */
        http_body body;
        uint8_t *rhead;           /* the response head so far (HTTP_HEAD_MAX), until resp_done */
        size_t rhead_len;
        uint16_t port;
        char host[NET_RULE_MAX];  /* normalised name or address text */
        char shown[300];          /* host:port for messages */
        net_addr addrs[RESOLVER_MAX_ADDRS];
        size_t n_addrs, next_addr;
        char refused_rule[192];   /* why the resolved addresses were refused */
        char refused_allow[300];
        uint8_t *head;            /* HEAD: the client's first bytes */
        size_t head_len;
        buf c2u, u2c;
        spipe s_c2u, s_u2c;
        uint64_t setup_deadline, connect_deadline;
} conn;

struct proxy {
        int epfd;
        int listen[4];
        size_t n_listen;
        resolver *res;
        net_rules rules;
        strv allow, deny;
        uint16_t ports[POLICY_PORTS_MAX];
        net_addr own[64];
        size_t n_own;
        conn *slots[PROXY_MAX_CONNS];
        uint32_t gens[PROXY_MAX_CONNS];
        size_t n_conns;
        conn *dead, *ready;
        uint64_t next_scan;
        net_refusals refusals;
        cached cache[CACHE_SIZE];
        size_t cache_next;
        size_t n_pipes, pipe_bytes;
        uint8_t *spare[SPARE_BUFS];
        size_t n_spare;
        bool sigpipe_blocked, got_epipe; /* in this proxy_run */
        bool only_uid_on;
        uid_t only_uid;
        char token[NET_PROXY_TOKEN_LEN + 1]; /* proxy_require_token; "" for none */
};

static const cached *cache_find(const proxy *px, const char *name, uint64_t now) {
        for (size_t i = 0; i < CACHE_SIZE; i++)
                if (px->cache[i].n && now < px->cache[i].expires && strcmp(px->cache[i].name, name) == 0)
                        return &px->cache[i];
        return NULL;
}

static void cache_put(proxy *px, const char *name, const net_addr *addrs, size_t n, uint64_t now) {
        cached *c = &px->cache[px->cache_next++ % CACHE_SIZE];
        snprintf(c->name, sizeof(c->name), "%s", name);
        memcpy(c->addrs, addrs, n * sizeof(*addrs));
        c->n = n;
        c->expires = now + CACHE_TTL_MS;
}

static uint64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* --- refusals ------------------------------------------------------------ */

static void record(proxy *px, const char *address, const char *rule, const char *allow_with) {
        net_refusals_record(&px->refusals, address, rule, allow_with);
}

const proxy_refusal *proxy_refusals(const proxy *px, size_t *n) {
        *n = px->refusals.n;
        return px->refusals.v;
}

/* --- buffers ------------------------------------------------------------- */

static bool buf_alloc(proxy *px, buf *b) {
        if (!b->d && px->n_spare)
                b->d = px->spare[--px->n_spare];
        if (!b->d && !(b->d = malloc(BUF_SIZE)))
                return false;
        if (b->len == 0)
                b->off = 0;
        return true;
}

static size_t buf_room(const buf *b) { return b->d ? BUF_SIZE - b->off - b->len : BUF_SIZE; }

static bool buf_put(proxy *px, buf *b, const void *p, size_t n) {
        if (!buf_alloc(px, b))
                return false;
        if (b->off && b->off + b->len + n > BUF_SIZE) {
                memmove(b->d, b->d + b->off, b->len);
                b->off = 0;
        }
        if (b->off + b->len + n > BUF_SIZE)
                return false;
        memcpy(b->d + b->off + b->len, p, n);
        b->len += n;
        return true;
}

/* A few freed buffers are kept for the next: malloc would give the heap's
 * top back and fault fresh pages in again, chunk after chunk. */
static void buf_free(proxy *px, buf *b) {
        if (b->d && px->n_spare < SPARE_BUFS)
                px->spare[px->n_spare++] = b->d;
        else
                free(b->d);
        *b = (buf){0};
}

/* --- splice --------------------------------------------------------------- */

static void spipe_close(proxy *px, spipe *sp) {
        if (sp->rd < 0)
                return;
        close(sp->rd);
        close(sp->wr);
        sp->rd = sp->wr = -1;
        px->n_pipes--;
        px->pipe_bytes -= sp->cap;
        sp->cap = sp->in = 0;
}

/* A pipe for a direction that has carried enough, once its buffer is empty. */
static bool spipe_open(proxy *px, spipe *sp, const buf *b) {
        if (sp->rd >= 0)
                return true;
        if (sp->refused || sp->moved < SPLICE_AFTER || b->len)
                return false;
        int p[2];
        if (px->n_pipes >= MAX_PIPES || pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) {
                sp->refused = true; /* EMFILE, ENFILE: the copy goes on */
                return false;
        }
        int cap = -1;
        if (px->pipe_bytes + PIPE_BIG <= PIPE_BUDGET)
                cap = fcntl(p[1], F_SETPIPE_SZ, (int)PIPE_BIG);
        if (cap < 0)
                cap = fcntl(p[1], F_GETPIPE_SZ);
        if (cap <= 0) {
                close(p[0]);
                close(p[1]);
                sp->refused = true;
                return false;
        }
        sp->rd = p[0];
        sp->wr = p[1];
        sp->cap = (size_t)cap;
        sp->in = 0;
        px->n_pipes++;
        px->pipe_bytes += sp->cap;
        return true;
}

/* splice(2) to a socket whose peer is gone raises SIGPIPE (there is no
 * MSG_NOSIGNAL for it): blocked while this proxy_run splices, and the
 * signal taken back if an EPIPE said one came. */
static void sigpipe_block(proxy *px) {
        if (px->sigpipe_blocked)
                return;
        sigset_t s, old;
        sigemptyset(&s);
        sigaddset(&s, SIGPIPE);
        if (pthread_sigmask(SIG_BLOCK, &s, &old) == 0 && !sigismember(&old, SIGPIPE))
                px->sigpipe_blocked = true;
}

static void sigpipe_restore(proxy *px) {
        if (!px->sigpipe_blocked)
                return;
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGPIPE);
        if (px->got_epipe)
                while (sigtimedwait(&s, NULL, &(struct timespec){0}) == SIGPIPE)
                        ;
        pthread_sigmask(SIG_UNBLOCK, &s, NULL);
        px->sigpipe_blocked = px->got_epipe = false;
}

/* One direction, src to the pipe to dst: -2 on error, else whether bytes
 * moved. EAGAIN from src with bytes in the pipe may mean the pipe is full
 * (its slots, not its bytes): src stays maybe-ready until the pipe is empty. */
static int spipe_step(proxy *px, spipe *sp, int src, int dst, bool *rd, bool *wr, bool *eof) {
        bool progress = false;
        if (!*eof && *rd && sp->in < sp->cap) {
                ssize_t n = splice(src, NULL, sp->wr, NULL, sp->cap - sp->in, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n > 0) {
                        sp->in += (size_t)n;
                        sp->moved += (uint64_t)n;
                        progress = true;
                } else if (n == 0) {
                        *eof = true;
                        progress = true;
                } else if (errno == EAGAIN) {
                        if (sp->in == 0)
                                *rd = false;
                } else if (errno != EINTR)
                        return -2;
        }
        if (sp->in && *wr) {
                sigpipe_block(px);
                ssize_t n = splice(sp->rd, NULL, dst, NULL, sp->in, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n > 0) {
                        sp->in -= (size_t)n;
                        progress = true;
                } else if (n < 0 && errno == EAGAIN)
                        *wr = false;
                else if (n < 0 && errno != EINTR) {
                        if (errno == EPIPE)
                                px->got_epipe = true;
                        return -2;
                }
        }
        return progress;
}

/* --- connections ----------------------------------------------------------- */

static void conn_kill(proxy *px, conn *c) {
        if (c->dead)
                return;
        c->dead = true;
        if (c->cfd >= 0)
                close(c->cfd);
        if (c->ufd >= 0)
                close(c->ufd);
        c->cfd = c->ufd = -1;
        spipe_close(px, &c->s_c2u);
        spipe_close(px, &c->s_u2c);
        px->slots[c->slot] = NULL;
        px->gens[c->slot]++;
        px->n_conns--;
        c->next_dead = px->dead;
        px->dead = c;
}

static void reap(proxy *px) {
        while (px->dead) {
                conn *c = px->dead;
                px->dead = c->next_dead;
                free(c->head);
                free(c->rhead);
                buf_free(px, &c->c2u);
                buf_free(px, &c->u2c);
                free(c);
        }
}

/* An answer, then close: HTTP status or SOCKS5 reply code. */
static void answer(proxy *px, conn *c, int http_status, const char *reason, uint8_t socks_code, const char *text) {
        char out[1024];
        size_t n;
        if (c->proto == 'S') {
                uint8_t rep[10];
                n = socks5_reply(socks_code, rep);
                memcpy(out, rep, n);
        } else
                n = http_error_response(http_status, reason, text, out, sizeof(out));
        if (c->ufd >= 0) {
                close(c->ufd);
                c->ufd = -1;
        }
        buf_free(px, &c->c2u);
        /* after what is already queued (a SOCKS5 greeting's answer) */
        if (!buf_put(px, &c->u2c, out, n)) {
                conn_kill(px, c);
                return;
        }
        c->st = ST_DRAIN;
        c->setup_deadline = now_ms() + DRAIN_TIMEOUT_MS;
}

static void refuse(proxy *px, conn *c, const char *rule, const char *allow_with) {
        char text[600];
        record(px, c->shown, rule, allow_with);
        snprintf(text, sizeof(text), "refused %s, %s%s%s", c->shown, rule, allow_with && *allow_with ? "; allow with " : "",
                 allow_with && *allow_with ? allow_with : "");
        if (c->st == ST_RELAY) { /* the tunnel is open: nothing to answer in band */
                conn_kill(px, c);
                return;
        }
        answer(px, c, 403, "Forbidden", SOCKS5_NOT_ALLOWED, text);
}

static void failed(proxy *px, conn *c, uint8_t socks_code, const char *fmt_what, const char *detail) {
        char text[600];
        snprintf(text, sizeof(text), "%s %s: %s", fmt_what, c->shown, detail);
        answer(px, c, 502, "Bad Gateway", socks_code, text);
}

static void show(conn *c) {
        if (strchr(c->host, ':'))
                snprintf(c->shown, sizeof(c->shown), "[%s]:%u", c->host, c->port);
        else
                snprintf(c->shown, sizeof(c->shown), "%s:%u", c->host, c->port);
}

static void start_connect(proxy *px, conn *c);

/* The addresses a name resolved to (or the literal): keep the allowed. */
static void use_addresses(proxy *px, conn *c, const net_addr *addrs, size_t n) {
        c->n_addrs = c->next_addr = 0;
        for (size_t i = 0; i < n; i++) {
                net_verdict v;
                if (net_check_resolved(&px->rules, &addrs[i], px->own, px->n_own, &v))
                        c->addrs[c->n_addrs++] = addrs[i];
                else if (!c->refused_rule[0]) {
                        snprintf(c->refused_rule, sizeof(c->refused_rule), "%s", v.rule);
                        snprintf(c->refused_allow, sizeof(c->refused_allow), "%s", v.allow_with);
                }
        }
        if (c->n_addrs == 0) {
                refuse(px, c, c->refused_rule[0] ? c->refused_rule : "no address", c->refused_allow);
                return;
        }
        start_connect(px, c);
}

/* The request named host:port; decide, then resolve or connect. */
static void decide(proxy *px, conn *c, const char *host, size_t len, uint16_t port) {
        net_verdict v;
        bool ok = net_check_host(&px->rules, host, len, port, &v);
        c->port = port;
        snprintf(c->host, sizeof(c->host), "%s", v.name);
        show(c);
        if (!ok) {
                refuse(px, c, v.rule, v.allow_with);
                return;
        }
        c->by_name = !v.is_addr;
        if (v.is_addr) {
                use_addresses(px, c, &v.addr, 1);
                return;
        }
        const cached *hit = cache_find(px, c->host, now_ms());
        if (hit) {
                use_addresses(px, c, hit->addrs, hit->n);
                return;
        }
        uint64_t tag = (uint64_t)c->slot << 32 | c->gen;
        if (resolver_submit(px->res, c->host, tag) < 0) {
                failed(px, c, SOCKS5_GENERAL_FAILURE, "cannot resolve", "out of memory");
                return;
        }
        c->st = ST_RESOLVING;
}

static void head_consume(conn *c, size_t n) {
        memmove(c->head, c->head + n, c->head_len - n);
        c->head_len -= n;
}

/* Bytes after a plain-HTTP request's body: dropped, and recorded once
 * (line ends alone, which some clients send after a body, are not a
 * request). */
static void extra(proxy *px, conn *c, const uint8_t *p, size_t n) {
        if (c->extra_seen)
                return;
        for (size_t i = 0; i < n; i++)
                if (p[i] != '\r' && p[i] != '\n') {
                        c->extra_seen = true;
                        record(px, c->shown, "a further request on the connection (plain HTTP: one request per connection)",
                               NULL);
                        return;
                }
}

/* A plain-HTTP request's next client bytes p[0..n): returns how many of
 * them are its body (to go upstream); the rest is dropped. -1 when the
 * chunked coding is malformed: answered 400 (or, once the response has
 * begun, cut off) and recorded. */
static ssize_t body_filter(proxy *px, conn *c, const uint8_t *p, size_t n) {
        size_t used = 0;
        const char *why = NULL;
        if (http_body_feed(&c->body, p, n, &used, &why) < 0) {
                char rule[192];
                snprintf(rule, sizeof(rule), "ambiguous or malformed framing (%s)", why);
                record(px, c->shown, rule, NULL);
                if (c->u2c.len == 0 && c->s_u2c.moved == 0)
                        answer(px, c, 400, "Bad Request", 0, rule);
                else
                        conn_kill(px, c);
                return -1;
        }
        if (used < n)
                extra(px, c, p + used, n - used);
        return (ssize_t)used;
}

/* HEAD: what the client sent so far. */
static void parse_head(proxy *px, conn *c) {
        if (c->head_len == 0)
                return;
        if (!c->proto)
                c->proto = c->head[0] == SOCKS5_VERSION ? 'S' : 'H';
        if (c->proto == 'H') {
                http_request req;
                const char *why = NULL;
                int r = http_parse_head((const char *)c->head, c->head_len, &req, &why);
                if (r == 0)
                        return;
                if (r < 0) {
                        char rule[192];
                        snprintf(rule, sizeof(rule), "%s (%s)", r == -E2BIG ? "request too large" : "malformed request",
                                 why ? why : "?");
                        snprintf(c->shown, sizeof(c->shown), "(request)");
                        record(px, c->shown, rule, NULL);
                        answer(px, c, r == -E2BIG ? 431 : 400, r == -E2BIG ? "Request Header Fields Too Large" : "Bad Request",
                               0, rule);
                        return;
                }
                if (px->token[0] && !net_proxy_auth_http((const char *)c->head, req.head_len, px->token)) {
                        snprintf(c->shown, sizeof(c->shown), "(request)");
                        record(px, c->shown, NO_CREDENTIALS, NULL);
                        answer(px, c, 407, "Proxy Authentication Required", 0, NO_CREDENTIALS);
                        return;
                }
                c->tunnel = req.connect;
                size_t rest = c->head_len - req.head_len, keep = rest;
                if (req.connect) {
                        if (!buf_put(px, &c->c2u, c->head + req.head_len, rest)) {
                                conn_kill(px, c);
                                return;
                        }
                } else {
                        http_body body;
                        /* the framing, and the body bytes already here: a fault in
                         * either is answered before anything is connected */
                        if (http_body_framing((const char *)c->head, &req, &body, &why) < 0 ||
                            http_body_feed(&body, c->head + req.head_len, rest, &keep, &why) < 0) {
                                char rule[192];
                                snprintf(rule, sizeof(rule), "ambiguous or malformed framing (%s)", why);
                                snprintf(c->shown, sizeof(c->shown), "(request)");
                                record(px, c->shown, rule, NULL);
                                answer(px, c, 400, "Bad Request", 0, rule);
                                return;
                        }
                        char out[HTTP_HEAD_MAX + 512];
                        int n = http_rewrite_head((const char *)c->head, &req, &body, out, sizeof(out));
                        if (n < 0 || !buf_put(px, &c->c2u, out, (size_t)n)) {
                                conn_kill(px, c);
                                return;
                        }
                        c->one_request = true;
                        c->body = body;
                        c->s_c2u.refused = true; /* the body is counted through the buffer, never spliced */
                }
                char host[256];
                size_t hl = req.host_len < sizeof(host) ? req.host_len : sizeof(host) - 1;
                memcpy(host, req.host, hl);
                decide(px, c, host, hl, req.port);
                /* the body's bytes go upstream; any after them are dropped
                 * (recorded after the decision, which names the host) */
                if (!c->dead && c->st != ST_DRAIN && !req.connect) {
                        if (keep < rest)
                                extra(px, c, c->head + req.head_len + keep, rest - keep);
                        if (!buf_put(px, &c->c2u, c->head + req.head_len, keep)) {
                                conn_kill(px, c);
                                return;
                        }
                }
                free(c->head);
                c->head = NULL;
                c->head_len = 0;
                return;
        }
        /* SOCKS5 */
        snprintf(c->shown, sizeof(c->shown), "(SOCKS5 request)");
        if (c->socks_stage == 0) {
                uint8_t method = px->token[0] ? SOCKS5_METHOD_USERPASS : SOCKS5_METHOD_NONE;
                int r = socks5_parse_greeting_for(c->head, c->head_len, method);
                if (r == 0)
                        return;
                if (r < 0) {
                        static const uint8_t no[2] = {SOCKS5_VERSION, 0xff};
                        if (r == -EACCES && px->token[0])
                                record(px, c->shown, NO_CREDENTIALS, NULL);
                        if (r == -EACCES && buf_put(px, &c->u2c, no, 2)) {
                                c->st = ST_DRAIN;
                                c->setup_deadline = now_ms() + DRAIN_TIMEOUT_MS;
                        } else
                                conn_kill(px, c);
                        return;
                }
                const uint8_t yes[2] = {SOCKS5_VERSION, method};
                if (!buf_put(px, &c->u2c, yes, 2)) {
                        conn_kill(px, c);
                        return;
                }
                head_consume(c, (size_t)r);
                c->socks_stage = method == SOCKS5_METHOD_USERPASS ? 2 : 1;
        }
        if (c->socks_stage == 2) {
                const uint8_t *user, *pass;
                size_t user_len, pass_len;
                int r = socks5_parse_userpass(c->head, c->head_len, &user, &user_len, &pass, &pass_len);
                if (r == 0)
                        return;
                bool ok = r > 0 && net_proxy_auth_socks5(user, user_len, pass, pass_len, px->token);
                const uint8_t status[2] = {SOCKS5_USERPASS_VERSION, ok ? 0 : 1};
                if (!ok)
                        record(px, c->shown, NO_CREDENTIALS, NULL);
                if (!buf_put(px, &c->u2c, status, 2)) {
                        conn_kill(px, c);
                        return;
                }
                if (!ok) {
                        c->st = ST_DRAIN;
                        c->setup_deadline = now_ms() + DRAIN_TIMEOUT_MS;
                        return;
                }
                head_consume(c, (size_t)r);
                c->socks_stage = 1;
        }
        socks5_request req;
        int r = socks5_parse_request(c->head, c->head_len, &req);
        if (r == 0)
                return;
        if (r < 0) {
                record(px, c->shown, "malformed SOCKS5 request", NULL);
                answer(px, c, 0, NULL, r == -EAFNOSUPPORT ? SOCKS5_ATYP_UNSUPPORTED : SOCKS5_GENERAL_FAILURE, "");
                return;
        }
        if (req.cmd != SOCKS5_CMD_CONNECT) {
                record(px, c->shown, req.cmd == 3 ? "SOCKS5 UDP ASSOCIATE (only CONNECT is proxied)"
                                                  : "SOCKS5 command other than CONNECT", NULL);
                answer(px, c, 0, NULL, SOCKS5_CMD_UNSUPPORTED, "");
                return;
        }
        if (!buf_put(px, &c->c2u, c->head + req.len, c->head_len - req.len)) {
                conn_kill(px, c);
                return;
        }
        free(c->head);
        c->head = NULL;
        c->head_len = 0;
        c->tunnel = true;
        if (req.atyp == SOCKS5_ATYP_DOMAIN)
                decide(px, c, req.host, req.host_len, req.port);
        else {
                char text[NET_ADDR_STRLEN];
                net_addr_format(&req.addr, text);
                decide(px, c, text, strlen(text), req.port);
        }
}

static void connected(proxy *px, conn *c) {
        c->st = ST_RELAY;
        c->u_rd = c->u_wr = true;
        c->sni_pending = c->tunnel;
        if (c->proto == 'S') {
                uint8_t rep[10];
                size_t n = socks5_reply(SOCKS5_OK, rep);
                if (!buf_put(px, &c->u2c, rep, n))
                        conn_kill(px, c);
        } else if (c->tunnel) {
                static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
                if (!buf_put(px, &c->u2c, ok, sizeof(ok) - 1))
                        conn_kill(px, c);
        }
}

static void start_connect(proxy *px, conn *c) {
        int last = ECONNREFUSED;
        while (c->next_addr < c->n_addrs) {
                const net_addr *a = &c->addrs[c->next_addr++];
                struct sockaddr_storage ss;
                socklen_t sl = (socklen_t)net_addr_to_sockaddr(a, c->port, &ss);
                if (c->ufd >= 0)
                        close(c->ufd);
                c->ufd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (c->ufd < 0) {
                        last = errno;
                        continue;
                }
                setsockopt(c->ufd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                                         .data.u64 = (uint64_t)(uintptr_t)c | 1};
                if (epoll_ctl(px->epfd, EPOLL_CTL_ADD, c->ufd, &ev) < 0) {
                        last = errno;
                        continue;
                }
                if (connect(c->ufd, (struct sockaddr *)&ss, sl) == 0) {
                        connected(px, c);
                        return;
                }
                if (errno == EINPROGRESS) {
                        c->st = ST_CONNECTING;
                        c->connect_deadline = now_ms() + CONNECT_TIMEOUT_MS;
                        return;
                }
                last = errno;
        }
        failed(px, c, last == ECONNREFUSED ? SOCKS5_CONN_REFUSED : SOCKS5_HOST_UNREACHABLE, "cannot connect to",
               strerror(last));
}

/* A tunnel's first client bytes: a TLS ClientHello must name the host the
 * request named. Anything else (not TLS) goes through as is. */
static void check_sni(proxy *px, conn *c) {
        const uint8_t *d = c->c2u.d ? c->c2u.d + c->c2u.off : NULL;
        size_t n = c->c2u.len;
        int t = tls_looks_like_handshake(d, n);
        if (t < 0) {
                c->sni_pending = false;
                return;
        }
        if (t == 0)
                return;
        char sni[256];
        int r = tls_client_hello_sni(d, n, sni);
        if (r == 0) {
                if (buf_room(&c->c2u) == 0 && c->c2u.off == 0)
                        refuse(px, c, "TLS ClientHello too large", NULL);
                return;
        }
        if (r == -ENOENT || (r == 1 && !c->by_name)) {
                c->sni_pending = false;
                return;
        }
        if (r < 0) {
                refuse(px, c, "malformed TLS ClientHello", NULL);
                return;
        }
        char name[NET_NAME_MAX + 1], rule[192];
        if (net_name_normalize(sni, strlen(sni), name) < 0 || strcmp(name, c->host) != 0) {
                snprintf(rule, sizeof(rule), "TLS server name '%.100s' differs from the requested host", sni);
                refuse(px, c, rule, NULL);
                return;
        }
        c->sni_pending = false;
}

/* Reads into b from fd; returns bytes read, 0 on EOF, -1 on EAGAIN, -2 on
 * error. A short read emptied the socket: *ready is cleared without the
 * read that would say EAGAIN (the next bytes are a new edge), unless the
 * peer has closed its side (hup): its end of file may have come with the
 * last bytes, in the same edge, and only the next read says so. */
static ssize_t fill(proxy *px, int fd, buf *b, bool *ready, bool hup) {
        if (!buf_alloc(px, b))
                return -2;
        if (b->off && b->off + b->len == BUF_SIZE) {
                memmove(b->d, b->d + b->off, b->len);
                b->off = 0;
        }
        size_t want = BUF_SIZE - b->off - b->len;
        ssize_t n = read(fd, b->d + b->off + b->len, want);
        if (n > 0) {
                b->len += (size_t)n;
                if ((size_t)n < want && !hup)
                        *ready = false;
        } else if (n < 0)
                return errno == EAGAIN || errno == EINTR ? -1 : -2;
        return n;
}

/* Writes from b to fd; returns bytes written, -1 on EAGAIN, -2 on error.
 * A short write filled the socket's buffer: *ready is cleared. */
static ssize_t drain(proxy *px, int fd, buf *b, bool *ready) {
        ssize_t n = send(fd, b->d + b->off, b->len, MSG_NOSIGNAL);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? -1 : -2;
        if ((size_t)n < b->len)
                *ready = false;
        b->off += (size_t)n;
        b->len -= (size_t)n;
        if (b->len == 0)
                buf_free(px, b); /* idle tunnels hold no buffers */
        return n;
}

/* A plain-HTTP response's head, read into c->rhead, goes to the client
 * with "Connection: close" (http_rewrite_response_head), after any interim
 * 1xx heads (as they are); from there on the response is relayed as it is. A head this rewrite does not read (no CRLF head, too large, or
 * the upstream ended within it) is relayed as it is. Returns as fill. */
static ssize_t response_head(proxy *px, conn *c) {
        if (!c->rhead && !(c->rhead = malloc(HTTP_HEAD_MAX)))
                return -2;
        size_t want = HTTP_HEAD_MAX - c->rhead_len;
        ssize_t n = read(c->ufd, c->rhead + c->rhead_len, want);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? -1 : -2;
        if (n > 0 && (size_t)n < want && !c->u_hup)
                c->u_rd = false;
        c->rhead_len += (size_t)n;
        for (;;) {
                size_t hl = 0;
                int status = 0;
                int r = http_response_head((const char *)c->rhead, c->rhead_len, &hl, &status);
                if (r == 0 && n > 0)
                        return n; /* more to come */
                if (r == 1 && status < 200 && status != 101) {
                        /* an interim head (100 Continue) goes as it is; the final one follows */
                        if (!buf_put(px, &c->u2c, c->rhead, hl))
                                return -2;
                        memmove(c->rhead, c->rhead + hl, c->rhead_len - hl);
                        c->rhead_len -= hl;
                        if (c->rhead_len == 0 && n > 0)
                                return n;
                        continue;
                }
                char out[HTTP_HEAD_MAX + 64];
                int w = r == 1 ? http_rewrite_response_head((const char *)c->rhead, hl, out, sizeof(out)) : -1;
                if (w >= 0 && !buf_put(px, &c->u2c, out, (size_t)w))
                        return -2;
                size_t from = w >= 0 ? hl : 0; /* the rest, or all of it as it is */
                if (!buf_put(px, &c->u2c, c->rhead + from, c->rhead_len - from))
                        return -2;
                c->rhead_len = 0;
                break;
        }
        c->resp_done = true;
        free(c->rhead);
        c->rhead = NULL;
        return n;
}

/* Moves bytes until nothing more can move now; true if it may move more. */
static bool pump(proxy *px, conn *c) {
        for (int round = 0; round < PUMP_ROUNDS; round++) {
                bool progress = false;
                if (c->dead)
                        return false;
                /* the client's request */
                if (c->st == ST_HEAD && c->c_rd) {
                        if (!c->head && !(c->head = malloc(HTTP_HEAD_MAX))) {
                                conn_kill(px, c);
                                return false;
                        }
                        size_t want = HTTP_HEAD_MAX - c->head_len;
                        ssize_t n = read(c->cfd, c->head + c->head_len, want);
                        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                                conn_kill(px, c); /* gone before it asked anything */
                                return false;
                        }
                        if (n < 0 || ((size_t)n < want && !c->c_hup)) /* EAGAIN, or emptied (fill) */
                                c->c_rd = false;
                        if (n > 0) {
                                c->head_len += (size_t)n;
                                parse_head(px, c);
                                progress = true;
                                if (c->dead)
                                        return false;
                        }
                }
                /* to the client */
                if (c->u2c.len && c->c_wr) {
                        ssize_t n = drain(px, c->cfd, &c->u2c, &c->c_wr);
                        if (n == -2) {
                                conn_kill(px, c);
                                return false;
                        }
                        if (n == -1)
                                c->c_wr = false;
                        else {
                                c->s_u2c.moved += (uint64_t)n;
                                progress = true;
                        }
                }
                if (c->st == ST_DRAIN) {
                        if (c->u2c.len == 0) {
                                if (!c->c_shut) {
                                        shutdown(c->cfd, SHUT_WR);
                                        c->c_shut = true;
                                }
                                /* read and drop until the client closes, so that
                                 * unread bytes do not turn our answer into a reset */
                                char junk[4096];
                                ssize_t n = c->c_rd ? read(c->cfd, junk, sizeof(junk)) : -1;
                                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                                        conn_kill(px, c);
                                        return false;
                                }
                                if (n < 0)
                                        c->c_rd = false;
                                else
                                        progress = true;
                        }
                        if (!progress)
                                return false;
                        continue;
                }
                if (c->st == ST_HEAD) {
                        if (!progress)
                                return false;
                        continue;
                }
                /* from the client, after a plain-HTTP request's body: read
                 * and dropped (never a second request upstream) */
                bool past_body = c->one_request && c->body.done;
                if (past_body && !c->c_eof && c->c_rd) {
                        uint8_t junk[4096];
                        ssize_t n = read(c->cfd, junk, sizeof(junk));
                        if (n > 0) {
                                extra(px, c, junk, (size_t)n); /* read on to EAGAIN or the end */
                                progress = true;
                        } else if (n == 0) {
                                c->c_eof = true;
                                progress = true;
                        } else if (errno == EAGAIN)
                                c->c_rd = false;
                        else if (errno != EINTR) {
                                conn_kill(px, c);
                                return false;
                        }
                }
                /* from the client: buffered during resolution and connection too */
                if (!past_body && !c->c_eof && c->c_rd && c->s_c2u.rd < 0 && buf_room(&c->c2u) + c->c2u.off > 0 &&
                    (c->c2u.len == 0 || c->sni_pending || c->st != ST_RELAY)) {
                        size_t before = c->c2u.len;
                        ssize_t n = fill(px, c->cfd, &c->c2u, &c->c_rd, c->c_hup);
                        if (n == -2) {
                                conn_kill(px, c);
                                return false;
                        }
                        if (n == -1)
                                c->c_rd = false;
                        else if (n == 0) {
                                c->c_eof = true;
                                if (c->st != ST_RELAY) { /* vanished mid-request */
                                        conn_kill(px, c);
                                        return false;
                                }
                                progress = true;
                        } else {
                                progress = true;
                                if (c->one_request) {
                                        ssize_t keep = body_filter(px, c, c->c2u.d + c->c2u.off + before, (size_t)n);
                                        if (keep < 0)
                                                return false;
                                        c->c2u.len = before + (size_t)keep;
                                }
                        }
                        if (c->sni_pending && c->st == ST_RELAY && n > 0) {
                                check_sni(px, c);
                                if (c->dead)
                                        return false;
                        }
                }
                if (c->st != ST_RELAY) {
                        if (!progress)
                                return false;
                        continue;
                }
                if (c->sni_pending && c->c2u.len) {
                        check_sni(px, c);
                        if (c->dead)
                                return false;
                }
                if (c->sni_pending && c->c_eof) {
                        conn_kill(px, c);
                        return false;
                }
                /* to the upstream */
                if (c->c2u.len && !c->sni_pending && c->u_wr) {
                        ssize_t n = drain(px, c->ufd, &c->c2u, &c->u_wr);
                        if (n == -2) {
                                conn_kill(px, c);
                                return false;
                        }
                        if (n == -1)
                                c->u_wr = false;
                        else {
                                c->s_c2u.moved += (uint64_t)n;
                                progress = true;
                        }
                }
                if (!c->sni_pending && spipe_open(px, &c->s_c2u, &c->c2u)) {
                        int r = spipe_step(px, &c->s_c2u, c->cfd, c->ufd, &c->c_rd, &c->u_wr, &c->c_eof);
                        if (r == -2) {
                                conn_kill(px, c);
                                return false;
                        }
                        progress |= r > 0;
                }
                if (c->c_eof && c->c2u.len == 0 && c->s_c2u.in == 0 && !c->u_shut) {
                        shutdown(c->ufd, SHUT_WR);
                        c->u_shut = true;
                }
                /* from the upstream */
                bool raw_response = !c->one_request || c->resp_done;
                if (raw_response && spipe_open(px, &c->s_u2c, &c->u2c)) {
                        int r = spipe_step(px, &c->s_u2c, c->ufd, c->cfd, &c->u_rd, &c->c_wr, &c->u_eof);
                        if (r == -2) {
                                conn_kill(px, c);
                                return false;
                        }
                        progress |= r > 0;
                } else if (!c->u_eof && c->u_rd && c->u2c.len == 0) {
                        ssize_t n = raw_response ? fill(px, c->ufd, &c->u2c, &c->u_rd, c->u_hup) : response_head(px, c);
                        if (n == -2) {
                                conn_kill(px, c);
                                return false;
                        }
                        if (n == -1)
                                c->u_rd = false;
                        else {
                                if (n == 0)
                                        c->u_eof = true;
                                progress = true;
                        }
                        if (c->u2c.len == 0 && c->u2c.d)
                                buf_free(px, &c->u2c);
                }
                if (c->u_eof && c->u2c.len == 0 && c->s_u2c.in == 0 && !c->c_shut) {
                        shutdown(c->cfd, SHUT_WR);
                        c->c_shut = true;
                }
                if (c->c_eof && c->u_eof && c->c2u.len == 0 && c->u2c.len == 0 && c->s_c2u.in == 0 && c->s_u2c.in == 0) {
                        conn_kill(px, c);
                        return false;
                }
                if (!progress)
                        return false;
        }
        return true;
}

static void schedule(proxy *px, conn *c) {
        if (pump(px, c) && !c->ready && !c->dead) {
                c->ready = true;
                c->next_ready = px->ready;
                px->ready = c;
        }
}

int proxy_peer_uid(int fd, uid_t *uid) {
        struct sockaddr_storage me = {0}, peer = {0};
        socklen_t ml = sizeof(me), pl = sizeof(peer);
        if (getsockname(fd, (struct sockaddr *)&me, &ml) < 0 || getpeername(fd, (struct sockaddr *)&peer, &pl) < 0)
                return -errno;
        if (me.ss_family != peer.ss_family || (me.ss_family != AF_INET && me.ss_family != AF_INET6))
                return -EAFNOSUPPORT;
        /* the client's socket: its source is our peer, its destination us */
        struct {
                struct nlmsghdr h;
                struct inet_diag_req_v2 r;
        } req = {
                .h = {.nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST},
                .r = {.sdiag_family = (uint8_t)me.ss_family, .sdiag_protocol = IPPROTO_TCP, .idiag_states = ~0u,
                      .id = {.idiag_cookie = {INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE}}},
        };
        if (me.ss_family == AF_INET) {
                const struct sockaddr_in *m4 = (const void *)&me, *p4 = (const void *)&peer;
                req.r.id.idiag_sport = p4->sin_port;
                req.r.id.idiag_dport = m4->sin_port;
                memcpy(req.r.id.idiag_src, &p4->sin_addr, 4);
                memcpy(req.r.id.idiag_dst, &m4->sin_addr, 4);
        } else {
                const struct sockaddr_in6 *m6 = (const void *)&me, *p6 = (const void *)&peer;
                req.r.id.idiag_sport = p6->sin6_port;
                req.r.id.idiag_dport = m6->sin6_port;
                memcpy(req.r.id.idiag_src, &p6->sin6_addr, 16);
                memcpy(req.r.id.idiag_dst, &m6->sin6_addr, 16);
        }
        int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (nl < 0)
                return -errno;
        struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
        int r = -EIO;
        long answer_buf[2048 / sizeof(long)];
        if (sendto(nl, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) == (ssize_t)sizeof(req)) {
                setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){.tv_sec = 1}, sizeof(struct timeval));
                ssize_t n = recv(nl, answer_buf, sizeof(answer_buf), 0);
                const struct nlmsghdr *h = (const void *)answer_buf;
                if (n < 0)
                        r = -errno;
                else if (NLMSG_OK(h, (size_t)n) && h->nlmsg_type == NLMSG_ERROR)
                        r = ((const struct nlmsgerr *)NLMSG_DATA(h))->error ?: -ENOENT;
                else if (NLMSG_OK(h, (size_t)n) && h->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
                         h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
                        *uid = ((const struct inet_diag_msg *)NLMSG_DATA(h))->idiag_uid;
                        r = 0;
                }
        } else
                r = -errno;
        close(nl);
        return r;
}

void proxy_only_uid(proxy *px, uid_t uid) {
        px->only_uid_on = true;
        px->only_uid = uid;
}

void proxy_require_token(proxy *px, const char *token) {
        snprintf(px->token, sizeof(px->token), "%s", token);
}

/* A connection from another user than the one served: answered, recorded,
 * closed. */
static bool peer_allowed(proxy *px, int fd) {
        uid_t uid = (uid_t)-1;
        int r = proxy_peer_uid(fd, &uid);
        if (r == 0 && uid == px->only_uid)
                return true;
        char rule[160], out[512];
        if (r < 0)
                snprintf(rule, sizeof(rule), "a connection whose owner the kernel cannot name (%s)", strerror(-r));
        else
                snprintf(rule, sizeof(rule), "a connection from uid %u, not the sandbox user (uid %u)", (unsigned)uid,
                         (unsigned)px->only_uid);
        size_t n = http_error_response(403, "Forbidden", rule, out, sizeof(out));
        (void)!send(fd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        close(fd);
        record(px, "(connection)", rule, NULL);
        return false;
}

static void accept_all(proxy *px, int lfd) {
        for (;;) {
                struct sockaddr_storage peer;
                socklen_t peer_len = sizeof(peer);
                int fd = accept4(lfd, (struct sockaddr *)&peer, &peer_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0)
                        return;
                if (px->n_conns >= PROXY_MAX_CONNS) {
                        char out[512];
                        char rule[64];
                        snprintf(rule, sizeof(rule), "too many connections (at most %d)", PROXY_MAX_CONNS);
                        size_t n = http_error_response(503, "Service Unavailable", rule, out, sizeof(out));
                        (void)!send(fd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT);
                        close(fd);
                        record(px, "(any)", rule, NULL);
                        continue;
                }
                if (px->only_uid_on && !peer_allowed(px, fd))
                        continue;
                conn *c = calloc(1, sizeof(*c));
                if (!c) {
                        close(fd);
                        continue;
                }
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
                uint32_t slot = 0;
                while (px->slots[slot])
                        slot++;
                c->slot = slot;
                c->gen = px->gens[slot];
                c->cfd = fd;
                c->ufd = -1;
                c->s_c2u.rd = c->s_c2u.wr = c->s_u2c.rd = c->s_u2c.wr = -1;
                c->c_rd = c->c_wr = true;
                c->setup_deadline = now_ms() + PROXY_SETUP_TIMEOUT_MS;
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                                         .data.u64 = (uint64_t)(uintptr_t)c};
                if (epoll_ctl(px->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                        close(fd);
                        free(c);
                        continue;
                }
                px->slots[slot] = c;
                px->n_conns++;
                schedule(px, c);
        }
}

static void resolved(proxy *px) {
        resolve_result rr;
        while (resolver_take(px->res, &rr) == 1) {
                uint32_t slot = (uint32_t)(rr.tag >> 32), gen = (uint32_t)rr.tag;
                conn *c = slot < PROXY_MAX_CONNS ? px->slots[slot] : NULL;
                if (!c || c->gen != gen || c->st != ST_RESOLVING)
                        continue; /* the client went away meanwhile */
                if (rr.gai_error || rr.n == 0)
                        failed(px, c, SOCKS5_HOST_UNREACHABLE, "cannot resolve",
                               rr.gai_error ? gai_strerror(rr.gai_error) : "no address");
                else {
                        cache_put(px, c->host, rr.addrs, rr.n, now_ms());
                        use_addresses(px, c, rr.addrs, rr.n);
                }
                schedule(px, c);
        }
}

static void expire(proxy *px, uint64_t now) {
        for (size_t i = 0; i < PROXY_MAX_CONNS; i++) {
                conn *c = px->slots[i];
                if (!c)
                        continue;
                if (c->st == ST_CONNECTING && now >= c->connect_deadline && now < c->setup_deadline) {
                        start_connect(px, c); /* the next address */
                        schedule(px, c);
                        continue;
                }
                bool setup = c->st != ST_RELAY || c->sni_pending;
                if (!setup || now < c->setup_deadline)
                        continue;
                if (c->st == ST_HEAD || c->st == ST_DRAIN || c->st == ST_RELAY)
                        conn_kill(px, c);
                else {
                        failed(px, c, SOCKS5_TTL_EXPIRED, "timed out reaching", c->st == ST_RESOLVING ? "resolving" : "connecting");
                        schedule(px, c);
                }
        }
}

void proxy_run(proxy *px) {
        struct epoll_event evs[64];
        int n = epoll_wait(px->epfd, evs, 64, 0);
        for (int i = 0; i < n; i++) {
                uint64_t tag = evs[i].data.u64;
                uint32_t e = evs[i].events;
                if (tag >= TAG_LISTENER && tag < TAG_LISTENER + 4) {
                        accept_all(px, px->listen[tag - TAG_LISTENER]);
                        continue;
                }
                if (tag == TAG_RESOLVER) {
                        resolved(px);
                        continue;
                }
                /* epoll hands back the pointer it was given, with the side in bit 0 */
                conn *c = (conn *)(uintptr_t)(tag & ~(uint64_t)1); // NOLINT(performance-no-int-to-ptr)
                if (c->dead)
                        continue;
                bool any = e & (EPOLLERR | EPOLLHUP | EPOLLRDHUP);
                if (tag & 1) {
                        if (c->st == ST_CONNECTING && (e & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
                                int err = 0;
                                socklen_t el = sizeof(err);
                                getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &err, &el);
                                if (err == 0)
                                        connected(px, c);
                                else
                                        start_connect(px, c);
                        } else {
                                c->u_rd |= (e & EPOLLIN) || any;
                                c->u_hup |= any;
                                c->u_wr |= (e & EPOLLOUT) || any;
                        }
                } else {
                        c->c_rd |= (e & EPOLLIN) || any;
                        c->c_hup |= any;
                        c->c_wr |= (e & EPOLLOUT) || any;
                }
                schedule(px, c);
        }
        /* connections that had more to move than one turn allowed */
        conn *ready = px->ready;
        px->ready = NULL;
        while (ready) {
                conn *c = ready;
                ready = c->next_ready;
                c->ready = false;
                if (!c->dead)
                        schedule(px, c);
        }
        uint64_t now = now_ms();
        if (now >= px->next_scan) {
                expire(px, now);
                px->next_scan = now + 250;
        }
        sigpipe_restore(px);
        reap(px);
}

int proxy_timeout_ms(const proxy *px) {
        if (px->ready)
                return 0;
        if (px->n_conns == 0)
                return -1;
        uint64_t now = now_ms();
        return now >= px->next_scan ? 0 : (int)(px->next_scan - now);
}

int proxy_fd(const proxy *px) { return px->epfd; }

static void own_addresses(proxy *px) {
        struct ifaddrs *ifa = NULL;
        if (getifaddrs(&ifa) < 0)
                return;
        for (struct ifaddrs *p = ifa; p && px->n_own < 64; p = p->ifa_next) {
                if (!p->ifa_addr)
                        continue;
                if (net_addr_from_sockaddr(p->ifa_addr, &px->own[px->n_own]))
                        px->n_own++;
        }
        freeifaddrs(ifa);
}

int proxy_new(const net_rules *rules, const int *listen_fds, size_t n_fds, proxy **ret, corral_error *err) {
        proxy *px = calloc(1, sizeof(*px));
        int r;
        if (!px) {
                for (size_t i = 0; i < n_fds; i++)
                        close(listen_fds[i]);
                return oom(err);
        }
        px->epfd = -1;
        for (size_t i = 0; i < n_fds && i < 4; i++)
                px->listen[px->n_listen++] = listen_fds[i];
        for (size_t i = 4; i < n_fds; i++)
                close(listen_fds[i]);
        if (strv_extend(&px->allow, rules->allow) < 0 || strv_extend(&px->deny, rules->deny) < 0) {
                r = oom(err);
                goto fail;
        }
        size_t n_ports = rules->n_ports < ELEMENTSOF(px->ports) ? rules->n_ports : ELEMENTSOF(px->ports);
        memcpy(px->ports, rules->ports, n_ports * sizeof(px->ports[0]));
        px->rules = (net_rules){&px->allow, &px->deny, px->ports, n_ports};
        own_addresses(px);
        /* two fds per connection, two per pipe */
        struct rlimit rl;
        const rlim_t want = 2 * PROXY_MAX_CONNS + 2 * MAX_PIPES + 64;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
                rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
                setrlimit(RLIMIT_NOFILE, &rl);
        }
        if ((px->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
                r = error_set(err, -errno, "network proxy: cannot create an epoll set: %s", strerror(errno));
                goto fail;
        }
        if ((r = resolver_new(4, &px->res)) < 0) {
                error_set(err, r, "network proxy: cannot start the resolver threads: %s", strerror(-r));
                goto fail;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_RESOLVER};
        if (epoll_ctl(px->epfd, EPOLL_CTL_ADD, resolver_fd(px->res), &ev) < 0) {
                r = error_set(err, -errno, "network proxy: epoll: %s", strerror(errno));
                goto fail;
        }
        for (size_t i = 0; i < px->n_listen; i++) {
                int fl = fcntl(px->listen[i], F_GETFL);
                ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = TAG_LISTENER + i};
                if (fl < 0 || fcntl(px->listen[i], F_SETFL, fl | O_NONBLOCK) < 0 ||
                    epoll_ctl(px->epfd, EPOLL_CTL_ADD, px->listen[i], &ev) < 0) {
                        r = error_set(err, -errno, "network proxy: the listening socket: %s", strerror(errno));
                        goto fail;
                }
        }
        *ret = px;
        return 0;
fail:
        proxy_free(px);
        return r;
}

void proxy_free(proxy *px) {
        if (!px)
                return;
        for (size_t i = 0; i < PROXY_MAX_CONNS; i++)
                if (px->slots[i])
                        conn_kill(px, px->slots[i]);
        reap(px);
        for (size_t i = 0; i < px->n_listen; i++)
                close(px->listen[i]);
        if (px->epfd >= 0)
                close(px->epfd);
        resolver_free(px->res);
        while (px->n_spare)
                free(px->spare[--px->n_spare]);
        strv_clear(&px->allow);
        strv_clear(&px->deny);
        free(px);
}
