/* SPDX-License-Identifier: MIT
 * After a --git commits run on userns (docs/design.md, "The gitdirs are
 * overlays"): the command wrote only its overlay's upper layer
 * (plan.git_overlays), never the developer's gitdir. What of it is git's
 * state is imported, by descriptor, never following a link, each file under
 * git's own lock (X.lock, O_EXCL, renamed into place):
 *
 *   - loose objects (objects/XX/<hex>), each once its contents hash to its
 *     name (supervise/gitobject.h), then packs, each once the developer's
 *     git has indexed its .pack alone outside the sandbox: the .pack and
 *     git's .idx, the .idx last (supervise/gitpack.h; the command's .idx,
 *     .rev, .bitmap, .mtimes and .promisor are never used); never over an
 *     existing one, never deleting one;
 *   - loose refs and packed-refs, each name checked by git's refname rules
 *     and each value an object id or "ref: refs/..."; never a replace ref
 *     (refs/replace/, GITIMPORT_REPLACE_WHY below);
 *   - reflogs, when the developer's is still a prefix of the run's;
 *   - HEAD, ORIG_HEAD, FETCH_HEAD, MERGE_HEAD and the other files of a
 *     commit or merge in progress (values checked);
 *   - the index, once it passes the index check (plan/gitindex.h).
 *
 * A ref, HEAD-like file or the index is imported only when the developer's
 * copy still holds what it held when the run started (else it is kept and
 * the run's value reported); a ref the run deleted (a whiteout) is deleted
 * under the same rule. Everything else in the upper (config, hooks, a
 * rebase's state, new modules/ or worktrees/ entries, links) is not
 * imported, and said. Then the layers are removed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"
#include "supervise/gitobject.h"

typedef struct gitimport gitimport;

/* Before the command: makes the layers' directories and records, for each
 * overlaid repository, what the import compares against. NULL when the
 * plan has no overlays (or on failure: then *err says why, and the run
 * must not start). */
gitimport *gitimport_begin(const plan *pl, corral_error *err);

/* After the command: the import; marker_fd (or -1) gets an "L dev ino
 * path" line for every lock or temporary file made, before it can be left
 * behind, so that the run after a killed one removes it (gitimport_clean).
 * Then the layers go. */
void gitimport_run(const plan *pl, gitimport *gi, int marker_fd);

void gitimport_free(gitimport *gi);

/* For a run that died (its marker unlocked): its layers are removed,
 * nothing is imported, and the lock files its "L" lines name are removed
 * when they are still the ones it made (same device and inode). */
void gitimport_clean(const char *run_dir, const char *marker_text);

/* Shared with the check of a gitdir written in place (gitverify.h): */
/* whether the n characters at s are lowercase hex digits */
bool gitimport_is_hex(const char *s, size_t n);
/* whether name is pack-<id><ext> of a pack's file (.pack, .idx, .rev,
 * .bitmap, .mtimes, .promisor): *ext then points at the extension */
bool gitimport_pack_name(const char *name, const char **ext);
/* the object format of the gitdir open on rfd (named repo), from its
 * config; SHA-1, said, when git would not know it */
gitobject_format gitimport_repo_format(int rfd, const char *repo);

/* git replace: a ref refs/replace/<id> makes git read the object it names
 * wherever it reads <id> (cat-file, log, checkout of a commit holding
 * <id>), so it stands for content the way a forged object does. The run's
 * are never imported; written in place, they are removed (gitverify.h). */
#define GITIMPORT_REPLACE_WHY                                                                                         \
        "a replace ref: git would read the object it names wherever it reads the id in its name (git "             \
        "replace), so that id would stand for other content"
bool gitimport_is_replace(const char *name);
/* Removes the refs/replace/ entries of the packed-refs of the gitdir open
 * on rfd (named repo), under git's lock, saying each. */
void gitimport_drop_packed_replace(int rfd, const char *repo);
