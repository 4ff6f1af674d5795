/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostfacts-internal.h: what hostfacts.c and hostfacts-numa.c share (not installed). */
#ifndef QC_INTROSPECT_HOSTFACTS_INTERNAL_H
#define QC_INTROSPECT_HOSTFACTS_INTERNAL_H

#include <stdlib.h>
#include <string.h>

#include "introspect/hostfacts.h"
#include "introspect/hostfs.h"

#define QC_HF_OOM(err) qc_error_set(err, QC_E_NOMEM, "out of memory")

typedef struct qc_hf_reader {
    const char *root;        /* "" for the real system */
    bool skip_tsc;           /* leave KVM's TSC out (qc_hostfacts_read_keyed()) */
    bool skip_users;         /* leave the qemu user's ids out (a placeholder label) */
    bool skip_cpus;          /* leave each CPU's topology and caches out (read_keyed()) */
    bool invtsc;             /* set by the cpuinfo reader */
    const struct qc_host_sys *sys; /* uname and cpuinfo already read, or NULL */
} qc_hf_reader;

/* Grows an array by one zeroed element; returns it or NULL on OOM. */
static inline void *
qc_hf_push(void *arrp, size_t *n, size_t size)
{
    void **arr = arrp;
    char *nv = realloc(*arr, (*n + 1) * size);

    if (!nv)
        return NULL;
    *arr = nv;
    memset(nv + *n * size, 0, size);
    return nv + (*n)++ * size;
}

/* hostfacts.c: the read of qc_hostfacts_read() and qc_hostfacts_read_keyed() as *rd asks
 * (rd->root never NULL); sets rd->invtsc (a test looks at it under a root, where the TSC
 * itself is not read). */
qc_hostfacts *qc_hf_read_all(qc_hf_reader *rd, qc_error **err);

/* hostfacts-numa.c: the NUMA cells with their CPUs and pages (needs hf->page_sizes), the
 * topology counted from them, and the cache banks of their online CPUs. */
int qc_hf_read_cells(const qc_hf_reader *r, qc_hostfacts *hf, qc_error **err);
void qc_hf_topology(qc_hostfacts *hf);
int qc_hf_read_banks(const qc_hf_reader *r, qc_hostfacts *hf, qc_error **err);

#endif
