/* SPDX-License-Identifier: MIT
 * Small files that may be hostile (see readfile.h). */
#include "common/readfile.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/macro.h"

#ifdef _WIN32
#include <io.h>
#include <stdint.h>
#include <windows.h>

#include "common/path.h"
#endif

#ifndef O_NONBLOCK
#define O_NONBLOCK 0
#endif
#ifndef O_NOCTTY
#define O_NOCTTY 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

const char *readfile_type_name(mode_t type) {
        if (S_ISDIR(type))
                return "a directory";
#ifdef S_ISFIFO
        if (S_ISFIFO(type))
                return "a FIFO";
#endif
#ifdef S_ISSOCK
        if (S_ISSOCK(type))
                return "a socket";
#endif
#ifdef S_ISLNK
        if (S_ISLNK(type))
                return "a symbolic link";
#endif
        if (S_ISCHR(type))
                return "a character device";
#ifdef S_ISBLK
        if (S_ISBLK(type))
                return "a block device";
#endif
        return "not a regular file";
}

/* The type check before opening: opening a FIFO for reading would block
 * until a writer comes (O_NONBLOCK prevents that, but a device's open can
 * have effects of its own), so nothing but a regular file is ever opened. */
static int check_type(const struct stat *st, mode_t *type) {
        if (type)
                *type = st->st_mode & S_IFMT;
#ifdef S_ISLNK
        if (S_ISLNK(st->st_mode))
                return -ELOOP;
#endif
        if (S_ISDIR(st->st_mode))
                return -EISDIR;
        if (!S_ISREG(st->st_mode))
                return -EFTYPE_NOTREG;
        return 0;
}

#ifdef _WIN32
/* Windows: the path as the file system holds it (path_win_exact: a name
 * read from a listing that ends in a dot or a space stays itself, and UTF-8
 * is not read in the ANSI code page the CRT's narrow calls take). The
 * type, as stat follows a link: a directory or a file. */
static int stat_exact(const wchar_t *w, struct stat *st) {
        *st = (struct stat){0};
        DWORD a = GetFileAttributesW(w);
        if (a == INVALID_FILE_ATTRIBUTES) {
                DWORD e = GetLastError();
                errno = e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND || e == ERROR_INVALID_NAME ? ENOENT
                        : e == ERROR_ACCESS_DENIED                                                       ? EACCES
                                                                                                         : EIO;
                return -1;
        }
        st->st_mode = (a & FILE_ATTRIBUTE_DIRECTORY) ? S_IFDIR : S_IFREG;
        return 0;
}

/* Opened through CreateFileW, read through the CRT's fd. */
static int open_exact(const wchar_t *w) {
        HANDLE h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                               OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
        if (h == INVALID_HANDLE_VALUE) {
                errno = GetLastError() == ERROR_ACCESS_DENIED ? EACCES : ENOENT;
                return -1;
        }
        int fd = _open_osfhandle((intptr_t)h, _O_RDONLY | _O_BINARY);
        if (fd < 0)
                CloseHandle(h);
        return fd;
}
#endif

int readfile_small(const char *path, size_t max, unsigned flags, char **buf, size_t *len, mode_t *type) {
        *buf = NULL;
        *len = 0;
        if (type)
                *type = 0;
        struct stat st;
#ifdef _WIN32
        _cleanup_free_ wchar_t *w = path_win_exact(path);
        if (!w)
                return -errno;
        if (stat_exact(w, &st) < 0)
                return -errno;
#else
        if ((flags & READFILE_FOLLOW ? stat(path, &st) : lstat(path, &st)) < 0)
                return -errno;
#endif
        int r = check_type(&st, type);
        if (r < 0)
                return r;
#ifdef _WIN32
        _cleanup_close_ int fd = open_exact(w);
#else
        int oflags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
        if (!(flags & READFILE_FOLLOW))
                oflags |= O_NOFOLLOW;
        _cleanup_close_ int fd = open(path, oflags);
#endif
        if (fd < 0)
                return -errno;
        /* What was opened is what was checked: a swap in between (for a
         * FIFO, a symlink, another file) is refused like the thing itself. */
        struct stat ost;
        if (fstat(fd, &ost) < 0)
                return -errno;
#ifdef _WIN32
        /* The CRT has no inode numbers, and its fstat reports another
         * st_dev than stat: only the type can be compared. */
        bool other = false;
#else
        bool other = ost.st_dev != st.st_dev || ost.st_ino != st.st_ino;
#endif
        if ((r = check_type(&ost, type)) < 0 || other)
                return r < 0 ? r : -EAGAIN;
        /* st_size is a hint only (procfs says 0): read to the end, at most
         * max + 1 bytes, to tell "exactly max" from "more". */
        size_t cap = (size_t)ost.st_size < max ? (size_t)ost.st_size + 1 : max + 1;
        if (cap < 256)
                cap = max + 1 < 256 ? max + 1 : 256;
        char *b = malloc(cap + 1);
        size_t n = 0;
        while (b && r == 0) {
                if (n == cap) {
                        if (cap > max)
                                break;
                        size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
                        char *nb = realloc(b, ncap + 1);
                        if (!nb) {
                                free(b);
                                b = NULL;
                                break;
                        }
                        b = nb, cap = ncap;
                }
                ssize_t k = read(fd, &b[n], cap - n);
                if (k < 0 && errno != EINTR)
                        r = -errno;
                else if (k == 0)
                        break;
                else if (k > 0)
                        n += (size_t)k;
        }
        if (!b)
                return -ENOMEM;
        if (r < 0 || n > max) {
                free(b);
                return r < 0 ? r : -EFBIG;
        }
        b[n] = 0;
        *buf = b;
        *len = n;
        return 0;
}
