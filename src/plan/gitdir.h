/* SPDX-License-Identifier: MIT
 * What is at the top of a gitdir, entry by entry, for --git commits (the
 * reasons are in docs/design.md, "Git in commits mode"): what git writes
 * for commits, branches, tags, stashes, merges and gc stays writable; every
 * place git reads configuration from or runs something from is protected,
 * existing or missing; the state from which a later git command outside
 * could run something (a rebase's todo) is checked after the run. An entry
 * the table does not know is protected when it exists: git may read it.
 * Portable: the Windows backend denies writes on the same set. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef enum gitdir_rule {
        GITDIR_PROTECTED, /* read-only, existing or (see hold) missing */
        GITDIR_WRITABLE,  /* git's own state: objects, refs, the index, ... */
        GITDIR_CHECKED,   /* writable, and checked after the run (gitcheck) */
} gitdir_rule;

typedef enum gitdir_hold {
        HOLD_NONE,     /* missing: nothing to hold (git does not look for it where it is missing) */
        HOLD_DIR,      /* missing: an empty directory holds the place */
        HOLD_FILE,     /* missing: an empty file holds the place (git reads it as empty) */
        HOLD_COMMONDIR, /* missing: a file naming "." holds the place (git: the common dir is the gitdir) */
} gitdir_hold;

/* The most of a rebase's todo list or apply-opt that is read (git has no
 * limit; a todo of millions of lines is no rebase). */
#define GITDIR_STATE_FILE_MAX (8u << 20)

/* The contents of a placeholder file of each kind (HOLD_FILE, HOLD_COMMONDIR). */
#define GITDIR_HOLD_FILE_TEXT ""
#define GITDIR_HOLD_COMMONDIR_TEXT ".\n"

typedef struct gitdir_entry {
        const char *name; /* "x": that name; "x*": names starting with x; "*x": names ending with x */
        gitdir_rule rule;
        gitdir_hold hold;
        const char *why;
} gitdir_entry;

extern const gitdir_entry gitdir_entries[];
extern const size_t gitdir_n_entries;

/* The check after a --git commits run (Linux supervise/gitcheck.c, Windows
 * windows/gitcheck_win.c): the same rules, each backend telling "made or
 * changed by the run" its own way (Linux: change and birth times; Windows:
 * contents and file identity, since a process there may set every time
 * stamp of a file it can write).
 *
 * The states at the top of a gitdir that a later git command acts on (a
 * rebase's todo and strategy, am's apply-opt, a sequencer's opts, rerere's
 * recorded paths): whatever of them the run made or changed is set aside,
 * whatever it says. */
#define GITDIR_N_STATES 5
extern const char *const gitdir_states[GITDIR_N_STATES];
#define GITDIR_STATE_WHY                                                                                              \
        "the command made or changed this state (HEAD stays where the command left it; ORIG_HEAD: where a rebase "  \
        "started)"
/* Directories whose entries are repositories git adopts (git submodule
 * update, git worktree prune): a new entry is set aside. */
#define GITDIR_N_ADOPTED 2
extern const char *const gitdir_adopted[GITDIR_N_ADOPTED];
#define GITDIR_ADOPTED_WHY                                                                                            \
        "a repository the command made where git adopts it (git submodule update, git worktree)"
/* A submodule the index names whose .git the run made: set aside. */
#define GITDIR_SUBMODULE_WHY                                                                                          \
        "a submodule's repository the command made: git status runs git in it, with its config"
/* What is set aside gets this in its new name; git never reads such a name. */
#define GITDIR_REFUSED_MARK ".corral-refused-"

/* Said on both platforms when a run finds the marker of a commits run of
 * its workspace that died before its check (corral killed), and when this
 * run's marker cannot be written (%s, %s: where, why). */
#define GITDIR_DEAD_RUN_MSG                                                                                           \
        "corral: a --git commits run of this workspace ended before its check (killed?): checking its repositories "  \
        "now\n"
#define GITDIR_NO_MARKER_FMT                                                                                          \
        "corral: warning: cannot record this --git commits run in %s (%s): if corral is killed, the next run cannot " \
        "do its check\n"

/* The entry a name at the top of a gitdir falls under; NULL when the table
 * does not know it (then: protected if it exists, never held). */
const gitdir_entry *gitdir_classify(const char *name);
