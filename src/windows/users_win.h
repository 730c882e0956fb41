/* SPDX-License-Identifier: MIT
 * The local group and the two sandbox accounts (NetUserAdd,
 * NetLocalGroupAdd, NetLocalGroupAddMembers), hidden from the logon screen
 * (HKLM\...\Winlogon\SpecialAccounts\UserList). Needs an elevated process.
 * Windows only. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

/* Creates the group unless it exists. */
int users_ensure_group(const char *group, corral_error *err);
/* Creates the account with password, or resets the password of an existing
 * one (setup must know it); never expires, cannot be changed by the user. */
int users_ensure_user(const char *name, const char *password, corral_error *err);
int users_add_to_group(const char *group, const char *user, corral_error *err);
bool users_is_member(const char *group, const char *user);
int users_hide(const char *name, bool hide, corral_error *err);
int users_delete(const char *name, corral_error *err);
int users_delete_group(const char *group, corral_error *err);
