/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* flags.h: turns probed facts into named flags (docs/domcaps-mapping.md §2.2/§2.3), and
 * says which property lists the flags need (not installed).
 *
 * Contract: pure functions over a model (and the QMP schema index); never prints, never
 * talks QMP.
 */
#ifndef QC_INTROSPECT_FLAGS_H
#define QC_INTROSPECT_FLAGS_H

#include <stddef.h>

#include "common/error.h"
#include "introspect/qmp-schema.h"
#include "model/model.h"

/* Devices whose property list is wanted (type exists and gate flag set); NULL-terminated
 * table iteration: returns the i-th device to query given the flags/types known after
 * phase A, or NULL when done. */
typedef struct qc_flag_device_query {
    const char *device;
    const char *gate;        /* flag that must be set, or NULL */
} qc_flag_device_query;
const qc_flag_device_query *qc_flags_device_queries(size_t *ret_n);
/* Objects (non-machine) whose QOM properties are wanted. */
const char *const *qc_flags_object_queries(size_t *ret_n);
/* Machine families whose "<canonical>-machine" QOM properties are wanted. */
const char *const *qc_flags_machine_queries(size_t *ret_n);

/* Flags from the facts that exist after phase A: types, commands, schema queries,
 * command-line options, migration capabilities, query-kvm, CPU definitions. */
int qc_flags_derive_early(qc_model *m, const qc_qmp_schema *schema, qc_error **err);
/* Flags from device/object/machine property lists, then the §2.3 post-processing.
 * `machine_types[i]` is the QOM type queried for qc_flags_machine_queries()[i] (or NULL). */
int qc_flags_derive_late(qc_model *m, const char *const *machine_types, qc_error **err);
/* Adds one flag (kept sorted+unique by the caller's final pass). */
int qc_flags_add(qc_model *m, const char *flag, qc_error **err);
/* Sorts and de-duplicates m->flags. */
void qc_flags_finish(qc_model *m);

/* Hyper-V enlightenments (libvirt names) present in a full expansion, into m->hyperv. */
int qc_flags_hyperv(qc_model *m, const qc_cpu_expansion *e, qc_error **err);

#endif
