/* SPDX-License-Identifier: MIT
 * Runs every Windows unit test; prints PASS/FAIL/SKIP per test and a total.
 * `corral-wintest [NAME-SUBSTRING]` runs a subset. Exit 1 if any failed. */
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "windows/wide_win.h"
#include "test.h"

static int failed_now, skipped_now;
static char skip_reason[512];
static char tmpdir[1024], helper[1024];
static unsigned counter;

void t_fail(const char *file, int line, const char *what) {
        fprintf(stdout, "    %s:%d: CHECK(%s) failed\n", file, line, what);
        failed_now = 1;
}

void t_skip(const char *reason) {
        snprintf(skip_reason, sizeof(skip_reason), "%s", reason);
        skipped_now = 1;
}

/* CORRAL_WINTEST_UNSKIP=1 runs the Wine-skipped tests anyway: to see what
 * Wine really does with them (they may fail there, for Wine's reasons). */
const char *t_wine(void) { return getenv("CORRAL_WINTEST_UNSKIP") ? NULL : win_wine_version(); }

const char *t_tmpdir(void) {
        wchar_t base[MAX_PATH];
        GetTempPathW(MAX_PATH, base);
        char *b = win_utf8(base);
        static unsigned long long run;
        if (!run)
                run = GetTickCount64();
        snprintf(tmpdir, sizeof(tmpdir), "%scorral-wintest-%lu-%llu-%u", b ? b : "C:\\",
                 (unsigned long)GetCurrentProcessId(), run, ++counter);
        free(b);
        for (char *c = tmpdir; *c; c++)
                if (*c == '\\')
                        *c = '/';
        wchar_t *w = win_wide(tmpdir);
        CreateDirectoryW(w, NULL);
        free(w);
        return tmpdir;
}

const char *t_helper(void) { return helper; }

int main(int argc, char **argv) {
        const test *const tables[] = {tests_cmdline, tests_paths, tests_acl, tests_dpapi, tests_job, tests_plan, tests_git,
                                      tests_setup, tests_proxy};
        wchar_t self[MAX_PATH];
        GetModuleFileNameW(NULL, self, MAX_PATH);
        wchar_t *slash = wcsrchr(self, L'\\');
        if (slash)
                wcscpy(slash + 1, L"corral-winhelper.exe");
        char *h = win_utf8(self);
        snprintf(helper, sizeof(helper), "%s", h ? h : "corral-winhelper.exe");
        free(h);
        if (win_wine_version())
                printf("# under Wine %s: tests of what Wine only stubs are skipped\n", win_wine_version());
        int pass = 0, fail = 0, skip = 0;
        for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
                for (const test *x = tables[t]; x->name; x++) {
                        if (argc > 1 && !strstr(x->name, argv[1]))
                                continue;
                        failed_now = skipped_now = 0;
                        x->fn();
                        fflush(stdout);
                        if (failed_now) {
                                printf("FAIL %s\n", x->name);
                                fail++;
                        } else if (skipped_now) {
                                printf("SKIP %s: %s\n", x->name, skip_reason);
                                skip++;
                        } else {
                                printf("PASS %s\n", x->name);
                                pass++;
                        }
                        fflush(stdout);
                }
        printf("# unit: %d passed, %d failed, %d skipped\n", pass, fail, skip);
        return fail ? 1 : 0;
}
