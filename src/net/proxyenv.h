/* SPDX-License-Identifier: MIT
 * network = proxy: the environment that points the common tools at the
 * proxy. HTTP_PROXY and friends for curl, wget, git, pip, cargo, go, Python,
 * Ruby, Node's fetch (NODE_USE_ENV_PROXY) and most others; npm and yarn have
 * their own names; ALL_PROXY uses socks5h (names resolved by the proxy).
 * Loopback stays direct. One list for Linux (src/plan/env.c) and Windows
 * (src/windows/plan_win.c). Portable and pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "net/proxyauth.h"

/* The port the proxy's listeners take inside the sandbox, and on the host's
 * loopback without namespaces (plan.h: plan_proxy). */
#define PROXY_PORT 3128

/* The i-th "NAME=value" for a proxy on 127.0.0.1:port into out; false
 * when there is no i-th. With a token (net/proxyauth.h; else NULL), the
 * proxy URLs carry the credentials: http://corral:TOKEN@127.0.0.1:port. */
bool net_proxy_env(size_t i, unsigned port, const char *token, char *out, size_t size);

/* The token in an environment entry net_proxy_env made
 * ("CORRAL_PROXY=http://corral:TOKEN@127.0.0.1:PORT"): true with token
 * filled when entry is one. */
bool net_proxy_env_token(const char *entry, char token[static NET_PROXY_TOKEN_LEN + 1]);
