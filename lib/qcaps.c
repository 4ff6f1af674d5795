/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qcaps.c: the public API, a thin layer of opaque wrappers over the internal layers. */
#include "qcaps.h"

#include <stdlib.h>

#include "common/error.h"
#include "introspect/probe.h"
#include "model/model-json.h"
#include "model/model.h"
#include "qmp/fixture.h"
#include "lib/internal.h"

qcaps_model *
qcaps_model_wrap(qc_model *m, qcaps_error **err)
{
    qcaps_model *w = malloc(sizeof(*w));
    qc_error *e = NULL;

    if (!w) {
        qc_model_free(m);
        qc_error_set(&e, QC_E_NOMEM, "out of memory");
        qcaps_error_wrap(err, e);
        return NULL;
    }
    w->m = m;
    return w;
}

QCAPS_PUBLIC qcaps_model *
qcaps_probe(const char *emulator, unsigned flags, int timeout_ms, qcaps_error **err)
{
    qc_probe_opts o = {0};
    qc_error *e = NULL;
    qc_model *m;

    if (!emulator)
        return qc_lib_invalid(err, "qcaps_probe", "no emulator given");
    o.emulator = emulator;
    o.timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
    o.accel_mode = (flags & QCAPS_PROBE_TCG_ONLY) ? QC_PROBE_ACCEL_TCG_ONLY
                                                  : QC_PROBE_ACCEL_AUTO;
    if (!(m = qc_probe_run(&o, &e))) {
        qcaps_error_wrap(err, e);
        return NULL;
    }
    return qcaps_model_wrap(m, err);
}

QCAPS_PUBLIC qcaps_model *
qcaps_record(qcaps_context *ctx, const char *emulator, const char *path, char **ret_text,
             qcaps_error **err)
{
    qc_probe_opts o = {0};
    qc_error *e = NULL;
    qc_model *m;

    if (ret_text)
        *ret_text = NULL;
    if (!emulator || (!path && !ret_text))
        return qc_lib_invalid(err, "qcaps_record",
                              emulator ? "no path and no text asked for" : "no emulator given");
    o.emulator = emulator;
    o.record_path = path;
    o.record_text = path ? NULL : ret_text;
    o.timeout_ms = ctx ? ctx->timeout_ms : 0;
    o.accel_mode = ctx && ctx->tcg_only ? QC_PROBE_ACCEL_TCG_ONLY : QC_PROBE_ACCEL_AUTO;
    if (!(m = qc_probe_run(&o, &e))) {
        qcaps_error_wrap(err, e);
        return NULL;
    }
    return qcaps_model_wrap(m, err);
}

QCAPS_PUBLIC qcaps_model *
qcaps_replay(const char *fixture_path, qcaps_error **err)
{
    QC_CLEANUP(qc_fixture_freep) qc_fixture *fx = NULL;
    qc_probe_opts o = {0};
    qc_error *e = NULL;
    qc_model *m;

    if (!fixture_path)
        return qc_lib_invalid(err, "qcaps_replay", "no fixture given");
    if (!(fx = qc_fixture_load(fixture_path, &e))) {
        qcaps_error_wrap(err, e);
        return NULL;
    }
    o.fixture = fx;
    if (!(m = qc_probe_run(&o, &e))) {
        qcaps_error_wrap(err, e);
        return NULL;
    }
    return qcaps_model_wrap(m, err);
}

QCAPS_PUBLIC char *
qcaps_model_to_json(const qcaps_model *m, qcaps_error **err)
{
    qc_error *e = NULL;
    char *s;

    if (!m)
        return qc_lib_invalid(err, "qcaps_model_to_json", "no model");
    if (!(s = qc_model_to_string(m->m, &e)))
        qcaps_error_wrap(err, e);
    return s;
}

QC_PUBLIC_GETTER(const char *, qcaps_model_emulator, qcaps_model, m, m->m->emulator, NULL)
QC_PUBLIC_GETTER(const char *, qcaps_model_target, qcaps_model, m, m->m->target, NULL)
QC_PUBLIC_GETTER(const char *, qcaps_model_arch, qcaps_model, m,
                 qc_lv_arch_of_target(QC_LV_LATEST, m->m->target), NULL)

QC_PUBLIC_GETTER(unsigned long, qcaps_model_version, qcaps_model, m,
                 qc_model_version_number(m->m), 0)

QCAPS_PUBLIC bool
qcaps_model_has_flag(const qcaps_model *m, const char *flag)
{
    return m && flag && qc_model_has_flag(m->m, flag);
}

QCAPS_PUBLIC const char *
qcaps_model_default_machine(const qcaps_model *m, const char *accel)
{
    const qc_machine *mach;
    qc_accel a;

    if (!m || !accel || qc_accel_from_name(accel, &a, NULL) < 0 || !m->m->accel[a].probed)
        return NULL;
    mach = qc_model_default_machine(m->m, a);
    return mach ? mach->name : NULL;
}

QCAPS_PUBLIC void
qcaps_model_free(qcaps_model *m)
{
    if (!m)
        return;
    qc_model_free(m->m);
    free(m);
}
