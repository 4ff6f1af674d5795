/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe-queries.c: the reply decoders: each turns one QMP reply into facts of its pass's
 * scratch model, type-checking every member. What is asked, and when, is probe-phases.c's. */
#include "introspect/probe-queries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/jsonread.h"
#include "introspect/flags.h"
#include "model/model-json.h"

/* ---- reply decoding helpers: every member is type-checked (QC_E_PROTOCOL) ---------------- */

/* The reader of one reply: its messages are "reply to '<command>[ <arg>]': <member path>:
 * <cause>", QC_E_PROTOCOL. */
typedef struct qc_pq_reader {
    qc_jr r;
    char what[160];
} qc_pq_reader;

static qc_jr *
qc_pq_reader_init(qc_pq_reader *rd, const qc_req *req, qc_error **err)
{
    snprintf(rd->what, sizeof(rd->what), "reply to '%s%s%.64s': ", req->command,
             req->arg ? " " : "", req->arg ? req->arg : "");
    qc_jr_init(&rd->r, rd->what, NULL, err);
    rd->r.code = QC_E_PROTOCOL;
    return &rd->r;
}

/* Optional member: absent or null is *ret NULL; a wrong type is an error. */
static int
qc_pq_opt(qc_jr *r, json_object *o, const char *key, json_type t, json_object **ret)
{
    *ret = NULL;
    return json_object_object_get_ex(o, key, NULL) ? qc_jr_get(r, o, key, t, true, ret) : 0;
}

static int
qc_pq_opt_str(qc_jr *r, json_object *o, const char *key, char **ret)
{
    return json_object_object_get_ex(o, key, NULL) ? qc_jr_str(r, o, key, true, ret) : 0;
}

static int
qc_pq_opt_bool(qc_jr *r, json_object *o, const char *key, qc_tristate *ret)
{
    json_object *v;

    if (qc_pq_opt(r, o, key, json_type_boolean, &v) < 0)
        return -1;
    *ret = !v ? QC_TRI_ABSENT : json_object_get_boolean(v) ? QC_TRI_YES : QC_TRI_NO;
    return 0;
}

/* a (the value at the path; NULL: none): an array of strings, or of objects whose member
 * `key` is a string. */
static int
qc_pq_names(qc_jr *r, json_object *a, const char *key, qc_strlist *l)
{
    size_t n;

    if (!a)
        return 0;
    if (qc_jr_check(r, a, json_type_array, false) < 0)
        return -1;
    n = json_object_array_length(a);
    for (size_t i = 0; i < n; i++) {
        json_object *s;

        if (key) {
            size_t mark = qc_jr_idx(r, i);
            if (qc_jr_get(r, json_object_array_get_idx(a, i), key, json_type_string, false,
                          &s) < 0)
                return -1;
            qc_jr_pop(r, mark);
        } else if (qc_jr_elem(r, a, i, json_type_string, &s) < 0) {
            return -1;
        }
        if (qc_strlist_add(l, json_object_get_string(s), r->err) < 0)
            return -1;
    }
    return 0;
}

/* A reply that is such a list, added to l. */
static int
qc_pq_reply_names(const qc_req *req, json_object *ret, const char *key, qc_strlist *l,
                  qc_error **err)
{
    qc_pq_reader rd;

    return qc_pq_names(qc_pq_reader_init(&rd, req, err), ret, key, l);
}

/* The same, sorted and without duplicates. */
static int
qc_pq_name_list(const qc_req *req, json_object *ret, const char *key, qc_strlist *l,
                qc_error **err)
{
    if (qc_pq_reply_names(req, ret, key, l, err) < 0)
        return -1;
    qc_strlist_sort(l);
    qc_strlist_uniq(l);
    return 0;
}

/* A reply that is an array of objects, read by fn into a new vector (qc_jr_vec()). */
static int
qc_pq_reply_vec(const qc_req *req, json_object *ret, size_t size, void **vec, size_t *n,
                qc_jr_elem_fn fn, qc_error **err)
{
    qc_pq_reader rd;

    return qc_jr_vec(qc_pq_reader_init(&rd, req, err), ret, size, vec, n, fn);
}

/* ---- phase A ------------------------------------------------------------------------- */

int
qc_pq_version(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_pq_reader rd;
    qc_jr *r = qc_pq_reader_init(&rd, req, err);
    int *dst[] = {&pass->m->version_major, &pass->m->version_minor, &pass->m->version_micro};
    const char *keys[] = {"major", "minor", "micro"};
    json_object *q;
    size_t mark;

    if (qc_jr_get(r, ret, "qemu", json_type_object, false, &q) < 0)
        return -1;
    mark = qc_jr_key(r, "qemu");
    for (size_t i = 0; i < 3; i++) {
        if (qc_jr_int(r, q, keys[i], dst[i]) < 0)
            return -1;
    }
    qc_jr_pop(r, mark);
    return qc_pq_opt_str(r, ret, "package", &pass->m->package);
}

/* A QEMU target name: 1 to 32 of [a-z0-9_], starting with a letter. */
static bool
qc_pq_target_name_valid(const char *t)
{
    size_t n = strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789_");

    return n > 0 && n <= 32 && t[n] == '\0' && t[0] >= 'a' && t[0] <= 'z';
}

int
qc_pq_target(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_pq_reader rd;
    json_object *a;

    if (qc_jr_get(qc_pq_reader_init(&rd, req, err), ret, "arch", json_type_string, false, &a) <
        0)
        return -1;
    /* A target newer than this qcaps (QEMU 11's hexagon, say) is probed like any other;
     * only a name that cannot be a target (a binary name part, a path) is refused. */
    if (!qc_pq_target_name_valid(json_object_get_string(a)))
        return qc_error_set(err, QC_E_PROTOCOL,
                            "query-target: '%.64s' is not a target architecture name",
                            json_object_get_string(a));
    if (!(pass->m->target = strdup(json_object_get_string(a))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    return 0;
}

int
qc_pq_schema(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    if (!(pass->schema = qc_qmp_schema_new(ret, err)))
        return -1;
    if (qc_qmp_schema_names(pass->schema, "command", &pass->m->commands, err) < 0 ||
        qc_qmp_schema_names(pass->schema, "event", &pass->m->events, err) < 0)
        return -1;
    qc_strlist_sort(&pass->m->commands);
    qc_strlist_uniq(&pass->m->commands);
    qc_strlist_sort(&pass->m->events);
    qc_strlist_uniq(&pass->m->events);
    return 0;
}

int
qc_pq_kvm(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_pq_reader rd;
    qc_jr *r = qc_pq_reader_init(&rd, req, err);
    bool present, enabled;

    if (qc_jr_bool(r, ret, "present", &present) < 0 ||
        qc_jr_bool(r, ret, "enabled", &enabled) < 0)
        return -1;
    pass->m->kvm = present && enabled;
    if (pass->accel_from_kvm)
        pass->accel = pass->m->kvm ? QC_ACCEL_KVM : QC_ACCEL_TCG;
    return 0;
}

int
qc_pq_types(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_name_list(req, ret, "name", &pass->m->qom_types, err);
}

/* An optional boolean member that only "true" sets. */
static int
qc_pq_flag(qc_jr *r, json_object *o, const char *key, bool *ret)
{
    qc_tristate t;

    if (qc_pq_opt_bool(r, o, key, &t) < 0)
        return -1;
    *ret = t == QC_TRI_YES;
    return 0;
}

static int
qc_pq_machine(qc_jr *r, json_object *e, void *elem)
{
    qc_machine *mc = elem;

    return qc_jr_str(r, e, "name", false, &mc->name) < 0 ||
                   qc_pq_opt_str(r, e, "alias", &mc->alias) < 0 ||
                   qc_pq_opt_str(r, e, "default-cpu-type", &mc->default_cpu_type) < 0 ||
                   qc_pq_opt_str(r, e, "default-ram-id", &mc->default_ram_id) < 0 ||
                   qc_pq_opt_bool(r, e, "numa-mem-supported", &mc->numa_mem_supported) < 0 ||
                   qc_pq_opt_bool(r, e, "acpi", &mc->acpi) < 0 ||
                   qc_jr_int(r, e, "cpu-max", &mc->cpu_max) < 0 ||
                   qc_pq_flag(r, e, "is-default", &mc->is_default) < 0 ||
                   qc_pq_flag(r, e, "hotpluggable-cpus", &mc->hotpluggable_cpus) < 0 ||
                   qc_pq_flag(r, e, "deprecated", &mc->deprecated) < 0
               ? -1
               : 0;
}

int
qc_pq_machines(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_accel_caps *ac = &pass->acc;

    return qc_pq_reply_vec(req, ret, sizeof(*ac->machines), (void **) &ac->machines,
                           &ac->n_machines, qc_pq_machine, err);
}

static int
qc_pq_cpu_def(qc_jr *r, json_object *e, void *elem)
{
    qc_cpu_def *d = elem;
    json_object *unav;
    size_t mark;

    if (qc_jr_str(r, e, "name", false, &d->name) < 0 ||
        qc_pq_opt_str(r, e, "typename", &d->type_name) < 0 ||
        qc_pq_opt_str(r, e, "alias-of", &d->alias_of) < 0 ||
        qc_pq_opt(r, e, "unavailable-features", json_type_array, &unav) < 0)
        return -1;
    mark = qc_jr_key(r, "unavailable-features");
    if (qc_pq_names(r, unav, NULL, &d->blockers) < 0)
        return -1;
    qc_jr_pop(r, mark);
    d->usable = !unav ? QC_TRI_ABSENT : d->blockers.n ? QC_TRI_NO : QC_TRI_YES;
    return qc_pq_flag(r, e, "deprecated", &d->deprecated) < 0 ||
                   qc_pq_flag(r, e, "static", &d->static_model) < 0
               ? -1
               : 0;
}

int
qc_pq_cpu_defs(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_accel_caps *ac = &pass->acc;

    if (!ret)
        return 0; /* CommandNotFound: this binary has no CPU models */
    ac->have_cpu_defs = true;
    return qc_pq_reply_vec(req, ret, sizeof(*ac->cpu_defs), (void **) &ac->cpu_defs,
                           &ac->n_cpu_defs, qc_pq_cpu_def, err);
}

int
qc_pq_tpm_models(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_reply_names(req, ret, NULL, &pass->m->tpm_models, err);
}

int
qc_pq_tpm_types(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_reply_names(req, ret, NULL, &pass->m->tpm_types, err);
}

int
qc_pq_migrate_caps(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_reply_names(req, ret, "capability", &pass->m->migration_caps, err);
}

static int
qc_pq_cmp_option(const void *a, const void *b)
{
    return strcmp(((const qc_cmdline_option *) a)->option, ((const qc_cmdline_option *) b)->option);
}

static int
qc_pq_cmdline_option(qc_jr *r, json_object *e, void *elem)
{
    qc_cmdline_option *o = elem;
    json_object *params;
    size_t mark;

    if (qc_jr_str(r, e, "option", false, &o->option) < 0 ||
        qc_jr_get(r, e, "parameters", json_type_array, false, &params) < 0)
        return -1;
    mark = qc_jr_key(r, "parameters");
    if (qc_pq_names(r, params, "name", &o->params) < 0)
        return -1;
    qc_jr_pop(r, mark);
    qc_strlist_sort(&o->params);
    qc_strlist_uniq(&o->params);
    return 0;
}

int
qc_pq_cmdline(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_model *m = pass->m;

    if (!ret)
        return 0;
    if (qc_pq_reply_vec(req, ret, sizeof(*m->cmdline_options), (void **) &m->cmdline_options,
                        &m->n_cmdline_options, qc_pq_cmdline_option, err) < 0)
        return -1;
    if (m->n_cmdline_options > 1)
        qsort(m->cmdline_options, m->n_cmdline_options, sizeof(*m->cmdline_options),
              qc_pq_cmp_option);
    return 0;
}

/* ---- phase B ------------------------------------------------------------------------- */

static int
qc_pq_add_props(const qc_req *req, json_object *ret, qc_type_props **vec, size_t *n,
                qc_error **err)
{
    qc_type_props *v = realloc(*vec, (*n + 1) * sizeof(**vec)), *t;

    if (!v)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    *vec = v;
    t = &v[(*n)++];
    memset(t, 0, sizeof(*t));
    if (!(t->type_name = strdup(req->arg)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    t->present = ret != NULL; /* NULL: DeviceNotFound */
    return qc_pq_name_list(req, ret, "name", &t->props, err);
}

int
qc_pq_device_props(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_add_props(req, ret, &pass->m->device_props, &pass->m->n_device_props, err);
}

int
qc_pq_object_props(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_add_props(req, ret, &pass->m->object_props, &pass->m->n_object_props, err);
}

int
qc_pq_gic(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_model *m = pass->m;

    m->have_gic = true;
    if (!ret)
        return 0;
    return qc_pq_reply_vec(req, ret, sizeof(*m->gic), (void **) &m->gic, &m->n_gic,
                           qc_model_gic_read, err);
}

int
qc_pq_sev(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_pq_reader rd;
    qc_jr *r = qc_pq_reader_init(&rd, req, err);
    qc_sev_caps *s;
    int cbitpos, reduced;

    if (!ret)
        return 0; /* "SEV is not enabled in KVM": unsupported */
    if (qc_jr_int(r, ret, "cbitpos", &cbitpos) < 0 ||
        qc_jr_int(r, ret, "reduced-phys-bits", &reduced) < 0)
        return -1;
    if (!(s = pass->m->sev = calloc(1, sizeof(*s))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    s->cbitpos = cbitpos;
    s->reduced_phys_bits = reduced;
    return qc_pq_opt_str(r, ret, "pdh", &s->pdh) < 0 ||
                   qc_pq_opt_str(r, ret, "cert-chain", &s->cert_chain) < 0 ||
                   qc_pq_opt_str(r, ret, "cpu0-id", &s->cpu0_id) < 0
               ? -1
               : 0;
}

int
qc_pq_sgx(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_pq_reader rd;
    qc_jr *r = qc_pq_reader_init(&rd, req, err);
    qc_sgx_caps *s;
    bool sgx1, sgx2, flc;

    if (!ret)
        return 0;
    if (qc_pq_flag(r, ret, "sgx1", &sgx1) < 0 || qc_pq_flag(r, ret, "sgx2", &sgx2) < 0 ||
        qc_pq_flag(r, ret, "flc", &flc) < 0)
        return -1;
    if (!(s = pass->m->sgx = calloc(1, sizeof(*s))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    s->sgx1 = sgx1;
    s->sgx2 = sgx2;
    s->flc = flc;
    if (!json_object_object_get_ex(ret, "sections", NULL))
        return 0;
    return qc_jr_array(r, ret, "sections", true, sizeof(*s->sections), (void **) &s->sections,
                       &s->n_sections, qc_model_sgx_section_read, NULL);
}

/* ---- phase C: host CPU expansion (mapping §3.4) ----------------------------------------- */

static int
qc_pq_cmp_prop(const void *a, const void *b)
{
    return strcmp(((const qc_cpu_prop *) a)->name, ((const qc_cpu_prop *) b)->name);
}

/* One member of "props": boolean, string or number. */
static int
qc_pq_prop(qc_jr *r, const char *key, json_object *val, qc_cpu_prop *p)
{
    size_t mark;

    if (!(p->name = strdup(key)))
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    if (json_object_is_type(val, json_type_boolean)) {
        p->type = QC_PROP_BOOL;
        p->b = json_object_get_boolean(val);
    } else if (json_object_is_type(val, json_type_string)) {
        p->type = QC_PROP_STRING;
        if (!(p->s = strdup(json_object_get_string(val))))
            return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    } else if (json_object_is_type(val, json_type_int) ||
               json_object_is_type(val, json_type_double)) {
        p->type = QC_PROP_NUMBER;
        p->n = json_object_get_int64(val);
    } else {
        mark = qc_jr_key(r, key);
        qc_jr_fail(r, "expected boolean, string or number, not %s",
                   json_type_to_name(json_object_get_type(val)));
        qc_jr_pop(r, mark);
        return -1;
    }
    return 0;
}

static int
qc_pq_parse_expansion(const qc_req *req, json_object *ret, qc_cpu_expansion *e, qc_error **err)
{
    qc_pq_reader rd;
    qc_jr *r = qc_pq_reader_init(&rd, req, err);
    json_object *model, *props;
    size_t n;

    if (qc_jr_get(r, ret, "model", json_type_object, false, &model) < 0)
        return -1;
    qc_jr_key(r, "model");
    if (qc_jr_str(r, model, "name", false, &e->model) < 0 ||
        qc_pq_opt(r, model, "props", json_type_object, &props) < 0)
        return -1;
    n = props ? (size_t) json_object_object_length(props) : 0;
    if (n && !(e->props = calloc(n, sizeof(*e->props))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (!props)
        return 0;
    qc_jr_key(r, "props");
    json_object_object_foreach(props, key, val)
    {
        if (qc_pq_prop(r, key, val, &e->props[e->n_props++]) < 0)
            return -1;
    }
    qsort(e->props, e->n_props, sizeof(*e->props), qc_pq_cmp_prop);
    return 0;
}

/* A named model's full expansion: its vendor, model-id and enabled boolean properties
 * (filtered to feature names at the end of phase C). */
static int
qc_pq_model_info(qc_pass *pass, const qc_cpu_expansion *e, qc_error **err)
{
    qc_model *m = pass->m;
    qc_cpu_model_info *v = realloc(m->cpu_models, (m->n_cpu_models + 1) * sizeof(*v)), *c;
    const qc_cpu_prop *p;

    if (!v)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    m->cpu_models = v;
    c = &v[m->n_cpu_models++];
    memset(c, 0, sizeof(*c));
    if (!(c->name = strdup(e->model)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if ((p = qc_cpu_expansion_prop(e, "vendor")) && p->type == QC_PROP_STRING &&
        !(c->vendor = strdup(p->s)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if ((p = qc_cpu_expansion_prop(e, "model-id")) && p->type == QC_PROP_STRING &&
        !(c->model_id = strdup(p->s)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < e->n_props; i++) {
        if (e->props[i].type == QC_PROP_BOOL && e->props[i].b &&
            qc_strlist_add(&c->features, e->props[i].name, err) < 0)
            return -1;
    }
    return 0;
}


/* The expansion in a reply, its type (req->arg) recorded; *ret_e NULL when absent. */
static int
qc_pq_expansion_new(const qc_req *req, json_object *ret, qc_cpu_expansion **ret_e,
                    qc_error **err)
{
    qc_cpu_expansion *e;

    *ret_e = NULL;
    if (!ret)
        return 0;
    if (!(e = calloc(1, sizeof(*e))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (qc_pq_parse_expansion(req, ret, e, err) < 0 || !(e->type = strdup(req->arg))) {
        qc_cpu_expansion_free(e);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    *ret_e = e;
    return 0;
}

/* Decodes an expansion reply into *slot, replacing what was there (an empty reply keeps
 * it). */
static int
qc_pq_expansion_into(const qc_req *req, json_object *ret, qc_cpu_expansion **slot,
                     qc_error **err)
{
    qc_cpu_expansion *e;

    if (qc_pq_expansion_new(req, ret, &e, err) < 0)
        return -1;
    if (!e)
        return 0;
    qc_cpu_expansion_free(*slot);
    *slot = e;
    return 0;
}

int
qc_pq_host_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_expansion_into(req, ret, &pass->m->accel[pass->accel].host_cpu, err);
}

int
qc_pq_nonmig_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_expansion_into(req, ret, &pass->nonmig, err);
}

/* Decodes an expansion reply and hands it to use (an empty reply is not used). */
static int
qc_pq_expansion_use(qc_pass *pass, const qc_req *req, json_object *ret,
                    int (*use)(qc_pass *pass, const qc_cpu_expansion *e, qc_error **err),
                    qc_error **err)
{
    qc_cpu_expansion *e;
    int rc;

    if (qc_pq_expansion_new(req, ret, &e, err) < 0)
        return -1;
    if (!e)
        return 0;
    rc = use(pass, e, err);
    qc_cpu_expansion_free(e);
    return rc;
}

static int
qc_pq_hyperv_info(qc_pass *pass, const qc_cpu_expansion *e, qc_error **err)
{
    return qc_flags_hyperv(pass->m, e, err);
}

int
qc_pq_hyperv_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_expansion_use(pass, req, ret, qc_pq_hyperv_info, err);
}

/* Keeps the full expansion's vendor in the pass. */
static int
qc_pq_vendor_info(qc_pass *pass, const qc_cpu_expansion *e, qc_error **err)
{
    const qc_cpu_prop *vendor = qc_cpu_expansion_prop(e, "vendor");

    free(pass->full_vendor);
    pass->full_vendor = NULL;
    if (vendor && vendor->type == QC_PROP_STRING && !(pass->full_vendor = strdup(vendor->s)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    return 0;
}

int
qc_pq_vendor_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_expansion_use(pass, req, ret, qc_pq_vendor_info, err);
}

int
qc_pq_model_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_expansion_use(pass, req, ret, qc_pq_model_info, err);
}
