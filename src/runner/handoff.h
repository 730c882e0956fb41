/* SPDX-License-Identifier: MIT
 * What corral-runner hands to corral-sandbox, its unprivileged half, across
 * the exec (docs/elevated.md, "The runner"). The runner has checked the
 * caller, mapped the caller's trees and become the sandbox user; everything
 * the rest of the run needs from those steps travels here, never in argv or
 * the environment (the caller's, were corral-sandbox started by hand).
 *
 * The state is a sealed memfd on STATE_FD: written by the runner, then
 * sealed against every change (write, grow, shrink, more seals), so that
 * corral-sandbox reads exactly what the runner wrote. Layout: runner_state,
 * then head_len bytes of the request's head as the runner read (and
 * validated) it from the caller; corral-sandbox decodes it again with the
 * same decoder. The request's body follows on REQUEST_FD, unread. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "corral.h"
#include "users/marker.h"
#include "users/request.h"

#define STATE_FD 5 /* after REQUEST_FD and RESULT_FD */
#define STATE_MAGIC "CRS1"
#define STATE_VERSION 1u

typedef struct runner_state {
        char magic[4];
        uint32_t version;
        uint32_t size;           /* sizeof(runner_state) */
        uint32_t caller_uid;     /* the caller's real ids */
        uint32_t caller_gid;
        int32_t has_result;      /* RESULT_FD is corral's result pipe */
        int32_t nonamespace;     /* user namespaces are blocked: no namespaces */
        int32_t ns_err;          /* why (the errno of the probe) */
        marker m;                /* the marker, read and validated by the runner */
        uint32_t head_len;       /* bytes of request head that follow */
} runner_state;

/* Runner side: writes st and the head into a new sealed memfd and puts it on
 * STATE_FD (not close-on-exec). -errno. */
int state_hand_over(const runner_state *st, const void *head, size_t head_len);

/* corral-sandbox side: reads STATE_FD into *st and a malloc'd copy of the
 * head (*head, *head_len), and closes it. Refuses (-EPERM, err says it) what
 * is not a sealed memfd of this layout: it was not corral-runner that
 * started this program. */
int state_take_over(runner_state *st, char **head, size_t *head_len, corral_error *err);
