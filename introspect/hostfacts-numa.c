/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostfacts-numa.c: reads the host's NUMA cells, CPU topology and cache banks from sysfs,
 * and the CPU list syntax they use. */
#include "introspect/hostfacts-internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>

static int
qc_hf_cmp_int(const void *a, const void *b)
{
    int x = *(const int *) a, y = *(const int *) b;

    return (x > y) - (x < y);
}

int
qc_cpulist_parse(const char *s, int **ret_ids, size_t *ret_n, qc_error **err)
{
    int *ids = NULL;
    size_t n = 0, cap = 0, out = 0;
    const char *p = s;

    while (p && *p) {
        char *end = NULL;
        long a, b;

        a = strtol(p, &end, 10);
        if (end == p || a < 0 || a > 1 << 20)
            goto bad;
        b = a;
        p = end;
        if (*p == '-') {
            b = strtol(p + 1, &end, 10);
            if (end == p + 1 || b < a || b > 1 << 20)
                goto bad;
            p = end;
        }
        for (long i = a; i <= b; i++) {
            if (n == cap) {
                int *nv = realloc(ids, (cap = cap ? cap * 2 : 16) * sizeof(*ids));

                if (!nv) {
                    free(ids);
                    return QC_HF_OOM(err);
                }
                ids = nv;
            }
            ids[n++] = (int) i;
        }
        if (*p == ',')
            p++;
        else if (*p && !isspace((unsigned char) *p))
            goto bad;
        else
            break;
    }
    if (n)
        qsort(ids, n, sizeof(*ids), qc_hf_cmp_int);
    for (size_t i = 0; i < n; i++) {
        if (out == 0 || ids[out - 1] != ids[i])
            ids[out++] = ids[i];
    }
    *ret_ids = ids;
    *ret_n = out;
    return 0;
bad:
    free(ids);
    return qc_error_set(err, QC_E_FORMAT, "invalid CPU list '%s'", s ? s : "");
}

char *
qc_cpulist_format(const int *ids, size_t n, qc_error **err)
{
    size_t len = 0, cap = 16 + n * 12;
    char *s = malloc(cap);

    if (!s) {
        QC_HF_OOM(err);
        return NULL;
    }
    s[0] = '\0';
    for (size_t i = 0; i < n;) {
        size_t j = i;

        while (j + 1 < n && ids[j + 1] == ids[j] + 1)
            j++;
        if (j == i)
            len += (size_t) snprintf(s + len, cap - len, "%s%d", len ? "," : "", ids[i]);
        else
            len += (size_t) snprintf(s + len, cap - len, "%s%d-%d", len ? "," : "", ids[i],
                                     ids[j]);
        i = j + 1;
    }
    return s;
}

/* Normalises a kernel CPU list into libvirt's spelling; NULL if unreadable. */
static char *
qc_hf_norm_cpulist(const char *raw, qc_error **err)
{
    qc_autofree int *ids = NULL;
    size_t n = 0;

    if (!raw || qc_cpulist_parse(raw, &ids, &n, NULL) < 0)
        return NULL;
    return qc_cpulist_format(ids, n, err);
}

/* ---- NUMA cells ------------------------------------------------------------------------ */

static int
qc_hf_cell_cpu(const qc_hf_reader *r, qc_hf_cell *c, int id, qc_error **err)
{
    qc_hf_cpu *cpu = qc_hf_push(&c->cpus, &c->n_cpus, sizeof(*c->cpus));
    long long v = 1;
    qc_autofree char *sib = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    char t[160];

    if (!cpu)
        return QC_HF_OOM(err);
    cpu->id = id;
    if (r->skip_cpus)
        return 0; /* keyed by the online CPUs instead (qc_hostfacts_read_keyed()) */
    /* cpu0 usually has no "online" file: it cannot be offlined */
    snprintf(t, sizeof(t), "/sys/devices/system/cpu/cpu%d/online", id);
    if (qc_hostfs_read_ll(r->root, t, &v) && v == 0)
        return 0;
    cpu->online = true;
    snprintf(t, sizeof(t), "/sys/devices/system/cpu/cpu%d/topology/physical_package_id", id);
    cpu->socket_id = qc_hostfs_read_ll(r->root, t, &v) ? (int) v : 0;
    snprintf(t, sizeof(t), "/sys/devices/system/cpu/cpu%d/topology/die_id", id);
    cpu->die_id = qc_hostfs_read_ll(r->root, t, &v) ? (int) v : 0;
    snprintf(t, sizeof(t), "/sys/devices/system/cpu/cpu%d/topology/cluster_id", id);
    cpu->cluster_id = qc_hostfs_read_ll(r->root, t, &v) && v >= 0 ? (int) v : 0;
    snprintf(t, sizeof(t), "/sys/devices/system/cpu/cpu%d/topology/core_id", id);
    cpu->core_id = qc_hostfs_read_ll(r->root, t, &v) ? (int) v : 0;
    snprintf(t, sizeof(t), "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", id);
    sib = qc_hostfs_read(r->root, t);
    if (sib && !(cpu->siblings = qc_hf_norm_cpulist(sib, &e)) && e)
        return qc_error_propagate(err, qc_steal(&e));
    return 0;
}

/* Page counts of a cell: huge pages from sysfs, the base page from what is left of the
 * memory (libvirt's virNumaGetPages). */
static int
qc_hf_cell_pages(const qc_hf_reader *r, const qc_hostfacts *hf, qc_hf_cell *c,
                 const char *hugedir, qc_error **err)
{
    uint64_t huge_kib = 0;

    if (!hf->n_page_sizes)
        return 0;
    if (!(c->pages = calloc(hf->n_page_sizes, sizeof(*c->pages))))
        return QC_HF_OOM(err);
    c->n_pages = hf->n_page_sizes;
    for (size_t i = 1; i < hf->n_page_sizes; i++) {
        char t[256];
        long long nr = 0;

        c->pages[i].size_kib = hf->page_sizes[i];
        snprintf(t, sizeof(t), "%s/hugepages-%ukB/nr_hugepages", hugedir, hf->page_sizes[i]);
        if (!qc_hostfs_read_ll(r->root, t, &nr))
            nr = 0;
        c->pages[i].count = nr > 0 ? (uint64_t) nr : 0;
        huge_kib += c->pages[i].count * hf->page_sizes[i];
    }
    c->pages[0].size_kib = hf->page_sizes[0];
    if (c->memory_kib > huge_kib && hf->page_sizes[0])
        c->pages[0].count = (c->memory_kib - huge_kib) / hf->page_sizes[0];
    return 0;
}

static uint64_t
qc_hf_meminfo_total(const qc_hf_reader *r, const char *path)
{
    qc_autofree char *s = qc_hostfs_read(r->root, path);
    const char *p = s ? strstr(s, "MemTotal:") : NULL;

    return p ? strtoull(p + strlen("MemTotal:"), NULL, 10) : 0;
}

/* Adds every CPU of the cpulist file `path` ("0-3,6") to cell c; an unreadable or
 * malformed list adds none. */
static int
qc_hf_cell_cpulist(const qc_hf_reader *r, qc_hf_cell *c, const char *path, qc_error **err)
{
    qc_autofree char *list = qc_hostfs_read(r->root, path);
    qc_autofree int *ids = NULL;
    size_t n = 0;

    if (list && qc_cpulist_parse(list, &ids, &n, NULL) < 0)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        if (qc_hf_cell_cpu(r, c, ids[i], err) < 0)
            return -1;
    }
    return 0;
}

static int
qc_hf_read_cell(const qc_hf_reader *r, qc_hostfacts *hf, int node, qc_error **err)
{
    qc_hf_cell *c = qc_hf_push(&hf->cells, &hf->n_cells, sizeof(*hf->cells));
    qc_autofree char *dist = NULL;
    char t[160];

    if (!c)
        return QC_HF_OOM(err);
    c->id = node;
    snprintf(t, sizeof(t), "/sys/devices/system/node/node%d/meminfo", node);
    c->memory_kib = qc_hf_meminfo_total(r, t);
    snprintf(t, sizeof(t), "/sys/devices/system/node/node%d/hugepages", node);
    if (qc_hf_cell_pages(r, hf, c, t, err) < 0)
        return -1;
    snprintf(t, sizeof(t), "/sys/devices/system/node/node%d/distance", node);
    dist = qc_hostfs_read(r->root, t);
    for (char *p = dist, *end = NULL; p && *p; p = end) {
        long v = strtol(p, &end, 10);
        qc_hf_sibling *s;

        if (end == p)
            break;
        if (!(s = qc_hf_push(&c->distances, &c->n_distances, sizeof(*s))))
            return QC_HF_OOM(err);
        s->id = (int) c->n_distances - 1;
        s->value = (int) v;
    }
    snprintf(t, sizeof(t), "/sys/devices/system/node/node%d/cpulist", node);
    return qc_hf_cell_cpulist(r, c, t, err);
}

/* Without NUMA in sysfs libvirt fakes one cell holding every CPU and all memory. */
static int
qc_hf_read_fake_cell(const qc_hf_reader *r, qc_hostfacts *hf, qc_error **err)
{
    qc_hf_cell *c = qc_hf_push(&hf->cells, &hf->n_cells, sizeof(*hf->cells));

    if (!c)
        return QC_HF_OOM(err);
    c->memory_kib = qc_hf_meminfo_total(r, "/proc/meminfo");
    if (qc_hf_cell_pages(r, hf, c, "/sys/kernel/mm/hugepages", err) < 0)
        return -1;
    return qc_hf_cell_cpulist(r, c, "/sys/devices/system/cpu/present", err);
}

int
qc_hf_read_cells(const qc_hf_reader *r, qc_hostfacts *hf, qc_error **err)
{
    qc_autofree char *online = qc_hostfs_read(r->root, "/sys/devices/system/node/online");
    qc_autofree int *nodes = NULL;
    size_t n = 0;

    if (!online || qc_cpulist_parse(online, &nodes, &n, NULL) < 0 || n == 0)
        return qc_hf_read_fake_cell(r, hf, err);
    for (size_t i = 0; i < n; i++) {
        if (qc_hf_read_cell(r, hf, nodes[i], err) < 0)
            return -1;
    }
    return 0;
}

/* True when no online CPU before index j of c matches cpu j on the first `depth` levels
 * of (socket, die, core): cpu j opens a new group at that depth. */
static bool
qc_hf_first_of_group(const qc_hf_cell *c, size_t j, int depth)
{
    const qc_hf_cpu *a = &c->cpus[j];

    for (size_t k = 0; k < j; k++) {
        const qc_hf_cpu *b = &c->cpus[k];

        if (b->online && b->socket_id == a->socket_id &&
            (depth < 2 || b->die_id == a->die_id) && (depth < 3 || b->core_id == a->core_id))
            return false;
    }
    return true;
}

/* Online CPUs of c in the group of cpu j at `depth - 1` whose group at `depth` is new. */
static int
qc_hf_count_children(const qc_hf_cell *c, size_t j, int depth)
{
    const qc_hf_cpu *a = &c->cpus[j];
    int n = 0;

    for (size_t k = 0; k < c->n_cpus; k++) {
        const qc_hf_cpu *b = &c->cpus[k];

        if (!b->online || b->socket_id != a->socket_id ||
            (depth > 2 && b->die_id != a->die_id) ||
            (depth > 3 && b->core_id != a->core_id))
            continue;
        n += depth > 3 || qc_hf_first_of_group(c, k, depth);
    }
    return n;
}

/* Clusters per die (libvirt 11): distinct cluster ids within a die, as long as the
 * layout stays consistent; x86 kernels give each core's L2 a cluster id of its own,
 * which libvirt counts as one cluster of all the die's cores. */
static int
qc_hf_clusters(const qc_hostfacts *hf, int online)
{
    int clusters = 0;

    for (size_t i = 0; i < hf->n_cells; i++) {
        const qc_hf_cell *c = &hf->cells[i];

        for (size_t j = 0; j < c->n_cpus; j++) {
            int n = 0;

            for (size_t k = 0; c->cpus[j].online && k < c->n_cpus; k++) {
                const qc_hf_cpu *a = &c->cpus[j], *b = &c->cpus[k];
                bool first = true;

                if (!b->online || b->socket_id != a->socket_id || b->die_id != a->die_id)
                    continue;
                for (size_t l = 0; l < k && first; l++) {
                    const qc_hf_cpu *p = &c->cpus[l];
                    first = !(p->online && p->socket_id == b->socket_id &&
                              p->die_id == b->die_id && p->cluster_id == b->cluster_id);
                }
                n += first;
            }
            if (n > clusters)
                clusters = n;
        }
    }
    if (clusters < 1 ||
        (int) hf->n_cells * hf->sockets * hf->dies * clusters * hf->cores * hf->threads !=
            online)
        clusters = 1;
    return clusters;
}

/* sockets (per node), dies, cores and threads as libvirt's virHostCPUGetInfo counts them;
 * an inconsistent layout falls back to one socket of N single-thread cores, as there. */
void
qc_hf_topology(qc_hostfacts *hf)
{
    int online = 0, sockets = 0, dies = 0, cores = 0, threads = 0;

    for (size_t i = 0; i < hf->n_cells; i++) {
        const qc_hf_cell *c = &hf->cells[i];
        int cell_sockets = 0;

        for (size_t j = 0; j < c->n_cpus; j++) {
            int v;

            if (!c->cpus[j].online)
                continue;
            online++;
            cell_sockets += qc_hf_first_of_group(c, j, 1);
            if ((v = qc_hf_count_children(c, j, 2)) > dies)
                dies = v;
            if ((v = qc_hf_count_children(c, j, 3)) > cores)
                cores = v;
            if ((v = qc_hf_count_children(c, j, 4)) > threads)
                threads = v;
        }
        if (cell_sockets > sockets)
            sockets = cell_sockets;
    }
    if (!online)
        return;
    if ((int) hf->n_cells * sockets * dies * cores * threads != online) {
        sockets = dies = threads = 1;
        cores = online;
    }
    hf->sockets = sockets;
    hf->dies = dies;
    hf->clusters = qc_hf_clusters(hf, online);
    hf->cores = cores;
    hf->threads = threads;
}

/* ---- cache banks --------------------------------------------------------------------------- */

static int
qc_hf_cmp_bank(const void *a, const void *b)
{
    const qc_hf_bank *x = a, *y = b;

    if (x->level != y->level)
        return x->level < y->level ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static bool
qc_hf_bank_known(const qc_hostfacts *hf, const qc_hf_bank *b)
{
    for (size_t i = 0; i < hf->n_banks; i++) {
        const qc_hf_bank *o = &hf->banks[i];

        if (o->level == b->level && o->id == b->id && !strcmp(o->type, b->type) &&
            o->size == b->size && !strcmp(o->cpus, b->cpus))
            return true;
    }
    return false;
}

static int
qc_hf_read_bank(const qc_hf_reader *r, qc_hostfacts *hf, int cpu, int idx, qc_error **err)
{
    char dir[128], t[192];
    long long level = 0, id = 0;
    qc_autofree char *type = NULL, *size = NULL, *list = NULL;
    qc_hf_bank b = {0}, *slot;
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    char *end = NULL;

    snprintf(dir, sizeof(dir), "/sys/devices/system/cpu/cpu%d/cache/index%d", cpu, idx);
    snprintf(t, sizeof(t), "%s/level", dir);
    if (!qc_hostfs_read_ll(r->root, t, &level) || level < 2)
        return 0;
    snprintf(t, sizeof(t), "%s/id", dir);
    if (!qc_hostfs_read_ll(r->root, t, &id))
        return 0;
    snprintf(t, sizeof(t), "%s/type", dir);
    type = qc_hostfs_read(r->root, t);
    snprintf(t, sizeof(t), "%s/size", dir);
    size = qc_hostfs_read(r->root, t);
    snprintf(t, sizeof(t), "%s/shared_cpu_list", dir);
    list = qc_hostfs_read(r->root, t);
    if (!type || !size || !list)
        return 0;
    b.level = (unsigned) level;
    b.id = (unsigned) id;
    b.size = strtoull(size, &end, 10);
    if (end && (*end == 'K' || *end == 'k'))
        b.size *= 1024;
    else if (end && *end == 'M')
        b.size *= 1024 * 1024;
    if (!strcmp(type, "Unified"))
        b.type = (char *) "both";
    else if (!strcmp(type, "Data"))
        b.type = (char *) "data";
    else if (!strcmp(type, "Instruction"))
        b.type = (char *) "code";
    else
        return 0;
    if (!(b.cpus = qc_hf_norm_cpulist(list, &e)))
        return e ? qc_error_propagate(err, qc_steal(&e)) : 0;
    if (qc_hf_bank_known(hf, &b)) {
        free(b.cpus);
        return 0;
    }
    if (!(slot = qc_hf_push(&hf->banks, &hf->n_banks, sizeof(*slot))) ||
        !(b.type = strdup(b.type))) {
        free(b.cpus);
        if (slot)
            hf->n_banks--;
        return QC_HF_OOM(err);
    }
    *slot = b;
    return 0;
}

int
qc_hf_read_banks(const qc_hf_reader *r, qc_hostfacts *hf, qc_error **err)
{
    for (size_t i = 0; i < hf->n_cells; i++) {
        for (size_t j = 0; j < hf->cells[i].n_cpus; j++) {
            const qc_hf_cpu *c = &hf->cells[i].cpus[j];

            char dir[96];
            bool have[16] = {false};
            struct dirent *de;
            DIR *d;

            if (!c->online)
                continue;
            /* one listing instead of trying every index: most CPUs have four of 16 */
            snprintf(dir, sizeof(dir), "/sys/devices/system/cpu/cpu%d/cache", c->id);
            if (!(d = qc_hostfs_opendir(r->root, dir)))
                continue;
            while ((de = readdir(d))) {
                char *end = NULL;
                long idx = strncmp(de->d_name, "index", 5) == 0 && isdigit((unsigned char) de->d_name[5])
                               ? strtol(de->d_name + 5, &end, 10)
                               : -1;

                if (idx >= 0 && idx < 16 && end && !*end)
                    have[idx] = true;
            }
            closedir(d);
            for (int idx = 0; idx < 16; idx++) {
                if (have[idx] && qc_hf_read_bank(r, hf, c->id, idx, err) < 0)
                    return -1;
            }
        }
    }
    if (hf->n_banks)
        qsort(hf->banks, hf->n_banks, sizeof(*hf->banks), qc_hf_cmp_bank);
    return 0;
}
