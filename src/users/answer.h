/* SPDX-License-Identifier: MIT
 * What corral-runner sends corral on fd 4 after its request_result when
 * the request asked for denial reports (docs/design.md, "Denial reports"):
 * the list its supervisor recorded. Little-endian, as the request:
 *
 *   "CDN2", u32 reports (1: made), ostr why not (present when reports is 0),
 *   u32 more_lo, u32 more_hi, u32 n (<= DENIALS_MAX),
 *   n x (ostr op, path, address, syscall, rule, allow_with), one of path,
 *   address and syscall present (CDN1 had no syscall)
 *   where ostr = u32 present (0 or 1) + (when present) u32 length
 *   (<= 2 * REQUEST_MAX_STR) + bytes (no NUL). */
#pragma once

#include <stddef.h>

#include "supervise/denials.h"

#define DENIALS_MAGIC "CDN2"

/* The runner's side. */
int answer_encode_denials(const denials *d, char **buf, size_t *len);
/* corral's: strict (bounded, nothing trailing); adds to d, which the caller
 * set up (d->pl for printing). -EINVAL when malformed. */
int answer_decode_denials(const char *buf, size_t len, denials *d);
