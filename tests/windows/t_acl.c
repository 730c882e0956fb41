/* SPDX-License-Identifier: MIT
 * SIDs and ACLs, built in memory and read back with GetAce: the capability
 * SID of a root, the allow ACE of a writable root, the deny ACE of a
 * protected name, the pipes' and the credential file's DACLs, and the
 * restricted token. Writing ACLs to disk and restricting SIDs are what Wine
 * stubs: those tests skip there. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <sddl.h>
#include <aclapi.h>

#include "windows/acl_win.h"
#include "windows/apply_win.h"
#include "windows/sid_win.h"
#include "windows/token_win.h"
#include "windows/wide_win.h"
#include "windows/plan_win.h"
#include "windows/wpath_win.h"
#include "windows/credentials_win.h"
#include "windows/pipes_win.h"
#include "test.h"

static PSID sid(const char *s) {
        PSID r = NULL;
        sid_from_string(s, &r, NULL);
        return r;
}

static void capability_sid(void) {
        PSID a, b, c, d;
        corral_error err = {{0}};
        CHECK(sid_for_root("C:/work/proj", &a, &err) == 0);
        CHECK(sid_for_root("c:\\WORK\\proj", &b, &err) == 0); /* same root, other spelling */
        CHECK(sid_for_root("C:/work/proj2", &c, &err) == 0);
        CHECK(sid_for_root("C:/work/proj", &d, &err) == 0);
        CHECK(EqualSid(a, b) && EqualSid(a, d));
        CHECK(!EqualSid(a, c));
        char *s = sid_to_string(a);
        CHECK(s && strncmp(s, "S-1-5-21-", 9) == 0);
        CHECK(IsValidSid(a));
        free(s);
        free(a);
        free(b);
        free(c);
        free(d);
}

/* An old DACL: deny X, allow Y (explicit), allow Z (inherited). */
static ACL *old_acl(PSID x, PSID y, PSID z) {
        static BYTE buf[1024];
        ACL *acl = (ACL *)buf;
        InitializeAcl(acl, sizeof(buf), ACL_REVISION_DS);
        AddAccessDeniedAceEx(acl, ACL_REVISION_DS, 0, FILE_WRITE_DATA, x);
        AddAccessAllowedAceEx(acl, ACL_REVISION_DS, 0, FILE_ALL_ACCESS, y);
        AddAccessAllowedAceEx(acl, ACL_REVISION_DS, INHERITED_ACE, FILE_GENERIC_READ, z);
        return acl;
}

static void root_allow_ace(void) {
        PSID cap = sid("S-1-5-21-1-2-3-4"), x = sid("S-1-5-32-546"), y = sid("S-1-5-18"), z = sid("S-1-1-0");
        ACL *acl = NULL;
        corral_error err = {{0}};
        CHECK(acl_with_allow(old_acl(x, y, z), &cap, 1, ACL_ROOT_ALLOW, &acl, &err) == 0);
        CHECK(acl->AceCount == 4);
        ACCESS_ALLOWED_ACE *ace;
        /* the explicit deny stays first, ours comes next, the rest keeps its order */
        CHECK(GetAce(acl, 0, (void **)&ace) && ace->Header.AceType == ACCESS_DENIED_ACE_TYPE);
        CHECK(GetAce(acl, 1, (void **)&ace));
        CHECK(ace->Header.AceType == ACCESS_ALLOWED_ACE_TYPE);
        CHECK(EqualSid((PSID)&ace->SidStart, cap));
        CHECK(ace->Header.AceFlags == (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE));
        CHECK(ace->Mask == ACL_ROOT_ALLOW);
        CHECK((ace->Mask & FILE_DELETE_CHILD) == 0 && (ace->Mask & WRITE_DAC) == 0 && (ace->Mask & WRITE_OWNER) == 0);
        CHECK((ace->Mask & FILE_WRITE_DATA) && (ace->Mask & DELETE));
        CHECK(GetAce(acl, 2, (void **)&ace) && EqualSid((PSID)&ace->SidStart, y));
        CHECK(GetAce(acl, 3, (void **)&ace) && (ace->Header.AceFlags & INHERITED_ACE));
        CHECK(acl_has(acl, ACCESS_ALLOWED_ACE_TYPE, cap, ACL_ROOT_ALLOW, ACL_INHERIT));
        CHECK(!acl_has(acl, ACCESS_ALLOWED_ACE_TYPE, cap, FILE_ALL_ACCESS, ACL_INHERIT));
        CHECK(!acl_has(acl, ACCESS_ALLOWED_ACE_TYPE, z, FILE_GENERIC_READ, 0)); /* inherited: not ours */
        /* idempotent: granting again adds nothing */
        ACL *again = NULL;
        CHECK(acl_with_allow(acl, &cap, 1, ACL_ROOT_ALLOW, &again, &err) == 0);
        CHECK(again->AceCount == 4);
        LocalFree(again);
        LocalFree(acl);
        free(cap);
        free(x);
        free(y);
        free(z);
}

static void protect_deny_ace(void) {
        PSID caps[2] = {sid("S-1-5-21-1-2-3-4"), sid("S-1-5-21-9-9-9-1001")};
        PSID x = sid("S-1-5-32-546"), y = sid("S-1-5-18"), z = sid("S-1-1-0");
        ACL *acl = NULL;
        corral_error err = {{0}};
        CHECK(acl_with_deny(old_acl(x, y, z), caps, 2, ACL_PROTECT_DENY, &acl, &err) == 0);
        CHECK(acl->AceCount == 5);
        for (WORD i = 0; i < 2; i++) {
                ACCESS_DENIED_ACE *ace;
                CHECK(GetAce(acl, i, (void **)&ace));
                CHECK(ace->Header.AceType == ACCESS_DENIED_ACE_TYPE);
                CHECK(EqualSid((PSID)&ace->SidStart, caps[i]));
                CHECK(ace->Header.AceFlags == (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE));
                DWORD need = FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES | DELETE |
                             FILE_DELETE_CHILD | WRITE_DAC | WRITE_OWNER;
                CHECK((ace->Mask & need) == need);
                CHECK((ace->Mask & FILE_READ_DATA) == 0); /* reading stays allowed */
        }
        CHECK(acl_has(acl, ACCESS_DENIED_ACE_TYPE, caps[1], ACL_PROTECT_DENY, ACL_INHERIT));
        ACL *without = NULL;
        CHECK(acl_without_sid(acl, caps[0], &without, &err) == 0);
        CHECK(without->AceCount == 4);
        CHECK(!acl_has(without, ACCESS_DENIED_ACE_TYPE, caps[0], ACL_PROTECT_DENY, ACL_INHERIT));
        LocalFree(without);
        LocalFree(acl);
        free(caps[0]);
        free(caps[1]);
        free(x);
        free(y);
        free(z);
}

static void pipe_dacl(void) {
        PSID s[2] = {sid("S-1-5-21-1-2-3-1000"), sid("S-1-5-21-1-2-3-1001")};
        SECURITY_DESCRIPTOR *sd;
        ACL *acl;
        corral_error err = {{0}};
        CHECK(pipe_security(s, 2, &sd, &acl, &err) == 0);
        BOOL present, defaulted;
        ACL *d = NULL;
        CHECK(GetSecurityDescriptorDacl(sd, &present, &d, &defaulted) && present && d);
        CHECK(d->AceCount == 2);
        for (WORD i = 0; i < 2; i++) {
                ACCESS_ALLOWED_ACE *ace;
                CHECK(GetAce(d, i, (void **)&ace) && ace->Header.AceType == ACCESS_ALLOWED_ACE_TYPE);
                CHECK(EqualSid((PSID)&ace->SidStart, s[i]));
        }
        SECURITY_DESCRIPTOR_CONTROL ctl;
        DWORD rev;
        CHECK(GetSecurityDescriptorControl(sd, &ctl, &rev) && (ctl & SE_DACL_PROTECTED));
        free(sd);
        free(acl);
        free(s[0]);
        free(s[1]);
}

static void pipe_relay_roundtrip(void) {
        HANDLE me;
        PSID user = NULL;
        corral_error err = {{0}};
        CHECK(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &me));
        CHECK(sid_token_user(me, &user, &err) == 0);
        CloseHandle(me);
        HANDLE child, ours, c2, o2;
        CHECK(pipe_create(&user, 1, false, &child, &ours, &err) == 0); /* child writes */
        CHECK(pipe_create(&user, 1, true, &c2, &o2, &err) == 0);       /* child reads */
        DWORD flags = 0;
        CHECK(GetHandleInformation(child, &flags) && (flags & HANDLE_FLAG_INHERIT));
        CHECK(GetHandleInformation(ours, &flags) && !(flags & HANDLE_FLAG_INHERIT));
        /* child end -> relay -> second pipe -> read */
        HANDLE t = pipe_relay(ours, o2, true);
        CHECK(t != NULL);
        DWORD n;
        CHECK(WriteFile(child, "hello", 5, &n, NULL) && n == 5);
        CloseHandle(child);
        CHECK(WaitForSingleObject(t, 5000) == WAIT_OBJECT_0);
        char buf[16] = {0};
        CHECK(ReadFile(c2, buf, sizeof(buf) - 1, &n, NULL) && n == 5 && !strcmp(buf, "hello"));
        CloseHandle(t);
        CloseHandle(ours);
        CloseHandle(c2);
        free(user);
}

static void credential_file_dacl(void) {
        PSID me = sid("S-1-5-21-1-2-3-1000");
        SECURITY_DESCRIPTOR *sd;
        ACL *acl;
        corral_error err = {{0}};
        CHECK(cred_file_security(me, &sd, &acl, &err) == 0);
        CHECK(acl->AceCount == 1);
        ACCESS_ALLOWED_ACE *ace;
        CHECK(GetAce(acl, 0, (void **)&ace) && EqualSid((PSID)&ace->SidStart, me) && ace->Mask == FILE_ALL_ACCESS);
        free(sd);
        free(acl);
        free(me);
}

static void acl_on_disk(void) {
        SKIP_ON_WINE("ACL storage on files");
        const char *dir = t_tmpdir();
        PSID cap = NULL;
        corral_error err = {{0}};
        CHECK(sid_for_root(dir, &cap, &err) == 0);
        CHECK(!acl_path_has(dir, ACCESS_ALLOWED_ACE_TYPE, cap, ACL_ROOT_ALLOW, ACL_INHERIT));
        CHECK(acl_path_allow(dir, &cap, 1, ACL_ROOT_ALLOW, &err) == 0);
        CHECK(acl_path_has(dir, ACCESS_ALLOWED_ACE_TYPE, cap, ACL_ROOT_ALLOW, ACL_INHERIT));
        char sub[1200];
        snprintf(sub, sizeof(sub), "%s/.git", dir);
        CHECK(CreateDirectoryA(sub, NULL));
        CHECK(acl_path_deny(sub, &cap, 1, ACL_PROTECT_DENY, &err) == 0);
        CHECK(acl_path_has(sub, ACCESS_DENIED_ACE_TYPE, cap, ACL_PROTECT_DENY, ACL_INHERIT));
        CHECK(acl_path_remove(dir, cap, &err) == 0);
        CHECK(!acl_path_has(dir, ACCESS_ALLOWED_ACE_TYPE, cap, ACL_ROOT_ALLOW, ACL_INHERIT));
        free(cap);
}

/* A root whose owner turned inheritance off keeps it off: granting must not
 * let the parent's inheritable ACEs flow into the tree. */
static void grant_keeps_protected_dacl(void) {
        SKIP_ON_WINE("ACL storage on files");
        char parent[1100], root[1200];
        snprintf(parent, sizeof(parent), "%s", t_tmpdir());
        snprintf(root, sizeof(root), "%s/root", parent);
        CHECK(CreateDirectoryA(root, NULL));
        PSID cap = sid("S-1-5-21-1-2-3-4"), users = sid("S-1-5-32-545"), me = NULL;
        HANDLE tok;
        corral_error err = {{0}};
        CHECK(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok));
        CHECK(sid_token_user(tok, &me, &err) == 0);
        CloseHandle(tok);
        /* the parent hands Users write to everything below; root refuses inheritance */
        CHECK(acl_path_allow(parent, &users, 1, ACL_ROOT_ALLOW, &err) == 0);
        BYTE buf[512];
        ACL *own = (ACL *)buf;
        CHECK(InitializeAcl(own, sizeof(buf), ACL_REVISION_DS));
        CHECK(AddAccessAllowedAceEx(own, ACL_REVISION_DS, ACL_INHERIT, FILE_ALL_ACCESS, me));
        wchar_t *wr = win_wide(root);
        CHECK(SetNamedSecurityInfoW(wr, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                                    NULL, NULL, own, NULL) == ERROR_SUCCESS);
        CHECK(acl_path_allow(root, &cap, 1, ACL_ROOT_ALLOW, &err) == 0);
        PSECURITY_DESCRIPTOR sd = NULL;
        ACL *dacl = NULL;
        CHECK(GetNamedSecurityInfoW(wr, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, &dacl, NULL, &sd) ==
              ERROR_SUCCESS);
        SECURITY_DESCRIPTOR_CONTROL ctl = 0;
        DWORD rev;
        CHECK(GetSecurityDescriptorControl(sd, &ctl, &rev) && (ctl & SE_DACL_PROTECTED));
        bool users_inherited = false;
        for (WORD i = 0; i < dacl->AceCount; i++) {
                ACCESS_ALLOWED_ACE *ace;
                if (GetAce(dacl, i, (void **)&ace) && EqualSid((PSID)&ace->SidStart, users))
                        users_inherited = true;
        }
        LocalFree(sd);
        acl_path_remove(parent, users, NULL);
        free(wr);
        free(cap);
        free(users);
        free(me);
        CHECK(!users_inherited);
}

static void restricted_token(void) {
        SKIP_ON_WINE("restricting SIDs (CreateRestrictedToken ignores them)");
        HANDLE me, tok;
        PSID cap = sid("S-1-5-21-1-2-3-4");
        corral_error err = {{0}};
        CHECK(OpenProcessToken(GetCurrentProcess(), TOKEN_ALL_ACCESS, &me));
        CHECK(token_restricted(me, &cap, 1, &tok, &err) == 0);
        PSID *v;
        size_t n;
        CHECK(token_restricting_sids(tok, &v, &n, &err) == 0);
        bool has_cap = false, has_everyone = false;
        PSID everyone;
        sid_everyone(&everyone);
        for (size_t i = 0; i < n; i++) {
                has_cap |= EqualSid(v[i], cap);
                has_everyone |= EqualSid(v[i], everyone);
        }
        CHECK(has_cap && has_everyone);
        free(v);
        free(everyone);
        CloseHandle(tok);
        CloseHandle(me);
        free(cap);
}

/* A protected name that is a junction (one a command planted below
 * protect_depth, say): corral protects its target only inside a root, and
 * never rewrites the DACL of a tree outside. */
static void protected_link_target(void) {
        SKIP_ON_WINE("junctions (its cmd.exe mklink /J creates none) and ACL storage on files");
        char ws[1100], out[1100], in[1200], cmd[3000], link[1200], link2[1200];
        snprintf(ws, sizeof(ws), "%s", t_tmpdir());
        snprintf(out, sizeof(out), "%s", t_tmpdir());
        for (char *c = ws; *c; c++)
                if (*c == '/')
                        *c = '\\';
        for (char *c = out; *c; c++)
                if (*c == '/')
                        *c = '\\';
        snprintf(in, sizeof(in), "%s\\inside", ws);
        CHECK(CreateDirectoryA(in, NULL));
        snprintf(link, sizeof(link), "%s\\.git", ws);
        snprintf(link2, sizeof(link2), "%s\\.codex", ws);
        snprintf(cmd, sizeof(cmd), "cmd /c mklink /J \"%s\" \"%s\" >NUL && mklink /J \"%s\" \"%s\" >NUL", link, out,
                 link2, in);
        CHECK(system(cmd) == 0);
        /* corral's state (grants.txt, the lock) in a scratch LOCALAPPDATA */
        char *old_lad = getenv("LOCALAPPDATA") ? _strdup(getenv("LOCALAPPDATA")) : NULL;
        _putenv_s("LOCALAPPDATA", t_tmpdir());
        corral_error err = {{0}};
        win_plan pl = {.backend = WIN_BACKEND_RESTRICTED};
        char *root = NULL;
        PSID cap = NULL;
        CHECK(wpath_final_local(ws, "workspace", &root, &err) == 0);
        CHECK(sid_for_root(root, &cap, &err) == 0);
        char *cap_s = sid_to_string(cap), p1[1300], p2[1300];
        snprintf(p1, sizeof(p1), "%s/.git", root);
        snprintf(p2, sizeof(p2), "%s/.codex", root);
        pl.workspace = _strdup(root);
        pl.cwd = _strdup(root);
        strv_push(&pl.roots, root);
        strv_push(&pl.root_sids, cap_s);
        strv_push(&pl.protect_existing, p1);
        strv_push(&pl.protect_existing, p2);
        win_applied st;
        int r = win_apply_host(&pl, false, &st, &err);
        if (r < 0)
                printf("    %s\n", err.msg);
        win_apply_cleanup(&st);
        bool outside_denied = acl_path_has(out, ACCESS_DENIED_ACE_TYPE, cap, ACL_PROTECT_DENY, ACL_INHERIT);
        bool inside_denied = acl_path_has(in, ACCESS_DENIED_ACE_TYPE, cap, ACL_PROTECT_DENY, ACL_INHERIT);
        acl_path_remove(in, cap, NULL);
        acl_path_remove(root, cap, NULL);
        _putenv_s("LOCALAPPDATA", old_lad ? old_lad : "");
        free(old_lad);
        win_plan_free(&pl);
        free(root);
        free(cap_s);
        free(cap);
        CHECK(r == 0);
        CHECK(!outside_denied); /* the tree outside was not touched */
        CHECK(inside_denied);   /* the target inside the root is protected */
}

const test tests_acl[] = {
        {"acl: a protected name that is a link: target protected inside a root, untouched outside",
         protected_link_target},
        {"acl: the capability SID is stable per root, distinct between roots", capability_sid},
        {"acl: writable root: inheritable allow ACE, Modify without delete-child, after explicit denies",
         root_allow_ace},
        {"acl: protected name: inheritable deny ACE first, covering data/attrs/EAs/delete/delete-child",
         protect_deny_ace},
        {"acl: pipes' DACL admits only the given SIDs, protected", pipe_dacl},
        {"acl: pipes relay a stream; only the child end is inheritable", pipe_relay_roundtrip},
        {"acl: the credential file's DACL admits only the developer", credential_file_dacl},
        {"acl: grant, deny and revoke on disk, read back (O(1) check)", acl_on_disk},
        {"acl: granting keeps a root's protected DACL protected (no inheritance turned on)",
         grant_keeps_protected_dacl},
        {"acl: restricted token carries the capability SID and Everyone", restricted_token},
        {0},
};
