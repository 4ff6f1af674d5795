/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* model-json.h: the stable JSON serialisation of qc_model (documented in model/README.md).
 *
 * Contract: the one place where the model meets json-c (kept out of model.h so that the
 * structs stay libc-only). Output is deterministic: equal models give byte-identical text.
 * Reading validates every member's type and reports QC_E_FORMAT naming the member path;
 * a document with another "format-version" is rejected (QC_E_FORMAT).
 */
#ifndef QC_MODEL_JSON_H
#define QC_MODEL_JSON_H

#include <json-c/json.h>

#include "common/error.h"
#include "model/model.h"

/* The FULL document of m (same as qc_model_to_json_view(m, QC_MODEL_VIEW_FULL, err)). */
json_object *qc_model_to_json(const qc_model *m, qc_error **err);
/* The document of m in `view` (qc_model_view, model/model.h; model/README.md "Views"):
 * FULL is everything; GUESTS is the much smaller projection schema/capabilities.c renders
 * the host capabilities from, marked by a top-level "view": "guests". A model read from a
 * GUESTS document can be written as GUESTS again (the same text) but not as FULL
 * (QC_E_INVALID). New reference, caller puts it; NULL + err on failure. */
json_object *qc_model_to_json_view(const qc_model *m, qc_model_view view, qc_error **err);
/* Reads either view; the model's `view` says which. A FULL document must hold every
 * member; a GUESTS document may lack exactly the members that view drops. */
qc_model *qc_model_from_json(json_object *o, qc_error **err);
/* Pretty (2-space) text ending in "\n", FULL or in `view`. Caller frees. */
char *qc_model_to_string(const qc_model *m, qc_error **err);
char *qc_model_to_string_view(const qc_model *m, qc_model_view view, qc_error **err);
qc_model *qc_model_from_string(const char *text, size_t len, qc_error **err);

json_object *qc_host_to_json(const qc_host *h, qc_error **err);
int qc_host_from_json(json_object *o, qc_host *ret_host, qc_error **err);

/* Element readers (common/jsonread.h qc_jr_elem_fn) of objects that QMP replies spell as
 * the document does, shared with introspect/: a qc_gic_cap ("version", "kernel",
 * "emulated") and a qc_sgx_section ("node", "size"). The header stays free of jsonread.h,
 * whose json_object_putp its includers may define themselves. */
struct qc_jr;
int qc_model_gic_read(struct qc_jr *r, json_object *o, void *elem);
int qc_model_sgx_section_read(struct qc_jr *r, json_object *o, void *elem);

#endif
