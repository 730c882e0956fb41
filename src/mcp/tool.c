/* SPDX-License-Identifier: MIT */
#include "mcp/tool.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "mcp/utf8.h"

static const char description[] =
        "Run a shell command in a fresh corral sandbox. It may write only inside the workspace "
        "(and the server's writable roots), with .git and agent configs kept read-only; credentials are "
        "hidden; the network is off unless the server allows it. Returns the exit code, stdout, stderr "
        "(bounded; truncation is said), the wall time and what the sandbox refused. A refusal is the "
        "policy working: do not retry the same thing another way; tell the user what it needs "
        "(the denials say how it could be allowed).";

static const char input_schema[] =
        "{\"type\":\"object\",\"properties\":{"
        "\"command\":{\"type\":\"string\",\"description\":\"A shell command, run by /bin/sh -c. Give this or argv.\"},"
        "\"argv\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":1,"
        "\"description\":\"The program and its arguments, run without a shell. Give this or command.\"},"
        "\"cwd\":{\"type\":\"string\",\"description\":\"Where the command starts: a directory inside the "
        "workspace, absolute or relative to it. Default: the workspace.\"},"
        "\"timeout\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"description\":\"Seconds; then the whole "
        "sandbox is killed. Can only shorten the server's own timeout.\"},"
        "\"network\":{\"type\":\"string\",\"enum\":[\"off\"],\"description\":\"off: no network for this call, "
        "even if the server allows it. The server's policy cannot be widened.\"},"
        "\"read_only\":{\"type\":\"boolean\",\"description\":\"true: nothing is writable for this call, "
        "the workspace and its .git included.\"},"
        "\"git\":{\"type\":\"string\",\"enum\":[\"read-only\"],\"description\":\"read-only: the repository's "
        ".git stays read-only for this call (the default unless the server allows commits).\"}"
        "},\"additionalProperties\":false}";

static const char output_schema[] =
        "{\"type\":\"object\",\"properties\":{"
        "\"exit_code\":{\"type\":\"integer\",\"description\":\"the command's; 128+N for signal N; 124 timeout; "
        "125 the sandbox could not be set up; 126/127 not executable / not found\"},"
        "\"signal\":{\"type\":\"integer\"},"
        "\"timed_out\":{\"type\":\"boolean\"},"
        "\"wall_ms\":{\"type\":\"integer\"},"
        "\"stdout\":{\"type\":\"string\"},\"stderr\":{\"type\":\"string\"},"
        "\"stdout_bytes\":{\"type\":\"integer\"},\"stderr_bytes\":{\"type\":\"integer\"},"
        "\"stdout_truncated\":{\"type\":\"boolean\"},\"stderr_truncated\":{\"type\":\"boolean\"},"
        "\"backend\":{\"type\":\"string\"},"
        "\"limit\":{\"type\":[\"string\",\"null\"]},"
        "\"denials\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}"
        "},\"required\":[\"exit_code\",\"signal\",\"timed_out\",\"wall_ms\",\"stdout\",\"stderr\","
        "\"stdout_truncated\",\"stderr_truncated\",\"denials\"]}";

json_t *tool_run_definition(bool structured) {
        json_t *t = json_object();
        json_object_set_new(t, "name", jstr("run"));
        json_object_set_new(t, "title", jstr("Run a command in the corral sandbox"));
        json_object_set_new(t, "description", jstr(description));
        json_object_set_new(t, "inputSchema", json_loads(input_schema, 0, NULL));
        if (structured)
                json_object_set_new(t, "outputSchema", json_loads(output_schema, 0, NULL));
        json_object_set_new(t, "annotations",
                            json_pack("{s:b,s:b,s:b,s:b}", "readOnlyHint", 0, "destructiveHint", 1,
                                      "idempotentHint", 0, "openWorldHint", 1));
        return t;
}

/* --- arguments -> argv --- */

typedef struct vec {
        char **v;
        size_t n, cap;
        bool oom;
} vec;

static void push(vec *a, const char *s) {
        if (a->oom)
                return;
        if (a->n + 2 > a->cap) {
                size_t cap = a->cap ? a->cap * 2 : 32;
                char **v = realloc(a->v, cap * sizeof(*v));
                if (!v) {
                        a->oom = true;
                        return;
                }
                a->v = v, a->cap = cap;
                a->v[a->n] = NULL;
        }
        char *d = strdup(s);
        if (!d) {
                a->oom = true;
                return;
        }
        a->v[a->n++] = d;
        a->v[a->n] = NULL;
}

void tool_argv_free(char **argv) {
        if (!argv)
                return;
        for (char **p = argv; *p; p++)
                free(*p);
        free(argv);
}

static char **fail(vec *a, char *msg, size_t msgsz, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static char **fail(vec *a, char *msg, size_t msgsz, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msgsz, fmt, ap);
        va_end(ap);
        tool_argv_free(a->v);
        a->v = NULL;
        return NULL;
}

/* A JSON string with no NUL byte in it. */
static const char *plain_string(json_t *j) {
        if (!json_is_string(j))
                return NULL;
        const char *s = json_string_value(j);
        return strlen(s) == json_string_length(j) ? s : NULL;
}

/* The call's cwd, canonical and inside the workspace, into out. */
static int resolve_cwd(const mcp_policy *p, const char *cwd, char *out, char *msg, size_t msgsz) {
        char joined[PATH_MAX];
        if (cwd[0] == '/')
                snprintf(joined, sizeof(joined), "%s", cwd);
        else if ((size_t)snprintf(joined, sizeof(joined), "%s/%s", p->workspace, cwd) >= sizeof(joined)) {
                snprintf(msg, msgsz, "cwd '%s': too long", cwd);
                return -1;
        }
        if (!realpath(joined, out)) {
                snprintf(msg, msgsz, "cwd '%s': %s", cwd, strerror(errno));
                return -1;
        }
        size_t w = strlen(p->workspace);
        bool inside = strcmp(p->workspace, "/") == 0 ||
                      (strncmp(out, p->workspace, w) == 0 && (out[w] == 0 || out[w] == '/'));
        if (!inside) {
                snprintf(msg, msgsz, "cwd '%s' (%s) is outside the workspace %s", cwd, out, p->workspace);
                return -1;
        }
        return 0;
}

char **tool_run_argv(const mcp_policy *p, json_t *args, char *msg, size_t msgsz) {
        vec a = {0};
        static const char *const known[] = {"command", "argv", "cwd", "timeout", "network", "read_only", "git"};
        if (args && !json_is_object(args))
                return fail(&a, msg, msgsz, "arguments must be an object");
        const char *key;
        json_t *val;
        json_object_foreach(args, key, val) {
                bool ok = false;
                for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
                        ok = ok || strcmp(key, known[i]) == 0;
                if (!ok)
                        return fail(&a, msg, msgsz, "unknown argument '%s' (known: command, argv, cwd, timeout, "
                                                    "network, read_only, git)", key);
        }
        json_t *command = json_object_get(args, "command"), *argv = json_object_get(args, "argv");
        if (!!command == !!argv)
                return fail(&a, msg, msgsz, "give exactly one of 'command' (a string) and 'argv' (an array)");
        if (command && (!plain_string(command) || !json_string_length(command)))
                return fail(&a, msg, msgsz, "'command' must be a non-empty string without NUL bytes");
        if (argv) {
                if (!json_is_array(argv) || json_array_size(argv) == 0)
                        return fail(&a, msg, msgsz, "'argv' must be a non-empty array of strings");
                for (size_t i = 0; i < json_array_size(argv); i++) {
                        json_t *e = json_array_get(argv, i);
                        if (!plain_string(e) || (i == 0 && !json_string_length(e)))
                                return fail(&a, msg, msgsz,
                                            "'argv'[%zu] must be a string without NUL bytes (the first non-empty)", i);
                }
        }

        push(&a, p->exe);
        push(&a, "run");
        for (size_t i = 0; i < p->n_run_opts; i++)
                push(&a, p->run_opts[i]);

        /* Narrowing only: each of these is a flag that comes after the
         * server's own, and none of them can allow more than it. */
        json_t *cwd = json_object_get(args, "cwd");
        if (cwd) {
                char real[PATH_MAX];
                if (!plain_string(cwd) || !json_string_length(cwd))
                        return fail(&a, msg, msgsz, "'cwd' must be a non-empty string");
                if (resolve_cwd(p, json_string_value(cwd), real, msg, msgsz) < 0) {
                        tool_argv_free(a.v);
                        return NULL;
                }
                push(&a, "--cwd");
                push(&a, real);
        }
        json_t *timeout = json_object_get(args, "timeout");
        if (timeout) {
                double t = json_is_number(timeout) ? json_number_value(timeout) : -1;
                if (!(t > 0) || t > 1e9)
                        return fail(&a, msg, msgsz, "'timeout' must be a number of seconds above 0");
                uint64_t ms = (uint64_t)ceil(t * 1000);
                if (p->timeout_ms && p->timeout_ms < ms)
                        ms = p->timeout_ms;
                char buf[64];
                snprintf(buf, sizeof(buf), "%llu.%03llu", (unsigned long long)(ms / 1000),
                         (unsigned long long)(ms % 1000));
                push(&a, "--timeout");
                push(&a, buf);
        }
        json_t *network = json_object_get(args, "network");
        if (network) {
                if (!plain_string(network) || strcmp(json_string_value(network), "off") != 0)
                        return fail(&a, msg, msgsz, "'network' can only be \"off\": a call cannot widen the "
                                                    "server's network policy");
                push(&a, "--network");
                push(&a, "off");
        }
        json_t *ro = json_object_get(args, "read_only");
        if (ro) {
                if (!json_is_boolean(ro))
                        return fail(&a, msg, msgsz, "'read_only' must be true or false");
                if (json_is_true(ro)) {
                        push(&a, "--mode");
                        push(&a, "read-only");
                }
        }
        json_t *git = json_object_get(args, "git");
        if (git) {
                if (!plain_string(git) || strcmp(json_string_value(git), "read-only") != 0)
                        return fail(&a, msg, msgsz, "'git' can only be \"read-only\": a call cannot widen the "
                                                    "server's git policy");
                /* Without a --git option this corral keeps .git read-only always. */
                if (p->git_option) {
                        push(&a, "--git");
                        push(&a, "read-only");
                }
        }
        push(&a, "--status-fd");
        push(&a, "3");
        push(&a, "--");
        if (command) {
                push(&a, "/bin/sh");
                push(&a, "-c");
                push(&a, json_string_value(command));
        } else {
                for (size_t i = 0; i < json_array_size(argv); i++)
                        push(&a, json_string_value(json_array_get(argv, i)));
        }
        if (a.oom)
                return fail(&a, msg, msgsz, "out of memory");
        return a.v;
}

/* --- the result --- */

static json_t *output_string(const tool_output *o) {
        size_t n;
        char *s = utf8_sanitize(o->data ? o->data : "", o->len, &n);
        json_t *j = s ? json_stringn_nocheck(s, n) : jstr("");
        free(s);
        return j;
}

static void append(char **buf, size_t *len, const char *s, size_t n) {
        char *b = realloc(*buf, *len + n + 1);
        if (!b)
                return;
        memcpy(b + *len, s, n);
        *len += n;
        b[*len] = 0;
        *buf = b;
}

static void append_output(char **buf, size_t *len, const char *name, json_t *text, const tool_output *o) {
        if (o->total == 0)
                return;
        char head[128];
        snprintf(head, sizeof(head), "--- %s ---\n", name);
        append(buf, len, head, strlen(head));
        append(buf, len, json_string_value(text), json_string_length(text));
        if (*len && (*buf)[*len - 1] != '\n')
                append(buf, len, "\n", 1);
        if (o->total > o->len) {
                snprintf(head, sizeof(head), "[%s truncated: the first %zu of %zu bytes are shown]\n", name, o->len,
                         o->total);
                append(buf, len, head, strlen(head));
        }
}

json_t *tool_run_result(const tool_outcome *o, bool structured) {
        json_t *rec = o->status_record ? json_loads(o->status_record, 0, NULL) : NULL;
        if (rec && !json_is_object(rec)) {
                json_decref(rec);
                rec = NULL;
        }
        json_t *sc = json_object();
        int exit_code, sig = 0;
        if (rec && json_is_integer(json_object_get(rec, "exit_code"))) {
                exit_code = (int)json_integer_value(json_object_get(rec, "exit_code"));
                sig = (int)json_integer_value(json_object_get(rec, "signal"));
        } else {
                /* killed: corral itself (cancelled, or the server's backstop) */
                exit_code = exit_code_of_wait_status(o->wait_status, &sig);
        }
        bool timed_out = rec && json_is_true(json_object_get(rec, "timed_out"));
        json_t *wall = rec ? json_object_get(rec, "wall_ms") : NULL;
        json_object_set_new(sc, "exit_code", json_integer(exit_code));
        json_object_set_new(sc, "signal", json_integer(sig));
        json_object_set_new(sc, "timed_out", json_boolean(timed_out));
        json_object_set_new(sc, "wall_ms",
                            json_is_integer(wall) ? json_incref(wall) : json_integer((json_int_t)o->wall_ms));
        json_t *out = output_string(&o->out), *err = output_string(&o->err);
        json_object_set(sc, "stdout", out);
        json_object_set(sc, "stderr", err);
        json_object_set_new(sc, "stdout_bytes", json_integer((json_int_t)o->out.total));
        json_object_set_new(sc, "stderr_bytes", json_integer((json_int_t)o->err.total));
        json_object_set_new(sc, "stdout_truncated", json_boolean(o->out.total > o->out.len));
        json_object_set_new(sc, "stderr_truncated", json_boolean(o->err.total > o->err.len));
        json_t *backend = rec ? json_object_get(rec, "backend") : NULL;
        if (json_is_string(backend))
                json_object_set(sc, "backend", backend);
        json_t *limit = rec ? json_object_get(rec, "limit") : NULL;
        json_object_set_new(sc, "limit", json_is_string(limit) ? json_incref(limit) : json_null());
        /* What the sandbox refused, as corral's status record lists it. */
        json_t *denials = rec ? json_object_get(rec, "denials") : NULL;
        json_object_set_new(sc, "denials", json_is_array(denials) ? json_incref(denials) : json_array());

        char *text = NULL;
        size_t len = 0;
        char head[256];
        if (timed_out)
                snprintf(head, sizeof(head), "timed out after %lld ms; the whole sandbox was killed (exit code %d)\n",
                         (long long)json_integer_value(json_object_get(sc, "wall_ms")), exit_code);
        else if (exit_code == 125 && !sig)
                snprintf(head, sizeof(head), "exit code 125: corral could not set up the sandbox; the command "
                                             "did not run (stderr says why)\n");
        else
                snprintf(head, sizeof(head), "exit code %d%s (%lld ms)\n", exit_code, sig ? " (killed by a signal)" : "",
                         (long long)json_integer_value(json_object_get(sc, "wall_ms")));
        append(&text, &len, head, strlen(head));
        append_output(&text, &len, "stdout", out, &o->out);
        append_output(&text, &len, "stderr", err, &o->err);
        json_t *denials_out = json_object_get(sc, "denials");
        for (size_t i = 0; i < json_array_size(denials_out); i++) {
                json_t *d = json_array_get(denials_out, i);
                json_t *s = json_object_get(d, "summary");
                if (i == 0)
                        append(&text, &len, "--- denied by the sandbox ---\n", 30);
                char *line = json_is_string(s) ? strdup(json_string_value(s)) : json_dumps(d, JSON_COMPACT);
                if (line) {
                        append(&text, &len, line, strlen(line));
                        append(&text, &len, "\n", 1);
                }
                free(line);
        }
        json_decref(out);
        json_decref(err);
        json_decref(rec);

        json_t *res = json_object();
        json_t *content = json_array();
        json_array_append_new(content, json_pack("{s:s,s:s}", "type", "text", "text", text ? text : ""));
        free(text);
        json_object_set_new(res, "content", content);
        if (structured)
                json_object_set_new(res, "structuredContent", sc);
        else
                json_decref(sc);
        json_object_set_new(res, "isError", json_boolean(exit_code != 0));
        return res;
}

json_t *tool_error_result(const char *msg) {
        size_t n;
        char *s = utf8_sanitize(msg, strlen(msg), &n);
        json_t *res = json_pack("{s:[{s:s,s:s}],s:b}", "content", "type", "text", "text", s ? s : "error", "isError", 1);
        free(s);
        return res;
}
