/* SPDX-License-Identifier: MIT */
#include "windows/credentials_win.h"

#include <bcrypt.h>
#include <dpapi.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "windows/sid_win.h"
#include "common/macro.h"
#include "windows/wide_win.h"

#define CRED_MAGIC "corral-credentials-v1"

static DATA_BLOB entropy(void) {
        static char e[] = "corral sandbox users";
        return (DATA_BLOB){.cbData = sizeof(e) - 1, .pbData = (BYTE *)e};
}

int cred_protect(const win_credentials *c, BYTE **blob, DWORD *size, corral_error *err) {
        char plain[sizeof(CRED_MAGIC) + sizeof(*c) + 4];
        int n = snprintf(plain, sizeof(plain), "%s\n%s\n%s\n", CRED_MAGIC, c->offline_password, c->online_password);
        DATA_BLOB in = {.cbData = (DWORD)n, .pbData = (BYTE *)plain}, out = {0}, ent = entropy();
        BOOL ok = CryptProtectData(&in, L"corral sandbox users", &ent, NULL, NULL, CRYPTPROTECT_UI_FORBIDDEN, &out);
        SecureZeroMemory(plain, sizeof(plain));
        if (!ok)
                return win_error(err, GetLastError(), "CryptProtectData");
        *blob = out.pbData;
        *size = out.cbData;
        return 0;
}

int cred_unprotect(const BYTE *blob, DWORD size, win_credentials *c, corral_error *err) {
        DATA_BLOB in = {.cbData = size, .pbData = (BYTE *)blob}, out = {0}, ent = entropy();
        if (!CryptUnprotectData(&in, NULL, &ent, NULL, NULL, CRYPTPROTECT_UI_FORBIDDEN, &out))
                return win_error(err, GetLastError(),
                                 "cannot decrypt the sandbox users' credentials (CryptUnprotectData; written for "
                                 "another account?): rerun `corral setup`");
        int r = 0;
        char *s = malloc(out.cbData + 1);
        if (!s) {
                r = oom(err);
                goto out;
        }
        memcpy(s, out.pbData, out.cbData);
        s[out.cbData] = 0;
        char *l1 = s, *l2 = strchr(l1, '\n'), *l3 = l2 ? strchr(l2 + 1, '\n') : NULL, *end = l3 ? strchr(l3 + 1, '\n') : NULL;
        if (!end || (size_t)(l2 - l1) != strlen(CRED_MAGIC) || strncmp(l1, CRED_MAGIC, strlen(CRED_MAGIC)) != 0 ||
            (size_t)(l3 - l2 - 1) >= sizeof(c->offline_password) ||
            (size_t)(end - l3 - 1) >= sizeof(c->online_password)) {
                r = error_set(err, -EINVAL, "the sandbox users' credential file is malformed: rerun `corral setup`");
        } else {
                *c = (win_credentials){0};
                memcpy(c->offline_password, l2 + 1, (size_t)(l3 - l2 - 1));
                memcpy(c->online_password, l3 + 1, (size_t)(end - l3 - 1));
        }
        SecureZeroMemory(s, out.cbData);
        free(s);
out:
        SecureZeroMemory(out.pbData, out.cbData);
        LocalFree(out.pbData);
        return r;
}

char *cred_default_path(void) {
        const char *base = getenv("LOCALAPPDATA");
        if (!base || !*base)
                return NULL;
        char buf[2048];
        snprintf(buf, sizeof(buf), "%s/corral/credentials.bin", base);
        return strdup(buf);
}

int cred_file_security(PSID sid, SECURITY_DESCRIPTOR **sd, ACL **acl, corral_error *err) {
        DWORD size = sizeof(ACL) + sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) + GetLengthSid(sid);
        *acl = malloc(size);
        *sd = malloc(sizeof(SECURITY_DESCRIPTOR));
        if (!*acl || !*sd || !InitializeAcl(*acl, size, ACL_REVISION) ||
            !AddAccessAllowedAce(*acl, ACL_REVISION, FILE_ALL_ACCESS, sid) ||
            !InitializeSecurityDescriptor(*sd, SECURITY_DESCRIPTOR_REVISION) ||
            !SetSecurityDescriptorDacl(*sd, TRUE, *acl, FALSE) ||
            !SetSecurityDescriptorControl(*sd, SE_DACL_PROTECTED, SE_DACL_PROTECTED)) {
                DWORD e = GetLastError();
                free(*acl);
                free(*sd);
                *acl = NULL;
                *sd = NULL;
                return win_error(err, e, "cannot build the credential file's security descriptor");
        }
        return 0;
}

int cred_store(const char *path, const win_credentials *c, corral_error *err) {
        _cleanup_free_ char *def = path ? NULL : cred_default_path();
        if (!path && !(path = def))
                return error_set(err, -EINVAL, "LOCALAPPDATA is not set: nowhere to store the credentials");
        BYTE *blob;
        DWORD size;
        int r = cred_protect(c, &blob, &size, err);
        if (r < 0)
                return r;
        HANDLE tok;
        PSID me = NULL;
        SECURITY_DESCRIPTOR *sd = NULL;
        ACL *acl = NULL;
        if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
                r = sid_token_user(tok, &me, err);
                CloseHandle(tok);
        } else
                r = win_error(err, GetLastError(), "OpenProcessToken");
        if (r == 0)
                r = cred_file_security(me, &sd, &acl, err);
        _cleanup_free_ wchar_t *w = win_wide(path);
        if (r == 0 && !w)
                r = oom(err);
        if (r == 0) {
                DeleteFileW(w); /* a new file gets the DACL below, whatever the old one had */
                SECURITY_ATTRIBUTES sa = {.nLength = sizeof(sa), .lpSecurityDescriptor = sd};
                HANDLE h = CreateFileW(w, GENERIC_WRITE, 0, &sa, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
                DWORD written = 0;
                if (h == INVALID_HANDLE_VALUE)
                        r = win_error(err, GetLastError(), "cannot create %s", path);
                else {
                        if (!WriteFile(h, blob, size, &written, NULL) || written != size)
                                r = win_error(err, GetLastError(), "cannot write %s", path);
                        CloseHandle(h);
                }
        }
        LocalFree(blob);
        free(me);
        free(sd);
        free(acl);
        return r;
}

int cred_load(const char *path, win_credentials *c, corral_error *err) {
        _cleanup_free_ char *def = path ? NULL : cred_default_path();
        if (!path && !(path = def))
                return error_set(err, -EINVAL, "LOCALAPPDATA is not set: no credentials");
        _cleanup_free_ wchar_t *w = win_wide(path);
        if (!w)
                return oom(err);
        HANDLE h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
        if (h == INVALID_HANDLE_VALUE) {
                DWORD e = GetLastError();
                if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
                        return error_set(err, -ENOENT,
                                         "no sandbox credentials for this account (%s): run `corral setup` as this "
                                         "user",
                                         path);
                return win_error(err, e, "cannot read %s", path);
        }
        BYTE buf[8192];
        DWORD n = 0;
        BOOL ok = ReadFile(h, buf, sizeof(buf), &n, NULL);
        CloseHandle(h);
        if (!ok)
                return win_error(err, GetLastError(), "cannot read %s", path);
        return cred_unprotect(buf, n, c, err);
}

int cred_random_password(char *buf, size_t n, corral_error *err) {
        static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.+!#";
        unsigned char rnd[128];
        if (n < 20 || n > sizeof(rnd))
                return error_set(err, -EINVAL, "password buffer of %u bytes", (unsigned)n);
        if (BCryptGenRandom(NULL, rnd, (ULONG)n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) < 0)
                return error_set(err, -EIO, "BCryptGenRandom failed");
        for (size_t i = 0; i + 1 < n; i++)
                buf[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
        /* one of each class, whatever the draw */
        buf[0] = 'A' + (char)(rnd[0] % 26);
        buf[1] = 'a' + (char)(rnd[1] % 26);
        buf[2] = '2' + (char)(rnd[2] % 8);
        buf[3] = '-';
        buf[n - 1] = 0;
        SecureZeroMemory(rnd, sizeof(rnd));
        return 0;
}
