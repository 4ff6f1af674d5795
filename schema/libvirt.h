/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt.h: what qcaps knows of libvirt itself, as data: its generations, its arches and
 * how they map to QEMU targets, word sizes, preferred machines and native hosts.
 *
 * Contract: pure tables and lookups, no I/O, no libxml2 (lib/'s fast path uses it). The
 * model (model/) holds QEMU's facts only; every rule that depends on libvirt, and on
 * which libvirt, is asked of this header (or of the per-element tables of the writers,
 * each indexed by qc_lv_gen). A generation is the libvirt release whose documents qcaps
 * reproduces: the one in a Debian release, checked against it by tests/conformance/.
 */
#ifndef QC_SCHEMA_LIBVIRT_H
#define QC_SCHEMA_LIBVIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* In release order: a rule "since g" holds for g and every later generation. */
typedef enum qc_lv_gen {
    QC_LV_9_0 = 0, /* Debian 12 bookworm */
    QC_LV_11_3,    /* Debian 13 trixie */
    QC_LV_12_8,    /* Debian testing (forky) */
    QC_LV_N
} qc_lv_gen;

#define QC_LV_LATEST QC_LV_12_8

/* The version of the rules in schema/: raised by every change that makes a document
 * rendered from the same model and host facts differ (the libvirt version stays, the
 * qcaps version may too). Kept answers are keyed on it, so none an older rule rendered
 * is served. 2: host-model by libvirt's x86 decode over its CPU map; 3: with the map's
 * own model definitions. */
#define QC_SCHEMA_RULES_VERSION 3

/* "9.0", "11.3", "12.8" (also "9", "11", "12") and "latest"; else QC_E_INVALID listing
 * the valid names. */
int qc_lv_gen_parse(const char *s, qc_lv_gen *ret, qc_error **err);
/* "9.0", "11.3", "12.8". */
const char *qc_lv_gen_name(qc_lv_gen g);

typedef struct qc_lv_arch {
    const char *name;     /* libvirt arch (virArch) */
    const char *binary;   /* libvirt looks for qemu-system-<binary> (virQEMUCapsArchToString) */
    int wordsize;         /* virArchData */
    qc_lv_gen since;      /* first generation that knows the arch */
    /* virQEMUCapsArchPreferredMachines: the default machine when none is asked for,
     * by generation; NULL: QEMU's is-default. */
    const char *preferred[QC_LV_N];
} qc_lv_arch;

/* The arches generation g knows, one per call, in libvirt's enum order (the order of
 * capabilities' guests): start with *cursor = 0; NULL after the last. */
const qc_lv_arch *qc_lv_arch_next(qc_lv_gen g, size_t *cursor);
/* The arch named `name` if generation g knows it, else NULL. */
const qc_lv_arch *qc_lv_arch_find(qc_lv_gen g, const char *name);
/* libvirt's arch for a binary of QEMU target `target` (i386 -> i686, arm -> armv7l), or
 * NULL when generation g has none (hppa, avr, hexagon, ...: documents then use the
 * target's name). */
const char *qc_lv_arch_of_target(qc_lv_gen g, const char *target);
/* The QEMU target of the binary serving libvirt arch `arch` (i686 -> i386, armv6l ->
 * arm, ppc64le -> ppc64); an arch libvirt does not know is taken as a target name. */
const char *qc_lv_target_of_arch(qc_lv_gen g, const char *arch);
/* The other arches a binary of libvirt arch `own` serves, besides its own (x86_64:
 * i686; aarch64: armv7l; armv7l: armv6l; ppc64: ppc64le), NULL-terminated; never NULL. */
const char *const *qc_lv_arch_also(const char *own);
/* Word size of a guest arch: the table's, else of a QEMU target libvirt has no arch
 * for (avr 8, hppa 32, ...; "...64" 64, else 32). */
int qc_lv_wordsize(qc_lv_gen g, const char *arch_or_target);
/* virQEMUCapsGuestIsNative: can a `host` (libvirt arch) run a `guest` arch with KVM? */
bool qc_lv_arch_is_native(const char *host, const char *guest);
bool qc_lv_arch_is_x86(const char *arch);
bool qc_lv_arch_is_ppc64(const char *arch);
/* libvirt's built-in loader list (qemu.conf's default), offered when no firmware
 * descriptor matches; NULL-terminated. */
const char *const *qc_lv_legacy_loaders(qc_lv_gen g);

/* Does generation g's CPU map name model `name` of CPU family `family` ("x86",
 * "ppc64"; other families: always true, libvirt takes QEMU's list)? (cpumap.c) */
bool qc_lv_cpu_model_known(qc_lv_gen g, const char *family, const char *name);

/* One x86 model of a libvirt CPU map, as far as it decides which model names a CPU
 * (libvirt's x86Decode): generated from each generation's map (cpumap-x86.inc). */
typedef struct qc_lv_x86_sig {
    unsigned family, model;
    unsigned steppings; /* bit s set: stepping s matches; 0: any stepping */
} qc_lv_x86_sig;
typedef struct qc_lv_x86_model {
    const char *name;
    const char *vendor; /* libvirt's vendor name ("Intel", "AMD", ...); NULL: any vendor */
    bool decode_host;   /* may name a host CPU (capabilities) */
    bool decode_guest;  /* may name a guest CPU (domcaps host-model) */
    unsigned first_sig, n_sigs, first_removed, n_removed;
} qc_lv_x86_model;
/* At most this many feature names in a map (12.8 knows 400). */
#define QC_LV_X86_MAX_FEATURES 512

typedef struct qc_lv_x86_alias {
    const char *qemu, *libvirt;
} qc_lv_x86_alias;
/* A generation's x86 CPU map: its models in the map's order, the feature names it knows
 * and which model has which. */
typedef struct qc_lv_x86_cpumap {
    const qc_lv_x86_model *models;
    size_t n_models;
    const char *const *features;
    size_t n_features;
    const unsigned short *byname;   /* feature indices sorted by name */
    const qc_lv_x86_alias *aliases; /* QEMU's spellings of some features, by QEMU's */
    size_t n_aliases;
    const uint64_t *bits; /* model i has feature j: bit j % 64 of bits[i * words + j / 64] */
    size_t words;
} qc_lv_x86_cpumap;
/* Generation g's x86 CPU map. */
const qc_lv_x86_cpumap *qc_lv_x86_map(qc_lv_gen g);
/* The index in map's features of a feature QEMU names `qemu_name` (QEMU's spelling or
 * libvirt's), -1 if the map does not know it. */
int qc_lv_x86_feature(const qc_lv_x86_cpumap *map, const char *qemu_name);
/* Does map's model i have feature j? */
bool qc_lv_x86_model_has(const qc_lv_x86_cpumap *map, size_t i, size_t j);
/* Does one of model lm's signatures match family/model/stepping? */
bool qc_lv_x86_signature_match(const qc_lv_x86_model *lm, unsigned family, unsigned model,
                               unsigned stepping);
/* Model lm's i-th dropped feature, i < lm->n_removed. */
const char *qc_lv_x86_removed_at(const qc_lv_x86_model *lm, size_t i);

/* The vendor libvirt's CPU map gives model `name` where QEMU's facts do not tell it
 * (x86 athlon: AMD), else NULL. */
const char *qc_lv_cpu_model_vendor(const char *family, const char *name);

/* libvirt lists no machine `none` (QEMU's placeholder of -machine none): it is neither
 * a guest machine nor a default, in any generation. */
bool qc_lv_machine_hidden(const char *name);
/* The machine generation g prefers for `arch` (NULL: none, QEMU's default applies). */
const char *qc_lv_preferred_machine(qc_lv_gen g, const char *arch);

#endif
