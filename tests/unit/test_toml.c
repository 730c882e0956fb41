/* SPDX-License-Identifier: MIT
 * Unit tests of the TOML parser API (src/toml/toml.h). The toml-test suite
 * (tests/toml) covers the language itself; these cover the accessors, line
 * numbers, error messages and limits. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "toml/toml.h"

static toml_value *parse_ok(const char *text)
{
        char err[256];
        toml_value *root = NULL;
        int r = toml_parse(text, strlen(text), &root, err, sizeof(err));
        if (r != 0)
                fail_msg("unexpected parse error %d: %s\n--- document:\n%s", r, err, text);
        assert_non_null(root);
        return root;
}

/* Parses text expecting failure r with an error starting with "line N: "
 * and containing what. */
static void parse_fails(const char *text, size_t len, int r, int line, const char *what)
{
        char err[256], prefix[32];
        toml_value *root = (toml_value *) 1;
        int got = toml_parse(text, len, &root, err, sizeof(err));
        if (got != r)
                fail_msg("expected error %d, got %d (%s) for:\n%s", r, got, got ? err : "", text);
        assert_null(root);
        snprintf(prefix, sizeof(prefix), "line %d: ", line);
        if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, what))
                fail_msg("error \"%s\" is not \"%s...%s...\"", err, prefix, what);
}

static void fails(const char *text, int line, const char *what)
{
        parse_fails(text, strlen(text), -EINVAL, line, what);
}

static void test_scalars(void **state)
{
        toml_value *root = parse_ok("s = \"hi\"\n"
                                    "i = -42\n"
                                    "f = 2.5e3\n"
                                    "b = true\n"
                                    "odt = 1979-05-27T07:32:00Z\n"
                                    "ldt = 1979-05-27T07:32:00\n"
                                    "ld = 1979-05-27\n"
                                    "lt = 07:32:00\n");
        size_t len = 99;

        assert_int_equal(toml_type_of(root), TOML_TABLE);
        assert_int_equal(toml_count(root), 8);

        const toml_value *s = toml_table_get(root, "s");
        assert_int_equal(toml_type_of(s), TOML_STRING);
        assert_string_equal(toml_string(s, &len), "hi");
        assert_int_equal(len, 2);
        assert_string_equal(toml_type_name(toml_type_of(s)), "string");

        const toml_value *i = toml_table_get(root, "i");
        assert_int_equal(toml_type_of(i), TOML_INTEGER);
        assert_int_equal(toml_integer(i), -42);

        const toml_value *f = toml_table_get(root, "f");
        assert_int_equal(toml_type_of(f), TOML_FLOAT);
        assert_true(toml_float(f) == 2500.0);

        const toml_value *b = toml_table_get(root, "b");
        assert_int_equal(toml_type_of(b), TOML_BOOL);
        assert_true(toml_bool(b));

        assert_int_equal(toml_type_of(toml_table_get(root, "odt")), TOML_DATETIME);
        assert_int_equal(toml_type_of(toml_table_get(root, "ldt")), TOML_DATETIME_LOCAL);
        assert_int_equal(toml_type_of(toml_table_get(root, "ld")), TOML_DATE_LOCAL);
        assert_int_equal(toml_type_of(toml_table_get(root, "lt")), TOML_TIME_LOCAL);
        assert_string_equal(toml_string(toml_table_get(root, "ld"), NULL), "1979-05-27");

        /* Keys keep their order. */
        const char *keys[] = { "s", "i", "f", "b", "odt", "ldt", "ld", "lt" };
        for (size_t k = 0; k < 8; k++) {
                assert_string_equal(toml_table_key_at(root, k), keys[k]);
                assert_ptr_equal(toml_table_value_at(root, k), toml_table_get(root, keys[k]));
        }
        toml_free(root);
}

static void test_type_names(void **state)
{
        assert_string_equal(toml_type_name(TOML_STRING), "string");
        assert_string_equal(toml_type_name(TOML_INTEGER), "integer");
        assert_string_equal(toml_type_name(TOML_FLOAT), "float");
        assert_string_equal(toml_type_name(TOML_BOOL), "bool");
        assert_string_equal(toml_type_name(TOML_DATETIME), "datetime");
        assert_string_equal(toml_type_name(TOML_DATETIME_LOCAL), "datetime-local");
        assert_string_equal(toml_type_name(TOML_DATE_LOCAL), "date-local");
        assert_string_equal(toml_type_name(TOML_TIME_LOCAL), "time-local");
        assert_string_equal(toml_type_name(TOML_ARRAY), "array");
        assert_string_equal(toml_type_name(TOML_TABLE), "table");
}

static void test_wrong_type_accessors(void **state)
{
        toml_value *root = parse_ok("i = 7\ns = 'x'\na = [1, 2]\n");
        const toml_value *i = toml_table_get(root, "i"), *s = toml_table_get(root, "s");
        const toml_value *a = toml_table_get(root, "a");
        size_t len = 5;

        assert_null(toml_string(i, &len));
        assert_int_equal(len, 0);
        assert_int_equal(toml_integer(s), 0);
        assert_true(toml_float(i) == 0.0);
        assert_false(toml_bool(i));
        assert_int_equal(toml_count(i), 0);
        assert_null(toml_array_at(root, 0));
        assert_null(toml_table_get(a, "x"));
        assert_null(toml_table_key_at(a, 0));
        assert_null(toml_table_value_at(a, 0));

        /* Out of range and missing. */
        assert_int_equal(toml_count(a), 2);
        assert_int_equal(toml_integer(toml_array_at(a, 1)), 2);
        assert_null(toml_array_at(a, 2));
        assert_null(toml_table_key_at(root, 3));
        assert_null(toml_table_value_at(root, 3));
        assert_null(toml_table_get(root, "nope"));

        /* NULL is tolerated by everything but toml_type_of. */
        assert_null(toml_string(NULL, NULL));
        assert_int_equal(toml_integer(NULL), 0);
        assert_int_equal(toml_count(NULL), 0);
        assert_int_equal(toml_line(NULL), 0);
        assert_null(toml_array_at(NULL, 0));
        assert_null(toml_table_get(NULL, "i"));
        assert_null(toml_table_get(root, NULL));
        toml_free(NULL);
        toml_free(root);
}

static void test_tables_and_arrays(void **state)
{
        toml_value *root = parse_ok("top = 1\n"
                                    "[server]\n"
                                    "host = \"example.org\"\n"
                                    "limits.cpu = 2\n"
                                    "[[rule]]\n"
                                    "name = 'a'\n"
                                    "[[rule]]\n"
                                    "name = 'b'\n"
                                    "[rule.extra]\n"
                                    "x = [1, 'two', [3.0], {k = false}]\n");
        const toml_value *server = toml_table_get(root, "server");
        assert_int_equal(toml_type_of(server), TOML_TABLE);
        assert_string_equal(toml_string(toml_table_get(server, "host"), NULL), "example.org");
        const toml_value *limits = toml_table_get(server, "limits");
        assert_int_equal(toml_integer(toml_table_get(limits, "cpu")), 2);

        const toml_value *rules = toml_table_get(root, "rule");
        assert_int_equal(toml_type_of(rules), TOML_ARRAY);
        assert_int_equal(toml_count(rules), 2);
        assert_string_equal(toml_string(toml_table_get(toml_array_at(rules, 0), "name"), NULL), "a");
        const toml_value *second = toml_array_at(rules, 1);
        assert_null(toml_table_get(toml_array_at(rules, 0), "extra"));
        const toml_value *x = toml_table_get(toml_table_get(second, "extra"), "x");
        assert_int_equal(toml_count(x), 4);
        assert_int_equal(toml_type_of(toml_array_at(x, 1)), TOML_STRING);
        assert_int_equal(toml_type_of(toml_array_at(x, 2)), TOML_ARRAY);
        assert_true(toml_float(toml_array_at(toml_array_at(x, 2), 0)) == 3.0);
        const toml_value *inl = toml_array_at(x, 3);
        assert_int_equal(toml_type_of(inl), TOML_TABLE);
        assert_false(toml_bool(toml_table_get(inl, "k")));
        assert_int_equal(toml_type_of(toml_table_get(inl, "k")), TOML_BOOL);
        toml_free(root);
}

static void test_line_numbers(void **state)
{
        toml_value *root = parse_ok("# comment\n"             /* 1 */
                                    "a = 1\n"                 /* 2 */
                                    "\n"                      /* 3 */
                                    "b = \"\"\"\n"            /* 4 */
                                    "multi\n"                 /* 5 */
                                    "line\"\"\"\n"            /* 6 */
                                    "c = [\n"                 /* 7 */
                                    "  1,\n"                  /* 8 */
                                    "  'two',\n"              /* 9 */
                                    "]\r\n"                   /* 10 */
                                    "[t.u]\n"                 /* 11 */
                                    "d.e = 2\n"               /* 12 */
                                    "[t]\n"                   /* 13 */
                                    "[[arr]]\n"               /* 14 */
                                    "[[arr]]\n"               /* 15 */
                                    "f = {g = 1}\n");         /* 16 */
        assert_int_equal(toml_line(root), 1);
        assert_int_equal(toml_line(toml_table_get(root, "a")), 2);
        assert_int_equal(toml_line(toml_table_get(root, "b")), 4);
        const toml_value *c = toml_table_get(root, "c");
        assert_int_equal(toml_line(c), 7);
        assert_int_equal(toml_line(toml_array_at(c, 0)), 8);
        assert_int_equal(toml_line(toml_array_at(c, 1)), 9);
        const toml_value *t = toml_table_get(root, "t");
        assert_int_equal(toml_line(t), 13); /* defined by [t], not implied by [t.u] */
        const toml_value *u = toml_table_get(t, "u");
        assert_int_equal(toml_line(u), 11);
        assert_int_equal(toml_line(toml_table_get(u, "d")), 12);
        assert_int_equal(toml_line(toml_table_get(toml_table_get(u, "d"), "e")), 12);
        const toml_value *arr = toml_table_get(root, "arr");
        assert_int_equal(toml_line(arr), 14);
        assert_int_equal(toml_line(toml_array_at(arr, 0)), 14);
        assert_int_equal(toml_line(toml_array_at(arr, 1)), 15);
        assert_int_equal(toml_line(toml_table_get(toml_array_at(arr, 1), "f")), 16);
        toml_free(root);
}

static void test_error_messages(void **state)
{
        fails("a = 1\nb = \n", 2, "expected a value");
        fails("a = 1\n\n\nb = 'x\n", 4, "newline in a single-line string");
        fails("a = \"\"\"\n\n\\q\"\"\"\n", 3, "invalid escape");
        fails("a = 1 b = 2\n", 1, "expected a newline");
        fails("[a]\nx = 1\n[a]\n", 3, "already defined on line 1");
        fails("a = {x = 1}\na.y = 2\n", 2, "inline table");
        fails("a = [1\n,2\n", 3, "expected ',' or ']'");
        fails("a = 1\r\nb = \"\r\"\n", 2, "carriage return");
        fails("a = \"\\ud800\"\n", 1, "not a Unicode scalar value");
        fails("x = 'ok'\na = \"\xff\"\n", 2, "invalid UTF-8");
        fails("a = \"\x01\"\n", 1, "control character U+0001");
        fails("a = 2000-02-30\n", 1, "invalid date or time");
        fails("a = 0123\n", 1, "leading zeros");
        fails("a = {b = 1,}\n", 1, "trailing comma");
        fails("a = {b = 1,\nc = 2}\n", 1, "expected a key");
        fails("a = \"\"\"\nnever closed\n", 3, "unterminated string");
        fails("\"\"\"k\"\"\" = 1\n", 1, "multi-line string");
}

static void test_error_buffer(void **state)
{
        toml_value *root = (toml_value *) 1;
        char small[8];

        /* A short buffer gets a truncated, terminated message. */
        assert_int_equal(toml_parse("a = ", 4, &root, small, sizeof(small)), -EINVAL);
        assert_null(root);
        assert_string_equal(small, "line 1:");
        /* No buffer at all. */
        assert_int_equal(toml_parse("a = ", 4, &root, NULL, 0), -EINVAL);
        /* Empty input and NULL text with no length are an empty table. */
        assert_int_equal(toml_parse(NULL, 0, &root, NULL, 0), 0);
        assert_int_equal(toml_count(root), 0);
        toml_free(root);
        assert_int_equal(toml_parse("", 0, &root, small, sizeof(small)), 0);
        assert_string_equal(small, "");
        toml_free(root);
}

static void test_nul_byte(void **state)
{
        static const char doc[] = "a = 1\nb = 2\0\nc = 3\n";
        parse_fails(doc, sizeof(doc) - 1, -EINVAL, 2, "NUL");
        static const char in_string[] = "a = \"x\0y\"\n";
        parse_fails(in_string, sizeof(in_string) - 1, -EINVAL, 1, "NUL");
        static const char in_comment[] = "# \0\n";
        parse_fails(in_comment, sizeof(in_comment) - 1, -EINVAL, 1, "NUL");

        /* len is obeyed: what follows it is not read. */
        toml_value *root;
        assert_int_equal(toml_parse("a = 1\0garbage", 5, &root, NULL, 0), 0);
        assert_int_equal(toml_integer(toml_table_get(root, "a")), 1);
        toml_free(root);

        /* An escaped NUL is a fine character of a string. */
        size_t len;
        root = parse_ok("s = \"x\\u0000y\"\n");
        const char *s = toml_string(toml_table_get(root, "s"), &len);
        assert_int_equal(len, 3);
        assert_memory_equal(s, "x\0y", 3);
        toml_free(root);

        /* In a key it comes back as C0 80, keeping keys C strings. */
        root = parse_ok("\"a\\u0000b\" = 1\n\"a\" = 2\n");
        assert_string_equal(toml_table_key_at(root, 0), "a\xC0\x80" "b");
        assert_int_equal(toml_integer(toml_table_get(root, "a\xC0\x80" "b")), 1);
        assert_int_equal(toml_integer(toml_table_get(root, "a")), 2);
        toml_free(root);
}

static void test_duplicate_keys(void **state)
{
        fails("a = 1\na = 2\n", 2, "duplicate key 'a' (first defined on line 1)");
        fails("a = 1\n\"a\" = 2\n", 2, "duplicate key 'a'");
        fails("a.b = 1\na.b = 2\n", 2, "duplicate key 'a.b'");
        fails("[t]\nx = 1\n[t]\n", 3, "cannot define table [t]");
        fails("[t.u]\n[t]\nu = 1\n", 3, "duplicate key 'u'");
        fails("a = {b = 1, b = 2}\n", 1, "duplicate key 'b'");
        fails("a = [1]\n[[a]]\n", 2, "cannot define array of tables [[a]]");
        fails("[[a]]\n[a]\n", 2, "cannot define table [a]");
        fails("a.b = 1\n[a]\n", 2, "cannot define table [a]");
        fails("[a.b]\n[a]\nb.c = 1\n", 3, "cannot be extended with dotted keys");
        fails("a = 1\n[a.b]\n", 2, "'a' is already an integer (line 1), not a table");

        /* The allowed ways of defining the same tables. */
        toml_value *root = parse_ok("[a.b.c]\n[a]\n[a.b]\n"
                                    "[x]\ny.z = 1\n[x.y.w]\n"
                                    "[[p]]\n[p.q]\n[[p]]\n[p.q]\n");
        assert_int_equal(toml_count(toml_table_get(root, "p")), 2);
        toml_free(root);
}

static void test_integers(void **state)
{
        toml_value *root = parse_ok("max = 9223372036854775807\n"
                                    "min = -9223372036854775808\n"
                                    "hex = 0x7fff_ffff_ffff_ffff\n"
                                    "oct = 0o755\n"
                                    "bin = 0b1010\n"
                                    "us = 1_000_000\n"
                                    "plus = +17\n");
        assert_true(toml_integer(toml_table_get(root, "max")) == INT64_MAX);
        assert_true(toml_integer(toml_table_get(root, "min")) == INT64_MIN);
        assert_true(toml_integer(toml_table_get(root, "hex")) == INT64_MAX);
        assert_int_equal(toml_integer(toml_table_get(root, "oct")), 0755);
        assert_int_equal(toml_integer(toml_table_get(root, "bin")), 10);
        assert_int_equal(toml_integer(toml_table_get(root, "us")), 1000000);
        assert_int_equal(toml_integer(toml_table_get(root, "plus")), 17);
        toml_free(root);

        fails("a = 9223372036854775808\n", 1, "does not fit in 64 bits");
        fails("a = -9223372036854775809\n", 1, "does not fit in 64 bits");
        fails("a = 0x8000000000000000\n", 1, "does not fit in 64 bits");
        fails("a = 0b11111111111111111111111111111111111111111111111111111111111111111\n", 1,
              "does not fit in 64 bits");
        fails("a = 99999999999999999999999999999999999999999999999999999999\n", 1, "does not fit in 64 bits");
        fails("a = -0x1\n", 1, "sign is not allowed");
        fails("a = 1__0\n", 1, "invalid value '1__0'");
}

static void test_floats(void **state)
{
        toml_value *root = parse_ok("a = inf\nb = -inf\nc = nan\nd = -0.0\ne = 6.626e-34\nf = 1_0.2_5\n");
        assert_true(isinf(toml_float(toml_table_get(root, "a"))) && toml_float(toml_table_get(root, "a")) > 0);
        assert_true(isinf(toml_float(toml_table_get(root, "b"))) && toml_float(toml_table_get(root, "b")) < 0);
        assert_true(isnan(toml_float(toml_table_get(root, "c"))));
        assert_true(signbit(toml_float(toml_table_get(root, "d"))));
        assert_true(toml_float(toml_table_get(root, "e")) == 6.626e-34);
        assert_true(toml_float(toml_table_get(root, "f")) == 10.25);
        toml_free(root);
        fails("a = 1e999\n", 1, "out of range");
        fails("a = .5\n", 1, "invalid value");
}

static void test_strings(void **state)
{
        toml_value *root = parse_ok("a = \"tab\\there \\\"q\\\" \\u00e9 \\U0001F600\"\n"
                                    "b = 'C:\\path'\n"
                                    "c = \"\"\"\nline1\r\nline2 \\\n     joined\"\"\"\n"
                                    "d = '''\n'x'\n'''\n"
                                    "e = \"\"\"\"quoted\"\"\"\"\n");
        assert_string_equal(toml_string(toml_table_get(root, "a"), NULL),
                            "tab\there \"q\" \xc3\xa9 \xf0\x9f\x98\x80");
        assert_string_equal(toml_string(toml_table_get(root, "b"), NULL), "C:\\path");
        assert_string_equal(toml_string(toml_table_get(root, "c"), NULL), "line1\nline2 joined");
        assert_string_equal(toml_string(toml_table_get(root, "d"), NULL), "'x'\n");
        assert_string_equal(toml_string(toml_table_get(root, "e"), NULL), "\"quoted\"");
        toml_free(root);
}

static void test_datetimes(void **state)
{
        toml_value *root = parse_ok("a = 1979-05-27 07:32:00z\n"
                                    "b = 1979-05-27t07:32:00.999999-07:00\n"
                                    "c = 1979-05-27T00:32:00.5\n"
                                    "d = 00:32:00.123456789\n"
                                    "e = 2000-02-29\n"
                                    "f = 1990-12-31T23:59:60Z\n");
        assert_string_equal(toml_string(toml_table_get(root, "a"), NULL), "1979-05-27T07:32:00Z");
        assert_string_equal(toml_string(toml_table_get(root, "b"), NULL), "1979-05-27T07:32:00.999999-07:00");
        assert_string_equal(toml_string(toml_table_get(root, "c"), NULL), "1979-05-27T00:32:00.5");
        assert_string_equal(toml_string(toml_table_get(root, "d"), NULL), "00:32:00.123456789");
        assert_int_equal(toml_type_of(toml_table_get(root, "e")), TOML_DATE_LOCAL);
        assert_int_equal(toml_type_of(toml_table_get(root, "f")), TOML_DATETIME);
        toml_free(root);
        fails("a = 1979-05-27 07:32\n", 1, "invalid date or time");
        fails("a = 07:32:00Z\n", 1, "invalid date or time");
}

static void test_bom_and_crlf(void **state)
{
        toml_value *root = parse_ok("\xEF\xBB\xBF" "a = 1\r\n[t]\r\nb = 2 # c\r\n");
        assert_int_equal(toml_integer(toml_table_get(root, "a")), 1);
        assert_int_equal(toml_integer(toml_table_get(toml_table_get(root, "t"), "b")), 2);
        toml_free(root);
        fails("a = 1\rb = 2\n", 1, "carriage return");
}

/* Nesting of n arrays [[[ ... ]]] (or inline tables) around a 1. */
static char *nested(size_t n, char open, char close)
{
        char *s = malloc(4 * n + 16), *p = s;
        assert_non_null(s);
        p += sprintf(p, "a = ");
        for (size_t i = 0; i < n; i++) {
                *p++ = open;
                if (open == '{')
                        p += sprintf(p, "a=");
        }
        *p++ = '1';
        for (size_t i = 0; i < n; i++)
                *p++ = close;
        *p = '\0';
        return s;
}

static void test_depth_limit(void **state)
{
        toml_value *root;
        char err[256];
        char *s = nested(128, '[', ']');
        assert_int_equal(toml_parse(s, strlen(s), &root, err, sizeof(err)), 0);
        toml_free(root);
        free(s);

        s = nested(129, '[', ']');
        parse_fails(s, strlen(s), -E2BIG, 1, "nesting too deep");
        free(s);

        s = nested(128, '{', '}');
        assert_int_equal(toml_parse(s, strlen(s), &root, err, sizeof(err)), 0);
        toml_free(root);
        free(s);

        s = nested(129, '{', '}');
        parse_fails(s, strlen(s), -E2BIG, 1, "nesting too deep");
        free(s);

        /* Far too deep must not overflow the stack either. */
        s = nested(1000000, '[', ']');
        parse_fails(s, strlen(s), -E2BIG, 1, "nesting too deep");
        free(s);

        /* Tables made by headers and dotted keys count too. */
        s = malloc(4 * 200 + 16);
        assert_non_null(s);
        char *p = s + sprintf(s, "\n[a");
        for (int i = 1; i < 128; i++)
                p += sprintf(p, ".a");
        sprintf(p, "]\n");
        assert_int_equal(toml_parse(s, strlen(s), &root, err, sizeof(err)), 0);
        toml_free(root);
        sprintf(p, ".a]\n");
        parse_fails(s, strlen(s), -E2BIG, 2, "nesting too deep");
        p = s + sprintf(s, "a");
        for (int i = 1; i < 129; i++)
                p += sprintf(p, ".a");
        sprintf(p, " = []\n"); /* 128 tables, then an array at level 129 */
        parse_fails(s, strlen(s), -E2BIG, 1, "nesting too deep");
        free(s);
}

static void test_large_document(void **state)
{
        enum { KEYS = 20000, ITEMS = 5000 };
        size_t cap = (size_t) (KEYS + ITEMS) * 64, n = 0;
        char *doc = malloc(cap), key[32];
        assert_non_null(doc);
        for (int i = 0; i < KEYS; i++)
                n += (size_t) snprintf(doc + n, cap - n, "key%d = %d\n", i, i);
        n += (size_t) snprintf(doc + n, cap - n, "[big]\n");
        for (int i = 0; i < KEYS; i++)
                n += (size_t) snprintf(doc + n, cap - n, "\"k %d\".v = 'v%d'\n", i, i);
        for (int i = 0; i < ITEMS; i++)
                n += (size_t) snprintf(doc + n, cap - n, "[[item]]\nid = %d\ntags = [\"a\", \"b\"]\n", i);

        toml_value *root;
        char err[256];
        assert_int_equal(toml_parse(doc, n, &root, err, sizeof(err)), 0);
        assert_int_equal(toml_count(root), KEYS + 2);
        for (int i = 0; i < KEYS; i++) {
                snprintf(key, sizeof(key), "key%d", i);
                assert_int_equal(toml_integer(toml_table_get(root, key)), i);
                assert_string_equal(toml_table_key_at(root, (size_t) i), key);
        }
        const toml_value *big = toml_table_get(root, "big");
        assert_int_equal(toml_count(big), KEYS);
        snprintf(key, sizeof(key), "k %d", KEYS - 1);
        assert_int_equal(toml_line(toml_table_get(big, key)), 2 * KEYS + 1);
        const toml_value *items = toml_table_get(root, "item");
        assert_int_equal(toml_count(items), ITEMS);
        assert_int_equal(toml_integer(toml_table_get(toml_array_at(items, ITEMS - 1), "id")), ITEMS - 1);
        toml_free(root);

        /* A duplicate at the very end is still found. */
        n += (size_t) snprintf(doc + n, cap - n, "[big]\n");
        parse_fails(doc, n, -EINVAL, 2 * KEYS + 3 * ITEMS + 2, "cannot define table [big]");
        free(doc);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scalars),
                cmocka_unit_test(test_type_names),
                cmocka_unit_test(test_wrong_type_accessors),
                cmocka_unit_test(test_tables_and_arrays),
                cmocka_unit_test(test_line_numbers),
                cmocka_unit_test(test_error_messages),
                cmocka_unit_test(test_error_buffer),
                cmocka_unit_test(test_nul_byte),
                cmocka_unit_test(test_duplicate_keys),
                cmocka_unit_test(test_integers),
                cmocka_unit_test(test_floats),
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_datetimes),
                cmocka_unit_test(test_bom_and_crlf),
                cmocka_unit_test(test_depth_limit),
                cmocka_unit_test(test_large_document),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
