/* SPDX-License-Identifier: MIT */
#include "windows/sid_win.h"

#include <bcrypt.h>
#include <errno.h>
#include <sddl.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "windows/wide_win.h"

PSID sid_copy(PSID sid) {
        DWORD n = GetLengthSid(sid);
        PSID c = malloc(n);
        if (c && !CopySid(n, c, sid)) {
                free(c);
                return NULL;
        }
        return c;
}

static int sha256(const void *data, size_t len, unsigned char out[32]) {
        BCRYPT_ALG_HANDLE alg;
        if (BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0) < 0)
                return -EIO;
        BCRYPT_HASH_HANDLE h = NULL;
        NTSTATUS s = BCryptCreateHash(alg, &h, NULL, 0, NULL, 0, 0);
        if (s >= 0)
                s = BCryptHashData(h, (PUCHAR)data, (ULONG)len, 0);
        if (s >= 0)
                s = BCryptFinishHash(h, out, 32, 0);
        if (h)
                BCryptDestroyHash(h);
        BCryptCloseAlgorithmProvider(alg, 0);
        return s < 0 ? -EIO : 0;
}

int sid_for_root(const char *root, PSID *ret, corral_error *err) {
        char buf[8192];
        int len = snprintf(buf, sizeof(buf), "corral-capability-v1:%s", root);
        if (len < 0 || (size_t)len >= sizeof(buf))
                return error_set(err, -ENAMETOOLONG, "path too long: %s", root);
        _cleanup_free_ wchar_t *w = win_wide(buf);
        if (!w)
                return error_set(err, -EINVAL, "'%s': not valid UTF-8", root);
        for (wchar_t *p = w; *p; p++)
                if (*p == L'\\')
                        *p = L'/';
        CharLowerW(w);
        unsigned char h[32];
        if (sha256(w, wcslen(w) * sizeof(wchar_t), h) < 0)
                return error_set(err, -EIO, "SHA-256 (BCryptHash) failed");
        DWORD sub[4];
        memcpy(sub, h, sizeof(sub));
        SID_IDENTIFIER_AUTHORITY nt = {SECURITY_NT_AUTHORITY};
        PSID s;
        if (!AllocateAndInitializeSid(&nt, 5, SECURITY_NT_NON_UNIQUE, sub[0], sub[1], sub[2], sub[3], 0, 0, 0, &s))
                return win_error(err, GetLastError(), "cannot build the capability SID for %s", root);
        *ret = sid_copy(s);
        FreeSid(s);
        return *ret ? 0 : oom(err);
}

int sid_everyone(PSID *ret) {
        SID_IDENTIFIER_AUTHORITY world = {SECURITY_WORLD_SID_AUTHORITY};
        PSID s;
        if (!AllocateAndInitializeSid(&world, 1, SECURITY_WORLD_RID, 0, 0, 0, 0, 0, 0, 0, &s))
                return -ENOMEM;
        *ret = sid_copy(s);
        FreeSid(s);
        return *ret ? 0 : -ENOMEM;
}

int sid_from_string(const char *str, PSID *ret, corral_error *err) {
        PSID s;
        if (!ConvertStringSidToSidA(str, &s))
                return win_error(err, GetLastError(), "'%s' is not a SID", str);
        *ret = sid_copy(s);
        LocalFree(s);
        return *ret ? 0 : oom(err);
}

char *sid_to_string(PSID sid) {
        char *s = NULL;
        if (!ConvertSidToStringSidA(sid, &s))
                return NULL;
        char *r = strdup(s);
        LocalFree(s);
        return r;
}

/* The TOKEN_* information class info, malloc'd. */
static void *token_info(HANDLE token, TOKEN_INFORMATION_CLASS cls) {
        DWORD n = 0;
        GetTokenInformation(token, cls, NULL, 0, &n);
        if (n == 0)
                return NULL;
        void *buf = malloc(n);
        if (buf && !GetTokenInformation(token, cls, buf, n, &n)) {
                free(buf);
                return NULL;
        }
        return buf;
}

int sid_token_user(HANDLE token, PSID *ret, corral_error *err) {
        _cleanup_free_ TOKEN_USER *u = token_info(token, TokenUser);
        if (!u)
                return win_error(err, GetLastError(), "cannot read the token's user");
        *ret = sid_copy(u->User.Sid);
        return *ret ? 0 : oom(err);
}

int sid_token_logon(HANDLE token, PSID *ret, corral_error *err) {
        _cleanup_free_ TOKEN_GROUPS *g = token_info(token, TokenGroups);
        if (!g)
                return win_error(err, GetLastError(), "cannot read the token's groups");
        for (DWORD i = 0; i < g->GroupCount; i++)
                if ((g->Groups[i].Attributes & SE_GROUP_LOGON_ID) == SE_GROUP_LOGON_ID) {
                        *ret = sid_copy(g->Groups[i].Sid);
                        return *ret ? 0 : oom(err);
                }
        return error_set(err, -ENOENT, "the token has no logon SID");
}

int sid_lookup_account(const char *name, PSID *ret, corral_error *err) {
        _cleanup_free_ wchar_t *w = win_wide(name);
        BYTE sid[SECURITY_MAX_SID_SIZE];
        wchar_t domain[256];
        DWORD sn = sizeof(sid), dn = ELEMENTSOF(domain);
        SID_NAME_USE use;
        if (!w)
                return error_set(err, -EINVAL, "account name '%s': not valid UTF-8", name);
        if (!LookupAccountNameW(NULL, w, sid, &sn, domain, &dn, &use)) {
                DWORD e = GetLastError();
                return e == ERROR_NONE_MAPPED ? error_set(err, -ENOENT, "no account named %s", name)
                                              : win_error(err, e, "cannot look up account %s", name);
        }
        *ret = sid_copy(sid);
        return *ret ? 0 : oom(err);
}
