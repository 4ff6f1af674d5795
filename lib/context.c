/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* context.c: qcaps_context (settings shared by queries), its warnings and its cache
 * (lookup.c finds models through it). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "introspect/host.h"
#include "lib/internal.h"

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

QCAPS_PUBLIC int
qcaps_libvirt_check(const char *version, qcaps_error **err)
{
    qc_error *e = NULL;
    qc_lv_gen g;

    if (!version || qc_lv_gen_parse(version, &g, &e) == 0)
        return 0;
    qcaps_error_wrap(err, e);
    return -1;
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
    return qc_context_cache_sys(ctx, quiet, NULL, err);
}

qc_cache *
qc_context_cache_sys(qcaps_context *ctx, bool quiet, const qc_host_sys *sys, qc_error **err)
{
    QC_CLEANUP(qc_error_freep) qc_error *cerr = NULL;
    qc_cache *cache;

    if ((ctx && ctx->cache_mode == QCAPS_CACHE_BYPASS) || (ctx && ctx->tcg_only))
        return NULL;
    if (!(cache = qc_cache_open_sys(ctx ? ctx->cache_dir : NULL, !quiet,
                                    quiet ? NULL : qc_context_cache_warn, ctx, sys, &cerr))) {
        if (cerr->code == QC_E_NOMEM)
            qc_error_propagate(err, qc_steal(&cerr));
        else if (!quiet)
            qc_context_warn(ctx, "%s: answering without the cache", cerr->message);
    }
    /* a user's own cache falls back on the system's, which root's warm-up fills */
    if (cache && !(ctx && ctx->cache_dir)) {
        qc_autofree char *sysdir = qc_cache_system_dir();
        qc_cache *s;

        if (sysdir && strcmp(sysdir, qc_cache_dir(cache)) != 0 &&
            (s = qc_cache_open_sys(sysdir, false, NULL, NULL, sys, NULL)))
            qc_cache_set_fallback(cache, s);
    }
    return cache;
}
