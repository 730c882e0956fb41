/* SPDX-License-Identifier: MIT
 * SHA-256 (FIPS 180-4), for names that must not collide: the per-workspace
 * state directory is named by the hash of the workspace's path. */
#pragma once

#include <stddef.h>
#include <stdint.h>

void sha256(const void *data, size_t len, uint8_t out[32]);

/* The first n bytes of the hash of s, in lower-case hex, into buf (2n + 1). */
char *sha256_hex(const char *s, size_t n, char *buf);
