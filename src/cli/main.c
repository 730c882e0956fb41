/* SPDX-License-Identifier: MIT
 * The corral command: argument parsing over libcorral, nothing more. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"
#include "common/timing.h"
#include "corral.h"
#include "doctor/probe.h"
#ifndef _WIN32
int mcp_main(int argc, char **argv); /* src/mcp/start.c */
#include "kernel/probe.h"
#endif
#ifdef _WIN32
#include "windows/cli_win.h" /* UTF-8 argv, fcntl/dprintf stand-ins, the UAC setup launcher */
#endif

#define EXIT_SETUP 125

static const char usage_run[] =
        "usage: corral run [OPTIONS] [--] COMMAND [ARG...]\n"
        "  -W, --workspace DIR        the workspace (default: the current directory)\n"
        "  -C, --cwd DIR              where COMMAND starts (default: the workspace)\n"
        "  -m, --mode MODE            read-only | workspace-write (default) | full-access\n"
        "  -w, --writable-root PATH   another writable root (repeatable)\n"
        "  -p, --protect NAME         another protected name in every writable root (repeatable)\n"
        "      --unprotect NAME       take a default protected name out (repeatable; not .corral, .corral.toml)\n"
        "      --protect-depth N      look for protected names N directory levels deep (default 1)\n"
        "      --deny-read PATH       hide PATH from the command (repeatable)\n"
        "      --allow-read PATH      un-hide a path the deny-read list hides (repeatable)\n"
        "      --allow-unix-socket PATH  let the command connect to this host socket (repeatable)\n"
        "      --allow-broad-root     allow a broad writable root: /, the home directory or an ancestor,\n"
        "                             or one holding a PATH directory or the config home\n"
        "      --report-denials[=LEVEL]  say which operations the sandbox refused, and how to allow them:\n"
        "                             writes (the default: all but reads of hidden paths), all (the bare\n"
        "                             flag; those reads too, every open judged), off\n"
        "  -n, --network MODE         off (default) | on | proxy\n"
        "      --allow-domain DOMAIN  let the command reach DOMAIN (*.DOMAIN: its subdomains) through\n"
        "                             corral's proxy, and nothing else (repeatable; implies -n proxy)\n"
        "      --deny-domain DOMAIN   never let the command reach DOMAIN (repeatable; wins over allow)\n"
#ifdef _WIN32
        "      --allow-advisory-network  allow --network off without `corral setup`: ADVISORY, not enforced\n"
#endif
        "  -t, --timeout SECONDS      kill the whole sandbox after SECONDS\n"
        "      --tmp KIND             workspace (default) | private | host\n"
        "      --git MODE             read-only (default) | commits: commits, branches, stashes work;\n"
        "                             git's config and hooks stay read-only\n"
        "      --backend NAME         auto (default) | userns | users\n"
        "      --config FILE          read FILE as the user config\n"
        "      --no-workspace-config  ignore <workspace>/.corral.toml\n"
        "      --status-fd FD         write a JSON status record to FD when the command ends\n"
        "      --limit-memory BYTES   memory limit (512M, 2G; cgroup v2 for the tree, else per process)\n"
        "      --limit-pids N         at most N processes and threads\n"
        "      --limit-cpu SECONDS    CPU seconds per process, then it is killed\n"
        "      --limit-tmp BYTES      size of the private /tmp and /dev/shm (with --tmp private)\n"
        "      --cache NAME=MODE      a package-manager cache (npm, pip, cargo, ..., all): read-through\n"
        "                             (default) | private | off (repeatable)\n"
        "  -v, --verbose              say what is being set up, on stderr\n"
        "      --timing               print a timeline of the run, phase by phase, on stderr\n";

static const char usage_main[] =
        "usage: corral run [OPTIONS] [--] COMMAND [ARG...]    run COMMAND in the sandbox\n"
        "       corral explain [OPTIONS] [--json] [-- COMMAND] the resolved policy and the plan\n"
        "       corral doctor [--json]                          what this machine supports\n"
        "       corral cache [list|clear] [OPTIONS] [NAME...]   the workspace's private caches, their sizes\n"
        "       corral setup [ARGS]                             install the users backend (corral-setup, via sudo)\n"
        "       corral grant [--read] DIR...                    let the sandbox users reach (and read) DIR\n"
        "       corral revoke DIR...                            undo corral grant\n"
        "       corral mcp [RUN OPTIONS]                        an MCP server on stdio: a sandbox per tool call\n"
        "       corral version\n"
        "Run `corral run --help` for the options.\n";

enum {
        OPT_DENY_READ = 256,
        OPT_PROTECT_DEPTH,
        OPT_UNPROTECT,
        OPT_ALLOW_READ,
        OPT_ALLOW_SOCKET,
        OPT_ALLOW_BROAD,
        OPT_REPORT_DENIALS,
        OPT_TMP,
        OPT_GIT,
        OPT_BACKEND,
        OPT_CONFIG,
        OPT_NO_WS_CONFIG,
        OPT_STATUS_FD,
        OPT_JSON,
        OPT_HELP,
#ifdef _WIN32
        OPT_ALLOW_ADVISORY_NETWORK,
#endif
        OPT_LIMIT_MEMORY,
        OPT_LIMIT_PIDS,
        OPT_LIMIT_CPU,
        OPT_LIMIT_TMP,
        OPT_TIMING,
        OPT_CACHE,
        OPT_ALLOW_DOMAIN,
        OPT_DENY_DOMAIN,
};

static const struct option run_options[] = {
        {"workspace", required_argument, NULL, 'W'},
        {"cwd", required_argument, NULL, 'C'},
        {"mode", required_argument, NULL, 'm'},
        {"writable-root", required_argument, NULL, 'w'},
        {"protect", required_argument, NULL, 'p'},
        {"protect-depth", required_argument, NULL, OPT_PROTECT_DEPTH},
        {"unprotect", required_argument, NULL, OPT_UNPROTECT},
        {"deny-read", required_argument, NULL, OPT_DENY_READ},
        {"allow-read", required_argument, NULL, OPT_ALLOW_READ},
        {"allow-unix-socket", required_argument, NULL, OPT_ALLOW_SOCKET},
        {"allow-broad-root", no_argument, NULL, OPT_ALLOW_BROAD},
        {"report-denials", optional_argument, NULL, OPT_REPORT_DENIALS},
        {"network", required_argument, NULL, 'n'},
        {"allow-domain", required_argument, NULL, OPT_ALLOW_DOMAIN},
        {"deny-domain", required_argument, NULL, OPT_DENY_DOMAIN},
        {"timeout", required_argument, NULL, 't'},
        {"tmp", required_argument, NULL, OPT_TMP},
        {"git", required_argument, NULL, OPT_GIT},
        {"backend", required_argument, NULL, OPT_BACKEND},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"no-workspace-config", no_argument, NULL, OPT_NO_WS_CONFIG},
        {"status-fd", required_argument, NULL, OPT_STATUS_FD},
        {"limit-memory", required_argument, NULL, OPT_LIMIT_MEMORY},
        {"limit-pids", required_argument, NULL, OPT_LIMIT_PIDS},
        {"limit-cpu", required_argument, NULL, OPT_LIMIT_CPU},
        {"limit-tmp", required_argument, NULL, OPT_LIMIT_TMP},
        {"cache", required_argument, NULL, OPT_CACHE},
        {"verbose", no_argument, NULL, 'v'},
        {"timing", no_argument, NULL, OPT_TIMING},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, OPT_HELP},
#ifdef _WIN32
        {"allow-advisory-network", no_argument, NULL, OPT_ALLOW_ADVISORY_NETWORK},
#endif
        {0},
};

/* Which request key each option sets. */
static const char *option_key(int opt) {
        switch (opt) {
        case 'W': return "workspace";
        case 'C': return "cwd";
        case 'm': return "mode";
        case 'w': return "writable_roots";
        case 'p': return "protect";
        case OPT_PROTECT_DEPTH: return "protect_depth";
        case OPT_UNPROTECT: return "unprotect";
        case OPT_DENY_READ: return "deny_read";
        case OPT_ALLOW_READ: return "allow_read";
        case OPT_ALLOW_SOCKET: return "allow_unix_sockets";
        case OPT_ALLOW_BROAD: return "allow_broad_roots";
        case OPT_REPORT_DENIALS: return "report_denials";
        case 'n': return "network";
        case OPT_ALLOW_DOMAIN: return "network.allow_domains";
        case OPT_DENY_DOMAIN: return "network.deny_domains";
        case 't': return "timeout";
        case OPT_TMP: return "tmp";
        case OPT_GIT: return "git";
        case OPT_BACKEND: return "backend";
        case OPT_CONFIG: return "config";
        case OPT_NO_WS_CONFIG: return "no_workspace_config";
#ifdef _WIN32
        case OPT_ALLOW_ADVISORY_NETWORK: return "allow_advisory_network";
#endif
        case OPT_LIMIT_MEMORY: return "limits.memory";
        case OPT_LIMIT_PIDS: return "limits.pids";
        case OPT_LIMIT_CPU: return "limits.cpu";
        case OPT_LIMIT_TMP: return "limits.tmp";
        }
        return NULL;
}

typedef struct cli {
        corral_request *req;
        bool verbose, json, timing;
        int status_fd;
} cli;

static void cli_done(cli *c) { corral_request_free(c->req); }
static void sandbox_freep(corral_sandbox **sb) { corral_sandbox_free(*sb); }

static int parse_options(cli *c, int argc, char **argv, bool allow_json, const char *usage) {
        corral_error err = {{0}};
        int opt;
        optind = 1;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+W:C:m:w:p:n:t:v", run_options, NULL)) != -1) {
                const char *key = option_key(opt);
                if (key) {
                        const char *value = optarg ? optarg : "true";
                        if (corral_request_set(c->req, key, value, &err) < 0) {
                                fprintf(stderr, "corral: %s\n", err.msg);
                                return -EINVAL;
                        }
                        continue;
                }
                switch (opt) {
                case 'v': c->verbose = true; break;
                case OPT_TIMING:
                        if (timing_enable() < 0) {
                                fprintf(stderr, "corral: --timing: not available on this platform\n");
                                return -EINVAL;
                        }
                        c->timing = true;
                        break;
                case OPT_CACHE: {
                        // NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): getopt sets optarg for required_argument
                        const char *eq = strchr(optarg, '=');
                        char k[64];
                        if (!eq || eq == optarg || (size_t)(eq - optarg) > 32) {
                                fprintf(stderr, "corral: --cache %s: expected NAME=MODE (npm=private, all=off)\n",
                                        optarg);
                                return -EINVAL;
                        }
                        snprintf(k, sizeof(k), "caches.%.*s", (int)(eq - optarg), optarg);
                        if (corral_request_set(c->req, k, eq + 1, &err) < 0) {
                                fprintf(stderr, "corral: --cache %s: %s\n", optarg, err.msg);
                                return -EINVAL;
                        }
                        break;
                }
                case OPT_JSON:
                        if (!allow_json)
                                goto bad;
                        c->json = true;
                        break;
                case OPT_STATUS_FD: {
                        char *end;
                        errno = 0;
                        // NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): getopt sets optarg for required_argument
                        long fd = strtol(optarg, &end, 10);
                        if (errno || *end || fd < 0 || fd > 1 << 20 || fcntl((int)fd, F_GETFD) < 0) {
                                fprintf(stderr, "corral: --status-fd %s: not an open file descriptor\n", optarg);
                                return -EINVAL;
                        }
                        c->status_fd = (int)fd;
                        fcntl(c->status_fd, F_SETFD, FD_CLOEXEC);
                        break;
                }
                case OPT_HELP: fputs(usage, stdout); exit(0);
                default:
                bad:
                        if (optopt && optopt < 256)
                                fprintf(stderr, "corral: option -%c: %s\n", optopt,
                                        strchr("WCmwpnt", optopt) ? "needs an argument" : "unknown option");
                        else
                                fprintf(stderr, "corral: %s: unknown option or missing argument\n", argv[optind - 1]);
                        fputs(usage, stderr);
                        return -EINVAL;
                }
        }
        return optind;
}

/* s as a JSON string (null for NULL), in pieces: dprintf is what Windows
 * has too (windows/cli_win.h). */
static void dprint_json(int fd, const char *s) {
        if (!s) {
                dprintf(fd, "null");
                return;
        }
        char buf[512];
        size_t n = 0;
        buf[n++] = '"';
        for (const unsigned char *p = (const unsigned char *)s;; p++) {
                if (n > sizeof(buf) - 8 || !*p) {
                        dprintf(fd, "%.*s", (int)n, buf);
                        n = 0;
                }
                if (!*p)
                        break;
                if (*p == '"' || *p == '\\')
                        n += (size_t)snprintf(buf + n, 8, "\\%c", *p);
                else if (*p < 0x20)
                        n += (size_t)snprintf(buf + n, 8, "\\u%04x", *p);
                else
                        buf[n++] = (char)*p;
        }
        dprintf(fd, "\"");
}

static void write_status(int fd, const corral_status *st) {
        if (fd < 0)
                return;
        dprintf(fd,
                "{\"exit_code\":%d,\"signal\":%d,\"timed_out\":%s,\"wall_ms\":%llu,\"backend\":\"%s\","
                "\"proc\":%s%s%s,\"limit\":%s%s%s,\"limit_certain\":%s,\"denials\":[",
                st->exit_code, st->signal, st->timed_out ? "true" : "false", (unsigned long long)st->wall_ms,
                st->backend, st->proc ? "\"" : "", st->proc ? st->proc : "null", st->proc ? "\"" : "", st->limit ? "\"" : "", st->limit ? st->limit : "null", st->limit ? "\"" : "",
                st->limit_certain ? "true" : "false");
        /* docs/design.md, "Denial reports" */
        for (size_t i = 0; i < st->n_denials; i++) {
                const corral_denial *d = &st->denials[i];
                dprintf(fd, "%s{\"op\":", i ? "," : "");
                dprint_json(fd, d->op);
                dprintf(fd, d->path ? ",\"path\":" : d->address ? ",\"address\":" : ",\"syscall\":");
                dprint_json(fd, d->path ? d->path : d->address ? d->address : d->syscall);
                dprintf(fd, ",\"rule\":");
                dprint_json(fd, d->rule);
                dprintf(fd, ",\"allow_with\":");
                dprint_json(fd, d->allow_with);
                dprintf(fd, "}");
        }
        dprintf(fd, "],\"denials_more\":%llu,\"denial_reports\":%s,\"denial_level\":\"%s\",\"network_refusals\":[",
                (unsigned long long)st->more_denials, st->reports ? "true" : "false",
                st->denial_level ? st->denial_level : "off");
        /* the network proxy's refusals (docs/config.md, "[network]") */
        for (size_t i = 0; i < st->n_refusals; i++) {
                const corral_refusal *r = &st->refusals[i];
                dprintf(fd, "%s{\"op\":", i ? "," : "");
                dprint_json(fd, r->op);
                dprintf(fd, ",\"address\":");
                dprint_json(fd, r->address);
                dprintf(fd, ",\"rule\":");
                dprint_json(fd, r->rule);
                dprintf(fd, ",\"allow_with\":");
                dprint_json(fd, r->allow_with);
                dprintf(fd, ",\"count\":%u}", r->count);
        }
        dprintf(fd, "]}\n");
}

/* After a run: what the network proxy refused, one line each. */
static void report_refusals(const corral_status *st) {
        for (size_t i = 0; i < st->n_refusals; i++) {
                const corral_refusal *r = &st->refusals[i];
                fprintf(stderr, "corral: network: refused %s, %s", r->address, r->rule);
                if (r->count > 1)
                        fprintf(stderr, " (%u times)", r->count);
                if (r->allow_with[0])
                        fprintf(stderr, " (allow with %s)", r->allow_with);
                fputc('\n', stderr);
        }
}

static int cmd_run_or_explain(int argc, char **argv, bool explain) {
        _cleanup_(cli_done) cli c = {.req = corral_request_new(), .status_fd = -1};
        corral_error err = {{0}};
        _cleanup_(sandbox_freep) corral_sandbox *sb = NULL;
        if (!c.req)
                return EXIT_SETUP;
        int idx = parse_options(&c, argc, argv, explain, explain ? usage_main : usage_run);
        if (idx < 0)
                return EXIT_SETUP;
        if (!explain && idx >= argc) {
                fprintf(stderr, "corral: run: no command given\n%s", usage_run);
                return EXIT_SETUP;
        }
        corral_request_set_command(c.req, argv + idx);
#ifndef _WIN32
        if (landlock_abi_lowered() >= 0) /* never less protection without saying so */
                fprintf(stderr, "corral: warning: CORRAL_TEST_LANDLOCK_ABI lowers Landlock to ABI %d (this kernel "
                                "has %d): a test switch that simulates an older kernel (the users backend's runner ignores it)\n",
                        landlock_abi_lowered(), landlock_kernel_abi());
#endif
        if (corral_sandbox_new(c.req, &sb, &err) < 0) {
                fprintf(stderr, "corral: %s\n", err.msg);
                return EXIT_SETUP;
        }
        if (explain)
                return corral_sandbox_explain(sb, stdout, c.json) < 0 ? 1 : 0;
        if (c.verbose)
                corral_sandbox_explain(sb, stderr, false);
        corral_status st;
        if (corral_sandbox_run(sb, c.verbose, &st, &err) < 0) {
                fprintf(stderr, "corral: %s\n", err.msg);
                const char *level = st.denial_level;
                st = (corral_status){.exit_code = EXIT_SETUP, .backend = "userns", .denial_level = level};
                write_status(c.status_fd, &st);
                return EXIT_SETUP;
        }
        if (st.exit_code == 126 || st.exit_code == 127)
                if (err.msg[0])
                        fprintf(stderr, "corral: %s\n", err.msg);
        report_refusals(&st);
        if (st.timed_out)
                fprintf(stderr, "corral: timed out after %llu ms; the whole sandbox was killed\n",
                        (unsigned long long)st.wall_ms);
        if (st.limit && st.limit_certain)
                fprintf(stderr, "corral: the command was killed by its %s limit\n", st.limit);
        else if (st.limit)
                fprintf(stderr, "corral: the command died of signal %d under a %s limit; it probably hit it "
                                "(an rlimit, so corral cannot see the failed allocation itself)\n",
                        st.signal, st.limit);
        write_status(c.status_fd, &st);
        if (c.timing)
                timing_print(stderr);
        return st.exit_code;
}

#ifndef _WIN32
/* corral cache [list|clear] [OPTIONS] [NAME...]: the workspace's private
 * caches, with their sizes; clear removes the named ones (all without names). */
static int cmd_cache(int argc, char **argv) {
        bool clear = false;
        if (argc > 1 && (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "clear") == 0)) {
                clear = argv[1][0] == 'c';
                argc--, argv++;
        }
        _cleanup_(cli_done) cli c = {.req = corral_request_new(), .status_fd = -1};
        corral_error err = {{0}};
        _cleanup_(sandbox_freep) corral_sandbox *sb = NULL;
        if (!c.req)
                return EXIT_SETUP;
        int idx = parse_options(&c, argc, argv, !clear, usage_main);
        if (idx < 0)
                return EXIT_SETUP;
        if (!clear && idx < argc) {
                fprintf(stderr, "corral: cache: unexpected argument '%s'\n%s", argv[idx], usage_main);
                return EXIT_SETUP;
        }
        if (corral_sandbox_new(c.req, &sb, &err) < 0) {
                fprintf(stderr, "corral: %s\n", err.msg);
                return EXIT_SETUP;
        }
        int r = clear ? corral_sandbox_caches_clear(sb, argv + idx, (size_t)(argc - idx), stdout, &err)
                      : corral_sandbox_caches(sb, stdout, c.json, &err);
        if (r < 0)
                fprintf(stderr, "corral: %s\n", err.msg);
        return r < 0 ? 1 : 0;
}
#endif

static int cmd_doctor(int argc, char **argv) {
        bool json = false;
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--json") == 0)
                        json = true;
                else {
                        fprintf(stderr, "corral: doctor: unknown option %s\n", argv[i]);
                        return EXIT_SETUP;
                }
        }
        return corral_doctor(stdout, json) < 0 ? 1 : 0;
}

/* --- the users backend's commands (docs/elevated.md) --- */

#ifndef _WIN32 /* Windows: windows/cli_win.c */
/* corral setup ARGS: corral-setup from next to this program (the build
 * directory) or $prefix/sbin, through sudo unless already root. */
static int cmd_setup(int argc, char **argv) {
        char exe[4096], path[4200];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        exe[n > 0 ? n : 0] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
                *slash = 0;
        snprintf(path, sizeof(path), "%s/corral-setup", exe);
        if (access(path, X_OK) < 0)
                snprintf(path, sizeof(path), "%s/../sbin/corral-setup", exe);
        char **args = calloc((size_t)argc + 3, sizeof(char *));
        if (!args)
                return EXIT_SETUP;
        int k = 0;
        if (geteuid() != 0)
                args[k++] = "sudo";
        args[k++] = path;
        for (int i = 1; i < argc; i++)
                args[k++] = argv[i];
        execvp(args[0], args);
        fprintf(stderr, "corral: cannot run %s: %s\n", args[0], strerror(errno));
        free(args);
        return EXIT_SETUP;
}
#endif

static int cmd_grant(int argc, char **argv, bool revoke) {
        bool read = false;
        int ret = 0, n = 0;
        for (int i = 1; i < argc; i++) {
                if (!revoke && strcmp(argv[i], "--read") == 0) {
                        read = true;
                        continue;
                }
                corral_error err = {{0}};
                n++;
                if ((revoke ? corral_revoke(argv[i], &err) : corral_grant(argv[i], read, &err)) < 0) {
                        fprintf(stderr, "corral: %s\n", err.msg);
                        ret = 1;
                }
        }
        if (n == 0) {
                fprintf(stderr, "usage: corral %s\n", revoke ? "revoke DIR..." : "grant [--read] DIR...");
                return 2;
        }
        return ret;
}

#ifndef _WIN32 /* Windows: windows/cli_win.c */
/* fds 0-2 must be open, or a file we open could land there. */
static void ensure_std_fds(void) {
        for (int fd = 0; fd < 3; fd++)
                if (fcntl(fd, F_GETFD) < 0)
                        if (open("/dev/null", O_RDWR) != fd)
                                exit(EXIT_SETUP);
}
#endif

int main(int argc, char **argv) {
        timing_mark(TP_MAIN);
        ensure_std_fds();
#ifdef _WIN32
        argv = cli_win_utf8_argv(&argc);
#endif
        if (argc < 2) {
                fputs(usage_main, stderr);
                return EXIT_SETUP;
        }
        const char *cmd = argv[1];
        if (strcmp(cmd, "run") == 0)
                return cmd_run_or_explain(argc - 1, argv + 1, false);
        if (strcmp(cmd, "explain") == 0)
                return cmd_run_or_explain(argc - 1, argv + 1, true);
        if (strcmp(cmd, "doctor") == 0)
                return cmd_doctor(argc - 1, argv + 1);
        if (strcmp(cmd, "setup") == 0)
                return cmd_setup(argc - 1, argv + 1);
#ifndef _WIN32
        if (strcmp(cmd, "mcp") == 0) /* src/mcp: an MCP server over stdio */
                return mcp_main(argc - 1, argv + 1);
        if (strcmp(cmd, "cache") == 0)
                return cmd_cache(argc - 1, argv + 1);
#endif
        if (strcmp(cmd, "grant") == 0 || strcmp(cmd, "revoke") == 0)
                return cmd_grant(argc - 1, argv + 1, cmd[0] == 'r');
        if (strcmp(cmd, "__doctor-probe") == 0 && argc == 4) /* run by doctor, inside a sandbox */
                return doctor_probe_main(argv[2], argv[3]);
        if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
                printf("corral %s\n", corral_version());
                return 0;
        }
        if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
                fputs(usage_main, stdout);
                return 0;
        }
        fprintf(stderr, "corral: unknown command '%s'\n%s", cmd, usage_main);
        return EXIT_SETUP;
}
