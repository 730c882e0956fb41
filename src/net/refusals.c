/* SPDX-License-Identifier: MIT */
#include "net/refusals.h"

#include <stdio.h>
#include <string.h>

void net_refusals_record(net_refusals *l, const char *address, const char *rule, const char *allow_with) {
        for (size_t i = 0; i < l->n; i++) {
                net_refusal *r = &l->v[i];
                if (strcmp(r->address, address) == 0 && strcmp(r->rule, rule) == 0) {
                        r->count++;
                        return;
                }
        }
        if (l->n == NET_MAX_REFUSALS) {
                l->v[NET_MAX_REFUSALS - 1].count++;
                return;
        }
        net_refusal *r = &l->v[l->n++];
        snprintf(r->address, sizeof(r->address), "%s", address);
        snprintf(r->rule, sizeof(r->rule), "%s", rule);
        snprintf(r->allow_with, sizeof(r->allow_with), "%s", allow_with ? allow_with : "");
        r->count = 1;
}
