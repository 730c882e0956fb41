/* SPDX-License-Identifier: MIT
 * The plan: exactly what one backend will do to enforce a policy, computed
 * before anything is changed. It is data (printable by `corral explain`,
 * unit-testable without privileges) and the single place where a policy that
 * cannot be enforced is refused. apply/ executes it and makes no decisions.
 *
 * For the userns backend a plan is: the namespaces to create, an ordered list
 * of mount operations (a small instruction set that apply/mounts.c
 * interprets), the Landlock rules, the seccomp rule set, the placeholders to
 * create for missing protected names, the final environment and the exec
 * candidates for the command. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "common/error.h"
#include "common/strv.h"
#include "net/proxyauth.h"
#include "net/rules.h"
#include "plan/nested.h"
#include "policy/policy.h"

/* One mount operation. Mount trees live in numbered slots (fds held by the
 * applying process). Paths are absolute and canonical; apply opens them with
 * RESOLVE_NO_SYMLINKS so that a path swapped for a symlink after planning
 * makes the run fail instead of mounting somewhere else. */
typedef enum mount_op_kind {
        MOP_MAKE_PRIVATE,  /* stop mount propagation to and from the host */
        MOP_CLONE,         /* slot <- detached copy of the tree at path */
        MOP_READONLY_ALL,  /* every mount of the tree becomes read-only + nosuid */
        MOP_TMPFS,         /* slot <- new detached tmpfs (size, mode) */
        MOP_MKDIR,         /* create directory sub inside slot */
        MOP_MKFILE,        /* create empty file sub inside slot */
        MOP_SYMLINK,       /* create symlink sub -> target inside slot */
        MOP_ATTACH,        /* attach slot (or its sub, when sub is set) at path */
        MOP_SETATTR,       /* set attributes (attr) on the tree in slot */
        MOP_PROC,          /* a new proc instance for the new pid namespace at path */
        MOP_DEVPTS,        /* a new devpts instance at path */
        MOP_OVERLAY,       /* slot <- new detached overlay: lower path (NULL: cache_dir/empty), upper
                            * cache_dir/upper, the first work dir cache_dir/work.N no other run holds */
        MOP_REOPEN,        /* re-open descriptor fd (a terminal) through the clone in slot, with its flags */
} mount_op_kind;

/* Attribute bits for MOP_SETATTR and MOP_READONLY_ALL (mapped to MOUNT_ATTR_*). */
enum {
        ATTR_RDONLY = 1u << 0,
        ATTR_NOSUID = 1u << 1,
        ATTR_NODEV = 1u << 2,
        ATTR_NOEXEC = 1u << 3,
};

typedef struct mount_op {
        mount_op_kind kind;
        int slot;
        const char *path;    /* target (ATTACH, PROC, DEVPTS) or source (CLONE) */
        const char *sub;     /* path inside the slot (MKDIR, MKFILE, SYMLINK, ATTACH) */
        const char *target;  /* symlink target (SYMLINK) */
        unsigned attr;       /* ATTR_* (SETATTR, READONLY_ALL) */
        bool recursive;      /* CLONE, SETATTR: include submounts */
        bool nofollow;       /* CLONE, ATTACH: the last component may be a symlink, used as is */
        bool optional;       /* ATTACH: nothing to do when the target cannot be reached (EACCES,
                              * ENOENT) or no longer leads there (ELOOP, ENOTDIR: a component
                              * swapped since planning): what the sandbox cannot reach there needs
                              * no mask */
        uint64_t size;       /* TMPFS: bytes */
        uint64_t inodes;     /* TMPFS: nr_inodes, 0 = the kernel's default */
        unsigned mode;       /* TMPFS: mode of the root; MKFILE/MKDIR: mode */
        const char *cache_dir; /* OVERLAY: the private cache's directory (plan/caches.h) */
        bool verify;         /* CLONE: the source, ATTACH: the target must be this object (dev, ino) when
                              * it is opened, or the run fails (ESTALE): it moved since it was planned */
        uint64_t dev, ino;
        int fd;              /* REOPEN: which of 0-2 */
        const char *why;     /* one line for explain: which rule this op enforces */
} mount_op;

/* Landlock access groups, mapped to LANDLOCK_ACCESS_FS_* at apply time so the
 * plan stays independent of the kernel's ABI. */
enum {
        LL_WRITE_ALL = 1u << 0,  /* every write right the running ABI knows */
        LL_WRITE_FILE = 1u << 1, /* write to existing files (+truncate) */
        LL_IOCTL_DEV = 1u << 2,  /* ioctl on device files (terminals) */
};

typedef struct landlock_rule {
        const char *path;
        unsigned access; /* LL_* */
        const char *why;
        bool verify;     /* the object at path must be this one (dev, ino) when the rule is added, or the
                          * run fails (ESTALE): a rule binds to an object, so it would bind to another */
        uint64_t dev, ino;
} landlock_rule;

/* A protected name's mount point. When it does not exist at run time (it
 * was missing when planned, or vanished since: a crashed run's leftover
 * cleaned up), an empty placeholder directory is put there for the run. */
typedef struct placeholder {
        char *path;      /* WS/NAME */
        char *name;
        bool missing;    /* missing when planned: explain calls it a placeholder */
        const char *file; /* NULL: an empty directory; else a regular file with these contents (a config git
                           * reads, a gitdir's commondir: plan/gitdir.h) */
        bool held;       /* in a root of policy.held_roots: another process holds it (apply/host.h) */
} placeholder;

/* An object corral makes read-only for the run (plan/protect.c): a protected
 * name, the gitdir a .git file names, a protected symlink's target, corral's
 * own state. known: it existed when planned, and dev/ino say what it was; the
 * mounts check it, and so does the report after the run. */
typedef struct protected_obj {
        const char *path;    /* interned */
        const char *why;
        bool nofollow;       /* a symlink, protected as a link */
        bool known;
        uint64_t dev, ino;
        bool expected;       /* the scan saw it: what it must still be when planned */
        uint64_t expect_dev, expect_ino;
        bool at_top;         /* directly in the top of its writable root: nothing above it can move, and
                              * a top-level name may be a placeholder that a concurrent run's bookkeeping
                              * replaces, so it is held by name (not checked by identity) */
} protected_obj;

/* How the resource limits are enforced (plan/limits.c). 0 = not set. */
typedef struct plan_limits {
        char *cgroup_parent;     /* delegated cgroup v2 the run's child cgroup goes under; NULL: none */
        uint64_t cgroup_memory_max, cgroup_pids_max;
        /* set by the sandbox's init before the command starts, hard = soft,
         * inherited by every process of the tree */
        uint64_t rlimit_data, rlimit_nproc, rlimit_cpu;
        uint64_t tmp_size, tmp_inodes; /* the private /tmp and /dev/shm */
} plan_limits;

/* network = proxy (src/proxy): the sandbox's init listens on 127.0.0.1 and
 * ::1 at port inside its own network namespace and hands the sockets to
 * the supervisor, which runs the proxy outside. */
typedef struct plan_proxy {
        bool on;
        unsigned short port;
        /* the users backend without namespaces: no namespace to listen in;
         * the developer's corral listens on the host's loopback at port, the
         * firewall lets corral-offline reach only that port, and the proxy
         * serves only corral-offline's sockets (proxy_only_uid) that
         * present token: every run's command is corral-offline, and another
         * run's must not get this run's allowance (net/proxyauth.h) */
        bool host;
        char token[NET_PROXY_TOKEN_LEN + 1];
} plan_proxy;

/* What apply/ and supervise/ need of the policy, copied when the plan is
 * made (plan_copy_policy): the plan keeps no pointer to the policy, and
 * nothing after planning reads it. */
typedef struct plan_policy {
        policy_mode mode;
        policy_network network;
        policy_tmp tmp;
        uint64_t timeout_ms;     /* 0: none */
        policy_report report_denials; /* asked for (whether this plan reports them: plan.report_denials) */
        char *workspace, *cwd;   /* absolute, canonical */
        char *home, *report_home; /* NULL when unknown; report_home: policy.report_home */
        char *caches_dir;        /* [caches] dir from the config or the flags; NULL: plan.caches_dir's default */
        strv deny_read;
        strv held_roots;         /* policy.held_roots (apply/host.h) */
        /* network = proxy: the rules the proxy applies (net/rules.h) */
        strv allow_domains, deny_domains;
        uint16_t allow_ports[POLICY_PORTS_MAX];
        size_t n_allow_ports;
        nested_rules nested;     /* what the scan after the run looks for (plan/nested.h) */
} plan_policy;

typedef struct plan {
        policy_backend backend;
        const char *backend_why; /* why this backend: asked for, auto's choice, the fallback without
                                  * namespaces (users/choose.h); NULL in corral-runner's own plan */
        plan_policy policy;      /* the policy's values the run needs (above) */

        /* namespaces (CLONE_NEW* flags) */
        unsigned long clone_flags;
        bool confine;           /* false in full-access: namespaces only */
        policy_report report_denials; /* not off: init adds the notifying filter of that level, the
                                       * supervisor records what the plan refuses (supervise/denials.h);
                                       * a report, never the boundary */

        mount_op *ops;
        size_t n_ops, cap_ops;
        int n_slots;
        size_t ro_view_at;       /* 0, or where ops see the host's tree with everything read-only (just
                                  * after the MOP_READONLY_ALL of /, before anything is attached on it):
                                  * plan_protect_emit clones there what it needs read-only */

        landlock_rule *rules;
        size_t n_rules, cap_rules;
        int landlock_abi;        /* what the kernel reported when planning (0: none) */
        bool landlock_scopes;    /* scope abstract unix sockets and signals */

        placeholder *placeholders; /* every protected name's mount point (see above) */
        size_t n_placeholders;
        nested_scan nested;      /* protected names below the top level, and what was read to find them */
        /* The users backend without namespaces (users/plan_nonamespace.c),
         * for the denial reports: its writable roots, where Landlock grants
         * the entries one by one when something beneath must stay
         * unwritable, and those paths (protected names, git's surfaces,
         * corral's own state). */
        bool nonamespace;
        strv nons_roots, nons_kept;
        /* For the reports of hidden reads: the deny-read paths the plan hides
         * (with namespaces: masked, with or without an allow-read skeleton;
         * without: existing, for file permissions to refuse), and the
         * allow-read paths carved back out of them; those that could not be
         * (the users backend's sandbox user cannot reach them on the host:
         * masked with the rest). */
        strv hidden, unhidden, unreachable;
        protected_obj *protected; /* everything made read-only for the run, in the order it is mounted */
        size_t n_protected, cap_protected;
        size_t n_pins;           /* ancestor directories pinned (made mount points) for them */

        char *state_dir;         /* per-workspace state: tmp, the kept nested scan */
        char *roots_dir;         /* per-writable-root placeholder bookkeeping (apply/host.h) */
        char *tmp_dir;           /* tmp=workspace: the directory bound at /tmp */

        /* --git commits (plan/gitdir.h): the gitdirs whose git state the
         * command may write, and when the plan was made (what the command
         * left there is checked after the run: supervise/gitcheck.h) */
        strv git_repos;
        struct timespec planned_at;
        /* the relative core.hooksPath values of the developer's global git
         * configs, as the plan read them (plan/gitlayout.h): where the
         * developer's git looks for hooks in a repository the command makes
         * (supervise/nestedcheck.c) */
        strv git_global_hooks;
        /* the surfaces of git's layout in the writable roots, as this plan
         * found them (plan/gitlayout.h): the users backend sends them to
         * corral-runner, whose plan, made as the sandbox user, may not be
         * able to read what names them (policy.git_known) */
        strv git_known;
        /* userns: the gitdirs of git_repos that are overlays in the sandbox
         * (none below another: a submodule's or linked worktree's gitdir
         * in a common dir is inside its overlay), the k-th with its layers
         * in git_run_dir/k (upper/, work.0/); the command writes only the
         * upper, which corral imports from after the run
         * (supervise/gitimport.h). git_run_dir: <state_dir>/gitruns/ID.d,
         * beside the run's marker gitruns/ID (supervise/gitcheck.h). */
        strv git_overlays;
        char *git_run_dir;
        char git_run_id[17];
        /* Submodules the indexes name (plan/gitindex.h): each index read
         * with its worktree's top (gitlink_worktrees[i], gitlink_indexes[i]),
         * and every gitlink found, absolute; gitlink_repos: their .git,
         * read as repositories like nested ones */
        strv gitlink_worktrees, gitlink_indexes, gitlinks, gitlink_repos;

        strv env;                /* the command's environment, "NAME=value" */
        strv env_dropped;        /* names removed (for explain) */
        strv env_added;          /* "NAME=value" the users backend added to env: toolchains in the
                                  * developer's home that find themselves through a variable */
        strv exec_candidates;    /* paths to try in order (PATH search done here) */
        strv argv;               /* the command */

        plan_limits limits;
        unsigned relay_fds;      /* bits 0-2: the caller's regular files on fds 0-2, relayed through pipes
                                  * by the supervisor (supervise/relay.h) */
        const char *tty_path[3]; /* fds 0-2 that are the caller's terminal: its device's path, re-opened
                                  * inside through a read-only clone of it */
        plan_proxy proxy;

        /* the users backend (users/choose.h): the sandbox user the command
         * runs as, and the directories it cannot reach yet, granted passage
         * (users/grants.h) once, when the run starts */
        const char *run_as;
        strv grants;
        char *request;           /* what corral-runner is sent (users/request.h), encoded when planning */
        size_t request_len;

        struct plan_cache *caches; /* the package-manager caches (plan/caches.h) */
        size_t n_caches;
        char *caches_dir;        /* where this workspace's private caches are */

        strv strings;            /* storage that ops and rules point into */
        strv notes;              /* what explain should say about limits and choices */
        /* NULL: the sandbox has a new proc of its own; else it keeps the
         * container's (plan_userns.c, plan_proc) and this is what the
         * supervisor announces on stderr before the run */
        const char *proc_shared;
} plan;

/* Builds the userns plan for a policy and a command (argv may be empty for
 * explain). Reads, but never changes, the filesystem: which protected names
 * exist, .git files, the host's listening unix sockets, the Landlock ABI.
 * Returns 0, or a negative errno with err saying what cannot be enforced. */
int plan_build(const policy *p, char *const *argv, const char *const *environ_in, plan *pl,
               corral_error *err);
/* Frees what pl holds (not pl itself, which is usually a local or a
 * member), leaving it zeroed. Safe on a zeroed plan. */
void plan_free(plan *pl);
static inline void plan_freep(plan *pl) { plan_free(pl); }
/* plan pl = {0} _cleanup_plan_: plan_free on every return path. */
#define _cleanup_plan_ __attribute__((cleanup(plan_freep)))
/* The first step of every plan_build*: pl->policy from p. 0 or -ENOMEM. */
int plan_copy_policy(const policy *p, plan *pl);
/* The proxy's rules (pl->policy's), pointing into pl. */
net_rules plan_net_rules(const plan *pl);

/* Text and JSON renderings for `corral explain`: the policy it was made
 * from, and the plan. */
void plan_describe(const policy *p, const plan *pl, FILE *f);
void plan_describe_json(const policy *p, const plan *pl, FILE *f);

/* Internal builders, shared by plan_userns.c and the unit tests. */
const char *plan_str(plan *pl, const char *s);  /* interned copy */
const char *plan_strf(plan *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
mount_op *plan_op(plan *pl, mount_op_kind kind, const char *why);
/* The same, inserted before the op at index at (the later ones move up). */
mount_op *plan_op_at(plan *pl, size_t at, mount_op_kind kind, const char *why);
int plan_rule(plan *pl, const char *path, unsigned access, const char *why);
/* The same, for the object st describes (checked when the rule is added). */
int plan_rule_object(plan *pl, const char *path, unsigned access, const char *why, const struct stat *st);
int plan_new_slot(plan *pl);

/* The protected set (plan/protect.c). plan_protect records path (deduplicated;
 * expect: what the nested scan or an lstat saw there, or NULL for a path that
 * may not exist yet); plan_protect_emit then
 * makes the mounts for all of them at once: first every directory between
 * the top of the writable root that holds an object and the object itself is
 * pinned (cloned and attached onto itself: a mount point cannot be renamed,
 * removed or exchanged, while its contents stay writable), then each object
 * is made read-only. Every object and pin is looked up by descriptor, never
 * through a symlink, and its identity recorded; the mounts check it. An
 * object in a writable area is cloned at ro_view_at (when set), where the
 * view is already read-only, nosuid and nodev, so its clone carries those
 * attributes without a mount_setattr; it is attached where it was. */
int plan_protect(plan *pl, const char *path, bool nofollow, const char *why, const nested_id *expect);
int plan_protect_emit(const policy *p, plan *pl, corral_error *err);
bool plan_is_protected(const plan *pl, const char *path);
bool plan_inside_protected(const plan *pl, const char *path); /* at or below a protected directory */

/* The resource limits (plan/limits.c): how each limit of the policy is
 * enforced, or -EOPNOTSUPP with err naming the limit and what is missing. */
int plan_limits_build(const policy *p, plan *pl, corral_error *err);

/* The environment (plan/env.c). */
int plan_environment(const policy *p, const char *const *environ_in, plan *pl, corral_error *err);
int plan_exec_candidates(plan *pl, corral_error *err);
