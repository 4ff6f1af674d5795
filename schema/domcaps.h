/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps.h: a capability model -> libvirt's domainCapabilities document.
 *
 * Contract: input is a const qc_model (probed or replayed) plus the firmware descriptors
 * found for it; output is a NUL-terminated XML string (libvirt's byte layout: 2-space
 * indent, ' quotes, no XML declaration) owned by the caller. Nothing here probes, reads
 * the cache or prints; firmware descriptor files are the only files read (firmware.h).
 *
 * Layer schema/: owns every rule of libvirt's (libvirt.h: tables per concern and per
 * libvirt generation) and renders models and host facts as domainCapabilities and
 * capabilities XML, and their JSON form shaped by our RelaxNG grammars (xmljson.h,
 * jsonshape.h). It finds no emulator and reads no system state.
 */
#ifndef QC_SCHEMA_DOMCAPS_H
#define QC_SCHEMA_DOMCAPS_H

#include "common/error.h"
#include "model/model.h"
#include "schema/libvirt.h"

/* The host-model CPU of a model for an accelerator: the named CPU model libvirt's decode
 * picks from its CPU map for the expansion of "host" (kvm) / "max" (tcg), its vendor and
 * the features to add or remove (libvirt spellings). */
typedef struct qc_host_cpu_feature {
    char *name;             /* libvirt spelling, e.g. "pclmuldq", "tsc_adjust" */
    bool require;           /* true: policy='require'; false: policy='disable' */
} qc_host_cpu_feature;

typedef struct qc_host_cpu_model {
    char *model;            /* e.g. "EPYC-Milan"; never NULL on success */
    char *vendor;           /* "Intel", "AMD", "Hygon", ...; NULL if unknown */
    qc_host_cpu_feature *features; /* in the order libvirt 9.0 prints them */
    size_t n_features;
} qc_host_cpu_model;
void qc_host_cpu_model_free(qc_host_cpu_model *c);
QC_DEFINE_CLEANUP(qc_host_cpu_model *, qc_host_cpu_model_free);

/* Computes the CPU model generation g's libvirt names for accelerator a's host CPU: the
 * domcaps host-model (host_cpu false: a guest CPU's decode) or the capabilities host CPU
 * (host_cpu true: a model the CPU has every feature of). Returns 0 and sets *ret_cpu
 * (caller frees) when one exists; returns 0 with *ret_cpu = NULL when the model has none
 * for a (non-native arch, no expansion, arch without host-model support); -1 on error. */
int qc_domcaps_host_cpu_model(const qc_model *m, qc_accel a, qc_lv_gen g, bool host_cpu,
                              qc_host_cpu_model **ret_cpu, qc_error **err);

/* What to describe. NULL members take libvirt's defaults: arch = the binary's, machine =
 * the default machine (the generation's preferred-machine table, then QEMU's is-default),
 * virttype = "kvm" when the model has KVM, else "qemu". `gen` is the libvirt generation
 * whose document is written (0 is QC_LV_9_0: callers set it, the library's default is
 * QC_LV_LATEST). */
typedef struct qc_domcaps_req {
    qc_lv_gen gen;
    const char *arch;       /* libvirt arch name (or QEMU target name for unknown arches) */
    const char *machine;    /* name or alias */
    const char *virttype;   /* "kvm" or "qemu" */
} qc_domcaps_req;

/* A warning that is not an error (e.g. a broken firmware descriptor was skipped). */
typedef void (*qc_warn_fn)(const char *message, void *opaque);

/* The domainCapabilities XML for (m, req). Firmware comes from m->host.firmware (the
 * caller may replace it, e.g. for --firmware-dir, with introspect's reader). An unknown arch, machine or virttype is
 * QC_E_UNSUPPORTED with a message listing the valid values. Caller frees the result. */
char *qc_domcaps_format(const qc_model *m, const qc_domcaps_req *req, qc_warn_fn warn,
                        void *warn_opaque, qc_error **err);

#endif
