/* SPDX-License-Identifier: MIT */
#include "windows/cli_win.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <shellapi.h>

#include "windows/sid_win.h"
#include "common/macro.h"
#include "windows/wide_win.h"
#include "windows/cmdline_win.h"

#define EXIT_SETUP 125

int cli_win_fcntl(int fd, int cmd, ...) {
        if (_get_osfhandle(fd) == -1)
                return -1;
        return cmd == F_GETFD ? 0 : 0;
}

int dprintf(int fd, const char *fmt, ...) {
        char buf[4096];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n < 0)
                return n;
        if ((size_t)n >= sizeof(buf))
                n = sizeof(buf) - 1;
        return _write(fd, buf, (unsigned)n);
}

char **cli_win_utf8_argv(int *argc) {
        int n = 0;
        wchar_t **w = CommandLineToArgvW(GetCommandLineW(), &n);
        char **v = w ? calloc((size_t)n + 1, sizeof(char *)) : NULL;
        if (!v) {
                fprintf(stderr, "corral: cannot read the command line\n");
                exit(EXIT_SETUP);
        }
        for (int i = 0; i < n; i++)
                if (!(v[i] = win_utf8(w[i]))) {
                        fprintf(stderr, "corral: argument %d is not valid UTF-16\n", i);
                        exit(EXIT_SETUP);
                }
        LocalFree(w);
        *argc = n;
        return v;
}

void cli_win_ensure_std_fds(void) {
        for (int fd = 0; fd < 3; fd++)
                if (_get_osfhandle(fd) == -1) {
                        int nul = _open("NUL", _O_RDWR);
                        if (nul < 0 || (nul != fd && _dup2(nul, fd) < 0))
                                exit(EXIT_SETUP);
                }
}

int cli_win_setup(int argc, char **argv) {
        wchar_t exe[MAX_PATH + 32];
        DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH);
        if (n == 0 || n >= MAX_PATH) {
                fprintf(stderr, "corral: cannot find where corral.exe lives\n");
                return EXIT_SETUP;
        }
        wchar_t *slash = wcsrchr(exe, L'\\');
        wcscpy(slash ? slash + 1 : exe, L"corral-setup.exe");
        /* The elevated window closes when setup ends: setup also writes what
         * it says to a log, which is shown here afterwards. */
        const char *lad = getenv("LOCALAPPDATA");
        char log[2048];
        snprintf(log, sizeof(log), "%s\\corral\\setup-last.log", lad ? lad : ".");
        if (lad) {
                char dir[2048];
                snprintf(dir, sizeof(dir), "%s\\corral", lad);
                CreateDirectoryA(dir, NULL);
        }
        /* corral-setup's arguments, quoted by the rules it parses them with */
        /* and who asked: the DPAPI credentials must be this account's, not
         * those of an administrator who answered the UAC prompt */
        HANDLE tok;
        PSID me = NULL;
        _cleanup_free_ char *me_s = NULL;
        if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
                if (sid_token_user(tok, &me, NULL) == 0)
                        me_s = sid_to_string(me);
                CloseHandle(tok);
        }
        free(me);
        char **args = calloc((size_t)argc + 5, sizeof(char *));
        if (!args || !me_s) {
                free(args);
                fprintf(stderr, "corral: cannot read this account's SID\n");
                return EXIT_SETUP;
        }
        args[0] = "corral-setup.exe";
        args[1] = "--log";
        args[2] = log;
        args[3] = "--user-sid";
        args[4] = me_s;
        for (int i = 1; i < argc; i++)
                args[i + 4] = argv[i];
        _cleanup_free_ char *line = NULL;
        corral_error err = {{0}};
        int r = cmdline_quote_argv(args, &line, &err);
        free(args);
        if (r < 0) {
                fprintf(stderr, "corral: %s\n", err.msg);
                return EXIT_SETUP;
        }
        /* the parameters: everything after the program name */
        const char *params = line + strlen("corral-setup.exe");
        _cleanup_free_ wchar_t *wparams = win_wide(params);
        SHELLEXECUTEINFOW sei = {.cbSize = sizeof(sei), .fMask = SEE_MASK_NOCLOSEPROCESS | SEE_MASK_NOASYNC,
                                 .lpVerb = L"runas", .lpFile = exe, .lpParameters = wparams, .nShow = SW_SHOWNORMAL};
        if (!ShellExecuteExW(&sei) || !sei.hProcess) {
                DWORD e = GetLastError();
                fprintf(stderr, "corral: cannot start corral-setup.exe elevated%s (Win32 error %lu)\n",
                        e == ERROR_CANCELLED ? ": the UAC prompt was declined" : "", (unsigned long)e);
                return EXIT_SETUP;
        }
        WaitForSingleObject(sei.hProcess, INFINITE);
        DWORD code = EXIT_SETUP;
        GetExitCodeProcess(sei.hProcess, &code);
        CloseHandle(sei.hProcess);
        _cleanup_free_ wchar_t *wlog = win_wide(log);
        FILE *f = wlog ? _wfopen(wlog, L"r") : NULL;
        if (f) {
                char text[2048];
                while (fgets(text, sizeof(text), f))
                        fputs(text, stderr);
                fclose(f);
        }
        if (code == 0)
                fprintf(stderr, "corral: setup finished\n");
        else
                fprintf(stderr, "corral: corral-setup.exe failed with exit code %lu\n", (unsigned long)code);
        return (int)code;
}
