/* SPDX-License-Identifier: MIT
 * The SIDs the Windows backend puts in tokens and ACLs. Every SID returned
 * here is malloc'd (free() it). Windows only. */
#pragma once

#include <stdbool.h>
#include <windows.h>

#include "common/error.h"

/* The capability SID of one writable root: S-1-5-21-a-b-c-d with a..d the
 * first 16 bytes of SHA-256 over "corral-capability-v1:" and the root's
 * final path, lower-cased, in UTF-16. The same root always gets the same
 * SID, so a grant made once is recognised on every later run; different
 * roots get different SIDs, so a run can write only its own roots. */
int sid_for_root(const char *root, PSID *ret, corral_error *err);

int sid_everyone(PSID *ret);
int sid_from_string(const char *s, PSID *ret, corral_error *err);
/* "S-1-..." malloc'd, or NULL. */
char *sid_to_string(PSID sid);
PSID sid_copy(PSID sid);

/* The user SID and the logon SID (SE_GROUP_LOGON_ID) of a token. */
int sid_token_user(HANDLE token, PSID *ret, corral_error *err);
int sid_token_logon(HANDLE token, PSID *ret, corral_error *err);

/* The SID of a local account, or -ENOENT. */
int sid_lookup_account(const char *name, PSID *ret, corral_error *err);
