/* SPDX-License-Identifier: MIT
 * The plan of the users backend without namespaces (users/plan_nonamespace.h):
 * which Landlock write rules enforce the writable roots and the protected
 * names, the environment, and what is refused. No privileges needed. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "apply/landlock.h"
#include "common/path.h"
#include "kernel/probe.h"
#include "users/plan_nonamespace.h"

static char root[] = "/var/tmp/corral-test-nons-XXXXXX";
static char *ws, *home, *cache;

static char *at(const char *base, const char *rel) {
        char *p = path_join(base, rel);
        assert_non_null(p);
        return p;
}

static void touch(const char *base, const char *rel) {
        char *p = at(base, rel);
        int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        close(fd);
        free(p);
}

static void mkdir_at(const char *base, const char *rel) {
        char *p = at(base, rel);
        assert_int_equal(mkdir(p, 0755), 0);
        free(p);
}

static int setup(void **state) {
        (void)state;
        assert_non_null(mkdtemp(root));
        ws = at(root, "ws");
        home = at(root, "home");
        cache = at(root, "home/.cache");
        assert_int_equal(mkdir(ws, 0755), 0);
        assert_int_equal(mkdir(home, 0755), 0);
        assert_int_equal(mkdir(cache, 0755), 0);
        mkdir_at(cache, "pip");
        mkdir_at(cache, "corral");
        /* ws: .git/, src/, top.txt, link -> src, sub/ with sub/.git and sub/file */
        mkdir_at(ws, ".git");
        touch(ws, ".git/config");
        mkdir_at(ws, "src");
        touch(ws, "src/a.c");
        touch(ws, "top.txt");
        char *link = at(ws, "link");
        assert_int_equal(symlink("src", link), 0);
        free(link);
        mkdir_at(ws, "sub");
        mkdir_at(ws, "sub/.git");
        touch(ws, "sub/file");
        return 0;
}

static int teardown(void **state) {
        (void)state;
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        return system(cmd);
}

static void base_policy(policy *p) {
        memset(p, 0, sizeof(*p));
        p->mode = MODE_WORKSPACE_WRITE;
        p->network = NETWORK_OFF;
        p->tmp = TMP_WORKSPACE;
        p->backend = BACKEND_USERS;
        p->protect_depth = 1;
        p->workspace = strdup(ws);
        p->cwd = strdup(ws);
        p->home = strdup(home);
        strv_push(&p->writable_roots, ws);
        strv_push(&p->writable_roots, cache); /* the sandbox user's cache: not the developer's */
        const char *names[] = {".git", ".codex", ".agents", ".corral", ".corral.toml"};
        for (size_t i = 0; i < 5; i++)
                strv_push(&p->protect, names[i]);
}

static int build(const policy *p, plan *pl, corral_error *err) {
        char *argv[] = {"true", NULL};
        const char *env[] = {"PATH=/usr/bin:/bin", "HOME=/home/x", "TMPDIR=/somewhere", NULL};
        return plan_build_nonamespace(p, 1, argv, env, pl, err);
}

static const landlock_rule *rule_for(const plan *pl, const char *dir, const char *rel) {
        char *p = rel ? at(dir, rel) : strdup(dir);
        const landlock_rule *hit = NULL;
        for (size_t i = 0; i < pl->n_rules && !hit; i++)
                if (strcmp(pl->rules[i].path, p) == 0)
                        hit = &pl->rules[i];
        free(p);
        return hit;
}

static void test_protected_names_by_construction(void **state) {
        (void)state;
        if (landlock_abi_version() < 6)
                skip();
        policy p;
        plan pl;
        corral_error err = {{0}};
        base_policy(&p);
        int r = build(&p, &pl, &err);
        if (r != 0)
                fail_msg("plan_build_nonamespace: %d %s", r, err.msg);
        assert_int_equal(pl.clone_flags, 0);
        assert_int_equal(pl.n_ops, 0);
        assert_true(pl.confine && pl.landlock_scopes);
        /* the workspace itself is never granted: its top level is fixed */
        assert_null(rule_for(&pl, ws, NULL));
        assert_non_null(rule_for(&pl, ws, "src"));
        assert_non_null(rule_for(&pl, ws, "top.txt"));
        assert_null(rule_for(&pl, ws, ".git"));
        assert_null(rule_for(&pl, ws, ".git/config"));
        assert_null(rule_for(&pl, ws, "link")); /* a rule would follow it */
        /* a directory holding a nested protected name: its entries, not it */
        assert_null(rule_for(&pl, ws, "sub"));
        assert_null(rule_for(&pl, ws, "sub/.git"));
        assert_non_null(rule_for(&pl, ws, "sub/file"));
        /* the sandbox user's cache: granted, but for corral's own state in
         * it, which later runs with namespaces read */
        assert_null(rule_for(&pl, cache, NULL));
        assert_non_null(rule_for(&pl, cache, "pip"));
        assert_null(rule_for(&pl, cache, "corral"));
        /* TMPDIR: this workspace's directory in the sandbox user's cache */
        bool tmpdir = false;
        for (size_t i = 0; i < pl.env.n; i++)
                tmpdir |= strncmp(pl.env.v[i], "TMPDIR=", 7) == 0 && strstr(pl.env.v[i], "/.cache/corral/workspaces/") &&
                          strcmp(pl.env.v[i] + 7, pl.tmp_dir) == 0;
        assert_true(tmpdir);
        assert_non_null(rule_for(&pl, pl.tmp_dir, NULL));
        assert_null(rule_for(&pl, "/tmp", NULL));
        assert_true(pl.notes.n > 0);
        plan_free(&pl);
        policy_free(&p);
}

static void test_git_file_excludes_gitdir(void **state) {
        (void)state;
        if (landlock_abi_version() < 6)
                skip();
        /* a worktree: ws/wt/.git is a file naming ws/src/gitdir */
        mkdir_at(ws, "wt");
        mkdir_at(ws, "src/gitdir");
        char *gitfile = at(ws, "wt/.git");
        FILE *f = fopen(gitfile, "we");
        assert_non_null(f);
        fprintf(f, "gitdir: ../src/gitdir\n");
        fclose(f);
        policy p;
        plan pl;
        corral_error err = {{0}};
        base_policy(&p);
        char *wt = at(ws, "wt");
        strv_push(&p.writable_roots, wt); /* a developer's root too: protected names apply at its top */
        char *argv[] = {"true", NULL};
        const char *env[] = {"PATH=/usr/bin:/bin", NULL};
        /* roots: ws, cache, wt -> only ws is the developer's here (n_dev_roots 1)... */
        assert_int_equal(plan_build_nonamespace(&p, 1, argv, env, &pl, &err), 0);
        plan_free(&pl);
        /* ...then ws and the cache and wt all as the developer's */
        assert_int_equal(plan_build_nonamespace(&p, 3, argv, env, &pl, &err), 0);
        assert_null(rule_for(&pl, ws, "src")); /* holds the gitdir: fixed */
        assert_null(rule_for(&pl, ws, "src/gitdir"));
        assert_non_null(rule_for(&pl, ws, "src/a.c"));
        /* each rule is for the object the plan saw (checked when added) */
        struct stat st;
        char *ac = at(ws, "src/a.c");
        assert_int_equal(lstat(ac, &st), 0);
        assert_true(rule_for(&pl, ws, "src/a.c")->verify);
        assert_true(rule_for(&pl, ws, "src/a.c")->ino == (uint64_t)st.st_ino);
        free(ac);
        assert_null(rule_for(&pl, wt, NULL));
        plan_free(&pl);
        policy_free(&p);
        unlink(gitfile);
        free(gitfile);
        rmdir(wt);
        free(wt);
        char *gd = at(ws, "src/gitdir");
        rmdir(gd);
        free(gd);
}

static void test_host_tmp_and_limits(void **state) {
        (void)state;
        if (landlock_abi_version() < 6)
                skip();
        policy p;
        plan pl;
        corral_error err = {{0}};
        base_policy(&p);
        p.tmp = TMP_HOST;
        assert_int_equal(build(&p, &pl, &err), 0);
        assert_non_null(rule_for(&pl, "/tmp", NULL));
        assert_null(pl.tmp_dir);
        plan_free(&pl);
        p.limits.v[LIMIT_MEMORY] = 1 << 20;
        assert_int_equal(build(&p, &pl, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.msg, "limits.memory"));
        plan_free(&pl);
        policy_free(&p);
}

static void test_check_reads(void **state) {
        (void)state;
        policy p;
        corral_error err = {{0}};
        base_policy(&p);
        char *missing = at(home, ".netrc");
        strv_push(&p.deny_read, missing);
        assert_int_equal(nonamespace_check_reads(&p, &err), 0);
        touch(home, ".netrc");
        chmod(missing, 0644);
        assert_int_equal(nonamespace_check_reads(&p, &err), -EACCES); /* readable by us */
        assert_non_null(strstr(err.msg, missing));
        strv_push(&p.allow_read, missing); /* carved back out: allowed */
        assert_int_equal(nonamespace_check_reads(&p, &err), 0);
        unlink(missing);
        free(missing);
        policy_free(&p);
}

/* network = proxy: no network namespace for the listeners: the plan has the
 * proxy on the host's loopback (users/client.c listens there and serves
 * corral-offline's sockets only, with this run's token), the variables
 * point at it, and the command runs offline; never with the network on. */
static void test_proxy_on_host_loopback(void **state) {
        (void)state;
        policy p;
        plan pl;
        corral_error err = {{0}};
        base_policy(&p);
        p.network = NETWORK_PROXY;
        strv_push(&p.allow_domains, "example.org");
        assert_int_equal(build(&p, &pl, &err), 0);
        assert_true(pl.proxy.on && pl.proxy.host);
        assert_int_equal(pl.proxy.port, 3128);
        /* with the run's own credentials (net/proxyauth.h): every run's
         * command is corral-offline */
        assert_int_equal(strlen(pl.proxy.token), 32);
        char want[128];
        snprintf(want, sizeof(want), "HTTPS_PROXY=http://corral:%s@127.0.0.1:3128", pl.proxy.token);
        bool var = false, net = false;
        for (size_t i = 0; i < pl.env.n; i++) {
                var |= strcmp(pl.env.v[i], want) == 0;
                net |= strcmp(pl.env.v[i], "CORRAL_NETWORK=proxy") == 0;
        }
        assert_true(var && net);
        plan_free(&pl);
        policy_free(&p);
}

static void test_blocked_errnos(void **state) {
        (void)state;
        assert_true(userns_blocked(EPERM) && userns_blocked(ENOSPC) && userns_blocked(EINVAL));
        assert_false(userns_blocked(0) || userns_blocked(ENOMEM) || userns_blocked(EAGAIN));
}

/* Older kernels, simulated (CORRAL_TEST_LANDLOCK_ABI): below ABI 6 the
 * namespace-less plan is refused, naming the ABI it needs and the one it
 * found. (In corral-runner the switch cannot be set: its environment is
 * empty; this checks the refusal itself.) */
static void test_refused_below_abi_6(void **state) {
        (void)state;
        int kernel = landlock_kernel_abi();
        if (kernel < 2)
                skip();
        for (int abi = 0; abi < kernel && abi < 6; abi++) {
                char v[2] = {(char)('0' + abi), 0};
                setenv("CORRAL_TEST_LANDLOCK_ABI", v, 1);
                policy p;
                plan pl;
                corral_error err = {{0}};
                base_policy(&p);
                int r = build(&p, &pl, &err);
                unsetenv("CORRAL_TEST_LANDLOCK_ABI");
                assert_int_equal(r, -EOPNOTSUPP);
                char want[64];
                snprintf(want, sizeof(want), "this kernel has ABI %d", abi);
                assert_non_null(strstr(err.msg, "without namespaces the users backend needs Landlock ABI 6 (Linux 6.12)"));
                assert_non_null(strstr(err.msg, want));
                plan_free(&pl);
                policy_free(&p);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_refused_below_abi_6),
                cmocka_unit_test(test_protected_names_by_construction),
                cmocka_unit_test(test_git_file_excludes_gitdir),
                cmocka_unit_test(test_host_tmp_and_limits),
                cmocka_unit_test(test_check_reads),
                cmocka_unit_test(test_blocked_errnos),
                cmocka_unit_test(test_proxy_on_host_loopback),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
