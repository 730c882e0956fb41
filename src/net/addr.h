/* SPDX-License-Identifier: MIT
 * IP addresses as plain bytes: parsing literals, printing them, and the
 * classes of destinations the network proxy refuses unless allowed by
 * address (loopback, private, link-local, CGNAT, ULA, multicast...).
 * Portable and pure: no sockets, no resolver; it builds for Windows too. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct net_addr {
        uint8_t family; /* 4 or 6 */
        uint8_t b[16];  /* network order; 4 bytes used for IPv4 */
} net_addr;

/* Longest text net_addr_format writes, NUL included. */
#define NET_ADDR_STRLEN 46

/* A literal: dotted-quad IPv4 (exactly four decimal parts, no leading
 * zeros: "127.1", "0x7f.0.0.1" and "010.0.0.1" are refused, since resolvers
 * read them differently) or IPv6 (RFC 4291 text, with "::" and a trailing
 * dotted quad; no zone id). len bytes of s, no NUL inside. Returns 0 or
 * -EINVAL. */
int net_addr_parse(const char *s, size_t len, net_addr *ret);

/* IPv4 as dotted quad, IPv6 as RFC 5952 (lower case, longest run of zero
 * groups as "::"). buf has at least NET_ADDR_STRLEN bytes. Returns buf. */
char *net_addr_format(const net_addr *a, char *buf);

bool net_addr_equal(const net_addr *a, const net_addr *b);

typedef enum net_addr_class {
        ADDR_PUBLIC = 0,
        ADDR_UNSPECIFIED, /* 0.0.0.0/8, :: */
        ADDR_LOOPBACK,    /* 127/8, ::1 */
        ADDR_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, fec0::/10 */
        ADDR_LINK_LOCAL,  /* 169.254/16, fe80::/10 */
        ADDR_CGNAT,       /* 100.64/10 */
        ADDR_ULA,         /* fc00::/7 */
        ADDR_MULTICAST,   /* 224/4, ff00::/8 */
        ADDR_BROADCAST,   /* 255.255.255.255 */
        ADDR_RESERVED,    /* 240/4, 192.0.0/24 (IETF protocol assignments) */
} net_addr_class;

/* The class of a destination. An IPv6 address that carries an IPv4 one
 * (IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96, NAT64 64:ff9b::/96,
 * 6to4 2002::/16) has the class of the IPv4 address it carries. */
net_addr_class net_addr_classify(const net_addr *a);

/* "loopback", "private", ...; "public" for ADDR_PUBLIC. */
const char *net_addr_class_name(net_addr_class c);
