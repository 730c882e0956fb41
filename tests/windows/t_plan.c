/* SPDX-License-Identifier: MIT
 * The Windows plan: backend choice and its refusals (network off without
 * setup, userns), the environment, protected names, the command line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "windows/plan_win.h"
#include "test.h"

static void base_policy(policy *p, const char *ws) {
        *p = (policy){.mode = MODE_WORKSPACE_WRITE, .network = NETWORK_OFF, .tmp = TMP_WORKSPACE};
        p->workspace = strdup(ws);
        p->cwd = strdup(ws);
        strv_push(&p->writable_roots, ws);
        const char *names[] = {".git", ".codex", ".agents", ".corral", ".corral.toml"};
        for (size_t i = 0; i < 5; i++)
                strv_push(&p->protect, names[i]);
        strv_push(&p->env_drop, "*_TOKEN");
        strv_push(&p->env_drop, "AWS_*");
        strv_push(&p->deny_read, "C:/Users/x/.ssh");
}

static const char *const envp[] = {"PATH=C:\\Windows\\System32;C:\\Windows", "PATHEXT=.COM;.EXE;.BAT;.CMD",
                                   "github_token=secret", "AWS_SECRET_ACCESS_KEY=x", "USERPROFILE=C:\\Users\\dev",
                                   "KEEP=1", "=C:=C:\\", NULL};

static const char *env_of(const win_plan *pl, const char *name) {
        size_t n = strlen(name);
        for (size_t i = 0; i < pl->env.n; i++)
                if (!_strnicmp(pl->env.v[i], name, n) && pl->env.v[i][n] == '=')
                        return pl->env.v[i] + n + 1;
        return NULL;
}

static void network_off_refused_without_setup(void) {
        policy p;
        base_policy(&p, t_tmpdir());
        win_plan pl;
        corral_error err = {{0}};
        char *argv[] = {"cmd.exe", "/c", "exit", NULL};
        CHECK(win_plan_build(&p, NULL, NULL, false, argv, envp, &pl, &err) == -EPERM);
        CHECK(strstr(err.msg, "corral setup") && strstr(err.msg, "--allow-advisory-network"));
        policy_free(&p);
}

/* --allow-domain: the users backend runs the command as the offline user
 * with the proxy on setup's loopback port; without that port, or without
 * setup (unless advisory), nothing runs: never the network on instead. */
static void network_proxy(void) {
        policy p;
        base_policy(&p, t_tmpdir());
        p.network = NETWORK_PROXY;
        strv_push(&p.allow_domains, "example.org");
        p.allow_ports[p.n_allow_ports++] = 443;
        win_plan pl;
        corral_error err = {{0}};
        char *argv[] = {"cmd.exe", "/c", "exit", NULL};
        CHECK(win_plan_build(&p, NULL, NULL, false, argv, envp, &pl, &err) == -EPERM);
        CHECK(strstr(err.msg, "--allow-domain") && strstr(err.msg, "--loopback-port") &&
              strstr(err.msg, "--allow-advisory-network"));
        win_marker m = {.format = 1};
        strcpy(m.offline, "corral-offline");
        strcpy(m.online, "corral-online");
        strcpy(m.runner, "C:\\Program Files\\corral\\corral-runner.exe");
        CHECK(win_plan_build(&p, &m, NULL, false, argv, envp, &pl, &err) == -EPERM);
        CHECK(strstr(err.msg, "corral-offline") && strstr(err.msg, "--loopback-port"));
        strcpy(m.loopback_ports, "3130,8080");
        CHECK(win_plan_build(&p, &m, NULL, false, argv, envp, &pl, &err) == 0);
        CHECK(pl.backend == WIN_BACKEND_USERS && !strcmp(pl.identity, "corral-offline") && win_plan_offline(&pl));
        CHECK(pl.proxy && pl.proxy_port == 3130);
        CHECK(env_of(&pl, "HTTPS_PROXY") && !strcmp(env_of(&pl, "HTTPS_PROXY"), "http://127.0.0.1:3130"));
        CHECK(env_of(&pl, "ALL_PROXY") && !strcmp(env_of(&pl, "ALL_PROXY"), "socks5h://127.0.0.1:3130"));
        CHECK(!strcmp(env_of(&pl, "CORRAL_NETWORK"), "proxy"));
        char buf[8192] = {0};
        FILE *f = tmpfile();
        CHECK(f != NULL);
        win_plan_describe(&pl, f);
        rewind(f);
        fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        CHECK(strstr(buf, "proxy on 127.0.0.1:3130") && strstr(buf, "allow_domains: example.org") &&
              strstr(buf, "allow_ports: 443"));
        win_plan_free(&pl);
        /* unelevated, advisory: a port chosen at run time, said to be advisory */
        CHECK(win_plan_build(&p, NULL, NULL, true, argv, envp, &pl, &err) == 0);
        CHECK(pl.backend == WIN_BACKEND_RESTRICTED && pl.proxy && pl.advisory_network && pl.proxy_port == 0);
        CHECK(!env_of(&pl, "HTTPS_PROXY")); /* set once the port is known */
        CHECK(pl.not_enforced.n && strstr(pl.not_enforced.v[pl.not_enforced.n - 1], "network proxy: ADVISORY"));
        CHECK(win_plan_proxy_env(&pl, 4000) == 0 && !strcmp(env_of(&pl, "HTTP_PROXY"), "http://127.0.0.1:4000"));
        win_plan_free(&pl);
        policy_free(&p);
}

static void network_off_advisory(void) {
        policy p;
        base_policy(&p, t_tmpdir());
        win_plan pl;
        corral_error err = {{0}};
        char *argv[] = {"cmd.exe", "/c", "exit", NULL};
        CHECK(win_plan_build(&p, NULL, NULL, true, argv, envp, &pl, &err) == 0);
        CHECK(pl.backend == WIN_BACKEND_RESTRICTED && pl.advisory_network);
        CHECK(env_of(&pl, "HTTPS_PROXY") && env_of(&pl, "CORRAL_NETWORK") && !strcmp(env_of(&pl, "CORRAL_NETWORK"), "off"));
        bool said = false;
        for (size_t i = 0; i < pl.not_enforced.n; i++)
                said |= strstr(pl.not_enforced.v[i], "ADVISORY") != NULL;
        CHECK(said);
        char buf[8192] = {0};
        FILE *f = tmpfile();
        CHECK(f != NULL);
        win_plan_describe(&pl, f);
        rewind(f);
        fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        CHECK(strstr(buf, "ADVISORY ONLY") && strstr(buf, "NOT ENFORCED"));
        win_plan_free(&pl);
        policy_free(&p);
}

static void network_on_environment(void) {
        policy p;
        base_policy(&p, t_tmpdir());
        p.network = NETWORK_ON;
        strv_push(&p.env_set, "EXTRA=yes");
        win_plan pl;
        corral_error err = {{0}};
        char *argv[] = {"cmd.exe", "/c", "exit", NULL};
        CHECK(win_plan_build(&p, NULL, NULL, false, argv, envp, &pl, &err) == 0);
        CHECK(!pl.advisory_network && !env_of(&pl, "HTTPS_PROXY"));
        CHECK(!env_of(&pl, "github_token") && !env_of(&pl, "AWS_SECRET_ACCESS_KEY")); /* case-insensitive drop */
        CHECK(env_of(&pl, "KEEP") && env_of(&pl, "USERPROFILE"));
        CHECK(!env_of(&pl, "")); /* "=C:" entries are not passed */
        CHECK(env_of(&pl, "EXTRA") && !strcmp(env_of(&pl, "CORRAL_SANDBOX"), "1"));
        CHECK(env_of(&pl, "TEMP") && strstr(env_of(&pl, "TEMP"), "corral\\workspaces"));
        CHECK(pl.program && strstr(pl.app, "cmd.exe") && !pl.batch);
        win_plan_free(&pl);
        policy_free(&p);
}

static void users_backend(void) {
        policy p;
        base_policy(&p, t_tmpdir());
        win_marker m = {.format = 1};
        strcpy(m.offline, "corral-offline");
        strcpy(m.online, "corral-online");
        strcpy(m.group_sid, "S-1-5-21-1-2-3-1010");
        strcpy(m.runner, "C:\\Program Files\\corral\\corral-runner.exe");
        win_plan pl;
        corral_error err = {{0}};
        char *argv[] = {"cmd.exe", NULL};
        CHECK(win_plan_build(&p, &m, NULL, false, argv, envp, &pl, &err) == 0);
        CHECK(pl.backend == WIN_BACKEND_USERS && !strcmp(pl.identity, "corral-offline"));
        CHECK(!env_of(&pl, "USERPROFILE")); /* the runner sets the sandbox user's */
        win_plan_free(&pl);
        p.backend = BACKEND_USERNS;
        CHECK(win_plan_build(&p, &m, NULL, false, argv, envp, &pl, &err) == -EINVAL);
        CHECK(strstr(err.msg, "Linux") != NULL);
        p.backend = BACKEND_USERS;
        CHECK(win_plan_build(&p, NULL, "no marker", false, argv, envp, &pl, &err) < 0);
        CHECK(strstr(err.msg, "no marker") != NULL);
        policy_free(&p);
}

static void protected_names(void) {
        const char *ws = t_tmpdir();
        char d[1200];
        snprintf(d, sizeof(d), "%s/.GIT", ws);
        CreateDirectoryA(d, NULL);
        snprintf(d, sizeof(d), "%s/sub", ws);
        CreateDirectoryA(d, NULL);
        snprintf(d, sizeof(d), "%s/sub/.codex", ws);
        CreateDirectoryA(d, NULL);
        policy p;
        base_policy(&p, ws);
        p.network = NETWORK_ON;
        p.protect_depth = 1;
        win_plan pl;
        corral_error err = {{0}};
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == 0);
        CHECK(pl.protect_existing.n == 2); /* .GIT at the top, sub/.codex one level down */
        CHECK(pl.protect_missing.n == 4);  /* the other names, at the top only */
        CHECK(pl.roots.n == 1 && pl.root_sids.n == 1);
        win_plan_free(&pl);
        policy_free(&p);
}

static void batch_refused(void) {
        const char *ws = t_tmpdir();
        char bat[1200];
        snprintf(bat, sizeof(bat), "%s/build.bat", ws);
        FILE *f = fopen(bat, "w");
        CHECK(f != NULL);
        fclose(f);
        policy p;
        base_policy(&p, ws);
        p.network = NETWORK_ON;
        win_plan pl;
        corral_error err = {{0}};
        char *argv[] = {bat, "100%", NULL};
        CHECK(win_plan_build(&p, NULL, NULL, false, argv, envp, &pl, &err) == -EINVAL);
        CHECK(strstr(err.msg, "CVE-2024-24576") != NULL);
        char *ok[] = {bat, "a&b", NULL};
        CHECK(win_plan_build(&p, NULL, NULL, false, ok, envp, &pl, &err) == 0);
        CHECK(pl.batch && strstr(pl.app, "cmd.exe") && strstr(pl.cmdline, "/d /e:on /v:off /s /c"));
        win_plan_free(&pl);
        policy_free(&p);
}

static void bad_roots(void) {
        const char *ws = t_tmpdir();
        char file[1200];
        snprintf(file, sizeof(file), "%s/f", ws);
        FILE *f = fopen(file, "w");
        CHECK(f != NULL);
        fclose(f);
        policy p;
        base_policy(&p, ws);
        p.network = NETWORK_ON;
        strv_push(&p.writable_roots, file);
        win_plan pl;
        corral_error err = {{0}};
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == -ENOTDIR);
        policy_free(&p);
        base_policy(&p, ws);
        p.network = NETWORK_ON;
        strv_push(&p.writable_roots, "C:/work/x:stream");
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == -EINVAL);
        CHECK(strstr(err.msg, "alternate data stream") != NULL);
        policy_free(&p);
}

static void full_access_and_not_found(void) {
        policy p;
        base_policy(&p, t_tmpdir());
        p.mode = MODE_FULL_ACCESS;
        win_plan pl;
        corral_error err = {{0}};
        char *argv[] = {"no-such-program-anywhere", NULL};
        CHECK(win_plan_build(&p, NULL, NULL, false, argv, envp, &pl, &err) == 0);
        CHECK(pl.backend == WIN_BACKEND_FULL && pl.roots.n == 0 && !pl.program);
        win_plan_free(&pl);
        policy_free(&p);
}

/* One workspace, however it is spelled (case, separators, an 8.3 alias):
 * one state directory (lock, placeholder journal, TEMP) and one TEMP SID. */
static void workspace_spellings_share_state(void) {
        char base[1100], longname[1200], upper[1200];
        snprintf(base, sizeof(base), "%s", t_tmpdir());
        snprintf(longname, sizeof(longname), "%s/A Long Workspace Name", base);
        CHECK(CreateDirectoryA(longname, NULL));
        snprintf(upper, sizeof(upper), "%s", longname);
        for (char *c = upper; *c; c++) {
                if (*c >= 'a' && *c <= 'z')
                        *c = (char)(*c - 32);
                if (*c == '/')
                        *c = '\\';
        }
        char shortname[1200] = "";
        GetShortPathNameA(longname, shortname, sizeof(shortname));
        const char *spellings[] = {longname, upper, shortname[0] ? shortname : longname};
        char *state[3] = {NULL, NULL, NULL}, *tmp_sid[3] = {NULL, NULL, NULL};
        for (int i = 0; i < 3; i++) {
                policy p;
                base_policy(&p, spellings[i]);
                p.network = NETWORK_ON;
                win_plan pl;
                corral_error err = {{0}};
                int r = win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err);
                if (r < 0)
                        printf("    %s: %s\n", spellings[i], err.msg);
                else {
                        state[i] = win_workspace_state_dir(pl.workspace);
                        tmp_sid[i] = _strdup(pl.tmp_sid);
                        win_plan_free(&pl);
                }
                policy_free(&p);
        }
        bool same = state[0] && state[1] && state[2] && !strcmp(state[0], state[1]) && !strcmp(state[0], state[2]) &&
                    !strcmp(tmp_sid[0], tmp_sid[1]) && !strcmp(tmp_sid[0], tmp_sid[2]);
        if (!same)
                printf("    %s | %s | %s\n", state[0] ? state[0] : "?", state[1] ? state[1] : "?",
                       state[2] ? state[2] : "?");
        for (int i = 0; i < 3; i++) {
                free(state[i]);
                free(tmp_sid[i]);
        }
        CHECK(same);
        if (!shortname[0] || !strcmp(shortname, longname))
                SKIP("no 8.3 alias on this volume: case and separators checked only");
}

/* A protected name with a Windows separator, a stream, a device... would put
 * a placeholder and an inherited deny ACE outside the root ("..\\.." from a
 * workspace's .corral.toml: the whole profile's DACLs rewritten). */
static void protected_name_not_plain(void) {
        const char *bad[] = {"..\\..", "a\\b", "x:s", ".git::$INDEX_ALLOCATION", "NUL", "com1.txt", ".git.", ".git ",
                             "*", "C:"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                const char *ws = t_tmpdir();
                policy p;
                base_policy(&p, ws);
                p.network = NETWORK_ON;
                strv_push(&p.protect, bad[i]);
                win_plan pl;
                corral_error err = {{0}};
                int r = win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err);
                if (r == 0) {
                        printf("    protected name [%s] accepted\n", bad[i]);
                        win_plan_free(&pl);
                }
                policy_free(&p);
                CHECK(r == -EINVAL);
                CHECK(strstr(err.msg, bad[i]) != NULL);
        }
        const char *ws = t_tmpdir();
        policy p;
        base_policy(&p, ws);
        p.network = NETWORK_ON;
        strv_push(&p.protect, ".env.local");
        win_plan pl;
        corral_error err = {{0}};
        CHECK(win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err) == 0);
        win_plan_free(&pl);
        policy_free(&p);
}

/* A writable root that holds a directory on the PATH corral runs with is
 * refused (policy/plant.h), by its final path; --allow-broad-root lets it. */
static void root_holding_path_dir(void) {
        char ws[1200], tools[1200], bin[1300], env[1400];
        snprintf(ws, sizeof(ws), "%s", t_tmpdir());
        const char *other = t_tmpdir(); /* beside the workspace, not in it */
        const char *old = getenv("PATH");
        char *saved = old ? strdup(old) : NULL;
        snprintf(tools, sizeof(tools), "%s/Tools", other);
        snprintf(bin, sizeof(bin), "%s/Tools/bin", other);
        CHECK(CreateDirectoryA(tools, NULL));
        snprintf(env, sizeof(env), "PATH=C:\\Windows;%s", bin);
        for (char *c = env; *c; c++)
                if (*c == '/')
                        *c = '\\';
        /* the same name in another case */
        for (char *c = strstr(env, "Tools"); c && *c && *c != '\\'; c++)
                *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
        CHECK(_putenv(env) == 0);
        policy p;
        base_policy(&p, ws);
        p.network = NETWORK_ON;
        strv_push(&p.writable_roots, tools);
        win_plan pl;
        corral_error err = {{0}};
        int r = win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err);
        printf("    %s\n", err.msg);
        CHECK(r == -EINVAL);
        CHECK(strstr(err.msg, "plant a program") && strstr(err.msg, "on your PATH") &&
              strstr(err.msg, "--allow-broad-root") && strstr(err.msg, "Tools' resolves to"));
        p.allow_broad_roots = true;
        err.msg[0] = '\0';
        r = win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err);
        if (r == 0)
                win_plan_free(&pl);
        CHECK(!strstr(err.msg, "plant a program"));
        policy_free(&p);
        snprintf(env, sizeof(env), "PATH=%s", saved ? saved : "");
        _putenv(env);
        free(saved);
}

/* A directory on PATH strictly below the workspace (a virtualenv's
 * Scripts, in another case) is the project's own (policy/plant.h): the
 * workspace is planned; the workspace itself on PATH is still refused. */
static void workspace_own_path_dir(void) {
        char ws[1200], scripts[1300], env[1400];
        snprintf(ws, sizeof(ws), "%s", t_tmpdir());
        const char *old = getenv("PATH");
        char *saved = old ? strdup(old) : NULL;
        snprintf(scripts, sizeof(scripts), "%s/.venv", ws);
        CHECK(CreateDirectoryA(scripts, NULL));
        snprintf(scripts, sizeof(scripts), "%s/.VENV/Scripts", ws);
        const char *forms[] = {scripts, ws};
        for (size_t k = 0; k < 2; k++) {
                snprintf(env, sizeof(env), "PATH=C:\\Windows;%s", forms[k]);
                for (char *c = env; *c; c++)
                        if (*c == '/')
                                *c = '\\';
                CHECK(_putenv(env) == 0);
                policy p;
                base_policy(&p, ws);
                p.network = NETWORK_ON;
                win_plan pl;
                corral_error err = {{0}};
                int r = win_plan_build(&p, NULL, NULL, false, NULL, envp, &pl, &err);
                printf("    %s: %s\n", forms[k], r == 0 ? "planned" : err.msg);
                if (r == 0)
                        win_plan_free(&pl);
                if (k == 0)
                        CHECK(r == 0);
                else
                        CHECK(r == -EINVAL && strstr(err.msg, "plant a program") && strstr(err.msg, "on your PATH"));
                policy_free(&p);
        }
        snprintf(env, sizeof(env), "PATH=%s", saved ? saved : "");
        _putenv(env);
        free(saved);
}

const test tests_plan[] = {
        {"plan: protected names with '\\', ':', devices, trailing dots are refused", protected_name_not_plain},
        {"plan: every spelling of the workspace (case, '\\', 8.3 alias) shares one state dir and TEMP SID",
         workspace_spellings_share_state},
        {"plan: --network off without setup is refused, naming setup and the advisory flag",
         network_off_refused_without_setup},
        {"plan: --allow-advisory-network: proxy variables, said to be advisory", network_off_advisory},
        {"plan: network proxy: the offline user and setup's loopback port; refused without them", network_proxy},
        {"plan: environment: secrets dropped case-insensitively, TEMP per workspace", network_on_environment},
        {"plan: users backend when set up; userns refused; users without setup refused", users_backend},
        {"plan: protected names found (case, depth), missing ones get placeholders", protected_names},
        {"plan: .bat with an unquotable argument refused; quotable ones through cmd.exe", batch_refused},
        {"plan: a file or an ADS as writable root is refused", bad_roots},
        {"plan: a writable root holding a directory on PATH is refused (any case); --allow-broad-root allows it",
         root_holding_path_dir},
        {"plan: a PATH directory below the workspace (a virtualenv's Scripts) is the project's own; the workspace "
         "itself on PATH is refused",
         workspace_own_path_dir},
        {"plan: full-access; a missing program plans exit 127", full_access_and_not_found},
        {0},
};
