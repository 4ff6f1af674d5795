/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* summary.c: a model's text summary (qcaps_model_summary(), `qcaps probe`): the facts a
 * person checks first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/internal.h"

static void
qc_summary_accel(FILE *f, const qc_model *m, qc_accel a)
{
    const qc_accel_caps *ac = &m->accel[a];
    const qc_machine *def;
    size_t usable = 0, i;

    if (!ac->probed)
        return;
    def = qc_model_default_machine(m, a);
    fprintf(f, "%s:\n", qc_accel_name(a));
    fprintf(f, "  machines:        %zu, default %s%s%s%s\n", ac->n_machines,
            def ? def->name : "(none)", def && def->alias ? " (alias " : "",
            def && def->alias ? def->alias : "", def && def->alias ? ")" : "");
    for (i = 0; i < ac->n_cpu_defs; i++)
        usable += ac->cpu_defs[i].usable == QC_TRI_YES;
    if (ac->have_cpu_defs)
        fprintf(f, "  cpu models:      %zu (%zu usable)\n", ac->n_cpu_defs, usable);
    else
        fprintf(f, "  cpu models:      (query-cpu-definitions not supported)\n");
    if (ac->host_cpu)
        fprintf(f, "  host cpu:        %s (%s expansion, %zu properties)\n",
                ac->host_cpu->model ? ac->host_cpu->model : "?",
                ac->host_cpu->type ? ac->host_cpu->type : "?", ac->host_cpu->n_props);
}

static void
qc_summary_list(FILE *f, const char *label, const qc_strlist *l)
{
    size_t i, col;

    fprintf(f, "%-19s%zu\n", label, l->n);
    col = 0;
    for (i = 0; i < l->n; i++) {
        size_t w = strlen(l->v[i]) + 1;
        if (col == 0)
            fputs("  ", f);
        else if (col + w > 76) {
            fputs("\n  ", f);
            col = 0;
        } else
            fputc(' ', f);
        fputs(l->v[i], f);
        col += w;
    }
    if (l->n)
        fputc('\n', f);
}

static char *
qc_summary(const qc_model *m, qc_error **err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    size_t i;

    if (!f) {
        qc_error_set(err, QC_E_NOMEM, "formatting the summary");
        return NULL;
    }
    fprintf(f, "emulator:          %s\n", m->emulator ? m->emulator : "(unknown)");
    fprintf(f, "version:           %d.%d.%d%s%s%s\n", m->version_major, m->version_minor,
            m->version_micro, m->package && *m->package ? " (" : "",
            m->package ? m->package : "", m->package && *m->package ? ")" : "");
    fprintf(f, "target:            %s (libvirt arch: %s)\n", m->target ? m->target : "?",
            qc_lv_arch_of_target(QC_LV_LATEST, m->target)
                ? qc_lv_arch_of_target(QC_LV_LATEST, m->target)
                : "none");
    fprintf(f, "kvm:               %s\n", m->kvm ? "yes" : "no");
    fprintf(f, "qom types:         %zu\n", m->qom_types.n);
    fprintf(f, "qmp commands:      %zu\n", m->commands.n);
    for (i = 0; i < QC_ACCEL_COUNT; i++)
        qc_summary_accel(f, m, (qc_accel) i);
    if (m->have_gic) {
        fprintf(f, "gic:              ");
        for (i = 0; i < m->n_gic; i++)
            fprintf(f, " v%d%s%s", m->gic[i].version, m->gic[i].kernel ? "+kernel" : "",
                    m->gic[i].emulated ? "+emulated" : "");
        fprintf(f, "%s\n", m->n_gic ? "" : " (none)");
    }
    fprintf(f, "sev:               %s\n", m->sev ? "yes" : "no");
    fprintf(f, "sgx:               %s\n", m->sgx ? "yes" : "no");
    qc_summary_list(f, "tpm models:", &m->tpm_models);
    if (m->hyperv.n)
        qc_summary_list(f, "hyper-v:", &m->hyperv);
    qc_summary_list(f, "flags:", &m->flags);
    if (fclose(f) != 0 || !buf) {
        free(buf);
        qc_error_set(err, QC_E_NOMEM, "formatting the summary");
        return NULL;
    }
    return buf;
}

QCAPS_PUBLIC char *
qcaps_model_summary(const qcaps_model *m, qcaps_error **err)
{
    qc_error *e = NULL;
    char *s;

    if (!m)
        return qc_lib_invalid(err, "qcaps_model_summary", "no model");
    if (!(s = qc_summary(m->m, &e)))
        qcaps_error_wrap(err, e);
    return s;
}
