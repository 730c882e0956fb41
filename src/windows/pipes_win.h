/* SPDX-License-Identifier: MIT
 * Standard streams across the user boundary: pipes whose DACL admits only
 * the SIDs given (the sandbox user, and the developer who holds the other
 * end), and threads that copy a stream until end of file. Windows only. */
#pragma once

#include <stdbool.h>
#include <windows.h>

#include "common/error.h"

/* A security descriptor with a protected DACL granting GENERIC_READ |
 * GENERIC_WRITE to each SID and nothing to anyone else. *sd and *acl are
 * malloc'd; free both. */
int pipe_security(PSID const *sids, size_t n, SECURITY_DESCRIPTOR **sd, ACL **acl, corral_error *err);

/* A pipe with that descriptor; the end the child gets (child_reads: the read
 * end) is inheritable, the other is not. */
int pipe_create(PSID const *sids, size_t n, bool child_reads, HANDLE *child_end, HANDLE *our_end,
                corral_error *err);

/* A thread copying from to to until EOF or an error; closes to at the end
 * when close_to. Returns the thread handle or NULL. */
HANDLE pipe_relay(HANDLE from, HANDLE to, bool close_to);
