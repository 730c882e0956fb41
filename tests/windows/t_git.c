/* SPDX-License-Identifier: MIT
 * --git commits on Windows (docs/windows.md, "Git in commits mode"): the
 * pin ACE, the plan's
 * sorting of a gitdir with the portable table (plan/gitdir.h), and the check
 * after the run on real files. ACLs on disk are Wine's stubs: smoke.ps1
 * checks what the sandbox can and cannot write on real Windows. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "windows/acl_win.h"
#include "windows/sid_win.h"
#include "windows/plan_win.h"
#include "windows/gitcheck_win.h"
#include "windows/gitmarker_win.h"
#include "windows/wide_win.h"
#include "test.h"

/* The pin goes first, inherited by nothing; the protected name's
 * inheritable deny for the same SIDs goes; everything else stays. */
static void pin_acl(void) {
        PSID cap, group, other;
        corral_error err = {{0}};
        CHECK(sid_from_string("S-1-5-21-11-22-33-44", &cap, &err) == 0);
        CHECK(sid_from_string("S-1-5-21-1-2-3-1010", &group, &err) == 0);
        CHECK(sid_from_string("S-1-5-32-545", &other, &err) == 0);
        static char buf[1024];
        ACL *old = (ACL *)buf;
        InitializeAcl(old, sizeof(buf), ACL_REVISION_DS);
        AddAccessDeniedAceEx(old, ACL_REVISION_DS, ACL_INHERIT, ACL_PROTECT_DENY, cap);
        AddAccessDeniedAceEx(old, ACL_REVISION_DS, ACL_INHERIT, ACL_PROTECT_DENY, group);
        AddAccessDeniedAceEx(old, ACL_REVISION_DS, 0, FILE_WRITE_DATA, other);
        AddAccessAllowedAceEx(old, ACL_REVISION_DS, ACL_INHERIT | INHERITED_ACE, ACL_ROOT_ALLOW, cap);
        CHECK(acl_denies_below(old, cap) && acl_denies_below(old, group) && !acl_denies_below(old, other));
        PSID sids[2] = {cap, group};
        ACL *acl = NULL;
        CHECK(acl_with_pin(old, sids, 2, ACL_PIN_DENY, &acl, &err) == 0);
        CHECK(acl->AceCount == 4);
        ACCESS_DENIED_ACE *ace;
        for (WORD i = 0; i < 2; i++) {
                CHECK(GetAce(acl, i, (void **)&ace) && ace->Header.AceType == ACCESS_DENIED_ACE_TYPE);
                CHECK(ace->Header.AceFlags == 0 && ace->Mask == ACL_PIN_DENY && EqualSid((PSID)&ace->SidStart, sids[i]));
        }
        CHECK(GetAce(acl, 2, (void **)&ace) && EqualSid((PSID)&ace->SidStart, other));
        CHECK(GetAce(acl, 3, (void **)&ace) && (ace->Header.AceFlags & INHERITED_ACE));
        CHECK(!acl_denies_below(acl, cap) && !acl_denies_below(acl, group));
        CHECK(acl_has(acl, ACCESS_DENIED_ACE_TYPE, cap, ACL_PIN_DENY, 0));
        /* what the git lock files need stays out of the pin: adding files */
        CHECK(!(ACL_PIN_DENY & (FILE_ADD_FILE | FILE_ADD_SUBDIRECTORY)));
        /* and what a gitdir's protected entries keep denied covers the pin */
        CHECK((ACL_PROTECT_DENY & ACL_PIN_DENY) == ACL_PIN_DENY);
        LocalFree(acl);
        free(cap);
        free(group);
        free(other);
}

/* (as named: through \\?\ paths, a name may end in a dot or a space) */
static void put(const char *dir, const char *name, const char *text) {
        char path[1400];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        wchar_t *w = win_wide_exact(path);
        if (!text) {
                CreateDirectoryW(w, NULL);
                free(w);
                return;
        }
        FILE *f = w ? _wfopen(w, L"wb") : NULL;
        free(w);
        if (f) {
                fputs(text, f);
                fclose(f);
        }
}

/* A version 2 index (SHA-1) of the given paths, each of the given mode
 * (Documentation/gitformat-index; gitindex.c does not check the trailer). */
static void put_index(const char *gitdir, const char *const *paths, const unsigned *modes, size_t n) {
        unsigned char b[4096] = {'D', 'I', 'R', 'C', 0, 0, 0, 2, 0, 0, 0, (unsigned char)n};
        size_t at = 12;
        for (size_t i = 0; i < n; i++) {
                size_t len = strlen(paths[i]);
                b[at + 24] = (unsigned char)(modes[i] >> 24), b[at + 25] = (unsigned char)(modes[i] >> 16);
                b[at + 26] = (unsigned char)(modes[i] >> 8), b[at + 27] = (unsigned char)modes[i];
                b[at + 60] = (unsigned char)(len >> 8), b[at + 61] = (unsigned char)len;
                memcpy(b + at + 62, paths[i], len);
                at += (62 + len + 8) & ~(size_t)7; /* NUL-padded to a multiple of 8 */
        }
        at += 20;
        char path[1400];
        snprintf(path, sizeof(path), "%s/index", gitdir);
        wchar_t *w = win_wide_exact(path);
        FILE *f = w ? _wfopen(w, L"wb") : NULL;
        free(w);
        if (f) {
                fwrite(b, 1, at, f);
                fclose(f);
        }
}

static bool ends_in(const strv *v, const char *suffix) {
        size_t n = strlen(suffix);
        for (size_t i = 0; i < v->n; i++) {
                size_t m = strlen(v->v[i]);
                if (m >= n && _stricmp(v->v[i] + m - n, suffix) == 0)
                        return true;
        }
        return false;
}

static const win_git_dir *gitdir_ending(const win_plan *pl, const char *suffix) {
        size_t n = strlen(suffix);
        for (size_t i = 0; i < pl->n_git_dirs; i++) {
                size_t m = strlen(pl->git_dirs[i].path);
                if (m >= n && _stricmp(pl->git_dirs[i].path + m - n, suffix) == 0)
                        return &pl->git_dirs[i];
        }
        return NULL;
}

static const win_git_hold *hold_ending(const win_git_dir *g, const char *suffix) {
        size_t n = strlen(suffix);
        for (size_t i = 0; i < g->n_hold; i++) {
                size_t m = strlen(g->hold[i].path);
                if (m >= n && _stricmp(g->hold[i].path + m - n, suffix) == 0)
                        return &g->hold[i];
        }
        return NULL;
}

static const char *const envp[] = {"PATH=C:\\Windows\\System32", NULL};

/* A repository with a submodule's and a linked worktree's gitdirs inside
 * its .git, and a nested repository whose .git is a file. */
static const char *make_repo(void) {
        const char *ws = t_tmpdir();
        static char g[1200];
        snprintf(g, sizeof(g), "%s/.git", ws);
        put(ws, ".git", NULL);
        put(g, "config", "[core]\n");
        put(g, "HEAD", "ref: refs/heads/main\n");
        put_index(g, NULL, NULL, 0);
        put(g, "objects", NULL);
        put(g, "refs", NULL);
        put(g, "refs/heads", NULL);
        put(g, "logs", NULL);
        put(g, "hooks", NULL);
        put(g, "hooks/pre-commit.sample", "#!/bin/sh\n");
        put(g, "surprise", "git may read it\n");
        put(g, "index.lock", "");
        put(g, "modules", NULL);
        put(g, "modules/lib", NULL);
        put(g, "modules/lib/sub", NULL);
        put(g, "modules/lib/sub/HEAD", "ref: refs/heads/main\n");
        put(g, "modules/lib/sub/config", "[core]\n");
        put(g, "worktrees", NULL);
        put(g, "worktrees/wt", NULL);
        put(g, "worktrees/wt/HEAD", "ref: refs/heads/wt\n");
        put(g, "worktrees/wt/commondir", "../..\n");
        put(g, "worktrees/wt/gitdir", "C:/elsewhere/wt/.git\n");
        put(ws, "nested", NULL);
        put(ws, "nested/.git", "gitdir: ../.git/worktrees/wt\n");
        return ws;
}

static void base(policy *p, const char *ws) {
        *p = (policy){.mode = MODE_WORKSPACE_WRITE, .network = NETWORK_ON, .tmp = TMP_HOST, .protect_depth = 1};
        p->workspace = strdup(ws);
        p->cwd = strdup(ws);
        strv_push(&p->writable_roots, ws);
        strv_push(&p->protect, ".git");
        strv_push(&p->protect, ".corral");
}

static void plan_commits(void) {
        const char *ws = make_repo();
        policy p;
        base(&p, ws);
        win_plan pl;
        corral_error err = {{0}};
        /* read-only, the default: .git protected as a whole, and locked */
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == 0);
        CHECK(pl.n_git_dirs == 0 && ends_in(&pl.protect_existing, "/.git") && pl.git_locked.n == 1);
        win_plan_free(&pl);

        p.git = GIT_COMMITS;
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == 0);
        /* the .git directory is sorted, not protected as a whole; the
         * nested .git file still is (Windows reads no .git file) */
        CHECK(pl.protect_existing.n == 1 && ends_in(&pl.protect_existing, "nested/.git"));
        CHECK(pl.git_locked.n == 0 && pl.n_git_dirs == 3);
        const win_git_dir *top = gitdir_ending(&pl, "/.git");
        CHECK(top && top->top);
        CHECK(ends_in(&top->protect, "/.git/config") && ends_in(&top->protect, "/.git/hooks") &&
              ends_in(&top->protect, "/.git/surprise"));
        CHECK(top->protect.n == 3); /* HEAD, index, objects, refs, logs, index.lock, modules, worktrees: git's */
        const win_git_hold *h;
        CHECK((h = hold_ending(top, "/.git/commondir")) && h->text && !strcmp(h->text, ".\n"));
        CHECK((h = hold_ending(top, "/.git/config.worktree")) && h->text && !*h->text);
        CHECK((h = hold_ending(top, "/.git/info")) && !h->text);
        CHECK(hold_ending(top, "/.git/remotes") && hold_ending(top, "/.git/branches"));
        CHECK(!hold_ending(top, "/.git/config") && !hold_ending(top, "/.git/gitdir"));
        const win_git_dir *sub = gitdir_ending(&pl, "/.git/modules/lib/sub");
        CHECK(sub && !sub->top && ends_in(&sub->protect, "sub/config") && hold_ending(sub, "sub/hooks"));
        const win_git_dir *wt = gitdir_ending(&pl, "/.git/worktrees/wt");
        CHECK(wt && !wt->top && ends_in(&wt->protect, "wt/commondir") && ends_in(&wt->protect, "wt/gitdir"));
        CHECK(!hold_ending(wt, "wt/commondir"));
        /* nothing between the .git and a gitdir inside it can be renamed */
        CHECK(ends_in(&pl.git_pins, "/.git/modules") && ends_in(&pl.git_pins, "/modules/lib") &&
              ends_in(&pl.git_pins, "/modules/lib/sub") && ends_in(&pl.git_pins, "/.git/worktrees") &&
              ends_in(&pl.git_pins, "/worktrees/wt"));
        FILE *f = tmpfile();
        CHECK(f != NULL);
        win_plan_describe(&pl, f);
        char buf[16384] = {0};
        rewind(f);
        fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        CHECK(strstr(buf, "git (--git commits)") && strstr(buf, "stays read-only: ") &&
              strstr(buf, "placeholder file naming \".\""));
        win_plan_free(&pl);
        policy_free(&p);
}

/* A submodule the index names below protect_depth (lib/sub, whose .git
 * file names modules/lib/sub), and one its own index names (lib/sub/deep,
 * a .git directory): each .git protected, as Linux's plan does (git status
 * runs git in each); with --git commits the directory is sorted. One not
 * populated (lib/empty) is protected as a whole; one reached through a
 * ".." is not; an index corral cannot read fails the run. */
static void plan_gitlinks(void) {
        const char *ws = make_repo();
        char g[1200], sub[1300];
        snprintf(g, sizeof(g), "%s/.git", ws);
        snprintf(sub, sizeof(sub), "%s/modules/lib/sub", g);
        put(ws, "lib", NULL);
        put(ws, "lib/sub", NULL);
        put(ws, "lib/sub/.git", "gitdir: ../../.git/modules/lib/sub\n");
        put(ws, "lib/empty", NULL);
        put(ws, "lib/sub/deep", NULL);
        put(ws, "lib/sub/deep/.git", NULL);
        put(ws, "lib/sub/deep/.git/HEAD", "ref: refs/heads/main\n");
        put(ws, "lib/sub/deep/.git/config", "[core]\n");
        const char *const top_links[] = {"lib/empty", "lib/sub", "x/../lib/sub"};
        const unsigned modes[] = {0160000, 0160000, 0160000};
        put_index(g, top_links, modes, 3);
        const char *const deep_links[] = {"deep"};
        put_index(sub, deep_links, modes, 1);
        policy p;
        base(&p, ws);
        win_plan pl;
        corral_error err = {{0}};
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == 0);
        CHECK(ends_in(&pl.protect_existing, "/lib/sub/.git") && ends_in(&pl.protect_existing, "/lib/sub/deep/.git"));
        /* unpopulated: read-only as a whole, so that no repository can be made there */
        CHECK(!ends_in(&pl.protect_existing, "/lib/empty/.git") && ends_in(&pl.protect_existing, "/lib/empty"));
        CHECK(pl.protect_existing.n == 5); /* and .git, nested/.git */
        win_plan_free(&pl);
        p.git = GIT_COMMITS;
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == 0);
        const win_git_dir *d = gitdir_ending(&pl, "/lib/sub/deep/.git");
        CHECK(d && d->top && ends_in(&d->protect, "deep/.git/config") && ends_in(&pl.protect_existing, "/lib/sub/.git"));
        win_plan_free(&pl);
        put(g, "index", "DIRC garbage");
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) < 0);
        CHECK(strstr(err.msg, "gitlinks") && strstr(err.msg, "/.git/index"));
        policy_free(&p);
}

/* What a .git file in a root leads to, below protect_depth: a linked
 * worktree's main repository (its gitdir's commondir) and a submodule's
 * own gitdir kept elsewhere (--separate-git-dir), each protected as Linux's
 * plan protects them (git run in the worktree reads their config and runs
 * their hooks); sorted with --git commits, the worktree's gitdir inside
 * the main one. One outside every root is not. */
static void make_bare(const char *dir);

static void plan_gitfile_targets(void) {
        const char *ws = t_tmpdir();
        char main_git[1300], store[1300];
        snprintf(main_git, sizeof(main_git), "%s/deep/a/main/.git", ws);
        snprintf(store, sizeof(store), "%s/deep/store/sub.git", ws);
        put(ws, "deep", NULL);
        put(ws, "deep/a", NULL);
        put(ws, "deep/a/main", NULL);
        put(ws, "deep/a/main/.git", NULL);
        put(main_git, "HEAD", "ref: refs/heads/main\n");
        put(main_git, "config", "[core]\n");
        put(main_git, "objects", NULL);
        put(main_git, "refs", NULL);
        put(main_git, "worktrees", NULL);
        put(main_git, "worktrees/wt", NULL);
        put(main_git, "worktrees/wt/HEAD", "ref: refs/heads/wt\n");
        put(main_git, "worktrees/wt/commondir", "../..\n");
        put(ws, "deep/store", NULL);
        put(ws, "deep/store/sub.git", NULL);
        make_bare(store);
        put(ws, "wt", NULL);
        put(ws, "wt/.git", "gitdir: ../deep/a/main/.git/worktrees/wt\n");
        put(ws, "sub", NULL);
        put(ws, "sub/.git", "gitdir: ../deep/store/sub.git\n");
        put(ws, "out", NULL);
        put(ws, "out/.git", "gitdir: C:/corral-nowhere/.git\n");
        policy p;
        base(&p, ws);
        win_plan pl;
        corral_error err = {{0}};
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == 0);
        CHECK(ends_in(&pl.protect_existing, "/deep/a/main/.git") && ends_in(&pl.protect_existing, "/deep/store/sub.git"));
        CHECK(!ends_in(&pl.protect_existing, "/worktrees/wt") && ends_in(&pl.protect_existing, "/wt/.git"));
        CHECK(pl.protect_existing.n == 5); /* and wt/.git, sub/.git, out/.git */
        win_plan_free(&pl);
        p.git = GIT_COMMITS;
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == 0);
        const win_git_dir *m = gitdir_ending(&pl, "/main/.git"), *w = gitdir_ending(&pl, "/main/.git/worktrees/wt");
        CHECK(m && m->top && ends_in(&m->protect, "main/.git/config") && hold_ending(m, "main/.git/hooks"));
        CHECK(w && !w->top && ends_in(&w->worktrees, "/wt"));
        CHECK(gitdir_ending(&pl, "/store/sub.git") != NULL);
        win_plan_free(&pl);
        policy_free(&p);
}

/* A symbolic link to a directory, made the way a command could; false when
 * this system makes none (no developer mode or privilege; Wine). */
static bool make_dir_link(const char *link, const char *target) {
        if (!CreateSymbolicLinkA(link, target, SYMBOLIC_LINK_FLAG_DIRECTORY | 0x2 /* unprivileged */))
                return false;
        DWORD a = GetFileAttributesA(link);
        return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT);
}

static bool exists_rel(const char *dir, const char *name) {
        char path[1400];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        wchar_t *w = win_wide_exact(path);
        bool there = w && GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES;
        free(w);
        return there;
}

static bool refused_copy(const char *gitdir, const char *name) {
        char pattern[1400];
        snprintf(pattern, sizeof(pattern), "%s/%s.corral-refused-*", gitdir, name);
        wchar_t *w = win_wide_exact(pattern);
        WIN32_FIND_DATAW fd;
        HANDLE h = w ? FindFirstFileW(w, &fd) : INVALID_HANDLE_VALUE;
        free(w);
        if (h == INVALID_HANDLE_VALUE)
                return false;
        FindClose(h);
        return true;
}

/* The plan of a --git commits run of ws (what the check after it compares with). */
static void commits_plan(const char *ws, policy *p, win_plan *pl) {
        corral_error err = {{0}};
        base(p, ws);
        p->git = GIT_COMMITS;
        CHECK(win_plan_build(p, NULL, NULL, false, NULL, envp, pl, &err) == 0);
}

/* The check after the run, on the files a command would leave: a state the
 * developer had before the run is theirs, whatever it holds, while the run
 * leaves it as it was; whatever of the states the run made or changed is
 * set aside, whatever it says (a strategy file runs a program; apply-opt's
 * --build-fake-ancestor writes any file; a todo list that only picks is
 * not judged either). */
static void after_run(void) {
        const char *ws = make_repo();
        char g[1200], sub[1300], wt[1300];
        snprintf(g, sizeof(g), "%s/.git", ws);
        snprintf(sub, sizeof(sub), "%s/modules/lib/sub", g);
        snprintf(wt, sizeof(wt), "%s/worktrees/wt", g);
        put(g, "rebase-merge", NULL); /* the developer's own rebase, with a strategy */
        put(g, "rebase-merge/git-rebase-todo", "exec make test\n");
        put(g, "rebase-merge/strategy", "ours\n");
        put(g, "rr-cache", NULL); /* and rerere's resolutions */
        put(g, "rr-cache/0123", NULL);
        put(g, "rr-cache/0123/preimage", "<<<<<<<\n");
        policy p;
        win_plan pl;
        commits_plan(ws, &p, &pl);
        /* what a command does in the run: each state made somewhere */
        put(g, "rebase-merge/strategy", "ours\n"); /* written again, the same: unchanged */
        put(sub, "rebase-merge", NULL);
        put(sub, "rebase-merge/git-rebase-todo", "pick 1234 a\n");
        put(sub, "rebase-merge/strategy", "../../../../evil\n");
        put(wt, "rebase-apply", NULL);
        put(wt, "rebase-apply/apply-opt", " --build-fake-ancestor=../../../../hooks/post-checkout");
        put(wt, "sequencer", NULL);
        put(wt, "sequencer/opts", "[options]\n\tstrategy = evil\n");
        put(sub, "MERGE_RR", "0123\tsrc/a.c\n");
        win_gitcheck_after_run(&pl);
        CHECK(exists_rel(g, "rebase-merge/strategy") && !refused_copy(g, "rebase-merge"));
        CHECK(exists_rel(g, "rr-cache/0123/preimage") && !refused_copy(g, "rr-cache"));
        CHECK(!exists_rel(sub, "rebase-merge") && refused_copy(sub, "rebase-merge"));
        CHECK(!exists_rel(sub, "MERGE_RR") && refused_copy(sub, "MERGE_RR"));
        CHECK(!exists_rel(wt, "rebase-apply") && refused_copy(wt, "rebase-apply"));
        CHECK(!exists_rel(wt, "sequencer") && refused_copy(wt, "sequencer"));
        win_plan_free(&pl);

        /* changed by the run (a strategy added to the developer's rebase; a
         * resolution added to rr-cache): set aside */
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &(corral_error){{0}}) == 0);
        put(g, "rebase-merge/strategy", "evil\n");
        put(g, "rr-cache/4567", NULL);
        put(g, "rr-cache/4567/postimage", "int x;\n");
        win_gitcheck_after_run(&pl);
        CHECK(!exists_rel(g, "rebase-merge") && refused_copy(g, "rebase-merge"));
        CHECK(!exists_rel(g, "rr-cache") && refused_copy(g, "rr-cache"));
        win_plan_free(&pl);

        /* made by the run where there was none: set aside too */
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &(corral_error){{0}}) == 0);
        put(g, "rr-cache", NULL);
        win_gitcheck_after_run(&pl);
        CHECK(!exists_rel(g, "rr-cache"));
        win_plan_free(&pl);
        policy_free(&p);
}

/* A repository the run makes in modules/ or worktrees/ (git submodule
 * update, git worktree prune would adopt it), or in a component of a
 * submodule's name in modules/, is set aside; the ones there before the run
 * stay. */
static void after_run_adopted(void) {
        const char *ws = make_repo();
        char g[1200];
        snprintf(g, sizeof(g), "%s/.git", ws);
        policy p;
        win_plan pl;
        commits_plan(ws, &p, &pl);
        put(g, "modules/evil", NULL);
        put(g, "modules/evil/HEAD", "ref: refs/heads/main\n");
        put(g, "modules/evil/config", "[core]\n\tfsmonitor = calc.exe\n");
        put(g, "worktrees/new", NULL);
        put(g, "worktrees/new/commondir", "../..\n");
        /* and in a component of the developer's submodule's name (lib of lib/sub) */
        put(g, "modules/lib/evil", NULL);
        put(g, "modules/lib/evil/HEAD", "ref: refs/heads/main\n");
        win_gitcheck_after_run(&pl);
        CHECK(!exists_rel(g, "modules/lib/evil") && refused_copy(g, "modules/lib/evil"));
        CHECK(exists_rel(g, "modules/lib/sub/HEAD") && !refused_copy(g, "modules/lib/sub"));
        CHECK(!exists_rel(g, "modules/evil") && refused_copy(g, "modules/evil"));
        CHECK(!exists_rel(g, "worktrees/new") && refused_copy(g, "worktrees/new"));
        CHECK(exists_rel(g, "modules/lib/sub/HEAD") && !refused_copy(g, "modules/lib"));
        CHECK(exists_rel(g, "worktrees/wt/HEAD") && !refused_copy(g, "worktrees/wt"));
        win_plan_free(&pl);
        policy_free(&p);
}

/* The index, as Linux checks it: one naming a path git refuses is set
 * aside; a submodule it names whose .git the run made is set aside, one
 * the developer had stays. */
static void after_run_index(void) {
        const char *ws = make_repo();
        char g[1200], mine[1300], evil[1300];
        snprintf(g, sizeof(g), "%s/.git", ws);
        put(ws, "mine", NULL);
        put(ws, "mine/.git", NULL);
        put(ws, "mine/.git/HEAD", "ref: refs/heads/main\n");
        const char *const before[] = {"README", "mine"};
        const unsigned modes[] = {0100644, 0160000, 0160000};
        put_index(g, before, modes, 2);
        policy p;
        win_plan pl;
        commits_plan(ws, &p, &pl);
        /* the run: a new submodule, with a .git of its own, in the index */
        put(ws, "evil", NULL);
        put(ws, "evil/.git", NULL);
        put(ws, "evil/.git/config", "[core]\n\tfsmonitor = calc.exe\n");
        const char *const after[] = {"README", "evil", "mine"};
        put_index(g, after, modes, 3);
        win_gitcheck_after_run(&pl);
        snprintf(evil, sizeof(evil), "%s/evil", ws);
        snprintf(mine, sizeof(mine), "%s/mine", ws);
        CHECK(!exists_rel(evil, ".git") && refused_copy(evil, ".git"));
        CHECK(exists_rel(mine, ".git/HEAD") && !refused_copy(mine, ".git"));
        CHECK(exists_rel(g, "index") && !refused_copy(g, "index"));
        win_plan_free(&pl);

        /* an index naming a path git refuses */
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &(corral_error){{0}}) == 0);
        const char *const bad[] = {"README", "../outside"};
        put_index(g, bad, modes, 2);
        win_gitcheck_after_run(&pl);
        CHECK(!exists_rel(g, "index") && refused_copy(g, "index"));
        win_plan_free(&pl);
        policy_free(&p);
}

/* The index and protected names, as Linux checks them (attack F1): an
 * entry under one (.vscode/tasks.json, pkg/.vscode/tasks.json within
 * protect_depth) that the index did not hold before the run sets it aside,
 * since the developer's git checkout -- . would write it; the developer's
 * own such entry, unchanged, stays; so does one below protect_depth. The
 * marker carries what the check compares with. */
static void after_run_index_protected(void) {
        const char *ws = make_repo();
        char g[1200];
        snprintf(g, sizeof(g), "%s/.git", ws);
        const unsigned modes[] = {0100644, 0100644, 0100644};
        const char *const mine[] = {"README", ".corral/mine.toml"};
        put_index(g, mine, modes, 2);
        policy p;
        win_plan pl;
        commits_plan(ws, &p, &pl);
        win_gitcheck_after_run(&pl); /* unchanged: stays */
        CHECK(exists_rel(g, "index") && !refused_copy(g, "index"));
        const char *const deep[] = {"README", ".corral/mine.toml", "a/b/.corral/x"};
        put_index(g, deep, modes, 3);
        win_gitcheck_after_run(&pl); /* below protect_depth: stays */
        CHECK(exists_rel(g, "index") && !refused_copy(g, "index"));
        char *text = NULL;
        win_plan back = {0};
        CHECK(win_gitmarker_format(&pl, &text) == 0 && win_gitmarker_parse(text, &back) == 0);
        CHECK(back.git_protect.n == pl.git_protect.n && back.git_protect_depth == 1);
        const win_git_dir *top = NULL;
        for (size_t i = 0; i < back.n_git_dirs; i++)
                if (back.git_dirs[i].top)
                        top = &back.git_dirs[i];
        CHECK(top && top->index_listed && top->index_keys.n == 1);
        const char *const added[] = {"README", ".corral/mine.toml", "pkg/.corral/evil.toml"};
        put_index(g, added, modes, 3);
        win_gitcheck_after_run(&back); /* a killed run's check, from its marker */
        CHECK(!exists_rel(g, "index") && refused_copy(g, "index"));
        free(text);
        win_plan_free(&back);
        win_plan_free(&pl);
        policy_free(&p);
}

/* A linked worktree's index (worktrees/wt/index, of nested/, whose .git
 * file names that gitdir), as Linux checks it: a submodule it names whose
 * .git the run made is set aside, one the developer had stays; one naming
 * a path git refuses is set aside. So is, in a submodule's checkout found
 * through the index that names it (lib/sub, below protect_depth, whose .git
 * file names modules/lib/sub), a submodule its own index names. */
static void after_run_worktree_index(void) {
        const char *ws = make_repo();
        char g[1200], wt[1300], sub[1300], nested[1300], evil[1300], mine[1300], deep[1300];
        snprintf(g, sizeof(g), "%s/.git", ws);
        snprintf(wt, sizeof(wt), "%s/worktrees/wt", g);
        snprintf(sub, sizeof(sub), "%s/modules/lib/sub", g);
        snprintf(nested, sizeof(nested), "%s/nested", ws);
        snprintf(evil, sizeof(evil), "%s/nested/evil", ws);
        snprintf(mine, sizeof(mine), "%s/nested/mine", ws);
        snprintf(deep, sizeof(deep), "%s/lib/sub/deep", ws);
        put(nested, "mine", NULL);
        put(nested, "mine/.git", NULL);
        put(nested, "mine/.git/HEAD", "ref: refs/heads/main\n");
        const char *const before[] = {"README", "mine"};
        const unsigned modes[] = {0100644, 0160000, 0160000};
        put_index(wt, before, modes, 2);
        put(ws, "lib", NULL);
        put(ws, "lib/sub", NULL);
        put(ws, "lib/sub/.git", "gitdir: ../../.git/modules/lib/sub\n");
        const char *const top_links[] = {"lib/sub"};
        const unsigned link_mode[] = {0160000};
        put_index(g, top_links, link_mode, 1);
        put(ws, "other", NULL); /* another .git file naming the same gitdir: git run there takes other/ */
        put(ws, "other/.git", "gitdir: ../.git/worktrees/wt\n");
        policy p;
        win_plan pl;
        commits_plan(ws, &p, &pl);
        const win_git_dir *w = gitdir_ending(&pl, "/.git/worktrees/wt"), *s = gitdir_ending(&pl, "/modules/lib/sub");
        CHECK(w && w->worktrees.n == 2 && ends_in(&w->worktrees, "/nested") && ends_in(&w->worktrees, "/other"));
        CHECK(s && s->worktrees.n == 1 && ends_in(&s->worktrees, "/lib/sub"));
        /* the run: a submodule with a .git of its own in each index */
        put(nested, "evil", NULL);
        put(nested, "evil/.git", NULL);
        put(nested, "evil/.git/config", "[core]\n\tfsmonitor = calc.exe\n");
        const char *const after[] = {"README", "evil", "mine"};
        put_index(wt, after, modes, 3);
        put(ws, "other/evil", NULL);
        put(ws, "other/evil/.git", NULL);
        put(ws, "lib/sub/deep", NULL);
        put(ws, "lib/sub/deep/.git", NULL);
        put(ws, "lib/sub/deep/.git/config", "[core]\n\tfsmonitor = calc.exe\n");
        const char *const deep_links[] = {"deep"};
        put_index(sub, deep_links, link_mode, 1);
        win_gitcheck_after_run(&pl);
        CHECK(!exists_rel(evil, ".git") && refused_copy(evil, ".git"));
        CHECK(!exists_rel(deep, ".git") && refused_copy(deep, ".git"));
        CHECK(!exists_rel(ws, "other/evil/.git"));
        CHECK(exists_rel(mine, ".git/HEAD") && !refused_copy(mine, ".git"));
        CHECK(exists_rel(wt, "index") && !refused_copy(wt, "index") && exists_rel(sub, "index"));
        win_plan_free(&pl);

        /* an index of the worktree naming a path git refuses */
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &(corral_error){{0}}) == 0);
        const char *const bad[] = {".git/hooks/post-checkout", "README"};
        const unsigned files[] = {0100644, 0100644};
        put_index(wt, bad, files, 2);
        win_gitcheck_after_run(&pl);
        CHECK(!exists_rel(wt, "index") && refused_copy(wt, "index"));
        win_plan_free(&pl);
        policy_free(&p);
}

/* A gitdir below a directory whose name ends in a dot (lib., beside an
 * empty lib: a Win32 path reads lib.\\.git as lib\\.git): the check after
 * the run reads its index as itself, and sets aside one naming a path git
 * refuses. */
static void after_run_index_dotted(void) {
        const char *ws = make_repo();
        char lib[1300], g[1300];
        snprintf(lib, sizeof(lib), "%s/lib", ws);
        snprintf(g, sizeof(g), "%s/lib./.git", ws);
        put(ws, "lib", NULL);
        put(ws, "lib.", NULL);
        put(ws, "lib./.git", NULL);
        put(g, "HEAD", "ref: refs/heads/main\n");
        put(g, "config", "[core]\n");
        const char *const before[] = {"README"};
        const unsigned modes[] = {0100644, 0100644};
        put_index(g, before, modes, 1);
        policy p;
        win_plan pl;
        commits_plan(ws, &p, &pl);
        CHECK(gitdir_ending(&pl, "/lib./.git") != NULL);
        const char *const bad[] = {"README", "../outside"};
        put_index(g, bad, modes, 2);
        win_gitcheck_after_run(&pl);
        CHECK(!exists_rel(g, "index") && refused_copy(g, "index"));
        CHECK(!exists_rel(lib, ".git"));
        win_plan_free(&pl);
        policy_free(&p);
}

/* A hard link the run makes in logs/ to the gitdir's config (the
 * developer's next commit would append its reflog line to config) is
 * removed after the run; config stays. One made before the run stays. */
static void after_run_hard_link(void) {
        const char *ws = make_repo();
        char g[1200], cfg[1300], log[1300], old[1300], oldlink[1300];
        snprintf(g, sizeof(g), "%s/.git", ws);
        snprintf(cfg, sizeof(cfg), "%s/config", g);
        snprintf(log, sizeof(log), "%s/logs/HEAD", g);
        snprintf(old, sizeof(old), "%s/refs/heads/main", g);
        snprintf(oldlink, sizeof(oldlink), "%s/refs/heads/same", g);
        put(g, "refs/heads/main", "0123\n");
        if (!CreateHardLinkA(oldlink, old, NULL))
                SKIP("no hard link made here (CreateHardLinkW)");
        Sleep(50);
        policy p;
        win_plan pl;
        commits_plan(ws, &p, &pl);
        Sleep(50);
        CHECK(CreateHardLinkA(log, cfg, NULL));
        char head[1300];
        snprintf(head, sizeof(head), "%s/HEAD", g);
        CHECK(DeleteFileA(head) && CreateHardLinkA(head, cfg, NULL)); /* HEAD too: git writes it */
        win_gitcheck_after_run(&pl);
        CHECK(GetFileAttributesA(head) == INVALID_FILE_ATTRIBUTES);
        CHECK(GetFileAttributesA(log) == INVALID_FILE_ATTRIBUTES);
        CHECK(GetFileAttributesA(cfg) != INVALID_FILE_ATTRIBUTES && exists_rel(g, "config"));
        CHECK(exists_rel(g, "refs/heads/same") && exists_rel(g, "refs/heads/main"));
        win_plan_free(&pl);
        policy_free(&p);
}

/* Hard links anywhere in a gitdir git writes, as Linux's check goes (a
 * name in lfs/ linked to config; one in a component of a submodule's name,
 * modules/lib/), removed after the run; but not in objects/: git clone
 * --local of the repository (a run may make one) gives each object a
 * second name, and git writes no object in place. */
static void after_run_hard_link_deep(void) {
        const char *ws = make_repo();
        char g[1200], cfg[1300], lfs[1300], comp[1300], obj[1300], clone[1300];
        snprintf(g, sizeof(g), "%s/.git", ws);
        snprintf(cfg, sizeof(cfg), "%s/config", g);
        snprintf(lfs, sizeof(lfs), "%s/lfs/tmp/x", g);
        snprintf(comp, sizeof(comp), "%s/modules/lib/x", g);
        snprintf(obj, sizeof(obj), "%s/objects/ab/cdef", g);
        snprintf(clone, sizeof(clone), "%s/clone-cdef", ws);
        put(g, "lfs", NULL);
        put(g, "lfs/tmp", NULL);
        put(g, "objects/ab", NULL);
        put(g, "objects/ab/cdef", "x\n");
        policy p;
        win_plan pl;
        commits_plan(ws, &p, &pl);
        Sleep(50);
        if (!CreateHardLinkA(clone, obj, NULL)) {
                win_plan_free(&pl);
                policy_free(&p);
                SKIP("no hard link made here (CreateHardLinkW)");
        }
        CHECK(CreateHardLinkA(lfs, cfg, NULL) && CreateHardLinkA(comp, cfg, NULL));
        win_gitcheck_after_run(&pl);
        CHECK(GetFileAttributesA(lfs) == INVALID_FILE_ATTRIBUTES && GetFileAttributesA(comp) == INVALID_FILE_ATTRIBUTES);
        CHECK(exists_rel(g, "config") && exists_rel(g, "lfs/tmp"));
        CHECK(exists_rel(g, "objects/ab/cdef") && GetFileAttributesA(clone) != INVALID_FILE_ATTRIBUTES);
        win_plan_free(&pl);
        policy_free(&p);
}

/* A reparse point the run plants in refs/ is removed after it (the link,
 * not its target); one that was there before is the developer's. */
static void after_run_links(void) {
        SKIP_ON_WINE("junctions and symbolic links (CreateSymbolicLinkW, FSCTL_SET_REPARSE_POINT)");
        const char *ws = make_repo();
        char g[1200], link[1300], target[1300];
        snprintf(g, sizeof(g), "%s/.git", ws);
        snprintf(target, sizeof(target), "%s/target", ws);
        CreateDirectoryA(target, NULL);
        policy p;
        win_plan pl;
        commits_plan(ws, &p, &pl);
        snprintf(link, sizeof(link), "%s/refs/heads/evil", g);
        if (!make_dir_link(link, target)) {
                win_plan_free(&pl);
                policy_free(&p);
                SKIP("no symbolic link made here (it needs developer mode or SeCreateSymbolicLinkPrivilege)");
        }
        win_gitcheck_after_run(&pl);
        CHECK(GetFileAttributesA(link) == INVALID_FILE_ATTRIBUTES && GetFileAttributesA(target) != INVALID_FILE_ATTRIBUTES);
        win_plan_free(&pl);
        policy_free(&p);
}

static void make_bare(const char *dir) {
        put(dir, "HEAD", "ref: refs/heads/main\n");
        put(dir, "config", "[core]\n\tbare = true\n");
        put(dir, "objects", NULL);
        put(dir, "refs", NULL);
        put(dir, "hooks", NULL);
}

/* A bare repository kept in the workspace (mirror.git), or a workspace
 * that is one: git reads its config and runs its hooks, so it is protected
 * like a .git; a root that is one runs only with --git commits. */
static void plan_bare(void) {
        const char *ws = t_tmpdir();
        char mirror[1200];
        snprintf(mirror, sizeof(mirror), "%s/mirror.git", ws);
        put(ws, "mirror.git", NULL);
        make_bare(mirror);
        put(ws, "decoy", NULL); /* an empty HEAD directory (a placeholder) makes no repository */
        put(ws, "decoy/HEAD", NULL);
        put(ws, "decoy/objects", NULL);
        put(ws, "decoy/refs", NULL);
        CHECK(win_is_git_directory(mirror));
        char decoy[1200];
        snprintf(decoy, sizeof(decoy), "%s/decoy", ws);
        CHECK(!win_is_git_directory(decoy));
        policy p;
        base(&p, ws);
        win_plan pl;
        corral_error err = {{0}};
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == 0);
        CHECK(ends_in(&pl.protect_existing, "/mirror.git") && !ends_in(&pl.protect_existing, "/decoy"));
        win_plan_free(&pl);
        p.git = GIT_COMMITS;
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == 0);
        const win_git_dir *g = gitdir_ending(&pl, "/mirror.git");
        CHECK(g && ends_in(&g->protect, "mirror.git/config") && ends_in(&g->protect, "mirror.git/hooks"));
        CHECK(!ends_in(&pl.protect_existing, "/mirror.git"));
        win_plan_free(&pl);
        policy_free(&p);

        /* the workspace itself */
        base(&p, mirror);
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == -EINVAL);
        CHECK(strstr(err.msg, "bare repository") && strstr(err.msg, "--git commits"));
        p.git = GIT_COMMITS;
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == 0);
        g = gitdir_ending(&pl, "/mirror.git");
        CHECK(g && ends_in(&g->protect, "mirror.git/config") && ends_in(&g->protect, "mirror.git/hooks"));
        win_plan_free(&pl);
        policy_free(&p);
}

/* A protected entry that is a link cannot be kept read-only by a deny ACE
 * (it lands on the target, and the link itself can go): refused. */
static void protected_link_refused(void) {
        SKIP_ON_WINE("junctions and symbolic links (CreateSymbolicLinkW, FSCTL_SET_REPARSE_POINT)");
        const char *ws = make_repo();
        char hooks[1300], target[1300];
        snprintf(target, sizeof(target), "%s/shared-hooks", ws);
        CreateDirectoryA(target, NULL);
        snprintf(hooks, sizeof(hooks), "%s/.git/hooks/pre-commit.sample", ws);
        DeleteFileA(hooks);
        snprintf(hooks, sizeof(hooks), "%s/.git/hooks", ws);
        CHECK(RemoveDirectoryA(hooks));
        if (!make_dir_link(hooks, target))
                SKIP("no symbolic link made here (it needs developer mode or SeCreateSymbolicLinkPrivilege)");
        policy p;
        base(&p, ws);
        p.git = GIT_COMMITS;
        win_plan pl;
        corral_error err = {{0}};
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == -EOPNOTSUPP);
        CHECK(strstr(err.msg, "hooks") && strstr(err.msg, "--git read-only"));
        policy_free(&p);
}

/* The marker a commits run keeps for the check after it (gitmarker_win.h):
 * what it reads back is what the plan recorded, and the check made from it
 * refuses what the run made and leaves what the developer had. */
static void marker_round_trip(void) {
        const char *ws = make_repo();
        char g[1200];
        snprintf(g, sizeof(g), "%s/.git", ws);
        put(g, "rebase-merge", NULL); /* the developer's own rebase */
        put(g, "rebase-merge/git-rebase-todo", "exec make test\n");
        policy p;
        win_plan pl, back = {0};
        commits_plan(ws, &p, &pl);
        char *text = NULL;
        CHECK(win_gitmarker_format(&pl, &text) == 0);
        CHECK(win_gitmarker_parse(text, &back) == 0);
        CHECK(back.n_git_dirs == pl.n_git_dirs && back.n_git_dirs >= 3);
        CHECK(back.git_planned_at == pl.git_planned_at && back.git_known.n == pl.git_known.n);
        for (size_t i = 0; i < pl.n_git_dirs; i++) {
                const win_git_dir *a = &pl.git_dirs[i], *b = &back.git_dirs[i];
                CHECK(!strcmp(a->path, b->path) && a->top == b->top && a->adopted.n == b->adopted.n &&
                      a->links.n == b->links.n);
                CHECK(a->worktrees.n == b->worktrees.n);
                for (size_t k = 0; k < a->worktrees.n; k++)
                        CHECK(!strcmp(a->worktrees.v[k], b->worktrees.v[k]));
                CHECK(!memcmp(a->state, b->state, sizeof(a->state)) &&
                      !memcmp(a->state_sum, b->state_sum, sizeof(a->state_sum)));
                for (size_t k = 0; k < a->adopted.n; k++)
                        CHECK(!strcmp(a->adopted.v[k], b->adopted.v[k]));
        }
        CHECK(win_gitmarker_parse("corral-gitcheck 1\nS 0 1 zz\n", &(win_plan){0}) == -EINVAL);
        CHECK(win_gitmarker_parse("something else\n", &(win_plan){0}) == -EINVAL);
        put(g, "rr-cache", NULL); /* what the killed run made */
        win_gitcheck_after_run(&back);
        CHECK(!exists_rel(g, "rr-cache") && refused_copy(g, "rr-cache"));
        CHECK(exists_rel(g, "rebase-merge/git-rebase-todo") && !refused_copy(g, "rebase-merge"));
        free(text);
        win_plan_free(&back);
        win_plan_free(&pl);
        policy_free(&p);
}

const test tests_git[] = {
        {"git: the pin ACE replaces the inheritable deny ACE, first, inherited by nothing", pin_acl},
        {"git: --git commits sorts .git, its submodules' and worktrees' gitdirs with the portable table", plan_commits},
        {"git: the .git of each submodule the index names, however deep, is protected (sorted with --git commits)", plan_gitlinks},
        {"git: what a .git file leads to below protect_depth (a worktree's main repository, a separate gitdir) is protected", plan_gitfile_targets},
        {"git: after the run, a rebase, am, sequencer or rerere state the run made or changed is set aside", after_run},
        {"git: after the run, a repository the run made in modules/ (or a component of a name there) or worktrees/ is set aside", after_run_adopted},
        {"git: after the run, a bad index, and a submodule's .git the run made, are set aside", after_run_index},
        {"git: after the run, a linked worktree's and a submodule checkout's index are checked like the repository's", after_run_worktree_index},
        {"git: after the run, an index with a new entry under a protected name is set aside, also from a marker", after_run_index_protected},
        {"git: after the run, a bad index of a gitdir below lib. (a name ending in a dot) is read as itself and set aside", after_run_index_dotted},
        {"git: after the run, a link the run planted in refs/ is removed", after_run_links},
        {"git: after the run, a hard link the run made from logs/HEAD to config is removed", after_run_hard_link},
        {"git: after the run, hard links the run made anywhere in a gitdir but objects/ are removed", after_run_hard_link_deep},
        {"git: a protected gitdir entry that is a link is refused (125)", protected_link_refused},
        {"git: a bare repository in the workspace, or a workspace that is one, is protected like a .git", plan_bare},
        {"git: a commits run's marker reads back as its plan, and the check made from it works", marker_round_trip},
        {NULL, NULL},
};
