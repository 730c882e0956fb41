/* SPDX-License-Identifier: MIT
 * A TOML 1.0.0 parser: text in, a tree of values out. Portable C17, no
 * dependencies beyond libc. Every value remembers the line it was defined on
 * so that config errors can name it.
 *
 * The parser rejects everything TOML 1.0.0 calls invalid (duplicate keys,
 * redefined tables, bad escapes, invalid UTF-8, control characters, ...),
 * limits nesting depth, and never reads past len (NUL bytes in the input are
 * an error, not the end of the document). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum toml_type {
        TOML_STRING,
        TOML_INTEGER,
        TOML_FLOAT,
        TOML_BOOL,
        TOML_DATETIME,       /* offset date-time, e.g. 1979-05-27T07:32:00Z */
        TOML_DATETIME_LOCAL, /* 1979-05-27T07:32:00 */
        TOML_DATE_LOCAL,     /* 1979-05-27 */
        TOML_TIME_LOCAL,     /* 07:32:00 */
        TOML_ARRAY,
        TOML_TABLE,
} toml_type;

typedef struct toml_value toml_value;

/* Parses len bytes of text. On success returns 0 and stores the root table in
 * *ret. On failure returns a negative errno (-EINVAL for a syntax error,
 * -ENOMEM, -E2BIG for nesting too deep) and writes "line N: what is wrong"
 * into errbuf (if non-NULL). */
int toml_parse(const char *text, size_t len, toml_value **ret, char *errbuf, size_t errlen);
void toml_free(toml_value *v);

toml_type toml_type_of(const toml_value *v);
int toml_line(const toml_value *v);           /* 1-based line where the value starts */
const char *toml_type_name(toml_type t);      /* "string", "integer", ... */

/* Strings: UTF-8, may contain NUL (len says how long). Datetimes are kept as
 * their normalised text (RFC 3339 with 'T' separator, as toml-test expects). */
const char *toml_string(const toml_value *v, size_t *len);
int64_t toml_integer(const toml_value *v);
double toml_float(const toml_value *v);
bool toml_bool(const toml_value *v);

/* Arrays and tables keep their insertion order. */
size_t toml_count(const toml_value *v);                     /* items or keys */
const toml_value *toml_array_at(const toml_value *v, size_t i);
const char *toml_table_key_at(const toml_value *v, size_t i);
const toml_value *toml_table_value_at(const toml_value *v, size_t i);
const toml_value *toml_table_get(const toml_value *v, const char *key);
