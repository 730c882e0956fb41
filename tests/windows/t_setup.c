/* SPDX-License-Identifier: MIT
 * Setup's pure parts (firewall rule set, port complement, marker format) and,
 * on real Windows only, its system parts (accounts, firewall COM). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "windows/firewall_win.h"
#include "windows/marker_win.h"
#include "windows/users_win.h"
#include "test.h"

static void rules_without_ports(void) {
        win_marker m = {0};
        strcpy(m.offline_sid, "S-1-5-21-1-2-3-1001");
        fw_rule r[FW_MAX_RULES];
        size_t n;
        corral_error err = {{0}};
        CHECK(firewall_rules(&m, r, &n, &err) == 0);
        CHECK(n == 3);
        for (size_t i = 0; i < n; i++) {
                CHECK(!wcscmp(r[i].users, L"O:LSD:(A;;CC;;;S-1-5-21-1-2-3-1001)"));
                CHECK(r[i].protocol == 256);
        }
        CHECK(wcsstr(r[0].remote_addresses, L"0.0.0.0-126.255.255.255") &&
              wcsstr(r[0].remote_addresses, L"128.0.0.0-255.255.255.255"));
        CHECK(!wcsstr(r[0].remote_addresses, L"127.")); /* loopback is the third rule's */
        CHECK(wcsstr(r[1].remote_addresses, L"::2-ffff:"));
        CHECK(wcsstr(r[2].remote_addresses, L"127.0.0.0-127.255.255.255") && wcsstr(r[2].remote_addresses, L"::1"));
        m.offline_sid[0] = 0;
        CHECK(firewall_rules(&m, r, &n, &err) == -EINVAL);
}

static void rules_with_proxy_ports(void) {
        win_marker m = {0};
        strcpy(m.offline_sid, "S-1-5-21-1-2-3-1001");
        strcpy(m.loopback_ports, "3128,8080");
        fw_rule r[FW_MAX_RULES];
        size_t n;
        corral_error err = {{0}};
        CHECK(firewall_rules(&m, r, &n, &err) == 0);
        CHECK(n == 5);
        CHECK(r[2].protocol == 6 && !wcscmp(r[2].remote_ports, L"1-3127,3129-8079,8081-65535"));
        CHECK(!wcscmp(r[2].remote_addresses, L"127.0.0.1,::1"));
        CHECK(r[3].protocol == 17 && r[3].remote_ports[0] == 0);
        CHECK(wcsstr(r[3].remote_addresses, L"127.0.0.0-127.255.255.255"));
        /* the ports on 127.0.0.1 and ::1 only: the rest of 127/8, any protocol, any port */
        CHECK(r[4].protocol == 256 && r[4].remote_ports[0] == 0 &&
              !wcscmp(r[4].remote_addresses, L"127.0.0.0,127.0.0.2-127.255.255.255"));
        for (size_t i = 0; i < n; i++)
                CHECK(!wcscmp(r[i].users, L"O:LSD:(A;;CC;;;S-1-5-21-1-2-3-1001)"));
        wchar_t out[256];
        CHECK(firewall_port_complement("1,65535", out, 256, &err) == 0 && !wcscmp(out, L"2-65534"));
        CHECK(firewall_port_complement("0", out, 256, &err) == -EINVAL);
        CHECK(firewall_port_complement("80;443", out, 256, &err) == -EINVAL);
}

static void marker_round_trip(void) {
        win_marker m = {0}, back;
        strcpy(m.group, "corral-sandbox");
        strcpy(m.group_sid, "S-1-5-21-1-2-3-1010");
        strcpy(m.offline, "corral-offline");
        strcpy(m.offline_sid, "S-1-5-21-1-2-3-1001");
        strcpy(m.online, "corral-online");
        strcpy(m.online_sid, "S-1-5-21-1-2-3-1002");
        strcpy(m.runner, "C:\\Program Files\\corral\\corral-runner.exe");
        char text[4096];
        corral_error err = {{0}};
        CHECK(win_marker_format(&m, text, sizeof(text)) > 0);
        CHECK(win_marker_parse(text, &back, &err) == 0);
        CHECK(!strcmp(back.offline_sid, m.offline_sid) && !strcmp(back.runner, m.runner) && back.format == 1);
        char *v = strstr(text, "version=");
        CHECK(v != NULL);
        v[8] = '9'; /* another version */
        CHECK(win_marker_parse(text, &back, &err) == -EINVAL && strstr(err.msg, "rerun"));
        CHECK(win_marker_parse("format=1\nbogus=1\n", &back, &err) == -EINVAL && strstr(err.msg, "bogus"));
        CHECK(win_marker_parse("format=2\n", &back, &err) == -EINVAL);
}

static void accounts_and_firewall(void) {
        SKIP_ON_WINE("user creation, logon and the firewall (netapi32, INetFwPolicy2)");
        SKIP("changes the machine (accounts, firewall rules): covered by tests/windows/smoke.ps1 on real Windows");
}

const test tests_setup[] = {
        {"setup: firewall rules block non-loopback v4/v6 and loopback for the offline SID only", rules_without_ports},
        {"setup: with proxy ports, loopback TCP to the other ports and all UDP are blocked", rules_with_proxy_ports},
        {"setup: the marker round-trips; other versions and unknown keys are refused", marker_round_trip},
        {"setup: accounts and firewall rules on the machine", accounts_and_firewall},
        {0},
};
