/* SPDX-License-Identifier: MIT
 * corral explain on Windows: a plan (plan_win.h) as text or one JSON object. */
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "windows/plan_win.h"

void win_plan_describe(const win_plan *pl, FILE *f) {
        fprintf(f, "backend: %s\n", win_backend_name(pl->backend));
        if (pl->backend == WIN_BACKEND_USERS)
                fprintf(f, "identity: %s (through %s), restricted token\n", pl->identity, pl->setup.runner);
        else if (pl->backend == WIN_BACKEND_RESTRICTED)
                fprintf(f, "identity: you, restricted token (DISABLE_MAX_PRIVILEGE, LUA_TOKEN, WRITE_RESTRICTED)\n");
        else
                fprintf(f, "identity: you, unrestricted (full-access); job object, timeout\n");
        fprintf(f, "mode: %s\n", policy_mode_to_string(pl->mode));
        if (pl->proxy && pl->backend != WIN_BACKEND_FULL) {
                if (pl->backend == WIN_BACKEND_USERS)
                        fprintf(f, "network: proxy on 127.0.0.1:%u, run by corral as you (Windows Firewall: %s reaches "
                                   "that loopback port only; the proxy serves this run's processes only)\n",
                                pl->proxy_port, pl->identity);
                else
                        fprintf(f, "network: proxy on 127.0.0.1 (a port chosen at run time), ADVISORY ONLY (proxy "
                                   "variables; not enforced)\n");
                for (size_t i = 0; i < pl->net_allow.n; i++)
                        fprintf(f, "  allow_domains: %s\n", pl->net_allow.v[i]);
                for (size_t i = 0; i < pl->net_deny.n; i++)
                        fprintf(f, "  deny_domains: %s\n", pl->net_deny.v[i]);
                fprintf(f, "  allow_ports:");
                for (size_t i = 0; i < pl->n_net_ports; i++)
                        fprintf(f, "%s%u", i ? "," : " ", pl->net_ports[i]);
                fprintf(f, "\n  refused after resolution unless allowed by address: loopback, private, link-local, "
                           "CGNAT, ULA, multicast and this machine's addresses; a tunnel's TLS server name must be the "
                           "requested host\n");
        } else
                fprintf(f, "network: %s\n",
                        pl->network == NETWORK_ON           ? "on"
                        : pl->backend == WIN_BACKEND_USERS  ? "off (Windows Firewall rules on the offline user)"
                        : pl->advisory_network              ? "off, ADVISORY ONLY (proxy variables; not enforced)"
                                                            : "off");
        fprintf(f, "workspace: %s\ncwd: %s\n", pl->workspace, pl->cwd);
        for (size_t i = 0; i < pl->roots.n; i++)
                fprintf(f, "writable root: %s (capability %s; inheritable allow ACE, granted once)\n", pl->roots.v[i],
                        pl->root_sids.v[i]);
        if (pl->tmp_dir)
                fprintf(f, "TEMP: %s (%s; capability %s)\n", pl->tmp_dir,
                        pl->tmp_fresh ? "created for this run, removed after" : "kept across runs", pl->tmp_sid);
        for (size_t i = 0; i < pl->protect_existing.n; i++)
                fprintf(f, "protected: %s (deny ACE: write, attributes, EAs, delete, delete-child)\n",
                        pl->protect_existing.v[i]);
        for (size_t i = 0; i < pl->protect_missing.n; i++)
                fprintf(f, "protected (missing): %s (empty placeholder directory with the deny ACE for the run)\n",
                        pl->protect_missing.v[i]);
        for (size_t i = 0; i < pl->n_git_dirs; i++) {
                const win_git_dir *g = &pl->git_dirs[i];
                fprintf(f, "git (--git commits): %s: git's state writable (objects, refs, logs, the index, HEAD, ...)%s\n",
                        g->path,
                        g->top ? "; its deny ACE becomes a pin (no rename, delete or ACL change) for the run, and comes "
                                 "back after it"
                               : "; pinned (no rename)");
                for (size_t k = 0; k < g->protect.n; k++)
                        fprintf(f, "  stays read-only: %s (deny ACE)\n", g->protect.v[k]);
                for (size_t k = 0; k < g->n_hold; k++)
                        fprintf(f, "  stays read-only (missing): %s (placeholder %s with the deny ACE for the run)\n",
                                g->hold[k].path, !g->hold[k].text ? "directory" : *g->hold[k].text ? "file naming \".\"" : "empty file");
        }
        if (pl->n_git_dirs)
                fprintf(f, "git (--git commits): after the run, whatever the run made or changed of a rebase, am, "
                           "sequencer or rerere state, new modules/ and worktrees/ entries, a bad index and a "
                           "submodule's .git the run made are set aside, and links made in a gitdir are removed\n");
        if (pl->repos.dirs.n)
                fprintf(f, "repositories the command makes below the top of a root: after the run, compared by path "
                           "and file identity with the %zu directories and %zu protected names within protect_depth "
                           "(and the %zu directories just below it) recorded now; a new .git or bare HEAD is set aside "
                           "when its directory was there or it holds what git would run, and reported otherwise\n",
                        pl->repos.dirs.n, pl->repos.found.n, pl->repos.edge.n);
        for (size_t i = 0; i < pl->not_enforced.n; i++)
                fprintf(f, "NOT ENFORCED: %s\n", pl->not_enforced.v[i]);
        if (pl->timeout_ms)
                fprintf(f, "timeout: %llu ms (then the job is terminated: exit 124)\n",
                        (unsigned long long)pl->timeout_ms);
        if (pl->memory_bytes || pl->max_processes || pl->cpu_seconds)
                fprintf(f, "job limits: memory %llu bytes, processes %llu, cpu %llu s per process (0: none)\n",
                        (unsigned long long)pl->memory_bytes, (unsigned long long)pl->max_processes,
                        (unsigned long long)pl->cpu_seconds);
        fprintf(f, "environment: %u variables (%u dropped)\n", (unsigned)pl->env.n, (unsigned)pl->env_dropped.n);
        if (pl->argv.n) {
                if (!pl->program)
                        fprintf(f, "command: %s: not found on PATH (exit 127)\n", pl->argv.v[0]);
                else
                        fprintf(f, "program: %s%s\ncommand line: %s\n", pl->app,
                                pl->batch ? " (batch script: run through cmd.exe, arguments quoted for it)" : "",
                                pl->cmdline);
        }
}

void win_plan_describe_json(const win_plan *pl, FILE *f) {
        fprintf(f, "{\"backend\":");
        json_put_string(f, win_backend_name(pl->backend));
        fprintf(f, ",\"identity\":");
        json_put_string(f, pl->backend == WIN_BACKEND_USERS ? pl->identity : NULL);
        fprintf(f, ",\"mode\":");
        json_put_string(f, policy_mode_to_string(pl->mode));
        fprintf(f, ",\"network\":");
        json_put_string(f, policy_network_to_string(pl->network));
        fprintf(f, ",\"network_enforced\":%s", pl->network == NETWORK_ON || pl->backend == WIN_BACKEND_USERS
                                                       ? "true"
                                                       : "false");
        if (pl->proxy && pl->backend != WIN_BACKEND_FULL) {
                fprintf(f, ",\"proxy_port\":%u,\"allow_domains\":", pl->proxy_port);
                json_strv(f, &pl->net_allow);
                fprintf(f, ",\"deny_domains\":");
                json_strv(f, &pl->net_deny);
                fprintf(f, ",\"allow_ports\":[");
                for (size_t i = 0; i < pl->n_net_ports; i++)
                        fprintf(f, "%s%u", i ? "," : "", pl->net_ports[i]);
                fprintf(f, "]");
        }
        fprintf(f, ",\"workspace\":");
        json_put_string(f, pl->workspace);
        fprintf(f, ",\"cwd\":");
        json_put_string(f, pl->cwd);
        fprintf(f, ",\"writable_roots\":");
        json_strv(f, &pl->roots);
        fprintf(f, ",\"capability_sids\":");
        json_strv(f, &pl->root_sids);
        fprintf(f, ",\"temp\":");
        json_put_string(f, pl->tmp_dir);
        fprintf(f, ",\"protected\":");
        json_strv(f, &pl->protect_existing);
        fprintf(f, ",\"placeholders\":");
        json_strv(f, &pl->protect_missing);
        /* as on Linux (plan/describe.c): each gitdir with the names of its
         * entries that stay read-only, held ones included */
        fprintf(f, ",\"git_repositories\":[");
        for (size_t i = 0; i < pl->n_git_dirs; i++) {
                const win_git_dir *g = &pl->git_dirs[i];
                size_t n = strlen(g->path);
                fprintf(f, "%s{\"gitdir\":", i ? "," : "");
                json_put_string(f, g->path);
                fprintf(f, ",\"read_only\":[");
                for (size_t k = 0; k < g->protect.n; k++) {
                        fprintf(f, "%s", k ? "," : "");
                        json_put_string(f, g->protect.v[k] + n + 1);
                }
                for (size_t k = 0; k < g->n_hold; k++) {
                        fprintf(f, "%s", k || g->protect.n ? "," : "");
                        json_put_string(f, g->hold[k].path + n + 1);
                }
                fprintf(f, "],\"placeholders\":[");
                for (size_t k = 0; k < g->n_hold; k++) {
                        fprintf(f, "%s", k ? "," : "");
                        json_put_string(f, g->hold[k].path + n + 1);
                }
                fprintf(f, "]}");
        }
        fprintf(f, "]");
        fprintf(f, ",\"not_enforced\":");
        json_strv(f, &pl->not_enforced);
        fprintf(f, ",\"timeout_ms\":%llu", (unsigned long long)pl->timeout_ms);
        fprintf(f, ",\"program\":");
        json_put_string(f, pl->app);
        fprintf(f, ",\"command_line\":");
        json_put_string(f, pl->cmdline);
        fprintf(f, ",\"env_dropped\":");
        json_strv(f, &pl->env_dropped);
        fprintf(f, "}\n");
}
