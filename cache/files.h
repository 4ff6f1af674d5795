/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* files.h: the files of a cache directory: their names, their checksum, reading an
 * entry's bytes, and removing what is kept beside an entry (internal, not installed).
 *
 * Contract: the bottom of cache/: files.c calls no other file of cache/ and knows no
 * qc_cache (it takes the directory's fd), so that every other file calls down to it and
 * none back (hostkeys.c, entry.c -> files.c; cache.c -> entry.c, hostkeys.c, files.c;
 * answer.c, list.c, warm.c -> cache.c and below). File I/O goes through common/fileio.h.
 *
 * A cache directory holds, per emulator, the entry <name>-<hash>.qcache, its lock
 * <entry>.lock, its answers <entry>.<hash of the slot>.answer, and, while one is written,
 * temporary files ending in ".new" (common/fileio.h: <file>.XXXXXX.new; qcaps before 0.2
 * wrote <entry>.new and <answer>.new<pid>).
 */
#ifndef QC_CACHE_FILES_H
#define QC_CACHE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QC_CACHE_SUFFIX ".qcache"
#define QC_CACHE_LOCK_SUFFIX ".lock"
#define QC_CACHE_NEW_SUFFIX ".new"
#define QC_CACHE_ANSWER_INFIX ".answer" /* <entry>.<slot hash>.answer[.XXXXXX.new] */
/* The pseudo-entry that owns answers made from many entries; no emulator entry can have
 * this name (theirs end in -<hash>). */
#define QC_CACHE_OWN_ENTRY "qcaps"
#define QC_CACHE_MAX_BYTES ((size_t) 256 << 20)

/* FNV-1a, 64 bits: detects corruption, not tampering (the directory is ours). */
uint64_t qc_cache_hash(const char *data, size_t len);

/* The identity of an entry: the checksum of its header line (`len` bytes, no newline),
 * as 16 hex digits (caller frees), or NULL on OOM. */
char *qc_cache_entry_id(const char *header, size_t len);
/* True for the name of an answer file or of its temporary file. */
bool qc_cache_answer_file(const char *name);
/* True for the name of a temporary file of an entry or of an answer. */
bool qc_cache_temp_file(const char *name);

/* Reads entry `name` of the directory dirfd without following symlinks, whole (lines 0)
 * or only as far as its first `lines` lines: 0 with *ret_data (caller frees) and
 * *ret_len; -1 with a reason in *ret_reason (caller frees): MISSING ("no entry") when
 * *ret_missing, else BROKEN ("a symlink", "not a regular file", "too large",
 * "unreadable: <strerror>"); -2 on OOM. */
int qc_cache_read_entry(int dirfd, const char *name, unsigned lines, char **ret_data,
                        size_t *ret_len, bool *ret_missing, char **ret_reason);

/* Removes every answer and every temporary file kept beside entry `entry` of the
 * directory dirfd; errors are ignored. The caller holds the entry's lock: only the lock
 * holder writes the entry's temporary files, so any there is a crash's leftover. */
void qc_cache_beside_remove(int dirfd, const char *entry);

#endif
