/* SPDX-License-Identifier: MIT
 * `corral explain`: the resolved policy and the exact plan, as text or JSON. */
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "kernel/probe.h"
#include "plan/seccomp_rules.h"
#include "common/json.h"
#include "plan/caches.h"
#include "net/http.h"
#include "common/path.h"
#include "plan/plan.h"
#include "net/proxyenv.h"

static const struct {
        unsigned long flag;
        const char *name;
} ns_names[] = {
        {CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mount"},      {CLONE_NEWPID, "pid"},
        {CLONE_NEWIPC, "ipc"},   {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWNET, "net"},
};

static const char *const op_names[] = {
        [MOP_MAKE_PRIVATE] = "make-private", [MOP_CLONE] = "clone",   [MOP_READONLY_ALL] = "read-only-all",
        [MOP_TMPFS] = "tmpfs",               [MOP_MKDIR] = "mkdir",   [MOP_MKFILE] = "mkfile",
        [MOP_SYMLINK] = "symlink",           [MOP_ATTACH] = "attach", [MOP_SETATTR] = "setattr",
        [MOP_PROC] = "proc",                 [MOP_DEVPTS] = "devpts", [MOP_OVERLAY] = "overlay",
};

static void attrs_text(unsigned a, char *buf, size_t len) {
        snprintf(buf, len, "%s%s%s%s", a & ATTR_RDONLY ? "ro," : "", a & ATTR_NOSUID ? "nosuid," : "",
                 a & ATTR_NODEV ? "nodev," : "", a & ATTR_NOEXEC ? "noexec," : "");
        size_t n = strlen(buf);
        if (n)
                buf[n - 1] = 0;
}

static void op_text(const mount_op *op, char *buf, size_t len) {
        char a[64];
        attrs_text(op->attr, a, sizeof(a));
        switch (op->kind) {
        case MOP_MAKE_PRIVATE: snprintf(buf, len, "make every mount private"); break;
        case MOP_CLONE:
                snprintf(buf, len, "clone %s -> [%d]%s%s%s", op->path, op->slot, op->recursive ? " recursive" : "",
                         op->nofollow ? " (the link itself)" : "", op->verify ? " (checked: same inode)" : "");
                break;
        case MOP_READONLY_ALL: snprintf(buf, len, "set %s on every mount under %s", a, op->path); break;
        case MOP_TMPFS:
                if (op->inodes)
                        snprintf(buf, len, "new tmpfs [%d] size=%llu nr_inodes=%llu mode=%04o", op->slot,
                                 (unsigned long long)op->size, (unsigned long long)op->inodes, op->mode);
                else
                        snprintf(buf, len, "new tmpfs [%d] size=%llu mode=%04o", op->slot,
                                 (unsigned long long)op->size, op->mode);
                break;
        case MOP_MKDIR: snprintf(buf, len, "mkdir [%d]/%s mode=%04o", op->slot, op->sub, op->mode); break;
        case MOP_MKFILE: snprintf(buf, len, "create [%d]/%s mode=%04o", op->slot, op->sub, op->mode); break;
        case MOP_SYMLINK: snprintf(buf, len, "symlink [%d]/%s -> %s", op->slot, op->sub, op->target); break;
        case MOP_ATTACH:
                snprintf(buf, len, "mount [%d]%s%s on %s%s", op->slot, op->sub ? "/" : "", op->sub ? op->sub : "",
                         op->path, op->optional ? " (if reachable)" : "");
                break;
        case MOP_SETATTR: snprintf(buf, len, "set %s on [%d]%s", a, op->slot, op->recursive ? " recursive" : ""); break;
        case MOP_PROC: snprintf(buf, len, "mount a new proc on %s", op->path); break;
        case MOP_DEVPTS: snprintf(buf, len, "mount a new devpts on %s", op->path); break;
        case MOP_OVERLAY:
                snprintf(buf, len, "new overlay [%d] lower=%s upper=%s/upper", op->slot,
                         op->path ? op->path : "(empty)", op->cache_dir);
                break;
        case MOP_REOPEN: snprintf(buf, len, "re-open fd %d through [%d]", op->fd, op->slot); break;
        }
}

static const char *access_text(unsigned a) {
        if (a & LL_WRITE_ALL)
                return "all write rights";
        if ((a & LL_WRITE_FILE) && (a & LL_IOCTL_DEV))
                return "write files, device ioctls";
        return "write files";
}

static void limits_line(FILE *f, const policy *p) {
        bool any = false;
        fprintf(f, "  %-14s", "limits");
        for (int k = 0; k < N_LIMITS; k++)
                if (p->limits.v[k]) {
                        fprintf(f, " %s=%llu%s", policy_limit_to_string((policy_limit)k),
                                (unsigned long long)p->limits.v[k], k == LIMIT_CPU ? "s" : "");
                        any = true;
                }
        fputs(any ? "\n" : " (none)\n", f);
}

/* How each limit is enforced. */
static void limits_section(FILE *f, const plan *pl) {
        const plan_limits *l = &pl->limits;
        if (!l->cgroup_parent && !l->rlimit_data && !l->rlimit_nproc && !l->rlimit_cpu && !l->tmp_size)
                return;
        fprintf(f, "\nlimits (set before the command starts; hard = soft, inherited by every process):\n");
        if (l->cgroup_parent)
                fprintf(f, "  cgroup v2: a new child of %s per run, the sandbox cloned into it, cgroup.kill at the end\n",
                        l->cgroup_parent);
        if (l->cgroup_memory_max)
                fprintf(f, "  memory.max      %llu  # memory of the whole tree; swap 0; an OOM kill is reported\n",
                        (unsigned long long)l->cgroup_memory_max);
        if (l->cgroup_pids_max)
                fprintf(f, "  pids.max        %llu  # processes and threads, the sandbox's init included\n",
                        (unsigned long long)l->cgroup_pids_max);
        if (l->rlimit_data)
                fprintf(f, "  RLIMIT_DATA     %llu  # per process: private writable memory (heap, anonymous maps)\n",
                        (unsigned long long)l->rlimit_data);
        if (l->rlimit_nproc)
                fprintf(f, "  RLIMIT_NPROC    %llu  # processes and threads of this run's user namespace, init included\n",
                        (unsigned long long)l->rlimit_nproc);
        if (l->rlimit_cpu)
                fprintf(f, "  RLIMIT_CPU      %llu  # CPU seconds per process, then SIGKILL\n",
                        (unsigned long long)l->rlimit_cpu);
        if (l->tmp_size)
                fprintf(f, "  /tmp, /dev/shm  size=%llu nr_inodes=%llu  # each a private tmpfs; full: ENOSPC\n",
                        (unsigned long long)l->tmp_size, (unsigned long long)l->tmp_inodes);
}

static void strv_line(FILE *f, const char *label, const strv *s) {
        fprintf(f, "  %-14s", label);
        if (!s->n)
                fputs(" (none)", f);
        for (size_t i = 0; i < s->n; i++)
                fprintf(f, " %s", s->v[i]);
        fputc('\n', f);
}

/* network = proxy: the rules the proxy applies (src/net/rules.c). */
static void proxy_section(FILE *f, const policy *p, const plan *pl) {
        if (!pl->proxy.on)
                return;
        if (pl->proxy.host) {
                fprintf(f, "\nnetwork proxy (the only way out; no namespaces: the firewall rejects everything "
                           "corral-offline sends but TCP to the proxy's loopback port):\n");
                fprintf(f, "  %-14s 127.0.0.1:%u and [::1]:%u of this machine (HTTP CONNECT, absolute-URI HTTP, "
                           "SOCKS5), serving corral-offline's sockets only (the kernel's socket table); it connects "
                           "as you\n", "listens", pl->proxy.port, pl->proxy.port);
        } else {
                fprintf(f, "\nnetwork proxy (the only way out; own network namespace with only loopback):\n");
                fprintf(f, "  %-14s 127.0.0.1:%u and [::1]:%u inside (HTTP CONNECT, absolute-URI HTTP, SOCKS5); "
                           "it connects from outside, as you\n", "listens", pl->proxy.port, pl->proxy.port);
        }
        strv_line(f, "allow", &p->allow_domains);
        strv_line(f, "deny", &p->deny_domains);
        fprintf(f, "  %-14s", "ports");
        for (size_t i = 0; i < p->n_allow_ports; i++)
                fprintf(f, " %u", p->allow_ports[i]);
        fprintf(f, "%s\n", p->n_allow_ports ? "" : " none");
        fprintf(f, "  %-14s a name matches an allow rule and no deny rule (deny wins; *.d: subdomains of d, "
                   "not d); an IP literal only when allowed exactly\n", "rules");
        fprintf(f, "  %-14s each resolved address: loopback, private, link-local, CGNAT, ULA, multicast, "
                   "reserved and this machine's own addresses only when allowed exactly\n", "");
        fprintf(f, "  %-14s a tunnel's TLS server name (SNI) must be the requested host; at most %d connections; "
                   "request heads up to %d bytes; %d s to set up\n", "", PROXY_MAX_CONNS, HTTP_HEAD_MAX,
                PROXY_SETUP_TIMEOUT_MS / 1000);
        fprintf(f, "  %-14s HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY (and lower case), npm_config_proxy, "
                   "npm_config_https_proxy, YARN_HTTP(S)_PROXY, PIP_PROXY, CARGO_HTTP_PROXY, NODE_USE_ENV_PROXY\n",
                "set");
}

/* --git commits: per repository, what the command may write and what stays
 * read-only (docs/design.md, "Git in commits mode"). */
static void git_section(FILE *f, const plan *pl) {
        for (size_t i = 0; i < pl->git_repos.n; i++) {
                const char *repo = pl->git_repos.v[i];
                size_t n = strlen(repo);
                fprintf(f, "%sgit repository %s (--git commits)\n", i ? "" : "\n", repo);
                bool overlaid = false;
                for (size_t k = 0; k < pl->git_overlays.n; k++)
                        overlaid = overlaid || path_is_below_or_equal(repo, pl->git_overlays.v[k]);
                fprintf(f, "  writable:  git's own state (objects, refs, logs, the index, HEAD, packed-refs, the "
                           "stash, merge and cherry-pick state, lock files); new entries%s\n",
                        overlaid ? ", in an overlay: nothing reaches the gitdir while the run lasts" : "");
                if (overlaid)
                        fprintf(f, "  imported after the run: objects and packs, refs and packed-refs (unless "
                                   "changed outside meanwhile), reflogs, HEAD and the files of a commit or merge, "
                                   "the index; nothing else (rebase state, new modules/ or worktrees/ entries, "
                                   "links)\n");
                else
                        fprintf(f, "  checked after the run: rebase-merge, rebase-apply (a todo that runs commands "
                                   "is set aside); links and special files the command makes\n");
                fprintf(f, "  read-only:");
                for (size_t k = 0; k < pl->n_protected; k++) {
                        const char *o = pl->protected[k].path;
                        if (strncmp(o, repo, n) == 0 && o[n] == '/' && !strchr(o + n + 1, '/'))
                                fprintf(f, " %s", o + n + 1);
                }
                fprintf(f, "\n");
        }
}

void plan_describe(const policy *p, const plan *pl, FILE *f) {
        fprintf(f, "policy\n");
        fprintf(f, "  %-14s %s\n", "backend", policy_backend_to_string(pl->backend));
        if (pl->backend_why)
                fprintf(f, "  %-14s %s\n", "chosen", pl->backend_why);
        if (pl->run_as)
                fprintf(f, "  %-14s %s (a sandbox user, through corral-runner)\n", "runs as", pl->run_as);
        fprintf(f, "  %-14s %s\n", "mode", policy_mode_to_string(p->mode));
        fprintf(f, "  %-14s %s\n", "workspace", p->workspace);
        fprintf(f, "  %-14s %s\n", "cwd", p->cwd);
        fprintf(f, "  %-14s %s\n", "network",
                p->mode == MODE_FULL_ACCESS ? "on (full-access)"
                : p->network == NETWORK_OFF   ? "off (own network namespace with only loopback)"
                : p->network == NETWORK_PROXY ? "proxy (named domains only, through corral's proxy)"
                                              : "on (the host's network)");
        fprintf(f, "  %-14s %s%s%s%s\n", "tmp", p->mode == MODE_READ_ONLY ? "private" : policy_tmp_to_string(p->tmp),
                p->tmp == TMP_WORKSPACE && p->mode == MODE_WORKSPACE_WRITE ? " (" : "",
                p->tmp == TMP_WORKSPACE && p->mode == MODE_WORKSPACE_WRITE ? pl->tmp_dir : "",
                p->tmp == TMP_WORKSPACE && p->mode == MODE_WORKSPACE_WRITE ? ")" : "");
        fprintf(f, "  %-14s %s\n", "git",
                p->mode != MODE_WORKSPACE_WRITE ? policy_mode_to_string(p->mode)
                : p->git == GIT_COMMITS         ? "commits (git's state writable; config, hooks and what runs stay "
                                                  "read-only)"
                                                : "read-only");
        if (p->timeout_ms)
                fprintf(f, "  %-14s %.3gs\n", "timeout", (double)p->timeout_ms / 1000.0);
        else
                fprintf(f, "  %-14s none\n", "timeout");
        strv_line(f, "writable", &p->writable_roots);
        strv_line(f, "protected", &p->protect);
        strv_line(f, "deny-read", &p->deny_read);
        strv_line(f, "allow-read", &p->allow_read);
        strv_line(f, "unix sockets", &p->allow_unix_sockets);
        limits_line(f, p);

        fprintf(f, "\nnamespaces:");
        for (size_t i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++)
                if (pl->clone_flags & ns_names[i].flag)
                        fprintf(f, " %s", ns_names[i].name);
        if (!pl->clone_flags)
                fprintf(f, " none (user namespaces are blocked here: see the notes)");
        fputc('\n', f);
        limits_section(f, pl);
        plan_caches_describe(pl, f);
        proxy_section(f, p, pl);
        fprintf(f, "\nmounts (%zu operations, in order):\n", pl->n_ops);
        for (size_t i = 0; i < pl->n_ops; i++) {
                char buf[1024];
                op_text(&pl->ops[i], buf, sizeof(buf));
                const char *why = pl->ops[i].why;
                if (why && i > 0 && pl->ops[i - 1].why && strcmp(why, pl->ops[i - 1].why) == 0)
                        why = NULL; /* said on the line above */
                fprintf(f, "  %3zu. %-60s%s%s\n", i + 1, buf, why ? "  # " : "", why ? why : "");
        }
        if (pl->confine) {
                if (landlock_abi_lowered() >= 0)
                        fprintf(f, "\nlandlock (ABI %d, lowered by CORRAL_TEST_LANDLOCK_ABI; the kernel has %d): writes "
                                   "only beneath\n",
                                pl->landlock_abi, landlock_kernel_abi());
                else
                        fprintf(f, "\nlandlock (kernel ABI %d): writes only beneath\n", pl->landlock_abi);
                for (size_t i = 0; i < pl->n_rules; i++)
                        fprintf(f, "  %-40s %s  # %s\n", pl->rules[i].path, access_text(pl->rules[i].access),
                                pl->rules[i].why);
                if (pl->landlock_scopes)
                        fprintf(f, "  scoped: abstract unix sockets and signals stay inside the sandbox\n");
                fprintf(f, "\nseccomp (native ABI only; denied):\n");
                seccomp_describe(f, "  ");
                fprintf(f, "\nprocess: no capabilities (bounding set empty, securebits locked), no_new_privs, "
                           "fds beyond 0-2 closed\n");
        }
        fprintf(f, "\nenvironment:\n");
        strv_line(f, "dropped", &pl->env_dropped);
        fprintf(f, "  %-14s CORRAL_SANDBOX=1 CORRAL_NETWORK=%s%s\n", "set",
                p->network == NETWORK_ON || p->mode == MODE_FULL_ACCESS ? "on"
                : pl->proxy.on                                          ? "proxy"
                                                                        : "off",
                p->tmp == TMP_HOST && p->mode != MODE_READ_ONLY ? "" : " TMPDIR=/tmp");
        strv_line(f, "from config", &p->env_set);
        if (pl->env_added.n)
                strv_line(f, "added", &pl->env_added);
        if (pl->grants.n) {
                fprintf(f, "\ngrants (first use, made when the run starts and kept; `corral revoke DIR` takes them "
                           "back):\n");
                for (size_t i = 0; i < pl->grants.n; i++)
                        fprintf(f, "  %s: passage (an ACL entry, --x) for the sandbox users on the ancestors they "
                                   "cannot traverse\n",
                                pl->grants.v[i]);
        }
        git_section(f, pl);
        bool any = false;
        for (size_t i = 0; i < pl->n_placeholders; i++)
                if (pl->placeholders[i].missing) {
                        if (!any)
                                fprintf(f, "\nplaceholders (held for the run, taken away after; empty directories "
                                           "unless said):\n");
                        any = true;
                        const char *file = pl->placeholders[i].file;
                        fprintf(f, "  %s%s%s%s\n", pl->placeholders[i].path, file ? " (a file" : "",
                                file && *file ? " naming \".\"" : file ? ", empty" : "", file ? ")" : "");
                }
        if (pl->argv.n) {
                fprintf(f, "\ncommand:");
                for (size_t i = 0; i < pl->argv.n; i++)
                        fprintf(f, " %s", pl->argv.v[i]);
                fputc('\n', f);
        }
        if (pl->notes.n) {
                fprintf(f, "\nnotes:\n");
                for (size_t i = 0; i < pl->notes.n; i++)
                        fprintf(f, "  - %s\n", pl->notes.v[i]);
        }
}

void plan_describe_json(const policy *p, const plan *pl, FILE *f) {
        fprintf(f, "{\"policy\":{\"backend\":\"%s\",\"mode\":\"%s\",\"network\":\"%s\",\"tmp\":\"%s\",\"git\":\"%s\",\"workspace\":",
                policy_backend_to_string(pl->backend), policy_mode_to_string(p->mode),
                p->mode == MODE_FULL_ACCESS ? "on" : policy_network_to_string(p->network),
                p->mode == MODE_READ_ONLY ? "private" : policy_tmp_to_string(p->tmp), policy_git_to_string(p->git));
        json_put_string(f, p->workspace);
        fprintf(f, ",\"cwd\":");
        json_put_string(f, p->cwd);
        fprintf(f, ",\"timeout_ms\":%llu,\"writable_roots\":", (unsigned long long)p->timeout_ms);
        json_strv(f, &p->writable_roots);
        fprintf(f, ",\"protect\":");
        json_strv(f, &p->protect);
        fprintf(f, ",\"deny_read\":");
        json_strv(f, &p->deny_read);
        fprintf(f, ",\"allow_read\":");
        json_strv(f, &p->allow_read);
        fprintf(f, ",\"allow_unix_sockets\":");
        json_strv(f, &p->allow_unix_sockets);
        fprintf(f, ",\"allow_domains\":");
        json_strv(f, &p->allow_domains);
        fprintf(f, ",\"deny_domains\":");
        json_strv(f, &p->deny_domains);
        fprintf(f, ",\"allow_ports\":[");
        for (size_t i = 0; i < p->n_allow_ports; i++)
                fprintf(f, "%s%u", i ? "," : "", p->allow_ports[i]);
        fprintf(f, "]");
        fprintf(f, ",\"limits\":{");
        for (int k = 0; k < N_LIMITS; k++)
                fprintf(f, "%s\"%s\":%llu", k ? "," : "", policy_limit_to_string((policy_limit)k),
                        (unsigned long long)p->limits.v[k]);
        fprintf(f, "}},\"plan\":{\"backend\":\"%s\",\"backend_why\":", policy_backend_to_string(pl->backend));
        json_put_string(f, pl->backend_why);
        fprintf(f, ",\"run_as\":");
        json_put_string(f, pl->run_as);
        fprintf(f, ",\"grants\":");
        json_strv(f, &pl->grants);
        fprintf(f, ",\"limits\":{\"cgroup\":");
        json_put_string(f, pl->limits.cgroup_parent);
        fprintf(f,
                ",\"memory_max\":%llu,\"pids_max\":%llu,\"rlimit_data\":%llu,\"rlimit_nproc\":%llu,"
                "\"rlimit_cpu\":%llu,\"tmp_size\":%llu,\"tmp_inodes\":%llu},\"namespaces\":[",
                (unsigned long long)pl->limits.cgroup_memory_max, (unsigned long long)pl->limits.cgroup_pids_max,
                (unsigned long long)pl->limits.rlimit_data, (unsigned long long)pl->limits.rlimit_nproc,
                (unsigned long long)pl->limits.rlimit_cpu, (unsigned long long)pl->limits.tmp_size,
                (unsigned long long)pl->limits.tmp_inodes);
        bool first = true;
        for (size_t i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++)
                if (pl->clone_flags & ns_names[i].flag) {
                        fprintf(f, "%s\"%s\"", first ? "" : ",", ns_names[i].name);
                        first = false;
                }
        fprintf(f, "],\"mounts\":[");
        for (size_t i = 0; i < pl->n_ops; i++) {
                const mount_op *op = &pl->ops[i];
                char a[64];
                attrs_text(op->attr, a, sizeof(a));
                fprintf(f, "%s{\"op\":\"%s\",\"slot\":%d,\"path\":", i ? "," : "", op_names[op->kind], op->slot);
                json_put_string(f, op->path);
                fprintf(f, ",\"sub\":");
                json_put_string(f, op->sub);
                fprintf(f, ",\"attr\":\"%s\",\"why\":", a);
                json_put_string(f, op->why);
                fputc('}', f);
        }
        fprintf(f, "],\"landlock\":{\"abi\":%d,\"scoped\":%s,\"rules\":[", pl->confine ? pl->landlock_abi : 0,
                pl->confine && pl->landlock_scopes ? "true" : "false");
        for (size_t i = 0; i < pl->n_rules; i++) {
                fprintf(f, "%s{\"path\":", i ? "," : "");
                json_put_string(f, pl->rules[i].path);
                fprintf(f, ",\"access\":\"%s\"}", access_text(pl->rules[i].access));
        }
        fprintf(f, "]},\"seccomp\":{\"installed\":%s,\"rules\":%zu},\"placeholders\":[", pl->confine ? "true" : "false",
                pl->confine ? seccomp_rule_count() : 0);
        bool first_ph = true;
        for (size_t i = 0; i < pl->n_placeholders; i++)
                if (pl->placeholders[i].missing) {
                        fputs(first_ph ? "" : ",", f);
                        json_put_string(f, pl->placeholders[i].path);
                        first_ph = false;
                }
        fprintf(f, "],\"git_repositories\":[");
        for (size_t i = 0; i < pl->git_repos.n; i++) {
                const char *repo = pl->git_repos.v[i];
                size_t n = strlen(repo);
                fprintf(f, "%s{\"gitdir\":", i ? "," : "");
                json_put_string(f, repo);
                fprintf(f, ",\"read_only\":[");
                bool first_ro = true;
                for (size_t k = 0; k < pl->n_protected; k++) {
                        const char *o = pl->protected[k].path;
                        if (strncmp(o, repo, n) != 0 || o[n] != '/' || strchr(o + n + 1, '/'))
                                continue;
                        fputs(first_ro ? "" : ",", f);
                        json_put_string(f, o + n + 1);
                        first_ro = false;
                }
                fprintf(f, "]}");
        }
        fprintf(f, "],\"caches\":");
        plan_caches_describe_json(pl, f);
        fprintf(f, ",\"proxy\":");
        if (pl->proxy.on)
                fprintf(f, "{\"port\":%u,\"listen\":[\"127.0.0.1\",\"::1\"]}", pl->proxy.port);
        else
                fprintf(f, "null");
        fprintf(f, ",\"env_dropped\":");
        json_strv(f, &pl->env_dropped);
        fprintf(f, ",\"env_added\":");
        json_strv(f, &pl->env_added);
        fprintf(f, ",\"command\":");
        json_strv(f, &pl->argv);
        fprintf(f, ",\"notes\":");
        json_strv(f, &pl->notes);
        fprintf(f, "}}\n");
}
