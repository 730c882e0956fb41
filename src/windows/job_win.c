/* SPDX-License-Identifier: MIT */
#include "windows/job_win.h"

#include <errno.h>
#include <stdlib.h>

#include "windows/wide_win.h"

#define EXIT_TIMEOUT 124

int job_create(HANDLE *ret, corral_error *err) { return job_create_limited(NULL, ret, err); }

int job_create_limited(const job_spec *spec, HANDLE *ret, corral_error *err) {
        HANDLE job = CreateJobObjectW(NULL, NULL);
        if (!job)
                return win_error(err, GetLastError(), "CreateJobObject");
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim = {0};
        lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE |
                                               JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
        if (spec && spec->memory_bytes) {
                lim.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_JOB_MEMORY;
                lim.JobMemoryLimit = (SIZE_T)spec->memory_bytes;
        }
        if (spec && spec->max_processes) {
                lim.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
                lim.BasicLimitInformation.ActiveProcessLimit =
                        spec->max_processes > MAXDWORD ? MAXDWORD : (DWORD)spec->max_processes;
        }
        if (spec && spec->cpu_seconds) {
                lim.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_PROCESS_TIME;
                lim.BasicLimitInformation.PerProcessUserTimeLimit.QuadPart = (LONGLONG)spec->cpu_seconds * 10000000;
        }
        if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &lim, sizeof(lim))) {
                DWORD e = GetLastError();
                CloseHandle(job);
                return win_error(err, e, "cannot set KILL_ON_JOB_CLOSE on the job object");
        }
        *ret = job;
        return 0;
}

/* The attribute list naming the handles the child inherits (duplicates and
 * invalid handles dropped: the list would be refused). NULL when the system
 * cannot make one: the caller must then not start the child with
 * bInheritHandles, or it would inherit every inheritable handle this process
 * holds, including those it inherited from its own parent (the agent's). */
static LPPROC_THREAD_ATTRIBUTE_LIST handle_list(HANDLE *handles, size_t *n) {
        size_t k = 0;
        for (size_t i = 0; i < *n; i++) {
                bool dup = handles[i] == NULL || handles[i] == INVALID_HANDLE_VALUE;
                for (size_t j = 0; j < k && !dup; j++)
                        dup = handles[j] == handles[i];
                if (!dup)
                        handles[k++] = handles[i];
        }
        *n = k;
        if (k == 0)
                return NULL;
        SIZE_T size = 0;
        InitializeProcThreadAttributeList(NULL, 1, 0, &size);
        LPPROC_THREAD_ATTRIBUTE_LIST list = size ? malloc(size) : NULL;
        if (!list)
                return NULL;
        if (!InitializeProcThreadAttributeList(list, 1, 0, &size)) {
                free(list);
                return NULL;
        }
        if (!UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles, k * sizeof(HANDLE), NULL,
                                       NULL)) {
                DeleteProcThreadAttributeList(list);
                free(list);
                return NULL;
        }
        return list;
}

void job_wait(HANDLE job, HANDLE process, uint64_t timeout_ms, job_result *res) {
        ULONGLONG start = GetTickCount64();
        DWORD wait = timeout_ms ? (timeout_ms >= INFINITE ? INFINITE - 1 : (DWORD)timeout_ms) : INFINITE;
        DWORD w = WaitForSingleObject(process, wait);
        if (w == WAIT_TIMEOUT) {
                TerminateJobObject(job, EXIT_TIMEOUT);
                WaitForSingleObject(process, INFINITE);
                res->timed_out = true;
                res->exit_code = EXIT_TIMEOUT;
        } else {
                DWORD code = 0;
                GetExitCodeProcess(process, &code);
                res->exit_code = (int)code;
        }
        /* what the command left behind (a detached grandchild) dies with it */
        TerminateJobObject(job, (UINT)res->exit_code);
        res->wall_ms = GetTickCount64() - start;
}

int job_run(const job_spec *s, job_result *res, corral_error *err) {
        *res = (job_result){0};
        HANDLE job;
        int r = job_create_limited(s, &job, err);
        if (r < 0)
                return r;
        HANDLE handles[3] = {s->std_in, s->std_out, s->std_err};
        size_t nh = 3;
        LPPROC_THREAD_ATTRIBUTE_LIST list = handle_list(handles, &nh);
        if (!list && nh > 0) {
                /* fail closed: without the list the child would inherit every
                 * inheritable handle of this process */
                DWORD le = GetLastError();
                CloseHandle(job);
                return win_error(err, le, "cannot limit the handles the command inherits (nothing ran)");
        }
        STARTUPINFOEXW si = {0};
        si.StartupInfo.cb = list ? sizeof(si) : sizeof(si.StartupInfo);
        si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
        si.StartupInfo.hStdInput = s->std_in;
        si.StartupInfo.hStdOutput = s->std_out;
        si.StartupInfo.hStdError = s->std_err;
        si.lpAttributeList = list;
        DWORD flags = CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | (list ? EXTENDED_STARTUPINFO_PRESENT : 0);
        PROCESS_INFORMATION pi = {0};
        BOOL inherit = list != NULL; /* only the listed handles, or none at all */
        BOOL ok = s->token ? CreateProcessAsUserW(s->token, s->app, s->cmdline, NULL, NULL, inherit, flags, s->env,
                                                  s->cwd, &si.StartupInfo, &pi)
                           : CreateProcessW(s->app, s->cmdline, NULL, NULL, inherit, flags, s->env, s->cwd,
                                            &si.StartupInfo, &pi);
        DWORD e = GetLastError();
        if (list) {
                DeleteProcThreadAttributeList(list);
                free(list);
        }
        if (!ok) {
                CloseHandle(job);
                char *app = win_utf8(s->app);
                r = win_error(err, e, "cannot start %s", app ? app : "the command");
                free(app);
                return r;
        }
        if (!AssignProcessToJobObject(job, pi.hProcess)) {
                e = GetLastError();
                TerminateProcess(pi.hProcess, 125);
                CloseHandle(pi.hThread);
                CloseHandle(pi.hProcess);
                CloseHandle(job);
                return win_error(err, e, "cannot put the command in its job object (nothing ran)");
        }
        if (s->started && (r = s->started(job, s->started_ctx, err)) < 0) {
                TerminateProcess(pi.hProcess, 125);
                CloseHandle(pi.hThread);
                CloseHandle(pi.hProcess);
                CloseHandle(job);
                return r;
        }
        ResumeThread(pi.hThread);
        CloseHandle(pi.hThread);
        job_wait(job, pi.hProcess, s->timeout_ms, res);
        CloseHandle(pi.hProcess);
        CloseHandle(job);
        return 0;
}
