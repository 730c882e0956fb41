/* SPDX-License-Identifier: MIT
 * git's layout, read as git reads it (see gitlayout.h). The rules follow
 * git's own: setup.c (read_gitfile_gently, get_common_dir_noenv), config.c
 * (handle_path_include, do_git_config_sequence), path.c (interpolate_path),
 * hook.c and Documentation/{gitrepository-layout,githooks,git-config}. */
#include "plan/gitlayout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"
#include "common/path.h"
#include "common/readfile.h"
#include "plan/gitconfig.h"

#define GITFILE_MAX (1u << 20)   /* git's own limit for a .git file */
#define COMMONDIR_MAX (1u << 20) /* git has none; a path is never this long */
#define CONFIG_MAX (4u << 20)    /* git has none (INT_MAX); a config is never this large */
#define INCLUDE_DEPTH_MAX 10     /* git's MAX_INCLUDE_DEPTH: it dies beyond */
#define LINKS_MAX 40             /* the kernel's limit for one path */
#define MODULES_DEPTH_MAX 8      /* submodule names with slashes: modules/a/b/... */


/* A path git would read but corral may not (EACCES): an error when a
 * writable root holds it (the command may reach it through the root's
 * mount, and write what corral could not read), else nothing to protect:
 * the command cannot write there. Without roots (unit tests): an error. */
static int unreadable(const gitlayout *g, const char *path, int r, corral_error *err, const char *what) {
        for (size_t i = 0; g->roots && i < g->roots->n; i++)
                if (path_is_below_or_equal(path, g->roots->v[i]) || path_is_below_or_equal(g->roots->v[i], path))
                        return error_set(err, r, "cannot read %s (%s) to see what git would take from it: %s", path,
                                         what, strerror(-r));
        return g->roots ? 0 : error_set(err, r, "cannot read %s (%s): %s", path, what, strerror(-r));
}

static char *dir_of(const char *path) {
        const char *slash = strrchr(path, '/');
        if (!slash)
                return strdup(".");
        return slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
}

static const char *base_name(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

static int add_surface(gitlayout *g, const char *path, bool exists, bool link, bool file, bool repo,
                       const char *why) {
        for (size_t i = 0; i < g->n; i++)
                if (strcmp(g->v[i].path, path) == 0) {
                        g->v[i].repo = g->v[i].repo || repo;
                        return 0;
                }
        if (g->n == g->cap) {
                size_t cap = g->cap ? g->cap * 2 : 16;
                git_surface *v = realloc(g->v, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                g->v = v, g->cap = cap;
        }
        git_surface *s = &g->v[g->n];
        *s = (git_surface){.path = strdup(path), .exists = exists, .link = link, .file = file, .repo = repo,
                           .why = strdup(why)};
        if (!s->path || !s->why) {
                free(s->path);
                free(s->why);
                return -ENOMEM;
        }
        g->n++;
        return 0;
}

/* Resolves path (absolute) as the kernel would for git: component by
 * component, following symbolic links. *out gets the canonical path (its
 * missing tail appended lexically). With why, the surfaces are added: each
 * link met, and the place itself (or its first missing component, or the
 * non-directory that a further component runs into). Returns 0, -ELOOP,
 * -EACCES (a component cannot be examined) or -ENOMEM. */
static int resolve(gitlayout *g, const char *path, const char *why, char **out) {
        *out = NULL;
        _cleanup_free_ char *rest = strdup(path);
        char *cur = strdup("/");
        char *anchor = NULL;
        bool missing = false, anchor_exists = false;
        int links = 0, r = 0;
        if (!rest || !cur) {
                free(cur);
                return -ENOMEM;
        }
        size_t at = 0;
        while (r == 0 && rest[at]) {
                while (rest[at] == '/')
                        at++;
                if (!rest[at])
                        break;
                size_t end = at;
                while (rest[end] && rest[end] != '/')
                        end++;
                _cleanup_free_ char *comp = strndup(rest + at, end - at);
                at = end;
                if (!comp) {
                        r = -ENOMEM;
                        break;
                }
                if (strcmp(comp, ".") == 0)
                        continue;
                if (strcmp(comp, "..") == 0) {
                        char *up = dir_of(cur);
                        if (!up) {
                                r = -ENOMEM;
                                break;
                        }
                        free(cur);
                        cur = up;
                        continue;
                }
                char *next = path_join(cur, comp);
                if (!next) {
                        r = -ENOMEM;
                        break;
                }
                free(cur);
                cur = next;
                if (missing)
                        continue; /* the lexical tail */
                struct stat st;
                /* planning looked at most of these already: the workspace's
                 * ancestors, .git (common/path.h) */
                int known = path_canon_memo_lookup(cur);
                if (known == 1)
                        continue; /* a directory */
                if (known == 0 || lstat(cur, &st) < 0) {
                        if (known < 0 && errno == EACCES) {
                                r = -EACCES;
                                break;
                        }
                        if (known < 0 && errno == ENOENT)
                                path_canon_memo_note(cur, false);
                        missing = true; /* ENOENT, ENOTDIR: nothing beyond can exist yet */
                        if (!(anchor = strdup(cur)))
                                r = -ENOMEM;
                        continue;
                }
                if (S_ISLNK(st.st_mode)) {
                        if (++links > LINKS_MAX) {
                                r = -ELOOP;
                                break;
                        }
                        if (why && add_surface(g, cur, true, true, false, false, why) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                        char target[PATH_MAX];
                        ssize_t n = readlink(cur, target, sizeof(target) - 1);
                        if (n < 0) {
                                r = errno == EACCES ? -EACCES : -ELOOP;
                                break;
                        }
                        target[n] = 0;
                        char *parent = dir_of(cur);
                        char *nrest = NULL;
                        if (!parent || asprintf(&nrest, "%s/%s", target, rest + at) < 0) {
                                free(parent);
                                r = -ENOMEM;
                                break;
                        }
                        free(cur);
                        cur = target[0] == '/' ? (free(parent), strdup("/")) : parent;
                        free(rest);
                        rest = nrest;
                        at = 0;
                        if (!cur)
                                r = -ENOMEM;
                        continue;
                }
                if (S_ISDIR(st.st_mode))
                        path_canon_memo_note(cur, true);
                else {
                        /* A file where a directory would have to be: a
                         * further component cannot exist while it does. */
                        size_t more = at;
                        while (rest[more] == '/')
                                more++;
                        if (rest[more]) {
                                missing = true;
                                anchor_exists = true;
                                if (!(anchor = strdup(cur)))
                                        r = -ENOMEM;
                        }
                }
        }
        if (r == 0 && !anchor) {
                anchor_exists = !missing;
                if (!(anchor = strdup(cur)))
                        r = -ENOMEM;
        }
        /* The place itself (not a missing directory above it) may be a file
         * git reads, or a whole repository. */
        bool itself = anchor && cur && strcmp(anchor, cur) == 0;
        if (r == 0 && why &&
            add_surface(g, anchor, anchor_exists, false, itself && !anchor_exists && (g->mark & MARK_FILE),
                        itself && (g->mark & MARK_REPO), why) < 0)
                r = -ENOMEM;
        g->mark = 0;
        free(anchor);
        if (r < 0) {
                free(cur);
                return r;
        }
        *out = cur;
        return 0;
}

/* git's interpolate_path: "~" and "~/x" are HOME's, "~user/x" that user's;
 * "%(prefix)/" is git's installation, never in a writable root (NULL). */
static char *interpolate(const gitlayout *g, const char *value) {
        if (value[0] == '%' && strncmp(value, "%(prefix)/", 10) == 0)
                return NULL;
        if (value[0] != '~')
                return strdup(value);
        const char *slash = strchrnul(value, '/');
        if (slash == value + 1)
                return g->home ? path_join(g->home, *slash ? slash + 1 : ".") : NULL;
        _cleanup_free_ char *user = strndup(value + 1, (size_t)(slash - value - 1));
        struct passwd *pw = user ? getpwnam(user) : NULL; // NOLINT(concurrency-mt-unsafe): planning is single-threaded
        return pw && pw->pw_dir ? path_join(pw->pw_dir, *slash ? slash + 1 : ".") : NULL;
}

/* What a repository's config files say that matters here. */
typedef struct repo_vals {
        strv hooks;     /* core.hooksPath, as written */
        strv worktrees; /* core.worktree, as written */
        strv commands;  /* paths of programs git runs, as written */
} repo_vals;

static void repo_vals_clear(repo_vals *rv) {
        strv_clear(&rv->hooks);
        strv_clear(&rv->worktrees);
        strv_clear(&rv->commands);
}

typedef struct cfg_ctx {
        gitlayout *g;
        const char *name; /* the file as git names it: relative includes start from its directory */
        unsigned depth;
        repo_vals *rv;
        strv *visited; /* the config files this repository's read has opened */
        bool global;
        corral_error *err;
} cfg_ctx;

static int read_config(gitlayout *g, const char *name, unsigned depth, repo_vals *rv, strv *visited, bool global,
                       corral_error *err);

/* Whether a key's value is a command git runs (git-config(1)): its first
 * word, when it names a file by path, is a surface. */
static bool is_command_key(const char *key) {
        static const char *const exact[] = {
                "core.fsmonitor", "core.sshcommand", "core.editor",       "core.pager",
                "core.askpass",   "core.gitproxy",   "sequence.editor",   "diff.external",
                "gpg.program",    "credential.helper", "uploadpack.packobjectshook",
                "merge.tool",     "diff.tool",
                /* git for-each-ref and fetch negotiation (alternates), git
                 * commit -S with an ssh key, git add -p, git send-email,
                 * git imap-send, git instaweb, git help -w / -m */
                "core.alternaterefscommand", "gpg.ssh.defaultkeycommand", "interactive.difffilter",
                "sendemail.smtpserver", "sendemail.sendmailcmd", "sendemail.tocmd", "sendemail.cccmd",
                "sendemail.headercmd", "imap.tunnel", "instaweb.httpd", "web.browser",
                /* git gc and repack (git 2.42): a program whose output keeps
                 * objects */
                "gc.recentobjectshook",
                /* git svn's --authors-prog (each remote's too, below) */
                "svn.authorsprog",
        };
        for (size_t i = 0; i < ELEMENTSOF(exact); i++)
                if (strcmp(key, exact[i]) == 0)
                        return true;
        static const char *const pre_suf[][2] = {
                {"hook.", ".command"},      {"filter.", ".clean"},     {"filter.", ".smudge"},
                {"filter.", ".process"},    {"diff.", ".command"},     {"diff.", ".textconv"},
                {"merge.", ".driver"},      {"credential.", ".helper"}, {"gpg.", ".program"},
                {"difftool.", ".cmd"},      {"mergetool.", ".cmd"},    {"remote.", ".receivepack"},
                {"remote.", ".uploadpack"}, {"pager.", ""},            {"alias.", ""},
                /* git commit --trailer and interpret-trailers, git archive,
                 * the tools' own paths, git gui's tools, git submodule
                 * update's "!command" */
                {"trailer.", ".command"},   {"trailer.", ".cmd"},      {"tar.", ".command"},
                {"difftool.", ".path"},     {"mergetool.", ".path"},   {"browser.", ".cmd"},
                {"browser.", ".path"},      {"man.", ".cmd"},          {"man.", ".path"},
                {"guitool.", ".cmd"},       {"submodule.", ".update"},
                /* git send-email's identities (sendemail.<identity>.<key>) */
                {"sendemail.", ".smtpserver"}, {"sendemail.", ".sendmailcmd"}, {"sendemail.", ".tocmd"},
                {"sendemail.", ".cccmd"},   {"sendemail.", ".headercmd"}, {"svn-remote.", ".authorsprog"},
        };
        size_t n = strlen(key);
        for (size_t i = 0; i < ELEMENTSOF(pre_suf); i++) {
                size_t a = strlen(pre_suf[i][0]), b = strlen(pre_suf[i][1]);
                if (n > a + b && strncmp(key, pre_suf[i][0], a) == 0 && strcmp(key + n - b, pre_suf[i][1]) == 0)
                        return true;
        }
        return false;
}

/* The first shell word of a command, when it names a program by path
 * ("./tools/x", "scripts/lint.sh", "~/bin/x"): NULL for a word looked up
 * in PATH, for a boolean, or when the value does not start with a plain
 * word. A credential helper is git's credential.c: "!cmd" is a shell
 * command, an absolute path a program, anything else the git command
 * credential-<value>, which runs git-credential-<value>: by path from git's
 * cwd when the value holds a slash ("tools/cred" runs
 * <top>/git-credential-tools/cred). */
static char *command_path(const char *key, const char *value) {
        size_t k = strlen(key);
        bool credential = strncmp(key, "credential.", 11) == 0;
        if (strncmp(key, "alias.", 6) == 0 || (strncmp(key, "submodule.", 10) == 0 && k > 7 &&
                                                 strcmp(key + k - 7, ".update") == 0)) {
                if (value[0] != '!')
                        return NULL; /* a git subcommand (an update mode), not a program */
                value++;
        } else if (credential && value[0] == '!') {
                value++;
                credential = false;
        }
        while (*value == ' ' || *value == '\t')
                value++;
        size_t n = 0;
        char quote = 0;
        if (*value == '\'' || *value == '"')
                quote = *value++;
        while (value[n] && (quote ? value[n] != quote : !strchr(" \t\n;|&<>()$`\\\"'", value[n])))
                n++;
        if (!n || !memchr(value, '/', n))
                return NULL;
        if (credential && value[0] != '/') {
                char *dashed = NULL;
                return asprintf(&dashed, "git-credential-%.*s", (int)n, value) < 0 ? NULL : dashed;
        }
        return strndup(value, n);
}

static int config_entry(const char *key, const char *value, void *data) {
        cfg_ctx *c = data;
        if (!value)
                return 0; /* a boolean: names no file */
        bool include = strcmp(key, "include.path") == 0;
        if (!include && strncmp(key, "includeif.", 10) == 0) {
                size_t n = strlen(key);
                /* includeIf.<condition>.path, whatever the condition: the
                 * condition (gitdir, onbranch, hasconfig) is evaluated by the
                 * git that runs later, maybe elsewhere or on another branch */
                include = n > 15 && strcmp(key + n - 5, ".path") == 0;
        }
        strv *list = NULL;
        if (include) {
                if (c->depth >= INCLUDE_DEPTH_MAX)
                        return 0; /* git dies here: nothing deeper takes effect */
                _cleanup_free_ char *expanded = interpolate(c->g, value);
                if (!expanded)
                        return 0;
                _cleanup_free_ char *dir = dir_of(c->name);
                _cleanup_free_ char *path = dir ? path_join(dir, expanded) : NULL;
                if (!path)
                        return -ENOMEM;
                return read_config(c->g, path, c->depth + 1, c->rv, c->visited, c->global, c->err);
        }
        if (strcmp(key, "core.hookspath") == 0)
                list = &c->rv->hooks;
        else if (strcmp(key, "core.worktree") == 0)
                list = &c->rv->worktrees;
        else if (strcmp(key, "init.templatedir") == 0) {
                /* git init and git clone copy hooks from it: absolute (or ~)
                 * is the useful form; a relative one depends on where they
                 * run */
                _cleanup_free_ char *expanded = interpolate(c->g, value);
                _cleanup_free_ char *canon = NULL;
                if (!expanded || expanded[0] != '/')
                        return 0;
                _cleanup_free_ char *why = NULL;
                if (asprintf(&why, "init.templateDir of %s: git init and git clone copy their hooks from it", c->name) < 0)
                        return -ENOMEM;
                int r = resolve(c->g, expanded, why, &canon);
                return r == -ENOMEM ? r : 0;
        } else if (is_command_key(key)) {
                _cleanup_free_ char *path = command_path(key, value);
                if (path && strv_push(&c->rv->commands, path) < 0)
                        return -ENOMEM;
                return 0;
        }
        if (list && strv_push(list, value) < 0)
                return -ENOMEM;
        return 0;
}

/* A file that git reads (a .git file, commondir, a config) is a FIFO, a
 * device or a socket: refuse to run rather than read or skip it. */
static int refuse_type(corral_error *err, const char *path, mode_t type, const char *what) {
        return error_set(err, -EINVAL,
                         "%s is %s, where git reads %s: git would block on it or read whatever another process "
                         "writes into it, outside the sandbox; refusing to run (replace it with a regular file)",
                         path, readfile_type_name(type), what);
}

/* Reads one config file (and what it includes) into rv. visited belongs to
 * one repository's read (or to the global files'): a file met twice there is
 * an include cycle, or the same file included twice, and adds nothing new.
 * Another repository sharing the file (a linked worktree's commondir config,
 * an include two repositories name) reads it again: its relative hooksPath
 * and command paths start from that repository's own worktree. */
static int read_config(gitlayout *g, const char *name, unsigned depth, repo_vals *rv, strv *visited, bool global,
                       corral_error *err) {
        _cleanup_free_ char *why = NULL, *canon = NULL, *text = NULL;
        if (asprintf(&why, "%s: git reads configuration from it", depth ? "included config file" : "config file") < 0)
                return oom(err);
        g->mark = MARK_FILE;
        int r = resolve(g, name, why, &canon);
        if (r == -EACCES && global)
                return 0;
        if (r == -EACCES)
                return unreadable(g, name, r, err, "a git config file");
        if (r < 0)
                return r == -ENOMEM ? oom(err) : 0; /* a loop of links: git cannot open it either */
        if (strv_contains(visited, canon))
                return 0; /* read already by this repository (a cycle of includes, or one included twice) */
        if (strv_push(visited, canon) < 0)
                return oom(err);
        size_t len;
        mode_t type;
        r = readfile_small(canon, CONFIG_MAX, 0, &text, &len, &type);
        g->n_files++;
        if (r == -ENOENT || r == -ENOTDIR || r == -EISDIR)
                return 0; /* git skips a missing one (its first missing component is a surface) */
        if (r == -EACCES && global)
                return 0; /* as git does for the global ones */
        if (r == -EFTYPE_NOTREG)
                return refuse_type(err, canon, type, "configuration");
        if (r == -EFBIG)
                return error_set(err, r, "%s, a git config file, is larger than %u bytes; refusing to run", canon,
                                 CONFIG_MAX);
        if (r == -EACCES || r == -EPERM)
                return unreadable(g, canon, r, err, "a git config file");
        if (r < 0)
                return error_set(err, r, "cannot read %s, a git config file: %s", canon, strerror(-r));
        cfg_ctx c = {.g = g, .name = name, .depth = depth, .rv = rv, .visited = visited, .global = global, .err = err};
        r = gitconfig_parse(text, len, config_entry, &c);
        if (r == -EINVAL)
                return 0; /* git refuses the file from its syntax error on: what came before is in */
        return r == -ENOMEM ? oom(err) : r;
}

/* The surfaces of a hooks directory: itself, and for husky's layout
 * (core.hooksPath = .husky/_, whose scripts run .husky/<hook>) its parent. */
static int hooks_surface(gitlayout *g, const char *path, const char *from) {
        _cleanup_free_ char *why = NULL, *canon = NULL;
        if (asprintf(&why, "core.hooksPath of %s: git runs hooks from it", from) < 0)
                return -ENOMEM;
        int r = resolve(g, path, why, &canon);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        if (strcmp(base_name(canon), "_") == 0) {
                _cleanup_free_ char *parent = dir_of(canon), *why2 = NULL, *pcanon = NULL;
                if (!parent || asprintf(&why2, "husky's hooks, which the scripts in %s run", canon) < 0)
                        return -ENOMEM;
                r = resolve(g, parent, why2, &pcanon);
                return r == -ENOMEM ? r : 0;
        }
        return 0;
}

/* The directories a relative core.hooksPath or command path starts from:
 * the worktree's top (where git runs hooks), each core.worktree, and the
 * gitdir itself (a bare repository's hooks run there). */
static int worktree_bases(const char *gitdir, const char *worktree, const repo_vals *rv, strv *bases) {
        if (worktree && strv_push_unique(bases, worktree) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < rv->worktrees.n; i++) {
                _cleanup_free_ char *joined = path_join(gitdir, rv->worktrees.v[i]);
                _cleanup_free_ char *canon = joined ? path_canonicalize(joined) : NULL;
                if (canon && strv_push_unique(bases, canon) < 0)
                        return -ENOMEM;
        }
        return strv_push_unique(bases, gitdir);
}

static int relative_surfaces(gitlayout *g, const strv *values, const strv *bases, const char *gitdir, bool hooks) {
        for (size_t i = 0; i < values->n; i++) {
                _cleanup_free_ char *expanded = interpolate(g, values->v[i]);
                if (!expanded)
                        continue;
                for (size_t b = 0; b < bases->n; b++) {
                        if (b > 0 && expanded[0] == '/')
                                break;
                        _cleanup_free_ char *path = path_join(bases->v[b], expanded), *canon = NULL, *why = NULL;
                        if (!path)
                                return -ENOMEM;
                        int r;
                        if (hooks)
                                r = hooks_surface(g, path, gitdir);
                        else if (asprintf(&why, "a program that the config of %s runs", gitdir) < 0)
                                r = -ENOMEM;
                        else
                                r = resolve(g, path, why, &canon);
                        if (r == -ENOMEM)
                                return r;
                }
        }
        return 0;
}

static int read_gitdir(gitlayout *g, const char *gitdir, const char *worktree, unsigned depth, corral_error *err);

/* The first line-less content of a small pointer file (commondir, a
 * worktree's gitdir), as git reads it: the whole file but for trailing CR
 * and LF, up to a NUL. NULL in *out when missing or empty; an error for a
 * FIFO, device or socket. */
static int read_pointer(gitlayout *g, const char *path, const char *what, char **out, corral_error *err) {
        *out = NULL;
        _cleanup_free_ char *canon = NULL;
        int r = resolve(g, path, NULL, &canon);
        if (r < 0)
                return r == -ENOMEM ? oom(err) : r == -EACCES ? unreadable(g, path, r, err, what) : 0;
        char *text = NULL;
        size_t len;
        mode_t type;
        r = readfile_small(canon, COMMONDIR_MAX, 0, &text, &len, &type);
        g->n_files++;
        if (r == -ENOENT || r == -ENOTDIR || r == -EISDIR)
                return 0;
        if (r == -EFTYPE_NOTREG)
                return refuse_type(err, canon, type, what);
        if (r == -EACCES || r == -EPERM)
                return unreadable(g, canon, r, err, what);
        if (r < 0)
                return error_set(err, r, "cannot read %s (%s): %s", canon, what, strerror(-r));
        while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
                len--;
        text[len] = 0;
        if (!text[0]) {
                free(text);
                return 0;
        }
        *out = text;
        return 0;
}

/* Linked worktrees (commondir/worktrees/ID) and submodules
 * (commondir/modules/NAME, NAME may hold slashes) are repositories too. */
static int read_kept_repos(gitlayout *g, const char *dir, bool modules, unsigned depth, corral_error *err) {
        if (depth > MODULES_DEPTH_MAX)
                return 0;
        DIR *d = opendir(dir);
        if (!d)
                return 0;
        struct dirent *e;
        int r = 0;
        while (r >= 0 && (e = readdir(d))) {
                if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
                        continue;
                _cleanup_free_ char *sub = path_join(dir, e->d_name);
                struct stat st;
                if (!sub) {
                        r = oom(err);
                        break;
                }
                if (lstat(sub, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                if (!modules) {
                        /* worktrees/ID/gitdir names the worktree's .git file */
                        _cleanup_free_ char *ptr = path_join(sub, "gitdir"), *dotgit = NULL;
                        if (!ptr || (r = read_pointer(g, ptr, "a linked worktree's location", &dotgit, err)) < 0)
                                break;
                        /* relative (git 2.48's worktree.useRelativePaths): to
                         * worktrees/ID, as git reads it */
                        if (dotgit && dotgit[0] != '/') {
                                _cleanup_free_ char *joined = path_join(sub, dotgit);
                                char *abs = joined ? path_canonicalize(joined) : NULL;
                                bool nomem = !joined || (!abs && errno == ENOMEM);
                                free(dotgit);
                                dotgit = abs;
                                if (nomem) {
                                        r = oom(err);
                                        break;
                                }
                        }
                        _cleanup_free_ char *wt = dotgit && dotgit[0] == '/' ? dir_of(dotgit) : NULL;
                        if (wt) {
                                _cleanup_free_ char *canon = NULL, *why = NULL;
                                if (asprintf(&why, "the .git file of the linked worktree %s", wt) < 0 ||
                                    resolve(g, dotgit, why, &canon) == -ENOMEM) {
                                        r = oom(err);
                                        break;
                                }
                        }
                        r = read_gitdir(g, sub, wt, depth + 1, err);
                        continue;
                }
                _cleanup_free_ char *head = path_join(sub, "HEAD");
                if (!head) {
                        r = oom(err);
                        break;
                }
                if (lstat(head, &st) == 0)
                        r = read_gitdir(g, sub, NULL, depth + 1, err);
                else
                        r = read_kept_repos(g, sub, true, depth + 1, err);
        }
        closedir(d);
        return r;
}

static int read_gitdir(gitlayout *g, const char *gitdir, const char *worktree, unsigned depth, corral_error *err) {
        if (depth > MODULES_DEPTH_MAX || strv_contains(&g->read, gitdir))
                return 0;
        if (strv_push(&g->read, gitdir) < 0)
                return oom(err);
        _cleanup_free_ char *ptr = path_join(gitdir, "commondir"), *content = NULL, *common = NULL;
        if (!ptr)
                return oom(err);
        int r = read_pointer(g, ptr, "the repository's common dir", &content, err);
        if (r < 0)
                return r;
        if (content) {
                _cleanup_free_ char *joined = content[0] == '/' ? strdup(content) : path_join(gitdir, content);
                _cleanup_free_ char *why = NULL;
                if (!joined || asprintf(&why, "common dir named by %s: git reads its config and runs its hooks", ptr) < 0)
                        return oom(err);
                g->mark = MARK_REPO;
                r = resolve(g, joined, why, &common);
                if (r == -ENOMEM)
                        return oom(err);
                if (r < 0)
                        return 0;
        } else if (!(common = strdup(gitdir)))
                return oom(err);

        struct stat cst;
        if (strv_push_unique(&g->repos, gitdir) < 0 ||
            (stat(common, &cst) == 0 && S_ISDIR(cst.st_mode) && strv_push_unique(&g->repos, common) < 0))
                return oom(err);
        repo_vals rv = {0};
        strv visited = {0};
        _cleanup_free_ char *config = path_join(common, "config"), *wconfig = path_join(gitdir, "config.worktree");
        if (!config || !wconfig)
                r = oom(err);
        if (r >= 0)
                r = read_config(g, config, 0, &rv, &visited, false, err);
        if (r >= 0)
                r = read_config(g, wconfig, 0, &rv, &visited, false, err);
        strv_clear(&visited);
        strv bases = {0};
        if (r >= 0 && worktree_bases(gitdir, worktree, &rv, &bases) < 0)
                r = oom(err);
        if (r >= 0) {
                strv hooks = {0};
                if (strv_extend(&hooks, &rv.hooks) < 0 || strv_extend(&hooks, &g->global_hooks) < 0 ||
                    relative_surfaces(g, &hooks, &bases, gitdir, true) < 0 ||
                    relative_surfaces(g, &rv.commands, &bases, gitdir, false) < 0)
                        r = oom(err);
                strv_clear(&hooks);
        }
        strv_clear(&bases);
        repo_vals_clear(&rv);
        if (r < 0)
                return r;
        /* the default hooks directory and the other repositories kept in the
         * common dir (their own config may name places of their own) */
        _cleanup_free_ char *hooks = path_join(common, "hooks"), *canon = NULL;
        if (!hooks || resolve(g, hooks, "the repository's hooks directory", &canon) == -ENOMEM)
                return oom(err);
        _cleanup_free_ char *wts = path_join(common, "worktrees"), *mods = path_join(common, "modules");
        if (!wts || !mods)
                return oom(err);
        if ((r = read_kept_repos(g, wts, false, depth, err)) < 0)
                return r;
        return read_kept_repos(g, mods, true, depth, err);
}

bool gitlayout_empty_dir(const char *path, struct stat *st) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return false;
        }
        struct stat ignored;
        bool empty = fstat(dirfd(d), st ? st : &ignored) == 0;
        for (struct dirent *e; empty && (e = readdir(d));)
                empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
        closedir(d);
        return empty;
}

int gitlayout_repo(gitlayout *g, const char *dotgit, corral_error *err) {
        struct stat st;
        if (lstat(dotgit, &st) < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : unreadable(g, dotgit, -errno, err, "a repository");
        _cleanup_free_ char *worktree = dir_of(dotgit), *canon = NULL, *why = NULL;
        if (!worktree || asprintf(&why, "the repository %s", dotgit) < 0)
                return oom(err);
        g->mark = MARK_REPO; /* (when it is a directory) */
        int r = resolve(g, dotgit, why, &canon);
        if (r == -ENOMEM)
                return oom(err);
        if (r == -EACCES)
                return unreadable(g, dotgit, r, err, "a repository");
        if (r < 0)
                return 0;
        if (stat(canon, &st) < 0)
                return 0; /* a dangling link: its target is a surface (missing) */
        /* An empty .git directory is no repository (git finds no HEAD in
         * it) and, read-only as the protected name it is, cannot become one.
         * It is also what a missing .git looks like to corral-runner once the
         * developer's corral has put its placeholder there: read as a
         * repository, the runner's plan wanted surfaces (a relative global
         * core.hooksPath's .githooks) that the developer's plan, which saw
         * no .git, had never held, and refused the run. */
        if (S_ISDIR(st.st_mode))
                return gitlayout_empty_dir(canon, NULL) ? 0 : read_gitdir(g, canon, worktree, 0, err);
        if (!S_ISREG(st.st_mode))
                return 0; /* git takes a .git that is neither a file nor a directory for no repository */

        /* A gitdir file, exactly as git reads one: "gitdir: " at the very
         * start, then the path: everything up to the end of the file but for
         * trailing CR and LF (spaces and inner newlines included), up to a
         * NUL; relative to the directory of the .git file as named. */
        _cleanup_free_ char *text = NULL;
        size_t len;
        mode_t type;
        r = readfile_small(canon, GITFILE_MAX, 0, &text, &len, &type);
        g->n_files++;
        if (r == -EFTYPE_NOTREG)
                return refuse_type(err, canon, type, "a gitdir line");
        if (r == -EFBIG)
                return 0; /* git: "too large to be a .git file", no repository */
        if (r == -EACCES || r == -EPERM)
                return unreadable(g, canon, r, err, "a .git file");
        if (r < 0)
                return r == -ENOENT ? 0 : error_set(err, r, "cannot read %s: %s", canon, strerror(-r));
        if (len < 8 || strncmp(text, "gitdir: ", 8) != 0)
                return 0; /* git: "invalid gitfile format" */
        while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
                len--;
        if (len < 9)
                return 0; /* git: "no path in gitfile" */
        text[len] = 0;
        const char *dir = text + 8;
        _cleanup_free_ char *joined = dir[0] == '/' ? strdup(dir) : path_join(worktree, dir);
        _cleanup_free_ char *gitdir = NULL, *gwhy = NULL;
        if (!joined || asprintf(&gwhy, "gitdir named by %s: the repository itself", dotgit) < 0)
                return oom(err);
        g->mark = MARK_REPO;
        r = resolve(g, joined, gwhy, &gitdir);
        if (r == -ENOMEM)
                return oom(err);
        if (r < 0 || stat(gitdir, &st) < 0 || !S_ISDIR(st.st_mode))
                return 0; /* missing: the surface keeps it from being made */
        return read_gitdir(g, gitdir, worktree, 0, err);
}

bool gitlayout_is_git_directory(const char *dir) {
        _cleanup_free_ char *head = path_join(dir, "HEAD"), *common = path_join(dir, "commondir"),
                                *objects = path_join(dir, "objects"), *refs = path_join(dir, "refs");
        struct stat st;
        if (!head || !common || !objects || !refs || lstat(head, &st) < 0 ||
            !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
                return false;
        /* objects/ and refs/ may be in the common dir (a linked worktree's
         * gitdir); one that names it counts whatever it names */
        if (lstat(common, &st) == 0)
                return true;
        return stat(objects, &st) == 0 && S_ISDIR(st.st_mode) && stat(refs, &st) == 0 && S_ISDIR(st.st_mode);
}

int gitlayout_bare(gitlayout *g, const char *dir, corral_error *err) {
        if (!gitlayout_is_git_directory(dir))
                return 0;
        _cleanup_free_ char *canon = NULL, *why = NULL;
        if (asprintf(&why, "the git directory %s (a bare repository: git takes the directory itself for one)",
                     dir) < 0)
                return oom(err);
        g->mark = MARK_REPO;
        int r = resolve(g, dir, why, &canon);
        if (r == -ENOMEM)
                return oom(err);
        if (r == -EACCES)
                return unreadable(g, dir, r, err, "a repository");
        /* git runs a bare repository's hooks, and resolves a relative
         * core.hooksPath, in the git directory itself */
        return r < 0 ? 0 : read_gitdir(g, canon, canon, 0, err);
}

int gitlayout_enclosing(gitlayout *g, const char *dir, corral_error *err) {
        _cleanup_free_ char *cur = dir_of(dir);
        while (cur) {
                _cleanup_free_ char *dotgit = path_join(cur, ".git");
                struct stat st;
                if (!dotgit)
                        return oom(err);
                if (lstat(dotgit, &st) == 0)
                        return gitlayout_repo(g, dotgit, err);
                /* git's discovery takes a directory for a bare repository
                 * once it has no .git */
                if (gitlayout_is_git_directory(cur))
                        return gitlayout_bare(g, cur, err);
                if (strcmp(cur, "/") == 0)
                        return 0;
                char *up = dir_of(cur);
                free(cur);
                cur = up;
        }
        return oom(err);
}

static bool env_true(const char *v) {
        return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
                     strcasecmp(v, "on") == 0);
}

int gitlayout_init(gitlayout *g, const char *const *env, corral_error *err) {
        *g = (gitlayout){0};
        const char *home = env_get(env, "HOME");
        if (home && home[0] == '/' && !(g->home = strdup(home)))
                return oom(err);
        strv files = {0};
        const char *sys = env_get(env, "GIT_CONFIG_SYSTEM");
        int r = 0;
        if (!env_true(env_get(env, "GIT_CONFIG_NOSYSTEM")))
                r = strv_push(&files, sys && *sys ? sys : "/etc/gitconfig");
        const char *global = env_get(env, "GIT_CONFIG_GLOBAL");
        const char *xdg = env_get(env, "XDG_CONFIG_HOME");
        if (r >= 0 && global && *global)
                r = strv_push(&files, global);
        else if (r >= 0) {
                _cleanup_free_ char *x = xdg && xdg[0] == '/' ? path_join(xdg, "git/config")
                                         : g->home               ? path_join(g->home, ".config/git/config")
                                                                 : NULL;
                _cleanup_free_ char *u = g->home ? path_join(g->home, ".gitconfig") : NULL;
                if ((x && strv_push(&files, x) < 0) || (u && strv_push(&files, u) < 0))
                        r = -ENOMEM;
        }
        if (r < 0) {
                strv_clear(&files);
                return oom(err);
        }
        repo_vals rv = {0};
        strv visited = {0};
        for (size_t i = 0; r >= 0 && i < files.n; i++) {
                if (files.v[i][0] != '/')
                        continue; /* relative to git's cwd: no fixed place */
                r = read_config(g, files.v[i], 0, &rv, &visited, true, err);
        }
        strv_clear(&visited);
        strv_clear(&files);
        /* Hooks named absolutely are surfaces now; relative ones start from
         * each repository's worktree. Commands likewise, absolute ones only
         * (a relative one would be relative to every repository). */
        for (size_t i = 0; r >= 0 && i < rv.hooks.n; i++) {
                _cleanup_free_ char *expanded = interpolate(g, rv.hooks.v[i]);
                if (!expanded)
                        continue;
                if (expanded[0] == '/')
                        r = hooks_surface(g, expanded, "the global git config") < 0 ? oom(err) : 0;
                else if (strv_push(&g->global_hooks, rv.hooks.v[i]) < 0)
                        r = oom(err);
        }
        for (size_t i = 0; r >= 0 && i < rv.commands.n; i++) {
                _cleanup_free_ char *expanded = interpolate(g, rv.commands.v[i]), *canon = NULL;
                if (expanded && expanded[0] == '/' &&
                    resolve(g, expanded, "a program that the global git config runs", &canon) == -ENOMEM)
                        r = oom(err);
        }
        repo_vals_clear(&rv);
        return r;
}

void gitlayout_free(gitlayout *g) {
        for (size_t i = 0; i < g->n; i++) {
                free(g->v[i].path);
                free(g->v[i].why);
        }
        free(g->v);
        free(g->home);
        strv_clear(&g->global_hooks);
        strv_clear(&g->read);
        strv_clear(&g->repos);
        *g = (gitlayout){0};
}

/* No repository at dotgit: nothing there, or an empty directory (what the
 * developer's placeholder for a missing .git looks like to corral-runner). */
static bool no_repository(const char *dotgit) {
        struct stat st;
        return (lstat(dotgit, &st) < 0 && errno == ENOENT) || gitlayout_empty_dir(dotgit, NULL);
}

/* A root with no repository yet, where the developer may run git init (the
 * command cannot: .git is protected): the developer's relative global
 * core.hooksPath then leads from the root's top, and a .githooks/pre-commit
 * the command left there would run at the developer's first commit. */
static int future_repo_hooks(gitlayout *g, const char *root) {
        strv bases = {0};
        int r = strv_push(&bases, root) < 0 ? -ENOMEM
                                            : relative_surfaces(g, &g->global_hooks, &bases,
                                                                "your global git config (for a repository made here)",
                                                                true);
        strv_clear(&bases);
        return r;
}

static int by_length(const void *a, const void *b) {
        const git_surface *x = a, *y = b;
        size_t lx = strlen(x->path), ly = strlen(y->path);
        return lx < ly ? -1 : lx > ly ? 1 : strcmp(x->path, y->path);
}

int gitlayout_policy(gitlayout *g, const policy *p, size_t n_roots, const strv *nested, const char *const *env,
                     corral_error *err) {
        int r = gitlayout_init(g, env, err);
        g->roots = &p->writable_roots;
        /* corral-runner: the developer's relative global core.hooksPath
         * values, which the developer's corral read (policy.git_known_hooks);
         * each repository below takes them from its worktree */
        for (size_t i = 0; r >= 0 && i < p->git_known_hooks.n; i++)
                if (strv_push_unique(&g->global_hooks, p->git_known_hooks.v[i]) < 0)
                        r = oom(err);
        /* --unprotect .git: the developer lets the command write the
         * repositories in the writable roots, and what they name */
        bool git = strv_contains(&p->protect, ".git");
        for (size_t w = 0; r >= 0 && w < n_roots && w < p->writable_roots.n; w++) {
                _cleanup_free_ char *dotgit = path_join(p->writable_roots.v[w], ".git");
                r = !dotgit ? oom(err) : git ? gitlayout_repo(g, dotgit, err) : 0;
                /* a root that is itself a git directory (a bare repository,
                 * a gitdir named as a root) */
                if (r >= 0 && git)
                        r = gitlayout_bare(g, p->writable_roots.v[w], err);
                if (r >= 0)
                        r = gitlayout_enclosing(g, p->writable_roots.v[w], err);
                if (r >= 0 && git && g->global_hooks.n && no_repository(dotgit))
                        r = future_repo_hooks(g, p->writable_roots.v[w]) < 0 ? oom(err) : 0;
        }
        for (size_t i = 0; r >= 0 && git && nested && i < nested->n; i++) {
                const char *name = base_name(nested->v[i]);
                if (strcasecmp(name, ".git") == 0)
                        r = gitlayout_repo(g, nested->v[i], err);
                else if (strcmp(name, "HEAD") == 0) {
                        /* a HEAD found below the top: its directory may be
                         * a bare repository, whose config git reads there */
                        _cleanup_free_ char *dir = dir_of(nested->v[i]);
                        r = !dir ? oom(err) : gitlayout_bare(g, dir, err);
                }
        }
        /* corral-runner: the surfaces the developer's corral found, reading
         * as the developer files the sandbox user may not read (a private
         * ~/.gitconfig, a private include, a main repository in a home it
         * cannot traverse). A path read here already stays as read. */
        for (size_t i = 0; r >= 0 && i < p->git_known.n; i++) {
                const char *path = p->git_known.v[i];
                bool have = strv_contains(&g->repos, path);
                for (size_t k = 0; k < g->n && !have; k++)
                        have = strcmp(g->v[k].path, path) == 0;
                _cleanup_free_ char *canon = NULL;
                g->mark = 0;
                if (!have)
                        r = resolve(g, path, "the developer's corral protects it (git uses it, by files it read as "
                                             "the developer, which the sandbox user may not read; or it is "
                                             "corral's own binary)", &canon) == -ENOMEM
                                    ? oom(err)
                                    : 0;
        }
        if (r >= 0 && g->n)
                qsort(g->v, g->n, sizeof(*g->v), by_length);
        return r;
}
