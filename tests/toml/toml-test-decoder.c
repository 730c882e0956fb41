/* SPDX-License-Identifier: MIT
 * A decoder for the toml-test conformance suite: reads TOML on stdin and,
 * if it is valid, writes it as toml-test's tagged JSON on stdout and exits
 * 0 ({"key": {"type": "integer", "value": "42"}}, arrays as JSON arrays,
 * tables as JSON objects). Invalid TOML: the error on stderr, exit 1.
 * Other failures (reading stdin, memory): exit 2. */
#include "toml/toml.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes s as a JSON string. In keys, C0 80 stands for U+0000 (see toml.c). */
static void put_string(const char *s, size_t len, bool key)
{
        putchar('"');
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];
                if (key && c == 0xC0 && i + 1 < len && (unsigned char) s[i + 1] == 0x80) {
                        fputs("\\u0000", stdout);
                        i++;
                } else if (c == '"' || c == '\\') {
                        printf("\\%c", c);
                } else if (c < 0x20 || c == 0x7f) {
                        printf("\\u%04x", c);
                } else {
                        putchar(c);
                }
        }
        putchar('"');
}

static void put_scalar(const toml_value *v)
{
        char buf[64];
        const char *text = buf;
        size_t len;

        switch (toml_type_of(v)) {
        case TOML_INTEGER:
                snprintf(buf, sizeof(buf), "%" PRId64, toml_integer(v));
                break;
        case TOML_FLOAT: {
                double f = toml_float(v);
                if (isnan(f))
                        text = "nan";
                else if (isinf(f))
                        text = f > 0 ? "inf" : "-inf";
                else
                        snprintf(buf, sizeof(buf), "%.17g", f);
                break;
        }
        case TOML_BOOL:
                text = toml_bool(v) ? "true" : "false";
                break;
        default: /* strings and datetimes */
                text = toml_string(v, &len);
                fputs("{\"type\":\"", stdout);
                fputs(toml_type_name(toml_type_of(v)), stdout);
                fputs("\",\"value\":", stdout);
                put_string(text, len, false);
                putchar('}');
                return;
        }
        printf("{\"type\":\"%s\",\"value\":\"%s\"}", toml_type_name(toml_type_of(v)), text);
}

static void put_value(const toml_value *v)
{
        size_t n = toml_count(v);

        switch (toml_type_of(v)) {
        case TOML_TABLE:
                putchar('{');
                for (size_t i = 0; i < n; i++) {
                        const char *key = toml_table_key_at(v, i);
                        if (i > 0)
                                putchar(',');
                        put_string(key, strlen(key), true);
                        putchar(':');
                        put_value(toml_table_value_at(v, i));
                }
                putchar('}');
                break;
        case TOML_ARRAY:
                putchar('[');
                for (size_t i = 0; i < n; i++) {
                        if (i > 0)
                                putchar(',');
                        put_value(toml_array_at(v, i));
                }
                putchar(']');
                break;
        default:
                put_scalar(v);
                break;
        }
}

int main(void)
{
        size_t len = 0, cap = 0;
        char *text = NULL, err[512];
        toml_value *root;

        for (;;) {
                if (len == cap) {
                        cap = cap ? cap * 2 : 65536;
                        char *p = realloc(text, cap);
                        if (!p) {
                                fprintf(stderr, "toml-test-decoder: out of memory\n");
                                return 2;
                        }
                        text = p;
                }
                size_t got = fread(text + len, 1, cap - len, stdin);
                len += got;
                if (got == 0)
                        break;
        }
        if (ferror(stdin)) {
                fprintf(stderr, "toml-test-decoder: cannot read stdin\n");
                return 2;
        }
        int r = toml_parse(text, len, &root, err, sizeof(err));
        free(text);
        if (r < 0) {
                fprintf(stderr, "%s\n", err);
                return 1;
        }
        put_value(root);
        putchar('\n');
        toml_free(root);
        return fflush(stdout) == 0 ? 0 : 2;
}
