/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cache-internal.h: structs and helpers shared by the files of cache/ (not installed).
 *
 * Contract: calls go one way, down this list, never back up:
 *   warm.c     drives many probes at once (calls cache.c)
 *   list.c     lists, verifies and clears entries (calls cache.c, entry.c, files.h)
 *   answer.c   documents kept beside entries (calls cache.c, entry.c, files.h)
 *   cache.c    the directory, lookup, store and locks (calls entry.c, hostkeys.c, files.h)
 *   entry.c    encodes and decodes entry files and compares keys (pure, no I/O)
 *   hostkeys.c reads the host inputs of a probe
 *   files.c    names, checksum and raw reads of the directory's files (files.h)
 * What a lower file offers its callers is declared here (files.c's in files.h); a helper
 * two upper files share moves down, never sideways.
 */
#ifndef QC_CACHE_INTERNAL_H
#define QC_CACHE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cache/cache.h"
#include "cache/files.h"

/* Fingerprints of the host inputs of a probe, as (name, value) pairs (hostkeys.c). */
typedef struct qc_host_inputs {
    qc_strlist names;           /* "kernel", "KVM", "CPU microcode", ... */
    qc_strlist values;
} qc_host_inputs;

/* From `sys` (a qc_host_sys_read() of QC_HOST_SYS_ALL), or read now when NULL. */
int qc_host_inputs_read(qc_host_inputs *in, const struct qc_host_sys *sys, qc_error **err);
void qc_host_inputs_clear(qc_host_inputs *in);

struct qc_cache {
    char *dir;
    int dirfd;
    uid_t uid;
    qc_host_inputs inputs;      /* host inputs now */
    char *engine;               /* "qcaps <version>" or the test override */
    qc_cache_warn_fn warn;
    void *warn_opaque;
    qc_cache *fallback;         /* read only: the system cache of a non-root user */
};

struct qc_cache_keys {
    char *emulator;             /* as given */
    int stat_errno;             /* 0: the stat fields are valid */
    uint64_t dev, ino, size;
    int64_t mtime_ns, ctime_ns;
    char *moddir;               /* QEMU's module directory, NULL if none exists */
    int64_t moddir_mtime_ns;
};

/* The module directory found for the binaries of one directory (qc_cache_keys_read_memo()).
 * Only ever within one pass over many entries: a module directory may appear any time. */
typedef struct qc_cache_moddir_memo {
    char *dir;                  /* the binaries' directory, as given; NULL: nothing yet */
    char *moddir;               /* NULL: none */
    int64_t moddir_mtime_ns;
} qc_cache_moddir_memo;
void qc_cache_moddir_memo_clear(qc_cache_moddir_memo *memo);
/* qc_cache_keys_read(), the same keys with a binary that is no symlink found through *memo
 * when its directory is the memo's (which it then becomes). */
qc_cache_keys *qc_cache_keys_read_memo(qc_cache *c, const char *emulator,
                                       qc_cache_moddir_memo *memo, qc_error **err);

/* Line 1 of an entry, decoded. */
typedef struct qc_cache_header {
    int format;
    char *engine;
    int model_format;
    qc_cache_keys keys;
    qc_host_inputs inputs;
    char *qemu_version;
    char *target;
    int64_t probed_at;
    int probe_ms;
    uint64_t guests_bytes;      /* line 2: the model's guests view (model-json.h) */
    uint64_t guests_hash;
    uint64_t model_bytes;       /* line 3: the full model */
    uint64_t model_hash;
} qc_cache_header;

void qc_cache_header_clear(qc_cache_header *h);
void qc_cache_keys_clear(qc_cache_keys *k);

/* Header line, the guests view and the full model as compact JSON, each ending in "\n".
 * Caller frees. */
char *qc_cache_entry_encode(const qc_cache *c, const qc_cache_keys *k, const qc_model *m,
                            int probe_ms, size_t *ret_len, qc_error **err);

/* Decodes line 1 of `data`. Returns 0 and fills *h (and *ret_body, the offset of line 2),
 * -1 with a reason for a BROKEN entry in *ret_reason (NULL on OOM), or -2 with a reason
 * for an entry of an older format (STALE: replaced silently, not reported). */
int qc_cache_header_decode(const char *data, size_t len, qc_cache_header *h,
                           size_t *ret_body, char **ret_reason);

/* NULL when every key of the header equals the current ones, else a reason naming the
 * keys that differ ("binary ctime, kernel release changed"). *ret_oom on OOM. */
char *qc_cache_keys_diff(const qc_cache *c, const qc_cache_header *h, const qc_cache_keys *now,
                         bool *ret_oom);

/* The line of `view` in the `len` bytes after the header (all of them for FULL, at least
 * line 2 for GUESTS), checked against the header's lengths and checksums; NULL with a
 * BROKEN reason in *ret_reason (NULL on OOM). */
const char *qc_cache_entry_line(const qc_cache_header *h, const char *body, size_t len,
                                qc_model_view view, size_t *ret_len, char **ret_reason);
/* The model (of `view`) of a decoded entry, or NULL with a BROKEN reason in *ret_reason. */
qc_model *qc_cache_entry_model(const qc_cache_header *h, const char *body, size_t len,
                               qc_model_view view, char **ret_reason);

/* ---- cache.c, for answer.c, get.c, list.c and warm.c ------------------------------------------ */
typedef enum qc_lookup_mode {
    QC_LOOKUP_QUIET = 0,
    QC_LOOKUP_REPORT,   /* warn about a broken entry */
    QC_LOOKUP_DISCARD,  /* warn and remove it (caller holds the lock) */
} qc_lookup_mode;

/* Reads the entry `name` of `emulator` (its first `lines` lines; 0: all of it) and
 * compares its key header with the keys now. Returns the entry's state: FRESH with
 * *ret_data (caller frees), *ret_len, *h (caller clears) and *ret_body (the offset of
 * line 2) filled; any other state with its reason in *ret_reason (caller frees); or -1
 * with *err (out of memory, unreadable binary keys). */
int qc_cache_read_head(qc_cache *c, const char *emulator, const char *name, unsigned lines,
                       char **ret_data, size_t *ret_len, qc_cache_header *h,
                       size_t *ret_body, char **ret_reason, qc_error **err);
/* qc_cache_lookup() with an explicit reporting mode, the view to read and the entry's
 * identity (*ret_id, when FRESH; see qc_cache_get()). */
int qc_cache_lookup_mode(qc_cache *c, const char *emulator, qc_lookup_mode mode,
                         qc_model_view view, qc_model **ret_model, char **ret_id,
                         char **ret_reason, qc_error **err);
/* Calls the cache's warning handler, if any, with the formatted message. */
void qc_cache_warn(const qc_cache *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Locks <dir>/<lockname> (see qc_cache_lock()), and releases it removing the file. */
int qc_cache_lock_name(qc_cache *c, const char *lockname, int timeout_ms, qc_error **err);
void qc_cache_unlock_name(qc_cache *c, const char *lockname, int fd);

/* ---- answer.c, for its fuzz target (tests/fuzz/fuzz-cache-answer.c) --------------------- */
/* Decodes an answer file read whole into data[len]: 1 when it is well formed, of this
 * engine and answers `query`, with *ret filled (ret->text points into `data`, where the
 * document was moved to the start) and *ret_header (the decoded header line with a copy
 * of the sources section, caller puts it) for qc_cache_answer_sources_hold(); 0 when not;
 * -1 on OOM. */
struct json_object;
int qc_cache_answer_decode(const qc_cache *c, char *data, size_t len, const char *query,
                           qc_cache_answer *ret, struct json_object **ret_header);
/* 1 when every entry and input a decoded header names still holds, else 0; -1 OOM. */
int qc_cache_answer_sources_hold(qc_cache *c, struct json_object *header);

#endif
