/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe-merge.c: the finished passes of a probe as one model: the second pass's
 * per-accelerator facts go into the first pass's model. */
#include "introspect/probe-pass.h"

#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "introspect/flags.h"

int
qc_probe_merge(qc_pass *passes, size_t n_passes, const char *emulator, const qc_host *host,
               qc_model **ret, qc_error **err)
{
    qc_model *m = passes[0].m;

    for (size_t i = 1; i < n_passes; i++) {
        qc_pass *s = &passes[i];
        if (s->late_error)
            return qc_error_propagate(err, qc_steal(&s->late_error));
        if (s->start_error) {
            if (qc_model_has_type(m, "tcg-accel"))
                return qc_error_propagate(err, qc_steal(&s->start_error));
            continue; /* no TCG in this binary: a fact, the KVM pass stands alone */
        }
        if (s->m->version_major != m->version_major || s->m->version_minor != m->version_minor ||
            s->m->version_micro != m->version_micro ||
            strcmp(s->m->package ? s->m->package : "", m->package ? m->package : "") != 0)
            return qc_error_set(err, QC_E_PROTOCOL,
                                "probing '%s': the %s and %s passes report different QEMU "
                                "versions", emulator, qc_accel_name(passes[0].accel),
                                qc_accel_name(s->accel));
        if (s->accel == passes[0].accel)
            return qc_error_set(err, QC_E_FORMAT, "probing '%s': two passes for %s",
                                emulator, qc_accel_name(s->accel));
        qc_accel_caps_clear(&m->accel[s->accel]);
        m->accel[s->accel] = s->m->accel[s->accel];
        memset(&s->m->accel[s->accel], 0, sizeof(s->m->accel[s->accel]));
        if (s->m->n_cpu_models && !m->n_cpu_models) {
            m->cpu_models = qc_steal(&s->m->cpu_models);
            m->n_cpu_models = s->m->n_cpu_models;
            s->m->n_cpu_models = 0;
        }
        for (size_t h = 0; h < s->m->hyperv.n; h++) {
            if (!qc_strlist_contains(&m->hyperv, s->m->hyperv.v[h]) &&
                qc_strlist_add(&m->hyperv, s->m->hyperv.v[h], err) < 0)
                return -1;
        }
    }
    free(m->emulator);
    if (!(m->emulator = strdup(emulator)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    qc_host_clear(&m->host);
    if (qc_host_copy(&m->host, host, err) < 0)
        return -1;
    qc_strlist_sort(&m->hyperv);
    qc_flags_finish(m);
    passes[0].m = NULL;
    *ret = m;
    return 0;
}
