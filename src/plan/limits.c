/* SPDX-License-Identifier: MIT
 * How each resource limit of the policy is enforced (docs/config.md,
 * "[limits]"), decided once, here, and refused here when it cannot be:
 *
 *   memory  cgroup v2 memory.max for the whole tree, when a delegated cgroup
 *           is available (userns backend, not full-access); else RLIMIT_DATA
 *           per process (not RLIMIT_AS, which breaks runtimes that reserve
 *           address space: Go, Java, V8, wasm);
 *   pids    cgroup v2 pids.max; else RLIMIT_NPROC, which the kernel counts per
 *           (user namespace, uid), so per run: the sandbox's own namespace.
 *           The kernel exempts uid 0 from it, so a root caller without a
 *           cgroup is refused;
 *   cpu     RLIMIT_CPU, per process, in both cases (cpu.max is a rate, not
 *           an amount);
 *   tmp     the size (and nr_inodes) of the private /tmp and /dev/shm
 *           tmpfs; a /tmp on disk (tmp = workspace or host) cannot be
 *           limited and is refused.
 *
 * Every value is set with hard = soft in the sandbox's init, before the
 * command starts, so every process inherits it and none can raise it (no
 * CAP_SYS_RESOURCE in the initial user namespace). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kernel/probe.h"
#include "plan/plan.h"

/* One inode per 4 KiB of the size (at least 1024): empty files cost no
 * size but kernel memory, so the count is bounded too. */
#define TMP_BYTES_PER_INODE 4096
#define TMP_MIN_INODES 1024

static int refuse(corral_error *err, const char *limit, const char *flag, const char *why) {
        return error_set(err, -EOPNOTSUPP, "limit '%s' (%s, limits.%s) cannot be enforced: %s", limit, flag, limit,
                         why);
}

int plan_limits_build(const policy *p, plan *pl, corral_error *err) {
        const uint64_t *v = p->limits.v;
        plan_limits *l = &pl->limits;
        char why[1024] = "";

        if (v[LIMIT_TMP]) {
                if (p->mode == MODE_FULL_ACCESS)
                        return refuse(err, "tmp", "--limit-tmp",
                                      "full-access mode mounts nothing, so there is no private /tmp to size-limit");
                if (p->mode != MODE_READ_ONLY && p->tmp != TMP_PRIVATE)
                        return refuse(err, "tmp", "--limit-tmp",
                                      p->tmp == TMP_HOST
                                              ? "/tmp is the host's (tmp = host), a file system corral cannot size-limit; "
                                                "use --tmp private (tmp = \"private\") with it"
                                              : "/tmp is this workspace's directory on disk (tmp = workspace), which "
                                                "corral cannot size-limit (no disk quotas); use --tmp private "
                                                "(tmp = \"private\") with it");
                l->tmp_size = v[LIMIT_TMP];
                l->tmp_inodes = v[LIMIT_TMP] / TMP_BYTES_PER_INODE;
                if (l->tmp_inodes < TMP_MIN_INODES)
                        l->tmp_inodes = TMP_MIN_INODES;
        }

        /* The users backend runs the tree as a sandbox user, which cannot
         * write the developer's cgroup; full-access leaves the cgroup files
         * writable to the command (no read-only view): rlimits there. */
        if ((v[LIMIT_MEMORY] || v[LIMIT_PIDS]) && pl->backend == BACKEND_USERNS && p->mode != MODE_FULL_ACCESS) {
                corral_error cg_err = {{0}};
                if (cgroup_find_delegated(&l->cgroup_parent, &cg_err) < 0)
                        snprintf(why, sizeof(why), "%s", cg_err.msg[0] ? cg_err.msg : "no delegated cgroup v2");
        } else if (v[LIMIT_MEMORY] || v[LIMIT_PIDS])
                snprintf(why, sizeof(why), "%s",
                         pl->backend == BACKEND_USERS ? "the users backend does not use cgroups yet"
                                                      : "full-access mode leaves cgroup files writable to the command");

        if (l->cgroup_parent) {
                l->cgroup_memory_max = v[LIMIT_MEMORY];
                /* + 1: the sandbox's init is in the cgroup too */
                l->cgroup_pids_max = v[LIMIT_PIDS] ? v[LIMIT_PIDS] + 1 : 0;
        } else {
                l->rlimit_data = v[LIMIT_MEMORY];
                if (v[LIMIT_PIDS]) {
                        if (getuid() == 0)
                                return refuse(err, "pids", "--limit-pids",
                                              "RLIMIT_NPROC does not bind uid 0 (the kernel exempts root), and there is "
                                              "no cgroup v2 pids controller to use instead; see `corral doctor`");
                        l->rlimit_nproc = v[LIMIT_PIDS] + 1;
                }
                char *note = NULL;
                if ((v[LIMIT_MEMORY] || v[LIMIT_PIDS]) &&
                    (asprintf(&note, "resource limits: no cgroup (%s); %s", why,
                              v[LIMIT_MEMORY] ? "memory is limited per process (RLIMIT_DATA: private writable "
                                                "memory), not for the whole tree; shared memory, tmpfs files and "
                                                "page cache are not counted"
                                              : "pids use RLIMIT_NPROC") < 0 ||
                     strv_push_take(&pl->notes, note) < 0))
                        return oom(err);
        }
        l->rlimit_cpu = v[LIMIT_CPU];
        return 0;
}
