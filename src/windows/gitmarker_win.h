/* SPDX-License-Identifier: MIT
 * The check of a --git commits run whose corral.exe was killed
 * (docs/windows.md, "Git in commits mode"): the command's job dies with
 * corral, and what it left in the gitdirs would stay unchecked. Each commits
 * run keeps a marker in the workspace's state directory
 * (<state>\gitcheck\<random>) holding what its check compares with (each
 * gitdir's states by contents, its modules/ and worktrees/ entries and links
 * by identity, the .git directories that were there, when it planned), open
 * without sharing writes for as long as the run lives. The next run of that
 * workspace, in any mode, finds a marker it can open (its run is gone), does
 * that run's check (gitcheck_win.h) and removes it, before its own plan's
 * records are taken again. As on Linux (supervise/gitcheck.h). Windows
 * only. */
#pragma once

#include <stdbool.h>
#include <windows.h>

#include "windows/plan_win.h"

/* The checks of the runs of pl's workspace that died before theirs. True
 * when there was one (the caller takes its own records again). */
bool win_gitmarker_check_dead(const win_plan *pl);

/* A commits run's marker (none without gitdirs to check): held open until
 * win_gitmarker_end. Never fails the run: one that cannot be written is
 * said. */
typedef struct win_gitmarker {
        HANDLE h; /* open for writing, shared for reading only; INVALID_HANDLE_VALUE: none */
} win_gitmarker;

void win_gitmarker_begin(const win_plan *pl, win_gitmarker *m);
void win_gitmarker_end(win_gitmarker *m);

/* The marker's text for pl, and back (into an empty plan: only the fields
 * the check reads). 0, -ENOMEM, or -EINVAL for a text that is not one. */
int win_gitmarker_format(const win_plan *pl, char **text);
int win_gitmarker_parse(const char *text, win_plan *pl);
