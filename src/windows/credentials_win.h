/* SPDX-License-Identifier: MIT
 * The sandbox users' passwords, for the developer only: DPAPI
 * (CryptProtectData, user scope: only this Windows account can decrypt) in
 * %LOCALAPPDATA%\corral\credentials.bin, a file whose protected DACL admits
 * only the developer. corral-setup writes it (elevated, as the same
 * account), corral reads it to start corral-runner.exe as a sandbox user.
 * Windows only. */
#pragma once

#include <stddef.h>
#include <windows.h>

#include "common/error.h"

typedef struct win_credentials {
        char offline_password[64];
        char online_password[64];
} win_credentials;

/* Encrypts c for the current user. The blob is LocalAlloc'd. */
int cred_protect(const win_credentials *c, BYTE **blob, DWORD *size, corral_error *err);
int cred_unprotect(const BYTE *blob, DWORD size, win_credentials *c, corral_error *err);

/* %LOCALAPPDATA%\corral\credentials.bin, or path when not NULL. */
int cred_store(const char *path, const win_credentials *c, corral_error *err);
int cred_load(const char *path, win_credentials *c, corral_error *err);
char *cred_default_path(void);

/* A protected DACL granting full control to sid only (for the file). */
int cred_file_security(PSID sid, SECURITY_DESCRIPTOR **sd, ACL **acl, corral_error *err);

/* A random password of n-1 characters from BCryptGenRandom (letters, digits,
 * punctuation: meets Windows' complexity rules). */
int cred_random_password(char *buf, size_t n, corral_error *err);
