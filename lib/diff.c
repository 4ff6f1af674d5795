/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* diff.c: qcaps_changes*(): what changed between two sources (emulators, fixtures, saved
 * models, host exports, this host), their models or their rendered documents.
 *
 * A source's kind is decided by its content: a JSON object with "qcaps-fixture" (a qcaps
 * fixture's header) or "execute" (libvirt's .replies layout) is a fixture, with
 * "qcaps-export" an export, with "format-version" and "accelerators" a saved model;
 * anything else that is an executable regular file is an emulator. The comparison itself
 * is model/model-diff.h (models) and schema/facts.h (documents); this file picks what to
 * compare, and writes the JSON form (schema/diff.schema.json).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/fileio.h"
#include "common/jsontext.h"
#include "lib/internal.h"
#include "model/model-diff.h"
#include "model/model-json.h"
#include "schema/capabilities.h"
#include "schema/domcaps.h"
#include "schema/facts.h"
#include "schema/hostfacts.h"

#define QC_DIFF_FORMAT_VERSION 1
#define QC_SOURCE_MAX_BYTES (512u << 20)

struct qcaps_source {
    qcaps_source_kind kind;
    char *path;
    qcaps_model *model; /* EMULATOR, FIXTURE, MODEL */
    qcaps_host *host;   /* EXPORT, HOST */
};

struct qcaps_change {
    qc_diff_change c; /* the only member: a qc_diff_change is one of these */
};

/* One side as the JSON output describes it. */
typedef struct qc_diff_side {
    char *source;     /* the path given, NULL for models handed in */
    const char *kind; /* qcaps_source_kind_name(), NULL for models handed in */
    qc_strlist emulators, versions, targets;
} qc_diff_side;

struct qcaps_changes {
    qc_diff d;
    qc_diff_side side[2];
    const char *document; /* NULL, "domcaps", "capabilities" */
    const char *libvirt;  /* the generation of the documents */
    char *arch, *machine, *virttype;
};

QC_DEFINE_CLEANUP(json_object *, json_object_put);

/* ---- errors across the public boundary ------------------------------------------------- */

/* The internal error of a public one (consumed). */
static int
qc_unwrap(qc_error **err, qcaps_error *pe)
{
    qc_error *e = pe ? pe->e : NULL;

    free(pe);
    if (!e)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    return qc_error_propagate(err, e);
}

/* ---- sources ---------------------------------------------------------------------------- */

QCAPS_PUBLIC const char *
qcaps_source_kind_name(qcaps_source_kind k)
{
    switch (k) {
    case QCAPS_SOURCE_EMULATOR:
        return "emulator";
    case QCAPS_SOURCE_FIXTURE:
        return "fixture";
    case QCAPS_SOURCE_MODEL:
        return "model";
    case QCAPS_SOURCE_EXPORT:
        return "export";
    case QCAPS_SOURCE_HOST:
        return "host";
    }
    return NULL;
}

QCAPS_PUBLIC void
qcaps_source_free(qcaps_source *s)
{
    if (!s)
        return;
    free(s->path);
    qcaps_model_free(s->model);
    qcaps_host_free(s->host);
    free(s);
}

QC_DEFINE_CLEANUP(qcaps_source *, qcaps_source_free);

QCAPS_PUBLIC qcaps_source_kind
qcaps_source_get_kind(const qcaps_source *s)
{
    return s ? s->kind : (qcaps_source_kind)0;
}

QCAPS_PUBLIC const char *
qcaps_source_path(const qcaps_source *s)
{
    return s ? s->path : NULL;
}

QCAPS_PUBLIC const qcaps_model *
qcaps_source_model(const qcaps_source *s)
{
    return s ? s->model : NULL;
}

QCAPS_PUBLIC const qcaps_host *
qcaps_source_host(const qcaps_source *s)
{
    return s ? s->host : NULL;
}

static int
qc_not_a_source(qc_error **err, const char *path, const char *why)
{
    return qc_error_set(err, QC_E_FORMAT, "%s: not an emulator, fixture, model or export: %s", path,
                        why);
}

/* What the first JSON value of a text is: a fixture, model or export, or why not. */
static qcaps_source_kind
qc_source_sniff(const char *text, size_t len, const char *path, qc_error **err)
{
    json_tokener *tok = json_tokener_new();
    json_object *o;
    qcaps_source_kind k = 0;

    if (!tok) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return 0;
    }
    o = json_tokener_parse_ex(tok, text, (int)len);
    if (!o || !json_object_is_type(o, json_type_object)) {
        char why[160];

        snprintf(why, sizeof(why), "%s",
                 o ? "JSON, but not an object"
                 : json_tokener_get_error(tok) == json_tokener_continue
                     ? "JSON cut short"
                     : json_tokener_error_desc(json_tokener_get_error(tok)));
        qc_not_a_source(err, path, why);
    } else if (json_object_object_get_ex(o, "qcaps-fixture", NULL) ||
               json_object_object_get_ex(o, "execute", NULL)) {
        k = QCAPS_SOURCE_FIXTURE;
    } else if (json_object_object_get_ex(o, "qcaps-export", NULL)) {
        k = QCAPS_SOURCE_EXPORT;
    } else if (json_object_object_get_ex(o, "format-version", NULL) &&
               json_object_object_get_ex(o, "accelerators", NULL)) {
        k = QCAPS_SOURCE_MODEL;
    } else {
        qc_not_a_source(err, path,
                        "a JSON object with none of the members qcaps-fixture, "
                        "execute, qcaps-export, format-version and accelerators");
    }
    json_object_put(o);
    json_tokener_free(tok);
    return k;
}

/* Fills s from the file at s->path (not "@host"). */
static int
qc_source_load_file(qcaps_context *ctx, qcaps_source *s, qc_error **err)
{
    QC_CLEANUP(qc_error_freep) qc_error *rerr = NULL;
    qc_autofree char *text = NULL;
    qc_autoclose int fd = -1;
    const char *p = s->path, *t;
    qcaps_error *pe = NULL;
    struct stat st;
    size_t len = 0;
    qc_model *m;

    if ((fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
        return qc_error_set_errno(err, errno, "%s", p);
    if (fstat(fd, &st) < 0)
        return qc_error_set_errno(err, errno, "%s", p);
    if (S_ISDIR(st.st_mode))
        return qc_not_a_source(err, p, "a directory");
    if (!S_ISREG(st.st_mode))
        return qc_not_a_source(err, p, "not a regular file");
    if (qc_fd_read(fd, p, 0, QC_SOURCE_MAX_BYTES, 0, &text, &len, &rerr) < 0)
        return rerr->code == QC_E_FORMAT ? qc_not_a_source(err, p, "larger than 512 MiB")
                                         : qc_error_propagate(err, qc_steal(&rerr));
    for (t = text; *t == ' ' || *t == '\n' || *t == '\t' || *t == '\r'; t++)
        ;
    if (*t != '{' && *t != '[') {
        if (access(p, X_OK) != 0)
            return qc_not_a_source(err, p,
                                   len ? "neither JSON nor an executable" : "an empty file");
        s->kind = QCAPS_SOURCE_EMULATOR;
        m = qc_context_model(ctx, p, NULL, err);
    } else if (!(s->kind = qc_source_sniff(text, len, p, err))) {
        return -1;
    } else if (s->kind == QCAPS_SOURCE_FIXTURE) {
        m = qc_context_model(ctx, NULL, p, err);
    } else if (s->kind == QCAPS_SOURCE_EXPORT) {
        if (!(s->host = qcaps_host_parse(text, len, p, &pe)))
            return qc_unwrap(err, pe);
        return 0;
    } else {
        if ((m = qc_model_from_string(text, len, err)) && m->view != QC_MODEL_VIEW_FULL) {
            qc_model_free(m);
            return qc_error_set(err, QC_E_FORMAT,
                                "%s: a guests view of a model (a cache "
                                "entry's), which lacks what a diff compares",
                                p);
        }
        if (!m)
            qc_error_prefix(err, "%s: model", p);
    }
    if (!m || !(s->model = qcaps_model_wrap(m, &pe)))
        return m ? qc_unwrap(err, pe) : -1;
    return 0;
}

static qcaps_source *
qc_source_open(qcaps_context *ctx, const char *path, qc_error **err)
{
    QC_CLEANUP(qcaps_source_freep) qcaps_source *s = calloc(1, sizeof(*s));
    qcaps_error *pe = NULL;

    if (!s || !(s->path = strdup(path))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (strcmp(path, QCAPS_SOURCE_LIVE_HOST) == 0) {
        s->kind = QCAPS_SOURCE_HOST;
        if (!(s->host = qcaps_host_read(ctx, NULL, &pe))) {
            qc_unwrap(err, pe);
            qc_error_prefix(err, "%s", path);
            return NULL;
        }
        return qc_steal(&s);
    }
    if (qc_source_load_file(ctx, s, err) < 0)
        return NULL;
    return qc_steal(&s);
}

QCAPS_PUBLIC qcaps_source *
qcaps_source_open(qcaps_context *ctx, const char *path, qcaps_error **err)
{
    qc_error *e = NULL;
    qcaps_source *s;

    if (!ctx || !path || !*path) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_source_open: %s", ctx ? "no path" : "no context");
        qcaps_error_wrap(err, e);
        return NULL;
    }
    if (!(s = qc_source_open(ctx, path, &e)))
        qcaps_error_wrap(err, e);
    return s;
}

/* ---- the diff object ---------------------------------------------------------------------- */

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

/* ---- comparing models ---------------------------------------------------------------------- */

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

/* ---- comparing documents --------------------------------------------------------------------- */

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

/* ---- the public entry points ------------------------------------------------------------------
 */

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

/* ---- walking a diff -----------------------------------------------------------------------------
 */

QCAPS_PUBLIC size_t
qcaps_changes_count(const qcaps_changes *d)
{
    return d ? d->d.n : 0;
}

QCAPS_PUBLIC size_t
qcaps_changes_differences(const qcaps_changes *d)
{
    return d ? qc_diff_count_differences(&d->d) : 0;
}

QCAPS_PUBLIC const qcaps_change *
qcaps_changes_get(const qcaps_changes *d, size_t i)
{
    return d && i < d->d.n ? (const qcaps_change *)&d->d.v[i] : NULL;
}

QCAPS_PUBLIC const char *
qcaps_change_group(const qcaps_change *c)
{
    return c ? qc_diff_group_name(c->c.group) : NULL;
}

QCAPS_PUBLIC qcaps_change_kind
qcaps_change_get_kind(const qcaps_change *c)
{
    return c ? (qcaps_change_kind)c->c.kind : QCAPS_CHANGE_COMMON;
}

QCAPS_PUBLIC const char *
qcaps_change_emulator(const qcaps_change *c)
{
    return c ? c->c.emulator : NULL;
}

QCAPS_PUBLIC const char *
qcaps_change_scope(const qcaps_change *c)
{
    return c ? c->c.scope : NULL;
}

QCAPS_PUBLIC bool
qcaps_change_scope_is_accel(const qcaps_change *c)
{
    return c && qc_diff_group_scope_is_accel(c->c.group);
}

QCAPS_PUBLIC const char *
qcaps_change_name(const qcaps_change *c)
{
    return c ? c->c.name : NULL;
}

QCAPS_PUBLIC const char *
qcaps_change_attribute(const qcaps_change *c)
{
    return c ? c->c.attribute : NULL;
}

QCAPS_PUBLIC const char *
qcaps_change_old(const qcaps_change *c)
{
    return c ? c->c.old_value : NULL;
}

QCAPS_PUBLIC const char *
qcaps_change_new(const qcaps_change *c)
{
    return c ? c->c.new_value : NULL;
}

QCAPS_PUBLIC const char *
qcaps_change_detail(const qcaps_change *c)
{
    return c ? c->c.detail : NULL;
}

static const qc_strlist *
qc_change_list(const qcaps_change *c, qcaps_change_list l)
{
    if (!c)
        return NULL;
    switch (l) {
    case QCAPS_CHANGE_LIST_ADDED:
        return &c->c.added;
    case QCAPS_CHANGE_LIST_REMOVED:
        return &c->c.removed;
    case QCAPS_CHANGE_LIST_ITEMS:
        return &c->c.items;
    }
    return NULL;
}

QCAPS_PUBLIC size_t
qcaps_change_list_count(const qcaps_change *c, qcaps_change_list l)
{
    const qc_strlist *s = qc_change_list(c, l);

    return s ? s->n : 0;
}

QCAPS_PUBLIC const char *
qcaps_change_list_get(const qcaps_change *c, qcaps_change_list l, size_t i)
{
    const qc_strlist *s = qc_change_list(c, l);

    return s && i < s->n ? s->v[i] : NULL;
}

/* ---- JSON
 * ------------------------------------------------------------------------------------------ */

/* Adds v under key (NULL v: JSON null); *bad on failure. */
static void
qc_j_add(json_object *o, const char *key, json_object *v, bool *bad)
{
    if (*bad || json_object_object_add(o, key, v) < 0) {
        json_object_put(v);
        *bad = true;
    }
}

static json_object *
qc_j_str(const char *s, bool *bad)
{
    json_object *v;

    if (!s)
        return NULL;
    if (!(v = json_object_new_string(s)))
        *bad = true;
    return v;
}

static json_object *
qc_j_list(const qc_strlist *l, bool *bad)
{
    json_object *a = json_object_new_array();

    if (!a) {
        *bad = true;
        return NULL;
    }
    for (size_t i = 0; i < l->n && !*bad; i++) {
        json_object *v = json_object_new_string(l->v[i]);

        if (!v || json_object_array_add(a, v) < 0) {
            json_object_put(v);
            *bad = true;
        }
    }
    return a;
}

static json_object *
qc_j_side(const qc_diff_side *s, bool *bad)
{
    json_object *o = json_object_new_object(), *emus = json_object_new_array();

    if (!o || !emus) {
        json_object_put(o);
        json_object_put(emus);
        *bad = true;
        return NULL;
    }
    qc_j_add(o, "source", qc_j_str(s->source, bad), bad);
    qc_j_add(o, "kind", qc_j_str(s->kind, bad), bad);
    for (size_t i = 0; i < s->emulators.n && !*bad; i++) {
        json_object *e = json_object_new_object();

        if (!e || json_object_array_add(emus, e) < 0) {
            json_object_put(e);
            *bad = true;
            break;
        }
        qc_j_add(e, "emulator", qc_j_str(*s->emulators.v[i] ? s->emulators.v[i] : NULL, bad), bad);
        qc_j_add(e, "version", qc_j_str(s->versions.v[i], bad), bad);
        qc_j_add(e, "target", qc_j_str(*s->targets.v[i] ? s->targets.v[i] : NULL, bad), bad);
    }
    qc_j_add(o, "emulators", emus, bad);
    return o;
}

static json_object *
qc_j_change(const qc_diff_change *c, bool *bad)
{
    json_object *o = json_object_new_object();

    if (!o) {
        *bad = true;
        return NULL;
    }
    qc_j_add(o, "kind", qc_j_str(qc_diff_kind_name(c->kind), bad), bad);
    qc_j_add(o, "scope", qc_j_str(c->scope, bad), bad);
    qc_j_add(o, "name", qc_j_str(c->name, bad), bad);
    qc_j_add(o, "attribute", qc_j_str(c->attribute, bad), bad);
    qc_j_add(o, "old", qc_j_str(c->old_value, bad), bad);
    qc_j_add(o, "new", qc_j_str(c->new_value, bad), bad);
    qc_j_add(o, "added", qc_j_list(&c->added, bad), bad);
    qc_j_add(o, "removed", qc_j_list(&c->removed, bad), bad);
    qc_j_add(o, "items", qc_j_list(&c->items, bad), bad);
    qc_j_add(o, "detail", qc_j_str(c->detail, bad), bad);
    return o;
}

static json_object *
qc_j_document(const qcaps_changes *d, bool *bad)
{
    json_object *o;

    if (!d->document)
        return NULL;
    if (!(o = json_object_new_object())) {
        *bad = true;
        return NULL;
    }
    qc_j_add(o, "type", qc_j_str(d->document, bad), bad);
    qc_j_add(o, "libvirt", qc_j_str(d->libvirt, bad), bad);
    qc_j_add(o, "arch", qc_j_str(d->arch, bad), bad);
    qc_j_add(o, "machine", qc_j_str(d->machine, bad), bad);
    qc_j_add(o, "virttype", qc_j_str(d->virttype, bad), bad);
    return o;
}

static bool
qc_same_group(const qc_diff_change *a, const qc_diff_change *b)
{
    return a->group == b->group &&
           ((!a->emulator && !b->emulator) ||
            (a->emulator && b->emulator && !strcmp(a->emulator, b->emulator)));
}

/* One object per (emulator, group), in printing order, with its counts. */
static json_object *
qc_j_groups(const qcaps_changes *d, bool stat, bool *bad)
{
    json_object *groups = json_object_new_array();

    if (!groups) {
        *bad = true;
        return NULL;
    }
    for (size_t i = 0; i < d->d.n && !*bad;) {
        const qc_diff_change *first = &d->d.v[i];
        json_object *g = json_object_new_object(), *changes = json_object_new_array();
        int64_t count[4] = {0};

        if (!g || !changes || json_object_array_add(groups, g) < 0) {
            json_object_put(g);
            json_object_put(changes);
            *bad = true;
            break;
        }
        for (; i < d->d.n && qc_same_group(first, &d->d.v[i]) && !*bad; i++) {
            count[d->d.v[i].kind]++;
            if (!stat && json_object_array_add(changes, qc_j_change(&d->d.v[i], bad)) < 0)
                *bad = true;
        }
        qc_j_add(g, "group", qc_j_str(qc_diff_group_name(first->group), bad), bad);
        qc_j_add(g, "emulator", qc_j_str(first->emulator, bad), bad);
        qc_j_add(g, "added", json_object_new_int64(count[QC_DIFF_ADDED]), bad);
        qc_j_add(g, "removed", json_object_new_int64(count[QC_DIFF_REMOVED]), bad);
        qc_j_add(g, "changed", json_object_new_int64(count[QC_DIFF_CHANGED]), bad);
        qc_j_add(g, "common", json_object_new_int64(count[QC_DIFF_COMMON]), bad);
        qc_j_add(g, "changes", changes, bad);
    }
    return groups;
}

static char *
qc_diff_json(const qcaps_changes *d, unsigned flags, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *top = json_object_new_object();
    bool bad = !top, stat = flags & QCAPS_CHANGES_JSON_STAT;
    const char *text;
    char *out = NULL;

    if (!bad) {
        qc_j_add(top, "qcaps-diff", json_object_new_int(QC_DIFF_FORMAT_VERSION), &bad);
        qc_j_add(top, "old", qc_j_side(&d->side[0], &bad), &bad);
        qc_j_add(top, "new", qc_j_side(&d->side[1], &bad), &bad);
        qc_j_add(top, "document", qc_j_document(d, &bad), &bad);
        qc_j_add(top, "differences",
                 json_object_new_int64((int64_t)qc_diff_count_differences(&d->d)), &bad);
        qc_j_add(top, "stat", json_object_new_boolean(stat), &bad);
        qc_j_add(top, "groups", qc_j_groups(d, stat, &bad), &bad);
    }
    text = bad ? NULL
               : json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
                                                         JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!text || asprintf(&out, "%s\n", text) < 0) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    return qc_json_text_layout(out);
}

QCAPS_PUBLIC char *
qcaps_changes_to_json(const qcaps_changes *d, unsigned flags, qcaps_error **err)
{
    qc_error *e = NULL;
    char *out;

    if (!d) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_changes_to_json: no diff");
        qcaps_error_wrap(err, e);
        return NULL;
    }
    if (!(out = qc_diff_json(d, flags, &e)))
        qcaps_error_wrap(err, e);
    return out;
}
