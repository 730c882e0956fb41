/* SPDX-License-Identifier: MIT
 * The userns backend's plan: user, mount, pid, ipc, cgroup (and, with the
 * network off, net) namespaces; a read-only view of the host with writable
 * roots bound back, protected names bound read-only on top, secrets and host
 * sockets masked; Landlock and seccomp under it.
 *
 * The order of operations matters and is documented inline: trees that must
 * stay writable are cloned before the whole view becomes read-only, and
 * everything that hides something comes last so that nothing is attached on
 * top of a mask. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/probe.h"
#include "common/macro.h"
#include "common/path.h"
#include "common/readfile.h"
#include "common/sha256.h"
#include "plan/caches.h"
#include "plan/gitdir.h"
#include "plan/gitfile.h"
#include "plan/gitindex.h"
#include "plan/gitlayout.h"
#include "plan/host_sockets.h"
#include "plan/nested.h"
#include "plan/plan.h"
#include "plan/proc_masks.h"
#include "net/proxyenv.h"

#define DEFAULT_TMP_SIZE (1024ULL * 1024 * 1024) /* private /tmp and /dev/shm */
#define MAX_SOCKET_MASKS 2048                     /* then other users' sockets are left unmasked */

static const char *const proc_readonly[] = {"/proc/sys",  "/proc/sysrq-trigger", "/proc/irq",
                                            "/proc/bus",  "/proc/fs",            "/proc/driver"};

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};


/* $XDG_CACHE_HOME/corral/workspaces/<hash of the workspace path>, and the
 * placeholder bookkeeping of every writable root, $XDG_CACHE_HOME/corral/roots
 * (apply/host.h). The hash is SHA-256's first 128 bits: two workspaces must
 * never share a state directory (its /tmp, its private caches), and a hash
 * that is no cryptographic one (FNV-1a before) can be made to collide by
 * choosing a path. The directory records its workspace's path in
 * "workspace" (apply/host.c writes it), checked here on every use. */
static int state_dir(const policy *p, const char *const *env, plan *pl, corral_error *err) {
        const char *cache = NULL;
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], "XDG_CACHE_HOME=", 15) == 0 && env[i][15] == '/')
                        cache = env[i] + 15;
        char hash[33];
        sha256_hex(p->workspace, 16, hash);
        int r;
        if (cache)
                r = asprintf(&pl->state_dir, "%s/corral/workspaces/%s", cache, hash);
        else if (p->home)
                r = asprintf(&pl->state_dir, "%s/.cache/corral/workspaces/%s", p->home, hash);
        else
                return error_set(err, -ENOENT, "no cache directory for per-workspace state: set HOME or XDG_CACHE_HOME");
        if (r < 0)
                return oom(err);
        _cleanup_free_ char *rec = path_join(pl->state_dir, "workspace");
        _cleanup_free_ char *was = NULL;
        size_t len = 0;
        if (!rec)
                return oom(err);
        if (readfile_small(rec, 8192, 0, &was, &len, NULL) >= 0 && (len != strlen(p->workspace) + 1 || was[len - 1] != '\n' ||
                                                strncmp(was, p->workspace, len - 1) != 0))
                return error_set(err, -EEXIST,
                                 "the state directory %s is recorded for another workspace (%.*s, in %s): two "
                                 "workspace paths gave one hash; move %s away to go on",
                                 pl->state_dir, (int)(len && was[len - 1] == '\n' ? len - 1 : len), was, rec,
                                 pl->state_dir);
        if (asprintf(&pl->tmp_dir, "%s/tmp", pl->state_dir) < 0)
                return oom(err);
        const char *ws = strstr(pl->state_dir, "/workspaces/");
        if (asprintf(&pl->roots_dir, "%.*s/roots", (int)(ws - pl->state_dir), pl->state_dir) < 0)
                return oom(err);
        return 0;
}

/* <cache>/corral: the parent of every workspace's state directory. */
static const char *state_root_of(plan *pl) {
        const char *ws = strstr(pl->state_dir, "/workspaces/");
        return ws ? plan_strf(pl, "%.*s", (int)(ws - pl->state_dir), pl->state_dir) : NULL;
}

static bool below_any(const char *path, const strv *list) {
        for (size_t i = 0; i < list->n; i++)
                if (path_is_below_or_equal(path, list->v[i]))
                        return true;
        return false;
}

/* Whether a host path can be seen in the sandbox: /dev and /proc are new,
 * and /tmp is replaced unless it is the host's, except for the roots bound
 * back beneath it. */
static bool visible_inside(const policy *p, const char *path) {
        if (path_is_below_or_equal(path, "/dev") || path_is_below_or_equal(path, "/proc"))
                return false;
        if (!path_is_below_or_equal(path, "/tmp") || (p->tmp == TMP_HOST && p->mode != MODE_READ_ONLY))
                return true;
        if (below_any(path, &p->writable_roots))
                return true;
        return p->mode == MODE_READ_ONLY && path_is_below_or_equal(path, p->workspace) &&
               strcmp(p->workspace, "/tmp") != 0;
}

/* Whether the command could write path if nothing protected it: beneath a
 * writable root, or in the host's /tmp when it shares it. */
static bool writable_inside(const policy *p, const char *path) {
        return below_any(path, &p->writable_roots) ||
               (p->tmp == TMP_HOST && p->mode == MODE_WORKSPACE_WRITE && path_is_below_or_equal(path, "/tmp"));
}

static int add_placeholder(plan *pl, const char *path, const char *name, bool missing, bool held,
                           const char *file) {
        for (size_t i = 0; i < pl->n_placeholders; i++)
                if (strcmp(pl->placeholders[i].path, path) == 0)
                        return 0;
        placeholder *n = realloc(pl->placeholders, (pl->n_placeholders + 1) * sizeof(placeholder));
        if (!n)
                return -ENOMEM;
        pl->placeholders = n;
        placeholder *ph = &pl->placeholders[pl->n_placeholders];
        ph->path = strdup(path);
        ph->name = strdup(name);
        ph->missing = missing;
        ph->held = held;
        ph->file = file;
        if (!ph->path || !ph->name)
                return -ENOMEM;
        pl->n_placeholders++;
        return 0;
}

/* Clone the tree at path, make it read-only and attach it over itself, at
 * this point of the plan (for what lies outside the writable roots). */
static int protect_now(plan *pl, const char *path, const char *why) {
        int slot = plan_new_slot(pl);
        const char *p = plan_str(pl, path);
        mount_op *op = plan_op(pl, MOP_CLONE, why);
        if (!p || !op)
                return -ENOMEM;
        op->slot = slot, op->path = p, op->recursive = true;
        if (!(op = plan_op(pl, MOP_SETATTR, why)))
                return -ENOMEM;
        op->slot = slot, op->attr = ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV, op->recursive = true;
        if (!(op = plan_op(pl, MOP_ATTACH, why)))
                return -ENOMEM;
        op->slot = slot, op->path = p;
        return 0;
}

/* Adds path to the protected set (plan/protect.c), which is mounted, with
 * its ancestors pinned, in step 6. */
static int protect_path(plan *pl, const char *path, bool nofollow, const char *why) {
        return plan_protect(pl, path, nofollow, why, NULL);
}

/* Protects an extra path (a gitdir, a symlink's target) when a writable root
 * contains it; outside the writable roots it is read-only already. One that
 * does not exist there is refused: the command could create it (a gitdir
 * with hooks, the config a link leads to), unless a protected object holds
 * it (read-only: nothing can be created there). */
static int protect_extra(plan *pl, const policy *p, const char *path, bool repo, const char *why, const char *from,
                         corral_error *err) {
        struct stat st;
        if (!path || !writable_inside(p, path))
                return 0;
        if (lstat(path, &st) < 0) {
                if (errno != ENOENT && errno != ENOTDIR)
                        return error_set(err, -errno, "cannot inspect %s (named by %s): %s", path, from,
                                         strerror(errno));
                if (plan_inside_protected(pl, path))
                        return 0;
                return error_set(err, -ENOENT,
                                 "%s names %s, which does not exist in a writable root: the command could create "
                                 "it and put there what is read from it later, outside the sandbox. Create it, "
                                 "or remove %s; nothing was run",
                                 from, path, from);
        }
        /* --git commits: a repository is sorted entry by entry
         * (plan_git_commits) rather than read-only as a whole */
        if (repo && p->git == GIT_COMMITS && S_ISDIR(st.st_mode))
                return 0;
        /* Once (plan_protect ignores a path it has); the walk by descriptor
         * must meet the object lstat saw. */
        nested_id seen = {st.st_dev, st.st_ino};
        return plan_protect(pl, path, false, why, &seen) < 0 ? oom(err) : 0;
}

/* An existing protected name at path: read-only, and so is what it points
 * to when a writable root holds that (a symlink's target, a .git file's
 * gitdir and common dir). */
static int protect_existing(const policy *p, plan *pl, const char *path, const char *name, const struct stat *st,
                            const char *why, const nested_id *expect, corral_error *err) {
        nested_id seen = {st->st_dev, st->st_ino};
        if (!expect) /* the walk by descriptor must meet the object lstat saw */
                expect = &seen;
        if (S_ISLNK(st->st_mode)) {
                /* Protected as a link: it stays, and its target is never
                 * made writable through it. */
                _cleanup_free_ char *target = path_canonicalize(path);
                if (plan_protect(pl, path, true, why, expect) < 0)
                        return oom(err);
                return protect_extra(pl, p, target, strcasecmp(name, ".git") == 0,
                                     plan_strf(pl, "target of protected symlink %s", path),
                                     plan_strf(pl, "the protected symlink %s", path), err);
        }
        if (p->git == GIT_COMMITS && S_ISDIR(st->st_mode) && strcasecmp(name, ".git") == 0)
                return 0; /* sorted entry by entry: plan_git_commits */
        if (plan_protect(pl, path, false, why, expect) < 0)
                return oom(err);
        int r = 0;
        if (S_ISREG(st->st_mode) && strcmp(name, ".git") == 0) {
                _cleanup_free_ char *gitdir = gitfile_gitdir(path);
                _cleanup_free_ char *common = gitdir ? gitfile_commondir(gitdir) : NULL;
                r = protect_extra(pl, p, gitdir, true, plan_strf(pl, "gitdir named by %s", path), path, err);
                if (r >= 0)
                        r = protect_extra(pl, p, common, true, plan_strf(pl, "common dir of gitdir named by %s", path),
                                          plan_strf(pl, "the commondir file of %s", gitdir), err);
        }
        return r;
}

/* Protected names below the top level (plan/nested.h): the existing ones. */
static int plan_nested_names(const policy *p, plan *pl, corral_error *err) {
        nested_scan cache;
        nested_load(pl->state_dir, &pl->policy.nested, &cache);
        int r = nested_scan_cached(&pl->policy.nested, &cache, &pl->nested, err);
        nested_scan_free(&cache);
        if (r < 0)
                return r;
        for (size_t i = 0; i < pl->nested.found.n; i++) {
                const char *path = pl->nested.found.v[i], *name = strrchr(path, '/') + 1;
                struct stat st;
                /* The scan saw it a moment ago: gone now means that a
                 * directory above it moved meanwhile, and the object may be
                 * elsewhere, still existing (protect.c checks the rest). */
                if (lstat(path, &st) < 0)
                        return error_set(err, -ESTALE,
                                         "%s changed while corral planned the run: the scan for protected names "
                                         "found it, and it is gone now (another process moved it, or a directory "
                                         "above it); nothing was run",
                                         path);
                if ((r = protect_existing(p, pl, path, name, &st,
                                          plan_strf(pl, "protected name %s below the top of a writable root", name),
                                          &pl->nested.found_ids[i], err)) < 0)
                        return r;
        }
        if (p->protect_depth == 0)
                return 0;
        const char *note = plan_strf(pl,
                                     "protected names are looked for down to %u level%s below each writable root "
                                     "(%zu directories, %zu read, the rest unchanged since the last scan; %zu names found "
                                     "below the top); "
                                     "one the command creates within is reported after the run and protected from "
                                     "the next run on, one it creates deeper is neither",
                                     p->protect_depth, p->protect_depth == 1 ? "" : "s", pl->nested.n_dirs,
                                     pl->nested.n_read, pl->nested.found.n);
        return note && strv_push(&pl->notes, note) >= 0 ? 0 : oom(err);
}

/* An entry at the top of a gitdir that stays read-only under --git
 * commits, existing (itself; a symlink as a link) or missing (held). */
static int protect_gitdir_entry(const policy *p, plan *pl, const char *path, const gitdir_entry *e,
                                corral_error *err) {
        const char *why = plan_strf(pl, "git (--git commits): %s",
                                    e ? e->why : "not known to corral as git's own state, so kept as it is");
        if (!why)
                return oom(err);
        for (size_t w = 0; w < p->writable_roots.n; w++)
                if (path_is_below_or_equal(p->writable_roots.v[w], path))
                        return error_set(err, -EINVAL,
                                         "%s is the writable root %s or holds it, and git reads it (%s): it would "
                                         "stay writable; refusing to run",
                                         path, p->writable_roots.v[w], why);
        const char *file = !e                          ? NULL
                           : e->hold == HOLD_FILE      ? GITDIR_HOLD_FILE_TEXT
                           : e->hold == HOLD_COMMONDIR ? GITDIR_HOLD_COMMONDIR_TEXT
                                                       : NULL;
        bool held = below_any(path, &p->held_roots), holdable = e && e->hold != HOLD_NONE;
        struct stat st;
        if (lstat(path, &st) == 0) {
                /* Existing, it may be another run's placeholder: held like
                 * one, so that the other run, leaving first, does not take
                 * it away (apply/host.h). */
                nested_id seen = {st.st_dev, st.st_ino};
                return (holdable && add_placeholder(pl, path, e->name, false, held, file) < 0) ||
                                       plan_protect(pl, path, S_ISLNK(st.st_mode), why, &seen) < 0
                               ? oom(err)
                               : 0;
        }
        if (errno != ENOENT)
                return error_set(err, -errno, "cannot inspect %s: %s", path, strerror(errno));
        if (!holdable)
                return 0;
        return add_placeholder(pl, path, e->name, true, held, file) < 0 || protect_path(pl, path, false, why) < 0
                       ? oom(err)
                       : 0;
}

/* --git commits (plan/gitdir.h, docs/design.md "Git in commits mode"):
 * in every gitdir and common dir of the repositories protected here that a
 * writable root holds, git's own state stays writable and every other entry
 * is protected; what would configure git or run something is held when
 * missing. Each gitdir is then pinned by the protected entries in it (it
 * cannot be renamed or replaced), and recorded for the check after the run. */
static int plan_git_commits(const policy *p, plan *pl, const strv *repos, corral_error *err) {
        clock_gettime(CLOCK_REALTIME, &pl->planned_at);
        for (size_t i = 0; i < repos->n; i++) {
                const char *repo = repos->v[i];
                if (!writable_inside(p, repo) || plan_inside_protected(pl, repo))
                        continue;
                DIR *d = opendir(repo);
                if (!d)
                        return error_set(err, -errno, "cannot read the gitdir %s: %s", repo, strerror(errno));
                if (strv_push(&pl->git_repos, repo) < 0) {
                        closedir(d);
                        return oom(err);
                }
                struct dirent *de;
                int r = 0;
                while (r >= 0 && (de = readdir(d))) {
                        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                continue;
                        const gitdir_entry *e = gitdir_classify(de->d_name);
                        if (e && e->rule != GITDIR_PROTECTED)
                                continue;
                        _cleanup_free_ char *path = path_join(repo, de->d_name);
                        r = path ? protect_gitdir_entry(p, pl, path, e, err) : oom(err);
                }
                closedir(d);
                for (size_t k = 0; r >= 0 && k < gitdir_n_entries; k++) {
                        const gitdir_entry *e = &gitdir_entries[k];
                        if (e->rule != GITDIR_PROTECTED || e->hold == HOLD_NONE)
                                continue;
                        _cleanup_free_ char *path = path_join(repo, e->name);
                        r = path ? protect_gitdir_entry(p, pl, path, e, err) : oom(err);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* --git commits on userns (docs/design.md, "The gitdirs are overlays"):
 * each gitdir of git_repos that no other one holds is an overlay in the
 * sandbox, the real gitdir its read-only lower layer and an upper of this
 * run's own (in the state directory, hidden from every sandbox) taking
 * every write, so that nothing the command does reaches the developer's git
 * while the run lasts. The overlay is made while the view is still the
 * host's (before everything becomes read-only: overlayfs needs a writable
 * upper), and attached on the gitdir before the protected entries are
 * mounted on top of it (plan_protect_emit), which hold inside as before.
 * The users backend keeps the gitdir itself writable (its sandbox user
 * cannot own an upper the developer imports from): supervise/gitcheck.h. */
static int plan_git_overlays(const policy *p, plan *pl, corral_error *err) {
        if (pl->backend != BACKEND_USERNS || p->git != GIT_COMMITS || !pl->git_repos.n)
                return 0;
        const char *off = getenv("CORRAL_TEST_GIT_NO_OVERLAY");
        if (off && *off) /* the tests' control: the window without the overlays */
                return strv_push(&pl->notes, "git (--git commits): the gitdirs are written in place (test switch "
                                             "CORRAL_TEST_GIT_NO_OVERLAY): git outside sees the command's writes "
                                             "while the run lasts") < 0
                               ? oom(err)
                               : 0;
        unsigned char rnd[8];
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
                return error_set(err, -EIO, "cannot name this run's git layers: getrandom failed");
        for (size_t i = 0; i < sizeof(rnd); i++)
                snprintf(pl->git_run_id + 2 * i, 3, "%02x", rnd[i]);
        if (asprintf(&pl->git_run_dir, "%s/gitruns/%s.d", pl->state_dir, pl->git_run_id) < 0) {
                pl->git_run_dir = NULL;
                return oom(err);
        }
        for (size_t i = 0; i < pl->git_repos.n; i++) {
                const char *repo = pl->git_repos.v[i];
                bool inside = false;
                for (size_t j = 0; j < pl->git_repos.n && !inside; j++)
                        inside = j != i && path_is_below_or_equal(repo, pl->git_repos.v[j]) &&
                                 (strcmp(repo, pl->git_repos.v[j]) != 0 || j < i);
                if (inside)
                        continue;
                struct stat st;
                if (lstat(repo, &st) < 0 || !S_ISDIR(st.st_mode))
                        return error_set(err, -ESTALE,
                                         "the gitdir %s changed while corral planned the run; nothing was run", repo);
                size_t k = pl->git_overlays.n;
                const char *why = plan_strf(pl, "git (--git commits): %s is an overlay, its writes kept for the "
                                                "import after the run", repo);
                const char *layers = plan_strf(pl, "%s/%zu", pl->git_run_dir, k);
                if (!why || !layers || strv_push(&pl->git_overlays, repo) < 0)
                        return oom(err);
                int slot = plan_new_slot(pl);
                /* before the MOP_READONLY_ALL of / (ops[ro_view_at - 1]) */
                mount_op *op = plan_op_at(pl, pl->ro_view_at - 1, MOP_OVERLAY, why);
                if (!op)
                        return oom(err);
                pl->ro_view_at++;
                op->slot = slot, op->path = plan_str(pl, repo), op->cache_dir = layers;
                if (!op->path || !(op = plan_op(pl, MOP_ATTACH, why)))
                        return oom(err);
                op->slot = slot, op->path = pl->git_overlays.v[k];
                op->verify = true, op->dev = st.st_dev, op->ino = st.st_ino;
        }
        return 0;
}

/* For corral-runner (a root in policy.held_roots): the developer's corral
 * planned the same layout before it made its placeholders, so where the
 * first missing component of a path git uses was a directory (conf.d of
 * conf.d/other.inc) that directory is now its placeholder, empty, and the
 * first missing component seen here is one level deeper, which nobody
 * holds. Returns that parent, to protect as the existing placeholder it is,
 * when it is an empty directory below the top of a held root (else NULL:
 * the held placeholder at path is checked, and its absence refuses the
 * run). Protecting it covers path whoever made it: never less protection. */
static char *held_placeholder_above(const policy *p, const char *path, struct stat *st) {
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *parent = slash && slash != path ? strndup(path, (size_t)(slash - path)) : NULL;
        if (!parent || !below_any(parent, &p->held_roots) || strv_contains(&p->held_roots, parent) ||
            strv_contains(&p->writable_roots, parent))
                return NULL;
        return gitlayout_empty_dir(parent, st) ? TAKE_PTR(parent) : NULL;
}

/* Git's layout (plan/gitlayout.h): every place git reads configuration
 * from or runs hooks from, for every repository protected here, is
 * protected when a writable root holds it: existing ones read-only, a
 * missing one held by a placeholder at its first missing component, each
 * symlink on the way as a link. */
static int plan_git_layout(const policy *p, plan *pl, const char *const *env, corral_error *err) {
        gitlayout g = {0}; /* freed below also when the repositories could not be listed */
        const char *const *genv = p->git_env.n ? (const char *const *)p->git_env.v : env;
        strv repos = {0}; /* the nested .git and the submodules' */
        int r = strv_extend(&repos, &pl->nested.found) < 0 || strv_extend(&repos, &pl->gitlink_repos) < 0
                        ? oom(err)
                        : gitlayout_policy(&g, p, p->writable_roots.n, &repos, genv, err);
        strv_clear(&repos);
        if (r >= 0 && strv_extend(&pl->git_global_hooks, &g.global_hooks) < 0)
                r = oom(err);
        for (size_t i = 0; r >= 0 && i < g.n; i++) {
                const git_surface *s = &g.v[i];
                struct stat rst;
                if (!writable_inside(p, s->path))
                        continue;
                /* for corral-runner, under --backend users (policy.git_known) */
                if (strv_push_unique(&pl->git_known, s->path) < 0) {
                        r = oom(err);
                        break;
                }
                if (plan_is_protected(pl, s->path) || plan_inside_protected(pl, s->path))
                        continue;
                /* a gitdir that was read is sorted entry by entry
                 * (plan_git_commits); one that was not (an empty .git, no
                 * repository yet) stays read-only as a whole, or git init
                 * would write its config and hooks there */
                if (s->repo && p->git == GIT_COMMITS && lstat(s->path, &rst) == 0 && S_ISDIR(rst.st_mode) &&
                    strv_contains(&g.repos, s->path))
                        continue;
                for (size_t w = 0; w < p->writable_roots.n; w++)
                        if (path_is_below_or_equal(p->writable_roots.v[w], s->path)) {
                                r = error_set(err, -EINVAL,
                                              "%s is the writable root %s or holds it, and git uses it (%s): "
                                              "everything in it would stay writable; refusing to run%s",
                                              s->path, p->writable_roots.v[w], s->why,
                                              s->repo ? " (with --git commits, git may write its state there "
                                                        "while its config and hooks stay read-only)"
                                                      : "");
                                break;
                        }
                if (r < 0)
                        break;
                const char *why = plan_strf(pl, "git: %s", s->why);
                struct stat st;
                char *above = NULL;
                bool exists = lstat(s->path, &st) == 0;
                nested_id seen = {exists ? st.st_dev : 0, exists ? st.st_ino : 0};
                if (!why)
                        r = oom(err);
                else if (s->link || (exists && S_ISLNK(st.st_mode)))
                        r = exists && plan_protect(pl, s->path, true, why, &seen) < 0 ? oom(err) : 0;
                else if (exists)
                        r = plan_protect(pl, s->path, false, why, &seen) < 0 ? oom(err) : 0;
                else if ((above = held_placeholder_above(p, s->path, &st)) != NULL) {
                        seen = (nested_id){st.st_dev, st.st_ino};
                        r = plan_is_protected(pl, above) || plan_protect(pl, above, false, why, &seen) >= 0 ? 0
                                                                                                          : oom(err);
                        free(above);
                } else
                        r = add_placeholder(pl, s->path, strrchr(s->path, '/') + 1, true,
                                            below_any(s->path, &p->held_roots),
                                            s->file ? GITDIR_HOLD_FILE_TEXT : NULL) < 0 ||
                                            protect_path(pl, s->path, false, why) < 0
                                    ? oom(err)
                                    : 0;
        }
        if (r >= 0 && p->git == GIT_COMMITS)
                r = plan_git_commits(p, pl, &g.repos, err);
        if (r >= 0 && g.n_files) {
                const char *note = plan_strf(pl, "git's layout: %u files read (.git files, commondir, config and "
                                                 "included files) for the repositories protected here",
                                             g.n_files);
                if (!note || strv_push(&pl->notes, note) < 0)
                        r = oom(err);
        }
        gitlayout_free(&g);
        return r;
}

/* One gitlink, path (absolute) in a writable root: its .git protected like
 * a nested one, whatever its depth; an unpopulated one (an empty directory,
 * no .git) read-only as a whole, a missing one held at its first missing
 * component, so that no repository can be made there. A symlink or a file
 * on the way: git does not look beyond it. */
static int protect_gitlink(const policy *p, plan *pl, const char *worktree, const char *path, corral_error *err) {
        if (plan_inside_protected(pl, path))
                return 0;
        const char *why = plan_strf(pl, "a submodule the index of %s names: git status runs git in it", worktree);
        if (!why)
                return oom(err);
        _cleanup_free_ char *cur = strdup(worktree);
        if (!cur)
                return oom(err);
        const char *rest = path + strlen(worktree);
        struct stat st;
        while (*rest == '/') {
                const char *next = strchr(rest + 1, '/');
                size_t n = next ? (size_t)(next - rest) : strlen(rest);
                char *longer = strndup(path, (size_t)(rest - path) + n);
                if (!longer)
                        return oom(err);
                free(cur);
                cur = longer;
                rest += n;
                if (lstat(cur, &st) < 0) {
                        if (errno != ENOENT)
                                return error_set(err, -errno, "cannot inspect %s (%s): %s", cur, why, strerror(errno));
                        return add_placeholder(pl, cur, strrchr(cur, '/') + 1, true, below_any(cur, &p->held_roots),
                                               NULL) < 0 ||
                                               protect_path(pl, cur, false, why) < 0
                                       ? oom(err)
                                       : 0;
                }
                if (!S_ISDIR(st.st_mode))
                        return 0;
        }
        _cleanup_free_ char *dotgit = path_join(path, ".git");
        if (!dotgit)
                return oom(err);
        struct stat gst;
        if (lstat(dotgit, &gst) == 0) {
                if (strv_push_unique(&pl->gitlink_repos, dotgit) < 0)
                        return oom(err);
                return plan_is_protected(pl, dotgit) ? 0 : protect_existing(p, pl, dotgit, ".git", &gst, why, NULL, err);
        }
        for (size_t w = 0; w < p->writable_roots.n; w++)
                if (path_is_below_or_equal(p->writable_roots.v[w], path))
                        return 0; /* a writable root inside: its own .git is a protected name there */
        nested_id seen = {st.st_dev, st.st_ino};
        return plan_protect(pl, path, false, why, &seen) < 0 ? oom(err) : 0;
}

/* The gitlinks of the index of each repository protected here (the top of
 * each writable root and the nested ones), recorded for the check after the
 * run, and each protected (protect_gitlink). */
static int plan_gitlinks(const policy *p, plan *pl, corral_error *err) {
        if (!strv_contains(&p->protect, ".git"))
                return 0;
        strv dotgits = {0};
        int r = 0;
        for (size_t w = 0; w < p->writable_roots.n && r >= 0; w++) {
                _cleanup_free_ char *d = path_join(p->writable_roots.v[w], ".git");
                r = d ? strv_push(&dotgits, d) : -ENOMEM;
        }
        for (size_t i = 0; i < pl->nested.found.n && r >= 0; i++)
                if (strcasecmp(strrchr(pl->nested.found.v[i], '/') + 1, ".git") == 0)
                        r = strv_push(&dotgits, pl->nested.found.v[i]);
        if (r < 0) {
                strv_clear(&dotgits);
                return oom(err);
        }
        /* (gitlink_repos grows while this runs: its .git are read too, for
         * submodules of submodules) */
        for (size_t i = 0; r >= 0 && i < dotgits.n + pl->gitlink_repos.n; i++) {
                const char *dotgit = i < dotgits.n ? dotgits.v[i] : pl->gitlink_repos.v[i - dotgits.n];
                struct stat st;
                if (lstat(dotgit, &st) < 0 || !writable_inside(p, dotgit))
                        continue;
                _cleanup_free_ char *worktree = strndup(dotgit, (size_t)(strrchr(dotgit, '/') - dotgit));
                _cleanup_free_ char *gitdir = S_ISDIR(st.st_mode) ? strdup(dotgit) : gitfile_gitdir(dotgit);
                if (!worktree || (!gitdir && S_ISDIR(st.st_mode))) {
                        r = oom(err);
                        break;
                }
                if (!gitdir)
                        continue;
                _cleanup_free_ char *index = path_join(gitdir, "index");
                strv links = {0};
                if (!index) {
                        r = oom(err);
                        break;
                }
                int g = gitindex_gitlinks(index, &links);
                if (g < 0) {
                        strv_clear(&links);
                        r = error_set(err, g,
                                      "cannot read the gitlinks (submodules) of %s, which git status would enter: "
                                      "%s; refusing to run (git reset rebuilds an index)",
                                      index, g == -EINVAL ? "not an index corral can read" : strerror(-g));
                        break;
                }
                if (strv_push(&pl->gitlink_worktrees, worktree) < 0 || strv_push(&pl->gitlink_indexes, index) < 0)
                        r = oom(err);
                for (size_t k = 0; r >= 0 && k < links.n; k++) {
                        _cleanup_free_ char *path = path_join(worktree, links.v[k]);
                        if (!path || strv_push_unique(&pl->gitlinks, path) < 0)
                                r = oom(err);
                        else if (!strstr(links.v[k], "/../") && strncmp(links.v[k], "../", 3) != 0 &&
                                 writable_inside(p, path))
                                r = protect_gitlink(p, pl, worktree, path, err);
                }
                strv_clear(&links);
        }
        strv_clear(&dotgits);
        return r;
}

/* A .git file, or a .git directory with a HEAD: the root is a repository
 * (an empty directory is another run's placeholder). */
static bool root_is_repository(const char *root) {
        _cleanup_free_ char *dotgit = path_join(root, ".git"), *head = path_join(root, ".git/HEAD");
        struct stat st;
        return dotgit && head && lstat(dotgit, &st) == 0 && (S_ISREG(st.st_mode) || lstat(head, &st) == 0);
}

/* mise's configs named with a directory: their trust is their directory's
 * parent's, the same as mise.toml's beside that directory (mise's
 * config_root), so they are held where mise is in use, as its names are.
 * Each directory, when missing, is held whole. */
static const char *const mise_dir_configs[][2] = {
        {".config", "mise.toml"}, {".config", "mise.local.toml"}, {".config", "mise"},
        {"mise", "config.toml"},  {"mise", "config.local.toml"},
};

/* The families (policy_name_family) of which a protected name exists at the
 * top of root: for mise, one of its configs named with a directory, too. */
static unsigned families_at(const policy *p, const char *root) {
        unsigned present = 0, protected = 0;
        for (size_t i = 0; i < p->protect.n; i++) {
                struct stat st;
                unsigned family = policy_name_family(p->protect.v[i]);
                _cleanup_free_ char *path = NULL;
                protected |= family;
                if (family && !(present & family) && (path = path_join(root, p->protect.v[i]))) {
                        if (lstat(path, &st) == 0)
                                present |= family;
                        else if (errno == ENOENT) /* plan_protected_names looks at each name again */
                                path_canon_memo_note(path, false);
                }
        }
        for (size_t i = 0; (protected & ~present & FAMILY_MISE) && i < ELEMENTSOF(mise_dir_configs); i++) {
                struct stat st;
                _cleanup_free_ char *dir = path_join(root, mise_dir_configs[i][0]);
                _cleanup_free_ char *path = dir ? path_join(dir, mise_dir_configs[i][1]) : NULL;
                if (path && lstat(path, &st) == 0)
                        present |= FAMILY_MISE;
                else if (path && errno == ENOENT)
                        path_canon_memo_note(path, false);
        }
        return present & protected;
}

/* A protected name at path (name: its last part): held by a placeholder for
 * the run when it is missing (st NULL), read-only as it is when it exists. */
static int hold(const policy *p, plan *pl, const char *path, const char *name, const struct stat *st, bool held,
                const char *why, corral_error *err) {
        if (add_placeholder(pl, path, name, !st, held, NULL) < 0)
                return oom(err);
        if (!st)
                return protect_path(pl, path, false, why) < 0 ? oom(err) : 0;
        return protect_existing(p, pl, path, name, st, why, NULL, err);
}

/* lstat, with ENOENT as *st NULL and any other failure as an error. */
static int inspect(const char *path, struct stat *buf, const struct stat **st, corral_error *err) {
        *st = NULL;
        if (path_canon_memo_known_missing(path)) /* found missing a moment ago in this planning (families_at) */
                return 0;
        *st = buf;
        if (lstat(path, buf) == 0)
                return 0;
        *st = NULL;
        if (errno == ENOENT) /* for protect.c's walk, which would look again */
                path_canon_memo_note(path, false);
        return errno == ENOENT ? 0 : error_set(err, -errno, "cannot inspect protected path %s: %s", path, strerror(errno));
}

/* Where mise is in use at the top of root: its configs named with a
 * directory read-only when they exist, held when missing (their directory
 * is pinned, so it cannot be renamed away and made anew), and their
 * directory held whole when it is missing (or as it is, when it is no
 * directory: a link, a file). */
static int protect_mise_dirs(const policy *p, plan *pl, const char *root, bool held, corral_error *err) {
        for (size_t i = 0; i < ELEMENTSOF(mise_dir_configs); i++) {
                const char *dir = mise_dir_configs[i][0], *name = mise_dir_configs[i][1];
                _cleanup_free_ char *dpath = path_join(root, dir);
                _cleanup_free_ char *path = dpath ? path_join(dpath, name) : NULL;
                const char *why = plan_strf(pl, "mise's config %s/%s in writable root %s (mise is in use there)",
                                            dir, name, root);
                struct stat dbuf, buf;
                const struct stat *dst, *st;
                if (!dpath || !path || !why)
                        return oom(err);
                int r = inspect(dpath, &dbuf, &dst, err);
                if (r >= 0 && dst && S_ISDIR(dst->st_mode)) {
                        /* In a root whose placeholders the developer's corral
                         * holds (users backend), that corral held a missing
                         * directory whole: what it holds is read-only whole */
                        if ((r = inspect(path, &buf, &st, err)) >= 0)
                                r = st || !held ? hold(p, pl, path, name, st, held, why, err)
                                                : hold(p, pl, dpath, dir, dst, held, why, err);
                } else if (r >= 0)
                        r = hold(p, pl, dpath, dir, dst, held, why, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int plan_protected_names(const policy *p, plan *pl, const char *const *env, corral_error *err) {
        for (size_t w = 0; w < p->writable_roots.n; w++) {
                const char *root = p->writable_roots.v[w];
                bool held = strv_contains(&p->held_roots, root);
                int repo = -1; /* looked at once a root, and only if a name may depend on it */
                unsigned families = families_at(p, root); /* which tools are in use there */
                int r = families & FAMILY_MISE ? protect_mise_dirs(p, pl, root, held, err) : 0;
                for (size_t i = 0; r >= 0 && i < p->protect.n; i++) {
                        const char *name = p->protect.v[i];
                        _cleanup_free_ char *path = path_join(root, name);
                        const char *why = plan_strf(pl, "protected name %s in writable root %s", name, root);
                        struct stat buf;
                        const struct stat *st;
                        if (!path || !why)
                                return oom(err);
                        if ((r = inspect(path, &buf, &st, err)) < 0)
                                break;
                        /* Missing: a placeholder directory holds the place,
                         * so `mkdir`, `git init` fail. */
                        if (!st && repo < 0 && !policy_holds_missing_at_top(name, true, ~0u))
                                repo = root_is_repository(root);
                        if (st || policy_holds_missing_at_top(name, repo > 0, families))
                                r = hold(p, pl, path, name, st, held, why, err);
                }
                if (r < 0)
                        return r;
        }
        int r = plan_nested_names(p, pl, err);
        if (r >= 0)
                r = plan_gitlinks(p, pl, err);
        return r < 0 ? r : plan_git_layout(p, pl, env, err);
}

/* /dev: a small read-only tmpfs with the harmless nodes bound from the host,
 * a private devpts and a private /dev/shm. */
static int plan_dev(const policy *p, plan *pl, const int *node_slots) {
        int dev = plan_new_slot(pl);
        mount_op *op = plan_op(pl, MOP_TMPFS, "minimal /dev");
        if (!op)
                return -ENOMEM;
        op->slot = dev, op->size = (uint64_t)1024 * 1024, op->mode = 0755;
        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                if (!(op = plan_op(pl, MOP_MKFILE, NULL)))
                        return -ENOMEM;
                op->slot = dev, op->sub = dev_nodes[i], op->mode = 0666;
        }
        const char *dirs[] = {"pts", "shm"};
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                if (!(op = plan_op(pl, MOP_MKDIR, NULL)))
                        return -ENOMEM;
                op->slot = dev, op->sub = dirs[i], op->mode = 0755;
        }
        const char *links[][2] = {{"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"},
                                  {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
                                  {"ptmx", "pts/ptmx"}};
        for (size_t i = 0; i < ELEMENTSOF(links); i++) {
                if (!(op = plan_op(pl, MOP_SYMLINK, NULL)))
                        return -ENOMEM;
                op->slot = dev, op->sub = links[i][0], op->target = links[i][1];
        }
        if (!(op = plan_op(pl, MOP_ATTACH, "minimal /dev")))
                return -ENOMEM;
        op->slot = dev, op->path = "/dev";
        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                if (!(op = plan_op(pl, MOP_ATTACH, "host device node")))
                        return -ENOMEM;
                op->slot = node_slots[i], op->path = plan_strf(pl, "/dev/%s", dev_nodes[i]);
        }
        if (!(op = plan_op(pl, MOP_DEVPTS, "private pseudo-terminals")))
                return -ENOMEM;
        op->path = "/dev/pts";
        int shm = plan_new_slot(pl);
        if (!(op = plan_op(pl, MOP_TMPFS, "private /dev/shm")))
                return -ENOMEM;
        op->slot = shm, op->mode = 01777;
        op->size = pl->limits.tmp_size ? pl->limits.tmp_size : DEFAULT_TMP_SIZE, op->inodes = pl->limits.tmp_inodes;
        if (!(op = plan_op(pl, MOP_SETATTR, NULL)))
                return -ENOMEM;
        op->slot = shm, op->attr = ATTR_NOSUID | ATTR_NODEV;
        if (!(op = plan_op(pl, MOP_ATTACH, "private /dev/shm")))
                return -ENOMEM;
        op->slot = shm, op->path = "/dev/shm";
        if (!(op = plan_op(pl, MOP_SETATTR, "/dev is read-only")))
                return -ENOMEM;
        op->slot = dev, op->attr = ATTR_RDONLY | ATTR_NOSUID | ATTR_NOEXEC;
        (void)p;
        return 0;
}

/* Hides deny-read paths behind an empty, mode-0 directory or file, and
 * carves allow-read paths back out. */
/* Whether the socket is one --allow-unix-socket names: by identity, so that
 * any path to it counts. */
static bool socket_allowed(const policy *p, const host_socket *s) {
        for (size_t i = 0; i < p->allow_unix_sockets.n; i++)
                if (strcmp(p->allow_unix_sockets.v[i], s->path) == 0 || host_socket_is(s, p->allow_unix_sockets.v[i]))
                        return true;
        return false;
}

static int plan_masks(const policy *p, plan *pl, const host_sockets *sockets, corral_error *err) {
        mount_op *op;
        int mask = plan_new_slot(pl);
        if (!(op = plan_op(pl, MOP_TMPFS, "empty objects that hide denied paths")))
                return oom(err);
        op->slot = mask, op->size = 4096, op->mode = 0755;
        if (!(op = plan_op(pl, MOP_MKDIR, NULL)))
                return oom(err);
        op->slot = mask, op->sub = "d", op->mode = 0;
        if (!(op = plan_op(pl, MOP_MKFILE, NULL)))
                return oom(err);
        op->slot = mask, op->sub = "f", op->mode = 0;
        if (!(op = plan_op(pl, MOP_SETATTR, NULL)))
                return oom(err);
        op->slot = mask, op->attr = ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV | ATTR_NOEXEC;

        /* Capture the allowed paths before anything above them is hidden. */
        int *allow_slots = calloc(p->allow_read.n + 1, sizeof(int));
        if (!allow_slots)
                return oom(err);
        for (size_t a = 0; a < p->allow_read.n; a++) {
                allow_slots[a] = -1;
                struct stat st;
                if (!below_any(p->allow_read.v[a], &p->deny_read) || !visible_inside(p, p->allow_read.v[a]) ||
                    lstat(p->allow_read.v[a], &st) < 0)
                        continue;
                allow_slots[a] = plan_new_slot(pl);
                if (!(op = plan_op(pl, MOP_CLONE, "allow-read carve-out"))) {
                        free(allow_slots);
                        return oom(err);
                }
                op->slot = allow_slots[a], op->path = p->allow_read.v[a], op->recursive = true;
        }

        int r = 0;
        for (size_t d = 0; d < p->deny_read.n && r >= 0; d++) {
                const char *deny = p->deny_read.v[d];
                struct stat st;
                /* missing when the policy canonicalized it (it or a directory
                 * above it), a moment ago in this planning: no mask, as when
                 * lstat says so (common/path.h) */
                if (strv_contains(&p->allow_read, deny) || !visible_inside(p, deny) ||
                    path_canon_memo_known_missing(deny) || lstat(deny, &st) < 0)
                        continue;
                /* beneath a private cache: the developer's file is not there
                 * inside (`--cache cargo=private` with ~/.cargo/credentials.toml) */
                if (plan_caches_hides(pl, deny)) {
                        const char *why = plan_strf(pl, "deny-read %s: not masked, it lies beneath a private cache "
                                                        "and is not there inside (the developer's cache is hidden)",
                                                    deny);
                        if (!why || strv_push(&pl->notes, why) < 0)
                                goto nomem;
                        continue;
                }
                for (size_t w = 0; w < p->writable_roots.n; w++)
                        if (path_is_below_or_equal(p->writable_roots.v[w], deny)) {
                                r = error_set(err, -EINVAL,
                                              "deny-read path %s would hide the writable root %s; "
                                              "remove it from the deny list or add --allow-read for the root",
                                              deny, p->writable_roots.v[w]);
                                goto out;
                        }
                bool carve = false;
                for (size_t a = 0; a < p->allow_read.n; a++)
                        carve |= allow_slots[a] >= 0 && path_is_below_or_equal(p->allow_read.v[a], deny);
                /* what the reports of hidden reads judge by (supervise/denials.c) */
                if (strv_push(&pl->hidden, deny) < 0)
                        goto nomem;
                for (size_t a = 0; a < p->allow_read.n; a++)
                        if (path_is_below_or_equal(p->allow_read.v[a], deny) && strcmp(p->allow_read.v[a], deny) != 0 &&
                            strv_push_unique(allow_slots[a] >= 0 ? &pl->unhidden : &pl->unreachable,
                                             p->allow_read.v[a]) < 0)
                                goto nomem;
                const char *why = plan_strf(pl, "deny-read %s", deny);
                if (!carve) {
                        if (!(op = plan_op(pl, MOP_ATTACH, why)))
                                goto nomem;
                        op->slot = mask, op->sub = S_ISDIR(st.st_mode) ? "d" : "f", op->path = deny;
                        continue;
                }
                /* A private skeleton holding only the allowed paths. */
                int sk = plan_new_slot(pl);
                if (!(op = plan_op(pl, MOP_TMPFS, why)))
                        goto nomem;
                op->slot = sk, op->size = 65536, op->mode = 0711;
                for (size_t a = 0; a < p->allow_read.n; a++) {
                        const char *allow = p->allow_read.v[a];
                        if (allow_slots[a] < 0 || !path_is_below_or_equal(allow, deny) || strcmp(allow, deny) == 0)
                                continue;
                        const char *rel = allow + strlen(deny) + 1;
                        for (const char *s = strchr(rel, '/'); s; s = strchr(s + 1, '/')) {
                                if (!(op = plan_op(pl, MOP_MKDIR, NULL)))
                                        goto nomem;
                                op->slot = sk, op->sub = plan_strf(pl, "%.*s", (int)(s - rel), rel), op->mode = 0711;
                        }
                        struct stat ast;
                        if (lstat(allow, &ast) < 0)
                                continue;
                        if (!(op = plan_op(pl, S_ISDIR(ast.st_mode) ? MOP_MKDIR : MOP_MKFILE, NULL)))
                                goto nomem;
                        op->slot = sk, op->sub = plan_str(pl, rel), op->mode = 0700;
                }
                if (!(op = plan_op(pl, MOP_ATTACH, why)))
                        goto nomem;
                op->slot = sk, op->path = deny;
                for (size_t a = 0; a < p->allow_read.n; a++) {
                        if (allow_slots[a] < 0 || !path_is_below_or_equal(p->allow_read.v[a], deny))
                                continue;
                        if (!(op = plan_op(pl, MOP_ATTACH, plan_strf(pl, "allow-read %s", p->allow_read.v[a]))))
                                goto nomem;
                        op->slot = allow_slots[a], op->path = p->allow_read.v[a];
                }
                if (!(op = plan_op(pl, MOP_SETATTR, NULL)))
                        goto nomem;
                op->slot = sk, op->attr = ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV | ATTR_NOEXEC;
        }

        /* The placeholder bookkeeping of every writable root: read-only
         * would not do, since flock works on a read-only descriptor and a
         * command holding one could keep other runs waiting. Hidden. */
        if (visible_inside(p, pl->roots_dir)) {
                if (!(op = plan_op(pl, MOP_ATTACH, "corral's placeholder bookkeeping is hidden")))
                        goto nomem;
                op->slot = mask, op->sub = "d", op->path = pl->roots_dir, op->optional = true;
        }

        /* Every workspace's state (its /tmp, its private caches, their
         * locks) and caches.dir: hidden too, like the bookkeeping above. A
         * command could read another workspace's /tmp and private caches
         * there, and flock their locks (read-only descriptors do) to block
         * that workspace's runs and clears. What this run needs of it (its
         * /tmp, its overlays' layers) was opened before this point. */
        const char *ws_all = plan_strf(pl, "%.*s/workspaces", (int)(strstr(pl->state_dir, "/workspaces/") - pl->state_dir),
                                       pl->state_dir);
        if (!ws_all)
                goto nomem;
        if (visible_inside(p, ws_all)) {
                if (!(op = plan_op(pl, MOP_ATTACH, "every workspace's corral state is hidden")))
                        goto nomem;
                op->slot = mask, op->sub = "d", op->path = ws_all, op->optional = true;
        }
        if (p->caches_dir && visible_inside(p, p->caches_dir) && !path_is_below_or_equal(p->caches_dir, ws_all)) {
                if (!(op = plan_op(pl, MOP_ATTACH, "caches.dir, every workspace's private caches, is hidden")))
                        goto nomem;
                op->slot = mask, op->sub = "d", op->path = p->caches_dir, op->optional = true;
        }

        /* Host sockets: a read-only mount does not stop connect(), so each
         * listening socket the host made is covered by an empty file, at the
         * canonical path where its file was found by device and inode. */
        size_t n_masks = 0, n_crowd = 0;
        for (size_t s = 0; s < sockets->n; s++) {
                const host_socket *hsock = &sockets->v[s];
                const char *sock = hsock->path;
                if (!sock || socket_allowed(p, hsock) || !visible_inside(p, sock))
                        continue;
                /* connect() needs write permission on the socket and search
                 * on its directories: one the caller cannot connect to needs
                 * no mask. */
                if (faccessat(AT_FDCWD, sock, W_OK, AT_EACCESS) < 0 && errno == EACCES)
                        continue;
                /* Past MAX_SOCKET_MASKS, another user's sockets get none: a
                 * local user binding a hundred thousand would otherwise make
                 * every run slow, then fail (the mount limit). The caller's
                 * own and root's are always masked. */
                if (n_masks >= MAX_SOCKET_MASKS && hsock->uid != (int64_t)getuid() && hsock->uid != 0) {
                        n_crowd++;
                        continue;
                }
                if (below_any(sock, &p->deny_read) && !below_any(sock, &p->allow_read))
                        continue; /* hidden already */
                bool dup = false;
                for (size_t t = 0; t < s; t++)
                        dup |= sockets->v[t].path && strcmp(sockets->v[t].path, sock) == 0;
                if (dup)
                        continue;
                if (!(op = plan_op(pl, MOP_ATTACH, plan_strf(pl, "host unix socket %s", sock))))
                        goto nomem;
                /* Optional: a root caller sees sockets in other users' private
                 * directories, which stay closed inside its user namespace; and
                 * a socket whose path another user changes before the mount
                 * (a component swapped for a symlink) is that user's to expose,
                 * never a reason to fail the run. */
                op->slot = mask, op->sub = "f", op->path = plan_str(pl, sock), op->optional = true;
                n_masks++;
        }
        if (n_crowd > 0) {
                const char *note = plan_strf(pl,
                                             "%zu host unix sockets of other users are not masked: more than %d "
                                             "sockets were (yours and root's always are)",
                                             n_crowd, MAX_SOCKET_MASKS);
                if (!note || strv_push(&pl->notes, note) < 0)
                        goto nomem;
        }
        if (sockets->n_unlocated > 0) {
                _cleanup_free_ char *names = NULL;
                size_t shown = 0;
                for (size_t s = 0; s < sockets->n && shown < 8; s++) {
                        if (sockets->v[s].path)
                                continue;
                        char *n = NULL;
                        if (asprintf(&n, "%s%s%s (inode %u, uid %lld)", names ? names : "", names ? ", " : "",
                                     sockets->v[s].name, sockets->v[s].sk_ino, (long long)sockets->v[s].uid) < 0)
                                goto nomem;
                        free(names);
                        names = n;
                        shown++;
                }
                const char *note = plan_strf(pl,
                                             "%zu host unix socket%s whose file could not be found (bound by a relative "
                                             "name or through /proc by a process this user cannot read, or moved since) "
                                             "%s not masked: %s",
                                             sockets->n_unlocated, sockets->n_unlocated == 1 ? "" : "s",
                                             sockets->n_unlocated == 1 ? "is" : "are", names ? names : "");
                if (!note || strv_push(&pl->notes, note) < 0)
                        goto nomem;
        }
out:
        free(allow_slots);
        return r;
nomem:
        free(allow_slots);
        return oom(err);
}

/* The host's sockets, then the masks of denied paths and sockets. The
 * holders found last time (plan/host_sockets.h) are kept in corral's state
 * directory, which no command can write (protected inside writable roots);
 * none for the users backend, whose runner plans as the sandbox user in that
 * user's own state directory. */
static int plan_sockets_and_masks(const policy *p, plan *pl, corral_error *err) {
        host_sockets sockets;
        _cleanup_free_ char *hints = NULL;
        if (pl->backend == BACKEND_USERNS && asprintf(&hints, "%s/socket-holders", pl->state_dir) < 0)
                return oom(err);
        int r = host_sockets_find(&sockets, hints);
        if (r < 0)
                return error_set(err, r, "cannot list the host's unix sockets (sock_diag, /proc/net/unix): %s",
                                 strerror(-r));
        host_sockets_save_hints(&sockets, hints);
        r = plan_masks(p, pl, &sockets, err);
        host_sockets_free(&sockets);
        return r;
}

static bool env_is_1(const char *const *env, const char *name) {
        size_t n = strlen(name);
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, n) == 0 && strcmp(env[i] + n, "=1") == 0)
                        return true;
        return false;
}

/* The sandbox's /proc. A new proc of its pid namespace, which shows its own
 * processes only. Where /proc is masked (a container) and the kernel refuses
 * a new one (proc_masks.h), the container's /proc, which the new mount
 * namespace already holds with the runtime's masks locked on it: made
 * read-only as a whole (nothing of the container's processes, or the
 * command's own, can be written through it), and, in a confined run, only
 * with Landlock, whose ptrace rule denies the command every
 * ptrace_may_access check on a process outside its domain: /proc/PID/mem,
 * environ, fd/, root, cwd, maps, ns/ of the container's processes. Announced
 * (pl->proc_shared, printed by the supervisor); refused with
 * CORRAL_REQUIRE_OWN_PROC=1 or without Landlock. */
static int plan_proc(plan *pl, const char *const *env, corral_error *err) {
        char masked[512];
        proc_masks(masked, sizeof(masked));
        int refused = masked[0] ? proc_new_refused() : 0;
        if (!refused) {
                mount_op *op = plan_op(pl, MOP_PROC, "proc of the new pid namespace");
                if (!op)
                        return oom(err);
                op->path = "/proc";
                return 0;
        }
        if (env_is_1(env, PROC_REQUIRE_OWN_ENV))
                return error_set(err, -EOPNOTSUPP,
                                 "/proc is masked here (%s) and the kernel refuses the sandbox a new proc (%s); "
                                 PROC_REQUIRE_OWN_ENV "=1 refuses the container's /proc instead: " PROC_MASKED_FIX,
                                 masked, strerror(refused));
        if (pl->confine && pl->landlock_abi <= 0)
                return error_set(err, -EOPNOTSUPP,
                                 "/proc is masked here (%s) and the kernel refuses the sandbox a new proc (%s); the "
                                 "container's /proc would do only with Landlock, which keeps the command out of the "
                                 "container's processes, and Landlock is not available: " PROC_MASKED_FIX,
                                 masked, strerror(refused));
        mount_op *op = plan_op(pl, MOP_READONLY_ALL,
                               plan_strf(pl, "the container's /proc (masked here: %s; the kernel refuses a new "
                                             "one), read-only as a whole", masked));
        if (!op)
                return oom(err);
        op->path = "/proc", op->attr = ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV | ATTR_NOEXEC;
        pl->proc_shared = pl->confine ? PROC_SHARED_NOTICE : PROC_SHARED_NOTICE_FULL;
        return strv_push(&pl->notes, pl->proc_shared) < 0 ? oom(err) : 0;
}

/* Mount points in the new /tmp (slot) for a path that lies beneath /tmp. */
static int mkdir_under_tmp(plan *pl, int slot, const char *path) {
        if (!path_is_below_or_equal(path, "/tmp") || strcmp(path, "/tmp") == 0)
                return 0;
        const char *rel = path + strlen("/tmp/");
        for (const char *s = rel;; s++)
                if (*s == '/' || *s == 0) {
                        mount_op *op = plan_op(pl, MOP_MKDIR, NULL);
                        if (!op)
                                return -ENOMEM;
                        op->slot = slot, op->sub = plan_strf(pl, "%.*s", (int)(s - rel), rel), op->mode = 0755;
                        if (!op->sub)
                                return -ENOMEM;
                        if (!*s)
                                return 0;
                }
}

/* The slots plan_confined's first step clones into and its later steps
 * attach. */
typedef struct confined_slots {
        int *roots; /* one per writable root (malloc'd) */
        int tmp;
        int nodes[ELEMENTSOF(dev_nodes)];
        int tty[3]; /* -1: fd not a terminal */
} confined_slots;

/* 1. Clone what stays writable (and the device nodes) while the view is
 *    still the host's. */
static int clone_writable(const policy *p, plan *pl, confined_slots *sl, corral_error *err) {
        mount_op *op;
        if (!(sl->roots = calloc(p->writable_roots.n + 1, sizeof(int))))
                return oom(err);
        for (size_t w = 0; w < p->writable_roots.n; w++) {
                sl->roots[w] = plan_new_slot(pl);
                if (!(op = plan_op(pl, MOP_CLONE, plan_strf(pl, "writable root %s", p->writable_roots.v[w]))))
                        return oom(err);
                op->slot = sl->roots[w], op->path = p->writable_roots.v[w], op->recursive = true;
        }
        sl->tmp = plan_new_slot(pl);
        if (p->mode == MODE_READ_ONLY || p->tmp == TMP_PRIVATE) {
                if (!(op = plan_op(pl, MOP_TMPFS, "private /tmp, discarded after the run")))
                        return oom(err);
                op->slot = sl->tmp, op->mode = 01777;
                op->size = pl->limits.tmp_size ? pl->limits.tmp_size : DEFAULT_TMP_SIZE;
                op->inodes = pl->limits.tmp_inodes;
        } else {
                const char *src = p->tmp == TMP_HOST ? "/tmp" : pl->tmp_dir;
                if (!(op = plan_op(pl, MOP_CLONE, p->tmp == TMP_HOST ? "the host's /tmp" : "this workspace's /tmp")))
                        return oom(err);
                op->slot = sl->tmp, op->path = src, op->recursive = true;
        }
        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                sl->nodes[i] = plan_new_slot(pl);
                if (!(op = plan_op(pl, MOP_CLONE, NULL)))
                        return oom(err);
                op->slot = sl->nodes[i], op->path = plan_strf(pl, "/dev/%s", dev_nodes[i]);
        }
        /* The caller's terminal, while the host's /dev is still visible: a
         * read-only clone of it, re-opened on fds 0-2 at the end. */
        for (int fd = 0; fd < 3; fd++) {
                sl->tty[fd] = -1;
                if (!pl->tty_path[fd])
                        continue;
                sl->tty[fd] = plan_new_slot(pl);
                if (!(op = plan_op(pl, MOP_CLONE, plan_strf(pl, "the caller's terminal on fd %d", fd))))
                        return oom(err);
                op->slot = sl->tty[fd], op->path = pl->tty_path[fd];
                if (!(op = plan_op(pl, MOP_SETATTR, NULL)))
                        return oom(err);
                op->slot = sl->tty[fd], op->attr = ATTR_RDONLY | ATTR_NOSUID | ATTR_NOEXEC;
        }

        /* The package-manager caches' overlays and what stays read-only
         * beneath them, made while the view is the host's (plan/caches.h). */
        if (plan_caches_mount(pl) < 0)
                return oom(err);
        return 0;
}

/* 2. Everything read-only; no setuid, no device nodes. */
static int readonly_view(plan *pl, corral_error *err) {
        mount_op *op = plan_op(pl, MOP_READONLY_ALL, "the whole filesystem is read-only");
        if (!op)
                return oom(err);
        op->path = "/", op->attr = ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV;
        pl->ro_view_at = pl->n_ops;
        return 0;
}

/* 3. A proc that shows only the sandbox's processes. Its kernel knobs are
 *    guarded by file ownership alone (no capability is checked), which a
 *    root caller's uid 0 passes: read-only. */
static int own_proc(plan *pl, const char *const *env, corral_error *err) {
        int r = plan_proc(pl, env, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(proc_readonly); i++) {
                struct stat st;
                if (lstat(proc_readonly[i], &st) == 0 &&
                    protect_now(pl, proc_readonly[i], "kernel settings stay read-only, even for uid 0") < 0)
                        return oom(err);
        }
        return 0;
}

/* 4. /tmp first, since it may contain the workspace (mktemp -d): what must
 *    stay visible beneath it gets a mount point in the new /tmp. Then the
 *    writable roots, parents before children (sorted). */
static int tmp_and_roots(const policy *p, plan *pl, const confined_slots *sl, corral_error *err) {
        mount_op *op;
        const char *ro_ws = NULL;
        if (p->tmp != TMP_HOST || p->mode == MODE_READ_ONLY) {
                for (size_t w = 0; w < p->writable_roots.n; w++)
                        if (mkdir_under_tmp(pl, sl->tmp, p->writable_roots.v[w]) < 0)
                                return oom(err);
                if (p->mode == MODE_READ_ONLY && path_is_below_or_equal(p->workspace, "/tmp") &&
                    strcmp(p->workspace, "/tmp") != 0) {
                        ro_ws = p->workspace;
                        if (mkdir_under_tmp(pl, sl->tmp, ro_ws) < 0)
                                return oom(err);
                }
        }
        if (!(op = plan_op(pl, MOP_SETATTR, NULL)))
                return oom(err);
        op->slot = sl->tmp, op->attr = ATTR_NOSUID | ATTR_NODEV, op->recursive = true;
        if (ro_ws) { /* read-only mode: the workspace stays visible, read-only */
                int ws = plan_new_slot(pl);
                if (!(op = plan_op(pl, MOP_CLONE, "the workspace, read-only")))
                        return oom(err);
                op->slot = ws, op->path = ro_ws, op->recursive = true;
                if (!(op = plan_op(pl, MOP_ATTACH, "/tmp")))
                        return oom(err);
                op->slot = sl->tmp, op->path = "/tmp";
                if (!(op = plan_op(pl, MOP_ATTACH, "the workspace, read-only")))
                        return oom(err);
                op->slot = ws, op->path = ro_ws;
        } else {
                if (!(op = plan_op(pl, MOP_ATTACH, "/tmp")))
                        return oom(err);
                op->slot = sl->tmp, op->path = "/tmp";
        }
        for (size_t w = 0; w < p->writable_roots.n; w++) {
                if (!(op = plan_op(pl, MOP_SETATTR, NULL)))
                        return oom(err);
                op->slot = sl->roots[w], op->attr = ATTR_NOSUID | ATTR_NODEV, op->recursive = true;
                if (!(op = plan_op(pl, MOP_ATTACH, plan_strf(pl, "writable root %s", p->writable_roots.v[w]))))
                        return oom(err);
                op->slot = sl->roots[w], op->path = p->writable_roots.v[w];
        }
        return 0;
}

/* 6. Protected names, read-only on top of the writable roots; and corral's
 *    own state (journal, parked placeholders) whenever a writable root
 *    contains it, or a command could plant a file that the next run moves
 *    into a protected name. host_prepare creates it before the mounts, so
 *    it exists when this op runs. */
static int protected_and_state(const policy *p, plan *pl, const char *const *env, corral_error *err) {
        int r;
        if ((r = plan_protected_names(p, pl, env, err)) < 0 || (r = plan_git_overlays(p, pl, err)) < 0)
                return r;
        const char *state_root = state_root_of(pl);
        if (!state_root)
                return oom(err);
        if (writable_inside(p, state_root) &&
            protect_path(pl, state_root, false, "corral's own state stays read-only") < 0)
                return oom(err);
        /* corral's own binary, when a writable root holds it (-w ~/.local,
         * corral in ~/.local/bin): replaced by the command, the next run
         * (an agent's hook, corral mcp, the developer) would run the
         * command's program unsandboxed */
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        struct stat st;
        if (n > 0 && (exe[n] = 0, exe[0] == '/') && writable_inside(p, exe) && !plan_is_protected(pl, exe) &&
            !plan_inside_protected(pl, exe) && lstat(exe, &st) == 0 && S_ISREG(st.st_mode)) {
                nested_id seen = {st.st_dev, st.st_ino};
                if (plan_protect(pl, exe, false,
                                 "corral's own binary: replaced, the next corral run would run the command's "
                                 "program unsandboxed",
                                 &seen) < 0)
                        return oom(err);
        }
        /* Everything protected above, mounted: pins first, then the
         * objects (plan/protect.c). */
        if ((r = plan_protect_emit(p, pl, err)) < 0)
                return r;
        if (pl->n_pins) {
                const char *pins = plan_strf(pl,
                                             "%zu director%s leading to protected objects %s pinned for the run "
                                             "(mount points): not renamed or removed, contents writable; a rename "
                                             "between one and the rest of its writable root fails with EXDEV",
                                             pl->n_pins, pl->n_pins == 1 ? "y" : "ies", pl->n_pins == 1 ? "is" : "are");
                if (!pins || strv_push(&pl->notes, pins) < 0)
                        return oom(err);
        }
        return 0;
}

/* 7. Masks last: denied paths and host sockets; then the caller's
 *    terminal back on its fds. */
static int masks_last(const policy *p, plan *pl, const confined_slots *sl, corral_error *err) {
        int r = plan_sockets_and_masks(p, pl, err);
        if (r < 0)
                return r;
        for (int fd = 0; fd < 3; fd++) {
                if (sl->tty[fd] < 0)
                        continue;
                mount_op *op = plan_op(pl, MOP_REOPEN,
                                       plan_strf(pl, "fd %d: the caller's terminal, on a read-only mount (no "
                                                     "fchmod, futimens)", fd));
                if (!op)
                        return oom(err);
                op->slot = sl->tty[fd], op->fd = fd;
        }
        return 0;
}

/* Landlock, the second layer: writes only beneath these. */
static int landlock_writes(const policy *p, plan *pl, corral_error *err) {
        for (size_t w = 0; w < p->writable_roots.n; w++)
                if (plan_rule(pl, p->writable_roots.v[w], LL_WRITE_ALL, "writable root") < 0)
                        return oom(err);
        if (plan_caches_landlock(pl) < 0)
                return oom(err);
        if (plan_rule(pl, "/tmp", LL_WRITE_ALL, "/tmp") < 0 ||
            plan_rule(pl, "/dev/shm", LL_WRITE_ALL, "/dev/shm") < 0 ||
            plan_rule(pl, "/dev", LL_WRITE_FILE | LL_IOCTL_DEV, "device nodes and terminals") < 0 ||
            plan_rule(pl, "/proc", LL_WRITE_FILE, "the sandbox's own /proc entries") < 0)
                return oom(err);
        return 0;
}

/* The caches, before the writable roots (one may lie in a cache, say the
 * workspace in ~/.cache) and after the view became read-only (they stay
 * writable). */
static int attach_caches(plan *pl, corral_error *err) { return plan_caches_attach(pl) < 0 ? oom(err) : 0; }

/* 5. /dev. */
static int own_dev(const policy *p, plan *pl, const confined_slots *sl, corral_error *err) {
        return plan_dev(p, pl, sl->nodes) < 0 ? oom(err) : 0;
}

/* The mount view of a confined run, in its numbered steps, then the
 * Landlock rules. */
static int plan_confined(const policy *p, plan *pl, const char *const *env, corral_error *err) {
        confined_slots sl = {0};
        int r;
        if ((r = clone_writable(p, pl, &sl, err)) >= 0 && (r = readonly_view(pl, err)) >= 0 &&
            (r = own_proc(pl, env, err)) >= 0 && (r = attach_caches(pl, err)) >= 0 &&
            (r = tmp_and_roots(p, pl, &sl, err)) >= 0 && (r = own_dev(p, pl, &sl, err)) >= 0 &&
            (r = protected_and_state(p, pl, env, err)) >= 0 && (r = masks_last(p, pl, &sl, err)) >= 0)
                r = landlock_writes(p, pl, err);
        free(sl.roots);
        return r;
}

/* fds 0-2 as the caller passes them (SECURITY.md, class 7). A descriptor
 * keeps the mount it was opened on, the host's writable one, where the
 * command, as the file's owner under userns, could change its mode, times
 * and xattrs. A regular file is relayed through a pipe; a directory would
 * also let the command reach the files in it (fchmodat(0, "x", ...)), and is
 * refused. Under users the command is not the owner. */
static int plan_std_fds(plan *pl, corral_error *err) {
        for (int fd = 0; fd < 3; fd++) {
                struct stat st;
                if (fstat(fd, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        return error_set(err, -EISDIR,
                                         "fd %d is a directory: the command could change the files in it through "
                                         "the descriptor (its mount is the host's); pass a file, a pipe or /dev/null",
                                         fd);
                if (S_ISREG(st.st_mode) && pl->backend == BACKEND_USERNS)
                        pl->relay_fds |= 1u << fd;
                if (S_ISCHR(st.st_mode) && isatty(fd) && pl->backend == BACKEND_USERNS) {
                        /* Where the terminal is, checked by device and inode. */
                        char link[32], path[256];
                        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
                        ssize_t n = readlink(link, path, sizeof(path) - 1);
                        struct stat at;
                        if (n > 0)
                                path[n] = 0;
                        _cleanup_free_ char *canon = n > 0 ? path_canonicalize(path) : NULL;
                        if (!canon || strcmp(canon, path) != 0 || lstat(path, &at) < 0 || !S_ISCHR(at.st_mode) ||
                            at.st_rdev != st.st_rdev || at.st_ino != st.st_ino || at.st_dev != st.st_dev)
                                return error_set(err, -ENXIO,
                                                 "fd %d is a terminal corral cannot find by a path (%s): the command "
                                                 "could change its mode through the descriptor; pass a pipe, a file "
                                                 "or /dev/null",
                                                 fd, n > 0 ? path : "no path");
                        if (!(pl->tty_path[fd] = plan_str(pl, path)))
                                return oom(err);
                }
        }
        if (pl->relay_fds &&
            strv_push(&pl->notes, plan_strf(pl, "fd%s %s%s%s: the caller's regular file%s, relayed through a pipe "
                                                "(the command cannot change the file's mode, owner, times or xattrs)",
                                            __builtin_popcount(pl->relay_fds) > 1 ? "s" : "",
                                            pl->relay_fds & 1 ? "0 " : "", pl->relay_fds & 2 ? "1 " : "",
                                            pl->relay_fds & 4 ? "2" : "",
                                            __builtin_popcount(pl->relay_fds) > 1 ? "s" : "")) < 0)
                return oom(err);
        return 0;
}

int plan_build(const policy *p, char *const *argv, const char *const *environ_in, plan *pl, corral_error *err) {
        *pl = (plan){.backend = BACKEND_USERNS};
        int r;
        if (plan_copy_policy(p, pl) < 0)
                return oom(err);

        /* The users backend runs this same plan, as a sandbox user, through
         * corral-runner (src/runner/): whether it is installed is checked
         * before planning (src/users/client.c). */
        if (p->backend == BACKEND_USERS)
                pl->backend = BACKEND_USERS;
        for (size_t i = 0; argv && argv[i]; i++)
                if (strv_push(&pl->argv, argv[i]) < 0)
                        return oom(err);
        if ((r = plan_environment(p, environ_in, pl, err)) < 0 || (r = plan_exec_candidates(pl, err)) < 0)
                return r;
        if ((r = state_dir(p, environ_in, pl, err)) < 0)
                return r;
        if ((r = plan_limits_build(p, pl, err)) < 0)
                return r;
        if ((r = plan_caches(p, pl, err)) < 0)
                return r;

        pl->clone_flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWCGROUP;
        if (p->mode == MODE_FULL_ACCESS) {
                /* No filesystem or network restriction; the namespaces only
                 * make the whole tree die with the sandbox. */
                if (!plan_op(pl, MOP_MAKE_PRIVATE, "mounts of the sandbox stay private"))
                        return oom(err);
                if ((r = plan_proc(pl, environ_in, err)) < 0)
                        return r;
                if (strv_push(&pl->notes, "full-access: no filesystem, network or system-call restriction; "
                                          "the command runs in its own user and pid namespaces so that the "
                                          "timeout and kill-the-tree still apply") < 0)
                        return oom(err);
                return 0;
        }
        pl->confine = true;
        /* with the users backend, the runner's plan is the one run: its
         * supervisor answers the listener and sends corral the reports */
        pl->report_denials = p->report_denials;
        if (p->report_denials == DENIALS_ALL &&
            strv_push(&pl->notes, "denial reports: on, all (writes, creations, removals and connects that the plan "
                                  "refuses, opens of hidden paths and refused system calls are reported at the "
                                  "end; the kernel still decides)") < 0)
                return oom(err);
        if (p->report_denials == DENIALS_WRITES &&
            strv_push(&pl->notes, "denial reports: on, writes (writes, creations, removals and connects that the plan "
                                  "refuses and refused system calls are reported at the end; reads of hidden "
                                  "paths are not: that needs report_denials = \"all\"; the kernel still "
                                  "decides)") < 0)
                return oom(err);
        if ((r = plan_std_fds(pl, err)) < 0)
                return r;
        if (p->network == NETWORK_OFF || p->network == NETWORK_PROXY)
                pl->clone_flags |= CLONE_NEWNET;
        if (p->network == NETWORK_PROXY) {
                pl->proxy.on = true;
                pl->proxy.port = PROXY_PORT;
        }

        pl->landlock_abi = landlock_abi_version();
        pl->landlock_scopes = pl->landlock_abi >= 6;
        if (p->network == NETWORK_ON && !pl->landlock_scopes)
                return error_set(err, -EOPNOTSUPP,
                                 "network on: the host's abstract unix sockets (D-Bus, X11) would be reachable; "
                                 "keeping them out needs Landlock ABI 6 (Linux 6.12), this kernel has ABI %d. "
                                 "Use --network off, which gives the command its own network namespace",
                                 pl->landlock_abi);
        if (pl->landlock_abi == 0 &&
            strv_push(&pl->notes, "Landlock is not available: the mounts alone enforce the write rules") < 0)
                return oom(err);
        if (landlock_abi_lowered() >= 0 &&
            strv_push(&pl->notes, "Landlock ABI lowered below the kernel's by the test switch "
                                  "CORRAL_TEST_LANDLOCK_ABI (simulating an older kernel)") < 0)
                return oom(err);

        mount_op *op = plan_op(pl, MOP_MAKE_PRIVATE, "mounts of the sandbox stay private");
        if (!op)
                return oom(err);
        return plan_confined(p, pl, environ_in, err);
}
