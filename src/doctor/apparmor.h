/* SPDX-License-Identifier: MIT
 * How Ubuntu's AppArmor restriction of user namespaces and corral's profile
 * (written by corral-setup, setup/texts.c) interact, in doctor's words. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The sentence for kernel.apparmor_restrict_unprivileged_userns = sysctl
 * ("0", "1" or "absent"), given whether /etc/apparmor.d/corral exists and
 * whether corral's profile is loaded (listed in the kernel's profiles). */
void doctor_apparmor_text(const char *sysctl, bool profile_file, bool profile_loaded, char *buf, size_t len);
