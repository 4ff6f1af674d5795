/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostfs.h: the one reader of the running system's files for the host layer.
 *
 * Contract: every sysfs, /proc, /dev, /etc and /usr path that introspect/ reads about the
 * host (host-sys.c's one system read, host.c's firmware descriptors and swtpm,
 * hostfacts*.c) and its $PATH lookup of host tools (qc_hostfs_which(), also what
 * cache/hostkeys.c keys on) go through these functions with a root prefix: NULL or "" is
 * the real system, anything else a tree that mirrors it (a test's fake sysfs, a chroot).
 * Nothing allocates for the real system but qc_hostfs_read()'s result, so the cached
 * query's fast path pays no more than the bare system calls. A path that does not fit
 * (root + path longer than PATH_MAX) reads as absent. Nothing here sets a qc_error: an
 * unreadable fact is unknown, which is not an error, and OOM reads as unreadable.
 */
#ifndef QC_INTROSPECT_HOSTFS_H
#define QC_INTROSPECT_HOSTFS_H

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

/* root + path in buf (or path itself for the real system); NULL when it does not fit. */
const char *qc_hostfs_at(const char *root, const char *path, char buf[PATH_MAX]);

/* open(2) / fopen(.., "re") / opendir(3) / access(2) of root + path (O_CLOEXEC added). */
int qc_hostfs_open(const char *root, const char *path, int flags);
FILE *qc_hostfs_fopen(const char *root, const char *path);
DIR *qc_hostfs_opendir(const char *root, const char *path);
bool qc_hostfs_exists(const char *root, const char *path, int mode);

/* The whole of a small file (its first 64 KiB), trailing whitespace stripped (caller
 * frees); NULL if unreadable. Plain read(2)s: a capabilities query reads a hundred of
 * these from sysfs. */
char *qc_hostfs_read(const char *root, const char *path);
/* The file as a decimal integer (leading part, as strtoll); false if unreadable. */
bool qc_hostfs_read_ll(const char *root, const char *path, long long *ret);
/* True when the file starts with "1", "y" or "Y" (a kernel boolean parameter). */
bool qc_hostfs_read_bool(const char *root, const char *path);
/* True when the directory exists and has an entry not starting with '.'. */
bool qc_hostfs_dir_nonempty(const char *root, const char *path);

/* The one $PATH lookup of the host layer (swtpm for the probe, host.c, and for the
 * cache's key of it, cache/hostkeys.c): root + dir + "/" + prog for the first directory
 * of `path` (NULL: $PATH; unset or empty: /usr/bin:/bin) where access(X_OK) lets us run
 * it (caller frees); NULL when there is none, or on OOM. Empty entries are skipped; a
 * relative one is taken from the current directory on the real system and skipped under
 * a root (it names no place of the tree). */
char *qc_hostfs_which(const char *root, const char *path, const char *prog);

#endif
