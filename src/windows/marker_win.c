/* SPDX-License-Identifier: MIT */
#include "windows/marker_win.h"

#include <aclapi.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "common/macro.h"
#include "windows/wide_win.h"

char *win_marker_dir(void) {
        const char *pd = getenv("ProgramData");
        char buf[1024];
        snprintf(buf, sizeof(buf), "%s/corral", pd && *pd ? pd : "C:/ProgramData");
        for (char *c = buf; *c; c++)
                if (*c == '\\')
                        *c = '/';
        return strdup(buf);
}

int win_marker_format(const win_marker *m, char *buf, size_t size) {
        int n = snprintf(buf, size,
                         "format=%d\nversion=%s\ngroup=%s\ngroup_sid=%s\noffline=%s\noffline_sid=%s\nonline=%s\n"
                         "online_sid=%s\nrunner=%s\nloopback_ports=%s\n",
                         WIN_MARKER_FORMAT, CORRAL_VERSION, m->group, m->group_sid, m->offline, m->offline_sid,
                         m->online, m->online_sid, m->runner, m->loopback_ports);
        return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}

static bool field(const char *key, const char *want, const char *value, char *dst, size_t size) {
        if (strcmp(key, want) != 0)
                return false;
        snprintf(dst, size, "%s", value);
        return true;
}

int win_marker_parse(const char *text, win_marker *m, corral_error *err) {
        *m = (win_marker){0};
        const char *p = text;
        int line = 0;
        while (*p) {
                line++;
                size_t n = strcspn(p, "\r\n");
                char l[1200];
                if (n >= sizeof(l))
                        return error_set(err, -EINVAL, "setup marker line %d: too long", line);
                memcpy(l, p, n);
                l[n] = 0;
                p += n;
                while (*p == '\r' || *p == '\n')
                        p++;
                if (!*l)
                        continue;
                char *eq = strchr(l, '=');
                if (!eq)
                        return error_set(err, -EINVAL, "setup marker line %d: no '='", line);
                *eq = 0;
                const char *v = eq + 1;
                char num[16];
                if (field(l, "format", v, num, sizeof(num)))
                        m->format = atoi(num);
                else if (!(field(l, "version", v, m->version, sizeof(m->version)) ||
                           field(l, "group", v, m->group, sizeof(m->group)) ||
                           field(l, "group_sid", v, m->group_sid, sizeof(m->group_sid)) ||
                           field(l, "offline", v, m->offline, sizeof(m->offline)) ||
                           field(l, "offline_sid", v, m->offline_sid, sizeof(m->offline_sid)) ||
                           field(l, "online", v, m->online, sizeof(m->online)) ||
                           field(l, "online_sid", v, m->online_sid, sizeof(m->online_sid)) ||
                           field(l, "runner", v, m->runner, sizeof(m->runner)) ||
                           field(l, "loopback_ports", v, m->loopback_ports, sizeof(m->loopback_ports))))
                        return error_set(err, -EINVAL, "setup marker line %d: unknown key '%s'", line, l);
        }
        if (m->format != WIN_MARKER_FORMAT)
                return error_set(err, -EINVAL, "setup marker: format %d, this corral reads %d: rerun `corral setup`",
                                 m->format, WIN_MARKER_FORMAT);
        if (strcmp(m->version, CORRAL_VERSION) != 0)
                return error_set(err, -EINVAL, "setup marker: installed by corral %s, this is %s: rerun `corral setup`",
                                 m->version, CORRAL_VERSION);
        if (!*m->offline_sid || !*m->online_sid || !*m->group_sid || !*m->runner)
                return error_set(err, -EINVAL, "setup marker: incomplete: rerun `corral setup`");
        return 0;
}

/* Owned by BUILTIN\Administrators (S-1-5-32-544) or SYSTEM (S-1-5-18)? */
static bool owned_by_admin(const wchar_t *path) {
        PSID owner = NULL;
        PSECURITY_DESCRIPTOR sd = NULL;
        if (GetNamedSecurityInfoW(path, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION, &owner, NULL, NULL, NULL, &sd) !=
            ERROR_SUCCESS)
                return false;
        bool ok = IsWellKnownSid(owner, WinBuiltinAdministratorsSid) || IsWellKnownSid(owner, WinLocalSystemSid);
        LocalFree(sd);
        return ok;
}

int win_marker_read(win_marker *m, corral_error *err) {
        _cleanup_free_ char *dir = win_marker_dir();
        char path[1200];
        snprintf(path, sizeof(path), "%s/setup.txt", dir ? dir : "C:/ProgramData/corral");
        _cleanup_free_ wchar_t *w = win_wide(path);
        if (!w)
                return oom(err);
        HANDLE h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
        if (h == INVALID_HANDLE_VALUE) {
                DWORD e = GetLastError();
                if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
                        return error_set(err, -ENOENT, "corral setup has not been run (no %s)", path);
                return win_error(err, e, "cannot read %s", path);
        }
        char buf[8192];
        DWORD n = 0;
        BOOL ok = ReadFile(h, buf, sizeof(buf) - 1, &n, NULL);
        CloseHandle(h);
        if (!ok)
                return win_error(err, GetLastError(), "cannot read %s", path);
        buf[n] = 0;
        if (!owned_by_admin(w))
                return error_set(err, -EACCES,
                                 "%s is not owned by Administrators or SYSTEM: ignored (rerun `corral setup`)", path);
        return win_marker_parse(buf, m, err);
}
