/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps.c: qcaps_domcaps(): libvirt's domainCapabilities document for a query. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/path.h"
#include "introspect/host.h"
#include "lib/internal.h"
#include "schema/domcaps.h"
#include "schema/xmljson.h"


static char *
qc_lib_domcaps(qcaps_context *ctx, const qcaps_domcaps_query *q, qcaps_format format,
               qc_error **err)
{
    QC_CLEANUP(qc_model_freep) qc_model *m = NULL;
    QC_CLEANUP(qc_cache_freep) qc_cache *cache = NULL;
    qc_autofree char *emulator = NULL;
    qc_autofree char *id = NULL;
    qc_autofree char *key = NULL;
    qc_autofree char *xml = NULL;
    char *out = NULL;
    qc_domcaps_req req = {qc_context_libvirt(ctx), q->arch, q->machine, q->virttype};
    qc_lib_warnings w = {ctx, {0}, false};
    qc_fw_inputs in = {{0}, {0}};
    qc_cache_answer_src src;
    const char *emu;
    int r;

    if (format != QCAPS_FORMAT_XML && format != QCAPS_FORMAT_JSON) {
        qc_error_set(err, QC_E_INVALID, "domcaps: unknown format %d", (int) format);
        return NULL;
    }
    if (!q->fixture && !(emulator = q->emulator ? qc_path_absolute(q->emulator, err)
                                                : qc_lib_default_emulator(req.gen, q->arch, err)))
        return NULL;
    emu = emulator;
    if (!q->fixture) {
        QC_CLEANUP(qc_error_freep) qc_error *cerr = NULL;
        if (!(cache = qc_context_cache(ctx, false, &cerr)) && cerr) {
            qc_error_propagate(err, qc_steal(&cerr));
            return NULL;
        }
        /* one key for reading the kept answer and for keeping a new one */
        if (cache && !(key = qc_lib_domcaps_key(ctx, emu, q, format, err)))
            return NULL;
        if (cache && (!ctx || ctx->cache_mode == QCAPS_CACHE_USE)) {
            if ((r = qc_lib_answer(ctx, cache, emu, key, key, &out, err)) != 0)
                return r > 0 ? out : NULL;
        }
    }
    if (!(m = qc_context_lookup(ctx, cache, q->fixture ? NULL : emu, q->fixture,
                                QC_MODEL_VIEW_FULL, &id, err)))
        return NULL;
    /* firmware descriptors are read now, noting what was read for the kept answer (a
     * replay keeps the fixture's unless directories are given) */
    if ((!q->fixture || (ctx && ctx->firmware_dirs)) &&
        qc_host_read_firmware_inputs(&m->host,
                                     ctx ? (const char *const *) ctx->firmware_dirs : NULL,
                                     &in, err) < 0)
        goto out;
    if (!(xml = qc_domcaps_format(m, &req, qc_lib_warn_keep, &w, err)))
        goto out;
    out = format == QCAPS_FORMAT_JSON ? qc_xml_to_json(xml, err) : qc_steal(&xml);
    if (out && id && !w.oom) {
        QC_CLEANUP(qc_error_freep) qc_error *perr = NULL;
        /* only a shortcut: a cache that takes no answer still answered the query */
        memset(&src, 0, sizeof(src));
        src.input_paths = in.paths;
        src.input_sigs = in.sigs;
        src.warnings = w.list;
        if (qc_strlist_add(&src.entry_emulators, emu, &perr) < 0 ||
            qc_strlist_add(&src.entry_ids, id, &perr) < 0 ||
            qc_cache_answer_put(cache, emu, key, key, &src, out, strlen(out), &perr) < 0) {
            if (perr && perr->code == QC_E_NOMEM) {
                free(out);
                out = NULL;
                qc_error_propagate(err, qc_steal(&perr));
            }
        }
        qc_strlist_clear(&src.entry_emulators);
        qc_strlist_clear(&src.entry_ids);
    }
out:
    qc_strlist_clear(&w.list);
    qc_strlist_clear(&in.paths);
    qc_strlist_clear(&in.sigs);
    return out;
}

QCAPS_PUBLIC char *
qcaps_domcaps(qcaps_context *ctx, const qcaps_domcaps_query *q, qcaps_format format,
              qcaps_error **err)
{
    qc_error *e = NULL;
    char *out;

    if (!q)
        return qc_lib_invalid(err, "qcaps_domcaps", "no query");
    if (!(out = qc_lib_domcaps(ctx, q, format, &e)))
        qcaps_error_wrap(err, e);
    return out;
}
