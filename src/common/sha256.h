/* SPDX-License-Identifier: MIT
 * SHA-256 (FIPS 180-4), for names that must not collide: the per-workspace
 * state directory is named by the hash of the workspace's path; git's object
 * ids in a repository whose extensions.objectFormat is sha256. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/mdhash.h"

typedef struct sha256_ctx {
        uint32_t h[8];
        md_state m;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
void sha256_final(sha256_ctx *c, uint8_t out[32]);

void sha256(const void *data, size_t len, uint8_t out[32]);

/* The first n bytes of the hash of s, in lower-case hex, into buf (2n + 1). */
char *sha256_hex(const char *s, size_t n, char *buf);
