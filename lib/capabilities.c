/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* capabilities.c: qcaps_capabilities(): the live host capabilities document.
 *
 * The document is a function of the host facts (read live every time), the emulators
 * found in $PATH and their models. With the cache in use, the document is kept as an
 * answer of the cache's own (cache.h) under the key of lib/caps-answer.c (the host facts
 * as a host facts file would hold them, with fingerprints for the two costly ones), made
 * from the $PATH directories as inputs and the entries every model came from. A query
 * whose key, inputs and entries are unchanged reads it back without parsing any model or
 * rendering anything.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "introspect/host.h"
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
    qc_cache_answer_src src; /* the entries they came from, for the answer */
    bool uncached;           /* a model did not come from an entry, or failed: keep no
                              * answer */
    bool offline;            /* only the models loaded up front answer (a fixture dir) */
} qc_lib_caps_models;

static const qc_model *
qc_lib_caps_model(const char *path, void *opaque, qc_error **err)
{
    qc_lib_caps_models *ms = opaque;
    qc_autofree char *id = NULL;
    qc_model **nv;
    qc_model *m;

    ssize_t k = qc_strlist_index(&ms->paths, path);

    if (k >= 0)
        return ms->v[k];
    if (ms->offline) {
        qc_error_set(err, QC_E_NOTFOUND, "no fixture for %s", path);
        return NULL;
    }
    /* the host document needs only the guests view of each model */
    if (!(m = qc_context_lookup(ms->ctx, ms->cache, path, NULL, QC_MODEL_VIEW_GUESTS, &id,
                                err))) {
        ms->uncached = true; /* skipped with a warning: the next query must try again */
        return NULL;
    }
    if (!(nv = realloc(ms->v, (ms->n + 1) * sizeof(*nv))) ||
        qc_strlist_add(&ms->paths, path, err) < 0 ||
        (id && (qc_strlist_add(&ms->src.entry_emulators, path, err) < 0 ||
                qc_strlist_add(&ms->src.entry_ids, id, err) < 0))) {
        if (nv)
            ms->v = nv;
        qc_model_free(m);
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    ms->uncached |= !id;
    ms->v = nv;
    ms->v[ms->n++] = m;
    return m;
}

/* Adds model m of emulator path (taken) to what the lookups answer. */
static int
qc_lib_caps_models_add(qc_lib_caps_models *ms, qc_model *m, qc_error **err)
{
    qc_model **nv = realloc(ms->v, (ms->n + 1) * sizeof(*nv));

    if (!nv || qc_strlist_add(&ms->paths, m->emulator, err) < 0) {
        ms->v = nv ? nv : ms->v;
        qc_model_free(m);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    ms->v = nv;
    ms->v[ms->n++] = m;
    return 0;
}

static void
qc_lib_caps_warn(const char *message, void *opaque)
{
    qc_context_warn(opaque, "%s", message);
}

/* The document of emulators emus over host facts hf, each model from ms; warnings to warn. */
static char *
qc_lib_caps_render(qc_lib_caps_models *ms, const qc_hostfacts *hf, const qc_strlist *emus,
                   qcaps_format format, qc_caps_warn_fn warn, void *warn_opaque, qc_error **err)
{
    qc_caps_req req = {
        .gen = ms->ctx->libvirt,
        .host = hf,
        .emulators = emus,
        .model = qc_lib_caps_model,
        .model_opaque = ms,
        .warn = warn,
        .warn_opaque = warn_opaque,
        .json = format == QCAPS_FORMAT_JSON,
    };

    return qc_capabilities_format(&req, err);
}

static void
qc_lib_caps_models_clear(qc_lib_caps_models *ms)
{
    for (size_t i = 0; i < ms->n; i++)
        qc_model_free(ms->v[i]);
    free(ms->v);
    qc_cache_answer_src_clear(&ms->src);
    qc_cache_free(ms->cache);
    qc_strlist_clear(&ms->paths);
}

/* The document of the context's sources (a host facts file, a fixture directory), rendered
 * every time: no answer is kept for them. */
static char *
qc_lib_caps_sources(qcaps_context *ctx, qcaps_format format, qc_error **err)
{
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *hf = NULL;
    qc_lib_caps_models ms = {.ctx = ctx, .offline = ctx->fixture_dir != NULL};
    qc_model **loaded = NULL;
    size_t n_loaded = 0;
    qc_strlist emus = {0};
    char *out = NULL;
    int rc = 0;

    hf = ctx->host_facts ? qc_hostfacts_load(ctx->host_facts, err) : qc_hostfacts_read(NULL, err);
    if (!hf)
        goto out;
    if (ctx->fixture_dir) {
        rc = qc_lib_fixture_models(ctx, ctx->fixture_dir, &loaded, &n_loaded, err);
        for (size_t i = 0; i < n_loaded; i++) {
            if (rc == 0 && qc_strlist_add(&emus, loaded[i]->emulator, err) < 0)
                rc = -1;
            if (rc == 0)
                rc = qc_lib_caps_models_add(&ms, loaded[i], err);
            else
                qc_model_free(loaded[i]);
        }
        free(loaded);
    } else {
        if (!(ms.cache = qc_context_cache(ctx, false, err)) && err && *err)
            goto out;
        rc = qc_host_find_emulators(&(qc_emu_search) {.scope = QC_EMU_FIRST}, &emus, err);
    }
    if (rc < 0)
        goto out;
    out = qc_lib_caps_render(&ms, hf, &emus, format, qc_lib_caps_warn, ctx, err);
out:
    qc_lib_caps_models_clear(&ms);
    qc_strlist_clear(&emus);
    return out;
}

QCAPS_PUBLIC char *
qcaps_capabilities(qcaps_context *ctx, qcaps_format format, qcaps_error **err)
{
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *hf = NULL;
    qc_lib_caps_models ms = {.ctx = ctx};
    qc_lib_warnings w = {ctx, {0}, false};
    qc_autofree char *key = NULL;
    const char *slot = qc_lib_caps_slot(format);
    qc_strlist emus = {0};
    qc_error *e = NULL;
    char *out = NULL;
    int r;

    if (!ctx || (format != QCAPS_FORMAT_XML && format != QCAPS_FORMAT_JSON)) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_capabilities: %s",
                     ctx ? "unknown format" : "no context");
        qcaps_error_wrap(err, e);
        return NULL;
    }
    if (ctx->host_facts || ctx->fixture_dir) {
        if (!(out = qc_lib_caps_sources(ctx, format, &e)))
            goto out;
        return out;
    }
    if (!(ms.cache = qc_context_cache(ctx, false, &e)) && e)
        goto out;
    /* the key and the inputs are read before what they stand for */
    if (ms.cache && !(key = qc_lib_caps_key(ctx, NULL, NULL, format, &e)))
        goto out;
    if (ms.cache && ctx->cache_mode == QCAPS_CACHE_USE) {
        if ((r = qc_lib_answer(ctx, ms.cache, NULL, slot, key, &out, &e)) != 0)
            goto out;
    }
    if (!(hf = qc_hostfacts_read(NULL, &e)) ||
        qc_host_find_emulators(&(qc_emu_search) {.scope = QC_EMU_FIRST,
                                                  .input_paths = &ms.src.input_paths,
                                                  .input_sigs = &ms.src.input_sigs},
                               &emus, &e) < 0)
        goto out;
    out = qc_lib_caps_render(&ms, hf, &emus, format, qc_lib_warn_keep, &w, &e);
    if (out && ms.cache && !ms.uncached && ms.src.entry_ids.n && !w.oom) {
        QC_CLEANUP(qc_error_freep) qc_error *perr = NULL;
        ms.src.warnings = w.list;
        /* only a shortcut: a cache that takes no answer still answered the query */
        r = qc_cache_answer_put(ms.cache, NULL, slot, key, &ms.src, out, strlen(out), &perr);
        memset(&ms.src.warnings, 0, sizeof(ms.src.warnings));
        if (r < 0 && perr->code == QC_E_NOMEM) {
            free(out);
            out = NULL;
            e = qc_steal(&perr);
        }
    }
out:
    qc_lib_caps_models_clear(&ms);
    qc_strlist_clear(&emus);
    qc_strlist_clear(&w.list);
    if (!out)
        qcaps_error_wrap(err, e);
    return out;
}
