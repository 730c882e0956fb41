/* SPDX-License-Identifier: MIT
 * What corral-setup installs besides the firewall: accounts, directories,
 * the runner with its file capabilities, the boot unit, the AppArmor
 * profile. Each step is idempotent; each check names what drifted. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "users/marker.h"

/* The runner's file capabilities, and nothing else (docs/elevated.md says
 * why each is needed). cap_sys_admin serves only the idmapped mounts; where
 * the bounding set lacks it (a container), the kernel would refuse to execute
 * a runner that asks for it, and the runner can only run without namespaces
 * there anyway: runner_caps() then leaves it out. */
#define RUNNER_CAPS "cap_setgid,cap_setuid,cap_sys_admin=ep"
#define RUNNER_CAPS_CONTAINER "cap_setgid,cap_setuid=ep"
const char *runner_caps(void);
#define FIREWALL_UNIT "/etc/systemd/system/corral-firewall.service"
#define FIREWALL_UNIT_LINK "/etc/systemd/system/multi-user.target.wants/corral-firewall.service"
#define APPARMOR_PROFILE "/etc/apparmor.d/corral"
#define APPARMOR_SYSCTL "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"

/* Runs a standard tool (groupadd, useradd, gpasswd, ...) with a clean
 * environment; returns its exit status, or -errno. quiet: stderr to
 * /dev/null. */
int run_tool(bool quiet, const char *const argv[]);

int accounts_install(marker *m, const char *member, corral_error *err);
int accounts_check(const marker *m, bool report(const char *what, const char *problem));
void accounts_remove(const marker *m);

/* Copies src to dst (root:group 0750 + RUNNER_CAPS, or root:root mode
 * when caps is NULL) atomically; src == dst just fixes owner, mode, caps. */
int install_binary(const char *src, const char *dst, gid_t group, const char *caps, mode_t mode, corral_error *err);
/* corral-sandbox, the runner's unprivileged half: root:root, executable but
 * not readable by others (so that the kernel leaves it undumpable after the
 * runner's exec, as the runner was), no file capabilities. */
#define SANDBOX_MODE 0711
/* The runner (root:corral 0750, its capabilities) and corral-sandbox next to
 * it (root:root SANDBOX_MODE, none). */
int runner_check(const marker *m, bool report(const char *what, const char *problem));

int unit_install(const marker *m, corral_error *err);
int apparmor_install(const marker *m, const char *corral_path, corral_error *err);
void unit_remove(void);
void apparmor_remove(void);
