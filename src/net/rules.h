/* SPDX-License-Identifier: MIT
 * The network proxy's decisions, as pure functions of the policy's rules:
 * may the command reach HOST:PORT, and may a resolved address be used.
 * Portable; the proxy (src/proxy) and `corral explain` share them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strv.h"
#include "net/addr.h"
#include "net/domain.h"

/* The Linux proxy's bounds (src/proxy; explain prints them). */
#define PROXY_MAX_CONNS 1024      /* concurrent client connections */
#define PROXY_SETUP_TIMEOUT_MS 30000 /* request head, resolution, connect, ClientHello */

typedef struct net_rules {
        const strv *allow;      /* canonical rules (net_rule_normalize) */
        const strv *deny;
        const uint16_t *ports;  /* allowed destination ports */
        size_t n_ports;
} net_rules;

typedef struct net_verdict {
        bool allowed;
        bool is_addr;                 /* the host was an IP literal */
        net_addr addr;                /* ... this one */
        char name[NET_RULE_MAX];      /* the normalised name, or the address as text */
        char rule[192];               /* why it was refused: "not in allow_domains" */
        char allow_with[NET_RULE_MAX + 32]; /* what would allow it: "--allow-domain evil.test" ("" if nothing) */
} net_verdict;

/* HOST as the client wrote it (a name, an IPv4 literal, an IPv6 literal
 * with or without brackets; len bytes, possibly holding NUL or junk) and
 * the port. Order: a malformed host, the port, deny_domains, then
 * allow_domains (deny wins). Returns v->allowed. */
bool net_check_host(const net_rules *r, const char *host, size_t len, uint16_t port, net_verdict *v);

/* After resolution: an address of a class other than public, or one of the
 * host's own (own[0..n_own)), is refused unless allow_domains names it
 * exactly; an address deny_domains names is refused. Returns v->allowed;
 * v->rule names the class and the address. */
bool net_check_resolved(const net_rules *r, const net_addr *a, const net_addr *own, size_t n_own,
                        net_verdict *v);

/* Whether port is one of r's. */
bool net_port_allowed(const net_rules *r, uint16_t port);
