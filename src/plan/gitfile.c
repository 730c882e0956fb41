/* SPDX-License-Identifier: MIT
 * git's pointer files (see gitfile.h). */
#include "plan/gitfile.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "common/path.h"

/* The first line of a small file, or false. */
static bool read_first_line(const char *path, char *buf, size_t len) {
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        size_t n = fread(buf, 1, len - 1, f);
        fclose(f);
        buf[n] = 0;
        buf[strcspn(buf, "\r\n")] = 0;
        return buf[0] != 0;
}

/* dir/rel, canonical (rel may be absolute). */
static char *resolve_from(const char *dir, const char *rel) {
        _cleanup_free_ char *joined = path_join(dir, rel);
        return joined ? path_canonicalize(joined) : NULL;
}

char *gitfile_gitdir(const char *git_file) {
        char buf[4096];
        if (!read_first_line(git_file, buf, sizeof(buf)) || strncmp(buf, "gitdir:", 7) != 0)
                return NULL;
        _cleanup_free_ char *dir = strdup(git_file);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (!slash)
                return NULL;
        *slash = 0;
        return resolve_from(dir, buf + 7 + strspn(buf + 7, " \t"));
}

char *gitfile_commondir(const char *gitdir) {
        char buf[4096];
        _cleanup_free_ char *file = path_join(gitdir, "commondir");
        return file && read_first_line(file, buf, sizeof(buf)) ? resolve_from(gitdir, buf) : NULL;
}
