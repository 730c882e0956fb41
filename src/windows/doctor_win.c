/* SPDX-License-Identifier: MIT
 * corral doctor on Windows: the operator's checklist (which account runs
 * commands, how writes are scoped, whether the network limit is enforced by
 * the OS, whether children are held, what admin setup is installed),
 * answered from what this machine has. It reads; it changes nothing. */
#include "corral.h"

#include <stdio.h>
#include <string.h>
#include <windows.h>

#include "windows/token_win.h"
#include "common/json.h"
#include "windows/wide_win.h"
#include "doctor/probe.h"
#include "windows/credentials_win.h"
#include "windows/firewall_win.h"
#include "windows/marker_win.h"

typedef struct facts {
        char windows[64];
        const char *wine;
        bool elevated;
        bool setup_ok, creds_ok, firewall_ok;
        char setup_msg[1024], creds_msg[1024], firewall_msg[1024];
        win_marker m;
} facts;

static void windows_version(char *buf, size_t size) {
        typedef LONG(WINAPI * rtl_get_version)(OSVERSIONINFOW *);
        OSVERSIONINFOW v = {.dwOSVersionInfoSize = sizeof(v)};
        HMODULE nt = GetModuleHandleW(L"ntdll.dll");
        rtl_get_version get = nt ? (rtl_get_version)(void (*)(void))GetProcAddress(nt, "RtlGetVersion") : NULL;
        if (get && get(&v) == 0)
                snprintf(buf, size, "%lu.%lu.%lu", (unsigned long)v.dwMajorVersion, (unsigned long)v.dwMinorVersion,
                         (unsigned long)v.dwBuildNumber);
        else
                snprintf(buf, size, "unknown");
}

static void gather(facts *f) {
        *f = (facts){0};
        windows_version(f->windows, sizeof(f->windows));
        f->wine = win_wine_version();
        f->elevated = token_is_elevated();
        corral_error e = {{0}};
        f->setup_ok = win_marker_read(&f->m, &e) == 0;
        snprintf(f->setup_msg, sizeof(f->setup_msg), "%s", f->setup_ok ? "installed" : e.msg);
        if (f->setup_ok) {
                win_credentials c;
                e.msg[0] = 0;
                f->creds_ok = cred_load(NULL, &c, &e) == 0;
                SecureZeroMemory(&c, sizeof(c));
                snprintf(f->creds_msg, sizeof(f->creds_msg), "%s", f->creds_ok ? "readable (DPAPI)" : e.msg);
                e.msg[0] = 0;
                f->firewall_ok = firewall_verify(&f->m, &e) == 0 && firewall_check_usable(&e) == 0;
                snprintf(f->firewall_msg, sizeof(f->firewall_msg), "%s",
                         f->firewall_ok ? "rules present, firewall on, local rules honoured" : e.msg);
        }
}

int corral_doctor(FILE *o, bool json) {
        facts f;
        gather(&f);
        bool users = f.setup_ok && f.creds_ok;
        const char *account = users ? "a sandbox user (corral-offline / corral-online), restricted token"
                                    : "you, under a restricted token (unelevated mode)";
        const char *network = users ? (f.firewall_ok ? "enforced: Windows Firewall rules on corral-offline"
                                                     : "NOT enforced: the firewall rules are missing or overridden; "
                                                       "offline runs are refused")
                                    : "NOT enforced: the unelevated mode's network limits are advisory (proxy "
                                      "variables); --network off is refused unless --allow-advisory-network";
        const char *reads = users ? "the sandbox user reads only what Windows lets Users read plus `corral grant "
                                    "--read` directories"
                                  : "NOT limited: the command reads whatever you can read";
        if (json) {
                fprintf(o, "{\"platform\":\"windows\",\"windows_version\":");
                json_put_string(o, f.windows);
                fprintf(o, ",\"wine\":");
                json_put_string(o, f.wine);
                fprintf(o, ",\"elevated\":%s,\"backend\":", f.elevated ? "true" : "false");
                json_put_string(o, users ? "windows-users" : "windows-restricted");
                fprintf(o, ",\"setup\":");
                json_put_string(o, f.setup_msg);
                fprintf(o, ",\"credentials\":");
                json_put_string(o, f.setup_ok ? f.creds_msg : NULL);
                fprintf(o, ",\"firewall\":");
                json_put_string(o, f.setup_ok ? f.firewall_msg : NULL);
                fprintf(o, ",\"checklist\":{\"account\":");
                json_put_string(o, account);
                fprintf(o, ",\"writes\":");
                json_put_string(o, "ACLs: an inheritable allow ACE per writable root for its capability SID "
                               "(write-restricted token), deny ACEs on protected names");
                fprintf(o, ",\"reads\":");
                json_put_string(o, reads);
                fprintf(o, ",\"network\":");
                json_put_string(o, network);
                fprintf(o, ",\"network_enforced\":%s", users && f.firewall_ok ? "true" : "false");
                fprintf(o, ",\"children\":");
                json_put_string(o, "job object with KILL_ON_JOB_CLOSE: every child, killed when the command ends or "
                               "corral dies");
                fprintf(o, ",\"admin_setup\":");
                json_put_string(o, users ? "installed" : "none (run `corral setup` for sandbox users and firewall rules)");
                fprintf(o, "},\"verified_by_probe\":false}\n");
                return ferror(o) ? -1 : 0;
        }
        fprintf(o, "corral %s on Windows %s%s%s\n", CORRAL_VERSION, f.windows, f.wine ? ", under Wine " : "",
                f.wine ? f.wine : "");
        fprintf(o, "backend (auto): %s\n", users ? "windows-users" : "windows-restricted (unelevated)");
        fprintf(o, "setup: %s\n", f.setup_msg);
        if (f.setup_ok) {
                fprintf(o, "credentials: %s\n", f.creds_msg);
                fprintf(o, "firewall: %s\n", f.firewall_msg);
        }
        fprintf(o, "\nchecklist:\n");
        fprintf(o, "  which account runs commands: %s\n", account);
        fprintf(o, "  how writes are scoped: ACLs (inheritable allow ACE per writable root for its capability SID; "
                   "write-restricted token; deny ACEs on the protected names: .git, .corral, .corral.toml, the agents' and "
                   "editors' configs, `corral explain` lists them)\n");
        fprintf(o, "  reads: %s\n", reads);
        fprintf(o, "  network limits by the OS: %s\n", network);
        fprintf(o, "  children: held in a job object (KILL_ON_JOB_CLOSE); nothing outlives the run\n");
        fprintf(o, "  admin setup: %s\n", users ? "installed (corral-setup.exe)" : "none: run `corral setup`");
        if (!users)
                fprintf(o, "\nIn the unelevated mode the limits on network and reads are ADVISORY: the command runs "
                           "as you.\n");
        fprintf(o, "(These answers come from configuration; doctor does not yet run probes through the sandbox on "
                   "Windows.)\n");
        return ferror(o) ? -1 : 0;
}

int doctor_probe_main(const char *workspace, const char *outside) {
        (void)workspace;
        (void)outside;
        fprintf(stderr, "corral: __doctor-probe is not available on Windows yet\n");
        return 125;
}
