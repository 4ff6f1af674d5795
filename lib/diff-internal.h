/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* diff-internal.h: the structs behind qcaps_source, qcaps_change and qcaps_changes, shared by
 * lib/'s diff files.
 *
 * Contract: seen by lib/diff*.c, and by lib/export.c for the two helpers at the end, which it
 * defines (lib/internal.h holds what every lib/ file shares). A file calls only the files
 * below it: diff.c (comparing), then diff-source.c (loading a source), then export.c;
 * diff-json.c (reading a result) calls export.c alone. Each object owns what it points to
 * but the borrowed `kind`, `document` and `libvirt` names, which are static strings.
 */
#ifndef QC_LIB_DIFF_INTERNAL_H
#define QC_LIB_DIFF_INTERNAL_H

#include <json-c/json.h>

#include "lib/internal.h"
#include "model/model-diff.h"

struct qcaps_source {
    qcaps_source_kind kind;
    char *path;
    qcaps_model *model; /* EMULATOR, FIXTURE, MODEL */
    qcaps_host *host;   /* EXPORT, HOST */
};

struct qcaps_change {
    qc_diff_change c; /* the only member: a qc_diff_change is one of these */
};

/* One side as the JSON output describes it. */
typedef struct qc_diff_side {
    char *source;     /* the path given, NULL for models handed in */
    const char *kind; /* qcaps_source_kind_name(), NULL for models handed in */
    qc_strlist emulators, versions, targets;
} qc_diff_side;

struct qcaps_changes {
    qc_diff d;
    qc_diff_side side[2];
    const char *document; /* NULL, "domcaps", "capabilities" */
    const char *libvirt;  /* the generation of the documents */
    char *arch, *machine, *virttype;
};

/* ---- diff-source.c ---------------------------------------------------------------------- */

/* The internal error of a public one (consumed): -1, with *err set. */
int qc_unwrap(qc_error **err, qcaps_error *pe);

/* ---- lib/export.c: helpers the diff and the export share ------------------------------- */

/* The text of a JSON document qcaps writes (an export, a diff): pretty-printed, '/' not
 * escaped, a final newline, in qc_json_text_layout()'s one form. NULL top, or OOM: NULL
 * with *err set. Caller frees. */
char *qc_lib_json_text(json_object *top, qc_error **err);

#endif
