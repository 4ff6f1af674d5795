/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fixture-internal.h: the loaded fixture's representation, shared by the files behind
 * qmp/fixture.h (fixture.c: object, lookup and matching; fixture-read.c: parsing, including
 * libvirt's .replies layout; fixture-write.c: the writer). Internal to qmp/, not installed. */
#ifndef QC_QMP_FIXTURE_INTERNAL_H
#define QC_QMP_FIXTURE_INTERNAL_H

#include "common/jsonread.h"
#include "qmp/fixture.h"

/* The section of libvirt's layout, and the writer's when none is given. */
#define QC_FIXTURE_DEFAULT_SECTION "default"

typedef struct qc_fixture_section {
    char *name;
    json_object *greeting; /* the whole {"QMP": ...} message, or NULL */
    json_object *messages; /* array, file order */
    json_object *replies;  /* object: match key -> array of reply messages */
} qc_fixture_section;

struct qc_fixture {
    char *name;
    json_object *header;
    bool libvirt;
    qc_fixture_section *sections;
    size_t n_sections;
};

/* The match key of a command: "command\n<canonical arguments>"; absent arguments count as
 * {}. With ret_args_text, also the canonical arguments alone. Caller frees. */
char *qc_fixture_key(const char *command, json_object *args, char **ret_args_text,
                     qc_error **err);
const qc_fixture_section *qc_fixture_find_section(const qc_fixture *fx, const char *name);

#endif
