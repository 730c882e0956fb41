/* SPDX-License-Identifier: MIT
 * `corral doctor`: what this machine supports, which backend `auto` picks,
 * and the seed's operator checklist answered with evidence from a probe that
 * runs in a real sandbox. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/json.h"
#include "common/macro.h"
#include "kernel/probe.h"
#include "doctor/apparmor.h"
#include "doctor/capture.h"
#include "corral.h"
#include "doctor/doctor_caches.h"
#include "users/doctor_users.h"
#include "plan/proc_masks.h"

typedef struct findings {
        struct utsname uts;
        int landlock_abi;
        bool seccomp;
        int userns_err;          /* 0: unprivileged user namespaces work for this caller */
        char max_userns[32], apparmor_restrict[32], debian_clone[32];
        bool container;
        char probe[2048];        /* the probe's JSON, or empty */
        char probe_error[1100];
        char cgroup[4096];       /* the delegated cgroup v2 limits use, or empty */
        char cgroup_why[1024];   /* why there is none */
        bool caches_ok;          /* the package-manager caches can be overlaid (doctor_caches.h) */
        char caches[1200];
        char proc_masked[512];   /* mount points below /proc (a container's masks), or empty */
        int proc_refused;        /* masked: why the kernel refuses the sandbox a new proc (errno), or 0 */
        bool aa_file, aa_loaded; /* /etc/apparmor.d/corral; corral's profile in the kernel */
} findings;

static void read_sysctl(const char *path, char *buf, size_t len) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f || !fgets(buf, (int)len, f))
                snprintf(buf, len, "absent");
        buf[strcspn(buf, "\n")] = 0;
        // cppcheck-suppress resourceLeak ; f is closed by _cleanup_fclose_, which cppcheck does not model
}

static const char *userns_blocker(const findings *f) {
        if (!f->userns_err)
                return NULL;
        if (strcmp(f->apparmor_restrict, "1") == 0)
                return "AppArmor's kernel.apparmor_restrict_unprivileged_userns=1 (Ubuntu 23.10+) blocks them";
        if (strcmp(f->debian_clone, "0") == 0)
                return "kernel.unprivileged_userns_clone=0 blocks them";
        if (strcmp(f->max_userns, "0") == 0)
                return "user.max_user_namespaces=0 blocks them";
        if (f->container)
                return "the container this runs in blocks them (seccomp or missing capabilities): start it with a "
                       "seccomp profile that allows clone/unshare with CLONE_NEWUSER (podman's default does; docker: "
                       "--security-opt seccomp=unconfined or such a profile), or install the users backend in it "
                       "(`corral setup` as its root), which runs without namespaces (docs/platforms.md)";
        return "blocked by the kernel configuration or a security module";
}

/* Runs the probe in a default sandbox on a temporary workspace and keeps its
 * JSON output. The probe is this very binary, handed in as the command's
 * standard input and run as /proc/self/fd/0: wherever corral is installed
 * (under /tmp, which the sandbox replaces; in a directory the sandbox
 * hides), the sandbox runs the same file. */
static void run_probe(findings *f) {
        _cleanup_close_ int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (exe < 0) {
                snprintf(f->probe_error, sizeof(f->probe_error), "cannot open the corral binary (/proc/self/exe): %s",
                         strerror(errno));
                return;
        }
        /* A temporary workspace where one can be made: /tmp may not be
         * writable (a rootless container whose /tmp belongs to an id it
         * cannot map fails with EOVERFLOW), so the cache directory is last. */
        const char *tmpdir = getenv("TMPDIR"), *xdg = getenv("XDG_CACHE_HOME"), *home_env = getenv("HOME");
        char cache[4096] = "";
        if (xdg && xdg[0] == '/')
                snprintf(cache, sizeof(cache), "%s", xdg);
        else if (home_env && home_env[0] == '/')
                snprintf(cache, sizeof(cache), "%s/.cache", home_env);
        const char *bases[] = {tmpdir && tmpdir[0] == '/' ? tmpdir : "/tmp", "/tmp", "/var/tmp", cache};
        char ws[4200] = "";
        int first_err = 0;
        for (size_t i = 0; i < ELEMENTSOF(bases) && !ws[0]; i++) {
                if (!bases[i][0])
                        continue;
                if (i == 3)
                        (void)mkdir(bases[i], 0700);
                snprintf(ws, sizeof(ws), "%s/corral-doctor-XXXXXX", bases[i]);
                if (!mkdtemp(ws)) {
                        first_err = first_err ? first_err : errno;
                        ws[0] = 0;
                }
        }
        if (!ws[0]) {
                snprintf(f->probe_error, sizeof(f->probe_error),
                         "cannot create a workspace in $TMPDIR, /tmp, /var/tmp or the cache directory: %s",
                         strerror(first_err));
                return;
        }
        const char *home = getenv("HOME");
        char *argv[] = {"/proc/self/fd/0", "__doctor-probe", ws, (char *)(home && home[0] == '/' ? home : "/usr"),
                        NULL};
        corral_error err = {{0}};
        int code = 0;
        /* this probe is userns's: the users backend has its own (doctor_users.c) */
        if (doctor_capture(ws, "userns", "off", argv, exe, f->probe, sizeof(f->probe), &code, &err) < 0)
                snprintf(f->probe_error, sizeof(f->probe_error), "%s", err.msg);
        else {
                f->probe[strcspn(f->probe, "\n")] = 0;
                if (code != 0 || !f->probe[0])
                        snprintf(f->probe_error, sizeof(f->probe_error), "the probe exited with %d", code);
        }
        rmdir(ws);
}

/* The value of "key": in the probe's flat JSON object (strings unquoted). */
static const char *probe_value(const findings *f, const char *key, char *buf, size_t len) {
        char pat[64];
        snprintf(pat, sizeof(pat), "\"%s\":", key);
        const char *p = strstr(f->probe, pat);
        if (!p)
                return "?";
        p += strlen(pat);
        bool quoted = *p == '"';
        p += quoted;
        size_t n = strcspn(p, quoted ? "\"" : ",}");
        snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
        return buf;
}

static void gather(findings *f) {
        memset(f, 0, sizeof(*f));
        uname(&f->uts);
        f->landlock_abi = landlock_abi_version();
        f->seccomp = seccomp_available();
        read_sysctl("/proc/sys/user/max_user_namespaces", f->max_userns, sizeof(f->max_userns));
        read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", f->apparmor_restrict,
                    sizeof(f->apparmor_restrict));
        read_sysctl("/proc/sys/kernel/unprivileged_userns_clone", f->debian_clone, sizeof(f->debian_clone));
        f->container = access("/.dockerenv", F_OK) == 0 || access("/run/.containerenv", F_OK) == 0;
        f->userns_err = userns_sandbox_probe();
        proc_masks(f->proc_masked, sizeof(f->proc_masked));
        if (f->proc_masked[0] && !f->userns_err)
                f->proc_refused = proc_new_refused();
        f->aa_file = access("/etc/apparmor.d/corral", F_OK) == 0;
        _cleanup_fclose_ FILE *aa = fopen("/sys/kernel/security/apparmor/profiles", "re");
        char line[512];
        while (aa && fgets(line, sizeof(line), aa))
                if (strncmp(line, "corral ", 7) == 0)
                        f->aa_loaded = true;
        fclosep(&aa);
        char *cg = NULL;
        corral_error cg_err = {{0}};
        if (cgroup_find_delegated(&cg, &cg_err) == 0)
                snprintf(f->cgroup, sizeof(f->cgroup), "%s", cg);
        else
                snprintf(f->cgroup_why, sizeof(f->cgroup_why), "%s", cg_err.msg);
        free(cg);
        if (!f->userns_err)
                run_probe(f);
        f->caches_ok = doctor_caches_overlay(f->caches, sizeof(f->caches));
}

/* Which mechanism enforces --limit-memory and --limit-pids (plan/limits.c). */
static void print_limits_text(const findings *f, FILE *o) {
        if (f->cgroup[0])
                fprintf(o, "  %-18s cgroup v2, delegated: %s (memory.max, pids.max for the whole tree; a child per "
                           "run, killed with cgroup.kill) with the userns backend; RLIMIT_CPU; /tmp, /dev/shm size\n",
                        "resource limits", f->cgroup);
        else
                fprintf(o, "  %-18s fallback: RLIMIT_DATA (memory, per process), RLIMIT_NPROC (pids, per run%s), "
                           "RLIMIT_CPU, /tmp and /dev/shm tmpfs size; no cgroup v2: %s\n",
                        "resource limits", getuid() == 0 ? "; not for uid 0: --limit-pids is refused" : "",
                        f->cgroup_why);
}

static const char *landlock_text(int abi) {
        if (abi <= 0)
                return "not available: the mounts alone enforce writes; --network on is refused (it needs ABI 6, "
                       "Linux 6.12); the users backend cannot run without namespaces";
        if (abi == 1)
                return "writes; links and renames between directories of a writable root fail (EXDEV: no "
                       "LANDLOCK_ACCESS_FS_REFER before ABI 2, Linux 5.19); abstract unix sockets not scoped: "
                       "--network on is refused (it needs ABI 6, Linux 6.12)";
        if (abi < 6)
                return "writes; abstract unix sockets not scoped: --network on is refused (it needs ABI 6, Linux "
                       "6.12), and so is the users backend without namespaces";
        return "writes; abstract unix sockets and signals scoped to the sandbox";
}

/* What the sandbox gets for /proc where the container masks it
 * (plan_userns.c, plan_proc). */
static const char *proc_sandbox(const findings *f) {
        if (f->userns_err)
                return NULL; /* no sandbox at all */
        if (!f->proc_masked[0] || !f->proc_refused)
                return "own";
        const char *require_own = getenv(PROC_REQUIRE_OWN_ENV);
        if (require_own && strcmp(require_own, "1") == 0)
                return "refused";
        return f->landlock_abi > 0 ? "container" : "refused";
}

static void proc_text(const findings *f, char *buf, size_t len) {
        const char *what = proc_sandbox(f);
        if (!what)
                snprintf(buf, len, "masked here (%s): %s", f->proc_masked, PROC_MASKED_FIX);
        else if (strcmp(what, "own") == 0)
                snprintf(buf, len, "masked here (%s), but the kernel gives the sandbox a new proc of its own "
                                   "(another proc mount here is fully visible)",
                         f->proc_masked);
        else if (strcmp(what, "container") == 0)
                snprintf(buf, len, "masked here (%s) and the kernel refuses the sandbox a new proc (%s): runs keep the "
                                   "container's /proc, read-only, and say so on stderr: its processes, their command "
                                   "lines and status are visible to the command; Landlock keeps their memory, "
                                   "environment, descriptors and files out of reach; writes to /proc/self fail. "
                                   PROC_REQUIRE_OWN_ENV "=1 refuses instead. For a /proc of the sandbox's own: %s",
                         f->proc_masked, strerror(f->proc_refused), PROC_MASKED_FIX);
        else
                snprintf(buf, len, "masked here (%s) and the kernel refuses the sandbox a new proc (%s); %s, so the "
                                   "userns backend refuses to run (125): %s",
                         f->proc_masked, strerror(f->proc_refused),
                         f->landlock_abi > 0 ? PROC_REQUIRE_OWN_ENV "=1 refuses the container's /proc"
                                             : "the container's /proc would do only with Landlock, which is not "
                                               "available",
                         PROC_MASKED_FIX);
}

static void print_text(const findings *f, FILE *o) {
        char a[256], b[256], c[256];
        fprintf(o, "corral %s doctor\n", corral_version());
        fprintf(o, "  %-18s %s %s (%s)\n", "kernel", f->uts.sysname, f->uts.release, f->uts.machine);
        fprintf(o, "  %-18s ABI %d: %s\n", "landlock", f->landlock_abi, landlock_text(f->landlock_abi));
        if (landlock_abi_lowered() >= 0)
                fprintf(o, "  %-18s lowered from the kernel's ABI %d by the test switch CORRAL_TEST_LANDLOCK_ABI\n", "",
                        landlock_kernel_abi());
        fprintf(o, "  %-18s %s\n", "seccomp", f->seccomp ? "filters available" : "NOT available");
        if (f->userns_err)
                fprintf(o, "  %-18s do NOT work for uid %u: %s; %s\n", "user namespaces", getuid(),
                        strerror(f->userns_err), userns_blocker(f));
        else
                fprintf(o, "  %-18s work for uid %u\n", "user namespaces", getuid());
        if (strcmp(f->apparmor_restrict, "absent") != 0) {
                char aa[1024];
                doctor_apparmor_text(f->apparmor_restrict, f->aa_file, f->aa_loaded, aa, sizeof(aa));
                fprintf(o, "  %-18s %s\n", "apparmor", aa);
        }
        if (f->proc_masked[0]) {
                char t[1600];
                proc_text(f, t, sizeof(t));
                fprintf(o, "  %-18s %s\n", "/proc", t);
        }
        fprintf(o, "  %-18s user.max_user_namespaces=%s kernel.apparmor_restrict_unprivileged_userns=%s "
                   "kernel.unprivileged_userns_clone=%s\n",
                "sysctls", f->max_userns, f->apparmor_restrict, f->debian_clone);
        print_limits_text(f, o);
        fprintf(o, "  %-18s %s\n", "caches", f->caches);
        char why_not[1100];
        if (doctor_users_usable(why_not, sizeof(why_not)))
                fprintf(o, "  %-18s users: installed and you are in its group; strongest, because commands run "
                           "under another uid (your 0600 files, processes and sockets are out of reach by "
                           "construction) on top of everything userns does\n",
                        "backend (auto)");
        else
                fprintf(o, "  %-18s %s\n", "backend (auto)",
                        f->userns_err ? "none works here: the elevated 'users' backend (corral-setup) is needed"
                                      : "userns (users is not usable here, see below)");
        fprintf(o, "\noperator checklist, answered by a probe in a real sandbox:\n");
        if (!f->probe[0]) {
                fprintf(o, "  the probe could not run: %s\n",
                        f->probe_error[0] ? f->probe_error : "user namespaces do not work");
                return;
        }
        fprintf(o, "  %-34s uid %s, the caller's own, in a user namespace; CapEff %s\n",
                "which account runs commands?", probe_value(f, "uid", a, sizeof(a)),
                probe_value(f, "cap_eff", b, sizeof(b)));
        fprintf(o, "  %-34s workspace: %s; outside: %s; .git: %s\n", "how are writes scoped?",
                probe_value(f, "write_workspace", a, sizeof(a)), probe_value(f, "write_outside", b, sizeof(b)),
                probe_value(f, "write_protected", c, sizeof(c)));
        fprintf(o, "  %-34s %s (own network namespace; connect to 198.51.100.1:9: %s)\n",
                "are network limits OS-enforced?",
                strcmp(probe_value(f, "connect", a, sizeof(a)), "ok") ? "yes" : "NO", a);
        fprintf(o, "  %-34s a child reports NoNewPrivs %s, Seccomp %s, CapEff %s\n",
                "do restrictions reach children?", probe_value(f, "child_no_new_privs", a, sizeof(a)),
                probe_value(f, "child_seccomp", b, sizeof(b)), probe_value(f, "child_cap_eff", c, sizeof(c)));
        fprintf(o, "  %-34s none: unprivileged user namespaces are enough\n", "what admin setup is required?");
}

static void print_json(const findings *f, FILE *o) {
        fprintf(o, "{\"version\":");
        json_put_string(o, corral_version());
        fprintf(o, ",\"kernel\":");
        json_put_string(o, f->uts.release);
        fprintf(o, ",\"landlock_abi\":%d,\"landlock_kernel_abi\":%d,\"seccomp\":%s,\"userns\":{\"works\":%s,"
                   "\"error\":",
                f->landlock_abi, landlock_kernel_abi(), f->seccomp ? "true" : "false", f->userns_err ? "false" : "true");
        json_put_string(o, f->userns_err ? strerror(f->userns_err) : NULL);
        fprintf(o, ",\"blocked_by\":");
        json_put_string(o, userns_blocker(f));
        fprintf(o, ",\"max_user_namespaces\":");
        json_put_string(o, f->max_userns);
        fprintf(o, ",\"apparmor_restrict_unprivileged_userns\":");
        json_put_string(o, f->apparmor_restrict);
        char aa[1024];
        doctor_apparmor_text(f->apparmor_restrict, f->aa_file, f->aa_loaded, aa, sizeof(aa));
        fprintf(o, ",\"apparmor\":{\"profile_installed\":%s,\"profile_loaded\":%s,\"effect\":",
                f->aa_file ? "true" : "false", f->aa_loaded ? "true" : "false");
        json_put_string(o, aa);
        fprintf(o, "}},\"proc_masked\":");
        json_put_string(o, f->proc_masked[0] ? f->proc_masked : NULL);
        fprintf(o, ",\"proc\":");
        json_put_string(o, proc_sandbox(f));
        fprintf(o, ",\"auto_backend\":");
        char why_not[1100];
        json_put_string(o, doctor_users_usable(why_not, sizeof(why_not)) ? "users" : f->userns_err ? NULL : "userns");
        fprintf(o, ",\"limits\":{\"mechanism\":\"%s\",\"cgroup\":", f->cgroup[0] ? "cgroup" : "rlimits");
        json_put_string(o, f->cgroup[0] ? f->cgroup : NULL);
        fprintf(o, ",\"no_cgroup_because\":");
        json_put_string(o, f->cgroup[0] ? NULL : f->cgroup_why);
        fprintf(o, ",\"pids_for_uid0\":%s}", f->cgroup[0] || getuid() != 0 ? "true" : "false");
        fprintf(o, ",\"caches\":{\"read_through\":%s,\"detail\":", f->caches_ok ? "true" : "false");
        json_put_string(o, f->caches);
        fputc('}', o);
        fprintf(o, ",\"checklist\":");
        if (f->probe[0]) {
                char a[256], b[256];
                fprintf(o, "{\"account\":{\"uid\":%s,\"own_uid\":true,\"cap_eff\":%s},",
                        probe_value(f, "uid", a, sizeof(a)), probe_value(f, "cap_eff", b, sizeof(b)));
                fprintf(o, "\"writes\":{\"workspace\":");
                json_put_string(o, probe_value(f, "write_workspace", a, sizeof(a)));
                fprintf(o, ",\"outside\":");
                json_put_string(o, probe_value(f, "write_outside", a, sizeof(a)));
                fprintf(o, ",\"protected\":");
                json_put_string(o, probe_value(f, "write_protected", a, sizeof(a)));
                fprintf(o, "},\"network\":{\"os_enforced\":%s,\"connect\":",
                        strcmp(probe_value(f, "connect", a, sizeof(a)), "ok") ? "true" : "false");
                json_put_string(o, a);
                fprintf(o, "},\"children\":{\"no_new_privs\":%s,", probe_value(f, "child_no_new_privs", a, sizeof(a)));
                fprintf(o, "\"seccomp\":%s,", probe_value(f, "child_seccomp", a, sizeof(a)));
                fprintf(o, "\"cap_eff\":%s},\"admin_setup\":\"none\"}", probe_value(f, "child_cap_eff", a, sizeof(a)));
        } else {
                fprintf(o, "null,\"probe_error\":");
                json_put_string(o, f->probe_error[0] ? f->probe_error : "user namespaces do not work");
        }
        fprintf(o, ",\"users\":"); /* the users backend (docs/elevated.md) */
        doctor_users_json(o);
        fprintf(o, "}\n");
}

int corral_doctor(FILE *o, bool json) {
        findings *f = malloc(sizeof(*f));
        if (!f)
                return -ENOMEM;
        gather(f);
        if (json)
                print_json(f, o);
        else {
                print_text(f, o);
                doctor_users_text(o); /* the users backend (docs/elevated.md) */
        }
        free(f);
        return ferror(o) ? -EIO : 0;
}
