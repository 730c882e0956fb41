/* SPDX-License-Identifier: MIT
 * Where a program or config file that a sandboxed command planted would
 * run later, outside the sandbox: the directories on the PATH corral was
 * started with, the config home, ~/.local/bin and ~/bin (on Windows:
 * %APPDATA%), as common/path.h path_plant_places names them. A writable
 * root that is one of them or an ancestor of one is broad, as /, home and
 * home's ancestors are (path_broad_root): policy/resolve.c (and, for the
 * final path of a root, windows/plan_win.c) refuse it unless
 * allow_broad_roots. A PATH directory strictly below the workspace (an
 * active virtualenv's .venv/bin) is the project's own and is left out: the
 * command can already change the project's code the developer runs; a
 * program planted there under a common name runs when the developer next
 * runs that name with the virtualenv active (an accepted risk, SECURITY.md).
 * Portable. */
#pragma once

#include "common/strv.h"

typedef struct plant_places {
        /* Each place in every form a writable root could hold it: as named,
         * and with each of its leading parts canonical (a symbolic link on
         * the way is an entry the root's command could replace). */
        strv forms;
        strv named; /* for each form: the place as named */
        strv whats; /* for each form: what the place is */
} plant_places;

/* Fills pp (zeroed) from this process's PATH and XDG_CONFIG_HOME (on
 * Windows: APPDATA) and home (canonical; may be NULL), leaving out each form
 * of a PATH entry that lies strictly below workspace (canonical; may be
 * NULL): the workspace itself, and what is above or beside it, stays in; the
 * config home, ~/.local/bin and ~/bin always do. 0 or -ENOMEM. */
int plant_places_load(plant_places *pp, const char *home, const char *workspace);

/* The index in pp's arrays of the first form root (canonical) is or is an
 * ancestor of, or -1. */
long plant_places_held(const plant_places *pp, const char *root);

void plant_places_done(plant_places *pp);
