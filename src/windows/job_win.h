/* SPDX-License-Identifier: MIT
 * Runs one process tree in a job object and waits for it: the process is
 * created suspended, put in a job with KILL_ON_JOB_CLOSE (so the tree dies
 * when the job's last handle closes: when the command ends, times out, or
 * the supervisor dies, even by TerminateProcess) and DIE_ON_UNHANDLED_EXCEPTION,
 * then resumed. It inherits exactly its three standard handles (a
 * PROC_THREAD_ATTRIBUTE_HANDLE_LIST), nothing else. Windows only. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <windows.h>

#include "common/error.h"

typedef struct job_spec {
        HANDLE token;           /* NULL: the caller's own token */
        const wchar_t *app;     /* the program (full path) */
        wchar_t *cmdline;       /* as cmdline_win.h builds it (CreateProcess may write to it) */
        const wchar_t *cwd;
        wchar_t *env;           /* a UTF-16 environment block, or NULL for the caller's */
        HANDLE std_in, std_out, std_err; /* must be inheritable */
        uint64_t timeout_ms;    /* 0: none */
        uint64_t memory_bytes;  /* the whole job's committed memory; 0: none */
        uint64_t max_processes; /* active processes in the job; 0: none */
        uint64_t cpu_seconds;   /* user-mode CPU time per process; 0: none */
        /* called with the job once the process is in it, before it runs
         * (network = proxy: the proxy serves only that job's processes);
         * nonzero: nothing runs, job_run returns it */
        int (*started)(HANDLE job, void *ctx, corral_error *err);
        void *started_ctx;
} job_spec;

typedef struct job_result {
        int exit_code;          /* the process's; 124 on timeout */
        bool timed_out;
        uint64_t wall_ms;
} job_result;

/* 0 when the process ran (res says how it ended); a negative errno with a
 * message when it could not be started (the job is never left running). */
int job_run(const job_spec *spec, job_result *res, corral_error *err);

/* A job with the limits above (and spec's resource limits when spec is not
 * NULL), for a process the caller creates itself. */
int job_create(HANDLE *ret, corral_error *err);
int job_create_limited(const job_spec *spec, HANDLE *ret, corral_error *err);

/* Waits for process (in job) up to timeout_ms (0: forever); on timeout the
 * whole job is terminated. Afterwards whatever is left in the job is killed. */
void job_wait(HANDLE job, HANDLE process, uint64_t timeout_ms, job_result *res);
