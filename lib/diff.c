/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* diff.c: qcaps_diff*(): what changed between two sources (emulators, fixtures, saved
 * models, host exports, this host; diff-source.c loads them), their models or their
 * rendered documents. The comparison itself is model/model-diff.h (models) and
 * schema/facts.h (documents); this file picks what to compare. diff-json.c reads the
 * result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diff-internal.h"
#include "schema/capabilities.h"
#include "schema/domcaps.h"
#include "schema/facts.h"
#include "schema/hostfacts.h"

/* ---- the diff object ------------------------------------------------------------------- */

static void
qc_diff_side_clear(qc_diff_side *s)
{
    free(s->source);
    qc_strlist_clear(&s->emulators);
    qc_strlist_clear(&s->versions);
    qc_strlist_clear(&s->targets);
}

QCAPS_PUBLIC void
qcaps_changes_free(qcaps_changes *d)
{
    if (!d)
        return;
    qc_diff_clear(&d->d);
    qc_diff_side_clear(&d->side[0]);
    qc_diff_side_clear(&d->side[1]);
    free(d->arch);
    free(d->machine);
    free(d->virttype);
    free(d);
}

QC_DEFINE_CLEANUP(qcaps_changes *, qcaps_changes_free);

static int
qc_side_add_model(qc_diff_side *s, const qc_model *m, qc_error **err)
{
    char v[48];

    snprintf(v, sizeof(v), "%d.%d.%d", m->version_major, m->version_minor, m->version_micro);
    if (qc_strlist_add(&s->emulators, m->emulator ? m->emulator : "", err) < 0 ||
        qc_strlist_add(&s->versions, v, err) < 0 ||
        qc_strlist_add(&s->targets, m->target ? m->target : "", err) < 0)
        return -1;
    return 0;
}

static int
qc_side_from_source(qc_diff_side *side, const qcaps_source *s, qc_error **err)
{
    if (!(side->source = strdup(s->path)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    side->kind = qcaps_source_kind_name(s->kind);
    if (s->model)
        return qc_side_add_model(side, s->model->m, err);
    for (size_t i = 0; i < qcaps_host_model_count(s->host); i++) {
        if (qc_side_add_model(side, qcaps_host_model(s->host, i)->m, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- comparing models ------------------------------------------------------------------ */

/* The model of `host` to compare with `m`: the same emulator path, else the same target
 * (qemu-system-<target> first). */
static const qc_model *
qc_host_pick(const qcaps_host *host, const char *emulator, const char *target)
{
    const qc_model *by_target = NULL;

    for (size_t i = 0; i < qcaps_host_model_count(host); i++) {
        const qc_model *c = qcaps_host_model(host, i)->m;
        const char *base = c->emulator ? strrchr(c->emulator, '/') : NULL;

        if (emulator && c->emulator && strcmp(c->emulator, emulator) == 0)
            return c;
        if (!target || !c->target || strcmp(c->target, target) != 0)
            continue;
        base = base ? base + 1 : c->emulator;
        if (!by_target ||
            (base && strncmp(base, "qemu-system-", 12) == 0 && strcmp(base + 12, target) == 0))
            by_target = c;
    }
    return by_target;
}

/* The model of a side for comparison with `other` (NULL: any model of a host). */
static const qc_model *
qc_side_model(const qcaps_source *s, const qc_model *other, const char *target, qc_error **err)
{
    const qc_model *m;

    if (s->model)
        return s->model->m;
    m = qc_host_pick(s->host, other ? other->emulator : NULL, other ? other->target : target);
    if (!m)
        qc_error_set(err, QC_E_NOTFOUND, "%s: the %s holds no emulator of target %s", s->path,
                     qcaps_source_kind_name(s->kind),
                     other && other->target ? other->target
                     : target               ? target
                                            : "(none)");
    return m;
}

/* Two hosts: host facts and firmware once, emulators one side has, then emulator by
 * emulator its differences and what a guest may use on both. */
static int
qc_diff_hosts(const qcaps_host *o, const qcaps_host *n, qc_diff *d, qc_error **err)
{
    size_t no = qcaps_host_model_count(o), nn = qcaps_host_model_count(n);

    if (no && nn) {
        const qc_host *ho = &qcaps_host_model(o, 0)->m->host,
                      *hn = &qcaps_host_model(n, 0)->m->host;

        if (qc_host_diff(ho, hn, d, err) < 0 || qc_firmware_diff(ho, hn, d, err) < 0)
            return -1;
    }
    for (int s = 0; s < 2; s++) {
        const qcaps_host *h = s ? n : o, *other = s ? o : n;

        for (size_t i = 0; i < qcaps_host_model_count(h); i++) {
            const qc_model *m = qcaps_host_model(h, i)->m;
            qc_diff_change *c;

            if (qc_host_pick(other, m->emulator, NULL))
                continue;
            if (!(c = qc_diff_add(d, QC_DIFF_EMULATORS, s ? QC_DIFF_ADDED : QC_DIFF_REMOVED, NULL,
                                  m->emulator, NULL, NULL, NULL, err)))
                return -1;
            if (asprintf(&c->detail, "QEMU %d.%d.%d, %s", m->version_major, m->version_minor,
                         m->version_micro, m->target ? m->target : "?") < 0) {
                c->detail = NULL;
                return qc_error_set(err, QC_E_NOMEM, "out of memory");
            }
        }
    }
    for (size_t i = 0; i < no; i++) {
        const qc_model *mo = qcaps_host_model(o, i)->m, *mn = qc_host_pick(n, mo->emulator, NULL);
        size_t from = d->n;

        if (!mn)
            continue;
        if (qc_model_diff(mo, mn, QC_MODEL_DIFF_NO_FIRMWARE, d, err) < 0 ||
            qc_model_common(mo, mn, d, err) < 0 ||
            qc_diff_set_emulator(d, from, mo->emulator, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- comparing documents --------------------------------------------------------------- */

static void
qc_diff_warn(const char *message, void *opaque)
{
    qc_context_warn(opaque, "%s", message);
}

static char *
qc_side_domcaps(qcaps_context *ctx, const qc_model *m, const char *path, const qcaps_diff_query *q,
                qc_error **err)
{
    qc_domcaps_req req = {qc_context_libvirt(ctx), q->arch, q->machine, q->virttype};
    char *xml = qc_domcaps_format(m, &req, qc_diff_warn, ctx, err);

    if (!xml)
        qc_error_prefix(err, "%s", path);
    return xml;
}

static bool
qc_same_target(const qc_model *a, const qc_model *b)
{
    return a->target && b->target && strcmp(a->target, b->target) == 0;
}

/* The models of a capabilities side, by emulator path. */
typedef struct qc_caps_side {
    const qcaps_source *s;
} qc_caps_side;

static const qc_model *
qc_caps_side_model(const char *path, void *opaque, qc_error **err)
{
    const qc_caps_side *cs = opaque;
    const qc_model *m = cs->s->model ? cs->s->model->m : qc_host_pick(cs->s->host, path, NULL);

    if (!m || !m->emulator || strcmp(m->emulator, path) != 0) {
        qc_error_set(err, QC_E_NOTFOUND, "no model of %s", path);
        return NULL;
    }
    return m;
}

/* The capabilities document of a side: a host's with its facts and every emulator; a single
 * model's with no host facts (unknown, the same on both sides) and that one guest. */
static char *
qc_side_capabilities(qcaps_context *ctx, const qcaps_source *s, qc_error **err)
{
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *hf = NULL;
    qc_caps_side cs = {s};
    qc_strlist emus = {0};
    qc_caps_req req = {0};
    qcaps_error *pe = NULL;
    char *out = NULL;

    if (s->host) {
        qc_autofree char *facts = qcaps_host_facts(s->host, &pe);

        if (!facts) {
            qc_unwrap(err, pe);
            return NULL;
        }
        hf = qc_hostfacts_from_json(facts, err);
        for (size_t i = 0; hf && i < qcaps_host_model_count(s->host); i++) {
            const char *emu = qcaps_host_model(s->host, i)->m->emulator;

            if (emu && qc_strlist_add(&emus, emu, err) < 0)
                goto out;
        }
    } else if ((hf = qc_hostfacts_new()) && s->model->m->emulator &&
               qc_strlist_add(&emus, s->model->m->emulator, err) < 0) {
        goto out;
    }
    if (!hf) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        goto out;
    }
    req.gen = qc_context_libvirt(ctx);
    req.host = hf;
    req.emulators = &emus;
    req.model = qc_caps_side_model;
    req.model_opaque = &cs;
    req.warn = qc_diff_warn;
    req.warn_opaque = ctx;
    if (!(out = qc_capabilities_format(&req, err)))
        qc_error_prefix(err, "%s", s->path);
out:
    qc_strlist_clear(&emus);
    return out;
}

static int
qc_diff_xml(const char *xo, const char *xn, qc_diff *d, qc_error **err)
{
    qc_xml_facts fo = {0}, fn = {0};
    int rc = -1;

    if (qc_xml_facts_read(xo, strlen(xo), "old document", NULL, 0, &fo, err) == 0 &&
        qc_xml_facts_read(xn, strlen(xn), "new document", NULL, 0, &fn, err) == 0)
        rc = qc_xml_facts_diff(&fo, &fn, d, err);
    qc_xml_facts_clear(&fo);
    qc_xml_facts_clear(&fn);
    return rc;
}

static int
qc_diff_docs(qcaps_context *ctx, const qcaps_source *so, const qcaps_source *sn,
             const qcaps_diff_query *q, qc_diff *d, qc_error **err)
{
    qc_autofree char *xo = NULL;
    qc_autofree char *xn = NULL;

    if (q->document == QCAPS_DIFF_DOC_CAPABILITIES) {
        if (!(xo = qc_side_capabilities(ctx, so, err)) ||
            !(xn = qc_side_capabilities(ctx, sn, err)))
            return -1;
    } else {
        const char *target =
            q->arch ? qc_lv_target_of_arch(qc_context_libvirt(ctx), q->arch) : NULL;
        const qc_model *mo = so->model ? so->model->m : NULL, *mn = sn->model ? sn->model->m : NULL;

        if (!target && !mo && !mn)
            return qc_error_set(err, QC_E_INVALID, "--document domcaps of two hosts needs --arch");
        if (!mo && !(mo = qc_side_model(so, target ? NULL : mn, target, err)))
            return -1;
        if (!mn && !(mn = qc_side_model(sn, target ? NULL : mo, target, err)))
            return -1;
        if (!q->arch && !qc_same_target(mo, mn))
            return qc_error_set(err, QC_E_INVALID,
                                "%s is %s, %s is %s: --document domcaps "
                                "compares the documents of one arch",
                                so->path, mo->target ? mo->target : "?", sn->path,
                                mn->target ? mn->target : "?");
        if (!(xo = qc_side_domcaps(ctx, mo, so->path, q, err)) ||
            !(xn = qc_side_domcaps(ctx, mn, sn->path, q, err)))
            return -1;
    }
    return qc_diff_xml(xo, xn, d, err);
}

/* ---- the public entry points ----------------------------------------------------------- */

static qcaps_changes *
qc_diff_new(qc_error **err)
{
    qcaps_changes *d = calloc(1, sizeof(*d));

    if (!d)
        qc_error_set(err, QC_E_NOMEM, "out of memory");
    return d;
}

QCAPS_PUBLIC qcaps_changes *
qcaps_diff(const qcaps_model *old_model, const qcaps_model *new_model, unsigned flags,
           qcaps_error **err)
{
    QC_CLEANUP(qcaps_changes_freep) qcaps_changes *d = NULL;
    qc_error *e = NULL;

    if (!old_model || !new_model) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_diff: missing model");
    } else if ((d = qc_diff_new(&e)) && qc_side_add_model(&d->side[0], old_model->m, &e) == 0 &&
               qc_side_add_model(&d->side[1], new_model->m, &e) == 0 &&
               qc_model_diff(old_model->m, new_model->m,
                             (flags & QCAPS_DIFF_HOST) ? QC_MODEL_DIFF_HOST : 0, &d->d, &e) == 0) {
        qc_diff_sort(&d->d);
        return qc_steal(&d);
    }
    qcaps_error_wrap(err, e);
    return NULL;
}

QCAPS_PUBLIC qcaps_changes *
qcaps_diff_documents(const char *old_xml, const char *new_xml, qcaps_error **err)
{
    QC_CLEANUP(qcaps_changes_freep) qcaps_changes *d = NULL;
    qc_error *e = NULL;

    if (!old_xml || !new_xml) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_diff_documents: missing document");
    } else if ((d = qc_diff_new(&e)) && qc_diff_xml(old_xml, new_xml, &d->d, &e) == 0) {
        d->document = "xml";
        qc_diff_sort(&d->d);
        return qc_steal(&d);
    }
    qcaps_error_wrap(err, e);
    return NULL;
}

static int
qc_diff_sources(qcaps_context *ctx, const qcaps_source *so, const qcaps_source *sn,
                const qcaps_diff_query *q, qcaps_changes *d, qc_error **err)
{
    unsigned flags = (q->flags & QCAPS_DIFF_HOST) ? QC_MODEL_DIFF_HOST : 0;
    const qc_model *mo, *mn;

    if (qc_side_from_source(&d->side[0], so, err) < 0 ||
        qc_side_from_source(&d->side[1], sn, err) < 0)
        return -1;
    if (q->document != QCAPS_DIFF_DOC_NONE) {
        d->document = q->document == QCAPS_DIFF_DOC_DOMCAPS ? "domcaps" : "capabilities";
        d->libvirt = qc_lv_gen_name(qc_context_libvirt(ctx));
        if (q->document == QCAPS_DIFF_DOC_DOMCAPS &&
            (qc_strdup_opt(&d->arch, q->arch, err) < 0 ||
             qc_strdup_opt(&d->machine, q->machine, err) < 0 ||
             qc_strdup_opt(&d->virttype, q->virttype, err) < 0))
            return -1;
        return qc_diff_docs(ctx, so, sn, q, &d->d, err);
    }
    if (so->host && sn->host)
        return qc_diff_hosts(so->host, sn->host, &d->d, err);
    if (!(mo = qc_side_model(so, sn->model ? sn->model->m : NULL, NULL, err)) ||
        !(mn = qc_side_model(sn, mo, NULL, err)))
        return -1;
    return qc_model_diff(mo, mn, flags, &d->d, err);
}

QCAPS_PUBLIC qcaps_changes *
qcaps_diff_sources(qcaps_context *ctx, const qcaps_source *old_src, const qcaps_source *new_src,
                   const qcaps_diff_query *q, qcaps_error **err)
{
    QC_CLEANUP(qcaps_changes_freep) qcaps_changes *d = NULL;
    qcaps_diff_query none = {0};
    qc_error *e = NULL;

    if (!old_src || !new_src) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_diff_sources: missing source");
    } else if (q && q->document != QCAPS_DIFF_DOC_DOMCAPS &&
               (q->arch || q->machine || q->virttype)) {
        qc_error_set(&e, QC_E_INVALID, "arch, machine and virttype select a domcaps document");
    } else if ((d = qc_diff_new(&e)) &&
               qc_diff_sources(ctx, old_src, new_src, q ? q : &none, d, &e) == 0) {
        qc_diff_sort(&d->d);
        return qc_steal(&d);
    }
    qcaps_error_wrap(err, e);
    return NULL;
}
