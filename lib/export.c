/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* export.c: qcaps_host: a host's facts and the models of its emulators, and the export
 * document that carries them to another machine (qcaps export, qcaps diff).
 *
 * The export is one JSON object: {"qcaps-export": QC_EXPORT_FORMAT_VERSION (first, the
 * marker a reader recognises it by), "qcaps-version": the writer's version,
 * "host-facts": the host facts file's object (schema/hostfacts.h), "models": [every model
 * in the full view of model/README.md, sorted by emulator path]}. Pretty-printed as the
 * model is, so equal hosts give equal bytes. The reader checks the marker's version and
 * every model; unknown members are ignored.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dirent.h>
#include <json-c/json.h>

#include "common/jsonwrite.h"
#include "introspect/host.h"
#include "lib/diff-internal.h"
#include "lib/internal.h"
#include "model/model-json.h"
#include "schema/capabilities.h"
#include "schema/hostfacts.h"

#define QC_EXPORT_FORMAT_VERSION 1

struct qcaps_host {
    qc_hostfacts *facts;
    qcaps_model **models; /* sorted by emulator path */
    size_t n;
};

QC_DEFINE_CLEANUP(json_object *, json_object_put);

/* ---- helpers shared with the diff (lib/diff-internal.h) ---------------------------------- */

char *
qc_lib_json_text(json_object *top, qc_error **err)
{
    char *out = top ? qc_json_pretty_text(top) : NULL;

    if (!out)
        qc_error_set(err, QC_E_NOMEM, "out of memory");
    return out;
}

QCAPS_PUBLIC void
qcaps_host_free(qcaps_host *h)
{
    if (!h)
        return;
    qc_hostfacts_free(h->facts);
    for (size_t i = 0; i < h->n; i++)
        qcaps_model_free(h->models[i]);
    free(h->models);
    free(h);
}

QC_DEFINE_CLEANUP(qcaps_host *, qcaps_host_free);

QC_PUBLIC_GETTER(size_t, qcaps_host_model_count, qcaps_host, h, h->n, 0)

QCAPS_PUBLIC const qcaps_model *
qcaps_host_model(const qcaps_host *h, size_t i)
{
    return h && i < h->n ? h->models[i] : NULL;
}

static bool
qc_host_has(const qcaps_host *h, const char *emulator)
{
    for (size_t i = 0; i < h->n; i++) {
        if (h->models[i]->m->emulator && strcmp(h->models[i]->m->emulator, emulator) == 0)
            return true;
    }
    return false;
}

/* Takes m (freed on failure). */
static int
qc_host_add(qcaps_host *h, qc_model *m, qc_error **err)
{
    qcaps_model **v = realloc(h->models, (h->n + 1) * sizeof(*v));
    qcaps_model *w;

    if (!v) {
        qc_model_free(m);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    h->models = v;
    if (!(w = malloc(sizeof(*w)))) {
        qc_model_free(m);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    w->m = m;
    h->models[h->n++] = w;
    return 0;
}

static int
qc_host_model_cmp(const void *a, const void *b)
{
    const qc_model *x = (*(qcaps_model *const *)a)->m, *y = (*(qcaps_model *const *)b)->m;

    return strcmp(x->emulator ? x->emulator : "", y->emulator ? y->emulator : "");
}

/* ---- reading a host -------------------------------------------------------------------- */

/* The models of every *.replies of dir (qc_lib_fixture_models). */
static int
qc_host_read_fixtures(qcaps_context *ctx, qcaps_host *h, const char *dir, qc_error **err)
{
    qc_model **v = NULL;
    size_t n = 0;
    int rc = qc_lib_fixture_models(ctx, dir, &v, &n, err);

    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = qc_host_add(h, v[i], err);
        else
            qc_model_free(v[i]);
    }
    free(v);
    return rc;
}

/* This host's emulators: those of $PATH, then every other one the cache has an entry for
 * whose binary is still there. */
static int
qc_host_emulators(qcaps_context *ctx, qc_strlist *ret, qc_error **err)
{
    QC_CLEANUP(qc_cache_freep) qc_cache *cache = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *cerr = NULL;
    qc_cache_info *infos = NULL;
    size_t n = 0;
    int rc = -1;

    if (qc_host_find_emulators(&(qc_emu_search) {.scope = QC_EMU_FIRST}, ret, err) < 0)
        return -1;
    if (!(cache = qc_context_cache(ctx, true, &cerr)))
        return cerr ? qc_error_propagate(err, qc_steal(&cerr)) : 0;
    if (qc_cache_list(cache, &infos, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *emu = infos[i].emulator;

        if (!emu || qc_strlist_contains(ret, emu))
            continue;
        if (access(emu, X_OK) != 0) {
            qc_context_warn(ctx, "%s: cached, but the binary is gone: not exported", emu);
            continue;
        }
        if (qc_strlist_add(ret, emu, err) < 0)
            goto out;
    }
    rc = 0;
out:
    for (size_t i = 0; i < n; i++)
        qc_cache_info_clear(&infos[i]);
    free(infos);
    return rc;
}

static int
qc_host_read_emulators(qcaps_context *ctx, qcaps_host *h, qc_error **err)
{
    qc_strlist emus = {0};
    int rc = -1;

    if (qc_host_emulators(ctx, &emus, err) < 0)
        goto out;
    for (size_t i = 0; i < emus.n; i++) {
        QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
        qc_model *m = qc_context_model(ctx, emus.v[i], NULL, &e);

        if (!m) {
            if (e->code == QC_E_NOMEM) {
                qc_error_propagate(err, qc_steal(&e));
                goto out;
            }
            qc_context_warn(ctx, "%s skipped: %s", emus.v[i], e->message);
            continue;
        }
        if (qc_host_add(h, m, err) < 0)
            goto out;
    }
    rc = 0;
out:
    qc_strlist_clear(&emus);
    return rc;
}

static qcaps_host *
qc_host_read_internal(qcaps_context *ctx, const qcaps_host_query *q, qc_error **err)
{
    QC_CLEANUP(qcaps_host_freep) qcaps_host *h = calloc(1, sizeof(*h));
    const char *facts = q ? q->host_facts : NULL, *dir = q ? q->fixture_dir : NULL;

    if (!h) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (!(h->facts = facts ? qc_hostfacts_load(facts, err) : qc_hostfacts_read(NULL, err)))
        return NULL;
    if ((dir ? qc_host_read_fixtures(ctx, h, dir, err) : qc_host_read_emulators(ctx, h, err)) < 0)
        return NULL;
    if (h->n > 1)
        qsort(h->models, h->n, sizeof(*h->models), qc_host_model_cmp);
    return qc_steal(&h);
}

QCAPS_PUBLIC qcaps_host *
qcaps_host_read(qcaps_context *ctx, const qcaps_host_query *q, qcaps_error **err)
{
    qc_error *e = NULL;
    qcaps_host *h;

    if (!ctx)
        return qc_lib_invalid(err, "qcaps_host_read", "no context");
    if (!(h = qc_host_read_internal(ctx, q, &e)))
        qcaps_error_wrap(err, e);
    return h;
}

QCAPS_PUBLIC char *
qcaps_host_facts_now(qcaps_error **err)
{
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *hf = NULL;
    qc_error *e = NULL;
    char *text = NULL;

    if (!(hf = qc_hostfacts_read(NULL, &e)) || !(text = qc_hostfacts_to_json(hf, &e)))
        qcaps_error_wrap(err, e);
    return text;
}

/* ---- the export document ----------------------------------------------------------------- */

static char *
qc_host_export(const qcaps_host *h, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *top = json_object_new_object();
    qc_autofree char *facts = NULL;
    json_object *models = json_object_new_array(), *fo;

    if (!top || !models ||
        json_object_object_add(top, "qcaps-export",
                               json_object_new_int(QC_EXPORT_FORMAT_VERSION)) ||
        json_object_object_add(top, "qcaps-version", json_object_new_string(QC_VERSION))) {
        json_object_put(models);
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (!(facts = qc_hostfacts_to_json(h->facts, err))) {
        json_object_put(models);
        return NULL;
    }
    if (!(fo = json_tokener_parse(facts)) || json_object_object_add(top, "host-facts", fo) < 0 ||
        json_object_object_add(top, "models", models) < 0) {
        json_object_put(models);
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < h->n; i++) {
        json_object *m = qc_model_to_json(h->models[i]->m, err);

        if (!m)
            return NULL;
        if (json_object_array_add(models, m) < 0) {
            json_object_put(m);
            qc_error_set(err, QC_E_NOMEM, "out of memory");
            return NULL;
        }
    }
    return qc_lib_json_text(top, err);
}

QCAPS_PUBLIC char *
qcaps_host_to_export(const qcaps_host *h, qcaps_error **err)
{
    qc_error *e = NULL;
    char *out;

    if (!h)
        return qc_lib_invalid(err, "qcaps_host_to_export", "no host");
    if (!(out = qc_host_export(h, &e)))
        qcaps_error_wrap(err, e);
    return out;
}

QCAPS_PUBLIC char *
qcaps_host_facts(const qcaps_host *h, qcaps_error **err)
{
    qc_error *e = NULL;
    char *out;

    if (!h)
        return qc_lib_invalid(err, "qcaps_host_facts", "no host");
    if (!(out = qc_hostfacts_to_json(h->facts, &e)))
        qcaps_error_wrap(err, e);
    return out;
}

static qcaps_host *
qc_host_parse(const char *text, size_t len, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *top = NULL;
    QC_CLEANUP(qcaps_host_freep) qcaps_host *h = calloc(1, sizeof(*h));
    json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
    json_object *v, *facts, *models;

    if (!h || !tok) {
        json_tokener_free(tok);
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    top = json_tokener_parse_ex(tok, text, (int)len);
    if (!top || json_tokener_get_error(tok) != json_tokener_success ||
        json_tokener_get_parse_end(tok) < len) {
        qc_error_set(err, QC_E_FORMAT, "not one JSON document (%s)",
                     top ? "trailing data" : json_tokener_error_desc(json_tokener_get_error(tok)));
        json_tokener_free(tok);
        return NULL;
    }
    json_tokener_free(tok);
    if (!json_object_is_type(top, json_type_object) ||
        !json_object_object_get_ex(top, "qcaps-export", &v) ||
        !json_object_is_type(v, json_type_int)) {
        qc_error_set(err, QC_E_FORMAT, "no qcaps-export marker");
        return NULL;
    }
    if (json_object_get_int(v) != QC_EXPORT_FORMAT_VERSION) {
        qc_error_set(err, QC_E_FORMAT, "qcaps-export %d: this qcaps reads version %d",
                     json_object_get_int(v), QC_EXPORT_FORMAT_VERSION);
        return NULL;
    }
    if (!json_object_object_get_ex(top, "host-facts", &facts) ||
        !json_object_is_type(facts, json_type_object) ||
        !json_object_object_get_ex(top, "models", &models) ||
        !json_object_is_type(models, json_type_array)) {
        qc_error_set(err, QC_E_FORMAT, "host-facts: expected object, models: expected array");
        return NULL;
    }
    if (!(h->facts = qc_hostfacts_from_json(json_object_to_json_string(facts), err)))
        return NULL;
    for (size_t i = 0; i < json_object_array_length(models); i++) {
        qc_model *m = qc_model_from_json(json_object_array_get_idx(models, i), err);

        if (!m || m->view != QC_MODEL_VIEW_FULL || !m->emulator || qc_host_has(h, m->emulator)) {
            qc_error_set(err, QC_E_FORMAT, "%s",
                         !m                              ? "bad model"
                         : m->view != QC_MODEL_VIEW_FULL ? "a guests view, not a full model"
                         : !m->emulator                  ? "no emulator"
                                                         : "the emulator is there twice");
            qc_error_prefix(err, "models[%zu]", i);
            qc_model_free(m);
            return NULL;
        }
        if (qc_host_add(h, m, err) < 0)
            return NULL;
    }
    if (h->n > 1)
        qsort(h->models, h->n, sizeof(*h->models), qc_host_model_cmp);
    return qc_steal(&h);
}

QCAPS_PUBLIC qcaps_host *
qcaps_host_parse(const char *text, size_t len, const char *name, qcaps_error **err)
{
    qc_error *e = NULL;
    qcaps_host *h;

    if (!text || len > (size_t)INT32_MAX)
        return qc_lib_invalid(err, "qcaps_host_parse", text ? "too large" : "no text");
    if (!(h = qc_host_parse(text, len, &e))) {
        qc_error_prefix(&e, "%s: export", name ? name : "(text)");
        qcaps_error_wrap(err, e);
    }
    return h;
}
