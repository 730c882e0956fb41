/* SPDX-License-Identifier: MIT
 * What in a rebase's state a later git command outside the sandbox would
 * run (docs/design.md, "Git in commits mode"): the portable half of the
 * check after a --git commits run, shared by supervise/gitcheck.c (Linux)
 * and supervise/gitcheck_win.c (Windows), which differ only in how they
 * find, compare and set aside the files. Pure: no file system. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The first line of a todo list (rebase-merge/git-rebase-todo) that git
 * would run, or NULL: any command that git's rebase does not merely replay
 * (exec, x, or anything it does not know). A line is a comment when it
 * starts with '#' (git's default comment character; a line starting with
 * another one counts as a command). *line_len: the line's length. */
const char *gittodo_unsafe_line(const char *text, size_t len, size_t *line_len);

/* Does rebase-apply/apply-opt let git apply write outside the worktree
 * (--unsafe-paths)? */
bool gittodo_apply_opt_unsafe(const char *text, size_t len);
