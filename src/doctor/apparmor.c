/* SPDX-License-Identifier: MIT */
#include "doctor/apparmor.h"

#include <stdio.h>
#include <string.h>

void doctor_apparmor_text(const char *sysctl, bool profile_file, bool profile_loaded, char *buf, size_t len) {
        const char *profile = profile_loaded ? "corral's profile is loaded"
                              : profile_file ? "/etc/apparmor.d/corral exists but is NOT loaded (`sudo apparmor_parser "
                                               "-r /etc/apparmor.d/corral`)"
                                             : "no corral profile is installed";
        if (strcmp(sysctl, "absent") == 0)
                snprintf(buf, len, "no restriction of user namespaces in this kernel (the sysctl is absent); %s and "
                                   "none is needed",
                         profile);
        else if (strcmp(sysctl, "0") == 0)
                snprintf(buf, len, "the restriction is off (sysctl 0): any program may create user namespaces; %s, "
                                   "which changes nothing here",
                         profile);
        else if (profile_loaded)
                snprintf(buf, len, "the restriction is on (sysctl %s): a program gets capabilities in a user namespace "
                                   "only under a profile with the `userns` rule; %s, so corral (at the path it was "
                                   "installed for), corral-runner and corral-sandbox may",
                         sysctl, profile);
        else
                snprintf(buf, len, "the restriction is on (sysctl %s): a program gets capabilities in a user namespace "
                                   "only under a profile with the `userns` rule, and %s: the userns backend cannot "
                                   "build its sandbox. `sudo corral setup` installs and loads the profile "
                                   "(docs/platforms.md)",
                         sysctl, profile);
}
