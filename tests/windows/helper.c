/* SPDX-License-Identifier: MIT
 * corral-winhelper.exe: what the Windows tests run inside jobs and sandboxes.
 *   exit N            exit with N
 *   sleep MS          sleep, then exit 0
 *   echo ARG...       print each argument on its own line, as received
 *   cmdline           print the raw command line
 *   grandchild FILE   start `sleep 60000` detached, write its pid to FILE, exit 0
 *   cat               copy stdin to stdout
 *   inherited HANDLE  exit 1 if HANDLE (decimal) is a signalled object here
 *                     (it was inherited), 0 if not
 *   breakaway         try CreateProcess(CREATE_BREAKAWAY_FROM_JOB): exit 1 if
 *                     a child escaped the job, 0 if refused */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <windows.h>

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv) {
        if (argc < 2)
                return 2;
        const wchar_t *m = argv[1];
        if (!wcscmp(m, L"exit") && argc > 2)
                return _wtoi(argv[2]);
        if (!wcscmp(m, L"sleep") && argc > 2) {
                Sleep((DWORD)_wtoi(argv[2]));
                return 0;
        }
        if (!wcscmp(m, L"echo")) {
                for (int i = 2; i < argc; i++) {
                        char buf[8192];
                        WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, buf, sizeof(buf), NULL, NULL);
                        printf("%s\n", buf);
                }
                return 0;
        }
        if (!wcscmp(m, L"cmdline")) {
                char buf[32768];
                WideCharToMultiByte(CP_UTF8, 0, GetCommandLineW(), -1, buf, sizeof(buf), NULL, NULL);
                printf("%s\n", buf);
                return 0;
        }
        if (!wcscmp(m, L"grandchild") && argc > 2) {
                wchar_t self[MAX_PATH], line[MAX_PATH + 64];
                GetModuleFileNameW(NULL, self, MAX_PATH);
                swprintf(line, MAX_PATH + 64, L"\"%ls\" sleep 60000", self);
                STARTUPINFOW si = {.cb = sizeof(si)};
                PROCESS_INFORMATION pi;
                if (!CreateProcessW(self, line, NULL, NULL, FALSE, DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP, NULL,
                                    NULL, &si, &pi))
                        return 3;
                FILE *f = _wfopen(argv[2], L"w");
                if (!f)
                        return 4;
                fprintf(f, "%lu\n", (unsigned long)pi.dwProcessId);
                fclose(f);
                return 0;
        }
        if (!wcscmp(m, L"inherited") && argc > 2) {
                HANDLE h = (HANDLE)(uintptr_t)wcstoull(argv[2], NULL, 10);
                DWORD flags;
                return GetHandleInformation(h, &flags) && WaitForSingleObject(h, 0) == WAIT_OBJECT_0 ? 1 : 0;
        }
        if (!wcscmp(m, L"breakaway")) {
                wchar_t self[MAX_PATH], line[MAX_PATH + 64];
                GetModuleFileNameW(NULL, self, MAX_PATH);
                swprintf(line, MAX_PATH + 64, L"\"%ls\" sleep 60000", self);
                STARTUPINFOW si = {.cb = sizeof(si)};
                PROCESS_INFORMATION pi;
                if (!CreateProcessW(self, line, NULL, NULL, FALSE, CREATE_BREAKAWAY_FROM_JOB, NULL, NULL, &si, &pi))
                        return 0;
                TerminateProcess(pi.hProcess, 0);
                CloseHandle(pi.hThread);
                CloseHandle(pi.hProcess);
                return 1;
        }
        if (!wcscmp(m, L"cat")) {
                char buf[4096];
                size_t n;
                while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
                        fwrite(buf, 1, n, stdout);
                return 0;
        }
        return 2;
}
