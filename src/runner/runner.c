/* SPDX-License-Identifier: MIT
 * corral-runner: the only privileged step of the `users` backend at run time.
 * Installed root:corral 0750 with the file capabilities cap_setuid,
 * cap_setgid and cap_sys_admin (docs/elevated.md says why each), never
 * setuid root. Read it top to bottom: main() is the whole story.
 *
 * It holds only what needs those capabilities, and the checks that guard
 * them: it checks its environment, that it is not traced, its caller (a
 * member of the group corral); reads only the head of the request
 * (identity, workspace, writable roots), and does one thing with it: shows
 * each of those trees that the caller owns to the sandbox user through an
 * idmapped mount (the caller's uid and gid appear as the sandbox user's), in
 * a mount namespace of its own. Then it becomes the sandbox user for good:
 * no groups, no capabilities, no_new_privs; and execs corral-sandbox, the
 * unprivileged rest of the run (runner/sandbox.c), from its fixed
 * root-owned path next to this program, checked before the exec, with what
 * it found in a sealed memfd (runner/handoff.h). corral-sandbox reads the
 * rest of the request and runs the command with the same
 * plan/apply/supervise machinery as the `userns` backend. None of that code
 * is in this binary (tests/lint/runner.sh checks its symbols). Where user
 * namespaces are blocked, nothing is mapped and the command runs without
 * namespaces (users/plan_nonamespace.h; docs/elevated.md says what that
 * weakens). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
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

#include "common/macro.h"
#include "common/path.h"
#include "kernel/probe.h"
#include "kernel/syscalls.h"
#include "runner/handoff.h"
#include "runner/member.h"
#include "runner/refuse.h"
#include "users/marker.h"
#include "users/request.h"

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
static void check_caller(const marker *m, uid_t uid) {
        if (uid == m->users[0].uid || uid == m->users[1].uid)
                refuse("a sandbox user cannot use corral-runner");
        if (!marker_member(m))
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
 * private files there must stay out of the sandbox user's reach (the
 * policy's rule, common/path.h, whatever the caller's allow_broad_roots). */
static bool too_broad(const char *root, const char *home) { return path_broad_root(root, home) != NULL; }

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

/* 3b. corral-sandbox, the rest of the run, at its fixed path next to this
 * runner (the marker's, root's). Opened now, before any privileged work, so
 * that a missing or wrong one refuses before anything is mounted, and
 * executed later through this descriptor, so the path cannot be swapped in
 * between. Every directory from / down and the file itself must be
 * root-owned and writable by nobody else (neither group nor others, which
 * also covers an ACL granting write: its mask shows in the group bits): a
 * caller who could change what is exec'd would run code as the sandbox
 * user outside any sandbox. Not setuid or setgid (no_new_privs would
 * ignore them anyway). */
static int open_sandbox(const marker *m) {
        char path[300], at[300] = "/"; /* at: what is being checked */
        if (marker_sandbox_path(m, path, sizeof(path)) >= (int)sizeof(path) || path[0] != '/')
                refuse("the runner's path in %s is not absolute: rerun `sudo corral setup`", MARKER_PATH);
        const char *why = NULL;
        struct stat st;
        int fd = -1, dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0 || fstat(dir, &st) < 0)
                why = "cannot be opened";
        for (char *name = path + 1, *end; !why; name = end + 1) {
                if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
                        why = "is not root-owned and writable only by root";
                        break;
                }
                if (!(end = strchr(name, '/')))
                        break;
                snprintf(at, sizeof(at), "%.*s", (int)(end - path), path);
                *end = 0;
                int next = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                *end = '/';
                close(dir);
                if ((dir = next) < 0 || fstat(dir, &st) < 0)
                        why = "cannot be opened as a directory (no symlink is followed)";
        }
        if (!why) {
                snprintf(at, sizeof(at), "%s", path);
                /* above STATE_FD, which the handover fills */
                int f = openat(dir, strrchr(path, '/') + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                fd = f >= 0 ? fcntl(f, F_DUPFD_CLOEXEC, STATE_FD + 1) : -1;
                if (fd < 0)
                        why = errno == ENOENT ? "is missing" : "cannot be opened";
                else if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode))
                        why = "is a symbolic link (none is followed)";
                else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                        why = "is not a regular file";
                else if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
                        why = "is not root-owned and writable only by root";
                else if (st.st_mode & (S_ISUID | S_ISGID))
                        why = "is setuid or setgid";
                if (f >= 0)
                        close(f);
        }
        if (dir >= 0)
                close(dir);
        if (why)
                refuse("%s %s: refusing to run without corral-sandbox (%s), the unprivileged rest of the runner; "
                       "rerun `sudo corral setup`",
                       at, why, path);
        return fd;
}

/* 6. Hand the run to corral-sandbox, as the sandbox user: what the steps
 * above found, in a sealed memfd (runner/handoff.h); the request's fds; an
 * empty environment and a fixed argv. */
static void exec_sandbox(int sandbox, const runner_state *st, const void *head, size_t head_len) {
        int r = state_hand_over(st, head, head_len);
        if (r < 0)
                refuse("cannot hand the run over to corral-sandbox: %s", strerror(-r));
        if (fcntl(REQUEST_FD, F_SETFD, 0) < 0 || (result_fd >= 0 && fcntl(result_fd, F_SETFD, 0) < 0))
                refuse("cannot pass the request on to corral-sandbox: %s", strerror(errno));
        char *const argv[] = {(char *)"corral-sandbox", NULL}, *const envp[] = {NULL};
        syscall(SYS_execveat, sandbox, "", argv, envp, AT_EMPTY_PATH);
        refuse("cannot execute corral-sandbox: %s", strerror(errno));
}

int main(void) {
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
        runner_state state = {.magic = STATE_MAGIC, .version = STATE_VERSION, .size = sizeof(state),
                              .caller_uid = uid, .caller_gid = gid, .has_result = result_fd >= 0};
        marker *m = &state.m;
        if (marker_load(MARKER_PATH, m, &err) < 0)
                refuse("%s", err.msg);
        check_caller(m, uid);
        int sandbox = open_sandbox(m);

        char prefix[8];
        corral_error what = {.msg = "truncated"};
        uint32_t head_len;
        if (read_full(REQUEST_FD, prefix, sizeof(prefix)) < 0 ||
            request_decode_prefix(prefix, &head_len, &what) < 0)
                refuse("malformed request: %s", what.msg);
        char *head = malloc(head_len);
        request_head h;
        if (!head || read_full(REQUEST_FD, head, head_len) < 0 ||
            request_decode_head(head, head_len, &h, &what) < 0)
                refuse("malformed request: %s", what.msg);
        const marker_user *to = &m->users[h.identity];

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
        state.nonamespace = nonamespace;
        state.ns_err = ns_err;
        state.head_len = head_len;
        exec_sandbox(sandbox, &state, head, head_len);
}
