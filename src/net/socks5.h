/* SPDX-License-Identifier: MIT
 * SOCKS5 (RFC 1928) as a proxy reads it: the greeting, then one CONNECT
 * request by domain name, IPv4 or IPv6 address. "No authentication", or,
 * where the proxy asks for credentials (net/proxyauth.h), username/password
 * (RFC 1929); BIND and UDP ASSOCIATE are refused. Portable and pure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"

enum {
        SOCKS5_VERSION = 5,
        SOCKS5_CMD_CONNECT = 1,
        SOCKS5_ATYP_IPV4 = 1,
        SOCKS5_ATYP_DOMAIN = 3,
        SOCKS5_ATYP_IPV6 = 4,
        /* methods */
        SOCKS5_METHOD_NONE = 0,
        SOCKS5_METHOD_USERPASS = 2,
        SOCKS5_USERPASS_VERSION = 1,
        /* reply codes */
        SOCKS5_OK = 0,
        SOCKS5_GENERAL_FAILURE = 1,
        SOCKS5_NOT_ALLOWED = 2,
        SOCKS5_NET_UNREACHABLE = 3,
        SOCKS5_HOST_UNREACHABLE = 4,
        SOCKS5_CONN_REFUSED = 5,
        SOCKS5_TTL_EXPIRED = 6,
        SOCKS5_CMD_UNSUPPORTED = 7,
        SOCKS5_ATYP_UNSUPPORTED = 8,
};

/* The greeting: VER NMETHODS METHODS... Returns its length when whole and
 * "no authentication" (0) is among the methods, 0 when more bytes are
 * needed, -EINVAL (not SOCKS5) or -EACCES (no acceptable method: answer
 * 05 FF). */
int socks5_parse_greeting(const uint8_t *buf, size_t len);
/* The same for another method (SOCKS5_METHOD_USERPASS). */
int socks5_parse_greeting_for(const uint8_t *buf, size_t len, uint8_t method);

/* RFC 1929's request: VER(1) ULEN UNAME PLEN PASSWD. Returns its length
 * when whole (user and pass point into buf), 0 when more bytes are needed,
 * -EINVAL (another version, an empty name). The answer: 01 00 (accepted)
 * or 01 01, then the connection is closed. */
int socks5_parse_userpass(const uint8_t *buf, size_t len, const uint8_t **user, size_t *user_len,
                          const uint8_t **pass, size_t *pass_len);

typedef struct socks5_request {
        uint8_t cmd, atyp;
        char host[256];    /* ATYP_DOMAIN: the name as sent, NUL-terminated... */
        size_t host_len;   /* ... and its length (a NUL inside stays visible) */
        net_addr addr;     /* ATYP_IPV4 / ATYP_IPV6 */
        uint16_t port;
        size_t len;        /* bytes of the request */
} socks5_request;

/* The request: VER CMD RSV ATYP DST.ADDR DST.PORT. Returns 1 when whole
 * (req filled; the caller checks cmd), 0 when more bytes are needed,
 * -EINVAL (malformed: version, reserved byte, empty name) or -EAFNOSUPPORT
 * (an unknown address type: answer SOCKS5_ATYP_UNSUPPORTED). */
int socks5_parse_request(const uint8_t *buf, size_t len, socks5_request *req);

/* The 10-byte reply VER REP RSV ATYP(IPv4) 0.0.0.0:0 into out. */
size_t socks5_reply(uint8_t code, uint8_t out[10]);
