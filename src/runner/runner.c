/* SPDX-License-Identifier: MIT
 * corral-runner: the only privileged step of the `users` backend at run time.
 * Installed root:corral 0750 with the file capabilities cap_setuid,
 * cap_setgid and cap_sys_admin (docs/elevated.md says why each), never
 * setuid root. Read it top to bottom: main() is the whole story.
 *
 * While privileged it reads only the head of the request (identity,
 * workspace, writable roots), and does one thing with it: shows each of
 * those trees that the caller owns to the sandbox user through an idmapped
 * mount (the caller's uid and gid appear as the sandbox user's), in a mount
 * namespace of its own. Then it becomes the sandbox user for good: no
 * groups, no capabilities, no_new_privs. Only then does it read the rest
 * of the request, so a parsing bug can at most affect a sandbox-user
 * process; and it runs the command with the same plan/apply/supervise
 * machinery as the `userns` backend (user, mount, pid namespaces; the
 * network namespace when offline; Landlock; seccomp). Where user namespaces
 * are blocked, nothing is mapped and the command runs without namespaces
 * (users/plan_nonamespace.h; docs/elevated.md says what that weakens). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/syscalls.h"
#include "common/macro.h"
#include "kernel/probe.h"
#include "plan/plan.h"
#include "users/plan_nonamespace.h"
#include "users/canary.h"
#include "users/answer.h"
#include "users/request.h"
#include "users/marker.h"
#include "supervise/denials.h"
#include "supervise/subreaper.h"
#include "supervise/supervise.h"

#define EXIT_REFUSED 125

static int result_fd = -1;

/* Refusals and setup failures: one message, to corral through fd 4 when it
 * is there, else on stderr; exit 125 (the command was not started). */
__attribute__((noreturn, format(printf, 1, 2))) static void refuse(const char *fmt, ...) {
        request_result res = {0};
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(res.msg, sizeof(res.msg), fmt, ap);
        va_end(ap);
        if (result_fd < 0 || write(result_fd, &res, sizeof(res)) != (ssize_t)sizeof(res))
                fprintf(stderr, "corral-runner: %s\n", res.msg);
        _exit(EXIT_REFUSED);
}

static int read_full(int fd, void *buf, size_t len) {
        size_t got = 0;
        while (got < len) {
                ssize_t n = read(fd, (char *)buf + got, len - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return -EIO;
                got += (size_t)n;
        }
        return 0;
}

/* 1. Our own environment: nothing from the caller is trusted. The dynamic
 * loader ignores most of these for a program with file capabilities
 * (AT_SECURE); we refuse them anyway, so a hostile caller is noticed, and
 * then clear the environment. */
static void check_environment(void) {
        static const char *const hostile[] = {"LD_", "GCONV_PATH=", "GETCONF_DIR=", "HOSTALIASES=", "LOCALDOMAIN=",
                                              "LOCPATH=", "MALLOC_", "NLSPATH=", "RESOLV_", "TMPDIR=", "TZDIR=",
                                              "GLIBC_TUNABLES=", "NIS_PATH=", "RES_OPTIONS="};
        for (char **e = environ; e && *e; e++)
                for (size_t i = 0; i < ELEMENTSOF(hostile); i++)
                        if (strncmp(*e, hostile[i], strlen(hostile[i])) == 0)
                                refuse("refusing a hostile environment (%.*s): corral starts the runner with an "
                                       "empty one",
                                       (int)strcspn(*e, "="), *e);
        clearenv();
}

/* 2. Not traced, not dumpable. A tracer would also have made the kernel
 * withhold our capabilities; this says so instead of failing obscurely. */
static void check_not_traced(void) {
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        long tracer = -1;
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, "TracerPid:", 10) == 0)
                        tracer = strtol(line + 10, NULL, 10);
        if (f)
                fclose(f);
        if (tracer != 0)
                refuse("refusing to run while traced (TracerPid %ld)", tracer);
}

/* cap_setuid and cap_setgid; cap_sys_admin too unless sys_admin is NULL
 * (then it says whether we hold it: only the idmapping needs it, and a
 * container's bounding set may lack it, where user namespaces are blocked
 * anyway). */
static bool has_caps(bool *sys_admin) {
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2] = {{0}};
        if (syscall(SYS_capget, &hdr, d) < 0)
                return false;
        uint32_t need = 1u << CAP_SETUID | 1u << CAP_SETGID, admin = 1u << CAP_SYS_ADMIN;
        if (sys_admin)
                *sys_admin = (d[0].effective & admin) == admin;
        else
                need |= admin;
        return (d[0].effective & need) == need;
}

/* 3. The caller: a member of the group named in the marker (its process
 * credentials, not a file it could influence), not a sandbox user. */
static void check_caller(const marker *m, uid_t uid, gid_t gid) {
        if (uid == m->users[0].uid || uid == m->users[1].uid)
                refuse("a sandbox user cannot use corral-runner");
        bool member = gid == m->gid;
        gid_t groups[NGROUPS_MAX];
        int n = getgroups(NGROUPS_MAX, groups);
        for (int i = 0; i < n && !member; i++)
                member = groups[i] == m->gid;
        if (!member)
                refuse("uid %u is not in the group %s: `sudo corral setup --user NAME` adds a member (who then logs "
                       "in again)",
                       (unsigned)uid, m->group);
}

/* A user namespace whose only mapping shows caller ids as the sandbox
 * user's: the idmap of the mounts below. A helper child creates it (with
 * no capabilities of its own); we write its maps and keep a handle.
 * The namespace belongs to the sandbox user, never to the caller: its owner
 * holds every capability in it, so a caller who owned it could open it
 * through /proc/PID/ns/user, setns() into it and, through the map, act as
 * the sandbox user outside any sandbox (elevated/runner.bats: "idmap: the
 * caller cannot take the runner's idmap user namespace and become the
 * sandbox user"). */
static int idmap_userns(uid_t from_uid, gid_t from_gid, const marker_user *to) {
        int ready[2], hold[2];
        if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
                struct __user_cap_data_struct none[2] = {{0}};
                char c;
                close(ready[0]);
                close(hold[1]);
                if (setgroups(0, NULL) < 0 || setresgid(to->gid, to->gid, to->gid) < 0 ||
                    setresuid(to->uid, to->uid, to->uid) < 0 || syscall(SYS_capset, &hdr, none) < 0 ||
                    unshare(CLONE_NEWUSER) < 0 || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
                        _exit(1);
                (void)!write(ready[1], "r", 1);
                (void)!read(hold[0], &c, 1); /* until the parent is done */
                _exit(0);
        }
        close(ready[1]);
        close(hold[0]);
        char c, path[64], map[64];
        int r = read(ready[0], &c, 1) == 1 ? 0 : -ECHILD, ns = -1;
        /* The child's /proc files are the sandbox user's: open them as that
         * user (effective ids only, restored below; capabilities stay). */
        if (r == 0 && (setresgid(-1, to->gid, -1) < 0 || setresuid(-1, to->uid, -1) < 0))
                r = -errno;
        const char *files[] = {"uid_map", "gid_map"};
        /* "inside outside count": an idmapped mount shows an on-disk id that
         * is "inside" as the "outside" one, and writes the reverse. */
        unsigned ids[][2] = {{from_uid, to->uid}, {from_gid, to->gid}};
        for (int i = 0; i < 2 && r == 0; i++) {
                snprintf(path, sizeof(path), "/proc/%d/%s", pid, files[i]);
                int len = snprintf(map, sizeof(map), "%u %u 1\n", ids[i][0], ids[i][1]);
                int fd = open(path, O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, map, (size_t)len) != len)
                        r = -errno;
                if (fd >= 0)
                        close(fd);
        }
        if (r == 0) {
                snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
                if ((ns = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                        r = -errno;
        }
        if (setresuid(-1, from_uid, -1) < 0 || setresgid(-1, from_gid, -1) < 0)
                refuse("cannot return to the caller's ids: %s", strerror(errno));
        close(hold[1]);
        close(ready[0]);
        waitpid(pid, NULL, 0);
        return r < 0 ? r : ns;
}

static int open_nofollow(const char *path) {
        struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        return sys_openat2(AT_FDCWD, path, &how);
}

/* /, the caller's home and its ancestors are never mapped: the caller's
 * private files there must stay out of the sandbox user's reach. */
static bool too_broad(const char *root, const char *home) {
        size_t n = strlen(root);
        if (strcmp(root, "/") == 0)
                return true;
        return home && strncmp(home, root, n) == 0 && (home[n] == '/' || home[n] == 0);
}

/* 4. The privileged work: the caller's trees, idmapped, in a private mount
 * namespace. A tree the caller does not own is left as it is. */
static void map_roots(const request_head *h, uid_t uid, gid_t gid, const marker_user *to) {
        struct passwd *pw = getpwuid(uid);
        const char *home = pw && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
        strv roots = {0};
        if (strv_push(&roots, h->workspace) < 0 || strv_extend(&roots, &h->roots) < 0)
                refuse("out of memory");
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                refuse("cannot create a mount namespace: %s", strerror(errno));
        int ns = -1;
        for (size_t i = 0; i < roots.n; i++) {
                const char *root = roots.v[i];
                bool nested = false;
                for (size_t j = 0; j < roots.n; j++)
                        if (j != i && strcmp(roots.v[j], root) != 0 && strncmp(root, roots.v[j], strlen(roots.v[j])) == 0 &&
                            root[strlen(roots.v[j])] == '/')
                                nested = true; /* covered by its parent's recursive clone */
                for (size_t j = 0; j < i; j++)
                        nested |= strcmp(roots.v[j], root) == 0;
                if (nested)
                        continue;
                if (too_broad(root, home))
                        refuse("%s is /, your home or an ancestor of it: the users backend never maps it", root);
                int fd = open_nofollow(root);
                struct stat st;
                if (fd < 0 || fstat(fd, &st) < 0)
                        refuse("cannot open %s: %s", root, strerror(errno));
                if (st.st_uid != uid) {
                        close(fd);
                        continue;
                }
                if (ns < 0 && (ns = idmap_userns(uid, gid, to)) < 0)
                        refuse("cannot create the idmap user namespace: %s", strerror(-ns));
                struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)ns};
                int tree = sys_open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
                if (tree >= 0 && sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0) {
                        /* a submount that cannot be idmapped: map the top only */
                        close(tree);
                        tree = sys_open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
                        if (tree >= 0 && sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) < 0)
                                refuse("cannot idmap %s (does its file system support idmapped mounts?): %s", root,
                                       strerror(errno));
                }
                if (tree < 0 || sys_move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                        refuse("cannot mount the idmapped %s: %s", root, strerror(errno));
                close(tree);
                close(fd);
        }
        if (ns >= 0)
                close(ns);
        strv_clear(&roots);
}

/* 4'. Without user namespaces nothing is mapped: the same roots are refused
 * (/, the caller's home and its ancestors), the rest is left to the sandbox
 * user's own file permissions and Landlock. */
static void check_roots_nonamespace(const request_head *h, uid_t uid) {
        struct passwd *pw = getpwuid(uid);
        const char *home = pw && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
        for (size_t i = 0; i <= h->roots.n; i++) {
                const char *root = i == 0 ? h->workspace : h->roots.v[i - 1];
                if (too_broad(root, home))
                        refuse("%s is /, your home or an ancestor of it: the users backend never opens it to the "
                               "sandbox user",
                               root);
        }
}

/* git refuses a repository the current user does not own ("dubious
 * ownership"), and git's own children do too: `git clone ~/other` runs
 * git-upload-pack with the command-line configuration (GIT_CONFIG_COUNT,
 * git_trust) cleared, as git clears it for every local transport. So the
 * trust is also in this member's global git config, <member dir>/.gitconfig,
 * which git reads as ~/.gitconfig: written here (as the sandbox user) when
 * it is not exactly this, read-only for the command (the home is not a
 * writable root). Nothing else in it: the developer's global config is read
 * where GIT_CONFIG_GLOBAL names it, which replaces this one (then a local
 * clone of another uid's repository fails inside; docs/elevated.md). */
static int member_gitconfig(int dir) {
        static const char want[] = "# written by corral-runner at every run (docs/elevated.md)\n"
                                   "[safe]\n\tdirectory = *\n";
        char have[sizeof(want)];
        int fd = openat(dir, ".gitconfig", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd >= 0) {
                struct stat st;
                ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, have, sizeof(have)) : -1;
                close(fd);
                if (n == (ssize_t)sizeof(want) - 1 && memcmp(have, want, sizeof(want) - 1) == 0)
                        return 0;
        }
        (void)unlinkat(dir, ".gitconfig.new", 0);
        fd = openat(dir, ".gitconfig.new", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -1;
        bool ok = write(fd, want, sizeof(want) - 1) == (ssize_t)sizeof(want) - 1;
        if (close(fd) < 0 || !ok || renameat(dir, ".gitconfig.new", dir, ".gitconfig") < 0) {
                int e = ok ? errno : EIO;
                (void)unlinkat(dir, ".gitconfig.new", 0);
                errno = e;
                return -1;
        }
        return 0;
}

/* The directory of this member (the caller) in the sandbox user's home,
 * <home>/members/<uid>, created if missing; opened without following any
 * symlink. Called with the sandbox user's effective ids (the home is 0700 and
 * the sandbox user's), with its .gitconfig (member_gitconfig). Returns its fd
 * and, in *home, the home's. */
static int open_member_dir(const marker_user *to, uid_t uid, int *home) {
        char name[32];
        snprintf(name, sizeof(name), "%u", (unsigned)uid);
        struct open_how top = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        struct open_how below = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                                 .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        int h = sys_openat2(AT_FDCWD, to->home, &top), m = -1, d = -1;
        if (h >= 0 && (mkdirat(h, "members", 0700) == 0 || errno == EEXIST) &&
            (m = sys_openat2(h, "members", &below)) >= 0 && (mkdirat(m, name, 0700) == 0 || errno == EEXIST))
                d = sys_openat2(m, name, &below);
        int e = errno;
        if (d >= 0 && member_gitconfig(d) < 0) {
                e = errno;
                close(d);
                d = -1;
        }
        if (m >= 0)
                close(m);
        if (d < 0) {
                if (h >= 0)
                        close(h);
                return -e;
        }
        *home = h;
        return d;
}

/* 4b. Members are isolated from each other, not only from the host: every
 * member runs as the same two sandbox users, so in this mount namespace the
 * sandbox user's home is this member's own directory, <home>/members/<uid>,
 * mounted over it. Everything below (caches, the per-workspace /tmp and
 * state, the placeholder bookkeeping of the caches) is then per member, at
 * the same paths, and another member's is out of sight: a run can neither
 * read another member's /tmp nor poison another member's caches, nor leave
 * anything in a cache that another member's runs meet. */
static void member_home(const marker_user *to, uid_t uid, gid_t gid) {
        int home = -1, dir;
        if (setresgid(-1, to->gid, -1) < 0 || setresuid(-1, to->uid, -1) < 0)
                refuse("cannot switch to %s to prepare its home: %s", to->name, strerror(errno));
        dir = open_member_dir(to, uid, &home);
        if (setresuid(-1, uid, -1) < 0 || setresgid(-1, gid, -1) < 0)
                refuse("cannot return to the caller's ids: %s", strerror(errno));
        if (dir < 0)
                refuse("cannot prepare this member's directory in %s/members: %s", to->home, strerror(-dir));
        int tree = sys_open_tree(dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        if (tree < 0 || sys_move_mount(tree, "", home, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                refuse("cannot mount this member's home over %s: %s", to->home, strerror(errno));
        close(tree);
        close(dir);
        close(home);
}

/* 5. Become the sandbox user for good. The caller's uid is not 0, so the
 * kernel keeps our capabilities across setresuid: they are dropped here
 * explicitly, and no_new_privs keeps any from coming back through exec. */
static void drop_privileges(const marker_user *to) {
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct none[2] = {{0}}, now[2] = {{0}};
        if (setgroups(0, NULL) < 0 || setresgid(to->gid, to->gid, to->gid) < 0 ||
            setresuid(to->uid, to->uid, to->uid) < 0)
                refuse("cannot switch to %s: %s", to->name, strerror(errno));
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 || syscall(SYS_capset, &hdr, none) < 0 ||
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                refuse("cannot drop privileges: %s", strerror(errno));
        uid_t r, e, s;
        gid_t rg, eg, sg;
        if (syscall(SYS_capget, &hdr, now) < 0 || now[0].permitted || now[1].permitted || getresuid(&r, &e, &s) < 0 ||
            getresgid(&rg, &eg, &sg) < 0 || r != to->uid || e != to->uid || s != to->uid || rg != to->gid ||
            eg != to->gid || sg != to->gid || getgroups(0, NULL) != 0)
                refuse("privileges are still held after the switch: refusing");
        /* An ordinary sandbox-user process now. Dumpable, so that the
         * supervisor can write its sandbox's id maps. */
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

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

int main(int argc, char **argv) {
        (void)argc, (void)argv;
        pid_t parent = getppid();
        for (int fd = 0; fd < 3; fd++)
                if (fcntl(fd, F_GETFD) < 0)
                        _exit(EXIT_REFUSED);
        struct stat st;
        if (fstat(RESULT_FD, &st) == 0 && S_ISFIFO(st.st_mode)) {
                result_fd = RESULT_FD;
                fcntl(result_fd, F_SETFD, FD_CLOEXEC);
        }
        if (fstat(REQUEST_FD, &st) < 0)
                refuse("no request on fd %d (corral-runner is started by `corral run --backend users`)", REQUEST_FD);
        fcntl(REQUEST_FD, F_SETFD, FD_CLOEXEC);
        sys_close_range(RESULT_FD + 1, ~0U, 0);

        check_environment();
        check_not_traced();
        bool sys_admin = false;
        if (!has_caps(&sys_admin))
                refuse("corral-runner lacks its file capabilities (no_new_privs in the caller, a nosuid mount, or "
                       "setup drift): rerun `sudo corral setup`");

        uid_t uid = getuid();
        gid_t gid = getgid();
        corral_error err = {{0}};
        marker m;
        if (marker_read(MARKER_PATH, &m, &err) < 0 || marker_validate(&m, &err) < 0)
                refuse("%s", err.msg);
        if (strcmp(m.version, CORRAL_VERSION) != 0)
                refuse("%s was written by corral %s, this runner is %s: rerun `sudo corral setup`", MARKER_PATH,
                       m.version, CORRAL_VERSION);
        check_caller(&m, uid, gid);

        char prefix[8], what[128] = "truncated";
        uint32_t head_len;
        if (read_full(REQUEST_FD, prefix, sizeof(prefix)) < 0 ||
            request_decode_prefix(prefix, &head_len, what, sizeof(what)) < 0)
                refuse("malformed request: %s", what);
        char *head = malloc(head_len);
        request_head h;
        if (!head || read_full(REQUEST_FD, head, head_len) < 0 ||
            request_decode_head(head, head_len, &h, what, sizeof(what)) < 0)
                refuse("malformed request: %s", what[0] ? what : "truncated");
        free(head);
        const marker_user *to = &m.users[h.identity];

        /* Where user namespaces are blocked (a container's seccomp profile,
         * user.max_user_namespaces=0, an LSM), nothing can be idmapped or
         * unshared: the run goes on without namespaces (plan_nonamespace.h),
         * or is refused when it fails for another reason. */
        int ns_err = userns_probe();
        bool nonamespace = ns_err != 0;
        if (nonamespace && !userns_blocked(ns_err))
                refuse("cannot create a user namespace: %s", strerror(ns_err));
        /* A container's bounding set has no cap_sys_admin (setup then gives
         * the runner none), and its runtime may still allow user namespaces
         * (podman's default): nothing can be idmapped, and nothing is
         * blocked that would call for the namespace-less fallback. */
        if (!nonamespace && !sys_admin && prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 1)
                refuse("corral-runner lacks cap_sys_admin, which the idmapped mounts need where user namespaces "
                       "work, and this container's bounding set has none (its runtime dropped it): start the "
                       "container with `--cap-add SYS_ADMIN`, or use `--backend userns`, which needs no "
                       "capability (docs/platforms.md, \"Containers\")");
        if (!nonamespace && !sys_admin)
                refuse("corral-runner lacks cap_sys_admin, which the idmapped mounts need where user namespaces "
                       "work: rerun `sudo corral setup`");
        if (nonamespace)
                check_roots_nonamespace(&h, uid);
        else {
                map_roots(&h, uid, gid, to);
                member_home(to, uid, gid);
        }
        drop_privileges(to);
        if (nonamespace) /* no id maps to write: not even the sandbox user may trace us */
                prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

        /* Everything below runs as the sandbox user, without privileges. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
                refuse("corral exited before the command started");
        if (h.identity == IDENTITY_OFFLINE && (err.msg[0] = 0, canary_check(&err) < 0))
                refuse("%s", err.msg);

        char *body = malloc(h.body_len + 1);
        request_body b;
        if (!body || read_full(REQUEST_FD, body, h.body_len) < 0 ||
            request_decode_body(body, h.body_len, &b, what, sizeof(what)) < 0)
                refuse("malformed request: %s", body ? what : "out of memory");
        free(body);
        if ((b.network == NETWORK_ON) != (h.identity == IDENTITY_ONLINE) && b.mode != MODE_FULL_ACCESS)
                refuse("malformed request: the identity does not match the network mode");

        policy p = {.mode = b.mode, .network = b.network, .tmp = b.tmp, .git = b.git, .backend = BACKEND_USERS,
                    .timeout_ms = b.timeout_ms, .limits = b.limits, .report_denials = b.report_denials};
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
                /* Resource limits are applied by the sandbox's init in its
                 * user namespace (plan/limits.c); none here: refuse, never
                 * ignore. */
                for (int k = 0; k < N_LIMITS; k++)
                        if (p.limits.v[k])
                                refuse("limit '%s' cannot be enforced: resource limits need user namespaces, which are "
                                       "blocked here",
                                       policy_limit_to_string((policy_limit)k));
                /* The developer may refuse the fallback: corral passes its
                 * environment on in the request. */
                for (size_t i = 0; i < b.env.n; i++)
                        if (strcmp(b.env.v[i], "CORRAL_REQUIRE_NAMESPACES=1") == 0)
                                refuse("user namespaces are blocked here (%s) and CORRAL_REQUIRE_NAMESPACES=1: "
                                       "refusing to run without namespaces",
                                       strerror(ns_err));
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
                denials none = {.unavailable = (char *)"not without user namespaces (blocked here)"};
                const denials *d = res.denials ? res.denials : &none;
                if (!nonamespace && !res.denials)
                        none.unavailable = (char *)"the denial reports' thread did not end";
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
