/* SPDX-License-Identifier: MIT
 * The policy: what the user asked for, resolved and validated, as plain data.
 * Portable: no syscalls beyond reading config files and resolving paths. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strv.h"

typedef enum policy_mode {
        MODE_READ_ONLY,
        MODE_WORKSPACE_WRITE,
        MODE_FULL_ACCESS,
} policy_mode;

typedef enum policy_network {
        NETWORK_OFF,
        NETWORK_ON,
} policy_network;

typedef enum policy_tmp {
        TMP_WORKSPACE,
        TMP_PRIVATE,
        TMP_HOST,
} policy_tmp;

typedef enum policy_backend {
        BACKEND_AUTO,
        BACKEND_USERNS,
        BACKEND_USERS,
} policy_backend;

/* protect_depth: how many directory levels below each writable root are
 * searched for protected names (plan/nested.h); 0 is the top level only. */
#define PROTECT_DEPTH_DEFAULT 1
#define PROTECT_DEPTH_MAX 32

typedef struct policy {
        policy_mode mode;
        policy_network network;
        policy_tmp tmp;
        policy_backend backend;

        char *workspace;      /* absolute, canonical */
        char *cwd;            /* absolute, canonical */
        char *home;           /* the caller's home, canonical; may be NULL */
        strv writable_roots;  /* canonical; includes the workspace in workspace-write mode */
        strv protect;         /* names (no '/'), protected in every writable root */
        unsigned protect_depth; /* ... and in its directories this many levels down (plan/nested.h) */
        strv deny_read;       /* canonical paths hidden from the command (existing or not) */
        strv allow_read;      /* canonical paths carved back out of deny_read */
        strv allow_unix_sockets; /* canonical socket paths the command may connect to */

        strv env_drop;        /* glob patterns of variables removed */
        strv env_keep;        /* names kept even if a drop pattern matches */
        strv env_set;         /* "NAME=value", applied last */

        uint64_t timeout_ms;  /* 0: none */
        bool allow_broad_roots; /* allow /, $HOME or an ancestor as a writable root */
} policy;

/* Frees what p holds and zeroes it (p itself is not freed). NULL is fine. */
void policy_free(policy *p);

/* The names users write ("read-only", "workspace-write", "full-access";
 * "off", "on"; "workspace", "private", "host"; "auto", "userns", "users").
 * to_string returns NULL for a value out of range; from_string returns 0, or
 * -EINVAL for an unknown name (exact, case-sensitive match). */
const char *policy_mode_to_string(policy_mode m);
int policy_mode_from_string(const char *s, policy_mode *ret);
const char *policy_network_to_string(policy_network n);
int policy_network_from_string(const char *s, policy_network *ret);
const char *policy_tmp_to_string(policy_tmp t);
int policy_tmp_from_string(const char *s, policy_tmp *ret);
const char *policy_backend_to_string(policy_backend b);
int policy_backend_from_string(const char *s, policy_backend *ret);
