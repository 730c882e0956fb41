/* SPDX-License-Identifier: MIT */
#include "common/json.h"

void json_put_string(FILE *f, const char *s) {
        if (!s) {
                fputs("null", f);
                return;
        }
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                switch (*p) {
                case '"': fputs("\\\"", f); break;
                case '\\': fputs("\\\\", f); break;
                case '\n': fputs("\\n", f); break;
                case '\t': fputs("\\t", f); break;
                case '\r': fputs("\\r", f); break;
                default:
                        if (*p < 0x20)
                                fprintf(f, "\\u%04x", *p);
                        else
                                fputc(*p, f);
                }
        }
        fputc('"', f);
}

void json_strv(FILE *f, const strv *s) {
        fputc('[', f);
        for (size_t i = 0; i < s->n; i++) {
                if (i)
                        fputc(',', f);
                json_put_string(f, s->v[i]);
        }
        fputc(']', f);
}
