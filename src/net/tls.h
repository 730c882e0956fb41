/* SPDX-License-Identifier: MIT
 * The server name (SNI) in a TLS ClientHello: what the proxy compares with
 * the host a CONNECT (or SOCKS5) request named, so that a tunnel opened to
 * an allowed host cannot carry a handshake for another one (domain
 * fronting through a shared front end). Reads TLS records of any version
 * (the ClientHello may span several handshake records, up to
 * TLS_HELLO_MAX bytes). Portable and pure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define TLS_HELLO_MAX 16384 /* bytes of the ClientHello message itself */

/* Whether buf starts like a TLS handshake record (0x16 0x03): the caller
 * decides after 1 byte; 0 more needed, 1 yes, -1 no. */
int tls_looks_like_handshake(const uint8_t *buf, size_t len);

/* Looks for the host_name in the ClientHello of buf[0..len). Returns 1 with
 * the name in sni (NUL-terminated, as sent; at most 255 bytes + NUL),
 * 0 when more bytes are needed, -ENOENT when the ClientHello is whole and
 * has no server_name extension, -EINVAL when it is not a well-formed
 * ClientHello (or its server_name is malformed: empty, holding NUL, or
 * listed twice), -E2BIG when it is longer than TLS_HELLO_MAX. */
int tls_client_hello_sni(const uint8_t *buf, size_t len, char sni[256]);
