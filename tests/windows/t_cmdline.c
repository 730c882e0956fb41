/* SPDX-License-Identifier: MIT
 * Command lines: what cmdline_win.c builds must parse back, through the real
 * CommandLineToArgvW, into exactly the argv it came from; batch scripts get
 * cmd.exe-safe quoting or a refusal (BatBadBut, CVE-2024-24576). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <shellapi.h>

#include "windows/wide_win.h"
#include "windows/cmdline_win.h"
#include "test.h"

/* true when CommandLineToArgvW(line) == argv */
static bool round_trips(char *const argv[]) {
        char *line = NULL;
        corral_error err = {{0}};
        if (cmdline_quote_argv(argv, &line, &err) < 0)
                return false;
        wchar_t *w = win_wide(line);
        int n = 0;
        wchar_t **back = CommandLineToArgvW(w, &n);
        bool ok = back != NULL;
        int argc = 0;
        while (argv[argc])
                argc++;
        ok = ok && n == argc;
        for (int i = 0; ok && i < n; i++) {
                char *b = win_utf8(back[i]);
                ok = b && strcmp(b, argv[i]) == 0;
                if (!ok)
                        printf("    arg %d: sent [%s] got [%s] (line %s)\n", i, argv[i], b ? b : "?", line);
                free(b);
        }
        LocalFree(back);
        free(w);
        free(line);
        return ok;
}

static void round_trip_plain(void) {
        char *a[] = {"prog", "a", "b c", "", "d\te", NULL};
        CHECK(round_trips(a));
}

static void round_trip_quotes_and_backslashes(void) {
        char *cases[][4] = {
                {"p", "say \"hi\"", NULL},
                {"p", "C:\\dir\\", NULL},
                {"p", "C:\\dir with space\\", NULL},
                {"p", "a\\\\\"b", NULL},
                {"p", "\\\"", "\\\\", NULL},
                {"p", "\"", "\"\"", NULL},
                {"p", "a\\b\\\\c", "x y\\\\", NULL},
                {"C:\\Program Files\\x.exe", "--flag=\"v w\"", NULL},
                {"p", "tab\there", "new\nline", NULL},
                {"p", "\xc3\xa9t\xc3\xa9 \xe2\x82\xac", NULL},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                CHECK(round_trips(cases[i]));
}

static void round_trip_generated(void) {
        /* every string of length <= 4 over an alphabet of the characters that matter */
        static const char alpha[] = {'a', ' ', '"', '\\', '\t'};
        char buf[8];
        for (int len = 0; len <= 4; len++) {
                int total = 1;
                for (int i = 0; i < len; i++)
                        total *= 5;
                for (int k = 0; k < total; k++) {
                        int x = k;
                        for (int i = 0; i < len; i++, x /= 5)
                                buf[i] = alpha[x % 5];
                        buf[len] = 0;
                        char *a[] = {"p", buf, "z", NULL};
                        CHECK(round_trips(a));
                }
        }
}

static void program_name_with_quote_refused(void) {
        char *a[] = {"a\"b", NULL};
        char *line = NULL;
        corral_error err = {{0}};
        CHECK(cmdline_quote_argv(a, &line, &err) == -EINVAL);
        CHECK(strstr(err.msg, "a\"b") != NULL);
}

static void batch_detection(void) {
        CHECK(cmdline_is_batch("C:/x/build.bat"));
        CHECK(cmdline_is_batch("C:/x/BUILD.CMD"));
        CHECK(cmdline_is_batch("C:/x/build.bat. . "));
        CHECK(!cmdline_is_batch("C:/x/build.bat.exe"));
        CHECK(!cmdline_is_batch("C:/x/bat"));
}

static void batch_refusals(void) {
        const char *bad[] = {"100%", "%PATH%", "say \"x\"", "a\nb", "a\rb", "\"&calc.exe"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *args[] = {(char *)bad[i], NULL};
                char *line = NULL;
                corral_error err = {{0}};
                CHECK(cmdline_quote_batch("C:\\Windows\\System32\\cmd.exe", "C:\\w\\t.bat", args, &line, &err) ==
                      -EINVAL);
                CHECK(strstr(err.msg, "CVE-2024-24576") != NULL);
                CHECK(line == NULL);
        }
}

static void batch_quoting(void) {
        char *args[] = {"a&b", "x|y", "(z)", "", "C:\\dir\\", "^!", NULL};
        char *line = NULL;
        corral_error err = {{0}};
        CHECK(cmdline_quote_batch("C:\\Windows\\System32\\cmd.exe", "C:\\w\\t.bat", args, &line, &err) == 0);
        CHECK(strcmp(line, "\"C:\\Windows\\System32\\cmd.exe\" /d /e:on /v:off /s /c \"\"C:\\w\\t.bat\" \"a&b\" "
                           "\"x|y\" \"(z)\" \"\" \"C:\\dir\\\\\" \"^!\"\"") == 0);
        free(line);
}

/* Through the real cmd.exe: metacharacters arrive as text, nothing runs. */
static void batch_through_cmd(void) {
        const char *dir = t_tmpdir();
        char script[1200], marker[1200];
        snprintf(script, sizeof(script), "%s\\t.bat", dir);
        snprintf(marker, sizeof(marker), "%s\\pwned", dir);
        /* backslashes: cmd.exe must be able to redirect to the marker, or
         * an injection that ran would go unseen */
        for (char *c = script; *c; c++)
                if (*c == '/')
                        *c = '\\';
        for (char *c = marker; *c; c++)
                if (*c == '/')
                        *c = '\\';
        FILE *f = fopen(script, "w");
        CHECK(f != NULL);
        /* %1 keeps the quotes corral put around the argument; a script that
         * writes %~1 unquoted re-parses it and is injectable whatever the caller
         * does: that is the script's own bug. */
        char ran[1200];
        snprintf(ran, sizeof(ran), "%s\\ran", dir);
        fprintf(f, "@echo off\r\necho [%%1]\r\necho done> \"%s\"\r\n", ran);
        fclose(f);
        /* each an attempt to run "echo.x>marker" beside the script (no blanks: a
         * blank alone would make corral quote the argument) */
        static const char *const forms[][2] = {{"a&echo.x>", "&b"}, {"a|echo.x>", ""},   {"a^&echo.x>", ""},
                                               {")&echo.x>", "&("},  {"a\\&echo.x>", ""}, {"!x!&echo.x>", ""},
                                               {"a>", ""}};
        wchar_t sys[MAX_PATH];
        GetSystemDirectoryW(sys, MAX_PATH);
        char *s8 = win_utf8(sys);
        char comspec[MAX_PATH + 16];
        snprintf(comspec, sizeof(comspec), "%s\\cmd.exe", s8);
        free(s8);
        for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
                char payload[1400];
                snprintf(payload, sizeof(payload), "%s%s%s", forms[i][0], marker, forms[i][1]);
                char *args[] = {payload, NULL};
                char *line = NULL;
                corral_error err = {{0}};
                DeleteFileA(ran);
                CHECK(cmdline_quote_batch(comspec, script, args, &line, &err) == 0);
                wchar_t *wl = win_wide(line), *wa = win_wide(comspec);
                STARTUPINFOW si = {.cb = sizeof(si)};
                PROCESS_INFORMATION pi;
                BOOL started = CreateProcessW(wa, wl, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi);
                free(wl);
                free(wa);
                free(line);
                CHECK(started);
                WaitForSingleObject(pi.hProcess, 20000);
                CloseHandle(pi.hThread);
                CloseHandle(pi.hProcess);
                if (GetFileAttributesA(marker) != INVALID_FILE_ATTRIBUTES)
                        printf("    injected through [%s]\n", payload);
                CHECK(GetFileAttributesA(ran) != INVALID_FILE_ATTRIBUTES);    /* the script ran */
                CHECK(GetFileAttributesA(marker) == INVALID_FILE_ATTRIBUTES); /* the injected command did not */
        }
}

static void find_program(void) {
        const char *dir = t_tmpdir();
        char exe[1200];
        snprintf(exe, sizeof(exe), "%s/tool.CMD", dir);
        FILE *f = fopen(exe, "w");
        CHECK(f != NULL);
        fclose(f);
        char *found = NULL;
        char path[2400];
        snprintf(path, sizeof(path), "C:\\nonexistent;%s", dir);
        CHECK(cmdline_find_program("tool", "C:\\", path, ".EXE;.CMD", &found) == 0);
        CHECK(found && cmdline_is_batch(found));
        free(found);
        found = NULL;
        CHECK(cmdline_find_program("nothere", "C:\\", path, ".EXE;.CMD", &found) == -ENOENT);
        /* a name too long for the search buffer must not be found as the
         * truncated prefix of itself: "././.../tool.CMDx", sized so that
         * cwd\\ + it, cut at 4095 characters, would be exactly cwd\\././.../tool.CMD */
        char *longname = malloc(8192);
        CHECK(longname != NULL);
        size_t want = 4095 - strlen(dir) - 1 - strlen("/tool.CMD"), k = 0;
        longname[k++] = '.';
        while (k + 2 <= want) {
                longname[k++] = '/';
                longname[k++] = '.';
        }
        if (k < want) /* odd length: a doubled separator makes up the last character */
                longname[k++] = '/';
        snprintf(longname + k, 8192 - k, "/tool.CMDx");
        CHECK(strlen(dir) + 1 + strlen(longname) == 4096);
        CHECK(cmdline_find_program(longname, dir, "", ".EXE", &found) == -ENOENT);
        free(longname);
        /* the current directory is not searched for a bare name */
        CHECK(cmdline_find_program("tool", dir, "C:\\nonexistent", ".CMD", &found) == -ENOENT);
}

/* What cmdline_build hands CreateProcess: a script (any case, trailing dots
 * or spaces, found through PATHEXT) always goes through cmd.exe with the
 * quoting above; a program naming a data stream is refused. */
static void build_routes_scripts_through_cmd(void) {
        const char *comspec = "C:\\Windows\\System32\\cmd.exe";
        const char *scripts[] = {"C:/x/t.bat", "C:/x/T.BaT", "C:/x/t.cmd.", "C:/x/t.CMD .", "C:/x/t.bat  "};
        for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
                char *argv[] = {"t", "a&b", NULL}, *app = NULL, *line = NULL;
                corral_error err = {{0}};
                CHECK(cmdline_build(scripts[i], argv, comspec, &app, &line, &err) == 0);
                CHECK(app && strcmp(app, comspec) == 0);
                CHECK(line && strstr(line, " /d /e:on /v:off /s /c ") && strstr(line, "\"a&b\""));
                free(app);
                free(line);
                char *bad[] = {"t", "50%", NULL};
                CHECK(cmdline_build(scripts[i], bad, comspec, &app, &line, &err) == -EINVAL);
        }
        /* found without an extension, through PATHEXT, in a mixed case */
        const char *dir = t_tmpdir();
        char script[1200];
        snprintf(script, sizeof(script), "%s/tool.BaT", dir);
        FILE *f = fopen(script, "w");
        CHECK(f != NULL);
        fclose(f);
        char *found = NULL, *app = NULL, *line = NULL, *argv[] = {"tool", "%PATH%", NULL};
        corral_error err = {{0}};
        CHECK(cmdline_find_program("tool", "C:\\", dir, ".EXE;.BAT", &found) == 0);
        CHECK(found && cmdline_build(found, argv, comspec, &app, &line, &err) == -EINVAL);
        CHECK(strstr(err.msg, "CVE-2024-24576") != NULL);
        free(found);
        const char *streams[] = {"C:/x/t.bat:s", "C:/x/t.bat::$DATA", "C:/x/tool.exe:evil.exe",
                                 "\\\\?\\C:\\x\\t.exe:s"};
        for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
                char *a[] = {"t", NULL};
                CHECK(cmdline_build(streams[i], a, comspec, &app, &line, &err) == -EINVAL);
                CHECK(strstr(err.msg, "data stream") != NULL);
        }
        char *a[] = {"t", NULL};
        CHECK(cmdline_build("\\\\?\\C:\\x\\t.exe", a, comspec, &app, &line, &err) == 0);
        free(app);
        free(line);
}

const test tests_cmdline[] = {
        {"cmdline: scripts in any spelling go through cmd.exe; data-stream programs refused",
         build_routes_scripts_through_cmd},
        {"cmdline: plain arguments round-trip through CommandLineToArgvW", round_trip_plain},
        {"cmdline: quotes and backslashes round-trip", round_trip_quotes_and_backslashes},
        {"cmdline: every short string over [a, space, quote, backslash, tab] round-trips", round_trip_generated},
        {"cmdline: a quote in the program name is refused", program_name_with_quote_refused},
        {"cmdline: .bat/.cmd detection (case, trailing dots and spaces)", batch_detection},
        {"cmdline: batch arguments with % \" CR LF are refused", batch_refusals},
        {"cmdline: batch arguments are quoted for cmd.exe", batch_quoting},
        {"cmdline: an injection through a batch argument does not run (real cmd.exe)", batch_through_cmd},
        {"cmdline: PATH and PATHEXT search, cwd not searched", find_program},
        {0},
};
