/* SPDX-License-Identifier: MIT
 * The token a sandboxed command runs with: CreateRestrictedToken over the
 * caller's own token (the developer's in the unelevated mode, the sandbox
 * user's in the runner) with
 *   DISABLE_MAX_PRIVILEGE  every privilege but SeChangeNotify removed,
 *   LUA_TOKEN              the filtered (non-admin) form,
 *   WRITE_RESTRICTED       every write access is checked a second time
 *                          against the restricting SIDs only:
 *                          the writable roots' capability SIDs, the logon
 *                          SID (the session's own objects) and Everyone;
 * and a default DACL that admits the user, the logon SID, the capability
 * SIDs and SYSTEM, so the command can use the objects it creates.
 * Windows only. */
#pragma once

#include <stdbool.h>
#include <windows.h>

#include "common/error.h"

int token_restricted(HANDLE base, PSID const *caps, size_t ncaps, HANDLE *ret, corral_error *err);

/* The restricting SIDs of a token (malloc'd array of pointers into one
 * block: free(*ret) frees all). */
int token_restricting_sids(HANDLE token, PSID **ret, size_t *n, corral_error *err);

/* Is the current process elevated (an administrator with UAC's full token)? */
bool token_is_elevated(void);
