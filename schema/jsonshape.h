/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsonshape.h: the JSON shape of each XML document qcaps writes, derived from its RelaxNG
 * grammar at build time (schema/rng-shape.c reads the schema/ .rng files, writes the tables).
 *
 * An element is named by its parent's name and its own: ("devices", "disk"). The grammar
 * decides, for every element, whether it is a list (it may repeat: zeroOrMore, oneOrMore)
 * and whether it is always an object (it may carry attributes), and the type of every
 * attribute and text: a number (an XML Schema integer type, or values that are all
 * decimal), a boolean (values yes/no only) or a string. So the JSON of a document never
 * depends on how many of a thing there are or which optional attributes are present. */
/* Owner: schema/. Generated tables (rng-shape.c), lookups (jsonshape.c); the mapping that
 * uses them is schema/xmljson.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef enum qc_jtype {
    QC_JT_NONE,   /* no text (an attribute always has one of the others) */
    QC_JT_STRING, /* text, tokens, enumerations other than yes/no */
    QC_JT_NUMBER, /* a non-negative decimal integer */
    QC_JT_BOOL,   /* yes / no */
} qc_jtype;

typedef struct qc_shape_elem {
    const char *parent; /* "" for the root */
    const char *name;
    bool list;          /* may repeat under its parent: always an array */
    bool attrs;         /* may carry attributes: always an object */
    qc_jtype text;      /* its text content */
    /* When the grammar interleaves this element with a sibling list (qc:follows in the
     * .rng): JSON keeps two lists, and JSON -> XML writes each of these elements right
     * after the @follows sibling whose text equals this one's attribute @key. */
    const char *follows, *key;
} qc_shape_elem;

typedef struct qc_shape_attr {
    const char *parent, *elem, *name;
    qc_jtype type;
} qc_shape_attr;

typedef struct qc_shape {
    const char *root;                /* the document element */
    const qc_shape_elem *elems;      /* sorted by (parent, name) */
    size_t n_elems;
    const qc_shape_attr *attrs;      /* sorted by (parent, elem, name) */
    size_t n_attrs;
} qc_shape;

/* The shapes of domainCapabilities and capabilities, NULL-terminated (generated). */
extern const qc_shape *const qc_shapes[];

/* The shape of the document whose root element is @root, or NULL. */
const qc_shape *qc_shape_find(const char *root);
/* Element @name under @parent ("" at the root), or NULL when the grammar has none. */
const qc_shape_elem *qc_shape_elem_find(const qc_shape *s, const char *parent,
                                        const char *name);
/* The type of attribute @name of element (@parent, @elem); QC_JT_STRING when unknown. */
qc_jtype qc_shape_attr_type(const qc_shape *s, const char *parent, const char *elem,
                            const char *name);
