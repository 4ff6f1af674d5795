/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* model-diff.h: what changed between two capability models, as a list a program can walk.
 *
 * Contract: libc only, like model.h. qc_model_diff() compares the facts of QEMU that two
 * models hold (no libvirt rule is applied: the documents are schema/'s, see schema/facts.h)
 * and appends one qc_diff_change per difference: something added, removed, or an attribute
 * of something present on both sides changed. Nothing is reported that is equal on both
 * sides, and nothing that one side does not know (a query one probe did not make, an
 * accelerator only one side probed: that is said once, in the version group). The host
 * facts the probes ran on are compared only on request (QC_MODEL_DIFF_HOST); the firmware
 * descriptors found are compared always (they decide what a guest can boot).
 * qc_model_common() appends, per accelerator both probed, the machine types and the
 * usable CPU models both have: what a guest defined on one may use on the other.
 * qc_diff_sort() puts changes in their printing order. Every string is owned by its change;
 * the diff owns its changes. Nothing here prints or performs I/O.
 */
#ifndef QC_MODEL_DIFF_H
#define QC_MODEL_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "model/model.h"

/* Groups, in printing order. The values are those of the public qcaps_diff_group
 * (include/qcaps.h): append only. model/ fills VERSION .. FIRMWARE and BOTH; DOCUMENT and
 * EMULATORS are filled by schema/ and lib/. */
typedef enum qc_diff_group {
    QC_DIFF_VERSION = 0, /* version, package, target, query-kvm, accelerators probed */
    QC_DIFF_HOST,        /* host facts of the probe (only with QC_MODEL_DIFF_HOST) */
    QC_DIFF_MACHINES,    /* machine types: presence, default, aliases, attributes */
    QC_DIFF_CPU_MODELS,  /* CPU definitions per accelerator; named x86 models' features */
    QC_DIFF_HOST_CPU,    /* expansion of "host" (kvm) / "max" (tcg) */
    QC_DIFF_QOM_TYPES,   /* qom-list-types, but machine and CPU types (groups above) */
    QC_DIFF_PROPERTIES,  /* properties of the device and object types the probe queries */
    QC_DIFF_COMMANDS,    /* QMP commands */
    QC_DIFF_EVENTS,      /* QMP events */
    QC_DIFF_CMDLINE,     /* command-line options and their parameters */
    QC_DIFF_FLAGS,       /* derived named capability flags */
    QC_DIFF_MIGRATION,   /* migration capabilities */
    QC_DIFF_TPM,
    QC_DIFF_GIC,
    QC_DIFF_SEV,
    QC_DIFF_SGX,
    QC_DIFF_HYPERV,
    QC_DIFF_FIRMWARE,  /* firmware descriptors and edk2 images found */
    QC_DIFF_DOCUMENT,  /* facts of rendered documents (schema/facts.h) */
    QC_DIFF_EMULATORS, /* host exports: emulators only one side has */
    QC_DIFF_BOTH,      /* COMMON entries: what a guest may use on both sides */
    QC_DIFF_GROUP_COUNT
} qc_diff_group;

/* Stable names ("version", "machines", "cpu-models", ...); NULL out of range. */
const char *qc_diff_group_name(qc_diff_group g);
/* True for the groups whose scope is an accelerator (machines, cpu-models, host-cpu,
 * both): printed after the name, "(kvm)". Elsewhere a scope is the owner of the name (the
 * type of a property, the option of a parameter) and sorts and prints before it. */
bool qc_diff_group_scope_is_accel(qc_diff_group g);

typedef enum qc_diff_kind {
    QC_DIFF_ADDED = 0, /* only the new side has it */
    QC_DIFF_REMOVED,   /* only the old side has it */
    QC_DIFF_CHANGED,   /* both have it; `attribute` differs (old_value -> new_value) */
    QC_DIFF_COMMON,    /* not a difference: `items` both sides have (group BOTH) */
} qc_diff_kind;

const char *qc_diff_kind_name(qc_diff_kind k); /* "added", "removed", "changed", "common" */

typedef struct qc_diff_change {
    qc_diff_group group;
    qc_diff_kind kind;
    char *emulator;  /* host exports: the emulator both sides have; NULL otherwise */
    char *scope;     /* accelerator ("kvm", "tcg"; NULL: the same in every accelerator
                      * both sides probed), a property's type, a parameter's option;
                      * NULL when none */
    char *name;      /* the thing added, removed or changed */
    char *attribute; /* CHANGED: which of its attributes ("deprecated", "usable",
                      * "alias-of", "name" for a rename, ...); NULL: the thing itself */
    char *old_value; /* NULL: none or not applicable */
    char *new_value;
    qc_strlist added;   /* CHANGED, list-valued attribute: members gained (blockers,
                         * features, ...), sorted */
    qc_strlist removed; /* members lost, sorted */
    qc_strlist items;   /* COMMON: the members both sides have, sorted */
    char *detail;       /* a sentence for people ("newly deprecated", "alias of X",
                         * "blocked by a, b"), NULL when the values say it all */
    int rank;           /* sort key before the name: summaries (default, aliases) first */
} qc_diff_change;

void qc_diff_change_clear(qc_diff_change *c);

typedef struct qc_diff {
    qc_diff_change *v;
    size_t n, cap;
} qc_diff;

void qc_diff_clear(qc_diff *d);
/* Appends a change with copies of the strings given (any may be NULL) and returns it, for
 * the caller to fill its lists and detail; NULL on OOM. */
qc_diff_change *qc_diff_add(qc_diff *d, qc_diff_group g, qc_diff_kind k, const char *scope,
                            const char *name, const char *attribute, const char *old_value,
                            const char *new_value, qc_error **err);
/* Moves every change of src to the end of d (src is left empty); -1 on OOM. */
int qc_diff_move(qc_diff *d, qc_diff *src, qc_error **err);
/* Sets the emulator of every change from index `from` on that has none; -1 on OOM. */
int qc_diff_set_emulator(qc_diff *d, size_t from, const char *emulator, qc_error **err);
/* Printing order: changes without an emulator first, then by emulator; then group; rank;
 * name (or scope, then name, where the scope owns the name); then scope, attribute. Names
 * compare as versions do ("pc-q35-9.2" before "pc-q35-10.0"). */
void qc_diff_sort(qc_diff *d);
/* Number of changes that are differences (everything but COMMON). */
size_t qc_diff_count_differences(const qc_diff *d);

/* Options of qc_model_diff(). */
#define QC_MODEL_DIFF_HOST (1u << 0) /* also compare the host facts of the probes */
#define QC_MODEL_DIFF_NO_FIRMWARE                                                                  \
    (1u << 1) /* leave the firmware found out (hosts compare                                       \
               * it once, not per emulator) */

/* Appends the differences old -> new (both full views; a guests view is QC_E_INVALID) to
 * *d, unsorted. -1 on OOM (d then holds what was appended so far: clear it). */
int qc_model_diff(const qc_model *old_m, const qc_model *new_m, unsigned flags, qc_diff *d,
                  qc_error **err);
/* Appends the host facts differences (group HOST) of two hosts. */
int qc_host_diff(const qc_host *old_h, const qc_host *new_h, qc_diff *d, qc_error **err);
/* Appends the firmware differences (group FIRMWARE) of two hosts. */
int qc_firmware_diff(const qc_host *old_h, const qc_host *new_h, qc_diff *d, qc_error **err);
/* Appends COMMON changes (group BOTH), per accelerator both models probed: "machines"
 * (machine types both have, "none" excluded) and "cpu-models" (CPU models usable on both:
 * unavailable-features empty on both sides). */
int qc_model_common(const qc_model *a, const qc_model *b, qc_diff *d, qc_error **err);

#endif
