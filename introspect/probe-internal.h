/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe-internal.h: private interfaces shared by the probe engine's files (not installed).
 *
 * Contract: qmp-schema.h and flags.h hold the schema index and the flag rules;
 * probe-queries.c builds each QMP query and decodes its reply into a pass's scratch model;
 * probe.c drives launches, passes and phases. Nothing here prints.
 */
#ifndef QC_INTROSPECT_PROBE_INTERNAL_H
#define QC_INTROSPECT_PROBE_INTERNAL_H

#include <stdbool.h>

#include <json-c/json.h>

#include "common/error.h"
#include "introspect/flags.h"
#include "introspect/qmp-schema.h"
#include "model/model.h"

/* ---- probe.c / probe-queries.c ----------------------------------------------------- */
typedef struct qc_probe qc_probe;
typedef struct qc_pass qc_pass;
typedef struct qc_req qc_req;
typedef struct qc_qmp qc_qmp;
typedef struct qc_qemu qc_qemu;

/* What an error reply of a query means. A required query's error fails the probe; an
 * optional query's error reply of any class (CommandNotFound, DeviceNotFound, or the
 * GenericError with which QEMU 11 answers query-cpu-definitions on targets without CPU
 * models) is a missing fact: the decoder gets ret == NULL. A broken connection or a
 * malformed reply fails the probe whatever the policy. */
enum {
    QC_REQ_REQUIRED = 0,
    QC_REQ_OPTIONAL = 1,
};

/* Decodes one reply; ret == NULL means "absent" as allowed by the request's policy. */
typedef int (*qc_reply_handler)(qc_pass *pass, const qc_req *req, json_object *ret,
                                qc_error **err);

enum { QC_EXP_MAIN, QC_EXP_NONMIGRATABLE, QC_EXP_HYPERV, QC_EXP_FULL, QC_EXP_MODEL };

struct qc_req {
    qc_req *next, *prev;
    qc_pass *pass;
    const char *command;
    qc_reply_handler fn;
    int policy;
    char *arg;                   /* typename for property queries */
    int kind;                    /* QC_EXP_* for expansions */
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
    int phase;                   /* 0 = handshake, 1 = A, 2 = B, 3 = C, 4 = done */
    bool waiting;                /* second pass: phase C waits for the first pass's flags */
    qc_error *start_error;       /* second TCG pass died before its handshake: kept until the
                                  * first pass shows whether the binary has TCG at all */
    qc_error *late_error;        /* second pass failed while the first was still running:
                                  * reported only if the first pass succeeds, so that the
                                  * first pass's own diagnosis (e.g. unknown target) wins */
};

/* probe.c: sends one command for `pass` in the current phase. Takes ownership of args. */
int qc_probe_send(qc_pass *pass, const char *command, json_object *args, qc_reply_handler fn,
                  int policy, const char *arg, int kind, qc_error **err);
/* The host facts and the first (full) pass of the probe, for cross-pass decisions. */
const qc_host *qc_probe_host(const qc_probe *p);
const qc_pass *qc_probe_primary(const qc_probe *p);

/* probe-queries.c: the query sets of each phase. */
int qc_pq_phase_a(qc_pass *pass, qc_error **err);
int qc_pq_end_phase_a(qc_pass *pass, qc_error **err);
int qc_pq_phase_b(qc_pass *pass, qc_error **err);
int qc_pq_end_phase_b(qc_pass *pass, qc_error **err);
/* Phase C (host CPU expansion); needs the first pass's flags and target. */
int qc_pq_phase_c(qc_pass *pass, const qc_model *flags_from, qc_error **err);
int qc_pq_end_phase_c(qc_pass *pass, qc_error **err);
/* Is QEMU target `target` native to host arch `host` (KVM could run it)? */
bool qc_pq_target_is_native(const char *host, const char *target);

#endif
