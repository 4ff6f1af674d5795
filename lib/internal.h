/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* internal.h: the structs behind the public API's opaque types, shared by lib/ files.
 *
 * Contract: lib/ is the only place that converts between public and internal types.
 * Every public entry point wraps internal errors with qcaps_error_wrap() (which consumes
 * them) and never lets a qc_error escape unwrapped.
 */
#ifndef QC_LIB_INTERNAL_H
#define QC_LIB_INTERNAL_H

#include "qcaps.h"

#include "cache/cache.h"
#include "common/error.h"
#include "model/model.h"
#include "schema/libvirt.h"
#include "schema/xmljson.h"

#define QC_LIB_STR_(x) #x
#define QC_LIB_STR(x) QC_LIB_STR_(x)
/* The format in a kept answer's key. The JSON form's version and the version of the
 * rendering rules are part of it, so an answer kept by a qcaps that wrote another JSON form
 * or rendered by other rules is never read back. */
#define QC_LIB_RULES_KEY "-rules-" QC_LIB_STR(QC_SCHEMA_RULES_VERSION)
#define QC_LIB_FORMAT_KEY(format)                                                             \
    ((format) == QCAPS_FORMAT_JSON ? "json-" QC_LIB_STR(QC_DOCUMENT_JSON_VERSION) QC_LIB_RULES_KEY \
                                   : "xml" QC_LIB_RULES_KEY)

struct qcaps_model {
    qc_model *m;
};

struct qcaps_error {
    qc_error *e;
};

struct qcaps_context {
    char *cache_dir;            /* NULL: the default directory */
    qcaps_cache_mode cache_mode;
    char **firmware_dirs;       /* NULL-terminated; NULL: the default search path */
    int timeout_ms;             /* 0: default */
    qcaps_warning_fn warn;
    void *warn_opaque;
    bool tcg_only;              /* probe with TCG only; such models bypass the cache */
    qc_lv_gen libvirt;          /* the libvirt generation documents follow (default latest) */
    char *host_facts;           /* capabilities: host facts file instead of the system */
    char *fixture_dir;          /* capabilities: fixtures instead of the binaries in $PATH */
};

/* The context's libvirt generation (QC_LV_LATEST without a context). */
qc_lv_gen qc_context_libvirt(const qcaps_context *ctx);

/* Hands an internal error to the caller (consumes e; frees it when err is NULL/set). */
void qcaps_error_wrap(qcaps_error **err, qc_error *e);
/* A public entry point's argument check failed: hands the caller a QC_E_INVALID error
 * "func: what" (as qcaps_error_wrap() does) and returns NULL. */
void *qc_lib_invalid(qcaps_error **err, const char *func, const char *what);
/* Wraps a model (takes ownership; frees it on failure). */
qcaps_model *qcaps_model_wrap(qc_model *m, qcaps_error **err);

/* The model for a query: replayed from `fixture` when given (the cache is not touched),
 * else from the cache or a probe of `emulator` according to the context's cache mode
 * (cache/cache.h: a valid entry answers, a miss probes under the entry's lock and stores),
 * with the firmware descriptors read now (the context's directories, else the default
 * search path; a replay keeps the fixture's unless the context names directories).
 * A cache directory that cannot be used is a warning, never a failure: the probe still
 * answers. Caller owns the result. */
qc_model *qc_context_model(qcaps_context *ctx, const char *emulator, const char *fixture,
                           qc_error **err);

/* Defines the public getter `name` of an `otype` object: `expr` of the object `var`, or
 * `none` when it is NULL (every getter of the API takes NULL). */
#define QC_PUBLIC_GETTER(type, name, otype, var, expr, none)                                 \
    QCAPS_PUBLIC type name(const otype *var)                                                 \
    {                                                                                         \
        return var ? (expr) : (none);                                                         \
    }

/* The pieces of qc_context_model(), for queries that need more of the cache:
 * the context's cache (NULL when its mode bypasses the cache, or when the directory
 * cannot be used: a warning unless `quiet`, which also neither creates the directory nor
 * reports anything through the cache; *err only on OOM), */
qc_cache *qc_context_cache(qcaps_context *ctx, bool quiet, qc_error **err);
/* The same with the cache's host inputs taken from `sys` (qc_cache_open_sys()). */
struct qc_host_sys;
qc_cache *qc_context_cache_sys(qcaps_context *ctx, bool quiet, const struct qc_host_sys *sys,
                               qc_error **err);
/* and the model of `view` from `cache` (NULL: probe) or `fixture`, as it was stored: the
 * firmware descriptors are those of its probe. *ret_id: see qc_cache_get(). */
qc_model *qc_context_lookup(qcaps_context *ctx, qc_cache *cache, const char *emulator,
                            const char *fixture, qc_model_view view, char **ret_id,
                            qc_error **err);
/* The paths of the fixtures (*.replies) of directory `dir`, sorted, appended to ret. */
int qc_lib_fixture_dir(const char *dir, qc_strlist *ret, qc_error **err);
/* Replays every fixture of `dir` in name order and appends its model to *models (*n of
 * them): one per emulator recorded; a fixture that fails, records no emulator or one an
 * earlier model has is skipped with a warning. The one loader of capabilities --fixture-dir
 * and of a host's fixtures (qcaps_host_read). */
int qc_lib_fixture_models(qcaps_context *ctx, const char *dir, qc_model ***models, size_t *n,
                          qc_error **err);
/* Passes a warning to the context's handler (nothing when none is set). */
void qc_context_warn(qcaps_context *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Warnings of a rendering: passed on to the context, and kept for its answer. */
typedef struct qc_lib_warnings {
    qcaps_context *ctx;
    qc_strlist list;
    bool oom;
} qc_lib_warnings;
void qc_lib_warn_keep(const char *message, void *opaque); /* opaque: qc_lib_warnings */

/* ---- the cache's own verbs (lib/cache.c, lib/warm.c) ------------------------------- */
/* A context's warning handler, copied into an object that may outlive the context. */
typedef struct qc_lib_warner {
    qcaps_warning_fn fn;
    void *opaque;
} qc_lib_warner;
void qc_lib_warner_call(const char *message, void *opaque); /* opaque: qc_lib_warner */
/* The public name of a cache entry state. */
qcaps_entry_state qc_lib_entry_state(qc_cache_state s);

/* ---- domcaps (lib/domcaps-answer.c: nothing there renders, so that `qcaps domcaps` can
 * answer from a kept document without loading the schema layer) -------------------- */
/* The default emulator for `arch` (NULL: the host's): qemu-system-<target> in $PATH, the
 * target as generation `gen` maps the arch. */
char *qc_lib_default_emulator(qc_lv_gen gen, const char *arch, qc_error **err);
/* The cache answer key of a domcaps query for `emulator`: everything of the query that
 * can change the document, the firmware search path included. Caller frees. */
char *qc_lib_domcaps_key(qcaps_context *ctx, const char *emulator,
                         const qcaps_domcaps_query *q, qcaps_format format, qc_error **err);
/* The answer kept in `slot` of `owner` (cache.h, qc_cache_answer_get()) for `query`: 1
 * and *ret_text (its warnings given again through the context), 0 when there is none
 * valid, -1 on OOM. Used by domcaps (owner: the emulator, slot and query: the key of
 * qc_lib_domcaps_key()) and capabilities (the cache's own). */
int qc_lib_answer(qcaps_context *ctx, qc_cache *cache, const char *owner, const char *slot,
                  const char *query, char **ret_text, qc_error **err);

/* ---- capabilities (lib/caps-answer.c: no schema layer beyond the host facts reader, so
 * that `qcaps capabilities` can answer from a kept document as domcaps does) ---------- */
/* The cache answer key of the capabilities document: libvirt generation, format, who we
 * are (which binaries we may run), $PATH, and the host facts as read for keying
 * (qc_hostfacts_read_keyed() under `root`, NULL: this host) with the fingerprints of those
 * left out; `sys`, when not NULL, is the read of uname and cpuinfo those facts take).
 * The emulators found in $PATH are the answer's inputs (their directories' signatures),
 * not part of the key. Caller frees. */
char *qc_lib_caps_key(qcaps_context *ctx, const char *root, const struct qc_host_sys *sys,
                      qcaps_format format, qc_error **err);
/* The slot of the capabilities answer of `format`. */
const char *qc_lib_caps_slot(qcaps_format format);

#endif
