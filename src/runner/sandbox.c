/* SPDX-License-Identifier: MIT
 * corral-sandbox: the unprivileged rest of a `users` run. corral-runner
 * executes it (and only it may: runner/handoff.h) once it has checked the
 * caller, idmapped the caller's trees and become the sandbox user for good;
 * it is installed root:root 0711 without capabilities next to the runner.
 * Everything here runs as the sandbox user with no capabilities and
 * no_new_privs: it reads the rest of the request (the body), builds the
 * policy and the plan, and runs the command with the same
 * plan/apply/supervise machinery as the `userns` backend (user, mount, pid
 * namespaces; the network namespace when offline; Landlock; seccomp), or
 * without namespaces where they are blocked (users/plan_nonamespace.h).
 * A parsing bug here can at most affect a sandbox-user process.
 *
 * Nothing it is given comes from the caller but the request and its fds
 * (0-2, the request on 3, the result pipe on 4), which the runner also
 * gets: argv and the environment are ignored (the runner passes none), the
 * runner's findings come from the sealed memfd it wrote. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"
#include "plan/plan.h"
#include "runner/handoff.h"
#include "runner/member.h"
#include "runner/refuse.h"
#include "supervise/denials.h"
#include "supervise/subreaper.h"
#include "supervise/supervise.h"
#include "users/answer.h"
#include "users/canary.h"
#include "users/marker.h"
#include "users/plan_nonamespace.h"
#include "users/request.h"

/* git refuses a repository that the current user does not own ("dubious
 * ownership"). Inside, only the idmapped roots are the sandbox user's: a
 * linked worktree's gitdir, a separate git dir or any repository of the
 * developer's outside the workspace (`git clone ~/other`) belong to the
 * developer, another uid. So git inside trusts every repository
 * (safe.directory=*, as command-line configuration: GIT_CONFIG_COUNT, after
 * any entries the developer set). That changes nothing outside: whatever a
 * repository's config or hooks run inside runs with the sandbox's rights,
 * which the command has anyway (docs/elevated.md). */
static int git_trust(strv *env) {
        unsigned long n = 0;
        size_t at = SIZE_MAX;
        for (size_t i = 0; i < env->n; i++)
                if (strncmp(env->v[i], "GIT_CONFIG_COUNT=", 17) == 0) {
                        char *end = NULL;
                        n = strtoul(env->v[i] + 17, &end, 10);
                        if (!end || *end || n > 1000)
                                n = 0;
                        at = i;
                }
        char buf[64];
        snprintf(buf, sizeof(buf), "GIT_CONFIG_KEY_%lu=safe.directory", n);
        if (strv_push(env, buf) < 0)
                return -ENOMEM;
        snprintf(buf, sizeof(buf), "GIT_CONFIG_VALUE_%lu=*", n);
        if (strv_push(env, buf) < 0)
                return -ENOMEM;
        snprintf(buf, sizeof(buf), "GIT_CONFIG_COUNT=%lu", n + 1);
        if (at != SIZE_MAX) { /* the developer's count, replaced */
                char *c = strdup(buf);
                if (!c)
                        return -ENOMEM;
                free(env->v[at]);
                env->v[at] = c;
                return 0;
        }
        return strv_push(env, buf);
}

/* The sandbox user's environment: its own home (caches persist there between
 * runs), its own name; nothing that points into the developer's per-user
 * directories. The rest is what corral computed. */
static int sandbox_environment(const request_body *b, const marker_user *u, const char *home, strv *env) {
        static const char *const replaced[] = {"HOME=", "USER=", "LOGNAME=", "XDG_CACHE_HOME=", "XDG_CONFIG_HOME=",
                                               "XDG_DATA_HOME=", "XDG_STATE_HOME=", "XDG_RUNTIME_DIR=", "MAIL="};
        for (size_t i = 0; i < b->env.n; i++) {
                bool skip = false;
                for (size_t k = 0; k < ELEMENTSOF(replaced); k++)
                        skip |= strncmp(b->env.v[i], replaced[k], strlen(replaced[k])) == 0;
                if (!skip && strv_push(env, b->env.v[i]) < 0)
                        return -ENOMEM;
        }
        char buf[512];
        snprintf(buf, sizeof(buf), "HOME=%s", home);
        if (strv_push(env, buf) < 0)
                return -ENOMEM;
        snprintf(buf, sizeof(buf), "USER=%s", u->name);
        if (strv_push(env, buf) < 0)
                return -ENOMEM;
        snprintf(buf, sizeof(buf), "LOGNAME=%s", u->name);
        if (strv_push(env, buf) < 0)
                return -ENOMEM;
        return git_trust(env);
}

/* The caches of the usual toolchains persist in the sandbox user's home
 * between runs (never in the developer's): those directories are writable
 * roots. The rest of that home stays read-only, so that a command cannot
 * leave ~/.bashrc, ~/.gitconfig or ~/.cargo/config.toml for later runs. */
static int cache_roots(const char *home, strv *roots) {
        static const char *const caches[] = {".cache", ".npm", ".cargo/registry", ".cargo/git", "go/pkg"};
        char path[512];
        for (size_t i = 0; i < ELEMENTSOF(caches); i++) {
                if (snprintf(path, sizeof(path), "%s/%s", home, caches[i]) >= (int)sizeof(path))
                        return -1;
                for (char *s = path + strlen(home) + 1;; s++) /* mkdir -p, as the sandbox user */
                        if (*s == '/' || *s == 0) {
                                char c = *s;
                                *s = 0;
                                if (mkdir(path, 0700) < 0 && errno != EEXIST)
                                        return -1;
                                *s = c;
                                if (!c)
                                        break;
                        }
                /* A command may have made it unreadable (chmod 0 ~/.npm): it is
                 * ours, so set it back, or that run would fail every later one. */
                if (chmod(path, 0700) < 0 || strv_push_unique(roots, path) < 0)
                        return -1;
        }
        return 0;
}

int main(void) {
        for (int fd = 0; fd < 3; fd++)
                if (fcntl(fd, F_GETFD) < 0)
                        _exit(EXIT_REFUSED);
        runner_state state;
        char *head;
        corral_error why = {{0}};
        size_t head_len;
        /* The result pipe is what the runner found on fd 4; only then (it
         * may be the caller's anything else). */
        if (state_take_over(&state, &head, &head_len, &why) < 0) {
                fprintf(stderr, "corral-sandbox: %s: it is started by corral-runner, never by hand\n", why.msg);
                _exit(EXIT_REFUSED);
        }
        if (state.has_result) {
                result_fd = RESULT_FD;
                fcntl(result_fd, F_SETFD, FD_CLOEXEC);
        }
        fcntl(REQUEST_FD, F_SETFD, FD_CLOEXEC);
        uid_t uid = state.caller_uid;
        corral_error what = {{0}};
        request_head h;
        if (request_decode_head(head, head_len, &h, &what) < 0)
                refuse("malformed request: %s", what.msg);
        free(head);
        const marker_user *to = &state.m.users[h.identity];
        uid_t ru, eu, su;
        if (getresuid(&ru, &eu, &su) < 0 || ru != to->uid || eu != to->uid || su != to->uid)
                refuse("corral-sandbox runs as %s (started by corral-runner), not as uid %u", to->name, (unsigned)eu);
        bool nonamespace = state.nonamespace;
        /* Dumpable only with namespaces, so that the supervisor can write
         * its sandbox's id maps; without, not even the sandbox user may
         * trace us (the exec of a file it cannot read left us undumpable). */
        prctl(PR_SET_DUMPABLE, nonamespace ? 0 : 1, 0, 0, 0);
        /* Its name in ps and /proc/PID/comm, whatever the kernel made of an
         * exec by descriptor (older kernels: the fd's number). */
        prctl(PR_SET_NAME, "corral-sandbox", 0, 0, 0);
        corral_error err = {{0}};

        if (h.identity == IDENTITY_OFFLINE && (err.msg[0] = 0, canary_check(&err) < 0))
                refuse("%s", err.msg);

        char *body = malloc(h.body_len + 1);
        request_body b;
        if (!body || read_full(REQUEST_FD, body, h.body_len) < 0 ||
            request_decode_body(body, h.body_len, &b, &what) < 0)
                refuse("malformed request: %s", body ? what.msg : "out of memory");
        free(body);
        if ((b.network == NETWORK_ON) != (h.identity == IDENTITY_ONLINE) && b.mode != MODE_FULL_ACCESS)
                refuse("malformed request: the identity does not match the network mode");

        policy p = {.mode = b.mode, .network = b.network, .tmp = b.tmp, .git = b.git, .backend = BACKEND_USERS,
                    .timeout_ms = b.timeout_ms, .limits = b.limits, .report_denials = (policy_report)b.report_denials};
        p.report_home = b.report_home[0] ? b.report_home : NULL;
        p.workspace = h.workspace;
        p.cwd = b.cwd;
        /* This member's home: mounted over the sandbox user's with
         * namespaces (member_home); without, there is no mount namespace, so
         * the member's directory is the home itself (docs/elevated.md says
         * what that leaves shared). */
        char home[400];
        snprintf(home, sizeof(home), "%s", to->home);
        if (nonamespace) {
                int hfd = -1, d = open_member_dir(to, uid, &hfd);
                if (d < 0)
                        refuse("cannot prepare this member's directory in %s/members: %s", to->home, strerror(-d));
                close(d);
                close(hfd);
                snprintf(home, sizeof(home), "%s/members/%u", to->home, (unsigned)uid);
        }
        p.home = strdup(home);
        size_t n_dev_roots = h.roots.n; /* the developer's; the caches follow */
        /* The caller's corral makes and removes the placeholders in the
         * caller's roots, in the caller's own bookkeeping, which its userns
         * runs and its runs as the other sandbox user share (apply/host.h);
         * this run only checks that they are there. */
        for (size_t i = 0; i < n_dev_roots; i++)
                if (strv_push(&p.held_roots, h.roots.v[i]) < 0)
                        refuse("out of memory");
        if (cache_roots(home, &h.roots) < 0)
                refuse("cannot prepare the cache directories in %s: %s", home, strerror(errno));
        for (size_t i = n_dev_roots; i < h.roots.n; i++)
                if (strv_push(&p.sandbox_roots, h.roots.v[i]) < 0)
                        refuse("out of memory");
        p.writable_roots = h.roots;
        p.protect = b.protect;
        p.protect_depth = b.protect_depth;
        p.deny_read = b.deny_read;
        p.allow_read = b.allow_read;
        p.allow_unix_sockets = b.allow_unix_sockets;
        /* what the developer's corral found of git's layout, reading as the
         * developer what the sandbox user may not read: protected here too */
        p.git_known = b.git_known;
        p.git_known_hooks = b.git_known_hooks;
        strv env = {0};
        if (!p.home || sandbox_environment(&b, to, home, &env) < 0)
                refuse("out of memory");
        /* The developer's git config is what runs later: the plan reads it
         * (as the sandbox user) where the developer's environment says. */
        static const char *const git_vars[] = {"HOME=", "XDG_CONFIG_HOME=", "GIT_CONFIG_GLOBAL=", "GIT_CONFIG_SYSTEM=",
                                               "GIT_CONFIG_NOSYSTEM="};
        for (size_t i = 0; i < b.env.n; i++)
                for (size_t k = 0; k < sizeof(git_vars) / sizeof(git_vars[0]); k++)
                        if (strncmp(b.env.v[i], git_vars[k], strlen(git_vars[k])) == 0 &&
                            strv_push(&p.git_env, b.env.v[i]) < 0)
                                refuse("out of memory");

        plan pl;
        run_result res;
        if (nonamespace) {
                for (size_t i = 0; i < n_dev_roots; i++)
                        if (access(h.roots.v[i], W_OK | X_OK) < 0)
                                refuse("without user namespaces (blocked here) nothing can be idmapped: %s must be "
                                       "writable by %s itself, e.g. `setfacl -R -m u:%s:rwX,d:u:%s:rwX,d:u:$USER:rwX "
                                       "%s` (docs/elevated.md)",
                                       h.roots.v[i], to->name, to->name, to->name, h.roots.v[i]);
                if (nonamespace_check_reads(&p, &err) < 0 ||
                    plan_build_nonamespace(&p, n_dev_roots, b.argv.v, (const char *const *)env.v, &pl, &err) < 0)
                        refuse("%s", err.msg);
                fprintf(stderr, "corral: %s\n", NONAMESPACE_NOTICE);
                if (supervise_run_nonamespace(&pl, REQUEST_FD, &res, &err) < 0)
                        refuse("%s", err.msg);
        } else {
                if (plan_build(&p, b.argv.v, (const char *const *)env.v, &pl, &err) < 0)
                        refuse("%s", err.msg);
                if (supervise_run_control(&pl, false, REQUEST_FD, &res, &err) < 0)
                        refuse("%s", err.msg);
        }
        request_result out = {.ran = 1, .exit_code = res.exit_code, .signal = res.signal,
                              .timed_out = res.timed_out, .wall_ms = res.wall_ms, .limit = res.limit,
                              .limit_certain = res.limit_certain};
        if (res.exit_code == 126 || res.exit_code == 127)
                snprintf(out.msg, sizeof(out.msg), "%s", err.msg);
        if (result_fd >= 0)
                (void)!write(result_fd, &out, sizeof(out));
        /* What the sandbox refused, judged here, where the listener is
         * answered (docs/design.md, "Denial reports"); corral prints them
         * and puts them in its status record. corral reads this pipe while
         * it waits for us, so a long list cannot block. */
        if (b.report_denials && result_fd >= 0) {
                /* no list: the full-access mode (nothing is refused), or
                 * a thread that did not end */
                denials none = {.unavailable = (char *)(b.mode == MODE_FULL_ACCESS
                                                                ? "nothing is refused in full-access"
                                                                : "the denial reports' thread did not end")};
                const denials *d = res.denials ? res.denials : &none;
                char *buf = NULL;
                size_t len = 0;
                if (answer_encode_denials(d, &buf, &len) == 0)
                        for (size_t off = 0; off < len;) {
                                ssize_t n = write(result_fd, buf + off, len - off);
                                if (n < 0 && errno == EINTR)
                                        continue;
                                if (n <= 0)
                                        break;
                                off += (size_t)n;
                        }
                free(buf);
        }
        return res.exit_code;
}
