/* SPDX-License-Identifier: MIT
 * Setting aside by rename on Windows (aside_win.h). */
#include "windows/aside_win.h"

#include <stdbool.h>
#include <stdio.h>
#include <windows.h>
#include <bcrypt.h>

#include "common/macro.h"
#include "plan/gitdir.h"
#include "supervise/aside.h"
#include "windows/wide_win.h"
#include "common/warn.h"

int win_set_aside(const char *dir, const char *name, const char *why) {
        char from[4200], to[4300];
        snprintf(from, sizeof(from), "%s/%s", dir, name);
        bool ok = false;
        DWORD e = ERROR_ALREADY_EXISTS;
        _cleanup_free_ wchar_t *wf = win_wide_exact(from);
        /* a random name, new on each clash: the command cannot make every
         * name first to keep what it left in place */
        for (int attempt = 0; wf && attempt < 8 && !ok && e == ERROR_ALREADY_EXISTS; attempt++) {
                unsigned char rnd[6];
                if (BCryptGenRandom(NULL, rnd, sizeof(rnd), BCRYPT_USE_SYSTEM_PREFERRED_RNG) < 0) {
                        e = ERROR_GEN_FAILURE;
                        break;
                }
                snprintf(to, sizeof(to), "%s" GITDIR_REFUSED_MARK "%02x%02x%02x%02x%02x%02x", from, rnd[0], rnd[1],
                         rnd[2], rnd[3], rnd[4], rnd[5]);
                _cleanup_free_ wchar_t *wt = win_wide_exact(to);
                ok = wt && MoveFileExW(wf, wt, 0); /* (no MOVEFILE_REPLACE_EXISTING: never over anything) */
                e = ok ? 0 : GetLastError();
                if (e == ERROR_FILE_EXISTS)
                        e = ERROR_ALREADY_EXISTS;
        }
        if (ok) {
                corral_warn(ASIDE_DONE_FMT, from, why, to);
                return 0;
        }
        char text[32];
        snprintf(text, sizeof(text), "error %lu", (unsigned long)e);
        corral_warn(ASIDE_FAIL_FMT, from, why, text);
        return -1;
}
