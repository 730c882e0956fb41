/* SPDX-License-Identifier: MIT */
#include "net/domain.h"

#include <errno.h>
#include <string.h>

int net_name_normalize(const char *s, size_t len, char *out) {
        if (len > 0 && s[len - 1] == '.')
                len--;
        if (len == 0)
                return -EINVAL;
        if (len > NET_NAME_MAX)
                return -ENAMETOOLONG;
        size_t label = 0, last_start = 0;
        bool last_all_digits = true;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c >= 0x80)
                        return -EILSEQ;
                if (c == '.') {
                        if (label == 0)
                                return -EINVAL;
                        label = 0;
                        last_start = i + 1;
                        last_all_digits = true;
                        out[i] = '.';
                        continue;
                }
                if (c >= 'A' && c <= 'Z')
                        c = (unsigned char)(c - 'A' + 'a');
                bool digit = c >= '0' && c <= '9';
                if (!(digit || (c >= 'a' && c <= 'z') || c == '-' || c == '_'))
                        return -EINVAL;
                if (!digit)
                        last_all_digits = false;
                if (++label > 63)
                        return -EINVAL;
                out[i] = (char)c;
        }
        if (label == 0 || last_all_digits)
                return -EINVAL;
        (void)last_start;
        out[len] = 0;
        return 0;
}

int net_rule_normalize(const char *s, char *out, const char **why) {
        static const char *const problems[] = {
                "is not a host name (labels of letters, digits, '-' and '_', separated by dots)",
                "holds a non-ASCII character: write an internationalised name in its ASCII form (xn--...)",
                "is longer than 253 bytes",
        };
        size_t len = strlen(s);
        net_addr a;
        const char *lit = s;
        size_t lit_len = len;
        if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
                lit = s + 1;
                lit_len = len - 2;
        }
        if (net_addr_parse(lit, lit_len, &a) == 0) {
                net_addr_format(&a, out);
                return 0;
        }
        if (lit != s) {
                *why = "is not an IPv6 address";
                return -EINVAL;
        }
        size_t off = 0;
        if (len >= 2 && s[0] == '*' && s[1] == '.') {
                out[0] = '*', out[1] = '.'; /* net_name_normalize terminates the rest */
                off = 2;
        }
        int r = net_name_normalize(s + off, len - off, out + off);
        if (r < 0) {
                *why = r == -EILSEQ ? problems[1] : r == -ENAMETOOLONG ? problems[2] : problems[0];
                return r;
        }
        return 0;
}

bool net_rule_matches_name(const char *rule, const char *name) {
        if (rule[0] == '*' && rule[1] == '.') {
                const char *suffix = rule + 1; /* ".example.org" */
                size_t sl = strlen(suffix), nl = strlen(name);
                return nl > sl && strcmp(name + nl - sl, suffix) == 0;
        }
        if (strchr(rule, ':'))
                return false;
        return strcmp(rule, name) == 0;
}

bool net_rule_matches_addr(const char *rule, const net_addr *a) {
        net_addr r;
        return net_addr_parse(rule, strlen(rule), &r) == 0 && net_addr_equal(&r, a);
}

bool net_rule_covered_by(const char *a, const char *b) {
        if (strcmp(a, b) == 0)
                return true;
        if (b[0] != '*')
                return false;
        /* b = "*.S": a must be strictly below S, as a name or as a pattern */
        const char *name = a[0] == '*' ? a + 2 : a;
        return net_rule_matches_name(b, name);
}
