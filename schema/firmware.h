/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* firmware.h: QEMU firmware descriptors -> the domcaps <os> firmware/loader/secure values.
 *
 * Contract: input is the descriptor list of a host (qc_host.firmware: priority order,
 * masking resolved, existence of executables recorded) and the (QEMU target, canonical
 * machine) pair; output is the values libvirt 9.0 prints (mapping §4). Reads no files.
 */
#ifndef QC_SCHEMA_FIRMWARE_H
#define QC_SCHEMA_FIRMWARE_H

#include <stdbool.h>

#include "common/error.h"
#include "model/model.h"

typedef struct qc_fw_result {
    bool efi, bios;        /* enum firmware */
    bool secure;           /* enum secure also has "yes" */
    /* libvirt 12 <firmwareFeatures>: some match has / lacks secure-boot, enrolled-keys */
    bool secure_boot_yes, secure_boot_no, enrolled_keys_yes, enrolled_keys_no;
    qc_strlist loaders;    /* loader <value>s, in order */
    size_t n_matched;      /* descriptors that matched */
} qc_fw_result;
void qc_fw_result_clear(qc_fw_result *r);

/* Does descriptor d serve `target` (QEMU name) and machine `machine` (glob match)? */
bool qc_fw_matches(const qc_fw_desc *d, const char *target, const char *machine);

/* Fills *ret (zeroed by the caller) from descs[0..n) for (target, machine); skipped
 * (broken) descriptors are reported through warn when it is not NULL. With no match, the
 * loader list is `legacy` (libvirt's built-in list, already filtered by existence). */
int qc_fw_resolve(const qc_fw_desc *descs, size_t n, const qc_strlist *legacy,
                  const char *target, const char *machine,
                  void (*warn)(const char *msg, void *opaque), void *opaque,
                  qc_fw_result *ret, qc_error **err);

#endif
