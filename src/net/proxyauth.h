/* SPDX-License-Identifier: MIT
 * The proxy's credentials, where its listener is one that other sandboxes
 * can reach: the users backend without namespaces listens on the host's
 * loopback, where every run's command is the same sandbox user, so the
 * owner of a connection does not say which run it belongs to. Each such
 * run gets a random token, in its proxy variables as
 * http://corral:TOKEN@127.0.0.1:PORT (curl, git, pip, npm, cargo and go send
 * it as Proxy-Authorization: Basic; with socks5h:// as RFC 1929
 * username/password), and the proxy serves only connections that present
 * it. Portable and pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_PROXY_USER "corral"
#define NET_PROXY_TOKEN_LEN 32 /* hex digits: 128 random bits */

/* Does the request head (head_len bytes, as http_parse_head measured it)
 * carry exactly one Proxy-Authorization header, Basic, whose credentials
 * are NET_PROXY_USER:token? Compared in time independent of where they
 * differ. */
bool net_proxy_auth_http(const char *head, size_t head_len, const char *token);

/* Are a SOCKS5 username/password request's credentials NET_PROXY_USER and
 * token? */
bool net_proxy_auth_socks5(const uint8_t *user, size_t user_len, const uint8_t *pass, size_t pass_len,
                           const char *token);
