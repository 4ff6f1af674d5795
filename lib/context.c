/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* context.c: qcaps_context (settings shared by queries) and the cache-backed model lookup. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "common/path.h"
#include "introspect/host.h"
#include "introspect/probe.h"
#include "lib/internal.h"
#include "qmp/fixture.h"

QCAPS_PUBLIC qcaps_context *
qcaps_context_new(qcaps_error **err)
{
    qcaps_context *ctx = calloc(1, sizeof(*ctx));
    qc_error *e = NULL;

    if (!ctx) {
        qc_error_set(&e, QC_E_NOMEM, "out of memory");
        qcaps_error_wrap(err, e);
        return NULL;
    }
    ctx->libvirt = QC_LV_LATEST;
    return ctx;
}

qc_lv_gen
qc_context_libvirt(const qcaps_context *ctx)
{
    return ctx ? ctx->libvirt : QC_LV_LATEST;
}

QCAPS_PUBLIC int
qcaps_context_set_libvirt(qcaps_context *ctx, const char *version, qcaps_error **err)
{
    qc_error *e = NULL;
    qc_lv_gen g;

    if (!ctx) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_context_set_libvirt: no context");
        qcaps_error_wrap(err, e);
        return -1;
    }
    if (!version) {
        ctx->libvirt = QC_LV_LATEST;
        return 0;
    }
    if (qc_lv_gen_parse(version, &g, &e) < 0) {
        qcaps_error_wrap(err, e);
        return -1;
    }
    ctx->libvirt = g;
    return 0;
}

static void
qc_strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

QCAPS_PUBLIC void
qcaps_context_free(qcaps_context *ctx)
{
    if (!ctx)
        return;
    free(ctx->cache_dir);
    qc_strv_free(ctx->firmware_dirs);
    free(ctx->host_facts);
    free(ctx->fixture_dir);
    free(ctx);
}

/* *dst = a copy of value (NULL: unset); the public setters' common part. */
static int
qc_context_set_str(qcaps_context *ctx, char **dst, const char *value, const char *what,
                   qcaps_error **err)
{
    qc_error *e = NULL;
    char *copy = NULL;

    if (!ctx || (value && !*value)) {
        qc_error_set(&e, QC_E_INVALID, "%s: %s", what, ctx ? "empty name" : "no context");
        qcaps_error_wrap(err, e);
        return -1;
    }
    if (qc_strdup_opt(&copy, value, &e) < 0) {
        qcaps_error_wrap(err, e);
        return -1;
    }
    free(*dst);
    *dst = copy;
    return 0;
}

QCAPS_PUBLIC int
qcaps_context_set_host_facts(qcaps_context *ctx, const char *path, qcaps_error **err)
{
    return qc_context_set_str(ctx, ctx ? &ctx->host_facts : NULL, path,
                              "qcaps_context_set_host_facts", err);
}

QCAPS_PUBLIC int
qcaps_context_set_fixture_dir(qcaps_context *ctx, const char *dir, qcaps_error **err)
{
    return qc_context_set_str(ctx, ctx ? &ctx->fixture_dir : NULL, dir,
                              "qcaps_context_set_fixture_dir", err);
}

QCAPS_PUBLIC int
qcaps_context_set_cache_dir(qcaps_context *ctx, const char *dir, qcaps_error **err)
{
    char *copy = NULL;
    qc_error *e = NULL;

    if (!ctx || (dir && !*dir)) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_context_set_cache_dir: %s",
                     ctx ? "empty directory name" : "no context");
        qcaps_error_wrap(err, e);
        return -1;
    }
    if (dir && !(copy = strdup(dir))) {
        qc_error_set(&e, QC_E_NOMEM, "out of memory");
        qcaps_error_wrap(err, e);
        return -1;
    }
    free(ctx->cache_dir);
    ctx->cache_dir = copy;
    return 0;
}

QCAPS_PUBLIC void
qcaps_context_set_cache_mode(qcaps_context *ctx, qcaps_cache_mode mode)
{
    if (ctx)
        ctx->cache_mode = mode;
}

QCAPS_PUBLIC int
qcaps_context_set_firmware_dirs(qcaps_context *ctx, const char *const *dirs,
                                qcaps_error **err)
{
    char **copy = NULL;
    size_t n = 0;
    qc_error *e = NULL;

    if (!ctx) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_context_set_firmware_dirs: no context");
        qcaps_error_wrap(err, e);
        return -1;
    }
    if (dirs) {
        while (dirs[n])
            n++;
        if (!(copy = calloc(n + 1, sizeof(*copy))))
            goto oom;
        for (size_t i = 0; i < n; i++) {
            if (!(copy[i] = strdup(dirs[i])))
                goto oom;
        }
    }
    qc_strv_free(ctx->firmware_dirs);
    ctx->firmware_dirs = copy;
    return 0;
oom:
    qc_strv_free(copy);
    qc_error_set(&e, QC_E_NOMEM, "out of memory");
    qcaps_error_wrap(err, e);
    return -1;
}

QCAPS_PUBLIC void
qcaps_context_set_timeout(qcaps_context *ctx, int timeout_ms)
{
    if (ctx)
        ctx->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
}

QCAPS_PUBLIC void
qcaps_context_set_tcg_only(qcaps_context *ctx, bool tcg_only)
{
    if (ctx)
        ctx->tcg_only = tcg_only;
}

QCAPS_PUBLIC void
qcaps_context_set_warning_handler(qcaps_context *ctx, qcaps_warning_fn fn, void *opaque)
{
    if (!ctx)
        return;
    ctx->warn = fn;
    ctx->warn_opaque = opaque;
}

void
qc_context_warn(qcaps_context *ctx, const char *fmt, ...)
{
    va_list ap;

    if (!ctx)
        return;
    va_start(ap, fmt);
    qc_warn_v(ctx->warn, ctx->warn_opaque, fmt, ap);
    va_end(ap);
}

void
qc_lib_warn_keep(const char *message, void *opaque)
{
    qc_lib_warnings *w = opaque;

    qc_context_warn(w->ctx, "%s", message);
    if (qc_strlist_add(&w->list, message, NULL) < 0)
        w->oom = true;
}

static void
qc_context_cache_warn(const char *message, void *opaque)
{
    qc_context_warn(opaque, "%s", message);
}

qc_cache *
qc_context_cache(qcaps_context *ctx, bool quiet, qc_error **err)
{
    QC_CLEANUP(qc_error_freep) qc_error *cerr = NULL;
    qc_cache *cache;

    if ((ctx && ctx->cache_mode == QCAPS_CACHE_BYPASS) || (ctx && ctx->tcg_only))
        return NULL;
    if (!(cache = qc_cache_open(ctx ? ctx->cache_dir : NULL, !quiet,
                                quiet ? NULL : qc_context_cache_warn, ctx, &cerr))) {
        if (cerr->code == QC_E_NOMEM)
            qc_error_propagate(err, qc_steal(&cerr));
        else if (!quiet)
            qc_context_warn(ctx, "%s: answering without the cache", cerr->message);
    }
    /* a user's own cache falls back on the system's, which root's warm-up fills */
    if (cache && !(ctx && ctx->cache_dir)) {
        qc_autofree char *sys = qc_cache_system_dir();
        qc_cache *s;

        if (sys && strcmp(sys, qc_cache_dir(cache)) != 0 &&
            (s = qc_cache_open(sys, false, NULL, NULL, NULL)))
            qc_cache_set_fallback(cache, s);
    }
    return cache;
}

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
