/* SPDX-License-Identifier: MIT */
#include "apply/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"
#include "kernel/landlock_compat.h"

/* Every write-type right the given ABI knows. */
static uint64_t write_rights(int abi) {
        uint64_t r = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                     LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                     LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
                     LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
        if (abi >= 2)
                r |= LANDLOCK_ACCESS_FS_REFER;
        if (abi >= 3)
                r |= LANDLOCK_ACCESS_FS_TRUNCATE;
        if (abi >= 5)
                r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
        return r;
}

static uint64_t rule_rights(unsigned access, int abi, bool is_dir) {
        uint64_t all = write_rights(abi), r = 0;
        if (access & LL_WRITE_ALL)
                r |= all;
        if (access & LL_WRITE_FILE)
                r |= LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE;
        if (access & LL_IOCTL_DEV)
                r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
        r &= all;
        if (!is_dir) /* only file rights may be granted on a file */
                r &= LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV;
        return r;
}

int landlock_apply(const plan *pl, int *failed_rule) {
        int abi = pl->landlock_abi;
        if (abi <= 0)
                return 0;
        struct corral_landlock_ruleset_attr attr = {
                .handled_access_fs = write_rights(abi),
                .scoped = pl->landlock_scopes ? LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL : 0,
        };
        size_t size = abi >= 6 ? sizeof(attr) : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
        _cleanup_close_ int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
        if (ruleset < 0)
                return -errno;
        for (size_t i = 0; i < pl->n_rules; i++) {
                const landlock_rule *rule = &pl->rules[i];
                _cleanup_close_ int fd = open(rule->path, O_PATH | O_CLOEXEC | (rule->verify ? O_NOFOLLOW : 0));
                if (fd < 0) {
                        *failed_rule = (int)i;
                        return -errno;
                }
                struct stat st;
                bool is_dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
                /* A rule binds to the object it is added on, for good: the
                 * one planned, or none (moved or replaced since). */
                if (rule->verify && ((uint64_t)st.st_dev != rule->dev || (uint64_t)st.st_ino != rule->ino)) {
                        *failed_rule = (int)i;
                        return -ESTALE;
                }
                struct landlock_path_beneath_attr pb = {
                        .allowed_access = rule_rights(pl->rules[i].access, abi, is_dir),
                        .parent_fd = fd,
                };
                if (pb.allowed_access &&
                    syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0) {
                        *failed_rule = (int)i;
                        return -errno;
                }
        }
        return syscall(SYS_landlock_restrict_self, ruleset, 0) < 0 ? -errno : 0;
}
