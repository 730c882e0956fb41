/* SPDX-License-Identifier: MIT
 * libFuzzer target: the request parser of corral-runner (src/users/request.c),
 * the one piece of the elevated backend that reads bytes from an unprivileged
 * caller while it still holds privileges.
 *
 * The input is what corral writes to the runner's fd 3: the 8-byte prefix,
 * head_len bytes of head, then the body (see request.h). It is decoded the way
 * the runner does, each part from a buffer of exactly its size (so that
 * AddressSanitizer sees a read past it). Each decoder also gets the whole
 * input on its own, so that the fuzzer reaches the body without first
 * building a valid head.
 *
 * Besides what the sanitizers catch, it checks that:
 *  - a refusal names the field (its message is set, NUL-terminated, within size);
 *  - every accepted path passes request_path_ok, every protected name is a
 *    plain name, every env entry is NAME=value, argv[0] is not empty, and
 *    the enums are in range;
 *  - the encoding is canonical: a request that decodes is encoded again by
 *    request_encode byte for byte. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "users/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
        if (!ok) {
                fprintf(stderr, "fuzz_request: broken promise: %s\n", what);
                abort();
        }
}

static char *copy(const uint8_t *p, size_t n)
{
        char *s = malloc(n ? n : 1);
        check(s != NULL, "out of memory in the harness");
        if (n)
                memcpy(s, p, n);
        return s;
}

static void check_refusal(int r, const char *what, size_t size)
{
        check(r == -EINVAL || r == -E2BIG || r == -ENOMEM, "an undocumented error code");
        check(memchr(what, '\0', size) != NULL && what[0] != '\0', "a refusal that names no field");
}

static void check_paths(const strv *s)
{
        for (size_t i = 0; i < s->n; i++)
                check(request_path_ok(s->v[i]), "an accepted path that request_path_ok refuses");
}

static void check_head(const request_head *h)
{
        check(h->identity <= 1, "identity out of range");
        check(h->workspace && request_path_ok(h->workspace), "an accepted workspace that is not a clean path");
        check(h->roots.n <= REQUEST_MAX_ROOTS, "too many writable roots");
        check_paths(&h->roots);
        check(h->body_len <= REQUEST_MAX_BODY, "body length over the limit");
}

static void check_body(const request_body *b)
{
        check(b->mode <= MODE_FULL_ACCESS && b->network <= NETWORK_PROXY && b->tmp <= TMP_HOST && b->git <= GIT_COMMITS,
              "an enum out of range");
        check(b->cwd && request_path_ok(b->cwd), "an accepted cwd that is not a clean path");
        check(b->report_denials <= DENIALS_WRITES && b->report_home &&
                      (b->report_home[0] ? b->report_denials && request_path_ok(b->report_home) : true),
              "an accepted report_home that is not a clean path, or without reports");
        check(b->protect_depth <= PROTECT_DEPTH_MAX, "protect_depth out of range");
        for (int k = 0; k < N_LIMITS; k++)
                check(b->limits.v[k] == 0 || (b->limits.v[k] >= policy_limit_min((policy_limit)k) &&
                                              b->limits.v[k] <= policy_limit_max((policy_limit)k)),
                      "an accepted limit out of range");
        check_paths(&b->deny_read);
        check_paths(&b->allow_read);
        check_paths(&b->allow_unix_sockets);
        for (size_t i = 0; i < b->protect.n; i++) {
                const char *n = b->protect.v[i];
                check(*n && !strchr(n, '/') && strcmp(n, ".") != 0 && strcmp(n, "..") != 0,
                      "an accepted protected name that is not a plain name");
        }
        for (size_t i = 0; i < b->env.n; i++) {
                const char *eq = strchr(b->env.v[i], '=');
                check(eq && eq != b->env.v[i], "an accepted env entry that is not NAME=value");
        }
        check(b->argv.n > 0 && b->argv.v[0][0] != '\0', "an accepted request without a command");
}

/* Encodes what was decoded and compares it with the input. */
static void check_canonical(const request_head *h, const request_body *b, const uint8_t *data, size_t size)
{
        policy p = {
                .mode = (policy_mode) b->mode,
                .network = (policy_network) b->network,
                .tmp = (policy_tmp) b->tmp,
                .git = (policy_git) b->git,
                .report_denials = (policy_report)b->report_denials,
                .home = b->report_home[0] ? b->report_home : NULL,
                .timeout_ms = b->timeout_ms,
                .protect_depth = b->protect_depth,
                .limits = b->limits,
                .workspace = h->workspace,
                .cwd = b->cwd,
                .writable_roots = h->roots,
                .protect = b->protect,
                .deny_read = b->deny_read,
                .allow_read = b->allow_read,
                .allow_unix_sockets = b->allow_unix_sockets,
                .git_known = b->git_known,
                .git_known_hooks = b->git_known_hooks,
        };
        char *buf = NULL;
        size_t len = 0;
        int r = request_encode(&p, h->identity, b->env.v, b->argv.v, &buf, &len);
        check(r == 0, "request_encode fails on a request that decoded");
        check(len == size && memcmp(buf, data, size) == 0, "decoding and encoding again changes the request");
        free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        corral_error what;
        request_head h;
        request_body b;
        uint32_t head_len = 0;
        char *buf;
        int r;

        /* Each decoder on its own, on the whole input. */
        buf = copy(data, size);
        what.msg[0] = '\0';
        r = request_decode_head(buf, size, &h, &what);
        if (r < 0)
                check_refusal(r, what.msg, sizeof(what.msg));
        else
                check_head(&h);
        request_head_free(&h);
        what.msg[0] = '\0';
        r = request_decode_body(buf, size, &b, &what);
        if (r < 0)
                check_refusal(r, what.msg, sizeof(what.msg));
        else
                check_body(&b);
        request_body_free(&b);
        free(buf);

        /* As the runner reads it: prefix, head, then body. */
        if (size < 8)
                return 0;
        buf = copy(data, 8);
        what.msg[0] = '\0';
        r = request_decode_prefix(buf, &head_len, &what);
        free(buf);
        if (r < 0) {
                check_refusal(r, what.msg, sizeof(what.msg));
                return 0;
        }
        check(head_len >= 20 && head_len <= REQUEST_MAX_HEAD, "a head length out of bounds");
        if (size - 8 < head_len)
                return 0;
        buf = copy(data + 8, head_len);
        what.msg[0] = '\0';
        r = request_decode_head(buf, head_len, &h, &what);
        free(buf);
        if (r < 0) {
                check_refusal(r, what.msg, sizeof(what.msg));
                request_head_free(&h);
                return 0;
        }
        check_head(&h);
        if (size - 8 - head_len == h.body_len) {
                buf = copy(data + 8 + head_len, h.body_len);
                what.msg[0] = '\0';
                r = request_decode_body(buf, h.body_len, &b, &what);
                free(buf);
                if (r < 0) {
                        check_refusal(r, what.msg, sizeof(what.msg));
                } else {
                        check_body(&b);
                        check_canonical(&h, &b, data, size);
                }
                request_body_free(&b);
        }
        request_head_free(&h);
        return 0;
}
