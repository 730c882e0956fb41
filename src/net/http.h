/* SPDX-License-Identifier: MIT
 * The request head a client sends to an HTTP proxy: CONNECT host:port, or
 * an absolute-URI request (GET http://host[:port]/path HTTP/1.1). Strict:
 * CRLF line ends, no NUL or other control bytes, no obsolete line folding,
 * no userinfo, only the http scheme for absolute URIs; at most
 * HTTP_HEAD_MAX bytes. Portable and pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_HEAD_MAX 16384

typedef struct http_request {
        bool connect;          /* CONNECT; else an absolute-URI request */
        size_t head_len;       /* bytes up to and including the blank line */
        const char *method;    /* into the buffer, not NUL-terminated */
        size_t method_len;
        const char *host;      /* as written, brackets of an IPv6 literal removed */
        size_t host_len;
        uint16_t port;         /* explicit, or 80 for http:// */
        const char *authority; /* host[:port] as written (for the Host header) */
        size_t authority_len;
        const char *path;      /* absolute-URI: "/..." (or "" for none: sent as "/") */
        size_t path_len;
        int minor;             /* HTTP/1.minor */
} http_request;

/* Parses buf[0..len). Returns 1 with *req filled when a whole head is
 * there, 0 when more bytes are needed (and len < HTTP_HEAD_MAX), or
 * -EINVAL (malformed; *why says how), -E2BIG (no end of head within
 * HTTP_HEAD_MAX bytes), -EPROTONOSUPPORT (a URI of another scheme, or an
 * origin-form request: not a proxy request). */
int http_parse_head(const char *buf, size_t len, http_request *req, const char **why);

struct http_body;

/* The head to send upstream for an absolute-URI request: the request line
 * in origin form, the client's headers but the hop-by-hop ones
 * (Connection, every header it names, Keep-Alive, Proxy-Connection, TE,
 * Upgrade, Proxy-Authorization, Proxy-Authenticate), Host and the framing
 * (Content-Length, Transfer-Encoding), then "Host: <authority>" (the URI's,
 * so that the origin serves the host that was checked), the framing body
 * says (http_body_framing: one "Content-Length: N" or "Transfer-Encoding:
 * chunked", or none) and "Connection: close" (one request per connection:
 * the next one is checked again). Writes at most size bytes; returns the
 * length, or -E2BIG. */
int http_rewrite_head(const char *buf, const http_request *req, const struct http_body *body, char *out, size_t size);

/* An origin's response head at the start of buf[0..len), for a plain-HTTP
 * request the proxy carries alone on its connection: 1 with *head_len
 * (up to and including the blank line) and *status (1xx heads are interim:
 * another head follows); 0 when more bytes are needed; -EINVAL when it is
 * not an "HTTP/1.x NNN" head with CRLF line ends, -E2BIG when no end came
 * within HTTP_HEAD_MAX bytes (the caller relays such a response as it is). */
int http_response_head(const char *buf, size_t len, size_t *head_len, int *status);

/* That head for the client: every header but Connection, what it names,
 * Keep-Alive and Proxy-Connection, then "Connection: close", so that a
 * keep-alive client opens a new connection (checked anew) for its next
 * request instead of sending it on this one, where it would be dropped.
 * Returns the length, or -E2BIG. */
int http_rewrite_response_head(const char *buf, size_t head_len, char *out, size_t size);

/* A whole response for a refusal or a failure: status line, Content-Type
 * text/plain, Content-Length, for 407 Proxy-Authenticate (Basic),
 * Connection: close, and the body "corral: <text>\n". Returns the length
 * (truncated to size). */
size_t http_error_response(int status, const char *reason, const char *text, char *out, size_t size);
