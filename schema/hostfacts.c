/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostfacts.c: reads the host facts of the capabilities document from the running system. */
#include "schema/hostfacts.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "common/pathsig.h"

#define QC_HF_OOM(err) qc_error_set(err, QC_E_NOMEM, "out of memory")

typedef struct qc_hf_reader {
    const char *root;        /* "" for the real system */
    bool skip_tsc;           /* leave KVM's TSC out (qc_hostfacts_read_keyed()) */
    bool skip_users;         /* leave the qemu user's ids out (a placeholder label) */
    bool invtsc;             /* set by the cpuinfo reader */
} qc_hf_reader;

/* ---- small helpers -------------------------------------------------------------------- */

/* root + tail, or NULL on OOM. */
static char *
qc_hf_path(const qc_hf_reader *r, const char *tail)
{
    char *full = NULL;

    if (asprintf(&full, "%s%s", r->root, tail) < 0)
        return NULL;
    return full;
}

/* The whole of a small file (its first 64 KiB), trailing whitespace stripped; NULL if
 * unreadable. Plain read(2)s: a query reads a hundred of these from sysfs. */
static char *
qc_hf_slurp(const char *path)
{
    char buf[65536];
    qc_autoclose int fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY) : -1;
    size_t n = 0;

    if (fd < 0)
        return NULL;
    while (n < sizeof(buf) - 1) {
        ssize_t k = read(fd, buf + n, sizeof(buf) - 1 - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        n += (size_t) k;
    }
    buf[n] = '\0';
    while (n > 0 && isspace((unsigned char) buf[n - 1]))
        buf[--n] = '\0';
    return strdup(buf);
}

static char *
qc_hf_read(const qc_hf_reader *r, const char *tail)
{
    qc_autofree char *p = qc_hf_path(r, tail);

    return qc_hf_slurp(p);
}

static bool
qc_hf_read_ll(const qc_hf_reader *r, const char *tail, long long *ret)
{
    qc_autofree char *s = qc_hf_read(r, tail);
    char *end = NULL;
    long long v;

    if (!s)
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s)
        return false;
    *ret = v;
    return true;
}

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

/* ---- object life ----------------------------------------------------------------------- */

qc_hostfacts *
qc_hostfacts_new(void)
{
    qc_hostfacts *hf = calloc(1, sizeof(*hf));

    if (!hf)
        return NULL;
    hf->microcode = -1;
    hf->family = hf->model = hf->stepping = -1;
    return hf;
}

void
qc_hostfacts_free(qc_hostfacts *hf)
{
    if (!hf)
        return;
    free(hf->arch);
    free(hf->uuid);
    free(hf->tsc_scaling);
    free(hf->page_sizes);
    qc_strlist_clear(&hf->power_management);
    for (size_t i = 0; i < hf->n_cells; i++) {
        qc_hf_cell *c = &hf->cells[i];

        free(c->pages);
        free(c->distances);
        for (size_t j = 0; j < c->n_cpus; j++)
            free(c->cpus[j].siblings);
        free(c->cpus);
    }
    free(hf->cells);
    for (size_t i = 0; i < hf->n_banks; i++) {
        free(hf->banks[i].type);
        free(hf->banks[i].cpus);
    }
    free(hf->banks);
    for (size_t i = 0; i < hf->n_secmodels; i++) {
        qc_hf_secmodel *s = &hf->secmodels[i];

        free(s->model);
        free(s->doi);
        for (size_t j = 0; j < s->n_labels; j++) {
            free(s->labels[j].type);
            free(s->labels[j].label);
        }
        free(s->labels);
    }
    free(hf->secmodels);
    free(hf);
}

/* Grows an array by one zeroed element; returns it or NULL on OOM. */
static void *
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

/* ---- identity: arch, uuid ---------------------------------------------------------------- */

static int
qc_hf_read_arch(qc_hostfacts *hf, qc_error **err)
{
    struct utsname u;
    const char *a;

    if (uname(&u) < 0)
        return 0;
    a = u.machine;
    if (a[0] == 'i' && a[1] >= '3' && a[1] <= '6' && !strcmp(a + 2, "86"))
        a = "i686";
    else if (!strcmp(a, "amd64"))
        a = "x86_64";
    else if (!strcmp(a, "arm64"))
        a = "aarch64";
    if (!(hf->arch = strdup(a)))
        return QC_HF_OOM(err);
    return 0;
}

/* libvirt rejects a UUID whose hex digits are all the same (e.g. all zero or all F). */
static bool
qc_hf_uuid_valid(const char *hex32)
{
    for (size_t i = 1; i < 32; i++) {
        if (hex32[i] != hex32[0])
            return true;
    }
    return false;
}

/* Collects exactly 32 hex digits of s (dashes allowed) into hex[33]; false otherwise. */
static bool
qc_hf_uuid_hex(const char *s, char hex[33])
{
    size_t n = 0;

    for (; s && *s; s++) {
        if (*s == '-')
            continue;
        if (!isxdigit((unsigned char) *s) || n == 32)
            return false;
        hex[n++] = (char) tolower((unsigned char) *s);
    }
    hex[n] = '\0';
    return n == 32;
}

/* SMBIOS system UUID (libvirt's default host_uuid_source), else /etc/machine-id. libvirt
 * then generates a random one each start; qcaps stays deterministic instead. */
static int
qc_hf_read_uuid(const qc_hf_reader *r, qc_hostfacts *hf, qc_error **err)
{
    static const char *const sources[] = {
        "/sys/devices/virtual/dmi/id/product_uuid", "/sys/class/dmi/id/product_uuid",
        "/etc/machine-id",
    };

    for (size_t i = 0; i < QC_N_ELEMENTS(sources); i++) {
        qc_autofree char *s = qc_hf_read(r, sources[i]);
        char hex[33];

        if (!s || !qc_hf_uuid_hex(s, hex) || !qc_hf_uuid_valid(hex))
            continue;
        if (asprintf(&hf->uuid, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
                     hex + 16, hex + 20) < 0) {
            hf->uuid = NULL;
            return QC_HF_OOM(err);
        }
        return 0;
    }
    return 0;
}

/* ---- <cpu>: /proc/cpuinfo, KVM's TSC, page sizes ------------------------------------------- */

static void
qc_hf_cpuinfo_line(qc_hostfacts *hf, const char *key, const char *val, bool *invtsc)
{
    if (!strcmp(key, "microcode") && hf->microcode < 0)
        hf->microcode = strtoll(val, NULL, 0);
    else if (!strcmp(key, "cpu family") && hf->family < 0)
        hf->family = atoi(val);
    else if (!strcmp(key, "model") && hf->model < 0 && isdigit((unsigned char) *val))
        hf->model = atoi(val);
    else if (!strcmp(key, "stepping") && hf->stepping < 0 && isdigit((unsigned char) *val))
        hf->stepping = atoi(val);
    else if (!strcmp(key, "address sizes") && !hf->phys_addr_bits)
        hf->phys_addr_bits = atoi(val);
    else if (!strcmp(key, "flags"))
        *invtsc = strstr(val, " nonstop_tsc") != NULL && strstr(val, " constant_tsc") != NULL;
}

/* KVM's TSC frequency of a fresh vCPU and whether it can scale it, as libvirt's
 * virHostCPUGetTscInfo reads them. Leaves the facts unknown when KVM is unusable. */
static int
qc_hf_read_tsc(qc_hostfacts *hf, qc_error **err)
{
    qc_autoclose int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    qc_autoclose int vm = -1;
    qc_autoclose int vcpu = -1;
    int khz, scaling;

    if (kvm < 0 || (vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0 ||
        (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0 || (khz = ioctl(vcpu, KVM_GET_TSC_KHZ)) <= 0)
        return 0;
    if ((scaling = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_TSC_CONTROL)) < 0)
        return 0;
    hf->tsc_frequency = (uint64_t) khz * 1000u;
    if (!(hf->tsc_scaling = strdup(scaling > 0 ? "yes" : "no")))
        return QC_HF_OOM(err);
    return 0;
}

static int
qc_hf_read_cpuinfo(qc_hf_reader *r, qc_hostfacts *hf, qc_error **err)
{
    qc_autofree char *p = qc_hf_path(r, "/proc/cpuinfo");
    qc_autofree char *line = NULL;
    size_t cap = 0;
    bool invtsc = false;
    FILE *f;

    if (!p)
        return QC_HF_OOM(err);
    if (!(f = fopen(p, "re")))
        return 0;
    while (getline(&line, &cap, f) > 0) {
        char *colon = strchr(line, ':'), *k = line, *v, *e;

        if (!colon)
            continue;
        *colon = '\0';
        for (e = colon; e > k && isspace((unsigned char) e[-1]); e--)
            e[-1] = '\0';
        v = colon + 1;
        while (isspace((unsigned char) *v))
            v++;
        qc_hf_cpuinfo_line(hf, k, v, &invtsc);
    }
    fclose(f);
    r->invtsc = invtsc;
    /* libvirt reads the TSC only for CPUs with an invariant TSC */
    if (invtsc && !*r->root && !r->skip_tsc)
        return qc_hf_read_tsc(hf, err);
    return 0;
}

static int
qc_hf_cmp_uint(const void *a, const void *b)
{
    unsigned x = *(const unsigned *) a, y = *(const unsigned *) b;

    return (x > y) - (x < y);
}

/* Huge page sizes (KiB) of a hugepages directory, ascending. */
static int
qc_hf_huge_sizes(const char *dir, unsigned **ret, size_t *ret_n, qc_error **err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    unsigned *v = NULL;
    size_t n = 0;

    while (d && (de = readdir(d))) {
        unsigned kib;
        unsigned *slot;

        if (sscanf(de->d_name, "hugepages-%ukB", &kib) != 1)
            continue;
        if (!(slot = qc_hf_push(&v, &n, sizeof(*v)))) {
            closedir(d);
            free(v);
            return QC_HF_OOM(err);
        }
        *slot = kib;
    }
    if (d)
        closedir(d);
    if (n)
        qsort(v, n, sizeof(*v), qc_hf_cmp_uint);
    *ret = v;
    *ret_n = n;
    return 0;
}

static int
qc_hf_read_page_sizes(const qc_hf_reader *r, qc_hostfacts *hf, qc_error **err)
{
    qc_autofree char *dir = qc_hf_path(r, "/sys/kernel/mm/hugepages");
    qc_autofree unsigned *huge = NULL;
    size_t n = 0;

    if (!dir || qc_hf_huge_sizes(dir, &huge, &n, err) < 0)
        return dir ? -1 : QC_HF_OOM(err);
    if (!(hf->page_sizes = calloc(n + 1, sizeof(*hf->page_sizes))))
        return QC_HF_OOM(err);
    hf->page_sizes[0] = (unsigned) (sysconf(_SC_PAGESIZE) / 1024);
    memcpy(hf->page_sizes + 1, huge, n * sizeof(*huge));
    hf->n_page_sizes = n + 1;
    return 0;
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
    /* cpu0 usually has no "online" file: it cannot be offlined */
    snprintf(t, sizeof(t), "/sys/devices/system/cpu/cpu%d/online", id);
    if (qc_hf_read_ll(r, t, &v) && v == 0)
        return 0;
    cpu->online = true;
    snprintf(t, sizeof(t), "/sys/devices/system/cpu/cpu%d/topology/physical_package_id", id);
    cpu->socket_id = qc_hf_read_ll(r, t, &v) ? (int) v : 0;
    snprintf(t, sizeof(t), "/sys/devices/system/cpu/cpu%d/topology/die_id", id);
    cpu->die_id = qc_hf_read_ll(r, t, &v) ? (int) v : 0;
    snprintf(t, sizeof(t), "/sys/devices/system/cpu/cpu%d/topology/cluster_id", id);
    cpu->cluster_id = qc_hf_read_ll(r, t, &v) && v >= 0 ? (int) v : 0;
    snprintf(t, sizeof(t), "/sys/devices/system/cpu/cpu%d/topology/core_id", id);
    cpu->core_id = qc_hf_read_ll(r, t, &v) ? (int) v : 0;
    snprintf(t, sizeof(t), "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", id);
    sib = qc_hf_read(r, t);
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
        if (!qc_hf_read_ll(r, t, &nr))
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
qc_hf_meminfo_total(const char *path)
{
    qc_autofree char *s = qc_hf_slurp(path);
    const char *p = s ? strstr(s, "MemTotal:") : NULL;

    return p ? strtoull(p + strlen("MemTotal:"), NULL, 10) : 0;
}

/* Adds every CPU of the cpulist file `path` ("0-3,6") to cell c; an unreadable or
 * malformed list adds none. */
static int
qc_hf_cell_cpulist(const qc_hf_reader *r, qc_hf_cell *c, const char *path, qc_error **err)
{
    qc_autofree char *list = qc_hf_read(r, path);
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
    qc_autofree char *dist = NULL, *mi = NULL;
    char t[160];

    if (!c)
        return QC_HF_OOM(err);
    c->id = node;
    snprintf(t, sizeof(t), "/sys/devices/system/node/node%d/meminfo", node);
    if (!(mi = qc_hf_path(r, t)))
        return QC_HF_OOM(err);
    c->memory_kib = qc_hf_meminfo_total(mi);
    snprintf(t, sizeof(t), "/sys/devices/system/node/node%d/hugepages", node);
    if (qc_hf_cell_pages(r, hf, c, t, err) < 0)
        return -1;
    snprintf(t, sizeof(t), "/sys/devices/system/node/node%d/distance", node);
    dist = qc_hf_read(r, t);
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
    qc_autofree char *mi = qc_hf_path(r, "/proc/meminfo");

    if (!c || !mi)
        return QC_HF_OOM(err);
    c->memory_kib = qc_hf_meminfo_total(mi);
    if (qc_hf_cell_pages(r, hf, c, "/sys/kernel/mm/hugepages", err) < 0)
        return -1;
    return qc_hf_cell_cpulist(r, c, "/sys/devices/system/cpu/present", err);
}

static int
qc_hf_read_cells(const qc_hf_reader *r, qc_hostfacts *hf, qc_error **err)
{
    qc_autofree char *online = qc_hf_read(r, "/sys/devices/system/node/online");
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
static void
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
    if (!qc_hf_read_ll(r, t, &level) || level < 2)
        return 0;
    snprintf(t, sizeof(t), "%s/id", dir);
    if (!qc_hf_read_ll(r, t, &id))
        return 0;
    snprintf(t, sizeof(t), "%s/type", dir);
    type = qc_hf_read(r, t);
    snprintf(t, sizeof(t), "%s/size", dir);
    size = qc_hf_read(r, t);
    snprintf(t, sizeof(t), "%s/shared_cpu_list", dir);
    list = qc_hf_read(r, t);
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

static int
qc_hf_read_banks(const qc_hf_reader *r, qc_hostfacts *hf, qc_error **err)
{
    for (size_t i = 0; i < hf->n_cells; i++) {
        for (size_t j = 0; j < hf->cells[i].n_cpus; j++) {
            const qc_hf_cpu *c = &hf->cells[i].cpus[j];

            for (int idx = 0; c->online && idx < 16; idx++) {
                if (qc_hf_read_bank(r, hf, c->id, idx, err) < 0)
                    return -1;
            }
        }
    }
    if (hf->n_banks)
        qsort(hf->banks, hf->n_banks, sizeof(*hf->banks), qc_hf_cmp_bank);
    return 0;
}

/* ---- security models, IOMMU ------------------------------------------------------------- */

static int
qc_hf_add_secmodel(qc_hostfacts *hf, const char *model, const char *kvm_label,
                   const char *qemu_label, qc_error **err)
{
    qc_hf_secmodel *s = qc_hf_push(&hf->secmodels, &hf->n_secmodels, sizeof(*s));

    if (!s || !(s->model = strdup(model)) || !(s->doi = strdup("0")))
        return QC_HF_OOM(err);
    if (!kvm_label)
        return 0;
    if (!(s->labels = calloc(2, sizeof(*s->labels))))
        return QC_HF_OOM(err);
    s->n_labels = 2;
    if (!(s->labels[0].type = strdup("kvm")) || !(s->labels[0].label = strdup(kvm_label)) ||
        !(s->labels[1].type = strdup("qemu")) || !(s->labels[1].label = strdup(qemu_label)))
        return QC_HF_OOM(err);
    return 0;
}

/* The security driver stack libvirt's QEMU driver builds by default: the first of SELinux
 * and AppArmor that is active (else "none"), then DAC with the qemu user and group (Debian:
 * libvirt-qemu, Fedora: qemu, else root). */
static int
qc_hf_read_secmodels(const qc_hf_reader *r, qc_hostfacts *hf, qc_error **err)
{
    qc_autofree char *se = qc_hf_path(r, "/sys/fs/selinux/enforce");
    qc_autofree char *aa = qc_hf_read(r, "/sys/module/apparmor/parameters/enabled");
    static const char *const users[] = {"libvirt-qemu", "qemu"};
    char label[64];
    long uid = 0, gid = 0;
    int rc;

    if (!se)
        return QC_HF_OOM(err);
    if (access(se, F_OK) == 0)
        rc = qc_hf_add_secmodel(hf, "selinux", "system_u:system_r:svirt_t:s0",
                                "system_u:system_r:svirt_tcg_t:s0", err);
    else if (aa && aa[0] == 'Y')
        rc = qc_hf_add_secmodel(hf, "apparmor", NULL, NULL, err);
    else
        rc = qc_hf_add_secmodel(hf, "none", NULL, NULL, err);
    if (rc < 0)
        return -1;
    if (r->skip_users)
        return qc_hf_add_secmodel(hf, "dac", "users", "users", err);
    for (size_t i = 0; !*r->root && i < QC_N_ELEMENTS(users); i++) {
        struct passwd *pw = getpwnam(users[i]);
        struct group *gr = getgrnam(users[i]);

        if (pw) {
            uid = (long) pw->pw_uid;
            gid = gr ? (long) gr->gr_gid : (long) pw->pw_gid;
            break;
        }
    }
    snprintf(label, sizeof(label), "+%ld:+%ld", uid, gid);
    return qc_hf_add_secmodel(hf, "dac", label, label, err);
}

static bool
qc_hf_dir_nonempty(const char *path)
{
    DIR *d = path ? opendir(path) : NULL;
    struct dirent *de;
    bool any = false;

    while (d && !any && (de = readdir(d)))
        any = de->d_name[0] != '.';
    if (d)
        closedir(d);
    return any;
}

static qc_hostfacts *
qc_hf_read_all(qc_hf_reader *rd, qc_error **err)
{
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *hf = qc_hostfacts_new();
    qc_hf_reader r = *rd;
    qc_autofree char *iommu = NULL;

    if (!hf) {
        QC_HF_OOM(err);
        return NULL;
    }
    if (qc_hf_read_arch(hf, err) < 0 || qc_hf_read_uuid(&r, hf, err) < 0 ||
        qc_hf_read_cpuinfo(&r, hf, err) < 0 || qc_hf_read_page_sizes(&r, hf, err) < 0 ||
        qc_hf_read_cells(&r, hf, err) < 0 || qc_hf_read_banks(&r, hf, err) < 0 ||
        qc_hf_read_secmodels(&r, hf, err) < 0)
        return NULL;
    qc_hf_topology(hf);
    if (!(iommu = qc_hf_path(&r, "/sys/kernel/iommu_groups"))) {
        QC_HF_OOM(err);
        return NULL;
    }
    hf->iommu = qc_hf_dir_nonempty(iommu);
    rd->invtsc = r.invtsc;
    return qc_steal(&hf);
}

qc_hostfacts *
qc_hostfacts_read(const char *root, qc_error **err)
{
    qc_hf_reader r = {.root = root ? root : ""};

    return qc_hf_read_all(&r, err);
}

/* ---- fingerprints of the costly facts' sources (qc_hostfacts_read_keyed()) ------------ */

/* KVM's TSC frequency of a fresh vCPU and its TSC_CONTROL capability are fixed by the
 * kernel that booted (its calibrated TSC) and by the loaded KVM modules (KVM takes the
 * frequency when it is loaded): the boot id, and the identity of the modules' sysfs
 * directories and of /dev/kvm (a module loaded again gets new ones; their times say
 * nothing, their inodes do), with whether we may open /dev/kvm. Whether it is read at
 * all (an invariant TSC in /proc/cpuinfo) is part of it. NULL: no boot id to key on. */
static char *
qc_hf_tsc_source(bool invtsc)
{
    static const char *const paths[] = {"/dev/kvm", "/sys/module/kvm", "/sys/module/kvm_intel",
                                        "/sys/module/kvm_amd"};
    qc_autofree char *boot = qc_hf_slurp("/proc/sys/kernel/random/boot_id");
    char sig[QC_N_ELEMENTS(paths)][QC_PATHSIG_MAX];
    char *s = NULL;

    if (!boot || !*boot)
        return NULL;
    for (size_t i = 0; i < QC_N_ELEMENTS(paths); i++)
        qc_pathsig(paths[i], sig[i]);
    if (asprintf(&s, "tsc: invtsc %d boot %s kvm %d [%s] [%s] [%s] [%s]", invtsc, boot,
                 access("/dev/kvm", R_OK | W_OK) == 0, sig[0], sig[1], sig[2], sig[3]) < 0)
        return NULL;
    return s;
}

/* True when the passwd and group lines of nsswitch.conf (none: glibc's default, files)
 * name only the sources "files" and "systemd" (with any [STATUS=action]). */
static bool
qc_hf_nss_plain(void)
{
    qc_autofree char *line = NULL;
    size_t cap = 0;
    FILE *f = fopen("/etc/nsswitch.conf", "re");
    bool ok = true;

    while (f && ok && getline(&line, &cap, f) > 0) {
        char *p = line + strspn(line, " \t"), *save = NULL;

        if (strncmp(p, "passwd:", 7) != 0 && strncmp(p, "group:", 6) != 0)
            continue;
        p = strchr(p, ':') + 1;
        p[strcspn(p, "#")] = '\0';
        for (char *t = strtok_r(p, " \t\n", &save); t && ok; t = strtok_r(NULL, " \t\n", &save))
            ok = t[0] == '[' || t[strlen(t) - 1] == ']' || strcmp(t, "files") == 0 ||
                 strcmp(t, "systemd") == 0;
    }
    if (f)
        fclose(f);
    return ok;
}

/* The uid and gid of the qemu user come from NSS; with only files and systemd as sources
 * they are fixed by nsswitch.conf, /etc/passwd, /etc/group and systemd's userdb record
 * directories (each absent, or its signature and those of the records of our users).
 * NULL (look them up) for any other source, or when a userdb service is running
 * (/run/systemd/userdb not empty: dynamic users need no file). */
static char *
qc_hf_users_source(void)
{
    static const char *const files[] = {"/etc/nsswitch.conf", "/etc/passwd", "/etc/group"};
    static const char *const dirs[] = {"/etc/userdb", "/run/userdb", "/run/host/userdb",
                                       "/usr/local/lib/userdb", "/usr/lib/userdb",
                                       "/lib/userdb"};
    static const char *const records[] = {"libvirt-qemu.user", "libvirt-qemu.group",
                                          "qemu.user", "qemu.group"};
    char *s = NULL, sig[QC_PATHSIG_MAX];
    size_t len = 0;
    FILE *f;

    if (qc_hf_dir_nonempty("/run/systemd/userdb") || !qc_hf_nss_plain() ||
        !(f = open_memstream(&s, &len)))
        return NULL;
    fputs("users:", f);
    for (size_t i = 0; i < QC_N_ELEMENTS(files); i++) {
        qc_pathsig(files[i], sig);
        fprintf(f, " %s [%s]", files[i], sig);
    }
    for (size_t i = 0; i < QC_N_ELEMENTS(dirs); i++) {
        qc_pathsig(dirs[i], sig);
        fprintf(f, " %s [%s]", dirs[i], sig);
        for (size_t j = 0; strcmp(sig, "absent") != 0 && j < QC_N_ELEMENTS(records); j++) {
            char path[128];
            snprintf(path, sizeof(path), "%s/%s", dirs[i], records[j]);
            qc_pathsig(path, sig);
            fprintf(f, " %s [%s]", records[j], sig);
        }
    }
    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

qc_hostfacts *
qc_hostfacts_read_keyed(const char *root, char **ret_sources, qc_error **err)
{
    qc_hf_reader r = {.root = root ? root : ""};
    qc_autofree char *users = NULL;
    qc_autofree char *tsc = NULL;
    qc_hostfacts *hf;

    *ret_sources = NULL;
    /* the sources are fingerprinted before the facts are read: a change in between
     * shows up as a changed fingerprint next time */
    if (!*r.root) {
        r.skip_users = (users = qc_hf_users_source()) != NULL;
        r.skip_tsc = true; /* decided once cpuinfo is read: with no boot id, read it */
    }
    if (!(hf = qc_hf_read_all(&r, err)))
        return NULL;
    if (r.skip_tsc && r.invtsc && !(tsc = qc_hf_tsc_source(r.invtsc))) {
        if (qc_hf_read_tsc(hf, err) < 0) {
            qc_hostfacts_free(hf);
            return NULL;
        }
    }
    if (asprintf(ret_sources, "%s; %s", tsc ? tsc : r.skip_tsc && r.invtsc ? "tsc: read"
                                                                           : "tsc: none",
                 users ? users : "users: read") < 0) {
        *ret_sources = NULL;
        qc_hostfacts_free(hf);
        QC_HF_OOM(err);
        return NULL;
    }
    return hf;
}
