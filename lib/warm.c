/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* warm.c: qcaps_warm, the public warm-up: which emulators, then cache/warm.c's event loop (or
 * a check of each entry), its events handed on in public terms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache.h"
#include "common/clock.h"
#include "common/path.h"
#include "introspect/host.h"
#include "lib/internal.h"

struct qcaps_warm {
    qc_strlist emus; /* absolute paths, each once */
    qc_cache *c;
    unsigned flags;
    bool refresh;
    int timeout_ms;
    unsigned jobs;   /* 0: online CPUs */
    qcaps_warm_event_fn event;
    qcaps_warm_tick_fn tick;
    int tick_ms;
    void *opaque;
    qc_lib_warner warn;
};

QCAPS_PUBLIC void
qcaps_warm_free(qcaps_warm *w)
{
    if (!w)
        return;
    qc_strlist_clear(&w->emus);
    qc_cache_free(w->c);
    free(w);
}

QC_DEFINE_CLEANUP(qcaps_warm *, qcaps_warm_free);

/* Emulators to warm, each once: by absolute path (common/path.h: its directory resolved,
 * its name kept), so that a directory reached twice (merged /usr puts /bin and /usr/bin
 * on PATH) or one binary named twice on the command line (qemu-system-x ./qemu-system-x)
 * is probed once, while a symlinked binary (qemu-system-ppc64le -> qemu-system-ppc64)
 * keeps its own entry: queries, and so cache entries, are per path.
 * Adds `path` made absolute; one that cannot be (a bare name not in $PATH) is added as
 * given when `keep` (the probe then says what is wrong with it), else skipped. */
static int
qc_warm_add(qc_strlist *l, const char *path, bool keep, qc_error **err)
{
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    char *abs = qc_path_absolute(path, &e);

    if (!abs && e && e->code == QC_E_NOMEM)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (!abs && !keep)
        return 0;
    if (!abs && !(abs = strdup(path)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i], abs) == 0) {
            free(abs);
            return 0;
        }
    }
    return qc_strlist_add_take(l, abs, err);
}

/* Every emulator of this host (introspect/host.h, QC_EMU_EVERY). */
static int
qc_warm_discover(qc_strlist *l, qc_error **err)
{
    qc_strlist found = {0};
    int r = qc_host_find_emulators(&(qc_emu_search) {.scope = QC_EMU_EVERY}, &found, NULL);

    if (r < 0)
        qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; r == 0 && i < found.n; i++)
        r = qc_warm_add(l, found.v[i], false, err);
    qc_strlist_clear(&found);
    return r;
}

QCAPS_PUBLIC qcaps_warm *
qcaps_warm_new(qcaps_context *ctx, const char *const *emulators, size_t n, unsigned flags,
               qcaps_error **err)
{
    QC_CLEANUP(qcaps_warm_freep) qcaps_warm *w = NULL;
    qc_error *e = NULL;
    bool check = flags & QCAPS_WARM_CHECK;

    if (!ctx || (n && !emulators)) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_warm_new: %s",
                     ctx ? "no emulator list given" : "no context");
        goto fail;
    }
    if (ctx->cache_mode == QCAPS_CACHE_BYPASS || ctx->tcg_only) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_warm_new: %s",
                     ctx->tcg_only ? "a TCG-only model is never cached"
                                   : "a warm-up needs the cache");
        goto fail;
    }
    if (check && ctx->cache_mode == QCAPS_CACHE_REFRESH) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_warm_new: a check refreshes nothing");
        goto fail;
    }
    if (!(w = calloc(1, sizeof(*w)))) {
        qc_error_set(&e, QC_E_NOMEM, "out of memory");
        goto fail;
    }
    w->flags = flags;
    w->refresh = ctx->cache_mode == QCAPS_CACHE_REFRESH;
    w->timeout_ms = ctx->timeout_ms;
    w->warn = (qc_lib_warner) {ctx->warn, ctx->warn_opaque};
    for (size_t i = 0; i < n; i++) {
        if (qc_warm_add(&w->emus, emulators[i], true, &e) < 0)
            goto fail;
    }
    if (n == 0 && qc_warm_discover(&w->emus, &e) < 0)
        goto fail;
    if (!(w->c = qc_cache_open(ctx->cache_dir, !check, qc_lib_warner_call, &w->warn, &e)))
        goto fail;
    return qc_steal(&w);
fail:
    qcaps_error_wrap(err, e);
    return NULL;
}

QC_PUBLIC_GETTER(size_t, qcaps_warm_count, qcaps_warm, w, w->emus.n, 0)

QCAPS_PUBLIC const char *
qcaps_warm_emulator(const qcaps_warm *w, size_t i)
{
    return w && i < w->emus.n ? w->emus.v[i] : NULL;
}

QC_PUBLIC_GETTER(const char *, qcaps_warm_cache_dir, qcaps_warm, w, qc_cache_dir(w->c), NULL)

QCAPS_PUBLIC void
qcaps_warm_set_jobs(qcaps_warm *w, unsigned jobs)
{
    if (w)
        w->jobs = jobs;
}

QCAPS_PUBLIC void
qcaps_warm_set_progress(qcaps_warm *w, qcaps_warm_event_fn event, qcaps_warm_tick_fn tick,
                        int tick_ms, void *opaque)
{
    if (!w)
        return;
    w->event = event;
    w->tick = tick;
    w->tick_ms = tick_ms > 0 ? tick_ms : 0;
    w->opaque = opaque;
}

/* cache/warm.c's event, in public terms */
static void
qc_warm_event_pass(const qc_warm_event *ev, void *opaque)
{
    qcaps_warm *w = opaque;
    qcaps_warm_event pe = {
        .index = ev->index,
        .emulator = ev->emulator,
        .seconds = ev->seconds,
    };
    char version[64];

    if (!w->event)
        return;
    if (!ev->done) {
        pe.kind = QCAPS_WARM_STARTED;
        pe.seconds = 0;
    } else if (ev->result == QC_WARM_FRESH) {
        pe.kind = QCAPS_WARM_FRESH;
    } else if (ev->result == QC_WARM_PROBED) {
        pe.kind = QCAPS_WARM_PROBED;
        pe.reason = ev->reason;
        if (ev->model) {
            snprintf(version, sizeof(version), "%d.%d.%d", ev->model->version_major,
                     ev->model->version_minor, ev->model->version_micro);
            pe.qemu_version = version;
        }
    } else {
        pe.kind = QCAPS_WARM_FAILED;
        pe.message = ev->error && ev->error->message ? ev->error->message : "probe failed";
    }
    w->event(&pe, w->opaque);
}

static void
qc_warm_tick_pass(void *opaque)
{
    qcaps_warm *w = opaque;

    if (w->tick)
        w->tick(w->opaque);
}

/* QCAPS_WARM_CHECK: each entry's state, in list order; probes nothing. */
static int
qc_warm_check(qcaps_warm *w, qcaps_warm_summary *sum, qc_error **err)
{
    for (size_t i = 0; i < w->emus.n; i++) {
        qc_autofree char *reason = NULL;
        int st = qc_cache_lookup(w->c, w->emus.v[i], false, NULL, &reason, err);
        qcaps_warm_event pe = {
            .kind = QCAPS_WARM_CHECKED,
            .index = i,
            .emulator = w->emus.v[i],
        };

        if (st < 0)
            return -1;
        pe.state = qc_lib_entry_state((qc_cache_state) st);
        pe.reason = reason;
        if (st == QC_CACHE_FRESH)
            sum->fresh++;
        else
            sum->invalid++;
        if (w->event)
            w->event(&pe, w->opaque);
    }
    return 0;
}

QCAPS_PUBLIC int
qcaps_warm_run(qcaps_warm *w, qcaps_warm_summary *ret_summary, qcaps_error **err)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    qcaps_warm_summary sum = {0};
    qc_warm_summary ws = {0};
    qc_warm_opts wo = {0};
    qc_error *e = NULL;

    if (!w || !ret_summary) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_warm_run: %s",
                     w ? "no summary to fill" : "no warm-up");
        qcaps_error_wrap(err, e);
        return -1;
    }
    sum.jobs = w->jobs ? w->jobs : (unsigned) (cpus > 0 ? cpus : 1);
    if (w->flags & QCAPS_WARM_CHECK) {
        double t0 = qc_clock_now();

        if (qc_warm_check(w, &sum, &e) < 0) {
            qcaps_error_wrap(err, e);
            return -1;
        }
        sum.seconds = qc_clock_now() - t0;
        *ret_summary = sum;
        return 0;
    }
    wo.jobs = w->jobs;
    wo.refresh = w->refresh;
    wo.timeout_ms = w->timeout_ms;
    wo.event = qc_warm_event_pass;
    wo.tick = w->tick ? qc_warm_tick_pass : NULL;
    wo.tick_ms = w->tick ? w->tick_ms : 0;
    wo.opaque = w;
    if (qc_cache_warm(w->c, (const char *const *) w->emus.v, w->emus.n, &wo, &ws, &e) < 0) {
        qcaps_error_wrap(err, e);
        return -1;
    }
    sum.probed = ws.probed;
    sum.fresh = ws.fresh;
    sum.failed = ws.failed;
    sum.seconds = ws.seconds;
    *ret_summary = sum;
    return 0;
}
