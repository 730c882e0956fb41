/* SPDX-License-Identifier: MIT */
#include "runner/member.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/syscalls.h"

/* git refuses a repository the current user does not own ("dubious
 * ownership"), and git's own children do too: `git clone ~/other` runs
 * git-upload-pack with the command-line configuration (GIT_CONFIG_COUNT,
 * git_trust) cleared, as git clears it for every local transport. So the
 * trust is also in this member's global git config, <member dir>/.gitconfig,
 * which git reads as ~/.gitconfig: written here (as the sandbox user) when
 * it is not exactly this, read-only for the command (the home is not a
 * writable root). Nothing else in it: the developer's global config is read
 * where GIT_CONFIG_GLOBAL names it, which replaces this one (then a local
 * clone of another uid's repository fails inside; docs/elevated.md). */
static int member_gitconfig(int dir) {
        static const char want[] = "# written by corral-runner at every run (docs/elevated.md)\n"
                                   "[safe]\n\tdirectory = *\n";
        char have[sizeof(want)];
        int fd = openat(dir, ".gitconfig", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd >= 0) {
                struct stat st;
                ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, have, sizeof(have)) : -1;
                close(fd);
                if (n == (ssize_t)sizeof(want) - 1 && memcmp(have, want, sizeof(want) - 1) == 0)
                        return 0;
        }
        (void)unlinkat(dir, ".gitconfig.new", 0);
        fd = openat(dir, ".gitconfig.new", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -1;
        bool ok = write(fd, want, sizeof(want) - 1) == (ssize_t)sizeof(want) - 1;
        if (close(fd) < 0 || !ok || renameat(dir, ".gitconfig.new", dir, ".gitconfig") < 0) {
                int e = ok ? errno : EIO;
                (void)unlinkat(dir, ".gitconfig.new", 0);
                errno = e;
                return -1;
        }
        return 0;
}

/* The directory of this member (the caller) in the sandbox user's home,
 * <home>/members/<uid>, created if missing; opened without following any
 * symlink. Called with the sandbox user's effective ids (the home is 0700 and
 * the sandbox user's), with its .gitconfig (member_gitconfig). Returns its fd
 * and, in *home, the home's. */
int open_member_dir(const marker_user *to, uid_t uid, int *home) {
        char name[32];
        snprintf(name, sizeof(name), "%u", (unsigned)uid);
        struct open_how top = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        struct open_how below = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                                 .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        int h = sys_openat2(AT_FDCWD, to->home, &top), m = -1, d = -1;
        if (h >= 0 && (mkdirat(h, "members", 0700) == 0 || errno == EEXIST) &&
            (m = sys_openat2(h, "members", &below)) >= 0 && (mkdirat(m, name, 0700) == 0 || errno == EEXIST))
                d = sys_openat2(m, name, &below);
        int e = errno;
        if (d >= 0 && member_gitconfig(d) < 0) {
                e = errno;
                close(d);
                d = -1;
        }
        if (m >= 0)
                close(m);
        if (d < 0) {
                if (h >= 0)
                        close(h);
                return -e;
        }
        *home = h;
        return d;
}

