/* SPDX-License-Identifier: MIT */
#include "users/doctor_users.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/json.h"
#include "common/macro.h"
#include "kernel/probe.h"
#include "doctor/capture.h"
#include "corral.h"
#include "users/plan_nonamespace.h"
#include "users/client.h"
#include "users/marker.h"

bool doctor_users_usable(char *reason, size_t len) {
        corral_error err = {{0}};
        if (users_available(&err) == 0)
                return true;
        snprintf(reason, len, "%s", err.msg);
        return false;
}

/* One probe: sh -c SCRIPT as a sandbox user; its stdout in out. */
static int probe(const char *ws, bool online, const char *script, char *out, size_t len, char *error, size_t elen) {
        corral_error err = {{0}};
        char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
        int code = 0;
        int r = doctor_capture(ws, "users", online ? "on" : "off", argv, -1, out, len, &code, &err);
        if (r < 0)
                snprintf(error, elen, "%s", err.msg);
        return r;
}

static const char *field(const char *text, const char *key, char *buf, size_t len) {
        char pat[64];
        snprintf(pat, sizeof(pat), "%s=", key);
        const char *p = strstr(text, pat);
        if (!p)
                return "?";
        p += strlen(pat);
        snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
        return buf;
}

typedef struct users_findings {
        bool usable;
        char reason[1100];
        marker m;
        char off[2048], on[2048], error[1100];
        bool grandchild_gone;
        int ns_err;       /* 0: user namespaces work here */
        bool nonamespace; /* blocked: the runner falls back to no namespaces */
} users_findings;

static void gather(users_findings *f) {
        memset(f, 0, sizeof(*f));
        corral_error err = {{0}};
        if (marker_read(MARKER_PATH, &f->m, &err) < 0)
                f->m.format = 0;
        f->ns_err = userns_probe();
        f->nonamespace = userns_blocked(f->ns_err);
        f->usable = doctor_users_usable(f->reason, sizeof(f->reason));
        if (!f->usable)
                return;
        /* A loopback server of our own, as the developer: the online user
         * must reach it, the offline user must not. */
        _cleanup_close_ int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t sl = sizeof(sa);
        if (srv < 0 || bind(srv, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(srv, 8) < 0 ||
            getsockname(srv, (struct sockaddr *)&sa, &sl) < 0) {
                snprintf(f->error, sizeof(f->error), "cannot start a loopback server: %s", strerror(errno));
                return;
        }
        char ws[] = "/tmp/corral-doctor-XXXXXX", tag[64], script[2048], dir[sizeof(ws) + 8];
        if (!mkdtemp(ws))
                return;
        /* The probe writes in a subdirectory: without namespaces nothing is
         * created directly in a writable root, and nothing is idmapped, so
         * the scratch directories are then open to the sandbox users. */
        snprintf(dir, sizeof(dir), "%s/d", ws);
        if (mkdir(dir, 0700) < 0 || (f->nonamespace && (chmod(ws, 01777) < 0 || chmod(dir, 0777) < 0))) {
                snprintf(f->error, sizeof(f->error), "cannot prepare %s: %s", ws, strerror(errno));
                rmdir(dir);
                rmdir(ws);
                return;
        }
        const char *home = getenv("HOME");
        /* A command line of its own that needs no `exec -a` (dash has none). */
        snprintf(tag, sizeof(tag), "sleep 29.%d", getpid());
        snprintf(script, sizeof(script),
                 "echo account=$(id -un); echo uid=$(id -u)\n"
                 "echo cap_eff=$(sed -n 's/^CapEff:\\t//p' /proc/self/status)\n"
                 "touch d/f 2>/dev/null && echo write_ws=allowed || echo write_ws=denied\n"
                 "touch '%s/.corral-doctor' 2>/dev/null && echo write_outside=ALLOWED || echo write_outside=denied\n"
                 "mkdir .git 2>/dev/null && echo write_git=ALLOWED || echo write_git=denied\n"
                 "if command -v bash >/dev/null; then bash -c 'exec 3<>/dev/tcp/127.0.0.1/%u' 2>/dev/null "
                 "&& echo connect=connected || echo connect=refused; else echo connect=?; fi\n"
                 "sh -c 'echo child=$(grep -E \"^(NoNewPrivs|Seccomp|CapEff):\" /proc/self/status | tr -d \"\\t\" | tr \"\\n\" \" \")'\n"
                 "setsid %s >/dev/null 2>&1 </dev/null &\n",
                 home && home[0] == '/' ? home : "/usr", ntohs(sa.sin_port), tag);
        probe(ws, false, script, f->off, sizeof(f->off), f->error, sizeof(f->error));
        if (!f->error[0])
                probe(ws, true, script, f->on, sizeof(f->on), f->error, sizeof(f->error));
        closep(&srv);
        char file[sizeof(ws) + 8];
        snprintf(file, sizeof(file), "%s/d/f", ws);
        unlink(file);
        rmdir(dir);
        rmdir(ws);
        /* The grandchildren were daemonised: nothing of theirs may be left. */
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "pgrep -f '^%s$' >/dev/null", tag);
        /* A fixed command; tag is "sleep 29.PID", made above. */
        f->grandchild_gone = system(cmd) != 0; // NOLINT(cert-env33-c)
}

void doctor_users_text(FILE *o) {
        users_findings *f = malloc(sizeof(*f));
        char a[256], b[256], c[256];
        if (!f)
                return;
        gather(f);
        fprintf(o, "\nusers backend (corral-setup):\n");
        if (f->m.format)
                fprintf(o, "  %-34s %s %s (uid %u) and %s (uid %u), group %s, table %s, runner %s\n", "installed",
                        MARKER_PATH, f->m.users[0].name, (unsigned)f->m.users[0].uid, f->m.users[1].name,
                        (unsigned)f->m.users[1].uid, f->m.group, f->m.table, f->m.runner);
        else
                fprintf(o, "  %-34s no (`sudo corral setup` installs it)\n", "installed");
        if (f->nonamespace)
                fprintf(o, "  %-34s namespace-less fallback: user namespaces are blocked here (%s). Commands run as "
                           "the sandbox user with Landlock, seccomp, no capabilities and no_new_privs, supervised by "
                           "a subreaper; the firewall is the only network boundary. Weaker than with namespaces: "
                           "writable roots need the sandbox users' own write permission (ACLs) and their top-level "
                           "entries are fixed, no private /tmp, /proc shows every process, deny-read paths rely on "
                           "file permissions, host unix sockets are reachable as for any local user\n",
                        "mode", strerror(f->ns_err));
        else if (f->ns_err)
                fprintf(o, "  %-34s user namespaces fail here (%s): runs are refused\n", "mode", strerror(f->ns_err));
        else
                fprintf(o, "  %-34s namespaces: user, mount, pid, ipc, cgroup; offline runs get a private network "
                           "namespace (own loopback), the firewall is the second layer\n",
                        "mode");
        if (!f->usable) {
                fprintf(o, "  %-34s %s\n", "usable by this caller", f->reason);
                free(f);
                return;
        }
        if (f->error[0] || !f->off[0]) {
                fprintf(o, "  the probes could not run: %s\n", f->error[0] ? f->error : "no output");
                free(f);
                return;
        }
        char d[256];
        fprintf(o, "  %-34s %s (uid %s) offline, %s online, through corral-runner; CapEff %s\n",
                "which account runs commands?", field(f->off, "account", a, sizeof(a)), field(f->off, "uid", b, sizeof(b)),
                field(f->on, "account", c, sizeof(c)), field(f->off, "cap_eff", d, sizeof(d)));
        fprintf(o, "  %-34s workspace (%s): %s; outside: %s; .git: %s\n", "how are writes scoped?",
                f->nonamespace ? "file permissions + Landlock" : "idmapped",
                field(f->off, "write_ws", a, sizeof(a)), field(f->off, "write_outside", b, sizeof(b)),
                field(f->off, "write_git", c, sizeof(c)));
        fprintf(o, "  %-34s offline: %s (checked before each run); "
                   "a loopback server of the caller: offline %s, online %s\n",
                "are network limits OS-enforced?",
                f->nonamespace ? "nftables on the uid only (no network namespace)" : "own network namespace + nftables on the uid", field(f->off, "connect", a, sizeof(a)),
                field(f->on, "connect", b, sizeof(b)));
        fprintf(o, "  %-34s a child reports %s; a daemonised grandchild is %s after the run\n",
                "do restrictions reach children?", field(f->off, "child", a, sizeof(a)),
                f->grandchild_gone ? "gone" : "STILL RUNNING");
        fprintf(o, "  %-34s once, as root: `sudo corral setup` (users, group, nftables table, runner with file "
                   "capabilities); `sudo corral-setup --check` verifies it\n",
                "what admin setup is required?");
        free(f);
}

void doctor_users_json(FILE *o) {
        users_findings *f = malloc(sizeof(*f));
        char a[256];
        if (!f) {
                fprintf(o, "null");
                return;
        }
        gather(f);
        fprintf(o, "{\"installed\":%s,\"mode\":\"%s\",\"usable\":%s,\"reason\":", f->m.format ? "true" : "false",
                f->nonamespace ? "nonamespace" : f->ns_err ? "refused" : "namespaces", f->usable ? "true" : "false");
        json_put_string(o, f->usable ? NULL : f->reason);
        if (f->usable && f->off[0] && !f->error[0]) {
                const char *keys[] = {"account", "uid", "cap_eff", "write_ws", "write_outside", "write_git", "connect", "child"};
                fprintf(o, ",\"offline\":{");
                for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                        fprintf(o, "%s\"%s\":", i ? "," : "", keys[i]);
                        json_put_string(o, field(f->off, keys[i], a, sizeof(a)));
                }
                fprintf(o, "},\"online\":{\"account\":");
                json_put_string(o, field(f->on, "account", a, sizeof(a)));
                fprintf(o, ",\"connect\":");
                json_put_string(o, field(f->on, "connect", a, sizeof(a)));
                fprintf(o, "},\"grandchild_gone\":%s,\"admin_setup\":\"sudo corral setup\"", f->grandchild_gone ? "true" : "false");
        } else if (f->usable) {
                fprintf(o, ",\"probe_error\":");
                json_put_string(o, f->error[0] ? f->error : "no output");
        }
        fprintf(o, "}");
        free(f);
}
