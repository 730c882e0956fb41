/* SPDX-License-Identifier: MIT
 * The job object: exit codes relayed, timeout → 124 with the whole tree
 * killed, a detached grandchild killed when the command ends, no handles but
 * the standard three inherited. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "windows/wide_win.h"
#include "windows/job_win.h"
#include "windows/supervise_win.h"
#include "test.h"

static int run(const char *args, uint64_t timeout_ms, job_result *res) {
        char line[2048];
        snprintf(line, sizeof(line), "\"%s\" %s", t_helper(), args);
        wchar_t *app = win_wide(t_helper()), *wl = win_wide(line);
        HANDLE std[3];
        win_std_handles(std);
        wchar_t cwd[MAX_PATH];
        GetCurrentDirectoryW(MAX_PATH, cwd);
        job_spec s = {.app = app, .cmdline = wl, .cwd = cwd, .std_in = std[0], .std_out = std[1], .std_err = std[2],
                      .timeout_ms = timeout_ms};
        corral_error err = {{0}};
        int r = job_run(&s, res, &err);
        if (r < 0)
                printf("    job_run: %s\n", err.msg);
        for (int i = 0; i < 3; i++)
                CloseHandle(std[i]);
        free(app);
        free(wl);
        return r;
}

static void exit_codes(void) {
        job_result res;
        const int codes[] = {0, 1, 3, 42, 126, 255, 1000};
        for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
                char a[32];
                snprintf(a, sizeof(a), "exit %d", codes[i]);
                CHECK(run(a, 0, &res) == 0);
                CHECK(res.exit_code == codes[i] && !res.timed_out);
        }
}

static void timeout(void) {
        job_result res;
        CHECK(run("sleep 30000", 500, &res) == 0);
        CHECK(res.timed_out && res.exit_code == 124);
        CHECK(res.wall_ms >= 400 && res.wall_ms < 10000);
}

static bool alive(DWORD pid) {
        HANDLE h = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
        if (!h)
                return false;
        DWORD code = 0;
        bool running = GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
        CloseHandle(h);
        return running;
}

static void grandchild_killed(void) {
        const char *dir = t_tmpdir();
        char file[1200], args[1300];
        snprintf(file, sizeof(file), "%s\\pid", dir);
        snprintf(args, sizeof(args), "grandchild \"%s\"", file);
        job_result res;
        CHECK(run(args, 0, &res) == 0);
        CHECK(res.exit_code == 0);
        FILE *f = fopen(file, "r");
        CHECK(f != NULL);
        unsigned long pid = 0;
        CHECK(fscanf(f, "%lu", &pid) == 1);
        fclose(f);
        for (int i = 0; i < 50 && alive((DWORD)pid); i++)
                Sleep(100);
        CHECK(!alive((DWORD)pid));
}

static void process_limit(void) {
        SKIP_ON_WINE("job limits (ActiveProcessLimit is not enforced)");
        const char *dir = t_tmpdir();
        char file[1200], line[2048];
        snprintf(file, sizeof(file), "%s\\pid", dir);
        snprintf(line, sizeof(line), "\"%s\" grandchild \"%s\"", t_helper(), file);
        wchar_t *app = win_wide(t_helper()), *wl = win_wide(line);
        HANDLE std[3];
        win_std_handles(std);
        job_spec s = {.app = app, .cmdline = wl, .std_in = std[0], .std_out = std[1], .std_err = std[2],
                      .max_processes = 1};
        job_result res;
        corral_error err = {{0}};
        CHECK(job_run(&s, &res, &err) == 0);
        CHECK(res.exit_code == 3); /* the helper could not start its child */
        for (int i = 0; i < 3; i++)
                CloseHandle(std[i]);
        free(app);
        free(wl);
}

static void not_found(void) {
        wchar_t *app = win_wide("C:\\nonexistent\\nothing.exe"), *line = win_wide("nothing");
        HANDLE std[3];
        win_std_handles(std);
        job_spec s = {.app = app, .cmdline = line, .std_in = std[0], .std_out = std[1], .std_err = std[2]};
        job_result res;
        corral_error err = {{0}};
        CHECK(job_run(&s, &res, &err) < 0);
        CHECK(strstr(err.msg, "nothing.exe") != NULL);
        for (int i = 0; i < 3; i++)
                CloseHandle(std[i]);
        free(app);
        free(line);
}

static void env_block(void) {
        char *env[] = {"A=1", "PATH=C:\\x", "E=\xc3\xa9", NULL};
        wchar_t *b = win_env_block(env, 3);
        CHECK(b != NULL);
        CHECK(!wcscmp(b, L"A=1"));
        const wchar_t *p = b + wcslen(b) + 1;
        CHECK(!wcscmp(p, L"PATH=C:\\x"));
        p += wcslen(p) + 1;
        CHECK(!wcscmp(p, L"E=\x00e9"));
        p += wcslen(p) + 1;
        CHECK(*p == 0);
        free(b);
}

/* Only the three standard handles reach the command: an inheritable handle
 * of corral's (one it inherited from the agent, say) does not. */
static void only_std_handles_inherited(void) {
        SECURITY_ATTRIBUTES sa = {.nLength = sizeof(sa), .bInheritHandle = TRUE};
        HANDLE ev = CreateEventW(&sa, TRUE, TRUE, NULL); /* inheritable, signalled */
        CHECK(ev != NULL);
        char args[64];
        snprintf(args, sizeof(args), "inherited %llu", (unsigned long long)(uintptr_t)ev);
        job_result res;
        int r = run(args, 10000, &res);
        CloseHandle(ev);
        CHECK(r == 0);
        CHECK(res.exit_code == 0); /* 1: the child held corral's handle */
}

/* The job's limits: the tree dies with the job's last handle, and nothing
 * may leave the job (no BREAKAWAY_OK, no SILENT_BREAKAWAY_OK). */
static void job_flags(void) {
        /* (Wine 8 answers QueryInformationJobObject with LimitFlags 0; the
         * breakaway test below checks the behaviour there instead.) */
        SKIP_ON_WINE("QueryInformationJobObject (it reports no limit flags)");
        HANDLE job;
        corral_error err = {{0}};
        job_spec spec = {.memory_bytes = 1ull << 30, .max_processes = 1ull << 40, .cpu_seconds = 5};
        CHECK(job_create_limited(&spec, &job, &err) == 0);
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim = {0};
        DWORD n = 0;
        BOOL ok = QueryInformationJobObject(job, JobObjectExtendedLimitInformation, &lim, sizeof(lim), &n);
        CloseHandle(job);
        CHECK(ok);
        DWORD f = lim.BasicLimitInformation.LimitFlags;
        CHECK(f & JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE);
        CHECK(f & JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION);
        CHECK(!(f & JOB_OBJECT_LIMIT_BREAKAWAY_OK));
        CHECK(!(f & JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK));
        CHECK(f & JOB_OBJECT_LIMIT_ACTIVE_PROCESS);
        CHECK(lim.BasicLimitInformation.ActiveProcessLimit == MAXDWORD); /* clamped, not truncated to 0 */
}

static void breakaway_refused(void) {
        job_result res;
        CHECK(run("breakaway", 10000, &res) == 0);
        CHECK(res.exit_code == 0); /* 1: CREATE_BREAKAWAY_FROM_JOB let a child out */
}

const test tests_job[] = {
        {"job: only the three standard handles are inherited (PROC_THREAD_ATTRIBUTE_HANDLE_LIST)",
         only_std_handles_inherited},
        {"job: KILL_ON_JOB_CLOSE set, breakaway not allowed, process limit clamped", job_flags},
        {"job: CREATE_BREAKAWAY_FROM_JOB is refused inside the job", breakaway_refused},
        {"job: exit codes are relayed", exit_codes},
        {"job: timeout kills the job and gives 124", timeout},
        {"job: a detached grandchild dies with the job", grandchild_killed},
        {"job: limits.pids: a second process is refused", process_limit},
        {"job: a missing program is an error naming it", not_found},
        {"job: UTF-16 environment block", env_block},
        {0},
};
