/* SPDX-License-Identifier: MIT */
#include "net/rules.h"

#include <stdio.h>
#include <string.h>

bool net_port_allowed(const net_rules *r, uint16_t port) {
        for (size_t i = 0; i < r->n_ports; i++)
                if (r->ports[i] == port)
                        return true;
        return false;
}

#define refuse(v, allow_with, ...) (snprintf((v)->rule, sizeof((v)->rule), __VA_ARGS__), refused((v), (allow_with)))
static bool refused(net_verdict *v, const char *allow_with) {
        v->allowed = false;
        snprintf(v->allow_with, sizeof(v->allow_with), "%s", allow_with ? allow_with : "");
        return false;
}

bool net_check_host(const net_rules *r, const char *host, size_t len, uint16_t port, net_verdict *v) {
        *v = (net_verdict){0};
        const char *lit = host;
        size_t lit_len = len;
        if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
                lit = host + 1;
                lit_len = len - 2;
        }
        char allow_with[sizeof(v->allow_with)];
        if (net_addr_parse(lit, lit_len, &v->addr) == 0) {
                v->is_addr = true;
                net_addr_format(&v->addr, v->name);
        } else if (lit != host || net_name_normalize(host, len, v->name) < 0) {
                snprintf(v->name, sizeof(v->name), "(malformed host)");
                return refuse(v, NULL, "%s", "not a valid host name or IP address");
        }
        if (!net_port_allowed(r, port)) {
                char num[8];
                snprintf(num, sizeof(num), "%u", port);
                snprintf(allow_with, sizeof(allow_with), "allow_ports = [..., %u]", port);
                return refuse(v, allow_with, "port %s not in allow_ports", num);
        }
        for (size_t i = 0; i < r->deny->n; i++) {
                const char *rule = r->deny->v[i];
                if (v->is_addr ? net_rule_matches_addr(rule, &v->addr) : net_rule_matches_name(rule, v->name))
                        return refuse(v, NULL, "in deny_domains (%s)", rule);
        }
        for (size_t i = 0; i < r->allow->n; i++) {
                const char *rule = r->allow->v[i];
                if (v->is_addr ? net_rule_matches_addr(rule, &v->addr) : net_rule_matches_name(rule, v->name)) {
                        v->allowed = true;
                        return true;
                }
        }
        snprintf(allow_with, sizeof(allow_with), "--allow-domain %s", v->name);
        return refuse(v, allow_with, "%s", v->is_addr ? "an IP address not in allow_domains" : "not in allow_domains");
}

bool net_check_resolved(const net_rules *r, const net_addr *a, const net_addr *own, size_t n_own,
                        net_verdict *v) {
        char text[NET_ADDR_STRLEN], what[96], allow_with[sizeof(v->allow_with)];
        net_addr_format(a, text);
        v->allowed = false;
        for (size_t i = 0; i < r->deny->n; i++)
                if (net_rule_matches_addr(r->deny->v[i], a))
                        return refuse(v, NULL, "resolves to %s, in deny_domains", text);
        for (size_t i = 0; i < r->allow->n; i++)
                if (net_rule_matches_addr(r->allow->v[i], a)) {
                        v->allowed = true;
                        return true;
                }
        net_addr_class c = net_addr_classify(a);
        bool mine = false;
        for (size_t i = 0; i < n_own && !mine; i++)
                mine = net_addr_equal(&own[i], a);
        if (c == ADDR_PUBLIC && !mine) {
                v->allowed = true;
                return true;
        }
        if (c == ADDR_PUBLIC)
                snprintf(what, sizeof(what), "this machine's own address %s", text);
        else
                snprintf(what, sizeof(what), "a %s address %s", net_addr_class_name(c), text);
        snprintf(allow_with, sizeof(allow_with), "--allow-domain %s", text);
        return refuse(v, allow_with, "resolves to %s, not allowed by address", what);
}
