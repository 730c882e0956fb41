/* SPDX-License-Identifier: MIT
 * Unit tests: path helpers, the policy enums, and policy_resolve (merging,
 * narrowing, trust, workspace/cwd, writable roots, deny paths, /tmp). */
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

#include "common/path.h"
#include "config/config.h"
#include "policy/policy.h"
#include "policy/resolve.h"

/* How many names config.c's default_protect holds (test_config checks them by name). */
#define N_DEFAULT_PROTECT 68

/* --- fixture: a temporary tree ------------------------------------------
 *   root/            canonical mkdtemp directory
 *   root/home/       the caller's home
 *   root/home/proj/  the workspace
 *   root/other/      another directory */
typedef struct fx {
        char root[PATH_MAX];
        char home[PATH_MAX];
        char ws[PATH_MAX];
        char other[PATH_MAX];
        config_layer defaults, user, wsl, flags;
        policy p;
        corral_error err;
} fx;

static char *fmt(char *buf, const char *f, ...) __attribute__((format(printf, 2, 3)));
static char *fmt(char *buf, const char *f, ...) {
        va_list ap;
        va_start(ap, f);
        vsnprintf(buf, PATH_MAX, f, ap);
        va_end(ap);
        return buf;
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static int setup(void **state) {
        fx *f = calloc(1, sizeof(*f));
        char tmpl[] = "/tmp/corral-test-policy-XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        assert_non_null(realpath(tmpl, f->root));
        fmt(f->home, "%s/home", f->root);
        fmt(f->ws, "%s/home/proj", f->root);
        fmt(f->other, "%s/other", f->root);
        assert_int_equal(mkdir(f->home, 0700), 0);
        assert_int_equal(mkdir(f->ws, 0700), 0);
        assert_int_equal(mkdir(f->other, 0700), 0);

        assert_int_equal(config_layer_defaults(&f->defaults, &f->err), 0);
        config_layer_init(&f->user, ORIGIN_USER, "/u/config.toml");
        config_layer_init(&f->wsl, ORIGIN_WORKSPACE, "/w/.corral.toml");
        config_layer_init(&f->flags, ORIGIN_FLAGS, "command line");
        *state = f;
        return 0;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st;
        (void)type;
        (void)ftw;
        return remove(path);
}

static int teardown(void **state) {
        fx *f = *state;
        nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        config_layer_done(&f->defaults);
        config_layer_done(&f->user);
        config_layer_done(&f->wsl);
        config_layer_done(&f->flags);
        policy_free(&f->p);
        free(f);
        return 0;
}

/* Resolve with all four layers, cwd = the workspace. */
static int resolve(fx *f) {
        policy_free(&f->p);
        f->err.msg[0] = '\0';
        return policy_resolve(&f->defaults, &f->user, &f->wsl, &f->flags, f->home, f->ws, &f->p, &f->err);
}

static void set(config_layer *l, const char *key, const char *value, const char *home) {
        corral_error err = { "" };
        int r = config_layer_set(l, key, value, home, &err);
        if (r < 0)
                fail_msg("config_layer_set(%s, %s): %s", key, value, err.msg);
}

static void load(config_layer *l, const char *text, const char *home) {
        corral_error err = { "" };
        int r = config_layer_load_string(l, text, strlen(text), home, &err);
        if (r < 0)
                fail_msg("load: %s", err.msg);
}

static void assert_contains(const char *haystack, const char *needle) {
        if (!strstr(haystack, needle))
                fail_msg("'%s' does not contain '%s'", haystack, needle);
}

/* --- enums --------------------------------------------------------------- */

static void test_enum_strings(void **state) {
        (void)state;
        policy_mode m;
        policy_network n;
        policy_tmp t;
        policy_backend b;

        const char *modes[] = { "read-only", "workspace-write", "full-access" };
        for (int i = 0; i < 3; i++) {
                assert_int_equal(policy_mode_from_string(modes[i], &m), 0);
                assert_int_equal(m, i);
                assert_string_equal(policy_mode_to_string(m), modes[i]);
        }
        const char *nets[] = { "off", "on", "proxy" };
        for (int i = 0; i < 3; i++) {
                assert_int_equal(policy_network_from_string(nets[i], &n), 0);
                assert_int_equal(n, i);
                assert_string_equal(policy_network_to_string(n), nets[i]);
        }
        const char *tmps[] = { "workspace", "private", "host" };
        for (int i = 0; i < 3; i++) {
                assert_int_equal(policy_tmp_from_string(tmps[i], &t), 0);
                assert_int_equal(t, i);
                assert_string_equal(policy_tmp_to_string(t), tmps[i]);
        }
        const char *backends[] = { "auto", "userns", "users" };
        for (int i = 0; i < 3; i++) {
                assert_int_equal(policy_backend_from_string(backends[i], &b), 0);
                assert_int_equal(b, i);
                assert_string_equal(policy_backend_to_string(b), backends[i]);
        }

        assert_int_equal(policy_mode_from_string("Read-Only", &m), -EINVAL);
        assert_int_equal(policy_mode_from_string("", &m), -EINVAL);
        assert_int_equal(policy_mode_from_string(NULL, &m), -EINVAL);
        assert_int_equal(policy_network_from_string("true", &n), -EINVAL);
        assert_int_equal(policy_tmp_from_string("shared", &t), -EINVAL);
        assert_int_equal(policy_backend_from_string("bwrap", &b), -EINVAL);
        assert_null(policy_mode_to_string((policy_mode)7));
        assert_null(policy_tmp_to_string((policy_tmp)-1));

        policy p = {0};
        policy_free(&p); /* an empty policy frees fine */
        policy_free(NULL);
}

/* --- paths --------------------------------------------------------------- */

static void check_str(char *got, const char *want) {
        assert_non_null(got);
        assert_string_equal(got, want);
        free(got);
}

static void test_path_expand_home(void **state) {
        (void)state;
        check_str(path_expand_home("~", "/home/u"), "/home/u");
        check_str(path_expand_home("~/", "/home/u"), "/home/u");
        check_str(path_expand_home("~/.ssh", "/home/u"), "/home/u/.ssh");
        check_str(path_expand_home("~/.ssh", "/home/u/"), "/home/u/.ssh");
        check_str(path_expand_home("$HOME", "/home/u"), "/home/u");
        check_str(path_expand_home("$HOME/a/b", "/home/u"), "/home/u/a/b");
        check_str(path_expand_home("${HOME}/a", "/home/u"), "/home/u/a");
        check_str(path_expand_home("~/x", "/"), "/x");
        /* not expanded */
        check_str(path_expand_home("~bob/x", "/home/u"), "~bob/x");
        check_str(path_expand_home("$HOMEDIR/x", "/home/u"), "$HOMEDIR/x");
        check_str(path_expand_home("/a/~/b", "/home/u"), "/a/~/b");
        check_str(path_expand_home("rel/x", NULL), "rel/x");
        /* home needed but missing */
        errno = 0;
        assert_null(path_expand_home("~/x", NULL));
        assert_int_equal(errno, EINVAL);
        assert_null(path_expand_home("$HOME", ""));
}

static void test_path_join_normalize(void **state) {
        (void)state;
        check_str(path_join("/a", "b"), "/a/b");
        check_str(path_join("/a/", "b"), "/a/b");
        check_str(path_join("/a", "/b"), "/b");
        check_str(path_join("/", "b"), "/b");

        check_str(path_normalize("/a/./b//c/"), "/a/b/c");
        check_str(path_normalize("/a/b/../c"), "/a/c");
        check_str(path_normalize("/a/.."), "/");
        check_str(path_normalize("/../.."), "/");
        check_str(path_normalize("/"), "/");
        check_str(path_normalize("//"), "/");
        check_str(path_normalize("a/b/.."), "a");
        check_str(path_normalize("a/.."), ".");
        check_str(path_normalize("./"), ".");
        check_str(path_normalize("../a/../.."), "../..");
        check_str(path_normalize("a/../../b"), "../b");

        assert_true(path_is_absolute("/x"));
        assert_false(path_is_absolute("x"));
        assert_false(path_is_absolute(""));
        assert_false(path_is_absolute("~/x"));
        assert_true(path_is_root("/"));
        assert_false(path_is_root("/a"));

        assert_true(path_is_below_or_equal("/a/b", "/a"));
        assert_true(path_is_below_or_equal("/a", "/a"));
        assert_true(path_is_below_or_equal("/a", "/a/"));
        assert_false(path_is_below_or_equal("/ab", "/a"));
        assert_false(path_is_below_or_equal("/a", "/a/b"));
        assert_true(path_is_below_or_equal("/anything", "/"));
        assert_true(path_is_below_or_equal("/", "/"));
}

/* path_holds: a root and what it holds (POSIX: case matters). */
static void test_path_holds(void **state) {
        (void)state;
        assert_true(path_holds("/h/.local", "/h/.local/bin"));
        assert_true(path_holds("/h/.local", "/h/.local"));
        assert_true(path_holds("/h/.local/", "/h/.local/bin"));
        assert_true(path_holds("/", "/x"));
        assert_false(path_holds("/h/.loc", "/h/.local/bin"));
        assert_false(path_holds("/h/.local/bin", "/h/.local"));
        assert_false(path_holds("/H/.local", "/h/.local/bin"));
        assert_false(path_holds("rel", "rel/x"));
        assert_false(path_holds(NULL, "/x"));
}

static void expect_places(const char *path_env, const char *home, const char *config_home,
                          const char *const *want, size_t n_want, size_t n_on_path) {
        strv d = {0}, w = {0};
        assert_int_equal(path_plant_places(path_env, home, config_home, &d, &w), 0);
        assert_int_equal(d.n, n_want);
        assert_int_equal(w.n, n_want);
        for (size_t i = 0; i < n_want; i++) {
                assert_string_equal(d.v[i], want[i]);
                if (i < n_on_path)
                        assert_string_equal(w.v[i], PATH_PLANT_ON_PATH);
                else
                        assert_string_not_equal(w.v[i], PATH_PLANT_ON_PATH);
        }
        strv_clear(&d);
        strv_clear(&w);
}

/* path_plant_places: the absolute PATH entries (normalised, once; relative
 * and empty ones skipped), then the config homes, ~/.local/bin and ~/bin. */
static void test_path_plant_places(void **state) {
        (void)state;
        const char *const all[] = {"/usr/local/bin", "/a/c", "/h/.local/bin", "/h/cfg", "/h/.config", "/h/bin"};
        expect_places("/usr/local/bin:bin::./x:node_modules/.bin:/a//b/../c/:/usr/local/bin/:/h/.local/bin", "/h",
                      "/h/cfg", all, 6, 3);
        /* a relative XDG_CONFIG_HOME is no config home; no PATH at all */
        const char *const home_only[] = {"/h/.config", "/h/.local/bin", "/h/bin"};
        expect_places(NULL, "/h/", "cfg", home_only, 3, 0);
        expect_places("", "/h", "/h/.config", home_only, 3, 0);
        /* no home: only what is named */
        const char *const named[] = {"/opt/x/bin", "/cfg"};
        expect_places(":/opt/x/bin:", NULL, "/cfg", named, 2, 1);
        expect_places("a:b", NULL, NULL, NULL, 0, 0);
}

/* A writable root (or the workspace) that is or holds a directory on
 * PATH, the config home, ~/.local/bin or ~/bin is refused unless
 * allow_broad_roots: a program or startup file planted there runs later,
 * outside the sandbox. */
static void set_env(const char *name, const char *value) {
        if (value)
                assert_int_equal(setenv(name, value, 1), 0);
        else
                assert_int_equal(unsetenv(name), 0);
}

static void reset_flags(fx *f, const char *root) {
        config_layer_done(&f->flags);
        config_layer_init(&f->flags, ORIGIN_FLAGS, "command line");
        if (root)
                set(&f->flags, "writable_roots", root, NULL);
}

static void test_resolve_plant_roots(void **state) {
        fx *f = *state;
        char opt[PATH_MAX], bin[PATH_MAX], path[3 * PATH_MAX], buf[PATH_MAX], link[PATH_MAX];
        char *saved_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
        char *saved_xdg = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;

        set_env("XDG_CONFIG_HOME", NULL);
        fmt(opt, "%s/opt", f->other);
        fmt(bin, "%s/opt/bin", f->other);
        assert_int_equal(mkdir(opt, 0700), 0);

        /* an ancestor of a PATH entry, outside home, that does not exist yet */
        snprintf(path, sizeof(path), "/usr/bin:%s:/bin", bin);
        set_env("PATH", path);
        reset_flags(f, opt);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, "command line: writable root '");
        assert_contains(f->err.msg, fmt(buf, "'%s' holds %s, " PATH_PLANT_ON_PATH, opt, bin));
        assert_contains(f->err.msg, "plant a program you run later outside the sandbox");
        assert_contains(f->err.msg, "allow_broad_roots = true");
        assert_contains(f->err.msg, "--allow-broad-root");
        /* the entry itself */
        assert_int_equal(mkdir(bin, 0700), 0);
        reset_flags(f, bin);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, fmt(buf, "'%s' is %s, " PATH_PLANT_ON_PATH, bin, bin));
        /* a sibling, and a directory below the entry, are not its ancestors */
        reset_flags(f, f->other);
        assert_int_equal(resolve(f), -EPERM);
        fmt(buf, "%s/optx", f->other);
        assert_int_equal(mkdir(buf, 0700), 0);
        reset_flags(f, buf);
        assert_int_equal(resolve(f), 0);
        fmt(buf, "%s/opt/bin/sub", f->other);
        assert_int_equal(mkdir(buf, 0700), 0);
        reset_flags(f, buf);
        assert_int_equal(resolve(f), 0);
        /* written with a trailing slash and a dot: normalised */
        snprintf(path, sizeof(path), "%s/./bin/", opt);
        set_env("PATH", path);
        reset_flags(f, opt);
        assert_int_equal(resolve(f), -EPERM);
        /* through a symbolic link: PATH names ~/tools/bin, ~/tools leads to opt */
        fmt(link, "%s/tools", f->home);
        assert_int_equal(symlink(opt, link), 0);
        snprintf(path, sizeof(path), "/usr/bin:%s/bin", link);
        set_env("PATH", path);
        reset_flags(f, opt);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, "through a symbolic link");
        assert_contains(f->err.msg, fmt(buf, "holds %s/bin", link));
        /* relative entries are skipped */
        set_env("PATH", "opt/bin:./bin:/usr/bin");
        reset_flags(f, opt);
        assert_int_equal(resolve(f), 0);

        /* allowed by the flags, or by the user config */
        set_env("PATH", bin);
        set(&f->flags, "allow_broad_roots", "true", NULL);
        assert_int_equal(resolve(f), 0);
        assert_true(strv_contains(&f->p.writable_roots, opt));
        reset_flags(f, opt);
        load(&f->user, "allow_broad_roots = true\n", f->home);
        assert_int_equal(resolve(f), 0);
        config_layer_done(&f->user);
        config_layer_init(&f->user, ORIGIN_USER, "/u/config.toml");
        /* ... never by an untrusted workspace config */
        load(&f->wsl, "allow_broad_roots = true\n", f->home);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, "allow_broad_roots");
        config_layer_done(&f->wsl);
        config_layer_init(&f->wsl, ORIGIN_WORKSPACE, "/w/.corral.toml");

        /* not on PATH: the config home, ~/.local/bin and ~/bin */
        set_env("PATH", "/usr/bin:/bin");
        const char *dirs[] = {".config", ".local", "bin"};
        const char *whats[] = {"your config home", "~/.profile puts on your PATH", "~/.profile puts on your PATH"};
        for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
                fmt(buf, "%s/%s", f->home, dirs[i]);
                assert_int_equal(mkdir(buf, 0700), 0);
                reset_flags(f, buf);
                assert_int_equal(resolve(f), -EPERM);
                assert_contains(f->err.msg, whats[i]);
        }
        /* XDG_CONFIG_HOME elsewhere: that one too (and ~/.config still) */
        fmt(buf, "%s/cfg", f->other);
        assert_int_equal(mkdir(buf, 0700), 0);
        set_env("XDG_CONFIG_HOME", buf);
        reset_flags(f, buf);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, "your config home");
        reset_flags(f, fmt(buf, "%s/.config", f->home));
        assert_int_equal(resolve(f), -EPERM);
        set_env("XDG_CONFIG_HOME", NULL);

        /* the workspace itself, a directory on PATH (see also
         * test_resolve_plant_project_own) */
        snprintf(path, sizeof(path), "%s:/usr/bin", f->ws);
        set_env("PATH", path);
        reset_flags(f, NULL);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, fmt(buf, "workspace '%s' is %s, " PATH_PLANT_ON_PATH, f->ws, f->ws));
        assert_contains(f->err.msg, "take that directory off your PATH");
        assert_contains(f->err.msg, "--allow-broad-root");
        /* ... fine in read-only mode (nothing is writable) and when allowed */
        set(&f->flags, "mode", "read-only", NULL);
        assert_int_equal(resolve(f), 0);
        reset_flags(f, NULL);
        set(&f->flags, "allow_broad_roots", "true", NULL);
        assert_int_equal(resolve(f), 0);

        set_env("PATH", saved_path);
        set_env("XDG_CONFIG_HOME", saved_xdg);
        free(saved_path);
        free(saved_xdg);
}

/* Resolve as from cwd (the workspace, no -W). */
static int resolve_in(fx *f, const char *cwd) {
        policy_free(&f->p);
        f->err.msg[0] = '\0';
        return policy_resolve(&f->defaults, &f->user, &f->wsl, &f->flags, f->home, cwd, &f->p, &f->err);
}

/* A PATH directory strictly below the workspace (an active virtualenv's
 * .venv/bin, node_modules/.bin) is the project's own: it makes no root
 * broad, compared canonically. The workspace itself on PATH, a PATH
 * directory above it or beside it, and the config home inside it, still
 * do. */
static void test_resolve_plant_project_own(void **state) {
        fx *f = *state;
        char path[4 * PATH_MAX], buf[PATH_MAX], sub[PATH_MAX], link[PATH_MAX], venv[PATH_MAX], out[PATH_MAX];
        char *saved_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
        char *saved_xdg = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
        set_env("XDG_CONFIG_HOME", NULL);

        /* the virtualenv's bin, existing or not (yet), and node_modules/.bin */
        snprintf(path, sizeof(path), "%s/.venv/bin:%s/node_modules/.bin:/usr/bin", f->ws, f->ws);
        set_env("PATH", path);
        reset_flags(f, NULL);
        assert_int_equal(resolve(f), 0);
        assert_true(strv_contains(&f->p.writable_roots, f->ws));
        assert_int_equal(mkdir(fmt(buf, "%s/.venv", f->ws), 0700), 0);
        assert_int_equal(mkdir(fmt(buf, "%s/.venv/bin", f->ws), 0700), 0);
        assert_int_equal(resolve(f), 0);
        /* ... and a root inside the workspace that holds it */
        reset_flags(f, fmt(buf, "%s/.venv", f->ws));
        assert_int_equal(resolve(f), 0);
        /* written with a trailing slash and a dot: still inside */
        snprintf(path, sizeof(path), "%s/./.venv/bin/", f->ws);
        set_env("PATH", path);
        reset_flags(f, NULL);
        assert_int_equal(resolve(f), 0);

        /* the workspace itself on PATH, also as ws/. or ws/sub/.. */
        const char *const same[] = {"", "/", "/.", "/.venv/.."};
        for (size_t i = 0; i < sizeof(same) / sizeof(*same); i++) {
                snprintf(path, sizeof(path), "/usr/bin:%s%s", f->ws, same[i]);
                set_env("PATH", path);
                assert_int_equal(resolve(f), -EPERM);
                assert_contains(f->err.msg, fmt(buf, "workspace '%s' is ", f->ws));
        }
        /* a sibling that shares the workspace's name as a prefix is not inside */
        fmt(sub, "%sx", f->ws);
        assert_int_equal(mkdir(sub, 0700), 0);
        snprintf(path, sizeof(path), "%s/.venv/bin:%s/bin", f->ws, sub);
        set_env("PATH", path);
        reset_flags(f, sub);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, fmt(buf, "writable root '%s' holds %s/bin", sub, sub));

        /* through symbolic links, canonically: PATH names the workspace's
         * venv through a link to the workspace (inside: fine), and the
         * workspace itself through a link (refused) */
        fmt(link, "%s/wslink", f->other);
        assert_int_equal(symlink(f->ws, link), 0);
        snprintf(path, sizeof(path), "%s/.venv/bin", link);
        set_env("PATH", path);
        reset_flags(f, NULL);
        assert_int_equal(resolve(f), 0);
        set_env("PATH", link);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, fmt(buf, "workspace '%s' holds %s", f->ws, link));
        assert_contains(f->err.msg, "through a symbolic link");
        /* a venv in the workspace that is a link to a directory outside:
         * the workspace runs, a root holding where it leads does not */
        fmt(out, "%s/venvs", f->other);
        assert_int_equal(mkdir(out, 0700), 0);
        fmt(venv, "%s/proj-venv", out);
        assert_int_equal(mkdir(venv, 0700), 0);
        assert_int_equal(symlink(venv, fmt(buf, "%s/.lvenv", f->ws)), 0);
        snprintf(path, sizeof(path), "%s/.lvenv/bin", f->ws);
        set_env("PATH", path);
        assert_int_equal(resolve(f), 0);
        reset_flags(f, out);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, fmt(buf, "writable root '%s' holds %s/.lvenv/bin", out, f->ws));
        assert_contains(f->err.msg, "through a symbolic link");

        /* the project's own PATH directory does not hide another one: a
         * root beside the workspace holding a PATH directory is refused */
        snprintf(path, sizeof(path), "%s/.venv/bin:%s/bin", f->ws, sub);
        set_env("PATH", path);
        reset_flags(f, sub);
        assert_int_equal(resolve(f), -EPERM);

        /* a PATH directory above the workspace still counts: the workspace
         * is ws/deep; PATH holds ws; -w ws (which holds it) is refused,
         * while ws/deep/.venv/bin makes not even -w ws broad */
        fmt(sub, "%s/deep", f->ws);
        assert_int_equal(mkdir(sub, 0700), 0);
        set_env("PATH", f->ws);
        reset_flags(f, NULL);
        assert_int_equal(resolve_in(f, sub), 0); /* a directory on PATH holds the workspace: nothing to plant */
        reset_flags(f, f->ws);
        assert_int_equal(resolve_in(f, sub), -EPERM);
        assert_contains(f->err.msg, fmt(buf, "writable root '%s' is %s, " PATH_PLANT_ON_PATH, f->ws, f->ws));
        snprintf(path, sizeof(path), "%s/.venv/bin", sub);
        set_env("PATH", path);
        assert_int_equal(resolve_in(f, sub), 0);

        /* only PATH entries: a config home inside the workspace is refused */
        set_env("PATH", "/usr/bin");
        fmt(buf, "%s/cfg", f->ws);
        set_env("XDG_CONFIG_HOME", buf);
        reset_flags(f, NULL);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, "your config home");

        set_env("PATH", saved_path);
        set_env("XDG_CONFIG_HOME", saved_xdg);
        free(saved_path);
        free(saved_xdg);
}

/* The memo of one planning: inside its window the same results with fewer
 * lstat calls (the symlinks are still followed); a directory swapped for a
 * symlink meanwhile is seen once the window is closed. */
static void test_path_canonicalize_memo(void **state) {
        fx *f = *state;
        char a[PATH_MAX], b[PATH_MAX], want[PATH_MAX];
        assert_int_equal(mkdir(fmt(a, "%s/d", f->ws), 0755), 0);
        assert_int_equal(symlink(f->other, fmt(a, "%s/d/link", f->ws)), 0);
        path_canon_memo_begin();
        check_str(path_canonicalize(fmt(a, "%s/d/x", f->ws)), fmt(want, "%s/d/x", f->ws));
        check_str(path_canonicalize(fmt(a, "%s/d/link/y", f->ws)), fmt(want, "%s/y", f->other));
        check_str(path_canonicalize(fmt(a, "%s/d/link/y", f->ws)), fmt(want, "%s/y", f->other));
        /* d becomes a symlink to other: within the window, d is still the
         * directory it was */
        assert_int_equal(rename(fmt(a, "%s/d", f->ws), fmt(b, "%s/d.old", f->ws)), 0);
        assert_int_equal(symlink(f->other, fmt(a, "%s/d", f->ws)), 0);
        check_str(path_canonicalize(fmt(a, "%s/d/x", f->ws)), fmt(want, "%s/d/x", f->ws));
        path_canon_memo_end();
        check_str(path_canonicalize(fmt(a, "%s/d/x", f->ws)), fmt(want, "%s/x", f->other));
        /* a second window starts empty */
        path_canon_memo_begin();
        check_str(path_canonicalize(fmt(a, "%s/d/x", f->ws)), fmt(want, "%s/x", f->other));
        path_canon_memo_end();
}

/* What the memo says is missing: a name canonicalize found missing, and
 * what lies below it; not a directory it found, nor what lies below that
 * (unknown), nor anything outside the window. */
static void test_path_canon_memo_known_missing(void **state) {
        fx *f = *state;
        char a[PATH_MAX], want[PATH_MAX];
        assert_false(path_canon_memo_known_missing(fmt(a, "%s/gone", f->ws)));
        path_canon_memo_begin();
        check_str(path_canonicalize(fmt(a, "%s/gone/deeper", f->ws)), fmt(want, "%s/gone/deeper", f->ws));
        assert_true(path_canon_memo_known_missing(fmt(a, "%s/gone", f->ws)));
        assert_true(path_canon_memo_known_missing(fmt(a, "%s/gone/deeper", f->ws)));
        assert_true(path_canon_memo_known_missing(fmt(a, "%s/gone/other/x", f->ws)));
        assert_false(path_canon_memo_known_missing(f->ws));                         /* a directory */
        assert_false(path_canon_memo_known_missing(fmt(a, "%s/never-looked", f->ws))); /* unknown */
        assert_false(path_canon_memo_known_missing("relative/gone"));
        /* created meanwhile: the window still says missing (one planning) */
        assert_int_equal(mkdir(fmt(a, "%s/gone", f->ws), 0755), 0);
        assert_true(path_canon_memo_known_missing(a));
        path_canon_memo_end();
        assert_false(path_canon_memo_known_missing(a));
}

static void test_path_canonicalize(void **state) {
        fx *f = *state;
        char a[PATH_MAX], b[PATH_MAX], want[PATH_MAX];

        /* existing directory */
        check_str(path_canonicalize(f->ws), f->ws);
        check_str(path_canonicalize(fmt(a, "%s/./proj/../proj//", f->home)), f->ws);
        /* missing tail is kept */
        check_str(path_canonicalize(fmt(a, "%s/missing/deeper", f->ws)), fmt(want, "%s/missing/deeper", f->ws));
        check_str(path_canonicalize(fmt(a, "%s/missing/../x", f->ws)), fmt(want, "%s/x", f->ws));
        /* symlink to a directory, then a missing name beneath it */
        assert_int_equal(symlink(f->other, fmt(a, "%s/link", f->ws)), 0);
        check_str(path_canonicalize(a), f->other);
        check_str(path_canonicalize(fmt(b, "%s/link/secret", f->ws)), fmt(want, "%s/secret", f->other));
        /* "link/.." is the parent of the target, not of the link */
        check_str(path_canonicalize(fmt(b, "%s/link/..", f->ws)), f->root);
        /* relative symlink */
        assert_int_equal(symlink("../../other", fmt(a, "%s/rel", f->ws)), 0);
        check_str(path_canonicalize(a), f->other);
        /* dangling symlink resolves to where its target would be */
        assert_int_equal(symlink(fmt(b, "%s/not-yet", f->other), fmt(a, "%s/dangling", f->ws)), 0);
        check_str(path_canonicalize(a), b);
        /* symlink loop */
        assert_int_equal(symlink("loop2", fmt(a, "%s/loop1", f->ws)), 0);
        assert_int_equal(symlink("loop1", fmt(b, "%s/loop2", f->ws)), 0);
        errno = 0;
        assert_null(path_canonicalize(a));
        assert_int_equal(errno, ELOOP);
        /* a name under a regular file */
        write_file(fmt(a, "%s/file", f->ws), "x");
        check_str(path_canonicalize(fmt(b, "%s/file/x", f->ws)), fmt(want, "%s/file/x", f->ws));
        /* relative to the process's cwd */
        char old[PATH_MAX];
        assert_non_null(getcwd(old, sizeof(old)));
        assert_int_equal(chdir(f->home), 0);
        check_str(path_canonicalize("proj"), f->ws);
        check_str(path_canonicalize("."), f->home);
        assert_int_equal(chdir(old), 0);
        check_str(path_canonicalize("/"), "/");
        assert_null(path_canonicalize(""));
}

static void test_path_home_cwd(void **state) {
        fx *f = *state;
        char *old = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

        setenv("HOME", f->home, 1);
        check_str(path_home_dir(), f->home);
        /* a relative HOME is ignored in favour of the passwd entry */
        setenv("HOME", "relative", 1);
        char *h = path_home_dir();
        if (h) {
                assert_true(path_is_absolute(h));
                free(h);
        }
        if (old) {
                setenv("HOME", old, 1);
                free(old);
        } else
                unsetenv("HOME");

        char cwd[PATH_MAX];
        assert_non_null(getcwd(cwd, sizeof(cwd)));
        check_str(path_current_dir(), cwd);
}

/* --- resolve: basics ------------------------------------------------------ */

static void test_resolve_defaults(void **state) {
        fx *f = *state;
        char buf[PATH_MAX];

        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.mode, MODE_WORKSPACE_WRITE);
        assert_int_equal(f->p.network, NETWORK_OFF);
        assert_int_equal(f->p.tmp, TMP_WORKSPACE);
        assert_int_equal(f->p.backend, BACKEND_AUTO);
        assert_int_equal(f->p.timeout_ms, 0);
        assert_false(f->p.allow_broad_roots);
        assert_string_equal(f->p.workspace, f->ws);
        assert_string_equal(f->p.cwd, f->ws);
        assert_string_equal(f->p.home, f->home);
        assert_int_equal(f->p.writable_roots.n, 1);
        assert_string_equal(f->p.writable_roots.v[0], f->ws);
        assert_int_equal(f->p.protect.n, N_DEFAULT_PROTECT); /* the built-in list (config.c) */
        assert_true(strv_contains(&f->p.protect, ".git"));
        assert_true(strv_contains(&f->p.protect, ".corral.toml"));
        assert_int_equal(f->p.deny_read.n, 40); /* the built-in list (config.c) */
        assert_true(strv_contains(&f->p.deny_read, fmt(buf, "%s/.ssh", f->home)));
        assert_true(strv_contains(&f->p.deny_read, fmt(buf, "%s/.claude/.credentials.json", f->home)));
        assert_true(strv_contains(&f->p.deny_read, fmt(buf, "%s/.docker/config.json", f->home)));
        assert_int_equal(f->p.env_drop.n, 12);
        assert_true(strv_contains(&f->p.env_drop, "AWS_*"));
        assert_int_equal(f->p.env_keep.n, 0);
        assert_int_equal(f->p.env_set.n, 0);
        assert_int_equal(f->p.allow_read.n, 0);
        assert_int_equal(f->p.allow_unix_sockets.n, 0);
}

static void test_resolve_null_layers(void **state) {
        fx *f = *state;
        /* only flags; the fallbacks still give workspace-write, network off */
        assert_int_equal(policy_resolve(NULL, NULL, NULL, NULL, NULL, f->ws, &f->p, &f->err), 0);
        assert_int_equal(f->p.mode, MODE_WORKSPACE_WRITE);
        assert_int_equal(f->p.network, NETWORK_OFF);
        assert_null(f->p.home);
        assert_int_equal(f->p.deny_read.n, 0);
        policy_free(&f->p);

        /* no home: the defaults under ~ are skipped, nothing fails */
        assert_int_equal(policy_resolve(&f->defaults, NULL, NULL, NULL, NULL, f->ws, &f->p, &f->err), 0);
        assert_int_equal(f->p.deny_read.n, 0);
        assert_int_equal(f->p.protect.n, N_DEFAULT_PROTECT);
        policy_free(&f->p);

        /* no cwd and no workspace flag */
        policy_free(&f->p);
        assert_int_equal(policy_resolve(&f->defaults, NULL, NULL, NULL, f->home, NULL, &f->p, &f->err), -EINVAL);
        assert_contains(f->err.msg, "workspace");
}

static void test_resolve_workspace_cwd(void **state) {
        fx *f = *state;
        char buf[PATH_MAX];

        /* workspace relative to the caller's cwd */
        set(&f->flags, "workspace", "proj", NULL);
        policy_free(&f->p);
        assert_int_equal(policy_resolve(&f->defaults, &f->user, NULL, &f->flags, f->home, f->home, &f->p, &f->err),
                         0);
        assert_string_equal(f->p.workspace, f->ws);
        assert_string_equal(f->p.cwd, f->ws);

        /* through a symlink: canonical */
        assert_int_equal(symlink(f->ws, fmt(buf, "%s/wslink", f->root)), 0);
        set(&f->flags, "workspace", buf, NULL);
        assert_int_equal(resolve(f), 0);
        assert_string_equal(f->p.workspace, f->ws);

        /* ~ in the workspace flag */
        set(&f->flags, "workspace", "~/proj", f->home);
        assert_int_equal(resolve(f), 0);
        assert_string_equal(f->p.workspace, f->ws);

        /* cwd relative to the caller's cwd, inside the workspace */
        assert_int_equal(mkdir(fmt(buf, "%s/sub", f->ws), 0700), 0);
        set(&f->flags, "cwd", "sub", NULL);
        assert_int_equal(resolve(f), 0); /* caller's cwd is f->ws */
        assert_string_equal(f->p.cwd, buf);

        /* cwd missing */
        set(&f->flags, "cwd", "nope", NULL);
        assert_int_equal(resolve(f), -ENOENT);
        assert_contains(f->err.msg, "/home/proj/nope': No such file");

        /* workspace missing, or a file */
        free(f->flags.cwd);
        f->flags.cwd = NULL;
        set(&f->flags, "workspace", fmt(buf, "%s/missing", f->root), NULL);
        assert_int_equal(resolve(f), -ENOENT);
        assert_contains(f->err.msg, buf);
        write_file(fmt(buf, "%s/file", f->root), "x");
        set(&f->flags, "workspace", buf, NULL);
        assert_int_equal(resolve(f), -ENOTDIR);
        assert_contains(f->err.msg, "is not a directory");

        /* policy_workspace_path alone */
        config_layer none = {0};
        char *w = policy_workspace_path(&none, f->ws, &f->err);
        check_str(w, f->ws);
        set(&f->flags, "workspace", f->other, NULL);
        w = policy_workspace_path(&f->flags, f->ws, &f->err);
        check_str(w, f->other);
        assert_null(policy_workspace_path(NULL, NULL, &f->err));
}

static void test_resolve_scalars_later_wins(void **state) {
        fx *f = *state;

        load(&f->user, "mode = \"full-access\"\nnetwork = \"on\"\ntmp = \"host\"\ntimeout = 60\n", f->home);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.mode, MODE_FULL_ACCESS);
        assert_int_equal(f->p.network, NETWORK_ON);
        assert_int_equal(f->p.tmp, TMP_HOST);
        assert_int_equal(f->p.timeout_ms, 60000);
        /* full-access: the workspace is listed for information only */
        assert_int_equal(f->p.writable_roots.n, 1);
        assert_string_equal(f->p.writable_roots.v[0], f->ws);

        set(&f->flags, "mode", "workspace-write", NULL);
        set(&f->flags, "network", "off", NULL);
        set(&f->flags, "tmp", "private", NULL);
        set(&f->flags, "timeout", "2.5", NULL);
        set(&f->flags, "backend", "userns", NULL);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.mode, MODE_WORKSPACE_WRITE);
        assert_int_equal(f->p.network, NETWORK_OFF);
        assert_int_equal(f->p.tmp, TMP_PRIVATE);
        assert_int_equal(f->p.timeout_ms, 2500);
        assert_int_equal(f->p.backend, BACKEND_USERNS);
}

/* unprotect takes names out of the layers before it; a later protect puts
 * them back; corral's own names cannot be taken out; a workspace config may
 * not unprotect (it would widen the policy) unless trusted. */
static void test_resolve_unprotect(void **state) {
        fx *f = *state;
        load(&f->user, "unprotect = [\".vscode\", \".idea\"]\n", f->home);
        set(&f->flags, "protect", ".idea", NULL);
        assert_int_equal(resolve(f), 0);
        assert_false(strv_contains(&f->p.protect, ".vscode"));
        assert_true(strv_contains(&f->p.protect, ".idea"));
        assert_true(strv_contains(&f->p.protect, ".git"));
        assert_int_equal(f->p.protect.n, N_DEFAULT_PROTECT - 1);
        policy_free(&f->p);

        config_layer l;
        config_layer_init(&l, ORIGIN_USER, "user config");
        corral_error e = {0};
        assert_int_equal(config_layer_load_string(&l, "unprotect = [\".corral.toml\"]\n", 29, f->home, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "corral's own policy"));
        config_layer_done(&l);
        config_layer_init(&l, ORIGIN_FLAGS, "flags");
        assert_int_equal(config_layer_set(&l, "unprotect", ".corral", NULL, &e), -EINVAL);
        config_layer_done(&l);
}

static void test_resolve_unprotect_workspace(void **state) {
        fx *f = *state;
        load(&f->wsl, "unprotect = [\".vscode\"]\n", f->home);
        assert_int_equal(resolve(f), -EPERM);
        assert_non_null(strstr(f->err.msg, "unprotect"));
}

static void test_resolve_lists_accumulate(void **state) {
        fx *f = *state;
        char buf[PATH_MAX];

        load(&f->user,
             "protect = [\".git\", \".env\"]\n"
             "deny_read = [\"~/.ssh\", \"~/secrets\"]\n"
             "[env]\ndrop = [\"*_TOKEN\", \"MY_*\"]\nkeep = [\"GH_TOKEN\"]\nset = { A = \"user\", B = \"user\" }\n",
             f->home);
        load(&f->wsl, "protect = [\".env\", \".vscode\"]\ndeny_read = [\"~/secrets\", \"~/.other\"]\n"
                      "[env]\ndrop = [\"CI_*\"]\n",
             f->home);
        set(&f->flags, "protect", ".idea", NULL);
        set(&f->flags, "protect", ".flags-only", NULL);
        set(&f->flags, "env.set", "A=flags", NULL);
        set(&f->flags, "deny_read", "~/.ssh", f->home);
        assert_int_equal(resolve(f), 0);

        assert_int_equal(f->p.protect.n, N_DEFAULT_PROTECT + 2); /* the built-in list, .env, .idea is one of them */
        assert_true(strv_contains(&f->p.protect, ".env"));
        assert_true(strv_contains(&f->p.protect, ".vscode"));
        assert_true(strv_contains(&f->p.protect, ".idea"));
        assert_int_equal(f->p.deny_read.n, 42);
        assert_true(strv_contains(&f->p.deny_read, fmt(buf, "%s/secrets", f->home)));
        assert_true(strv_contains(&f->p.deny_read, fmt(buf, "%s/.other", f->home)));
        assert_int_equal(f->p.env_drop.n, 14);
        assert_true(strv_contains(&f->p.env_drop, "MY_*"));
        assert_true(strv_contains(&f->p.env_drop, "CI_*"));
        assert_int_equal(f->p.env_keep.n, 1);
        assert_int_equal(f->p.env_set.n, 2);
        assert_true(strv_contains(&f->p.env_set, "A=flags"));
        assert_true(strv_contains(&f->p.env_set, "B=user"));
}

/* --- resolve: writable roots ----------------------------------------------- */

static void test_resolve_writable_roots(void **state) {
        fx *f = *state;
        char buf[PATH_MAX], link[PATH_MAX];

        set(&f->flags, "writable_roots", f->other, NULL);
        set(&f->flags, "writable_roots", f->ws, NULL); /* duplicate of the workspace */
        assert_int_equal(symlink(f->other, fmt(link, "%s/otherlink", f->root)), 0);
        set(&f->flags, "writable_roots", link, NULL); /* same after canonicalisation */
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.writable_roots.n, 2);
        assert_string_equal(f->p.writable_roots.v[0], f->ws);
        assert_string_equal(f->p.writable_roots.v[1], f->other);

        /* relative flag roots are relative to the caller's cwd (here the workspace) */
        assert_int_equal(mkdir(fmt(buf, "%s/build", f->ws), 0700), 0);
        set(&f->flags, "writable_roots", "build", NULL);
        assert_int_equal(resolve(f), 0);
        assert_true(strv_contains(&f->p.writable_roots, buf));

        /* read-only: none */
        set(&f->flags, "mode", "read-only", NULL);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.writable_roots.n, 0);

        /* full-access: just the workspace */
        set(&f->flags, "mode", "full-access", NULL);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.writable_roots.n, 1);
        assert_string_equal(f->p.writable_roots.v[0], f->ws);
}

static void test_resolve_writable_root_errors(void **state) {
        fx *f = *state;
        char buf[PATH_MAX];

        /* missing: the error names the path and where it came from */
        load(&f->user, "\n\nwritable_roots = [\"/nonexistent-corral-root\"]\n", f->home);
        assert_int_equal(resolve(f), -ENOENT);
        assert_contains(f->err.msg, "/u/config.toml:3");
        assert_contains(f->err.msg, "'/nonexistent-corral-root'");

        /* a file */
        config_layer_done(&f->user);
        config_layer_init(&f->user, ORIGIN_USER, "/u/config.toml");
        write_file(fmt(buf, "%s/file", f->other), "x");
        set(&f->flags, "writable_roots", buf, NULL);
        assert_int_equal(resolve(f), -ENOTDIR);
        assert_contains(f->err.msg, buf);
        assert_contains(f->err.msg, "command line");
}

static void test_resolve_broad_roots(void **state) {
        fx *f = *state;

        /* "/" */
        set(&f->flags, "writable_roots", "/", NULL);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, "'/'");
        assert_contains(f->err.msg, "root directory");
        assert_contains(f->err.msg, "allow_broad_roots = true");

        /* home */
        config_layer_done(&f->flags);
        config_layer_init(&f->flags, ORIGIN_FLAGS, "command line");
        set(&f->flags, "writable_roots", "~", f->home);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, f->home);
        assert_contains(f->err.msg, "home directory");

        /* an ancestor of home */
        config_layer_done(&f->flags);
        config_layer_init(&f->flags, ORIGIN_FLAGS, "command line");
        set(&f->flags, "writable_roots", f->root, NULL);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, "ancestor of your home");

        /* allowed by the flags */
        set(&f->flags, "allow_broad_roots", "true", NULL);
        assert_int_equal(resolve(f), 0);
        assert_true(f->p.allow_broad_roots);
        assert_true(strv_contains(&f->p.writable_roots, f->root));

        /* allowed by the user config */
        set(&f->flags, "allow_broad_roots", "false", NULL);
        assert_int_equal(resolve(f), -EPERM);
        config_layer_done(&f->flags);
        config_layer_init(&f->flags, ORIGIN_FLAGS, "command line");
        set(&f->flags, "writable_roots", f->root, NULL);
        load(&f->user, "allow_broad_roots = true\n", f->home);
        assert_int_equal(resolve(f), 0);

        /* home as the workspace (corral run from ~) */
        config_layer_done(&f->user);
        config_layer_init(&f->user, ORIGIN_USER, "/u/config.toml");
        config_layer_done(&f->flags);
        config_layer_init(&f->flags, ORIGIN_FLAGS, "command line");
        policy_free(&f->p);
        assert_int_equal(policy_resolve(&f->defaults, &f->user, NULL, &f->flags, f->home, f->home, &f->p, &f->err),
                         -EPERM);
        assert_contains(f->err.msg, "workspace");
        assert_contains(f->err.msg, "home directory");
        /* ... fine in read-only mode (nothing is writable) */
        set(&f->flags, "mode", "read-only", NULL);
        policy_free(&f->p);
        assert_int_equal(policy_resolve(&f->defaults, &f->user, NULL, &f->flags, f->home, f->home, &f->p, &f->err),
                         0);
        policy_free(&f->p);
}

/* --- resolve: /tmp in read-only mode -------------------------------------- */

static void test_resolve_readonly_tmp(void **state) {
        fx *f = *state;

        /* the default workspace tmp becomes private */
        set(&f->flags, "mode", "read-only", NULL);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.tmp, TMP_PRIVATE);

        /* explicit private is fine */
        set(&f->flags, "tmp", "private", NULL);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.tmp, TMP_PRIVATE);

        /* explicit host from the flags */
        set(&f->flags, "tmp", "host", NULL);
        assert_int_equal(resolve(f), -EINVAL);
        assert_contains(f->err.msg, "command line: key 'tmp'");
        assert_contains(f->err.msg, "read-only mode uses a private /tmp");

        /* explicit workspace from the user config, read-only from the flags */
        config_layer_done(&f->flags);
        config_layer_init(&f->flags, ORIGIN_FLAGS, "command line");
        set(&f->flags, "mode", "read-only", NULL);
        load(&f->user, "\ntmp = \"workspace\"\n", f->home);
        assert_int_equal(resolve(f), -EINVAL);
        assert_contains(f->err.msg, "/u/config.toml:2: key 'tmp'");
        assert_contains(f->err.msg, "private /tmp");
}

/* --- resolve: [caches] ------------------------------------------------------ */

static void test_resolve_caches(void **state) {
        fx *f = *state;
        char buf[PATH_MAX];

        /* every cache reads through by default */
        assert_int_equal(resolve(f), 0);
        for (int k = 0; k < N_CACHES; k++)
                assert_int_equal(f->p.caches[k], CACHE_READ_THROUGH);
        assert_null(f->p.caches_dir);

        /* all, then one: the later key wins within a layer; flags win over files */
        load(&f->user, "[caches]\nall = \"off\"\nnpm = \"private\"\n", f->home);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.caches[CACHE_CARGO], CACHE_OFF);
        assert_int_equal(f->p.caches[CACHE_NPM], CACHE_PRIVATE);
        set(&f->flags, "caches.cargo", "read-through", NULL);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.caches[CACHE_CARGO], CACHE_READ_THROUGH);

        /* a workspace may go towards off ... */
        load(&f->wsl, "[caches]\nnpm = \"off\"\n", f->home);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.caches[CACHE_NPM], CACHE_OFF);
        /* ... never back */
        config_layer_done(&f->wsl);
        config_layer_init(&f->wsl, ORIGIN_WORKSPACE, "/w/.corral.toml");
        load(&f->wsl, "[caches]\npip = \"private\"\n", f->home);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, "/w/.corral.toml:2: key 'caches.pip'");
        assert_contains(f->err.msg, "'private' shows more than 'off'");

        /* dir: the user's to say, never the workspace's */
        config_layer_done(&f->wsl);
        config_layer_init(&f->wsl, ORIGIN_WORKSPACE, "/w/.corral.toml");
        load(&f->wsl, fmt(buf, "[caches]\ndir = \"%s\"\n", f->other), f->home);
        assert_int_equal(resolve(f), -EPERM);
        assert_contains(f->err.msg, "caches.dir");
        config_layer_done(&f->wsl);
        config_layer_init(&f->wsl, ORIGIN_WORKSPACE, "/w/.corral.toml");
        load(&f->user, fmt(buf, "[caches]\ndir = \"%s\"\n", f->other), f->home);
        assert_int_equal(resolve(f), 0);
        assert_string_equal(f->p.caches_dir, f->other);
}

static void test_config_caches_errors(void **state) {
        (void)state;
        const char *bad[][2] = {
                {"[caches]\nnpm = \"sideways\"\n", "unknown cache mode 'sideways'"},
                {"[caches]\nnuget = \"off\"\n", "unknown key 'caches.nuget'"},
                {"[caches]\nnpm = true\n", "caches.npm"},
                {"caches = \"off\"\n", "caches"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                config_layer l;
                corral_error err = {""};
                config_layer_init(&l, ORIGIN_USER, "/u/config.toml");
                assert_int_equal(config_layer_load_string(&l, bad[i][0], strlen(bad[i][0]), "/h", &err), -EINVAL);
                assert_contains(err.msg, bad[i][1]);
                config_layer_done(&l);
        }
        policy_cache c;
        policy_cache_mode m;
        assert_int_equal(policy_cache_from_string("go-build", &c), 0);
        assert_int_equal(c, CACHE_GO_BUILD);
        assert_string_equal(policy_cache_to_string(CACHE_NODE_GYP), "node-gyp");
        assert_int_equal(policy_cache_mode_from_string("read-through", &m), 0);
        assert_int_equal(m, CACHE_READ_THROUGH);
        assert_int_equal(policy_cache_mode_from_string("on", &m), -EINVAL);
}

/* --- resolve: deny/allow paths --------------------------------------------- */

static void test_resolve_deny_paths(void **state) {
        fx *f = *state;
        char buf[PATH_MAX], target[PATH_MAX], want[PATH_MAX];

        /* a symlinked deny path hides its target */
        assert_int_equal(mkdir(fmt(target, "%s/real-secrets", f->other), 0700), 0);
        assert_int_equal(symlink(target, fmt(buf, "%s/.secrets", f->home)), 0);
        load(&f->user, "deny_read = [\"~/.secrets\", \"~/.secrets/key\"]\n", f->home);
        /* relative entries of a file are relative to the workspace */
        load(&f->wsl, "deny_read = [\"local/secret\"]\n", f->home);
        /* relative entries of the flags to the caller's cwd */
        set(&f->flags, "deny_read", "../flagged", NULL);
        set(&f->flags, "workspace", f->ws, NULL);
        set(&f->flags, "allow_read", "~/.ssh/known_hosts", f->home);
        set(&f->flags, "allow_unix_sockets", "/run/user/1000/../1000/bus", NULL);
        policy_free(&f->p);
        assert_int_equal(
                policy_resolve(&f->defaults, &f->user, &f->wsl, &f->flags, f->home, f->other, &f->p, &f->err), 0);

        assert_true(strv_contains(&f->p.deny_read, target));
        assert_false(strv_contains(&f->p.deny_read, buf));
        assert_true(strv_contains(&f->p.deny_read, fmt(want, "%s/key", target)));
        assert_true(strv_contains(&f->p.deny_read, fmt(want, "%s/local/secret", f->ws)));
        assert_true(strv_contains(&f->p.deny_read, fmt(want, "%s/flagged", f->root)));
        assert_int_equal(f->p.allow_read.n, 1);
        assert_string_equal(f->p.allow_read.v[0], fmt(want, "%s/.ssh/known_hosts", f->home));
        assert_int_equal(f->p.allow_unix_sockets.n, 1);
        assert_string_equal(f->p.allow_unix_sockets.v[0], "/run/user/1000/bus");

        /* duplicates after canonicalisation are dropped */
        size_t n = f->p.deny_read.n;
        set(&f->flags, "deny_read", target, NULL);
        set(&f->flags, "deny_read", fmt(want, "%s/../home/.ssh", f->home), NULL);
        policy_free(&f->p);
        assert_int_equal(
                policy_resolve(&f->defaults, &f->user, &f->wsl, &f->flags, f->home, f->other, &f->p, &f->err), 0);
        assert_int_equal(f->p.deny_read.n, n);
}

static void test_resolve_home_needed(void **state) {
        fx *f = *state;

        /* a user entry under ~ that could not be expanded, and no home now */
        load(&f->user, "\ndeny_read = [\"~/x\"]\n", NULL);
        policy_free(&f->p);
        assert_int_equal(policy_resolve(&f->defaults, &f->user, NULL, &f->flags, NULL, f->ws, &f->p, &f->err),
                         -EINVAL);
        assert_contains(f->err.msg, "/u/config.toml:2: key 'deny_read'");
        assert_contains(f->err.msg, "home");
        /* with a home at resolve time it expands there */
        assert_int_equal(resolve(f), 0);
        char want[PATH_MAX];
        assert_true(strv_contains(&f->p.deny_read, fmt(want, "%s/x", f->home)));
}

/* --- resolve: narrowing ----------------------------------------------------- */

/* Loads text as the workspace config and expects resolve to refuse key. */
static void expect_refused(fx *f, const char *text, const char *key, int line) {
        char want[PATH_MAX];
        config_layer_done(&f->wsl);
        config_layer_init(&f->wsl, ORIGIN_WORKSPACE, "/w/.corral.toml");
        load(&f->wsl, text, f->home);
        int r = resolve(f);
        if (r != -EPERM)
                fail_msg("'%s': expected -EPERM, got %d (%s)", text, r, f->err.msg);
        fmt(want, "/w/.corral.toml:%d: key '%s'", line, key);
        assert_contains(f->err.msg, want);
        assert_contains(f->err.msg, "may only narrow");
        fmt(want, "[workspaces.\"%s\"] trust = true", f->ws);
        assert_contains(f->err.msg, want);
}

static void expect_allowed(fx *f, const char *text) {
        config_layer_done(&f->wsl);
        config_layer_init(&f->wsl, ORIGIN_WORKSPACE, "/w/.corral.toml");
        load(&f->wsl, text, f->home);
        int r = resolve(f);
        if (r != 0)
                fail_msg("'%s': expected 0, got %d (%s)", text, r, f->err.msg);
}

static void test_narrow_mode(void **state) {
        fx *f = *state;
        expect_allowed(f, "mode = \"read-only\"\n");
        assert_int_equal(f->p.mode, MODE_READ_ONLY);
        expect_allowed(f, "mode = \"workspace-write\"\n");
        expect_refused(f, "\nmode = \"full-access\"\n", "mode", 2);
        assert_contains(f->err.msg, "full-access");
        /* user config at read-only: workspace-write is wider */
        load(&f->user, "mode = \"read-only\"\n", f->home);
        expect_refused(f, "mode = \"workspace-write\"\n", "mode", 1);
        expect_allowed(f, "mode = \"read-only\"\n");
        /* user config at full-access: full-access from the workspace is not wider */
        load(&f->user, "mode = \"full-access\"\n", f->home);
        expect_allowed(f, "mode = \"full-access\"\n");
        assert_int_equal(f->p.mode, MODE_FULL_ACCESS);
}

static void test_narrow_network(void **state) {
        fx *f = *state;
        expect_allowed(f, "network = \"off\"\n");
        expect_allowed(f, "network = false\n");
        expect_refused(f, "network = \"on\"\n", "network", 1);
        expect_refused(f, "# on\nnetwork = true\n", "network", 2);
        load(&f->user, "network = \"on\"\n", f->home);
        expect_allowed(f, "network = \"on\"\n");
        assert_int_equal(f->p.network, NETWORK_ON);
        expect_allowed(f, "network = \"off\"\n");
        assert_int_equal(f->p.network, NETWORK_OFF);
}

/* --- network = proxy (issue 10) ------------------------------------------------ */

static void reset_user(fx *f, const char *text) {
        config_layer_done(&f->user);
        config_layer_init(&f->user, ORIGIN_USER, "/u/config.toml");
        if (text)
                load(&f->user, text, f->home);
}

static void test_network_proxy_resolve(void **state) {
        fx *f = *state;
        /* defaults: off, ports 80 and 443 */
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.network, NETWORK_OFF);
        assert_int_equal(f->p.n_allow_ports, 2);
        assert_int_equal(f->p.allow_ports[0], 80);
        assert_int_equal(f->p.allow_ports[1], 443);
        /* a flag naming a domain implies proxy; names are normalised */
        set(&f->flags, "network.allow_domains", "Registry.NPMJS.org.", NULL);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.network, NETWORK_PROXY);
        assert_true(strv_contains(&f->p.allow_domains, "registry.npmjs.org"));
        /* user config: [network] table, lists accumulate with the flags */
        reset_user(f, "[network]\nallow_domains = [\"*.pypi.org\"]\ndeny_domains = [\"evil.pypi.org\"]\n"
                      "allow_ports = [443, 8443]\n");
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.network, NETWORK_PROXY);
        assert_int_equal(f->p.allow_domains.n, 2);
        assert_true(strv_contains(&f->p.deny_domains, "evil.pypi.org"));
        assert_int_equal(f->p.n_allow_ports, 2);
        assert_int_equal(f->p.allow_ports[1], 8443);
        /* in one layer, domains and "on" give proxy */
        set(&f->flags, "network", "on", NULL);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.network, NETWORK_PROXY);
        /* a later "on" (or "off") wins over earlier domains; an earlier "on" does not */
        config_layer_done(&f->flags);
        config_layer_init(&f->flags, ORIGIN_FLAGS, "command line");
        set(&f->flags, "network", "on", NULL);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.network, NETWORK_ON);
        set(&f->flags, "network", "off", NULL);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.network, NETWORK_OFF);
        config_layer_done(&f->flags);
        config_layer_init(&f->flags, ORIGIN_FLAGS, "command line");
        reset_user(f, "network = \"on\"\n[limits]\n");
        set(&f->flags, "network.allow_domains", "a.test", NULL);
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.network, NETWORK_PROXY);
        /* network = "proxy" alone: nothing allowed */
        config_layer_done(&f->flags);
        config_layer_init(&f->flags, ORIGIN_FLAGS, "command line");
        reset_user(f, "[network]\nmode = \"proxy\"\n");
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.network, NETWORK_PROXY);
        assert_int_equal(f->p.allow_domains.n, 0);
}

static void test_network_proxy_config_errors(void **state) {
        (void)state;
        static const struct {
                const char *text, *msg;
        } bad[] = {
                {"[network]\nallow_domains = [\"b\xc3\xbc" "cher.de\"]\n", "xn--"},
                {"[network]\nallow_domains = [\"a..b\"]\n", "not a host name"},
                {"[network]\nallow_domains = [\"*\"]\n", "not a host name"},
                {"[network]\nallow_domains = \"a.test\"\n", "an array of strings"},
                {"[network]\nallow_ports = [0]\n", "not a port"},
                {"[network]\nallow_ports = [65536]\n", "not a port"},
                {"[network]\nallow_ports = [\"443\"]\n", "port numbers"},
                {"[network]\nbogus = 1\n", "unknown key 'network.bogus'"},
                {"network = \"maybe\"\n", "off, on or proxy"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                config_layer l;
                corral_error err = {""};
                config_layer_init(&l, ORIGIN_USER, "u.toml");
                if (config_layer_load_string(&l, bad[i].text, strlen(bad[i].text), NULL, &err) != -EINVAL)
                        fail_msg("accepted: %s", bad[i].text);
                assert_contains(err.msg, bad[i].msg);
                assert_contains(err.msg, "u.toml:");
                config_layer_done(&l);
        }
}

static void test_narrow_network_proxy(void **state) {
        fx *f = *state;
        /* user: off. The workspace cannot open the network through the proxy. */
        expect_refused(f, "[network]\nallow_domains = [\"evil.test\"]\n", "network.allow_domains", 2);
        assert_contains(f->err.msg, "through the proxy");
        expect_refused(f, "network = \"proxy\"\n", "network", 1);
        expect_allowed(f, "[network]\ndeny_domains = [\"x.test\"]\n");
        assert_int_equal(f->p.network, NETWORK_OFF);
        /* user: on. Naming domains narrows it. */
        reset_user(f, "network = \"on\"\n");
        expect_allowed(f, "[network]\nallow_domains = [\"a.test\"]\n");
        assert_int_equal(f->p.network, NETWORK_PROXY);
        assert_int_equal(f->p.allow_domains.n, 1);
        /* user: proxy with a list. The workspace may pick from it, never add. */
        reset_user(f, "[network]\nallow_domains = [\"*.example.org\", \"registry.test\"]\n");
        expect_allowed(f, "[network]\nallow_domains = [\"pkg.example.org\"]\n");
        assert_int_equal(f->p.network, NETWORK_PROXY);
        assert_int_equal(f->p.allow_domains.n, 1); /* narrowed, not accumulated */
        assert_string_equal(f->p.allow_domains.v[0], "pkg.example.org");
        expect_allowed(f, "[network]\nallow_domains = [\"*.a.example.org\", \"registry.test\"]\n");
        expect_refused(f, "[network]\nallow_domains = [\"example.org\"]\n", "network.allow_domains", 2);
        assert_contains(f->err.msg, "it allows example.org");
        expect_refused(f, "[network]\nallow_domains = [\"registry.test\", \"evil.test\"]\n", "network.allow_domains", 2);
        expect_refused(f, "[network]\nallow_domains = [\"10.0.0.1\"]\n", "network.allow_domains", 2);
        expect_refused(f, "network = \"on\"\n", "network", 1);
        expect_allowed(f, "network = \"off\"\n");
        assert_int_equal(f->p.network, NETWORK_OFF);
        /* ports: a subset only */
        expect_allowed(f, "[network]\nallow_ports = [443]\n");
        assert_int_equal(f->p.n_allow_ports, 1);
        expect_refused(f, "[network]\nallow_ports = [443, 22]\n", "network.allow_ports", 2);
        assert_contains(f->err.msg, "port 22");
        /* the flags still add what the developer names */
        set(&f->flags, "network.allow_domains", "flag.test", NULL);
        expect_allowed(f, "[network]\nallow_domains = [\"registry.test\"]\n");
        assert_int_equal(f->p.allow_domains.n, 2);
        assert_true(strv_contains(&f->p.allow_domains, "flag.test"));
}

static void test_trusted_workspace_network(void **state) {
        fx *f = *state;
        char text[PATH_MAX + 64];
        reset_user(f, fmt(text, "[workspaces.\"%s\"]\ntrust = true\n", f->ws));
        expect_allowed(f, "[network]\nallow_domains = [\"evil.test\"]\nallow_ports = [22]\n");
        assert_int_equal(f->p.network, NETWORK_PROXY);
        assert_int_equal(f->p.allow_ports[0], 22);
}

static void test_narrow_tmp(void **state) {
        fx *f = *state;
        expect_allowed(f, "tmp = \"private\"\n");
        assert_int_equal(f->p.tmp, TMP_PRIVATE);
        expect_allowed(f, "tmp = \"workspace\"\n");
        expect_refused(f, "tmp = \"host\"\n", "tmp", 1);
        load(&f->user, "tmp = \"private\"\n", f->home);
        expect_refused(f, "tmp = \"workspace\"\n", "tmp", 1);
        load(&f->user, "tmp = \"host\"\n", f->home);
        expect_allowed(f, "tmp = \"host\"\n");
}

/* --git commits (issue 9): a workspace may keep git read-only, never ask
 * for commits unless the user config does (or trusts it). */
static void test_narrow_git(void **state) {
        fx *f = *state;
        expect_allowed(f, "git = \"read-only\"\n");
        assert_int_equal(f->p.git, GIT_READ_ONLY);
        expect_refused(f, "git = \"commits\"\n", "git", 1);
        load(&f->user, "git = \"commits\"\n", f->home);
        expect_allowed(f, "git = \"read-only\"\n");
        assert_int_equal(f->p.git, GIT_READ_ONLY);
        expect_allowed(f, "git = \"commits\"\n");
        assert_int_equal(f->p.git, GIT_COMMITS);
}

static void test_narrow_protect_depth(void **state) {
        fx *f = *state;
        expect_allowed(f, "protect_depth = 3\n");
        assert_int_equal(f->p.protect_depth, 3);
        expect_allowed(f, "protect_depth = 1\n");
        assert_int_equal(f->p.protect_depth, 1);
        expect_refused(f, "protect_depth = 0\n", "protect_depth", 1);
        assert_contains(f->err.msg, "protects fewer levels");
        load(&f->user, "protect_depth = 4\n", f->home);
        expect_refused(f, "protect_depth = 3\n", "protect_depth", 1);
        expect_allowed(f, "protect_depth = 5\n");
        assert_int_equal(f->p.protect_depth, 5);
}

static void test_narrow_timeout(void **state) {
        fx *f = *state;
        /* no timeout in the base: setting one is narrowing */
        expect_allowed(f, "timeout = 30\n");
        assert_int_equal(f->p.timeout_ms, 30000);
        expect_allowed(f, "timeout = 0\n");
        load(&f->user, "timeout = 60\n", f->home);
        expect_allowed(f, "timeout = 10\n");
        assert_int_equal(f->p.timeout_ms, 10000);
        expect_allowed(f, "timeout = 60.0\n");
        expect_refused(f, "timeout = 61\n", "timeout", 1);
        expect_refused(f, "timeout = 0\n", "timeout", 1);
        assert_contains(f->err.msg, "removes the timeout");
}

static void test_narrow_limits(void **state) {
        fx *f = *state;
        /* no limit in the base: setting one is narrowing, and so is 0 (none) */
        expect_allowed(f, "[limits]\nmemory = \"1G\"\npids = 64\n");
        assert_int_equal(f->p.limits.v[LIMIT_MEMORY], 1ULL << 30);
        assert_int_equal(f->p.limits.v[LIMIT_PIDS], 64);
        expect_allowed(f, "[limits]\ncpu = 0\n");
        load(&f->user, "[limits]\nmemory = \"512M\"\npids = 100\ncpu = 60\ntmp = \"64M\"\n", f->home);
        expect_allowed(f, "[limits]\nmemory = \"256M\"\npids = 100\ncpu = 1\ntmp = \"1M\"\n");
        assert_int_equal(f->p.limits.v[LIMIT_MEMORY], 256ULL << 20);
        assert_int_equal(f->p.limits.v[LIMIT_PIDS], 100);
        assert_int_equal(f->p.limits.v[LIMIT_CPU], 1);
        assert_int_equal(f->p.limits.v[LIMIT_TMP], 1 << 20);
        /* looser, or removed: refused, naming the key and line */
        expect_refused(f, "[limits]\nmemory = \"513M\"\n", "limits.memory", 2);
        assert_contains(f->err.msg, "looser than");
        expect_refused(f, "[limits]\n\npids = 101\n", "limits.pids", 3);
        expect_refused(f, "[limits]\ncpu = 0\n", "limits.cpu", 2);
        assert_contains(f->err.msg, "removes the limit");
        expect_refused(f, "limits = { tmp = \"1G\" }\n", "limits.tmp", 1);
        /* a limit the user config leaves alone is not loosened by setting another */
        expect_allowed(f, "[limits]\nmemory = \"512M\"\n");
        assert_int_equal(f->p.limits.v[LIMIT_PIDS], 100);
        /* flags are the user's own request: never narrowed */
        set(&f->flags, "limits.memory", "0", NULL);
        expect_allowed(f, "[limits]\nmemory = \"100M\"\n");
        assert_int_equal(f->p.limits.v[LIMIT_MEMORY], 0);
}

static void test_narrow_refused_keys(void **state) {
        fx *f = *state;
        expect_refused(f, "writable_roots = [\"/tmp\"]\n", "writable_roots", 1);
        expect_refused(f, "\nallow_read = [\"~/.ssh\"]\n", "allow_read", 2);
        expect_refused(f, "allow_unix_sockets = [\"/run/docker.sock\"]\n", "allow_unix_sockets", 1);
        expect_refused(f, "[env]\nkeep = [\"GITHUB_TOKEN\"]\n", "env.keep", 2);
        expect_refused(f, "[env.set]\nLD_PRELOAD = \"/x.so\"\n", "env.set", 1);
        expect_refused(f, "allow_broad_roots = true\n", "allow_broad_roots", 1);
        expect_refused(f, "[workspaces.\"/\"]\ntrust = true\n", "workspaces", 1);
        /* narrowing keys are fine */
        expect_allowed(f, "protect = [\"secrets\"]\ndeny_read = [\"/etc/shadow\"]\nallow_broad_roots = false\n"
                          "[env]\ndrop = [\"NPM_*\"]\n");
        assert_true(strv_contains(&f->p.protect, "secrets"));
        assert_true(strv_contains(&f->p.deny_read, "/etc/shadow"));
        assert_true(strv_contains(&f->p.env_drop, "NPM_*"));
        /* flags may widen whatever the workspace config says */
        set(&f->flags, "network", "on", NULL);
        expect_allowed(f, "network = \"off\"\n");
        assert_int_equal(f->p.network, NETWORK_ON);
}

/* report_denials: "writes" by default (issue 11: within 1% on the build
 * workload); a report widens nothing, so any layer may set any level, an
 * untrusted workspace config too, and the last layer that sets it wins. */
static void test_resolve_report_denials(void **state) {
        fx *f = *state;
        assert_int_equal(resolve(f), 0);
        assert_int_equal(f->p.report_denials, DENIALS_WRITES);
        expect_allowed(f, "report_denials = false\n");
        assert_int_equal(f->p.report_denials, DENIALS_OFF);
        expect_allowed(f, "report_denials = \"off\"\n");
        assert_int_equal(f->p.report_denials, DENIALS_OFF);
        expect_allowed(f, "report_denials = \"all\"\n");
        assert_int_equal(f->p.report_denials, DENIALS_ALL);
        /* the user turns them off; the workspace config says nothing */
        load(&f->user, "report_denials = \"off\"\n", f->home);
        expect_allowed(f, "mode = \"read-only\"\n");
        assert_int_equal(f->p.report_denials, DENIALS_OFF);
        /* the flag wins over both files */
        set(&f->flags, "report_denials", "writes", NULL);
        expect_allowed(f, "report_denials = false\n");
        assert_int_equal(f->p.report_denials, DENIALS_WRITES);
        set(&f->flags, "report_denials", "off", NULL);
        expect_allowed(f, "report_denials = \"all\"\n");
        assert_int_equal(f->p.report_denials, DENIALS_OFF);
}

static void test_trusted_workspace(void **state) {
        fx *f = *state;
        char buf[PATH_MAX], link[PATH_MAX];
        const char *wide = "mode = \"full-access\"\nnetwork = \"on\"\ntmp = \"host\"\n"
                           "writable_roots = [\"../../other\"]\nallow_read = [\"~/.ssh/config\"]\n"
                           "[env]\nkeep = [\"GH_TOKEN\"]\nset = { X = \"1\" }\n";

        /* trusting another workspace changes nothing */
        fmt(buf, "[workspaces.\"%s\"]\ntrust = true\n", f->other);
        load(&f->user, buf, f->home);
        expect_refused(f, wide, "mode", 1);

        /* trusting this one, through a symlink to it: canonical paths compared */
        assert_int_equal(symlink(f->ws, fmt(link, "%s/proj-link", f->root)), 0);
        fmt(buf, "[workspaces.\"%s\"]\ntrust = true\n", link);
        load(&f->user, buf, f->home);
        expect_allowed(f, wide);
        assert_int_equal(f->p.mode, MODE_FULL_ACCESS);
        assert_int_equal(f->p.network, NETWORK_ON);
        assert_int_equal(f->p.tmp, TMP_HOST);
        assert_true(strv_contains(&f->p.env_keep, "GH_TOKEN"));
        assert_true(strv_contains(&f->p.env_set, "X=1"));

        /* writable roots of a trusted workspace config are relative to the workspace */
        expect_allowed(f, "writable_roots = [\"../../other\"]\n");
        assert_true(strv_contains(&f->p.writable_roots, f->other));

        /* trust = false is no trust */
        config_layer_done(&f->user);
        config_layer_init(&f->user, ORIGIN_USER, "/u/config.toml");
        fmt(buf, "[workspaces.\"%s\"]\ntrust = false\n", f->ws);
        load(&f->user, buf, f->home);
        expect_refused(f, "network = \"on\"\n", "network", 1);

        /* ~ in the trusted path */
        config_layer_done(&f->user);
        config_layer_init(&f->user, ORIGIN_USER, "/u/config.toml");
        load(&f->user, "[workspaces.\"~/proj\"]\ntrust = true\n", f->home);
        expect_allowed(f, "network = \"on\"\n");
}

/* Which missing protected names a placeholder holds at the top of a root. */
static void test_holds_missing_at_top(void **state) {
        (void)state;
        assert_true(policy_holds_missing_at_top(".claude", true, 0));
        assert_true(policy_holds_missing_at_top("HEAD", false, 0));
        assert_false(policy_holds_missing_at_top("HEAD", true, 0)); /* git finds .git first */
        /* lefthook's names: only beside another of them */
        const char *family[] = {"lefthook.yml", ".lefthook-local.toml", ".lefthook", "lefthook-local.jsonc",
                                ".lefthook-local"};
        for (size_t i = 0; i < sizeof(family) / sizeof(*family); i++) {
                assert_int_equal(policy_name_family(family[i]), FAMILY_LEFTHOOK);
                assert_false(policy_holds_missing_at_top(family[i], false, 0));
                assert_false(policy_holds_missing_at_top(family[i], false, FAMILY_MISE));
                assert_true(policy_holds_missing_at_top(family[i], true, FAMILY_LEFTHOOK));
        }
        /* mise's: only beside another of them, and not beside lefthook's */
        const char *mise[] = {"mise.toml", ".mise.toml", "mise.local.toml", ".mise.local.toml", ".rtx.toml",
                              ".mise", ".tool-versions"};
        for (size_t i = 0; i < sizeof(mise) / sizeof(*mise); i++) {
                assert_int_equal(policy_name_family(mise[i]), FAMILY_MISE);
                assert_false(policy_holds_missing_at_top(mise[i], true, FAMILY_LEFTHOOK));
                assert_true(policy_holds_missing_at_top(mise[i], false, FAMILY_MISE | FAMILY_LEFTHOOK));
        }
        const char *others[] = {"lefthooks.yml", "mylefthook.yml", ".git", "HEAD", "lefthookx", "mise",
                                "mise.tomlx", ".config", "tool-versions"};
        for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++)
                assert_int_equal(policy_name_family(others[i]), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_holds_missing_at_top),
                cmocka_unit_test(test_enum_strings),
                cmocka_unit_test(test_path_expand_home),
                cmocka_unit_test(test_path_join_normalize),
                cmocka_unit_test(test_path_holds),
                cmocka_unit_test(test_path_plant_places),
                cmocka_unit_test_setup_teardown(test_path_canonicalize, setup, teardown),
                cmocka_unit_test_setup_teardown(test_path_canon_memo_known_missing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_path_canonicalize_memo, setup, teardown),
                cmocka_unit_test_setup_teardown(test_path_home_cwd, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_defaults, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_null_layers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_workspace_cwd, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_scalars_later_wins, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_unprotect, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_unprotect_workspace, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_lists_accumulate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_writable_roots, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_writable_root_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_broad_roots, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_plant_roots, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_plant_project_own, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_readonly_tmp, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_caches, setup, teardown),
                cmocka_unit_test(test_config_caches_errors),
                cmocka_unit_test_setup_teardown(test_resolve_deny_paths, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_home_needed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_narrow_mode, setup, teardown),
                cmocka_unit_test_setup_teardown(test_narrow_network, setup, teardown),
                cmocka_unit_test_setup_teardown(test_narrow_tmp, setup, teardown),
                cmocka_unit_test_setup_teardown(test_narrow_git, setup, teardown),
                cmocka_unit_test_setup_teardown(test_narrow_timeout, setup, teardown),
                cmocka_unit_test_setup_teardown(test_narrow_protect_depth, setup, teardown),
                cmocka_unit_test_setup_teardown(test_narrow_limits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_narrow_refused_keys, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_report_denials, setup, teardown),
                cmocka_unit_test_setup_teardown(test_trusted_workspace, setup, teardown),
                cmocka_unit_test_setup_teardown(test_network_proxy_resolve, setup, teardown),
                cmocka_unit_test(test_network_proxy_config_errors),
                cmocka_unit_test_setup_teardown(test_narrow_network_proxy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_trusted_workspace_network, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
