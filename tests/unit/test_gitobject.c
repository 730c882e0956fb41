/* SPDX-License-Identifier: MIT
 * The check of a loose object before a --git commits run's import takes it
 * (supervise/gitobject.h): git's own object passes, under SHA-1 and
 * SHA-256; another object's contents under its name, a header git would
 * not write, a size that is not the length, bytes after the zlib stream, a
 * stream cut short are refused; so are trees git would not write. And the
 * object format read from a config. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "common/sha1.h"
#include "common/sha256.h"
#include "supervise/gitobject.h"

#define GOOD_ID "12799ccbe7ce445b11b7bd4833bcc2c2ce1b48b7" /* git hash-object of "good\n" */
#define GOOD_ID256 "b57148c80f12c335edec18f861ac697417a81ce5943676b68b4164d6a3a57740"

/* A file holding raw (header and contents, n bytes) deflated, then extra. */
static int object_file(const void *raw, size_t n, const char *extra, size_t cut) {
        uLongf len = compressBound((uLong)n);
        unsigned char *z = malloc(len);
        assert_non_null(z);
        assert_int_equal(compress(z, &len, raw, (uLong)n), Z_OK);
        FILE *f = tmpfile();
        assert_non_null(f);
        int fd = dup(fileno(f));
        fclose(f);
        assert_true(write(fd, z, len - cut) == (ssize_t)(len - cut));
        if (extra)
                assert_true(write(fd, extra, strlen(extra)) == (ssize_t)strlen(extra));
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        free(z);
        return fd;
}

static int check(const void *raw, size_t n, const char *extra, size_t cut, gitobject_format fmt, const char *id,
                 char *why) {
        int fd = object_file(raw, n, extra, cut);
        int r = gitobject_check_loose(fd, fmt, id, why, 300);
        close(fd);
        return r;
}

static void test_git_objects_pass(void **state) {
        (void)state;
        char why[300] = "";
        assert_int_equal(check("blob 5\0good\n", 12, NULL, 0, GITOBJECT_SHA1, GOOD_ID, why), 0);
        assert_int_equal(check("blob 5\0good\n", 12, NULL, 0, GITOBJECT_SHA256, GOOD_ID256, why), 0);
        assert_int_equal(check("blob 0", 7, NULL, 0, GITOBJECT_SHA1, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", why),
                         0);
}

/* An object larger than the buffers, its id computed here. */
static void test_large_object(void **state) {
        (void)state;
        size_t body = 1000003;
        char *raw = malloc(body + 32);
        assert_non_null(raw);
        int h = snprintf(raw, 32, "blob %zu", body) + 1;
        for (size_t i = 0; i < body; i++)
                raw[h + i] = (char)((i * 7919) % 251);
        uint8_t d[20];
        sha1(raw, (size_t)h + body, d);
        char id[41], why[300] = "";
        for (size_t i = 0; i < 20; i++)
                snprintf(id + 2 * i, 3, "%02x", d[i]);
        assert_int_equal(check(raw, (size_t)h + body, NULL, 0, GITOBJECT_SHA1, id, why), 0);
        assert_int_equal(check(raw, (size_t)h + body, NULL, 1, GITOBJECT_SHA1, id, why), -EINVAL);
        assert_non_null(strstr(why, "cut short"));
        free(raw);
}

static void test_refused(void **state) {
        (void)state;
        char why[300];
        /* "evil" under the id of "good" */
        assert_int_equal(check("blob 5\0evil\n", 12, NULL, 0, GITOBJECT_SHA1, GOOD_ID, why), -EINVAL);
        assert_non_null(strstr(why, "hash to 53c74cd6c8f3911ae716f60f9b79f575aab0e975, not to its name"));
        assert_int_equal(check("blob 5\0good\n", 12, "x", 0, GITOBJECT_SHA1, GOOD_ID, why), -EINVAL);
        assert_non_null(strstr(why, "after its zlib stream"));
        assert_int_equal(check("blob 6\0good\n", 12, NULL, 0, GITOBJECT_SHA1, GOOD_ID, why), -EINVAL);
        assert_non_null(strstr(why, "shorter"));
        assert_int_equal(check("blob 4\0good\n", 12, NULL, 0, GITOBJECT_SHA1, GOOD_ID, why), -EINVAL);
        assert_non_null(strstr(why, "longer"));
        assert_int_equal(check("blob 05\0good\n", 13, NULL, 0, GITOBJECT_SHA1, GOOD_ID, why), -EINVAL);
        assert_non_null(strstr(why, "plain number"));
        assert_int_equal(check("blob +5\0good\n", 13, NULL, 0, GITOBJECT_SHA1, GOOD_ID, why), -EINVAL);
        assert_int_equal(check("blobs 5\0good\n", 13, NULL, 0, GITOBJECT_SHA1, GOOD_ID, why), -EINVAL);
        assert_non_null(strstr(why, "no type"));
        assert_int_equal(check("blob 5 good\n", 12, NULL, 0, GITOBJECT_SHA1, GOOD_ID, why), -EINVAL);
        assert_int_equal(check("blob 99999999999\0", 17, NULL, 0, GITOBJECT_SHA1, GOOD_ID, why), -EINVAL);
        assert_non_null(strstr(why, "larger"));
        assert_int_equal(check("blob 5\0good\n", 12, NULL, 0, GITOBJECT_SHA256, GOOD_ID, why), -EINVAL);
        assert_non_null(strstr(why, "SHA-256"));
        /* not zlib at all */
        FILE *f = tmpfile();
        fputs("blob 5\0good\n", f);
        fflush(f);
        rewind(f);
        assert_int_equal(gitobject_check_loose(fileno(f), GITOBJECT_SHA1, GOOD_ID, why, sizeof(why)), -EINVAL);
        fclose(f);
}

/* A tree of entries ("MODE NAME" each, the same 20-byte id for all),
 * hashed here: 0 or -EINVAL, why saying what. */
static int tree(const char *const *entries, size_t k, char *why) {
        unsigned char body[4096];
        size_t n = 0;
        for (size_t i = 0; i < k; i++) {
                size_t l = strlen(entries[i]) + 1;
                memcpy(body + n, entries[i], l);
                n += l;
                memset(body + n, 0xab, 20);
                n += 20;
        }
        char raw[4200];
        int h = snprintf(raw, 32, "tree %zu", n) + 1;
        memcpy(raw + h, body, n);
        uint8_t d[20];
        sha1(raw, (size_t)h + n, d);
        char id[41];
        for (size_t i = 0; i < 20; i++)
                snprintf(id + 2 * i, 3, "%02x", d[i]);
        return check(raw, (size_t)h + n, NULL, 0, GITOBJECT_SHA1, id, why);
}

/* A tree's entries as git writes them; a name a listing of names would
 * miss (".vscode/tasks.json"), entries out of order or twice, a mode git
 * does not write, ".git": refused. */
static void test_trees(void **state) {
        (void)state;
        char why[300] = "";
        const char *good[] = {"100644 .corral.toml", "40000 .vscode", "100755 a", "120000 a.b", "40000 a.c",
                              "160000 sub"};
        assert_int_equal(tree(good, 6, why), 0);
        const char *dir_sort[] = {"100644 a.b", "40000 a"}; /* "a/" sorts after "a.b" */
        assert_int_equal(tree(dir_sort, 2, why), 0);
        const char *slash[] = {"100644 .vscode/tasks.json", "100644 f.txt"};
        assert_int_equal(tree(slash, 2, why), -EINVAL);
        assert_non_null(strstr(why, "name git refuses"));
        const char *unsorted[] = {"100644 zzz", "40000 .vscode"};
        assert_int_equal(tree(unsorted, 2, why), -EINVAL);
        assert_non_null(strstr(why, "order"));
        const char *twice[] = {"100644 a", "100644 a"};
        assert_int_equal(tree(twice, 2, why), -EINVAL);
        const char *file_sort[] = {"40000 a", "100644 a.b"};
        assert_int_equal(tree(file_sort, 2, why), -EINVAL);
        const char *mode[] = {"100664 a"};
        assert_int_equal(tree(mode, 1, why), -EINVAL);
        assert_non_null(strstr(why, "mode"));
        const char *padded[] = {"040000 a"};
        assert_int_equal(tree(padded, 1, why), -EINVAL);
        const char *dotgit[] = {"40000 .GIT"};
        assert_int_equal(tree(dotgit, 1, why), -EINVAL);
        const char *empty[] = {"100644 "};
        assert_int_equal(tree(empty, 1, why), -EINVAL);
        /* a mode and nothing after it (found by fuzz_gitobject) */
        assert_int_equal(check("tree 1\0" "0", 8, NULL, 0, GITOBJECT_SHA1, "8ae4f0ce2ac1d2e8b2c4d5e2c6ac48dd4a6a7a86",
                               why),
                         -EINVAL);
        assert_null(strstr(why, "hash to")); /* (refused for what it holds, whatever its name) */
}

static void test_format_of_config(void **state) {
        (void)state;
        gitobject_format f = GITOBJECT_SHA256;
        const char *none = "[core]\n\tbare = false\n";
        assert_int_equal(gitobject_format_of_config(none, strlen(none), &f), 0);
        assert_int_equal(f, GITOBJECT_SHA1);
        const char *s256 = "[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectFormat = sha256\n";
        assert_int_equal(gitobject_format_of_config(s256, strlen(s256), &f), 0);
        assert_int_equal(f, GITOBJECT_SHA256);
        const char *odd = "[extensions]\n\tobjectformat = md5\n";
        assert_int_equal(gitobject_format_of_config(odd, strlen(odd), &f), -EINVAL);
        assert_int_equal(gitobject_format_of_config(NULL, 0, &f), 0);
        assert_int_equal(f, GITOBJECT_SHA1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_git_objects_pass),
                cmocka_unit_test(test_large_object),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_trees),
                cmocka_unit_test(test_format_of_config),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
