/* SPDX-License-Identifier: MIT
 * The Windows plan: what the Windows backend will do for a policy, computed
 * before anything changes (corral explain prints it) and the one place that
 * refuses what Windows cannot enforce. Two ways to run, as in the seed:
 *
 *  - users (elevated; `corral setup` once): the command runs as the sandbox
 *    user corral-offline (network off: Windows Firewall rules on that user)
 *    or corral-online, started by corral-runner.exe, under a restricted
 *    token; writes need both the sandbox group's and the root's capability
 *    SID's ACEs.
 *  - restricted (unelevated): a restricted token made from the developer's
 *    own token. Writes are limited the same way; network limits and hidden
 *    paths are NOT enforceable (the process keeps the developer's identity),
 *    so --network off is refused unless the user passes
 *    --allow-advisory-network.
 *
 * full-access runs the command unrestricted, in a job object (timeout and
 * kill-the-tree still hold). Windows only. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "common/strv.h"
#include "plan/gitdir.h"
#include "policy/policy.h"
#include "windows/marker_win.h"

typedef enum win_backend {
        WIN_BACKEND_RESTRICTED,  /* unelevated: restricted token of the developer's own account */
        WIN_BACKEND_USERS,       /* elevated setup: sandbox users + restricted token */
        WIN_BACKEND_FULL,        /* full-access: job object only */
} win_backend;

/* --git commits (plan/gitdir.h; docs/windows.md "Git in commits mode"): a
 * gitdir whose git state the command may write. */
typedef struct win_git_hold {
        char *path;
        const char *text;        /* NULL: an empty directory; else a file with these contents */
} win_git_hold;

#define WIN_GIT_LISTED "listed:"

typedef struct win_git_dir {
        char *path;
        bool top;                /* a repository's .git: its inheritable deny ACE is set aside for the run (the
                                  * ones inside it, modules/NAME and worktrees/ID, lie in a top one) */
        strv protect;            /* existing entries that stay read-only: the deny ACE */
        win_git_hold *hold;      /* missing entries held by a placeholder with the deny ACE */
        size_t n_hold;
        /* what the check after the run compares with (windows/gitcheck_win.h) */
        int state[GITDIR_N_STATES];         /* each of plan/gitdir.h's states before the run: win_git_state_sum */
        uint8_t state_sum[GITDIR_N_STATES][32];
        strv adopted;            /* "modules/NAME\tID", "worktrees/ID\tID": the entries there before the run, by
                                  * name and file identity (win_file_id); in modules/, those of each component
                                  * of a name too, with WIN_GIT_LISTED "/modules/lib" for each one listed */
        strv links;              /* reparse points there before the run (the developer's: left alone) */
        strv worktrees;          /* the worktrees its index describes: the parent of each .git that leads to it
                                  * (a repository's .git directory; a .git file in a root, a linked worktree's
                                  * or a submodule's checkout, or the .git of a submodule an index names: git
                                  * run there takes that directory for the worktree); none: none known (a bare
                                  * repository, a worktree outside the roots) */
        bool index_listed;       /* index_keys were taken (a marker of an older corral has none) */
        strv index_keys;         /* the digests (plan/gitprotect.h) of its index's entries under a protected
                                  * name before the run: an index with another one after it is set aside */
} win_git_dir;

/* The repositories a run makes (newrepo_win.h): what was within
 * protect_depth of each writable root before it, by path and file identity
 * (volume serial and file index, which a process cannot set). Each line is
 * "PATH\tID". */
typedef struct win_repo_scan {
        strv dirs;               /* each directory within protect_depth (a root: depth 0) */
        strv found;              /* each protected name in them below the top (.git, HEAD, .codex, ...) */
        strv edge;               /* each subdirectory of a directory at protect_depth (the walk below starts there) */
        strv dir_ids, found_ids; /* the IDs of dirs and found, sorted: a directory renamed is still one that was
                                  * there; a protected object moved elsewhere is not a new one */
        char *unreadable;        /* the first directory that could not be read, or NULL */
} win_repo_scan;

typedef struct win_plan {
        win_backend backend;
        policy_mode mode;
        policy_network network;
        bool advisory_network;   /* restricted + network off or proxy, allowed explicitly: proxy variables only */
        bool proxy;              /* network = proxy, run by corral.exe (proxy_win.h) */
        unsigned short proxy_port; /* its port on 127.0.0.1: users, the first loopback port of setup; 0 (the
                                    * advisory mode): one the system picks at run time (win_plan_proxy_env) */
        strv net_allow, net_deny; /* the proxy's rules, for explain */
        uint16_t net_ports[POLICY_PORTS_MAX];
        size_t n_net_ports;
        win_marker setup;        /* users backend: what setup installed */
        const char *identity;    /* users backend: the sandbox account (points into setup) */

        char *workspace, *cwd;
        strv roots;              /* writable roots: final paths */
        strv root_sids;          /* the capability SID of each root, same order */
        char *tmp_dir;           /* TEMP/TMP of the command; NULL with tmp=host */
        bool tmp_fresh;          /* tmp=private: created for this run, removed after */
        char *tmp_sid;           /* the capability SID the tmp dir is granted to */
        strv protect_existing;   /* protected entries found (as the file system spells them): deny ACE */
        strv protect_missing;    /* missing protected names at the top of each root: placeholder + deny ACE */
        strv not_enforced;       /* what this plan cannot enforce, said by explain and doctor */
        strv git_locked;         /* .git directories protected as a whole: a shared lock on each for the run */
        win_git_dir *git_dirs;   /* --git commits: the gitdirs sorted entry by entry (an exclusive lock on each
                                  * top one) */
        size_t n_git_dirs;
        strv git_pins;           /* --git commits: directories that must not be renamed (a gitdir inside a top
                                  * one, and each directory between them): a deny-DELETE ACE of their own */
        strv git_known;          /* --git commits: the identities (win_file_id) of the .git directories there
                                  * before the run, a repository's and its index's submodules': a submodule's
                                  * .git the index names after the run that is none of them, the run made */
        uint64_t git_planned_at; /* --git commits: when the gitdirs were read (FILETIME units), for the check after
                                  * the run */
        strv git_protect;        /* --git commits: the protected names and their depth, for the index check */
        unsigned git_protect_depth;
        win_repo_scan repos;     /* for the check after the run of the repositories it made (newrepo_win.h) */

        strv argv;
        char *program;           /* what argv[0] resolved to; NULL: not found (exit 127) */
        char *app, *cmdline;     /* what CreateProcess gets */
        bool batch;              /* run through cmd.exe (cmdline_win.h) */
        strv env;                /* "NAME=value" */
        strv env_dropped;        /* names removed */
        uint64_t timeout_ms;
        uint64_t memory_bytes, max_processes, cpu_seconds; /* job limits; 0: none */
} win_plan;

/* setup is NULL when corral setup has not been run (or its marker is
 * invalid; setup_problem then says why, for messages). */
int win_plan_build(const policy *p, const win_marker *setup, const char *setup_problem, bool allow_advisory_network,
                   char *const argv[], const char *const envp[], win_plan *plan, corral_error *err);
void win_plan_free(win_plan *plan);

/* network = proxy: the variables that point the common tools at the proxy
 * on 127.0.0.1:port (net/proxyenv.h), into plan->env. 0 or -ENOMEM. */
int win_plan_proxy_env(win_plan *plan, unsigned short port);

/* Whether the command runs as the offline sandbox user (network off or
 * proxy on the users backend). */
bool win_plan_offline(const win_plan *plan);

void win_plan_describe(const win_plan *plan, FILE *f);
void win_plan_describe_json(const win_plan *plan, FILE *f);

const char *win_backend_name(win_backend b);

/* %LOCALAPPDATA%\corral\workspaces\<16 hex digits of the workspace> (malloc'd). */
char *win_workspace_state_dir(const char *workspace);

/* %LOCALAPPDATA%\corral\gitdirs\<16 hex digits of the gitdir>: the lock
 * every run that protects or sorts that gitdir holds (malloc'd). */
char *win_gitdir_lock_file(const char *gitdir);

/* --git commits: moves the plan's .git directories from protect_existing
 * into git_dirs, sorted entry by entry (plan_git_win.c). */
int win_plan_git(const policy *p, win_plan *pl, corral_error *err);

/* The .git of each submodule (gitlink) the index of a protected .git
 * names, however deep below its worktree (plan/gitindex.h; reached without
 * a reparse point or ".."), and in turn of their submodules: protected as
 * found ones are (protect_existing; with --git commits a .git directory is
 * then sorted, a .git file stays read-only), as Linux's plan does
 * (plan_gitlinks): git status runs git in each, with its config; an
 * unpopulated one (its directory without .git) read-only as a whole. And
 * what each .git file among them leads to, its gitdir and that gitdir's
 * common dir (plan/gitfile.h), when a root holds it: protected the same
 * way, as Linux's plan protects a .git file's gitdir and common dir. An
 * index corral cannot read fails the run, as on Linux. 0 or -errno. */
int win_plan_gitlinks(const policy *p, win_plan *pl, corral_error *err);

/* Whether git takes dir itself for a git directory (a bare repository):
 * a HEAD that is no directory, and objects/ and refs/, or a commondir. */
bool win_is_git_directory(const char *dir);

/* What a state of a gitdir (plan/gitdir.h: rebase-merge, rr-cache, ...) is,
 * by contents, for the check after the run: a SHA-256 over each entry's
 * name, kind and contents (a reparse point by kind only, never followed).
 * 0: missing; 1: present, *sum set; 2: present but too large or deep, or
 * unreadable, to tell (the check treats it as changed). */
int win_git_state_sum(const char *path, uint8_t sum[32]);

/* The identity of the file or directory at path (not followed when a
 * reparse point): volume serial and file index, as text (malloc'd); NULL
 * when missing or unreadable. */
char *win_file_id(const char *path);

/* The worktree of a repository's .git directory (its parent, malloc'd);
 * NULL for a bare repository (or out of memory). */
char *win_git_worktree_top(const char *dotgit);

/* Whether a path below top crosses a reparse point or "..", or is not
 * a plain relative path (git does not look beyond a link either). */
bool win_path_plain_below(const char *top, const char *rel);
void win_git_dir_free(win_git_dir *g);

/* The digests (plan/gitprotect.h) of the entries of g's index under a
 * protected name (pl's git_protect, within git_protect_depth of g's first
 * worktree or of a root), appended to digests; 0 or -ENOMEM. */
int win_git_index_digests(const win_plan *pl, const win_git_dir *g, strv *digests);

/* The reparse points of a gitdir, anywhere in it (git never makes one
 * there), as paths: never through one, nor into another gitdir the plan
 * sorted (modules/NAME, worktrees/ID: each is scanned as itself), at most
 * 32 levels and 500,000 entries, as Linux's check. 0; 1 when there were
 * more (not all listed); -ENOMEM. */
int win_git_links(const win_plan *pl, const char *gitdir, strv *out);

/* Whether path is one of the gitdirs the plan sorted. */
bool win_git_dir_sorted(const win_plan *pl, const char *path);
