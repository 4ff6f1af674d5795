/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* model.h: the capability model of one QEMU binary, as plain C structs.
 *
 * Contract: libc only (no json-c, libxml2 or libevent types here). Every object has one
 * owner; *_free functions are NULL-safe and accept half-built objects. Strings are
 * heap-allocated and owned by the struct that holds them. The model is filled by
 * introspect/ (from QMP replies and host facts), serialised by model/model-json.h
 * (the format the cache stores and `qcaps probe --format json` prints) and read by
 * schema/ and cache/. Nothing in this layer performs I/O.
 *
 * Layer model/: owns the facts of one QEMU binary (and of the host a probe depended on)
 * and their JSON codec (model-json.h), and the comparison of two models (model-diff.h).
 * Nothing of libvirt: schema/ maps targets to arches and facts to elements.
 */
#ifndef QC_MODEL_H
#define QC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/cleanup.h"
#include "common/error.h"

/* ---- string list: ordered, owned strings ---------------------------------------- */
typedef struct qc_strlist {
    char **v;
    size_t n;
    size_t cap;
} qc_strlist;

int qc_strlist_add(qc_strlist *l, const char *s, qc_error **err);       /* copies s */
int qc_strlist_add_take(qc_strlist *l, char *s, qc_error **err);        /* takes s */
bool qc_strlist_contains(const qc_strlist *l, const char *s);           /* linear */
ssize_t qc_strlist_index(const qc_strlist *l, const char *s);           /* -1 if absent */
void qc_strlist_sort(qc_strlist *l);                                    /* strcmp order */
void qc_strlist_uniq(qc_strlist *l);  /* after sort: drops adjacent duplicates */
bool qc_strlist_bsearch(const qc_strlist *l, const char *s);            /* l sorted */
void qc_strlist_clear(qc_strlist *l);

/* ---- tristates -------------------------------------------------------------------- */
typedef enum qc_tristate {
    QC_TRI_ABSENT = 0, /* QEMU did not say */
    QC_TRI_YES,
    QC_TRI_NO,
} qc_tristate;

/* ---- accelerators: each probe pass answers for one of these ------------------------ */
typedef enum qc_accel {
    QC_ACCEL_KVM = 0,
    QC_ACCEL_TCG,
    QC_ACCEL_COUNT
} qc_accel;
const char *qc_accel_name(qc_accel a); /* "kvm", "tcg" */
int qc_accel_from_name(const char *name, qc_accel *ret_accel, qc_error **err);

/* ---- firmware descriptors (QEMU docs/interop/firmware.json) ----------------------- */
typedef struct qc_fw_target {
    char *arch;             /* QEMU target name: "x86_64", "aarch64", "arm", ... */
    qc_strlist machines;    /* glob patterns, descriptor order */
} qc_fw_target;

typedef struct qc_fw_desc {
    char *name;             /* basename: the priority key (search path order resolved) */
    char *path;             /* the file it was read from */
    char *error;            /* NULL, or why the descriptor is unusable (skipped) */
    qc_strlist interfaces;  /* "uefi", "bios", ... descriptor order */
    char *device;           /* "flash", "memory", "kernel" */
    char *executable;       /* flash executable / memory filename; NULL otherwise */
    bool executable_exists; /* that file exists on the host */
    char *nvram_template;   /* flash nvram-template filename, NULL if none */
    qc_fw_target *targets;
    size_t n_targets;
    qc_strlist features;    /* descriptor order */
} qc_fw_desc;
void qc_fw_desc_clear(qc_fw_desc *d);

/* ---- host facts read from the outside world (live system or fixture header) ------- */
typedef struct qc_host {
    char *arch;             /* uname machine, normalised to QEMU target names: x86_64, aarch64, ... */
    bool kvm_usable;        /* /dev/kvm opens read-write */
    int kvm_max_vcpus;      /* KVM_CAP_MAX_VCPUS, 0 if unknown */
    char *kernel_release;   /* uname -r */
    char *kernel_version;   /* uname -v */
    char *cpu_vendor;       /* /proc/cpuinfo vendor_id (or equivalent), NULL if unknown */
    char *cpu_model_name;   /* /proc/cpuinfo "model name" */
    int cpu_family, cpu_model, cpu_stepping; /* -1 if unknown */
    char *cpu_microcode;    /* /proc/cpuinfo "microcode", NULL if unknown */
    qc_strlist cpu_flags;   /* /proc/cpuinfo flags, sorted */
    int cpu_phys_bits;      /* /proc/cpuinfo "address sizes: N bits physical", -1 unknown */
    bool swtpm;             /* swtpm, swtpm_setup and swtpm_ioctl found in $PATH */
    qc_strlist swtpm_features; /* `swtpm_setup --print-capabilities` features, sorted */
    bool vfio;              /* IOMMU groups present and /dev/vfio/vfio exists */
    bool secure_guest;      /* s390 /sys/firmware/uv + prot_virt, or AMD SEV enabled */
    bool iommufd;           /* /dev/iommu exists (the kernel's iommufd) */
    bool tdx;               /* Intel TDX enabled in kvm_intel (parameter tdx) */
    qc_fw_desc *firmware;   /* descriptors of the default search path, priority order */
    size_t n_firmware;
    qc_strlist firmware_images; /* edk2 images installed outside descriptors: every *.fd of
                                 * /usr/share/OVMF and /usr/share/AAVMF, paths sorted */
} qc_host;
void qc_host_clear(qc_host *h);
int qc_host_copy(qc_host *dst, const qc_host *src, qc_error **err);

/* ---- machine types (query-machines) ------------------------------------------------ */
typedef struct qc_machine {
    char *name;
    char *alias;            /* NULL if none */
    bool is_default;
    int cpu_max;
    bool hotpluggable_cpus;
    char *default_cpu_type; /* NULL if not reported */
    char *default_ram_id;   /* NULL if not reported */
    qc_tristate numa_mem_supported;
    bool deprecated;
    qc_tristate acpi;       /* QEMU >= 8.0 reports it */
} qc_machine;
void qc_machine_clear(qc_machine *mc);

/* ---- CPU models (query-cpu-definitions) ------------------------------------------- */
typedef struct qc_cpu_def {
    char *name;
    char *type_name;        /* QOM typename, NULL if not reported */
    char *alias_of;         /* NULL if not an alias */
    qc_tristate usable;     /* YES: unavailable-features == []; NO: non-empty; ABSENT: not said */
    qc_strlist blockers;    /* unavailable-features */
    bool deprecated;
    bool static_model;      /* "static" member */
} qc_cpu_def;
void qc_cpu_def_clear(qc_cpu_def *d);

/* ---- CPU model expansion (query-cpu-model-expansion) ------------------------------ */
typedef enum qc_prop_type {
    QC_PROP_BOOL = 0,
    QC_PROP_STRING,
    QC_PROP_NUMBER,
} qc_prop_type;

typedef struct qc_cpu_prop {
    char *name;
    qc_prop_type type;
    bool b;
    char *s;
    int64_t n;
    qc_tristate migratable; /* ABSENT unless a migratable:false expansion was compared */
} qc_cpu_prop;

typedef struct qc_cpu_expansion {
    char *model;            /* model name QEMU expanded to */
    char *type;             /* "static" or "full" */
    qc_cpu_prop *props;     /* sorted by name */
    size_t n_props;
    char *vendor;           /* x86: "vendor" of a full expansion of the same model, or NULL */
} qc_cpu_expansion;
void qc_cpu_expansion_free(qc_cpu_expansion *e);
const qc_cpu_prop *qc_cpu_expansion_prop(const qc_cpu_expansion *e, const char *name);

/* ---- named CPU models as QEMU defines them (x86: full expansion of each) ------------ */
typedef struct qc_cpu_model_info {
    char *name;             /* an unversioned model name (alias of a -vN version) */
    char *vendor;           /* "vendor" property, NULL if none */
    char *model_id;         /* "model-id" property, NULL if none */
    qc_strlist features;    /* enabled features, restricted to the host expansion's
                             * feature names (canonical spelling), sorted */
} qc_cpu_model_info;
void qc_cpu_model_info_clear(qc_cpu_model_info *c);

/* ---- per-accelerator facts ---------------------------------------------------------- */
typedef struct qc_accel_caps {
    bool probed;            /* a pass ran with this accelerator */
    qc_machine *machines;   /* QEMU reply order, "none" dropped */
    size_t n_machines;
    bool have_cpu_defs;     /* query-cpu-definitions exists */
    qc_cpu_def *cpu_defs;   /* QEMU reply order */
    size_t n_cpu_defs;
    qc_cpu_expansion *host_cpu; /* expansion of "host" (kvm) or "max" (tcg); NULL if none */
} qc_accel_caps;
void qc_accel_caps_clear(qc_accel_caps *a);

/* ---- property lists of devices / objects / machines -------------------------------- */
typedef struct qc_type_props {
    char *type_name;        /* e.g. "virtio-blk-pci", "memory-backend-file", "virt-machine" */
    bool present;           /* false: QEMU said DeviceNotFound */
    qc_strlist props;       /* property names, sorted */
} qc_type_props;
void qc_type_props_clear(qc_type_props *t);

/* ---- command-line options (query-command-line-options) ---------------------------- */
typedef struct qc_cmdline_option {
    char *option;           /* "spice", "machine", ... */
    qc_strlist params;      /* parameter names, sorted */
} qc_cmdline_option;
void qc_cmdline_option_clear(qc_cmdline_option *o);

typedef struct qc_gic_cap {
    int version;
    bool kernel;
    bool emulated;
} qc_gic_cap;

typedef struct qc_sev_caps {
    int cbitpos;
    int reduced_phys_bits;
    char *pdh;
    char *cert_chain;
    char *cpu0_id;          /* NULL if not reported */
} qc_sev_caps;
void qc_sev_caps_free(qc_sev_caps *s);

typedef struct qc_sgx_section {
    int node;
    uint64_t size;          /* bytes */
} qc_sgx_section;

typedef struct qc_sgx_caps {
    bool sgx1, sgx2, flc;
    qc_sgx_section *sections;
    size_t n_sections;
} qc_sgx_caps;
void qc_sgx_caps_free(qc_sgx_caps *s);

/* ---- the whole model ---------------------------------------------------------------- */
#define QC_MODEL_FORMAT_VERSION 3 /* bump when the JSON serialisation changes shape */

/* How much of the model a JSON document holds (model/README.md, "Views"). A GUESTS model
 * was read from the guests view: only what the host capabilities document uses is filled
 * in, the rest is left empty, so it must not feed domcaps or be written as FULL. */
typedef enum qc_model_view {
    QC_MODEL_VIEW_FULL = 0, /* everything (the default of qc_model_new) */
    QC_MODEL_VIEW_GUESTS,   /* the part schema/capabilities.c reads */
} qc_model_view;

typedef struct qc_model {
    qc_model_view view;     /* FULL unless read from a guests-view document */
    char *emulator;         /* path as given */
    int version_major, version_minor, version_micro;
    char *package;          /* query-version "package" */
    char *target;           /* query-target arch (QEMU name: i386, arm, x86_64, ...) */

    qc_host host;           /* facts of the host the probe ran on */
    bool kvm;               /* query-kvm: present && enabled (first pass) */
    qc_accel_caps accel[QC_ACCEL_COUNT];

    qc_strlist flags;       /* derived named capability flags, sorted */
    qc_strlist qom_types;   /* qom-list-types names, sorted */
    qc_strlist commands;    /* QMP commands from the schema, sorted */
    qc_strlist events;      /* QMP events from the schema, sorted */
    qc_type_props *device_props; /* device-list-properties answers, in query order */
    size_t n_device_props;
    qc_type_props *object_props; /* qom-list-properties answers (objects, machines, CPUs) */
    size_t n_object_props;
    qc_cmdline_option *cmdline_options; /* sorted by option */
    size_t n_cmdline_options;
    qc_strlist tpm_models;
    qc_strlist tpm_types;
    qc_strlist migration_caps;
    bool have_gic;          /* query-gic-capabilities answered */
    qc_gic_cap *gic;
    size_t n_gic;
    qc_sev_caps *sev;       /* NULL: unsupported */
    qc_sgx_caps *sgx;       /* NULL: unsupported */
    qc_strlist hyperv;      /* hv-* properties of the KVM hv-passthrough expansion: true
                             * booleans and every valued one (QEMU names), sorted */
    qc_cpu_model_info *cpu_models; /* x86 named models of the first pass, sorted by name */
    size_t n_cpu_models;
} qc_model;

qc_model *qc_model_new(void);   /* zeroed; NULL on OOM */
void qc_model_free(qc_model *m);

/* Lookups (borrowed results; NULL when absent). Flags, types and commands are sorted
 * lists, so these are binary searches. qc_model_default_machine returns the machine QEMU
 * marks is-default, else index 0 (libvirt's preferred-machine table is schema/'s job). */
bool qc_model_has_flag(const qc_model *m, const char *flag);
bool qc_model_has_type(const qc_model *m, const char *qom_type);
bool qc_model_has_command(const qc_model *m, const char *command);
const qc_machine *qc_model_find_machine(const qc_model *m, qc_accel a, const char *name_or_alias);
const qc_machine *qc_model_default_machine(const qc_model *m, qc_accel a);
const qc_cpu_model_info *qc_model_cpu_model(const qc_model *m, const char *name);
const qc_cpu_def *qc_model_find_cpu(const qc_model *m, qc_accel a, const char *name);
const qc_type_props *qc_model_device_props(const qc_model *m, const char *type_name);
const qc_type_props *qc_model_object_props(const qc_model *m, const char *type_name);
const qc_cmdline_option *qc_model_cmdline_option(const qc_model *m, const char *option);
/* "7.2.22" etc.; version as libvirt's integer major*1e6+minor*1e3+micro. */
unsigned long qc_model_version_number(const qc_model *m);

/* True for the targets QEMU 5.2 to 11.1 build qemu-system-<target> for. A probe accepts
 * other target names too (a newer QEMU's). */
bool qc_qemu_target_known(const char *target);
/* The target a binary-name suffix names: "x86_64" for "x86_64" and for a build variant
 * "x86_64-microvm"; NULL for anything else ("ppc64le" is not a target). Static string. */
const char *qc_qemu_target_of_name(const char *name);

QC_DEFINE_CLEANUP(qc_model *, qc_model_free);

#endif
