/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* diff-facts.c: the facts of QEMU that do not depend on the accelerator: version, QOM
 * types, properties, commands, events, command-line options, flags, migration, TPM, GIC,
 * SEV, SGX and Hyper-V (libc only). */
#include "model/diff-internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- version --------------------------------------------------------------------------- */

int
qc_diff_version(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    char vo[48], vn[48];

    snprintf(vo, sizeof(vo), "%d.%d.%d", o->version_major, o->version_minor, o->version_micro);
    snprintf(vn, sizeof(vn), "%d.%d.%d", n->version_major, n->version_minor, n->version_micro);
    if (qc_diff_str(d, QC_DIFF_VERSION, NULL, "version", NULL, vo, vn, 0, err) < 0 ||
        qc_diff_str(d, QC_DIFF_VERSION, NULL, "package", NULL, o->package, n->package, 0, err) <
            0 ||
        qc_diff_str(d, QC_DIFF_VERSION, NULL, "target", NULL, o->target, n->target, 0, err) < 0 ||
        qc_diff_str(d, QC_DIFF_VERSION, NULL, "kvm", NULL, qc_yesno(o->kvm), qc_yesno(n->kvm), 0,
                    err) < 0)
        return -1;
    for (int a = 0; a < QC_ACCEL_COUNT; a++) {
        bool po = o->accel[a].probed, pn = n->accel[a].probed;
        qc_diff_change *c;

        if (po == pn)
            continue;
        if (!(c = qc_diff_add(d, QC_DIFF_VERSION, pn ? QC_DIFF_ADDED : QC_DIFF_REMOVED,
                              "accelerator", qc_accel_name((qc_accel) a), NULL, NULL, NULL, err)) ||
            qc_detail(c, err,
                      "probed on the %s side only: its machines, CPU models and host "
                      "CPU are not compared",
                      pn ? "new" : "old") < 0)
            return -1;
        c->rank = 1;
    }
    return 0;
}

/* ---- types, properties, commands, options ---------------------------------------------- */

static bool
qc_has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The QOM types but machine types (the machines group reports them) and, when both sides
 * list their CPU models, CPU types (the CPU models group does). */
static int
qc_device_types(const qc_model *m, bool skip_cpus, qc_strlist *ret, qc_error **err)
{
    for (size_t i = 0; i < m->qom_types.n; i++) {
        const char *t = m->qom_types.v[i];

        if (qc_has_suffix(t, "-machine") || (skip_cpus && qc_has_suffix(t, "-cpu")))
            continue;
        if (qc_strlist_add(ret, t, err) < 0)
            return -1;
    }
    return 0;
}

static bool
qc_lists_cpus(const qc_model *m)
{
    for (int a = 0; a < QC_ACCEL_COUNT; a++) {
        if (m->accel[a].probed && m->accel[a].have_cpu_defs)
            return true;
    }
    return false;
}

static int
qc_diff_qom_types(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    qc_strlist to = {0}, tn = {0};
    int rc = -1;

    bool skip_cpus = qc_lists_cpus(o) && qc_lists_cpus(n);

    if (qc_device_types(o, skip_cpus, &to, err) == 0 &&
        qc_device_types(n, skip_cpus, &tn, err) == 0)
        rc = qc_diff_names(d, QC_DIFF_QOM_TYPES, NULL, &to, &tn, err);
    qc_strlist_clear(&to);
    qc_strlist_clear(&tn);
    return rc;
}

/* Property lists of the types both probes queried and QEMU knew on both sides (a type one
 * side lacks is reported by the QOM types). */
static int
qc_diff_type_props(const qc_type_props *vo, size_t no, const qc_type_props *vn, size_t nn,
                   qc_diff *d, qc_error **err)
{
    for (size_t i = 0; i < nn; i++) {
        const qc_type_props *tn = &vn[i], *to = NULL;

        for (size_t k = 0; k < no && !to; k++) {
            if (strcmp(vo[k].type_name, tn->type_name) == 0)
                to = &vo[k];
        }
        if (!to || !to->present || !tn->present)
            continue;
        if (qc_diff_names(d, QC_DIFF_PROPERTIES, tn->type_name, &to->props, &tn->props, err) < 0)
            return -1;
    }
    return 0;
}

static int
qc_diff_cmdline(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    qc_strlist so = {0}, sn = {0};
    int rc = -1;

    for (size_t i = 0; i < o->n_cmdline_options; i++) {
        if (qc_strlist_add(&so, o->cmdline_options[i].option, err) < 0)
            goto out;
    }
    for (size_t i = 0; i < n->n_cmdline_options; i++) {
        const qc_cmdline_option *on = &n->cmdline_options[i];
        const qc_cmdline_option *oo = qc_model_cmdline_option(o, on->option);

        if (qc_strlist_add(&sn, on->option, err) < 0 ||
            (oo &&
             qc_diff_names(d, QC_DIFF_CMDLINE, on->option, &oo->params, &on->params, err) < 0))
            goto out;
    }
    rc = qc_diff_names(d, QC_DIFF_CMDLINE, NULL, &so, &sn, err);
out:
    qc_strlist_clear(&so);
    qc_strlist_clear(&sn);
    return rc;
}

/* ---- TPM, GIC, SEV, SGX ---------------------------------------------------------------- */

/* qc_diff_names() without a scope, every change it appends saying what its name is. */
static int
qc_diff_names_noted(qc_diff *d, qc_diff_group g, const qc_strlist *o, const qc_strlist *n,
                    const char *what, qc_error **err)
{
    size_t from = d->n;

    if (qc_diff_names(d, g, NULL, o, n, err) < 0)
        return -1;
    for (size_t i = from; i < d->n; i++) {
        if (qc_detail(&d->v[i], err, "%s", what) < 0)
            return -1;
    }
    return 0;
}

static int
qc_diff_tpm(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    if (qc_diff_names_noted(d, QC_DIFF_TPM, &o->tpm_models, &n->tpm_models, "TPM model", err) < 0 ||
        qc_diff_names_noted(d, QC_DIFF_TPM, &o->tpm_types, &n->tpm_types, "TPM backend type", err) <
            0)
        return -1;
    return 0;
}

static const qc_gic_cap *
qc_find_gic(const qc_model *m, int version)
{
    for (size_t i = 0; i < m->n_gic; i++) {
        if (m->gic[i].version == version)
            return &m->gic[i];
    }
    return NULL;
}

static int
qc_gic_note(qc_diff_change *c, const qc_gic_cap *g, qc_error **err)
{
    return qc_detail(c, err, "kernel %s, emulated %s", qc_yesno(g->kernel), qc_yesno(g->emulated));
}

static int
qc_diff_gic(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    const qc_model *sides[2] = {o, n};
    char name[32];

    if (o->have_gic != n->have_gic)
        return qc_diff_str(d, QC_DIFF_GIC, NULL, "query-gic-capabilities", NULL,
                           o->have_gic ? "answered" : "not answered",
                           n->have_gic ? "answered" : "not answered", 0, err);
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < sides[s]->n_gic; i++) {
            const qc_gic_cap *g = &sides[s]->gic[i];
            const qc_gic_cap *other = qc_find_gic(sides[!s], g->version);
            qc_diff_change *c;

            snprintf(name, sizeof(name), "v%d", g->version);
            if (other && s == 1)
                continue;
            if (other) {
                if (qc_diff_str(d, QC_DIFF_GIC, NULL, name, "kernel", qc_yesno(g->kernel),
                                qc_yesno(other->kernel), 0, err) < 0 ||
                    qc_diff_str(d, QC_DIFF_GIC, NULL, name, "emulated", qc_yesno(g->emulated),
                                qc_yesno(other->emulated), 0, err) < 0)
                    return -1;
                continue;
            }
            if (!(c = qc_diff_add(d, QC_DIFF_GIC, s ? QC_DIFF_ADDED : QC_DIFF_REMOVED, NULL, name,
                                  NULL, NULL, NULL, err)) ||
                qc_gic_note(c, g, err) < 0)
                return -1;
        }
    }
    return 0;
}

static int
qc_diff_sev(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    const qc_diff_group g = QC_DIFF_SEV;

    if (!o->sev || !n->sev)
        return qc_diff_str(d, g, NULL, "sev", "supported", qc_yesno(o->sev), qc_yesno(n->sev), 0,
                           err);
    /* the PDH, certificate chain and chip id identify the machine, not what it supports */
    return qc_diff_int(d, g, NULL, "sev", "cbitpos", o->sev->cbitpos, n->sev->cbitpos, err) < 0 ||
                   qc_diff_int(d, g, NULL, "sev", "reduced-phys-bits", o->sev->reduced_phys_bits,
                               n->sev->reduced_phys_bits, err) < 0
               ? -1
               : 0;
}

static uint64_t
qc_sgx_epc(const qc_sgx_caps *s)
{
    uint64_t total = 0;

    for (size_t i = 0; i < s->n_sections; i++)
        total += s->sections[i].size;
    return total;
}

static int
qc_diff_sgx(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    const qc_diff_group g = QC_DIFF_SGX;
    const qc_sgx_caps *so = o->sgx, *sn = n->sgx;

    if (!so || !sn)
        return qc_diff_str(d, g, NULL, "sgx", "supported", qc_yesno(so), qc_yesno(sn), 0, err);
    return qc_diff_str(d, g, NULL, "sgx", "sgx1", qc_yesno(so->sgx1), qc_yesno(sn->sgx1), 0, err) <
                       0 ||
                   qc_diff_str(d, g, NULL, "sgx", "sgx2", qc_yesno(so->sgx2), qc_yesno(sn->sgx2), 0,
                               err) < 0 ||
                   qc_diff_str(d, g, NULL, "sgx", "flc", qc_yesno(so->flc), qc_yesno(sn->flc), 0,
                               err) < 0 ||
                   qc_diff_int(d, g, NULL, "sgx", "epc-sections", (long long) so->n_sections,
                               (long long) sn->n_sections, err) < 0 ||
                   qc_diff_int(d, g, NULL, "sgx", "epc-bytes", (long long) qc_sgx_epc(so),
                               (long long) qc_sgx_epc(sn), err) < 0
               ? -1
               : 0;
}

/* ---- everything that does not depend on the accelerator -------------------------------- */

int
qc_diff_qemu_facts(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    if (qc_diff_qom_types(o, n, d, err) < 0 ||
        qc_diff_type_props(o->device_props, o->n_device_props, n->device_props, n->n_device_props,
                           d, err) < 0 ||
        qc_diff_type_props(o->object_props, o->n_object_props, n->object_props, n->n_object_props,
                           d, err) < 0 ||
        qc_diff_names(d, QC_DIFF_COMMANDS, NULL, &o->commands, &n->commands, err) < 0 ||
        qc_diff_names(d, QC_DIFF_EVENTS, NULL, &o->events, &n->events, err) < 0 ||
        qc_diff_cmdline(o, n, d, err) < 0 ||
        qc_diff_names(d, QC_DIFF_FLAGS, NULL, &o->flags, &n->flags, err) < 0 ||
        qc_diff_names(d, QC_DIFF_MIGRATION, NULL, &o->migration_caps, &n->migration_caps, err) <
            0 ||
        qc_diff_tpm(o, n, d, err) < 0 || qc_diff_gic(o, n, d, err) < 0 ||
        qc_diff_sev(o, n, d, err) < 0 || qc_diff_sgx(o, n, d, err) < 0 ||
        qc_diff_names(d, QC_DIFF_HYPERV, NULL, &o->hyperv, &n->hyperv, err) < 0)
        return -1;
    return 0;
}
