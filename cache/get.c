/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* get.c: the lookup queries use, which probes on a miss and stores what it found.
 *
 * Apart from cache.c (directory, entries, locks) because it is the one part of the cache
 * that runs QEMU: a program that only reads kept answers (the `qcaps` front, cli/front.c)
 * links cache.c without the probe, the QMP client and libevent.
 */
#include "cache/cache-internal.h"
#include "common/clock.h"
#include "introspect/probe.h"

static int
qc_probe_budget_ms(const qc_probe_opts *opts)
{
    return (opts->timeout_ms > 0 ? opts->timeout_ms : QC_PROBE_DEFAULT_TIMEOUT_MS) + 10000;
}

qc_model *
qc_cache_get(qc_cache *c, const qc_probe_opts *opts, bool refresh, qc_model_view view,
             char **ret_id, qc_error **err)
{
    QC_CLEANUP(qc_cache_keys_freep) qc_cache_keys *keys = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *lerr = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *serr = NULL;
    qc_autofree char *reason = NULL;
    const char *emu = opts->emulator;
    qc_model *m = NULL;
    int state = QC_CACHE_MISSING, fd;
    double t0;

    if (ret_id)
        *ret_id = NULL;
    if (!refresh) {
        state = qc_cache_lookup_mode(c, emu, QC_LOOKUP_QUIET, view, &m, ret_id, &reason, err);
        if (state < 0 || state == QC_CACHE_FRESH)
            return m;
        /* the system's entry, read only; it keeps no answers of ours (no id) */
        if (c->fallback) {
            int sys = qc_cache_lookup_mode(c->fallback, emu, QC_LOOKUP_QUIET, view, &m, NULL,
                                           NULL, err);
            if (sys < 0 || sys == QC_CACHE_FRESH)
                return m;
        }
    }
    if ((fd = qc_cache_lock(c, emu, qc_probe_budget_ms(opts), &lerr)) < 0) {
        if (state == QC_CACHE_BROKEN)
            qc_cache_warn(c, "cache entry for %s is %s: ignored, probing again", emu, reason);
        qc_cache_warn(c, "%s: answering without the cache", lerr->message);
        return qc_probe_run(opts, err);
    }
    if (!refresh) {
        state = qc_cache_lookup_mode(c, emu, QC_LOOKUP_DISCARD, view, &m, ret_id, NULL, err);
        if (state < 0 || state == QC_CACHE_FRESH) {
            qc_cache_unlock(c, emu, fd);
            return m;
        }
        if (state == QC_CACHE_BLOCKED) {
            qc_cache_unlock(c, emu, fd);
            return qc_probe_run(opts, err);
        }
    }
    if (!(keys = qc_cache_keys_read(c, emu, err))) {
        qc_cache_unlock(c, emu, fd);
        return NULL;
    }
    t0 = qc_clock_now();
    if ((m = qc_probe_run(opts, err)) &&
        qc_cache_store(c, keys, m, (int) ((qc_clock_now() - t0) * 1000), ret_id, &serr) < 0)
        qc_cache_warn(c, "cannot store the cache entry of %s: %s", emu, serr->message);
    qc_cache_unlock(c, emu, fd);
    return m;
}
