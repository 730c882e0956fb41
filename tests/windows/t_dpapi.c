/* SPDX-License-Identifier: MIT
 * The sandbox users' credentials: DPAPI round trip, the file, tampering,
 * random passwords. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "windows/credentials_win.h"
#include "test.h"

static bool contains(const BYTE *hay, size_t n, const char *needle) {
        size_t m = strlen(needle);
        for (size_t i = 0; i + m <= n; i++)
                if (!memcmp(hay + i, needle, m))
                        return true;
        return false;
}

static void round_trip(void) {
        win_credentials c = {0}, d = {0};
        corral_error err = {{0}};
        CHECK(cred_random_password(c.offline_password, 40, &err) == 0);
        CHECK(cred_random_password(c.online_password, 40, &err) == 0);
        BYTE *blob;
        DWORD size;
        CHECK(cred_protect(&c, &blob, &size, &err) == 0);
        CHECK(size > 0 && !contains(blob, size, c.offline_password));
        CHECK(cred_unprotect(blob, size, &d, &err) == 0);
        CHECK(!strcmp(c.offline_password, d.offline_password) && !strcmp(c.online_password, d.online_password));
        blob[size / 2] ^= 0x55; /* tampered: refused */
        CHECK(cred_unprotect(blob, size, &d, &err) < 0);
        CHECK(strstr(err.msg, "corral setup") != NULL);
        LocalFree(blob);
}

static void file_round_trip(void) {
        const char *dir = t_tmpdir();
        char path[1200];
        snprintf(path, sizeof(path), "%s/credentials.bin", dir);
        win_credentials c = {0}, d = {0};
        corral_error err = {{0}};
        strcpy(c.offline_password, "Aa1-offline");
        strcpy(c.online_password, "Bb2-online");
        CHECK(cred_store(path, &c, &err) == 0);
        CHECK(cred_load(path, &d, &err) == 0);
        CHECK(!strcmp(d.offline_password, "Aa1-offline") && !strcmp(d.online_password, "Bb2-online"));
        char missing[1200];
        snprintf(missing, sizeof(missing), "%s/none.bin", dir);
        CHECK(cred_load(missing, &d, &err) == -ENOENT);
        CHECK(strstr(err.msg, "corral setup") != NULL);
}

static void passwords(void) {
        char a[40], b[40];
        corral_error err = {{0}};
        CHECK(cred_random_password(a, sizeof(a), &err) == 0);
        CHECK(cred_random_password(b, sizeof(b), &err) == 0);
        CHECK(strlen(a) == 39 && strcmp(a, b) != 0);
        bool up = false, low = false, dig = false, sym = false;
        for (const char *p = a; *p; p++) {
                up |= *p >= 'A' && *p <= 'Z';
                low |= *p >= 'a' && *p <= 'z';
                dig |= *p >= '0' && *p <= '9';
                sym |= strchr("-_.+!#", *p) != NULL;
        }
        CHECK(up && low && dig && sym);
}

const test tests_dpapi[] = {
        {"dpapi: CryptProtectData round trip; a tampered blob is refused", round_trip},
        {"dpapi: the credential file round trip; a missing one says to run setup", file_round_trip},
        {"dpapi: random passwords meet the complexity rules", passwords},
        {0},
};
