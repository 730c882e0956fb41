/* SPDX-License-Identifier: MIT
 * Windows Firewall rules that take the network away from the offline
 * sandbox user (INetFwPolicy2 / INetFwRule3): outbound, block, every
 * profile, LocalUserAuthorizedList = that user's SID only:
 *   - every non-loopback IPv4 and IPv6 address, any protocol;
 *   - loopback (127.0.0.0/8, ::1): everything, or, with loopback ports
 *     (a proxy), TCP to every other port of 127.0.0.1 and ::1, all UDP,
 *     and the rest of 127.0.0.0/8 (so that the ports are reachable on
 *     127.0.0.1 and ::1 alone, where corral's proxy holds them).
 * Block rules win over allow rules in Windows Firewall, but only while the
 * firewall is on and local rules count: setup checks both (a Group Policy
 * that overrides local rules makes it fail) and reads every rule back.
 * Windows only. */
#pragma once

#include <stddef.h>
#include <wchar.h>

#include "common/error.h"
#include "windows/marker_win.h"

typedef struct fw_rule {
        wchar_t name[96];
        long protocol;               /* 256 any, 6 TCP, 17 UDP */
        wchar_t remote_addresses[160];
        wchar_t remote_ports[256];   /* "" : all */
        wchar_t users[256];          /* SDDL: O:LSD:(A;;CC;;;<offline SID>) */
} fw_rule;

#define FW_MAX_RULES 5
#define FW_GROUP L"corral"

/* The rules for m's offline SID and loopback ports (pure: tests check it). */
int firewall_rules(const win_marker *m, fw_rule rules[FW_MAX_RULES], size_t *n, corral_error *err);

/* "1-3127,3129-65535" for ports "3128"; "" when ports is empty. */
int firewall_port_complement(const char *ports, wchar_t *out, size_t size, corral_error *err);

/* Local policy may change the firewall and it is on in every profile. */
int firewall_check_usable(corral_error *err);
/* Removes corral's rules, adds them, reads each back. */
int firewall_install(const win_marker *m, corral_error *err);
/* Each rule is there and as installed. */
int firewall_verify(const win_marker *m, corral_error *err);
int firewall_remove(corral_error *err);
