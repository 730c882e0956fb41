/* SPDX-License-Identifier: MIT */
#include "users/request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "users/wire.h"

/* --- encoding (corral) --- */

static void put_list(wire_out *o, char *const *v) {
        uint32_t n = 0;
        while (v && v[n])
                n++;
        wire_put_u32(o, n);
        for (uint32_t i = 0; i < n; i++)
                wire_put_str(o, v[i]);
}

int request_encode(const policy *p, uint32_t identity, char *const *env, char *const *argv, char **buf,
                   size_t *len) {
        char *body = NULL, *head = NULL;
        size_t body_len = 0, head_len = 0;
        wire_out o = {open_memstream(&body, &body_len)};
        if (!o.f)
                return -ENOMEM;
        wire_put_u32(&o, (uint32_t)p->mode);
        wire_put_u32(&o, (uint32_t)p->network);
        wire_put_u32(&o, (uint32_t)p->tmp);
        wire_put_u32(&o, (uint32_t)p->git);
        wire_put_u32(&o, (uint32_t)p->report_denials);
        wire_put_u32(&o, (uint32_t)p->timeout_ms);
        wire_put_u32(&o, (uint32_t)(p->timeout_ms >> 32));
        wire_put_u32(&o, p->protect_depth);
        for (int k = 0; k < N_LIMITS; k++) {
                wire_put_u32(&o, (uint32_t)p->limits.v[k]);
                wire_put_u32(&o, (uint32_t)(p->limits.v[k] >> 32));
        }
        wire_put_str(&o, p->cwd);
        wire_put_str(&o, p->report_denials && p->home ? p->home : "");
        put_list(&o, p->protect.v);
        put_list(&o, p->deny_read.v);
        put_list(&o, p->allow_read.v);
        put_list(&o, p->allow_unix_sockets.v);
        put_list(&o, env);
        put_list(&o, argv);
        put_list(&o, p->git_known.v);
        put_list(&o, p->git_known_hooks.v);
        if (fclose(o.f) != 0) {
                free(body);
                return -ENOMEM;
        }
        /* A new stream in the same holder (cppcheck takes it for the one
         * closed above and reports a double fclose). */
        o.f = open_memstream(&head, &head_len);
        if (!o.f) {
                free(body);
                return -ENOMEM;
        }
        fwrite(REQUEST_MAGIC, 1, 4, o.f);
        wire_put_u32(&o, 0); /* head_len, filled in below */
        wire_put_u32(&o, REQUEST_VERSION);
        wire_put_u32(&o, identity);
        wire_put_str(&o, p->workspace);
        put_list(&o, p->writable_roots.v);
        wire_put_u32(&o, (uint32_t)body_len);
        fflush(o.f);
        uint32_t hl = (uint32_t)(head_len - 8);
        fwrite(body, 1, body_len, o.f);
        free(body);
        // cppcheck-suppress doubleFree
        if (fclose(o.f) != 0) {
                free(head);
                return -ENOMEM;
        }
        for (int k = 0; k < 4; k++)
                head[4 + k] = (char)(hl >> (8 * k));
        *buf = head;
        *len = head_len;
        return 0;
}

/* --- decoding (corral-runner) --- */

/* A string: bounded, no NUL, no control characters other than tab and
 * newline (environment values and arguments may hold those). */
static int get_str(wire_in *i, char **s) {
        uint32_t n;
        if (wire_get_u32(i, &n) < 0 || n > REQUEST_MAX_STR || (size_t)(i->end - i->p) < n)
                return -EINVAL;
        if (memchr(i->p, 0, n))
                return -EINVAL;
        *s = malloc(n + 1);
        if (!*s)
                return -ENOMEM;
        memcpy(*s, i->p, n);
        (*s)[n] = 0;
        i->p += n;
        return 0;
}

static int get_list(wire_in *i, strv *l, uint32_t max) {
        uint32_t n;
        if (wire_get_u32(i, &n) < 0 || n > max)
                return -EINVAL;
        for (uint32_t k = 0; k < n; k++) {
                char *s;
                if (get_str(i, &s) < 0 || strv_push_take(l, s) < 0)
                        return -EINVAL;
        }
        return 0;
}

bool request_path_ok(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n >= REQUEST_MAX_PATH || s[0] != '/')
                return false;
        if (n > 1 && s[n - 1] == '/')
                return false;
        for (const char *c = s; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        return false;
        for (const char *c = s; *c; c++) {
                if (*c != '/')
                        continue;
                const char *comp = c + 1;
                size_t len = strcspn(comp, "/");
                if (n > 1 && len == 0)
                        return false; /* "//" */
                if ((len == 1 && comp[0] == '.') || (len == 2 && comp[0] == '.' && comp[1] == '.'))
                        return false;
        }
        return true;
}

static int fail(corral_error *err, const char *field) {
        return error_set(err, -EINVAL, "%s", field);
}

int request_decode_prefix(const char buf[8], uint32_t *head_len, corral_error *err) {
        wire_in i = {(const unsigned char *)buf + 4, (const unsigned char *)buf + 8};
        if (memcmp(buf, REQUEST_MAGIC, 4) != 0)
                return fail(err, "magic");
        if (wire_get_u32(&i, head_len) < 0 || *head_len > REQUEST_MAX_HEAD || *head_len < 20)
                return fail(err, "head length");
        return 0;
}

int request_decode_head(const char *buf, size_t len, request_head *h, corral_error *err) {
        wire_in i = {(const unsigned char *)buf, (const unsigned char *)buf + len};
        uint32_t version;
        memset(h, 0, sizeof(*h));
        if (wire_get_u32(&i, &version) < 0 || version != REQUEST_VERSION)
                return fail(err, "version (corral and corral-runner differ: rerun setup)");
        if (wire_get_u32(&i, &h->identity) < 0 || h->identity > 1)
                return fail(err, "identity");
        if (get_str(&i, &h->workspace) < 0 || !request_path_ok(h->workspace))
                return fail(err, "workspace");
        if (get_list(&i, &h->roots, REQUEST_MAX_ROOTS) < 0)
                return fail(err, "writable roots");
        for (size_t k = 0; k < h->roots.n; k++)
                if (!request_path_ok(h->roots.v[k]))
                        return fail(err, "writable root path");
        if (wire_get_u32(&i, &h->body_len) < 0 || h->body_len > REQUEST_MAX_BODY)
                return fail(err, "body length");
        if (i.p != i.end)
                return fail(err, "head length");
        return 0;
}

int request_decode_body(const char *buf, size_t len, request_body *b, corral_error *err) {
        wire_in i = {(const unsigned char *)buf, (const unsigned char *)buf + len};
        uint32_t lo, hi;
        memset(b, 0, sizeof(*b));
        if (wire_get_u32(&i, &b->mode) < 0 || b->mode > MODE_FULL_ACCESS)
                return fail(err, "mode");
        if (wire_get_u32(&i, &b->network) < 0 || b->network > NETWORK_PROXY)
                return fail(err, "network");
        if (wire_get_u32(&i, &b->tmp) < 0 || b->tmp > TMP_HOST)
                return fail(err, "tmp");
        if (wire_get_u32(&i, &b->git) < 0 || b->git > GIT_COMMITS)
                return fail(err, "git");
        if (wire_get_u32(&i, &b->report_denials) < 0 || b->report_denials > DENIALS_WRITES)
                return fail(err, "report_denials");
        if (wire_get_u32(&i, &lo) < 0 || wire_get_u32(&i, &hi) < 0)
                return fail(err, "timeout");
        b->timeout_ms = (uint64_t)hi << 32 | lo;
        if (wire_get_u32(&i, &b->protect_depth) < 0 || b->protect_depth > PROTECT_DEPTH_MAX)
                return fail(err, "protect_depth");
        for (int k = 0; k < N_LIMITS; k++) {
                uint64_t v;
                if (wire_get_u32(&i, &lo) < 0 || wire_get_u32(&i, &hi) < 0)
                        return fail(err, "limits");
                v = (uint64_t)hi << 32 | lo;
                if (v > policy_limit_max((policy_limit)k) || (v > 0 && v < policy_limit_min((policy_limit)k)))
                        return fail(err, "limits");
                b->limits.v[k] = v;
        }
        if (get_str(&i, &b->cwd) < 0 || !request_path_ok(b->cwd))
                return fail(err, "cwd");
        if (get_str(&i, &b->report_home) < 0 ||
            (b->report_home[0] && (!b->report_denials || !request_path_ok(b->report_home))))
                return fail(err, "report_home");
        struct {
                strv *l;
                const char *name;
                bool paths;
        } lists[] = {{&b->protect, "protect", false},     {&b->deny_read, "deny_read", true},
                     {&b->allow_read, "allow_read", true}, {&b->allow_unix_sockets, "allow_unix_sockets", true},
                     {&b->env, "env", false},             {&b->argv, "argv", false},
                     {&b->git_known, "git_known", true},  {&b->git_known_hooks, "git_known_hooks", false}};
        for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
                if (get_list(&i, lists[k].l, REQUEST_MAX_LIST) < 0)
                        return fail(err, lists[k].name);
                for (size_t j = 0; j < lists[k].l->n; j++) {
                        const char *s = lists[k].l->v[j];
                        if (lists[k].paths && !request_path_ok(s))
                                return fail(err, lists[k].name);
                        if (lists[k].l == &b->protect && (!*s || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, "..")))
                                return fail(err, "protect");
                        if (lists[k].l == &b->env && (!strchr(s, '=') || s[0] == '='))
                                return fail(err, "env");
                        if (lists[k].l == &b->git_known_hooks && !*s)
                                return fail(err, "git_known_hooks");
                }
        }
        if (b->argv.n == 0 || b->argv.v[0][0] == 0)
                return fail(err, "argv");
        if (i.p != i.end)
                return fail(err, "trailing bytes");
        return 0;
}

void request_head_free(request_head *h) {
        free(h->workspace);
        strv_clear(&h->roots);
}

void request_body_free(request_body *b) {
        free(b->cwd);
        free(b->report_home);
        strv_clear(&b->protect);
        strv_clear(&b->deny_read);
        strv_clear(&b->allow_read);
        strv_clear(&b->allow_unix_sockets);
        strv_clear(&b->env);
        strv_clear(&b->argv);
        strv_clear(&b->git_known);
        strv_clear(&b->git_known_hooks);
}
