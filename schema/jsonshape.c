/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsonshape.c: lookups in the generated shape tables (schema/jsonshape.h). */
#include "schema/jsonshape.h"

#include <stdlib.h>
#include <string.h>

const qc_shape *
qc_shape_find(const char *root)
{
    for (size_t i = 0; root && qc_shapes[i]; i++) {
        if (strcmp(qc_shapes[i]->root, root) == 0)
            return qc_shapes[i];
    }
    return NULL;
}

static int
qc_shape_cmp_elem(const void *key, const void *entry)
{
    const qc_shape_elem *k = key, *e = entry;
    int r = strcmp(k->parent, e->parent);

    return r ? r : strcmp(k->name, e->name);
}

const qc_shape_elem *
qc_shape_elem_find(const qc_shape *s, const char *parent, const char *name)
{
    qc_shape_elem key = {.parent = parent, .name = name};

    return s ? bsearch(&key, s->elems, s->n_elems, sizeof(*s->elems), qc_shape_cmp_elem)
             : NULL;
}

static int
qc_shape_cmp_attr(const void *key, const void *entry)
{
    const qc_shape_attr *k = key, *a = entry;
    int r = strcmp(k->parent, a->parent);

    if (!r)
        r = strcmp(k->elem, a->elem);
    return r ? r : strcmp(k->name, a->name);
}

qc_jtype
qc_shape_attr_type(const qc_shape *s, const char *parent, const char *elem, const char *name)
{
    qc_shape_attr key = {.parent = parent, .elem = elem, .name = name};
    const qc_shape_attr *a =
        s ? bsearch(&key, s->attrs, s->n_attrs, sizeof(*s->attrs), qc_shape_cmp_attr) : NULL;

    return a ? a->type : QC_JT_STRING;
}
