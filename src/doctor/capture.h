/* SPDX-License-Identifier: MIT
 * Running a probe in a real sandbox and keeping what it prints: how doctor
 * gathers its evidence, for either backend. */
#pragma once

#include <stddef.h>

#include "corral.h"

/* Runs argv in a sandbox on workspace ws (no workspace config, a private
 * /tmp) with the given backend and network mode, and keeps at most len-1
 * bytes of its standard output in out. stdin_fd, unless -1, is the
 * command's standard input for the run (doctor hands in its own binary
 * this way). Returns 0 when the command ran (*exit_code says how it
 * ended), or a negative errno with err set. */
int doctor_capture(const char *ws, const char *backend, const char *network, char *const argv[], int stdin_fd,
                   char *out, size_t len, int *exit_code, corral_error *err);
