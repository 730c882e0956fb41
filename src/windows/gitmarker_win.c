/* SPDX-License-Identifier: MIT
 * The check of a killed --git commits run (gitmarker_win.h). */
#include "windows/gitmarker_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bcrypt.h>

#include "common/macro.h"
#include "plan/gitdir.h"
#include "windows/gitcheck_win.h"
#include "windows/wide_win.h"
#include "common/warn.h"

#define MARKER_MAGIC "corral-gitcheck 1\n"
#define MARKER_MAX ((DWORD)16 << 20)

/* A growable text. */
typedef struct growbuf {
        char *s;
        size_t n, cap;
        bool oom;
} growbuf;

static void put(growbuf *t, const char *a, const char *b, const char *c) {
        const char *parts[] = {a, b, c, "\n"};
        for (size_t i = 0; i < ELEMENTSOF(parts) && !t->oom; i++) {
                size_t n = parts[i] ? strlen(parts[i]) : 0;
                if (t->n + n + 1 > t->cap) {
                        size_t cap = (t->n + n + 1) * 2;
                        char *s = realloc(t->s, cap);
                        if (!s) {
                                t->oom = true;
                                break;
                        }
                        t->s = s;
                        t->cap = cap;
                }
                if (n)
                        memcpy(t->s + t->n, parts[i], n);
                t->n += n;
                t->s[t->n] = 0;
        }
}

/* Lines: "at N"; "K ID" (git_known); "N NAME" (git_protect), "D DEPTH";
 * "G 0|1 PATH" (a gitdir, top or not), then its "S I STATE HEX" (a state's
 * sum), "A LINE" (adopted), "L PATH" (links), "W PATH" (its worktrees, when
 * known), "P -" and "P DIGEST" (index_listed, index_keys). Paths hold no newline: Windows names cannot. */
int win_gitmarker_format(const win_plan *pl, char **text) {
        growbuf t = {0};
        char num[80];
        put(&t, MARKER_MAGIC, NULL, "");
        t.n--; /* (the magic has its newline) */
        snprintf(num, sizeof(num), "at %llu", (unsigned long long)pl->git_planned_at);
        put(&t, num, NULL, NULL);
        for (size_t i = 0; i < pl->git_known.n; i++)
                put(&t, "K ", pl->git_known.v[i], NULL);
        for (size_t i = 0; i < pl->git_protect.n; i++)
                put(&t, "N ", pl->git_protect.v[i], NULL);
        snprintf(num, sizeof(num), "D %u", pl->git_protect_depth);
        put(&t, num, NULL, NULL);
        for (size_t i = 0; i < pl->n_git_dirs; i++) {
                const win_git_dir *g = &pl->git_dirs[i];
                put(&t, g->top ? "G 1 " : "G 0 ", g->path, NULL);
                for (size_t k = 0; k < GITDIR_N_STATES; k++) {
                        char hex[65] = "-";
                        if (g->state[k] == 1)
                                for (size_t b = 0; b < 32; b++)
                                        snprintf(hex + 2 * b, 3, "%02x", g->state_sum[k][b]);
                        snprintf(num, sizeof(num), "S %zu %d ", k, g->state[k]);
                        put(&t, num, hex, NULL);
                }
                for (size_t k = 0; k < g->adopted.n; k++)
                        put(&t, "A ", g->adopted.v[k], NULL);
                for (size_t k = 0; k < g->links.n; k++)
                        put(&t, "L ", g->links.v[k], NULL);
                for (size_t k = 0; k < g->worktrees.n; k++)
                        put(&t, "W ", g->worktrees.v[k], NULL);
                if (g->index_listed)
                        put(&t, "P -", NULL, NULL);
                for (size_t k = 0; k < g->index_keys.n; k++)
                        put(&t, "P ", g->index_keys.v[k], NULL);
        }
        if (t.oom) {
                free(t.s);
                return -ENOMEM;
        }
        *text = t.s;
        return 0;
}

static int hexval(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int parse_line(char *line, win_plan *pl) {
        win_git_dir *g = pl->n_git_dirs ? &pl->git_dirs[pl->n_git_dirs - 1] : NULL;
        if (!strncmp(line, "at ", 3)) {
                pl->git_planned_at = strtoull(line + 3, NULL, 10);
                return 0;
        }
        if (!strncmp(line, "K ", 2))
                return strv_push(&pl->git_known, line + 2);
        if (!strncmp(line, "N ", 2))
                return strv_push(&pl->git_protect, line + 2);
        if (!strncmp(line, "D ", 2)) {
                pl->git_protect_depth = (unsigned)strtoul(line + 2, NULL, 10);
                return 0;
        }
        if (!strncmp(line, "G ", 2) && (line[2] == '0' || line[2] == '1') && line[3] == ' ' && line[4]) {
                win_git_dir *v = realloc(pl->git_dirs, (pl->n_git_dirs + 1) * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                pl->git_dirs = v;
                v[pl->n_git_dirs] = (win_git_dir){.top = line[2] == '1', .path = strdup(line + 4)};
                return v[pl->n_git_dirs++].path ? 0 : -ENOMEM;
        }
        if (!g)
                return -EINVAL;
        if (!strncmp(line, "A ", 2))
                return strv_push(&g->adopted, line + 2);
        if (!strncmp(line, "L ", 2))
                return strv_push(&g->links, line + 2);
        if (!strncmp(line, "W ", 2))
                return strv_push(&g->worktrees, line + 2);
        if (!strcmp(line, "P -"))
                return g->index_listed = true, 0;
        if (!strncmp(line, "P ", 2))
                return strv_push(&g->index_keys, line + 2);
        /* "S I STATE HEX": one digit each, then 64 hex digits or "-" */
        if (strncmp(line, "S ", 2) != 0 || line[2] < '0' || line[2] >= '0' + GITDIR_N_STATES || line[3] != ' ' ||
            line[4] < '0' || line[4] > '2' || line[5] != ' ')
                return -EINVAL;
        size_t k = (size_t)(line[2] - '0');
        const char *hex = line + 6;
        g->state[k] = line[4] - '0';
        if (g->state[k] != 1)
                return strcmp(hex, "-") == 0 ? 0 : -EINVAL;
        if (strlen(hex) != 64)
                return -EINVAL;
        for (size_t b = 0; b < 32; b++) {
                int hi = hexval(hex[2 * b]), lo = hexval(hex[2 * b + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                g->state_sum[k][b] = (uint8_t)(hi << 4 | lo);
        }
        return 0;
}

int win_gitmarker_parse(const char *text, win_plan *pl) {
        if (strncmp(text, MARKER_MAGIC, strlen(MARKER_MAGIC)) != 0)
                return -EINVAL;
        _cleanup_free_ char *copy = strdup(text + strlen(MARKER_MAGIC));
        if (!copy)
                return -ENOMEM;
        int r = 0;
        for (char *line = copy, *next; r == 0 && line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                r = parse_line(line, pl);
        }
        return r;
}

static char *marker_dir(const win_plan *pl) {
        _cleanup_free_ char *state = win_workspace_state_dir(pl->workspace);
        if (!state)
                return NULL;
        size_t n = strlen(state) + sizeof("/gitcheck");
        char *dir = malloc(n);
        if (dir)
                snprintf(dir, n, "%s/gitcheck", state);
        return dir;
}

/* The text of the marker open at h, or NULL. */
static char *read_all(HANDLE h) {
        LARGE_INTEGER size;
        if (!GetFileSizeEx(h, &size) || size.QuadPart < 0 || size.QuadPart > MARKER_MAX)
                return NULL;
        DWORD n = (DWORD)size.QuadPart, got = 0;
        char *s = malloc((size_t)n + 1);
        if (!s || !ReadFile(h, s, n, &got, NULL) || got != n) {
                free(s);
                return NULL;
        }
        s[n] = 0;
        return s;
}

bool win_gitmarker_check_dead(const win_plan *pl) {
        _cleanup_free_ char *dir = marker_dir(pl);
        char pattern[4200];
        snprintf(pattern, sizeof(pattern), "%s/*", dir ? dir : "");
        _cleanup_free_ wchar_t *wp = dir ? win_wide(pattern) : NULL;
        WIN32_FIND_DATAW fd;
        HANDLE find = wp ? FindFirstFileW(wp, &fd) : INVALID_HANDLE_VALUE;
        if (find == INVALID_HANDLE_VALUE)
                return false;
        bool any = false;
        do {
                if (fd.cFileName[0] == L'.' || (fd.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)))
                        continue;
                _cleanup_free_ char *name = win_utf8(fd.cFileName);
                char path[4400];
                snprintf(path, sizeof(path), "%s/%s", dir, name ? name : "");
                _cleanup_free_ wchar_t *w = name ? win_wide(path) : NULL;
                /* a live run holds its marker open for writing without
                 * sharing that: the open fails (a sharing violation) */
                HANDLE h = w ? CreateFileW(w, GENERIC_READ | DELETE, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                                           FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_DELETE_ON_CLOSE, NULL)
                             : INVALID_HANDLE_VALUE;
                if (h == INVALID_HANDLE_VALUE)
                        continue;
                _cleanup_free_ char *t = read_all(h);
                win_plan dead = {0};
                if (t && win_gitmarker_parse(t, &dead) == 0) {
                        corral_warn(GITDIR_DEAD_RUN_MSG);
                        win_gitcheck_after_run(&dead);
                        any = true;
                } else
                        corral_warn("warning: %s is not a marker corral can read; removed", path);
                win_plan_free(&dead);
                CloseHandle(h); /* (deleted on close) */
        } while (FindNextFileW(find, &fd));
        FindClose(find);
        return any;
}

void win_gitmarker_begin(const win_plan *pl, win_gitmarker *m) {
        *m = (win_gitmarker){.h = INVALID_HANDLE_VALUE};
        if (!pl->n_git_dirs)
                return;
        _cleanup_free_ char *dir = marker_dir(pl), *t = NULL;
        _cleanup_free_ wchar_t *wd = dir ? win_wide(dir) : NULL;
        unsigned char rnd[8];
        const char *why = NULL;
        char path[4400];
        if (!wd || win_gitmarker_format(pl, &t) < 0)
                why = "out of memory";
        else if (!CreateDirectoryW(wd, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
                why = "cannot create the directory";
        else if (BCryptGenRandom(NULL, rnd, sizeof(rnd), BCRYPT_USE_SYSTEM_PREFERRED_RNG) < 0)
                why = "no random name";
        if (!why) {
                snprintf(path, sizeof(path), "%s/%02x%02x%02x%02x%02x%02x%02x%02x", dir, rnd[0], rnd[1], rnd[2],
                         rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
                _cleanup_free_ wchar_t *w = win_wide(path);
                DWORD n = (DWORD)strlen(t), wrote = 0;
                m->h = w ? CreateFileW(w, GENERIC_WRITE | DELETE, FILE_SHARE_READ, NULL, CREATE_NEW,
                                       FILE_ATTRIBUTE_NORMAL, NULL)
                         : INVALID_HANDLE_VALUE;
                if (m->h == INVALID_HANDLE_VALUE)
                        why = "cannot create it";
                else if (!WriteFile(m->h, t, n, &wrote, NULL) || wrote != n || !FlushFileBuffers(m->h))
                        why = "cannot write it";
        }
        if (why) {
                corral_warn(GITDIR_NO_MARKER_FMT, dir ? dir : "the workspace's state directory", why);
                win_gitmarker_end(m);
        }
}

void win_gitmarker_end(win_gitmarker *m) {
        if (m->h != INVALID_HANDLE_VALUE) {
                FILE_DISPOSITION_INFO del = {.DeleteFile = TRUE};
                (void)SetFileInformationByHandle(m->h, FileDispositionInfo, &del, sizeof(del));
                CloseHandle(m->h);
        }
        *m = (win_gitmarker){.h = INVALID_HANDLE_VALUE};
}
