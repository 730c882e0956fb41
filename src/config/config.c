/* SPDX-License-Identifier: MIT
 * Config layers: the built-in defaults, TOML files and command-line flags,
 * each turned into a config_layer. Values are checked here (types, names,
 * paths); merging, narrowing and path resolution happen in policy/resolve.c. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "common/path.h"
#include "net/domain.h"
#include "common/readfile.h"
#include "toml/toml.h"

#define CONFIG_MAX_SIZE 1048576 /* 1 MiB */
/* About 31 years; anything longer is a typo, and it keeps ms in range. */
#define TIMEOUT_MAX_S 1000000000.0

/* What runs code later, outside the sandbox, or changes corral's own
 * policy, when the command writes it: each entry's reason is in
 * docs/config.md ("protect"). One list for every backend, Windows too. */
static const char *const default_protect[] = {
        /* git: hooks and config (plan/gitlayout.c follows what it names) */
        ".git",
        /* git: a directory holding HEAD, objects/ and refs/ is a bare
         * repository, found before the workspace's .git by git run in it or
         * below it (supervise/nestedcheck.c sets aside one the command makes) */
        "HEAD",
        /* corral's own policy */
        ".corral", ".corral.toml",
        /* other version control systems: config with hooks (held only
         * where they exist: policy_holds_missing_at_top) */
        ".hg", ".sl", ".jj",
        /* agents: settings with hooks, MCP servers, permissions, commands */
        ".codex", ".agents", ".claude", ".mcp.json", ".gemini", ".cursor", ".aider.conf.yml",
        ".opencode", "opencode.json", "opencode.jsonc", ".roo", ".continue", ".kiro", ".amazonq",
        ".qwen", ".crush.json", "crush.json", ".clinerules", ".windsurf", ".factory",
        ".kilocode", ".kilo", "kilo.json", "kilo.jsonc",
        /* editors and IDEs: tasks, run configurations, tool paths */
        ".vscode", ".idea", ".zed", ".helix",
        /* run on the host by the dev container tools (initializeCommand) */
        ".devcontainer", ".devcontainer.json",
        /* the pre-commit framework: its hook in .git runs what this names */
        ".pre-commit-config.yaml",
        /* lefthook: its hook in .git runs what these name (held when
         * missing only beside an existing one: policy_name_family) */
        "lefthook.yml", ".lefthook.yml", "lefthook.yaml", ".lefthook.yaml", "lefthook.toml", ".lefthook.toml",
        "lefthook.json", ".lefthook.json", "lefthook.jsonc", ".lefthook.jsonc", "lefthook-local.yml",
        ".lefthook-local.yml", "lefthook-local.yaml", ".lefthook-local.yaml", "lefthook-local.toml",
        ".lefthook-local.toml", "lefthook-local.json", ".lefthook-local.json", "lefthook-local.jsonc",
        ".lefthook-local.jsonc", ".lefthook", ".lefthook-local",
        /* mise: trusts a directory's configs by their place, so a rewritten
         * one runs its [env] and [hooks] at the developer's next prompt
         * there (held when missing only beside an existing one, as above) */
        "mise.toml", ".mise.toml", "mise.local.toml", ".mise.local.toml", ".rtx.toml", ".rtx.local.toml", ".mise",
        ".tool-versions",
};

/* Names a layer may not take out of the list: corral's own policy (a
 * command that could write it would choose the next run's policy). */
static const char *const always_protected[] = {".corral", ".corral.toml"};

static const char *const default_deny_read[] = {
        "~/.ssh",           "~/.gnupg",          "~/.aws",
        "~/.azure",         "~/.config/gcloud",  "~/.kube",
        "~/.docker/config.json", "~/.netrc",     "~/.git-credentials",
        "~/.config/gh",     "~/.pypirc",         "~/.codex/auth.json",
        "~/.claude/.credentials.json",
        /* the other agents' sign-ins, beside Codex's and Claude's */
        "~/.gemini/oauth_creds.json", "~/.config/github-copilot", "~/.local/share/opencode/auth.json",
        /* database clients' saved passwords */
        "~/.pgpass", "~/.my.cnf",
        /* Publish and API tokens of package registries and tools that need
         * them only to publish or administer, never to build: cargo, gem,
         * terraform, vault, hugging face, rclone, s3cmd, boto. */
        "~/.cargo/credentials.toml", "~/.cargo/credentials", "~/.gem/credentials",
        "~/.terraform.d/credentials.tfrc.json", "~/.vault-token", "~/.cache/huggingface/token",
        "~/.config/rclone/rclone.conf", "~/.s3cfg", "~/.boto",
        /* Browser profiles: cookies are live sessions (Firefox keeps them in
         * plain SQLite), plus saved passwords; and the desktop keyrings. */
        "~/.mozilla", "~/.config/google-chrome", "~/.config/chromium", "~/.local/share/keyrings",
        "~/.password-store",
        /* Shell and REPL histories: typed passwords, tokens, connection strings. */
        "~/.bash_history",  "~/.zsh_history",    "~/.local/share/fish/fish_history",
        "~/.python_history", "~/.node_repl_history", "~/.psql_history",
        "~/.mysql_history", "~/.sqlite_history",
};

static const char *const default_env_drop[] = {
        "*_TOKEN", "*_SECRET", "*_API_KEY", "*_PASSWORD", "AWS_*",
        /* personal access tokens, keys and passphrases by other names, and
         * the database clients' password variables */
        "*_PAT", "*_SECRET_KEY", "*_PRIVATE_KEY", "*_PASSPHRASE", "*_CREDENTIALS", "PGPASSWORD", "MYSQL_PWD",
};

typedef enum key_kind {
        KEY_MODE,
        KEY_NETWORK,
        KEY_TMP,
        KEY_GIT,
        KEY_TIMEOUT,
        KEY_ALLOW_BROAD_ROOTS,
        KEY_REPORT_DENIALS,
        KEY_BACKEND,
        KEY_WORKSPACE,
        KEY_CWD,
        KEY_PATHS,    /* list of paths */
        KEY_PROTECT,  /* list of names */
        KEY_PROTECT_DEPTH,
        KEY_ENV_DROP, /* list of patterns */
        KEY_ENV_KEEP, /* list of names */
        KEY_ENV_SET,  /* NAME=value */
        KEY_LIMIT,    /* [limits]: list holds the policy_limit */
        KEY_CACHE,    /* [caches]: list holds the policy_cache, N_CACHES for "all" */
        KEY_CACHES_DIR,
        KEY_DOMAINS,  /* [network] allow_domains / deny_domains: list of rules */
        KEY_PORTS,    /* [network] allow_ports */
} key_kind;

#define NO_LINE ((size_t)-1)

typedef struct key_def {
        const char *name;
        key_kind kind;
        size_t list;      /* offsetof the strv, for list keys */
        size_t line;      /* offsetof the line field, or NO_LINE */
        bool toml;        /* a top-level TOML key */
} key_def;

#define LIST(f) offsetof(config_layer, f)
#define LINE(f) offsetof(config_layer, f)

static const key_def keys[] = {
        { "mode", KEY_MODE, 0, LINE(line_mode), true },
        { "network", KEY_NETWORK, 0, LINE(line_network), true },
        { "tmp", KEY_TMP, 0, LINE(line_tmp), true },
        { "git", KEY_GIT, 0, LINE(line_git), true },
        { "timeout", KEY_TIMEOUT, 0, LINE(line_timeout), true },
        { "allow_broad_roots", KEY_ALLOW_BROAD_ROOTS, 0, LINE(line_allow_broad_roots), true },
        { "report_denials", KEY_REPORT_DENIALS, 0, NO_LINE, true },
        { "writable_roots", KEY_PATHS, LIST(writable_roots), LINE(line_writable_roots), true },
        { "protect", KEY_PROTECT, LIST(protect), NO_LINE, true },
        { "unprotect", KEY_PROTECT, LIST(unprotect), LINE(line_unprotect), true },
        { "protect_depth", KEY_PROTECT_DEPTH, 0, LINE(line_protect_depth), true },
        { "deny_read", KEY_PATHS, LIST(deny_read), LINE(line_deny_read), true },
        { "allow_read", KEY_PATHS, LIST(allow_read), LINE(line_allow_read), true },
        { "allow_unix_sockets", KEY_PATHS, LIST(allow_unix_sockets), LINE(line_allow_unix_sockets), true },
        { "env.drop", KEY_ENV_DROP, LIST(env_drop), NO_LINE, false },
        { "env.keep", KEY_ENV_KEEP, LIST(env_keep), LINE(line_env_keep), false },
        { "env.set", KEY_ENV_SET, LIST(env_set), LINE(line_env_set), false },
        { "limits.memory", KEY_LIMIT, LIMIT_MEMORY, NO_LINE, false },
        { "limits.pids", KEY_LIMIT, LIMIT_PIDS, NO_LINE, false },
        { "limits.cpu", KEY_LIMIT, LIMIT_CPU, NO_LINE, false },
        { "limits.tmp", KEY_LIMIT, LIMIT_TMP, NO_LINE, false },
        { "caches.xdg", KEY_CACHE, CACHE_XDG, NO_LINE, false },
        { "caches.npm", KEY_CACHE, CACHE_NPM, NO_LINE, false },
        { "caches.pnpm", KEY_CACHE, CACHE_PNPM, NO_LINE, false },
        { "caches.yarn", KEY_CACHE, CACHE_YARN, NO_LINE, false },
        { "caches.pip", KEY_CACHE, CACHE_PIP, NO_LINE, false },
        { "caches.uv", KEY_CACHE, CACHE_UV, NO_LINE, false },
        { "caches.poetry", KEY_CACHE, CACHE_POETRY, NO_LINE, false },
        { "caches.cargo", KEY_CACHE, CACHE_CARGO, NO_LINE, false },
        { "caches.go", KEY_CACHE, CACHE_GO, NO_LINE, false },
        { "caches.go-build", KEY_CACHE, CACHE_GO_BUILD, NO_LINE, false },
        { "caches.maven", KEY_CACHE, CACHE_MAVEN, NO_LINE, false },
        { "caches.gradle", KEY_CACHE, CACHE_GRADLE, NO_LINE, false },
        { "caches.node-gyp", KEY_CACHE, CACHE_NODE_GYP, NO_LINE, false },
        { "caches.ccache", KEY_CACHE, CACHE_CCACHE, NO_LINE, false },
        { "caches.all", KEY_CACHE, N_CACHES, NO_LINE, false },
        { "caches.dir", KEY_CACHES_DIR, 0, LINE(line_caches_dir), false },
        { "network.mode", KEY_NETWORK, 0, LINE(line_network), false },
        { "network.allow_domains", KEY_DOMAINS, LIST(allow_domains), LINE(line_allow_domains), false },
        { "network.deny_domains", KEY_DOMAINS, LIST(deny_domains), NO_LINE, false },
        { "network.allow_ports", KEY_PORTS, 0, LINE(line_allow_ports), false },
        { "backend", KEY_BACKEND, 0, NO_LINE, false },
        { "workspace", KEY_WORKSPACE, 0, NO_LINE, false },
        { "cwd", KEY_CWD, 0, NO_LINE, false },
};

static const key_def *find_key(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (strcmp(keys[i].name, name) == 0)
                        return &keys[i];
        return NULL;
}

static strv *list_of(config_layer *l, const key_def *k) { return (strv *)((char *)l + k->list); }

static void note_line(config_layer *l, const key_def *k, int line) {
        if (k->line != NO_LINE)
                *(int *)((char *)l + k->line) = line;
}

/* Where a message comes from: "FILE:LINE: " for files, nothing for flags. */
typedef struct where {
        const char *file; /* NULL for the command line */
        int line;
} where;

static int fail(corral_error *err, where w, int r, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(corral_error *err, where w, int r, const char *fmt, ...) {
        char msg[sizeof(err->msg)];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (w.file)
                return error_set(err, r, "%s:%d: %s", w.file, w.line, msg);
        return error_set(err, r, "%s", msg);
}

#ifdef __clang_analyzer__
/* The analyzer does not look into variadic functions: tell it what fail
 * returns (see error_set in common/error.h). */
#define fail(err, w, r, ...) __extension__({ int fail_r_ = (r); (fail)((err), (w), fail_r_, __VA_ARGS__); fail_r_; })
#endif


void config_layer_init(config_layer *l, config_origin origin, const char *source) {
        *l = (config_layer){ .origin = origin };
        if (source)
                l->source = strdup(source);
}

void config_layer_done(config_layer *l) {
        if (!l)
                return;
        free(l->source);
        strv_clear(&l->writable_roots);
        strv_clear(&l->protect);
        strv_clear(&l->unprotect);
        strv_clear(&l->deny_read);
        strv_clear(&l->allow_read);
        strv_clear(&l->allow_unix_sockets);
        strv_clear(&l->env_drop);
        strv_clear(&l->env_keep);
        strv_clear(&l->env_set);
        strv_clear(&l->trusted_workspaces);
        strv_clear(&l->allow_domains);
        strv_clear(&l->deny_domains);
        free(l->workspace);
        free(l->cwd);
        free(l->caches_dir);
        *l = (config_layer){0};
}

static int push_all(strv *s, const char *const *items, size_t n) {
        for (size_t i = 0; i < n; i++) {
                int r = strv_push_unique(s, items[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

#ifndef _WIN32
/* The same secrets where a tool's own variable moves them: hidden where the
 * developer's environment says they are, as well as at the defaults above.
 * A list variable (KUBECONFIG) holds paths separated by ':'. */
static const struct {
        const char *var, *suffix;
        bool list;
} moved_secrets[] = {
        {"GNUPGHOME", "", false},           {"AWS_SHARED_CREDENTIALS_FILE", "", false},
        {"AWS_CONFIG_FILE", "", false},     {"AZURE_CONFIG_DIR", "", false},
        {"CLOUDSDK_CONFIG", "", false},     {"KUBECONFIG", "", true},
        {"DOCKER_CONFIG", "/config.json", false}, {"NETRC", "", false},
        {"GH_CONFIG_DIR", "", false},       {"XDG_CONFIG_HOME", "/gcloud", false},
        {"XDG_CONFIG_HOME", "/gh", false},  {"XDG_CONFIG_HOME", "/rclone/rclone.conf", false},
        {"RCLONE_CONFIG", "", false},       {"XDG_CONFIG_HOME", "/google-chrome", false},
        {"XDG_CONFIG_HOME", "/chromium", false}, {"CODEX_HOME", "/auth.json", false},
        {"CLAUDE_CONFIG_DIR", "/.credentials.json", false}, {"CARGO_HOME", "/credentials.toml", false},
        {"CARGO_HOME", "/credentials", false}, {"XDG_CACHE_HOME", "/huggingface/token", false},
        {"HF_HOME", "/token", false},       {"HF_TOKEN_PATH", "", false},
        {"XDG_DATA_HOME", "/keyrings", false}, {"PASSWORD_STORE_DIR", "", false},
        {"HISTFILE", "", false},            {"XDG_DATA_HOME", "/fish/fish_history", false},
        {"PYTHON_HISTORY", "", false},      {"NODE_REPL_HISTORY", "", false},
        {"PSQL_HISTORY", "", false},        {"MYSQL_HISTFILE", "", false},
};

/* One moved secret: an absolute path that hides neither / nor the home
 * (GNUPGHOME=$HOME would hide all of it: a typo, not a secret's place). */
static int push_moved(strv *s, const char *dir, size_t len, const char *suffix) {
        const char *home = getenv("HOME");
        if (len == 0 || dir[0] != '/' || len + strlen(suffix) >= PATH_MAX)
                return 0;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%.*s%s", (int)len, dir, suffix);
        _cleanup_free_ char *norm = path_normalize(path);
        if (!norm)
                return -ENOMEM;
        if (strcmp(norm, "/") == 0 || (home && home[0] == '/' && path_is_below_or_equal(home, norm)))
                return 0;
        for (const char *c = norm; *c; c++)
                if ((unsigned char)*c < 0x20)
                        return 0;
        return strv_push_unique(s, norm);
}

static int push_moved_secrets(strv *s) {
        for (size_t i = 0; i < ELEMENTSOF(moved_secrets); i++) {
                const char *v = getenv(moved_secrets[i].var);
                for (const char *p = v; p && *p;) {
                        size_t n = moved_secrets[i].list ? strcspn(p, ":") : strlen(p);
                        int r = push_moved(s, p, n, moved_secrets[i].suffix);
                        if (r < 0)
                                return r;
                        p += n;
                        if (*p == ':')
                                p++;
                }
        }
        return 0;
}
#else
static int push_moved_secrets(strv *s) {
        (void)s;
        return 0;
}
#endif

int config_layer_defaults(config_layer *l, corral_error *err) {
        l->origin = ORIGIN_DEFAULTS;
        if (!l->source && !(l->source = strdup("built-in defaults")))
                return oom(err);

        l->has_mode = l->has_network = l->has_tmp = l->has_git = l->has_timeout = true;
        l->mode = MODE_WORKSPACE_WRITE;
        l->network = NETWORK_OFF;
        l->tmp = TMP_WORKSPACE;
        l->git = GIT_READ_ONLY;
        l->timeout_ms = 0;
        l->has_protect_depth = true;
        l->protect_depth = PROTECT_DEPTH_DEFAULT;
        l->has_allow_ports = true;
        l->allow_ports[0] = 80;
        l->allow_ports[1] = 443;
        l->n_allow_ports = 2;
        /* on by default at the level whose cost on the build workload is
         * within 1% (docs/config.md, "report_denials") */
        l->has_report_denials = true;
        l->report_denials = DENIALS_WRITES;

        if (push_all(&l->protect, default_protect, ELEMENTSOF(default_protect)) < 0 ||
            push_all(&l->deny_read, default_deny_read, ELEMENTSOF(default_deny_read)) < 0 ||
            push_moved_secrets(&l->deny_read) < 0 ||
            push_all(&l->env_drop, default_env_drop, ELEMENTSOF(default_env_drop)) < 0)
                return oom(err);
        return 0;
}

/* --- checking values ---------------------------------------------------- */

/* NULL when s is a usable path, else why not. */
static const char *path_problem(const char *s) {
        if (!*s)
                return "is empty";
        if (s[0] == '~' || s[0] == '$') {
                /* path_expand_home copies what it does not expand */
                _cleanup_free_ char *e = path_expand_home(s, "/");
                if (e && strcmp(e, s) == 0)
                        return "uses an expansion corral does not do (only ~ and $HOME expand)";
        }
        return NULL;
}

static const char *protect_problem(const char *s) {
        if (!*s)
                return "is empty";
        if (strchr(s, '/'))
                return "is not a plain name (a protected name may not contain '/')";
        if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                return "is not a plain name";
        return NULL;
}

static const char *env_name_problem(const char *s, size_t len) {
        if (len == 0)
                return "is empty";
        if (memchr(s, '=', len))
                return "contains '='";
        return NULL;
}

/* Seconds ("30", "1.5", "0") to milliseconds, rounded up so that any
 * positive value stays a timeout. */
static int seconds_to_ms(double s, uint64_t *ret) {
        if (!isfinite(s) || s < 0 || s > TIMEOUT_MAX_S)
                return -ERANGE;
        *ret = (uint64_t)ceil(s * 1000.0);
        return 0;
}

static int parse_seconds(const char *v, uint64_t *ret) {
        size_t digits = 0, dots = 0;
        for (const char *p = v; *p; p++) {
                if (*p >= '0' && *p <= '9')
                        digits++;
                else if (*p == '.' && dots == 0)
                        dots++;
                else
                        return -EINVAL;
        }
        if (digits == 0)
                return -EINVAL;
        return seconds_to_ms(strtod(v, NULL), ret);
}

/* ~ and $HOME expanded when home is known, else kept for policy_resolve. */
static char *expand(const char *s, const char *home) {
        if (!home || !*home)
                return strdup(s);
        return path_expand_home(s, home);
}

static int set_env_pair(config_layer *l, const char *name, size_t name_len, const char *value,
                        corral_error *err) {
        size_t vl = strlen(value);
        char *s = malloc(name_len + 1 + vl + 1);
        if (!s)
                return oom(err);
        memcpy(s, name, name_len);
        s[name_len] = '=';
        memcpy(s + name_len + 1, value, vl + 1);

        /* the last assignment of a name wins */
        for (size_t i = 0; i < l->env_set.n; i++)
                if (strncmp(l->env_set.v[i], s, name_len + 1) == 0) {
                        free(l->env_set.v[i]);
                        l->env_set.v[i] = s;
                        return 0;
                }
        if (strv_push_take(&l->env_set, s) < 0)
                return oom(err);
        return 0;
}

/* Sets key k from its string form. Shared by flags and TOML strings. */
static int set_value(config_layer *l, const key_def *k, const char *v, const char *home, where w,
                     corral_error *err) {
        const char *why;
        int r;

        switch (k->kind) {
        case KEY_MODE:
                if (policy_mode_from_string(v, &l->mode) < 0)
                        return fail(err, w, -EINVAL,
                                    "key '%s': unknown mode '%s' (expected read-only, workspace-write or full-access)",
                                    k->name, v);
                l->has_mode = true;
                break;
        case KEY_NETWORK:
                if (policy_network_from_string(v, &l->network) < 0)
                        return fail(err, w, -EINVAL, "key '%s': unknown network mode '%s' (expected off, on or proxy)",
                                    k->name, v);
                l->has_network = true;
                break;
        case KEY_TMP:
                if (policy_tmp_from_string(v, &l->tmp) < 0)
                        return fail(err, w, -EINVAL,
                                    "key '%s': unknown tmp kind '%s' (expected workspace, private or host)", k->name,
                                    v);
                l->has_tmp = true;
                break;
        case KEY_GIT:
                if (policy_git_from_string(v, &l->git) < 0)
                        return fail(err, w, -EINVAL, "key '%s': unknown git mode '%s' (expected read-only or commits)",
                                    k->name, v);
                l->has_git = true;
                break;
        case KEY_TIMEOUT:
                if (parse_seconds(v, &l->timeout_ms) < 0)
                        return fail(err, w, -EINVAL,
                                    "key '%s': '%s' is not a number of seconds between 0 (none) and %.0f", k->name, v,
                                    TIMEOUT_MAX_S);
                l->has_timeout = true;
                break;
        case KEY_PROTECT_DEPTH: {
                char *end;
                errno = 0;
                unsigned long n = strtoul(v, &end, 10);
                if (!*v || *v == '-' || *end || errno || n > PROTECT_DEPTH_MAX)
                        return fail(err, w, -EINVAL,
                                    "key '%s': '%s' is not a number of directory levels from 0 (the top of each "
                                    "writable root only) to %d", k->name, v, PROTECT_DEPTH_MAX);
                l->protect_depth = (unsigned)n;
                l->has_protect_depth = true;
                break;
        }
        case KEY_ALLOW_BROAD_ROOTS:
                if (strcmp(v, "true") == 0)
                        l->allow_broad_roots = true;
                else if (strcmp(v, "false") == 0)
                        l->allow_broad_roots = false;
                else
                        return fail(err, w, -EINVAL, "key '%s': expected true or false, got '%s'", k->name, v);
                l->has_allow_broad_roots = true;
                break;
        case KEY_REPORT_DENIALS:
                if (policy_report_from_string(v, &l->report_denials) < 0)
                        return fail(err, w, -EINVAL,
                                    "key '%s': expected \"writes\", \"all\", \"off\", true (all) or false, got '%s'",
                                    k->name, v);
                l->has_report_denials = true;
                break;
        case KEY_BACKEND:
                if (policy_backend_from_string(v, &l->backend) < 0)
                        return fail(err, w, -EINVAL, "key '%s': unknown backend '%s' (expected auto, userns or users)",
                                    k->name, v);
                l->has_backend = true;
                break;
        case KEY_WORKSPACE:
        case KEY_CWD: {
                if ((why = path_problem(v)))
                        return fail(err, w, -EINVAL, "key '%s': path '%s' %s", k->name, v, why);
                char *e = expand(v, home);
                if (!e)
                        return oom(err);
                char **slot = k->kind == KEY_WORKSPACE ? &l->workspace : &l->cwd;
                free(*slot);
                *slot = e;
                break;
        }
        case KEY_PATHS: {
                if ((why = path_problem(v)))
                        return fail(err, w, -EINVAL, "key '%s': path '%s' %s", k->name, v, why);
                char *e = expand(v, home);
                if (!e)
                        return oom(err);
                strv *s = list_of(l, k);
                if (strv_contains(s, e))
                        free(e);
                else if (strv_push_take(s, e) < 0)
                        return oom(err);
                break;
        }
        case KEY_PROTECT:
        case KEY_ENV_DROP:
        case KEY_ENV_KEEP:
                if (k->kind == KEY_PROTECT && (why = protect_problem(v)))
                        return fail(err, w, -EINVAL, "key '%s': '%s' %s", k->name, v, why);
                for (size_t i = 0; k->list == LIST(unprotect) && i < ELEMENTSOF(always_protected); i++)
                        if (strcmp(v, always_protected[i]) == 0)
                                return fail(err, w, -EINVAL,
                                            "key '%s': '%s' is corral's own policy and stays protected (a command "
                                            "that could write it would choose the policy of the next run)",
                                            k->name, v);
                if (k->kind != KEY_PROTECT && (why = env_name_problem(v, strlen(v))))
                        return fail(err, w, -EINVAL, "key '%s': '%s' %s", k->name, v, why);
                if (k->kind == KEY_ENV_KEEP && strpbrk(v, "*?["))
                        return fail(err, w, -EINVAL, "key '%s': '%s' is a pattern; env.keep takes variable names",
                                    k->name, v);
                if (strv_push_unique(list_of(l, k), v) < 0)
                        return oom(err);
                break;
        case KEY_LIMIT: {
                policy_limit li = (policy_limit)k->list;
                bool size = li == LIMIT_MEMORY || li == LIMIT_TMP;
                uint64_t n = 0;
                r = policy_limit_parse(li, v, &n);
                if (r == -ERANGE && size)
                        return fail(err, w, -EINVAL, "key '%s': '%s' is out of range (at least %lluK, at most %lluT; "
                                    "0 means none)", k->name, v, (unsigned long long)(policy_limit_min(li) >> 10),
                                    (unsigned long long)(policy_limit_max(li) >> 40));
                if (r == -ERANGE)
                        return fail(err, w, -EINVAL, "key '%s': '%s' is out of range (at most %llu; 0 means none)",
                                    k->name, v, (unsigned long long)policy_limit_max(li));
                if (r < 0)
                        return fail(err, w, -EINVAL, "key '%s': '%s' is not %s", k->name, v,
                                    size ? "a size (bytes, or a number with K, M, G or T, such as 512M)"
                                    : li == LIMIT_CPU ? "a whole number of CPU seconds"
                                                      : "a whole number of processes");
                l->limits.v[li] = n;
                l->has_limits |= 1u << li;
                l->line_limits[li] = w.line;
                break;
        }
        case KEY_CACHE: {
                policy_cache_mode m;
                if (policy_cache_mode_from_string(v, &m) < 0)
                        return fail(err, w, -EINVAL,
                                    "key '%s': unknown cache mode '%s' (expected read-through, private or off)",
                                    k->name, v);
                for (size_t c = 0; c < N_CACHES; c++)
                        if (k->list == N_CACHES || k->list == c) {
                                l->caches[c] = m;
                                l->has_caches |= 1u << c;
                                l->line_caches[c] = w.line;
                        }
                break;
        }
        case KEY_CACHES_DIR: {
                if ((why = path_problem(v)))
                        return fail(err, w, -EINVAL, "key '%s': path '%s' %s", k->name, v, why);
                char *e = expand(v, home);
                if (!e)
                        return oom(err);
                free(l->caches_dir);
                l->caches_dir = e;
                break;
        }
        case KEY_DOMAINS: {
                char rule[NET_RULE_MAX];
                const char *problem = "is not valid";
                if (net_rule_normalize(v, rule, &problem) < 0)
                        return fail(err, w, -EINVAL, "key '%s': '%s' %s (expected a host name such as example.org, "
                                    "*.example.org for its subdomains, or an IP address)", k->name, v, problem);
                if (strv_push_unique(list_of(l, k), rule) < 0)
                        return oom(err);
                break;
        }
        case KEY_PORTS: {
                char *end;
                errno = 0;
                unsigned long n = strtoul(v, &end, 10);
                if (!*v || *v == '-' || *end || errno || n == 0 || n > 65535)
                        return fail(err, w, -EINVAL, "key '%s': '%s' is not a port (1 to 65535)", k->name, v);
                /* a layer's list replaces the ports of earlier layers */
                if (!l->has_allow_ports)
                        l->n_allow_ports = 0;
                l->has_allow_ports = true;
                bool dup = false;
                for (size_t i = 0; i < l->n_allow_ports; i++)
                        dup = dup || l->allow_ports[i] == n;
                if (dup)
                        break;
                if (l->n_allow_ports >= POLICY_PORTS_MAX)
                        return fail(err, w, -EINVAL, "key '%s': more than %d ports", k->name, POLICY_PORTS_MAX);
                l->allow_ports[l->n_allow_ports++] = (uint16_t)n;
                break;
        }
        case KEY_ENV_SET: {
                const char *eq = strchr(v, '=');
                if (!eq || eq == v)
                        return fail(err, w, -EINVAL, "key '%s': '%s' is not NAME=value", k->name, v);
                if ((r = set_env_pair(l, v, (size_t)(eq - v), eq + 1, err)) < 0)
                        return r;
                break;
        }
        }
        note_line(l, k, w.line);
        return 0;
}

int config_layer_set(config_layer *l, const char *key, const char *value, const char *home, corral_error *err) {
        if (!key)
                return error_set(err, -EINVAL, "no key given");
        const key_def *k = find_key(key);
        if (!k)
                return error_set(err, -EINVAL, "unknown key '%s'", key);
        if (!value)
                return error_set(err, -EINVAL, "key '%s': no value given", key);
        return set_value(l, k, value, home, (where){ NULL, 0 }, err);
}

/* --- TOML --------------------------------------------------------------- */

typedef struct loader {
        config_layer *l;
        const char *file;
        const char *home;
        corral_error *err;
} loader;

static where at(const loader *ld, const toml_value *v) { return (where){ ld->file, toml_line(v) }; }

static int wrong_type(const loader *ld, const char *key, const toml_value *v, const char *expected) {
        return fail(ld->err, at(ld, v), -EINVAL, "key '%s': expected %s, got %s", key, expected,
                    toml_type_name(toml_type_of(v)));
}

/* The string of v, refusing other types and embedded NUL bytes. */
static int get_string(const loader *ld, const char *key, const toml_value *v, const char *expected,
                      const char **ret) {
        size_t len = 0;
        if (toml_type_of(v) != TOML_STRING)
                return wrong_type(ld, key, v, expected);
        const char *s = toml_string(v, &len);
        if (!s || strlen(s) != len)
                return fail(ld->err, at(ld, v), -EINVAL, "key '%s': the string contains a NUL byte", key);
        *ret = s;
        return 0;
}

static int load_key(const loader *ld, const key_def *k, const toml_value *v) {
        const char *s;
        int r;

        switch (k->kind) {
        case KEY_MODE:
        case KEY_TMP:
        case KEY_GIT:
                if ((r = get_string(ld, k->name, v, "a string", &s)) < 0)
                        return r;
                return set_value(ld->l, k, s, ld->home, at(ld, v), ld->err);

        case KEY_NETWORK:
                if (toml_type_of(v) == TOML_BOOL) {
                        ld->l->network = toml_bool(v) ? NETWORK_ON : NETWORK_OFF;
                        ld->l->has_network = true;
                        ld->l->line_network = toml_line(v);
                        return 0;
                }
                if ((r = get_string(ld, k->name, v, "\"off\", \"on\" or a boolean", &s)) < 0)
                        return r;
                return set_value(ld->l, k, s, ld->home, at(ld, v), ld->err);

        case KEY_TIMEOUT: {
                double secs;
                if (toml_type_of(v) == TOML_INTEGER) {
                        int64_t i = toml_integer(v);
                        secs = i < 0 ? -1.0 : (double)i;
                } else if (toml_type_of(v) == TOML_FLOAT)
                        secs = toml_float(v);
                else
                        return wrong_type(ld, k->name, v, "a number of seconds");
                if (seconds_to_ms(secs, &ld->l->timeout_ms) < 0)
                        return fail(ld->err, at(ld, v), -EINVAL,
                                    "key '%s': expected seconds between 0 (none) and %.0f", k->name, TIMEOUT_MAX_S);
                ld->l->has_timeout = true;
                ld->l->line_timeout = toml_line(v);
                return 0;
        }

        case KEY_PROTECT_DEPTH: {
                char num[32];
                if (toml_type_of(v) != TOML_INTEGER)
                        return wrong_type(ld, k->name, v, "an integer");
                snprintf(num, sizeof(num), "%lld", (long long)toml_integer(v));
                if ((r = set_value(ld->l, k, num, ld->home, at(ld, v), ld->err)) < 0)
                        return r;
                ld->l->line_protect_depth = toml_line(v);
                return 0;
        }

        case KEY_ALLOW_BROAD_ROOTS:
                if (toml_type_of(v) != TOML_BOOL)
                        return wrong_type(ld, k->name, v, "a boolean");
                ld->l->allow_broad_roots = toml_bool(v);
                ld->l->has_allow_broad_roots = true;
                ld->l->line_allow_broad_roots = toml_line(v);
                return 0;

        case KEY_REPORT_DENIALS:
                /* true: what it has always meant, every report (all) */
                if (toml_type_of(v) == TOML_BOOL) {
                        ld->l->report_denials = toml_bool(v) ? DENIALS_ALL : DENIALS_OFF;
                        ld->l->has_report_denials = true;
                        return 0;
                }
                if ((r = get_string(ld, k->name, v, "\"writes\", \"all\", \"off\" or a boolean", &s)) < 0)
                        return r;
                return set_value(ld->l, k, s, ld->home, at(ld, v), ld->err);

        case KEY_PORTS:
                if (toml_type_of(v) != TOML_ARRAY)
                        return wrong_type(ld, k->name, v, "an array of port numbers");
                ld->l->has_allow_ports = true;
                ld->l->n_allow_ports = 0;
                for (size_t i = 0; i < toml_count(v); i++) {
                        const toml_value *item = toml_array_at(v, i);
                        char num[32];
                        if (toml_type_of(item) != TOML_INTEGER)
                                return wrong_type(ld, k->name, item, "an array of port numbers");
                        snprintf(num, sizeof(num), "%lld", (long long)toml_integer(item));
                        if ((r = set_value(ld->l, k, num, ld->home, at(ld, item), ld->err)) < 0)
                                return r;
                }
                note_line(ld->l, k, toml_line(v));
                return 0;

        case KEY_DOMAINS:
        case KEY_PATHS:
        case KEY_PROTECT:
        case KEY_ENV_DROP:
        case KEY_ENV_KEEP:
                if (toml_type_of(v) != TOML_ARRAY)
                        return wrong_type(ld, k->name, v, "an array of strings");
                for (size_t i = 0; i < toml_count(v); i++) {
                        const toml_value *item = toml_array_at(v, i);
                        if ((r = get_string(ld, k->name, item, "an array of strings", &s)) < 0)
                                return r;
                        if ((r = set_value(ld->l, k, s, ld->home, at(ld, item), ld->err)) < 0)
                                return r;
                }
                /* the line of the key, also for an empty array */
                note_line(ld->l, k, toml_line(v));
                return 0;

        case KEY_LIMIT: {
                char num[32];
                if (toml_type_of(v) == TOML_INTEGER) {
                        if (toml_integer(v) < 0)
                                return fail(ld->err, at(ld, v), -EINVAL, "key '%s': a limit cannot be negative",
                                            k->name);
                        snprintf(num, sizeof(num), "%lld", (long long)toml_integer(v));
                        s = num;
                } else if ((r = get_string(ld, k->name, v, "an integer or a string such as \"512M\"", &s)) < 0)
                        return r;
                return set_value(ld->l, k, s, ld->home, at(ld, v), ld->err);
        }

        case KEY_ENV_SET:
                if (toml_type_of(v) != TOML_TABLE)
                        return wrong_type(ld, k->name, v, "a table of strings");
                for (size_t i = 0; i < toml_count(v); i++) {
                        const char *name = toml_table_key_at(v, i);
                        const toml_value *item = toml_table_value_at(v, i);
                        const char *why = env_name_problem(name, strlen(name));
                        if (why)
                                return fail(ld->err, at(ld, item), -EINVAL, "key '%s': variable name '%s' %s",
                                            k->name, name, why);
                        if ((r = get_string(ld, k->name, item, "a table of strings", &s)) < 0)
                                return r;
                        if ((r = set_env_pair(ld->l, name, strlen(name), s, ld->err)) < 0)
                                return r;
                }
                note_line(ld->l, k, toml_line(v));
                return 0;

        case KEY_CACHE:
        case KEY_CACHES_DIR:
                if ((r = get_string(ld, k->name, v, "a string", &s)) < 0)
                        return r;
                return set_value(ld->l, k, s, ld->home, at(ld, v), ld->err);

        case KEY_BACKEND:
        case KEY_WORKSPACE:
        case KEY_CWD:
                break;
        }
        return fail(ld->err, at(ld, v), -EINVAL, "unknown key '%s'", k->name);
}

static int load_env(const loader *ld, const toml_value *env) {
        if (toml_type_of(env) != TOML_TABLE)
                return wrong_type(ld, "env", env, "a table");
        for (size_t i = 0; i < toml_count(env); i++) {
                const char *name = toml_table_key_at(env, i);
                const toml_value *v = toml_table_value_at(env, i);
                const key_def *k = NULL;
                if (strcmp(name, "drop") == 0)
                        k = find_key("env.drop");
                else if (strcmp(name, "keep") == 0)
                        k = find_key("env.keep");
                else if (strcmp(name, "set") == 0)
                        k = find_key("env.set");
                if (!k)
                        return fail(ld->err, at(ld, v), -EINVAL, "unknown key 'env.%s' (expected drop, keep or set)",
                                    name);
                int r = load_key(ld, k, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* [network]: mode, allow_domains, deny_domains, allow_ports. */
static int load_network(const loader *ld, const toml_value *t) {
        for (size_t i = 0; i < toml_count(t); i++) {
                const char *name = toml_table_key_at(t, i);
                const toml_value *v = toml_table_value_at(t, i);
                char full[64];
                snprintf(full, sizeof(full), "network.%s", name);
                const key_def *k = strlen(name) < 20 ? find_key(full) : NULL;
                if (!k)
                        return fail(ld->err, at(ld, v), -EINVAL,
                                    "unknown key 'network.%s' (expected mode, allow_domains, deny_domains or "
                                    "allow_ports)", name);
                int r = load_key(ld, k, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_limits(const loader *ld, const toml_value *t) {
        if (toml_type_of(t) != TOML_TABLE)
                return wrong_type(ld, "limits", t, "a table");
        for (size_t i = 0; i < toml_count(t); i++) {
                const char *name = toml_table_key_at(t, i);
                const toml_value *v = toml_table_value_at(t, i);
                char full[64];
                snprintf(full, sizeof(full), "limits.%s", name);
                const key_def *k = strlen(name) < 16 ? find_key(full) : NULL;
                if (!k || k->kind != KEY_LIMIT)
                        return fail(ld->err, at(ld, v), -EINVAL,
                                    "unknown key 'limits.%s' (expected memory, pids, cpu or tmp)", name);
                int r = load_key(ld, k, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_caches(const loader *ld, const toml_value *t) {
        if (toml_type_of(t) != TOML_TABLE)
                return wrong_type(ld, "caches", t, "a table");
        for (size_t i = 0; i < toml_count(t); i++) {
                const char *name = toml_table_key_at(t, i);
                const toml_value *v = toml_table_value_at(t, i);
                char full[64];
                snprintf(full, sizeof(full), "caches.%s", name);
                const key_def *k = strlen(name) < 16 ? find_key(full) : NULL;
                if (!k || (k->kind != KEY_CACHE && k->kind != KEY_CACHES_DIR))
                        return fail(ld->err, at(ld, v), -EINVAL,
                                    "unknown key 'caches.%s' (expected xdg, npm, pnpm, yarn, pip, uv, poetry, cargo, "
                                    "go, go-build, maven, gradle, node-gyp, ccache, all or dir)", name);
                int r = load_key(ld, k, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_workspaces(const loader *ld, const toml_value *ws) {
        if (toml_type_of(ws) != TOML_TABLE)
                return wrong_type(ld, "workspaces", ws, "a table");
        ld->l->line_workspaces = toml_line(ws);
        for (size_t i = 0; i < toml_count(ws); i++) {
                const char *path = toml_table_key_at(ws, i);
                const toml_value *t = toml_table_value_at(ws, i);
                const char *why;
                bool trust = false;

                if (i == 0 && toml_line(t) > 0)
                        ld->l->line_workspaces = toml_line(t);
                if (toml_type_of(t) != TOML_TABLE)
                        return fail(ld->err, at(ld, t), -EINVAL, "key 'workspaces.\"%s\"': expected a table, got %s",
                                    path, toml_type_name(toml_type_of(t)));
                if ((why = path_problem(path)))
                        return fail(ld->err, at(ld, t), -EINVAL, "key 'workspaces.\"%s\"': the path %s", path, why);

                for (size_t j = 0; j < toml_count(t); j++) {
                        const char *name = toml_table_key_at(t, j);
                        const toml_value *v = toml_table_value_at(t, j);
                        if (strcmp(name, "trust") != 0)
                                return fail(ld->err, at(ld, v), -EINVAL,
                                            "unknown key 'workspaces.\"%s\".%s' (expected trust)", path, name);
                        if (toml_type_of(v) != TOML_BOOL)
                                return fail(ld->err, at(ld, v), -EINVAL,
                                            "key 'workspaces.\"%s\".trust': expected a boolean, got %s", path,
                                            toml_type_name(toml_type_of(v)));
                        trust = toml_bool(v);
                }
                if (!trust)
                        continue;

                _cleanup_free_ char *e = expand(path, ld->home);
                if (!e)
                        return oom(ld->err);
                if (!path_is_absolute(e))
                        return fail(ld->err, at(ld, t), -EINVAL,
                                    "key 'workspaces.\"%s\"': a trusted workspace must be an absolute path%s", path,
                                    ld->home ? "" : " (and no home directory is known to expand ~)");
                if (strv_push_unique(&ld->l->trusted_workspaces, e) < 0)
                        return oom(ld->err);
        }
        return 0;
}

static int load_text(config_layer *l, const char *text, size_t len, const char *file, const char *home,
                     corral_error *err) {
        char msg[512] = "";
        toml_value *root = NULL;
        loader ld = { l, file, home && *home ? home : NULL, err };

        int r = toml_parse(text, len, &root, msg, sizeof(msg));
        if (r < 0) {
                int line = 0, off = 0;
                if (r == -ENOMEM)
                        return oom(err);
                /* "line N: what" becomes "FILE:N: what". N was printed by
                 * toml.c from an int, so it converts back without overflow. */
                // NOLINTNEXTLINE(cert-err34-c)
                if (sscanf(msg, "line %d: %n", &line, &off) == 1 && off > 0)
                        return error_set(err, r, "%s:%d: %s", file, line, msg + off);
                return error_set(err, r, "%s: %s", file, msg[0] ? msg : "not valid TOML");
        }

        for (size_t i = 0; i < toml_count(root) && r >= 0; i++) {
                const char *name = toml_table_key_at(root, i);
                const toml_value *v = toml_table_value_at(root, i);
                const key_def *k = find_key(name);

                if (strcmp(name, "env") == 0)
                        r = load_env(&ld, v);
                else if (strcmp(name, "workspaces") == 0)
                        r = load_workspaces(&ld, v);
                else if (strcmp(name, "limits") == 0)
                        r = load_limits(&ld, v);
                else if (strcmp(name, "caches") == 0)
                        r = load_caches(&ld, v);
                else if (strcmp(name, "network") == 0 && toml_type_of(v) == TOML_TABLE)
                        r = load_network(&ld, v);
                else if (k && k->toml)
                        r = load_key(&ld, k, v);
                else
                        r = fail(err, at(&ld, v), -EINVAL,
                                 "unknown key '%s' (known: mode, network, tmp, git, timeout, writable_roots, protect, unprotect, protect_depth, "
                                 "deny_read, allow_read, allow_unix_sockets, allow_broad_roots, report_denials, [env], [limits], "
                                 "[caches], [network], [workspaces])",
                                 name);
        }
        toml_free(root);
        return r;
}

int config_layer_load_string(config_layer *l, const char *text, size_t len, const char *home, corral_error *err) {
        return load_text(l, text ? text : "", text ? len : 0, l->source ? l->source : "config", home, err);
}

int config_layer_load_file(config_layer *l, const char *path, bool required, const char *home, corral_error *err) {
        /* Read as hostile input: a FIFO, a device or a socket is refused
         * before it is opened (it could block the run forever, before any
         * timeout), and so is anything over the size limit. */
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        mode_t type = 0;
        int r = readfile_small(path, CONFIG_MAX_SIZE, READFILE_FOLLOW, &buf, &n, &type);
        if ((r == -ENOENT || r == -ENOTDIR) && !required)
                return 0;
        if (r == -EFBIG)
                return error_set(err, r, "%s: larger than %d bytes; not a config file", path, CONFIG_MAX_SIZE);
        if (r == -EFTYPE_NOTREG || r == -EISDIR)
                return error_set(err, -EINVAL, "%s: is %s, not a regular file; not a config file", path,
                                 readfile_type_name(type));
        if (r < 0)
                return error_set(err, r, "%s: %s", path, strerror(-r));

        char *src = strdup(path);
        if (!src)
                return oom(err);
        free(l->source);
        l->source = src;
        return load_text(l, buf, n, path, home, err);
}

char *config_user_path(const char *home) {
        const char *xdg = getenv("XDG_CONFIG_HOME");
        _cleanup_free_ char *base = NULL;

        if (xdg && path_is_absolute(xdg))
                base = strdup(xdg);
        else if (home && *home)
                base = path_join(home, ".config");
        else
                return NULL;
        if (!base)
                return NULL;
        return path_join(base, "corral/config.toml");
}
