/* SPDX-License-Identifier: MIT
 * Executes the host side of a Windows plan (plan_win.h), before the command
 * starts and after it ends:
 *  - each writable root: one DACL read to see whether its capability ACE is
 *    there (O(1) per root, whatever the tree's size); on first use the ACE is
 *    added once, inherited through the tree, and recorded in
 *    %LOCALAPPDATA%\corral\grants.txt (what `corral revoke` and
 *    `corral-setup --uninstall` undo);
 *  - each existing protected entry: one DACL read, the deny ACE added when
 *    missing (a `.git` re-created by a clone gets it again);
 *  - each missing protected name: an empty placeholder directory with the
 *    deny ACE, journalled, removed after the run when no other run of the
 *    workspace is active (a shared lock on <state>/active), or by the next run
 *    after a crash; never removed when something was put in it;
 *  - the TEMP directory, created and granted (tmp=private: removed after);
 *  - --git commits: each gitdir's entries that stay read-only get the deny
 *    ACE, the missing ones it holds a placeholder (a directory or a file);
 *    the gitdirs inside a .git are pinned; each .git's inheritable deny ACE
 *    is replaced by a pin for the run and put back after it. Every run that
 *    protects a .git or sorts it holds the gitdir's lock (shared, or
 *    exclusive with --git commits): a read-only run never meets a .git that
 *    a commits run has opened.
 * Windows only. */
#pragma once

#include <stdbool.h>
#include <windows.h>

#include "common/error.h"
#include "common/strv.h"
#include "windows/plan_win.h"

/* --git commits: a .git whose inheritable deny ACE was set aside for the
 * run, to put back after it (for these SIDs). */
typedef struct win_git_swap {
        char *path;
        PSID *sids;
        size_t n;
} win_git_swap;

typedef struct win_applied {
        PSID *caps;           /* the restricting capability SIDs for the token */
        size_t ncaps;
        HANDLE lock;          /* <state>/active, held shared during the run */
        char *state_dir;
        strv placeholders;    /* created by this run */
        char *fresh_tmp;      /* tmp=private: removed after */
        HANDLE *git_locks;    /* each gitdir's lock (plan_win.h, win_gitdir_lock_file) */
        size_t n_git_locks;
        win_git_swap *git_swaps;
        size_t n_git_swaps;
} win_applied;

int win_apply_host(const win_plan *pl, bool verbose, win_applied *st, corral_error *err);

/* Before a run, when no other run of pl's workspace is active: removes the
 * placeholders a run that died left (its journal). True when there were
 * any: the plan, which took them for existing names, is to be made again. */
bool win_apply_sweep_crashed(const win_plan *pl);
void win_apply_cleanup(win_applied *st);

/* The SIDs a plan grants to (capability, plus the sandbox group with the
 * users backend), malloc'd. */
int win_grant_sids(const win_plan *pl, const char *cap, PSID sids[2], size_t *n, corral_error *err);

/* Removes directory path and everything below it without following links
 * (a junction or symlink is removed as a link). */
int win_remove_tree(const wchar_t *path);
