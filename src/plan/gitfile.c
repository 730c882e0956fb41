/* SPDX-License-Identifier: MIT
 * git's pointer files (see gitfile.h). */
#include "plan/gitfile.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "common/path.h"
#include "common/readfile.h"

/* A pointer file as git reads it (setup.c: read_gitfile_gently,
 * get_common_dir_noenv): a regular file of at most 1 MiB, never a FIFO or a
 * device (common/readfile.h), the whole of it but trailing CR and LF, up
 * to a NUL; spaces and inner newlines are part of it. plan/gitlayout.c
 * reads the same files with the same rules. */
static char *read_pointer(const char *path) {
        char *buf = NULL;
        size_t len = 0;
        if (readfile_small(path, 1u << 20, READFILE_FOLLOW, &buf, &len, NULL) < 0)
                return NULL;
        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
                len--;
        buf[len] = 0;
        if (!buf[0]) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* dir/rel, canonical (rel may be absolute). On Windows, dir is absolute
 * (a path the plan found) and the result normalized as it is spelt: the
 * C runtime's canonical form would drop a trailing dot or space of a name
 * (lib.\\.git read as lib\\.git), and the caller compares file identities. */
static char *resolve_from(const char *dir, const char *rel) {
        _cleanup_free_ char *joined = path_join(dir, rel);
#ifdef _WIN32
        return joined && path_is_absolute(joined) ? path_normalize(joined) : NULL;
#else
        return joined ? path_canonicalize(joined) : NULL;
#endif
}

char *gitfile_gitdir(const char *git_file) {
        _cleanup_free_ char *text = read_pointer(git_file);
        /* exactly "gitdir: " (one space), then at least one byte */
        if (!text || strncmp(text, "gitdir: ", 8) != 0 || !text[8])
                return NULL;
        _cleanup_free_ char *dir = strdup(git_file);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (!slash)
                return NULL;
        *slash = 0;
        return resolve_from(dir, text + 8);
}

char *gitfile_commondir(const char *gitdir) {
        _cleanup_free_ char *file = path_join(gitdir, "commondir");
        _cleanup_free_ char *text = file ? read_pointer(file) : NULL;
        return text ? resolve_from(gitdir, text) : NULL;
}
