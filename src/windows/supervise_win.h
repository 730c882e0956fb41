/* SPDX-License-Identifier: MIT
 * Runs a Windows plan's command once the host is ready (apply_win.h):
 *  - full-access: the command itself, in a job object;
 *  - restricted: under a restricted token of the developer's own token
 *    (token_win.h), in a job object;
 *  - users: corral-runner.exe started as the sandbox user
 *    (CreateProcessWithLogonW, password from the DPAPI file), suspended,
 *    put in corral's job (KILL_ON_JOB_CLOSE: if corral dies, the runner and
 *    its own nested job die), stdio relayed over pipes whose DACL admits only
 *    the developer and that sandbox user. The runner makes the restricted
 *    token and the command's job; its exit code is the command's.
 * Windows only. */
#pragma once

#include <stdbool.h>

#include "windows/apply_win.h"
#include "common/error.h"
#include "windows/plan_win.h"
#include "windows/job_win.h"
#include "windows/proxy_win.h"

/* 0 when the command ran or was not found (res->exit_code 127, err says
 * why); a negative errno when the sandbox could not be set up. proxy
 * (network = proxy; NULL otherwise) starts serving once the command's job
 * exists, for that job's processes only, before the command runs. */
int win_supervise_run(const win_plan *pl, const win_applied *st, win_proxy *proxy, bool verbose, job_result *res,
                      corral_error *err);

/* A UTF-16 environment block from "NAME=value" strings (malloc'd). */
wchar_t *win_env_block(char *const *env, size_t n);

/* Inheritable duplicates of this process's standard handles (NUL where one
 * is missing). */
void win_std_handles(HANDLE h[3]);
