/* SPDX-License-Identifier: MIT
 * doctor's texts that depend on what this machine lacks or has, for every
 * case (the machine running the tests shows only one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "doctor/apparmor.h"

static void has(const char *text, const char *want) {
        if (!strstr(text, want))
                fail_msg("expected \"%s\" in: %s", want, text);
}

/* kernel.apparmor_restrict_unprivileged_userns and corral's profile */
static void test_apparmor_interaction(void **state) {
        (void)state;
        char t[1024];
        doctor_apparmor_text("absent", false, false, t, sizeof(t));
        has(t, "no restriction of user namespaces in this kernel");
        has(t, "none is needed");
        doctor_apparmor_text("0", true, true, t, sizeof(t));
        has(t, "the restriction is off (sysctl 0)");
        has(t, "changes nothing here");
        doctor_apparmor_text("1", false, false, t, sizeof(t));
        has(t, "the restriction is on (sysctl 1)");
        has(t, "no corral profile is installed");
        has(t, "the userns backend cannot build its sandbox");
        has(t, "`sudo corral setup` installs and loads the profile");
        doctor_apparmor_text("1", true, false, t, sizeof(t));
        has(t, "/etc/apparmor.d/corral exists but is NOT loaded");
        has(t, "sudo apparmor_parser -r /etc/apparmor.d/corral");
        doctor_apparmor_text("1", true, true, t, sizeof(t));
        has(t, "corral's profile is loaded, so corral (at the path it was installed for), corral-runner and corral-sandbox may");
        if (strstr(t, "cannot"))
                fail_msg("a loaded profile still says cannot: %s", t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_apparmor_interaction),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
