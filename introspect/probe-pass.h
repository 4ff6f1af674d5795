/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe-pass.h: one probe pass (one QEMU, one accelerator) and its requests: the state that
 * the phase walker (probe.c), the phase tables (probe-phases.c) and the reply decoders
 * (probe-queries.c) share. Not installed.
 *
 * Contract: the calls go one way, probe.c -> probe-phases.c -> probe-queries.c (plus the
 * leaves flags.c, qmp-schema.c and probe-merge.c); a decoder only fills the pass's scratch
 * state from one reply and never sends anything. Nothing here prints.
 */
#ifndef QC_INTROSPECT_PROBE_PASS_H
#define QC_INTROSPECT_PROBE_PASS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "common/error.h"
#include "introspect/qmp-schema.h"
#include "model/model.h"

typedef struct qc_probe qc_probe;
typedef struct qc_pass qc_pass;
typedef struct qc_req qc_req;
typedef struct qc_qmp qc_qmp;
typedef struct qc_qemu qc_qemu;

/* Where a pass stands. Within a phase every request is sent before any reply is read
 * (pipelined); the next phase starts when the last reply of this one is decoded. */
typedef enum qc_phase {
    QC_PHASE_HANDSHAKE = 0, /* QEMU starting, QMP greeting and qmp_capabilities */
    QC_PHASE_A,             /* independent queries: version, target, schema, types, ... */
    QC_PHASE_B,             /* property lists and capabilities chosen by phase A's facts */
    QC_PHASE_C,             /* host CPU expansion: needs the first pass's flags and target */
    QC_PHASE_DONE,
} qc_phase;

/* What an error reply of a query means. A required query's error fails the probe; an
 * optional query's error reply of any class (CommandNotFound, DeviceNotFound, or the
 * GenericError with which QEMU 11 answers query-cpu-definitions on targets without CPU
 * models) is a missing fact: the decoder gets ret == NULL. A broken connection or a
 * malformed reply fails the probe whatever the policy. */
typedef enum qc_req_policy {
    QC_REQ_REQUIRED = 0,
    QC_REQ_OPTIONAL,
} qc_req_policy;

/* Decodes one reply into the pass; ret == NULL means "absent" as the request's policy
 * allows. */
typedef int (*qc_reply_decoder)(qc_pass *pass, const qc_req *req, json_object *ret, qc_error **err);

/* One command on the wire. */
struct qc_req {
    qc_req *next, *prev;
    qc_pass *pass;
    const char *command;
    qc_reply_decoder decode;
    qc_req_policy policy;
    char *arg;                   /* typename of a property query, type of an expansion */
};

#define QC_MACHINE_FAMILIES 3

struct qc_pass {
    qc_probe *probe;
    qc_accel accel;
    bool accel_from_kvm;         /* libvirt-layout replay: accel decided by query-kvm */
    bool full;                   /* the whole query set (else: the second TCG pass) */
    const char *section;         /* replay section, NULL when live */
    qc_qemu *qemu;
    qc_qmp *qmp;
    qc_model *m;                 /* scratch model of this pass */
    qc_accel_caps acc;           /* machines + CPU definitions until phase A ends */
    qc_qmp_schema *schema;       /* between phase A and B only */
    char *machine_types[QC_MACHINE_FAMILIES];
    qc_cpu_expansion *nonmig;    /* x86: migratable=false expansion, merged after phase C */
    char *full_vendor;           /* x86: "vendor" of the full host/max expansion */
    qc_req *reqs;                /* outstanding requests */
    int pending;                 /* replies outstanding in the current phase */
    qc_phase phase;
    bool waiting;                /* second pass: phase C waits for the first pass's flags */
    qc_error *start_error;       /* second TCG pass died before its handshake: kept until the
                                  * first pass shows whether the binary has TCG at all */
    qc_error *late_error;        /* second pass failed while the first was still running:
                                  * reported only if the first pass succeeds, so that the
                                  * first pass's own diagnosis (e.g. unknown target) wins */
};

/* probe-merge.c: the finished passes' models as one. The first pass's model (taken from it)
 * receives the others' per-accelerator facts, the emulator path and the host facts. A
 * second pass's kept error is reported here (see start_error and late_error). */
int qc_probe_merge(qc_pass *passes, size_t n_passes, const char *emulator, const qc_host *host,
                   qc_model **ret, qc_error **err);

#endif
