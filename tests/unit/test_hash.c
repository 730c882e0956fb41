/* SPDX-License-Identifier: MIT
 * SHA-1 and SHA-256 (common/sha1.h, common/sha256.h) against the examples
 * of FIPS 180-4 (one block, two blocks, a million "a"), the padding edges
 * (55, 56 and 64 bytes), fed whole and in pieces of every size up to 70,
 * and git's id of a blob. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/sha1.h"
#include "common/sha256.h"

static const char *hex(const uint8_t *d, size_t n, char *buf) {
        for (size_t i = 0; i < n; i++)
                snprintf(buf + 2 * i, 3, "%02x", d[i]);
        return buf;
}

static const char *sha1_of(const char *s, size_t len, char *buf) {
        uint8_t d[20];
        sha1(s, len, d);
        return hex(d, 20, buf);
}

static const char *sha256_of(const char *s, size_t len, char *buf) {
        uint8_t d[32];
        sha256(s, len, d);
        return hex(d, 32, buf);
}

#define ABC448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

static void test_sha1_vectors(void **state) {
        (void)state;
        char b[65];
        assert_string_equal(sha1_of("abc", 3, b), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_string_equal(sha1_of("", 0, b), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_string_equal(sha1_of(ABC448, 56, b), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
        /* git's id of the blob "good\n": sha1("blob 5\0good\n") */
        assert_string_equal(sha1_of("blob 5\0good\n", 12, b), "12799ccbe7ce445b11b7bd4833bcc2c2ce1b48b7");
        assert_string_equal(sha1_of("blob 0", 7, b), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
}

static void test_million_a(void **state) {
        (void)state;
        char chunk[1000], b[65];
        memset(chunk, 'a', sizeof(chunk));
        sha1_ctx c1;
        sha256_ctx c2;
        sha1_init(&c1);
        sha256_init(&c2);
        for (int i = 0; i < 1000; i++) {
                sha1_update(&c1, chunk, sizeof(chunk));
                sha256_update(&c2, chunk, sizeof(chunk));
        }
        uint8_t d1[20], d2[32];
        sha1_final(&c1, d1);
        sha256_final(&c2, d2);
        assert_string_equal(hex(d1, 20, b), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
        assert_string_equal(hex(d2, 32, b), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256_vectors(void **state) {
        (void)state;
        char b[65];
        assert_string_equal(sha256_of("abc", 3, b), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_string_equal(sha256_of(ABC448, 56, b),
                            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        /* git's id of "good\n" in a repository of object format sha256 */
        assert_string_equal(sha256_of("blob 5\0good\n", 12, b),
                            "b57148c80f12c335edec18f861ac697417a81ce5943676b68b4164d6a3a57740");
}

/* Every split of every message up to 130 bytes gives the one-shot hash. */
static void test_pieces(void **state) {
        (void)state;
        char msg[130];
        for (size_t i = 0; i < sizeof(msg); i++)
                msg[i] = (char)('a' + i % 26);
        for (size_t len = 0; len <= sizeof(msg); len++)
                for (size_t piece = 1; piece <= 70; piece++) {
                        uint8_t w1[20], w2[32], p1[20], p2[32];
                        sha1(msg, len, w1);
                        sha256(msg, len, w2);
                        sha1_ctx c1;
                        sha256_ctx c2;
                        sha1_init(&c1);
                        sha256_init(&c2);
                        for (size_t at = 0; at < len; at += piece) {
                                size_t n = len - at < piece ? len - at : piece;
                                sha1_update(&c1, msg + at, n);
                                sha256_update(&c2, msg + at, n);
                        }
                        sha1_final(&c1, p1);
                        sha256_final(&c2, p2);
                        assert_memory_equal(w1, p1, 20);
                        assert_memory_equal(w2, p2, 32);
                }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sha1_vectors),
                cmocka_unit_test(test_sha256_vectors),
                cmocka_unit_test(test_million_a),
                cmocka_unit_test(test_pieces),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
