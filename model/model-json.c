/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* model-json.c: the deterministic JSON writer of qc_model (model/README.md); the reader is in
 * model-json-read.c. */
#include "common/jsonwrite.h"
#include "model/model-json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

QC_DEFINE_CLEANUP(json_object *, json_object_put);

/* ======================================================================================
 * Writer. Members are added in documentation order; json-c keeps insertion order, so equal
 * models give byte-identical text. Every helper returns NULL/-1 only on OOM.
 *
 * The GUESTS view (model/README.md "Views") keeps what schema/capabilities.c reads: the
 * identity, host facts and flags ("tcg"), each accelerator's machines (name, alias,
 * is-default, cpu-max, deprecated) and the inputs of the <host><cpu> model it asks
 * qc_domcaps_host_cpu_model() for, which it does only for a model with kvm and a KVM pass:
 * there the KVM host-cpu expansion (boolean props: name, value), the KVM cpu-definitions
 * (names, in order) and cpu-models. Helpers taking `guests` write that subset.
 * ====================================================================================== */

/* Does the document of m in `view` hold the host-CPU inputs (see above)? The reader
 * (model-json-read.c) applies the same rule. */
static bool
qc_js_keeps_cpu(const qc_model *m, qc_model_view view)
{
    return view == QC_MODEL_VIEW_FULL || (m->kvm && m->accel[QC_ACCEL_KVM].probed);
}

static json_object *
qc_js_str(const char *s)
{
    return s ? json_object_new_string(s) : NULL; /* NULL is JSON null */
}

/* Adds v (owned) under key; v == NULL means null unless `must` says v was required. */
static int
qc_js_add(json_object *o, const char *key, json_object *v, bool must)
{
    return !v && !must ? qc_json_add_null(o, key) : qc_json_add(o, key, v);
}

static json_object *
qc_js_tri(qc_tristate t)
{
    return t == QC_TRI_ABSENT ? NULL : json_object_new_boolean(t == QC_TRI_YES);
}

static json_object *
qc_js_strlist(const qc_strlist *l)
{
    json_object *a = json_object_new_array_ext((int) l->n);

    if (!a)
        return NULL;
    for (size_t i = 0; i < l->n; i++) {
        json_object *s = json_object_new_string(l->v[i]);
        if (!s || json_object_array_add(a, s) < 0) {
            json_object_put(s);
            json_object_put(a);
            return NULL;
        }
    }
    return a;
}

/* Appends v (owned) to array a. */
static int
qc_js_push(json_object *a, json_object *v)
{
    if (!v || json_object_array_add(a, v) < 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

static json_object *
qc_js_fw_desc(const qc_fw_desc *d)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();
    json_object *targets = json_object_new_array_ext((int) d->n_targets);

    if (!o || qc_js_add(o, "name", qc_js_str(d->name), true) < 0 ||
        qc_js_add(o, "path", qc_js_str(d->path), d->path) < 0 ||
        qc_js_add(o, "error", qc_js_str(d->error), d->error) < 0 ||
        qc_js_add(o, "interface-types", qc_js_strlist(&d->interfaces), true) < 0 ||
        qc_js_add(o, "device", qc_js_str(d->device), d->device) < 0 ||
        qc_js_add(o, "executable", qc_js_str(d->executable), d->executable) < 0 ||
        qc_js_add(o, "executable-exists", json_object_new_boolean(d->executable_exists),
                  true) < 0 ||
        qc_js_add(o, "nvram-template", qc_js_str(d->nvram_template), d->nvram_template) < 0 ||
        qc_js_add(o, "targets", targets, true) < 0)
        return NULL;
    for (size_t i = 0; i < d->n_targets; i++) {
        json_object *t = json_object_new_object();
        if (!t || qc_js_push(targets, t) < 0 ||
            qc_js_add(t, "architecture", qc_js_str(d->targets[i].arch), true) < 0 ||
            qc_js_add(t, "machines", qc_js_strlist(&d->targets[i].machines), true) < 0)
            return NULL;
    }
    if (qc_js_add(o, "features", qc_js_strlist(&d->features), true) < 0)
        return NULL;
    return qc_steal(&o);
}

static json_object *
qc_js_firmware(const qc_host *h)
{
    QC_CLEANUP(json_object_putp) json_object *a = json_object_new_array_ext((int) h->n_firmware);

    if (!a)
        return NULL;
    for (size_t i = 0; i < h->n_firmware; i++) {
        if (qc_js_push(a, qc_js_fw_desc(&h->firmware[i])) < 0)
            return NULL;
    }
    return qc_steal(&a);
}

json_object *
qc_host_to_json(const qc_host *h, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();

    if (!o ||
        qc_js_add(o, "arch", qc_js_str(h->arch), h->arch) < 0 ||
        qc_js_add(o, "kvm-usable", json_object_new_boolean(h->kvm_usable), true) < 0 ||
        qc_js_add(o, "kvm-max-vcpus", json_object_new_int64(h->kvm_max_vcpus), true) < 0 ||
        qc_js_add(o, "kernel-release", qc_js_str(h->kernel_release), h->kernel_release) < 0 ||
        qc_js_add(o, "kernel-version", qc_js_str(h->kernel_version), h->kernel_version) < 0 ||
        qc_js_add(o, "cpu-vendor", qc_js_str(h->cpu_vendor), h->cpu_vendor) < 0 ||
        qc_js_add(o, "cpu-model-name", qc_js_str(h->cpu_model_name), h->cpu_model_name) < 0 ||
        qc_js_add(o, "cpu-family", json_object_new_int64(h->cpu_family), true) < 0 ||
        qc_js_add(o, "cpu-model", json_object_new_int64(h->cpu_model), true) < 0 ||
        qc_js_add(o, "cpu-stepping", json_object_new_int64(h->cpu_stepping), true) < 0 ||
        qc_js_add(o, "cpu-microcode", qc_js_str(h->cpu_microcode), h->cpu_microcode) < 0 ||
        qc_js_add(o, "cpu-flags", qc_js_strlist(&h->cpu_flags), true) < 0 ||
        qc_js_add(o, "swtpm", json_object_new_boolean(h->swtpm), true) < 0 ||
        qc_js_add(o, "swtpm-features", qc_js_strlist(&h->swtpm_features), true) < 0 ||
        qc_js_add(o, "vfio", json_object_new_boolean(h->vfio), true) < 0 ||
        qc_js_add(o, "secure-guest", json_object_new_boolean(h->secure_guest), true) < 0 ||
        qc_js_add(o, "iommufd", json_object_new_boolean(h->iommufd), true) < 0 ||
        qc_js_add(o, "tdx", json_object_new_boolean(h->tdx), true) < 0 ||
        qc_js_add(o, "cpu-phys-bits", json_object_new_int64(h->cpu_phys_bits), true) < 0 ||
        qc_js_add(o, "firmware", qc_js_firmware(h), true) < 0 ||
        qc_js_add(o, "firmware-images", qc_js_strlist(&h->firmware_images), true) < 0) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    return qc_steal(&o);
}

/* The guests view keeps what capabilities lists: name, alias, is-default, cpu-max and
 * deprecated. */
static json_object *
qc_js_machine(const qc_machine *mc, bool guests)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();

    if (!o ||
        qc_js_add(o, "name", qc_js_str(mc->name), true) < 0 ||
        qc_js_add(o, "alias", qc_js_str(mc->alias), mc->alias) < 0 ||
        qc_js_add(o, "is-default", json_object_new_boolean(mc->is_default), true) < 0 ||
        qc_js_add(o, "cpu-max", json_object_new_int64(mc->cpu_max), true) < 0)
        return NULL;
    if (!guests &&
        (qc_js_add(o, "hotpluggable-cpus", json_object_new_boolean(mc->hotpluggable_cpus),
                   true) < 0 ||
         qc_js_add(o, "default-cpu-type", qc_js_str(mc->default_cpu_type),
                   mc->default_cpu_type) < 0 ||
         qc_js_add(o, "default-ram-id", qc_js_str(mc->default_ram_id),
                   mc->default_ram_id) < 0 ||
         qc_js_add(o, "numa-mem-supported", qc_js_tri(mc->numa_mem_supported),
                   mc->numa_mem_supported != QC_TRI_ABSENT) < 0))
        return NULL;
    if (qc_js_add(o, "deprecated", json_object_new_boolean(mc->deprecated), true) < 0 ||
        (!guests && qc_js_add(o, "acpi", qc_js_tri(mc->acpi), mc->acpi != QC_TRI_ABSENT) < 0))
        return NULL;
    return qc_steal(&o);
}

/* The guests view keeps the name and alias-of only: the host CPU model walks the names in
 * order, and libvirt 11 on names it by the versioned model an alias stands for. */
static json_object *
qc_js_cpu_def(const qc_cpu_def *d, bool guests)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();

    if (!o || qc_js_add(o, "name", qc_js_str(d->name), true) < 0)
        return NULL;
    if (guests && qc_js_add(o, "alias-of", qc_js_str(d->alias_of), d->alias_of) < 0)
        return NULL;
    if (!guests &&
        (qc_js_add(o, "typename", qc_js_str(d->type_name), d->type_name) < 0 ||
         qc_js_add(o, "alias-of", qc_js_str(d->alias_of), d->alias_of) < 0 ||
         qc_js_add(o, "usable", qc_js_tri(d->usable), d->usable != QC_TRI_ABSENT) < 0 ||
         qc_js_add(o, "blockers", qc_js_strlist(&d->blockers), true) < 0 ||
         qc_js_add(o, "deprecated", json_object_new_boolean(d->deprecated), true) < 0 ||
         qc_js_add(o, "static", json_object_new_boolean(d->static_model), true) < 0))
        return NULL;
    return qc_steal(&o);
}

static const char *
qc_prop_type_name(qc_prop_type t)
{
    switch (t) {
    case QC_PROP_BOOL:
        return "bool";
    case QC_PROP_STRING:
        return "string";
    case QC_PROP_NUMBER:
        return "number";
    }
    return "bool";
}

static json_object *
qc_js_cpu_prop(const qc_cpu_prop *p, bool guests)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();
    json_object *v = NULL;

    if (!o)
        return NULL;
    switch (p->type) {
    case QC_PROP_BOOL:
        v = json_object_new_boolean(p->b);
        break;
    case QC_PROP_STRING:
        v = json_object_new_string(p->s ? p->s : "");
        break;
    case QC_PROP_NUMBER:
        v = json_object_new_int64(p->n);
        break;
    }
    if (qc_js_add(o, "name", qc_js_str(p->name), true) < 0 ||
        qc_js_add(o, "type", json_object_new_string(qc_prop_type_name(p->type)), true) < 0 ||
        qc_js_add(o, "value", v, true) < 0)
        return NULL;
    if (!guests && qc_js_add(o, "migratable", qc_js_tri(p->migratable),
                             p->migratable != QC_TRI_ABSENT) < 0)
        return NULL;
    return qc_steal(&o);
}

/* The guests view keeps boolean props only: the host CPU model reads no other. */
static json_object *
qc_js_expansion(const qc_cpu_expansion *e, bool guests)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();
    json_object *props = json_object_new_array_ext((int) e->n_props);

    if (!o || qc_js_add(o, "model", qc_js_str(e->model), e->model) < 0 ||
        qc_js_add(o, "type", qc_js_str(e->type), e->type) < 0 ||
        qc_js_add(o, "vendor", qc_js_str(e->vendor), e->vendor) < 0 ||
        qc_js_add(o, "props", props, true) < 0)
        return NULL;
    for (size_t i = 0; i < e->n_props; i++) {
        if (guests && e->props[i].type != QC_PROP_BOOL)
            continue;
        if (qc_js_push(props, qc_js_cpu_prop(&e->props[i], guests)) < 0)
            return NULL;
    }
    return qc_steal(&o);
}

/* `cpu`: write cpu-definitions and host-cpu (always in FULL; see qc_js_keeps_cpu). */
static json_object *
qc_js_accel(const qc_accel_caps *ac, bool guests, bool cpu)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();
    json_object *machines = json_object_new_array_ext((int) ac->n_machines);
    json_object *defs = NULL;

    if (!o || qc_js_add(o, "machines", machines, true) < 0)
        return NULL;
    for (size_t i = 0; i < ac->n_machines; i++) {
        if (qc_js_push(machines, qc_js_machine(&ac->machines[i], guests)) < 0)
            return NULL;
    }
    if (!cpu)
        return qc_steal(&o);
    if (ac->have_cpu_defs) {
        defs = json_object_new_array_ext((int) ac->n_cpu_defs);
        if (!defs)
            return NULL;
    }
    if (qc_js_add(o, "cpu-definitions", defs, ac->have_cpu_defs) < 0)
        return NULL;
    for (size_t i = 0; defs && i < ac->n_cpu_defs; i++) {
        if (qc_js_push(defs, qc_js_cpu_def(&ac->cpu_defs[i], guests)) < 0)
            return NULL;
    }
    if (qc_js_add(o, "host-cpu", ac->host_cpu ? qc_js_expansion(ac->host_cpu, guests) : NULL,
                  ac->host_cpu) < 0)
        return NULL;
    return qc_steal(&o);
}

static json_object *
qc_js_type_props(const qc_type_props *v, size_t n)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();

    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        json_object *p = v[i].present ? qc_js_strlist(&v[i].props) : NULL;
        if (qc_js_add(o, v[i].type_name, p, v[i].present) < 0)
            return NULL;
    }
    return qc_steal(&o);
}

static json_object *
qc_js_version(const qc_model *m)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();

    if (!o || qc_js_add(o, "major", json_object_new_int64(m->version_major), true) < 0 ||
        qc_js_add(o, "minor", json_object_new_int64(m->version_minor), true) < 0 ||
        qc_js_add(o, "micro", json_object_new_int64(m->version_micro), true) < 0 ||
        qc_js_add(o, "package", qc_js_str(m->package), m->package) < 0)
        return NULL;
    return qc_steal(&o);
}

static json_object *
qc_js_accels(const qc_model *m, qc_model_view view)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();
    bool guests = view == QC_MODEL_VIEW_GUESTS;

    if (!o)
        return NULL;
    for (int a = 0; a < QC_ACCEL_COUNT; a++) {
        /* only the KVM pass's CPU facts feed the host CPU model */
        bool cpu = !guests || (a == QC_ACCEL_KVM && qc_js_keeps_cpu(m, view));
        if (m->accel[a].probed &&
            qc_js_add(o, qc_accel_name(a), qc_js_accel(&m->accel[a], guests, cpu), true) < 0)
            return NULL;
    }
    return qc_steal(&o);
}

static json_object *
qc_js_cmdline(const qc_model *m)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();

    if (!o)
        return NULL;
    for (size_t i = 0; i < m->n_cmdline_options; i++) {
        if (qc_js_add(o, m->cmdline_options[i].option,
                      qc_js_strlist(&m->cmdline_options[i].params), true) < 0)
            return NULL;
    }
    return qc_steal(&o);
}

static json_object *
qc_js_tpm(const qc_model *m)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();

    if (!o || qc_js_add(o, "models", qc_js_strlist(&m->tpm_models), true) < 0 ||
        qc_js_add(o, "types", qc_js_strlist(&m->tpm_types), true) < 0)
        return NULL;
    return qc_steal(&o);
}

static json_object *
qc_js_gic(const qc_model *m)
{
    QC_CLEANUP(json_object_putp) json_object *a = json_object_new_array();

    if (!a)
        return NULL;
    for (size_t i = 0; i < m->n_gic; i++) {
        json_object *o = json_object_new_object();
        if (qc_js_push(a, o) < 0 ||
            qc_js_add(o, "version", json_object_new_int64(m->gic[i].version), true) < 0 ||
            qc_js_add(o, "kernel", json_object_new_boolean(m->gic[i].kernel), true) < 0 ||
            qc_js_add(o, "emulated", json_object_new_boolean(m->gic[i].emulated), true) < 0)
            return NULL;
    }
    return qc_steal(&a);
}

static json_object *
qc_js_sev(const qc_sev_caps *s)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();

    if (!o || qc_js_add(o, "cbitpos", json_object_new_int64(s->cbitpos), true) < 0 ||
        qc_js_add(o, "reduced-phys-bits", json_object_new_int64(s->reduced_phys_bits),
                  true) < 0 ||
        qc_js_add(o, "pdh", qc_js_str(s->pdh), s->pdh) < 0 ||
        qc_js_add(o, "cert-chain", qc_js_str(s->cert_chain), s->cert_chain) < 0 ||
        qc_js_add(o, "cpu0-id", qc_js_str(s->cpu0_id), s->cpu0_id) < 0)
        return NULL;
    return qc_steal(&o);
}

static json_object *
qc_js_sgx(const qc_sgx_caps *s)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();
    json_object *secs = json_object_new_array();

    if (!o || qc_js_add(o, "sgx1", json_object_new_boolean(s->sgx1), true) < 0 ||
        qc_js_add(o, "sgx2", json_object_new_boolean(s->sgx2), true) < 0 ||
        qc_js_add(o, "flc", json_object_new_boolean(s->flc), true) < 0 ||
        qc_js_add(o, "sections", secs, true) < 0)
        return NULL;
    for (size_t i = 0; i < s->n_sections; i++) {
        json_object *e = json_object_new_object();
        if (qc_js_push(secs, e) < 0 ||
            qc_js_add(e, "node", json_object_new_int64(s->sections[i].node), true) < 0 ||
            qc_js_add(e, "size", json_object_new_int64((int64_t) s->sections[i].size),
                      true) < 0)
            return NULL;
    }
    return qc_steal(&o);
}

static json_object *
qc_js_cpu_models(const qc_model *m)
{
    QC_CLEANUP(json_object_putp) json_object *a = json_object_new_array_ext((int) m->n_cpu_models);

    if (!a)
        return NULL;
    for (size_t i = 0; i < m->n_cpu_models; i++) {
        const qc_cpu_model_info *c = &m->cpu_models[i];
        json_object *o = json_object_new_object();
        if (!o || qc_js_push(a, o) < 0 || qc_js_add(o, "name", qc_js_str(c->name), true) < 0 ||
            qc_js_add(o, "vendor", qc_js_str(c->vendor), c->vendor) < 0 ||
            qc_js_add(o, "model-id", qc_js_str(c->model_id), c->model_id) < 0 ||
            qc_js_add(o, "features", qc_js_strlist(&c->features), true) < 0)
            return NULL;
    }
    return qc_steal(&a);
}

/* The members FULL has and GUESTS drops (schema/capabilities.c reads none of them). */
static int
qc_js_full_rest(json_object *o, const qc_model *m)
{
    return qc_js_add(o, "qom-types", qc_js_strlist(&m->qom_types), true) < 0 ||
                   qc_js_add(o, "commands", qc_js_strlist(&m->commands), true) < 0 ||
                   qc_js_add(o, "events", qc_js_strlist(&m->events), true) < 0 ||
                   qc_js_add(o, "device-properties",
                             qc_js_type_props(m->device_props, m->n_device_props), true) < 0 ||
                   qc_js_add(o, "object-properties",
                             qc_js_type_props(m->object_props, m->n_object_props), true) < 0 ||
                   qc_js_add(o, "command-line-options", qc_js_cmdline(m), true) < 0 ||
                   qc_js_add(o, "tpm", qc_js_tpm(m), true) < 0 ||
                   qc_js_add(o, "migration-capabilities", qc_js_strlist(&m->migration_caps),
                             true) < 0 ||
                   qc_js_add(o, "gic", m->have_gic ? qc_js_gic(m) : NULL, m->have_gic) < 0 ||
                   qc_js_add(o, "sev", m->sev ? qc_js_sev(m->sev) : NULL, m->sev) < 0 ||
                   qc_js_add(o, "sgx", m->sgx ? qc_js_sgx(m->sgx) : NULL, m->sgx) < 0 ||
                   qc_js_add(o, "hyperv", qc_js_strlist(&m->hyperv), true) < 0
               ? -1
               : 0;
}

json_object *
qc_model_to_json_view(const qc_model *m, qc_model_view view, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *o = NULL;
    json_object *host = NULL;
    bool guests = view == QC_MODEL_VIEW_GUESTS;

    if (!m) {
        qc_error_set(err, QC_E_INVALID, "no model to serialise");
        return NULL;
    }
    if (view != QC_MODEL_VIEW_FULL && !guests) {
        qc_error_set(err, QC_E_INVALID, "unknown model view %d", (int) view);
        return NULL;
    }
    /* what a guests-view model lacks would read back as "QEMU has none" */
    if (m->view == QC_MODEL_VIEW_GUESTS && !guests) {
        qc_error_set(err, QC_E_INVALID, "a guests-view model cannot be written as a full model");
        return NULL;
    }
    if (!(host = qc_host_to_json(&m->host, err)))
        return NULL;
    if (!(o = json_object_new_object()) ||
        qc_js_add(o, "format-version", json_object_new_int(QC_MODEL_FORMAT_VERSION), true) < 0 ||
        (guests && qc_js_add(o, "view", json_object_new_string("guests"), true) < 0) ||
        qc_js_add(o, "emulator", qc_js_str(m->emulator), m->emulator) < 0 ||
        qc_js_add(o, "version", qc_js_version(m), true) < 0 ||
        qc_js_add(o, "target", qc_js_str(m->target), m->target) < 0 ||
        qc_js_add(o, "host", qc_steal(&host), true) < 0 ||
        qc_js_add(o, "kvm", json_object_new_boolean(m->kvm), true) < 0 ||
        qc_js_add(o, "flags", qc_js_strlist(&m->flags), true) < 0 ||
        qc_js_add(o, "accelerators", qc_js_accels(m, view), true) < 0 ||
        (!guests && qc_js_full_rest(o, m) < 0) ||
        (qc_js_keeps_cpu(m, view) &&
         qc_js_add(o, "cpu-models", qc_js_cpu_models(m), true) < 0)) {
        json_object_put(host);
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    return qc_steal(&o);
}

json_object *
qc_model_to_json(const qc_model *m, qc_error **err)
{
    return qc_model_to_json_view(m, QC_MODEL_VIEW_FULL, err);
}

char *
qc_model_to_string_view(const qc_model *m, qc_model_view view, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *o = qc_model_to_json_view(m, view, err);
    char *out;

    if (!o)
        return NULL;
    if (!(out = qc_json_pretty_text(o)))
        qc_error_set(err, QC_E_NOMEM, "out of memory");
    return out;
}

char *
qc_model_to_string(const qc_model *m, qc_error **err)
{
    return qc_model_to_string_view(m, QC_MODEL_VIEW_FULL, err);
}
