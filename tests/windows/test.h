/* SPDX-License-Identifier: MIT
 * A tiny test framework for the Windows unit tests (run under Wine here,
 * on Windows by anyone): each test is a function; CHECK fails it, SKIP skips
 * it with a reason that is printed. test_main.c runs every table. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

typedef struct test {
        const char *name;
        void (*fn)(void);
} test;

void t_fail(const char *file, int line, const char *what);
void t_skip(const char *reason);
/* Wine's version, or NULL on Windows. */
const char *t_wine(void);
/* A fresh empty directory under %TEMP% for this test (UTF-8, '/'-separated). */
const char *t_tmpdir(void);
/* Path of corral-winhelper.exe (next to the test program). */
const char *t_helper(void);

#define CHECK(cond)                                              \
        do {                                                     \
                if (!(cond)) {                                   \
                        t_fail(__FILE__, __LINE__, #cond);       \
                        return;                                  \
                }                                                \
        } while (0)

#define SKIP(reason)                 \
        do {                         \
                t_skip(reason);      \
                return;              \
        } while (0)

/* Wine implements it only as a stub: skip, never pass falsely. */
#define SKIP_ON_WINE(what)                                                                  \
        do {                                                                                \
                if (t_wine()) {                                                             \
                        t_skip("Wine " "stubs " what "; run this program on real Windows to test it"); \
                        return;                                                             \
                }                                                                           \
        } while (0)

extern const test tests_cmdline[], tests_paths[], tests_acl[], tests_dpapi[], tests_job[], tests_plan[], tests_git[],
        tests_setup[], tests_proxy[];
