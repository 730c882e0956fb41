/* SPDX-License-Identifier: MIT
 * The library's warnings and notices to the user (what it found after a run,
 * what it did on the user's behalf, what it could not do but the run went
 * on): one call, corral_warn, that hands the message to the handler set with
 * corral_set_warn_handler (corral.h), so that a program using libcorral (the
 * MCP server) can route them; by default "corral: MESSAGE" on stderr, as the
 * corral command prints them. Errors that stop a run go in corral_error
 * instead. Portable. */
#pragma once

/* fmt may start with "corral: " and end with a newline, as the shared
 * message formats (gitinert.h, aside.h) for stderr do: the handler gets the
 * message without either. */
void corral_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
