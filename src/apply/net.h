/* SPDX-License-Identifier: MIT */
#pragma once

/* Brings up "lo" in the sandbox's own network namespace, so servers the
 * command starts on 127.0.0.1 / ::1 work while nothing leaves. */
int net_loopback_up(void);
