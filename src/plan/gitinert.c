/* SPDX-License-Identifier: MIT
 * What a repository the command made may hold to be kept (gitinert.h). */
#include "plan/gitinert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "common/path.h"
#include "common/readfile.h"
#include "plan/gitconfig.h"
#include "plan/gitindex.h"

/* Keys that make git run nothing and name no file git reads: what git init
 * and git clone write, and what an agent sets in a repository of its own
 * (user.name). Anything else (core.fsmonitor, core.hooksPath, include.path,
 * alias.*, filter.*, submodule.*, core.worktree, ...) makes the repository
 * one to set aside. "*" matches one subsection. */
static const char *const harmless[] = {
        "core.repositoryformatversion", "core.filemode", "core.bare", "core.logallrefupdates",
        "core.ignorecase", "core.precomposeunicode", "core.symlinks", "core.autocrlf", "core.eol", "core.safecrlf",
        "core.quotepath", "core.sparsecheckout", "core.sparsecheckoutcone", "core.checkstat", "core.trustctime",
        "extensions.objectformat", "extensions.refstorage", "extensions.partialclone", "user.name", "user.email",
        "remote.*.url", "remote.*.pushurl", "remote.*.fetch", "remote.*.push", "remote.*.tagopt", "remote.*.prune",
        "remote.*.mirror", "remote.*.promisor", "remote.*.partialclonefilter", "branch.*.remote", "branch.*.merge",
        "branch.*.rebase", "branch.*.pushremote", "branch.*.description", "init.defaultbranch", "pull.rebase",
        "pull.ff", "push.default", "push.autosetupremote", "fetch.prune", "gc.auto", "color.ui",
        "lfs.repositoryformatversion", "i18n.commitencoding",
};

/* key is "section.key" or "section.sub.key" (the subsection may hold dots);
 * pattern "section.*.key" matches the second form, "section.key" the first. */
static bool key_matches(const char *key, const char *pattern) {
        const char *star = strstr(pattern, ".*.");
        if (!star)
                return strcmp(key, pattern) == 0;
        size_t sec = (size_t)(star - pattern) + 1; /* "remote." */
        const char *tail = star + 2;               /* ".url" */
        size_t klen = strlen(key), tlen = strlen(tail);
        return klen > sec + tlen && strncmp(key, pattern, sec) == 0 && strcmp(key + klen - tlen, tail) == 0;
}

static int check_key(const char *key, const char *value, void *data) {
        (void)value;
        for (size_t i = 0; i < ELEMENTSOF(harmless); i++)
                if (key_matches(key, harmless[i]))
                        return 0;
        snprintf(data, 100, "%s", key); /* the parser's key lives only for this call */
        return -EPERM;
}

static gitinert_kind kind_of(const gitinert_fs *fs, const char *dir, const char *name) {
        _cleanup_free_ char *p = path_join(dir, name);
        return p ? fs->kind(p) : GITINERT_ERROR;
}

static bool config_harmless(const gitinert_fs *fs, const char *gitdir, const char **why) {
        _cleanup_free_ char *config = path_join(gitdir, "config");
        if (!config)
                return *why = "out of memory", false;
        gitinert_kind k = fs->kind(config);
        if (k == GITINERT_MISSING)
                return true;
        if (k == GITINERT_ERROR)
                return *why = "its config cannot be examined", false;
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (k != GITINERT_FILE || readfile_small(config, 1 << 20, 0, &text, &len, NULL) < 0)
                return *why = "its config is not a small regular file", false;
        static char text_why[160];
        char bad[100] = "";
        int r = gitconfig_parse(text, len, check_key, bad);
        if (r == -EPERM) {
                snprintf(text_why, sizeof(text_why), "its config sets %s, which may make git run something", bad);
                return *why = text_why, false;
        }
        if (r < 0)
                return *why = "its config does not parse", false;
        return true;
}

static bool hooks_samples_only(const gitinert_fs *fs, const char *gitdir, const char **why) {
        _cleanup_free_ char *hooks = path_join(gitdir, "hooks");
        if (!hooks)
                return *why = "out of memory", false;
        gitinert_kind k = fs->kind(hooks);
        if (k == GITINERT_MISSING)
                return true;
        if (k == GITINERT_ERROR)
                return *why = "its hooks cannot be examined", false;
        if (k != GITINERT_DIR)
                return *why = "its hooks is not a directory", false;
        strv names = {0};
        if (fs->list(hooks, &names) < 0) {
                strv_clear(&names);
                return *why = "its hooks cannot be listed", false;
        }
        bool ok = true;
        for (size_t i = 0; ok && i < names.n; i++) {
                size_t n = strlen(names.v[i]);
                ok = n > 7 && strcmp(names.v[i] + n - 7, ".sample") == 0 &&
                     kind_of(fs, hooks, names.v[i]) == GITINERT_FILE;
        }
        strv_clear(&names);
        if (!ok)
                *why = "its hooks/ holds a hook (not a *.sample)";
        return ok;
}

/* No link, FIFO, socket or device anywhere below dir: git opens many of its
 * files by path and follows a link there (git commit truncates and writes
 * COMMIT_EDITMSG and appends to logs/HEAD, git fetch writes FETCH_HEAD), so
 * a link to ~/.bashrc in a gitdir is a write outside for the developer's git.
 * budget bounds the walk: a gitdir too large to look through is set aside. */
static bool no_links(const gitinert_fs *fs, const char *dir, unsigned depth, size_t *budget, const char **why) {
        if (depth > GITINERT_GITDIR_DEPTH_MAX)
                return *why = "its git directory is too deep to examine", false;
        strv names = {0};
        if (fs->list(dir, &names) < 0) {
                strv_clear(&names);
                return *why = "its git directory cannot be listed", false;
        }
        bool ok = true;
        for (size_t i = 0; ok && i < names.n; i++) {
                if (*budget == 0) {
                        ok = false;
                        *why = "its git directory holds too many entries to examine";
                        break;
                }
                --*budget;
                _cleanup_free_ char *p = path_join(dir, names.v[i]);
                gitinert_kind k = p ? fs->kind(p) : GITINERT_ERROR;
                if (k == GITINERT_DIR)
                        ok = no_links(fs, p, depth + 1, budget, why);
                else if (k != GITINERT_FILE) {
                        ok = false;
                        *why = k == GITINERT_ERROR ? "an entry of its git directory cannot be examined"
                                                   : "its git directory holds a link, FIFO, socket or device, "
                                                     "through which the developer's git would write";
                }
        }
        strv_clear(&names);
        return ok;
}

/* An index naming a path git refuses to add ("../../.bashrc",
 * ".git/hooks/post-commit"): git trusts its index, and git checkout -- .
 * or git restore . write each entry where its path leads. */
static bool index_harmless(const char *gitdir, const char **why) {
        _cleanup_free_ char *index = path_join(gitdir, "index");
        if (!index)
                return *why = "out of memory", false;
        strv links = {0};
        char *bad = NULL;
        int r = gitindex_read(index, &links, &bad);
        strv_clear(&links);
        if (r < 0) {
                free(bad);
                return *why = "its index cannot be read", false;
        }
        if (bad) {
                static char index_why[300];
                snprintf(index_why, sizeof(index_why),
                         "its index names %.200s, a path git refuses, where git checkout -- . would write", bad);
                free(bad);
                return *why = index_why, false;
        }
        return true;
}

/* The developer's global core.hooksPath, when relative, is taken from the
 * top of each repository's worktree (the gitdir's parent; a bare
 * repository's own directory): what the command put there are hooks. */
static bool no_global_hooks(const gitinert_fs *fs, const char *gitdir, const char **why) {
        if (!fs->hooks_paths)
                return true;
        const char *base = strrchr(gitdir, '/');
        bool dotgit = base && base != gitdir && strcmp(base + 1, ".git") == 0;
        size_t n = dotgit ? (size_t)(base - gitdir) : strlen(gitdir);
        _cleanup_free_ char *top = malloc(n + 1);
        if (!top)
                return *why = "out of memory", false;
        memcpy(top, gitdir, n);
        top[n] = 0;
        for (size_t i = 0; i < fs->hooks_paths->n; i++) {
                _cleanup_free_ char *p = path_join(top, fs->hooks_paths->v[i]);
                if (!p || fs->kind(p) != GITINERT_MISSING) {
                        static char hooks_why[300];
                        snprintf(hooks_why, sizeof(hooks_why),
                                 "your global core.hooksPath (%.200s) leads into it, and something is there",
                                 fs->hooks_paths->v[i]);
                        return *why = hooks_why, false;
                }
        }
        return true;
}

bool gitinert_judge(const gitinert_fs *fs, const char *gitdir, const char **why) {
        if (fs->kind(gitdir) != GITINERT_DIR)
                return *why = "it is not a directory (a .git file or a link leads git elsewhere)", false;
        const char *const absent[] = {"commondir", "config.worktree", "modules", "worktrees"};
        for (size_t i = 0; i < ELEMENTSOF(absent); i++)
                if (kind_of(fs, gitdir, absent[i]) != GITINERT_MISSING)
                        return *why = "it holds a commondir, config.worktree, modules/ or worktrees/", false;
        /* the states git resumes from, which corral refuses when a run made
         * them in a repository it knows (docs/design.md, "Refused after the
         * run"): a rebase's todo runs its exec lines at git rebase
         * --continue, a cherry-pick's opts name a strategy, rerere copies
         * and writes the paths its records name */
        const char *const resumed[] = {"rebase-merge", "rebase-apply", "sequencer", "rr-cache", "MERGE_RR"};
        for (size_t i = 0; i < ELEMENTSOF(resumed); i++)
                if (kind_of(fs, gitdir, resumed[i]) != GITINERT_MISSING)
                        return *why = "it holds a rebase, am, cherry-pick or rerere state (rebase-merge/, "
                                      "rebase-apply/, sequencer/, rr-cache/ or MERGE_RR), which git resumes and "
                                      "runs",
                               false;
        size_t budget = GITINERT_GITDIR_ENTRIES_MAX;
        return no_links(fs, gitdir, 0, &budget, why) && config_harmless(fs, gitdir, why) &&
               hooks_samples_only(fs, gitdir, why) && index_harmless(gitdir, why) && no_global_hooks(fs, gitdir, why);
}
