/* SPDX-License-Identifier: MIT */
#include "net/proxyenv.h"

#include <stdio.h>
#include <string.h>

/* "%s" is the proxy's address, [corral:TOKEN@]127.0.0.1:PORT */
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

bool net_proxy_env(size_t i, unsigned port, const char *token, char *out, size_t size) {
        if (i >= sizeof(entries) / sizeof(entries[0]))
                return false;
        char addr[sizeof(NET_PROXY_USER) + NET_PROXY_TOKEN_LEN + 32];
        if (token)
                snprintf(addr, sizeof(addr), "%s:%.*s@127.0.0.1:%u", NET_PROXY_USER, NET_PROXY_TOKEN_LEN, token, port);
        else
                snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(out, size, entries[i], addr);
#pragma GCC diagnostic pop
        return true;
}

bool net_proxy_env_token(const char *entry, char token[static NET_PROXY_TOKEN_LEN + 1]) {
        static const char prefix[] = "CORRAL_PROXY=http://" NET_PROXY_USER ":";
        if (strncmp(entry, prefix, sizeof(prefix) - 1) != 0)
                return false;
        const char *t = entry + sizeof(prefix) - 1;
        for (size_t i = 0; i < NET_PROXY_TOKEN_LEN; i++)
                if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
                        return false;
        if (strncmp(t + NET_PROXY_TOKEN_LEN, "@127.0.0.1:", 11) != 0)
                return false;
        memcpy(token, t, NET_PROXY_TOKEN_LEN);
        token[NET_PROXY_TOKEN_LEN] = 0;
        return true;
}
