/* SPDX-License-Identifier: MIT */
#include "windows/wpath_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "common/macro.h"
#include "windows/wide_win.h"

static bool is_sep(char c) { return c == '/' || c == '\\'; }

static bool is_device_name(const char *comp, size_t n) {
        static const char *const names[] = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"};
        size_t base = 0;
        while (base < n && comp[base] != '.')
                base++;
        while (base > 0 && comp[base - 1] == ' ')
                base--;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (base == strlen(names[i]) && _strnicmp(comp, names[i], base) == 0)
                        return true;
        /* COM1-9, LPT1-9 (and the superscript digits Windows also reserves) */
        if (base == 4 && (_strnicmp(comp, "COM", 3) == 0 || _strnicmp(comp, "LPT", 3) == 0) && comp[3] >= '0' &&
            comp[3] <= '9')
                return true;
        if (base == 5 && (_strnicmp(comp, "COM", 3) == 0 || _strnicmp(comp, "LPT", 3) == 0) &&
            (unsigned char)comp[3] == 0xc2 && ((unsigned char)comp[4] == 0xb9 || (unsigned char)comp[4] == 0xb2 ||
                                               (unsigned char)comp[4] == 0xb3))
                return true;
        return false;
}

int wpath_check_lexical(const char *path, const char *what, corral_error *err) {
        if (!path || !*path)
                return error_set(err, -EINVAL, "%s: empty path", what);
        if (is_sep(path[0]) && is_sep(path[1])) {
                if ((path[2] == '?' || path[2] == '.') && is_sep(path[3]))
                        return error_set(err, -EINVAL,
                                         "%s '%s': \\\\?\\ and \\\\.\\ paths bypass Win32 path checks; "
                                         "give a plain path (C:\\...)",
                                         what, path);
                return error_set(err, -EINVAL, "%s '%s': network (UNC) paths are not supported", what, path);
        }
        if (is_sep(path[0]) && path[1] == '?' && path[2] == '?' && is_sep(path[3]))
                return error_set(err, -EINVAL, "%s '%s': NT namespace paths (\\??\\) are not accepted", what, path);
        if (!(((path[0] | 0x20) >= 'a' && (path[0] | 0x20) <= 'z') && path[1] == ':' && is_sep(path[2])))
                return error_set(err, -EINVAL, "%s '%s': not an absolute path with a drive letter", what, path);
        const char *p = path + 3;
        while (*p) {
                while (is_sep(*p))
                        p++;
                if (!*p)
                        break;
                size_t n = 0;
                while (p[n] && !is_sep(p[n]))
                        n++;
                for (size_t i = 0; i < n; i++) {
                        unsigned char c = (unsigned char)p[i];
                        if (c == ':')
                                return error_set(err, -EINVAL,
                                                 "%s '%s': ':' names an alternate data stream; not accepted", what,
                                                 path);
                        if (c < 0x20 || strchr("<>\"|?*", c))
                                return error_set(err, -EINVAL, "%s '%s': character '%c' is not allowed in a path",
                                                 what, path, c < 0x20 ? '?' : c);
                }
                bool dots = (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.');
                if (!dots && (p[n - 1] == '.' || p[n - 1] == ' '))
                        return error_set(err, -EINVAL,
                                         "%s '%s': component '%.*s' ends in a dot or space, which Win32 strips "
                                         "(it would name another file)",
                                         what, path, (int)n, p);
                if (is_device_name(p, n))
                        return error_set(err, -EINVAL, "%s '%s': '%.*s' is a reserved device name", what, path,
                                         (int)n, p);
                p += n;
        }
        return 0;
}

int wpath_check_name(const char *name, const char *what, corral_error *err) {
        size_t n = strlen(name);
        if (n == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return error_set(err, -EINVAL, "%s '%s' is not a plain name", what, name);
        for (const char *p = name; *p; p++) {
                unsigned char c = (unsigned char)*p;
                if (c == '/' || c == '\\' || c == ':' || c < 0x20 || strchr("<>\"|?*", c))
                        return error_set(err, -EINVAL,
                                         "%s '%s' is not a plain name: Windows reads '%c' in it as a separator, a "
                                         "data stream or a wildcard",
                                         what, name, c < 0x20 ? '?' : c);
        }
        if (name[n - 1] == '.' || name[n - 1] == ' ')
                return error_set(err, -EINVAL, "%s '%s' ends in a dot or space, which Win32 strips", what, name);
        if (is_device_name(name, n))
                return error_set(err, -EINVAL, "%s '%s' is a reserved device name", what, name);
        return 0;
}

bool wpath_is_reparse_point(const char *path) {
        _cleanup_free_ wchar_t *w = win_wide_exact(path);
        if (!w)
                return false;
        DWORD a = GetFileAttributesW(w);
        return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT);
}

int wpath_final_local(const char *path, const char *what, char **ret, corral_error *err) {
        _cleanup_free_ wchar_t *w = win_wide(path);
        if (!w)
                return error_set(err, -EINVAL, "%s '%s': not valid UTF-8", what, path);
        HANDLE h = CreateFileW(w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                               OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
        if (h == INVALID_HANDLE_VALUE)
                return win_error(err, GetLastError(), "%s '%s'", what, path);
        int r = 0;
        BY_HANDLE_FILE_INFORMATION info;
        wchar_t final[32768];
        DWORD flags = 0;
        if (!GetFileInformationByHandle(h, &info)) {
                r = win_error(err, GetLastError(), "%s '%s': cannot read its attributes", what, path);
                goto out;
        }
        if (!(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
                r = error_set(err, -ENOTDIR, "%s '%s': not a directory", what, path);
                goto out;
        }
        DWORD n = GetFinalPathNameByHandleW(h, final, ELEMENTSOF(final), FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
        if (n == 0 || n >= ELEMENTSOF(final)) {
                r = win_error(err, GetLastError(), "%s '%s': cannot resolve its final path", what, path);
                goto out;
        }
        if (GetVolumeInformationByHandleW(h, NULL, 0, NULL, NULL, &flags, NULL, 0) &&
            !(flags & FILE_PERSISTENT_ACLS)) {
                r = error_set(err, -EOPNOTSUPP,
                              "%s '%s': its file system keeps no ACLs (FAT?), so corral cannot limit writes there", what,
                              path);
                goto out;
        }
        const wchar_t *f = final;
        if (wcsncmp(f, L"\\\\?\\UNC\\", 8) == 0) {
                r = error_set(err, -EINVAL, "%s '%s' resolves to a network path: not supported", what, path);
                goto out;
        }
        if (wcsncmp(f, L"\\\\?\\", 4) == 0)
                f += 4;
        char *s = win_utf8(f);
        if (!s) {
                r = oom(err);
                goto out;
        }
        for (char *c = s; *c; c++)
                if (*c == '\\')
                        *c = '/';
        if ((r = wpath_check_lexical(s, what, err)) < 0) {
                free(s);
                goto out;
        }
        *ret = s;
out:
        CloseHandle(h);
        return r;
}

bool wpath_name_in(const char *name, const strv *names) {
        _cleanup_free_ wchar_t *w = win_wide(name);
        if (!w)
                return false;
        for (size_t i = 0; i < names->n; i++) {
                _cleanup_free_ wchar_t *x = win_wide(names->v[i]);
                if (x && win_name_equal(w, x))
                        return true;
        }
        return false;
}

int wpath_match_protected(const char *root, const strv *names, strv *existing, strv *missing,
                          corral_error *err) {
        char pattern[4200];
        snprintf(pattern, sizeof(pattern), "%s/*", root);
        _cleanup_free_ wchar_t *wpat = win_wide_exact(pattern);
        _cleanup_free_ bool *found = calloc(names->n + 1, sizeof(bool));
        if (!wpat || !found)
                return oom(err);
        WIN32_FIND_DATAW fd;
        HANDLE h = FindFirstFileW(wpat, &fd);
        if (h == INVALID_HANDLE_VALUE) {
                DWORD e = GetLastError();
                if (e != ERROR_FILE_NOT_FOUND)
                        return win_error(err, e, "cannot list writable root '%s'", root);
        } else {
                do {
                        for (size_t i = 0; i < names->n; i++) {
                                _cleanup_free_ wchar_t *x = win_wide(names->v[i]);
                                if (!x || !win_name_equal(fd.cFileName, x))
                                        continue;
                                _cleanup_free_ char *actual = win_utf8(fd.cFileName);
                                char full[4200];
                                snprintf(full, sizeof(full), "%s/%s", root, actual ? actual : names->v[i]);
                                if (strv_push_unique(existing, full) < 0) {
                                        FindClose(h);
                                        return oom(err);
                                }
                                found[i] = true;
                        }
                } while (FindNextFileW(h, &fd));
                FindClose(h);
        }
        for (size_t i = 0; i < names->n; i++) {
                if (found[i])
                        continue;
                char full[4200];
                snprintf(full, sizeof(full), "%s/%s", root, names->v[i]);
                if (strv_push_unique(missing, full) < 0)
                        return oom(err);
        }
        return 0;
}

char *wpath_final_any(const char *path) {
        _cleanup_free_ wchar_t *w = win_wide_exact(path);
        HANDLE h = w ? CreateFileW(w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                   NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL)
                     : INVALID_HANDLE_VALUE;
        if (h == INVALID_HANDLE_VALUE)
                return NULL;
        _cleanup_free_ wchar_t *buf = malloc(32768 * sizeof(wchar_t));
        DWORD n = buf ? GetFinalPathNameByHandleW(h, buf, 32768, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS) : 0;
        CloseHandle(h);
        if (n == 0 || n >= 32768 || wcsncmp(buf, L"\\\\?\\UNC\\", 8) == 0)
                return NULL;
        char *s = win_utf8(wcsncmp(buf, L"\\\\?\\", 4) == 0 ? buf + 4 : buf);
        for (char *c = s; c && *c; c++)
                if (*c == '\\')
                        *c = '/';
        return s;
}
