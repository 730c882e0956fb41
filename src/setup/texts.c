/* SPDX-License-Identifier: MIT */
#include "setup/texts.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int apparmor_profile_text(char *buf, size_t len, const char *corral_path, const char *runner_path) {
        /* AppArmor 4 (Ubuntu 24.04): the `userns` rule, under abi 4.0; the
         * paths quoted, as they may hold spaces. corral-sandbox, next to the
         * runner (users/marker.h), builds the sandbox's user namespaces. */
        const char *slash = strrchr(runner_path, '/');
        int dir = slash ? (int)(slash - runner_path) : 0;
        return snprintf(buf, len,
                        "# Installed by corral-setup: lets corral, corral-runner and corral-sandbox create\n"
                        "# user namespaces under kernel.apparmor_restrict_unprivileged_userns=1.\n"
                        "abi <abi/4.0>,\ninclude <tunables/global>\n\n"
                        "profile corral \"%s\" flags=(unconfined) {\n  userns,\n}\n\n"
                        "profile corral-runner \"%s\" flags=(unconfined) {\n  userns,\n}\n\n"
                        "profile corral-sandbox \"%.*s/corral-sandbox\" flags=(unconfined) {\n  userns,\n}\n",
                        corral_path, runner_path, dir, runner_path);
}

int firewall_unit_text(char *buf, size_t len, const char *setup_path) {
        return snprintf(buf, len,
                        "# Installed by corral-setup: reloads the nftables rules that keep the\n"
                        "# corral-offline sandbox user off the network. Removed by corral-setup --uninstall.\n"
                        "[Unit]\nDescription=corral sandbox firewall (table inet corral)\n"
                        "DefaultDependencies=no\nBefore=network-pre.target\nWants=network-pre.target\n"
                        "After=local-fs.target\n\n"
                        "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=%s --apply-firewall\n\n"
                        "[Install]\nWantedBy=multi-user.target\n",
                        setup_path);
}

void setup_corral_path(const char *setup_path, char *buf, size_t len) {
        char dir[PATH_MAX], cand[PATH_MAX + 16], real[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", setup_path);
        char *slash = strrchr(dir, '/');
        if (slash)
                *slash = 0;
        const char *rel[] = {"/corral", "/../bin/corral"};
        for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
                snprintf(cand, sizeof(cand), "%s%s", dir, rel[i]);
                if (access(cand, X_OK) == 0 && realpath(cand, real)) {
                        snprintf(buf, len, "%s", real);
                        return;
                }
        }
        snprintf(buf, len, "%s/corral", dir);
}
