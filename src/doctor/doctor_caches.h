/* SPDX-License-Identifier: MIT
 * `corral doctor`: can the package-manager caches be overlaid here
 * (plan/caches.h)? A real overlay, mounted in a user namespace on the
 * filesystem that holds corral's state. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* true when it works; what says what was tried, or why it failed. */
bool doctor_caches_overlay(char *what, size_t len);
