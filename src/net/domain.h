/* SPDX-License-Identifier: MIT
 * Host names as the network proxy compares them, and the allow/deny rules
 * that name them. Portable and pure (no resolver, no sockets).
 *
 * A name is normalised before any comparison: ASCII letters lower-cased,
 * one trailing dot removed; then it must be a DNS name of letters, digits,
 * '-' and '_' in labels of 1..63 bytes, at most 253 bytes in all, whose last
 * label is not all digits (so "127.1" or "2130706433." is never a name).
 * Non-ASCII bytes are refused (-EILSEQ): clients send internationalised
 * names as A-labels ("xn--..."), and a rule must be written that way too.
 * corral does no Unicode mapping (IDNA2008/UTS #46 needs tables the portable
 * core does not carry), so a U-label can never match by accident. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"

#define NET_NAME_MAX 253

/* Normalises len bytes of s into out (NET_NAME_MAX + 1 bytes). Returns 0,
 * -EINVAL (not a host name: empty label, bad character, NUL, all-numeric
 * top label), -EILSEQ (a non-ASCII byte) or -ENAMETOOLONG. */
int net_name_normalize(const char *s, size_t len, char *out);

/* A rule of allow_domains / deny_domains: "example.org" (that host),
 * "*.example.org" (its subdomains, not the apex) or an IP address
 * ("192.0.2.7", "2001:db8::1", "[2001:db8::1]"; that exact address).
 * Returns 0 and the canonical text in out (NET_NAME_MAX + 3 bytes), or
 * -EINVAL / -EILSEQ / -ENAMETOOLONG as above, with *why saying what is
 * wrong. */
#define NET_RULE_MAX (NET_NAME_MAX + 3)
int net_rule_normalize(const char *s, char *out, const char **why);

/* Whether normalised name matches the canonical rule (a name rule; an
 * address rule never matches a name). */
bool net_rule_matches_name(const char *rule, const char *name);
/* Whether the canonical rule is exactly this address. */
bool net_rule_matches_addr(const char *rule, const net_addr *a);
/* Whether the canonical rule a is covered by rule b: every host a allows, b
 * allows too ("x.example.org" by "*.example.org"; "*.a.example.org" by
 * "*.example.org"; anything by itself). */
bool net_rule_covered_by(const char *a, const char *b);
