/* SPDX-License-Identifier: MIT
 * JSON-RPC 2.0 over stdio, one message a line (the MCP stdio transport), and
 * the MCP methods a tools-only server answers. One thread, one poll loop over
 * stdin, a signalfd and the pipes of every call in flight. */
#include "mcp/mcp.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mcp/call.h"
#include "mcp/tool.h"

/* A line longer than this is refused without being parsed. */
#define MAX_MESSAGE (4u << 20)
/* SIGTERM (forwarded by corral to the command), then SIGKILL. */
#define STOP_GRACE_MS 2000

/* Newest first; the first is the one offered to a client that asks for
 * none of them. */
static const char *const versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

enum {
        PARSE_ERROR = -32700,
        INVALID_REQUEST = -32600,
        METHOD_NOT_FOUND = -32601,
        INVALID_PARAMS = -32602,
};

typedef struct server {
        const mcp_policy *p;
        mcp_call *calls;
        unsigned n_calls;
        char *in;
        size_t in_len;
        bool discarding; /* inside an oversized line: drop it up to its newline */
        bool eof;        /* stdin closed, or stdout broken: the client is gone */
        bool stopping;   /* signalled, or the client is gone: stop everything, then exit */
        bool structured; /* the negotiated revision has structured tool output */
        int sigfd;
} server;

static void send_json(server *s, json_t *msg) {
        char *text = json_dumps(msg, JSON_COMPACT);
        json_decref(msg);
        if (!text)
                return;
        size_t len = strlen(text);
        text[len] = '\n'; /* the terminator is replaced: json_dumps's buffer has room for it */
        size_t off = 0;
        while (off <= len && !s->eof) {
                ssize_t n = write(1, text + off, len + 1 - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        s->eof = s->stopping = true; /* EPIPE: the client is gone */
                        break;
                }
                off += (size_t)n;
        }
        free(text);
}

static void send_result(server *s, json_t *id, json_t *result) {
        send_json(s, json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id, "result", result));
}

static void send_error(server *s, json_t *id, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void send_error(server *s, json_t *id, int code, const char *fmt, ...) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        json_t *m = json_pack("{s:s,s:O,s:{s:i,s:s%}}", "jsonrpc", "2.0", "id", id ? id : json_null(), "error", "code",
                              code, "message", msg, strnlen(msg, sizeof(msg)));
        send_json(s, m);
}

/* --- methods --- */

static json_t *initialize(server *s, json_t *params) {
        const char *asked = json_string_value(json_object_get(params, "protocolVersion"));
        const char *v = versions[0];
        for (size_t i = 0; asked && i < sizeof(versions) / sizeof(versions[0]); i++)
                if (strcmp(asked, versions[i]) == 0)
                        v = versions[i];
        s->structured = strcmp(v, "2025-06-18") >= 0; /* outputSchema, structuredContent */
        return json_pack("{s:s,s:{s:{s:b}},s:{s:s,s:s,s:s},s:s}", "protocolVersion", v, "capabilities", "tools",
                         "listChanged", 0, "serverInfo", "name", "corral", "title", "corral sandbox", "version",
                         CORRAL_VERSION, "instructions",
                         "Run shell commands with the `run` tool: each call is a fresh corral sandbox in the "
                         "workspace. A refused operation (a read-only path, no network) is the policy, not a "
                         "fault: report it to the user instead of working around it.");
}

static void tools_call(server *s, json_t *id, json_t *params) {
        char msg[1024];
        const char *name = json_string_value(json_object_get(params, "name"));
        if (!name || strcmp(name, "run") != 0) {
                send_error(s, id, INVALID_PARAMS, "Unknown tool: %s (this server has one tool, run)",
                           name ? name : "(no name)");
                return;
        }
        if (s->n_calls >= s->p->max_calls) {
                snprintf(msg, sizeof(msg), "corral mcp: %u calls are running already (the server's limit)",
                         s->n_calls);
                send_result(s, id, tool_error_result(msg));
                return;
        }
        char **argv = tool_run_argv(s->p, json_object_get(params, "arguments"), msg, sizeof(msg));
        if (!argv) {
                send_result(s, id, tool_error_result(msg));
                return;
        }
        mcp_call *c = calloc(1, sizeof(*c));
        if (!c) {
                tool_argv_free(argv);
                send_result(s, id, tool_error_result("out of memory"));
                return;
        }
        int r = call_start(c, argv, msg, sizeof(msg));
        tool_argv_free(argv);
        if (r < 0) {
                free(c);
                send_result(s, id, tool_error_result(msg));
                return;
        }
        c->id = json_incref(id);
        c->next = s->calls;
        s->calls = c;
        s->n_calls++;
}

static void request(server *s, json_t *id, const char *method, json_t *params) {
        if (params && !json_is_object(params)) {
                send_error(s, id, INVALID_PARAMS, "params must be an object");
                return;
        }
        if (strcmp(method, "initialize") == 0) {
                if (!json_is_string(json_object_get(params, "protocolVersion")))
                        send_error(s, id, INVALID_PARAMS, "initialize: params.protocolVersion must be a string");
                else
                        send_result(s, id, initialize(s, params));
        } else if (strcmp(method, "ping") == 0) {
                send_result(s, id, json_object());
        } else if (strcmp(method, "tools/list") == 0) {
                send_result(s, id, json_pack("{s:[o]}", "tools", tool_run_definition(s->structured)));
        } else if (strcmp(method, "tools/call") == 0) {
                tools_call(s, id, params);
        } else {
                send_error(s, id, METHOD_NOT_FOUND, "Method not found: %s", method);
        }
}

static void notification(server *s, const char *method, json_t *params) {
        if (strcmp(method, "notifications/cancelled") != 0)
                return; /* notifications/initialized and the rest need nothing */
        json_t *rid = json_object_get(params, "requestId");
        for (mcp_call *c = s->calls; rid && c; c = c->next)
                if (json_equal(c->id, rid)) {
                        c->cancelled = true; /* the spec: no response to a cancelled request */
                        call_stop(c, STOP_GRACE_MS);
                }
}

static void message(server *s, const char *line, size_t len) {
        size_t i = 0;
        while (i < len && strchr(" \t\r", line[i]))
                i++;
        if (i == len)
                return; /* an empty line */
        json_error_t e;
        json_t *m = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
        if (!m) {
                send_error(s, NULL, PARSE_ERROR, "Parse error: %s (at byte %d)", e.text, e.position);
                return;
        }
        json_t *id = json_object_get(m, "id");
        json_t *method = json_object_get(m, "method");
        bool id_ok = json_is_string(id) || json_is_integer(id);
        if (json_is_array(m))
                send_error(s, NULL, INVALID_REQUEST, "JSON-RPC batches are not supported (MCP 2025-06-18 "
                                                     "removed them): send one message a line");
        else if (!json_is_object(m))
                send_error(s, NULL, INVALID_REQUEST, "a message must be a JSON object");
        else if (!json_is_string(json_object_get(m, "jsonrpc")) ||
                 strcmp(json_string_value(json_object_get(m, "jsonrpc")), "2.0") != 0)
                send_error(s, id_ok ? id : NULL, INVALID_REQUEST, "\"jsonrpc\" must be \"2.0\"");
        else if (!method) {
                /* a response: this server sends no requests, so there is
                 * nothing to match it with */
                if (!json_object_get(m, "result") && !json_object_get(m, "error"))
                        send_error(s, id_ok ? id : NULL, INVALID_REQUEST, "neither a request nor a response");
        } else if (!json_is_string(method))
                send_error(s, id_ok ? id : NULL, INVALID_REQUEST, "\"method\" must be a string");
        else if (!id)
                notification(s, json_string_value(method), json_object_get(m, "params"));
        else if (!id_ok)
                send_error(s, NULL, INVALID_REQUEST, "\"id\" must be a string or an integer");
        else
                request(s, id, json_string_value(method), json_object_get(m, "params"));
        json_decref(m);
}

/* --- input --- */

static void read_input(server *s) {
        char buf[65536];
        ssize_t n = read(0, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0) {
                s->eof = s->stopping = true;
                return;
        }
        for (ssize_t i = 0; i < n;) {
                char *nl = memchr(buf + i, '\n', (size_t)(n - i));
                size_t chunk = nl ? (size_t)(nl - (buf + i)) : (size_t)(n - i);
                if (!s->discarding) {
                        if (s->in_len + chunk > MAX_MESSAGE) {
                                send_error(s, NULL, INVALID_REQUEST, "message longer than %u bytes: refused",
                                           MAX_MESSAGE);
                                s->discarding = true;
                                s->in_len = 0;
                        } else {
                                char *b = realloc(s->in, s->in_len + chunk + 1);
                                if (!b) {
                                        s->eof = s->stopping = true;
                                        return;
                                }
                                memcpy(b + s->in_len, buf + i, chunk);
                                s->in = b;
                                s->in_len += chunk;
                        }
                }
                i += (ssize_t)chunk;
                if (nl) {
                        if (!s->discarding)
                                message(s, s->in, s->in_len);
                        s->discarding = false;
                        s->in_len = 0;
                        i++;
                }
        }
}

/* --- the loop --- */

static void reap(server *s) {
        int st;
        pid_t pid;
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
                for (mcp_call *c = s->calls; c; c = c->next)
                        if (c->pid == pid) {
                                c->pid = 0;
                                c->wait_status = st;
                                c->end_ms = call_now_ms();
                        }
}

static void signals(server *s) {
        struct signalfd_siginfo si;
        while (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (si.ssi_signo == SIGCHLD)
                        reap(s);
                else
                        s->stopping = true;
        }
}

static void finish(server *s) {
        for (mcp_call **pp = &s->calls; *pp;) {
                mcp_call *c = *pp;
                if (!call_done(c)) {
                        pp = &c->next;
                        continue;
                }
                if (!c->cancelled && !s->eof) {
                        c->status[c->status_len] = 0;
                        tool_outcome o = {
                                .status_record = c->status_len ? c->status : NULL,
                                .wait_status = c->wait_status,
                                .wall_ms = c->end_ms - c->start_ms,
                                .out = {c->out.data, c->out.len, c->out.total},
                                .err = {c->err.data, c->err.len, c->err.total},
                        };
                        send_result(s, c->id, tool_run_result(&o, s->structured));
                }
                *pp = c->next;
                s->n_calls--;
                call_free(c);
        }
}

int mcp_serve(const mcp_policy *p) {
        server s = {.p = p, .structured = true};
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        s.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (s.sigfd < 0) {
                fprintf(stderr, "corral mcp: signalfd: %s\n", strerror(errno));
                return 125;
        }
        struct pollfd *pfd = NULL;
        for (;;) {
                if (s.stopping)
                        for (mcp_call *c = s.calls; c; c = c->next) {
                                c->cancelled = true;
                                call_stop(c, STOP_GRACE_MS);
                        }
                if (s.stopping && !s.calls)
                        break;
                size_t n = 0, cap = 2 + 3 * (size_t)s.n_calls;
                struct pollfd *np = realloc(pfd, cap * sizeof(*pfd));
                if (!np)
                        break;
                pfd = np;
                pfd[n++] = (struct pollfd){.fd = s.sigfd, .events = POLLIN};
                if (!s.stopping)
                        pfd[n++] = (struct pollfd){.fd = 0, .events = POLLIN};
                uint64_t now = call_now_ms(), next = UINT64_MAX;
                for (mcp_call *c = s.calls; c; c = c->next) {
                        const int fds[3] = {c->out.fd, c->err.fd, c->status_fd};
                        for (int i = 0; i < 3; i++)
                                if (fds[i] >= 0)
                                        pfd[n++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
                        if (c->pid > 0 && c->kill_at_ms && c->kill_at_ms < next)
                                next = c->kill_at_ms;
                        if (c->pid == 0 && c->drain_until_ms < next)
                                next = c->drain_until_ms ? c->drain_until_ms : now;
                }
                int timeout = next == UINT64_MAX ? -1 : next <= now ? 0 : (int)(next - now);
                if (poll(pfd, n, timeout) < 0 && errno != EINTR)
                        break;
                for (size_t i = 0; i < n; i++) {
                        if (!pfd[i].revents)
                                continue;
                        if (pfd[i].fd == s.sigfd)
                                signals(&s);
                        else if (pfd[i].fd == 0)
                                read_input(&s);
                        else
                                for (mcp_call *c = s.calls; c; c = c->next)
                                        call_read(c, pfd[i].fd, p->max_output);
                }
                now = call_now_ms();
                for (mcp_call *c = s.calls; c; c = c->next)
                        call_tick(c, now);
                finish(&s);
        }
        free(pfd);
        free(s.in);
        while (s.calls) { /* only if the loop broke: kill what is left */
                mcp_call *c = s.calls;
                s.calls = c->next;
                call_free(c);
        }
        close(s.sigfd);
        return 0;
}
