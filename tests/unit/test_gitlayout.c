/* SPDX-License-Identifier: MIT
 * Reading git's layout as git does (plan/gitlayout.h, plan/gitconfig.h)
 * and hostile small files (common/readfile.h): the exact parsing rules of
 * git's .git files, commondir and config syntax, and what each repository
 * layout yields as surfaces. No privileges needed. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/path.h"
#include "common/readfile.h"
#include "common/strv.h"
#include "plan/gitconfig.h"
#include "plan/gitindex.h"
#include "plan/gitlayout.h"
#include "supervise/newrepo.h"

static char root[] = "/var/tmp/corral-test-gitlayout-XXXXXX";

static char *at(const char *rel) {
        char *p = path_join(root, rel);
        assert_non_null(p);
        return p;
}

static void mkdirs(const char *rel) {
        char *p = at(rel);
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", p);
        assert_int_equal(system(cmd), 0);
        free(p);
}

static void write_file(const char *rel, const char *text, size_t len) {
        char *p = at(rel);
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, len, f), len);
        fclose(f);
        free(p);
}

static void put(const char *rel, const char *text) { write_file(rel, text, strlen(text)); }

static void link_at(const char *target, const char *rel) {
        char *p = at(rel);
        assert_int_equal(symlink(target, p), 0);
        free(p);
}

/* A bare-bones repository git would accept at rel (HEAD, objects, refs). */
static void gitdir_at(const char *rel) {
        char buf[4096];
        snprintf(buf, sizeof(buf), "%s/objects", rel), mkdirs(buf);
        snprintf(buf, sizeof(buf), "%s/refs", rel), mkdirs(buf);
        snprintf(buf, sizeof(buf), "%s/HEAD", rel), put(buf, "ref: refs/heads/main\n");
}

static int setup(void **state) {
        (void)state;
        assert_non_null(mkdtemp(root));
        return 0;
}

static int teardown(void **state) {
        (void)state;
        char cmd[4096];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        return system(cmd) == 0 ? 0 : -1;
}

/* A fresh, empty directory under root for one test. */
static char *fresh(const char *name) {
        char cmd[4096];
        char *p = at(name);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", p, p);
        assert_int_equal(system(cmd), 0);
        return p;
}

/* --- the config syntax ---------------------------------------------------- */

typedef struct entries {
        strv kv;
} entries;

static int collect(const char *key, const char *value, void *data) {
        entries *e = data;
        char *s = NULL;
        assert_true(asprintf(&s, "%s=%s", key, value ? value : "(null)") > 0);
        return strv_push_take(&e->kv, s);
}

static int parse(const char *text, entries *e) {
        *e = (entries){0};
        return gitconfig_parse(text, strlen(text), collect, e);
}

static void test_config_syntax(void **state) {
        (void)state;
        entries e;
        assert_int_equal(parse("[core]\n\thooksPath = .husky\n", &e), 0);
        assert_string_equal(e.kv.v[0], "core.hookspath=.husky");
        strv_clear(&e.kv);

        /* subsections keep their case, sections and keys do not; legacy
         * [a.B] lowercases everything */
        assert_int_equal(parse("[IncludeIf \"gitdir:~/Work/\"]\nPATH=x\n[Sec.Sub]\nk\n", &e), 0);
        assert_string_equal(e.kv.v[0], "includeif.gitdir:~/Work/.path=x");
        assert_string_equal(e.kv.v[1], "sec.sub.k=(null)");
        strv_clear(&e.kv);

        /* quotes, escapes, comments, inner spaces kept, trailing trimmed,
         * line continuation, CRLF */
        assert_int_equal(parse("[a]\r\n k = \" x \"y # c\r\n l = p\\\nq ; c\n m = a\\tb\\\\\\\"\n", &e), 0);
        assert_string_equal(e.kv.v[0], "a.k= x y");
        assert_string_equal(e.kv.v[1], "a.l=pq");
        assert_string_equal(e.kv.v[2], "a.m=a\tb\\\"");
        strv_clear(&e.kv);

        /* a BOM is skipped; a partial one is an error */
        assert_int_equal(parse("\xef\xbb\xbf[a]\nk=v\n", &e), 0);
        assert_string_equal(e.kv.v[0], "a.k=v");
        strv_clear(&e.kv);
        assert_int_equal(parse("\xef\xbb[a]\nk=v\n", &e), -EINVAL);
        assert_int_equal(e.kv.n, 0);

        /* git stops at the first error: what came before is reported */
        assert_int_equal(parse("[a]\nk=1\nk=\\q\n[b]\nj=2\n", &e), -EINVAL);
        assert_int_equal(e.kv.n, 1);
        strv_clear(&e.kv);
        assert_int_equal(parse("[a]\nk=\"open\n", &e), -EINVAL);
        assert_int_equal(parse("[a \"sub]\n", &e), -EINVAL);
        assert_int_equal(parse("[a]\n9k=1\n", &e), -EINVAL);

        /* a NUL ends the value as it does in git (a C string) */
        e = (entries){0};
        assert_int_equal(gitconfig_parse("[a]\nk=x\0y\n", 10, collect, &e), 0);
        assert_string_equal(e.kv.v[0], "a.k=x");
        strv_clear(&e.kv);

        /* no section, empty value, no final newline */
        assert_int_equal(parse("[a]\nk=\nj = v", &e), 0);
        assert_string_equal(e.kv.v[0], "a.k=");
        assert_string_equal(e.kv.v[1], "a.j=v");
        strv_clear(&e.kv);
}

/* --- hostile small files --------------------------------------------------- */

static void test_readfile_types(void **state) {
        (void)state;
        char *d = fresh("readfile");
        char *buf;
        size_t len;
        mode_t type;
        put("readfile/f", "hello");
        char *f = at("readfile/f"), *fifo = at("readfile/fifo"), *lnk = at("readfile/link"), *big = at("readfile/big");
        assert_int_equal(readfile_small(f, 100, 0, &buf, &len, &type), 0);
        assert_int_equal(len, 5);
        assert_string_equal(buf, "hello");
        free(buf);
        /* exactly the cap is fine, one more is not */
        assert_int_equal(readfile_small(f, 5, 0, &buf, &len, &type), 0);
        free(buf);
        assert_int_equal(readfile_small(f, 4, 0, &buf, &len, &type), -EFBIG);
        /* a FIFO is refused without blocking (nobody writes to it) */
        assert_int_equal(mkfifo(fifo, 0644), 0);
        time_t t0 = time(NULL);
        assert_int_equal(readfile_small(fifo, 100, READFILE_FOLLOW, &buf, &len, &type), -EFTYPE_NOTREG);
        assert_true(S_ISFIFO(type));
        assert_true(time(NULL) - t0 < 2);
        assert_string_equal(readfile_type_name(type), "a FIFO");
        /* a device, a directory */
        assert_int_equal(readfile_small("/dev/zero", 100, READFILE_FOLLOW, &buf, &len, &type), -EFTYPE_NOTREG);
        assert_true(S_ISCHR(type));
        assert_int_equal(readfile_small(d, 100, 0, &buf, &len, &type), -EISDIR);
        /* a symlink: refused unless followed */
        assert_int_equal(symlink("f", lnk), 0);
        assert_int_equal(readfile_small(lnk, 100, 0, &buf, &len, &type), -ELOOP);
        assert_int_equal(readfile_small(lnk, 100, READFILE_FOLLOW, &buf, &len, &type), 0);
        free(buf);
        /* a symlink to a FIFO is still a FIFO */
        unlink(lnk);
        assert_int_equal(symlink("fifo", lnk), 0);
        assert_int_equal(readfile_small(lnk, 100, READFILE_FOLLOW, &buf, &len, &type), -EFTYPE_NOTREG);
        char *none = at("readfile/none");
        assert_int_equal(readfile_small(none, 100, 0, &buf, &len, &type), -ENOENT);
        free(none);
        /* procfs says size 0: read to the end anyway, capped */
        assert_int_equal(readfile_small("/proc/self/status", 1 << 20, 0, &buf, &len, &type), 0);
        assert_true(len > 0 && strstr(buf, "Pid:"));
        free(buf);
        assert_int_equal(readfile_small("/proc/self/status", 10, 0, &buf, &len, &type), -EFBIG);
        /* bytes of any value, NULs included */
        write_file("readfile/big", "a\0b\xff", 4);
        assert_int_equal(readfile_small(big, 100, 0, &buf, &len, &type), 0);
        assert_int_equal(len, 4);
        assert_int_equal(memcmp(buf, "a\0b\xff", 4), 0);
        free(buf);
        free(f), free(fifo), free(lnk), free(big), free(d);
}

/* --- layouts --------------------------------------------------------------- */

static const char *const no_env[] = {"HOME=/nonexistent-home", "GIT_CONFIG_NOSYSTEM=1", NULL};

static const git_surface *surface(const gitlayout *g, const char *rel) {
        char *p = at(rel);
        const git_surface *s = NULL;
        for (size_t i = 0; i < g->n; i++)
                if (strcmp(g->v[i].path, p) == 0)
                        s = &g->v[i];
        free(p);
        return s;
}

static void dump(const gitlayout *g) {
        for (size_t i = 0; i < g->n; i++)
                print_message("  surface %s%s%s (%s)\n", g->v[i].path, g->v[i].exists ? "" : " [missing]",
                              g->v[i].link ? " [link]" : "", g->v[i].why);
}

static void read_repo(gitlayout *g, const char *rel, int expect) {
        corral_error err = {0};
        assert_int_equal(gitlayout_init(g, no_env, &err), 0);
        char *p = at(rel);
        int r = gitlayout_repo(g, p, &err);
        if (r != expect)
                print_message("gitlayout_repo(%s) = %d: %s\n", p, r, err.msg);
        assert_int_equal(r, expect);
        free(p);
}

static void test_gitfile_exact(void **state) {
        (void)state;
        free(fresh("gf"));
        gitdir_at("gf/real");
        gitdir_at("gf/ real");
        gitdir_at("gf/decoy");
        gitlayout g;

        /* "gitdir: " with one space: the rest is the path, verbatim */
        mkdirs("gf/a");
        put("gf/a/.git", "gitdir:  real\n"); /* two spaces: the path is " real" (relative) */
        link_at("../ real", "gf/a/ real");
        read_repo(&g, "gf/a/.git", 0);
        assert_non_null(surface(&g, "gf/a/ real"));      /* the link git follows */
        assert_non_null(surface(&g, "gf/ real"));        /* the gitdir it leads to */
        assert_null(surface(&g, "gf/real"));
        gitlayout_free(&g);

        /* no space after the colon: not a gitdir file for git */
        mkdirs("gf/b");
        put("gf/b/.git", "gitdir:../decoy\n");
        read_repo(&g, "gf/b/.git", 0);
        assert_null(surface(&g, "gf/decoy"));
        gitlayout_free(&g);

        /* trailing CR/LF are stripped, not spaces; an inner newline is part
         * of the path (the first line is not what git uses) */
        mkdirs("gf/c");
        put("gf/c/.git", "gitdir: ../decoy\nx\r\n\r\n");
        read_repo(&g, "gf/c/.git", 0);
        assert_null(surface(&g, "gf/decoy"));
        assert_non_null(surface(&g, "gf/decoy\nx")); /* missing: held so it cannot be made */
        assert_false(surface(&g, "gf/decoy\nx")->exists);
        gitlayout_free(&g);

        /* a trailing space is part of the path */
        mkdirs("gf/d");
        put("gf/d/.git", "gitdir: ../decoy \n");
        read_repo(&g, "gf/d/.git", 0);
        assert_null(surface(&g, "gf/decoy"));
        assert_non_null(surface(&g, "gf/decoy "));
        gitlayout_free(&g);

        /* a NUL ends the path */
        mkdirs("gf/e");
        write_file("gf/e/.git", "gitdir: ../real\0junk\n", 21);
        read_repo(&g, "gf/e/.git", 0);
        assert_non_null(surface(&g, "gf/real"));
        gitlayout_free(&g);

        /* a .git that is a FIFO is no repository to git: nothing read, no
         * hang; a gitdir line git would take from a FIFO is refused */
        mkdirs("gf/f");
        char *fifo = at("gf/f/.git");
        assert_int_equal(mkfifo(fifo, 0644), 0);
        read_repo(&g, "gf/f/.git", 0);
        for (size_t i = 0; i < g.n; i++) /* the name itself, nothing it would name */
                assert_true(strncmp(g.v[i].path, root, strlen(root)) != 0 || surface(&g, "gf/f/.git") == &g.v[i]);
        gitlayout_free(&g);
        free(fifo);

        /* a relative gitdir is relative to the .git file as named, not to
         * the target of a link to it */
        mkdirs("gf/g/sub");
        put("gf/g/sub/gitfile", "gitdir: real2\n");
        link_at("sub/gitfile", "gf/g/.git");
        gitdir_at("gf/g/real2");
        gitdir_at("gf/g/sub/real2");
        read_repo(&g, "gf/g/.git", 0);
        assert_non_null(surface(&g, "gf/g/real2"));
        assert_null(surface(&g, "gf/g/sub/real2"));
        assert_true(surface(&g, "gf/g/.git")->link);
        assert_non_null(surface(&g, "gf/g/sub/gitfile"));
        gitlayout_free(&g);
}

static void test_commondir(void **state) {
        (void)state;
        free(fresh("cd"));
        gitdir_at("cd/ws/.git");
        gitdir_at("cd/other/common");
        gitlayout g;

        /* a .git directory with a commondir: the common dir is the
         * repository's config and hooks */
        put("cd/ws/.git/commondir", "../../other/common\n\n");
        read_repo(&g, "cd/ws/.git", 0);
        dump(&g);
        assert_non_null(surface(&g, "cd/other/common"));
        assert_non_null(surface(&g, "cd/other/common/hooks"));
        gitlayout_free(&g);

        /* the whole file but trailing CR/LF: leading spaces are part of it */
        gitdir_at("cd/ws/ sp");
        put("cd/ws/.git/commondir", " sp\r\n");
        read_repo(&g, "cd/ws/.git", 0);
        assert_non_null(surface(&g, "cd/ws/.git/ sp"));
        gitlayout_free(&g);

        /* a FIFO commondir is refused: git would block on it */
        char *c = at("cd/ws/.git/commondir");
        unlink(c);
        assert_int_equal(mkfifo(c, 0644), 0);
        corral_error err = {0};
        assert_int_equal(gitlayout_init(&g, no_env, &err), 0);
        char *dg = at("cd/ws/.git");
        time_t t0 = time(NULL);
        assert_int_equal(gitlayout_repo(&g, dg, &err), -EINVAL);
        assert_true(time(NULL) - t0 < 2);
        assert_non_null(strstr(err.msg, "a FIFO"));
        assert_non_null(strstr(err.msg, "commondir"));
        gitlayout_free(&g);
        unlink(c);
        free(c);
        free(dg);
}

static void test_config_surfaces(void **state) {
        (void)state;
        free(fresh("cfg"));
        gitdir_at("cfg/ws/.git");
        mkdirs("cfg/ws/tools");
        put("cfg/ws/.git/config", "[core]\n\thooksPath = .husky/_\n\tfsmonitor = tools/fsmon.sh --flag\n"
                                  "[include]\n\tpath = ../inc/one.cfg\n"
                                  "[includeIf \"onbranch:never\"]\n\tpath = ../inc/cond.cfg\n"
                                  "[alias]\n\tx = !./tools/alias.sh arg\n\ty = log\n"
                                  "[hook \"lint\"]\n\tcommand = \"scripts/lint me.sh\"\n\tevent = pre-commit\n");
        mkdirs("cfg/ws/inc");
        put("cfg/ws/inc/one.cfg", "[include]\n\tpath = two.cfg\n");                 /* relative to inc/ */
        put("cfg/ws/inc/two.cfg", "[include]\n\tpath = one.cfg\n[init]\n\ttemplateDir = ~/tpl\n"); /* a cycle */
        gitlayout g;
        corral_error err = {0};
        char *home = at("cfg/home"), *env_home = NULL;
        assert_true(asprintf(&env_home, "HOME=%s", home) > 0);
        const char *env[] = {env_home, "GIT_CONFIG_NOSYSTEM=1", NULL};
        assert_int_equal(gitlayout_init(&g, env, &err), 0);
        char *dg = at("cfg/ws/.git");
        assert_int_equal(gitlayout_repo(&g, dg, &err), 0);
        dump(&g);
        /* husky: .husky/_ and all of .husky (missing: first component) */
        assert_non_null(surface(&g, "cfg/ws/.husky"));
        assert_false(surface(&g, "cfg/ws/.husky")->exists);
        assert_non_null(surface(&g, "cfg/ws/inc/one.cfg"));
        assert_non_null(surface(&g, "cfg/ws/inc/two.cfg"));
        assert_non_null(surface(&g, "cfg/ws/inc/cond.cfg")); /* whatever the condition */
        assert_non_null(surface(&g, "cfg/ws/tools/fsmon.sh"));
        assert_non_null(surface(&g, "cfg/ws/tools/alias.sh"));
        assert_non_null(surface(&g, "cfg/ws/scripts")); /* "scripts/lint me.sh": first missing component */
        assert_non_null(surface(&g, "cfg/home")); /* ~/tpl: home is missing, its first component held */
        gitlayout_free(&g);

        /* every key whose value git runs as a program: a path it names is a
         * surface (each key's own script, below a missing directory) */
        static const char *const runs[] = {
                "core.alternateRefsCommand", "gpg.ssh.defaultKeyCommand", "interactive.diffFilter",
                "sendemail.smtpServer",      "sendemail.sendmailCmd",     "sendemail.toCmd",
                "sendemail.ccCmd",           "sendemail.headerCmd",       "imap.tunnel",
                "instaweb.httpd",            "web.browser",               "trailer.sign.command",
                "trailer.sign.cmd",          "tar.tgz.command",           "difftool.kd.path",
                "mergetool.kd.path",         "browser.ff.cmd",            "browser.ff.path",
                "man.woman.cmd",             "man.woman.path",            "guitool.lint.cmd",
                "submodule.lib.update",      "gc.recentObjectsHook",      "sendemail.work.smtpServer",
                "sendemail.work.sendmailCmd", "sendemail.work.toCmd",    "sendemail.work.ccCmd",
                "sendemail.work.headerCmd",  "credential.helper",         "credential.https://h.example.helper",
                "svn.authorsProg",           "svn-remote.svn.authorsProg",
        };
        for (size_t i = 0; i < sizeof(runs) / sizeof(*runs); i++) {
                const char *dot = strrchr(runs[i], '.');
                char text[300], rel[300];
                /* "!" makes a shell command of these (credential.c, submodule--helper.c) */
                const char *bang = strncmp(runs[i], "submodule.", 10) == 0 || strncmp(runs[i], "credential.", 11) == 0
                                           ? "!"
                                           : "";
                snprintf(text, sizeof(text), "[%.*s]\n\t%s = %sbin%zu/run.sh -x\n", (int)(dot - runs[i]), runs[i],
                         dot + 1, bang, i);
                /* [a.b.c] is no section git reads: a subsection is quoted */
                const char *first = strchr(runs[i], '.');
                if (first != dot)
                        snprintf(text, sizeof(text), "[%.*s \"%.*s\"]\n\t%s = %sbin%zu/run.sh -x\n",
                                 (int)(first - runs[i]), runs[i], (int)(dot - first - 1), first + 1, dot + 1, bang, i);
                put("cfg/ws/.git/config", text);
                assert_int_equal(gitlayout_init(&g, env, &err), 0);
                assert_int_equal(gitlayout_repo(&g, dg, &err), 0);
                snprintf(rel, sizeof(rel), "cfg/ws/bin%zu", i);
                if (!surface(&g, rel))
                        fail_msg("%s: no surface for the program it names (%s)", runs[i], text);
                gitlayout_free(&g);
        }
        /* submodule.*.update without "!" is a mode, not a program */
        put("cfg/ws/.git/config", "[submodule \"lib\"]\n\tupdate = rebase/x\n");
        assert_int_equal(gitlayout_init(&g, env, &err), 0);
        assert_int_equal(gitlayout_repo(&g, dg, &err), 0);
        assert_null(surface(&g, "cfg/ws/rebase"));
        gitlayout_free(&g);
        /* a credential helper without "!" is git credential-<value>: with a
         * slash, git-credential-<value> by path from the worktree's top */
        put("cfg/ws/.git/config", "[credential]\n\thelper = tools/cred --x\n\thelper = store\n");
        assert_int_equal(gitlayout_init(&g, env, &err), 0);
        assert_int_equal(gitlayout_repo(&g, dg, &err), 0);
        assert_non_null(surface(&g, "cfg/ws/git-credential-tools"));
        assert_null(surface(&g, "cfg/ws/tools/cred"));
        gitlayout_free(&g);
        put("cfg/ws/.git/config", "");

        /* config.worktree: read too, and a hooksPath in it counts */
        put("cfg/ws/.git/config", "[extensions]\n\tworktreeConfig = true\n");
        put("cfg/ws/.git/config.worktree", "[core]\n\thooksPath = githooks\n");
        mkdirs("cfg/ws/githooks");
        assert_int_equal(gitlayout_init(&g, env, &err), 0);
        assert_int_equal(gitlayout_repo(&g, dg, &err), 0);
        assert_non_null(surface(&g, "cfg/ws/githooks"));
        assert_true(surface(&g, "cfg/ws/githooks")->exists);
        gitlayout_free(&g);

        /* the global config: its includes and its relative hooksPath (for
         * every repository) */
        mkdirs("cfg/home/.config/git");
        put("cfg/home/.gitconfig", "[include]\n\tpath = ~/dot/git.inc\n[core]\n\thooksPath = .hooks-global\n");
        put("cfg/ws/.git/config.worktree", "");
        assert_int_equal(gitlayout_init(&g, env, &err), 0);
        assert_non_null(surface(&g, "cfg/home/.gitconfig"));
        assert_non_null(surface(&g, "cfg/home/.config/git/config"));
        assert_non_null(surface(&g, "cfg/home/dot"));
        assert_int_equal(gitlayout_repo(&g, dg, &err), 0);
        assert_non_null(surface(&g, "cfg/ws/.hooks-global"));
        /* an empty .git (a placeholder for a missing one, as corral-runner
         * sees it) is no repository: nothing where the hooksPath leads */
        mkdirs("cfg/empty/.git");
        char *eg = at("cfg/empty/.git");
        assert_int_equal(gitlayout_repo(&g, eg, &err), 0);
        assert_null(surface(&g, "cfg/empty/.hooks-global"));
        free(eg);
        gitlayout_free(&g);
        free(dg), free(home), free(env_home);
}

static void test_worktrees_and_modules(void **state) {
        (void)state;
        free(fresh("wt"));
        gitdir_at("wt/main/.git");
        /* a linked worktree elsewhere, and a submodule's gitdir */
        gitdir_at("wt/main/.git/worktrees/w1");
        put("wt/main/.git/worktrees/w1/commondir", "../..\n");
        char *wtgit = at("wt/linked/.git"), *line = NULL;
        assert_true(asprintf(&line, "%s\n", wtgit) > 0);
        put("wt/main/.git/worktrees/w1/gitdir", line);
        put("wt/main/.git/worktrees/w1/config.worktree", "[core]\n\thooksPath = wthooks\n");
        gitdir_at("wt/main/.git/modules/lib/a");
        put("wt/main/.git/modules/lib/a/config", "[core]\n\tworktree = ../../../../vendor/a\n\thooksPath = h\n");
        gitlayout g;
        read_repo(&g, "wt/main/.git", 0);
        dump(&g);
        assert_non_null(surface(&g, "wt/linked")); /* the worktree's .git file: first missing component */
        assert_non_null(surface(&g, "wt/main/vendor"));  /* the submodule's hooksPath, relative to its core.worktree */
        gitlayout_free(&g);
        mkdirs("wt/linked");
        put("wt/linked/.git", "gitdir: ../main/.git/worktrees/w1\n");
        read_repo(&g, "wt/linked/.git", 0);
        assert_non_null(surface(&g, "wt/linked/wthooks"));
        assert_non_null(surface(&g, "wt/main/.git"));
        gitlayout_free(&g);
        free(wtgit), free(line);
}

static void test_symlinks_on_the_way(void **state) {
        (void)state;
        free(fresh("ln"));
        gitdir_at("ln/ws/.git");
        mkdirs("ln/ws/real/hooks");
        link_at("real", "ln/ws/cfgdir");
        put("ln/ws/.git/config", "[core]\n\thooksPath = cfgdir/hooks\n[include]\n\tpath = ../notadir/x/y\n");
        put("ln/ws/notadir", "a file\n");
        gitlayout g;
        read_repo(&g, "ln/ws/.git", 0);
        dump(&g);
        assert_true(surface(&g, "ln/ws/cfgdir")->link); /* repointing it would move the hooks */
        assert_non_null(surface(&g, "ln/ws/real/hooks"));
        /* a file where a directory would be: the file is held */
        assert_non_null(surface(&g, "ln/ws/notadir"));
        assert_true(surface(&g, "ln/ws/notadir")->exists);
        gitlayout_free(&g);
}

static void test_enclosing(void **state) {
        (void)state;
        free(fresh("enc"));
        gitdir_at("enc/repo/.git");
        mkdirs("enc/repo/pkg/ws");
        put("enc/repo/.git/config", "[core]\n\thooksPath = pkg/ws/hooks\n");
        gitlayout g;
        corral_error err = {0};
        assert_int_equal(gitlayout_init(&g, no_env, &err), 0);
        char *ws = at("enc/repo/pkg/ws");
        assert_int_equal(gitlayout_enclosing(&g, ws, &err), 0);
        assert_non_null(surface(&g, "enc/repo/pkg/ws/hooks"));
        gitlayout_free(&g);
        free(ws);
}

/* corral-runner: what the developer's corral found (policy.git_known),
 * reading files the sandbox user cannot read, is a surface here too, and
 * its relative global core.hooksPath values lead from each repository. */
static void test_known(void **state) {
        (void)state;
        free(fresh("known"));
        gitdir_at("known/ws/.git");
        policy p = {0};
        corral_error err = {0};
        char *ws = at("known/ws"), *hooks = at("known/ws/.githooks"), *prog = at("known/ws/tools/fsmon");
        assert_int_equal(strv_push(&p.writable_roots, ws), 0);
        assert_int_equal(strv_push(&p.protect, ".git"), 0);
        assert_int_equal(strv_push(&p.git_known, hooks), 0);
        assert_int_equal(strv_push(&p.git_known, prog), 0);
        assert_int_equal(strv_push(&p.git_known_hooks, ".hooks2"), 0);
        gitlayout g;
        assert_int_equal(gitlayout_policy(&g, &p, 1, NULL, no_env, &err), 0);
        const git_surface *s = surface(&g, "known/ws/.githooks");
        assert_non_null(s);
        assert_false(s->exists);
        assert_non_null(surface(&g, "known/ws/tools")); /* its first missing component */
        assert_non_null(surface(&g, "known/ws/.hooks2"));
        assert_true(strv_contains(&g.global_hooks, ".hooks2"));
        gitlayout_free(&g);
        /* without them, none of these */
        strv_clear(&p.git_known);
        strv_clear(&p.git_known_hooks);
        assert_int_equal(gitlayout_policy(&g, &p, 1, NULL, no_env, &err), 0);
        assert_null(surface(&g, "known/ws/.githooks"));
        assert_null(surface(&g, "known/ws/tools"));
        assert_null(surface(&g, "known/ws/.hooks2"));
        gitlayout_free(&g);
        strv_clear(&p.writable_roots);
        strv_clear(&p.protect);
        free(ws), free(hooks), free(prog);
}

/* An index entry: 40 bytes of stat data with the mode at 24, the object
 * name, the flags (name length), the path (v2: NUL-padded to 8; v4: the
 * prefix varint first, one NUL, no padding). */
static size_t put_entry(unsigned char *b, unsigned version, size_t hash, unsigned mode, const char *path,
                        unsigned drop) {
        size_t at = 0, n = strlen(path);
        memset(b, 0, 40 + hash + 2);
        b[24] = (unsigned char)(mode >> 24), b[25] = (unsigned char)(mode >> 16);
        b[26] = (unsigned char)(mode >> 8), b[27] = (unsigned char)mode;
        at = 40 + hash;
        b[at] = (unsigned char)(n >> 8), b[at + 1] = (unsigned char)n;
        at += 2;
        if (version == 4) {
                b[at++] = (unsigned char)drop; /* < 128: one byte */
                return at; /* the caller appends the suffix and its NUL */
        }
        memcpy(b + at, path, n);
        at += n;
        size_t padded = (at + 8) & ~(size_t)7;
        memset(b + at, 0, padded - at);
        return padded;
}

static void header(unsigned char *b, unsigned version, unsigned count) {
        memcpy(b, "DIRC", 4);
        b[4] = b[5] = b[6] = 0, b[7] = (unsigned char)version;
        b[8] = b[9] = b[10] = 0, b[11] = (unsigned char)count;
}

static void test_gitindex(void **state) {
        (void)state;
        unsigned char b[1024];
        for (size_t hash = 20; hash <= 32; hash += 12) {
                header(b, 2, 3);
                size_t at = 12;
                at += put_entry(b + at, 2, hash, 0100644, "README.md", 0);
                at += put_entry(b + at, 2, hash, 0160000, "deep/a/sub", 0);
                at += put_entry(b + at, 2, hash, 0120000, "link", 0);
                strv out = {0};
                assert_int_equal(gitindex_parse(b, at + hash, &out), 0);
                assert_int_equal(out.n, 1);
                assert_string_equal(out.v[0], "deep/a/sub");
                strv_clear(&out);
                /* cut in the middle of an entry, a bad signature, a bad version */
                assert_int_equal(gitindex_parse(b, 40, &out), -EINVAL);
                b[0] = 'X';
                assert_int_equal(gitindex_parse(b, at, &out), -EINVAL);
                b[0] = 'D', b[7] = 9;
                assert_int_equal(gitindex_parse(b, at, &out), -EINVAL);
                strv_clear(&out);
        }
        /* version 4: "lib/a" then "lib/sub" (drop 1: "lib/", then "sub") */
        header(b, 4, 2);
        size_t at = 12;
        at += put_entry(b + at, 4, 20, 0100644, "lib/a", 0);
        memcpy(b + at, "lib/a", 6), at += 6;
        at += put_entry(b + at, 4, 20, 0160000, "lib/sub", 1);
        memcpy(b + at, "sub", 4), at += 4;
        strv out = {0};
        assert_int_equal(gitindex_parse(b, at + 20, &out), 0);
        assert_int_equal(out.n, 1);
        assert_string_equal(out.v[0], "lib/sub");
        strv_clear(&out);
        assert_int_equal(gitindex_gitlinks("/nonexistent/index", &out), 0);
        assert_int_equal(out.n, 0);
}

/* git's test for a directory that is a repository by itself (bare). */
static void test_is_git_directory(void **state) {
        (void)state;
        gitdir_at("bare1");
        char *p = at("bare1");
        assert_true(gitlayout_is_git_directory(p));
        free(p);
        /* a placeholder HEAD (an empty directory) makes none */
        mkdirs("decoy/HEAD"), mkdirs("decoy/objects"), mkdirs("decoy/refs");
        p = at("decoy");
        assert_false(gitlayout_is_git_directory(p));
        free(p);
        /* HEAD alone: none; with a commondir: one (a linked worktree's gitdir) */
        mkdirs("wtgit"), put("wtgit/HEAD", "ref: refs/heads/x\n");
        p = at("wtgit");
        assert_false(gitlayout_is_git_directory(p));
        put("wtgit/commondir", "../..\n");
        assert_true(gitlayout_is_git_directory(p));
        free(p);
}

/* What a repository the command made may hold and still be kept. */
static void test_newrepo_inert(void **state) {
        (void)state;
        const char *why = NULL;
        gitdir_at("nr/ok/.git");
        mkdirs("nr/ok/.git/hooks");
        put("nr/ok/.git/hooks/pre-commit.sample", "#!/bin/sh\n");
        put("nr/ok/.git/config", "[core]\n\trepositoryformatversion = 0\n\tbare = false\n"
                                  "[remote \"origin\"]\n\turl = /x\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
                                  "[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n"
                                  "[user]\n\tname = agent\n[remote \"a.b\"]\n\turl = /y\n");
        char *p = at("nr/ok/.git");
        assert_true(newrepo_inert(p, NULL, &why));
        /* the developer's relative global core.hooksPath, from its worktree */
        strv global = {0};
        assert_int_equal(strv_push(&global, ".githooks"), 0);
        assert_true(newrepo_inert(p, &global, &why));
        mkdirs("nr/ok/.githooks"), put("nr/ok/.githooks/pre-commit", "#!/bin/sh\n");
        assert_false(newrepo_inert(p, &global, &why));
        assert_non_null(strstr(why, "global core.hooksPath (.githooks)"));
        assert_true(newrepo_inert(p, NULL, &why));
        strv_clear(&global);
        free(p);
        struct {
                const char *file, *text, *why;
        } bad[] = {
                {"config", "[core]\n\tfsmonitor = x\n", "core.fsmonitor"},
                {"config", "[include]\n\tpath = ../x\n", "include.path"},
                {"config", "[alias]\n\tst = !x\n", "alias.st"},
                {"config", "[remote]\n\turl = x\n", "remote.url"}, /* no subsection: not remote.*.url */
                {"config", "[core\n", "does not parse"},
                {"hooks/pre-commit", "#!/bin/sh\n", "hook"},
                {"commondir", "../..\n", "commondir"},
                {"config.worktree", "", "commondir"},
                {"rebase-merge/git-rebase-todo", "exec x\n", "rebase"},
                {"MERGE_RR", "", "rerere"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
                char rel[256];
                snprintf(rel, sizeof(rel), "nr/bad%zu/.git", i);
                gitdir_at(rel);
                snprintf(rel, sizeof(rel), "nr/bad%zu/.git/hooks", i);
                mkdirs(rel);
                snprintf(rel, sizeof(rel), "nr/bad%zu/.git/%s", i, bad[i].file);
                const char *slash = strchr(bad[i].file, '/');
                if (slash) {
                        char dir[256];
                        snprintf(dir, sizeof(dir), "nr/bad%zu/.git/%.*s", i, (int)(slash - bad[i].file), bad[i].file);
                        mkdirs(dir);
                }
                put(rel, bad[i].text);
                snprintf(rel, sizeof(rel), "nr/bad%zu/.git", i);
                p = at(rel);
                why = NULL;
                assert_false(newrepo_inert(p, NULL, &why));
                assert_non_null(why);
                assert_non_null(strstr(why, bad[i].why));
                free(p);
        }
        /* a link anywhere in the gitdir: git writes through it */
        gitdir_at("nr/lnk/.git");
        mkdirs("nr/lnk/.git/logs");
        link_at("/nonexistent/.bashrc", "nr/lnk/.git/logs/HEAD");
        p = at("nr/lnk/.git");
        assert_false(newrepo_inert(p, NULL, &why));
        assert_non_null(strstr(why, "link"));
        free(p);
        /* a .git that is a file or a link: elsewhere, not judged here */
        mkdirs("nr/file"), put("nr/file/.git", "gitdir: ../ok/.git\n");
        p = at("nr/file/.git");
        assert_false(newrepo_inert(p, NULL, &why));
        free(p);
        link_at("../ok/.git", "nr/ok2"), p = at("nr/ok2");
        assert_false(newrepo_inert(p, NULL, &why));
        free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_is_git_directory),     cmocka_unit_test(test_newrepo_inert),
                cmocka_unit_test(test_gitindex),
                cmocka_unit_test(test_config_syntax),        cmocka_unit_test(test_readfile_types),
                cmocka_unit_test(test_gitfile_exact),        cmocka_unit_test(test_commondir),
                cmocka_unit_test(test_config_surfaces),      cmocka_unit_test(test_worktrees_and_modules),
                cmocka_unit_test(test_symlinks_on_the_way),  cmocka_unit_test(test_enclosing),
                cmocka_unit_test(test_known),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
