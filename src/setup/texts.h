/* SPDX-License-Identifier: MIT
 * The files corral-setup writes for other programs to read: the AppArmor
 * profile (Ubuntu 23.10+) and the systemd unit that reloads the firewall at
 * boot. Pure text, so that the tests can validate exactly what is installed
 * (apparmor_parser, systemd-analyze verify) without installing it. */
#pragma once

#include <stddef.h>

/* The profile that lets corral, corral-runner and corral-sandbox (next to
 * the runner) create user namespaces under
 * kernel.apparmor_restrict_unprivileged_userns=1. Returns what snprintf
 * returns. */
int apparmor_profile_text(char *buf, size_t len, const char *corral_path, const char *runner_path);

/* The unit that runs `SETUP --apply-firewall` at boot. */
int firewall_unit_text(char *buf, size_t len, const char *setup_path);

/* The corral the profile must name, for a corral-setup at setup_path: the
 * corral next to it (a build directory), else ../bin/corral (make install:
 * corral in $prefix/bin, corral-setup in $prefix/sbin), as `corral setup`
 * finds corral-setup. The path is canonical; the one next to it when
 * neither exists. */
void setup_corral_path(const char *setup_path, char *buf, size_t len);
