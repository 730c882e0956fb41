/* SPDX-License-Identifier: MIT
 * Plan building for the userns backend: the order and content of the mount
 * operations, placeholders, masks, the environment. No privileges needed:
 * plans are data. */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/macro.h"
#include "kernel/probe.h"
#include "common/path.h"
#include "common/sha256.h"
#include "plan/gitdir.h"
#include "plan/plan.h"
#include "plan/proc_masks.h"

static char root[] = "/var/tmp/corral-test-plan-XXXXXX"; /* not under /tmp: see test_masks_skip_invisible */
static char *ws, *home;

static void touch(const char *path) {
        int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        close(fd);
}

static char *at(const char *base, const char *rel) {
        char *p = path_join(base, rel);
        assert_non_null(p);
        return p;
}

static void base_policy(policy *p) {
        memset(p, 0, sizeof(*p));
        p->mode = MODE_WORKSPACE_WRITE;
        p->network = NETWORK_OFF;
        p->tmp = TMP_PRIVATE;
        p->workspace = strdup(ws);
        p->cwd = strdup(ws);
        p->home = strdup(home);
        strv_push(&p->writable_roots, ws);
        const char *names[] = {".git", ".codex", ".agents", ".corral", ".corral.toml"};
        for (size_t i = 0; i < 5; i++)
                strv_push(&p->protect, names[i]);
}

static void build(const policy *p, plan *pl, int expect) {
        char *argv[] = {"true", NULL};
        const char *env[] = {"PATH=/usr/bin:/bin", "HOME=/home/x", "GITHUB_TOKEN=secret", "AWS_REGION=eu",
                             "KEEP_TOKEN=k", "EDITOR=vi", NULL};
        corral_error err = {{0}};
        int r = plan_build(p, argv, env, pl, &err);
        if (r != expect)
                fail_msg("plan_build returned %d, expected %d: %s", r, expect, err.msg);
}

/* Index of the first op of a kind on a path (sub ignored), or -1. */
static int find_op(const plan *pl, mount_op_kind kind, const char *path) {
        for (size_t i = 0; i < pl->n_ops; i++)
                if (pl->ops[i].kind == kind && (!path || (pl->ops[i].path && strcmp(pl->ops[i].path, path) == 0)))
                        return (int)i;
        return -1;
}

/* Whether the clone at ops[c] is read-only: a mount_setattr follows it, or
 * it is made from the read-only view (after the MOP_READONLY_ALL of /,
 * before anything is attached on it), whose attributes a clone keeps. */
static bool read_only_clone(const plan *pl, int c) {
        if (c < 0 || pl->ops[c].kind != MOP_CLONE)
                return false;
        if ((size_t)c + 1 < pl->n_ops && pl->ops[c + 1].kind == MOP_SETATTR && pl->ops[c + 1].slot == pl->ops[c].slot)
                return (pl->ops[c + 1].attr & ATTR_RDONLY) != 0;
        int ro = find_op(pl, MOP_READONLY_ALL, "/");
        if (ro < 0 || c < ro || (pl->ops[ro].attr & (ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV)) !=
                                        (ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV))
                return false;
        for (int i = ro + 1; i < c; i++)
                if (pl->ops[i].kind != MOP_CLONE)
                        return false;
        return true;
}

/* Index of the attach of slot, or -1. */
static int find_attach(const plan *pl, int slot) {
        for (size_t i = 0; i < pl->n_ops; i++)
                if (pl->ops[i].kind == MOP_ATTACH && pl->ops[i].slot == slot)
                        return (int)i;
        return -1;
}

static int setup(void **state) {
        (void)state;
        assert_non_null(mkdtemp(root));
        ws = at(root, "ws");
        home = at(root, "home");
        assert_int_equal(mkdir(ws, 0755), 0);
        assert_int_equal(mkdir(home, 0755), 0);
        return 0;
}

static int teardown(void **state) {
        (void)state;
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        return system(cmd);
}

static void test_writable_root_cloned_before_readonly(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        build(&p, &pl, 0);
        int clone = find_op(&pl, MOP_CLONE, ws), ro = find_op(&pl, MOP_READONLY_ALL, "/"),
            attach = find_op(&pl, MOP_ATTACH, ws);
        assert_true(clone >= 0 && ro > clone && attach > ro);
        assert_true(pl.confine);
        assert_true(pl.clone_flags != 0);
        plan_free(&pl);
        policy_free(&p);
}

/* The plan is the whole record of a run: what apply and supervise need of
 * the policy is the plan's own copy, still there when the policy is gone. */
static void test_plan_outlives_its_policy(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        p.timeout_ms = 1500;
        p.network = NETWORK_PROXY;
        p.protect_depth = 2;
        strv_push(&p.allow_domains, "example.com");
        p.allow_ports[0] = 443;
        p.n_allow_ports = 1;
        _cleanup_free_ char *secret = at(home, ".ssh");
        strv_push(&p.deny_read, secret);
        build(&p, &pl, 0);
        policy_free(&p);
        memset(&p, 0x5a, sizeof(p)); /* nothing may read it now */
        assert_string_equal(pl.policy.cwd, ws);
        assert_string_equal(pl.policy.workspace, ws);
        assert_string_equal(pl.policy.home, home);
        assert_int_equal(pl.policy.timeout_ms, 1500);
        assert_int_equal(pl.policy.network, NETWORK_PROXY);
        assert_true(strv_contains(&pl.policy.deny_read, secret));
        net_rules rules = plan_net_rules(&pl);
        assert_int_equal(rules.n_ports, 1);
        assert_int_equal(rules.ports[0], 443);
        assert_true(strv_contains(rules.allow, "example.com"));
        assert_int_equal(pl.policy.nested.depth, 2);
        assert_true(strv_contains(&pl.policy.nested.roots, ws));
        assert_true(strv_contains(&pl.policy.nested.protect, ".git"));
        plan_free(&pl);
}

static void test_missing_protected_name_gets_placeholder(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        build(&p, &pl, 0);
        _cleanup_free_ char *git = at(ws, ".git");
        assert_int_equal(pl.n_placeholders, 5);
        bool found = false;
        for (size_t i = 0; i < pl.n_placeholders; i++)
                found |= strcmp(pl.placeholders[i].path, git) == 0;
        assert_true(found);
        int clone = find_op(&pl, MOP_CLONE, git);
        assert_true(read_only_clone(&pl, clone));
        int attach = find_attach(&pl, pl.ops[clone].slot);
        assert_true(attach > find_op(&pl, MOP_ATTACH, ws)); /* on top of the writable root */
        assert_string_equal(pl.ops[attach].path, git);
        plan_free(&pl);
        policy_free(&p);
}

/* Placeholder bookkeeping is per writable root (apply/host.h), hidden inside;
 * a root in held_roots (the runner: the caller's) is held by another process. */
static void test_placeholder_bookkeeping_hidden_and_held(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        build(&p, &pl, 0);
        assert_non_null(pl.roots_dir);
        assert_non_null(strstr(pl.roots_dir, "/.cache/corral/roots"));
        int mask = find_op(&pl, MOP_ATTACH, pl.roots_dir);
        assert_true(mask >= 0);
        assert_string_equal(pl.ops[mask].sub, "d");
        assert_true(pl.ops[mask].optional);
        for (size_t i = 0; i < pl.n_placeholders; i++)
                assert_false(pl.placeholders[i].held);
        plan_free(&pl);
        strv_push(&p.held_roots, ws);
        build(&p, &pl, 0);
        assert_int_equal(pl.n_placeholders, 5);
        for (size_t i = 0; i < pl.n_placeholders; i++)
                assert_true(pl.placeholders[i].held);
        plan_free(&pl);
        policy_free(&p);
}

static void test_existing_protected_dir_no_placeholder(void **state) {
        (void)state;
        _cleanup_free_ char *codex = at(ws, ".codex");
        assert_int_equal(mkdir(codex, 0755), 0);
        policy p;
        plan pl;
        base_policy(&p);
        build(&p, &pl, 0);
        /* listed as a mount point (in case it vanishes before the run), but
         * not as a placeholder that explain announces */
        bool listed = false;
        for (size_t i = 0; i < pl.n_placeholders; i++)
                if (strcmp(pl.placeholders[i].path, codex) == 0) {
                        listed = true;
                        assert_false(pl.placeholders[i].missing);
                }
        assert_true(listed);
        assert_true(find_op(&pl, MOP_CLONE, codex) >= 0);
        plan_free(&pl);
        policy_free(&p);
        rmdir(codex);
}

static void test_symlinked_protected_name(void **state) {
        (void)state;
        _cleanup_free_ char *target = at(ws, "realgit");
        _cleanup_free_ char *link = at(ws, ".git");
        assert_int_equal(mkdir(target, 0755), 0);
        assert_int_equal(symlink("realgit", link), 0);
        policy p;
        plan pl;
        base_policy(&p);
        build(&p, &pl, 0);
        int l = find_op(&pl, MOP_CLONE, link);
        assert_true(l >= 0);
        assert_true(pl.ops[l].nofollow); /* the link itself */
        int t = find_op(&pl, MOP_CLONE, target);
        assert_true(t >= 0); /* and its target, read-only */
        assert_true(read_only_clone(&pl, t));
        plan_free(&pl);
        policy_free(&p);
        unlink(link);
        rmdir(target);
}

static void test_git_file_protects_gitdir(void **state) {
        (void)state;
        _cleanup_free_ char *gitdir = at(ws, "modules/sub");
        _cleanup_free_ char *modules = at(ws, "modules");
        _cleanup_free_ char *file = at(ws, ".git");
        assert_int_equal(mkdir(modules, 0755), 0);
        assert_int_equal(mkdir(gitdir, 0755), 0);
        FILE *f = fopen(file, "w");
        assert_non_null(f);
        fprintf(f, "gitdir: modules/sub\n");
        fclose(f);
        policy p;
        plan pl;
        base_policy(&p);
        build(&p, &pl, 0);
        assert_true(find_op(&pl, MOP_CLONE, file) >= 0);
        int g = find_op(&pl, MOP_CLONE, gitdir);
        assert_true(g >= 0);
        assert_true(read_only_clone(&pl, g));
        plan_free(&pl);
        policy_free(&p);
        unlink(file);
        rmdir(gitdir);
        rmdir(modules);
}

static const placeholder *find_placeholder(const plan *pl, const char *path) {
        for (size_t i = 0; i < pl->n_placeholders; i++)
                if (strcmp(pl->placeholders[i].path, path) == 0)
                        return &pl->placeholders[i];
        return NULL;
}

/* --git commits (issue 9): the gitdir is pinned (a writable clone on
 * itself), its config and hooks are read-only, objects stay writable, the
 * missing config.worktree and commondir are held by files. */
static void test_git_commits_sorts_the_gitdir(void **state) {
        (void)state;
        _cleanup_free_ char *git = at(ws, ".git"), *hooks = at(ws, ".git/hooks"), *objects = at(ws, ".git/objects");
        _cleanup_free_ char *refs = at(ws, ".git/refs"), *config = at(ws, ".git/config"), *head = at(ws, ".git/HEAD");
        _cleanup_free_ char *odd = at(ws, ".git/unknown"), *wconfig = at(ws, ".git/config.worktree");
        _cleanup_free_ char *common = at(ws, ".git/commondir");
        assert_int_equal(mkdir(git, 0755), 0);
        assert_int_equal(mkdir(hooks, 0755), 0);
        assert_int_equal(mkdir(objects, 0755), 0);
        assert_int_equal(mkdir(refs, 0755), 0);
        touch(config);
        touch(odd);
        FILE *f = fopen(head, "w");
        assert_non_null(f);
        fprintf(f, "ref: refs/heads/main\n");
        fclose(f);
        policy p;
        plan pl;
        base_policy(&p);
        p.git = GIT_COMMITS;
        build(&p, &pl, 0);
        int g = find_op(&pl, MOP_CLONE, git);
        assert_true(g >= 0);
        assert_int_not_equal(pl.ops[g + 1].kind, MOP_SETATTR); /* a pin: not made read-only */
        for (const char *ro[] = {config, hooks, odd, wconfig, common}, **r = ro; r < ro + 5; r++) {
                int c = find_op(&pl, MOP_CLONE, *r);
                if (c < 0)
                        fail_msg("%s is not protected", *r);
                assert_true(read_only_clone(&pl, c));
        }
        assert_true(find_op(&pl, MOP_CLONE, objects) < 0);
        assert_true(find_op(&pl, MOP_CLONE, head) < 0);
        const placeholder *ph = find_placeholder(&pl, common);
        assert_non_null(ph);
        assert_true(ph->missing);
        assert_string_equal(ph->file, ".\n");
        assert_non_null((ph = find_placeholder(&pl, wconfig)));
        assert_string_equal(ph->file, "");
        assert_int_equal(pl.git_repos.n, 1);
        assert_string_equal(pl.git_repos.v[0], git);
        /* userns: the gitdir is an overlay, made before the view becomes
         * read-only (its upper must be writable) and attached before the
         * protected entries go on top of it, which are not checked by
         * identity there (the overlay's inodes) */
        assert_int_equal(pl.git_overlays.n, 1);
        assert_string_equal(pl.git_overlays.v[0], git);
        assert_non_null(pl.git_run_dir);
        assert_non_null(strstr(pl.git_run_dir, "/gitruns/"));
        int ov = find_op(&pl, MOP_OVERLAY, git), ro_all = -1, ov_at = -1, cfg_at = -1;
        assert_true(ov >= 0);
        for (size_t i = 0; i < pl.n_ops; i++) {
                if (pl.ops[i].kind == MOP_READONLY_ALL && ro_all < 0)
                        ro_all = (int)i;
                if (pl.ops[i].kind == MOP_ATTACH && pl.ops[i].slot == pl.ops[ov].slot)
                        ov_at = (int)i;
                if (pl.ops[i].kind == MOP_ATTACH && pl.ops[i].path && strcmp(pl.ops[i].path, config) == 0)
                        cfg_at = (int)i;
        }
        assert_true(ov < ro_all);
        assert_true(ov_at > ro_all && cfg_at > ov_at);
        assert_true(pl.ops[ov_at].verify);
        assert_false(pl.ops[cfg_at].verify);
        assert_true(pl.ops[find_op(&pl, MOP_CLONE, config)].verify); /* from the host's view */
        plan_free(&pl);
        /* read-only: the gitdir as a whole */
        p.git = GIT_READ_ONLY;
        build(&p, &pl, 0);
        g = find_op(&pl, MOP_CLONE, git);
        assert_true(read_only_clone(&pl, g));
        assert_int_equal(pl.git_repos.n, 0);
        plan_free(&pl);
        policy_free(&p);
        unlink(config);
        unlink(odd);
        unlink(head);
        rmdir(hooks);
        rmdir(objects);
        rmdir(refs);
        rmdir(git);
}

static void test_gitdir_table(void **state) {
        (void)state;
        assert_int_equal(gitdir_classify("objects")->rule, GITDIR_WRITABLE);
        assert_int_equal(gitdir_classify("index.lock")->rule, GITDIR_WRITABLE);
        assert_int_equal(gitdir_classify("BISECT_LOG")->rule, GITDIR_WRITABLE);
        assert_int_equal(gitdir_classify("config")->rule, GITDIR_PROTECTED);
        assert_int_equal(gitdir_classify("hooks")->hold, HOLD_DIR);
        assert_int_equal(gitdir_classify("commondir")->hold, HOLD_COMMONDIR);
        assert_int_equal(gitdir_classify("rebase-merge")->rule, GITDIR_CHECKED);
        assert_null(gitdir_classify("configx"));
        assert_null(gitdir_classify("lock"));
}

/* Regression: a .git file naming a gitdir in the host's /tmp left it
 * writable under --tmp host. */
static void test_gitdir_in_host_tmp_protected(void **state) {
        (void)state;
        char gitdir[] = "/tmp/corral-test-gitdir-XXXXXX";
        assert_non_null(mkdtemp(gitdir));
        _cleanup_free_ char *file = at(ws, ".git");
        FILE *f = fopen(file, "w");
        assert_non_null(f);
        fprintf(f, "gitdir: %s\n", gitdir);
        fclose(f);
        policy p;
        plan pl;
        base_policy(&p);
        p.tmp = TMP_HOST;
        build(&p, &pl, 0);
        int g = find_op(&pl, MOP_CLONE, gitdir);
        assert_true(g >= 0);
        assert_true(read_only_clone(&pl, g));
        plan_free(&pl);
        policy_free(&p);
        base_policy(&p); /* with a private /tmp it is out of reach anyway */
        build(&p, &pl, 0);
        assert_int_equal(find_op(&pl, MOP_CLONE, gitdir), -1);
        plan_free(&pl);
        policy_free(&p);
        unlink(file);
        rmdir(gitdir);
}

/* Regression: with a writable root containing corral's cache, a command
 * could fill a parked placeholder that the next run moves into the
 * workspace as .codex. */
/* SHA-256 against FIPS 180-4's examples (one block, two blocks) and a
 * message whose padding needs a second block. */
static void test_sha256_vectors(void **state) {
        (void)state;
        char hex[65];
        assert_string_equal(sha256_hex("abc", 32, hex),
                            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_string_equal(sha256_hex("", 32, hex),
                            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_string_equal(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 32, hex),
                            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        assert_string_equal(sha256_hex("abc", 16, hex), "ba7816bf8f01cfea414140de5dae2223");
}

static void test_state_dir_protected_in_writable_root(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        strv_push(&p.writable_roots, home); /* HOME holds .cache/corral */
        build(&p, &pl, 0);
        _cleanup_free_ char *state_root = at(home, ".cache/corral");
        int c = find_op(&pl, MOP_CLONE, state_root);
        assert_true(c >= 0);
        assert_true(read_only_clone(&pl, c));
        plan_free(&pl);
        policy_free(&p);
        base_policy(&p); /* not writable: nothing to protect */
        build(&p, &pl, 0);
        assert_int_equal(find_op(&pl, MOP_CLONE, state_root), -1);
        plan_free(&pl);
        policy_free(&p);
}

static void test_deny_read_masks_existing_paths(void **state) {
        (void)state;
        _cleanup_free_ char *ssh = at(home, ".ssh");
        _cleanup_free_ char *netrc = at(home, ".netrc");
        _cleanup_free_ char *aws = at(home, ".aws");
        assert_int_equal(mkdir(ssh, 0700), 0);
        touch(netrc);
        policy p;
        plan pl;
        base_policy(&p);
        strv_push(&p.deny_read, ssh);
        strv_push(&p.deny_read, netrc);
        strv_push(&p.deny_read, aws); /* absent: nothing to hide */
        build(&p, &pl, 0);
        int d = find_op(&pl, MOP_ATTACH, ssh), f = find_op(&pl, MOP_ATTACH, netrc);
        assert_true(d >= 0 && f >= 0);
        assert_string_equal(pl.ops[d].sub, "d");
        assert_string_equal(pl.ops[f].sub, "f");
        assert_int_equal(find_op(&pl, MOP_ATTACH, aws), -1);
        /* masks come after every protection */
        _cleanup_free_ char *git = at(ws, ".git");
        assert_true(d > find_op(&pl, MOP_ATTACH, git));
        plan_free(&pl);
        policy_free(&p);
        rmdir(ssh);
        unlink(netrc);
}

/* Regression: a deny-read path under /tmp is not visible inside (the
 * sandbox has its own /tmp); masking it made every run fail. */
static void test_masks_skip_invisible(void **state) {
        (void)state;
        char tmpdir[] = "/tmp/corral-test-invisible-XXXXXX";
        assert_non_null(mkdtemp(tmpdir));
        policy p;
        plan pl;
        base_policy(&p);
        strv_push(&p.deny_read, tmpdir);
        build(&p, &pl, 0);
        assert_int_equal(find_op(&pl, MOP_ATTACH, tmpdir), -1);
        plan_free(&pl);
        policy_free(&p);
        p.tmp = TMP_HOST; /* with the host's /tmp it is visible, and masked */
        base_policy(&p);
        p.tmp = TMP_HOST;
        strv_push(&p.deny_read, tmpdir);
        build(&p, &pl, 0);
        assert_true(find_op(&pl, MOP_ATTACH, tmpdir) >= 0);
        plan_free(&pl);
        policy_free(&p);
        rmdir(tmpdir);
}

static void test_deny_hiding_writable_root_refused(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        strv_push(&p.deny_read, root);
        build(&p, &pl, -EINVAL);
        plan_free(&pl);
        policy_free(&p);
}

static void test_allow_read_carve_out(void **state) {
        (void)state;
        _cleanup_free_ char *gh = at(home, "gh");
        _cleanup_free_ char *cfg = at(home, "gh/config.yml");
        assert_int_equal(mkdir(gh, 0700), 0);
        touch(cfg);
        policy p;
        plan pl;
        base_policy(&p);
        strv_push(&p.deny_read, gh);
        strv_push(&p.allow_read, cfg);
        build(&p, &pl, 0);
        int c = find_op(&pl, MOP_CLONE, cfg), skel = find_op(&pl, MOP_ATTACH, gh), back = find_op(&pl, MOP_ATTACH, cfg);
        assert_true(c >= 0 && skel > c && back > skel);
        assert_null(pl.ops[skel].sub); /* a private skeleton, not the empty mask */
        plan_free(&pl);
        policy_free(&p);
        unlink(cfg);
        rmdir(gh);
}

static void test_read_only_mode(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        p.mode = MODE_READ_ONLY;
        strv_clear(&p.writable_roots);
        build(&p, &pl, 0);
        assert_int_equal(find_op(&pl, MOP_CLONE, ws), -1);
        assert_int_equal(pl.n_placeholders, 0);
        assert_true(find_op(&pl, MOP_TMPFS, NULL) >= 0);
        for (size_t i = 0; i < pl.n_rules; i++)
                assert_string_not_equal(pl.rules[i].path, ws);
        plan_free(&pl);
        policy_free(&p);
}

static void test_full_access(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        p.mode = MODE_FULL_ACCESS;
        build(&p, &pl, 0);
        assert_false(pl.confine);
        assert_int_equal(find_op(&pl, MOP_READONLY_ALL, NULL), -1);
        assert_int_equal(pl.n_placeholders, 0);
        plan_free(&pl);
        policy_free(&p);
}

/* Limits are plan data: the private /tmp and /dev/shm get size and
 * nr_inodes, rlimits (or a cgroup) are named, and what cannot be enforced is
 * refused, never dropped. */
static void test_limits(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        p.limits.v[LIMIT_TMP] = 1 << 20;
        p.limits.v[LIMIT_CPU] = 5;
        p.limits.v[LIMIT_MEMORY] = 64 << 20;
        build(&p, &pl, 0);
        int tmpfs = 0;
        for (size_t i = 0; i < pl.n_ops; i++)
                if (pl.ops[i].kind == MOP_TMPFS && pl.ops[i].mode == 01777) {
                        assert_int_equal(pl.ops[i].size, 1 << 20);
                        assert_int_equal(pl.ops[i].inodes, 1024);
                        tmpfs++;
                }
        assert_int_equal(tmpfs, 2); /* /tmp and /dev/shm */
        assert_int_equal(pl.limits.rlimit_cpu, 5);
        assert_int_equal(pl.limits.tmp_inodes, 1024);
        if (pl.limits.cgroup_parent)
                assert_int_equal(pl.limits.cgroup_memory_max, 64 << 20);
        else
                assert_int_equal(pl.limits.rlimit_data, 64 << 20);
        plan_free(&pl);

        /* a /tmp on disk cannot be size-limited */
        p.tmp = TMP_WORKSPACE;
        build(&p, &pl, -EOPNOTSUPP);
        plan_free(&pl);
        p.tmp = TMP_HOST;
        build(&p, &pl, -EOPNOTSUPP);
        plan_free(&pl);
        p.mode = MODE_FULL_ACCESS;
        build(&p, &pl, -EOPNOTSUPP);
        plan_free(&pl);
        /* full-access: rlimits, never a cgroup the command could write */
        p.limits.v[LIMIT_TMP] = 0;
        p.limits.v[LIMIT_PIDS] = 10;
        build(&p, &pl, getuid() == 0 ? -EOPNOTSUPP : 0);
        if (getuid() != 0) {
                assert_null(pl.limits.cgroup_parent);
                assert_int_equal(pl.limits.rlimit_nproc, 11);
                assert_int_equal(pl.limits.rlimit_data, 64 << 20);
        }
        plan_free(&pl);
        policy_free(&p);
}

static bool env_has(const plan *pl, const char *entry) {
        for (size_t i = 0; i < pl->env.n; i++)
                if (strcmp(pl->env.v[i], entry) == 0)
                        return true;
        return false;
}

/* Caches: an overlay per existing cache made before the view becomes
 * read-only, attached after it and before the writable roots, parents first;
 * a toolchain and corral's state put back on top; a missing cache outside
 * the xdg cache gets its variable. */
static void test_caches(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        for (int k = 0; k < N_CACHES; k++)
                p.caches[k] = CACHE_READ_THROUGH;
        char *npm = at(home, ".npm"), *cargo = at(home, ".cargo"), *bin = at(home, ".cargo/bin"),
             *xdg = at(home, ".cache"), *state_root = at(home, ".cache/corral");
        assert_int_equal(mkdir(npm, 0755), 0);
        assert_int_equal(mkdir(cargo, 0755), 0);
        assert_int_equal(mkdir(bin, 0755), 0);
        build(&p, &pl, 0);
        int ro = find_op(&pl, MOP_READONLY_ALL, "/"), ov = find_op(&pl, MOP_OVERLAY, npm),
            ov_xdg = find_op(&pl, MOP_OVERLAY, xdg), a_npm = find_op(&pl, MOP_ATTACH, npm),
            a_cargo = find_op(&pl, MOP_ATTACH, cargo), a_bin = find_op(&pl, MOP_ATTACH, bin),
            c_bin = find_op(&pl, MOP_CLONE, bin), a_xdg = find_op(&pl, MOP_ATTACH, xdg),
            a_state = find_op(&pl, MOP_ATTACH, state_root), a_ws = find_op(&pl, MOP_ATTACH, ws);
        assert_true(ov >= 0 && ov_xdg >= 0 && c_bin >= 0 && ov < ro && ov_xdg < ro && c_bin < ro);
        assert_true(a_npm > ro && a_npm < a_ws);
        assert_true(a_cargo > ro && a_bin > a_cargo && a_xdg > ro && a_state > a_xdg);
        assert_non_null(pl.ops[ov].cache_dir);
        assert_non_null(strstr(pl.ops[ov].cache_dir, "/caches/npm"));
        /* the kept toolchain is read-only */
        assert_int_equal(pl.ops[c_bin + 1].kind, MOP_SETATTR);
        assert_true(pl.ops[c_bin + 1].attr & ATTR_RDONLY);
        /* no ~/go: GOPATH points into the xdg overlay; ~/.cargo exists: no CARGO_HOME */
        char want[4200];
        snprintf(want, sizeof(want), "GOPATH=%s/corral-caches/go", xdg);
        assert_true(env_has(&pl, want));
        for (size_t i = 0; i < pl.env.n; i++)
                assert_true(strncmp(pl.env.v[i], "CARGO_HOME=", 11) != 0);
        bool rule = false;
        for (size_t i = 0; i < pl.n_rules; i++)
                rule |= strcmp(pl.rules[i].path, npm) == 0;
        assert_true(rule);
        plan_free(&pl);

        /* private: no lower layer */
        p.caches[CACHE_NPM] = CACHE_PRIVATE;
        build(&p, &pl, 0);
        ov = find_op(&pl, MOP_OVERLAY, NULL);
        for (ov = 0; ov < (int)pl.n_ops; ov++)
                if (pl.ops[ov].kind == MOP_OVERLAY && strstr(pl.ops[ov].cache_dir, "/caches/npm"))
                        break;
        assert_true(ov < (int)pl.n_ops && pl.ops[ov].path == NULL);
        plan_free(&pl);

        /* a deny-read file in a cache: masked over the read-through overlay;
         * beneath a private one it is not there inside, and a mask would
         * have no mount point (every run failed with 125) */
        char *cred = at(home, ".cargo/credentials.toml");
        FILE *f = fopen(cred, "w");
        assert_non_null(f);
        fclose(f);
        strv_push(&p.deny_read, cred);
        p.caches[CACHE_NPM] = CACHE_READ_THROUGH;
        build(&p, &pl, 0);
        assert_true(find_op(&pl, MOP_ATTACH, cred) > find_op(&pl, MOP_ATTACH, cargo));
        plan_free(&pl);
        p.caches[CACHE_CARGO] = CACHE_PRIVATE;
        build(&p, &pl, 0);
        assert_true(find_op(&pl, MOP_ATTACH, cargo) >= 0);
        assert_int_equal(find_op(&pl, MOP_ATTACH, cred), -1);
        plan_free(&pl);
        p.caches[CACHE_CARGO] = CACHE_READ_THROUGH;
        strv_clear(&p.deny_read);
        assert_int_equal(unlink(cred), 0);
        free(cred);

        /* read-only mode and a cache in a writable root: no overlay */
        p.mode = MODE_READ_ONLY;
        build(&p, &pl, 0);
        assert_int_equal(find_op(&pl, MOP_OVERLAY, NULL), -1);
        plan_free(&pl);
        p.mode = MODE_WORKSPACE_WRITE;
        strv_push(&p.writable_roots, npm);
        build(&p, &pl, 0);
        assert_int_equal(find_op(&pl, MOP_OVERLAY, npm), -1);
        plan_free(&pl);
        policy_free(&p);
        free(npm), free(cargo), free(bin), free(xdg), free(state_root);
}

/* The sandbox's /proc (plan_userns.c, plan_proc). Here, unmasked: a new
 * proc of its own, nothing announced. Below a mask (as a container leaves
 * /proc; made in a user and mount namespace of the test's own): the
 * container's /proc, read-only, announced; refused on request and without
 * Landlock. */
static int write_file(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = write(fd, text, strlen(text));
        close(fd);
        return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int masked_child(void) {
        char map[64];
        uid_t uid = getuid();
        gid_t gid = getgid();
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                return 77;
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
        if (write_file("/proc/self/setgroups", "deny") < 0 || write_file("/proc/self/uid_map", map) < 0)
                return 77;
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
        if (write_file("/proc/self/gid_map", map) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("/dev/null", "/proc/uptime", NULL, MS_BIND, NULL) < 0)
                return 77;
        if (proc_new_refused() != EPERM)
                return 10;
        policy p;
        plan pl;
        base_policy(&p);
        char *argv[] = {"true", NULL};
        const char *env[] = {"PATH=/usr/bin:/bin", NULL}, *require[] = {"CORRAL_REQUIRE_OWN_PROC=1", NULL};
        corral_error err = {{0}};
        if (plan_build(&p, argv, env, &pl, &err) < 0)
                return 11;
        int ro = find_op(&pl, MOP_READONLY_ALL, "/proc");
        if (!pl.proc_shared || find_op(&pl, MOP_PROC, NULL) >= 0 || ro < 0 ||
            !(pl.ops[ro].attr & ATTR_RDONLY) || !strv_contains(&pl.notes, pl.proc_shared))
                return 12;
        plan_free(&pl);
        if (plan_build(&p, argv, require, &pl, &err) != -EOPNOTSUPP || !strstr(err.msg, "/proc/uptime") ||
            !strstr(err.msg, "unmask=/proc/*"))
                return 13;
        plan_free(&pl);
        /* without Landlock the container's processes would have one layer
         * less between them and the command: refused (full-access has none) */
        setenv("CORRAL_TEST_LANDLOCK_ABI", "0", 1);
        if (landlock_abi_version() == 0 &&
            (plan_build(&p, argv, env, &pl, &err) != -EOPNOTSUPP || !strstr(err.msg, "only with Landlock")))
                return 15;
        plan_free(&pl);
        p.mode = MODE_FULL_ACCESS;
        if (plan_build(&p, argv, env, &pl, &err) < 0 || !pl.proc_shared || find_op(&pl, MOP_READONLY_ALL, "/proc") < 0)
                return 14;
        plan_free(&pl);
        policy_free(&p);
        return 0;
}

static void test_proc(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        build(&p, &pl, 0);
        char masked[512];
        proc_masks(masked, sizeof(masked));
        if (masked[0]) {
                plan_free(&pl);
                policy_free(&p);
                skip(); /* this test's own /proc is masked: a container */
        }
        assert_int_equal(find_op(&pl, MOP_PROC, "/proc"), find_op(&pl, MOP_PROC, NULL));
        assert_true(find_op(&pl, MOP_PROC, "/proc") > find_op(&pl, MOP_READONLY_ALL, "/"));
        assert_null(pl.proc_shared);
        assert_int_equal(find_op(&pl, MOP_READONLY_ALL, "/proc"), -1);
        plan_free(&pl);
        policy_free(&p);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(masked_child());
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77)
                skip(); /* no user namespaces here */
        assert_int_equal(WEXITSTATUS(status), 0);
}

/* network = proxy: its own network namespace, the listeners planned, the
 * proxy variables set over the caller's; the same on the users backend. */
static void test_network_proxy(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        p.network = NETWORK_PROXY;
        strv_push(&p.allow_domains, "registry.npmjs.org");
        build(&p, &pl, 0);
        assert_true(pl.clone_flags & CLONE_NEWNET);
        assert_true(pl.proxy.on);
        assert_int_equal(pl.proxy.port, 3128);
        assert_true(strv_contains(&pl.env, "CORRAL_NETWORK=proxy"));
        assert_true(strv_contains(&pl.env, "HTTPS_PROXY=http://127.0.0.1:3128"));
        assert_true(strv_contains(&pl.env, "https_proxy=http://127.0.0.1:3128"));
        assert_true(strv_contains(&pl.env, "ALL_PROXY=socks5h://127.0.0.1:3128"));
        assert_true(strv_contains(&pl.env, "NO_PROXY=localhost,127.0.0.1,::1"));
        assert_true(strv_contains(&pl.env, "npm_config_https_proxy=http://127.0.0.1:3128"));
        plan_free(&pl);
        /* off: no listeners, no proxy variables */
        p.network = NETWORK_OFF;
        build(&p, &pl, 0);
        assert_false(pl.proxy.on);
        for (size_t i = 0; i < pl.env.n; i++)
                assert_true(strncmp(pl.env.v[i], "HTTPS_PROXY=", 12) != 0);
        plan_free(&pl);
        /* the users backend plans the same (corral-runner's side: the proxy
         * itself runs in the developer's corral, users/client.c) */
        p.network = NETWORK_PROXY;
        p.backend = BACKEND_USERS;
        build(&p, &pl, 0);
        assert_true(pl.clone_flags & CLONE_NEWNET);
        assert_true(pl.proxy.on);
        assert_true(strv_contains(&pl.env, "HTTPS_PROXY=http://127.0.0.1:3128"));
        plan_free(&pl);
        policy_free(&p);
}

static void test_environment(void **state) {
        (void)state;
        policy p;
        plan pl;
        base_policy(&p);
        strv_push(&p.env_drop, "*_TOKEN");
        strv_push(&p.env_drop, "AWS_*");
        strv_push(&p.env_keep, "KEEP_TOKEN");
        strv_push(&p.env_set, "EDITOR=nano");
        build(&p, &pl, 0);
        assert_true(strv_contains(&pl.env_dropped, "GITHUB_TOKEN"));
        assert_true(strv_contains(&pl.env_dropped, "AWS_REGION"));
        assert_true(strv_contains(&pl.env, "KEEP_TOKEN=k"));
        assert_true(strv_contains(&pl.env, "EDITOR=nano"));
        assert_false(strv_contains(&pl.env, "EDITOR=vi"));
        assert_true(strv_contains(&pl.env, "CORRAL_SANDBOX=1"));
        assert_true(strv_contains(&pl.env, "CORRAL_NETWORK=off"));
        assert_true(strv_contains(&pl.env, "TMPDIR=/tmp"));
        assert_string_equal(pl.exec_candidates.v[0], "/usr/bin/true");
        assert_string_equal(pl.exec_candidates.v[1], "/bin/true");
        plan_free(&pl);
        policy_free(&p);
}


/* Every directory between a writable root's top and a protected object is
 * pinned (cloned and attached onto itself, identity checked), parents
 * first and before the object; the top itself and the object's own
 * directory when it is the top are not. */
static void test_ancestors_pinned_with_identity(void **state) {
        (void)state;
        char *sub = at(ws, "a/sub"), *git = at(ws, "a/sub/.git"), *a = at(ws, "a");
        char *cfg = at(ws, "cfg"), *target = at(ws, "cfg/codex"), *link = at(ws, ".codex");
        assert_int_equal(mkdir(a, 0755), 0);
        assert_int_equal(mkdir(sub, 0755), 0);
        assert_int_equal(mkdir(git, 0755), 0);
        assert_int_equal(mkdir(cfg, 0755), 0);
        assert_int_equal(mkdir(target, 0755), 0);
        assert_int_equal(symlink("cfg/codex", link), 0);
        policy p;
        plan pl;
        base_policy(&p);
        p.protect_depth = 2;
        build(&p, &pl, 0);
        struct stat st_a, st_sub, st_git, st_cfg;
        assert_int_equal(lstat(a, &st_a), 0);
        assert_int_equal(lstat(sub, &st_sub), 0);
        assert_int_equal(lstat(git, &st_git), 0);
        assert_int_equal(lstat(cfg, &st_cfg), 0);
        int pin_a = find_op(&pl, MOP_CLONE, a), pin_sub = find_op(&pl, MOP_CLONE, sub),
            obj = find_op(&pl, MOP_CLONE, git), pin_cfg = find_op(&pl, MOP_CLONE, cfg),
            tgt = find_op(&pl, MOP_CLONE, target);
        assert_true(pin_a >= 0 && pin_sub > pin_a && obj >= 0 && tgt >= 0);
        /* pins are attached parents first, then the objects on them */
        assert_true(find_attach(&pl, pl.ops[obj].slot) > find_attach(&pl, pl.ops[pin_sub].slot));
        assert_true(find_attach(&pl, pl.ops[pin_sub].slot) > find_attach(&pl, pl.ops[pin_a].slot));
        assert_true(pin_cfg >= 0 && find_attach(&pl, pl.ops[tgt].slot) > find_attach(&pl, pl.ops[pin_cfg].slot));
        assert_true(pl.ops[pin_a].verify && pl.ops[pin_a].ino == (uint64_t)st_a.st_ino &&
                    pl.ops[pin_a].dev == (uint64_t)st_a.st_dev);
        assert_true(pl.ops[pin_sub].verify && pl.ops[pin_sub].ino == (uint64_t)st_sub.st_ino);
        assert_true(pl.ops[obj].verify && pl.ops[obj].ino == (uint64_t)st_git.st_ino);
        assert_true(pl.ops[pin_cfg].verify && pl.ops[pin_cfg].ino == (uint64_t)st_cfg.st_ino);
        /* a pin is attached where it was cloned, with the same check, and is
         * not made read-only */
        assert_int_equal(pl.ops[pin_a + 1].kind, MOP_ATTACH);
        assert_string_equal(pl.ops[pin_a + 1].path, a);
        assert_true(pl.ops[pin_a + 1].verify && pl.ops[pin_a + 1].ino == (uint64_t)st_a.st_ino);
        assert_int_equal(find_op(&pl, MOP_CLONE, ws) < pin_a, 1);
        assert_int_equal(pl.n_pins, 3);
        plan_free(&pl);
        policy_free(&p);
        unlink(link);
        rmdir(target), rmdir(cfg), rmdir(git), rmdir(sub), rmdir(a);
        free(sub), free(git), free(a), free(cfg), free(target), free(link);
}

/* A protected object below another protected one (a gitdir inside .git)
 * needs no pin: nothing there can be renamed on a read-only mount. */
static void test_no_pin_inside_protected(void **state) {
        (void)state;
        char *dotgit = at(ws, ".git"), *mods = at(ws, ".git/modules"), *gitdir = at(ws, ".git/modules/m");
        char *m = at(ws, "m"), *gitfile = at(ws, "m/.git");
        assert_int_equal(mkdir(dotgit, 0755), 0);
        assert_int_equal(mkdir(mods, 0755), 0);
        assert_int_equal(mkdir(gitdir, 0755), 0);
        assert_int_equal(mkdir(m, 0755), 0);
        FILE *f = fopen(gitfile, "we");
        assert_non_null(f);
        fprintf(f, "gitdir: ../.git/modules/m\n");
        fclose(f);
        policy p;
        plan pl;
        base_policy(&p);
        p.protect_depth = 1;
        build(&p, &pl, 0);
        assert_true(find_op(&pl, MOP_CLONE, gitdir) >= 0);
        assert_int_equal(find_op(&pl, MOP_CLONE, mods), -1);
        assert_true(find_op(&pl, MOP_CLONE, m) >= 0); /* the .git file's directory is pinned */
        assert_int_equal(pl.n_pins, 1);
        plan_free(&pl);
        policy_free(&p);
        unlink(gitfile);
        rmdir(m), rmdir(gitdir), rmdir(mods), rmdir(dotgit);
        free(dotgit), free(mods), free(gitdir), free(m), free(gitfile);
}

static bool has_placeholder(const plan *pl, const char *path) {
        for (size_t i = 0; i < pl->n_placeholders; i++)
                if (strcmp(pl->placeholders[i].path, path) == 0)
                        return true;
        return false;
}

/* Regression (users backend): for a missing include conf.d/other.inc the
 * developer's corral made its placeholder at conf.d, the first missing
 * component; the runner, planning after it, saw conf.d and wanted one at
 * conf.d/other.inc, which nobody held, and refused every such run (125).
 * The runner now protects the empty conf.d; a non-empty one is no
 * placeholder (the held check refuses); without held roots nothing changes. */
static void test_held_git_placeholder_is_the_first_missing(void **state) {
        (void)state;
        _cleanup_free_ char *dotgit = at(ws, ".git"), *config = at(ws, ".git/config"), *confd = at(ws, "conf.d"),
                            *inc = at(ws, "conf.d/other.inc"), *other = at(ws, "conf.d/x");
        assert_int_equal(mkdir(dotgit, 0755), 0);
        FILE *f = fopen(config, "w");
        assert_non_null(f);
        fprintf(f, "[includeIf \"onbranch:x\"]\n\tpath = ../conf.d/other.inc\n");
        fclose(f);
        policy p;
        plan pl;
        base_policy(&p);
        strv_push(&p.held_roots, ws);
        build(&p, &pl, 0); /* the developer's corral's view: conf.d missing */
        assert_true(has_placeholder(&pl, confd));
        assert_false(has_placeholder(&pl, inc));
        plan_free(&pl);
        assert_int_equal(mkdir(confd, 0755), 0); /* its placeholder, as the runner sees it */
        build(&p, &pl, 0);
        assert_false(has_placeholder(&pl, inc));
        int c = find_op(&pl, MOP_CLONE, confd);
        assert_true(c >= 0);
        assert_true(read_only_clone(&pl, c));
        plan_free(&pl);
        touch(other); /* not empty: not a placeholder */
        build(&p, &pl, 0);
        assert_true(has_placeholder(&pl, inc)); /* (conf.d is only pinned: it leads to it) */
        plan_free(&pl);
        unlink(other);
        strv_clear(&p.held_roots); /* userns: its own placeholder at the deeper path */
        build(&p, &pl, 0);
        assert_true(has_placeholder(&pl, inc)); /* (conf.d is only pinned: it leads to it) */
        plan_free(&pl);
        policy_free(&p);
        rmdir(confd);
        unlink(config);
        rmdir(dotgit);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_writable_root_cloned_before_readonly),
                cmocka_unit_test(test_plan_outlives_its_policy),
                cmocka_unit_test(test_missing_protected_name_gets_placeholder),
                cmocka_unit_test(test_existing_protected_dir_no_placeholder),
                cmocka_unit_test(test_placeholder_bookkeeping_hidden_and_held),
                cmocka_unit_test(test_symlinked_protected_name),
                cmocka_unit_test(test_git_file_protects_gitdir),
                cmocka_unit_test(test_git_commits_sorts_the_gitdir),
                cmocka_unit_test(test_gitdir_table),
                cmocka_unit_test(test_gitdir_in_host_tmp_protected),
                cmocka_unit_test(test_sha256_vectors),
                cmocka_unit_test(test_state_dir_protected_in_writable_root),
                cmocka_unit_test(test_deny_read_masks_existing_paths),
                cmocka_unit_test(test_masks_skip_invisible),
                cmocka_unit_test(test_deny_hiding_writable_root_refused),
                cmocka_unit_test(test_allow_read_carve_out),
                cmocka_unit_test(test_read_only_mode),
                cmocka_unit_test(test_full_access),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_environment),
                cmocka_unit_test(test_network_proxy),
                cmocka_unit_test(test_proc),
                cmocka_unit_test(test_caches),
                cmocka_unit_test(test_ancestors_pinned_with_identity),
                cmocka_unit_test(test_no_pin_inside_protected),
                cmocka_unit_test(test_held_git_placeholder_is_the_first_missing),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
