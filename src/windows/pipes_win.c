/* SPDX-License-Identifier: MIT */
#include "windows/pipes_win.h"

#include <errno.h>
#include <stdlib.h>

#include "windows/wide_win.h"

int pipe_security(PSID const *sids, size_t n, SECURITY_DESCRIPTOR **sd, ACL **acl, corral_error *err) {
        DWORD size = sizeof(ACL);
        for (size_t i = 0; i < n; i++)
                size += sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) + GetLengthSid(sids[i]);
        *acl = malloc(size);
        *sd = malloc(sizeof(SECURITY_DESCRIPTOR));
        if (!*acl || !*sd)
                goto fail;
        if (!InitializeAcl(*acl, size, ACL_REVISION))
                goto fail;
        for (size_t i = 0; i < n; i++)
                if (!AddAccessAllowedAce(*acl, ACL_REVISION, GENERIC_READ | GENERIC_WRITE, sids[i]))
                        goto fail;
        if (!InitializeSecurityDescriptor(*sd, SECURITY_DESCRIPTOR_REVISION) ||
            !SetSecurityDescriptorDacl(*sd, TRUE, *acl, FALSE) ||
            !SetSecurityDescriptorControl(*sd, SE_DACL_PROTECTED, SE_DACL_PROTECTED))
                goto fail;
        return 0;
fail:;
        DWORD e = GetLastError();
        free(*acl);
        free(*sd);
        *acl = NULL;
        *sd = NULL;
        return win_error(err, e, "cannot build the pipes' security descriptor");
}

int pipe_create(PSID const *sids, size_t n, bool child_reads, HANDLE *child_end, HANDLE *our_end,
                corral_error *err) {
        SECURITY_DESCRIPTOR *sd;
        ACL *acl;
        int r = pipe_security(sids, n, &sd, &acl, err);
        if (r < 0)
                return r;
        SECURITY_ATTRIBUTES sa = {.nLength = sizeof(sa), .lpSecurityDescriptor = sd, .bInheritHandle = FALSE};
        HANDLE rd, wr;
        BOOL ok = CreatePipe(&rd, &wr, &sa, 0);
        DWORD e = GetLastError();
        free(sd);
        free(acl);
        if (!ok)
                return win_error(err, e, "CreatePipe");
        *child_end = child_reads ? rd : wr;
        *our_end = child_reads ? wr : rd;
        if (!SetHandleInformation(*child_end, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)) {
                e = GetLastError();
                CloseHandle(rd);
                CloseHandle(wr);
                return win_error(err, e, "cannot make a pipe end inheritable");
        }
        return 0;
}

typedef struct relay {
        HANDLE from, to;
        bool close_to;
} relay;

static DWORD WINAPI relay_main(void *arg) {
        relay r = *(relay *)arg;
        free(arg);
        char buf[16384];
        DWORD n, w;
        while (ReadFile(r.from, buf, sizeof(buf), &n, NULL) && n > 0) {
                DWORD off = 0;
                while (off < n && WriteFile(r.to, buf + off, n - off, &w, NULL) && w > 0)
                        off += w;
                if (off < n)
                        break;
        }
        if (r.close_to)
                CloseHandle(r.to);
        return 0;
}

HANDLE pipe_relay(HANDLE from, HANDLE to, bool close_to) {
        relay *r = malloc(sizeof(*r));
        if (!r)
                return NULL;
        *r = (relay){from, to, close_to};
        HANDLE t = CreateThread(NULL, 0, relay_main, r, 0, NULL);
        if (!t)
                free(r);
        return t;
}
