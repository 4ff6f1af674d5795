/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cache.c: qcaps_cache, the public view of a cache directory: its entries, check and clear. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache/cache.h"
#include "lib/internal.h"

struct qcaps_cache {
    char *dir;           /* as opened (or as it would be, when it does not exist) */
    qc_cache *c;         /* NULL when the directory does not exist */
    qcaps_cache *system; /* the read-only fallback, or NULL */
    qc_lib_warner warn;
};

struct qcaps_cache_entries {
    qc_cache_info *infos;
    qcaps_cache_entry *v;
    size_t n;
};

void
qc_lib_warner_call(const char *message, void *opaque)
{
    qc_lib_warner *w = opaque;

    if (w->fn)
        w->fn(message, w->opaque);
}

qcaps_entry_state
qc_lib_entry_state(qc_cache_state s)
{
    switch (s) {
    case QC_CACHE_FRESH:
        return QCAPS_ENTRY_FRESH;
    case QC_CACHE_MISSING:
        return QCAPS_ENTRY_MISSING;
    case QC_CACHE_STALE:
        return QCAPS_ENTRY_STALE;
    case QC_CACHE_BROKEN:
        return QCAPS_ENTRY_BROKEN;
    case QC_CACHE_BLOCKED:
        return QCAPS_ENTRY_BLOCKED;
    }
    return QCAPS_ENTRY_BROKEN;
}

QCAPS_PUBLIC const char *
qcaps_entry_state_name(qcaps_entry_state s)
{
    switch (s) {
    case QCAPS_ENTRY_FRESH:
        return qc_cache_state_name(QC_CACHE_FRESH);
    case QCAPS_ENTRY_MISSING:
        return qc_cache_state_name(QC_CACHE_MISSING);
    case QCAPS_ENTRY_STALE:
        return qc_cache_state_name(QC_CACHE_STALE);
    case QCAPS_ENTRY_BROKEN:
        return qc_cache_state_name(QC_CACHE_BROKEN);
    case QCAPS_ENTRY_BLOCKED:
        return qc_cache_state_name(QC_CACHE_BLOCKED);
    }
    return "?";
}

QCAPS_PUBLIC void
qcaps_cache_free(qcaps_cache *c)
{
    if (!c)
        return;
    qcaps_cache_free(c->system);
    qc_cache_free(c->c);
    free(c->dir);
    free(c);
}

QC_DEFINE_CLEANUP(qcaps_cache *, qcaps_cache_free);

QCAPS_PUBLIC qcaps_cache *
qcaps_cache_open(qcaps_context *ctx, qcaps_error **err)
{
    QC_CLEANUP(qcaps_cache_freep) qcaps_cache *c = NULL;
    qc_error *e = NULL;
    struct stat st;

    if (!ctx) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_cache_open: no context");
        goto fail;
    }
    if (!(c = calloc(1, sizeof(*c)))) {
        qc_error_set(&e, QC_E_NOMEM, "out of memory");
        goto fail;
    }
    c->warn = (qc_lib_warner) {ctx->warn, ctx->warn_opaque};
    if (!(c->dir = ctx->cache_dir ? strdup(ctx->cache_dir) : qc_cache_default_dir(&e))) {
        if (!e)
            qc_error_set(&e, QC_E_NOMEM, "out of memory");
        goto fail;
    }
    /* a cache never warmed is empty, not an error */
    if (lstat(c->dir, &st) < 0 && errno == ENOENT)
        return qc_steal(&c);
    if (!(c->c = qc_cache_open(ctx->cache_dir, false, qc_lib_warner_call, &c->warn, &e)))
        goto fail;
    free(c->dir);
    if (!(c->dir = strdup(qc_cache_dir(c->c)))) {
        qc_error_set(&e, QC_E_NOMEM, "out of memory");
        goto fail;
    }
    /* what a non-root user's queries also read (lib/context.c) */
    if (!ctx->cache_dir) {
        qc_autofree char *sys = qc_cache_system_dir();
        qc_cache *s =
            sys && strcmp(sys, c->dir) != 0 ? qc_cache_open(sys, false, NULL, NULL, NULL) : NULL;

        if (s && (!(c->system = calloc(1, sizeof(*c->system))) ||
                  !(c->system->dir = strdup(qc_cache_dir(s))))) {
            qc_cache_free(s);
            qc_error_set(&e, QC_E_NOMEM, "out of memory");
            goto fail;
        }
        if (s)
            c->system->c = s;
    }
    return qc_steal(&c);
fail:
    qcaps_error_wrap(err, e);
    return NULL;
}

QCAPS_PUBLIC bool
qcaps_cache_exists(const qcaps_cache *c)
{
    return c && c->c;
}

QC_PUBLIC_GETTER(const char *, qcaps_cache_dir, qcaps_cache, c, c->dir, NULL)
QC_PUBLIC_GETTER(const qcaps_cache *, qcaps_cache_system, qcaps_cache, c, c->system, NULL)

QCAPS_PUBLIC void
qcaps_cache_entries_free(qcaps_cache_entries *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        qc_cache_info_clear(&l->infos[i]);
    free(l->infos);
    free(l->v);
    free(l);
}

QCAPS_PUBLIC qcaps_cache_entries *
qcaps_cache_list(const qcaps_cache *c, qcaps_error **err)
{
    qcaps_cache_entries *l = calloc(1, sizeof(*l));
    qc_error *e = NULL;

    if (!l) {
        qc_error_set(&e, QC_E_NOMEM, "out of memory");
        goto fail;
    }
    if (!c) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_cache_list: no cache");
        goto fail;
    }
    if (!c->c)
        return l;
    if (qc_cache_list(c->c, &l->infos, &l->n, &e) < 0)
        goto fail;
    if (l->n && !(l->v = calloc(l->n, sizeof(*l->v)))) {
        qc_error_set(&e, QC_E_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < l->n; i++) {
        const qc_cache_info *in = &l->infos[i];

        l->v[i] = (qcaps_cache_entry) {
            .file = in->file,
            .emulator = in->emulator,
            .qemu_version = in->qemu_version,
            .target = in->target,
            .probed_at = (long long) in->probed_at,
            .probe_ms = in->probe_ms,
            .state = qc_lib_entry_state(in->state),
            .reason = in->state == QC_CACHE_FRESH ? NULL : in->reason,
        };
    }
    return l;
fail:
    qcaps_cache_entries_free(l);
    qcaps_error_wrap(err, e);
    return NULL;
}

QC_PUBLIC_GETTER(size_t, qcaps_cache_entries_count, qcaps_cache_entries, l, l->n, 0)

QCAPS_PUBLIC const qcaps_cache_entry *
qcaps_cache_entries_get(const qcaps_cache_entries *l, size_t i)
{
    return l && i < l->n ? &l->v[i] : NULL;
}

QCAPS_PUBLIC int
qcaps_cache_clear(qcaps_cache *c, int timeout_ms, qcaps_error **err)
{
    qc_error *e = NULL;
    int removed;

    if (!c) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_cache_clear: no cache");
        qcaps_error_wrap(err, e);
        return -1;
    }
    if (!c->c)
        return 0;
    if ((removed = qc_cache_clear(c->c, timeout_ms > 0 ? timeout_ms : 0, &e)) < 0) {
        qcaps_error_wrap(err, e);
        return -1;
    }
    return removed;
}
