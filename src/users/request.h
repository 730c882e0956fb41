/* SPDX-License-Identifier: MIT
 * The request corral sends to corral-runner on fd 3: compact, versioned,
 * length-prefixed, little-endian. Two parts, so that the runner reads only
 * the first while it still holds privileges:
 *
 *   head (read privileged)
 *     "CRQ1"                      magic
 *     u32 head_len                bytes that follow up to the body (<= REQUEST_MAX_HEAD)
 *     u32 version                 REQUEST_VERSION
 *     u32 identity                0 offline, 1 online
 *     str workspace               absolute, normalised
 *     u32 n, n x str              writable roots (n <= REQUEST_MAX_ROOTS)
 *     u32 body_len                <= REQUEST_MAX_BODY
 *   body (read after switching to the sandbox user)
 *     u32 mode, u32 network, u32 tmp, u32 git (version 4), u32 report_denials (version 5;
 *                                 a level since 7: 0 off, 1 all, 2 writes, policy_report),
 *     u32 timeout_ms_lo, u32 timeout_ms_hi,
 *     u32 protect_depth           <= PROTECT_DEPTH_MAX
 *     4 x (u32 lo, u32 hi)        limits: memory, pids, cpu, tmp (0 = none; version 3)
 *     str cwd
 *     str report_home             the developer's home, for the reports' ~ ("" none; version 5)
 *     list protect, deny_read, allow_read, allow_unix_sockets, env, argv
 *     list git_known, git_known_hooks (version 6): what the developer's plan
 *                                 found of git's layout (policy.git_known)
 *   where str = u32 length (<= REQUEST_MAX_STR) + bytes (no NUL), and
 *   list = u32 count (<= REQUEST_MAX_LIST) + count x str.
 *
 * network is 0 off, 1 on, 2 proxy (policy_network). After the body the same
 * channel (a unix stream socket from corral) carries control records: one
 * int32 per signal to pass on to the command; end of file means corral
 * died. The other way, with network = proxy, it carries one message: the
 * sandbox's listening sockets, for corral to run the proxy
 * (apply/handoff.h). The runner answers on fd 4 with one request_result
 * and, when the command ran and the body asked for them, the denial
 * reports (users/answer.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strv.h"
#include "corral.h"
#include "policy/policy.h"

#define REQUEST_MAGIC "CRQ1"
#define REQUEST_VERSION 7u /* 3: resource limits in the body; 4: the git mode; 5: denial reports; 6: git_known;
                              * 7: the reports' level */
#define REQUEST_MAX_ROOTS 32u
/* One string: an argument or an environment entry may be as long as the
 * kernel takes for one (MAX_ARG_STRLEN, 32 pages): a `bash -c SCRIPT` of
 * more than 4 KiB is ordinary. Paths stay within PATH_MAX. */
#define REQUEST_MAX_STR (128u << 10)
#define REQUEST_MAX_PATH 4096u
#define REQUEST_MAX_LIST 4096u
#define REQUEST_MAX_BODY (4u << 20)
#define REQUEST_MAX_HEAD (256u << 10)
#define REQUEST_FD 3
#define RESULT_FD 4

typedef struct request_head {
        uint32_t identity;
        char *workspace;
        strv roots;
        uint32_t body_len;
} request_head;

typedef struct request_body {
        uint32_t mode, network, tmp, git, report_denials;
        uint64_t timeout_ms;
        uint32_t protect_depth;
        policy_limits limits;
        char *cwd;
        char *report_home; /* "" or a path */
        strv protect, deny_read, allow_read, allow_unix_sockets, env, argv;
        strv git_known, git_known_hooks;
} request_body;

typedef struct request_result {
        int32_t ran;         /* 1: the command ran (fields below); 0: setup failed (msg) */
        int32_t exit_code;
        int32_t signal;
        int32_t timed_out;
        uint64_t wall_ms;
        int32_t limit;         /* run_result.limit: 1 + policy_limit that ended the command, 0 none */
        int32_t limit_certain;
        char msg[1024];
} request_result;

/* Encodes a request for policy p, environment env and argv into *buf. */
int request_encode(const policy *p, uint32_t identity, char *const *env, char *const *argv, char **buf,
                   size_t *len);

/* A path the runner accepts: absolute, normalised (no "//", ".", ".."), no
 * trailing slash except "/", printable. */
bool request_path_ok(const char *s);

/* Strict decoding from a buffer. Each returns 0 or -EINVAL with err naming
 * the field. */
int request_decode_prefix(const char buf[8], uint32_t *head_len, corral_error *err);
int request_decode_head(const char *buf, size_t len, request_head *h, corral_error *err);
int request_decode_body(const char *buf, size_t len, request_body *b, corral_error *err);
void request_head_free(request_head *h);
void request_body_free(request_body *b);
