/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostfacts.h: the facts of the host that the capabilities document reads from the system.
 *
 * Contract: qc_hostfacts holds every value of <host> that does not come from QEMU (uuid,
 * CPU signature/topology/counter/pages, power management, IOMMU, NUMA cells, cache banks,
 * security models), already in the shape libvirt prints. This file owns reading them from
 * the running system (sysfs, /proc, /dev/kvm, the passwd/group databases), every path
 * through the root-prefix reader of hostfs.h, except arch (uname) and the <cpu> facts of
 * /proc/cpuinfo (microcode, signature, address sizes, invariant TSC): those are a view of
 * the host layer's one system read, qc_host_sys_read() (host.h), whose first processor
 * block is what they need. schema/hostfacts.h owns their JSON file form and
 * schema/capabilities.h their rendering. Unreadable facts are left unknown, which is not
 * an error. No printing.
 */
#ifndef QC_INTROSPECT_HOSTFACTS_H
#define QC_INTROSPECT_HOSTFACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "model/model.h"

typedef struct qc_hf_pages {
    unsigned size_kib;       /* page size */
    uint64_t count;          /* pages of that size in the cell */
} qc_hf_pages;

typedef struct qc_hf_sibling {
    int id;                  /* NUMA node */
    int value;               /* distance */
} qc_hf_sibling;

typedef struct qc_hf_cpu {
    int id;
    bool online;             /* false: only the id is printed */
    int socket_id, die_id, cluster_id, core_id; /* cluster_id: 0 when sysfs has none */
    char *siblings;          /* thread siblings as a CPU list ("0-1"), NULL if unknown */
} qc_hf_cpu;

typedef struct qc_hf_cell {
    int id;
    uint64_t memory_kib;     /* 0: unknown, not printed */
    qc_hf_pages *pages;
    size_t n_pages;
    qc_hf_sibling *distances;
    size_t n_distances;
    qc_hf_cpu *cpus;
    size_t n_cpus;
} qc_hf_cell;

typedef struct qc_hf_bank {
    unsigned id, level;
    char *type;              /* "both", "data", "code" */
    uint64_t size;           /* bytes */
    char *cpus;              /* CPU list */
} qc_hf_bank;

typedef struct qc_hf_label {
    char *type;              /* "kvm", "qemu" */
    char *label;
} qc_hf_label;

typedef struct qc_hf_secmodel {
    char *model;             /* "none", "dac", "apparmor", "selinux" */
    char *doi;
    qc_hf_label *labels;
    size_t n_labels;
} qc_hf_secmodel;

typedef struct qc_hostfacts {
    char *arch;              /* libvirt arch of the host (uname machine): x86_64, aarch64 */
    char *uuid;              /* NULL: not printed */
    /* <cpu> facts; unknown values are not printed */
    int64_t microcode;       /* -1 unknown */
    int family, model, stepping; /* -1 unknown (no <signature>) */
    uint64_t tsc_frequency;  /* Hz; 0: no <counter> */
    char *tsc_scaling;       /* "yes", "no" or NULL (attribute left out) */
    int sockets, dies, clusters, cores, threads; /* 0: no <topology> */
    int phys_addr_bits;      /* 0: no <maxphysaddr> */
    unsigned *page_sizes;    /* KiB, base page first, then huge page sizes ascending */
    size_t n_page_sizes;
    qc_strlist power_management; /* "suspend_mem", "suspend_disk", "suspend_hybrid" */
    bool iommu;
    qc_hf_cell *cells;
    size_t n_cells;
    qc_hf_bank *banks;       /* level >= 2, sorted by (level, id) (libvirt 9.0 shows >= 3) */
    size_t n_banks;
    qc_hf_secmodel *secmodels;
    size_t n_secmodels;
} qc_hostfacts;

qc_hostfacts *qc_hostfacts_new(void); /* zeroed, unknown values set; NULL on OOM */
void qc_hostfacts_free(qc_hostfacts *hf);
QC_DEFINE_CLEANUP(qc_hostfacts *, qc_hostfacts_free);

/* Reads the running host. `root` prefixes every sysfs/proc/etc path (introspect/hostfs.h;
 * NULL or "" = the real system; with a prefix, /dev/kvm and the passwd database are not
 * consulted). */
qc_hostfacts *qc_hostfacts_read(const char *root, qc_error **err);
/* qc_hostfacts_read() for keying a kept document: the facts that cost most to read
 * (KVM's TSC needs a throw-away VM, about a millisecond; the qemu user's uid and gid go
 * through NSS, as much again; each CPU's topology and caches are a dozen sysfs files) are
 * left out *when* their sources have cheap fingerprints,
 * and *ret_sources (caller frees) names those fingerprints instead, so that equal facts
 * and sources mean an equal full read. A fact whose sources cannot be fingerprinted is
 * read as qc_hostfacts_read() reads it. `sys`: uname and /proc/cpuinfo as the caller
 * just read them under `root` (qc_host_sys_read(), host.h; at least QC_HOST_SYS_UNAME and
 * QC_HOST_SYS_CPUINFO), or NULL to read them here. */
struct qc_host_sys;
qc_hostfacts *qc_hostfacts_read_keyed(const char *root, const struct qc_host_sys *sys,
                                      char **ret_sources, qc_error **err);

/* CPU list helpers: parses "0-3,8" style lists (sorted, de-duplicated) and formats them as
 * libvirt's virBitmapFormat does. Return -1 / NULL on bad input or OOM. */
int qc_cpulist_parse(const char *s, int **ret_ids, size_t *ret_n, qc_error **err);
char *qc_cpulist_format(const int *ids, size_t n, qc_error **err);

#endif
