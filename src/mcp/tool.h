/* SPDX-License-Identifier: MIT
 * The `run` tool: its definition, its arguments turned into a `corral run`
 * command line, and a finished call turned into its result. */
#pragma once

#include <jansson.h>
#include <string.h>
#include <sys/types.h>

#include "mcp/mcp.h"

/* jansson's json_string() (libcorral's writer is json_put_string,
 * src/common/json.h). */
static inline json_t *jstr(const char *s) { return json_stringn(s, strlen(s)); }

/* The tool's definition (tools/list); with structured, its outputSchema too. */
json_t *tool_run_definition(bool structured);

/* The argv of `corral run` for these arguments (NULL-terminated, free with
 * tool_argv_free), or NULL with the reason in msg: the arguments are wrong. */
char **tool_run_argv(const mcp_policy *p, json_t *args, char *msg, size_t msgsz);
void tool_argv_free(char **argv);

typedef struct tool_output {
        const char *data;   /* the bytes kept */
        size_t len, total;  /* kept, and produced in all */
} tool_output;

typedef struct tool_outcome {
        const char *status_record;  /* corral's --status-fd line, or NULL */
        int wait_status;            /* corral's own, from waitpid */
        uint64_t wall_ms;           /* measured by the server */
        tool_output out, err;
} tool_outcome;

/* The tools/call result of a finished call. */
json_t *tool_run_result(const tool_outcome *o, bool structured);

/* A tools/call result that says the call could not be made. */
json_t *tool_error_result(const char *msg);
