/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lookup.c: the models of a context's queries: from its cache, a probe or a fixture.
 *
 * Apart from context.c because it is what runs QEMU: a program that only reads kept
 * answers (the `qcaps` front) links the context without the probe and libevent.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "common/path.h"
#include "introspect/host.h"
#include "introspect/probe.h"
#include "lib/internal.h"
#include "qmp/fixture.h"

qc_model *
qc_context_lookup(qcaps_context *ctx, qc_cache *cache, const char *emulator,
                  const char *fixture, qc_model_view view, char **ret_id, qc_error **err)
{
    QC_CLEANUP(qc_fixture_freep) qc_fixture *fx = NULL;
    qc_autofree char *abs = NULL;
    qc_probe_opts o = {0};

    if (ret_id)
        *ret_id = NULL;
    if (!emulator && !fixture) {
        qc_error_set(err, QC_E_INVALID, "give an emulator or a fixture");
        return NULL;
    }
    o.timeout_ms = ctx ? ctx->timeout_ms : 0;
    o.accel_mode = ctx && ctx->tcg_only ? QC_PROBE_ACCEL_TCG_ONLY : QC_PROBE_ACCEL_AUTO;
    if (fixture) {
        /* a replay is already cheap and must not depend on, or change, the host's cache */
        if (!(fx = qc_fixture_load(fixture, err)))
            return NULL;
        o.fixture = fx;
        return qc_probe_run(&o, err);
    }
    /* one entry per binary however it is named: ./qemu-system-x86_64, a bare name */
    if (!(abs = qc_path_absolute(emulator, err))) {
        qc_error_prefix(err, "probing '%s'", emulator);
        return NULL;
    }
    o.emulator = abs;
    if (!cache)
        return qc_probe_run(&o, err);
    return qc_cache_get(cache, &o, ctx && ctx->cache_mode == QCAPS_CACHE_REFRESH, view, ret_id,
                        err);
}

qc_model *
qc_context_model(qcaps_context *ctx, const char *emulator, const char *fixture, qc_error **err)
{
    QC_CLEANUP(qc_cache_freep) qc_cache *cache = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *cerr = NULL;
    qc_model *m;

    if (!fixture && !(cache = qc_context_cache(ctx, false, &cerr)) && cerr) {
        qc_error_propagate(err, qc_steal(&cerr));
        return NULL;
    }
    if (!(m = qc_context_lookup(ctx, cache, emulator, fixture, QC_MODEL_VIEW_FULL, NULL, err)))
        return NULL;
    /* firmware descriptors are read at query time: installing OVMF needs no re-probe (a
     * replay keeps the fixture's unless directories are given) */
    if ((!fixture || (ctx && ctx->firmware_dirs)) &&
        qc_host_read_firmware(&m->host, ctx ? (const char *const *) ctx->firmware_dirs : NULL,
                              err) < 0) {
        qc_model_free(m);
        return NULL;
    }
    return m;
}

QCAPS_PUBLIC qcaps_model *
qcaps_get_model(qcaps_context *ctx, const char *emulator, qcaps_error **err)
{
    qc_error *e = NULL;
    qc_model *m;

    if (!ctx || !emulator) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_get_model: %s",
                     ctx ? "no emulator given" : "no context");
        qcaps_error_wrap(err, e);
        return NULL;
    }
    if (!(m = qc_context_model(ctx, emulator, NULL, &e))) {
        qcaps_error_wrap(err, e);
        return NULL;
    }
    return qcaps_model_wrap(m, err);
}

static int
qc_lib_cmp_path(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

int
qc_lib_fixture_models(qcaps_context *ctx, const char *dir, qc_model ***models, size_t *n,
                      qc_error **err)
{
    qc_strlist files = {0};
    int rc = -1;

    if (qc_lib_fixture_dir(dir, &files, err) < 0)
        goto out;
    for (size_t i = 0; i < files.n; i++) {
        QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
        qc_model *m = qc_context_model(ctx, NULL, files.v[i], &e), **v;
        bool dup = false;

        for (size_t j = 0; m && m->emulator && j < *n; j++)
            dup |= (*models)[j]->emulator && strcmp((*models)[j]->emulator, m->emulator) == 0;
        if (!m || !m->emulator || dup) {
            qc_context_warn(ctx, "%s skipped: %s", files.v[i],
                            !m             ? e->message
                            : !m->emulator ? "no emulator recorded"
                                           : "another fixture records the same emulator");
            qc_model_free(m);
            if (e && e->code == QC_E_NOMEM) {
                qc_error_propagate(err, qc_steal(&e));
                goto out;
            }
            continue;
        }
        if (!(v = realloc(*models, (*n + 1) * sizeof(*v)))) {
            qc_model_free(m);
            qc_error_set(err, QC_E_NOMEM, "out of memory");
            goto out;
        }
        *models = v;
        v[(*n)++] = m;
    }
    rc = 0;
out:
    qc_strlist_clear(&files);
    return rc;
}

int
qc_lib_fixture_dir(const char *dir, qc_strlist *ret, qc_error **err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t first = ret->n;

    if (!d)
        return qc_error_set_errno(err, errno, "opening fixture directory '%s'", dir);
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        char *p = NULL;

        if (len <= 8 || strcmp(de->d_name + len - 8, ".replies") != 0)
            continue;
        if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
            p = NULL;
        if (qc_strlist_add_take(ret, p, err) < 0) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    if (ret->n - first > 1)
        qsort(ret->v + first, ret->n - first, sizeof(*ret->v), qc_lib_cmp_path);
    return 0;
}
