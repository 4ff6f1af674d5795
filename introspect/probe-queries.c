/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe-queries.c: the reply decoders: each turns one QMP reply into facts of its pass's
 * scratch model, type-checking every member. What is asked, and when, is probe-phases.c's. */
#include "introspect/probe-queries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "introspect/flags.h"

/* ---- reply decoding helpers: every member is type-checked (QC_E_PROTOCOL) ---------------- */

static json_object *
qc_pq_member(json_object *o, const char *key, json_type t)
{
    json_object *v;

    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, t))
        return NULL;
    return v;
}

static bool
qc_pq_has(json_object *o, const char *key)
{
    json_object *v;

    return json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v) &&
           !json_object_is_type(v, json_type_null);
}

/* Required member of type t, else a protocol error naming command and member. */
static json_object *
qc_pq_need(const qc_req *req, json_object *o, const char *key, json_type t, qc_error **err)
{
    json_object *v = qc_pq_member(o, key, t);

    if (!v)
        qc_error_set(err, QC_E_PROTOCOL, "reply to '%s' has no valid member '%s'", req->command,
                     key);
    return v;
}

/* Optional member: absent is fine, a wrong type is not. *ret NULL when absent. */
static int
qc_pq_opt(const qc_req *req, json_object *o, const char *key, json_type t, json_object **ret,
          qc_error **err)
{
    *ret = NULL;
    if (!qc_pq_has(o, key))
        return 0;
    if (!(*ret = qc_pq_member(o, key, t)))
        return qc_error_set(err, QC_E_PROTOCOL, "reply to '%s': member '%s' has the wrong type",
                            req->command, key);
    return 0;
}

static int
qc_pq_opt_str(const qc_req *req, json_object *o, const char *key, char **ret, qc_error **err)
{
    json_object *v;

    if (qc_pq_opt(req, o, key, json_type_string, &v, err) < 0)
        return -1;
    if (v && !(*ret = strdup(json_object_get_string(v))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    return 0;
}

static int
qc_pq_opt_bool(const qc_req *req, json_object *o, const char *key, qc_tristate *ret,
               qc_error **err)
{
    json_object *v;

    if (qc_pq_opt(req, o, key, json_type_boolean, &v, err) < 0)
        return -1;
    *ret = !v ? QC_TRI_ABSENT : json_object_get_boolean(v) ? QC_TRI_YES : QC_TRI_NO;
    return 0;
}

static int
qc_pq_array(const qc_req *req, json_object *ret, qc_error **err)
{
    if (!json_object_is_type(ret, json_type_array))
        return qc_error_set(err, QC_E_PROTOCOL, "reply to '%s' is not an array", req->command);
    return 0;
}

/* Array of strings, or of objects whose member `key` is a string. */
static int
qc_pq_names(const qc_req *req, json_object *ret, const char *key, qc_strlist *l, qc_error **err)
{
    size_t n;

    if (!ret)
        return 0;
    if (qc_pq_array(req, ret, err) < 0)
        return -1;
    n = json_object_array_length(ret);
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ret, i), *s = e;
        if (key && !(s = qc_pq_need(req, e, key, json_type_string, err)))
            return -1;
        if (!json_object_is_type(s, json_type_string))
            return qc_error_set(err, QC_E_PROTOCOL, "reply to '%s': element %zu is not a string",
                                req->command, i);
        if (qc_strlist_add(l, json_object_get_string(s), err) < 0)
            return -1;
    }
    return 0;
}

/* ---- phase A ------------------------------------------------------------------------- */

int
qc_pq_version(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    json_object *q = qc_pq_need(req, ret, "qemu", json_type_object, err), *v;
    int *dst[] = {&pass->m->version_major, &pass->m->version_minor, &pass->m->version_micro};
    const char *keys[] = {"major", "minor", "micro"};

    if (!q)
        return -1;
    for (size_t i = 0; i < 3; i++) {
        if (!(v = qc_pq_need(req, q, keys[i], json_type_int, err)))
            return -1;
        *dst[i] = (int) json_object_get_int64(v);
    }
    return qc_pq_opt_str(req, ret, "package", &pass->m->package, err);
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
    json_object *a = qc_pq_need(req, ret, "arch", json_type_string, err);

    if (!a)
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
    json_object *present = qc_pq_need(req, ret, "present", json_type_boolean, err);
    json_object *enabled = present ? qc_pq_need(req, ret, "enabled", json_type_boolean, err)
                                   : NULL;

    if (!enabled)
        return -1;
    pass->m->kvm = json_object_get_boolean(present) && json_object_get_boolean(enabled);
    if (pass->accel_from_kvm)
        pass->accel = pass->m->kvm ? QC_ACCEL_KVM : QC_ACCEL_TCG;
    return 0;
}

int
qc_pq_types(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    if (qc_pq_names(req, ret, "name", &pass->m->qom_types, err) < 0)
        return -1;
    qc_strlist_sort(&pass->m->qom_types);
    qc_strlist_uniq(&pass->m->qom_types);
    return 0;
}

static int
qc_pq_machine(const qc_req *req, json_object *e, qc_machine *mc, qc_error **err)
{
    json_object *name = qc_pq_need(req, e, "name", json_type_string, err), *v;
    qc_tristate t;

    if (!name || !(mc->name = strdup(json_object_get_string(name))))
        return name ? qc_error_set(err, QC_E_NOMEM, "out of memory") : -1;
    if (qc_pq_opt_str(req, e, "alias", &mc->alias, err) < 0 ||
        qc_pq_opt_str(req, e, "default-cpu-type", &mc->default_cpu_type, err) < 0 ||
        qc_pq_opt_str(req, e, "default-ram-id", &mc->default_ram_id, err) < 0 ||
        qc_pq_opt_bool(req, e, "numa-mem-supported", &mc->numa_mem_supported, err) < 0 ||
        qc_pq_opt_bool(req, e, "acpi", &mc->acpi, err) < 0 ||
        !(v = qc_pq_need(req, e, "cpu-max", json_type_int, err)))
        return -1;
    mc->cpu_max = (int) json_object_get_int64(v);
    if (qc_pq_opt_bool(req, e, "is-default", &t, err) < 0)
        return -1;
    mc->is_default = t == QC_TRI_YES;
    if (qc_pq_opt_bool(req, e, "hotpluggable-cpus", &t, err) < 0)
        return -1;
    mc->hotpluggable_cpus = t == QC_TRI_YES;
    if (qc_pq_opt_bool(req, e, "deprecated", &t, err) < 0)
        return -1;
    mc->deprecated = t == QC_TRI_YES;
    return 0;
}

int
qc_pq_machines(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_accel_caps *ac = &pass->acc;
    size_t n;

    if (qc_pq_array(req, ret, err) < 0)
        return -1;
    n = json_object_array_length(ret);
    if (n && !(ac->machines = calloc(n, sizeof(*ac->machines))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        qc_machine *mc = &ac->machines[ac->n_machines++];
        if (qc_pq_machine(req, json_object_array_get_idx(ret, i), mc, err) < 0)
            return -1;
    }
    return 0;
}

static int
qc_pq_cpu_def(const qc_req *req, json_object *e, qc_cpu_def *d, qc_error **err)
{
    json_object *name = qc_pq_need(req, e, "name", json_type_string, err), *unav;
    qc_tristate t;

    if (!name || !(d->name = strdup(json_object_get_string(name))))
        return name ? qc_error_set(err, QC_E_NOMEM, "out of memory") : -1;
    if (qc_pq_opt_str(req, e, "typename", &d->type_name, err) < 0 ||
        qc_pq_opt_str(req, e, "alias-of", &d->alias_of, err) < 0 ||
        qc_pq_opt(req, e, "unavailable-features", json_type_array, &unav, err) < 0 ||
        qc_pq_names(req, unav, NULL, &d->blockers, err) < 0)
        return -1;
    d->usable = !unav ? QC_TRI_ABSENT : d->blockers.n ? QC_TRI_NO : QC_TRI_YES;
    if (qc_pq_opt_bool(req, e, "deprecated", &t, err) < 0)
        return -1;
    d->deprecated = t == QC_TRI_YES;
    if (qc_pq_opt_bool(req, e, "static", &t, err) < 0)
        return -1;
    d->static_model = t == QC_TRI_YES;
    return 0;
}

int
qc_pq_cpu_defs(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_accel_caps *ac = &pass->acc;
    size_t n;

    if (!ret)
        return 0; /* CommandNotFound: this binary has no CPU models */
    if (qc_pq_array(req, ret, err) < 0)
        return -1;
    ac->have_cpu_defs = true;
    n = json_object_array_length(ret);
    if (n && !(ac->cpu_defs = calloc(n, sizeof(*ac->cpu_defs))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (qc_pq_cpu_def(req, json_object_array_get_idx(ret, i),
                          &ac->cpu_defs[ac->n_cpu_defs++], err) < 0)
            return -1;
    }
    return 0;
}

int
qc_pq_tpm_models(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_names(req, ret, NULL, &pass->m->tpm_models, err);
}

int
qc_pq_tpm_types(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_names(req, ret, NULL, &pass->m->tpm_types, err);
}

int
qc_pq_migrate_caps(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    return qc_pq_names(req, ret, "capability", &pass->m->migration_caps, err);
}

static int
qc_pq_cmp_option(const void *a, const void *b)
{
    return strcmp(((const qc_cmdline_option *) a)->option, ((const qc_cmdline_option *) b)->option);
}

int
qc_pq_cmdline(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_model *m = pass->m;
    size_t n;

    if (!ret)
        return 0;
    if (qc_pq_array(req, ret, err) < 0)
        return -1;
    n = json_object_array_length(ret);
    if (n && !(m->cmdline_options = calloc(n, sizeof(*m->cmdline_options))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ret, i);
        json_object *opt = qc_pq_need(req, e, "option", json_type_string, err);
        json_object *params = opt ? qc_pq_need(req, e, "parameters", json_type_array, err) : NULL;
        qc_cmdline_option *o = &m->cmdline_options[m->n_cmdline_options++];
        if (!params)
            return -1;
        if (!(o->option = strdup(json_object_get_string(opt))))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        if (qc_pq_names(req, params, "name", &o->params, err) < 0)
            return -1;
        qc_strlist_sort(&o->params);
        qc_strlist_uniq(&o->params);
    }
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
    if (qc_pq_names(req, ret, "name", &t->props, err) < 0)
        return -1;
    qc_strlist_sort(&t->props);
    qc_strlist_uniq(&t->props);
    return 0;
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
    size_t n;

    m->have_gic = true;
    if (!ret)
        return 0;
    if (qc_pq_array(req, ret, err) < 0)
        return -1;
    n = json_object_array_length(ret);
    if (n && !(m->gic = calloc(n, sizeof(*m->gic))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ret, i);
        json_object *v = qc_pq_need(req, e, "version", json_type_int, err);
        json_object *k = v ? qc_pq_need(req, e, "kernel", json_type_boolean, err) : NULL;
        json_object *em = k ? qc_pq_need(req, e, "emulated", json_type_boolean, err) : NULL;
        if (!em)
            return -1;
        m->gic[m->n_gic].version = (int) json_object_get_int64(v);
        m->gic[m->n_gic].kernel = json_object_get_boolean(k);
        m->gic[m->n_gic].emulated = json_object_get_boolean(em);
        m->n_gic++;
    }
    return 0;
}

int
qc_pq_sev(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_sev_caps *s;
    json_object *cb, *rp;

    if (!ret)
        return 0; /* "SEV is not enabled in KVM": unsupported */
    if (!(cb = qc_pq_need(req, ret, "cbitpos", json_type_int, err)) ||
        !(rp = qc_pq_need(req, ret, "reduced-phys-bits", json_type_int, err)))
        return -1;
    if (!(s = pass->m->sev = calloc(1, sizeof(*s))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    s->cbitpos = (int) json_object_get_int64(cb);
    s->reduced_phys_bits = (int) json_object_get_int64(rp);
    return qc_pq_opt_str(req, ret, "pdh", &s->pdh, err) < 0 ||
                   qc_pq_opt_str(req, ret, "cert-chain", &s->cert_chain, err) < 0 ||
                   qc_pq_opt_str(req, ret, "cpu0-id", &s->cpu0_id, err) < 0
               ? -1
               : 0;
}

int
qc_pq_sgx(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_sgx_caps *s;
    json_object *secs;
    qc_tristate t1, t2, tf;
    size_t n;

    if (!ret)
        return 0;
    if (qc_pq_opt_bool(req, ret, "sgx1", &t1, err) < 0 ||
        qc_pq_opt_bool(req, ret, "sgx2", &t2, err) < 0 ||
        qc_pq_opt_bool(req, ret, "flc", &tf, err) < 0 ||
        qc_pq_opt(req, ret, "sections", json_type_array, &secs, err) < 0)
        return -1;
    if (!(s = pass->m->sgx = calloc(1, sizeof(*s))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    s->sgx1 = t1 == QC_TRI_YES;
    s->sgx2 = t2 == QC_TRI_YES;
    s->flc = tf == QC_TRI_YES;
    n = secs ? json_object_array_length(secs) : 0;
    if (n && !(s->sections = calloc(n, sizeof(*s->sections))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(secs, i);
        json_object *node = qc_pq_need(req, e, "node", json_type_int, err);
        json_object *size = node ? qc_pq_need(req, e, "size", json_type_int, err) : NULL;
        if (!size)
            return -1;
        s->sections[i].node = (int) json_object_get_int64(node);
        s->sections[i].size = (uint64_t) json_object_get_int64(size);
        s->n_sections++;
    }
    return 0;
}

/* ---- phase C: host CPU expansion (mapping §3.4) ----------------------------------------- */

static int
qc_pq_cmp_prop(const void *a, const void *b)
{
    return strcmp(((const qc_cpu_prop *) a)->name, ((const qc_cpu_prop *) b)->name);
}

static int
qc_pq_parse_expansion(const qc_req *req, json_object *ret, qc_cpu_expansion *e, qc_error **err)
{
    json_object *model = qc_pq_need(req, ret, "model", json_type_object, err);
    json_object *name = model ? qc_pq_need(req, model, "name", json_type_string, err) : NULL;
    json_object *props;
    size_t n;

    if (!name || qc_pq_opt(req, model, "props", json_type_object, &props, err) < 0)
        return -1;
    if (!(e->model = strdup(json_object_get_string(name))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    n = props ? (size_t) json_object_object_length(props) : 0;
    if (n && !(e->props = calloc(n, sizeof(*e->props))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (!props)
        return 0;
    json_object_object_foreach(props, key, val)
    {
        qc_cpu_prop *p = &e->props[e->n_props++];
        if (!(p->name = strdup(key)))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        if (json_object_is_type(val, json_type_boolean)) {
            p->type = QC_PROP_BOOL;
            p->b = json_object_get_boolean(val);
        } else if (json_object_is_type(val, json_type_string)) {
            p->type = QC_PROP_STRING;
            if (!(p->s = strdup(json_object_get_string(val))))
                return qc_error_set(err, QC_E_NOMEM, "out of memory");
        } else if (json_object_is_type(val, json_type_int) ||
                   json_object_is_type(val, json_type_double)) {
            p->type = QC_PROP_NUMBER;
            p->n = json_object_get_int64(val);
        } else {
            return qc_error_set(err, QC_E_PROTOCOL, "reply to '%s': property '%s' has type %s",
                                req->command, key, json_type_to_name(json_object_get_type(val)));
        }
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

int
qc_pq_host_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_cpu_expansion *e;

    if (qc_pq_expansion_new(req, ret, &e, err) < 0)
        return -1;
    if (!e)
        return 0;
    qc_cpu_expansion_free(pass->m->accel[pass->accel].host_cpu);
    pass->m->accel[pass->accel].host_cpu = e;
    return 0;
}

int
qc_pq_nonmig_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_cpu_expansion *e;

    if (qc_pq_expansion_new(req, ret, &e, err) < 0)
        return -1;
    if (!e)
        return 0;
    qc_cpu_expansion_free(pass->nonmig);
    pass->nonmig = e;
    return 0;
}

int
qc_pq_hyperv_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_cpu_expansion *e;
    int rc;

    if (qc_pq_expansion_new(req, ret, &e, err) < 0)
        return -1;
    if (!e)
        return 0;
    rc = qc_flags_hyperv(pass->m, e, err);
    qc_cpu_expansion_free(e);
    return rc;
}

int
qc_pq_vendor_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_cpu_expansion *e;
    const qc_cpu_prop *vendor;
    int rc = 0;

    if (qc_pq_expansion_new(req, ret, &e, err) < 0)
        return -1;
    if (!e)
        return 0;
    vendor = qc_cpu_expansion_prop(e, "vendor");
    free(pass->full_vendor);
    pass->full_vendor = NULL;
    if (vendor && vendor->type == QC_PROP_STRING && !(pass->full_vendor = strdup(vendor->s)))
        rc = qc_error_set(err, QC_E_NOMEM, "out of memory");
    qc_cpu_expansion_free(e);
    return rc;
}

int
qc_pq_model_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err)
{
    qc_cpu_expansion *e;
    int rc;

    if (qc_pq_expansion_new(req, ret, &e, err) < 0)
        return -1;
    if (!e)
        return 0;
    rc = qc_pq_model_info(pass, e, err);
    qc_cpu_expansion_free(e);
    return rc;
}
