/* SPDX-License-Identifier: MIT
 * What the network proxy refused, as the end of a run reports it
 * ("corral: network: refused evil.test:443, not in allow_domains"): one
 * entry per address and rule, counted. Shared by the Linux proxy
 * (src/proxy) and the Windows one (src/windows/proxy_win.c). Portable and
 * pure; the caller serialises access. */
#pragma once

#include <stddef.h>

#define NET_MAX_REFUSALS 256

typedef struct net_refusal {
        char address[300];    /* "evil.test:443", "[2001:db8::1]:443" */
        char rule[192];       /* "not in allow_domains" */
        char allow_with[300]; /* "--allow-domain evil.test", or "" */
        unsigned count;
} net_refusal;

typedef struct net_refusals {
        net_refusal v[NET_MAX_REFUSALS];
        size_t n;
} net_refusals;

/* Counts one refusal of address by rule (allow_with may be NULL). When the
 * list is full, the last entry stands for the rest. */
void net_refusals_record(net_refusals *l, const char *address, const char *rule, const char *allow_with);
