/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* capabilities.h: host facts + the models of the emulators found -> libvirt's capabilities.
 *
 * Contract: input is a qc_hostfacts (live or from a host facts file), the candidate
 * emulator binaries and a callback that yields the model of one of them (probe, cache or
 * replay: the caller decides); output is the host capabilities XML (libvirt 9.0's byte
 * layout) or its JSON mapping, owned by the caller. Guests follow libvirt 9.0's binary
 * lookup (shared docs/domcaps-mapping.md §1.1, §5) and then list the QEMU targets libvirt
 * has no arch for, under their QEMU name. Nothing here probes, prints or reads the system
 * except the directories named in qc_caps_find_emulators().
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

/* Every executable regular file named qemu-system-* in the ':'-separated directory list
 * `path_env` (NULL: $PATH), the first of each name in list order, sorted by name, plus
 * /usr/libexec/qemu-kvm when present (libvirt's last resort for native guests). */
int qc_caps_find_emulators(const char *path_env, qc_strlist *ret, qc_error **err);
/* The same, also naming what the list was made from in in_paths/in_sigs (pathsig.h
 * signatures, each taken before it was read): every directory of the list, every
 * qemu-system-* it had that was not taken (not an executable regular file) and
 * /usr/libexec/qemu-kvm. While the signatures, the directory list and the taken binaries
 * (their own keys) are unchanged, the list is too. */
int qc_caps_find_emulators_inputs(const char *path_env, qc_strlist *ret, qc_strlist *in_paths,
                                  qc_strlist *in_sigs, qc_error **err);

#endif
