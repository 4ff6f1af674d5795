/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* capabilities.h: host facts + the models of the emulators found -> libvirt's capabilities.
 *
 * Contract: input is a qc_hostfacts (live or from a host facts file), the candidate
 * emulator binaries and a callback that yields the model of one of them (probe, cache or
 * replay: the caller decides); output is the host capabilities XML (libvirt 9.0's byte
 * layout) or its JSON mapping, owned by the caller. Guests follow libvirt 9.0's binary
 * lookup (shared docs/domcaps-mapping.md §1.1, §5) and then list the QEMU targets libvirt
 * has no arch for, under their QEMU name. Nothing here probes, prints or reads the system:
 * the caller finds the emulators (introspect/host.h, qc_host_find_emulators()).
 */
#ifndef QC_SCHEMA_CAPABILITIES_H
#define QC_SCHEMA_CAPABILITIES_H

#include <stdbool.h>

#include "common/error.h"
#include "model/model.h"
#include "schema/hostfacts.h"
#include "schema/libvirt.h"

/* The model of the emulator at `path`, borrowed: it must stay valid until
 * qc_capabilities_format() returns. NULL + error: the binary is skipped (as libvirt skips
 * a binary whose probe fails) and the error is passed to the warning callback. */
typedef const qc_model *(*qc_caps_model_fn)(const char *path, void *opaque, qc_error **err);
typedef void (*qc_caps_warn_fn)(const char *message, void *opaque);

typedef struct qc_caps_req {
    qc_lv_gen gen;                 /* the libvirt generation whose document is written */
    const qc_hostfacts *host;      /* required */
    const qc_strlist *emulators;   /* candidate binary paths; the first of each basename wins */
    qc_caps_model_fn model;        /* required */
    void *model_opaque;
    qc_caps_warn_fn warn;          /* may be NULL */
    void *warn_opaque;
    bool json;                     /* the JSON mapping instead of XML (schema/README.md) */
} qc_caps_req;

/* The capabilities document. Caller frees. */
char *qc_capabilities_format(const qc_caps_req *req, qc_error **err);

#endif
