/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* model-json-read.c: the validating JSON reader of qc_model (model/README.md): every type
 * error names the member path; another format-version is rejected. A guests-view document
 * may lack the members that view drops (model-json.c), and only those. */
#include "model/model-json.h"

#include "common/jsonread.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reader is common/jsonread.h's: a qc_jr carries the member path of the value being
 * read ("accelerators.kvm.machines[3].cpu-max") so every type error names exactly what is
 * wrong; its opaque pointer is the view of the document being read. */

static qc_model_view
qc_rd_view_of(const qc_jr *r)
{
    return r->opaque ? *(const qc_model_view *) r->opaque : QC_MODEL_VIEW_FULL;
}

/* True when member `key`, one the guests view drops, is absent from a guests-view
 * document: the caller then leaves its field at the zero value. A member that is there
 * is read (and checked) as in a full document. */
static bool
qc_rd_dropped(const qc_jr *r, json_object *o, const char *key)
{
    return qc_rd_view_of(r) == QC_MODEL_VIEW_GUESTS && !json_object_object_get_ex(o, key, NULL);
}

static int
qc_rd_tri(qc_jr *r, json_object *o, const char *key, qc_tristate *ret)
{
    json_object *v = NULL;

    if (qc_jr_get(r, o, key, json_type_boolean, true, &v) < 0)
        return -1;
    *ret = !v ? QC_TRI_ABSENT : json_object_get_boolean(v) ? QC_TRI_YES : QC_TRI_NO;
    return 0;
}

/* Reads array v (already at the current path) of strings into l. */
static int
qc_rd_strarray(qc_jr *r, json_object *v, qc_strlist *l)
{
    size_t n = json_object_array_length(v);

    for (size_t i = 0; i < n; i++) {
        json_object *s;
        if (qc_jr_elem(r, v, i, json_type_string, &s) < 0 ||
            qc_strlist_add(l, json_object_get_string(s), r->err) < 0)
            return -1;
    }
    return 0;
}

static int
qc_rd_strlist(qc_jr *r, json_object *o, const char *key, qc_strlist *l)
{
    json_object *v;
    size_t old;
    int rc;

    if (qc_jr_get(r, o, key, json_type_array, false, &v) < 0)
        return -1;
    old = qc_jr_key(r, key);
    rc = qc_rd_strarray(r, v, l);
    qc_jr_pop(r, old);
    return rc;
}

static int
qc_rd_fw_target(qc_jr *r, json_object *o, void *elem)
{
    qc_fw_target *t = elem;

    return qc_jr_str(r, o, "architecture", false, &t->arch) < 0 ||
                   qc_rd_strlist(r, o, "machines", &t->machines) < 0
               ? -1
               : 0;
}

static int
qc_rd_fw_desc(qc_jr *r, json_object *o, void *elem)
{
    qc_fw_desc *d = elem;

    return qc_jr_str(r, o, "name", false, &d->name) < 0 ||
                   qc_jr_str(r, o, "path", true, &d->path) < 0 ||
                   qc_jr_str(r, o, "error", true, &d->error) < 0 ||
                   qc_rd_strlist(r, o, "interface-types", &d->interfaces) < 0 ||
                   qc_jr_str(r, o, "device", true, &d->device) < 0 ||
                   qc_jr_str(r, o, "executable", true, &d->executable) < 0 ||
                   qc_jr_bool(r, o, "executable-exists", &d->executable_exists) < 0 ||
                   qc_jr_str(r, o, "nvram-template", true, &d->nvram_template) < 0 ||
                   qc_jr_array(r, o, "targets", false, sizeof(qc_fw_target),
                               (void **) &d->targets, &d->n_targets, qc_rd_fw_target,
                               NULL) < 0 ||
                   qc_rd_strlist(r, o, "features", &d->features) < 0
               ? -1
               : 0;
}

static int qc_rd_host_v2_members(qc_jr *r, json_object *o, qc_host *h);

/* The host facts added with format-version 2 (swtpm, VFIO, firmware descriptors). A
 * fixture header recorded before them lacks them all: they then read as "none". */
static int
qc_rd_host_v2(qc_jr *r, json_object *o, qc_host *h)
{
    json_object *v;

    if (!json_object_object_get_ex(o, "firmware", &v))
        return 0;
    if (qc_rd_host_v2_members(r, o, h) < 0)
        return -1;
    qc_strlist_sort(&h->firmware_images);
    return 0;
}

static int
qc_rd_host_v2_members(qc_jr *r, json_object *o, qc_host *h)
{
    return qc_jr_bool(r, o, "swtpm", &h->swtpm) < 0 ||
                   qc_rd_strlist(r, o, "swtpm-features", &h->swtpm_features) < 0 ||
                   qc_jr_bool(r, o, "vfio", &h->vfio) < 0 ||
                   qc_jr_bool(r, o, "secure-guest", &h->secure_guest) < 0 ||
                   qc_jr_array(r, o, "firmware", false, sizeof(qc_fw_desc),
                               (void **) &h->firmware, &h->n_firmware, qc_rd_fw_desc,
                               NULL) < 0 ||
                   qc_rd_strlist(r, o,
                                 /* before model format 3, the 4 of libvirt's loader list
                                  * that existed: a subset of the images, read as such */
                                 json_object_object_get_ex(o, "firmware-images", NULL)
                                     ? "firmware-images"
                                     : "legacy-loaders",
                                 &h->firmware_images) < 0
               ? -1
               : 0;
}

/* The host facts added with model format 3 (iommufd, TDX, physical address bits): a
 * fixture header recorded before them reads as "no" and "unknown". */
static int
qc_rd_host_v3(qc_jr *r, json_object *o, qc_host *h)
{
    h->cpu_phys_bits = -1;
    if (!json_object_object_get_ex(o, "cpu-phys-bits", NULL))
        return 0;
    return qc_jr_bool(r, o, "iommufd", &h->iommufd) < 0 ||
                   qc_jr_bool(r, o, "tdx", &h->tdx) < 0 ||
                   qc_jr_int(r, o, "cpu-phys-bits", &h->cpu_phys_bits) < 0
               ? -1
               : 0;
}

static int
qc_rd_host(qc_jr *r, json_object *o, void *arg)
{
    qc_host *h = arg;
    bool kvm;
    int maxv;

    if (qc_jr_str(r, o, "arch", true, &h->arch) < 0 ||
        qc_jr_bool(r, o, "kvm-usable", &kvm) < 0 ||
        qc_jr_int(r, o, "kvm-max-vcpus", &maxv) < 0 ||
        qc_jr_str(r, o, "kernel-release", true, &h->kernel_release) < 0 ||
        qc_jr_str(r, o, "kernel-version", true, &h->kernel_version) < 0 ||
        qc_jr_str(r, o, "cpu-vendor", true, &h->cpu_vendor) < 0 ||
        qc_jr_str(r, o, "cpu-model-name", true, &h->cpu_model_name) < 0 ||
        qc_jr_int(r, o, "cpu-family", &h->cpu_family) < 0 ||
        qc_jr_int(r, o, "cpu-model", &h->cpu_model) < 0 ||
        qc_jr_int(r, o, "cpu-stepping", &h->cpu_stepping) < 0 ||
        qc_jr_str(r, o, "cpu-microcode", true, &h->cpu_microcode) < 0 ||
        qc_rd_strlist(r, o, "cpu-flags", &h->cpu_flags) < 0 || qc_rd_host_v2(r, o, h) < 0 ||
        qc_rd_host_v3(r, o, h) < 0)
        return -1;
    h->kvm_usable = kvm;
    h->kvm_max_vcpus = maxv;
    return 0;
}

int
qc_host_from_json(json_object *o, qc_host *ret_host, qc_error **err)
{
    qc_host h;
    qc_jr r;

    memset(&h, 0, sizeof(h));
    qc_jr_init(&r, NULL, NULL, err);
    if (qc_jr_check(&r, o, json_type_object, false) < 0)
        return -1;
    if (qc_rd_host(&r, o, &h) < 0) {
        qc_host_clear(&h);
        return -1;
    }
    *ret_host = h;
    return 0;
}

static int
qc_rd_machine(qc_jr *r, json_object *o, void *elem)
{
    qc_machine *mc = elem;

    return qc_jr_str(r, o, "name", false, &mc->name) < 0 ||
                   qc_jr_str(r, o, "alias", true, &mc->alias) < 0 ||
                   qc_jr_bool(r, o, "is-default", &mc->is_default) < 0 ||
                   qc_jr_int(r, o, "cpu-max", &mc->cpu_max) < 0 ||
                   (!qc_rd_dropped(r, o, "hotpluggable-cpus") &&
                    qc_jr_bool(r, o, "hotpluggable-cpus", &mc->hotpluggable_cpus) < 0) ||
                   (!qc_rd_dropped(r, o, "default-cpu-type") &&
                    qc_jr_str(r, o, "default-cpu-type", true, &mc->default_cpu_type) < 0) ||
                   (!qc_rd_dropped(r, o, "default-ram-id") &&
                    qc_jr_str(r, o, "default-ram-id", true, &mc->default_ram_id) < 0) ||
                   (!qc_rd_dropped(r, o, "numa-mem-supported") &&
                    qc_rd_tri(r, o, "numa-mem-supported", &mc->numa_mem_supported) < 0) ||
                   qc_jr_bool(r, o, "deprecated", &mc->deprecated) < 0 ||
                   (!qc_rd_dropped(r, o, "acpi") && qc_rd_tri(r, o, "acpi", &mc->acpi) < 0)
               ? -1
               : 0;
}

static int
qc_rd_cpu_def(qc_jr *r, json_object *o, void *elem)
{
    qc_cpu_def *d = elem;

    return qc_jr_str(r, o, "name", false, &d->name) < 0 ||
                   (!qc_rd_dropped(r, o, "typename") &&
                    qc_jr_str(r, o, "typename", true, &d->type_name) < 0) ||
                   (!qc_rd_dropped(r, o, "alias-of") &&
                    qc_jr_str(r, o, "alias-of", true, &d->alias_of) < 0) ||
                   (!qc_rd_dropped(r, o, "usable") && qc_rd_tri(r, o, "usable", &d->usable) < 0) ||
                   (!qc_rd_dropped(r, o, "blockers") &&
                    qc_rd_strlist(r, o, "blockers", &d->blockers) < 0) ||
                   (!qc_rd_dropped(r, o, "deprecated") &&
                    qc_jr_bool(r, o, "deprecated", &d->deprecated) < 0) ||
                   (!qc_rd_dropped(r, o, "static") &&
                    qc_jr_bool(r, o, "static", &d->static_model) < 0)
               ? -1
               : 0;
}

static int
qc_rd_cpu_prop(qc_jr *r, json_object *o, void *elem)
{
    qc_cpu_prop *p = elem;
    QC_CLEANUP(qc_freep) char *type = NULL;

    if (qc_jr_str(r, o, "name", false, &p->name) < 0 ||
        qc_jr_str(r, o, "type", false, &type) < 0 ||
        (!qc_rd_dropped(r, o, "migratable") &&
         qc_rd_tri(r, o, "migratable", &p->migratable) < 0))
        return -1;
    if (strcmp(type, "bool") == 0) {
        p->type = QC_PROP_BOOL;
        return qc_jr_bool(r, o, "value", &p->b);
    }
    if (strcmp(type, "number") == 0) {
        p->type = QC_PROP_NUMBER;
        return qc_jr_int64(r, o, "value", &p->n);
    }
    if (strcmp(type, "string") == 0) {
        p->type = QC_PROP_STRING;
        return qc_jr_str(r, o, "value", false, &p->s);
    }
    qc_jr_key(r, "type");
    return qc_jr_fail(r, "expected \"bool\", \"number\" or \"string\"");
}

static int
qc_rd_expansion(qc_jr *r, json_object *o, void *arg)
{
    qc_cpu_expansion **ret = arg, *e = calloc(1, sizeof(*e));

    if (!e)
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    *ret = e; /* half-built is fine: the accel's cleanup frees it */
    return qc_jr_str(r, o, "model", true, &e->model) < 0 ||
                   qc_jr_str(r, o, "type", true, &e->type) < 0 ||
                   qc_jr_str(r, o, "vendor", true, &e->vendor) < 0 ||
                   qc_jr_array(r, o, "props", false, sizeof(qc_cpu_prop), (void **) &e->props,
                               &e->n_props, qc_rd_cpu_prop, NULL) < 0
               ? -1
               : 0;
}

/* `cpu`: the document keeps this pass's cpu-definitions and host-cpu (always in a full
 * document; in a guests view only for the KVM pass of a model with kvm). */
static int
qc_rd_accel(qc_jr *r, json_object *o, qc_accel_caps *ac, bool cpu)
{
    ac->probed = true;
    return qc_jr_array(r, o, "machines", false, sizeof(qc_machine), (void **) &ac->machines,
                       &ac->n_machines, qc_rd_machine, NULL) < 0 ||
                   ((cpu || !qc_rd_dropped(r, o, "cpu-definitions")) &&
                    qc_jr_array(r, o, "cpu-definitions", true, sizeof(qc_cpu_def),
                                (void **) &ac->cpu_defs, &ac->n_cpu_defs, qc_rd_cpu_def,
                                &ac->have_cpu_defs) < 0) ||
                   ((cpu || !qc_rd_dropped(r, o, "host-cpu")) &&
                    qc_jr_object(r, o, "host-cpu", true, qc_rd_expansion, &ac->host_cpu) < 0)
               ? -1
               : 0;
}

/* An entry of a map of type names to string arrays, or to null for a type that is absent. */
static int
qc_rd_type_props(qc_jr *r, const char *name, json_object *props, void *elem)
{
    qc_type_props *t = elem;

    if (!(t->type_name = strdup(name)))
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    if (qc_jr_check(r, props, json_type_array, true) < 0)
        return -1;
    t->present = props != NULL;
    return props ? qc_rd_strarray(r, props, &t->props) : 0;
}

static int
qc_rd_cmdline_option(qc_jr *r, const char *name, json_object *params, void *elem)
{
    qc_cmdline_option *c = elem;

    if (!(c->option = strdup(name)))
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    if (qc_jr_check(r, params, json_type_array, false) < 0)
        return -1;
    return qc_rd_strarray(r, params, &c->params);
}

int
qc_model_gic_read(qc_jr *r, json_object *o, void *elem)
{
    qc_gic_cap *g = elem;

    return qc_jr_int(r, o, "version", &g->version) < 0 ||
                   qc_jr_bool(r, o, "kernel", &g->kernel) < 0 ||
                   qc_jr_bool(r, o, "emulated", &g->emulated) < 0
               ? -1
               : 0;
}

int
qc_model_sgx_section_read(qc_jr *r, json_object *o, void *elem)
{
    qc_sgx_section *s = elem;
    int64_t size;

    if (qc_jr_int(r, o, "node", &s->node) < 0 || qc_jr_int64(r, o, "size", &size) < 0)
        return -1;
    s->size = (uint64_t) size;
    return 0;
}

static int
qc_rd_sev(qc_jr *r, json_object *v, void *arg)
{
    qc_model *m = arg;
    qc_sev_caps *s;

    if (!(s = m->sev = calloc(1, sizeof(*s))))
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    return qc_jr_int(r, v, "cbitpos", &s->cbitpos) < 0 ||
                   qc_jr_int(r, v, "reduced-phys-bits", &s->reduced_phys_bits) < 0 ||
                   qc_jr_str(r, v, "pdh", true, &s->pdh) < 0 ||
                   qc_jr_str(r, v, "cert-chain", true, &s->cert_chain) < 0 ||
                   qc_jr_str(r, v, "cpu0-id", true, &s->cpu0_id) < 0
               ? -1
               : 0;
}

static int
qc_rd_sgx(qc_jr *r, json_object *v, void *arg)
{
    qc_model *m = arg;
    qc_sgx_caps *s;

    if (!(s = m->sgx = calloc(1, sizeof(*s))))
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    return qc_jr_bool(r, v, "sgx1", &s->sgx1) < 0 || qc_jr_bool(r, v, "sgx2", &s->sgx2) < 0 ||
                   qc_jr_bool(r, v, "flc", &s->flc) < 0 ||
                   qc_jr_array(r, v, "sections", false, sizeof(qc_sgx_section),
                               (void **) &s->sections, &s->n_sections,
                               qc_model_sgx_section_read, NULL) < 0
               ? -1
               : 0;
}

static int
qc_rd_security(qc_jr *r, json_object *o, qc_model *m)
{
    return (!qc_rd_dropped(r, o, "sev") && qc_jr_object(r, o, "sev", true, qc_rd_sev, m) < 0) ||
                   (!qc_rd_dropped(r, o, "sgx") &&
                    qc_jr_object(r, o, "sgx", true, qc_rd_sgx, m) < 0)
               ? -1
               : 0;
}

static int
qc_rd_cpu_model(qc_jr *r, json_object *o, void *elem)
{
    qc_cpu_model_info *c = elem;

    return qc_jr_str(r, o, "name", false, &c->name) < 0 ||
                   qc_jr_str(r, o, "vendor", true, &c->vendor) < 0 ||
                   qc_jr_str(r, o, "model-id", true, &c->model_id) < 0 ||
                   qc_rd_strlist(r, o, "features", &c->features) < 0
               ? -1
               : 0;
}

/* Optional member "view": absent (or "full") is a full document, "guests" the guests view. */
static int
qc_rd_view(qc_jr *r, json_object *o, qc_model_view *ret)
{
    json_object *v;
    const char *name;

    if (!json_object_object_get_ex(o, "view", NULL)) {
        *ret = QC_MODEL_VIEW_FULL;
        return 0;
    }
    if (qc_jr_get(r, o, "view", json_type_string, false, &v) < 0)
        return -1;
    name = json_object_get_string(v);
    if (strcmp(name, "guests") == 0)
        *ret = QC_MODEL_VIEW_GUESTS;
    else if (strcmp(name, "full") == 0)
        *ret = QC_MODEL_VIEW_FULL;
    else
        return qc_error_set(r->err, QC_E_FORMAT, "view: expected \"full\" or \"guests\"");
    return 0;
}

static int
qc_rd_accels(qc_jr *r, json_object *accels, void *arg)
{
    qc_model *m = arg;

    for (int a = 0; a < QC_ACCEL_COUNT; a++) {
        /* the guests view keeps CPU facts only where the host CPU model reads them */
        bool cpu = qc_rd_view_of(r) == QC_MODEL_VIEW_FULL || (a == QC_ACCEL_KVM && m->kvm);
        json_object *ac;
        size_t o2;
        if (!json_object_object_get_ex(accels, qc_accel_name(a), &ac))
            continue;
        o2 = qc_jr_key(r, qc_accel_name(a));
        if (qc_jr_check(r, ac, json_type_object, false) < 0 ||
            qc_rd_accel(r, ac, &m->accel[a], cpu) < 0)
            return -1;
        qc_jr_pop(r, o2);
    }
    return 0;
}

static int
qc_rd_tpm(qc_jr *r, json_object *tpm, void *arg)
{
    qc_model *m = arg;

    return qc_rd_strlist(r, tpm, "models", &m->tpm_models) < 0 ||
                   qc_rd_strlist(r, tpm, "types", &m->tpm_types) < 0
               ? -1
               : 0;
}

/* The members after "accelerators". All but cpu-models are dropped by the guests view;
 * cpu-models is kept there for a model with kvm and a KVM pass. */
static int
qc_rd_tail(qc_jr *r, json_object *o, qc_model *m)
{
    bool cpu = qc_rd_view_of(r) == QC_MODEL_VIEW_FULL || (m->kvm && m->accel[QC_ACCEL_KVM].probed);

    if ((!qc_rd_dropped(r, o, "qom-types") &&
         qc_rd_strlist(r, o, "qom-types", &m->qom_types) < 0) ||
        (!qc_rd_dropped(r, o, "commands") && qc_rd_strlist(r, o, "commands", &m->commands) < 0) ||
        (!qc_rd_dropped(r, o, "events") && qc_rd_strlist(r, o, "events", &m->events) < 0))
        return -1;
    if ((!qc_rd_dropped(r, o, "device-properties") &&
         qc_jr_map(r, o, "device-properties", sizeof(qc_type_props), (void **) &m->device_props,
                   &m->n_device_props, qc_rd_type_props) < 0) ||
        (!qc_rd_dropped(r, o, "object-properties") &&
         qc_jr_map(r, o, "object-properties", sizeof(qc_type_props), (void **) &m->object_props,
                   &m->n_object_props, qc_rd_type_props) < 0) ||
        (!qc_rd_dropped(r, o, "command-line-options") &&
         qc_jr_map(r, o, "command-line-options", sizeof(qc_cmdline_option),
                   (void **) &m->cmdline_options, &m->n_cmdline_options,
                   qc_rd_cmdline_option) < 0) ||
        (!qc_rd_dropped(r, o, "tpm") && qc_jr_object(r, o, "tpm", false, qc_rd_tpm, m) < 0))
        return -1;
    if ((!qc_rd_dropped(r, o, "migration-capabilities") &&
         qc_rd_strlist(r, o, "migration-capabilities", &m->migration_caps) < 0) ||
        (!qc_rd_dropped(r, o, "gic") &&
         qc_jr_array(r, o, "gic", true, sizeof(qc_gic_cap), (void **) &m->gic, &m->n_gic,
                     qc_model_gic_read, &m->have_gic) < 0) ||
        qc_rd_security(r, o, m) < 0 ||
        (!qc_rd_dropped(r, o, "hyperv") && qc_rd_strlist(r, o, "hyperv", &m->hyperv) < 0))
        return -1;
    if ((cpu || !qc_rd_dropped(r, o, "cpu-models")) &&
        qc_jr_array(r, o, "cpu-models", false, sizeof(qc_cpu_model_info),
                    (void **) &m->cpu_models, &m->n_cpu_models, qc_rd_cpu_model, NULL) < 0)
        return -1;
    return 0;
}

static int
qc_rd_version(qc_jr *r, json_object *v, void *arg)
{
    qc_model *m = arg;

    return qc_jr_int(r, v, "major", &m->version_major) < 0 ||
                   qc_jr_int(r, v, "minor", &m->version_minor) < 0 ||
                   qc_jr_int(r, v, "micro", &m->version_micro) < 0 ||
                   qc_jr_str(r, v, "package", true, &m->package) < 0
               ? -1
               : 0;
}

static int
qc_rd_model(qc_jr *r, json_object *o, qc_model *m)
{
    int64_t fv;

    if (qc_jr_int64(r, o, "format-version", &fv) < 0)
        return -1;
    if (fv != QC_MODEL_FORMAT_VERSION)
        return qc_error_set(r->err, QC_E_FORMAT, "format-version: %" PRId64 " is not %d", fv,
                            QC_MODEL_FORMAT_VERSION);
    if (qc_rd_view(r, o, r->opaque) < 0)
        return -1;
    m->view = qc_rd_view_of(r);
    if (qc_jr_str(r, o, "emulator", true, &m->emulator) < 0 ||
        qc_jr_object(r, o, "version", false, qc_rd_version, m) < 0 ||
        qc_jr_str(r, o, "target", true, &m->target) < 0 ||
        qc_jr_object(r, o, "host", false, qc_rd_host, &m->host) < 0 ||
        qc_jr_bool(r, o, "kvm", &m->kvm) < 0 || qc_rd_strlist(r, o, "flags", &m->flags) < 0 ||
        qc_jr_object(r, o, "accelerators", false, qc_rd_accels, m) < 0 ||
        qc_rd_tail(r, o, m) < 0)
        return -1;
    return 0;
}

qc_model *
qc_model_from_json(json_object *o, qc_error **err)
{
    QC_CLEANUP(qc_model_freep) qc_model *m = qc_model_new();
    qc_model_view view = QC_MODEL_VIEW_FULL;
    qc_jr r;

    qc_jr_init(&r, NULL, &view, err);
    if (!m) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (qc_jr_check(&r, o, json_type_object, false) < 0 || qc_rd_model(&r, o, m) < 0)
        return NULL;
    /* The lookups binary-search these lists: a hand-edited document must not break them. */
    qc_strlist_sort(&m->flags);
    qc_strlist_sort(&m->qom_types);
    qc_strlist_sort(&m->commands);
    qc_strlist_sort(&m->events);
    return qc_steal(&m);
}

qc_model *
qc_model_from_string(const char *text, size_t len, qc_error **err)
{
    json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
    QC_CLEANUP(json_object_putp) json_object *o = NULL;
    enum json_tokener_error jerr;
    size_t end;

    if (!tok) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (len > INT32_MAX) {
        json_tokener_free(tok);
        qc_error_set(err, QC_E_FORMAT, "model document too large");
        return NULL;
    }
    o = json_tokener_parse_ex(tok, text, (int) len);
    jerr = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!o || jerr != json_tokener_success) {
        qc_error_set(err, QC_E_FORMAT, "model document is not valid JSON: %s",
                     json_tokener_error_desc(jerr == json_tokener_success
                                                 ? json_tokener_continue
                                                 : jerr));
        return NULL;
    }
    while (end < len && strchr(" \t\r\n", text[end]))
        end++;
    if (end < len) {
        qc_error_set(err, QC_E_FORMAT, "model document has trailing data at offset %zu", end);
        return NULL;
    }
    return qc_model_from_json(o, err);
}
