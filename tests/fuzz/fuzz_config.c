/* SPDX-License-Identifier: MIT
 * libFuzzer target: config loading and merging (src/config/config.c,
 * src/policy/resolve.c), on top of the TOML parser.
 *
 * The input is up to three parts, each ended by a line "---":
 *
 *     USER CONFIG (TOML)        what ~/.config/corral/config.toml holds
 *     ---
 *     WORKSPACE CONFIG (TOML)   what the workspace's .corral.toml holds
 *     ---
 *     FLAGS                     one "key=value" a line, as config_layer_set takes them
 *
 * Without a "---" the one text is loaded as both the user and the workspace
 * config. The layers are loaded with config_layer_load_string and merged by
 * policy_resolve over a small real tree in a temporary directory (a home, a
 * workspace inside it with a subdirectory, a file, symlinks out, up, in a
 * loop and dangling), once with a home directory and once without.
 *
 * Besides what the sanitizers catch, every accepted policy is checked against
 * what config.h, resolve.h and policy.h promise: absolute canonical paths, no
 * broad writable root unless allowed, read-only mode with no writable root and
 * a private /tmp, plain protected names, NAME=value variables; every failure
 * must say why. And the rule that matters most: unless the user config trusts
 * a workspace, adding its config can only narrow the policy (never a wider
 * mode, network, tmp or timeout, never more writable or readable paths,
 * sockets or kept variables, never fewer protected names or hidden paths). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/path.h"
#include "config/config.h"
#include "net/domain.h"
#include "policy/resolve.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *root_dir, *home_dir, *work_dir;
static bool verbose; /* FUZZ_CONFIG_VERBOSE set: say what became of each input */

static void check(bool ok, const char *what, const char *detail)
{
        if (!ok) {
                fprintf(stderr, "fuzz_config: broken promise: %s%s%s\n", what, detail ? ": " : "",
                        detail ? detail : "");
                abort();
        }
}

static char *join(const char *a, const char *b)
{
        char *s = path_join(a, b);
        check(s != NULL, "out of memory in the harness", NULL);
        return s;
}

static void make_dir(const char *base, const char *rel)
{
        char *p = join(base, rel);
        check(mkdir(p, 0700) == 0, "cannot create the test tree", p);
        free(p);
}

static void make_link(const char *target, const char *base, const char *rel)
{
        char *p = join(base, rel);
        check(symlink(target, p) == 0, "cannot create the test tree", p);
        free(p);
}

static void make_file(const char *base, const char *rel)
{
        char *p = join(base, rel);
        FILE *f = fopen(p, "w");
        check(f != NULL, "cannot create the test tree", p);
        fclose(f);
        free(p);
}

static void remove_tree(void)
{
        static const char *const rel[] = {
                "home/work/sub",  "home/work/file",     "home/work/out", "home/work/up",
                "home/work/loop", "home/work/dangling", "home/work",     "home/.ssh/id",
                "home/.ssh",      "home/.gitconfig",    "home",          "outside",
        };
        for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
                char *p = join(root_dir, rel[i]);
                struct stat st;
                if (lstat(p, &st) == 0)
                        (S_ISDIR(st.st_mode) ? rmdir : unlink)(p);
                free(p);
        }
        rmdir(root_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void) argc, (void) argv;
        const char *tmp = getenv("TMPDIR");
        char *tmpl = join(tmp && *tmp ? tmp : "/tmp", "corral-fuzz-config.XXXXXX");
        check(mkdtemp(tmpl) != NULL, "mkdtemp failed", tmpl);
        /* Canonical from the start, so that the checks below can compare. */
        root_dir = path_canonicalize(tmpl);
        free(tmpl);
        check(root_dir != NULL, "cannot canonicalize the temporary directory", NULL);

        make_dir(root_dir, "home");
        make_dir(root_dir, "outside");
        home_dir = join(root_dir, "home");
        work_dir = join(home_dir, "work");
        make_dir(home_dir, ".ssh");
        make_file(home_dir, ".ssh/id");
        make_file(home_dir, ".gitconfig");
        make_dir(work_dir, "");
        make_dir(work_dir, "sub");
        make_file(work_dir, "file");
        char *outside = join(root_dir, "outside");
        make_link(outside, work_dir, "out");
        free(outside);
        make_link("../..", work_dir, "up");
        make_link("loop", work_dir, "loop");
        make_link("/nonexistent-corral-fuzz/x", work_dir, "dangling");
        atexit(remove_tree);
        verbose = getenv("FUZZ_CONFIG_VERBOSE") != NULL;
        return 0;
}

/* A copy of exactly n bytes (so that AddressSanitizer sees any read past
 * the end). */
static char *part(const uint8_t *p, size_t n)
{
        char *s = malloc(n ? n : 1);
        check(s != NULL, "out of memory in the harness", NULL);
        if (n)
                memcpy(s, p, n);
        return s;
}

static void check_failure(int r, const corral_error *err, const char *what)
{
        if (verbose)
                fprintf(stderr, "fuzz_config: %s: %d: %s\n", what, r, err->msg);
        check(r < 0 && r > -4096, "a failure that is not a negative errno", what);
        check(err->msg[0] != '\0', "a failure without a message", what);
        check(memchr(err->msg, '\0', sizeof(err->msg)) != NULL, "an unterminated message", what);
}

static bool is_canonical(const char *p)
{
        if (!path_is_absolute(p))
                return false;
        char *c = path_canonicalize(p);
        bool ok = c && strcmp(c, p) == 0;
        free(c);
        return ok;
}

static void check_paths(const strv *s, const char *what)
{
        for (size_t i = 0; i < s->n; i++)
                check(s->v[i] && path_is_absolute(s->v[i]), what, s->v[i]);
        check(s->n == 0 || s->v[s->n] == NULL, "a list without its NULL terminator", what);
}

/* What policy.h promises of any policy policy_resolve returns. */
static void check_policy(const policy *p)
{
        check((unsigned) p->mode <= MODE_FULL_ACCESS && (unsigned) p->network <= NETWORK_PROXY &&
                      (unsigned) p->tmp <= TMP_HOST && (unsigned) p->backend <= BACKEND_USERS,
              "an enum out of range", NULL);
        check(p->workspace && is_canonical(p->workspace), "the workspace is not canonical", p->workspace);
        check(p->cwd && is_canonical(p->cwd), "the cwd is not canonical", p->cwd);
        check(!p->home || is_canonical(p->home), "home is not canonical", p->home);

        check_paths(&p->writable_roots, "a writable root is not absolute");
        check_paths(&p->deny_read, "a deny_read path is not absolute");
        check_paths(&p->allow_read, "an allow_read path is not absolute");
        check_paths(&p->allow_unix_sockets, "a socket path is not absolute");

        if (p->mode == MODE_READ_ONLY) {
                check(p->writable_roots.n == 0, "read-only mode with writable roots", NULL);
                check(p->tmp == TMP_PRIVATE, "read-only mode without a private /tmp", NULL);
        } else {
                check(p->writable_roots.n > 0 && strcmp(p->writable_roots.v[0], p->workspace) == 0,
                      "the workspace is not the first writable root", NULL);
        }
        if (p->mode == MODE_WORKSPACE_WRITE && !p->allow_broad_roots) {
                for (size_t i = 0; i < p->writable_roots.n; i++) {
                        const char *w = p->writable_roots.v[i];
                        check(!path_is_root(w), "/ is writable without allow_broad_roots", w);
                        check(!p->home || !path_is_below_or_equal(p->home, w),
                              "home or an ancestor is writable without allow_broad_roots", w);
                }
        }
        for (size_t i = 0; i < p->protect.n; i++) {
                const char *n = p->protect.v[i];
                check(*n && !strchr(n, '/') && strcmp(n, ".") != 0 && strcmp(n, "..") != 0,
                      "a protected name that is not a plain name", n);
        }
        for (size_t i = 0; i < p->env_set.n; i++) {
                const char *eq = strchr(p->env_set.v[i], '=');
                check(eq && eq != p->env_set.v[i], "an env.set entry that is not NAME=value", p->env_set.v[i]);
        }
        for (size_t i = 0; i < p->env_keep.n; i++)
                check(*p->env_keep.v[i] && !strchr(p->env_keep.v[i], '='), "an env.keep entry that is not a name",
                      p->env_keep.v[i]);
}

static bool subset(const strv *a, const strv *b)
{
        for (size_t i = 0; i < a->n; i++)
                if (!strv_contains(b, a->v[i]))
                        return false;
        return true;
}

/* off < proxy (named domains) < on */
static int net_rank(policy_network n)
{
        return n == NETWORK_OFF ? 0 : n == NETWORK_PROXY ? 1 : 2;
}

static int tmp_rank(policy_tmp t)
{
        return t == TMP_PRIVATE ? 0 : t == TMP_WORKSPACE ? 1 : 2;
}

/* p: with the untrusted workspace config; base: the same without it. */
static void check_narrower(const policy *p, const policy *base)
{
        check(p->mode <= base->mode, "an untrusted workspace config widened the mode", NULL);
        check(net_rank(p->network) <= net_rank(base->network),
              "an untrusted workspace config widened the network", NULL);
        if (p->network == NETWORK_PROXY && base->network == NETWORK_PROXY) {
                for (size_t i = 0; i < p->allow_domains.n; i++) {
                        bool covered = false;
                        for (size_t j = 0; j < base->allow_domains.n && !covered; j++)
                                covered = net_rule_covered_by(p->allow_domains.v[i], base->allow_domains.v[j]);
                        check(covered, "an untrusted workspace config allowed a domain", p->allow_domains.v[i]);
                }
                for (size_t i = 0; i < p->n_allow_ports; i++) {
                        bool found = false;
                        for (size_t j = 0; j < base->n_allow_ports && !found; j++)
                                found = base->allow_ports[j] == p->allow_ports[i];
                        check(found, "an untrusted workspace config allowed a port", NULL);
                }
                check(subset(&base->deny_domains, &p->deny_domains),
                      "an untrusted workspace config dropped a deny_domains rule", NULL);
        }
        check(tmp_rank(p->tmp) <= tmp_rank(base->tmp), "an untrusted workspace config shared more of /tmp", NULL);
        check(base->timeout_ms == 0 || (p->timeout_ms > 0 && p->timeout_ms <= base->timeout_ms),
              "an untrusted workspace config lengthened or removed the timeout", NULL);
        check(!p->allow_broad_roots || base->allow_broad_roots,
              "an untrusted workspace config allowed broad roots", NULL);
        for (int k = 0; k < N_LIMITS; k++)
                check(base->limits.v[k] == 0 || (p->limits.v[k] > 0 && p->limits.v[k] <= base->limits.v[k]),
                      "an untrusted workspace config loosened or removed a resource limit", NULL);
        check(subset(&p->writable_roots, &base->writable_roots),
              "an untrusted workspace config added a writable root", NULL);
        check(subset(&p->allow_read, &base->allow_read), "an untrusted workspace config un-hid a path", NULL);
        check(subset(&p->allow_unix_sockets, &base->allow_unix_sockets),
              "an untrusted workspace config allowed a socket", NULL);
        check(subset(&p->env_keep, &base->env_keep), "an untrusted workspace config kept a variable", NULL);
        check(subset(&p->env_set, &base->env_set), "an untrusted workspace config set a variable", NULL);
        check(subset(&base->protect, &p->protect), "an untrusted workspace config dropped a protected name", NULL);
        check(subset(&base->deny_read, &p->deny_read), "an untrusted workspace config un-hid a deny_read path",
              NULL);
        check(subset(&base->env_drop, &p->env_drop), "an untrusted workspace config dropped a drop pattern",
              NULL);
}

/* Loads the flags part: "key=value" lines. Returns 0 or the first error. */
static int load_flags(config_layer *flags, const char *text, size_t n, const char *home, corral_error *err)
{
        const char *p = text, *end = text + n;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t len = (size_t) ((nl ? nl : end) - p);
                char *line = malloc(len + 1);
                check(line != NULL, "out of memory in the harness", NULL);
                memcpy(line, p, len);
                line[len] = '\0';
                p += len + 1;
                char *eq = strchr(line, '=');
                int r = 0;
                if (eq) {
                        *eq = '\0';
                        r = config_layer_set(flags, line, eq + 1, home, err);
                } else if (*line) {
                        r = config_layer_set(flags, line, NULL, home, err);
                }
                free(line);
                if (r < 0)
                        return r;
        }
        return 0;
}

struct input {
        char *user, *ws, *flags;
        size_t user_len, ws_len, flags_len;
};

/* One round: the layers loaded with home (or without), then merged. */
static void round_trip(const struct input *in, const char *home)
{
        config_layer defaults = { 0 }, user, ws, flags;
        corral_error err = { { 0 } };
        policy p = { 0 }, base = { 0 };
        int r, rb;

        config_layer_init(&user, ORIGIN_USER, "config.toml");
        config_layer_init(&ws, ORIGIN_WORKSPACE, ".corral.toml");
        config_layer_init(&flags, ORIGIN_FLAGS, NULL);
        check(config_layer_defaults(&defaults, &err) == 0, "the built-in defaults fail", err.msg);

        r = config_layer_load_string(&user, in->user, in->user_len, home, &err);
        if (r < 0) {
                check_failure(r, &err, "loading the user config");
                goto out;
        }
        r = config_layer_load_string(&ws, in->ws, in->ws_len, home, &err);
        if (r < 0) {
                check_failure(r, &err, "loading the workspace config");
                goto out;
        }
        r = load_flags(&flags, in->flags, in->flags_len, home, &err);
        if (r < 0) {
                check_failure(r, &err, "setting a flag");
                goto out;
        }

        err.msg[0] = '\0';
        r = policy_resolve(&defaults, &user, &ws, &flags, home, work_dir, &p, &err);
        if (r < 0) {
                check_failure(r, &err, "policy_resolve");
                check(p.workspace == NULL && p.writable_roots.n == 0, "a failed policy_resolve left a policy", NULL);
        } else {
                check_policy(&p);
                if (verbose)
                        fprintf(stderr, "fuzz_config: accepted (home %s): mode %s, %zu writable roots\n",
                                home ? "set" : "unset", policy_mode_to_string(p.mode), p.writable_roots.n);
        }

        err.msg[0] = '\0';
        rb = policy_resolve(&defaults, &user, NULL, &flags, home, work_dir, &base, &err);
        if (rb < 0)
                check_failure(rb, &err, "policy_resolve without the workspace config");
        else
                check_policy(&base);
        if (r == 0 && rb == 0 && user.trusted_workspaces.n == 0)
                check_narrower(&p, &base);

out:
        policy_free(&p);
        policy_free(&base);
        config_layer_done(&defaults);
        config_layer_done(&user);
        config_layer_done(&ws);
        config_layer_done(&flags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* Where the parts start and end: a line "---" ends a part. */
        size_t start[3] = { 0 }, stop[3] = { size, size, size }, nsep = 0;
        struct input in;

        if (size > 64 * 1024) /* config files are small; keep each run fast */
                return 0;
        for (size_t i = 0; i < size && nsep < 2;) {
                const uint8_t *nl = memchr(data + i, '\n', size - i);
                size_t j = nl ? (size_t) (nl - data) : size;
                if (j - i == 3 && memcmp(data + i, "---", 3) == 0) {
                        stop[nsep] = i;
                        start[++nsep] = j < size ? j + 1 : size;
                }
                i = j + 1;
        }
        in.user_len = stop[0] - start[0];
        in.user = part(data + start[0], in.user_len);
        if (nsep == 0) { /* one text: both configs */
                in.ws_len = in.user_len;
                in.ws = part(data, in.ws_len);
        } else {
                in.ws_len = stop[1] - start[1];
                in.ws = part(data + start[1], in.ws_len);
        }
        in.flags_len = nsep == 2 ? stop[2] - start[2] : 0;
        in.flags = part(data + (nsep == 2 ? start[2] : 0), in.flags_len);

        round_trip(&in, home_dir);
        round_trip(&in, NULL);

        free(in.user);
        free(in.ws);
        free(in.flags);
        return 0;
}
