/* SPDX-License-Identifier: MIT */
#include "windows/wide_win.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "common/path.h"

wchar_t *win_wide(const char *utf8) {
        if (!utf8) {
                errno = EINVAL;
                return NULL;
        }
        int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, -1, NULL, 0);
        if (n <= 0) {
                errno = EINVAL;
                return NULL;
        }
        wchar_t *w = malloc((size_t)n * sizeof(wchar_t));
        if (!w)
                return NULL;
        MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, -1, w, n);
        return w;
}

wchar_t *win_wide_exact(const char *path) { return path_win_exact(path); }

char *win_utf8(const wchar_t *wide) {
        if (!wide) {
                errno = EINVAL;
                return NULL;
        }
        int n = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, wide, -1, NULL, 0, NULL, NULL);
        if (n <= 0) {
                errno = EINVAL;
                return NULL;
        }
        char *s = malloc((size_t)n);
        if (!s)
                return NULL;
        WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, wide, -1, s, n, NULL, NULL);
        return s;
}

int win_errno(DWORD code) {
        switch (code) {
        case ERROR_ACCESS_DENIED:
        case ERROR_PRIVILEGE_NOT_HELD:
                return -EACCES;
        case ERROR_FILE_NOT_FOUND:
        case ERROR_PATH_NOT_FOUND:
        case ERROR_NONE_MAPPED:
                return -ENOENT;
        case ERROR_NOT_ENOUGH_MEMORY:
        case ERROR_OUTOFMEMORY:
                return -ENOMEM;
        default:
                return -EIO;
        }
}

int win_error(corral_error *err, DWORD code, const char *fmt, ...) {
        if (err) {
                char what[512], sys[384] = "";
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(what, sizeof(what), fmt, ap);
                va_end(ap);
                DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0,
                                         sys, sizeof(sys), NULL);
                while (n > 0 && (sys[n - 1] == '\n' || sys[n - 1] == '\r' || sys[n - 1] == ' ' || sys[n - 1] == '.'))
                        sys[--n] = 0;
                snprintf(err->msg, sizeof(err->msg), "%s: %s (Win32 error %lu)", what, n ? sys : "unknown error",
                         (unsigned long)code);
        }
        return win_errno(code);
}

const char *win_wine_version(void) {
        HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
        if (!ntdll)
                return NULL;
        FARPROC p = GetProcAddress(ntdll, "wine_get_version");
        if (!p)
                return NULL;
        const char *(*get)(void) = (const char *(*)(void))(void (*)(void))p;
        return get();
}

bool win_name_equal(const wchar_t *a, const wchar_t *b) {
        return CompareStringOrdinal(a, -1, b, -1, TRUE) == CSTR_EQUAL;
}
