/* SPDX-License-Identifier: MIT */
#include "windows/users_win.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <lm.h>

#include "common/macro.h"
#include "windows/wide_win.h"

#define USERLIST_KEY L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\SpecialAccounts\\UserList"

int users_ensure_group(const char *group, corral_error *err) {
        _cleanup_free_ wchar_t *g = win_wide(group);
        if (!g)
                return oom(err);
        LOCALGROUP_INFO_1 info = {.lgrpi1_name = g, .lgrpi1_comment = L"corral: the sandbox users"};
        NET_API_STATUS s = NetLocalGroupAdd(NULL, 1, (BYTE *)&info, NULL);
        if (s != NERR_Success && s != ERROR_ALIAS_EXISTS && s != NERR_GroupExists)
                return win_error(err, s, "cannot create local group %s (NetLocalGroupAdd)", group);
        return 0;
}

int users_ensure_user(const char *name, const char *password, corral_error *err) {
        _cleanup_free_ wchar_t *n = win_wide(name), *p = win_wide(password);
        if (!n || !p)
                return oom(err);
        USER_INFO_1 info = {
                .usri1_name = n,
                .usri1_password = p,
                .usri1_priv = USER_PRIV_USER,
                .usri1_comment = L"corral sandbox user (corral setup)",
                .usri1_flags = UF_SCRIPT | UF_DONT_EXPIRE_PASSWD | UF_PASSWD_CANT_CHANGE,
        };
        NET_API_STATUS s = NetUserAdd(NULL, 1, (BYTE *)&info, NULL);
        if (s == NERR_UserExists) {
                USER_INFO_1003 pw = {.usri1003_password = p};
                s = NetUserSetInfo(NULL, n, 1003, (BYTE *)&pw, NULL);
                if (s != NERR_Success) {
                        SecureZeroMemory(p, wcslen(p) * sizeof(wchar_t));
                        return win_error(err, s, "cannot reset the password of existing account %s", name);
                }
        } else if (s != NERR_Success) {
                SecureZeroMemory(p, wcslen(p) * sizeof(wchar_t));
                return win_error(err, s, "cannot create account %s (NetUserAdd)", name);
        }
        SecureZeroMemory(p, wcslen(p) * sizeof(wchar_t));
        return 0;
}

int users_add_to_group(const char *group, const char *user, corral_error *err) {
        _cleanup_free_ wchar_t *g = win_wide(group), *u = win_wide(user);
        if (!g || !u)
                return oom(err);
        LOCALGROUP_MEMBERS_INFO_3 m = {.lgrmi3_domainandname = u};
        NET_API_STATUS s = NetLocalGroupAddMembers(NULL, g, 3, (BYTE *)&m, 1);
        if (s != NERR_Success && s != ERROR_MEMBER_IN_ALIAS)
                return win_error(err, s, "cannot add %s to %s", user, group);
        return 0;
}

bool users_is_member(const char *group, const char *user) {
        _cleanup_free_ wchar_t *g = win_wide(group), *u = win_wide(user);
        LOCALGROUP_MEMBERS_INFO_3 *buf = NULL;
        DWORD read = 0, total = 0;
        bool found = false;
        if (!g || !u || NetLocalGroupGetMembers(NULL, g, 3, (BYTE **)&buf, MAX_PREFERRED_LENGTH, &read, &total, NULL) !=
                                NERR_Success)
                return false;
        for (DWORD i = 0; i < read && !found; i++) {
                const wchar_t *full = buf[i].lgrmi3_domainandname, *bs = wcsrchr(full, L'\\');
                found = _wcsicmp(bs ? bs + 1 : full, u) == 0;
        }
        NetApiBufferFree(buf);
        return found;
}

int users_hide(const char *name, bool hide, corral_error *err) {
        _cleanup_free_ wchar_t *n = win_wide(name);
        HKEY key;
        if (!n)
                return oom(err);
        LSTATUS s = RegCreateKeyExW(HKEY_LOCAL_MACHINE, USERLIST_KEY, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL);
        if (s != ERROR_SUCCESS)
                return win_error(err, (DWORD)s, "cannot open HKLM\\%ls", USERLIST_KEY);
        DWORD zero = 0;
        s = hide ? RegSetValueExW(key, n, 0, REG_DWORD, (const BYTE *)&zero, sizeof(zero)) : RegDeleteValueW(key, n);
        RegCloseKey(key);
        if (s != ERROR_SUCCESS && !(s == ERROR_FILE_NOT_FOUND && !hide))
                return win_error(err, (DWORD)s, "cannot %s %s on the logon screen", hide ? "hide" : "unhide", name);
        return 0;
}

int users_delete(const char *name, corral_error *err) {
        _cleanup_free_ wchar_t *n = win_wide(name);
        if (!n)
                return oom(err);
        NET_API_STATUS s = NetUserDel(NULL, n);
        if (s != NERR_Success && s != NERR_UserNotFound)
                return win_error(err, s, "cannot delete account %s", name);
        return 0;
}

int users_delete_group(const char *group, corral_error *err) {
        _cleanup_free_ wchar_t *g = win_wide(group);
        if (!g)
                return oom(err);
        NET_API_STATUS s = NetLocalGroupDel(NULL, g);
        if (s != NERR_Success && s != NERR_GroupNotFound && s != ERROR_NO_SUCH_ALIAS)
                return win_error(err, s, "cannot delete group %s", group);
        return 0;
}
