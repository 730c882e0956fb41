/* SPDX-License-Identifier: MIT
 * Config layers: what one source (built-in defaults, the user's config file,
 * the workspace's .corral.toml, the command-line flags) asks for. Every field
 * is optional; policy/resolve.c merges the layers into a policy.
 *
 * Keys (TOML and flags share the names; docs/config.md documents each):
 *   mode, network, tmp, git, timeout, writable_roots, protect, protect_depth, deny_read,
 *   allow_read, allow_unix_sockets, allow_broad_roots,
 *   [network] mode / allow_domains / deny_domains / allow_ports (the flags'
 *   keys network.allow_domains, network.deny_domains, network.allow_ports),
 *   [env] drop / keep / set, [limits] memory / pids / cpu / tmp,
 *   [caches] <name> / all / dir, and, in the
 *   user config only,
 *   [workspaces."/path"] trust = true.
 * Portable. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strv.h"
#include "config/values.h"

typedef enum config_origin {
        ORIGIN_DEFAULTS,
        ORIGIN_USER,
        ORIGIN_WORKSPACE,
        ORIGIN_FLAGS,
} config_origin;

typedef struct config_layer {
        config_origin origin;
        char *source;              /* file path, or "built-in defaults" / "command line" */

        bool has_mode, has_network, has_tmp, has_git, has_timeout, has_allow_broad_roots, has_backend;
        policy_mode mode;
        policy_network network;
        policy_tmp tmp;
        policy_git git;
        policy_backend backend;    /* flags only */
        uint64_t timeout_ms;       /* 0 = no timeout */
        bool allow_broad_roots;
        bool has_report_denials;
        policy_report report_denials; /* record refused operations (supervise/denials.h) */
        bool has_protect_depth;
        unsigned protect_depth;    /* levels below each writable root searched for protected names */
        /* [limits]: bit (1u << LIMIT_x) of has_limits set when this layer
         * sets that limit; 0 = none. */
        unsigned has_limits;
        policy_limits limits;
        int line_limits[N_LIMITS];
        /* [caches]: bit (1u << CACHE_x) of has_caches set when this layer
         * sets that cache's mode; caches_dir only from the user config or
         * the flags (policy/resolve.c refuses it from a workspace). */
        unsigned has_caches;
        policy_cache_mode caches[N_CACHES];
        int line_caches[N_CACHES];
        char *caches_dir;
        int line_caches_dir;

        /* Lists accumulate across layers. Paths are kept as written (after ~ and
         * $HOME expansion); policy/resolve.c makes them absolute. */
        strv writable_roots, protect, deny_read, allow_read, allow_unix_sockets;
        strv unprotect;            /* names taken out of the protect list of the layers before */
        strv env_drop, env_keep, env_set; /* env_set entries are "NAME=value" */

        strv trusted_workspaces;   /* user config only: [workspaces."/path"] trust = true */

        /* [network]: rules canonical (net/domain.h); allow_ports replaces the
         * ports of earlier layers (has_allow_ports), the lists accumulate
         * except that an untrusted workspace's allow_domains narrows. */
        strv allow_domains, deny_domains;
        bool has_allow_ports;
        uint16_t allow_ports[POLICY_PORTS_MAX];
        size_t n_allow_ports;
        int line_allow_domains, line_allow_ports;

        /* Line of each key in the file, for messages ("FILE:3: ..."); 0 if
         * unset or set from the command line. */
        int line_mode, line_network, line_tmp, line_git, line_timeout, line_allow_broad_roots;
        int line_writable_roots, line_allow_read, line_allow_unix_sockets, line_env_keep, line_env_set;
        int line_deny_read, line_workspaces, line_protect_depth, line_unprotect;

        /* flags only */
        char *workspace, *cwd;
} config_layer;

/* Every function below takes a layer set up by config_layer_init (or, for
 * config_layer_defaults, a zeroed one). config_layer_done frees it. */
void config_layer_init(config_layer *l, config_origin origin, const char *source);
void config_layer_done(config_layer *l);

/* The built-in defaults: workspace-write, network off, tmp=workspace, no
 * timeout, the default protected names, deny-read list (kept as "~/.ssh"...,
 * expanded by policy_resolve with its home) and secret-variable patterns. */
int config_layer_defaults(config_layer *l, corral_error *err);

/* Sets one key from a string, as a flag does: "mode" "read-only",
 * "writable_roots" "/x" (appends), "env.set" "K=V", "limits.memory" "512M",
 * "timeout" "30" (seconds,
 * decimals allowed, "0" = none), "allow_broad_roots" "true", and, for the
 * flags layer, "backend", "workspace", "cwd". Every TOML key except
 * [workspaces] works. Unknown keys and bad values fail with -EINVAL and a
 * message naming the key. home (may be NULL) is used to expand ~ and $HOME;
 * without it the path is kept as written and policy_resolve expands it.
 * Relative paths given here are resolved by policy_resolve against the
 * caller's cwd (flags layer) or the workspace (file layers). */
int config_layer_set(config_layer *l, const char *key, const char *value, const char *home, corral_error *err);

/* Loads a TOML file into the layer. A missing file is not an error (returns 0
 * and leaves the layer empty) unless required is true. Unknown keys, wrong
 * types and bad values fail with -EINVAL and "FILE:LINE: ..." in err; files
 * over 1 MiB with -EFBIG. The layer's source becomes path. On failure the
 * layer may be partly filled: throw it away. */
int config_layer_load_file(config_layer *l, const char *path, bool required, const char *home, corral_error *err);

/* Same, from a buffer (tests, fuzzers); messages name the layer's source. */
int config_layer_load_string(config_layer *l, const char *text, size_t len, const char *home, corral_error *err);

/* The user config path: $XDG_CONFIG_HOME/corral/config.toml (when that
 * variable holds an absolute path) or ~/.config/corral/config.toml.
 * Returns a malloc'd string, or NULL when there is no home either. */
char *config_user_path(const char *home);
