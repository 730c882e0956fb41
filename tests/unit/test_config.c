/* SPDX-License-Identifier: MIT
 * Unit tests: config layers (defaults, TOML files, flags). Merging and
 * narrowing are tested in test_policy.c. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/macro.h"
#include "config/config.h"

#define HOME "/home/u"

static config_layer L;
static corral_error E;

static int setup(void **state) {
        (void)state;
        config_layer_init(&L, ORIGIN_USER, "test.toml");
        E.msg[0] = '\0';
        return 0;
}

static int teardown(void **state) {
        (void)state;
        config_layer_done(&L);
        return 0;
}

static int load(const char *text) {
        E.msg[0] = '\0';
        return config_layer_load_string(&L, text, strlen(text), HOME, &E);
}

static void load_ok(const char *text) {
        int r = load(text);
        if (r < 0)
                fail_msg("'%s': %s", text, E.msg);
}

static void assert_contains(const char *haystack, const char *needle) {
        if (!strstr(haystack, needle))
                fail_msg("'%s' does not contain '%s'", haystack, needle);
}

/* Loads text into a fresh layer, expects -EINVAL and a message with want. */
static void load_fails(const char *text, const char *want) {
        config_layer_done(&L);
        config_layer_init(&L, ORIGIN_USER, "test.toml");
        int r = load(text);
        if (r != -EINVAL)
                fail_msg("'%s': expected -EINVAL, got %d (%s)", text, r, E.msg);
        assert_contains(E.msg, want);
}

static int set(const char *key, const char *value) {
        E.msg[0] = '\0';
        return config_layer_set(&L, key, value, HOME, &E);
}

static void set_ok(const char *key, const char *value) {
        int r = set(key, value);
        if (r < 0)
                fail_msg("set %s=%s: %s", key, value, E.msg);
}

static void set_fails(const char *key, const char *value, const char *want) {
        int r = set(key, value);
        if (r != -EINVAL)
                fail_msg("set %s=%s: expected -EINVAL, got %d", key, value, r);
        assert_contains(E.msg, want);
}

/* --- defaults ------------------------------------------------------------ */

/* The variables that move a default secret (config.c, moved_secrets). */
static const char *const moving_vars[] = {
        "GNUPGHOME", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AZURE_CONFIG_DIR", "CLOUDSDK_CONFIG",
        "KUBECONFIG", "DOCKER_CONFIG", "NETRC", "GH_CONFIG_DIR", "XDG_CONFIG_HOME", "RCLONE_CONFIG", "CODEX_HOME",
        "CLAUDE_CONFIG_DIR", "CARGO_HOME", "XDG_CACHE_HOME", "HF_HOME", "HF_TOKEN_PATH", "XDG_DATA_HOME",
        "PASSWORD_STORE_DIR", "HISTFILE", "PYTHON_HISTORY", "NODE_REPL_HISTORY", "PSQL_HISTORY", "MYSQL_HISTFILE",
};

static void unset_moving_vars(void) {
        for (size_t i = 0; i < ELEMENTSOF(moving_vars); i++)
                unsetenv(moving_vars[i]);
}

/* A secret a tool's variable moves is hidden there too; nothing that would
 * hide / or the home, nothing relative. */
static void test_defaults_moved_secrets(void **state) {
        (void)state;
        unset_moving_vars();
        char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
        setenv("HOME", "/home/u", 1);
        setenv("XDG_CACHE_HOME", "/data/cache", 1);
        setenv("HF_HOME", "/data/hf/", 1);
        setenv("KUBECONFIG", "/k/one:relative/two::/k/three", 1);
        setenv("GNUPGHOME", "/home/u", 1);
        setenv("CARGO_HOME", "/", 1);
        setenv("NETRC", "netrc", 1);
        config_layer d = {0};
        assert_int_equal(config_layer_defaults(&d, &E), 0);
        assert_true(strv_contains(&d.deny_read, "/data/cache/huggingface/token"));
        assert_true(strv_contains(&d.deny_read, "/data/hf/token"));
        assert_true(strv_contains(&d.deny_read, "/k/one"));
        assert_true(strv_contains(&d.deny_read, "/k/three"));
        assert_true(strv_contains(&d.deny_read, "/credentials.toml")); /* CARGO_HOME=/: its files, not / */
        for (size_t i = 0; i < d.deny_read.n; i++) {
                assert_string_not_equal(d.deny_read.v[i], "/");
                assert_string_not_equal(d.deny_read.v[i], "/home/u");
                assert_true(d.deny_read.v[i][0] == '/' || d.deny_read.v[i][0] == '~');
        }
        config_layer_done(&d);
        unset_moving_vars();
        if (home)
                setenv("HOME", home, 1);
        free(home);
}

static void test_defaults(void **state) {
        (void)state;
        unset_moving_vars();
        config_layer d = {0};
        assert_int_equal(config_layer_defaults(&d, &E), 0);
        assert_int_equal(d.origin, ORIGIN_DEFAULTS);
        assert_string_equal(d.source, "built-in defaults");
        assert_true(d.has_mode && d.has_network && d.has_tmp && d.has_timeout);
        assert_false(d.has_allow_broad_roots);
        assert_false(d.has_backend);
        assert_int_equal(d.mode, MODE_WORKSPACE_WRITE);
        assert_int_equal(d.network, NETWORK_OFF);
        assert_int_equal(d.tmp, TMP_WORKSPACE);
        assert_int_equal(d.timeout_ms, 0);
        assert_true(d.has_report_denials); /* on by default, at the writes level (issue 11) */
        assert_int_equal(d.report_denials, DENIALS_WRITES);

        const char *protect[] = { ".git", "HEAD", ".corral", ".corral.toml", ".hg", ".sl", ".jj", ".codex", ".agents", ".claude",
                                  ".mcp.json", ".gemini", ".cursor", ".aider.conf.yml", ".opencode",
                                  "opencode.json", "opencode.jsonc", ".roo", ".continue", ".kiro", ".amazonq",
                                  ".qwen", ".crush.json", "crush.json", ".clinerules", ".windsurf", ".factory",
                                  ".kilocode", ".kilo", "kilo.json", "kilo.jsonc",
                                  ".vscode", ".idea", ".zed", ".helix", ".devcontainer", ".devcontainer.json",
                                  ".pre-commit-config.yaml", "lefthook.yml", ".lefthook.yml", "lefthook.yaml",
                                  ".lefthook.yaml", "lefthook.toml", ".lefthook.toml", "lefthook.json",
                                  ".lefthook.json", "lefthook.jsonc", ".lefthook.jsonc", "lefthook-local.yml",
                                  ".lefthook-local.yml", "lefthook-local.yaml", ".lefthook-local.yaml",
                                  "lefthook-local.toml", ".lefthook-local.toml", "lefthook-local.json",
                                  ".lefthook-local.json", "lefthook-local.jsonc", ".lefthook-local.jsonc",
                                  ".lefthook", ".lefthook-local", "mise.toml", ".mise.toml", "mise.local.toml",
                                  ".mise.local.toml", ".rtx.toml", ".rtx.local.toml", ".mise", ".tool-versions" };
        assert_int_equal(d.protect.n, ELEMENTSOF(protect));
        for (size_t i = 0; i < ELEMENTSOF(protect); i++)
                assert_string_equal(d.protect.v[i], protect[i]);

        const char *deny[] = { "~/.ssh",           "~/.gnupg",           "~/.aws",
                               "~/.azure",         "~/.config/gcloud",   "~/.kube",
                               "~/.docker/config.json", "~/.netrc",      "~/.git-credentials",
                               "~/.config/gh",     "~/.pypirc",          "~/.codex/auth.json",
                               "~/.claude/.credentials.json",
                               "~/.gemini/oauth_creds.json", "~/.config/github-copilot",
                               "~/.local/share/opencode/auth.json", "~/.pgpass", "~/.my.cnf",
                               "~/.cargo/credentials.toml", "~/.cargo/credentials", "~/.gem/credentials",
                               "~/.terraform.d/credentials.tfrc.json", "~/.vault-token",
                               "~/.cache/huggingface/token", "~/.config/rclone/rclone.conf", "~/.s3cfg", "~/.boto",
                               "~/.mozilla", "~/.config/google-chrome", "~/.config/chromium",
                               "~/.local/share/keyrings", "~/.password-store",
                               "~/.bash_history",  "~/.zsh_history",     "~/.local/share/fish/fish_history",
                               "~/.python_history", "~/.node_repl_history", "~/.psql_history",
                               "~/.mysql_history", "~/.sqlite_history" };
        assert_int_equal(d.deny_read.n, 40);
        for (size_t i = 0; i < 40; i++)
                assert_string_equal(d.deny_read.v[i], deny[i]);

        const char *drop[] = { "*_TOKEN", "*_SECRET", "*_API_KEY", "*_PASSWORD", "AWS_*", "*_PAT", "*_SECRET_KEY",
                               "*_PRIVATE_KEY", "*_PASSPHRASE", "*_CREDENTIALS", "PGPASSWORD", "MYSQL_PWD" };
        assert_int_equal(d.env_drop.n, 12);
        for (size_t i = 0; i < 12; i++)
                assert_string_equal(d.env_drop.v[i], drop[i]);

        assert_int_equal(d.writable_roots.n + d.allow_read.n + d.allow_unix_sockets.n + d.env_keep.n + d.env_set.n, 0);
        config_layer_done(&d);

        /* on an initialised layer the source stays */
        config_layer_init(&d, ORIGIN_DEFAULTS, "defaults");
        assert_int_equal(config_layer_defaults(&d, &E), 0);
        assert_string_equal(d.source, "defaults");
        config_layer_done(&d);
}

/* --- TOML: each key --------------------------------------------------------- */

static void test_mode(void **state) {
        (void)state;
        load_ok("# comment\n\nmode = \"read-only\"\n");
        assert_true(L.has_mode);
        assert_int_equal(L.mode, MODE_READ_ONLY);
        assert_int_equal(L.line_mode, 3);
        load_ok("mode = \"full-access\"");
        assert_int_equal(L.mode, MODE_FULL_ACCESS);
        load_ok("mode = \"workspace-write\"");
        assert_int_equal(L.mode, MODE_WORKSPACE_WRITE);
        load_fails("\nmode = \"readonly\"\n", "test.toml:2: key 'mode': unknown mode 'readonly'");
        load_fails("mode = 1\n", "test.toml:1: key 'mode': expected a string, got integer");
        load_fails("mode = [\"read-only\"]\n", "key 'mode': expected a string");
}

static void test_network(void **state) {
        (void)state;
        load_ok("network = \"on\"");
        assert_true(L.has_network);
        assert_int_equal(L.network, NETWORK_ON);
        assert_int_equal(L.line_network, 1);
        load_ok("network = \"off\"");
        assert_int_equal(L.network, NETWORK_OFF);
        load_ok("network = true");
        assert_int_equal(L.network, NETWORK_ON);
        load_ok("network = false");
        assert_int_equal(L.network, NETWORK_OFF);
        load_fails("network = \"yes\"", "test.toml:1: key 'network': unknown network mode 'yes'");
        load_fails("network = 1", "key 'network': expected \"off\", \"on\" or a boolean, got integer");
}

static void test_tmp(void **state) {
        (void)state;
        load_ok("tmp = \"private\"");
        assert_true(L.has_tmp);
        assert_int_equal(L.tmp, TMP_PRIVATE);
        load_ok("tmp = \"host\"");
        assert_int_equal(L.tmp, TMP_HOST);
        load_ok("tmp = \"workspace\"");
        assert_int_equal(L.tmp, TMP_WORKSPACE);
        load_fails("tmp = \"shared\"", "key 'tmp': unknown tmp kind 'shared'");
        load_fails("tmp = true", "key 'tmp': expected a string, got bool");
}

static void test_protect_depth(void **state) {
        (void)state;
        load_ok("protect_depth = 3");
        assert_true(L.has_protect_depth);
        assert_int_equal(L.protect_depth, 3);
        load_ok("protect_depth = 0");
        assert_int_equal(L.protect_depth, 0);
        load_fails("protect_depth = -1", "not a number of directory levels");
        load_fails("protect_depth = 33", "to 32");
        load_fails("protect_depth = 2.5", "an integer");
        load_fails("protect_depth = \"2\"", "an integer");
        config_layer d = {0};
        corral_error err = {{0}};
        assert_int_equal(config_layer_defaults(&d, &err), 0);
        assert_int_equal(d.protect_depth, PROTECT_DEPTH_DEFAULT);
        config_layer_done(&d);
}

static void test_timeout(void **state) {
        (void)state;
        load_ok("timeout = 30");
        assert_true(L.has_timeout);
        assert_int_equal(L.timeout_ms, 30000);
        load_ok("timeout = 1.5");
        assert_int_equal(L.timeout_ms, 1500);
        load_ok("timeout = 0.0001"); /* rounded up: still a timeout */
        assert_int_equal(L.timeout_ms, 1);
        load_ok("timeout = 0");
        assert_true(L.has_timeout);
        assert_int_equal(L.timeout_ms, 0);
        load_fails("timeout = -1", "key 'timeout': expected seconds");
        load_fails("timeout = -0.5", "key 'timeout'");
        load_fails("timeout = inf", "key 'timeout'");
        load_fails("timeout = nan", "key 'timeout'");
        load_fails("timeout = 1e12", "key 'timeout'");
        load_fails("timeout = \"30\"", "key 'timeout': expected a number of seconds, got string");
}

static void test_limits(void **state) {
        (void)state;
        load_ok("[limits]\nmemory = \"512M\"\npids = 100\ncpu = \"60\"\ntmp = 1048576\n");
        assert_int_equal(L.has_limits, 0xf);
        assert_int_equal(L.limits.v[LIMIT_MEMORY], 512ULL << 20);
        assert_int_equal(L.limits.v[LIMIT_PIDS], 100);
        assert_int_equal(L.limits.v[LIMIT_CPU], 60);
        assert_int_equal(L.limits.v[LIMIT_TMP], 1 << 20);
        assert_int_equal(L.line_limits[LIMIT_PIDS], 3);
        config_layer_done(&L);
        config_layer_init(&L, ORIGIN_USER, "test.toml");
        load_ok("limits = { memory = \"2g\", tmp = \"64K\" }");
        assert_int_equal(L.limits.v[LIMIT_MEMORY], 2ULL << 30);
        assert_int_equal(L.limits.v[LIMIT_TMP], 64 << 10);
        assert_int_equal(L.has_limits, (1u << LIMIT_MEMORY) | (1u << LIMIT_TMP));
        config_layer_done(&L);
        config_layer_init(&L, ORIGIN_USER, "test.toml");
        load_ok("[limits]\nmemory = 0"); /* 0: none, but set (it overrides a lower layer) */
        assert_int_equal(L.has_limits, 1u << LIMIT_MEMORY);
        assert_int_equal(L.limits.v[LIMIT_MEMORY], 0);
        load_fails("[limits]\nmemory = \"12X\"", "key 'limits.memory': '12X' is not a size");
        load_fails("[limits]\nmemory = \"512\"", "key 'limits.memory': '512' is out of range");
        load_fails("[limits]\nmemory = -1", "key 'limits.memory': a limit cannot be negative");
        load_fails("[limits]\npids = \"10K\"", "key 'limits.pids': '10K' is not a whole number of processes");
        load_fails("[limits]\npids = 5000000", "key 'limits.pids': '5000000' is out of range");
        load_fails("[limits]\ncpu = 1.5", "key 'limits.cpu': expected an integer or a string");
        load_fails("[limits]\ncpu = \"1s\"", "key 'limits.cpu'");
        load_fails("[limits]\ndisk = 1", "unknown key 'limits.disk' (expected memory, pids, cpu or tmp)");
        load_fails("limits = 5", "key 'limits': expected a table");
        load_fails("[limits]\nmemory = \"99999999999999999999999G\"", "key 'limits.memory'");
        set_ok("limits.memory", "1G");
        assert_int_equal(L.limits.v[LIMIT_MEMORY], 1ULL << 30);
        set_ok("limits.tmp", "4096");
        assert_int_equal(L.limits.v[LIMIT_TMP], 4096);
        set_fails("limits.cpu", "", "key 'limits.cpu'");
        set_fails("limits.cpu", "-5", "key 'limits.cpu'");
        set_fails("limits.tmp", "1M ", "key 'limits.tmp'");
        set_fails("limits.tmp", "1MB", "key 'limits.tmp'");
}

static void test_lists(void **state) {
        (void)state;
        load_ok("writable_roots = [\"/opt/cache\", \"/opt/cache\", \"build\"]\n"
                "protect = [\".env\", \".git\"]\n"
                "deny_read = [\"/etc/shadow\"]\n"
                "allow_read = [\"/home/u/.ssh/known_hosts\"]\n"
                "allow_unix_sockets = [\"/run/user/1000/bus\"]\n");
        assert_int_equal(L.writable_roots.n, 2); /* deduplicated */
        assert_string_equal(L.writable_roots.v[0], "/opt/cache");
        assert_string_equal(L.writable_roots.v[1], "build"); /* relative: resolved later */
        assert_int_equal(L.line_writable_roots, 1);
        assert_int_equal(L.protect.n, 2);
        assert_int_equal(L.deny_read.n, 1);
        assert_int_equal(L.line_deny_read, 3);
        assert_int_equal(L.allow_read.n, 1);
        assert_int_equal(L.line_allow_read, 4);
        assert_int_equal(L.allow_unix_sockets.n, 1);
        assert_int_equal(L.line_allow_unix_sockets, 5);

        /* a second file appends */
        load_ok("protect = [\".vscode\", \".env\"]\n");
        assert_int_equal(L.protect.n, 3);

        /* empty arrays are fine */
        load_ok("writable_roots = []\n");
        assert_int_equal(L.writable_roots.n, 2);

        load_fails("writable_roots = \"/x\"", "key 'writable_roots': expected an array of strings, got string");
        load_fails("\ndeny_read = [\"/x\", 1]", "test.toml:2: key 'deny_read': expected an array of strings, got integer");
        load_fails("allow_read = [[\"/x\"]]", "key 'allow_read': expected an array of strings, got array");
        load_fails("allow_unix_sockets = {}", "key 'allow_unix_sockets': expected an array of strings, got table");
        load_fails("deny_read = [\"\"]", "key 'deny_read': path '' is empty");
}

static void test_protect_names(void **state) {
        (void)state;
        load_fails("protect = [\"a/b\"]", "key 'protect': 'a/b' is not a plain name");
        load_fails("protect = [\".git/hooks\"]", "not a plain name");
        load_fails("protect = [\".\"]", "key 'protect': '.' is not a plain name");
        load_fails("protect = [\"..\"]", "key 'protect': '..' is not a plain name");
        load_fails("protect = [\"\"]", "key 'protect': '' is empty");
        load_fails("protect = [\"/\"]", "not a plain name");
        load_ok("protect = [\"...\", \".git~\", \"node_modules\"]");
        assert_int_equal(L.protect.n, 3);
}

static void test_home_expansion(void **state) {
        (void)state;
        load_ok("deny_read = [\"~\", \"~/.secret\", \"$HOME/.x\", \"${HOME}/y\", \"/abs/~/z\"]\n"
                "writable_roots = [\"~/cache\"]\nallow_read = [\"$HOME\"]\nallow_unix_sockets = [\"~/s.sock\"]\n");
        assert_string_equal(L.deny_read.v[0], "/home/u");
        assert_string_equal(L.deny_read.v[1], "/home/u/.secret");
        assert_string_equal(L.deny_read.v[2], "/home/u/.x");
        assert_string_equal(L.deny_read.v[3], "/home/u/y");
        assert_string_equal(L.deny_read.v[4], "/abs/~/z");
        assert_string_equal(L.writable_roots.v[0], "/home/u/cache");
        assert_string_equal(L.allow_read.v[0], "/home/u");
        assert_string_equal(L.allow_unix_sockets.v[0], "/home/u/s.sock");

        load_fails("deny_read = [\"~bob/.ssh\"]", "key 'deny_read': path '~bob/.ssh' uses an expansion corral does not do");
        load_fails("deny_read = [\"$XDG_DATA_HOME/x\"]", "only ~ and $HOME expand");
        load_fails("deny_read = [\"$HOMEDIR\"]", "only ~ and $HOME expand");

        /* without a home the path is kept for policy_resolve */
        config_layer_done(&L);
        config_layer_init(&L, ORIGIN_USER, "test.toml");
        const char *t = "deny_read = [\"~/.ssh\"]";
        assert_int_equal(config_layer_load_string(&L, t, strlen(t), NULL, &E), 0);
        assert_string_equal(L.deny_read.v[0], "~/.ssh");
}

static void test_allow_broad_roots(void **state) {
        (void)state;
        load_ok("allow_broad_roots = true");
        assert_true(L.has_allow_broad_roots);
        assert_true(L.allow_broad_roots);
        assert_int_equal(L.line_allow_broad_roots, 1);
        load_ok("allow_broad_roots = false");
        assert_false(L.allow_broad_roots);
        load_fails("allow_broad_roots = \"yes\"", "key 'allow_broad_roots': expected a boolean, got string");
}

/* report_denials: a level ("writes", "all", "off") or a boolean, true being
 * what it has always meant (all); the flag's values are the same. */
static void test_report_denials(void **state) {
        (void)state;
        load_ok("report_denials = true");
        assert_true(L.has_report_denials);
        assert_int_equal(L.report_denials, DENIALS_ALL);
        load_ok("report_denials = false");
        assert_true(L.has_report_denials);
        assert_int_equal(L.report_denials, DENIALS_OFF);
        load_ok("report_denials = \"writes\"");
        assert_int_equal(L.report_denials, DENIALS_WRITES);
        load_ok("report_denials = \"all\"");
        assert_int_equal(L.report_denials, DENIALS_ALL);
        load_ok("report_denials = \"off\"");
        assert_true(L.has_report_denials);
        assert_int_equal(L.report_denials, DENIALS_OFF);
        load_fails("report_denials = \"reads\"", "key 'report_denials': expected \"writes\", \"all\", \"off\"");
        load_fails("report_denials = 1", "key 'report_denials': expected \"writes\", \"all\", \"off\" or a boolean, got integer");
        set_ok("report_denials", "true"); /* the bare --report-denials */
        assert_int_equal(L.report_denials, DENIALS_ALL);
        set_ok("report_denials", "writes");
        assert_int_equal(L.report_denials, DENIALS_WRITES);
        set_ok("report_denials", "off");
        assert_int_equal(L.report_denials, DENIALS_OFF);
        set_fails("report_denials", "on", "key 'report_denials': expected");
        set_fails("report_denials", "", "key 'report_denials': expected");
        assert_string_equal(policy_report_to_string(DENIALS_WRITES), "writes");
        assert_string_equal(policy_report_to_string(DENIALS_ALL), "all");
        assert_string_equal(policy_report_to_string(DENIALS_OFF), "off");
}

static void test_env(void **state) {
        (void)state;
        load_ok("[env]\n"
                "drop = [\"NPM_*\", \"*_TOKEN\"]\n"
                "keep = [\"GH_TOKEN\"]\n"
                "set = { FOO = \"bar\", EMPTY = \"\", EQ = \"a=b\" }\n");
        assert_int_equal(L.env_drop.n, 2);
        assert_string_equal(L.env_drop.v[0], "NPM_*");
        assert_int_equal(L.env_keep.n, 1);
        assert_int_equal(L.line_env_keep, 3);
        assert_int_equal(L.env_set.n, 3);
        assert_string_equal(L.env_set.v[0], "FOO=bar");
        assert_string_equal(L.env_set.v[1], "EMPTY=");
        assert_string_equal(L.env_set.v[2], "EQ=a=b");
        assert_int_equal(L.line_env_set, 4);

        /* [env.set] as a table header; a later file replaces a name */
        load_ok("[env.set]\nFOO = \"baz\"\nNEW = \"1\"\n");
        assert_int_equal(L.env_set.n, 4);
        assert_string_equal(L.env_set.v[0], "FOO=baz");
        assert_string_equal(L.env_set.v[3], "NEW=1");

        /* dotted keys */
        load_ok("env.drop = [\"CI_*\"]\n");
        assert_int_equal(L.env_drop.n, 3);

        load_fails("env = 1", "key 'env': expected a table, got integer");
        load_fails("[env]\nunset = [\"X\"]\n", "test.toml:2: unknown key 'env.unset'");
        load_fails("[env]\ndrop = \"X\"\n", "key 'env.drop': expected an array of strings, got string");
        load_fails("[env]\ndrop = [\"A=B\"]\n", "key 'env.drop': 'A=B' contains '='");
        load_fails("[env]\nkeep = [\"GH_*\"]\n", "key 'env.keep': 'GH_*' is a pattern");
        load_fails("[env]\nkeep = [\"\"]\n", "key 'env.keep': '' is empty");
        load_fails("[env]\nset = [\"A=B\"]\n", "key 'env.set': expected a table of strings, got array");
        load_fails("[env.set]\nA = 1\n", "test.toml:2: key 'env.set': expected a table of strings, got integer");
        load_fails("[env.set]\n\"A=B\" = \"x\"\n", "key 'env.set': variable name 'A=B' contains '='");
        load_fails("[env.set]\n\"\" = \"x\"\n", "key 'env.set': variable name '' is empty");
        load_fails("[env.set]\nA = \"x\\u0000y\"\n", "key 'env.set': the string contains a NUL byte");
}

static void test_workspaces(void **state) {
        (void)state;
        load_ok("[workspaces.\"/src/a\"]\ntrust = true\n"
                "[workspaces.\"~/b\"]\ntrust = true\n"
                "[workspaces.\"/src/c\"]\ntrust = false\n"
                "[workspaces.\"/src/d\"]\n");
        assert_int_equal(L.trusted_workspaces.n, 2);
        assert_string_equal(L.trusted_workspaces.v[0], "/src/a");
        assert_string_equal(L.trusted_workspaces.v[1], "/home/u/b");
        assert_true(L.line_workspaces > 0);

        load_ok("workspaces = { \"/src/e\" = { trust = true } }");
        assert_int_equal(L.trusted_workspaces.n, 3);

        load_fails("[workspaces.\"/a\"]\ntrust = \"yes\"\n", "test.toml:2: key 'workspaces.\"/a\".trust': expected a boolean");
        load_fails("[workspaces.\"/a\"]\ntrust = true\nnetwork = \"on\"\n",
                   "test.toml:3: unknown key 'workspaces.\"/a\".network'");
        load_fails("workspaces = 1", "key 'workspaces': expected a table, got integer");
        load_fails("[workspaces]\n\"/a\" = true\n", "key 'workspaces.\"/a\"': expected a table, got bool");
        load_fails("[workspaces.\"relative\"]\ntrust = true\n", "a trusted workspace must be an absolute path");
        load_fails("[workspaces.\"~bob/x\"]\ntrust = true\n", "uses an expansion corral does not do");
}

static void test_unknown_keys(void **state) {
        (void)state;
        load_fails("mode = \"read-only\"\n\n\nnetwrok = \"on\"\n", "test.toml:4: unknown key 'netwrok'");
        load_fails("backend = \"userns\"\n", "test.toml:1: unknown key 'backend'");
        load_fails("workspace = \"/x\"\n", "unknown key 'workspace'");
        load_fails("[sandbox]\nmode = \"read-only\"\n", "unknown key 'sandbox'");
        load_fails("\"env.drop\" = [\"X\"]\n", "unknown key 'env.drop'");
}

static void test_parse_errors(void **state) {
        (void)state;
        /* the parser's "line N:" becomes "FILE:N:" */
        load_fails("mode = \"read-only\"\nmode = \"full-access\"\n", "test.toml:2: duplicate key 'mode'");
        load_fails("\n\nmode = \n", "test.toml:3: ");
        config_layer_done(&L);
        config_layer_init(&L, ORIGIN_USER, "test.toml");
        const char nul[] = "mode = \"read-only\"\0\n";
        assert_int_equal(config_layer_load_string(&L, nul, sizeof(nul) - 1, HOME, &E), -EINVAL);
        assert_contains(E.msg, "test.toml:");
        /* NUL inside a string value */
        load_fails("mode = \"read-only\\u0000\"", "key 'mode': the string contains a NUL byte");
        /* empty input is an empty layer */
        config_layer_done(&L);
        config_layer_init(&L, ORIGIN_USER, "test.toml");
        load_ok("");
        assert_false(L.has_mode);
        assert_int_equal(config_layer_load_string(&L, NULL, 0, HOME, &E), 0);
}

/* --- files --------------------------------------------------------------- */

static void test_load_file(void **state) {
        (void)state;
        char dir[] = "/tmp/corral-test-config-XXXXXX";
        char path[PATH_MAX];
        assert_non_null(mkdtemp(dir));

        /* missing: fine unless required */
        snprintf(path, sizeof(path), "%s/missing.toml", dir);
        assert_int_equal(config_layer_load_file(&L, path, false, HOME, &E), 0);
        assert_false(L.has_mode);
        assert_string_equal(L.source, "test.toml");
        assert_int_equal(config_layer_load_file(&L, path, true, HOME, &E), -ENOENT);
        assert_contains(E.msg, path);

        /* a real file: the source becomes its path, messages name it */
        snprintf(path, sizeof(path), "%s/config.toml", dir);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs("mode = \"read-only\"\nprotect = [\"x\"]\n", f);
        fclose(f);
        assert_int_equal(config_layer_load_file(&L, path, true, HOME, &E), 0);
        assert_int_equal(L.mode, MODE_READ_ONLY);
        assert_string_equal(L.source, path);

        f = fopen(path, "w");
        fputs("\nbogus = 1\n", f);
        fclose(f);
        assert_int_equal(config_layer_load_file(&L, path, false, HOME, &E), -EINVAL);
        char want[PATH_MAX + 32];
        snprintf(want, sizeof(want), "%s:2: unknown key 'bogus'", path);
        assert_contains(E.msg, want);

        /* too large */
        f = fopen(path, "w");
        for (int i = 0; i < 110000; i++)
                fputs("# padding\n", f);
        fclose(f);
        assert_int_equal(config_layer_load_file(&L, path, false, HOME, &E), -EFBIG);
        assert_contains(E.msg, path);

        /* a directory */
        assert_int_equal(config_layer_load_file(&L, dir, false, HOME, &E) < 0, 1);
        assert_contains(E.msg, dir);

        unlink(path);
        rmdir(dir);
}

static void test_user_path(void **state) {
        (void)state;
        char *old = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
        char *p;

        unsetenv("XDG_CONFIG_HOME");
        p = config_user_path("/home/u");
        assert_string_equal(p, "/home/u/.config/corral/config.toml");
        free(p);
        assert_null(config_user_path(NULL));

        setenv("XDG_CONFIG_HOME", "/xdg", 1);
        p = config_user_path("/home/u");
        assert_string_equal(p, "/xdg/corral/config.toml");
        free(p);
        p = config_user_path(NULL);
        assert_string_equal(p, "/xdg/corral/config.toml");
        free(p);

        /* a relative XDG_CONFIG_HOME is ignored, as the XDG spec says */
        setenv("XDG_CONFIG_HOME", "rel", 1);
        p = config_user_path("/home/u");
        assert_string_equal(p, "/home/u/.config/corral/config.toml");
        free(p);

        if (old) {
                setenv("XDG_CONFIG_HOME", old, 1);
                free(old);
        } else
                unsetenv("XDG_CONFIG_HOME");
}

/* --- flags ----------------------------------------------------------------- */

static void test_set_scalars(void **state) {
        (void)state;
        set_ok("mode", "read-only");
        assert_true(L.has_mode);
        assert_int_equal(L.mode, MODE_READ_ONLY);
        assert_int_equal(L.line_mode, 0);
        set_ok("network", "on");
        assert_int_equal(L.network, NETWORK_ON);
        set_ok("tmp", "host");
        assert_int_equal(L.tmp, TMP_HOST);
        set_ok("timeout", "30");
        assert_int_equal(L.timeout_ms, 30000);
        set_ok("timeout", "0.25");
        assert_int_equal(L.timeout_ms, 250);
        set_ok("timeout", "0");
        assert_true(L.has_timeout);
        assert_int_equal(L.timeout_ms, 0);
        set_ok("allow_broad_roots", "true");
        assert_true(L.allow_broad_roots);
        set_ok("backend", "userns");
        assert_true(L.has_backend);
        assert_int_equal(L.backend, BACKEND_USERNS);
        set_ok("workspace", "~/proj");
        assert_string_equal(L.workspace, "/home/u/proj");
        set_ok("cwd", "sub/dir");
        assert_string_equal(L.cwd, "sub/dir");

        set_fails("mode", "rw", "key 'mode': unknown mode 'rw'");
        set_fails("network", "true", "key 'network': unknown network mode 'true'");
        set_fails("tmp", "", "key 'tmp'");
        set_fails("timeout", "-1", "key 'timeout': '-1' is not a number of seconds");
        set_fails("timeout", "1e3", "key 'timeout'");
        set_fails("timeout", "abc", "key 'timeout'");
        set_fails("timeout", "", "key 'timeout'");
        set_fails("timeout", ".", "key 'timeout'");
        set_fails("timeout", "1.2.3", "key 'timeout'");
        set_fails("timeout", " 5", "key 'timeout'");
        set_fails("timeout", "99999999999", "key 'timeout'");
        set_fails("allow_broad_roots", "yes", "key 'allow_broad_roots'");
        set_fails("backend", "bwrap", "key 'backend': unknown backend 'bwrap'");
        set_fails("workspace", "", "key 'workspace': path '' is empty");
        set_fails("nonsense", "1", "unknown key 'nonsense'");
        set_fails("workspaces", "/x", "unknown key 'workspaces'");
        set_fails("mode", NULL, "key 'mode': no value");
}

static void test_set_lists(void **state) {
        (void)state;
        set_ok("writable_roots", "/a");
        set_ok("writable_roots", "/b");
        set_ok("writable_roots", "/a");
        assert_int_equal(L.writable_roots.n, 2);
        set_ok("protect", ".env");
        assert_int_equal(L.protect.n, 1);
        set_ok("deny_read", "~/.secret");
        assert_string_equal(L.deny_read.v[0], "/home/u/.secret");
        set_ok("allow_read", "$HOME/.ssh/known_hosts");
        assert_string_equal(L.allow_read.v[0], "/home/u/.ssh/known_hosts");
        set_ok("allow_unix_sockets", "/run/x.sock");
        set_ok("env.drop", "NPM_*");
        set_ok("env.keep", "GH_TOKEN");
        set_ok("env.set", "A=1");
        set_ok("env.set", "B=");
        set_ok("env.set", "A=2=3");
        assert_int_equal(L.env_set.n, 2);
        assert_string_equal(L.env_set.v[0], "A=2=3");
        assert_string_equal(L.env_set.v[1], "B=");
        assert_int_equal(L.line_writable_roots, 0);

        set_fails("env.set", "A", "key 'env.set': 'A' is not NAME=value");
        set_fails("env.set", "=1", "is not NAME=value");
        set_fails("env.keep", "A=B", "contains '='");
        set_fails("protect", "a/b", "key 'protect': 'a/b' is not a plain name");
        set_fails("deny_read", "~root/x", "uses an expansion");
        set_fails("env", "A=1", "unknown key 'env'");
        set_fails("env.unset", "A", "unknown key 'env.unset'");
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(test_defaults),      T(test_defaults_moved_secrets), T(test_mode),           T(test_network),        T(test_tmp),
                T(test_timeout), T(test_protect_depth), T(test_lists),          T(test_protect_names),  T(test_home_expansion),
                T(test_allow_broad_roots), T(test_report_denials), T(test_env),        T(test_workspaces),     T(test_unknown_keys),
                T(test_parse_errors),  T(test_load_file),      T(test_user_path),      T(test_set_scalars),
                T(test_set_lists),     T(test_limits),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
