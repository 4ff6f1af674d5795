/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* facts.h: an XML document as a set of facts, one per element, and the difference of two.
 *
 * Contract: a fact is one element: its path from the root, each segment carrying that
 * element's attributes in document order ([@name='value']) and, for an element a key
 * names, [XPATH='value'] (the key's XPath evaluated from the element: the built-in keys
 * guest=arch/@name and secmodel=model keep siblings that differ only below apart), then
 * the element's own non-blank text, trimmed, newlines and tabs written \n and \t. Facts
 * come in document order. This is the definition the conformance harness compares
 * libvirt's documents with (tests/helpers/xmlfacts prints "PATH" or "PATH=TEXT" per fact)
 * and `qcaps diff --document` reports. A document that does not parse is QC_E_XML naming
 * it and libxml2's first message; nothing reaches stderr. No printing, no file I/O.
 */
#ifndef QC_SCHEMA_FACTS_H
#define QC_SCHEMA_FACTS_H

#include <stddef.h>

#include "common/error.h"
#include "model/model-diff.h"

typedef struct qc_xml_key {
    const char *element; /* element name */
    const char *xpath;   /* evaluated from the element, cast to a string */
} qc_xml_key;

/* The built-in keys (guest=arch/@name, secmodel=model); *ret_n gets their number. */
const qc_xml_key *qc_xml_facts_default_keys(size_t *ret_n);

typedef struct qc_xml_fact {
    char *path; /* "/a/b[@x='1']" */
    char *text; /* own text, escaped; NULL when blank */
} qc_xml_fact;

typedef struct qc_xml_facts {
    qc_xml_fact *v;
    size_t n, cap;
} qc_xml_facts;
void qc_xml_facts_clear(qc_xml_facts *f);

/* Parses `xml` (len bytes; `name` names it in errors) and appends its facts to *ret, with
 * `keys` (NULL: the built-in ones). -1 and *err on a malformed document or OOM (*ret may
 * then hold some facts: clear it). */
int qc_xml_facts_read(const char *xml, size_t len, const char *name, const qc_xml_key *keys,
                      size_t n_keys, qc_xml_facts *ret, qc_error **err);
/* "PATH" or "PATH=TEXT". Caller frees; NULL on OOM. */
char *qc_xml_fact_format(const qc_xml_fact *f);

/* Appends to *d (group DOCUMENT) the facts only one document has, as sets: ADDED (only the
 * new one has it) or REMOVED, name = the path, the text as new_value / old_value. An
 * element alone at its path in both documents whose text differs is one CHANGED change
 * (attribute "text") instead. -1 on OOM. */
int qc_xml_facts_diff(const qc_xml_facts *old_f, const qc_xml_facts *new_f, qc_diff *d,
                      qc_error **err);

#endif
