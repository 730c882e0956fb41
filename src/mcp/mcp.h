/* SPDX-License-Identifier: MIT
 * `corral mcp`: an MCP server over stdio whose one tool, `run`, runs a
 * command in a fresh corral sandbox per call (docs/agents.md). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the server decided at start-up, from its own command line and the
 * user's config; nothing here comes from the client. */
typedef struct mcp_policy {
        const char *exe;          /* the corral binary every call runs */
        char **run_opts;          /* the server's options, passed to every `corral run` */
        size_t n_run_opts;
        const char *workspace;    /* canonical; a call's cwd must be inside it */
        uint64_t timeout_ms;      /* the server's timeout, 0 = none; a call may only shorten it */
        bool git_option;          /* this corral has --git (a call may ask for read-only) */
        size_t max_output;        /* bytes kept of each of stdout and stderr */
        unsigned max_calls;       /* calls running at once */
} mcp_policy;

/* Serves MCP on fds 0 and 1 until the client disconnects (EOF on stdin) or a
 * SIGTERM/SIGINT/SIGHUP; kills every sandbox still running before it
 * returns. Returns the process exit status. */
int mcp_serve(const mcp_policy *p);
