/* SPDX-License-Identifier: MIT
 * The config values as the strings users write (config/values.h). */
#include "config/values.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"

static const char *const mode_names[] = {
        [MODE_READ_ONLY] = "read-only",
        [MODE_WORKSPACE_WRITE] = "workspace-write",
        [MODE_FULL_ACCESS] = "full-access",
};

static const char *const network_names[] = {
        [NETWORK_OFF] = "off",
        [NETWORK_ON] = "on",
        [NETWORK_PROXY] = "proxy",
};

static const char *const tmp_names[] = {
        [TMP_WORKSPACE] = "workspace",
        [TMP_PRIVATE] = "private",
        [TMP_HOST] = "host",
};

static const char *const git_names[] = {
        [GIT_READ_ONLY] = "read-only",
        [GIT_COMMITS] = "commits",
};

static const char *const backend_names[] = {
        [BACKEND_AUTO] = "auto",
        [BACKEND_USERNS] = "userns",
        [BACKEND_USERS] = "users",
};

static const char *const cache_names[] = {
        [CACHE_XDG] = "xdg",       [CACHE_NPM] = "npm",       [CACHE_PNPM] = "pnpm",
        [CACHE_YARN] = "yarn",     [CACHE_PIP] = "pip",       [CACHE_UV] = "uv",
        [CACHE_POETRY] = "poetry", [CACHE_CARGO] = "cargo",   [CACHE_GO] = "go",
        [CACHE_GO_BUILD] = "go-build", [CACHE_MAVEN] = "maven", [CACHE_GRADLE] = "gradle",
        [CACHE_NODE_GYP] = "node-gyp", [CACHE_CCACHE] = "ccache",
};

static const char *const cache_mode_names[] = {
        [CACHE_OFF] = "off",
        [CACHE_PRIVATE] = "private",
        [CACHE_READ_THROUGH] = "read-through",
};

static const char *name_of(const char *const *names, size_t n, unsigned v) {
        return v < n ? names[v] : NULL;
}

static int index_of(const char *const *names, size_t n, const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (strcmp(names[i], s) == 0)
                        return (int)i;
        return -EINVAL;
}

const char *policy_mode_to_string(policy_mode m) {
        return name_of(mode_names, ELEMENTSOF(mode_names), (unsigned)m);
}

int policy_mode_from_string(const char *s, policy_mode *ret) {
        int i = index_of(mode_names, ELEMENTSOF(mode_names), s);
        if (i < 0)
                return i;
        *ret = (policy_mode)i;
        return 0;
}

const char *policy_network_to_string(policy_network n) {
        return name_of(network_names, ELEMENTSOF(network_names), (unsigned)n);
}

int policy_network_from_string(const char *s, policy_network *ret) {
        int i = index_of(network_names, ELEMENTSOF(network_names), s);
        if (i < 0)
                return i;
        *ret = (policy_network)i;
        return 0;
}

const char *policy_tmp_to_string(policy_tmp t) {
        return name_of(tmp_names, ELEMENTSOF(tmp_names), (unsigned)t);
}

int policy_tmp_from_string(const char *s, policy_tmp *ret) {
        int i = index_of(tmp_names, ELEMENTSOF(tmp_names), s);
        if (i < 0)
                return i;
        *ret = (policy_tmp)i;
        return 0;
}

const char *policy_git_to_string(policy_git g) { return name_of(git_names, ELEMENTSOF(git_names), (unsigned)g); }

int policy_git_from_string(const char *s, policy_git *ret) {
        int i = index_of(git_names, ELEMENTSOF(git_names), s);
        if (i < 0)
                return -EINVAL;
        *ret = (policy_git)i;
        return 0;
}

static const char *const report_names[] = {"off", "all", "writes"};

const char *policy_report_to_string(policy_report r) {
        return name_of(report_names, ELEMENTSOF(report_names), (unsigned)r);
}

int policy_report_from_string(const char *s, policy_report *ret) {
        int i = index_of(report_names, ELEMENTSOF(report_names), s);
        if (i < 0 && s && strcmp(s, "true") == 0)
                i = DENIALS_ALL;
        else if (i < 0 && s && strcmp(s, "false") == 0)
                i = DENIALS_OFF;
        if (i < 0)
                return -EINVAL;
        *ret = (policy_report)i;
        return 0;
}

const char *policy_backend_to_string(policy_backend b) {
        return name_of(backend_names, ELEMENTSOF(backend_names), (unsigned)b);
}

int policy_backend_from_string(const char *s, policy_backend *ret) {
        int i = index_of(backend_names, ELEMENTSOF(backend_names), s);
        if (i < 0)
                return i;
        *ret = (policy_backend)i;
        return 0;
}

const char *policy_cache_to_string(policy_cache c) {
        return name_of(cache_names, ELEMENTSOF(cache_names), (unsigned)c);
}

int policy_cache_from_string(const char *s, policy_cache *ret) {
        int i = index_of(cache_names, ELEMENTSOF(cache_names), s);
        if (i < 0)
                return i;
        *ret = (policy_cache)i;
        return 0;
}

const char *policy_cache_mode_to_string(policy_cache_mode m) {
        return name_of(cache_mode_names, ELEMENTSOF(cache_mode_names), (unsigned)m);
}

int policy_cache_mode_from_string(const char *s, policy_cache_mode *ret) {
        int i = index_of(cache_mode_names, ELEMENTSOF(cache_mode_names), s);
        if (i < 0)
                return i;
        *ret = (policy_cache_mode)i;
        return 0;
}
