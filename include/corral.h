/* SPDX-License-Identifier: MIT
 * libcorral: run a command inside an OS-enforced boundary.
 *
 *     corral_request *req = corral_request_new();
 *     corral_request_set(req, "mode", "workspace-write", &err);
 *     corral_request_set_command(req, argv);
 *     corral_sandbox *sb;
 *     if (corral_sandbox_new(req, &sb, &err) < 0) ...   // policy + plan; nothing changed yet
 *     corral_sandbox_run(sb, false, &status, &err);     // apply + supervise
 *
 * Every call returns 0 or a negative errno and, on failure, fills a message
 * that names the path, option or kernel feature involved. */
#ifndef CORRAL_H
#define CORRAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct corral_error {
        char msg[1024];
} corral_error;

typedef struct corral_request corral_request;
typedef struct corral_sandbox corral_sandbox;

/* One operation the sandbox refused (with the report_denials key): op
 * "write", "create", "remove", "rename", "chmod", "connect" or "syscall";
 * one of path, address and syscall (the system call's name, for op
 * "syscall"); the rule that refused it; how to allow it (NULL: nothing in
 * corral does). A report: the kernel enforced it either way. */
typedef struct corral_denial {
        const char *op, *path, *address, *rule, *allow_with;
        const char *syscall;
} corral_denial;
/* What the network proxy refused (network = proxy; docs/config.md). */
typedef struct corral_refusal {
        const char *op;         /* "connect" */
        const char *address;    /* "evil.example:443", "[2001:db8::1]:443" */
        const char *rule;       /* "not in allow_domains" */
        const char *allow_with; /* "--allow-domain evil.example", or "" when no option would allow it */
        unsigned count;         /* how many times */
} corral_refusal;

typedef struct corral_status {
        int exit_code;     /* the command's; 128+N for signal N; 124 timeout; 126/127 exec failures */
        int signal;        /* the signal that ended it, or 0 */
        bool timed_out;
        uint64_t wall_ms;
        const char *backend;
        const char *proc;    /* "own": a new proc of the sandbox's pid namespace; "container": the container's,
                              * read-only (docs/platforms.md, "Containers") */
        const char *limit;   /* the resource limit that ended the command: "memory", "cpu"; or NULL */
        bool limit_certain;  /* true: the kernel said so; false: only likely (docs/config.md, [limits]) */
        /* With report_denials: what was refused, deduplicated (valid until
         * the sandbox is freed); n_denials 0 and reports false otherwise.
         * more_denials: distinct ones beyond those listed. denial_level:
         * the level asked for, "off", "writes" or "all" (reports false with
         * a level not "off": asked for, but not made this run). */
        bool reports;
        const char *denial_level;
        const corral_denial *denials;
        size_t n_denials, more_denials;
        const corral_refusal *refusals; /* owned by the sandbox; n_refusals entries */
        size_t n_refusals;
} corral_status;

corral_request *corral_request_new(void);
void corral_request_free(corral_request *req);

/* Keys are the config file's (docs/config.md) plus "workspace", "cwd",
 * "backend", "config" (the user config file) and "no_workspace_config". List
 * keys append. */
int corral_request_set(corral_request *req, const char *key, const char *value, corral_error *err);
int corral_request_set_command(corral_request *req, char *const argv[]);

/* Reads the config files, resolves the policy and builds the backend's plan.
 * Changes nothing on the machine. */
int corral_sandbox_new(const corral_request *req, corral_sandbox **ret, corral_error *err);
void corral_sandbox_free(corral_sandbox *sb);

/* The resolved policy and the exact plan, as text or one JSON object. */
int corral_sandbox_explain(const corral_sandbox *sb, FILE *f, bool json);

/* The workspace's private package-manager caches (docs/config.md, "[caches]"):
 * list them with their sizes, or clear the named ones (all when n is 0).
 * Linux only. */
int corral_sandbox_caches(const corral_sandbox *sb, FILE *f, bool json, corral_error *err);
int corral_sandbox_caches_clear(const corral_sandbox *sb, char *const *names, size_t n, FILE *f, corral_error *err);

/* Runs the command. Returns 0 when it ran (status says how it ended) and a
 * negative errno when the sandbox could not be set up (the command was not
 * started). For exec failures status->exit_code is 126/127 and err says why. */
int corral_sandbox_run(corral_sandbox *sb, bool verbose, corral_status *status, corral_error *err);

/* What this machine supports, as text or one JSON object. */
int corral_doctor(FILE *o, bool json);

/* The users backend (docs/elevated.md): let the sandbox users reach dir
 * (traverse its ancestors) and, with read, read it (the group's read bits,
 * never a private file); undo it. Recorded, and revoked by
 * `corral-setup --uninstall` too. Progress goes to stderr, what changed to the
 * warning handler (corral_set_warn_handler). */
int corral_grant(const char *dir, bool read, corral_error *err);
int corral_revoke(const char *dir, corral_error *err);

/* Where libcorral's warnings and notices go: what it found after a run (a
 * repository the command made, a protected name replaced meanwhile), what it
 * set aside or granted, the denials it saw. msg names the path or rule and has
 * no "corral: " prefix and no final newline. The default, and fn = NULL,
 * prints "corral: MSG" on stderr. Process-wide; set it before the first run. */
typedef void (*corral_warn_handler)(const char *msg, void *userdata);
void corral_set_warn_handler(corral_warn_handler fn, void *userdata);

const char *corral_version(void);

#ifdef __cplusplus
}
#endif

#endif
