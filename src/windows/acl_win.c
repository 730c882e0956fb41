/* SPDX-License-Identifier: MIT */
#include "windows/acl_win.h"

#include <aclapi.h>
#include <errno.h>
#include <stdlib.h>

#include "common/macro.h"
#include "windows/wide_win.h"

/* Every ACE type corral reads starts like ACCESS_ALLOWED_ACE. */
static PSID ace_sid(ACCESS_ALLOWED_ACE *ace) { return (PSID)&ace->SidStart; }

static DWORD acl_size(const ACL *old, PSID const *sids, size_t n, DWORD type_size) {
        DWORD size = sizeof(ACL) + (old ? old->AclSize : 0);
        for (size_t i = 0; i < n; i++)
                size += type_size - sizeof(DWORD) + GetLengthSid(sids[i]);
        return (size + 3) & ~3u;
}

static bool copy_ace(ACL *dst, ACE_HEADER *ace) {
        return AddAce(dst, ACL_REVISION_DS, MAXDWORD, ace, ace->AceSize);
}

static int build(const ACL *old, PSID const *sids, size_t n, DWORD mask, bool deny, ACL **ret, corral_error *err) {
        DWORD size = acl_size(old, sids, n, deny ? sizeof(ACCESS_DENIED_ACE) : sizeof(ACCESS_ALLOWED_ACE));
        ACL *acl = LocalAlloc(LPTR, size);
        if (!acl)
                return oom(err);
        if (!InitializeAcl(acl, size, ACL_REVISION_DS))
                goto fail;
        WORD count = old ? old->AceCount : 0;
        WORD i = 0;
        if (deny) {
                for (size_t k = 0; k < n; k++)
                        if (!acl_has(old, ACCESS_DENIED_ACE_TYPE, sids[k], mask, ACL_INHERIT) &&
                            !AddAccessDeniedAceEx(acl, ACL_REVISION_DS, ACL_INHERIT, mask, sids[k]))
                                goto fail;
        } else {
                /* explicit deny ACEs stay in front */
                for (; i < count; i++) {
                        ACE_HEADER *ace;
                        if (!GetAce((ACL *)old, i, (void **)&ace))
                                goto fail;
                        if (ace->AceType != ACCESS_DENIED_ACE_TYPE || (ace->AceFlags & INHERITED_ACE))
                                break;
                        if (!copy_ace(acl, ace))
                                goto fail;
                }
                for (size_t k = 0; k < n; k++)
                        if (!acl_has(old, ACCESS_ALLOWED_ACE_TYPE, sids[k], mask, ACL_INHERIT) &&
                            !AddAccessAllowedAceEx(acl, ACL_REVISION_DS, ACL_INHERIT, mask, sids[k]))
                                goto fail;
        }
        for (; i < count; i++) {
                ACE_HEADER *ace;
                if (!GetAce((ACL *)old, i, (void **)&ace) || !copy_ace(acl, ace))
                        goto fail;
        }
        *ret = acl;
        return 0;
fail:;
        DWORD e = GetLastError();
        LocalFree(acl);
        return win_error(err, e, "cannot build an ACL");
}

int acl_with_allow(const ACL *old, PSID const *sids, size_t n, DWORD mask, ACL **ret, corral_error *err) {
        return build(old, sids, n, mask, false, ret, err);
}

int acl_with_deny(const ACL *old, PSID const *sids, size_t n, DWORD mask, ACL **ret, corral_error *err) {
        return build(old, sids, n, mask, true, ret, err);
}

int acl_without_sid(const ACL *old, PSID sid, ACL **ret, corral_error *err) {
        DWORD size = sizeof(ACL) + (old ? old->AclSize : 0);
        ACL *acl = LocalAlloc(LPTR, size);
        if (!acl)
                return oom(err);
        if (!InitializeAcl(acl, size, ACL_REVISION_DS))
                goto fail;
        for (WORD i = 0; old && i < old->AceCount; i++) {
                ACE_HEADER *ace;
                if (!GetAce((ACL *)old, i, (void **)&ace))
                        goto fail;
                bool ours = (ace->AceType == ACCESS_ALLOWED_ACE_TYPE || ace->AceType == ACCESS_DENIED_ACE_TYPE) &&
                            !(ace->AceFlags & INHERITED_ACE) && EqualSid(ace_sid((ACCESS_ALLOWED_ACE *)ace), sid);
                if (!ours && !copy_ace(acl, ace))
                        goto fail;
        }
        *ret = acl;
        return 0;
fail:;
        DWORD e = GetLastError();
        LocalFree(acl);
        return win_error(err, e, "cannot build an ACL");
}

int acl_with_pin(const ACL *old, PSID const *sids, size_t n, DWORD mask, ACL **ret, corral_error *err) {
        DWORD size = acl_size(old, sids, n, sizeof(ACCESS_DENIED_ACE));
        ACL *acl = LocalAlloc(LPTR, size);
        if (!acl)
                return oom(err);
        if (!InitializeAcl(acl, size, ACL_REVISION_DS))
                goto fail;
        for (size_t k = 0; k < n; k++)
                if (!AddAccessDeniedAceEx(acl, ACL_REVISION_DS, 0, mask, sids[k]))
                        goto fail;
        for (WORD i = 0; old && i < old->AceCount; i++) {
                ACE_HEADER *ace;
                if (!GetAce((ACL *)old, i, (void **)&ace))
                        goto fail;
                bool ours = false;
                for (size_t k = 0; k < n && !ours; k++)
                        ours = ace->AceType == ACCESS_DENIED_ACE_TYPE && !(ace->AceFlags & INHERITED_ACE) &&
                               EqualSid(ace_sid((ACCESS_ALLOWED_ACE *)ace), sids[k]);
                if (!ours && !copy_ace(acl, ace))
                        goto fail;
        }
        *ret = acl;
        return 0;
fail:;
        DWORD e = GetLastError();
        LocalFree(acl);
        return win_error(err, e, "cannot build an ACL");
}

bool acl_denies_below(const ACL *acl, PSID sid) {
        for (WORD i = 0; acl && i < acl->AceCount; i++) {
                ACE_HEADER *ace;
                if (!GetAce((ACL *)acl, i, (void **)&ace))
                        return true;
                if (ace->AceType == ACCESS_DENIED_ACE_TYPE && !(ace->AceFlags & INHERITED_ACE) &&
                    (ace->AceFlags & ACL_INHERIT) && EqualSid(ace_sid((ACCESS_ALLOWED_ACE *)ace), sid))
                        return true;
        }
        return false;
}

bool acl_has(const ACL *acl, BYTE type, PSID sid, DWORD mask, BYTE inherit) {
        for (WORD i = 0; acl && i < acl->AceCount; i++) {
                ACE_HEADER *ace;
                if (!GetAce((ACL *)acl, i, (void **)&ace))
                        return false;
                if (ace->AceType != type || (ace->AceFlags & INHERITED_ACE) ||
                    (ace->AceFlags & inherit) != inherit || (ace->AceFlags & INHERIT_ONLY_ACE))
                        continue;
                ACCESS_ALLOWED_ACE *a = (ACCESS_ALLOWED_ACE *)ace;
                if ((a->Mask & mask) == mask && EqualSid(ace_sid(a), sid))
                        return true;
        }
        return false;
}

/* Reads path's DACL; *sd must be LocalFree'd. */
static int read_dacl(const wchar_t *w, const char *path, ACL **dacl, PSECURITY_DESCRIPTOR *sd, corral_error *err) {
        DWORD e = GetNamedSecurityInfoW(w, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, dacl, NULL, sd);
        return e == ERROR_SUCCESS ? 0 : win_error(err, e, "cannot read the ACL of %s", path);
}

/* Writes dacl, keeping the DACL's protection as it was (sd: the old
 * descriptor): forcing UNPROTECTED would turn inheritance back on for a root
 * whose owner had turned it off, and the parent's inheritable ACEs (C:\'s
 * "Authenticated Users: Modify", say) would flow into the whole tree. */
static int write_dacl(const wchar_t *w, const char *path, ACL *dacl, PSECURITY_DESCRIPTOR sd, corral_error *err) {
        SECURITY_DESCRIPTOR_CONTROL ctl = 0;
        DWORD rev;
        if (!GetSecurityDescriptorControl(sd, &ctl, &rev))
                return win_error(err, GetLastError(), "cannot read the ACL of %s", path);
        SECURITY_INFORMATION si = DACL_SECURITY_INFORMATION | ((ctl & SE_DACL_PROTECTED)
                                                                       ? PROTECTED_DACL_SECURITY_INFORMATION
                                                                       : UNPROTECTED_DACL_SECURITY_INFORMATION);
        DWORD e = SetNamedSecurityInfoW((wchar_t *)w, SE_FILE_OBJECT, si, NULL, NULL, dacl, NULL);
        return e == ERROR_SUCCESS ? 0 : win_error(err, e, "cannot write the ACL of %s", path);
}

static int path_edit(const char *path, PSID const *sids, size_t n, DWORD mask, int what, corral_error *err) {
        _cleanup_free_ wchar_t *w = win_wide_exact(path);
        if (!w)
                return error_set(err, -EINVAL, "'%s': not valid UTF-8", path);
        ACL *old = NULL, *acl = NULL;
        PSECURITY_DESCRIPTOR sd = NULL;
        int r = read_dacl(w, path, &old, &sd, err);
        if (r < 0)
                return r;
        r = what == 0   ? acl_with_allow(old, sids, n, mask, &acl, err)
            : what == 1 ? acl_with_deny(old, sids, n, mask, &acl, err)
            : what == 3 ? acl_with_pin(old, sids, n, mask, &acl, err)
                        : acl_without_sid(old, sids[0], &acl, err);
        if (r == 0)
                r = write_dacl(w, path, acl, sd, err);
        LocalFree(acl);
        LocalFree(sd);
        return r;
}

int acl_path_allow(const char *path, PSID const *sids, size_t n, DWORD mask, corral_error *err) {
        return path_edit(path, sids, n, mask, 0, err);
}

int acl_path_deny(const char *path, PSID const *sids, size_t n, DWORD mask, corral_error *err) {
        return path_edit(path, sids, n, mask, 1, err);
}

int acl_path_pin(const char *path, PSID const *sids, size_t n, DWORD mask, corral_error *err) {
        return path_edit(path, sids, n, mask, 3, err);
}

int acl_path_remove(const char *path, PSID sid, corral_error *err) { return path_edit(path, &sid, 1, 0, 2, err); }

bool acl_path_has(const char *path, BYTE type, PSID sid, DWORD mask, BYTE inherit) {
        _cleanup_free_ wchar_t *w = win_wide_exact(path);
        ACL *dacl = NULL;
        PSECURITY_DESCRIPTOR sd = NULL;
        if (!w || read_dacl(w, path, &dacl, &sd, NULL) < 0)
                return false;
        bool r = acl_has(dacl, type, sid, mask, inherit);
        LocalFree(sd);
        return r;
}

bool acl_path_denies_below(const char *path, PSID sid) {
        _cleanup_free_ wchar_t *w = win_wide_exact(path);
        ACL *dacl = NULL;
        PSECURITY_DESCRIPTOR sd = NULL;
        if (!w || read_dacl(w, path, &dacl, &sd, NULL) < 0)
                return true;
        bool r = acl_denies_below(dacl, sid);
        LocalFree(sd);
        return r;
}
