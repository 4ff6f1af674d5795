/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe-queries.h: the reply decoders of probe-queries.c, one per query, as the phase
 * tables (probe-phases.c) name them. Not installed.
 *
 * Contract: a decoder fills its pass's scratch state (pass->m, pass->acc, ...) from one
 * reply (ret: the "return" value, borrowed; NULL when an optional query's answer is
 * absent); a malformed reply is QC_E_PROTOCOL naming the command and member. Decoders
 * never send commands and never look at other passes.
 */
#ifndef QC_INTROSPECT_PROBE_QUERIES_H
#define QC_INTROSPECT_PROBE_QUERIES_H

#include "introspect/probe-pass.h"

/* phase A */
/* query-version */
int qc_pq_version(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* query-kvm; decides a libvirt-layout pass's accel */
int qc_pq_kvm(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* query-target */
int qc_pq_target(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* query-qmp-schema: pass->schema, commands, events */
int qc_pq_schema(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* qom-list-types */
int qc_pq_types(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* query-machines, into pass->acc */
int qc_pq_machines(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* query-cpu-definitions, into pass->acc */
int qc_pq_cpu_defs(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* query-tpm-models */
int qc_pq_tpm_models(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* query-tpm-types */
int qc_pq_tpm_types(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* query-command-line-options */
int qc_pq_cmdline(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* query-migrate-capabilities */
int qc_pq_migrate_caps(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);

/* phase B; property lists are of the type named by req->arg */
/* device-list-properties */
int qc_pq_device_props(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* qom-list-properties */
int qc_pq_object_props(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* query-gic-capabilities */
int qc_pq_gic(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* query-sev-capabilities */
int qc_pq_sev(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* query-sgx-capabilities */
int qc_pq_sgx(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);

/* phase C: query-cpu-model-expansion of expansion type req->arg, one decoder per use */
/* host/max: the accelerator's host CPU */
int qc_pq_host_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* x86 migratable=false: kept for phase C's end */
int qc_pq_nonmig_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* x86 KVM hv-passthrough: Hyper-V enlightenments */
int qc_pq_hyperv_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* x86 full host/max: its "vendor" */
int qc_pq_vendor_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);
/* x86 full named model: vendor, model-id, features */
int qc_pq_model_expansion(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);

#endif
