/* SPDX-License-Identifier: MIT
 * corral-runner.exe: the sandbox user's side of the boundary (docs/windows.md).
 * corral starts it with CreateProcessWithLogonW as corral-offline or
 * corral-online, suspended, inside corral's job object, with stdio on pipes
 * only the developer and that user may open. It reads no config file; its
 * whole request is its command line:
 *
 *   corral-runner.exe --identity offline|online --cwd DIR --app PROGRAM
 *                     [--cap SID]... [--timeout-ms N] [--memory BYTES]
 *                     [--processes N] [--cpu SECONDS] --cmdline LINE
 *
 * In order: every option is validated; the identity must be this process's
 * own account as recorded by setup (never the developer); the profile
 * variables (USERPROFILE, APPDATA, ...) become this account's; a restricted
 * token is made from this process's token (token_win.h); the command runs in
 * a job object of its own (KILL_ON_JOB_CLOSE, nested in corral's); timeout →
 * 124; the command's exit code is the runner's. 125: nothing ran. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <sddl.h>
#include <stdarg.h>
#include <userenv.h>

#include "windows/sid_win.h"
#include "windows/token_win.h"
#include "common/macro.h"
#include "windows/wide_win.h"
#include "windows/marker_win.h"
#include "windows/job_win.h"
#include "windows/supervise_win.h"

#define EXIT_SETUP 125
#define MAX_CAPS 64

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fputs("corral-runner: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputs("\n", stderr);
        va_end(ap);
        return EXIT_SETUP;
}

typedef struct request {
        const wchar_t *identity, *cwd, *app, *cmdline;
        PSID caps[MAX_CAPS];
        size_t ncaps;
        job_spec spec;
} request;

static bool number(const wchar_t *s, uint64_t *ret) {
        wchar_t *end;
        if (*s < L'0' || *s > L'9') /* wcstoull would take " 5", "+5" and "-1" (as 2^64-1) */
                return false;
        errno = 0;
        unsigned long long v = wcstoull(s, &end, 10);
        if (errno || !*s || *end)
                return false;
        *ret = v;
        return true;
}

static bool absolute(const wchar_t *p) {
        return p && ((p[0] | 0x20) >= L'a' && (p[0] | 0x20) <= L'z') && p[1] == L':' && (p[2] == L'\\' || p[2] == L'/');
}

static int parse(int argc, wchar_t **argv, request *rq) {
        for (int i = 1; i < argc; i++) {
                const wchar_t *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
                if (!v)
                        return fail("option %ls needs a value", o);
                i++;
                /* each option once: a second --identity or --app must not
                 * quietly override the first */
                const wchar_t **once = !wcscmp(o, L"--identity") ? &rq->identity
                                       : !wcscmp(o, L"--cwd")    ? &rq->cwd
                                       : !wcscmp(o, L"--app")    ? &rq->app
                                       : !wcscmp(o, L"--cmdline") ? &rq->cmdline
                                                                  : NULL;
                if (once) {
                        if (*once)
                                return fail("option %ls given twice", o);
                        *once = v;
                } else if (!wcscmp(o, L"--cap")) {
                        PSID sid;
                        if (rq->ncaps >= MAX_CAPS || !ConvertStringSidToSidW(v, &sid))
                                return fail("--cap %ls: not a SID (or more than %d)", v, MAX_CAPS);
                        rq->caps[rq->ncaps] = sid_copy(sid);
                        LocalFree(sid);
                        if (!rq->caps[rq->ncaps++])
                                return fail("out of memory");
                } else if (!wcscmp(o, L"--timeout-ms")) {
                        if (!number(v, &rq->spec.timeout_ms))
                                return fail("--timeout-ms %ls: not a number", v);
                } else if (!wcscmp(o, L"--memory")) {
                        if (!number(v, &rq->spec.memory_bytes))
                                return fail("--memory %ls: not a number", v);
                } else if (!wcscmp(o, L"--processes")) {
                        if (!number(v, &rq->spec.max_processes))
                                return fail("--processes %ls: not a number", v);
                } else if (!wcscmp(o, L"--cpu")) {
                        if (!number(v, &rq->spec.cpu_seconds))
                                return fail("--cpu %ls: not a number", v);
                } else
                        return fail("unknown option %ls", o);
        }
        if (!rq->identity || (wcscmp(rq->identity, L"offline") && wcscmp(rq->identity, L"online")))
                return fail("--identity must be offline or online");
        if (!absolute(rq->cwd) || !absolute(rq->app) || !rq->cmdline)
                return fail("--cwd and --app must be absolute paths, and --cmdline is required");
        return 0;
}

/* This process must run as the account setup recorded for the identity. */
static int check_identity(const request *rq, HANDLE token) {
        win_marker m;
        corral_error err = {{0}};
        if (win_marker_read(&m, &err) < 0)
                return fail("%s", err.msg);
        PSID me = NULL, want = NULL;
        const char *want_s = !wcscmp(rq->identity, L"offline") ? m.offline_sid : m.online_sid;
        if (sid_token_user(token, &me, &err) < 0 || sid_from_string(want_s, &want, &err) < 0) {
                free(me);
                return fail("%s", err.msg);
        }
        bool ok = EqualSid(me, want);
        _cleanup_free_ char *me_s = sid_to_string(me);
        free(me);
        free(want);
        if (!ok)
                return fail("runs as %s, not as the %ls sandbox user %s: refusing", me_s ? me_s : "?", rq->identity,
                            want_s);
        return 0;
}

/* The environment corral sent, with this account's profile variables. */
static wchar_t *environment(HANDLE token) {
        static const wchar_t *const vars[] = {L"USERPROFILE", L"APPDATA", L"LOCALAPPDATA", L"HOMEDRIVE",
                                              L"HOMEPATH", L"USERNAME", L"USERDOMAIN"};
        void *profile = NULL;
        if (CreateEnvironmentBlock(&profile, token, FALSE) && profile) {
                for (const wchar_t *p = profile; *p; p += wcslen(p) + 1)
                        for (size_t i = 0; i < ELEMENTSOF(vars); i++) {
                                size_t n = wcslen(vars[i]);
                                if (!_wcsnicmp(p, vars[i], n) && p[n] == L'=')
                                        SetEnvironmentVariableW(vars[i], p + n + 1);
                        }
                DestroyEnvironmentBlock(profile);
        }
        wchar_t *block = GetEnvironmentStringsW();
        if (!block)
                return NULL;
        size_t len = 0;
        while (block[len] || block[len + 1])
                len++;
        wchar_t *copy = malloc((len + 2) * sizeof(wchar_t));
        if (copy)
                memcpy(copy, block, (len + 2) * sizeof(wchar_t));
        FreeEnvironmentStringsW(block);
        return copy;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv) {
        request rq = {0};
        HANDLE self = NULL, token = NULL;
        int r;
        SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
        if ((r = parse(argc, argv, &rq)) != 0)
                return r;
        if (!OpenProcessToken(GetCurrentProcess(),
                              TOKEN_DUPLICATE | TOKEN_QUERY | TOKEN_ASSIGN_PRIMARY | TOKEN_ADJUST_DEFAULT, &self))
                return fail("OpenProcessToken failed (Win32 error %lu)", (unsigned long)GetLastError());
        if ((r = check_identity(&rq, self)) != 0)
                return r;
        corral_error err = {{0}};
        if (token_restricted(self, rq.caps, rq.ncaps, &token, &err) < 0)
                return fail("%s", err.msg);
        _cleanup_free_ wchar_t *env = environment(self);
        _cleanup_free_ wchar_t *line = _wcsdup(rq.cmdline);
        if (!env || !line)
                return fail("out of memory");
        HANDLE std[3];
        win_std_handles(std);
        rq.spec.token = token;
        rq.spec.app = rq.app;
        rq.spec.cmdline = line;
        rq.spec.cwd = rq.cwd;
        rq.spec.env = env;
        rq.spec.std_in = std[0];
        rq.spec.std_out = std[1];
        rq.spec.std_err = std[2];
        job_result res;
        if (job_run(&rq.spec, &res, &err) < 0)
                return fail("%s", err.msg);
        return res.exit_code;
}
