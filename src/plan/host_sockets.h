/* SPDX-License-Identifier: MIT
 * The host's listening unix sockets that have a filesystem path, read from
 * /proc/net/unix. Connecting to a socket needs no write access to the mount
 * it lives on, so a read-only view does not stop it: the plan masks each one. */
#pragma once

#include "common/strv.h"

/* Appends the absolute paths of listening pathname sockets to out. Returns 0,
 * or a negative errno when /proc/net/unix cannot be read. */
int host_listening_sockets(strv *out);
