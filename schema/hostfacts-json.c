/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostfacts-json.c: the host facts file (JSON) <-> qc_hostfacts. */
#include "common/fileio.h"
#include "common/jsonread.h"
#include "common/jsonwrite.h"
#include "schema/hostfacts.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* A host facts file is a few KiB; anything this large is no such file. */
#define QC_HOSTFACTS_MAX_BYTES ((size_t) 16 << 20)

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

/* The facts as one JSON object, NULL on OOM. */
static json_object *
qc_hj_facts(const qc_hostfacts *hf)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();
    json_object *pm = json_object_new_array(), *cells = json_object_new_array();
    json_object *banks = json_object_new_array(), *sec = json_object_new_array();
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
    return bad ? NULL : qc_steal(&o);
}

char *
qc_hostfacts_to_json(const qc_hostfacts *hf, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *o = qc_hj_facts(hf);
    char *out = o ? qc_json_pretty_text(o) : NULL;

    if (!out)
        qc_error_set(err, QC_E_NOMEM, "out of memory");
    return out;
}

char *
qc_hostfacts_to_json_line(const qc_hostfacts *hf, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *o = qc_hj_facts(hf);
    const char *text = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE)
                         : NULL;
    char *out = text ? strdup(text) : NULL;

    if (!out)
        qc_error_set(err, QC_E_NOMEM, "out of memory");
    return out;
}

/* ---- reading ------------------------------------------------------------------------------ */

static int
qc_hr_cpu(qc_jr *r, json_object *o, qc_hostfacts *hf)
{
    json_object *sig = NULL, *ctr = NULL, *topo = NULL, *pages = NULL, *e;
    int64_t v;
    size_t saved;

    if (qc_jr_int_range(r, o, "microcode", true, 0, INT64_MAX, -1, &hf->microcode) < 0 ||
        qc_jr_get(r, o, "signature", json_type_object, true, &sig) < 0)
        return -1;
    if (sig) {
        saved = qc_jr_key(r, "signature");
        if (qc_jr_int_range(r, sig, "family", false, 0, INT32_MAX, -1, &v) < 0)
            return -1;
        hf->family = (int) v;
        if (qc_jr_int_range(r, sig, "model", true, 0, INT32_MAX, -1, &v) < 0)
            return -1;
        hf->model = (int) v;
        if (qc_jr_int_range(r, sig, "stepping", true, 0, INT32_MAX, -1, &v) < 0)
            return -1;
        hf->stepping = (int) v;
        qc_jr_pop(r, saved);
    }
    if (qc_jr_get(r, o, "counter", json_type_object, true, &ctr) < 0)
        return -1;
    if (ctr) {
        saved = qc_jr_key(r, "counter");
        if (qc_jr_int_range(r, ctr, "frequency", false, 1, INT64_MAX, 0, &v) < 0 ||
            qc_jr_str(r, ctr, "scaling", true, &hf->tsc_scaling) < 0)
            return -1;
        hf->tsc_frequency = (uint64_t) v;
        qc_jr_pop(r, saved);
    }
    if (qc_jr_get(r, o, "topology", json_type_object, true, &topo) < 0)
        return -1;
    if (topo) {
        int *dst[] = {&hf->sockets, &hf->dies, &hf->cores, &hf->threads};
        const char *keys[] = {"sockets", "dies", "cores", "threads"};

        saved = qc_jr_key(r, "topology");
        for (size_t i = 0; i < 4; i++) {
            if (qc_jr_int_range(r, topo, keys[i], false, 1, INT32_MAX, 0, &v) < 0)
                return -1;
            *dst[i] = (int) v;
        }
        /* added after format 1's first files: absent reads as one cluster per die */
        v = 1;
        if (json_object_object_get_ex(topo, "clusters", NULL) &&
            qc_jr_int_range(r, topo, "clusters", false, 1, INT32_MAX, 1, &v) < 0)
            return -1;
        hf->clusters = (int) v;
        qc_jr_pop(r, saved);
    }
    if (qc_jr_int_range(r, o, "maxphysaddr-bits", true, 1, 128, 0, &v) < 0)
        return -1;
    hf->phys_addr_bits = (int) v;
    if (qc_jr_get(r, o, "page-sizes", json_type_array, false, &pages) < 0)
        return -1;
    hf->n_page_sizes = json_object_array_length(pages);
    if (hf->n_page_sizes && !(hf->page_sizes = calloc(hf->n_page_sizes, sizeof(unsigned))))
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < hf->n_page_sizes; i++) {
        e = json_object_array_get_idx(pages, i);
        if (!json_object_is_type(e, json_type_int) || json_object_get_int64(e) <= 0 ||
            json_object_get_int64(e) > UINT32_MAX) {
            qc_jr_key(r, "page-sizes");
            qc_jr_idx(r, i);
            return qc_jr_fail(r, "expected a positive integer");
        }
        hf->page_sizes[i] = (unsigned) json_object_get_int64(e);
    }
    return 0;
}

static int
qc_hr_pages(qc_jr *r, json_object *e, void *dst)
{
    qc_hf_pages *p = dst;
    int64_t v;

    if (qc_jr_int_range(r, e, "size", false, 1, UINT32_MAX, 0, &v) < 0)
        return -1;
    p->size_kib = (unsigned) v;
    if (qc_jr_int_range(r, e, "count", false, 0, INT64_MAX, 0, &v) < 0)
        return -1;
    p->count = (uint64_t) v;
    return 0;
}

static int
qc_hr_sibling(qc_jr *r, json_object *e, void *dst)
{
    qc_hf_sibling *s = dst;
    int64_t v;

    if (qc_jr_int_range(r, e, "id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    s->id = (int) v;
    if (qc_jr_int_range(r, e, "value", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    s->value = (int) v;
    return 0;
}

static int
qc_hr_cellcpu(qc_jr *r, json_object *e, void *dst)
{
    qc_hf_cpu *c = dst;
    json_object *on = NULL;
    int64_t v;

    if (qc_jr_int_range(r, e, "id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    c->id = (int) v;
    if (qc_jr_get(r, e, "online", json_type_boolean, false, &on) < 0)
        return -1;
    c->online = json_object_get_boolean(on);
    if (qc_jr_int_range(r, e, "socket-id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    c->socket_id = (int) v;
    if (qc_jr_int_range(r, e, "die-id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    c->die_id = (int) v;
    v = 0; /* absent in files written before libvirt 11's clusters: 0 */
    if (json_object_object_get_ex(e, "cluster-id", NULL) &&
        qc_jr_int_range(r, e, "cluster-id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    c->cluster_id = (int) v;
    if (qc_jr_int_range(r, e, "core-id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    c->core_id = (int) v;
    return qc_jr_str(r, e, "siblings", true, &c->siblings);
}

static int
qc_hr_cell(qc_jr *r, json_object *e, void *dst)
{
    qc_hf_cell *c = dst;
    int64_t v;

    if (qc_jr_int_range(r, e, "id", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    c->id = (int) v;
    if (qc_jr_int_range(r, e, "memory", true, 1, INT64_MAX, 0, &v) < 0)
        return -1;
    c->memory_kib = (uint64_t) v;
    if (qc_jr_array(r, e, "pages", false, sizeof(qc_hf_pages), (void **) &c->pages, &c->n_pages,
                    qc_hr_pages, NULL) < 0 ||
        qc_jr_array(r, e, "distances", false, sizeof(qc_hf_sibling), (void **) &c->distances,
                    &c->n_distances, qc_hr_sibling, NULL) < 0)
        return -1;
    return qc_jr_array(r, e, "cpus", false, sizeof(qc_hf_cpu), (void **) &c->cpus, &c->n_cpus,
                       qc_hr_cellcpu, NULL);
}

static int
qc_hr_bank(qc_jr *r, json_object *e, void *dst)
{
    qc_hf_bank *b = dst;
    int64_t v;

    if (qc_jr_int_range(r, e, "id", false, 0, UINT32_MAX, 0, &v) < 0)
        return -1;
    b->id = (unsigned) v;
    if (qc_jr_int_range(r, e, "level", false, 0, UINT32_MAX, 0, &v) < 0)
        return -1;
    b->level = (unsigned) v;
    if (qc_jr_str(r, e, "type", false, &b->type) < 0 ||
        qc_jr_int_range(r, e, "size", false, 0, INT64_MAX, 0, &v) < 0)
        return -1;
    b->size = (uint64_t) v;
    return qc_jr_str(r, e, "cpus", false, &b->cpus);
}

static int
qc_hr_label(qc_jr *r, json_object *e, void *dst)
{
    qc_hf_label *l = dst;

    if (qc_jr_str(r, e, "type", false, &l->type) < 0)
        return -1;
    return qc_jr_str(r, e, "label", false, &l->label);
}

static int
qc_hr_secmodel(qc_jr *r, json_object *e, void *dst)
{
    qc_hf_secmodel *s = dst;

    if (qc_jr_str(r, e, "model", false, &s->model) < 0 ||
        qc_jr_str(r, e, "doi", false, &s->doi) < 0)
        return -1;
    return qc_jr_array(r, e, "baselabels", false, sizeof(qc_hf_label), (void **) &s->labels,
                       &s->n_labels, qc_hr_label, NULL);
}

static int
qc_hr_top(qc_jr *r, json_object *o, qc_hostfacts *hf)
{
    json_object *cpu = NULL, *pm = NULL, *e;
    size_t saved;
    int64_t v;

    if (qc_jr_int_range(r, o, "qcaps-host-facts", false, 0, INT32_MAX, 0, &v) < 0)
        return -1;
    if (v != QC_HOSTFACTS_FORMAT_VERSION)
        return qc_error_set(r->err, QC_E_FORMAT, "host facts: format version %" PRId64
                            " is not supported (expected %d)", v, QC_HOSTFACTS_FORMAT_VERSION);
    if (qc_jr_str(r, o, "arch", false, &hf->arch) < 0 ||
        qc_jr_str(r, o, "uuid", true, &hf->uuid) < 0)
        return -1;
    if (qc_jr_get(r, o, "cpu", json_type_object, false, &cpu) < 0)
        return -1;
    saved = qc_jr_key(r, "cpu");
    if (qc_hr_cpu(r, cpu, hf) < 0)
        return -1;
    qc_jr_pop(r, saved);
    if (qc_jr_get(r, o, "power-management", json_type_array, false, &pm) < 0)
        return -1;
    saved = qc_jr_key(r, "power-management");
    for (size_t i = 0; i < json_object_array_length(pm); i++) {
        if (qc_jr_elem(r, pm, i, json_type_string, &e) < 0 ||
            qc_strlist_add(&hf->power_management, json_object_get_string(e), r->err) < 0)
            return -1;
    }
    qc_jr_pop(r, saved);
    if (qc_jr_bool(r, o, "iommu", &hf->iommu) < 0)
        return -1;
    if (qc_jr_array(r, o, "cells", false, sizeof(qc_hf_cell), (void **) &hf->cells, &hf->n_cells,
                    qc_hr_cell, NULL) < 0 ||
        qc_jr_array(r, o, "cache", false, sizeof(qc_hf_bank), (void **) &hf->banks, &hf->n_banks,
                    qc_hr_bank, NULL) < 0)
        return -1;
    return qc_jr_array(r, o, "secmodels", false, sizeof(qc_hf_secmodel), (void **) &hf->secmodels,
                       &hf->n_secmodels, qc_hr_secmodel, NULL);
}

qc_hostfacts *
qc_hostfacts_from_json(const char *text, qc_error **err)
{
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *hf = qc_hostfacts_new();
    QC_CLEANUP(json_object_putp) json_object *o = NULL;
    enum json_tokener_error jerr = json_tokener_success;
    qc_jr r;

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
    qc_jr_init(&r, "host facts: ", NULL, err);
    if (qc_hr_top(&r, o, hf) < 0)
        return NULL;
    return qc_steal(&hf);
}

qc_hostfacts *
qc_hostfacts_load(const char *path, qc_error **err)
{
    qc_autofree char *text = NULL;
    size_t len = 0;
    qc_hostfacts *hf;

    if (qc_file_read(AT_FDCWD, path, 0, QC_HOSTFACTS_MAX_BYTES, &text, &len, err) < 0) {
        qc_error_prefix(err, "host facts");
        return NULL;
    }
    if (strlen(text) != len) {
        qc_error_set(err, QC_E_FORMAT, "host facts '%s': NUL byte in file", path);
        return NULL;
    }
    if (!(hf = qc_hostfacts_from_json(text, err)))
        qc_error_prefix(err, "%s", path);
    return hf;
}
