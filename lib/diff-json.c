/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* diff-json.c: reading a qcaps_changes: walking its changes one by one (qcaps_changes_get()
 * and the qcaps_change_*() getters) and its JSON form (schema/diff.schema.json).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/diff-internal.h"

#define QC_DIFF_FORMAT_VERSION 1

QC_DEFINE_CLEANUP(json_object *, json_object_put);

/* ---- walking a diff -------------------------------------------------------------------- */

QC_PUBLIC_GETTER(size_t, qcaps_changes_count, qcaps_changes, d, d->d.n, 0)
QC_PUBLIC_GETTER(size_t, qcaps_changes_differences, qcaps_changes, d,
                 qc_diff_count_differences(&d->d), 0)

QCAPS_PUBLIC const qcaps_change *
qcaps_changes_get(const qcaps_changes *d, size_t i)
{
    return d && i < d->d.n ? (const qcaps_change *) &d->d.v[i] : NULL;
}

QC_PUBLIC_GETTER(const char *, qcaps_change_group, qcaps_change, c,
                 qc_diff_group_name(c->c.group), NULL)

QC_PUBLIC_GETTER(qcaps_change_kind, qcaps_change_get_kind, qcaps_change, c,
                 (qcaps_change_kind) c->c.kind, QCAPS_CHANGE_COMMON)

QC_PUBLIC_GETTER(const char *, qcaps_change_emulator, qcaps_change, c, c->c.emulator, NULL)
QC_PUBLIC_GETTER(const char *, qcaps_change_scope, qcaps_change, c, c->c.scope, NULL)

QCAPS_PUBLIC bool
qcaps_change_scope_is_accel(const qcaps_change *c)
{
    return c && qc_diff_group_scope_is_accel(c->c.group);
}

QC_PUBLIC_GETTER(const char *, qcaps_change_name, qcaps_change, c, c->c.name, NULL)
QC_PUBLIC_GETTER(const char *, qcaps_change_attribute, qcaps_change, c, c->c.attribute, NULL)
QC_PUBLIC_GETTER(const char *, qcaps_change_old, qcaps_change, c, c->c.old_value, NULL)
QC_PUBLIC_GETTER(const char *, qcaps_change_new, qcaps_change, c, c->c.new_value, NULL)
QC_PUBLIC_GETTER(const char *, qcaps_change_detail, qcaps_change, c, c->c.detail, NULL)

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

/* ---- JSON ------------------------------------------------------------------------------ */

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

    if (!bad) {
        qc_j_add(top, "qcaps-diff", json_object_new_int(QC_DIFF_FORMAT_VERSION), &bad);
        qc_j_add(top, "old", qc_j_side(&d->side[0], &bad), &bad);
        qc_j_add(top, "new", qc_j_side(&d->side[1], &bad), &bad);
        qc_j_add(top, "document", qc_j_document(d, &bad), &bad);
        qc_j_add(top, "differences",
                 json_object_new_int64((int64_t) qc_diff_count_differences(&d->d)), &bad);
        qc_j_add(top, "stat", json_object_new_boolean(stat), &bad);
        qc_j_add(top, "groups", qc_j_groups(d, stat, &bad), &bad);
    }
    return qc_lib_json_text(bad ? NULL : top, err);
}

QCAPS_PUBLIC char *
qcaps_changes_to_json(const qcaps_changes *d, unsigned flags, qcaps_error **err)
{
    qc_error *e = NULL;
    char *out;

    if (!d)
        return qc_lib_invalid(err, "qcaps_changes_to_json", "no diff");
    if (!(out = qc_diff_json(d, flags, &e)))
        qcaps_error_wrap(err, e);
    return out;
}
