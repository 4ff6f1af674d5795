/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsonwrite.h: building json-c objects, for every writer of a JSON document.
 *
 * Contract: a member is added with its reference handed over, and a failed allocation
 * (a NULL value) fails the add, so a writer chains its adds with || and checks once; the
 * finished document becomes text in one form. Returns 0/-1 (or NULL) and sets no qc_error:
 * the only failure is out of memory, which the caller reports. Links json-c only.
 */
#ifndef QC_COMMON_JSONWRITE_H
#define QC_COMMON_JSONWRITE_H

#include <json-c/json.h>

/* Adds v (owned) to object o under key: 0, or -1 when v is NULL or the add fails (v is
 * then put). */
int qc_json_add(json_object *o, const char *key, json_object *v);
/* Adds a JSON null under key (json-c's null is a NULL value): 0 or -1. */
int qc_json_add_null(json_object *o, const char *key);
/* The text of a JSON document qcaps writes (a model, host facts, an export): o
 * pretty-printed, '/' not escaped, a final newline, in qc_json_text_layout()'s one form.
 * NULL when out of memory. Caller frees. */
char *qc_json_pretty_text(json_object *o);

#endif
