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

#include "common/error.h"
#include "model/model.h"

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
};

/* Hands an internal error to the caller (consumes e; frees it when err is NULL/set). */
void qcaps_error_wrap(qcaps_error **err, qc_error *e);
/* Wraps a model (takes ownership; frees it on failure). */
qcaps_model *qcaps_model_wrap(qc_model *m, qcaps_error **err);

/* The model for a query: replayed from `fixture` when given (the cache is not touched),
 * else from the cache or a probe of `emulator` according to the context's cache mode
 * (cache/cache.h: a valid entry answers, a miss probes under the entry's lock and stores).
 * A cache directory that cannot be used is a warning, never a failure: the probe still
 * answers. Caller owns the result. */
qc_model *qc_context_model(qcaps_context *ctx, const char *emulator, const char *fixture,
                           qc_error **err);
/* Passes a warning to the context's handler (nothing when none is set). */
void qc_context_warn(qcaps_context *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
