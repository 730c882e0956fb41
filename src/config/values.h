/* SPDX-License-Identifier: MIT
 * The values the config keys take (mode, network, tmp, git, backend, the
 * limits and the caches), as enums and as the strings users write: what a
 * config layer holds, before policy/ merges the layers into a policy.
 * Portable and pure. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef enum policy_mode {
        MODE_READ_ONLY,
        MODE_WORKSPACE_WRITE,
        MODE_FULL_ACCESS,
} policy_mode;

typedef enum policy_network {
        NETWORK_OFF,
        NETWORK_ON,
        NETWORK_PROXY, /* own namespace; out only through the domain proxy (src/proxy) */
} policy_network;

/* allow_ports: at most this many. */
#define POLICY_PORTS_MAX 64

typedef enum policy_tmp {
        TMP_WORKSPACE,
        TMP_PRIVATE,
        TMP_HOST,
} policy_tmp;

/* What git may write in the repositories corral protects (docs/design.md,
 * "Git in commits mode"): nothing (read-only), or what
 * commits, branches and stashes need, every place git reads configuration
 * or hooks from still read-only (commits). */
typedef enum policy_git {
        GIT_READ_ONLY,
        GIT_COMMITS,
} policy_git;

/* How much the denial reports cover (docs/config.md, "report_denials"):
 * none; every refused operation, reads of hidden paths too, so every open
 * goes to the supervisor (all); or everything but those reads, the opens
 * for reading staying in the kernel (writes). Numbered so that 1 is what
 * report_denials = true has always meant (all), on the runner's wire too. */
typedef enum policy_report {
        DENIALS_OFF = 0,
        DENIALS_ALL = 1,
        DENIALS_WRITES = 2,
} policy_report;

typedef enum policy_backend {
        BACKEND_AUTO,
        BACKEND_USERNS,
        BACKEND_USERS,
} policy_backend;

/* Resource limits (docs/config.md, "[limits]"); 0 = none. How each is
 * enforced (cgroup v2 or rlimits, tmpfs) is the plan's business. */
typedef enum policy_limit {
        LIMIT_MEMORY, /* bytes */
        LIMIT_PIDS,   /* processes and threads of the command's tree */
        LIMIT_CPU,    /* CPU seconds, per process */
        LIMIT_TMP,    /* bytes of the private /tmp and of /dev/shm (each) */
        N_LIMITS,
} policy_limit;

typedef struct policy_limits {
        uint64_t v[N_LIMITS];
} policy_limits;

/* The package-manager and build caches (docs/config.md, "[caches]";
 * plan/caches.c knows where each lives). CACHE_XDG is $XDG_CACHE_HOME (or
 * ~/.cache) as a whole; the others have their own private cache. */
typedef enum policy_cache {
        CACHE_XDG,
        CACHE_NPM,
        CACHE_PNPM,
        CACHE_YARN,
        CACHE_PIP,
        CACHE_UV,
        CACHE_POETRY,
        CACHE_CARGO,
        CACHE_GO,
        CACHE_GO_BUILD,
        CACHE_MAVEN,
        CACHE_GRADLE,
        CACHE_NODE_GYP,
        CACHE_CCACHE,
        N_CACHES,
} policy_cache;

/* How a cache is shown to the command. The order is the narrowing order: a
 * workspace config may only move a cache towards off. */
typedef enum policy_cache_mode {
        CACHE_OFF,          /* the developer's directory as it is: read-only */
        CACHE_PRIVATE,      /* a private cache only (starts empty) */
        CACHE_READ_THROUGH, /* the developer's cache read through, writes private (default) */
} policy_cache_mode;

/* protect_depth: how many directory levels below each writable root are
 * searched for protected names (plan/nested.h); 0 is the top level only. */
#define PROTECT_DEPTH_DEFAULT 1
#define PROTECT_DEPTH_MAX 32

/* The names users write ("read-only", "workspace-write", "full-access";
 * "off", "on"; "workspace", "private", "host"; "auto", "userns", "users").
 * to_string returns NULL for a value out of range; from_string returns 0, or
 * -EINVAL for an unknown name (exact, case-sensitive match). */
const char *policy_mode_to_string(policy_mode m);
int policy_mode_from_string(const char *s, policy_mode *ret);
const char *policy_network_to_string(policy_network n);
int policy_network_from_string(const char *s, policy_network *ret);
const char *policy_tmp_to_string(policy_tmp t);
const char *policy_git_to_string(policy_git g);
int policy_git_from_string(const char *s, policy_git *ret);
int policy_tmp_from_string(const char *s, policy_tmp *ret);
const char *policy_backend_to_string(policy_backend b);
/* "off", "all", "writes"; from_string takes "true" (all) and "false" (off) too. */
const char *policy_report_to_string(policy_report r);
int policy_report_from_string(const char *s, policy_report *ret);
/* "memory", "pids", "cpu", "tmp" (the keys of [limits]); NULL out of range. */
const char *policy_limit_to_string(policy_limit l);
/* A limit as written: "512M", "1G", "4096" (K/M/G/T, powers of 1024, for
 * sizes); pids and cpu take plain digits; "0" means none. Returns 0, -EINVAL
 * (not a number, or a suffix where none is allowed) or -ERANGE (outside
 * policy_limit_min..policy_limit_max). */
int policy_limit_parse(policy_limit l, const char *s, uint64_t *ret);
/* The smallest and largest value each limit accepts (besides 0, none). */
uint64_t policy_limit_min(policy_limit l);
uint64_t policy_limit_max(policy_limit l);
int policy_backend_from_string(const char *s, policy_backend *ret);
/* "xdg", "npm", ... "ccache" (the keys of [caches]); "off", "private",
 * "read-through". */
const char *policy_cache_to_string(policy_cache c);
int policy_cache_from_string(const char *s, policy_cache *ret);
const char *policy_cache_mode_to_string(policy_cache_mode m);
int policy_cache_mode_from_string(const char *s, policy_cache_mode *ret);
