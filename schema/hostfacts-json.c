/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostfacts-json.c: the host facts file (JSON) <-> qc_hostfacts. */
#include "common/jsontext.h"
#include "schema/hostfacts.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

QC_DEFINE_CLEANUP(json_object *, json_object_put);

/* ---- writing ----------------------------------------------------------------------------- */

/* Adds v under key; remembers an allocation failure in *bad (v NULL). */
static void
qc_hj_add(json_object *o, const char *key, json_object *v, bool *bad)
{
    if (!o || !v || json_object_object_add(o, key, v) < 0) {
        json_object_put(v);
        *bad = true;
    }
}

static void
qc_hj_push(json_object *a, json_object *v, bool *bad)
{
    if (!a || !v || json_object_array_add(a, v) < 0) {
        json_object_put(v);
        *bad = true;
    }
}

/* A string or null; a NULL json_object is JSON null, so only a failed copy is "bad". */
static void
qc_hj_add_str(json_object *o, const char *key, const char *s, bool *bad)
{
    json_object *v = s ? json_object_new_string(s) : NULL;

    if (s && !v) {
        *bad = true;
        return;
    }
    if (!o || json_object_object_add(o, key, v) < 0) {
        json_object_put(v);
        *bad = true;
    }
}

static void
qc_hj_add_int(json_object *o, const char *key, int64_t n, bool known, bool *bad)
{
    json_object *v = known ? json_object_new_int64(n) : NULL;

    if (known && !v) {
        *bad = true;
        return;
    }
    if (!o || json_object_object_add(o, key, v) < 0) {
        json_object_put(v);
        *bad = true;
    }
}

static json_object *
qc_hj_cpu(const qc_hostfacts *hf, bool *bad)
{
    json_object *o = json_object_new_object(), *sig = NULL, *ctr = NULL, *topo = NULL;
    json_object *pages = json_object_new_array();

    qc_hj_add_int(o, "microcode", hf->microcode, hf->microcode >= 0, bad);
    if (hf->family >= 0) {
        sig = json_object_new_object();
        qc_hj_add_int(sig, "family", hf->family, true, bad);
        qc_hj_add_int(sig, "model", hf->model, hf->model >= 0, bad);
        qc_hj_add_int(sig, "stepping", hf->stepping, hf->stepping >= 0, bad);
        qc_hj_add(o, "signature", sig, bad);
    } else {
        qc_hj_add_int(o, "signature", 0, false, bad);
    }
    if (hf->tsc_frequency) {
        ctr = json_object_new_object();
        qc_hj_add_int(ctr, "frequency", (int64_t) hf->tsc_frequency, true, bad);
        qc_hj_add_str(ctr, "scaling", hf->tsc_scaling, bad);
        qc_hj_add(o, "counter", ctr, bad);
    } else {
        qc_hj_add_int(o, "counter", 0, false, bad);
    }
    if (hf->sockets) {
        topo = json_object_new_object();
        qc_hj_add_int(topo, "sockets", hf->sockets, true, bad);
        qc_hj_add_int(topo, "dies", hf->dies, true, bad);
        qc_hj_add_int(topo, "clusters", hf->clusters, true, bad);
        qc_hj_add_int(topo, "cores", hf->cores, true, bad);
        qc_hj_add_int(topo, "threads", hf->threads, true, bad);
        qc_hj_add(o, "topology", topo, bad);
    } else {
        qc_hj_add_int(o, "topology", 0, false, bad);
    }
    qc_hj_add_int(o, "maxphysaddr-bits", hf->phys_addr_bits, hf->phys_addr_bits > 0, bad);
    for (size_t i = 0; i < hf->n_page_sizes; i++)
        qc_hj_push(pages, json_object_new_int64(hf->page_sizes[i]), bad);
    qc_hj_add(o, "page-sizes", pages, bad);
    return o;
}

static json_object *
qc_hj_cell(const qc_hf_cell *c, bool *bad)
{
    json_object *o = json_object_new_object();
    json_object *pages = json_object_new_array(), *dist = json_object_new_array();
    json_object *cpus = json_object_new_array();

    qc_hj_add_int(o, "id", c->id, true, bad);
    qc_hj_add_int(o, "memory", (int64_t) c->memory_kib, c->memory_kib > 0, bad);
    for (size_t i = 0; i < c->n_pages; i++) {
        json_object *p = json_object_new_object();

        qc_hj_add_int(p, "size", c->pages[i].size_kib, true, bad);
        qc_hj_add_int(p, "count", (int64_t) c->pages[i].count, true, bad);
        qc_hj_push(pages, p, bad);
    }
    qc_hj_add(o, "pages", pages, bad);
    for (size_t i = 0; i < c->n_distances; i++) {
        json_object *d = json_object_new_object();

        qc_hj_add_int(d, "id", c->distances[i].id, true, bad);
        qc_hj_add_int(d, "value", c->distances[i].value, true, bad);
        qc_hj_push(dist, d, bad);
    }
    qc_hj_add(o, "distances", dist, bad);
    for (size_t i = 0; i < c->n_cpus; i++) {
        const qc_hf_cpu *cpu = &c->cpus[i];
        json_object *d = json_object_new_object();

        qc_hj_add_int(d, "id", cpu->id, true, bad);
        qc_hj_add(d, "online", json_object_new_boolean(cpu->online), bad);
        qc_hj_add_int(d, "socket-id", cpu->socket_id, true, bad);
        qc_hj_add_int(d, "die-id", cpu->die_id, true, bad);
        qc_hj_add_int(d, "cluster-id", cpu->cluster_id, true, bad);
        qc_hj_add_int(d, "core-id", cpu->core_id, true, bad);
        qc_hj_add_str(d, "siblings", cpu->siblings, bad);
        qc_hj_push(cpus, d, bad);
    }
    qc_hj_add(o, "cpus", cpus, bad);
    return o;
}

static json_object *
qc_hj_secmodel(const qc_hf_secmodel *s, bool *bad)
{
    json_object *o = json_object_new_object(), *labels = json_object_new_array();

    qc_hj_add_str(o, "model", s->model, bad);
    qc_hj_add_str(o, "doi", s->doi, bad);
    for (size_t i = 0; i < s->n_labels; i++) {
        json_object *l = json_object_new_object();

        qc_hj_add_str(l, "type", s->labels[i].type, bad);
        qc_hj_add_str(l, "label", s->labels[i].label, bad);
        qc_hj_push(labels, l, bad);
    }
    qc_hj_add(o, "baselabels", labels, bad);
    return o;
}

char *
qc_hostfacts_to_json(const qc_hostfacts *hf, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();
    json_object *pm = json_object_new_array(), *cells = json_object_new_array();
    json_object *banks = json_object_new_array(), *sec = json_object_new_array();
    const char *text;
    char *out = NULL;
    bool bad = false;

    qc_hj_add_int(o, "qcaps-host-facts", QC_HOSTFACTS_FORMAT_VERSION, true, &bad);
    qc_hj_add_str(o, "arch", hf->arch, &bad);
    qc_hj_add_str(o, "uuid", hf->uuid, &bad);
    qc_hj_add(o, "cpu", qc_hj_cpu(hf, &bad), &bad);
    for (size_t i = 0; i < hf->power_management.n; i++)
        qc_hj_push(pm, json_object_new_string(hf->power_management.v[i]), &bad);
    qc_hj_add(o, "power-management", pm, &bad);
    qc_hj_add(o, "iommu", json_object_new_boolean(hf->iommu), &bad);
    for (size_t i = 0; i < hf->n_cells; i++)
        qc_hj_push(cells, qc_hj_cell(&hf->cells[i], &bad), &bad);
    qc_hj_add(o, "cells", cells, &bad);
    for (size_t i = 0; i < hf->n_banks; i++) {
        const qc_hf_bank *b = &hf->banks[i];
        json_object *j = json_object_new_object();

        qc_hj_add_int(j, "id", b->id, true, &bad);
        qc_hj_add_int(j, "level", b->level, true, &bad);
        qc_hj_add_str(j, "type", b->type, &bad);
        qc_hj_add_int(j, "size", (int64_t) b->size, true, &bad);
        qc_hj_add_str(j, "cpus", b->cpus, &bad);
        qc_hj_push(banks, j, &bad);
    }
    qc_hj_add(o, "cache", banks, &bad);
    for (size_t i = 0; i < hf->n_secmodels; i++)
        qc_hj_push(sec, qc_hj_secmodel(&hf->secmodels[i], &bad), &bad);
    qc_hj_add(o, "secmodels", sec, &bad);
    if (bad)
        goto oom;
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!text || asprintf(&out, "%s\n", text) < 0)
        goto oom;
    if (!(out = qc_json_text_layout(out)))
        qc_error_set(err, QC_E_NOMEM, "out of memory");
    return out;
oom:
    qc_error_set(err, QC_E_NOMEM, "out of memory");
    return NULL;
}

/* ---- reading ------------------------------------------------------------------------------ */

typedef struct qc_hr {
    qc_error **err;
    char path[256];          /* member path of the value being read, for errors */
} qc_hr;

static json_object *
qc_hr_get(qc_hr *r, json_object *o, const char *key, json_type want, bool nullable)
{
    json_object *v = NULL;
    const char *what = want == json_type_int ? "integer" : want == json_type_string ? "string"
                     : want == json_type_boolean ? "boolean" : want == json_type_array ? "array"
                                                                                       : "object";

    if (!json_object_object_get_ex(o, key, &v)) {
        qc_error_set(r->err, QC_E_FORMAT, "host facts: %s%s%s: missing", r->path,
                     *r->path ? "." : "", key);
        return NULL;
    }
    if ((v == NULL && nullable) || json_object_is_type(v, want))
        return v;
    qc_error_set(r->err, QC_E_FORMAT, "host facts: %s%s%s: expected %s%s", r->path,
                 *r->path ? "." : "", key, what, nullable ? " or null" : "");
    return NULL;
}

/* Reads an integer member in [lo, hi]; null gives `dflt` when nullable. */
static int
qc_hr_int(qc_hr *r, json_object *o, const char *key, bool nullable, int64_t lo, int64_t hi,
          int64_t dflt, int64_t *ret)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) && !nullable)
        return qc_error_set(r->err, QC_E_FORMAT, "host facts: %s%s%s: missing", r->path,
                            *r->path ? "." : "", key);
    if (!(v = qc_hr_get(r, o, key, json_type_int, nullable)) && !nullable)
        return -1;
    if (!v) {
        if (r->err && *r->err)
            return -1;
        *ret = dflt;
        return 0;
    }
    *ret = json_object_get_int64(v);
    if (*ret < lo || *ret > hi)
        return qc_error_set(r->err, QC_E_FORMAT, "host facts: %s%s%s: %" PRId64
                            " out of range", r->path, *r->path ? "." : "", key, *ret);
    return 0;
}

static int
qc_hr_str(qc_hr *r, json_object *o, const char *key, bool nullable, char **ret)
{
    json_object *v = qc_hr_get(r, o, key, json_type_string, nullable);

    if (!v)
        return (r->err && *r->err) || !nullable ? -1 : 0;
    if (!(*ret = strdup(json_object_get_string(v))))
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    return 0;
}

static void
qc_hr_enter(qc_hr *r, size_t *saved, const char *key, long idx)
{
    size_t len = strlen(r->path);

    *saved = len;
    if (idx >= 0)
        snprintf(r->path + len, sizeof(r->path) - len, "%s%s[%ld]", len ? "." : "", key, idx);
    else
        snprintf(r->path + len, sizeof(r->path) - len, "%s%s", len ? "." : "", key);
}

static int
qc_hr_cpu(qc_hr *r, json_object *o, qc_hostfacts *hf)
{
    json_object *sig = NULL, *ctr = NULL, *topo = NULL, *pages;
    int64_t v;
    size_t saved;

    if (qc_hr_int(r, o, "microcode", true, 0, INT64_MAX, -1, &hf->microcode) < 0)
        return -1;
    if (!(sig = qc_hr_get(r, o, "signature", json_type_object, true)) && r->err && *r->err)
        return -1;
    if (sig) {
        qc_hr_enter(r, &saved, "signature", -1);
        if (qc_hr_int(r, sig, "family", false, 0, INT32_MAX, -1, &v) < 0)
            return -1;
        hf->family = (int) v;
        if (qc_hr_int(r, sig, "model", true, 0, INT32_MAX, -1, &v) < 0)
            return -1;
        hf->model = (int) v;
        if (qc_hr_int(r, sig, "stepping", true, 0, INT32_MAX, -1, &v) < 0)
            return -1;
        hf->stepping = (int) v;
        r->path[saved] = '\0';
    }
    if (!(ctr = qc_hr_get(r, o, "counter", json_type_object, true)) && r->err && *r->err)
        return -1;
    if (ctr) {
        qc_hr_enter(r, &saved, "counter", -1);
        if (qc_hr_int(r, ctr, "frequency", false, 1, INT64_MAX, 0, &v) < 0 ||
            qc_hr_str(r, ctr, "scaling", true, &hf->tsc_scaling) < 0)
            return -1;
        hf->tsc_frequency = (uint64_t) v;
        r->path[saved] = '\0';
    }
    if (!(topo = qc_hr_get(r, o, "topology", json_type_object, true)) && r->err && *r->err)
        return -1;
    if (topo) {
        int *dst[] = {&hf->sockets, &hf->dies, &hf->cores, &hf->threads};
        const char *keys[] = {"sockets", "dies", "cores", "threads"};

        qc_hr_enter(r, &saved, "topology", -1);
        for (size_t i = 0; i < 4; i++) {
            if (qc_hr_int(r, topo, keys[i], false, 1, INT32_MAX, 0, &v) < 0)
                return -1;
            *dst[i] = (int) v;
        }
        /* added after format 1's first files: absent reads as one cluster per die */
        v = 1;
        if (json_object_object_get_ex(topo, "clusters", NULL) &&
            qc_hr_int(r, topo, "clusters", false, 1, INT32_MAX, 1, &v) < 0)
            return -1;
        hf->clusters = (int) v;
        r->path[saved] = '\0';
    }
    if (qc_hr_int(r, o, "maxphysaddr-bits", true, 1, 128, 0, &v) < 0)
        return -1;
    hf->phys_addr_bits = (int) v;
    if (!(pages = qc_hr_get(r, o, "page-sizes", json_type_array, false)))
        return -1;
    hf->n_page_sizes = json_object_array_length(pages);
    if (hf->n_page_sizes && !(hf->page_sizes = calloc(hf->n_page_sizes, sizeof(unsigned))))
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < hf->n_page_sizes; i++) {
        json_object *e = json_object_array_get_idx(pages, i);

        if (!json_object_is_type(e, json_type_int) || json_object_get_int64(e) <= 0 ||
            json_object_get_int64(e) > UINT32_MAX)
            return qc_error_set(r->err, QC_E_FORMAT, "host facts: %s.page-sizes[%zu]: "
                                "expected a positive integer", r->path, i);
        hf->page_sizes[i] = (unsigned) json_object_get_int64(e);
    }
    return 0;
}

/* Array member `key` of o; its elements are objects read by fn into a fresh array. */
typedef int (*qc_hr_elem_fn)(qc_hr *r, json_object *e, void *dst);

static int
qc_hr_array(qc_hr *r, json_object *o, const char *key, size_t elem_size, qc_hr_elem_fn fn,
            void **ret, size_t *ret_n)
{
    json_object *a = qc_hr_get(r, o, key, json_type_array, false);
    size_t n, saved;
    char *v;

    if (!a)
        return -1;
    n = json_object_array_length(a);
    if (n && !(*ret = calloc(n, elem_size)))
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    v = *ret;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(a, i);

        qc_hr_enter(r, &saved, key, (long) i);
        *ret_n = i + 1;
        if (!json_object_is_type(e, json_type_object))
            return qc_error_set(r->err, QC_E_FORMAT, "host facts: %s: expected object",
                                r->path);
        if (fn(r, e, v + i * elem_size) < 0)
            return -1;
        r->path[saved] = '\0';
    }
    return 0;
}

static int
qc_hr_pages(qc_hr *r, json_object *e, void *dst)
{
    qc_hf_pages *p = dst;
    int64_t v;

    if (qc_hr_int(r, e, "size", false, 1, UINT32_MAX, 0, &v) < 0)
        return -1;
    p->size_kib = (unsigned) v;
    if (qc_hr_int(r, e, "count", false, 0, INT64_MAX, 0, &v) < 0)
        return -1;
    p->count = (uint64_t) v;
    return 0;
}

static int
qc_hr_sibling(qc_hr *r, json_object *e, void *dst)
{
    qc_hf_sibling *s = dst;
    int64_t v;

    if (qc_hr_int(r, e, "id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    s->id = (int) v;
    if (qc_hr_int(r, e, "value", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    s->value = (int) v;
    return 0;
}

static int
qc_hr_cellcpu(qc_hr *r, json_object *e, void *dst)
{
    qc_hf_cpu *c = dst;
    json_object *on;
    int64_t v;

    if (qc_hr_int(r, e, "id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    c->id = (int) v;
    if (!(on = qc_hr_get(r, e, "online", json_type_boolean, false)))
        return -1;
    c->online = json_object_get_boolean(on);
    if (qc_hr_int(r, e, "socket-id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    c->socket_id = (int) v;
    if (qc_hr_int(r, e, "die-id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    c->die_id = (int) v;
    v = 0; /* absent in files written before libvirt 11's clusters: 0 */
    if (json_object_object_get_ex(e, "cluster-id", NULL) &&
        qc_hr_int(r, e, "cluster-id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    c->cluster_id = (int) v;
    if (qc_hr_int(r, e, "core-id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    c->core_id = (int) v;
    return qc_hr_str(r, e, "siblings", true, &c->siblings);
}

static int
qc_hr_cell(qc_hr *r, json_object *e, void *dst)
{
    qc_hf_cell *c = dst;
    int64_t v;

    if (qc_hr_int(r, e, "id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    c->id = (int) v;
    if (qc_hr_int(r, e, "memory", true, 1, INT64_MAX, 0, &v) < 0)
        return -1;
    c->memory_kib = (uint64_t) v;
    if (qc_hr_array(r, e, "pages", sizeof(qc_hf_pages), qc_hr_pages, (void **) &c->pages,
                    &c->n_pages) < 0 ||
        qc_hr_array(r, e, "distances", sizeof(qc_hf_sibling), qc_hr_sibling,
                    (void **) &c->distances, &c->n_distances) < 0)
        return -1;
    return qc_hr_array(r, e, "cpus", sizeof(qc_hf_cpu), qc_hr_cellcpu, (void **) &c->cpus,
                       &c->n_cpus);
}

static int
qc_hr_bank(qc_hr *r, json_object *e, void *dst)
{
    qc_hf_bank *b = dst;
    int64_t v;

    if (qc_hr_int(r, e, "id", false, 0, UINT32_MAX, 0, &v) < 0)
        return -1;
    b->id = (unsigned) v;
    if (qc_hr_int(r, e, "level", false, 0, UINT32_MAX, 0, &v) < 0)
        return -1;
    b->level = (unsigned) v;
    if (qc_hr_str(r, e, "type", false, &b->type) < 0 ||
        qc_hr_int(r, e, "size", false, 0, INT64_MAX, 0, &v) < 0)
        return -1;
    b->size = (uint64_t) v;
    return qc_hr_str(r, e, "cpus", false, &b->cpus);
}

static int
qc_hr_label(qc_hr *r, json_object *e, void *dst)
{
    qc_hf_label *l = dst;

    if (qc_hr_str(r, e, "type", false, &l->type) < 0)
        return -1;
    return qc_hr_str(r, e, "label", false, &l->label);
}

static int
qc_hr_secmodel(qc_hr *r, json_object *e, void *dst)
{
    qc_hf_secmodel *s = dst;

    if (qc_hr_str(r, e, "model", false, &s->model) < 0 ||
        qc_hr_str(r, e, "doi", false, &s->doi) < 0)
        return -1;
    return qc_hr_array(r, e, "baselabels", sizeof(qc_hf_label), qc_hr_label,
                       (void **) &s->labels, &s->n_labels);
}

static int
qc_hr_top(qc_hr *r, json_object *o, qc_hostfacts *hf)
{
    json_object *cpu, *pm, *iommu;
    size_t saved;
    int64_t v;

    if (qc_hr_int(r, o, "qcaps-host-facts", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    if (v != QC_HOSTFACTS_FORMAT_VERSION)
        return qc_error_set(r->err, QC_E_FORMAT, "host facts: format version %" PRId64
                            " is not supported (expected %d)", v, QC_HOSTFACTS_FORMAT_VERSION);
    if (qc_hr_str(r, o, "arch", false, &hf->arch) < 0 ||
        qc_hr_str(r, o, "uuid", true, &hf->uuid) < 0)
        return -1;
    if (!(cpu = qc_hr_get(r, o, "cpu", json_type_object, false)))
        return -1;
    qc_hr_enter(r, &saved, "cpu", -1);
    if (qc_hr_cpu(r, cpu, hf) < 0)
        return -1;
    r->path[saved] = '\0';
    if (!(pm = qc_hr_get(r, o, "power-management", json_type_array, false)))
        return -1;
    for (size_t i = 0; i < json_object_array_length(pm); i++) {
        json_object *e = json_object_array_get_idx(pm, i);

        if (!json_object_is_type(e, json_type_string))
            return qc_error_set(r->err, QC_E_FORMAT, "host facts: power-management[%zu]: "
                                "expected string", i);
        if (qc_strlist_add(&hf->power_management, json_object_get_string(e), r->err) < 0)
            return -1;
    }
    if (!(iommu = qc_hr_get(r, o, "iommu", json_type_boolean, false)))
        return -1;
    hf->iommu = json_object_get_boolean(iommu);
    if (qc_hr_array(r, o, "cells", sizeof(qc_hf_cell), qc_hr_cell, (void **) &hf->cells,
                    &hf->n_cells) < 0 ||
        qc_hr_array(r, o, "cache", sizeof(qc_hf_bank), qc_hr_bank, (void **) &hf->banks,
                    &hf->n_banks) < 0)
        return -1;
    return qc_hr_array(r, o, "secmodels", sizeof(qc_hf_secmodel), qc_hr_secmodel,
                       (void **) &hf->secmodels, &hf->n_secmodels);
}

qc_hostfacts *
qc_hostfacts_from_json(const char *text, qc_error **err)
{
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *hf = qc_hostfacts_new();
    QC_CLEANUP(json_object_putp) json_object *o = NULL;
    enum json_tokener_error jerr = json_tokener_success;
    qc_error *e = NULL;
    /* an own error slot, so "null" and "failed" stay distinguishable when err is NULL */
    qc_hr r = {.err = &e};

    if (!hf) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    o = json_tokener_parse_verbose(text ? text : "", &jerr);
    if (!o || !json_object_is_type(o, json_type_object)) {
        qc_error_set(err, QC_E_FORMAT, "host facts: %s",
                     o ? "expected a JSON object" : json_tokener_error_desc(jerr));
        return NULL;
    }
    /* the reader frees what it filled so far through qc_hostfacts_free */
    if (qc_hr_top(&r, o, hf) < 0) {
        qc_error_propagate(err, e);
        return NULL;
    }
    return qc_steal(&hf);
}

qc_hostfacts *
qc_hostfacts_load(const char *path, qc_error **err)
{
    qc_autofree char *text = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "re");
    qc_hostfacts *hf;

    if (!f) {
        qc_error_set_errno(err, errno, "opening host facts '%s'", path);
        return NULL;
    }
    {
        FILE *mem = open_memstream(&text, &len);
        char buf[8192];
        size_t n;

        while (mem && (n = fread(buf, 1, sizeof(buf), f)) > 0)
            fwrite(buf, 1, n, mem);
        if (!mem || ferror(f) || fclose(mem) != 0) {
            fclose(f);
            qc_error_set_errno(err, errno ? errno : EIO, "reading host facts '%s'", path);
            return NULL;
        }
    }
    fclose(f);
    if (strlen(text) != len) {
        qc_error_set(err, QC_E_FORMAT, "host facts '%s': NUL byte in file", path);
        return NULL;
    }
    if (!(hf = qc_hostfacts_from_json(text, err)))
        qc_error_prefix(err, "%s", path);
    return hf;
}
