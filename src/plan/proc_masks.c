/* SPDX-License-Identifier: MIT */
#include "plan/proc_masks.h"

#include <stdio.h>
#include <string.h>

void proc_masks(char *buf, size_t len) {
        buf[0] = 0;
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return;
        char line[4096];
        size_t used = 0;
        while (fgets(line, sizeof(line), f)) {
                /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE ... */
                char point[4096], *sep = strstr(line, " - ");
                if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1)
                        continue;
                if (strncmp(point, "/proc/", 6) != 0 || strncmp(sep + 3, "binfmt_misc ", 12) == 0)
                        continue;
                size_t n = strlen(point);
                if (used + n + 8 >= len) {
                        if (used + 6 < len)
                                snprintf(buf + used, len - used, ", ...");
                        break;
                }
                used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", point);
        }
        fclose(f);
}
