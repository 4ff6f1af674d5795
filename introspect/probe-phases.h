/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe-phases.h: what each probe phase asks, as a table the phase walker (probe.c) runs,
 * and what each phase derives once its replies are decoded. Not installed.
 *
 * Contract: a table row is {command, arguments, reply decoder, policy, condition}. The
 * walker sends, in table order, every instance of every row whose condition holds, all
 * before the first reply is read (pipelined), and calls the phase's `end` when the last
 * reply is decoded. Conditions and argument builders only read; they never send.
 */
#ifndef QC_INTROSPECT_PROBE_PHASES_H
#define QC_INTROSPECT_PROBE_PHASES_H

#include "introspect/probe-pass.h"

/* What a phase's conditions and argument builders look at. */
typedef struct qc_phase_ctx {
    const qc_pass *pass;
    const qc_model *primary;     /* the first (full) pass's model: target, commands, types */
    const qc_host *host;
} qc_phase_ctx;

/* One instance of a row: its arguments and the string the decoder gets as req->arg. */
typedef struct qc_query_args {
    json_object *args;           /* owned by the walker once returned; NULL: none */
    const char *arg;             /* borrowed (copied when sent); NULL: none */
} qc_query_args;

/* Fills *ret with the next instance from *cursor on and advances *cursor past it: 1, or 0
 * when there are no more, or -1 on error. */
typedef int (*qc_query_args_fn)(const qc_phase_ctx *ctx, size_t *cursor, qc_query_args *ret,
                                qc_error **err);

typedef struct qc_query {
    const char *command;
    qc_query_args_fn args;       /* NULL: one instance without arguments */
    qc_reply_decoder decode;
    qc_req_policy policy;
    bool (*when)(const qc_phase_ctx *ctx); /* NULL: always */
} qc_query;

typedef struct qc_phase_def {
    bool (*gate)(const qc_phase_ctx *ctx); /* does the phase ask anything (NULL: yes) */
    const qc_query *queries;
    size_t n_queries;
    int (*end)(qc_pass *pass, qc_error **err); /* after the phase's last reply */
} qc_phase_def;

/* The table of QC_PHASE_A, _B or _C; NULL for the other phases. */
const qc_phase_def *qc_probe_phase(qc_phase phase);

/* Is QEMU target `target` native to host arch `host` (KVM could run it)? */
bool qc_probe_target_is_native(const char *host, const char *target);

#endif
