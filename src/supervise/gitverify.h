/* SPDX-License-Identifier: MIT
 * After a --git commits run that wrote a gitdir in place (the users
 * backend; userns with CORRAL_TEST_GIT_NO_OVERLAY): the objects the run
 * wrote, checked as the import checks an overlay's (gitimport.h), since
 * git names an object by the hash of its contents and never rewrites one it
 * has: an object whose name is not the hash of what it holds would stand,
 * in the developer's repository, for the content that name is the id of.
 *
 *   - A loose object (objects/XX/<hex>) that the run made, changed or
 *     moved is hashed (gitobject.h); one whose contents hash to another id
 *     is set aside (aside.h: <hex>.corral-refused-<random>, which git does
 *     not read), and said.
 *   - A pack whose file the run made, changed or moved is indexed again by
 *     the developer's git from its .pack alone (gitpack.h): git's .idx
 *     replaces the command's (kept when they are the same bytes), the
 *     command's .rev, .bitmap and .mtimes go (git does without them, and
 *     makes them again); a pack git refuses is set aside with its files.
 *   - objects/info/alternates and http-alternates (git takes objects from
 *     the places they name, by name alone), objects/info/commit-graph(s)
 *     and objects/pack/multi-pack-index* (git takes commits' trees and
 *     parents, and objects' places, from them without reading the objects)
 *     that the run made or changed are set aside;
 *   - replace refs (refs/replace/<id>, loose or packed) the run made or
 *     changed are removed (gitverify_refs).
 *
 * "Made, changed or moved by the run" is by change time, which no process
 * can set back: writing a file, chmod, link and rename (of the file, and
 * of a directory, which ext4, xfs, btrfs and tmpfs also stamp on the moved
 * inode) all move it. Every loose object's own change time is read (a
 * file rewritten in place changes nothing in its directory); all objects
 * of a fan-out directory whose change time moved are hashed (one could have
 * been moved in with the directory), and all loose objects when objects/
 * itself moved. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* t at or after since */
static inline bool gitverify_since(const struct timespec *t, const struct timespec *since) {
        return t->tv_sec > since->tv_sec || (t->tv_sec == since->tv_sec && t->tv_nsec >= since->tv_nsec);
}

/* The replace refs the run made or changed in the gitdir open on gitdir_fd
 * (named repo): refs/replace/<id> makes git read another object wherever
 * it reads <id> (gitimport.h, GITIMPORT_REPLACE_WHY). Loose ones removed,
 * packed ones taken out of packed-refs (when it changed since), each said. */
void gitverify_refs(int gitdir_fd, const char *repo, const struct timespec *since);

/* The identities of the gitdir's objects/, objects/pack and objects/info
 * (open on gitdir_fd) at the start of the run, as text for the marker: a
 * directory moved in brings its old files with their old change times. */
int gitverify_ids(int gitdir_fd, char *buf, size_t len);

/* The check of the gitdir open on gitdir_fd (named repo) for what changed
 * since since; ids: what gitverify_ids said at the start (NULL: unknown,
 * and every object is checked). work_dir: a directory corral may make and
 * fill to index packs in (the caller removes it); NULL: a changed pack is
 * set aside. */
void gitverify_objects(int gitdir_fd, const char *repo, const struct timespec *since, const char *ids,
                       const char *work_dir);
