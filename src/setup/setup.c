/* SPDX-License-Identifier: MIT
 * corral-setup: the one-time, elevated installer of the `users` backend.
 *
 *   corral-setup [--user NAME] [--loopback-port N]... [--allow-loopback] [--runner PATH]
 *   corral-setup --check          verify; report drift; reload missing rules; exit 0/1
 *   corral-setup --uninstall      remove everything it installed (grants revoked)
 *   corral-setup --apply-firewall reload the rules from the marker (boot unit)
 *
 * Every mode is idempotent and safe to interrupt and rerun: the marker is
 * written last on install and read first on uninstall. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"
#include "setup/firewall.h"
#include "users/grants.h"
#include "setup/install.h"
#include "users/marker.h"
#include "setup/texts.h"

#ifndef CORRAL_LIBEXECDIR
#define CORRAL_LIBEXECDIR "/usr/local/libexec/corral"
#endif
#ifndef CORRAL_BINDIR
#define CORRAL_BINDIR "/usr/local/bin"
#endif
#ifndef CORRAL_SBINDIR
#define CORRAL_SBINDIR "/usr/local/sbin"
#endif

static const char usage[] =
        "usage: corral-setup [--user NAME] [--loopback-port N]... [--allow-loopback] [--runner PATH]\n"
        "       corral-setup --check | --uninstall | --apply-firewall\n"
        "Installs the `users` backend of corral (run as root): the group " CORRAL_GROUP ", the sandbox users\n"
        CORRAL_USER_OFFLINE " and " CORRAL_USER_ONLINE ", the nftables table inet " CORRAL_NFT_TABLE
        ", corral-runner (with corral-sandbox) and " MARKER_PATH ".\n"
        "  --user NAME          add NAME to the group " CORRAL_GROUP " (default: $SUDO_USER)\n"
        "  --loopback-port N    let " CORRAL_USER_OFFLINE " connect to TCP port N on loopback (repeatable)\n"
        "  --allow-loopback     let " CORRAL_USER_OFFLINE " reach every loopback service\n"
        "  --runner PATH        the corral-runner to install, with the corral-sandbox next to it (default:\n"
        "                       next to this program, else where `make install` put it, " CORRAL_LIBEXECDIR ")\n";

static int failures;

static bool report(const char *what, const char *problem) {
        if (problem) {
                printf("  DRIFT %-40s %s\n", what, problem);
                failures++;
                return false;
        }
        printf("  ok    %s\n", what);
        return true;
}

static int die(const corral_error *err) {
        fprintf(stderr, "corral-setup: %s\n", err->msg);
        return 1;
}

static void self_path(char *buf, size_t len) {
        ssize_t n = readlink("/proc/self/exe", buf, len - 1);
        buf[n > 0 ? n : 0] = 0;
}

/* A program that comes with this one: beside it (the build directory), or
 * where `make install` put it, relative to where this one is installed (so
 * that a DESTDIR staging tree works too: $DESTDIR$sbindir/corral-setup finds
 * $DESTDIR$libexecdir/corral/corral-runner), or at the configured path. */
static bool companion(const char *name, const char *installed_dir, char *out, size_t len) {
        char dir[PATH_MAX];
        self_path(dir, sizeof(dir));
        char *slash = strrchr(dir, '/');
        if (slash)
                *slash = 0;
        if (snprintf(out, len, "%s/%s", dir, name) < (int)len && access(out, F_OK) == 0)
                return true;
        size_t d = strlen(dir), s = strlen(CORRAL_SBINDIR);
        if (d >= s && strcmp(dir + d - s, CORRAL_SBINDIR) == 0) {
                if (snprintf(out, len, "%.*s%s/%s", (int)(d - s), dir, installed_dir, name) < (int)len &&
                    access(out, F_OK) == 0)
                        return true;
        }
        return snprintf(out, len, "%s/%s", installed_dir, name) < (int)len && access(out, F_OK) == 0;
}

static int install(const char *member, const marker *opts, const char *runner_src) {
        corral_error err = {{0}};
        marker m = *opts;
        char self[PATH_MAX], src[PATH_MAX], corral_path[PATH_MAX];
        self_path(self, sizeof(self));
        if (!runner_src) {
                if (!companion("corral-runner", CORRAL_LIBEXECDIR, src, sizeof(src))) {
                        fprintf(stderr,
                                "corral-setup: corral-runner is neither next to %s nor in %s: build it (make) or "
                                "install it (make install), or pass --runner PATH\n",
                                self, CORRAL_LIBEXECDIR);
                        return 1;
                }
                runner_src = src;
        }
        /* next to us (a build), or ../bin (make install): texts.c */
        setup_corral_path(self, corral_path, sizeof(corral_path));

        m.format = MARKER_FORMAT;
        snprintf(m.version, sizeof(m.version), "%s", CORRAL_VERSION);
        snprintf(m.table, sizeof(m.table), "%s %s", CORRAL_NFT_FAMILY, CORRAL_NFT_TABLE);
        snprintf(m.runner, sizeof(m.runner), "%s/corral-runner", CORRAL_LIBEXECDIR);
        snprintf(m.setup, sizeof(m.setup), "%s/corral-setup", CORRAL_LIBEXECDIR);

        printf("corral-setup: installing the users backend\n");
        if (accounts_install(&m, member, &err) < 0)
                return die(&err);
        printf("  group %s (gid %u)%s%s\n", m.group, (unsigned)m.gid, member ? ", member " : "", member ? member : "");
        for (int i = 0; i < 2; i++)
                printf("  user %s (uid %u), home %s, locked, no login shell\n", m.users[i].name,
                       (unsigned)m.users[i].uid, m.users[i].home);
        if (mkdir(CORRAL_LIBEXECDIR, 0755) < 0 && errno != EEXIST) {
                /* one level of parents is enough for $prefix/libexec/corral */
                char parent[PATH_MAX];
                snprintf(parent, sizeof(parent), "%s", CORRAL_LIBEXECDIR);
                (void)mkdir(dirname(parent), 0755);
                if (mkdir(CORRAL_LIBEXECDIR, 0755) < 0 && errno != EEXIST) {
                        fprintf(stderr, "corral-setup: cannot create %s: %s\n", CORRAL_LIBEXECDIR, strerror(errno));
                        return 1;
                }
        }
        /* corral-sandbox comes with the runner: next to the one installed */
        char sandbox_src[PATH_MAX + 16], sandbox[300];
        const char *slash = strrchr(runner_src, '/');
        snprintf(sandbox_src, sizeof(sandbox_src), "%.*s%scorral-sandbox", slash ? (int)(slash - runner_src) : 0,
                 runner_src, slash ? "/" : "");
        marker_sandbox_path(&m, sandbox, sizeof(sandbox));
        if (access(sandbox_src, F_OK) < 0) {
                fprintf(stderr, "corral-setup: %s is missing: corral-runner needs corral-sandbox next to it (build "
                                "both: make)\n",
                        sandbox_src);
                return 1;
        }
        if (install_binary(runner_src, m.runner, m.gid, runner_caps(), 0, &err) < 0 ||
            install_binary(sandbox_src, sandbox, 0, NULL, SANDBOX_MODE, &err) < 0 ||
            install_binary(self, m.setup, 0, NULL, 0755, &err) < 0)
                return die(&err);
        printf("  %s (root:%s 0750, %s)\n", m.runner, m.group, runner_caps());
        printf("  %s (root:root 0711, no capabilities: the runner's unprivileged half)\n", sandbox);
        if (strcmp(runner_caps(), RUNNER_CAPS) != 0)
                printf("  (no cap_sys_admin in this bounding set, a container's: where its runtime blocks user "
                       "namespaces (docker's default) runs go without namespaces, docs/elevated.md; where it "
                       "allows them (podman's default) nothing can be idmapped and runs are refused: start the "
                       "container with --cap-add SYS_ADMIN, or use --backend userns; docs/platforms.md)\n");
        if (mkdir("/etc/corral", 0755) < 0 && errno != EEXIST) {
                fprintf(stderr, "corral-setup: cannot create /etc/corral: %s\n", strerror(errno));
                return 1;
        }
        if (firewall_apply(&m, &err) < 0)
                return die(&err);
        printf("  nftables table %s: %s rejected off loopback%s\n", m.table, m.users[0].name,
               m.allow_loopback ? "; loopback allowed" : m.n_ports ? "; on loopback only the listed TCP ports"
                                                                   : " and on loopback");
        if (access("/run/systemd/system", F_OK) == 0) {
                if (unit_install(&m, &err) < 0)
                        return die(&err);
                m.systemd_unit = true;
                printf("  %s (reloads the rules at boot)\n", FIREWALL_UNIT);
        } else
                printf("  no systemd here: after a reboot, run `corral-setup --apply-firewall` (or --check)\n");
        if (access(APPARMOR_SYSCTL, F_OK) == 0) {
                if (apparmor_install(&m, corral_path, &err) < 0)
                        return die(&err);
                m.apparmor = true;
                printf("  %s: corral, corral-runner and corral-sandbox may create user namespaces\n", APPARMOR_PROFILE);
        }
        if (marker_write(MARKER_PATH, &m, &err) < 0)
                return die(&err);
        printf("  %s written\ndone: `corral run --backend users -- CMD` (members of %s; a new member logs in again "
               "first)\n",
               MARKER_PATH, m.group);
        return 0;
}

static int check(void) {
        corral_error err = {{0}};
        marker m;
        printf("corral-setup: checking the users backend\n");
        if (marker_read(MARKER_PATH, &m, &err) < 0) {
                report(MARKER_PATH, err.msg);
                return 1;
        }
        if (marker_validate(&m, &err) < 0)
                report(MARKER_PATH, err.msg);
        else if (strcmp(m.version, CORRAL_VERSION) != 0) {
                char p[128];
                snprintf(p, sizeof(p), "written by corral %s, this is %s: rerun setup", m.version, CORRAL_VERSION);
                report(MARKER_PATH, p);
        } else
                report(MARKER_PATH, NULL);
        accounts_check(&m, report);
        runner_check(&m, report);
        int r = firewall_check(&err);
        if (r < 0) {
                char p[1200];
                snprintf(p, sizeof(p), "%s", err.msg);
                corral_error err2 = {{0}};
                if (firewall_apply(&m, &err2) == 0)
                        snprintf(p + strlen(p), sizeof(p) - strlen(p), "; reapplied");
                else
                        snprintf(p + strlen(p), sizeof(p) - strlen(p), "; reapplying failed: %s", err2.msg);
                report("firewall table " CORRAL_NFT_FAMILY " " CORRAL_NFT_TABLE, p);
        } else
                report("firewall table " CORRAL_NFT_FAMILY " " CORRAL_NFT_TABLE, NULL);
        if (m.systemd_unit)
                report(FIREWALL_UNIT, access(FIREWALL_UNIT_LINK, F_OK) == 0 ? NULL : "missing or not enabled");
        if (m.apparmor)
                report(APPARMOR_PROFILE, access(APPARMOR_PROFILE, F_OK) == 0 ? NULL : "missing");
        printf("%s\n", failures ? "drift found (see above): rerun `sudo corral setup`" : "all as installed");
        return failures ? 1 : 0;
}

static int uninstall(void) {
        corral_error err = {{0}};
        marker m = {0};
        bool have = marker_read(MARKER_PATH, &m, &err) == 0;
        if (!have) { /* interrupted install, or nothing: remove the defaults */
                memset(&m, 0, sizeof(m));
                snprintf(m.runner, sizeof(m.runner), "%s/corral-runner", CORRAL_LIBEXECDIR);
                snprintf(m.setup, sizeof(m.setup), "%s/corral-setup", CORRAL_LIBEXECDIR);
                struct passwd *pw;
                if ((pw = getpwnam(CORRAL_USER_OFFLINE)))
                        m.users[0].uid = pw->pw_uid;
                if ((pw = getpwnam(CORRAL_USER_ONLINE)))
                        m.users[1].uid = pw->pw_uid;
        }
        printf("corral-setup: removing the users backend\n");
        int n = grants_revoke_all(&m);
        printf("  grants revoked: %d path(s)\n", n < 0 ? 0 : n);
        if (firewall_remove(&err) < 0)
                fprintf(stderr, "corral-setup: %s\n", err.msg);
        unit_remove();
        apparmor_remove();
        char sandbox[300];
        marker_sandbox_path(&m, sandbox, sizeof(sandbox));
        unlink(m.runner);
        unlink(sandbox);
        unlink(m.setup);
        rmdir(CORRAL_LIBEXECDIR);
        char parent[PATH_MAX]; /* $prefix/libexec, if setup created it (it is empty then) */
        snprintf(parent, sizeof(parent), "%s", CORRAL_LIBEXECDIR);
        rmdir(dirname(parent));
        accounts_remove(&m);
        unlink(MARKER_PATH);
        rmdir("/etc/corral");
        bool left = getpwnam(CORRAL_USER_OFFLINE) || getpwnam(CORRAL_USER_ONLINE) || getgrnam(CORRAL_GROUP) ||
                    access(MARKER_PATH, F_OK) == 0;
        printf("%s\n", left ? "not everything could be removed (see above)" : "done: nothing of corral-setup is left");
        return left ? 1 : 0;
}

static int apply_firewall(void) {
        corral_error err = {{0}};
        marker m;
        if (marker_read(MARKER_PATH, &m, &err) < 0 || marker_validate(&m, &err) < 0 || firewall_apply(&m, &err) < 0)
                return die(&err);
        return 0;
}

int main(int argc, char **argv) {
        enum { OPT_CHECK = 256, OPT_UNINSTALL, OPT_APPLY, OPT_PORT, OPT_ALLOW_LO, OPT_RUNNER, OPT_HELP };
        static const struct option options[] = {
                {"user", required_argument, NULL, 'u'},
                {"loopback-port", required_argument, NULL, OPT_PORT},
                {"allow-loopback", no_argument, NULL, OPT_ALLOW_LO},
                {"runner", required_argument, NULL, OPT_RUNNER},
                {"check", no_argument, NULL, OPT_CHECK},
                {"uninstall", no_argument, NULL, OPT_UNINSTALL},
                {"apply-firewall", no_argument, NULL, OPT_APPLY},
                {"help", no_argument, NULL, OPT_HELP},
                {0},
        };
        marker opts = {0};
        const char *member = NULL, *runner = NULL;
        int mode = 0, opt;
        while ((opt = getopt_long(argc, argv, "u:", options, NULL)) != -1) {
                switch (opt) {
                case 'u': member = optarg; break;
                case OPT_PORT: {
                        char *end;
                        long p = strtol(optarg, &end, 10);
                        if (*end || p < 1 || p > 65535 || opts.n_ports >= MARKER_MAX_PORTS) {
                                fprintf(stderr, "corral-setup: --loopback-port %s: not a port (1-65535, at most %d)\n",
                                        optarg, MARKER_MAX_PORTS);
                                return 2;
                        }
                        opts.ports[opts.n_ports++] = (uint16_t)p;
                        break;
                }
                case OPT_ALLOW_LO: opts.allow_loopback = true; break;
                case OPT_RUNNER: runner = optarg; break;
                case OPT_CHECK:
                case OPT_UNINSTALL:
                case OPT_APPLY: mode = opt; break;
                case OPT_HELP: fputs(usage, stdout); return 0;
                default: fputs(usage, stderr); return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "corral-setup: unexpected argument %s\n%s", argv[optind], usage);
                return 2;
        }
        if (geteuid() != 0) {
                fprintf(stderr, "corral-setup: must run as root (try: sudo corral setup)\n");
                return 1;
        }
        umask(022);
        if (mode == OPT_CHECK)
                return check();
        if (mode == OPT_UNINSTALL)
                return uninstall();
        if (mode == OPT_APPLY)
                return apply_firewall();
        if (!member) {
                const char *sudo_user = getenv("SUDO_USER");
                if (sudo_user && *sudo_user && strcmp(sudo_user, "root") != 0)
                        member = sudo_user;
        }
        return install(member, &opts, runner);
}
