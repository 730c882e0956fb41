/* SPDX-License-Identifier: MIT
 * The ACEs that limit writes on Windows, built in memory (so tests check
 * them with GetAce) and written to a path once:
 *  - a writable root: an explicit allow ACE for each given SID (the root's
 *    capability SID; with the users backend the sandbox users too), inherited
 *    by everything below (OBJECT_INHERIT | CONTAINER_INHERIT), with the
 *    "Modify" rights: no FILE_DELETE_CHILD, WRITE_DAC or WRITE_OWNER, so a
 *    protected entry cannot be removed through its parent's rights;
 *  - a protected name: an explicit deny ACE, placed first, inherited by its
 *    whole subtree, covering data, attributes, EAs, delete, delete-child and
 *    the DACL/owner, for the same SIDs.
 * Windows only. */
#pragma once

#include <stdbool.h>
#include <windows.h>

#include "common/error.h"

#define ACL_ROOT_ALLOW (FILE_GENERIC_READ | FILE_GENERIC_WRITE | FILE_GENERIC_EXECUTE | DELETE)
#define ACL_PROTECT_DENY                                                                                    \
        (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES | DELETE | FILE_DELETE_CHILD | \
         WRITE_DAC | WRITE_OWNER)
/* --git commits: what a gitdir (and each directory that leads to a gitdir
 * inside it) keeps denied for the run, not inherited: it cannot be renamed,
 * removed or re-permissioned, and nothing in it can be removed through it
 * (FILE_DELETE_CHILD), while git adds and replaces its own files in it. */
#define ACL_PIN_DENY (DELETE | FILE_DELETE_CHILD | WRITE_DAC | WRITE_OWNER | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES)
#define ACL_READ_ALLOW (FILE_GENERIC_READ | FILE_GENERIC_EXECUTE)
#define ACL_INHERIT (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE)

/* A new ACL (LocalAlloc'd: LocalFree it): old's explicit deny ACEs, then an
 * allow ACE per SID (unless an equal one is there), then the rest of old.
 * old may be NULL (no DACL). */
int acl_with_allow(const ACL *old, PSID const *sids, size_t n, DWORD mask, ACL **ret, corral_error *err);

/* A new ACL: a deny ACE per SID first, then old's ACEs. */
int acl_with_deny(const ACL *old, PSID const *sids, size_t n, DWORD mask, ACL **ret, corral_error *err);

/* A new ACL: a deny ACE per SID first, inherited by nothing (the pin of
 * ACL_PIN_DENY), then old's ACEs without its explicit deny ACEs for those
 * SIDs (a protected name's inheritable one, say). */
int acl_with_pin(const ACL *old, PSID const *sids, size_t n, DWORD mask, ACL **ret, corral_error *err);

/* Does acl hold an explicit deny ACE for sid that an object below inherits? */
bool acl_denies_below(const ACL *acl, PSID sid);

/* A new ACL without old's explicit ACEs for sid. */
int acl_without_sid(const ACL *old, PSID sid, ACL **ret, corral_error *err);

/* Does acl hold an explicit ACE of type (ACCESS_ALLOWED_ACE_TYPE or
 * ACCESS_DENIED_ACE_TYPE) for sid that covers mask and carries the
 * inheritance flags? The run-time check: one DACL read per root. */
bool acl_has(const ACL *acl, BYTE type, PSID sid, DWORD mask, BYTE inherit);

/* On disk: read path's DACL, build, write it back (which propagates the
 * inheritable ACEs through the tree: the one-time cost of a grant). */
int acl_path_allow(const char *path, PSID const *sids, size_t n, DWORD mask, corral_error *err);
int acl_path_deny(const char *path, PSID const *sids, size_t n, DWORD mask, corral_error *err);
int acl_path_pin(const char *path, PSID const *sids, size_t n, DWORD mask, corral_error *err);
int acl_path_remove(const char *path, PSID sid, corral_error *err);
/* Reads path's DACL and asks acl_has; false when it cannot be read. */
bool acl_path_has(const char *path, BYTE type, PSID sid, DWORD mask, BYTE inherit);
/* Reads path's DACL and asks acl_denies_below; true when it cannot be read
 * (the caller then rewrites it). */
bool acl_path_denies_below(const char *path, PSID sid);
