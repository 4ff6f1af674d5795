/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cache.h: the on-disk capability cache: one entry per emulator, validity, locking, warm-up.
 *
 * Layer cache/: owns the files of cache directories (entries, locks, answers: files.h at
 * the bottom, then entry.c, hostkeys.c, cache.c, and answer.c, list.c, warm.c on top),
 * their validity keys (derived from the host layer's reads) and warm-up; it renders
 * nothing.
 *
 * Contract:
 * - Input: a cache directory and emulator paths (as given; not canonicalised). Output:
 *   qc_model objects owned by the caller, or entry states with a one-line reason.
 * - An entry is <dir>/<basename>-<hash of path>.qcache: line 1 a compact JSON header
 *   holding every invalidation key ({"qcaps-cache": QC_CACHE_FORMAT_VERSION, engine,
 *   model format, emulator path, the binary's dev/inode/size/mtime/ctime, QEMU's module
 *   directory path + mtime, the host facts of the probe (KVM usability, kernel release and
 *   version, CPU signature, microcode, flags), probe time, model length and hash}), then
 *   the model's JSON (model/model-json.h). An entry is valid only while every key is
 *   *equal* to its current value; there is no "newer than" anywhere.
 * - A missing or stale entry is a miss, not an error. A truncated, corrupt, foreign or
 *   old-format entry, or a symlink in its place, is reported once through the warning
 *   callback by whoever holds the entry's lock, then removed (a symlink is unlinked; its
 *   target is never opened) and re-probed.
 * - Files are opened with openat() on the directory's fd with O_NOFOLLOW; the directory
 *   itself must not be a symlink, must belong to us (or root) and must not be world
 *   writable. Writes are atomic (common/fileio.h): <entry>.XXXXXX.new, fsync, rename, fsync
 *   of the directory.
 *   Modes: files 0644, directories 0755.
 * - Locking: flock() on <entry>.lock serialises probing one emulator across processes;
 *   validity is re-checked after the lock is taken, so N concurrent cold lookups probe once.
 *   Readers of a valid entry take no lock (renames are atomic).
 * - Host facts that are not QMP answers are keyed by cheap fingerprints of their sources
 *   (cache/hostkeys.c), except firmware descriptors: the model of an entry carries those
 *   of its probe, and its users re-read them (lib/ does on every query, so installing
 *   OVMF shows up without a re-probe). The host layer owns every read of the running
 *   system (introspect/host.h): the fingerprints are views of its one qc_host_sys read
 *   and of its one $PATH lookup (qc_hostfs_which()), so a key is derived from exactly
 *   what the probe reads and runs; cache/ itself only stat()s the files those name.
 * - Answers: a document rendered from entries may be kept beside the entry it belongs to
 *   (domcaps) or the cache's own pseudo-entry (capabilities, made from every entry), in
 *   <entry>.<hash of the slot>.answer (answer.c): line 1 a JSON header (engine, the
 *   query's length, the emulators of the entries it was rendered from, the paths of the
 *   other files the rendering read, the sources section's length, the warnings it gave,
 *   the document's length and a checksum), then the query as it is and a newline, the
 *   sources section (the host inputs' checksum, each entry file's signature and keys,
 *   each other file's stat signature, a line each) and the document. It answers only
 *   while the query is equal, every entry is valid and still the same one, and every
 *   input path has the same signature: while the sources section made now is the same
 *   bytes. An entry's answers are removed when it is replaced or cleared; `clear`
 *   removes all.
 * - Never prints; never follows a symlink inside the cache directory; never writes
 *   anything but its own *.qcache, *.new, *.lock and *.answer files.
 * - Test hook: $QC_CACHE_TEST_ENGINE, when set, replaces the engine version string.
 */
#ifndef QC_CACHE_CACHE_H
#define QC_CACHE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "introspect/probe.h"
#include "model/model.h"

/* 3: the guests view keeps each KVM CPU definition's alias-of (libvirt 11 names the host CPU
 * by it); an entry of format 2 lacks it and is probed again. */
#define QC_CACHE_FORMAT_VERSION 3

typedef struct qc_cache qc_cache;

/* A diagnostic that is not an error (message borrowed for the call). */
typedef void (*qc_cache_warn_fn)(const char *message, void *opaque);

typedef enum qc_cache_state {
    QC_CACHE_FRESH = 0, /* valid: every key equal */
    QC_CACHE_MISSING,   /* no entry */
    QC_CACHE_STALE,     /* a key changed (the reason names which) */
    QC_CACHE_BROKEN,    /* truncated, corrupt, foreign, old format, or not a regular file */
    QC_CACHE_BLOCKED,   /* broken and cannot be removed (a directory at its name): a locked
                         * lookup says so once; the query answers without the cache */
} qc_cache_state;

const char *qc_cache_state_name(qc_cache_state s); /* "fresh", "missing", "stale", "broken" */

/* $QCAPS_CACHE_DIR, else /var/cache/qcaps as root, else $XDG_CACHE_HOME/qcaps, else
 * ~/.cache/qcaps. A QCAPS_CACHE_DIR that is set but empty is QC_E_INVALID. Caller frees. */
char *qc_cache_default_dir(qc_error **err);

/* The system cache that `qcaps warm` as root fills and a non-root user reads but never
 * writes: $QCAPS_SYSTEM_CACHE_DIR, else /var/cache/qcaps; NULL when it does not apply
 * (running as root, or QCAPS_CACHE_DIR names the cache) or on OOM. Caller frees. */
char *qc_cache_system_dir(void);
/* Makes `sys` (opened without `create`) the read-only fallback of c: a query whose own
 * entry is missing or not valid takes a valid entry of sys instead of probing. c owns
 * sys from then on; NULL removes nothing. */
void qc_cache_set_fallback(qc_cache *c, qc_cache *sys);
/* The fallback set on c, or NULL. */
qc_cache *qc_cache_fallback(const qc_cache *c);

/* Opens (creating it with parents, mode 0755, when `create`) the cache directory `dir`
 * (NULL: the default) and reads the current host facts once. Fails when the directory
 * cannot be used safely (a symlink, someone else's, world writable) or opened. */
qc_cache *qc_cache_open(const char *dir, bool create, qc_cache_warn_fn warn, void *opaque,
                        qc_error **err);
/* qc_cache_open() with the host inputs taken from `sys`, a qc_host_sys_read() of
 * QC_HOST_SYS_ALL the caller just made for all its readers (NULL: read the host). */
struct qc_host_sys;
qc_cache *qc_cache_open_sys(const char *dir, bool create, qc_cache_warn_fn warn, void *opaque,
                            const struct qc_host_sys *sys, qc_error **err);
void qc_cache_free(qc_cache *c);
const char *qc_cache_dir(const qc_cache *c);
/* Re-reads the host facts (microcode can change under a long-lived process). */
int qc_cache_refresh_host(qc_cache *c, qc_error **err);

/* The file name of the entry of `emulator` (no directory). Caller frees. */
char *qc_cache_entry_name(const char *emulator, qc_error **err);

/* The keys of an emulator as they are now; read them *before* probing and hand them to
 * qc_cache_store(), so that a binary replaced during the probe is not cached. */
typedef struct qc_cache_keys qc_cache_keys;
qc_cache_keys *qc_cache_keys_read(qc_cache *c, const char *emulator, qc_error **err);
void qc_cache_keys_free(qc_cache_keys *k);

/* Looks up the entry of `emulator`. Returns its state (and the model when FRESH, in
 * *ret_model; a one-line reason otherwise, in *ret_reason, both caller-owned and optional)
 * or -1 on a real error (out of memory). With `locked` (the caller holds the entry's lock),
 * a BROKEN entry is reported through the warning callback and removed. */
int qc_cache_lookup(qc_cache *c, const char *emulator, bool locked, qc_model **ret_model,
                    char **ret_reason, qc_error **err);

/* Writes the entry for `m` probed with `keys` (caller holds the lock) and removes the
 * answers kept for the entry it replaces; *ret_id (optional) is the new entry's identity
 * (see qc_cache_get). Does nothing and returns 0 (*ret_id NULL) when the binary changed
 * since `keys` were read. */
int qc_cache_store(qc_cache *c, const qc_cache_keys *keys, const qc_model *m, int probe_ms,
                   char **ret_id, qc_error **err);

/* Takes the lock of `emulator`'s entry: returns a descriptor (release it with
 * qc_cache_unlock), or -1: QC_E_TIMEOUT when still busy after timeout_ms (0: try once),
 * QC_E_SYSTEM when the directory is not writable (sys_errno EACCES, EROFS, ...). */
int qc_cache_lock(qc_cache *c, const char *emulator, int timeout_ms, qc_error **err);
/* Releases the lock and removes its file, so that no lock file outlives its holder
 * (a waiter notices the name no longer refers to the file it waited on, and starts over).
 * Does nothing for fd < 0. */
void qc_cache_unlock(qc_cache *c, const char *emulator, int fd);

/* The model of opts->emulator: from a valid entry, else probed under the entry's lock
 * (re-checked once taken) and stored. `refresh` skips the lookup. When the directory is
 * not writable the probe still answers (a warning says nothing was stored).
 * `view` GUESTS reads only the entry's guests view (a probe still returns the full model:
 * check m->view). *ret_id (optional, caller frees) identifies the entry the model is
 * from, for qc_cache_answer_put(); NULL when the model is not in the cache. */
qc_model *qc_cache_get(qc_cache *c, const qc_probe_opts *opts, bool refresh, qc_model_view view,
                       char **ret_id, qc_error **err);

/* ---- answers: documents rendered from entries --------------------------------------- */
typedef struct qc_cache_answer {
    char *text;              /* the document, NUL-terminated */
    size_t len;
    qc_strlist warnings;     /* the warnings its rendering gave, to be given again */
} qc_cache_answer;
void qc_cache_answer_clear(qc_cache_answer *a);

/* What an answer was made from: entries (emulator and identity from qc_cache_get(), at
 * least one), other files read (path and stat signature taken before the read), and the
 * warnings the rendering gave. */
typedef struct qc_cache_answer_src {
    qc_strlist entry_emulators, entry_ids;
    qc_strlist input_paths, input_sigs;
    qc_strlist warnings;
} qc_cache_answer_src;
void qc_cache_answer_src_clear(qc_cache_answer_src *s);

/* The answer kept in `slot` (a name for the kind of query; one answer per slot) beside
 * the entry of `owner` (NULL: the cache's own, for answers made from many entries): 1
 * with *ret filled when it answers `query` (text naming everything of the query that can
 * change the document) and everything it was made from still holds; 0 when there is
 * none or it does not (never reported: the caller renders again); -1 on OOM. */
int qc_cache_answer_get(qc_cache *c, const char *owner, const char *slot, const char *query,
                        qc_cache_answer *ret, qc_error **err);
/* Keeps `text` as the answer to `query` in `slot` of `owner`, made from `src`. Atomic
 * (rename), not synced. -1 when it cannot be written (callers may ignore that: an answer
 * is only a shortcut). */
int qc_cache_answer_put(qc_cache *c, const char *owner, const char *slot, const char *query,
                        const qc_cache_answer_src *src, const char *text, size_t len,
                        qc_error **err);

/* ---- listing and removal ---------------------------------------------------------- */
typedef struct qc_cache_info {
    char *file;           /* entry file name */
    char *emulator;       /* NULL when unreadable */
    char *qemu_version;   /* "7.2.22", NULL when unreadable */
    char *target;
    int64_t probed_at;    /* Unix time, 0 if unknown */
    int probe_ms;
    qc_cache_state state; /* against the current binary and host */
    char *reason;         /* NULL when FRESH */
} qc_cache_info;
void qc_cache_info_clear(qc_cache_info *i);

/* Every entry of the directory, sorted by emulator path (unreadable ones last). */
int qc_cache_list(qc_cache *c, qc_cache_info **ret_infos, size_t *ret_n, qc_error **err);
/* Removes every entry and lock file (each under its lock); leaves other files alone.
 * Returns the number of entries removed, or -1. */
int qc_cache_clear(qc_cache *c, int timeout_ms, qc_error **err);

/* ---- warm-up: many emulators, N probes at a time on one event loop ------------------ */
typedef enum qc_warm_result {
    QC_WARM_FRESH = 0,   /* already valid (or made valid by another process meanwhile) */
    QC_WARM_PROBED,
    QC_WARM_FAILED,
} qc_warm_result;

typedef struct qc_warm_event {
    size_t index;            /* into the emulator list */
    const char *emulator;
    bool done;               /* false: the probe starts now */
    qc_warm_result result;   /* when done */
    double seconds;          /* when done: time spent on this emulator */
    const char *reason;      /* why it was probed (stale key), may be NULL */
    const qc_model *model;   /* PROBED: the model (borrowed for the call) */
    const qc_error *error;   /* FAILED: why (borrowed for the call) */
} qc_warm_event;

typedef struct qc_warm_opts {
    unsigned jobs;           /* probes at once; 0: online CPUs */
    bool refresh;            /* probe even valid entries */
    int timeout_ms;          /* per probe; 0: default */
    int tick_ms;             /* period of `tick`, 0: no ticks */
    void (*event)(const qc_warm_event *ev, void *opaque);
    void (*tick)(void *opaque);
    void *opaque;
} qc_warm_opts;

typedef struct qc_warm_summary {
    size_t probed, fresh, failed;
    double seconds;          /* wall time */
} qc_warm_summary;

/* Warms the entries of n emulators. A failure of one emulator is reported through the
 * event callback and counted; it does not stop the others. Returns -1 only when the
 * warm-up itself cannot run (no event loop, out of memory). */
int qc_cache_warm(qc_cache *c, const char *const *emulators, size_t n,
                  const qc_warm_opts *opts, qc_warm_summary *ret_summary, qc_error **err);

QC_DEFINE_CLEANUP(qc_cache *, qc_cache_free);
QC_DEFINE_CLEANUP(qc_cache_keys *, qc_cache_keys_free);

#endif
