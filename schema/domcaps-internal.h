/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps-internal.h: what the domcaps element writers share (not installed).
 *
 * Contract: a qc_dc is the resolved query (arch, virttype, accelerator, canonical machine)
 * over a borrowed model; the writers append their element to the open writer and read
 * nothing but the model, the host facts in it and the firmware descriptors given.
 */
#ifndef QC_SCHEMA_DOMCAPS_INTERNAL_H
#define QC_SCHEMA_DOMCAPS_INTERNAL_H

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
void qc_dc_enum_add(qc_dc_enum *e, const char *value);

bool qc_dc_x86(const qc_dc *dc);
bool qc_dc_is_target(const qc_dc *dc, const char *a, const char *b);
bool qc_dc_machine_is(const qc_dc *dc, const char *family); /* "pc-q35-*" style prefix */

/* domcaps-cpu.c */
int qc_dc_format_cpu(const qc_dc *dc, qc_xw *x, qc_error **err);
/* domcaps-devices.c */
int qc_dc_format_devices(const qc_dc *dc, qc_xw *x, qc_error **err);
int qc_dc_format_features(const qc_dc *dc, qc_xw *x, qc_error **err);

#endif
