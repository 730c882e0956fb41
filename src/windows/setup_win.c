/* SPDX-License-Identifier: MIT
 * corral-setup.exe: the one-time elevated installer of the Windows users
 * backend (docs/windows.md). `corral setup` starts it through a UAC prompt.
 *
 *   corral-setup.exe [--loopback-port N]... [--log FILE]   install or repair
 *   corral-setup.exe --check                                drift report (exit 0/1)
 *   corral-setup.exe --uninstall                            remove everything
 *
 * Install, in order (each step idempotent; rerunning repairs): the firewall
 * must be usable (on, not overridden by Group Policy); group corral-sandbox;
 * accounts corral-offline and corral-online with fresh random passwords,
 * members of the group, hidden from the logon screen; corral-runner.exe
 * copied to %ProgramFiles%\corral (only administrators can replace it); the
 * firewall rules, read back; the passwords, DPAPI-encrypted for the
 * developer (the account that elevated) in its %LOCALAPPDATA%\corral; the
 * marker %ProgramData%\corral\setup.txt last. */
#include <aclapi.h>
#include <errno.h>
#include <sddl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "windows/acl_win.h"
#include "windows/sid_win.h"
#include "windows/token_win.h"
#include "common/macro.h"
#include "windows/wide_win.h"
#include "windows/credentials_win.h"
#include "windows/firewall_win.h"
#include "windows/marker_win.h"
#include "windows/users_win.h"

static FILE *setup_log;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char buf[2048];
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        fprintf(stderr, "corral-setup: %s\n", buf);
        if (setup_log) {
                fprintf(setup_log, "corral-setup: %s\n", buf);
                fflush(setup_log);
        }
}

static int failed(const corral_error *err) {
        say("%s", err->msg);
        return 1;
}

static int sid_of(const char *name, char *out, size_t size, corral_error *err) {
        PSID sid;
        int r = sid_lookup_account(name, &sid, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *s = sid_to_string(sid);
        free(sid);
        if (!s)
                return oom(err);
        snprintf(out, size, "%s", s);
        return 0;
}

/* A directory only administrators and SYSTEM can change; users read. */
static int admin_dir(const char *dir, corral_error *err) {
        static const wchar_t sddl[] = L"O:BAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)";
        PSECURITY_DESCRIPTOR sd;
        if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
                return win_error(err, GetLastError(), "cannot build the security descriptor for %s", dir);
        _cleanup_free_ wchar_t *w = win_wide(dir);
        int r = 0;
        SECURITY_ATTRIBUTES sa = {.nLength = sizeof(sa), .lpSecurityDescriptor = sd};
        if (!w)
                r = oom(err);
        else if (!CreateDirectoryW(w, &sa)) {
                DWORD e = GetLastError();
                DWORD a = GetFileAttributesW(w);
                if (e != ERROR_ALREADY_EXISTS)
                        r = win_error(err, e, "cannot create %s", dir);
                else if (a == INVALID_FILE_ATTRIBUTES || !(a & FILE_ATTRIBUTE_DIRECTORY) ||
                         (a & FILE_ATTRIBUTE_REPARSE_POINT))
                        /* %ProgramData% lets any user create directories: a
                         * junction planted there before setup would have this
                         * elevated process re-own and re-ACL its target and
                         * write the marker into it */
                        r = error_set(err, -EEXIST,
                                      "%s exists but is a link or not a directory (planted by another user?): remove "
                                      "it and rerun setup",
                                      dir);
                else {
                        /* existing: impose the same owner and DACL */
                        BOOL present, defaulted;
                        PACL dacl;
                        PSID owner;
                        GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
                        GetSecurityDescriptorOwner(sd, &owner, &defaulted);
                        e = SetNamedSecurityInfoW(w, SE_FILE_OBJECT,
                                                  OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION |
                                                          PROTECTED_DACL_SECURITY_INFORMATION,
                                                  owner, NULL, dacl, NULL);
                        if (e != ERROR_SUCCESS)
                                r = win_error(err, e, "cannot secure %s", dir);
                }
        }
        LocalFree(sd);
        return r;
}

static int write_file(const char *path, const char *text, corral_error *err) {
        _cleanup_free_ wchar_t *w = win_wide(path);
        if (!w)
                return oom(err);
        HANDLE h = CreateFileW(w, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        if (h == INVALID_HANDLE_VALUE)
                return win_error(err, GetLastError(), "cannot write %s", path);
        DWORD n;
        BOOL ok = WriteFile(h, text, (DWORD)strlen(text), &n, NULL);
        CloseHandle(h);
        return ok ? 0 : win_error(err, GetLastError(), "cannot write %s", path);
}

static void program_files(char *buf, size_t size) {
        const char *pf = getenv("ProgramFiles");
        snprintf(buf, size, "%s\\corral", pf && *pf ? pf : "C:\\Program Files");
}

static int install_runner(char *runner, size_t size, corral_error *err) {
        wchar_t self[MAX_PATH + 32];
        DWORD n = GetModuleFileNameW(NULL, self, MAX_PATH);
        if (n == 0 || n >= MAX_PATH)
                return win_error(err, GetLastError(), "cannot find corral-setup.exe's directory");
        wchar_t *slash = wcsrchr(self, L'\\');
        wcscpy(slash ? slash + 1 : self, L"corral-runner.exe");
        char dir[1024];
        program_files(dir, sizeof(dir));
        int r = admin_dir(dir, err);
        if (r < 0)
                return r;
        snprintf(runner, size, "%s\\corral-runner.exe", dir);
        _cleanup_free_ wchar_t *dst = win_wide(runner);
        if (!dst || !CopyFileW(self, dst, FALSE))
                return win_error(err, GetLastError(), "cannot copy corral-runner.exe to %s", runner);
        return 0;
}

static int install(const char *ports) {
        corral_error err = {{0}};
        win_marker m = {0};
        win_credentials cred = {0};
        snprintf(m.group, sizeof(m.group), "%s", WIN_GROUP);
        snprintf(m.offline, sizeof(m.offline), "%s", WIN_USER_OFFLINE);
        snprintf(m.online, sizeof(m.online), "%s", WIN_USER_ONLINE);
        snprintf(m.loopback_ports, sizeof(m.loopback_ports), "%s", ports);

        say("checking that Windows Firewall is on and honours local rules");
        if (firewall_check_usable(&err) < 0)
                return failed(&err);
        wchar_t tmp[256];
        if (firewall_port_complement(ports, tmp, 256, &err) < 0)
                return failed(&err);
        say("group %s, accounts %s and %s", m.group, m.offline, m.online);
        if (users_ensure_group(m.group, &err) < 0 ||
            cred_random_password(cred.offline_password, sizeof(cred.offline_password), &err) < 0 ||
            cred_random_password(cred.online_password, sizeof(cred.online_password), &err) < 0 ||
            users_ensure_user(m.offline, cred.offline_password, &err) < 0 ||
            users_ensure_user(m.online, cred.online_password, &err) < 0 ||
            users_add_to_group(m.group, m.offline, &err) < 0 || users_add_to_group(m.group, m.online, &err) < 0 ||
            users_hide(m.offline, true, &err) < 0 || users_hide(m.online, true, &err) < 0 ||
            sid_of(m.group, m.group_sid, sizeof(m.group_sid), &err) < 0 ||
            sid_of(m.offline, m.offline_sid, sizeof(m.offline_sid), &err) < 0 ||
            sid_of(m.online, m.online_sid, sizeof(m.online_sid), &err) < 0) {
                SecureZeroMemory(&cred, sizeof(cred));
                return failed(&err);
        }
        say("installing corral-runner.exe");
        if (install_runner(m.runner, sizeof(m.runner), &err) < 0) {
                SecureZeroMemory(&cred, sizeof(cred));
                return failed(&err);
        }
        say("firewall rules for %s (%s), read back", m.offline, m.offline_sid);
        if (firewall_install(&m, &err) < 0) {
                SecureZeroMemory(&cred, sizeof(cred));
                return failed(&err);
        }
        _cleanup_free_ char *cred_path = cred_default_path();
        say("credentials for this account (DPAPI): %s", cred_path ? cred_path : "?");
        if (cred_path) {
                _cleanup_free_ char *dir = strdup(cred_path);
                char *slash = dir ? strrchr(dir, '/') : NULL;
                if (slash) {
                        *slash = 0;
                        _cleanup_free_ wchar_t *wd = win_wide(dir);
                        if (wd)
                                CreateDirectoryW(wd, NULL);
                }
        }
        int r = cred_store(NULL, &cred, &err);
        SecureZeroMemory(&cred, sizeof(cred));
        if (r < 0)
                return failed(&err);
        _cleanup_free_ char *mdir = win_marker_dir();
        char text[4096], path[1200];
        if (!mdir || admin_dir(mdir, &err) < 0 || win_marker_format(&m, text, sizeof(text)) < 0)
                return failed(&err);
        snprintf(path, sizeof(path), "%s/setup.txt", mdir);
        _cleanup_free_ wchar_t *wpath = win_wide(path);
        if (wpath)
                DeleteFileW(wpath); /* a link left there goes, not what it points to */
        if (write_file(path, text, &err) < 0)
                return failed(&err);
        say("done: marker %s", path);
        say("the sandbox users read only what Users may read: `corral grant --read DIR` for toolchains in your "
            "profile");
        return 0;
}

static int check(void) {
        corral_error err = {{0}};
        win_marker m;
        win_credentials c;
        int bad = 0;
        if (win_marker_read(&m, &err) < 0)
                return failed(&err);
        say("marker: format %d, corral %s", m.format, m.version);
        const char *users[] = {m.offline, m.online};
        for (int i = 0; i < 2; i++) {
                PSID sid;
                if (sid_lookup_account(users[i], &sid, &err) < 0) {
                        bad |= failed(&err);
                        continue;
                }
                free(sid);
                if (!users_is_member(m.group, users[i])) {
                        say("%s is not a member of %s", users[i], m.group);
                        bad = 1;
                }
        }
        _cleanup_free_ wchar_t *runner = win_wide(m.runner);
        if (!runner || GetFileAttributesW(runner) == INVALID_FILE_ATTRIBUTES) {
                say("%s is missing", m.runner);
                bad = 1;
        }
        if (firewall_check_usable(&err) < 0 || firewall_verify(&m, &err) < 0)
                bad |= failed(&err);
        if (cred_load(NULL, &c, &err) < 0)
                bad |= failed(&err);
        SecureZeroMemory(&c, sizeof(c));
        say(bad ? "drift found: run `corral setup` again" : "everything as installed");
        return bad;
}

/* Removes the ACEs every recorded grant added (grants.txt: "W|D SID PATH"),
 * for the capability SIDs and the sandbox group. */
static void revoke_grants(const win_marker *m) {
        const char *base = getenv("LOCALAPPDATA");
        char file[2048];
        snprintf(file, sizeof(file), "%s/corral/grants.txt", base ? base : ".");
        _cleanup_free_ wchar_t *w = win_wide(file);
        FILE *f = w ? _wfopen(w, L"r") : NULL;
        PSID group = NULL;
        if (!f)
                return;
        sid_from_string(m->group_sid, &group, NULL);
        char line[4400];
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\r\n")] = 0;
                char *sid = strchr(line, ' '), *path = sid ? strchr(sid + 1, ' ') : NULL;
                if (!path)
                        continue;
                *path++ = 0;
                PSID cap;
                corral_error err = {{0}};
                if (sid_from_string(sid + 1, &cap, &err) == 0) {
                        if (acl_path_remove(path, cap, &err) < 0)
                                say("%s", err.msg);
                        free(cap);
                }
                if (group && acl_path_remove(path, group, &err) < 0)
                        say("%s", err.msg);
        }
        fclose(f);
        free(group);
        DeleteFileW(w);
}

static int uninstall(void) {
        corral_error err = {{0}};
        win_marker m = {0};
        int bad = 0;
        bool have = win_marker_read(&m, &err) == 0;
        if (!have) {
                snprintf(m.group, sizeof(m.group), "%s", WIN_GROUP);
                snprintf(m.offline, sizeof(m.offline), "%s", WIN_USER_OFFLINE);
                snprintf(m.online, sizeof(m.online), "%s", WIN_USER_ONLINE);
        }
        _cleanup_free_ char *mdir = win_marker_dir();
        char path[1200];
        snprintf(path, sizeof(path), "%s/setup.txt", mdir ? mdir : "C:/ProgramData/corral");
        _cleanup_free_ wchar_t *wm = win_wide(path);
        if (wm)
                DeleteFileW(wm);
        if (have)
                revoke_grants(&m);
        if (firewall_remove(&err) < 0)
                bad |= failed(&err);
        const char *users[] = {m.offline, m.online};
        for (int i = 0; i < 2; i++)
                if (users_hide(users[i], false, &err) < 0 || users_delete(users[i], &err) < 0)
                        bad |= failed(&err);
        if (users_delete_group(m.group, &err) < 0)
                bad |= failed(&err);
        char dir[1024], runner[1100];
        program_files(dir, sizeof(dir));
        snprintf(runner, sizeof(runner), "%s\\corral-runner.exe", dir);
        _cleanup_free_ wchar_t *wr = win_wide(runner), *wd = win_wide(dir);
        if (wr)
                DeleteFileW(wr);
        if (wd)
                RemoveDirectoryW(wd);
        _cleanup_free_ char *cred = cred_default_path();
        _cleanup_free_ wchar_t *wc = cred ? win_wide(cred) : NULL;
        if (wc)
                DeleteFileW(wc);
        say(bad ? "uninstalled, with the errors above" : "uninstalled: accounts, group, firewall rules, runner, "
                                                         "credentials, marker and recorded grants removed");
        return bad;
}

/* `corral setup` passes the SID of the account that asked; the credentials
 * are encrypted for the account setup runs as, so both must be the same. */
static bool same_account(const wchar_t *want) {
        HANDLE tok;
        PSID me = NULL;
        corral_error err = {{0}};
        if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
                sid_token_user(tok, &me, &err);
                CloseHandle(tok);
        }
        _cleanup_free_ char *me_s = me ? sid_to_string(me) : NULL;
        free(me);
        _cleanup_free_ char *want_s = win_utf8(want);
        if (me_s && want_s && strcmp(me_s, want_s) == 0)
                return true;
        say("runs as %s but was asked for by %s (an administrator answered the UAC prompt?): the sandbox "
            "credentials would be encrypted for the wrong account. Make your account an administrator for the "
            "setup, or run corral-setup.exe from an elevated prompt of your own account",
            me_s ? me_s : "?", want_s ? want_s : "?");
        return false;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv) {
        enum { INSTALL, CHECK, UNINSTALL } what = INSTALL;
        const wchar_t *user_sid = NULL;
        char ports[256] = "";
        for (int i = 1; i < argc; i++) {
                if (!wcscmp(argv[i], L"--check"))
                        what = CHECK;
                else if (!wcscmp(argv[i], L"--uninstall"))
                        what = UNINSTALL;
                else if (!wcscmp(argv[i], L"--loopback-port") && i + 1 < argc) {
                        size_t n = strlen(ports);
                        snprintf(ports + n, sizeof(ports) - n, "%s%ls", n ? "," : "", argv[++i]);
                } else if (!wcscmp(argv[i], L"--user-sid") && i + 1 < argc) {
                        user_sid = argv[++i];
                } else if (!wcscmp(argv[i], L"--log") && i + 1 < argc) {
                        setup_log = _wfopen(argv[++i], L"w");
                } else {
                        fprintf(stderr, "usage: corral-setup.exe [--loopback-port N]... [--log FILE] | --check | "
                                        "--uninstall\n");
                        return 2;
                }
        }
        if (!token_is_elevated()) {
                say("must run elevated: use `corral setup` (it asks through UAC) or an administrator prompt");
                return 1;
        }
        if (user_sid && !same_account(user_sid))
                return 1;
        int r = what == CHECK ? check() : what == UNINSTALL ? uninstall() : install(ports);
        if (setup_log)
                fclose(setup_log);
        return r;
}
