/* SPDX-License-Identifier: MIT
 * Where git reads configuration from and runs hooks from, read the way git
 * reads it (docs/design.md, "Git's layout"): for a repository whose .git
 * corral protects, the gitdir a .git file names ("gitdir: " exactly, the
 * rest of the file verbatim but for trailing CR/LF, relative to the file's
 * directory), the common dir a gitdir's commondir file names (the whole file
 * but for trailing CR/LF, relative to the gitdir), the config and
 * config.worktree files, every file they include (include.path,
 * includeIf.*.path: all conditions, recursively, relative to the including
 * file, ~ expanded), core.hooksPath (relative to the worktree's top, ~
 * expanded; husky's ".husky/_" stands for all of ".husky"), init.templateDir,
 * a command named by path in a key git runs (core.fsmonitor,
 * hook.*.command, ...), the linked worktrees and submodules kept in the
 * common dir; and for the developer's git outside any repository, the
 * system and global config files with what they include and name.
 *
 * Each place found is a surface: the path to protect so that nothing can
 * be written, created, replaced or renamed there. For a path that does not
 * exist, the surface is its first missing component (holding it keeps the
 * rest from being created); for one that runs into a file where a directory
 * should be, that file. Every symbolic link met on the way is a surface as
 * well (protected as a link: repointing it would move the path).
 *
 * Reading changes nothing. Every file is read with readfile_small: a FIFO,
 * a device or a socket where git would read a file fails (git would block
 * on it, or read whatever a writer sends), as does a file larger than git's
 * own limit or than 4 MiB for a config. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/strv.h"
#include "policy/policy.h"

typedef struct git_surface {
        char *path;      /* absolute: canonical up to the surface itself */
        bool exists;     /* false: the first missing component of a path git would use */
        bool link;       /* a symbolic link on the way: protect the link itself */
        bool file;       /* missing, and git reads a file there (a config): its placeholder is an empty file */
        bool repo;       /* a whole gitdir or common dir (with --git commits, what is in it is sorted) */
        char *why;       /* what git does with it, and who names it */
} git_surface;

enum { MARK_FILE = 1u << 0, MARK_REPO = 1u << 1 };

typedef struct gitlayout {
        git_surface *v;
        size_t n, cap;
        char *home;         /* for ~ in paths git reads */
        strv global_hooks;  /* core.hooksPath values of the global configs, relative ones */
        strv read;          /* gitdirs already read (each once; config files are read once per repository) */
        strv repos;         /* every gitdir and common dir read, existing directories, canonical */
        unsigned mark;      /* MARK_* for the place resolve adds next (not for the links on the way) */
        unsigned n_files;   /* how many files were read (explain, bench) */
        const strv *roots;  /* the writable roots (borrowed): a file corral cannot read outside them is skipped */
} gitlayout;

/* Reads the developer's global git configuration (GIT_CONFIG_SYSTEM,
 * /etc/gitconfig unless GIT_CONFIG_NOSYSTEM; GIT_CONFIG_GLOBAL, else
 * $XDG_CONFIG_HOME/git/config and ~/.gitconfig) from env ("NAME=value"
 * strings; HOME and the others as the caller's git would see them). A
 * global file that cannot be read for permissions is skipped, as git skips
 * it. */
int gitlayout_init(gitlayout *g, const char *const *env, corral_error *err);

/* The repository whose .git (a directory, a gitdir file, or a symlink to
 * either) is at dotgit, an absolute path. Nothing when dotgit is missing or
 * is not something git would take for a repository. */
int gitlayout_repo(gitlayout *g, const char *dotgit, corral_error *err);

/* Whether git takes dir itself for a git directory (a bare repository, or
 * a gitdir named directly), as its discovery does: a HEAD that is a file
 * or a link (not a placeholder directory), and objects/ and refs/, or a
 * commondir file. */
bool gitlayout_is_git_directory(const char *dir);

/* path is a directory (not a symlink) with nothing in it; *st (when not
 * NULL) is what fstat found of it. */
bool gitlayout_empty_dir(const char *path, struct stat *st);

/* The repository dir is, when it is a git directory: the directory itself
 * is the surface (a repository), and its config, hooks and the rest as for
 * a .git. Nothing when it is not. */
int gitlayout_bare(gitlayout *g, const char *dir, corral_error *err);

/* The repository that git, started in dir (absolute, canonical), finds
 * above it: the first ancestor of dir holding a .git, or being a git
 * directory itself. */
int gitlayout_enclosing(gitlayout *g, const char *dir, corral_error *err);

/* Everything above for what corral protects under policy p: the developer's
 * global config, and for each of the first n_roots writable roots (the
 * developer's: the users backend appends the sandbox user's caches) its
 * .git, the repository enclosing it, and each nested protected name
 * called .git (nested, from plan/nested.c; NULL for none); the first and
 * the last only while .git is a protected name. The surfaces
 * come sorted by length, so a directory precedes what lies beneath it. */
int gitlayout_policy(gitlayout *g, const policy *p, size_t n_roots, const strv *nested, const char *const *env,
                     corral_error *err);

void gitlayout_free(gitlayout *g);
