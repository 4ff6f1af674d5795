/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe-phases.c: the query table of each probe phase (which command, with which arguments,
 * decoded by what, under which policy and condition) and what each phase derives at its end. */
#include "introspect/probe-phases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "introspect/flags.h"
#include "introspect/probe-queries.h"

#define QC_OPT QC_REQ_OPTIONAL
#define QC_REQ QC_REQ_REQUIRED

static bool
qc_phase_target_in(const qc_model *m, const char *a, const char *b)
{
    return m->target && (strcmp(m->target, a) == 0 || (b && strcmp(m->target, b) == 0));
}

bool
qc_probe_target_is_native(const char *host, const char *target)
{
    if (!host || !target)
        return false;
    if (strcmp(host, target) == 0)
        return true;
    return (strcmp(host, "x86_64") == 0 && strcmp(target, "i386") == 0) ||
           (strcmp(host, "aarch64") == 0 && strcmp(target, "arm") == 0);
}

/* ---- phase A ------------------------------------------------------------------------- */

static bool
qc_phase_when_full(const qc_phase_ctx *c)
{
    return c->pass->full;
}

/* Independent queries, pipelined: QEMU answers in order. query-kvm precedes the
 * per-accelerator answers so a libvirt-layout replay knows its accelerator. */
static const qc_query qc_phase_a_queries[] = {
    {"query-version", NULL, qc_pq_version, QC_REQ, NULL},
    {"query-kvm", NULL, qc_pq_kvm, QC_REQ, NULL},
    {"query-target", NULL, qc_pq_target, QC_REQ, qc_phase_when_full},
    {"query-qmp-schema", NULL, qc_pq_schema, QC_REQ, qc_phase_when_full},
    {"qom-list-types", NULL, qc_pq_types, QC_REQ, qc_phase_when_full},
    {"query-machines", NULL, qc_pq_machines, QC_REQ, NULL},
    {"query-cpu-definitions", NULL, qc_pq_cpu_defs, QC_OPT, NULL},
    {"query-tpm-models", NULL, qc_pq_tpm_models, QC_OPT, qc_phase_when_full},
    {"query-tpm-types", NULL, qc_pq_tpm_types, QC_OPT, qc_phase_when_full},
    {"query-command-line-options", NULL, qc_pq_cmdline, QC_OPT, qc_phase_when_full},
    {"query-migrate-capabilities", NULL, qc_pq_migrate_caps, QC_OPT, qc_phase_when_full},
};

/* Canonical name of machine family `family` ("pseries" -> "pseries-7.2"), NULL if absent. */
static const char *
qc_phase_canonical_machine(const qc_accel_caps *ac, const char *family)
{
    for (size_t i = 0; i < ac->n_machines; i++) {
        if (ac->machines[i].alias && strcmp(ac->machines[i].alias, family) == 0)
            return ac->machines[i].name;
    }
    for (size_t i = 0; i < ac->n_machines; i++) {
        if (strcmp(ac->machines[i].name, family) == 0)
            return ac->machines[i].name;
    }
    return NULL;
}

/* The accelerator's machines and CPUs into the model, the machine types phase B queries,
 * and the flags phase A's facts give. */
static int
qc_phase_end_a(qc_pass *pass, qc_error **err)
{
    qc_model *m = pass->m;
    size_t nfam;
    const char *const *fam = qc_flags_machine_queries(&nfam);

    m->accel[pass->accel] = pass->acc;
    m->accel[pass->accel].probed = true;
    memset(&pass->acc, 0, sizeof(pass->acc));
    if (!pass->full)
        return 0;
    for (size_t i = 0; i < nfam && i < QC_MACHINE_FAMILIES; i++) {
        const char *canon = strcmp(fam[i], "none") == 0
                                ? "none"
                                : qc_phase_canonical_machine(&m->accel[pass->accel], fam[i]);
        char *t = NULL;
        if (!canon)
            continue;
        if (asprintf(&t, "%s-machine", canon) < 0)
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        if (!qc_model_has_type(m, t)) {
            free(t);
            continue;
        }
        pass->machine_types[i] = t;
    }
    return qc_flags_derive_early(m, pass->schema, err);
}

/* ---- phase B ------------------------------------------------------------------------- */

/* {"typename": type} as the instance's arguments, with type as req->arg. */
static int
qc_phase_typename_args(const char *type, qc_query_args *ret, qc_error **err)
{
    json_object *a = json_object_new_object();

    if (!a || json_object_object_add(a, "typename", json_object_new_string(type)) < 0) {
        json_object_put(a);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    ret->args = a;
    ret->arg = type;
    return 1;
}

/* The devices of the flag rules that exist (and whose gate flag is set). */
static int
qc_phase_device_args(const qc_phase_ctx *c, size_t *cursor, qc_query_args *ret, qc_error **err)
{
    const qc_model *m = c->pass->m;
    size_t n;
    const qc_flag_device_query *dq = qc_flags_device_queries(&n);

    for (size_t i = (*cursor)++; i < n; i = (*cursor)++) {
        if (!qc_model_has_type(m, dq[i].device) ||
            (dq[i].gate && !qc_model_has_flag(m, dq[i].gate)))
            continue;
        return qc_phase_typename_args(dq[i].device, ret, err);
    }
    return 0;
}

/* The (non-machine) objects of the flag rules that exist. */
static int
qc_phase_object_args(const qc_phase_ctx *c, size_t *cursor, qc_query_args *ret, qc_error **err)
{
    size_t n;
    const char *const *oq = qc_flags_object_queries(&n);

    for (size_t i = (*cursor)++; i < n; i = (*cursor)++) {
        if (qc_model_has_type(c->pass->m, oq[i]))
            return qc_phase_typename_args(oq[i], ret, err);
    }
    return 0;
}

/* The machine types phase A found for the flag rules' machine families. */
static int
qc_phase_machine_args(const qc_phase_ctx *c, size_t *cursor, qc_query_args *ret, qc_error **err)
{
    for (size_t i = (*cursor)++; i < QC_MACHINE_FAMILIES; i = (*cursor)++) {
        if (c->pass->machine_types[i])
            return qc_phase_typename_args(c->pass->machine_types[i], ret, err);
    }
    return 0;
}

static bool
qc_phase_when_arm(const qc_phase_ctx *c)
{
    return qc_phase_target_in(c->pass->m, "arm", "aarch64");
}

static bool
qc_phase_when_sev(const qc_phase_ctx *c)
{
    return qc_model_has_type(c->pass->m, "sev-guest");
}

static bool
qc_phase_when_sgx(const qc_phase_ctx *c)
{
    return qc_model_has_type(c->pass->m, "sgx-epc");
}

static const qc_query qc_phase_b_queries[] = {
    {"device-list-properties", qc_phase_device_args, qc_pq_device_props, QC_OPT, NULL},
    {"qom-list-properties", qc_phase_object_args, qc_pq_object_props, QC_OPT, NULL},
    {"qom-list-properties", qc_phase_machine_args, qc_pq_object_props, QC_OPT, NULL},
    {"query-gic-capabilities", NULL, qc_pq_gic, QC_OPT, qc_phase_when_arm},
    {"query-sev-capabilities", NULL, qc_pq_sev, QC_OPT, qc_phase_when_sev},
    {"query-sgx-capabilities", NULL, qc_pq_sgx, QC_OPT, qc_phase_when_sgx},
};

static int
qc_phase_end_b(qc_pass *pass, qc_error **err)
{
    int rc = qc_flags_derive_late(pass->m, (const char *const *) pass->machine_types, err);

    /* the schema is only needed for flags; do not keep hundreds of KiB around */
    qc_qmp_schema_free(pass->schema);
    pass->schema = NULL;
    return rc;
}

/* ---- phase C: host CPU expansion (mapping §3.4) ----------------------------------------- */

static bool
qc_phase_kvm(const qc_phase_ctx *c)
{
    return c->pass->accel == QC_ACCEL_KVM;
}

static bool
qc_phase_x86(const qc_phase_ctx *c)
{
    return qc_phase_target_in(c->primary, "x86_64", "i386");
}

/* Expansion applies: a native target with query-cpu-model-expansion, and (TCG) a "max". */
static bool
qc_phase_gate_c(const qc_phase_ctx *c)
{
    if (!qc_probe_target_is_native(c->host->arch, c->primary->target) ||
        !qc_model_has_command(c->primary, "query-cpu-model-expansion"))
        return false;
    return qc_phase_kvm(c) || qc_model_find_cpu(c->pass->m, QC_ACCEL_TCG, "max");
}

/* x86: static (libvirt asks static first; its names are canonical), plus full for the
 * vendor, which static expansions do not report; arm: full. */
static const char *
qc_phase_expansion_type(const qc_phase_ctx *c)
{
    if (qc_phase_x86(c))
        return "static";
    if (qc_phase_target_in(c->primary, "arm", "aarch64"))
        return "full";
    return "static";
}

/* {"type": type, "model": {"name": model, "props"?: {prop: value}}}, type as req->arg. */
static int
qc_phase_expansion_args(const char *type, const char *model, const char *prop, bool value,
                        qc_query_args *ret, qc_error **err)
{
    json_object *args = json_object_new_object(), *mo = json_object_new_object();
    json_object *props = prop ? json_object_new_object() : NULL;

    if (!args || !mo || (prop && !props) ||
        json_object_object_add(args, "type", json_object_new_string(type)) < 0 ||
        json_object_object_add(mo, "name", json_object_new_string(model)) < 0 ||
        (props && (json_object_object_add(props, prop, json_object_new_boolean(value)) < 0 ||
                   json_object_object_add(mo, "props", props) < 0))) {
        json_object_put(args);
        json_object_put(mo);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    if (json_object_object_add(args, "model", mo) < 0) {
        json_object_put(args);
        json_object_put(mo);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    ret->args = args;
    ret->arg = type;
    return 1;
}

/* The one expansion of the accelerator's host CPU model ("host" under KVM, else "max"):
 * the expansion type of the target, optionally with one property forced. */
static int
qc_phase_host_args(const qc_phase_ctx *c, size_t *cursor, const char *type, const char *prop,
                   bool value, qc_query_args *ret, qc_error **err)
{
    if ((*cursor)++ > 0)
        return 0;
    return qc_phase_expansion_args(type ? type : qc_phase_expansion_type(c),
                                   qc_phase_kvm(c) ? "host" : "max", prop, value, ret, err);
}

static int
qc_phase_main_args(const qc_phase_ctx *c, size_t *cursor, qc_query_args *ret, qc_error **err)
{
    return qc_phase_host_args(c, cursor, NULL, NULL, false, ret, err);
}

static int
qc_phase_nonmig_args(const qc_phase_ctx *c, size_t *cursor, qc_query_args *ret, qc_error **err)
{
    return qc_phase_host_args(c, cursor, NULL, "migratable", false, ret, err);
}

static int
qc_phase_hyperv_args(const qc_phase_ctx *c, size_t *cursor, qc_query_args *ret, qc_error **err)
{
    return qc_phase_host_args(c, cursor, "full", "hv-passthrough", true, ret, err);
}

static int
qc_phase_full_args(const qc_phase_ctx *c, size_t *cursor, qc_query_args *ret, qc_error **err)
{
    return qc_phase_host_args(c, cursor, "full", NULL, false, ret, err);
}

/* x86: a full expansion of every unversioned named model (an alias of a "-vN" definition),
 * so that host-model can be derived without libvirt's CPU map. */
static int
qc_phase_model_args(const qc_phase_ctx *c, size_t *cursor, qc_query_args *ret, qc_error **err)
{
    const qc_accel_caps *ac = &c->pass->m->accel[c->pass->accel];

    for (size_t i = (*cursor)++; i < ac->n_cpu_defs; i = (*cursor)++) {
        if (ac->cpu_defs[i].alias_of)
            return qc_phase_expansion_args("full", ac->cpu_defs[i].name, NULL, false, ret, err);
    }
    return 0;
}

static bool
qc_phase_when_x86_kvm(const qc_phase_ctx *c)
{
    return qc_phase_x86(c) && qc_phase_kvm(c);
}

/* Model definitions come from the TCG pass: under KVM every model takes the host's vendor
 * and KVM's default features (x2apic, kvm-*); a KVM-only build uses KVM's. */
static bool
qc_phase_when_models(const qc_phase_ctx *c)
{
    return qc_phase_x86(c) && (!qc_phase_kvm(c) || !qc_model_has_type(c->primary, "tcg-accel"));
}

#define QC_EXPAND "query-cpu-model-expansion"

static const qc_query qc_phase_c_queries[] = {
    {QC_EXPAND, qc_phase_main_args, qc_pq_host_expansion, QC_OPT, NULL},
    {QC_EXPAND, qc_phase_nonmig_args, qc_pq_nonmig_expansion, QC_OPT, qc_phase_x86},
    {QC_EXPAND, qc_phase_hyperv_args, qc_pq_hyperv_expansion, QC_OPT, qc_phase_when_x86_kvm},
    {QC_EXPAND, qc_phase_full_args, qc_pq_vendor_expansion, QC_OPT, qc_phase_x86},
    {QC_EXPAND, qc_phase_model_args, qc_pq_model_expansion, QC_OPT, qc_phase_when_models},
};

static int
qc_phase_cmp_model_info(const void *a, const void *b)
{
    return strcmp(((const qc_cpu_model_info *) a)->name, ((const qc_cpu_model_info *) b)->name);
}

/* Keeps only the names the host expansion reports (static: canonical feature names), so
 * aliases ("sse4_1") and non-feature properties ("check", "pmu") drop out. */
static int
qc_phase_filter_model_features(qc_model *m, const qc_cpu_expansion *host, qc_error **err)
{
    for (size_t i = 0; i < m->n_cpu_models; i++) {
        qc_strlist kept = {0};
        qc_strlist *l = &m->cpu_models[i].features;
        for (size_t j = 0; j < l->n; j++) {
            const qc_cpu_prop *p = qc_cpu_expansion_prop(host, l->v[j]);
            if (p && p->type == QC_PROP_BOOL && qc_strlist_add(&kept, l->v[j], err) < 0) {
                qc_strlist_clear(&kept);
                return -1;
            }
        }
        qc_strlist_sort(&kept);
        qc_strlist_clear(l);
        *l = kept;
    }
    if (m->n_cpu_models > 1)
        qsort(m->cpu_models, m->n_cpu_models, sizeof(*m->cpu_models), qc_phase_cmp_model_info);
    return 0;
}

/* Merges the non-migratable expansion and the vendor into the host CPU, and filters the
 * named models' features. */
static int
qc_phase_end_c(qc_pass *pass, qc_error **err)
{
    qc_cpu_expansion *e = pass->m->accel[pass->accel].host_cpu;

    /* Features usable only when migratability is not required get migratable=no. */
    if (e && pass->nonmig) {
        for (size_t i = 0; i < e->n_props; i++) {
            qc_cpu_prop *p = &e->props[i];
            const qc_cpu_prop *nm;
            if (p->type != QC_PROP_BOOL)
                continue;
            nm = qc_cpu_expansion_prop(pass->nonmig, p->name);
            if (p->b) {
                p->migratable = QC_TRI_YES;
            } else if (nm && nm->type == QC_PROP_BOOL && nm->b) {
                p->b = true;
                p->migratable = QC_TRI_NO;
            }
        }
    }
    qc_cpu_expansion_free(pass->nonmig);
    pass->nonmig = NULL;
    if (e && pass->full_vendor) {
        free(e->vendor);
        e->vendor = qc_steal(&pass->full_vendor);
    }
    if (pass->m->n_cpu_models) {
        if (!e) {
            /* no host expansion to say which names are features: keep nothing */
            for (size_t i = 0; i < pass->m->n_cpu_models; i++)
                qc_cpu_model_info_clear(&pass->m->cpu_models[i]);
            free(pass->m->cpu_models);
            pass->m->cpu_models = NULL;
            pass->m->n_cpu_models = 0;
        } else if (qc_phase_filter_model_features(pass->m, e, err) < 0) {
            return -1;
        }
    }
    return 0;
}

/* ---- the tables ------------------------------------------------------------------------ */

static const qc_phase_def qc_phase_defs[] = {
    [QC_PHASE_A] = {NULL, qc_phase_a_queries, QC_N_ELEMENTS(qc_phase_a_queries), qc_phase_end_a},
    [QC_PHASE_B] = {NULL, qc_phase_b_queries, QC_N_ELEMENTS(qc_phase_b_queries), qc_phase_end_b},
    [QC_PHASE_C] = {qc_phase_gate_c, qc_phase_c_queries, QC_N_ELEMENTS(qc_phase_c_queries),
                    qc_phase_end_c},
};

const qc_phase_def *
qc_probe_phase(qc_phase phase)
{
    if (phase < QC_PHASE_A || phase > QC_PHASE_C)
        return NULL;
    return &qc_phase_defs[phase];
}
