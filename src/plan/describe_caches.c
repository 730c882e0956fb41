/* SPDX-License-Identifier: MIT
 * `corral explain`: how each package-manager cache is shown to the command. */
#include <stdio.h>

#include "common/json.h"
#include "plan/caches.h"

void plan_caches_describe(const plan *pl, FILE *f) {
        if (!pl->n_caches)
                return;
        fprintf(f, "\ncaches (private ones in %s):\n", pl->caches_dir ? pl->caches_dir : "-");
        for (size_t i = 0; i < pl->n_caches; i++) {
                const plan_cache *c = &pl->caches[i];
                fprintf(f, "  %-9s %-12s %-9s %s  # %s\n", policy_cache_to_string(c->id),
                        policy_cache_mode_to_string(c->mode), cache_how_to_string(c->how), c->path ? c->path : "-",
                        c->why ? c->why : "");
                if (c->variable)
                        fprintf(f, "  %-9s %-12s %-9s set %s\n", "", "", "", c->variable);
                for (size_t k = 0; c->how == CACHE_HOW_OVERLAY && k < c->n_keep; k++)
                        fprintf(f, "  %-9s %-12s %-9s %s stays as it is, read-only\n", "", "", "", c->keep[k]);
        }
}

void plan_caches_describe_json(const plan *pl, FILE *f) {
        fputc('[', f);
        for (size_t i = 0; i < pl->n_caches; i++) {
                const plan_cache *c = &pl->caches[i];
                fprintf(f, "%s{\"name\":\"%s\",\"mode\":\"%s\",\"how\":\"%s\",\"path\":", i ? "," : "",
                        policy_cache_to_string(c->id), policy_cache_mode_to_string(c->mode), cache_how_to_string(c->how));
                json_put_string(f, c->path);
                fprintf(f, ",\"private\":");
                json_put_string(f, c->private_dir);
                fprintf(f, ",\"variable\":");
                json_put_string(f, c->variable);
                fprintf(f, ",\"why\":");
                json_put_string(f, c->why);
                fputc('}', f);
        }
        fputc(']', f);
}
