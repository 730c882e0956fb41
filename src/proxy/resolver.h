/* SPDX-License-Identifier: MIT
 * Name resolution for the proxy, off the supervisor's thread: getaddrinfo
 * blocks, so a few worker threads run it and hand results back through a
 * pipe the event loop polls. getaddrinfo (not a DNS library) so that names
 * resolve exactly as the developer's own tools resolve them outside the
 * sandbox: /etc/hosts, nsswitch, systemd-resolved, the search domains. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"

#define RESOLVER_MAX_ADDRS 16

typedef struct resolver resolver;

typedef struct resolve_result {
        uint64_t tag;                 /* what the caller passed to resolver_submit */
        int gai_error;                /* 0, or getaddrinfo's EAI_* */
        size_t n;
        net_addr addrs[RESOLVER_MAX_ADDRS];
} resolve_result;

/* Starts n_threads workers. Returns 0 or a negative errno. */
int resolver_new(unsigned n_threads, resolver **ret);
/* The fd that becomes readable when results are waiting. */
int resolver_fd(const resolver *r);
/* Queues a lookup of name (copied). 0 or -ENOMEM. */
int resolver_submit(resolver *r, const char *name, uint64_t tag);
/* Takes one finished result; 1 if there was one, else 0. */
int resolver_take(resolver *r, resolve_result *out);
/* Stops the workers. A worker still inside getaddrinfo finishes on its own
 * and frees what is left; nothing waits for it. */
void resolver_free(resolver *r);
