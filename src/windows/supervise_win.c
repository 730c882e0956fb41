/* SPDX-License-Identifier: MIT */
#include "windows/supervise_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "windows/sid_win.h"
#include "windows/token_win.h"
#include "common/macro.h"
#include "windows/wide_win.h"
#include "windows/cmdline_win.h"
#include "windows/credentials_win.h"
#include "windows/firewall_win.h"
#include "windows/pipes_win.h"

#define EXIT_SETUP 125

wchar_t *win_env_block(char *const *env, size_t n) {
        size_t total = 2;
        wchar_t **w = calloc(n + 1, sizeof(wchar_t *));
        if (!w)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                w[i] = win_wide(env[i]);
                total += w[i] ? wcslen(w[i]) + 1 : 0;
        }
        wchar_t *block = malloc(total * sizeof(wchar_t)), *p = block;
        for (size_t i = 0; i < n; i++) {
                if (block && w[i]) {
                        size_t l = wcslen(w[i]) + 1;
                        memcpy(p, w[i], l * sizeof(wchar_t));
                        p += l;
                }
                free(w[i]);
        }
        free(w);
        if (block) {
                *p++ = 0;
                *p = 0;
        }
        return block;
}

void win_std_handles(HANDLE h[3]) {
        static const DWORD which[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
        for (int i = 0; i < 3; i++) {
                HANDLE s = GetStdHandle(which[i]);
                h[i] = NULL;
                if (s && s != INVALID_HANDLE_VALUE &&
                    DuplicateHandle(GetCurrentProcess(), s, GetCurrentProcess(), &h[i], 0, TRUE, DUPLICATE_SAME_ACCESS))
                        continue;
                SECURITY_ATTRIBUTES sa = {.nLength = sizeof(sa), .bInheritHandle = TRUE};
                h[i] = CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
                                   OPEN_EXISTING, 0, NULL);
        }
}

static void close3(HANDLE h[3]) {
        for (int i = 0; i < 3; i++)
                if (h[i] && h[i] != INVALID_HANDLE_VALUE)
                        CloseHandle(h[i]);
}

/* Ctrl+C and Ctrl+Break. In the console corral shares with the command
 * (full-access, restricted) the command receives them itself: corral only
 * stays alive to report how it ended. The runner (users) has no console of
 * ours: corral ends the whole tree, exit 130 (128 + SIGINT, as on Linux). */
static HANDLE volatile interrupt_job;

static BOOL WINAPI on_console_ctrl(DWORD type) {
        if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
                return FALSE;
        if (interrupt_job)
                TerminateJobObject(interrupt_job, 130);
        return TRUE;
}

/* full-access and restricted: the command itself in a job. */
static int proxy_started(HANDLE job, void *ctx, corral_error *err) { return win_proxy_start(ctx, job, err); }

static int run_local(const win_plan *pl, const win_applied *st, win_proxy *proxy, job_result *res,
                     corral_error *err) {
        HANDLE token = NULL, base = NULL;
        int r;
        if (pl->backend == WIN_BACKEND_RESTRICTED) {
                if (!OpenProcessToken(GetCurrentProcess(),
                                      TOKEN_DUPLICATE | TOKEN_QUERY | TOKEN_ASSIGN_PRIMARY | TOKEN_ADJUST_DEFAULT, &base))
                        return win_error(err, GetLastError(), "OpenProcessToken");
                r = token_restricted(base, st->caps, st->ncaps, &token, err);
                CloseHandle(base);
                if (r < 0)
                        return r;
        }
        _cleanup_free_ wchar_t *app = win_wide(pl->app), *line = win_wide(pl->cmdline), *cwd = win_wide(pl->cwd);
        _cleanup_free_ wchar_t *env = win_env_block(pl->env.v, pl->env.n);
        HANDLE std[3];
        if (!app || !line || !cwd || !env) {
                if (token)
                        CloseHandle(token);
                return error_set(err, -EINVAL, "the command, its directory or environment is not valid UTF-8");
        }
        win_std_handles(std);
        SetConsoleCtrlHandler(on_console_ctrl, TRUE);
        job_spec spec = {
                .token = token, .app = app, .cmdline = line, .cwd = cwd, .env = env,
                .std_in = std[0], .std_out = std[1], .std_err = std[2], .timeout_ms = pl->timeout_ms,
                .memory_bytes = pl->memory_bytes, .max_processes = pl->max_processes, .cpu_seconds = pl->cpu_seconds,
                .started = proxy ? proxy_started : NULL, .started_ctx = proxy,
        };
        r = job_run(&spec, res, err);
        close3(std);
        if (token)
                CloseHandle(token);
        return r;
}

/* The runner's command line: its options, then the command line to run. */
static int runner_cmdline(const win_plan *pl, const win_applied *st, char **ret, corral_error *err) {
        strv a = {0};
        char num[32];
        int r = -ENOMEM;
        if (strv_push(&a, pl->setup.runner) < 0 || strv_push(&a, "--identity") < 0 ||
            strv_push(&a, win_plan_offline(pl) ? "offline" : "online") < 0 || strv_push(&a, "--cwd") < 0 ||
            strv_push(&a, pl->cwd) < 0 || strv_push(&a, "--app") < 0 || strv_push(&a, pl->app) < 0)
                goto out;
        for (size_t i = 0; i < st->ncaps; i++) {
                _cleanup_free_ char *s = sid_to_string(st->caps[i]);
                if (!s || strv_push(&a, "--cap") < 0 || strv_push(&a, s) < 0)
                        goto out;
        }
        const struct { const char *opt; uint64_t v; } nums[] = {
                {"--timeout-ms", pl->timeout_ms}, {"--memory", pl->memory_bytes},
                {"--processes", pl->max_processes}, {"--cpu", pl->cpu_seconds},
        };
        for (size_t i = 0; i < ELEMENTSOF(nums); i++) {
                if (!nums[i].v)
                        continue;
                snprintf(num, sizeof(num), "%llu", (unsigned long long)nums[i].v);
                if (strv_push(&a, nums[i].opt) < 0 || strv_push(&a, num) < 0)
                        goto out;
        }
        if (strv_push(&a, "--cmdline") < 0 || strv_push(&a, pl->cmdline) < 0)
                goto out;
        r = cmdline_quote_argv(a.v, ret, err);
out:
        strv_clear(&a);
        return r == -ENOMEM ? error_set(err, r, "out of memory") : r;
}

/* users: corral-runner.exe as the sandbox user. */
static int run_users(const win_plan *pl, const win_applied *st, win_proxy *proxy, job_result *res,
                     corral_error *err) {
        win_credentials cred;
        int r;
        if ((r = cred_load(NULL, &cred, err)) < 0)
                return r;
        if (win_plan_offline(pl) && (r = firewall_verify(&pl->setup, err)) < 0) {
                SecureZeroMemory(&cred, sizeof(cred));
                return r;
        }
        _cleanup_free_ char *line8 = NULL;
        if ((r = runner_cmdline(pl, st, &line8, err)) < 0) {
                SecureZeroMemory(&cred, sizeof(cred));
                return r;
        }
        const char *pw = win_plan_offline(pl) ? cred.offline_password : cred.online_password;
        _cleanup_free_ wchar_t *user = win_wide(pl->identity), *pass = win_wide(pw), *app = win_wide(pl->setup.runner);
        _cleanup_free_ wchar_t *line = win_wide(line8), *cwd = win_wide(pl->cwd);
        _cleanup_free_ wchar_t *env = win_env_block(pl->env.v, pl->env.n);
        SecureZeroMemory(&cred, sizeof(cred));
        if (!user || !pass || !app || !line || !cwd || !env)
                return oom(err);

        /* stdio: pipes that only the developer and the sandbox user may open */
        PSID sids[2] = {NULL, NULL};
        HANDLE tok;
        if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
                r = sid_token_user(tok, &sids[0], err);
                CloseHandle(tok);
        } else
                r = win_error(err, GetLastError(), "OpenProcessToken");
        if (r == 0)
                r = sid_from_string(win_plan_offline(pl) ? pl->setup.offline_sid : pl->setup.online_sid, &sids[1],
                                    err);
        HANDLE child[3] = {0}, ours[3] = {0}, std[3] = {0}, relay[3] = {0}, job = NULL;
        for (int i = 0; r == 0 && i < 3; i++)
                r = pipe_create(sids, 2, i == 0, &child[i], &ours[i], err);
        free(sids[0]);
        free(sids[1]);
        if (r == 0)
                r = job_create(&job, err);
        if (r < 0)
                goto out;

        STARTUPINFOW si = {.cb = sizeof(si), .dwFlags = STARTF_USESTDHANDLES,
                           .hStdInput = child[0], .hStdOutput = child[1], .hStdError = child[2]};
        PROCESS_INFORMATION pi = {0};
        BOOL ok = CreateProcessWithLogonW(user, L".", pass, LOGON_WITH_PROFILE, app, line,
                                          CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT, env, cwd, &si, &pi);
        SecureZeroMemory(pass, wcslen(pass) * sizeof(wchar_t));
        if (!ok) {
                r = win_error(err, GetLastError(), "cannot start %s as %s (CreateProcessWithLogonW)",
                              pl->setup.runner, pl->identity);
                goto out;
        }
        if (!AssignProcessToJobObject(job, pi.hProcess)) {
                r = win_error(err, GetLastError(), "cannot put corral-runner in corral's job object (nothing ran)");
                TerminateProcess(pi.hProcess, EXIT_SETUP);
                CloseHandle(pi.hThread);
                CloseHandle(pi.hProcess);
                goto out;
        }
        /* the proxy serves the processes of this job: the runner and the command */
        if (proxy && (r = win_proxy_start(proxy, job, err)) < 0) {
                TerminateProcess(pi.hProcess, EXIT_SETUP);
                CloseHandle(pi.hThread);
                CloseHandle(pi.hProcess);
                goto out;
        }
        for (int i = 0; i < 3; i++) {
                CloseHandle(child[i]);
                child[i] = NULL;
        }
        win_std_handles(std);
        relay[0] = pipe_relay(std[0], ours[0], true);
        relay[1] = pipe_relay(ours[1], std[1], false);
        relay[2] = pipe_relay(ours[2], std[2], false);
        if (relay[0])
                ours[0] = NULL; /* closed by its relay */
        interrupt_job = job;
        SetConsoleCtrlHandler(on_console_ctrl, TRUE);
        ResumeThread(pi.hThread);
        CloseHandle(pi.hThread);
        /* the runner enforces the timeout; corral's own, a little later, is the backstop */
        job_wait(job, pi.hProcess, pl->timeout_ms ? pl->timeout_ms + 5000 : 0, res);
        interrupt_job = NULL;
        CloseHandle(pi.hProcess);
        if (res->exit_code == 124)
                res->timed_out = true;
        WaitForMultipleObjects(2, relay + 1, TRUE, 2000);
out:
        for (int i = 0; i < 3; i++) {
                if (child[i])
                        CloseHandle(child[i]);
                if (ours[i])
                        CloseHandle(ours[i]);
                if (relay[i])
                        CloseHandle(relay[i]);
        }
        close3(std);
        if (job)
                CloseHandle(job);
        return r;
}

int win_supervise_run(const win_plan *pl, const win_applied *st, win_proxy *proxy, bool verbose, job_result *res,
                      corral_error *err) {
        *res = (job_result){0};
        if (!pl->program) {
                res->exit_code = 127;
                error_set(err, 0, "%s: command not found (searched PATH with PATHEXT; the current directory is not "
                                  "searched: write .\\%s)",
                          pl->argv.v[0], pl->argv.v[0]);
                return 0;
        }
        if (verbose)
                fprintf(stderr, "corral: starting %s: %s\n", pl->app, pl->cmdline);
        return pl->backend == WIN_BACKEND_USERS ? run_users(pl, st, proxy, res, err) : run_local(pl, st, proxy, res, err);
}
