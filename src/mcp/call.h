/* SPDX-License-Identifier: MIT
 * One tools/call of `run`: a `corral run` child with its output pipes and
 * status record, killed on cancellation. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct call_stream {
        int fd;             /* -1 once at EOF */
        char *data;
        size_t len, total;  /* kept (at most the server's max_output), and read in all */
} call_stream;

typedef struct mcp_call {
        json_t *id;                /* the request's id */
        pid_t pid;                 /* corral run; 0 once reaped */
        int wait_status;
        call_stream out, err;
        int status_fd;             /* --status-fd 3 */
        char status[16384];        /* its record */
        size_t status_len;
        uint64_t start_ms, end_ms;
        uint64_t kill_at_ms;       /* SIGKILL then, if it has not ended; 0: not asked to end */
        uint64_t drain_until_ms;   /* after corral exits, read its pipes until then */
        bool cancelled;            /* no response is sent */
        struct mcp_call *next;
} mcp_call;

uint64_t call_now_ms(void);

/* Starts argv (`corral run ...`) with stdin /dev/null, stdout, stderr and fd 3
 * on pipes, in its own process group, killed if the server dies. */
int call_start(mcp_call *c, char **argv, char *msg, size_t msgsz);

/* Reads what fd has (one of the call's), keeping at most max bytes a stream. */
void call_read(mcp_call *c, int fd, size_t max);

/* Asks corral to end the run (SIGTERM, which it forwards); SIGKILL after
 * grace_ms if it is still there. */
void call_stop(mcp_call *c, uint64_t grace_ms);

/* Timers: the SIGKILL of call_stop, the end of draining. */
void call_tick(mcp_call *c, uint64_t now);

/* Reaped, and its pipes at EOF (or drained as long as they may be). */
bool call_done(const mcp_call *c);

void call_free(mcp_call *c);
