/* SPDX-License-Identifier: MIT
 * Command output as a JSON string: JSON text is UTF-8, a command's output is
 * bytes. */
#pragma once

#include <stddef.h>

/* A copy of buf[0..len) in which every byte that does not start or continue a
 * valid UTF-8 sequence (overlong forms, surrogates and code points above
 * U+10FFFF included) is replaced by U+FFFD. NUL-terminated; *out_len is its
 * length. NULL when out of memory. */
char *utf8_sanitize(const char *buf, size_t len, size_t *out_len);
