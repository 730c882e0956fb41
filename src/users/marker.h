/* SPDX-License-Identifier: MIT
 * The setup marker, /etc/corral/setup.json: what corral-setup installed, in
 * one flat, versioned, root-owned JSON object. corral reads it to know that
 * the `users` backend is available; corral-runner reads it (and nothing else
 * from the file system) to know who the sandbox users are; corral-setup
 * --check and --uninstall start from it.
 *
 * The format is deliberately flat (no nesting, strings without escapes, one
 * list of small integers) so that the runner's reader stays a few dozen
 * lines of strict parsing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

#define MARKER_PATH "/etc/corral/setup.json"
#define MARKER_FORMAT 1             /* bump when the meaning of a field changes */
#define MARKER_MAX_PORTS 32
#define CORRAL_GROUP "corral"
#define CORRAL_USER_OFFLINE "corral-offline"
#define CORRAL_USER_ONLINE "corral-online"
#define CORRAL_STATE_DIR "/var/lib/corral"       /* sandbox homes, grant records */
#define CORRAL_GRANTS_DIR CORRAL_STATE_DIR "/grants"
#define CORRAL_NFT_FAMILY "inet"
#define CORRAL_NFT_TABLE "corral"
/* A TCP connection from corral-offline to this address is always rejected:
 * the runner's proof, before every offline run, that the rules are loaded. */
#define CORRAL_NFT_CANARY "127.255.255.254"

typedef enum sandbox_identity {
        IDENTITY_OFFLINE = 0,
        IDENTITY_ONLINE = 1,
} sandbox_identity;

typedef struct marker_user {
        char name[64];
        uid_t uid;
        gid_t gid;
        char home[256];
} marker_user;

typedef struct marker {
        int format;
        char version[32];            /* corral's version that wrote it */
        char group[64];
        gid_t gid;
        marker_user users[2];        /* indexed by sandbox_identity */
        char table[64];              /* "inet corral" */
        char runner[256];
        char setup[256];             /* the installed copy of corral-setup */
        uint16_t ports[MARKER_MAX_PORTS];
        int n_ports;
        bool allow_loopback;
        bool systemd_unit;
        bool apparmor;
} marker;

/* Reads and strictly parses path. Refuses a file that is not a regular
 * file owned by root and writable only by root. -ENOENT when absent. */
int marker_read(const char *path, marker *m, corral_error *err);

/* Writes m to path atomically (root:root 0644). */
int marker_write(const char *path, const marker *m, corral_error *err);

/* Checks that the marker matches this build and the accounts on the
 * machine: format, users and group resolve to the recorded ids. */
int marker_validate(const marker *m, corral_error *err);

/* marker_read, marker_validate and the version check (the marker was
 * written by this version of corral), in that order: what corral and
 * corral-runner both check before a run. -ENOENT (err set) when absent. */
int marker_load(const char *path, marker *m, corral_error *err);

/* Whether this process's credentials (its gid or a supplementary group,
 * never a file it could influence) make it a member of the marker's group. */
bool marker_member(const marker *m);

/* The unprivileged half of the runner, corral-sandbox, installed next to
 * m->runner (corral-setup puts both in the same root-owned directory).
 * Returns what snprintf returns. */
int marker_sandbox_path(const marker *m, char *buf, size_t len);
