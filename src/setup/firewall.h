/* SPDX-License-Identifier: MIT
 * The nftables rules of the users backend, through libnftables (one atomic
 * transaction each; no `nft` process). Table `inet corral`, one base chain
 * on the output hook that sends only packets of sockets owned by
 * corral-offline to a chain that rejects them:
 *   - TCP to the canary address CORRAL_NFT_CANARY, always (the runner's
 *     proof that the rules are loaded);
 *   - everything leaving through a real interface, IPv4 and IPv6, any
 *     protocol (reject: TCP reset, ICMP unreachable, so tools fail fast);
 *   - on loopback, everything except TCP to the configured ports, unless
 *     allow_loopback.
 * Nothing matches any other user. */
#pragma once

#include "users/marker.h"

#define FIREWALL_SNAPSHOT "/etc/corral/firewall.list"

/* The rule set as nft text (for explain, tests and the transaction). */
char *firewall_ruleset(const marker *m);

/* Replaces the table atomically and stores what the kernel reports in
 * FIREWALL_SNAPSHOT for --check. */
int firewall_apply(const marker *m, corral_error *err);

/* 0 when the table is loaded as installed; -ENOENT when it is missing;
 * -ESTALE when it differs from the snapshot. */
int firewall_check(corral_error *err);

/* Deletes the table (no error when it is absent). */
int firewall_remove(corral_error *err);
