/* SPDX-License-Identifier: MIT
 * libFuzzer target: the TOML parser (src/toml/toml.c).
 *
 * Any byte string goes in. Besides what AddressSanitizer, UBSan and
 * LeakSanitizer catch, it checks the parser's promises (toml.h):
 *  - it returns 0 with a tree, or -EINVAL / -ENOMEM / -E2BIG with no tree and
 *    a "line N: ..." message that fits the caller's buffer, however small;
 *  - the same input gives the same answer with a small or no error buffer;
 *  - every table finds each of its keys again (the hash index agrees with
 *    the insertion order), keys are C strings of their stored length, and
 *    nesting stays within the documented depth;
 *  - every string is NUL-terminated at its length. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml/toml.h"

#define MAX_DEPTH 128 /* TOML_MAX_DEPTH in toml.c: containers below the root */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
        if (!ok) {
                fprintf(stderr, "fuzz_toml: broken promise: %s\n", what);
                abort();
        }
}

/* Visits every value; returns how many there are. */
static size_t walk(const toml_value *v, int depth)
{
        size_t n = 1, len = 0;
        const char *s;

        bool container = toml_type_of(v) == TOML_TABLE || toml_type_of(v) == TOML_ARRAY;
        check(depth <= MAX_DEPTH + (container ? 0 : 1), "nesting deeper than the limit");
        check(toml_line(v) >= 1, "a value without a line");
        switch (toml_type_of(v)) {
        case TOML_TABLE:
                for (size_t i = 0; i < toml_count(v); i++) {
                        const char *key = toml_table_key_at(v, i);
                        const toml_value *item = toml_table_value_at(v, i);
                        check(key && item, "a table entry is missing");
                        check(toml_table_get(v, key) == item, "a key is not found again in its table");
                        n += walk(item, depth + 1);
                }
                check(toml_table_key_at(v, toml_count(v)) == NULL, "a key past the end");
                check(toml_array_at(v, 0) == NULL, "a table answers as an array");
                break;
        case TOML_ARRAY:
                for (size_t i = 0; i < toml_count(v); i++) {
                        const toml_value *item = toml_array_at(v, i);
                        check(item != NULL, "an array item is missing");
                        n += walk(item, depth + 1);
                }
                check(toml_array_at(v, toml_count(v)) == NULL, "an item past the end");
                check(toml_table_get(v, "a") == NULL, "an array answers as a table");
                break;
        case TOML_INTEGER:
        case TOML_FLOAT:
        case TOML_BOOL:
                check(toml_string(v, &len) == NULL && len == 0, "a scalar answers as a string");
                break;
        default: /* strings and datetimes */
                s = toml_string(v, &len);
                check(s != NULL && s[len] == '\0', "a string is not NUL-terminated at its length");
                if (toml_type_of(v) != TOML_STRING)
                        check(strlen(s) == len && len >= 8, "a datetime's text is not plausible");
                break;
        }
        check(toml_type_name(toml_type_of(v)) != NULL, "a type without a name");
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char msg[256], tiny[8];
        toml_value *root = NULL, *again = NULL;
        int r, r2, r3;

        r = toml_parse((const char *) data, size, &root, msg, sizeof(msg));
        if (r == 0) {
                check(root != NULL && toml_type_of(root) == TOML_TABLE, "success without a root table");
                check(msg[0] == '\0', "success with an error message");
                walk(root, 0);
        } else {
                check(r == -EINVAL || r == -ENOMEM || r == -E2BIG, "an undocumented error code");
                check(root == NULL, "a failure that still returns a tree");
                check(strncmp(msg, "line ", 5) == 0, "an error message without its line");
                check(memchr(msg, '\0', sizeof(msg)) != NULL, "an unterminated error message");
        }

        /* The same again with a buffer too small for any message, and none. */
        memset(tiny, 'x', sizeof(tiny));
        r2 = toml_parse((const char *) data, size, &again, tiny, 5);
        check(r2 == r, "the result depends on the size of the error buffer");
        check(memchr(tiny, '\0', 5) != NULL && tiny[5] == 'x', "the error buffer overflows its size");
        toml_free(again);
        again = NULL;
        r3 = toml_parse((const char *) data, size, &again, NULL, 0);
        check(r3 == r, "the result depends on having an error buffer");
        toml_free(again);

        toml_free(root);
        return 0;
}
