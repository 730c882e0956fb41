/* SPDX-License-Identifier: MIT
 * `corral mcp [--max-output BYTES] [--max-calls N] [RUN OPTIONS]`: the
 * server's policy, fixed before the first message is read.
 *
 * The run options are checked, and the resolved policy read back, by running
 * `corral explain --json RUN-OPTIONS -- true` once: the very parser and the
 * very config layers that every call's `corral run` uses. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mcp/mcp.h"

int mcp_main(int argc, char **argv);

static const char usage[] =
        "usage: corral mcp [--max-output BYTES] [--max-calls N] [RUN OPTIONS]\n"
        "An MCP server on stdin/stdout with one tool, run: every call is a fresh sandbox with the policy\n"
        "of `corral run RUN OPTIONS` (and the user's config); a call can only narrow it.\n"
        "  --max-output BYTES   keep at most BYTES of each of stdout and stderr (default 102400)\n"
        "  --max-calls N        calls running at once (default 8)\n"
        "RUN OPTIONS: those of `corral run --help`, except --status-fd (the server uses it).\n";

/* The output of `corral explain --json OPTS -- true`, or NULL (its stderr
 * has said why). */
static char *explain(const char *exe, char **opts, int n) {
        char **av = calloc((size_t)n + 6, sizeof(char *));
        int pfd[2];
        if (!av || pipe2(pfd, O_CLOEXEC) < 0) {
                free(av);
                return NULL;
        }
        int k = 0;
        av[k++] = (char *)exe;
        av[k++] = "explain";
        av[k++] = "--json";
        for (int i = 0; i < n; i++)
                av[k++] = opts[i];
        av[k++] = "--";
        av[k++] = "true";
        pid_t pid = fork();
        if (pid == 0) {
                dup2(pfd[1], 1);
                execv(exe, av);
                _exit(127);
        }
        close(pfd[1]);
        free(av);
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        char buf[8192];
        ssize_t r;
        while (f && (r = read(pfd[0], buf, sizeof(buf))) != 0) {
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        break;
                fwrite(buf, 1, (size_t)r, f);
        }
        close(pfd[0]);
        if (f)
                fclose(f);
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

static int parse_size(const char *s, size_t *out) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || *end || v == 0 || v > (1ULL << 30))
                return -1;
        *out = (size_t)v;
        return 0;
}

int mcp_main(int argc, char **argv) {
        static char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n <= 0) {
                fprintf(stderr, "corral mcp: cannot find its own binary (/proc/self/exe): %s\n", strerror(errno));
                return 125;
        }
        exe[n] = 0;
        mcp_policy p = {.exe = exe, .max_output = (size_t)100 * 1024, .max_calls = 8};
        char **opts = calloc((size_t)argc + 1, sizeof(char *));
        if (!opts)
                return 125;
        int k = 0;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                size_t v;
                if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                        fputs(usage, stdout);
                        free(opts);
                        return 0;
                }
                if ((strcmp(a, "--max-output") == 0 || strcmp(a, "--max-calls") == 0)) {
                        if (i + 1 >= argc || parse_size(argv[i + 1], &v) < 0 ||
                            (a[6] == 'c' && v > 64)) {
                                fprintf(stderr, "corral mcp: %s needs a number above 0%s\n", a,
                                        a[6] == 'c' ? " and at most 64" : " (bytes)");
                                free(opts);
                                return 125;
                        }
                        if (a[6] == 'c')
                                p.max_calls = (unsigned)v;
                        else
                                p.max_output = v;
                        i++;
                        continue;
                }
                if (strcmp(a, "--") == 0 || strncmp(a, "--status-fd", 11) == 0 || strcmp(a, "--json") == 0) {
                        fprintf(stderr, "corral mcp: %s: not a server option (the client gives the commands; "
                                        "the server uses --status-fd itself)\n%s", a, usage);
                        free(opts);
                        return 125;
                }
                opts[k++] = argv[i];
        }
        char *text = explain(exe, opts, k);
        if (!text) {
                fprintf(stderr, "corral mcp: the run options were refused (above); not serving\n");
                free(opts);
                return 125;
        }
        json_error_t e;
        json_t *j = json_loads(text, 0, &e);
        free(text);
        json_t *pol = json_object_get(j, "policy"), *cmd = json_object_get(json_object_get(j, "plan"), "command");
        const char *ws = json_string_value(json_object_get(pol, "workspace"));
        json_t *t = json_object_get(pol, "timeout_ms");
        /* the run options must be options only: a word among them would
         * have become the command */
        if (!ws || !json_is_integer(t) || json_array_size(cmd) != 1 ||
            strcmp(json_string_value(json_array_get(cmd, 0)) ?: "", "true") != 0) {
                fprintf(stderr, "corral mcp: takes options only, no command (the client gives the commands)\n%s",
                        usage);
                json_decref(j);
                free(opts);
                return 125;
        }
        p.workspace = ws;
        p.timeout_ms = (uint64_t)json_integer_value(t);
        p.git_option = json_object_get(pol, "git") != NULL;
        p.run_opts = opts;
        p.n_run_opts = (size_t)k;
        int r = mcp_serve(&p);
        json_decref(j);
        free(opts);
        return r;
}
