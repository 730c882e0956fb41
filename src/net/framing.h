/* SPDX-License-Identifier: MIT
 * Where one HTTP/1.x request's body ends (RFC 9112 §6), so that the proxy
 * forwards exactly one request and nothing after it: a client's next bytes
 * on the connection (a pipelined request naming another Host, a body that
 * two parsers would read differently) never reach the origin.
 *
 * Only unambiguous framing is accepted:
 *   - Content-Length: digits only, no sign or spaces inside; repeated (as a
 *     list or as further lines) only with the same value;
 *   - Transfer-Encoding: chunked, alone, once, in HTTP/1.1;
 *   - never both (the classic request-smuggling pair);
 *   - neither: no body.
 * The chunked decoder is strict too: hex sizes without prefix or sign,
 * CRLF line ends only (a bare LF or CR is refused), extensions and trailer
 * lines without control bytes, bounded line and trailer sizes.
 * Portable and pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/http.h"

#define HTTP_CHUNK_LINE_MAX 4096       /* a chunk's size line, extensions included */
#define HTTP_TRAILERS_MAX HTTP_HEAD_MAX /* the trailer section after the last chunk */

typedef enum http_body_kind { HTTP_BODY_NONE, HTTP_BODY_LENGTH, HTTP_BODY_CHUNKED } http_body_kind;

typedef struct http_body {
        http_body_kind kind;
        uint64_t length; /* HTTP_BODY_LENGTH: as declared */
        /* the decoder: bytes left of the body (length) or of this chunk's data */
        uint64_t left;
        uint8_t st;      /* chunked: the place in the grammar */
        size_t line;     /* bytes of the current size line */
        size_t trailers; /* bytes of the trailer section */
        bool done;
} http_body;

/* How the body of the request whose head http_parse_head found in buf is
 * framed (not for CONNECT). Returns 0 with *body ready for http_body_feed,
 * or -EINVAL with *why naming the rule the head breaks. */
int http_body_framing(const char *buf, const http_request *req, http_body *body, const char **why);

/* The next n bytes after the head (or after the last call). Returns 1 when
 * the body ends within them, with *used its bytes among them (what follows
 * is not this request's); 0 when all n belong to the body and more is to
 * come (*used = n); -EINVAL with *why when the chunked coding is malformed
 * (*used: the bytes before the fault). Once the body has ended: 1, *used 0. */
int http_body_feed(http_body *b, const uint8_t *p, size_t n, size_t *used, const char **why);
