/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* diff-list.c: the list of changes (qc_diff): appending, moving, sorting, counting and
 * clearing changes, and the names of their groups and kinds (libc only). */
#include "model/diff-internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- changes and lists of changes ------------------------------------------------------ */

static const char *const qc_diff_group_names[QC_DIFF_GROUP_COUNT] = {
    "version",  "host",   "machines",     "cpu-models", "host-cpu",  "qom-types", "properties",
    "commands", "events", "command-line", "flags",      "migration", "tpm",       "gic",
    "sev",      "sgx",    "hyperv",       "firmware",   "document",  "emulators", "both",
};

const char *
qc_diff_group_name(qc_diff_group g)
{
    return (unsigned) g < QC_DIFF_GROUP_COUNT ? qc_diff_group_names[g] : NULL;
}

bool
qc_diff_group_scope_is_accel(qc_diff_group g)
{
    return g == QC_DIFF_MACHINES || g == QC_DIFF_CPU_MODELS || g == QC_DIFF_HOST_CPU ||
           g == QC_DIFF_BOTH;
}

const char *
qc_diff_kind_name(qc_diff_kind k)
{
    switch (k) {
    case QC_DIFF_ADDED:
        return "added";
    case QC_DIFF_REMOVED:
        return "removed";
    case QC_DIFF_CHANGED:
        return "changed";
    case QC_DIFF_COMMON:
        return "common";
    }
    return NULL;
}

void
qc_diff_change_clear(qc_diff_change *c)
{
    if (!c)
        return;
    free(c->emulator);
    free(c->scope);
    free(c->name);
    free(c->attribute);
    free(c->old_value);
    free(c->new_value);
    qc_strlist_clear(&c->added);
    qc_strlist_clear(&c->removed);
    qc_strlist_clear(&c->items);
    free(c->detail);
    memset(c, 0, sizeof(*c));
}

void
qc_diff_clear(qc_diff *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        qc_diff_change_clear(&d->v[i]);
    free(d->v);
    memset(d, 0, sizeof(*d));
}

int
qc_diff_grow(qc_diff *d, size_t more, qc_error **err)
{
    if (d->n + more > d->cap) {
        size_t cap = d->cap ? d->cap : 32;
        qc_diff_change *v;

        while (cap < d->n + more)
            cap *= 2;
        if (!(v = realloc(d->v, cap * sizeof(*v))))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        d->v = v;
        d->cap = cap;
    }
    return 0;
}

qc_diff_change *
qc_diff_add(qc_diff *d, qc_diff_group g, qc_diff_kind k, const char *scope, const char *name,
            const char *attribute, const char *old_value, const char *new_value, qc_error **err)
{
    qc_diff_change *c;

    if (qc_diff_grow(d, 1, err) < 0)
        return NULL;
    c = &d->v[d->n];
    memset(c, 0, sizeof(*c));
    c->group = g;
    c->kind = k;
    if (qc_strdup_opt(&c->scope, scope, err) < 0 ||
        qc_strdup_opt(&c->name, name ? name : "", err) < 0 ||
        qc_strdup_opt(&c->attribute, attribute, err) < 0 ||
        qc_strdup_opt(&c->old_value, old_value, err) < 0 ||
        qc_strdup_opt(&c->new_value, new_value, err) < 0) {
        qc_diff_change_clear(c);
        return NULL;
    }
    d->n++;
    return c;
}

int
qc_diff_move(qc_diff *d, qc_diff *src, qc_error **err)
{
    if (qc_diff_grow(d, src->n, err) < 0)
        return -1;
    if (src->n)
        memcpy(d->v + d->n, src->v, src->n * sizeof(*src->v));
    d->n += src->n;
    free(src->v);
    memset(src, 0, sizeof(*src));
    return 0;
}

int
qc_diff_set_emulator(qc_diff *d, size_t from, const char *emulator, qc_error **err)
{
    for (size_t i = from; i < d->n; i++) {
        if (!d->v[i].emulator && qc_strdup_opt(&d->v[i].emulator, emulator, err) < 0)
            return -1;
    }
    return 0;
}

/* Version order with NULL first. */
static int
qc_vcmp(const char *a, const char *b)
{
    if (a == b)
        return 0;
    if (!a || !b)
        return a ? 1 : -1;
    return strverscmp(a, b);
}

static int
qc_diff_change_cmp(const void *pa, const void *pb)
{
    const qc_diff_change *a = pa, *b = pb;
    bool owner_first = !qc_diff_group_scope_is_accel(a->group);
    int r;

    if (!a->emulator != !b->emulator)
        return a->emulator ? 1 : -1;
    if ((r = qc_vcmp(a->emulator, b->emulator)) != 0)
        return r;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (owner_first && (r = qc_vcmp(a->scope, b->scope)) != 0)
        return r;
    if ((r = qc_vcmp(a->name, b->name)) != 0)
        return r;
    if ((r = qc_vcmp(a->scope, b->scope)) != 0)
        return r;
    if ((r = qc_vcmp(a->attribute, b->attribute)) != 0)
        return r;
    /* facts of a document with one path: by their text */
    if ((r = qc_vcmp(a->new_value ? a->new_value : a->old_value,
                     b->new_value ? b->new_value : b->old_value)) != 0)
        return r;
    return (int) a->kind - (int) b->kind;
}

void
qc_diff_sort(qc_diff *d)
{
    if (d && d->n > 1)
        qsort(d->v, d->n, sizeof(*d->v), qc_diff_change_cmp);
}

size_t
qc_diff_count_differences(const qc_diff *d)
{
    size_t n = 0;

    for (size_t i = 0; d && i < d->n; i++)
        n += d->v[i].kind != QC_DIFF_COMMON;
    return n;
}
