/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* diff-internal.h: what the files of the model diff share, behind model-diff.h.
 *
 * Contract: libc only, like model-diff.h, and seen by model/'s diff files alone. A file
 * calls only the files below it: model-diff.c (the public comparisons), then diff-accel.c
 * and diff-facts.c (the groups), then diff-util.c (one change per difference), then
 * diff-list.c (the list of changes). Every change appended belongs to the diff it is
 * appended to; a helper that fails with -1 may leave changes appended before the failure.
 */
#ifndef QC_MODEL_DIFF_INTERNAL_H
#define QC_MODEL_DIFF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "model/model-diff.h"
#include "model/model.h"

/* ---- diff-list.c ------------------------------------------------------------------------ */

/* Makes room in d for `more` changes (d->n is unchanged); -1 on OOM. */
int qc_diff_grow(qc_diff *d, size_t more, qc_error **err);

/* ---- diff-util.c ------------------------------------------------------------------------ */

/* True when both are NULL or both equal strings. */
bool qc_streq(const char *a, const char *b);
/* "yes" / "no". */
const char *qc_yesno(bool b);
/* "yes" / "no", NULL when QC_TRI_ABSENT. */
const char *qc_tri_name(qc_tristate t);
/* Sets c->detail from a format (c may be NULL after a failed add: then -1). */
int qc_detail(qc_diff_change *c, qc_error **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* l's members joined by sep. Caller frees; NULL on OOM. */
char *qc_join(const qc_strlist *l, const char *sep);
/* Appends src's members to dst, then sorts dst and drops its duplicates; -1 on OOM. */
int qc_copy_sorted(qc_strlist *dst, const qc_strlist *src, qc_error **err);
/* One ADDED or REMOVED change per member of one list only (any order). */
int qc_diff_names(qc_diff *d, qc_diff_group g, const char *scope, const qc_strlist *o,
                  const qc_strlist *n, qc_error **err);
/* A CHANGED change of `rank` when the two strings differ; both NULL-safe. */
int qc_diff_str(qc_diff *d, qc_diff_group g, const char *scope, const char *name,
                const char *attribute, const char *o, const char *n, int rank, qc_error **err);
/* A CHANGED change when the two numbers differ, with their decimal text. */
int qc_diff_int(qc_diff *d, qc_diff_group g, const char *scope, const char *name,
                const char *attribute, long long o, long long n, qc_error **err);
/* A list-valued attribute: one CHANGED change listing what was gained and lost (none when
 * the two lists hold the same members). */
int qc_diff_list_attr(qc_diff *d, qc_diff_group g, const char *scope, const char *name,
                      const char *attribute, const qc_strlist *o, const qc_strlist *n,
                      qc_error **err);

/* ---- diff-accel.c ----------------------------------------------------------------------- */

/* The machine type `name` of an accelerator's pass; NULL when it has none. */
const qc_machine *qc_find_machine(const qc_accel_caps *a, const char *name);
/* The CPU definition `name` of an accelerator's pass; NULL when it has none. */
const qc_cpu_def *qc_find_def(const qc_accel_caps *a, const char *name);
/* Machines, CPU definitions and host CPU of every accelerator both sides probed: a change
 * found alike in each once without a scope, any other with its accelerator as scope. */
int qc_diff_accels(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err);
/* The named x86 models both sides have: vendor, model-id and features. */
int qc_diff_cpu_models(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err);

/* ---- diff-facts.c ----------------------------------------------------------------------- */

/* Version, package, target, query-kvm and the accelerators only one side probed. */
int qc_diff_version(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err);
/* Everything of QEMU that does not depend on the accelerator, group by group: QOM types
 * to Hyper-V. */
int qc_diff_qemu_facts(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err);

#endif
