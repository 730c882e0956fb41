/* SPDX-License-Identifier: MIT
 * The places a writable root must not hold (see plant.h). */
#include "policy/plant.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "common/path.h"

/* A PATH directory strictly below the workspace is the project's own
 * tooling (an active virtualenv's .venv/bin, node_modules/.bin): the command
 * can already change the project's code that the developer runs, and
 * refusing would refuse every virtualenv. The workspace itself, and what lies
 * above or beside it, still counts. */
static bool project_own(const char *workspace, const char *form, const char *what) {
        return workspace && strcmp(what, PATH_PLANT_ON_PATH) == 0 && path_holds(workspace, form) &&
               !path_holds(form, workspace);
}

static int add_form(plant_places *pp, char *form, const char *named, const char *what, const char *workspace) {
        if (!form)
                return -ENOMEM;
        if (project_own(workspace, form, what)) {
                free(form);
                return 0;
        }
        for (size_t i = 0; i < pp->forms.n; i++)
                if (strcmp(pp->forms.v[i], form) == 0) {
                        free(form);
                        return 0;
                }
        if (strv_push_take(&pp->forms, form) < 0 || strv_push(&pp->named, named) < 0 ||
            strv_push(&pp->whats, what) < 0)
                return -ENOMEM;
        return 0;
}

/* dir as named, and for each leading part (after the root), that part
 * canonical and the rest appended: the developer's shell walks every one
 * of those parts, and a root holding the entry of one could swap it. */
static int add_forms(plant_places *pp, const char *dir, const char *what, const char *workspace) {
        int r;
        if ((r = add_form(pp, strdup(dir), dir, what, workspace)) < 0)
                return r;
        size_t len = strlen(dir), start = strcspn(dir, "/\\") + 1;
        for (size_t i = start; i <= len; i++) {
                if (i < len && dir[i] != '/' && dir[i] != '\\')
                        continue;
                _cleanup_free_ char *prefix = malloc(i + 1);
                if (!prefix)
                        return -ENOMEM;
                memcpy(prefix, dir, i);
                prefix[i] = '\0';
                _cleanup_free_ char *c = path_canonicalize(prefix);
                if (!c) {
                        if (errno == ENOMEM)
                                return -ENOMEM;
                        continue; /* a loop, say: nothing to walk there */
                }
                if ((r = add_form(pp, i < len ? path_join(c, dir + i + 1) : strdup(c), dir, what, workspace)) < 0)
                        return r;
        }
        return 0;
}

int plant_places_load(plant_places *pp, const char *home, const char *workspace) {
        _cleanup_strv_ strv dirs = {0}, whats = {0};
#ifdef _WIN32
        const char *config_home = getenv("APPDATA");
#else
        const char *config_home = getenv("XDG_CONFIG_HOME");
#endif
        int r;

        memset(pp, 0, sizeof(*pp));
        if ((r = path_plant_places(getenv("PATH"), home, config_home, &dirs, &whats)) < 0)
                return r;
        for (size_t i = 0; i < dirs.n; i++)
                if ((r = add_forms(pp, dirs.v[i], whats.v[i], workspace)) < 0) {
                        plant_places_done(pp);
                        return r;
                }
        return 0;
}

long plant_places_held(const plant_places *pp, const char *root) {
        for (size_t i = 0; i < pp->forms.n; i++)
                if (path_holds(root, pp->forms.v[i]))
                        return (long)i;
        return -1;
}

void plant_places_done(plant_places *pp) {
        strv_clear(&pp->forms);
        strv_clear(&pp->named);
        strv_clear(&pp->whats);
}
