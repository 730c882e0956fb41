/* SPDX-License-Identifier: MIT
 * The policy: what the user asked for, resolved and validated, as plain data.
 * Portable: no syscalls beyond reading config files and resolving paths. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strv.h"
#include "config/values.h"

typedef struct policy {
        policy_mode mode;
        policy_network network;
        policy_tmp tmp;
        policy_git git;
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
        strv held_roots;      /* writable roots whose placeholders another process makes and removes
                               * for this run (corral-runner: the caller's roots; apply/host.h) */
        strv sandbox_roots;   /* writable roots that are the sandbox user's own (its caches, users backend):
                               * nothing in them runs outside a sandbox, so no protected names are looked
                               * for below their top, and nothing a run leaves there can fail later runs */

        /* network = proxy (docs/config.md): canonical rules (net/domain.h) and ports */
        strv allow_domains;
        strv deny_domains;
        uint16_t allow_ports[POLICY_PORTS_MAX];
        size_t n_allow_ports;

        strv env_drop;        /* glob patterns of variables removed */
        strv env_keep;        /* names kept even if a drop pattern matches */
        strv env_set;         /* "NAME=value", applied last */

        /* HOME, XDG_CONFIG_HOME and GIT_CONFIG_* as the developer's git sees
         * them, when the plan is made for another user (corral-runner: the
         * sandbox user's environment is not the developer's); empty: the
         * plan's own environment (plan/gitlayout.h reads the global git
         * config from it). */
        strv git_env;
        /* corral-runner only: what the developer's corral found of git's
         * layout in the writable roots (plan.git_known: the surfaces, and the
         * relative global core.hooksPath values), read as the developer. The
         * sandbox user may not be able to read every file that names them
         * (a private ~/.gitconfig, a private include), so the plan protects
         * these too: never less than the developer's own plan would. */
        strv git_known, git_known_hooks;

        uint64_t timeout_ms;  /* 0: none */
        bool allow_broad_roots; /* allow /, $HOME or an ancestor as a writable root */
        policy_report report_denials; /* record the operations the sandbox refuses (docs/design.md) */
        const char *report_home; /* corral-runner only: the developer's home, for the ~ of those
                                  * reports (home is the sandbox user's there); not owned */
        policy_limits limits;
        policy_cache_mode caches[N_CACHES];
        char *caches_dir;     /* where private caches live (user config only); NULL: the workspace's state dir */
} policy;

/* Frees what p holds and zeroes it (p itself is not freed). NULL is fine. */
void policy_free(policy *p);

/* Whether a protected name missing at the top of a writable root is held
 * there by a placeholder: every name is, except HEAD where the root holds a
 * repository already (a .git file, or a .git directory with a HEAD). HEAD
 * is protected because a directory with HEAD, objects/ and refs/ is a bare
 * repository to git; at the top of a repository git finds the .git first,
 * and a placeholder named HEAD would make `git log HEAD` ambiguous. A
 * name of a family (below) is held only when families_present has its bit;
 * another version control system's directory (.hg, .sl, .jj) never: an
 * empty one would be an empty repository to that system's tools. */
bool policy_holds_missing_at_top(const char *name, bool root_is_repository, unsigned families_present);

/* Families of protected names read only by a tool that is in use: a missing
 * one is held only where another of its family exists, since the tool runs
 * nothing without a config of its own there. lefthook: its configs and
 * script directories (its hook in .git runs what they name). mise: the
 * configs it trusts by their directory, not their contents (unless in
 * paranoid mode), whose [env] and [hooks] run at the developer's next
 * prompt in that directory. */
#define FAMILY_LEFTHOOK 1u
#define FAMILY_MISE 2u

/* The family bit of a protected name, or 0 for a name of no family. */
unsigned policy_name_family(const char *name);

