/* SPDX-License-Identifier: MIT */
#include "net/socks5.h"

#include <errno.h>
#include <string.h>

int socks5_parse_greeting(const uint8_t *buf, size_t len) { return socks5_parse_greeting_for(buf, len, SOCKS5_METHOD_NONE); }

int socks5_parse_greeting_for(const uint8_t *buf, size_t len, uint8_t method) {
        if (len < 1)
                return 0;
        if (buf[0] != SOCKS5_VERSION)
                return -EINVAL;
        if (len < 2)
                return 0;
        size_t n = buf[1];
        if (n == 0)
                return -EINVAL;
        if (len < 2 + n)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (buf[2 + i] == method)
                        return (int)(2 + n);
        return -EACCES;
}

int socks5_parse_userpass(const uint8_t *buf, size_t len, const uint8_t **user, size_t *user_len,
                          const uint8_t **pass, size_t *pass_len) {
        if (len < 1)
                return 0;
        if (buf[0] != SOCKS5_USERPASS_VERSION)
                return -EINVAL;
        if (len < 2)
                return 0;
        size_t ulen = buf[1];
        if (ulen == 0)
                return -EINVAL;
        if (len < 2 + ulen + 1)
                return 0;
        size_t plen = buf[2 + ulen];
        if (len < 3 + ulen + plen)
                return 0;
        *user = buf + 2;
        *user_len = ulen;
        *pass = buf + 3 + ulen;
        *pass_len = plen;
        return (int)(3 + ulen + plen);
}

int socks5_parse_request(const uint8_t *buf, size_t len, socks5_request *req) {
        *req = (socks5_request){0};
        if (len < 4)
                return len >= 1 && buf[0] != SOCKS5_VERSION ? -EINVAL : 0;
        if (buf[0] != SOCKS5_VERSION || buf[2] != 0)
                return -EINVAL;
        req->cmd = buf[1];
        req->atyp = buf[3];
        size_t need, off = 4;
        switch (buf[3]) {
        case SOCKS5_ATYP_IPV4:
                need = 4 + 4 + 2;
                break;
        case SOCKS5_ATYP_IPV6:
                need = 4 + 16 + 2;
                break;
        case SOCKS5_ATYP_DOMAIN:
                if (len < 5)
                        return 0;
                if (buf[4] == 0)
                        return -EINVAL;
                need = 5 + (size_t)buf[4] + 2;
                off = 5;
                break;
        default:
                return -EAFNOSUPPORT;
        }
        if (len < need)
                return 0;
        if (buf[3] == SOCKS5_ATYP_DOMAIN) {
                req->host_len = buf[4];
                memcpy(req->host, buf + off, req->host_len);
                req->host[req->host_len] = 0;
        } else {
                req->addr.family = buf[3] == SOCKS5_ATYP_IPV4 ? 4 : 6;
                memcpy(req->addr.b, buf + off, req->addr.family == 4 ? 4 : 16);
        }
        req->port = (uint16_t)(buf[need - 2] << 8 | buf[need - 1]);
        req->len = need;
        return 1;
}

size_t socks5_reply(uint8_t code, uint8_t out[10]) {
        static const uint8_t tail[7] = {SOCKS5_ATYP_IPV4, 0, 0, 0, 0, 0, 0};
        out[0] = SOCKS5_VERSION;
        out[1] = code;
        out[2] = 0;
        memcpy(out + 3, tail, sizeof(tail));
        return 10;
}
