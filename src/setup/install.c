/* SPDX-License-Identifier: MIT */
#include "setup/install.h"
#include "setup/texts.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/macro.h"

int run_tool(bool quiet, const char *const argv[]) {
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
                if (quiet) {
                        int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
                        if (fd >= 0) {
                                dup2(fd, STDOUT_FILENO);
                                dup2(fd, STDERR_FILENO);
                        }
                }
                execve(argv[0], (char *const *)argv, envp);
                /* /usr/sbin vs /sbin: try the other one. */
                char alt[256];
                const char *base = strrchr(argv[0], '/');
                snprintf(alt, sizeof(alt), "/sbin%s", base ? base : argv[0]);
                execve(alt, (char *const *)argv, envp);
                _exit(127);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static const char *const kinds[] = {"offline", "online"};

static int ensure_dir(const char *path, uid_t uid, gid_t gid, mode_t mode, corral_error *err) {
        if (mkdir(path, mode) < 0 && errno != EEXIST)
                return error_set(err, -errno, "cannot create %s: %s", path, strerror(errno));
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return error_set(err, -errno, "%s: %s", path, strerror(errno));
        int r = fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0 ? -errno : 0;
        close(fd);
        return r < 0 ? error_set(err, r, "cannot set owner and mode of %s: %s", path, strerror(-r)) : 0;
}

int accounts_install(marker *m, const char *member, corral_error *err) {
        struct group *g = getgrnam(CORRAL_GROUP);
        if (!g) {
                const char *argv[] = {"/usr/sbin/groupadd", "--system", CORRAL_GROUP, NULL};
                if (run_tool(false, argv) != 0 || !(g = getgrnam(CORRAL_GROUP)))
                        return error_set(err, -EIO, "groupadd %s failed", CORRAL_GROUP);
        }
        snprintf(m->group, sizeof(m->group), "%s", CORRAL_GROUP);
        m->gid = g->gr_gid;
        if (ensure_dir(CORRAL_STATE_DIR, 0, 0, 0755, err) < 0)
                return -EIO;
        const char *names[] = {CORRAL_USER_OFFLINE, CORRAL_USER_ONLINE};
        for (int i = 0; i < 2; i++) {
                marker_user *u = &m->users[i];
                snprintf(u->name, sizeof(u->name), "%s", names[i]);
                snprintf(u->home, sizeof(u->home), "%s/%s", CORRAL_STATE_DIR, kinds[i]);
                char comment[64];
                snprintf(comment, sizeof(comment), "corral sandbox user (network %s)", i == 0 ? "off" : "on");
                struct passwd *pw = getpwnam(names[i]);
                if (!pw) {
                        const char *argv[] = {"/usr/sbin/useradd", "--system", "--user-group", "--no-create-home",
                                              "--home-dir", u->home, "--shell", "/usr/sbin/nologin",
                                              "--comment", comment, names[i], NULL};
                        if (run_tool(false, argv) != 0 || !(pw = getpwnam(names[i])))
                                return error_set(err, -EIO, "useradd %s failed", names[i]);
                } else if (strcmp(pw->pw_shell, "/usr/sbin/nologin") != 0 || strcmp(pw->pw_dir, u->home) != 0) {
                        const char *argv[] = {"/usr/sbin/usermod", "--shell", "/usr/sbin/nologin", "--home", u->home,
                                              names[i], NULL};
                        if (run_tool(false, argv) != 0 || !(pw = getpwnam(names[i])))
                                return error_set(err, -EIO, "usermod %s failed", names[i]);
                }
                u->uid = pw->pw_uid;
                u->gid = pw->pw_gid;
                if (u->uid == 0 || u->gid == 0)
                        return error_set(err, -EPERM, "%s has uid or gid 0: refusing", names[i]);
                struct spwd *sp = getspnam(names[i]);
                if (sp && sp->sp_pwdp[0] != '!' && sp->sp_pwdp[0] != '*') {
                        const char *argv[] = {"/usr/sbin/usermod", "--lock", names[i], NULL};
                        if (run_tool(false, argv) != 0)
                                return error_set(err, -EIO, "cannot lock the account %s", names[i]);
                }
                if (ensure_dir(u->home, u->uid, u->gid, 0700, err) < 0)
                        return -EIO;
        }
        if (ensure_dir(CORRAL_GRANTS_DIR, 0, m->gid, 01770, err) < 0)
                return -EIO;
        if (member) {
                struct passwd *pw = getpwnam(member);
                if (!pw)
                        return error_set(err, -ENOENT, "--user %s: no such user", member);
                if (pw->pw_uid == m->users[0].uid || pw->pw_uid == m->users[1].uid)
                        return error_set(err, -EINVAL, "--user %s: a sandbox user cannot be a member", member);
                const char *argv[] = {"/usr/bin/gpasswd", "-a", member, CORRAL_GROUP, NULL};
                if (run_tool(true, argv) != 0)
                        return error_set(err, -EIO, "gpasswd -a %s %s failed", member, CORRAL_GROUP);
        }
        return 0;
}

static bool in_group(const char *user, const struct group *g) {
        for (char **mem = g->gr_mem; mem && *mem; mem++)
                if (strcmp(*mem, user) == 0)
                        return true;
        return false;
}

int accounts_check(const marker *m, bool report(const char *what, const char *problem)) {
        bool ok = true;
        char what[128], problem[256];
        struct group *g = getgrnam(m->group);
        if (!g || g->gr_gid != m->gid)
                ok &= report("group " CORRAL_GROUP, "missing or its gid changed");
        for (int i = 0; i < 2; i++) {
                const marker_user *u = &m->users[i];
                snprintf(what, sizeof(what), "user %s", u->name);
                struct passwd *pw = getpwnam(u->name);
                if (!pw || pw->pw_uid != u->uid) {
                        ok &= report(what, "missing or its uid changed");
                        continue;
                }
                if (strcmp(pw->pw_shell, "/usr/sbin/nologin") != 0) {
                        snprintf(problem, sizeof(problem), "has the login shell %s", pw->pw_shell);
                        ok &= report(what, problem);
                }
                struct spwd *sp = getspnam(u->name);
                if (sp && sp->sp_pwdp[0] != '!' && sp->sp_pwdp[0] != '*')
                        ok &= report(what, "has a usable password (not locked)");
                if (g && in_group(u->name, g))
                        ok &= report(what, "is a member of group " CORRAL_GROUP);
                struct stat st;
                if (lstat(u->home, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != u->uid || (st.st_mode & 077)) {
                        snprintf(problem, sizeof(problem), "home %s missing, not owned by it or not mode 0700", u->home);
                        ok &= report(what, problem);
                }
        }
        if (ok)
                report("accounts", NULL);
        return ok ? 0 : -ESTALE;
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st, (void)ftw;
        if (type == FTW_DP)
                return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
        return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

void accounts_remove(const marker *m) {
        for (int i = 0; i < 2; i++) {
                const char *name = m->users[i].name[0] ? m->users[i].name : i ? CORRAL_USER_ONLINE : CORRAL_USER_OFFLINE;
                if (!getpwnam(name))
                        continue;
                const char *argv[] = {"/usr/sbin/userdel", name, NULL};
                if (run_tool(false, argv) != 0)
                        fprintf(stderr, "corral-setup: userdel %s failed (does it still run processes?)\n", name);
        }
        if (getgrnam(CORRAL_GROUP)) {
                const char *argv[] = {"/usr/sbin/groupdel", CORRAL_GROUP, NULL};
                if (run_tool(false, argv) != 0)
                        fprintf(stderr, "corral-setup: groupdel %s failed\n", CORRAL_GROUP);
        }
        /* Physical walk, never across a mount or a symlink. */
        if (nftw(CORRAL_STATE_DIR, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
                fprintf(stderr, "corral-setup: cannot remove %s: %s\n", CORRAL_STATE_DIR, strerror(errno));
}

int install_binary(const char *src, const char *dst, gid_t group, const char *caps, mode_t mode, corral_error *err) {
        char tmp[512];
        int in = -1, out = -1, r = 0;
        struct stat sst, dst_st;
        bool same = stat(src, &sst) == 0 && stat(dst, &dst_st) == 0 && sst.st_dev == dst_st.st_dev &&
                    sst.st_ino == dst_st.st_ino;
        snprintf(tmp, sizeof(tmp), "%s.tmp", same ? "" : dst);
        if (same) {
                out = open(dst, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (out < 0)
                        return error_set(err, -errno, "%s: %s", dst, strerror(errno));
        } else {
                if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
                        return error_set(err, -errno, "cannot read %s: %s (build it first, or pass --runner)", src,
                                         strerror(errno));
                unlink(tmp);
                if ((out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0700)) < 0) {
                        r = error_set(err, -errno, "cannot create %s: %s", tmp, strerror(errno));
                        goto out;
                }
                char buf[65536];
                ssize_t n;
                while ((n = read(in, buf, sizeof(buf))) > 0)
                        if (write(out, buf, (size_t)n) != n) {
                                n = -1;
                                break;
                        }
                if (n < 0 || fsync(out) < 0) {
                        r = error_set(err, -EIO, "cannot copy %s to %s", src, tmp);
                        goto out;
                }
        }
        /* Owner and mode first: a chown clears file capabilities. */
        if (fchown(out, 0, caps ? group : 0) < 0 || fchmod(out, caps ? 0750 : mode) < 0) {
                r = error_set(err, -errno, "cannot set owner and mode of %s: %s", dst, strerror(errno));
                goto out;
        }
        if (caps) {
                cap_t c = cap_from_text(caps);
                int cr = c ? cap_set_fd(out, c) : -1;
                int e = errno;
                if (c)
                        cap_free(c);
                if (cr < 0) {
                        r = error_set(err, -e, "cannot set the file capabilities %s on %s: %s", caps, dst, strerror(e));
                        goto out;
                }
        }
        if (!same && rename(tmp, dst) < 0)
                r = error_set(err, -errno, "cannot install %s: %s", dst, strerror(errno));
out:
        if (in >= 0)
                close(in);
        if (out >= 0)
                close(out);
        if (r < 0 && !same)
                unlink(tmp);
        return r;
}

const char *runner_caps(void) {
        return prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 1 ? RUNNER_CAPS : RUNNER_CAPS_CONTAINER;
}

int runner_check(const marker *m, bool report(const char *what, const char *problem)) {
        struct stat st;
        char what[330];
        snprintf(what, sizeof(what), "runner %s", m->runner);
        if (lstat(m->runner, &st) < 0 || !S_ISREG(st.st_mode))
                return report(what, "missing"), -ENOENT;
        bool ok = true;
        if (st.st_uid != 0 || st.st_gid != m->gid || (st.st_mode & 07777) != 0750)
                ok &= report(what, "not root:" CORRAL_GROUP " mode 0750");
        char problem[128];
        snprintf(problem, sizeof(problem), "file capabilities are not exactly %s", runner_caps());
        cap_t want = cap_from_text(runner_caps()), have = cap_get_file(m->runner);
        if (!want || !have || cap_compare(want, have) != 0)
                ok &= report(what, problem);
        if (want)
                cap_free(want);
        if (have)
                cap_free(have);
        if (ok)
                report(what, NULL);
        char sandbox[300];
        marker_sandbox_path(m, sandbox, sizeof(sandbox));
        snprintf(what, sizeof(what), "corral-sandbox %s", sandbox);
        if (lstat(sandbox, &st) < 0 || !S_ISREG(st.st_mode))
                return report(what, "missing"), -ENOENT;
        cap_t none = cap_get_file(sandbox);
        bool has_caps = none != NULL;
        if (none)
                cap_free(none);
        if (st.st_uid != 0 || st.st_gid != 0 || (st.st_mode & 07777) != SANDBOX_MODE || has_caps)
                return report(what, "not root:root mode 0711 without file capabilities"), -ESTALE;
        report(what, NULL);
        return ok ? 0 : -ESTALE;
}

static int write_text(const char *path, const char *text, corral_error *err) {
        FILE *f = fopen(path, "we");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0)
                return error_set(err, -errno, "cannot write %s: %s", path, strerror(errno));
        return 0;
}

int unit_install(const marker *m, corral_error *err) {
        char text[1024];
        firewall_unit_text(text, sizeof(text), m->setup);
        int r = write_text(FIREWALL_UNIT, text, err);
        if (r < 0)
                return r;
        (void)mkdir("/etc/systemd/system/multi-user.target.wants", 0755);
        if (symlink(FIREWALL_UNIT, FIREWALL_UNIT_LINK) < 0 && errno != EEXIST)
                return error_set(err, -errno, "cannot enable %s: %s", FIREWALL_UNIT, strerror(errno));
        const char *argv[] = {"/usr/bin/systemctl", "daemon-reload", NULL};
        (void)run_tool(true, argv);
        return 0;
}

void unit_remove(void) {
        unlink(FIREWALL_UNIT_LINK);
        if (unlink(FIREWALL_UNIT) == 0) {
                const char *argv[] = {"/usr/bin/systemctl", "daemon-reload", NULL};
                (void)run_tool(true, argv);
        }
}

/* Ubuntu 23.10+ only lets profiles with the `userns` rule create user
 * namespaces. The text (setup/texts.c) is compiled by apparmor_parser in
 * the tests (tests/platform/validate.sh); loading it needs a kernel with
 * AppArmor, which corral's CI machines lack. */
int apparmor_install(const marker *m, const char *corral_path, corral_error *err) {
        char text[2048];
        apparmor_profile_text(text, sizeof(text), corral_path, m->runner);
        int r = write_text(APPARMOR_PROFILE, text, err);
        if (r < 0)
                return r;
        const char *argv[] = {"/usr/sbin/apparmor_parser", "-r", APPARMOR_PROFILE, NULL};
        if (run_tool(false, argv) != 0)
                return error_set(err, -EIO, "apparmor_parser -r %s failed", APPARMOR_PROFILE);
        return 0;
}

void apparmor_remove(void) {
        if (access(APPARMOR_PROFILE, F_OK) != 0)
                return;
        const char *argv[] = {"/usr/sbin/apparmor_parser", "-R", APPARMOR_PROFILE, NULL};
        (void)run_tool(true, argv);
        unlink(APPARMOR_PROFILE);
}
