/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps-internal.h: what the domcaps element writers share (not installed).
 *
 * Contract: a qc_dc is the resolved query (arch, virttype, accelerator, canonical machine)
 * over a borrowed model; the writers append their element to the open writer and read
 * nothing but the model, the host facts in it and the firmware descriptors given. Calls
 * go one way: domcaps.c -> domcaps-cpu.c, domcaps-devices.c.
 */
#ifndef QC_SCHEMA_DOMCAPS_INTERNAL_H
#define QC_SCHEMA_DOMCAPS_INTERNAL_H

#include <fnmatch.h>
#include <stdbool.h>
#include <string.h>

#include "common/cleanup.h"
#include "schema/domcaps.h"
#include "schema/firmware.h"
#include "schema/libvirt.h"
#include "schema/xmlwriter.h"

typedef struct qc_dc {
    const qc_model *m;
    qc_lv_gen gen;             /* the libvirt generation whose document is written */
    const char *arch;          /* libvirt arch (or QEMU target for arches libvirt lacks) */
    const char *virttype;      /* "kvm" or "qemu" */
    qc_accel accel;
    const qc_machine *machine; /* canonical entry of the accelerator's list */
    const qc_fw_desc *fw;      /* descriptors to use, priority order */
    size_t n_fw;
    const qc_strlist *firmware_images;
    qc_warn_fn warn;
    void *warn_opaque;
} qc_dc;

/* A list of enum values, filled in libvirt's order by the writers. */
typedef struct qc_dc_enum {
    const char *v[24];
    size_t n;
} qc_dc_enum;

/* The helpers every writer uses are here, inline, so that the writers (domcaps-cpu.c,
 * domcaps-devices.c) never call back into domcaps.c, which calls them. */
static inline void
qc_dc_enum_add(qc_dc_enum *e, const char *value)
{
    if (e->n < QC_N_ELEMENTS(e->v))
        e->v[e->n++] = value;
}

/* The QEMU target is a or b (b may be NULL). */
static inline bool
qc_dc_is_target(const qc_dc *dc, const char *a, const char *b)
{
    const char *t = dc->m->target;

    return t && (strcmp(t, a) == 0 || (b && strcmp(t, b) == 0));
}

static inline bool
qc_dc_x86(const qc_dc *dc)
{
    return qc_dc_is_target(dc, "x86_64", "i386");
}

/* The canonical machine matches a glob ("pc-q35-*"). */
static inline bool
qc_dc_machine_is(const qc_dc *dc, const char *pattern)
{
    return fnmatch(pattern, dc->machine->name, 0) == 0;
}

/* domcaps-cpu.c */
int qc_dc_format_cpu(const qc_dc *dc, qc_xw *x, qc_error **err);
/* domcaps-devices.c */
int qc_dc_format_devices(const qc_dc *dc, qc_xw *x, qc_error **err);
int qc_dc_format_features(const qc_dc *dc, qc_xw *x, qc_error **err);

#endif
