/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qmp-schema.h: an index over one query-qmp-schema reply and path queries on it (not
 * installed; "schema" here is QEMU's QAPI schema, not the domcaps XML of schema/).
 *
 * Contract: built from the reply array (a reference is taken); read-only afterwards. Never
 * prints; a malformed reply is QC_E_PROTOCOL, a malformed path just answers false.
 */
#ifndef QC_INTROSPECT_QMP_SCHEMA_H
#define QC_INTROSPECT_QMP_SCHEMA_H

#include <stdbool.h>

#include <json-c/json.h>

#include "common/error.h"
#include "model/model.h"

typedef struct qc_qmp_schema qc_qmp_schema;

/* Indexes a query-qmp-schema reply (an array of entries) by "name". Takes a reference. */
qc_qmp_schema *qc_qmp_schema_new(json_object *entries, qc_error **err);
void qc_qmp_schema_free(qc_qmp_schema *s);
/* Evaluates a path such as "blockdev-add/arg-type/+file/aio/^io_uring" (§2.2 family 4):
 * first component = entry name; "arg-type"/"ret-type" follow a command; "name" a member;
 * "*name" an optional member; "+name" a union variant; "^value" an enum value;
 * "$feature" a feature of the current entry; "!type" a builtin JSON type. Arrays are
 * looked through, alternates tried in turn. False for malformed paths. */
bool qc_qmp_schema_query(const qc_qmp_schema *s, const char *path);
/* Appends the name of every entry of meta-type `meta_type` ("command", "event") to l
 * (unsorted). */
int qc_qmp_schema_names(const qc_qmp_schema *s, const char *meta_type, qc_strlist *l,
                        qc_error **err);

#endif
