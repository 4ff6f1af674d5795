/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* capabilities.c: libvirt's host capabilities document from host facts and emulator models. */
#include "schema/capabilities.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/domcaps.h"
#include "schema/xmljson.h"
#include "schema/xmlwriter.h"

#define QC_CAPS_OOM(err) qc_error_set(err, QC_E_NOMEM, "out of memory")

#include "schema/libvirt.h"

/* ---- guests ------------------------------------------------------------------------------ */

typedef struct qc_caps_guest {
    const char *arch;        /* libvirt arch, or the QEMU target for arches libvirt lacks */
    int wordsize;
    const char *emulator;    /* borrowed from the candidate list */
    const qc_model *m;       /* borrowed from the model callback */
    bool extra;              /* a target libvirt never lists */
    qc_lv_gen gen;           /* the request's */
} qc_caps_guest;

typedef struct qc_caps_ctx {
    const qc_caps_req *req;
    qc_caps_guest *guests;
    size_t n_guests;
    qc_strlist used;         /* candidate paths that became guests */
} qc_caps_ctx;

/* The candidate whose basename is `name`, or NULL. */
static const char *
qc_caps_lookup(const qc_caps_req *req, const char *name)
{
    for (size_t i = 0; req->emulators && i < req->emulators->n; i++) {
        const char *p = req->emulators->v[i];
        const char *base = strrchr(p, '/');

        if (!strcmp(base ? base + 1 : p, name))
            return p;
    }
    return NULL;
}

static const char *
qc_caps_lookup_target(const qc_caps_req *req, const char *qemu)
{
    char name[128];

    snprintf(name, sizeof(name), "qemu-system-%s", qemu);
    return qc_caps_lookup(req, name);
}

/* libvirt's virQEMUCapsInitGuest binary choice for guest arch `a`. */
static const char *
qc_caps_binary_for(const qc_caps_req *req, const qc_lv_arch *a)
{
    const char *host = req->host->arch;
    const char *bin = NULL;
    const qc_lv_arch *fb;

    /* armv7l guests get KVM on aarch64 hosts only through qemu-system-aarch64 */
    if (host && !strcmp(host, "aarch64") && !strcmp(a->name, "armv7l"))
        bin = qc_caps_lookup_target(req, "aarch64");
    if (!bin)
        bin = qc_caps_lookup_target(req, a->binary);
    if (!bin) {
        fb = qc_lv_arch_is_native(host, a->name) ? qc_lv_arch_find(req->gen, host) : a;
        if (fb && qc_lv_arch_is_ppc64(fb->name))
            fb = qc_lv_arch_find(req->gen, "ppc64");
        if (fb && fb != a)
            bin = qc_caps_lookup_target(req, fb->binary);
    }
    if (!bin && qc_lv_arch_is_native(host, a->name))
        bin = qc_caps_lookup(req, "qemu-kvm");
    return bin;
}

static void
qc_caps_warn(const qc_caps_req *req, const qc_error *e, const char *path)
{
    char *msg = NULL;

    if (!req->warn)
        return;
    if (asprintf(&msg, "%s skipped: %s", path, e && e->message ? e->message : "no model") < 0)
        return;
    req->warn(msg, req->warn_opaque);
    free(msg);
}

static int
qc_caps_add_guest(qc_caps_ctx *c, const char *arch, int wordsize, const char *bin,
                  bool extra, qc_error **err)
{
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    const qc_model *m = c->req->model(bin, c->req->model_opaque, &e);
    qc_caps_guest *g;

    if (!m) {
        qc_caps_warn(c->req, e, bin);
        return 0;
    }
    if (!(g = realloc(c->guests, (c->n_guests + 1) * sizeof(*g))))
        return QC_CAPS_OOM(err);
    c->guests = g;
    g += c->n_guests++;
    g->arch = arch;
    g->wordsize = wordsize;
    g->emulator = bin;
    g->m = m;
    g->extra = extra;
    g->gen = c->req->gen;
    if (!qc_strlist_contains(&c->used, bin) && qc_strlist_add(&c->used, bin, err) < 0)
        return -1;
    return 0;
}

/* qemu-system-<t> binaries whose target libvirt 9.0 has no arch for: qcaps exists to cover
 * them, so they follow libvirt's guests, by name, under the QEMU target name. */
static int
qc_caps_collect_extras(qc_caps_ctx *c, qc_error **err)
{
    const qc_strlist *l = c->req->emulators;

    for (size_t i = 0; l && i < l->n; i++) {
        const char *base = strrchr(l->v[i], '/');
        const char *t;

        base = base ? base + 1 : l->v[i];
        if (strncmp(base, "qemu-system-", 12) != 0)
            continue;
        t = base + 12;
        if (!qc_qemu_target_known(t) || qc_lv_arch_of_target(c->req->gen, t) ||
            qc_caps_lookup(c->req, base) != l->v[i])
            continue;
        if (qc_caps_add_guest(c, t, qc_lv_wordsize(c->req->gen, t), l->v[i], true, err) < 0)
            return -1;
    }
    return 0;
}

static int
qc_caps_collect(qc_caps_ctx *c, qc_error **err)
{
    size_t cursor = 0;

    for (const qc_lv_arch *a; (a = qc_lv_arch_next(c->req->gen, &cursor));) {
        const char *bin = qc_caps_binary_for(c->req, a);

        if (bin && qc_caps_add_guest(c, a->name, a->wordsize, bin, false, err) < 0)
            return -1;
    }
    return qc_caps_collect_extras(c, err);
}

/* ---- XML: helpers ---------------------------------------------------------------------- */

static int
qc_caps_attr_u(qc_xw *x, const char *name, unsigned long long v, qc_error **err)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%llu", v);
    return qc_xw_attr(x, name, buf, err);
}

/* Text inside the open element (name NULL) or a <name>v</name> element. */
static int
qc_caps_text_u(qc_xw *x, const char *name, unsigned long long v, qc_error **err)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%llu", v);
    return name ? qc_xw_text_elem(x, name, buf, err) : qc_xw_text(x, buf, err);
}

/* <name/> */
static int
qc_caps_empty(qc_xw *x, const char *name, qc_error **err)
{
    if (qc_xw_start(x, name, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

/* ---- XML: <host> ------------------------------------------------------------------------- */

static int
qc_caps_host_cpu_model(const qc_caps_ctx *c, qc_host_cpu_model **ret, qc_error **err)
{
    *ret = NULL;
    /* the host CPU model comes from the native binary's KVM host-CPU expansion */
    for (size_t i = 0; i < c->n_guests; i++) {
        const qc_caps_guest *g = &c->guests[i];

        if (g->extra || !c->req->host->arch || strcmp(g->arch, c->req->host->arch) != 0)
            continue;
        if (!g->m->kvm || !g->m->accel[QC_ACCEL_KVM].probed)
            return 0;
        /* libvirt decodes the host's own CPUID as a host CPU (no model with a feature
         * the CPU lacks); the KVM expansion qcaps has can lack what the CPU has (a nested
         * KVM hides features), so the model is chosen as for host-model */
        if (qc_domcaps_host_cpu_model(g->m, QC_ACCEL_KVM, c->req->gen, false, ret, err) < 0)
            return -1;
        /* libvirt 11 names the host CPU by its versioned model (Skylake-Server-v1) */
        if (*ret && c->req->gen >= QC_LV_11_3) {
            const qc_cpu_def *d = qc_model_find_cpu(g->m, QC_ACCEL_KVM, (*ret)->model);
            char *v;
            if (d && d->alias_of) {
                if (!(v = strdup(d->alias_of)))
                    return QC_CAPS_OOM(err);
                free((*ret)->model);
                (*ret)->model = v;
            }
        }
        return 0;
    }
    return 0;
}

static int
qc_caps_cpu_facts(const qc_hostfacts *hf, qc_lv_gen gen, qc_xw *x, qc_error **err)
{
    if (hf->microcode >= 0 &&
        (qc_xw_start(x, "microcode", err) < 0 ||
         qc_caps_attr_u(x, "version", (unsigned long long) hf->microcode, err) < 0 ||
         qc_xw_end(x, err) < 0))
        return -1;
    if (hf->family >= 0 &&
        (qc_xw_start(x, "signature", err) < 0 ||
         qc_caps_attr_u(x, "family", (unsigned) hf->family, err) < 0 ||
         qc_caps_attr_u(x, "model", (unsigned) (hf->model < 0 ? 0 : hf->model), err) < 0 ||
         qc_caps_attr_u(x, "stepping", (unsigned) (hf->stepping < 0 ? 0 : hf->stepping),
                        err) < 0 ||
         qc_xw_end(x, err) < 0))
        return -1;
    if (hf->tsc_frequency &&
        (qc_xw_start(x, "counter", err) < 0 || qc_xw_attr(x, "name", "tsc", err) < 0 ||
         qc_caps_attr_u(x, "frequency", hf->tsc_frequency, err) < 0 ||
         (hf->tsc_scaling && qc_xw_attr(x, "scaling", hf->tsc_scaling, err) < 0) ||
         qc_xw_end(x, err) < 0))
        return -1;
    if (hf->sockets &&
        (qc_xw_start(x, "topology", err) < 0 ||
         qc_caps_attr_u(x, "sockets", (unsigned) hf->sockets, err) < 0 ||
         qc_caps_attr_u(x, "dies", (unsigned) hf->dies, err) < 0 ||
         (gen >= QC_LV_11_3 &&
          qc_caps_attr_u(x, "clusters", (unsigned) (hf->clusters ? hf->clusters : 1), err) < 0) ||
         qc_caps_attr_u(x, "cores", (unsigned) hf->cores, err) < 0 ||
         qc_caps_attr_u(x, "threads", (unsigned) hf->threads, err) < 0 ||
         qc_xw_end(x, err) < 0))
        return -1;
    if (hf->phys_addr_bits > 0 &&
        (qc_xw_start(x, "maxphysaddr", err) < 0 || qc_xw_attr(x, "mode", "emulate", err) < 0 ||
         qc_caps_attr_u(x, "bits", (unsigned) hf->phys_addr_bits, err) < 0 ||
         qc_xw_end(x, err) < 0))
        return -1;
    return 0;
}

static int
qc_caps_host_cpu(const qc_caps_ctx *c, qc_xw *x, qc_error **err)
{
    const qc_hostfacts *hf = c->req->host;
    QC_CLEANUP(qc_host_cpu_model_freep) qc_host_cpu_model *cpu = NULL;

    if (qc_caps_host_cpu_model(c, &cpu, err) < 0 || qc_xw_start(x, "cpu", err) < 0 ||
        qc_xw_text_elem(x, "arch", hf->arch ? hf->arch : "none", err) < 0)
        return -1;
    if (cpu && cpu->model && qc_xw_text_elem(x, "model", cpu->model, err) < 0)
        return -1;
    if (cpu && cpu->vendor && qc_xw_text_elem(x, "vendor", cpu->vendor, err) < 0)
        return -1;
    if (qc_caps_cpu_facts(hf, c->req->gen, x, err) < 0)
        return -1;
    for (size_t i = 0; cpu && i < cpu->n_features; i++) {
        if (cpu->features[i].require &&
            qc_xw_empty_attr(x, "feature", "name", cpu->features[i].name, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < hf->n_page_sizes; i++) {
        if (qc_xw_start(x, "pages", err) < 0 || qc_xw_attr(x, "unit", "KiB", err) < 0 ||
            qc_caps_attr_u(x, "size", hf->page_sizes[i], err) < 0 || qc_xw_end(x, err) < 0)
            return -1;
    }
    return qc_xw_end(x, err);
}

static int
qc_caps_host_misc(const qc_hostfacts *hf, qc_xw *x, qc_error **err)
{
    if (qc_xw_start(x, "power_management", err) < 0)
        return -1;
    for (size_t i = 0; i < hf->power_management.n; i++) {
        if (qc_caps_empty(x, hf->power_management.v[i], err) < 0)
            return -1;
    }
    if (qc_xw_end(x, err) < 0 ||
        qc_xw_empty_attr(x, "iommu", "support", hf->iommu ? "yes" : "no", err) < 0)
        return -1;
    /* the QEMU driver's migration features are fixed */
    if (qc_xw_start(x, "migration_features", err) < 0 || qc_caps_empty(x, "live", err) < 0 ||
        qc_xw_start(x, "uri_transports", err) < 0 ||
        qc_xw_text_elem(x, "uri_transport", "tcp", err) < 0 ||
        qc_xw_text_elem(x, "uri_transport", "rdma", err) < 0 || qc_xw_end(x, err) < 0 ||
        qc_xw_end(x, err) < 0)
        return -1;
    return 0;
}

static int
qc_caps_cell_cpus(const qc_hf_cell *cell, qc_lv_gen gen, qc_xw *x, qc_error **err)
{
    if (qc_xw_start(x, "cpus", err) < 0 || qc_caps_attr_u(x, "num", cell->n_cpus, err) < 0)
        return -1;
    for (size_t i = 0; i < cell->n_cpus; i++) {
        const qc_hf_cpu *cpu = &cell->cpus[i];

        if (qc_xw_start(x, "cpu", err) < 0 || qc_caps_attr_u(x, "id", (unsigned) cpu->id,
                                                             err) < 0)
            return -1;
        if (cpu->online &&
            (qc_caps_attr_u(x, "socket_id", (unsigned) cpu->socket_id, err) < 0 ||
             qc_caps_attr_u(x, "die_id", (unsigned) cpu->die_id, err) < 0 ||
             (gen >= QC_LV_11_3 &&
              qc_caps_attr_u(x, "cluster_id", (unsigned) cpu->cluster_id, err) < 0) ||
             qc_caps_attr_u(x, "core_id", (unsigned) cpu->core_id, err) < 0 ||
             (cpu->siblings && qc_xw_attr(x, "siblings", cpu->siblings, err) < 0)))
            return -1;
        if (qc_xw_end(x, err) < 0)
            return -1;
    }
    return qc_xw_end(x, err);
}

static int
qc_caps_cell(const qc_hf_cell *cell, qc_lv_gen gen, qc_xw *x, qc_error **err)
{
    if (qc_xw_start(x, "cell", err) < 0 || qc_caps_attr_u(x, "id", (unsigned) cell->id, err) < 0)
        return -1;
    if (cell->memory_kib &&
        (qc_xw_start(x, "memory", err) < 0 || qc_xw_attr(x, "unit", "KiB", err) < 0 ||
         qc_caps_text_u(x, NULL, cell->memory_kib, err) < 0 || qc_xw_end(x, err) < 0))
        return -1;
    for (size_t i = 0; i < cell->n_pages; i++) {
        if (qc_xw_start(x, "pages", err) < 0 || qc_xw_attr(x, "unit", "KiB", err) < 0 ||
            qc_caps_attr_u(x, "size", cell->pages[i].size_kib, err) < 0 ||
            qc_caps_text_u(x, NULL, cell->pages[i].count, err) < 0 || qc_xw_end(x, err) < 0)
            return -1;
    }
    if (cell->n_distances) {
        if (qc_xw_start(x, "distances", err) < 0)
            return -1;
        for (size_t i = 0; i < cell->n_distances; i++) {
            if (qc_xw_start(x, "sibling", err) < 0 ||
                qc_caps_attr_u(x, "id", (unsigned) cell->distances[i].id, err) < 0 ||
                qc_caps_attr_u(x, "value", (unsigned) cell->distances[i].value, err) < 0 ||
                qc_xw_end(x, err) < 0)
                return -1;
        }
        if (qc_xw_end(x, err) < 0)
            return -1;
    }
    if (qc_caps_cell_cpus(cell, gen, x, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

static int
qc_caps_topology(const qc_hostfacts *hf, qc_lv_gen gen, qc_xw *x, qc_error **err)
{
    if (!hf->n_cells)
        return 0;
    if (qc_xw_start(x, "topology", err) < 0 || qc_xw_start(x, "cells", err) < 0 ||
        qc_caps_attr_u(x, "num", hf->n_cells, err) < 0)
        return -1;
    for (size_t i = 0; i < hf->n_cells; i++) {
        if (qc_caps_cell(&hf->cells[i], gen, x, err) < 0)
            return -1;
    }
    if (qc_xw_end(x, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

/* virFormatIntPretty: the largest binary unit that divides the size exactly. */
static unsigned long long
qc_caps_pretty(unsigned long long v, const char **unit)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    size_t u = 0;

    while (u + 1 < QC_N_ELEMENTS(units) && v && v % 1024 == 0) {
        v /= 1024;
        u++;
    }
    *unit = units[u];
    return v;
}

static int
qc_caps_cache(const qc_hostfacts *hf, qc_lv_gen gen, qc_xw *x, qc_error **err)
{
    bool any = false;

    for (size_t i = 0; i < hf->n_banks; i++)
        any = any || hf->banks[i].level >= (gen >= QC_LV_11_3 ? 2u : 3u);
    if (!any)
        return 0;
    if (qc_xw_start(x, "cache", err) < 0)
        return -1;
    for (size_t i = 0; i < hf->n_banks; i++) {
        const qc_hf_bank *b = &hf->banks[i];
        const char *unit = NULL;
        unsigned long long size = qc_caps_pretty(b->size, &unit);

        if (b->level < (gen >= QC_LV_11_3 ? 2u : 3u)) /* libvirt 11 shows L2 too */
            continue;
        if (qc_xw_start(x, "bank", err) < 0 || qc_caps_attr_u(x, "id", b->id, err) < 0 ||
            qc_caps_attr_u(x, "level", b->level, err) < 0 ||
            qc_xw_attr(x, "type", b->type, err) < 0 || qc_caps_attr_u(x, "size", size, err) < 0 ||
            qc_xw_attr(x, "unit", unit, err) < 0 || qc_xw_attr(x, "cpus", b->cpus, err) < 0 ||
            qc_xw_end(x, err) < 0)
            return -1;
    }
    return qc_xw_end(x, err);
}

static int
qc_caps_secmodels(const qc_hostfacts *hf, qc_xw *x, qc_error **err)
{
    for (size_t i = 0; i < hf->n_secmodels; i++) {
        const qc_hf_secmodel *s = &hf->secmodels[i];

        if (qc_xw_start(x, "secmodel", err) < 0 ||
            qc_xw_text_elem(x, "model", s->model, err) < 0 ||
            qc_xw_text_elem(x, "doi", s->doi, err) < 0)
            return -1;
        for (size_t j = 0; j < s->n_labels; j++) {
            if (qc_xw_start(x, "baselabel", err) < 0 ||
                qc_xw_attr(x, "type", s->labels[j].type, err) < 0 ||
                qc_xw_text(x, s->labels[j].label, err) < 0 || qc_xw_end(x, err) < 0)
                return -1;
        }
        if (qc_xw_end(x, err) < 0)
            return -1;
    }
    return 0;
}

static int
qc_caps_host(const qc_caps_ctx *c, qc_xw *x, qc_error **err)
{
    const qc_hostfacts *hf = c->req->host;

    if (qc_xw_start(x, "host", err) < 0 ||
        (hf->uuid && qc_xw_text_elem(x, "uuid", hf->uuid, err) < 0) ||
        qc_caps_host_cpu(c, x, err) < 0 || qc_caps_host_misc(hf, x, err) < 0 ||
        qc_caps_topology(hf, c->req->gen, x, err) < 0 || qc_caps_cache(hf, c->req->gen, x, err) < 0 ||
        qc_caps_secmodels(hf, x, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

/* ---- XML: <guest> ------------------------------------------------------------------------ */

/* The machine list libvirt prints: that accel's machines with the preferred one (else
 * QEMU's default) moved to the front; aliases under their alias with canonical=, and each
 * canonical name that is not listed anyway inserted just before its alias. */
typedef struct qc_caps_mach {
    const char *name;
    const char *canonical;
    int max_cpus;
    bool deprecated;
} qc_caps_mach;

static size_t
qc_caps_machines(const qc_caps_guest *g, qc_caps_mach **ret, qc_error **err)
{
    const qc_model *m = g->m;
    qc_accel a = m->kvm && m->accel[QC_ACCEL_KVM].probed ? QC_ACCEL_KVM : QC_ACCEL_TCG;
    const qc_accel_caps *ac = &m->accel[a];
    /* the binary's own arch decides, not the guest's (armv6l guests of qemu-system-arm) */
    const char *pref = qc_lv_preferred_machine(g->gen, qc_lv_arch_of_target(g->gen, m->target));
    size_t n = 0, first = SIZE_MAX, *order;
    qc_caps_mach *out;

    *ret = NULL;
    if (!ac->n_machines)
        return 0;
    if (!(order = calloc(ac->n_machines, sizeof(*order))) ||
        !(out = calloc(ac->n_machines * 2, sizeof(*out)))) {
        free(order);
        QC_CAPS_OOM(err);
        return SIZE_MAX;
    }
    for (size_t i = 0; pref && i < ac->n_machines && first == SIZE_MAX; i++) {
        const qc_machine *mc = &ac->machines[i];

        if (!strcmp(mc->name, pref) || (mc->alias && !strcmp(mc->alias, pref)))
            first = i;
    }
    for (size_t i = 0; i < ac->n_machines && first == SIZE_MAX; i++) {
        if (ac->machines[i].is_default)
            first = i;
    }
    for (size_t i = 0, k = 0; i < ac->n_machines; i++) {
        if (first != SIZE_MAX)
            order[k++] = i == 0 ? first : (i <= first ? i - 1 : i);
        else
            order[k++] = i;
    }
    for (size_t i = 0; i < ac->n_machines; i++) {
        const qc_machine *mc = &ac->machines[order[i]];

        if (qc_lv_machine_hidden(mc->name))
            continue;
        out[n].name = mc->alias ? mc->alias : mc->name;
        out[n].canonical = mc->alias ? mc->name : NULL;
        out[n].max_cpus = mc->cpu_max;
        out[n++].deprecated = mc->deprecated;
    }
    free(order);
    for (size_t i = 0; i < n; i++) {
        bool found = false;

        if (!out[i].canonical)
            continue;
        for (size_t j = 0; j < n && !found; j++)
            found = !strcmp(out[j].name, out[i].canonical);
        if (found)
            continue;
        memmove(&out[i + 1], &out[i], (n - i) * sizeof(*out));
        n++;
        out[i].name = out[i + 1].canonical;
        out[i].canonical = NULL;
        i++;
    }
    *ret = out;
    return n;
}

static int
qc_caps_guest_arch(const qc_caps_guest *g, qc_xw *x, qc_error **err)
{
    qc_caps_mach *ms = NULL;
    size_t n = qc_caps_machines(g, &ms, err);
    int rc = -1;

    if (n == SIZE_MAX)
        return -1;
    if (qc_xw_start(x, "arch", err) < 0 || qc_xw_attr(x, "name", g->arch, err) < 0 ||
        qc_caps_text_u(x, "wordsize", (unsigned) g->wordsize, err) < 0 ||
        qc_xw_text_elem(x, "emulator", g->emulator, err) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (qc_xw_start(x, "machine", err) < 0 ||
            (ms[i].canonical && qc_xw_attr(x, "canonical", ms[i].canonical, err) < 0) ||
            (ms[i].max_cpus > 0 && qc_caps_attr_u(x, "maxCpus", (unsigned) ms[i].max_cpus,
                                                  err) < 0) ||
            (ms[i].deprecated && qc_xw_attr(x, "deprecated", "yes", err) < 0))
            goto out;
        if (qc_xw_text(x, ms[i].name, err) < 0 || qc_xw_end(x, err) < 0)
            goto out;
    }
    if ((qc_model_has_flag(g->m, "tcg") && qc_xw_empty_attr(x, "domain", "type", "qemu",
                                                             err) < 0) ||
        (g->m->kvm && qc_xw_empty_attr(x, "domain", "type", "kvm", err) < 0))
        goto out;
    rc = qc_xw_end(x, err);
out:
    free(ms);
    return rc;
}

static int
qc_caps_toggle(qc_xw *x, const char *name, const char *dflt, const char *toggle,
               qc_error **err)
{
    if (qc_xw_start(x, name, err) < 0 || qc_xw_attr(x, "default", dflt, err) < 0 ||
        qc_xw_attr(x, "toggle", toggle, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

static int
qc_caps_format_guest(const qc_caps_guest *g, qc_xw *x, qc_error **err)
{
    bool x86 = qc_lv_arch_is_x86(g->arch);

    if (qc_xw_start(x, "guest", err) < 0 || qc_xw_text_elem(x, "os_type", "hvm", err) < 0 ||
        qc_caps_guest_arch(g, x, err) < 0 || qc_xw_start(x, "features", err) < 0)
        return -1;
    if (!strcmp(g->arch, "i686") &&
        (qc_caps_empty(x, "pae", err) < 0 || qc_caps_empty(x, "nonpae", err) < 0))
        return -1;
    if ((x86 || !strcmp(g->arch, "aarch64") ||
         (g->gen >= QC_LV_11_3 && !strcmp(g->arch, "loongarch64"))) &&
        qc_caps_toggle(x, "acpi", "on", "yes", err) < 0)
        return -1;
    if (x86 && qc_caps_toggle(x, "apic", "on", "no", err) < 0)
        return -1;
    if (qc_caps_empty(x, "cpuselection", err) < 0 || qc_caps_empty(x, "deviceboot", err) < 0 ||
        qc_caps_toggle(x, "disksnapshot", "on", "no", err) < 0 ||
        /* libvirt 11: external snapshots of running guests */
        (g->gen >= QC_LV_11_3 && qc_caps_empty(x, "externalSnapshot", err) < 0) ||
        qc_xw_end(x, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

/* ---- the document --------------------------------------------------------------------------- */

static char *
qc_caps_xml(const qc_caps_ctx *c, qc_error **err)
{
    qc_xw x;

    if (qc_xw_open(&x, err) < 0)
        return NULL;
    /* libvirt separates <host> and each <guest> by a blank line */
    if (qc_xw_start(&x, "capabilities", err) < 0 || qc_xw_raw(&x, "\n\n", err) < 0 ||
        qc_caps_host(c, &x, err) < 0 || qc_xw_raw(&x, "\n", err) < 0)
        goto fail;
    for (size_t i = 0; i < c->n_guests; i++) {
        if (qc_caps_format_guest(&c->guests[i], &x, err) < 0 || qc_xw_raw(&x, "\n", err) < 0)
            goto fail;
    }
    if (qc_xw_end(&x, err) < 0)
        goto fail;
    return qc_xw_finish(&x, err);
fail:
    qc_xw_close(&x);
    return NULL;
}

char *
qc_capabilities_format(const qc_caps_req *req, qc_error **err)
{
    qc_caps_ctx c = {.req = req};
    char *xml = NULL, *out = NULL;

    if (!req || !req->host || !req->model) {
        qc_error_set(err, QC_E_INVALID, "capabilities: no host facts or model source");
        return NULL;
    }
    if (qc_caps_collect(&c, err) < 0)
        goto out;
    if (!(xml = qc_caps_xml(&c, err)) || !req->json) {
        out = qc_steal(&xml);
        goto out;
    }
    out = qc_xml_to_json(xml, err);
out:
    free(xml);
    free(c.guests);
    qc_strlist_clear(&c.used);
    return out;
}
