/* SPDX-License-Identifier: MIT
 * libFuzzer target: what `corral mcp` makes of what an MCP client sends and
 * of what a run gives back (src/mcp/tool.c, src/mcp/utf8.c). The first byte
 * picks:
 *   'A' the rest as a tools/call's arguments (JSON) -> the `corral run` argv,
 *   'R' the rest as a status record and as the command's stdout and stderr
 *       -> the tools/call result,
 *   'U' the rest as command output -> valid UTF-8;
 * any other first byte feeds the rest to all three.
 *
 * Besides what the sanitizers catch, it checks that: arguments are either
 * refused with a message or give an argv that starts with the server's own
 * options, holds between them and "--" only the narrowing flags (--cwd
 * inside the workspace, --timeout no longer than the server's, --network
 * off, --mode read-only, --git read-only) and --status-fd 3, and ends with
 * exactly the command the client gave; a result always has content and
 * isError, and its JSON encodes; sanitized output is valid UTF-8 and leaves
 * valid UTF-8 unchanged. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mcp/tool.h"
#include "mcp/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what) {
        if (!ok) {
                fprintf(stderr, "fuzz_mcp: broken promise: %s\n", what);
                abort();
        }
}

static char workspace[4096];
static char *server_opts[] = {"--network", "on", "--timeout", "60"};
static mcp_policy policy = {
        .exe = "/usr/bin/corral",
        .run_opts = server_opts,
        .n_run_opts = 4,
        .timeout_ms = 60000,
        .git_option = true,
        .max_output = 1000,
        .max_calls = 8,
};

static void setup(void) {
        if (workspace[0])
                return;
        const char *tmp = getenv("TMPDIR");
        snprintf(workspace, sizeof(workspace), "%s/fuzz-mcp-ws-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        check(mkdtemp(workspace) != NULL, "mkdtemp");
        char sub[4200];
        snprintf(sub, sizeof(sub), "%s/sub", workspace);
        mkdir(sub, 0700);
        char real[4096];
        check(realpath(workspace, real) != NULL, "realpath");
        snprintf(workspace, sizeof(workspace), "%s", real);
        policy.workspace = workspace;
}

static bool inside(const char *p) {
        size_t w = strlen(workspace);
        return strncmp(p, workspace, w) == 0 && (p[w] == 0 || p[w] == '/');
}

static void fuzz_args(const char *buf, size_t len) {
        json_t *args = json_loadb(buf, len, JSON_DECODE_ANY, NULL);
        char msg[1024] = "";
        char **argv = tool_run_argv(&policy, args, msg, sizeof(msg));
        if (!argv) {
                check(msg[0] != 0, "a refusal says why");
                json_decref(args);
                return;
        }
        size_t n = 0;
        while (argv[n])
                n++;
        check(n >= 2 + policy.n_run_opts + 4, "argv is long enough");
        check(strcmp(argv[0], policy.exe) == 0 && strcmp(argv[1], "run") == 0, "argv starts with corral run");
        for (size_t i = 0; i < policy.n_run_opts; i++)
                check(strcmp(argv[2 + i], policy.run_opts[i]) == 0, "the server's options come first");
        size_t i = 2 + policy.n_run_opts;
        bool status_fd = false;
        for (; argv[i] && strcmp(argv[i], "--") != 0; i += 2) {
                const char *f = argv[i], *v = argv[i + 1];
                check(v != NULL, "every flag has its value");
                if (strcmp(f, "--cwd") == 0)
                        check(inside(v), "cwd is inside the workspace");
                else if (strcmp(f, "--timeout") == 0)
                        check(strtod(v, NULL) > 0 && strtod(v, NULL) <= 60.0, "the timeout only shortens");
                else if (strcmp(f, "--network") == 0)
                        check(strcmp(v, "off") == 0, "network only off");
                else if (strcmp(f, "--mode") == 0)
                        check(strcmp(v, "read-only") == 0, "mode only read-only");
                else if (strcmp(f, "--git") == 0)
                        check(strcmp(v, "read-only") == 0, "git only read-only");
                else if (strcmp(f, "--status-fd") == 0)
                        check(strcmp(v, "3") == 0, "status on fd 3"), status_fd = true;
                else
                        check(false, "only narrowing flags");
        }
        check(status_fd, "--status-fd 3 is there");
        check(argv[i] != NULL, "-- is there");
        i++;
        json_t *command = json_object_get(args, "command"), *av = json_object_get(args, "argv");
        if (command) {
                check(argv[i] && strcmp(argv[i], "/bin/sh") == 0 && argv[i + 1] && strcmp(argv[i + 1], "-c") == 0 &&
                              argv[i + 2] && strcmp(argv[i + 2], json_string_value(command)) == 0 && !argv[i + 3],
                      "the command is run by /bin/sh -c as given");
        } else {
                check(av != NULL, "command or argv");
                for (size_t k = 0; k < json_array_size(av); k++)
                        check(argv[i + k] && strcmp(argv[i + k], json_string_value(json_array_get(av, k))) == 0,
                              "argv as given");
                check(argv[i + json_array_size(av)] == NULL, "nothing after argv");
        }
        tool_argv_free(argv);
        json_decref(args);
}

static void fuzz_result(const char *buf, size_t len) {
        char *rec = malloc(len + 1);
        check(rec != NULL, "malloc");
        memcpy(rec, buf, len);
        rec[len] = 0;
        size_t half = len / 2;
        for (int structured = 0; structured < 2; structured++) {
                tool_outcome o = {
                        .status_record = rec,
                        .wait_status = (int)(len & 0xffff),
                        .wall_ms = len,
                        .out = {buf, half, half + (len & 3) * 1000},
                        .err = {buf + half, len - half, len - half},
                };
                json_t *res = tool_run_result(&o, structured);
                check(res != NULL, "a result");
                check(json_is_array(json_object_get(res, "content")), "content");
                check(json_is_boolean(json_object_get(res, "isError")), "isError");
                check(!!json_object_get(res, "structuredContent") == !!structured, "structuredContent when asked");
                char *text = json_dumps(res, JSON_COMPACT);
                check(text != NULL, "the result encodes");
                check(strchr(text, '\n') == NULL, "one line");
                free(text);
                json_decref(res);
        }
        free(rec);
}

static void fuzz_utf8(const char *buf, size_t len) {
        size_t n;
        char *s = utf8_sanitize(buf, len, &n);
        check(s != NULL, "sanitized");
        json_t *j = json_stringn(s, n);
        check(j != NULL, "sanitized output is valid UTF-8");
        json_decref(j);
        json_t *orig = json_stringn(buf, len);
        if (orig)
                check(n == len && memcmp(s, buf, len) == 0, "valid UTF-8 is left as it is");
        json_decref(orig);
        free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        setup();
        if (size == 0)
                return 0;
        const char *buf = (const char *)data + 1;
        size_t len = size - 1;
        switch (data[0]) {
        case 'A': fuzz_args(buf, len); break;
        case 'R': fuzz_result(buf, len); break;
        case 'U': fuzz_utf8(buf, len); break;
        default:
                fuzz_args(buf, len);
                fuzz_result(buf, len);
                fuzz_utf8(buf, len);
        }
        return 0;
}
