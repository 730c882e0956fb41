/* SPDX-License-Identifier: MIT */
#include "windows/token_win.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "windows/sid_win.h"
#include "common/macro.h"
#include "windows/wide_win.h"

#ifndef LUA_TOKEN
#define LUA_TOKEN 0x4
#endif
#ifndef WRITE_RESTRICTED
#define WRITE_RESTRICTED 0x8
#endif

static int set_default_dacl(HANDLE token, PSID const *sids, size_t n, corral_error *err) {
        DWORD size = sizeof(ACL);
        for (size_t i = 0; i < n; i++)
                size += sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) + GetLengthSid(sids[i]);
        _cleanup_free_ ACL *acl = malloc(size);
        if (!acl)
                return oom(err);
        if (!InitializeAcl(acl, size, ACL_REVISION))
                return win_error(err, GetLastError(), "cannot build the default DACL");
        for (size_t i = 0; i < n; i++)
                if (!AddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, sids[i]))
                        return win_error(err, GetLastError(), "cannot build the default DACL");
        TOKEN_DEFAULT_DACL d = {.DefaultDacl = acl};
        if (!SetTokenInformation(token, TokenDefaultDacl, &d, sizeof(d)))
                return win_error(err, GetLastError(), "cannot set the restricted token's default DACL");
        return 0;
}

int token_restricted(HANDLE base, PSID const *caps, size_t ncaps, HANDLE *ret, corral_error *err) {
        PSID user = NULL, logon = NULL, everyone = NULL, system = NULL;
        SID_AND_ATTRIBUTES *restrict_sids = calloc(ncaps + 2, sizeof(*restrict_sids));
        PSID *dacl_sids = calloc(ncaps + 3, sizeof(PSID));
        HANDLE tok = NULL;
        size_t nr = 0, nd = 0;
        int r;

        if (!restrict_sids || !dacl_sids) {
                r = oom(err);
                goto out;
        }
        if ((r = sid_token_user(base, &user, err)) < 0)
                goto out;
        if (sid_token_logon(base, &logon, NULL) < 0)
                logon = NULL; /* a service or batch token may have none */
        if ((r = sid_everyone(&everyone)) < 0 || (r = sid_from_string("S-1-5-18", &system, err)) < 0) {
                r = oom(err);
                goto out;
        }
        for (size_t i = 0; i < ncaps; i++)
                restrict_sids[nr++].Sid = caps[i];
        if (logon)
                restrict_sids[nr++].Sid = logon;
        restrict_sids[nr++].Sid = everyone;
        if (!CreateRestrictedToken(base, DISABLE_MAX_PRIVILEGE | LUA_TOKEN | WRITE_RESTRICTED, 0, NULL, 0, NULL,
                                   (DWORD)nr, restrict_sids, &tok)) {
                r = win_error(err, GetLastError(), "CreateRestrictedToken");
                goto out;
        }
        dacl_sids[nd++] = user;
        if (logon)
                dacl_sids[nd++] = logon;
        dacl_sids[nd++] = system;
        for (size_t i = 0; i < ncaps && nd < ncaps + 3; i++)
                dacl_sids[nd++] = caps[i];
        if ((r = set_default_dacl(tok, dacl_sids, nd, err)) < 0) {
                CloseHandle(tok);
                goto out;
        }
        *ret = tok;
out:
        free(user);
        free(logon);
        free(everyone);
        free(system);
        free(restrict_sids);
        free(dacl_sids);
        return r;
}

int token_restricting_sids(HANDLE token, PSID **ret, size_t *n, corral_error *err) {
        DWORD size = 0;
        GetTokenInformation(token, TokenRestrictedSids, NULL, 0, &size);
        if (size == 0)
                return win_error(err, GetLastError(), "cannot read the token's restricting SIDs");
        TOKEN_GROUPS *g = malloc(size);
        if (!g)
                return oom(err);
        if (!GetTokenInformation(token, TokenRestrictedSids, g, size, &size)) {
                free(g);
                return win_error(err, GetLastError(), "cannot read the token's restricting SIDs");
        }
        /* One block: the array of pointers is written over nothing of g's. */
        PSID *v = malloc(sizeof(PSID) * (g->GroupCount + 1) + size);
        if (!v) {
                free(g);
                return oom(err);
        }
        TOKEN_GROUPS *copy = (TOKEN_GROUPS *)(v + g->GroupCount + 1);
        memcpy(copy, g, size);
        for (DWORD i = 0; i < g->GroupCount; i++)
                v[i] = (BYTE *)copy + ((BYTE *)g->Groups[i].Sid - (BYTE *)g);
        v[g->GroupCount] = NULL;
        *n = g->GroupCount;
        free(g);
        *ret = v;
        return 0;
}

bool token_is_elevated(void) {
        HANDLE t;
        TOKEN_ELEVATION e = {0};
        DWORD n;
        if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &t))
                return false;
        bool ok = GetTokenInformation(t, TokenElevation, &e, sizeof(e), &n) && e.TokenIsElevated;
        CloseHandle(t);
        return ok;
}
