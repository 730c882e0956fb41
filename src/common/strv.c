/* SPDX-License-Identifier: MIT */
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int strv_push_take(strv *s, char *str) {
        if (!str)
                return -ENOMEM;
        if (s->n + 2 > s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 8;
                char **v = realloc(s->v, cap * sizeof(char *));
                if (!v) {
                        free(str);
                        return -ENOMEM;
                }
                s->v = v;
                s->cap = cap;
        }
        s->v[s->n++] = str;
        s->v[s->n] = NULL;
        return 0;
}

int strv_push(strv *s, const char *str) { return strv_push_take(s, strdup(str)); }

bool strv_contains(const strv *s, const char *str) {
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i], str) == 0)
                        return true;
        return false;
}

int strv_push_unique(strv *s, const char *str) {
        return strv_contains(s, str) ? 0 : strv_push(s, str);
}

int strv_extend(strv *dst, const strv *src) {
        for (size_t i = 0; i < src->n; i++) {
                int r = strv_push_unique(dst, src->v[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

void strv_clear(strv *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
        *s = (strv){0};
}

void strv_remove(strv *s, const char *str) {
        size_t j = 0;
        for (size_t i = 0; i < s->n; i++) {
                if (strcmp(s->v[i], str) == 0)
                        free(s->v[i]);
                else
                        s->v[j++] = s->v[i];
        }
        s->n = j;
        if (s->v)
                s->v[j] = NULL;
}

const char *env_get(const char *const *env, const char *name) {
        size_t n = strlen(name);
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
                        return env[i] + n + 1;
        return NULL;
}
