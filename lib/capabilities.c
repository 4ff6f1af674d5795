/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* capabilities.c: qcaps_capabilities(): the live host capabilities document. */
#include <stdlib.h>
#include <string.h>

#include "lib/internal.h"
#include "schema/capabilities.h"
#include "schema/hostfacts.h"

/* Models looked up so far (qemu-system-arm serves two guests), freed with the query. */
typedef struct qc_lib_caps_models {
    qcaps_context *ctx;
    qc_cache *cache;         /* opened once for all the emulators; NULL: probe each */
    qc_strlist paths;        /* paths[i] is the emulator of v[i] */
    qc_model **v;
    size_t n;
} qc_lib_caps_models;

static const qc_model *
qc_lib_caps_model(const char *path, void *opaque, qc_error **err)
{
    qc_lib_caps_models *ms = opaque;
    qc_model **nv;
    qc_model *m;

    ssize_t k = qc_strlist_index(&ms->paths, path);

    if (k >= 0)
        return ms->v[k];
    /* the host document needs only the guests view of each model */
    if (!(m = qc_context_lookup(ms->ctx, ms->cache, path, NULL, QC_MODEL_VIEW_GUESTS, NULL,
                                err)))
        return NULL;
    if (!(nv = realloc(ms->v, (ms->n + 1) * sizeof(*nv))) ||
        qc_strlist_add(&ms->paths, path, err) < 0) {
        if (nv)
            ms->v = nv;
        qc_model_free(m);
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    ms->v = nv;
    ms->v[ms->n++] = m;
    return m;
}

static void
qc_lib_caps_warn(const char *message, void *opaque)
{
    qc_context_warn(opaque, "%s", message);
}

QCAPS_PUBLIC char *
qcaps_capabilities(qcaps_context *ctx, qcaps_format format, qcaps_error **err)
{
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *hf = NULL;
    qc_lib_caps_models ms = {.ctx = ctx};
    qc_strlist emus = {0};
    qc_caps_req req = {0};
    qc_error *e = NULL;
    char *out = NULL;

    if (!ctx || (format != QCAPS_FORMAT_XML && format != QCAPS_FORMAT_JSON)) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_capabilities: %s",
                     ctx ? "unknown format" : "no context");
        qcaps_error_wrap(err, e);
        return NULL;
    }
    if (!(hf = qc_hostfacts_read(NULL, &e)) || qc_caps_find_emulators(NULL, &emus, &e) < 0)
        goto out;
    if (!(ms.cache = qc_context_cache(ctx, false, &e)) && e)
        goto out;
    req.host = hf;
    req.emulators = &emus;
    req.model = qc_lib_caps_model;
    req.model_opaque = &ms;
    req.warn = qc_lib_caps_warn;
    req.warn_opaque = ctx;
    req.json = format == QCAPS_FORMAT_JSON;
    out = qc_capabilities_format(&req, &e);
out:
    for (size_t i = 0; i < ms.n; i++)
        qc_model_free(ms.v[i]);
    free(ms.v);
    qc_cache_free(ms.cache);
    qc_strlist_clear(&ms.paths);
    qc_strlist_clear(&emus);
    if (!out)
        qcaps_error_wrap(err, e);
    return out;
}
