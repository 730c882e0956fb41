/* SPDX-License-Identifier: MIT
 * The rebase state a later git would act on (gittodo.h). */
#include "supervise/gittodo.h"

#include <string.h>

#include "common/macro.h"

/* The commands of a rebase todo list that git replays without running
 * anything of the list's own (git's sequencer.c, todo_command_info). */
static const char *const replayed[] = {
        "pick",  "p", "reword", "r", "edit",  "e", "squash", "s", "fixup",      "f", "drop",
        "d",     "label", "l", "reset", "t", "merge",  "m", "break", "b", "update-ref", "u", "noop",
};

const char *gittodo_unsafe_line(const char *text, size_t len, size_t *line_len) {
        const char *p = text, *end = text + len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *eol = nl ? nl : end;
                const char *w = p;
                while (w < eol && (*w == ' ' || *w == '\t' || *w == '\r'))
                        w++;
                if (w < eol && *w != '#') {
                        const char *we = w;
                        while (we < eol && *we != ' ' && *we != '\t' && *we != '\r')
                                we++;
                        bool ok = false;
                        for (size_t i = 0; i < ELEMENTSOF(replayed) && !ok; i++)
                                ok = strlen(replayed[i]) == (size_t)(we - w) && memcmp(replayed[i], w, (size_t)(we - w)) == 0;
                        if (!ok) {
                                *line_len = (size_t)(eol - p);
                                return p;
                        }
                }
                p = nl ? nl + 1 : end;
        }
        return NULL;
}

bool gittodo_apply_opt_unsafe(const char *text, size_t len) {
        static const char needle[] = "unsafe-paths";
        size_t n = sizeof(needle) - 1;
        for (size_t i = 0; i + n <= len; i++)
                if (memcmp(text + i, needle, n) == 0)
                        return true;
        return false;
}
