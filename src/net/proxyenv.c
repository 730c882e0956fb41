/* SPDX-License-Identifier: MIT */
#include "net/proxyenv.h"

#include <stdio.h>

/* "%s" is the proxy's address, 127.0.0.1:PORT */
static const char *const entries[] = {
        "HTTP_PROXY=http://%s",         "http_proxy=http://%s",
        "HTTPS_PROXY=http://%s",        "https_proxy=http://%s",
        "ALL_PROXY=socks5h://%s",       "all_proxy=socks5h://%s",
        "NO_PROXY=localhost,127.0.0.1,::1", "no_proxy=localhost,127.0.0.1,::1",
        "npm_config_proxy=http://%s",   "npm_config_https_proxy=http://%s",
        "npm_config_noproxy=localhost,127.0.0.1,::1",
        "YARN_HTTP_PROXY=http://%s",    "YARN_HTTPS_PROXY=http://%s",
        "PIP_PROXY=http://%s",          "CARGO_HTTP_PROXY=http://%s",
        "NODE_USE_ENV_PROXY=1",         "CORRAL_PROXY=http://%s",
};

bool net_proxy_env(size_t i, unsigned port, char *out, size_t size) {
        if (i >= sizeof(entries) / sizeof(entries[0]))
                return false;
        char addr[32];
        snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(out, size, entries[i], addr);
#pragma GCC diagnostic pop
        return true;
}
