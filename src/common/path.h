/* SPDX-License-Identifier: MIT
 * Path strings: expansion of ~ and $HOME, joining, lexical normalisation and
 * canonicalisation (symlinks resolved; for a path that does not exist, its
 * longest existing prefix is resolved and the rest appended). Portable. */
#pragma once

#include <stdbool.h>

#include "strv.h"

/* "~", "~/x", "$HOME", "$HOME/x", "${HOME}", "${HOME}/x" expand with home;
 * other paths (including "~user" and "$HOMEX") are copied unchanged.
 * Returns NULL on allocation failure or when home is needed but NULL
 * (errno ENOMEM or EINVAL). */
char *path_expand_home(const char *path, const char *home);

/* base + "/" + rel, or rel when it is absolute. */
char *path_join(const char *base, const char *rel);

/* Removes "." components, duplicate slashes and resolves ".." lexically. */
char *path_normalize(const char *path);

/* Canonical absolute path (see above). A relative path is taken relative to
 * the process's current directory. Symlinks are followed component by
 * component, also when their target does not exist (a dangling link named
 * in a deny list resolves to where its target would be). A component that
 * does not exist or cannot be examined (ENOENT, ENOTDIR, EACCES) ends the
 * resolution: the rest is appended lexically. Returns NULL and sets errno
 * on error (ELOOP, ENOMEM, ...). On Windows: _fullpath (lexical only). */
char *path_canonicalize(const char *path);

/* Between path_canon_memo_begin() and path_canon_memo_end(), a directory
 * that path_canonicalize found (by lstat: not a symlink) is taken to stay
 * one, and not looked at again: for one planning, where the same ancestors
 * (home, the workspace's) come back in every path. Nothing outside that
 * window uses it; what a plan names is still opened without following
 * symlinks when it is applied. No-op on Windows. */
void path_canon_memo_begin(void);
void path_canon_memo_end(void);
/* In that window, a name path_canonicalize found missing (ENOENT) is taken
 * to stay missing as well. What the memo knows of path itself: 1 a
 * directory (no symlink), 0 missing, -1
 * nothing (outside the window, or never looked at). path_canon_memo_note
 * tells it what an lstat of path found (a directory, or ENOENT), for other
 * walkers of the same paths (plan/gitlayout.c, plan/caches.c). */
int path_canon_memo_lookup(const char *path);
void path_canon_memo_note(const char *path, bool is_dir);
/* In that window, whether path (absolute, normalized) or a directory above
 * it was found missing: then it is missing too, and an lstat of it would
 * say so again. false when the memo does not know (outside the window). */
bool path_canon_memo_known_missing(const char *path);

bool path_is_absolute(const char *path);

/* true when child equals parent or lies beneath it (both canonical). */
bool path_is_below_or_equal(const char *child, const char *parent);

/* "/" (or "C:/" on Windows). */
bool path_is_root(const char *path);

/* Why root is too broad to open to a sandbox: it is "/", home, or an
 * ancestor of home (both canonical; home may be NULL). Returns the reason
 * ("is the root directory", "is your home directory", "is an ancestor of
 * your home directory") or NULL when it is not broad. The one copy of that
 * rule: the policy (writable roots) and corral-runner (what it maps) use it. */
const char *path_broad_root(const char *root, const char *home);

/* Whether dir is root or lies beneath it (both absolute and normalised): as
 * path_is_below_or_equal, but on Windows without regard to (ASCII) case. */
bool path_holds(const char *root, const char *dir);

/* The places where a program or config file planted by a sandboxed command
 * would run later, outside the sandbox, as named (normalised, not resolved;
 * no file system access): each absolute entry of path_env (a PATH: split at
 * ':', on Windows at ';' outside double quotes; empty and relative entries
 * are skipped), then config_home (XDG_CONFIG_HOME) when it is absolute,
 * and with home: home/.config, home/.local/bin and home/bin (~/.profile puts
 * the last two on PATH at login when they exist). On Windows config_home is
 * %APPDATA% (else home/AppData/Roaming) and nothing else of home is added.
 * Each place is appended to dirs, once, and what it is ("a directory on
 * your PATH", PATH_PLANT_ON_PATH for a PATH entry) to whats. 0 or -ENOMEM. */
#define PATH_PLANT_ON_PATH "a directory on your PATH"
int path_plant_places(const char *path_env, const char *home, const char *config_home, strv *dirs, strv *whats);

/* The caller's home directory, malloc'd: $HOME when it is set and absolute,
 * else the passwd entry of the real uid (on Windows: %USERPROFILE%). NULL
 * when there is none. Not canonicalised (policy_resolve does that). */
char *path_home_dir(void);

/* The process's current directory, malloc'd, or NULL with errno set. */
char *path_current_dir(void);

#ifdef _WIN32
#include <wchar.h>
/* Windows: a drive-absolute path ("C:/x/y") as "\\?\C:\x\y", UTF-16: the
 * name exactly as the file system holds it, without Win32's rewriting (a
 * trailing dot or space dropped, MAX_PATH); for names read from a directory
 * listing. A path with a "." or ".." component (never a listed name), or
 * not drive-absolute, is only converted (Win32 resolves it). malloc'd; NULL
 * (errno EINVAL or ENOMEM) for invalid UTF-8 or on allocation failure. */
wchar_t *path_win_exact(const char *path);
#endif
