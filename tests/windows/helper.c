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
 *                     a child escaped the job, 0 if refused
 *   send PORT TEXT    connect to 127.0.0.1:PORT, send TEXT ("\r\n" for CR LF),
 *                     print what comes back until the peer closes; exit 3 if
 *                     the connection fails
 *   proxied URL       GET URL (http://HOST:PORT/PATH) through the proxy that
 *                     HTTP_PROXY names (http://127.0.0.1:PORT), as a tool that
 *                     follows the proxy variables does; print the answer
 *   proxysend TEXT    send TEXT as is to the proxy that HTTP_PROXY names
 *                     (pipelined requests, say); print what comes back
 *   mkhook DIR        make DIR, DIR\.git\hooks and a pre-commit hook there, DIR
 *                     as given (a \\?\ path may end in a space or a dot,
 *                     which Win32 paths drop); exit 3 if one cannot be made
 *   write PATH TEXT   replace PATH's contents with TEXT (UTF-8), PATH as given
 *                     (a \\?\ path reaches a name Win32 would rewrite); exit 3
 *                     if it cannot
 *   move FROM TO      rename FROM to TO, as given; exit 3 if it cannot
 *   delete PATH       remove the file PATH, as given; exit 3 if it cannot */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <stdbool.h>
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
        if (!wcscmp(m, L"proxied") && argc > 2) {
                const wchar_t *proxy = _wgetenv(L"HTTP_PROXY");
                const wchar_t *colon = proxy ? wcsrchr(proxy, L':') : NULL;
                if (!colon)
                        return 4;
                wchar_t port[16], text[2048];
                swprintf(port, 16, L"%ls", colon + 1);
                swprintf(text, 2048, L"GET %ls HTTP/1.1\\r\\nUser-Agent: winhelper\\r\\n\\r\\n", argv[2]);
                wchar_t *args[] = {argv[0], L"send", port, text, NULL};
                return wmain(4, args);
        }
        if (!wcscmp(m, L"proxysend") && argc > 2) {
                const wchar_t *proxy = _wgetenv(L"HTTP_PROXY");
                const wchar_t *colon = proxy ? wcsrchr(proxy, L':') : NULL;
                if (!colon)
                        return 4;
                wchar_t port[16];
                swprintf(port, 16, L"%ls", colon + 1);
                wchar_t *args[] = {argv[0], L"send", port, argv[2], NULL};
                return wmain(4, args);
        }
        if (!wcscmp(m, L"send") && argc > 3) {
                WSADATA wd;
                WSAStartup(MAKEWORD(2, 2), &wd);
                SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
                struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((u_short)_wtoi(argv[2]))};
                a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                if (s == INVALID_SOCKET || connect(s, (struct sockaddr *)&a, sizeof(a)) != 0)
                        return 3;
                char text[4096], out[4096];
                size_t o = 0;
                WideCharToMultiByte(CP_UTF8, 0, argv[3], -1, text, sizeof(text), NULL, NULL);
                for (const char *p = text; *p && o < sizeof(out); p++) {
                        if (p[0] == '\\' && p[1] == 'r') {
                                out[o++] = '\r';
                                p++;
                        } else if (p[0] == '\\' && p[1] == 'n') {
                                out[o++] = '\n';
                                p++;
                        } else
                                out[o++] = *p;
                }
                send(s, out, (int)o, 0);
                int n;
                while ((n = recv(s, text, sizeof(text), 0)) > 0)
                        fwrite(text, 1, (size_t)n, stdout);
                closesocket(s);
                return 0;
        }
        if (!wcscmp(m, L"mkhook") && argc > 2) {
                wchar_t path[2048];
                const wchar_t *const parts[] = {L"", L"\\.git", L"\\.git\\hooks"};
                for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
                        swprintf(path, 2048, L"%ls%ls", argv[2], parts[i]);
                        if (!CreateDirectoryW(path, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
                                return 3;
                }
                swprintf(path, 2048, L"%ls\\.git\\hooks\\pre-commit", argv[2]);
                HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
                DWORD n;
                if (f == INVALID_HANDLE_VALUE || !WriteFile(f, "exit 0\n", 7, &n, NULL))
                        return 3;
                CloseHandle(f);
                return 0;
        }
        if (!wcscmp(m, L"write") && argc > 3) {
                char text[8192];
                int n = WideCharToMultiByte(CP_UTF8, 0, argv[3], -1, text, sizeof(text), NULL, NULL);
                HANDLE f = CreateFileW(argv[2], GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
                DWORD put = 0;
                bool ok = f != INVALID_HANDLE_VALUE && n > 0 && WriteFile(f, text, (DWORD)n - 1, &put, NULL) &&
                          put == (DWORD)n - 1;
                if (f != INVALID_HANDLE_VALUE)
                        CloseHandle(f);
                return ok ? 0 : 3;
        }
        if (!wcscmp(m, L"move") && argc > 3)
                return MoveFileExW(argv[2], argv[3], 0) ? 0 : 3;
        if (!wcscmp(m, L"delete") && argc > 2)
                return DeleteFileW(argv[2]) ? 0 : 3;
        if (!wcscmp(m, L"cat")) {
                char buf[4096];
                size_t n;
                while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
                        fwrite(buf, 1, n, stdout);
                return 0;
        }
        return 2;
}
