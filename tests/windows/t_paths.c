/* SPDX-License-Identifier: MIT
 * Paths: the lexical refusals (namespace prefixes, UNC, ADS, device names,
 * trailing dots and spaces), final paths through links, protected names
 * matched case-insensitively. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "common/path.h"
#include "common/strv.h"
#include "windows/wide_win.h"
#include "windows/wpath_win.h"
#include "test.h"

static bool refused(const char *p, const char *needle) {
        corral_error err = {{0}};
        int r = wpath_check_lexical(p, "writable root", &err);
        if (r == 0 || (needle && !strstr(err.msg, needle))) {
                printf("    %s: r=%d msg=%s\n", p, r, err.msg);
                return false;
        }
        return true;
}

static void lexical_refusals(void) {
        CHECK(refused("\\\\?\\C:\\work", "bypass"));
        CHECK(refused("//?/C:/work", "bypass"));
        CHECK(refused("\\\\.\\C:\\work", "bypass"));
        CHECK(refused("\\??\\C:\\work", "NT namespace"));
        CHECK(refused("\\\\server\\share\\w", "network"));
        CHECK(refused("C:/work/file.txt:evil", "alternate data stream"));
        CHECK(refused("C:/work/x::$DATA", "alternate data stream"));
        CHECK(refused("C:/work/.git.", "ends in a dot"));
        CHECK(refused("C:/work/.git ", "ends in a dot or space"));
        CHECK(refused("C:/work/NUL", "reserved device"));
        CHECK(refused("C:/work/con.txt", "reserved device"));
        CHECK(refused("C:/work/COM1", "reserved device"));
        CHECK(refused("C:/work/lpt9.log", "reserved device"));
        CHECK(refused("C:/work/a*b", "not allowed"));
        CHECK(refused("C:/work/a|b", "not allowed"));
        CHECK(refused("work", "drive letter"));
        CHECK(refused("/work", "drive letter"));
}

static void lexical_accepts(void) {
        const char *ok[] = {"C:/work", "C:\\work\\sub", "d:/a b/c.d", "C:/work/.git", "C:/work/console",
                            "C:/work/COM10", "C:/", "C:/\xc3\xa9t\xc3\xa9"};
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                corral_error err = {{0}};
                int r = wpath_check_lexical(ok[i], "writable root", &err);
                if (r)
                        printf("    %s: %s\n", ok[i], err.msg);
                CHECK(r == 0);
        }
}

static void final_path_of_directory(void) {
        const char *dir = t_tmpdir();
        char *final = NULL;
        corral_error err = {{0}};
        CHECK(wpath_final_local(dir, "writable root", &final, &err) == 0);
        CHECK(final && strchr(final, '\\') == NULL);
        CHECK(final && strstr(final, "corral-wintest-") != NULL);
        free(final);
        char file[1200];
        snprintf(file, sizeof(file), "%s/f", dir);
        FILE *f = fopen(file, "w");
        CHECK(f != NULL);
        fclose(f);
        CHECK(wpath_final_local(file, "writable root", &final, &err) == -ENOTDIR);
        CHECK(strstr(err.msg, "not a directory") != NULL);
        char missing[1200];
        snprintf(missing, sizeof(missing), "%s/nope", dir);
        CHECK(wpath_final_local(missing, "writable root", &final, &err) < 0);
        CHECK(strstr(err.msg, "nope") != NULL);
}

static void final_path_through_junction(void) {
        SKIP_ON_WINE("junctions (its cmd.exe mklink /J creates none)");
        const char *dir = t_tmpdir();
        char cmd[2600], target[1200], link[1200];
        snprintf(target, sizeof(target), "%s\\target", dir);
        snprintf(link, sizeof(link), "%s\\link", dir);
        for (char *c = target; *c; c++)
                if (*c == '/')
                        *c = '\\';
        for (char *c = link; *c; c++)
                if (*c == '/')
                        *c = '\\';
        CreateDirectoryA(target, NULL);
        snprintf(cmd, sizeof(cmd), "cmd /c mklink /J \"%s\" \"%s\" >NUL", link, target);
        CHECK(system(cmd) == 0);
        CHECK(wpath_is_reparse_point(link));
        char *final = NULL;
        corral_error err = {{0}};
        CHECK(wpath_final_local(link, "writable root", &final, &err) == 0);
        CHECK(final && strstr(final, "target") && !strstr(final, "link"));
        free(final);
}

static void protected_names_case_insensitive(void) {
        const char *dir = t_tmpdir();
        char p[1200];
        snprintf(p, sizeof(p), "%s/.GIT", dir);
        CHECK(CreateDirectoryA(p, NULL));
        snprintf(p, sizeof(p), "%s/.Codex", dir);
        CHECK(CreateDirectoryA(p, NULL));
        strv names = {0}, existing = {0}, missing = {0};
        strv_push(&names, ".git");
        strv_push(&names, ".codex");
        strv_push(&names, ".corral.toml");
        corral_error err = {{0}};
        CHECK(wpath_match_protected(dir, &names, &existing, &missing, &err) == 0);
        CHECK(existing.n == 2);
        CHECK(missing.n == 1 && strstr(missing.v[0], ".corral.toml"));
        bool upper = false;
        for (size_t i = 0; i < existing.n; i++)
                upper |= strstr(existing.v[i], "/.GIT") != NULL;
        CHECK(upper); /* as the file system spells it */
        CHECK(wpath_name_in(".CORRAL.TOML", &names));
        CHECK(!wpath_name_in(".gitx", &names));
        strv_clear(&names);
        strv_clear(&existing);
        strv_clear(&missing);
}

static bool exact_is(const char *path, const wchar_t *want) {
        wchar_t *w = win_wide_exact(path);
        bool ok = w && wcscmp(w, want) == 0;
        if (!ok)
                printf("    %s: got %ls\n", path, w ? w : L"(null)");
        free(w);
        return ok;
}

/* A listed name as the file system holds it: a trailing dot or space kept
 * (\\?\), but a "." or ".." component (never listed) left to Win32. */
static void exact_names(void) {
        CHECK(exact_is("C:/ws/lib./.git", L"\\\\?\\C:\\ws\\lib.\\.git"));
        CHECK(exact_is("C:/ws/vendor /.git/hooks", L"\\\\?\\C:\\ws\\vendor \\.git\\hooks"));
        CHECK(exact_is("C:/ws//bare ", L"\\\\?\\C:\\ws\\bare "));
        CHECK(exact_is("C:/ws/.../x", L"\\\\?\\C:\\ws\\...\\x"));
        CHECK(exact_is("C:/ws/./x", L"C:/ws/./x"));
        CHECK(exact_is("C:/ws/../x", L"C:/ws/../x"));
        CHECK(exact_is("C:/ws/..", L"C:/ws/.."));
        CHECK(exact_is("rel/x.", L"rel/x."));
}

/* Windows: PATH is split at ';' (a quoted entry may hold one), names
 * compare without regard to case or separator, and %APPDATA% is the
 * config home (policy/plant.h). */
static void plant_places(void) {
        CHECK(path_holds("C:/Tools", "c:\\tools\\bin"));
        CHECK(path_holds("c:/users/dev/AppData", "C:/Users/Dev/appdata/Roaming"));
        CHECK(path_holds("C:/", "C:/x"));
        CHECK(!path_holds("C:/Tool", "C:/Tools/bin"));
        CHECK(!path_holds("C:/Tools/bin", "C:/Tools"));
        CHECK(!path_holds("D:/Tools", "C:/Tools/bin"));
        strv d = {0}, w = {0};
        CHECK(path_plant_places("C:\\Windows\\System32;;bin;\"C:\\a;b\\bin\";c:\\TOOLS\\bin\\;C:/tools/bin",
                                "C:/Users/dev", "C:\\Users\\dev\\AppData\\Roaming", &d, &w) == 0);
        for (size_t i = 0; i < d.n; i++)
                printf("    place %zu: %s\n", i, d.v[i]);
        CHECK(d.n == 4 && w.n == 4);
        CHECK(strcmp(d.v[0], "C:/Windows/System32") == 0);
        CHECK(strcmp(d.v[1], "C:/a;b/bin") == 0);
        CHECK(strcmp(d.v[2], "c:/TOOLS/bin") == 0);
        CHECK(strcmp(d.v[3], "C:/Users/dev/AppData/Roaming") == 0 && strstr(w.v[3], "APPDATA"));
        strv_clear(&d);
        strv_clear(&w);
        /* without APPDATA: the profile's AppData/Roaming; no ~/.config, ~/bin */
        CHECK(path_plant_places(NULL, "C:/Users/dev", NULL, &d, &w) == 0);
        CHECK(d.n == 1 && strcmp(d.v[0], "C:/Users/dev/AppData/Roaming") == 0);
        strv_clear(&d);
        strv_clear(&w);
}

const test tests_paths[] = {
        {"paths: \\\\?\\ \\\\.\\ \\??\\ UNC ADS device names, trailing dot/space refused", lexical_refusals},
        {"paths: plain local paths accepted", lexical_accepts},
        {"paths: final path of a directory; files and missing paths refused", final_path_of_directory},
        {"paths: a junction resolves to its target", final_path_through_junction},
        {"paths: protected names match case-insensitively", protected_names_case_insensitive},
        {"paths: PATH split at ';' (quotes kept together), %APPDATA%, held without regard to case", plant_places},
        {"paths: listed names as held (\\\\?\\), a . or .. component left to Win32", exact_names},
        {0},
};
