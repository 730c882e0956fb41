/* SPDX-License-Identifier: MIT
 * A growable NULL-terminated array of owned strings. Portable. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct strv {
        char **v;   /* NULL-terminated; NULL when empty */
        size_t n;
        size_t cap;
} strv;

/* The value of NAME in an environment (NULL-terminated "NAME=value"
 * entries; env may be NULL), or NULL. A strv's v is one. */
const char *env_get(const char *const *env, const char *name);

int strv_push(strv *s, const char *str);        /* copies str; 0 or -ENOMEM */
int strv_push_take(strv *s, char *str);         /* takes ownership */
int strv_push_unique(strv *s, const char *str); /* no-op if already present */
bool strv_contains(const strv *s, const char *str);
int strv_extend(strv *dst, const strv *src);
void strv_remove(strv *s, const char *str);     /* every entry equal to str */
void strv_clear(strv *s);
static inline void strv_clearp(strv *s) { strv_clear(s); }
/* strv s = {0} _cleanup_strv_: strv_clear on every return path. */
#define _cleanup_strv_ __attribute__((cleanup(strv_clearp)))
