/* SPDX-License-Identifier: MIT
 * The protected names' families, and freeing a policy (the values' names:
 * config/values.c). */
#include "policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"

/* mise: its configs whose trust is that of their directory (config_root in
 * mise's src/config/config_file/config_root.rs), named without a directory. */
static const char *const mise_names[] = {
        "mise.toml", ".mise.toml", "mise.local.toml", ".mise.local.toml", ".rtx.toml", ".rtx.local.toml",
        ".mise", ".tool-versions",
};

unsigned policy_name_family(const char *name) {
        /* lefthook: lefthook.yml, .lefthook-local.toml, .lefthook/, ... */
        const char *n = name[0] == '.' ? name + 1 : name;
        if (strncmp(n, "lefthook", 8) == 0 && (!n[8] || n[8] == '.' || n[8] == '-'))
                return FAMILY_LEFTHOOK;
        for (size_t i = 0; i < ELEMENTSOF(mise_names); i++)
                if (strcmp(name, mise_names[i]) == 0)
                        return FAMILY_MISE;
        return 0;
}

/* Other version control systems' repositories: Mercurial's .hg (its hgrc's
 * [hooks] run at the developer's next hg command, a prompt's hg id among
 * them), Sapling's .sl (its config, likewise), Jujutsu's .jj (its repo
 * config's editor, pager, fix tools and aliases). Protected where they
 * exist; a missing one is not held: an empty .hg is an empty repository to
 * hg and to the build tools that ask it for a version (setuptools-scm). */
static const char *const vcs_dirs[] = {".hg", ".sl", ".jj"};

bool policy_holds_missing_at_top(const char *name, bool root_is_repository, unsigned families_present) {
        for (size_t i = 0; i < ELEMENTSOF(vcs_dirs); i++)
                if (strcmp(name, vcs_dirs[i]) == 0)
                        return false;
        unsigned family = policy_name_family(name);
        if (family)
                return (families_present & family) != 0;
        return !root_is_repository || strcmp(name, "HEAD") != 0;
}

void policy_free(policy *p) {
        if (!p)
                return;
        free(p->workspace);
        free(p->cwd);
        free(p->home);
        strv_clear(&p->writable_roots);
        strv_clear(&p->protect);
        strv_clear(&p->deny_read);
        strv_clear(&p->allow_read);
        strv_clear(&p->allow_unix_sockets);
        strv_clear(&p->allow_domains);
        strv_clear(&p->deny_domains);
        strv_clear(&p->held_roots);
        strv_clear(&p->sandbox_roots);
        strv_clear(&p->env_drop);
        strv_clear(&p->env_keep);
        strv_clear(&p->env_set);
        free(p->caches_dir);
        strv_clear(&p->git_env);
        strv_clear(&p->git_known);
        strv_clear(&p->git_known_hooks);
        *p = (policy){0};
}
