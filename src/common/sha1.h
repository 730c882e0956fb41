/* SPDX-License-Identifier: MIT
 * SHA-1 (FIPS 180-4), for git's object ids: the import of a --git commits
 * run (supervise/gitobject.h) checks that a loose object's name is the hash
 * of its contents. Not for anything that must resist collisions on its own. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/mdhash.h"

typedef struct sha1_ctx {
        uint32_t h[5];
        md_state m;
} sha1_ctx;

void sha1_init(sha1_ctx *c);
void sha1_update(sha1_ctx *c, const void *data, size_t len);
void sha1_final(sha1_ctx *c, uint8_t out[20]);

void sha1(const void *data, size_t len, uint8_t out[20]);
