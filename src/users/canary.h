/* SPDX-License-Identifier: MIT
 * Proof, before an offline run, that the firewall is loaded and applies to
 * this process's uid: listen on the canary address, connect to it. The
 * rules reject that connection for corral-offline and only for it; if it
 * succeeds the rules are missing. No privilege, no packet leaves the host,
 * tens of microseconds. */
#pragma once

#include "common/error.h"

/* 0 when the connection was rejected (rules in place); -ENOLINK with err
 * saying what to do when it went through; -errno when the test could not be
 * made (also a refusal: fail closed). */
int canary_check(corral_error *err);
