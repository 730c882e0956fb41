/* SPDX-License-Identifier: MIT */
#define COBJMACROS
#include <windows.h>
/* The firewall interfaces' GUIDs are defined here and only here. */
#include <initguid.h>
#include <netfw.h>

#include "windows/firewall_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "windows/wide_win.h"

static const wchar_t *const rule_names[FW_MAX_RULES] = {
        L"corral offline: no network (IPv4)",
        L"corral offline: no network (IPv6)",
        L"corral offline: no loopback",
        L"corral offline: no loopback (UDP)",
        L"corral offline: no loopback but 127.0.0.1",
};

int firewall_port_complement(const char *ports, wchar_t *out, size_t size, corral_error *err) {
        char seen[65536] = {0};
        const char *p = ports;
        out[0] = 0;
        if (!ports || !*ports)
                return 0;
        while (*p) {
                char *end;
                long v = strtol(p, &end, 10);
                if (end == p || v < 1 || v > 65535 || (*end && *end != ','))
                        return error_set(err, -EINVAL, "loopback port list '%s': expected numbers 1-65535 separated by ','",
                                         ports);
                seen[v] = 1;
                p = *end ? end + 1 : end;
        }
        size_t o = 0;
        for (long a = 1; a <= 65535;) {
                if (seen[a]) {
                        a++;
                        continue;
                }
                long b = a;
                while (b < 65535 && !seen[b + 1])
                        b++;
                int n = a == b ? swprintf(out + o, size - o, L"%s%ld", o ? L"," : L"", a)
                               : swprintf(out + o, size - o, L"%s%ld-%ld", o ? L"," : L"", a, b);
                if (n < 0 || (size_t)n >= size - o)
                        return error_set(err, -E2BIG, "loopback port list '%s': too many ranges", ports);
                o += (size_t)n;
                a = b + 1;
        }
        return 0;
}

int firewall_rules(const win_marker *m, fw_rule rules[FW_MAX_RULES], size_t *n, corral_error *err) {
        wchar_t users[256];
        _cleanup_free_ wchar_t *sid = win_wide(m->offline_sid);
        if (!sid || !*sid)
                return error_set(err, -EINVAL, "the offline user's SID is unknown");
        swprintf(users, 256, L"O:LSD:(A;;CC;;;%ls)", sid);
        *n = 0;
        fw_rule *r = &rules[(*n)++];
        *r = (fw_rule){.protocol = 256};
        wcscpy(r->name, rule_names[0]);
        wcscpy(r->remote_addresses, L"0.0.0.0-126.255.255.255,128.0.0.0-255.255.255.255");
        wcscpy(r->users, users);
        r = &rules[(*n)++];
        *r = (fw_rule){.protocol = 256};
        wcscpy(r->name, rule_names[1]);
        wcscpy(r->remote_addresses, L"::2-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        wcscpy(r->users, users);
        r = &rules[(*n)++];
        wcscpy(r->name, rule_names[2]);
        *r = (fw_rule){.protocol = 256};
        wcscpy(r->name, rule_names[2]);
        wcscpy(r->remote_addresses, L"127.0.0.0-127.255.255.255,::1");
        wcscpy(r->users, users);
        if (m->loopback_ports[0]) {
                /* TCP to the other ports, and all UDP */
                r->protocol = 6;
                int e = firewall_port_complement(m->loopback_ports, r->remote_ports, 256, err);
                if (e < 0)
                        return e;
                wcscpy(r->remote_addresses, L"127.0.0.1,::1");
                fw_rule *u = &rules[(*n)++];
                *u = *r;
                wcscpy(u->name, rule_names[3]);
                wcscpy(u->remote_addresses, L"127.0.0.0-127.255.255.255,::1");
                u->protocol = 17;
                u->remote_ports[0] = 0;
                fw_rule *o = &rules[(*n)++];
                *o = *u;
                wcscpy(o->name, rule_names[4]);
                wcscpy(o->remote_addresses, L"127.0.0.0,127.0.0.2-127.255.255.255");
                o->protocol = 256;
        }
        return 0;
}

/* --- COM --- */

typedef struct fw {
        INetFwPolicy2 *policy;
        INetFwRules *rules;
        bool uninit;
} fw;

static void fw_close(fw *f);

/* On failure, what was opened is released (callers return at once). */
static int fw_open(fw *f, corral_error *err) {
        *f = (fw){0};
        HRESULT hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
        f->uninit = SUCCEEDED(hr);
        hr = CoCreateInstance(&CLSID_NetFwPolicy2, NULL, CLSCTX_INPROC_SERVER, &IID_INetFwPolicy2,
                              (void **)&f->policy);
        if (FAILED(hr)) {
                f->policy = NULL;
                fw_close(f);
                return win_error(err, (DWORD)hr, "cannot reach Windows Firewall (INetFwPolicy2)");
        }
        hr = INetFwPolicy2_get_Rules(f->policy, &f->rules);
        if (FAILED(hr)) {
                f->rules = NULL;
                fw_close(f);
                return win_error(err, (DWORD)hr, "cannot read the firewall rules");
        }
        return 0;
}

static void fw_close(fw *f) {
        if (f->rules)
                INetFwRules_Release(f->rules);
        if (f->policy)
                INetFwPolicy2_Release(f->policy);
        if (f->uninit)
                CoUninitialize();
        *f = (fw){0}; /* closing twice is harmless */
}

int firewall_check_usable(corral_error *err) {
        fw f;
        int r = fw_open(&f, err);
        NET_FW_MODIFY_STATE state = NET_FW_MODIFY_STATE_OK;
        if (r == 0 && FAILED(INetFwPolicy2_get_LocalPolicyModifyState(f.policy, &state)))
                r = error_set(err, -EIO, "cannot read the firewall's LocalPolicyModifyState");
        if (r == 0 && state != NET_FW_MODIFY_STATE_OK)
                r = error_set(err, -EPERM,
                              state == NET_FW_MODIFY_STATE_GP_OVERRIDE
                                      ? "Group Policy overrides local firewall rules on this machine: corral's rules "
                                        "would have no effect; ask your administrator (or use --network on only)"
                                      : "local firewall rules are restricted by policy (state %d): corral's rules would "
                                        "not hold",
                              (int)state);
        static const NET_FW_PROFILE_TYPE2 profiles[] = {NET_FW_PROFILE2_DOMAIN, NET_FW_PROFILE2_PRIVATE,
                                                        NET_FW_PROFILE2_PUBLIC};
        static const char *const names[] = {"domain", "private", "public"};
        for (size_t i = 0; r == 0 && i < 3; i++) {
                VARIANT_BOOL on = VARIANT_FALSE;
                if (FAILED(INetFwPolicy2_get_FirewallEnabled(f.policy, profiles[i], &on)) || on != VARIANT_TRUE)
                        r = error_set(err, -EPERM,
                                      "Windows Firewall is off for the %s profile: the offline user's rules would not "
                                      "hold; turn it on",
                                      names[i]);
        }
        fw_close(&f);
        return r;
}

static int add_rule(fw *f, const fw_rule *d, corral_error *err) {
        INetFwRule3 *rule = NULL;
        HRESULT hr = CoCreateInstance(&CLSID_NetFwRule, NULL, CLSCTX_INPROC_SERVER, &IID_INetFwRule3, (void **)&rule);
        if (FAILED(hr))
                return win_error(err, (DWORD)hr, "cannot create a firewall rule object (INetFwRule3: Windows 8+)");
        BSTR name = SysAllocString(d->name), group = SysAllocString(FW_GROUP), addr = SysAllocString(d->remote_addresses);
        BSTR ports = d->remote_ports[0] ? SysAllocString(d->remote_ports) : NULL, users = SysAllocString(d->users);
        if (!name || !group || !addr || !users || (d->remote_ports[0] && !ports))
                hr = E_OUTOFMEMORY;
        if (SUCCEEDED(hr))
                hr = INetFwRule3_put_Name(rule, name);
        if (SUCCEEDED(hr))
                hr = INetFwRule3_put_Grouping(rule, group);
        if (SUCCEEDED(hr))
                hr = INetFwRule3_put_Direction(rule, NET_FW_RULE_DIR_OUT);
        if (SUCCEEDED(hr))
                hr = INetFwRule3_put_Action(rule, NET_FW_ACTION_BLOCK);
        if (SUCCEEDED(hr))
                hr = INetFwRule3_put_Protocol(rule, d->protocol);
        if (SUCCEEDED(hr))
                hr = INetFwRule3_put_RemoteAddresses(rule, addr);
        if (SUCCEEDED(hr) && ports)
                hr = INetFwRule3_put_RemotePorts(rule, ports);
        if (SUCCEEDED(hr))
                hr = INetFwRule3_put_Profiles(rule, NET_FW_PROFILE2_ALL);
        if (SUCCEEDED(hr))
                hr = INetFwRule3_put_LocalUserAuthorizedList(rule, users);
        if (SUCCEEDED(hr))
                hr = INetFwRule3_put_Enabled(rule, VARIANT_TRUE);
        if (SUCCEEDED(hr))
                hr = INetFwRules_Add(f->rules, (INetFwRule *)rule);
        SysFreeString(name);
        SysFreeString(group);
        SysFreeString(addr);
        SysFreeString(ports);
        SysFreeString(users);
        INetFwRule3_Release(rule);
        if (FAILED(hr)) {
                _cleanup_free_ char *n8 = win_utf8(d->name);
                return win_error(err, (DWORD)hr, "cannot add firewall rule '%s'", n8 ? n8 : "?");
        }
        return 0;
}

/* Compares a BSTR property with what corral wrote; Windows may normalise
 * address lists ("127.0.0.0/255.0.0.0"), so addresses are compared by
 * presence, the rest exactly. */
static bool same(BSTR got, const wchar_t *want) { return got && want && _wcsicmp(got, want) == 0; }

static int check_rule(fw *f, const fw_rule *d, corral_error *err) {
        _cleanup_free_ char *n8 = win_utf8(d->name);
        BSTR name = SysAllocString(d->name);
        INetFwRule *r1 = NULL;
        INetFwRule3 *rule = NULL;
        HRESULT hr = name ? INetFwRules_Item(f->rules, name, &r1) : E_OUTOFMEMORY;
        SysFreeString(name);
        if (FAILED(hr))
                return error_set(err, -ENOENT, "firewall rule '%s' is missing: run `corral setup` again", n8 ? n8 : "?");
        hr = INetFwRule_QueryInterface(r1, &IID_INetFwRule3, (void **)&rule);
        INetFwRule_Release(r1);
        if (FAILED(hr))
                return win_error(err, (DWORD)hr, "firewall rule '%s': no INetFwRule3", n8 ? n8 : "?");
        VARIANT_BOOL enabled = VARIANT_FALSE;
        NET_FW_RULE_DIRECTION dir = 0;
        NET_FW_ACTION action = 0;
        LONG proto = 0, profiles = 0;
        BSTR users = NULL, addr = NULL;
        const char *bad = NULL;
        if (FAILED(INetFwRule3_get_Enabled(rule, &enabled)) || enabled != VARIANT_TRUE)
                bad = "disabled";
        else if (FAILED(INetFwRule3_get_Direction(rule, &dir)) || dir != NET_FW_RULE_DIR_OUT)
                bad = "not outbound";
        else if (FAILED(INetFwRule3_get_Action(rule, &action)) || action != NET_FW_ACTION_BLOCK)
                bad = "not a block rule";
        else if (FAILED(INetFwRule3_get_Protocol(rule, &proto)) || proto != d->protocol)
                bad = "protocol changed";
        else if (FAILED(INetFwRule3_get_Profiles(rule, &profiles)) || (profiles & 7) != 7)
                bad = "not in every profile";
        else if (FAILED(INetFwRule3_get_LocalUserAuthorizedList(rule, &users)) || !same(users, d->users))
                bad = "its user list is not the offline user";
        else if (FAILED(INetFwRule3_get_RemoteAddresses(rule, &addr)) || !addr || !*addr || !wcscmp(addr, L"*"))
                bad = "its remote addresses were widened to any";
        SysFreeString(users);
        SysFreeString(addr);
        INetFwRule3_Release(rule);
        if (bad)
                return error_set(err, -EINVAL, "firewall rule '%s': %s: run `corral setup` again", n8 ? n8 : "?", bad);
        return 0;
}

static int remove_all(fw *f) {
        for (size_t i = 0; i < FW_MAX_RULES; i++) {
                BSTR name = SysAllocString(rule_names[i]);
                /* Remove deletes one rule of that name: repeat while there is one */
                for (int k = 0; name && k < 16; k++) {
                        INetFwRule *r = NULL;
                        if (FAILED(INetFwRules_Item(f->rules, name, &r)))
                                break;
                        INetFwRule_Release(r);
                        if (FAILED(INetFwRules_Remove(f->rules, name)))
                                break;
                }
                SysFreeString(name);
        }
        return 0;
}

int firewall_install(const win_marker *m, corral_error *err) {
        fw_rule rules[FW_MAX_RULES];
        size_t n;
        fw f;
        int r = firewall_rules(m, rules, &n, err);
        if (r < 0)
                return r;
        if ((r = firewall_check_usable(err)) < 0 || (r = fw_open(&f, err)) < 0)
                return r;
        remove_all(&f);
        for (size_t i = 0; r == 0 && i < n; i++)
                r = add_rule(&f, &rules[i], err);
        for (size_t i = 0; r == 0 && i < n; i++)
                r = check_rule(&f, &rules[i], err);
        fw_close(&f);
        return r;
}

int firewall_verify(const win_marker *m, corral_error *err) {
        fw_rule rules[FW_MAX_RULES];
        size_t n;
        fw f;
        int r = firewall_rules(m, rules, &n, err);
        if (r < 0)
                return r;
        if ((r = fw_open(&f, err)) < 0)
                return r;
        for (size_t i = 0; r == 0 && i < n; i++)
                r = check_rule(&f, &rules[i], err);
        fw_close(&f);
        return r;
}

int firewall_remove(corral_error *err) {
        fw f;
        int r = fw_open(&f, err);
        if (r == 0)
                remove_all(&f);
        fw_close(&f);
        return r;
}
