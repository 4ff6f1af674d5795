/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostfacts.c: reads the host facts of the capabilities document from the running system
 * (identity, <cpu>, page sizes, security models, IOMMU) and keys the costly ones. */
#include "introspect/hostfacts-internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "common/pathsig.h"
#include "introspect/host.h"

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

/* ---- identity: arch, uuid ---------------------------------------------------------------- */

/* The uname machine of the host layer's one read (host.h), in libvirt's spelling. */
static int
qc_hf_read_arch(const qc_host_sys *s, qc_hostfacts *hf, qc_error **err)
{
    const char *a;

    if (!(a = s->machine))
        return 0;
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
        qc_autofree char *s = qc_hostfs_read(r->root, sources[i]);
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
    qc_autoclose int kvm = qc_hostfs_open(NULL, "/dev/kvm", O_RDWR);
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

/* The <cpu> facts from the first processor block of the host layer's one read (host.h),
 * lines "key<blanks>: value". Each fact takes the first value of its key, which is in that
 * block (the flags are the same in every block); the one key that may come after it,
 * ppc64's platform "model", would only be printed with a "cpu family", which ppc64 lacks. */
static int
qc_hf_read_cpuinfo(qc_hf_reader *r, const qc_host_sys *s, qc_hostfacts *hf, qc_error **err)
{
    bool invtsc = false;

    for (size_t i = 0; i < s->cpuinfo.n; i++) {
        const char *line = s->cpuinfo.v[i], *colon = strchr(line, ':'), *v;
        size_t klen;
        char key[32];

        if (!colon)
            continue;
        klen = (size_t) (colon - line);
        while (klen > 0 && isspace((unsigned char) line[klen - 1]))
            klen--;
        if (klen >= sizeof(key)) /* longer than any key read here */
            continue;
        memcpy(key, line, klen);
        key[klen] = '\0';
        v = colon + 1;
        while (isspace((unsigned char) *v))
            v++;
        qc_hf_cpuinfo_line(hf, key, v, &invtsc);
    }
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
qc_hf_huge_sizes(const qc_hf_reader *r, const char *dir, unsigned **ret, size_t *ret_n,
                 qc_error **err)
{
    DIR *d = qc_hostfs_opendir(r->root, dir);
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
    qc_autofree unsigned *huge = NULL;
    size_t n = 0;

    if (qc_hf_huge_sizes(r, "/sys/kernel/mm/hugepages", &huge, &n, err) < 0)
        return -1;
    if (!(hf->page_sizes = calloc(n + 1, sizeof(*hf->page_sizes))))
        return QC_HF_OOM(err);
    hf->page_sizes[0] = (unsigned) (sysconf(_SC_PAGESIZE) / 1024);
    if (n) /* no huge page sizes: huge is NULL, which memcpy may not take even for 0 bytes */
        memcpy(hf->page_sizes + 1, huge, n * sizeof(*huge));
    hf->n_page_sizes = n + 1;
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
    qc_autofree char *aa = qc_hostfs_read(r->root, "/sys/module/apparmor/parameters/enabled");
    static const char *const users[] = {"libvirt-qemu", "qemu"};
    char label[64];
    long uid = 0, gid = 0;
    int rc;

    if (qc_hostfs_exists(r->root, "/sys/fs/selinux/enforce", F_OK))
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

qc_hostfacts *
qc_hf_read_all(qc_hf_reader *rd, qc_error **err)
{
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *hf = qc_hostfacts_new();
    QC_CLEANUP(qc_host_sys_clear) qc_host_sys own = {0};
    qc_hf_reader r = *rd;
    const qc_host_sys *s = r.sys ? r.sys : &own;

    if (!hf) {
        QC_HF_OOM(err);
        return NULL;
    }
    /* uname and the first /proc/cpuinfo block: one read of the host layer (host.h) */
    if (!r.sys && qc_host_sys_read(r.root, QC_HOST_SYS_UNAME | QC_HOST_SYS_CPUINFO, &own, err) < 0)
        return NULL;
    if (qc_hf_read_arch(s, hf, err) < 0 || qc_hf_read_uuid(&r, hf, err) < 0 ||
        qc_hf_read_cpuinfo(&r, s, hf, err) < 0 || qc_hf_read_page_sizes(&r, hf, err) < 0 ||
        qc_hf_read_cells(&r, hf, err) < 0 ||
        (!r.skip_cpus && qc_hf_read_banks(&r, hf, err) < 0) ||
        qc_hf_read_secmodels(&r, hf, err) < 0)
        return NULL;
    qc_hf_topology(hf);
    hf->iommu = qc_hostfs_dir_nonempty(r.root, "/sys/kernel/iommu_groups");
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
qc_hf_tsc_source(const char *boot, bool invtsc)
{
    static const char *const paths[] = {"/dev/kvm", "/sys/module/kvm", "/sys/module/kvm_intel",
                                        "/sys/module/kvm_amd"};
    char sig[QC_N_ELEMENTS(paths)][QC_PATHSIG_MAX];
    char *s = NULL;

    if (!boot || !*boot)
        return NULL;
    for (size_t i = 0; i < QC_N_ELEMENTS(paths); i++)
        qc_pathsig(paths[i], sig[i]);
    if (asprintf(&s, "tsc: invtsc %d boot %s kvm %d [%s] [%s] [%s] [%s]", invtsc, boot,
                 qc_hostfs_exists(NULL, "/dev/kvm", R_OK | W_OK), sig[0], sig[1], sig[2], sig[3]) < 0)
        return NULL;
    return s;
}

/* A CPU's topology (cpuN/topology) and caches (cpuN/cache) are the kernel's, made when
 * the CPU comes online from CPUID or the firmware tables: fixed by the boot and by which
 * CPUs are present and online. Reading them was 108 of a cached capabilities query's 465
 * system calls on two CPUs (growing with the CPUs). NULL: no boot id to key on. */
static char *
qc_hf_cpus_source(const char *boot)
{
    qc_autofree char *online = NULL;
    qc_autofree char *present = NULL;
    char *s = NULL;

    if (!boot || !*boot)
        return NULL;
    online = qc_hostfs_read(NULL, "/sys/devices/system/cpu/online");
    present = qc_hostfs_read(NULL, "/sys/devices/system/cpu/present");
    if (asprintf(&s, "cpus: boot %s online %s present %s", boot, online ? online : "?",
                 present ? present : "?") < 0)
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
    FILE *f = qc_hostfs_fopen(NULL, "/etc/nsswitch.conf");
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

    if (qc_hostfs_dir_nonempty(NULL, "/run/systemd/userdb") || !qc_hf_nss_plain() ||
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
qc_hostfacts_read_keyed(const char *root, const qc_host_sys *sys, char **ret_sources,
                        qc_error **err)
{
    qc_hf_reader r = {.root = root ? root : "", .sys = sys};
    qc_autofree char *users = NULL;
    qc_autofree char *cpus = NULL;
    qc_autofree char *tsc = NULL;
    /* both fingerprints key on the boot */
    qc_autofree char *boot = *r.root ? NULL
                                     : qc_hostfs_read(NULL, "/proc/sys/kernel/random/boot_id");
    qc_hostfacts *hf;

    *ret_sources = NULL;
    /* the sources are fingerprinted before the facts are read: a change in between
     * shows up as a changed fingerprint next time */
    if (!*r.root) {
        r.skip_users = (users = qc_hf_users_source()) != NULL;
        r.skip_cpus = (cpus = qc_hf_cpus_source(boot)) != NULL;
        r.skip_tsc = true; /* decided once cpuinfo is read: with no boot id, read it */
    }
    if (!(hf = qc_hf_read_all(&r, err)))
        return NULL;
    if (r.skip_tsc && r.invtsc && !(tsc = qc_hf_tsc_source(boot, r.invtsc))) {
        if (qc_hf_read_tsc(hf, err) < 0) {
            qc_hostfacts_free(hf);
            return NULL;
        }
    }
    if (asprintf(ret_sources, "%s; %s; %s", tsc ? tsc : r.skip_tsc && r.invtsc ? "tsc: read"
                                                                               : "tsc: none",
                 users ? users : "users: read", cpus ? cpus : "cpus: read") < 0) {
        *ret_sources = NULL;
        qc_hostfacts_free(hf);
        QC_HF_OOM(err);
        return NULL;
    }
    return hf;
}
