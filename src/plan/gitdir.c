/* SPDX-License-Identifier: MIT
 * The table of gitdir.h. Sources: git's Documentation/gitrepository-layout,
 * githooks and git-config, and what its code reads and writes (setup.c,
 * path.c's list of common paths, sequencer.c, builtin/am.c, refs/). */
#include "plan/gitdir.h"

#include <string.h>

#define W(n, why) {n, GITDIR_WRITABLE, HOLD_NONE, why}

const gitdir_entry gitdir_entries[] = {
        /* Read for configuration, or run: protected, and held when missing. */
        {"config", GITDIR_PROTECTED, HOLD_FILE,
         "the repository's configuration: every key that runs a command (core.fsmonitor, core.sshCommand, "
         "diff.external, filter.*, alias.*), core.hooksPath, include.path"},
        {"config.worktree", GITDIR_PROTECTED, HOLD_FILE,
         "per-worktree configuration, read once extensions.worktreeConfig is set (git sparse-checkout sets it)"},
        {"commondir", GITDIR_PROTECTED, HOLD_COMMONDIR,
         "names the directory git takes config and hooks from; held missing by a file naming \".\" (the gitdir "
         "itself), which git reads as no other common dir"},
        {"hooks", GITDIR_PROTECTED, HOLD_DIR, "the scripts git runs (pre-commit, post-checkout, ...)"},
        {"info", GITDIR_PROTECTED, HOLD_DIR,
         "attributes (which filter, diff and merge drivers run on which files), exclude, sparse-checkout, grafts"},
        {"remotes", GITDIR_PROTECTED, HOLD_DIR, "legacy remote definitions: the URLs git fetch and git push use"},
        {"branches", GITDIR_PROTECTED, HOLD_DIR, "legacy remote definitions: the URLs git fetch uses"},
        {"gitdir", GITDIR_PROTECTED, HOLD_NONE,
         "a linked worktree's location (in worktrees/ID; git worktree prune removes a worktree it points away from)"},
        /* State a later git command outside acts on: checked after the run. */
        {"rebase-merge", GITDIR_CHECKED, HOLD_NONE,
         "a rebase in progress: git rebase --continue runs its todo's exec lines and the merge strategy it names"},
        {"rebase-apply", GITDIR_CHECKED, HOLD_NONE,
         "git am and git rebase --apply: apply-opt is passed to git apply (--build-fake-ancestor writes any file)"},
        {"sequencer", GITDIR_CHECKED, HOLD_NONE,
         "cherry-pick and revert of several commits: git cherry-pick --continue uses the strategy its opts name"},
        {"rr-cache", GITDIR_PROTECTED, HOLD_NONE,
         "rerere's resolutions: git replays them into conflicted files, writing through links; its existence turns "
         "rerere on (so it is not held: made by the command, it is set aside after the run)"},
        {"MERGE_RR", GITDIR_PROTECTED, HOLD_NONE,
         "rerere's record of a merge: the paths git commit copies into and out of rr-cache"},
        /* Git's own state for commits, branches, tags, stashes, merges, gc. */
        W("objects", "the object store"),
        W("refs", "branches, tags, the stash"),
        W("logs", "reflogs"),
        W("packed-refs", "packed branches and tags"),
        W("reftable", "branches, tags and reflogs in the reftable format (extensions.refStorage)"),
        W("HEAD", "the current branch"),
        W("index", "the staging area"),
        W("ORIG_HEAD", "where reset, merge and rebase started"),
        W("FETCH_HEAD", "what git fetch fetched"),
        W("MERGE_HEAD", "a merge in progress"),
        W("MERGE_MSG", "a merge in progress"),
        W("MERGE_MODE", "a merge in progress"),
        W("MERGE_AUTOSTASH", "a merge in progress"),
        W("AUTO_MERGE", "a merge in progress"),
        W("CHERRY_PICK_HEAD", "a cherry-pick in progress"),
        W("REVERT_HEAD", "a revert in progress"),
        W("REBASE_HEAD", "a rebase in progress"),
        W("BISECT_*", "a bisection in progress (git bisect replays only its own commands)"),
        W("COMMIT_EDITMSG", "the last commit message"),
        W("SQUASH_MSG", "a squash in progress"),
        W("TAG_EDITMSG", "the last tag message"),
        W("NOTES_*", "a notes merge in progress"),
        W("EDIT_DESCRIPTION", "a branch description being edited"),
        W("shallow", "the boundary of a shallow clone"),
        W("description", "gitweb's description"),
        W("gc.pid", "git gc's lock"),
        W("gc.log", "git gc's last output"),
        W("lfs", "git-lfs's objects"),
        W("modules", "submodules' repositories: each is sorted as a gitdir of its own"),
        W("worktrees", "linked worktrees' gitdirs: each is sorted as a gitdir of its own"),
        W("index.stash.*", "git stash's temporary index"),
        W("sharedindex.*", "a split index's shared part"),
        W("*.lock", "a lock file git makes, then renames over what it updates"),
};

const size_t gitdir_n_entries = sizeof(gitdir_entries) / sizeof(gitdir_entries[0]);

const char *const gitdir_states[GITDIR_N_STATES] = {"rebase-merge", "rebase-apply", "sequencer", "rr-cache",
                                                     "MERGE_RR"};
const char *const gitdir_adopted[GITDIR_N_ADOPTED] = {"modules", "worktrees"};

static bool matches(const char *pattern, const char *name) {
        size_t p = strlen(pattern), n = strlen(name);
        if (p && pattern[p - 1] == '*')
                return strncmp(pattern, name, p - 1) == 0;
        if (pattern[0] == '*')
                return n >= p - 1 && strcmp(name + n - (p - 1), pattern + 1) == 0;
        return strcmp(pattern, name) == 0;
}

const gitdir_entry *gitdir_classify(const char *name) {
        for (size_t i = 0; i < gitdir_n_entries; i++)
                if (matches(gitdir_entries[i].name, name))
                        return &gitdir_entries[i];
        return NULL;
}
